"""DMARC policy records (RFC 7489, with the RFC 9989 tags accepted): parse, check, build.

Pure functions over strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

VERSION = "DMARC1"
POLICIES = ("none", "quarantine", "reject")
#: Stronger policies protect more; weakening an existing policy needs the user's consent.
POLICY_STRENGTH = {p: i for i, p in enumerate(POLICIES)}

_POLICY_TAGS = {"p", "sp", "np"}
_FO_VALUES = {"0", "1", "d", "s"}
#: A host name in a mailto: URI: two or more letter-digit-hyphen labels, ending in a letter label.
_HOST = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?")
#: RFC 7489 §6.3 tags plus RFC 9989's np, psd and t. pct, rf and ri are historic in RFC 9989
#: but still valid RFC 7489 syntax, so they are accepted.
KNOWN_TAGS = ("v", "p", "sp", "np", "rua", "ruf", "adkim", "aspf", "pct", "fo", "rf", "ri", "t", "psd")
#: Tags RFC 9989 removed (IANA status "historic"): a receiver ignores them like any unknown
#: tag, so whatever their value they are no error in a record (`DmarcRecord.historic` names them).
HISTORIC_TAGS = frozenset({"pct", "rf", "ri"})

# RFC 9989 / RFC 7489 §6.4 ABNF, which the parser below follows piece by piece:
#   dmarc-record  = dmarc-version *(dmarc-sep dmarc-tag) [dmarc-sep] *WSP
#   dmarc-version = "v" *WSP "=" *WSP %s"DMARC1"      ; "v" is any case, DMARC1 is exact
#   dmarc-sep     = *WSP ";" *WSP
#   dmarc-tag     = 1*ALPHA *WSP "=" *WSP 1*dmarc-value
#   dmarc-value   = %x20-3A / %x3C-7E                 ; printable ASCII but ";"
# WSP is a space or a horizontal tab only (RFC 5234); quoted ABNF strings (tag names and
# the keyword values none/quarantine/reject, r/s, y/n, ...) match in any case.
_WSP = " \t"
_VERSION_TAG = re.compile(r"[vV][ \t]*=[ \t]*DMARC1(?=[ \t;]|$)")
_TAG = re.compile(r"([A-Za-z]+)[ \t]*=[ \t]*(.*)", re.S)
#: dmarc-value plus HTAB: the tag-specific rules (7489 §6.4 dmarc-urilist, dmarc-fo) allow
#: *WSP around "," and ":", so a tab inside a value is judged by the tag's own check.
_VALUE_CHARS = re.compile(r"[\t\x20-\x3a\x3c-\x7e]+")


#: RFC 3986 §2: what a URI is made of (unreserved, reserved, or a percent-encoded octet).
_URI_CHARS = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+")


class DmarcSyntaxError(ValueError):
    """The text is not a valid DMARC record; `problems` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class DmarcRecord:
    """A parsed DMARC record: its tags in order, names lower-case."""

    tags: tuple[tuple[str, str], ...]

    def get(self, name: str, default: str | None = None) -> str | None:
        return next((v for k, v in self.tags if k == name), default)

    @property
    def policy(self) -> str:
        """The effective `p` (RFC 9989: a valid record without `p` is treated as `p=none`)."""
        return (self.get("p") or "none").lower()

    @property
    def historic(self) -> tuple[str, ...]:
        """Tags of the record that RFC 9989 removed (`pct`, `rf`, `ri`): receivers ignore them."""
        return tuple(name for name, _ in self.tags if name in HISTORIC_TAGS)

    def uris(self, tag: str) -> tuple[str, ...]:
        value = self.get(tag)
        return tuple(u.strip(_WSP) for u in value.split(",") if u.strip(_WSP)) if value else ()


def is_dmarc(text: str) -> bool:
    """A TXT value that is a DMARC record: it starts with the `v=DMARC1` tag (RFC 9989: a
    record that does not is not DMARC; `v` in any case, `DMARC1` exactly, then a space, a
    tab, `;` or the end)."""
    return _VERSION_TAG.match(text) is not None


def parse_dmarc(text: str) -> DmarcRecord:
    """Parse and check a DMARC record against the ABNF above; raise DmarcSyntaxError listing
    every problem. Unknown tags are kept (receivers ignore them); the historic `pct`, `rf`
    and `ri` are kept unchecked."""
    problems: list[str] = []
    tags: list[tuple[str, str]] = []
    head, *rest = text.split(";")  # dmarc-value excludes ";", so ";" always separates
    version = _VERSION_TAG.match(head)
    if version is None or head[version.end() :].strip(_WSP):
        if re.match(r"[ \t]*v[ \t]*=", head, re.I):
            problems.append(f"v must be exactly DMARC1 (got {head.partition('=')[2].strip()!r})")
        else:
            problems.append("the first tag must be v=DMARC1")
    else:
        tags.append(("v", VERSION))
    if rest and not rest[-1].strip(_WSP):
        rest.pop()  # one trailing dmarc-sep (and WSP) is allowed
    for part in rest:
        part = part.strip(_WSP)
        if not part:
            problems.append("empty tag (two ';' in a row)")
            continue
        match = _TAG.fullmatch(part)
        if match is None:
            problems.append(f"{part!r} is not a tag=value pair (tag names are letters)")
            continue
        name, value = match.group(1).lower(), match.group(2).rstrip(_WSP)
        if not value:
            problems.append(f"tag {name!r} has no value")
            continue
        if not _VALUE_CHARS.fullmatch(value):
            bad = next(ch for ch in value if not _VALUE_CHARS.fullmatch(ch))
            problems.append(f"tag {name!r}: character {bad!r} is not allowed (printable ASCII only)")
            continue
        if any(name == seen for seen, _ in tags):
            problems.append(f"tag {name!r} appears more than once")
            continue
        tags.append((name, value))
    for name, value in tags[1:]:
        problem = None if name in HISTORIC_TAGS else check_tag(name, value)
        if problem:
            problems.append(problem)
    if problems:
        raise DmarcSyntaxError(problems)
    return DmarcRecord(tuple(tags))


def receiver_policy(text: str) -> str | None:
    """The `p` a receiver applies for this record, or None when it is no DMARC record.

    RFC 9989: syntax errors after `v` are discarded in favour of defaults, and a record
    without a valid `p` is treated as `p=none`; so `v=DMARC1; p=reject; fo:1` still rejects.
    """
    if not is_dmarc(text):
        return None
    for part in text.split(";")[1:]:
        match = _TAG.fullmatch(part.strip(_WSP))
        if match is not None and match.group(1).lower() == "p":
            value = match.group(2).strip(_WSP).lower()
            return value if value in POLICIES else "none"
    return "none"


def check_tag(name: str, value: str) -> str | None:
    """One tag's value against RFC 7489 §6.3 / RFC 9989; None when fine, else the reason."""
    if name in _POLICY_TAGS:
        if value.lower() not in POLICIES:
            return f"{name}={value!r}: expected one of {', '.join(POLICIES)}"
    elif name in ("adkim", "aspf"):
        if value.lower() not in ("r", "s"):
            return f"{name}={value!r}: expected r (relaxed) or s (strict)"
    elif name == "pct":
        if not value.isdigit() or int(value) > 100:
            return f"pct={value!r}: expected a whole number from 0 to 100"
    elif name == "ri":
        if not value.isdigit() or int(value) > 0xFFFFFFFF:
            return f"ri={value!r}: expected a number of seconds"
    elif name == "fo":
        options = value.split(":")  # ( "0" / "1" / "d" / "s" ) *(*WSP ":" *WSP ( ... ))
        if not value or any(o.strip().lower() not in _FO_VALUES for o in options):
            return f"fo={value!r}: expected a ':'-separated list of 0, 1, d, s"
    elif name == "rf":
        if any(f.strip().lower() != "afrf" for f in value.split(":")):
            return f"rf={value!r}: the only report format is afrf"
    elif name == "t":
        if value.lower() not in ("y", "n"):
            return f"t={value!r}: expected y or n"
    elif name == "psd":
        if value.lower() not in ("y", "n", "u"):
            return f"psd={value!r}: expected y, n or u"
    elif name in ("rua", "ruf"):
        uris = [u.strip(_WSP) for u in value.split(",")]  # dmarc-uri *(*WSP "," *WSP dmarc-uri)
        for uri in uris:
            problem = check_uri(uri)
            if problem:
                return f"{name}: {problem}"
    return None


def check_uri(uri: str) -> str | None:
    """A DMARC report URI (RFC 7489 §6.2): a URI, `mailto:` with an address; optional `!size`."""
    if not uri:
        return "empty report URI"
    size = re.search(r"!([0-9]+)[kmgt]?$", uri, flags=re.I)
    if size is not None and int(size.group(1)) >= 2**64:
        return f"{uri!r}: the size limit must fit in an unsigned 64-bit number"  # RFC 7489 §6.4
    base = uri[: size.start()] if size is not None else uri
    if any(ch in base for ch in " ;,!"):
        return f"{uri!r} is not a valid report URI"
    parts = urlsplit(base)
    if not parts.scheme:
        return f"{uri!r} has no scheme (expected mailto:address)"
    if not base.isascii() or any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in base):
        return f"{uri!r} is not a valid report URI (URIs are ASCII; percent-encode other characters)"
    if not _URI_CHARS.fullmatch(base):
        return f"{uri!r} is not a valid report URI (RFC 3986: a character outside a URI, or '%' without two hex digits)"
    if parts.scheme.lower() == "mailto":
        address = parts.path
        local, at, host = address.rpartition("@")
        if not at or not local or not _HOST.fullmatch(host):
            return f"{uri!r}: expected mailto:user@domain"
    return None


def report_host(uri: str) -> str | None:
    """The destination host of a mailto report URI (for RFC 7489 §7.1 authorisation)."""
    base = re.sub(r"![0-9]+[kmgt]?$", "", uri, flags=re.I)
    parts = urlsplit(base)
    if parts.scheme.lower() != "mailto" or "@" not in parts.path:
        return None
    return parts.path.rpartition("@")[2].lower().rstrip(".")


def build_dmarc(policy: str, tags: list[tuple[str, str]] | tuple[tuple[str, str], ...] = ()) -> str:
    """The record text: `v=DMARC1; p=<policy>;` then the other tags in the order given."""
    parts = [f"v={VERSION}", f"p={policy}", *(f"{k}={v}" for k, v in tags)]
    return "; ".join(parts) + ";"


def weakens(old: str, new: str) -> bool:
    """True when policy `new` is weaker than `old` (reject > quarantine > none)."""
    return POLICY_STRENGTH.get(new.lower(), 0) < POLICY_STRENGTH.get(old.lower(), 0)


def stricter(a: str, b: str) -> str:
    """The stronger of two policies (reject > quarantine > none)."""
    return a if POLICY_STRENGTH.get(a.lower(), 0) >= POLICY_STRENGTH.get(b.lower(), 0) else b


def effective(record: DmarcRecord, tag: str) -> str:
    """What a policy tag means when absent: `sp` falls back to `p`, `np` to `sp` then `p`
    (RFC 7489 §6.3, RFC 9989 §4.7)."""
    order = {"p": ("p",), "sp": ("sp", "p"), "np": ("np", "sp", "p")}[tag]
    return next(((record.get(t) or "").lower() for t in order if record.get(t)), "none")


def same_meaning(a: str, b: str) -> bool:
    """Two DMARC texts that say the same: tag order after v, spacing, a trailing ';' and
    the case of keyword values aside (report URIs compared as written)."""
    try:
        left, right = parse_dmarc(a), parse_dmarc(b)
    except DmarcSyntaxError:
        return a == b
    return _meaning(left) == _meaning(right)


def _meaning(record: DmarcRecord) -> dict[str, str]:
    return {k: v.strip() if k in ("rua", "ruf") else v.strip().lower() for k, v in record.tags}


# --------------------------------------------------------------------------- the DNS tree walk

#: RFC 9989 §4.10: no walk asks more than eight names (the Author Domain, then at most seven).
TREE_WALK_LIMIT = 8


def tree_walk_names(domain: str) -> tuple[str, ...]:
    """The names above `domain` whose `_dmarc` TXT the RFC 9989 §4.10 DNS Tree Walk asks, nearest first.

    A domain of more than eight labels is first shortened to seven (step 4), so the walk
    asks at most eight names in all. The single-label name (the top-level domain) is left
    out: a record there is a Public Suffix Domain's (`psd=y`), a default for owners who
    publish nothing, which a domain owner's own record rightly overrides (RFC 9989 §4.10.1,
    "PSD policy is not used for Organizational Domains that have published a DMARC Policy
    Record").
    """
    labels = domain.rstrip(".").lower().split(".")
    start = min(len(labels) - 1, TREE_WALK_LIMIT - 1)
    return tuple(".".join(labels[-k:]) for k in range(start, 1, -1))


@dataclass(frozen=True)
class ParentPolicy:
    """The policy a subdomain would inherit from its Organizational Domain's record."""

    domain: str
    """Where the record is (the Organizational Domain)."""
    record: str
    tag: str
    """`sp` when the record has one, else `p` (RFC 9989 §4.10.1: an existing subdomain)."""
    policy: str

    def describe(self) -> str:
        return f"_dmarc.{self.domain} ({self.tag}={self.policy})"


@dataclass(frozen=True)
class TreeWalk:
    """What the walk above a domain found."""

    parent: ParentPolicy | None
    unread: tuple[str, ...] = ()
    """`_dmarc` names that could not be read (a server failed): a stricter policy there is unknown."""


def inherited_policy(domain: str, found: list[tuple[str, tuple[str, ...] | None]] | tuple[tuple[str, tuple[str, ...] | None], ...]) -> TreeWalk:
    """The Organizational Domain's policy for `domain` from the walk's answers (pure).

    `found` pairs each name of `tree_walk_names(domain)`, nearest first, with the TXT values
    at its `_dmarc` name (None: could not be read). RFC 9989 §4.10: records that are not
    DMARC are discarded, several DMARC records at one name are all discarded; a record with
    `psd=n` is the Organizational Domain, one with `psd=y` makes the name one label below it
    the Organizational Domain, otherwise the record with the fewest labels is. The policy a
    subdomain that exists takes from it is `sp`, else `p` (§4.10.1). `np` is left out: it
    governs names that do not exist, and a domain that publishes records exists.
    """
    valid: list[tuple[str, str, DmarcRecord]] = []
    unread: list[str] = []
    for name, values in found:
        if values is None:
            unread.append(f"_dmarc.{name}")
            continue
        texts = [v for v in values if is_dmarc(v)]
        if len(texts) != 1:
            continue
        try:
            record = parse_dmarc(texts[0])
        except DmarcSyntaxError:
            continue
        psd = (record.get("psd") or "").lower()
        if psd == "y":
            # A Public Suffix Domain: the Organizational Domain is the name one label below it.
            below = next((v for v in valid if v[0].count(".") == name.count(".") + 1), None)
            valid = [below] if below else []
            break
        valid.append((name, texts[0], record))
        if psd == "n":
            valid = [valid[-1]]
            break
    if not valid:
        return TreeWalk(None, tuple(unread))
    name, text, record = valid[-1]  # the fewest labels
    tag = "sp" if record.get("sp") else "p"
    policy = effective(record, "sp")
    if domain.rstrip(".").lower() == name:
        return TreeWalk(None, tuple(unread))
    return TreeWalk(ParentPolicy(name, text, tag, policy), tuple(unread))
