"""SPF and DMARC records compared by what they mean, and what a change does to them.

Two TXT values are the same record when a receiver reads the same policy from both, not
only when their bytes match. This is the one comparison every command uses: the diff
(`validate`, `verify`), the audit (`check`) and the checks that guard the customer's values.

- SPF (RFC 7208): the terms after `v=spf1`, whatever the white space between them (§4.6.1:
  `1*SP`); mechanism and modifier names case-insensitive (§4.6.1); domain names
  case-insensitive with or without the root's trailing dot (RFC 4343, RFC 1034 §3.1); an
  unwritten qualifier is `+` (§4.6.2); an `ip4`/`ip6` network by its address and prefix
  (`ip4:192.0.2.1/32` is `ip4:192.0.2.1`). A value holding a macro (`%{...}`) keeps its
  case (§7.3: an upper-case macro letter means URL-escaping). Mechanism order counts (§4.6.2:
  the first match wins).
- DMARC (RFC 7489 §6.3, RFC 9989): the tags, whatever their order, a trailing `;` or the white
  space around `;` and `=`; tag names case-insensitive; keyword values (`p`, `adkim`...)
  case-insensitive; a tag left out means its default (`sp` is `p`, `np` is `sp`, `adkim=r`,
  `pct=100`...).
- Any other TXT value: exactly; CNAME targets: case-insensitively, without the trailing dot.

`value_changes` says what turns one value set into another as `+ added`, `- removed` and
`~ changed` SPF terms, DMARC tags or whole values; `spf_loss` and `dmarc_loss` say which of
those take something away from the customer.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass

from .dmarc import POLICY_STRENGTH, DmarcSyntaxError, is_dmarc, parse_dmarc, receiver_tags, weakens
from .model import normalize_name
from .report import Change
from .spf import SpfSyntaxError, Term, is_spf, parse_spf

#: RFC 7489 §6.3 / RFC 9989 defaults of the tags a record may leave out (`sp`, `np` follow `p`).
DMARC_DEFAULTS = {"adkim": "r", "aspf": "r", "pct": "100", "fo": "0", "rf": "afrf", "ri": "86400", "t": "n", "psd": "u"}
_KEYWORD_TAGS = frozenset({"p", "sp", "np", "adkim", "aspf", "fo", "rf", "t", "psd"})
_NUMBER_TAGS = frozenset({"pct", "ri"})
_DOMAIN_MECHANISMS = frozenset({"include", "exists", "a", "mx", "ptr"})
#: RFC 7208 §4.6.2 qualifiers from the most permissive to the most restrictive.
_QUALIFIER_STRENGTH = {"+": 0, "?": 1, "~": 2, "-": 3}


# --------------------------------------------------------------------------- the one comparison


@functools.lru_cache(maxsize=8192)
def value_key(rdtype: str, value: str) -> Hashable:
    """What a value means: two values with equal keys are the same record to a receiver."""
    rdtype = rdtype.upper()
    if rdtype in ("CNAME", "NS", "PTR"):
        return normalize_name(value)
    if rdtype in ("TXT", "SPF"):
        if is_spf(value):
            spf = _spf_meaning(value)
            if spf is not None:
                return spf
        elif is_dmarc(value):
            tags = _dmarc_tags(value)
            if tags is not None:
                return ("dmarc", tuple(sorted(_effective(tags).items())))
    return value


def same_value(rdtype: str, a: str, b: str) -> bool:
    """Whether two values mean the same (see the module docstring)."""
    return value_key(rdtype, a) == value_key(rdtype, b)


def value_keys(rdtype: str, values: Iterable[str]) -> frozenset[Hashable]:
    return frozenset(value_key(rdtype, v) for v in values)


# --------------------------------------------------------------------------- SPF terms


@dataclass(frozen=True)
class _SpfTerm:
    text: str
    qualifier: str
    """`+`, `?`, `~` or `-` for mechanisms (an unwritten one is `+`); "" for modifiers."""
    identity: str
    """`include:example.com` for `~include:Example.COM.`; `redirect=` for a modifier (so an
    unknown modifier `a=x` is never taken for the mechanism `a`)."""
    value: str
    """A modifier's normalised value; "" for mechanisms."""
    active: bool
    """False for a mechanism after `all` (RFC 7208 §5.1: never evaluated)."""

    @property
    def is_modifier(self) -> bool:
        return not self.qualifier


def _domain(value: str) -> str:
    """A domain-spec as compared: lower-case without the trailing dot, unless it holds a macro."""
    if "%" in value:
        return value
    return value.lower().rstrip(".")


def _term_identity(term: Term) -> str:
    if term.name in ("ip4", "ip6"):
        try:
            return f"{term.name}:{ipaddress.ip_network(term.value, strict=False).with_prefixlen}"
        except ValueError:
            return f"{term.name}:{term.value.lower()}"
    if term.name in _DOMAIN_MECHANISMS:
        body = term.text[1:] if term.qualifier else term.text
        rest = body[len(term.name) :]
        if rest.startswith(":"):
            domain, slash, cidr = rest[1:].partition("/")
            return f"{term.name}:{_domain(domain)}{slash}{cidr}"
        return f"{term.name}{rest}"
    return term.name


@functools.lru_cache(maxsize=4096)
def _spf_terms(text: str) -> tuple[_SpfTerm, ...] | None:
    try:
        record = parse_spf(text)
    except SpfSyntaxError:
        return None
    out = []
    seen_all = False
    for term in record.terms:
        if term.is_modifier:
            value = _domain(term.value) if term.name in ("redirect", "exp") else term.value
            out.append(_SpfTerm(term.text, "", f"{term.name}=", value, True))
            continue
        out.append(_SpfTerm(term.text, term.qualifier or "+", _term_identity(term), "", not seen_all))
        seen_all = seen_all or term.name == "all"
    return tuple(out)


def _spf_meaning(text: str) -> Hashable | None:
    terms = _spf_terms(text)
    if terms is None:
        return None
    mechanisms = tuple((t.qualifier, t.identity, t.active) for t in terms if not t.is_modifier)
    modifiers = frozenset((t.identity, t.value) for t in terms if t.is_modifier)
    return ("spf", mechanisms, modifiers)


def _is_all(term: _SpfTerm) -> bool:
    return term.identity == "all" and not term.is_modifier


def _shown(term: _SpfTerm) -> str:
    return term.text if term.active else f"{term.text} (after all: never evaluated)"


# --------------------------------------------------------------------------- DMARC tags


def _dmarc_tags(text: str, *, as_received: bool = False) -> dict[str, str] | None:
    """The record's own tags, names lower-case, values as compared; None when not valid DMARC
    (`as_received`: a DMARC record with broken tags reads as a receiver reads it instead)."""
    try:
        tags = parse_dmarc(text).tags
    except DmarcSyntaxError:
        # RFC 9989: receivers discard broken tags, so a live `p=reject` behind a broken tag is
        # still a reject that a plan would weaken.
        tags = receiver_tags(text) if as_received else None
        if tags is None:
            return None
    out: dict[str, str] = {}
    for name, value in tags:
        if name in _KEYWORD_TAGS:
            value = ":".join(sorted(p.strip() for p in value.lower().split(":"))) if name in ("fo", "rf") else value.lower()
        elif name in _NUMBER_TAGS and value.isdigit():
            value = str(int(value))
        elif name in ("rua", "ruf"):
            value = ",".join(sorted(_uri(u) for u in value.split(",") if u.strip()))
        out[name] = value
    return out


def _uri(uri: str) -> str:
    """A report URI as compared: the scheme and the host lower-case (RFC 3986 §6.2.2.1)."""
    uri = uri.strip()
    scheme, colon, rest = uri.partition(":")
    if not colon:
        return uri
    local, at, host = rest.rpartition("@")
    return f"{scheme.lower()}:{local}{at}{host.lower()}" if at else f"{scheme.lower()}:{rest}"


def _effective(tags: dict[str, str]) -> dict[str, str]:
    """Every tag a receiver applies: the record's own, then the defaults (RFC 7489 §6.3, RFC 9989)."""
    out = {**DMARC_DEFAULTS, **tags}
    out["p"] = tags.get("p", "none")  # RFC 9989: a valid record without p is treated as p=none
    out["sp"] = tags.get("sp", out["p"])
    out["np"] = tags.get("np", out["sp"])
    return out


# --------------------------------------------------------------------------- changes


def spf_changes(old: str, new: str) -> tuple[Change, ...]:
    """Term by term, what turns SPF record `old` into `new` (whole values when one is not valid SPF)."""
    before, after = _spf_terms(old), _spf_terms(new)
    if before is None or after is None:
        return () if old == new else (Change("removed", "value", old=old), Change("added", "value", new=new))
    out: list[Change] = []
    old_by = _by_identity(before)
    new_by = _by_identity(after)
    for identity, term in old_by.items():
        other = new_by.get(identity)
        if other is None:
            out.append(Change("removed", "spf-term", old=_shown(term)))
        elif (term.qualifier, term.value, term.active) != (other.qualifier, other.value, other.active):
            out.append(Change("changed", "spf-term", old=_shown(term), new=_shown(other)))
    out += [Change("added", "spf-term", new=_shown(t)) for i, t in new_by.items() if i not in old_by]
    if not out:
        order_old = [t.identity for t in before if not t.is_modifier]
        order_new = [t.identity for t in after if not t.is_modifier]
        if order_old != order_new:
            out.append(Change("changed", "spf-term", old="order " + " ".join(order_old), new=" ".join(order_new)))
    return tuple(out)


def _by_identity(terms: tuple[_SpfTerm, ...]) -> dict[str, _SpfTerm]:
    out: dict[str, _SpfTerm] = {}
    for term in terms:
        out.setdefault(term.identity, term)  # a repeat never matters: the first match wins
    return out


def dmarc_changes(old: str, new: str) -> tuple[Change, ...]:
    """Tag by tag, what turns DMARC record `old` into `new` (whole values when one is not valid)."""
    before, after = _dmarc_tags(old), _dmarc_tags(new)
    if before is None or after is None:
        return () if old == new else (Change("removed", "value", old=old), Change("added", "value", new=new))
    eff_old, eff_new = _effective(before), _effective(after)
    out = []
    for name in dict.fromkeys([*before, *after]):
        if name == "v" or eff_old.get(name) == eff_new.get(name):
            continue
        if name not in before:
            out.append(Change("added", "dmarc-tag", new=f"{name}={after[name]}"))
        elif name not in after:
            out.append(Change("removed", "dmarc-tag", old=f"{name}={before[name]}"))
        else:
            out.append(Change("changed", "dmarc-tag", old=f"{name}={before[name]}", new=f"{name}={after[name]}"))
    return tuple(out)


def value_changes(rdtype: str, live: Iterable[str], after: Iterable[str]) -> tuple[Change, ...]:
    """What applying changes at one (name, type): live values -> values after apply.

    Values with the same meaning are no change. Where exactly one SPF (or DMARC) record goes
    and one comes, the change is told term by term (tag by tag); other values as a whole.
    """
    rdtype = rdtype.upper()
    live_list, after_list = sorted(set(live)), sorted(set(after))
    keys_after = value_keys(rdtype, after_list)
    keys_live = value_keys(rdtype, live_list)
    gone = [v for v in live_list if value_key(rdtype, v) not in keys_after]
    came = [v for v in after_list if value_key(rdtype, v) not in keys_live]
    out: list[Change] = []
    if rdtype in ("TXT", "SPF"):
        for test, compare in ((is_spf, spf_changes), (is_dmarc, dmarc_changes)):
            old = [v for v in gone if test(v)]
            new = [v for v in came if test(v)]
            if len(old) == 1 and len(new) == 1:
                out += compare(old[0], new[0])
                gone.remove(old[0])
                came.remove(new[0])
    out += [Change("removed", "value", old=v) for v in gone]
    out += [Change("added", "value", new=v) for v in came]
    return tuple(out)


# --------------------------------------------------------------------------- what the customer loses


@dataclass(frozen=True)
class SpfLoss:
    dropped: tuple[str, ...] = ()
    """Terms of the old record that authorised mail and no longer do."""
    widened: tuple[str, ...] = ()
    """How the new record lets more through: `-all -> +all`, a term after `all` made active."""


def spf_loss(old: str, new: str, ours: Callable[[str], bool]) -> SpfLoss:
    """What replacing SPF record `old` with `new` takes from the customer.

    Dropped: a mechanism that was evaluated and gave `pass` (or any modifier) that the new
    record does not have with `pass`; a `redirect=X` that became `include:X` is kept. `ours`
    says which include targets are SpotMe's own (moving or replacing them is no loss).
    Widened (RFC 7208 §4.6.2, §5.1): the final `all` now `+all`/`?all` where it was
    `-all`/`~all`; a term made more permissive (`-ip4:x` -> `ip4:x`); a term that stood after
    `all` (never evaluated) now evaluated.
    """
    before, after = _spf_terms(old), _spf_terms(new)
    if before is None or after is None:
        return SpfLoss()
    new_by = _by_identity(after)
    includes = {t.identity.split(":", 1)[1] for t in after if t.identity.startswith("include:") and t.qualifier == "+"}
    old_has_all = any(_is_all(t) for t in before)
    dropped: list[str] = []
    widened: list[str] = []
    for term in _by_identity(before).values():
        if term.identity.startswith("include:") and ours(term.identity.split(":", 1)[1]):
            continue
        other = new_by.get(term.identity)
        if _is_all(term):
            if other is not None and term.active and _QUALIFIER_STRENGTH[term.qualifier] >= 2 > _QUALIFIER_STRENGTH[other.qualifier]:
                widened.append(f"{term.text} -> {other.text}")
            continue
        if term.is_modifier:
            if term.identity == "redirect=" and (term.value in includes or old_has_all):
                continue  # became an include of the same domain, or was ignored beside `all` (§6.1)
            if other is None or other.value != term.value:
                dropped.append(term.text)
            continue
        if other is None or not other.active:
            if term.active and term.qualifier == "+":
                dropped.append(term.text)
            continue
        if not term.active:
            widened.append(f"{term.text} (after all, never evaluated) is now evaluated")
        elif term.qualifier == "+" and other.qualifier != "+":
            dropped.append(f"{term.text} (now {other.text})")
        elif _QUALIFIER_STRENGTH[other.qualifier] < _QUALIFIER_STRENGTH[term.qualifier]:
            widened.append(f"{term.text} -> {other.text}")
    old_by = _by_identity(before)
    for term in after:
        was = old_by.get(term.identity)
        if _passes_most_of_the_internet(term) and (was is None or not was.active or was.qualifier != "+"):
            widened.append(f"{term.text} lets {_huge_range(term)} pass: as good as +all")
    old_all = next((t for t in before if _is_all(t) and t.active), None)
    new_all = next((t for t in after if _is_all(t) and t.active), None)
    new_redirect = any(t.identity == "redirect=" for t in after)
    if old_all is not None and new_all is None and not new_redirect and _QUALIFIER_STRENGTH[old_all.qualifier] >= 2:
        widened.append(f"{old_all.text} -> no all (neutral, RFC 7208 §4.7)")
    return SpfLoss(tuple(dropped), tuple(widened))


#: The shortest prefixes of a pass that still names a sender rather than much of the internet
#: (some companies hold a whole IPv4 /8; nobody sends from a /7).
_SHORTEST_SENDER_PREFIX = {"ip4": 8, "ip6": 16}


def _passes_most_of_the_internet(term: _SpfTerm) -> bool:
    """An active `+ip4:`/`+ip6:` whose prefix is so short that it authorises a large part of
    the address space (`ip4:0.0.0.0/0`, `ip4:0.0.0.0/1`, `ip6:::/0`): in effect `+all`."""
    kind, _, network = term.identity.partition(":")
    if kind not in _SHORTEST_SENDER_PREFIX or not term.active or term.qualifier != "+" or "/" not in network:
        return False
    prefix = network.rsplit("/", 1)[1]
    return prefix.isdigit() and int(prefix) < _SHORTEST_SENDER_PREFIX[kind]


def _huge_range(term: _SpfTerm) -> str:
    kind, _, network = term.identity.partition(":")
    prefix = int(network.rsplit("/", 1)[1])
    share = 2.0 ** -prefix
    return f"{share:.0%} of all {'IPv4' if kind == 'ip4' else 'IPv6'} addresses" if share >= 0.01 else f"a /{prefix} of {kind} addresses"


@dataclass(frozen=True)
class DmarcLoss:
    weakened: tuple[str, ...] = ()
    """Policy tags made weaker: `p=reject -> p=none`, `sp=reject (from p) -> sp=none (from p)`."""
    reports_dropped: tuple[str, ...] = ()
    """Report destinations (`rua=`/`ruf=` URIs) the new record no longer names."""


def dmarc_loss(old: str, new: str) -> DmarcLoss:
    """What replacing DMARC record `old` with `new` takes from the customer.

    Weaker: `p`, `sp` or `np` (their effective values: `sp` defaults to `p`, `np` to `sp`,
    RFC 9989) lower on reject > quarantine > none; `pct` lower; `t=y` (testing) where it was
    not; `adkim`/`aspf` relaxed where strict. Reports: a `rua`/`ruf` URI left out.
    """
    before, after = _dmarc_tags(old, as_received=True), _dmarc_tags(new)
    if before is None or after is None:
        return DmarcLoss()
    eff_old, eff_new = _effective(before), _effective(after)

    def shown(tags: dict[str, str], name: str, value: str) -> str:
        return f"{name}={value}" if name in tags else f"{name}={value} (implied)"

    weakened = []
    said: set[str] = set()
    for tag, follows in (("p", ""), ("sp", "p"), ("np", "sp")):
        if tag not in before and tag not in after and follows in said:
            said.add(tag)  # implied on both sides: weaker only because the tag it follows is
            continue
        if weakens(eff_old[tag], eff_new[tag]) and POLICY_STRENGTH.get(eff_new[tag]) is not None:
            weakened.append(f"{shown(before, tag, eff_old[tag])} -> {shown(after, tag, eff_new[tag])}")
            said.add(tag)
    if eff_old["pct"].isdigit() and eff_new["pct"].isdigit() and int(eff_new["pct"]) < int(eff_old["pct"]):
        weakened.append(f"{shown(before, 'pct', eff_old['pct'])} -> {shown(after, 'pct', eff_new['pct'])}")
    if eff_old["t"] != "y" and eff_new["t"] == "y":
        weakened.append(f"{shown(before, 't', eff_old['t'])} -> t=y (testing: no policy applied)")
    for tag in ("adkim", "aspf"):
        if eff_old[tag] == "s" and eff_new[tag] != "s":
            weakened.append(f"{tag}=s -> {shown(after, tag, eff_new[tag])}")
    if before.get("psd", "u") != "y" and after.get("psd", "u") == "y":
        # RFC 9989 §4.10: a psd=y record is a public suffix's; the tree walk then no longer takes
        # it as the Organizational Domain's, so subdomains stop inheriting its policy.
        weakened.append("psd=y added: subdomains no longer inherit this record's policy (RFC 9989 §4.10)")
    dropped = []
    for tag in ("rua", "ruf"):
        # A changed size limit (`!10m`, RFC 7489 §6.2) still sends reports to the same address.
        kept = {_without_size(u) for u in after.get(tag, "").split(",") if u}
        dropped += [f"{tag}={uri}" for uri in before.get(tag, "").split(",") if uri and _without_size(uri) not in kept]
    return DmarcLoss(tuple(weakened), tuple(dropped))


def _without_size(uri: str) -> str:
    """A report URI without its `!size` limit (RFC 7489 §6.2)."""
    return uri.split("!", 1)[0]


def spf_is_only(value: str, ours: Callable[[str], bool]) -> bool:
    """Whether an SPF record authorises nothing but SpotMe's includes (then it is SpotMe's own)."""
    terms = _spf_terms(value)
    if terms is None:
        return False
    return all(
        _is_all(t) or (t.identity.startswith("include:") and ours(t.identity.split(":", 1)[1])) for t in terms if t.active
    )


_SPOTME = re.compile(r"(?:^|\.)spotme\.com$")


def spotme_include(domain: str, extra: str = "") -> bool:
    """Whether an include target is SpotMe's: `_spf.spotme.com`, any name under spotme.com, or `extra`."""
    domain = domain.lower().rstrip(".")
    return bool(_SPOTME.search(domain)) or (bool(extra) and domain == extra.lower().rstrip("."))
