"""SPF records (RFC 7208): parse, check the grammar, merge, count DNS-querying terms.

Pure functions over strings; following includes through DNS lives in `checks`/`dns_live`.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

VERSION = "v=spf1"

#: RFC 7208 §4.6.4: terms that cause DNS queries, limited to 10 per evaluation.
LOOKUP_MECHANISMS = frozenset({"include", "a", "mx", "ptr", "exists"})
LOOKUP_LIMIT = 10
#: RFC 7208 §4.6.4: "SPF implementations SHOULD limit "void lookups" to two."
VOID_LOOKUP_LIMIT = 2
#: RFC 7208 §3.4: keep name plus all TXT text under 450 octets so answers fit in UDP.
ADVISORY_SIZE = 450
#: RFC 1035 §3.3: one character-string holds at most 255 octets.
STRING_LIMIT = 255

MECHANISMS = ("all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists")
QUALIFIERS = "+-~?"

MODIFIERS = ("redirect", "exp")

# RFC 7208 §7.1 macro-string: literal characters %x21-24 / %x26-7E plus macro-expands.
# macro-expand = ( "%{" macro-letter transformers *delimiter "}" ) / "%%" / "%_" / "%-"
# transformers = *DIGIT [ "r" ]; "If a DIGIT is specified, the value MUST be nonzero" (§7.3).
_MACRO_EXPAND = re.compile(r"%\{([slodiphcrtvSLODIPHCRTV])(?![0]+(?![0-9]))[0-9]*[rR]?[-.+,/_=]*\}|%%|%_|%-")
_MACRO_LITERAL = re.compile(r"[\x21-\x24\x26-\x7e]")
#: RFC 7208 §7.3: `c`, `r` and `t` are only allowed in the explanation text that `exp=` points
#: at, never in a record's terms.
_EXP_ONLY_LETTERS = frozenset("crtCRT")
_MODIFIER = re.compile(r"([A-Za-z][A-Za-z0-9\-_.]*)=(.*)$", re.S)
# RFC 7208 §7.1: toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
_TOPLABEL = re.compile(r"(?:[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9-]*[A-Za-z0-9])\.?$")
# RFC 7208 §5.6: ip4-cidr-length = "/" ("0" / %x31-39 0*1DIGIT); ip6-cidr-length likewise 0*2DIGIT.
_IP4_CIDR = r"/(0|[1-9][0-9]?)"
_IP6_CIDR = r"/(0|[1-9][0-9]{0,2})"
# RFC 7208 §5.3/5.4: dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ], at the end.
_DUAL_CIDR_TAIL = re.compile(r"(?:/([0-9]*))?(?://([0-9]*))?$")


class SpfSyntaxError(ValueError):
    """The text is not a valid SPF record or term."""


@dataclass(frozen=True)
class Term:
    """One directive or modifier of an SPF record."""

    text: str
    """The term as written (qualifier included)."""
    qualifier: str
    """`+`, `-`, `~`, `?`, or `` for modifiers and an unwritten `+`."""
    name: str
    """Mechanism or modifier name, lower-case (`include`, `ip4`, `redirect`, ...)."""
    value: str
    """What follows `:` or `=`, or ``."""
    is_modifier: bool

    @property
    def queries_dns(self) -> bool:
        """Counts against the 10-lookup limit (RFC 7208 §4.6.4)."""
        return self.name in LOOKUP_MECHANISMS or (self.is_modifier and self.name == "redirect")

    @property
    def key(self) -> str:
        """Identity for de-duplication: the term without a `+` qualifier, lower-case."""
        text = self.text[1:] if self.text.startswith("+") else self.text
        return text.lower()

    @property
    def identity(self) -> str:
        """What the term matches, whatever its qualifier: `include:x` for `~include:X`."""
        if self.is_modifier:
            return f"{self.name}={self.value.lower().rstrip('.')}"
        body = (self.text[1:] if self.qualifier else self.text).lower()
        if self.name in ("include", "exists", "a", "mx", "ptr") and self.value:
            # A fully qualified name with its trailing dot is the same name (RFC 1034 §3.1).
            domain, slash, cidr = self.value.lower().partition("/")
            body = f"{self.name}:{domain.rstrip('.')}{slash}{cidr}"
        return body


def is_spf(text: str) -> bool:
    """RFC 7208 §4.5: a record is SPF when it starts with exactly `v=spf1` then a space or the end."""
    head = text[: len(VERSION)].lower()
    return head == VERSION and (len(text) == len(VERSION) or text[len(VERSION)] == " ")


def parse_term(text: str) -> Term:
    """Parse and check one SPF term; raise SpfSyntaxError saying what is wrong."""
    if not text:
        raise SpfSyntaxError("empty SPF term")
    if any(ch.isspace() for ch in text):
        raise SpfSyntaxError(f"SPF term {text!r} contains white space")
    if text.lower() == VERSION:
        raise SpfSyntaxError("a second 'v=spf1': a record has exactly one version term")
    match = _MODIFIER.match(text)
    if match:
        name, value = match.group(1), match.group(2)
        lowered = name.lower()
        if lowered in MODIFIERS:
            # RFC 7208 §6.1/§6.2: redirect = "redirect" "=" domain-spec; explanation = "exp" "=" domain-spec
            if not value:
                raise SpfSyntaxError(f"{lowered!r} needs a domain: {lowered}=<domain> (got {text!r})")
            _check_domain_spec(value, text)
        else:
            _check_macro_string(value, text)  # unknown-modifier = name "=" macro-string
        return Term(text, "", lowered, value, True)
    qualifier = text[0] if text[0] in QUALIFIERS else ""
    body = text[1:] if qualifier else text
    name, sep, value = _split_mechanism(body)
    lowered = name.lower()
    if lowered not in MECHANISMS:
        raise SpfSyntaxError(
            f"unknown SPF mechanism {name!r} in {text!r} (expected one of {', '.join(MECHANISMS)}, "
            "or a modifier name=value)"
        )
    _check_mechanism(lowered, sep, value, text)
    return Term(text, qualifier, lowered, value, False)


def _split_mechanism(body: str) -> tuple[str, str, str]:
    for i, ch in enumerate(body):
        if ch in ":/":
            return body[:i], ch, body[i + 1 :] if ch == ":" else body[i:]
    return body, "", ""


def _check_mechanism(name: str, sep: str, value: str, text: str) -> None:
    if name == "all":
        if sep:
            raise SpfSyntaxError(f"'all' takes no argument: {text!r}")
    elif name in ("include", "exists"):
        if sep != ":" or not value:
            raise SpfSyntaxError(f"{name!r} needs a domain: {name}:<domain> (got {text!r})")
        _check_domain_spec(value, text)
    elif name in ("a", "mx"):
        domain, cidr = _split_dual_cidr(value if sep else "", text)
        if sep == ":" and not domain:
            raise SpfSyntaxError(f"{name!r} with ':' needs a domain: {text!r}")
        if sep == "/" and domain:
            raise SpfSyntaxError(f"{name!r}: a domain follows ':', not '/' (got {text!r})")
        if domain:
            _check_domain_spec(domain, text)
        _check_dual_cidr(cidr, text)
    elif name == "ptr":
        if sep == "/":
            raise SpfSyntaxError(f"'ptr' takes no prefix length: {text!r}")
        if sep == ":":
            if not value:
                raise SpfSyntaxError(f"'ptr:' needs a domain: {text!r}")
            _check_domain_spec(value, text)
    elif name in ("ip4", "ip6"):
        if sep != ":" or not value:
            raise SpfSyntaxError(f"{name!r} needs an address: {name}:<address>[/<prefix>] (got {text!r})")
        _check_ip_network(name, value, text)


def _check_ip_network(name: str, value: str, text: str) -> None:
    """RFC 7208 §5.6: ip4-network [ ip4-cidr-length ] / ip6-network [ ip6-cidr-length ]."""
    address, slash, prefix = value.partition("/")
    cidr = _IP4_CIDR if name == "ip4" else _IP6_CIDR
    limit = 32 if name == "ip4" else 128
    if slash and (not re.fullmatch(cidr, "/" + prefix) or int(prefix) > limit):
        raise SpfSyntaxError(f"bad prefix length /{prefix} in {text!r} (expected 0-{limit}, no leading zeros)")
    try:
        if name == "ip4":
            # qnum "." qnum "." qnum "." qnum: four decimal numbers, no leading zeros (Python agrees).
            ipaddress.IPv4Address(address)
        else:
            if "%" in address:
                raise ValueError("a zone index is not part of an ip6-network")
            ipaddress.IPv6Address(address)
    except ValueError as err:
        raise SpfSyntaxError(f"bad {name} address in {text!r}: {err}") from None


def _split_dual_cidr(value: str, text: str) -> tuple[str, str]:
    """Split `domain-spec dual-cidr-length`: the prefix lengths are digits after the last slashes."""
    match = _DUAL_CIDR_TAIL.search(value)
    if match is None or match.start() == match.end():
        return value, ""
    return value[: match.start()], value[match.start() :]


def _check_dual_cidr(cidr: str, text: str) -> None:
    if not cidr:
        return
    match = re.fullmatch(f"(?:{_IP4_CIDR})?(?:/{_IP6_CIDR})?", cidr)
    if not match:
        raise SpfSyntaxError(
            f"bad prefix length {cidr!r} in {text!r} (expected /0-32 and/or //0-128, no leading zeros)"
        )
    v4, v6 = match.group(1), match.group(2)
    if v4 is not None and int(v4) > 32:
        raise SpfSyntaxError(f"IPv4 prefix length /{v4} out of range 0-32 in {text!r}")
    if v6 is not None and int(v6) > 128:
        raise SpfSyntaxError(f"IPv6 prefix length //{v6} out of range 0-128 in {text!r}")


def _check_macro_string(value: str, text: str) -> None:
    pos = 0
    while pos < len(value):
        if value[pos] == "%":
            match = _MACRO_EXPAND.match(value, pos)
            if not match:
                raise SpfSyntaxError(f"bad macro at {value[pos:pos + 6]!r} in {text!r}")
            if match.group(1) and match.group(1) in _EXP_ONLY_LETTERS:
                raise SpfSyntaxError(
                    f"macro %{{{match.group(1)}}} is only allowed in an explanation (RFC 7208 §7.3): {text!r}"
                )
            pos = match.end()
        elif _MACRO_LITERAL.match(value, pos):
            pos += 1
        else:
            raise SpfSyntaxError(f"character {value[pos]!r} not allowed in {text!r}")


def _check_domain_spec(value: str, text: str) -> None:
    """RFC 7208 §7.1: domain-spec = macro-string domain-end."""
    _check_macro_string(value, text)
    if value.endswith("}") and "%{" in value:
        return  # ends in a macro-expand: the domain is only known at evaluation time
    if "%{" not in value:
        _check_plain_domain(value, text)
        return
    # domain-end = ( "." toplabel [ "." ] ) / macro-expand
    head, dot, last = value.rstrip(".").rpartition(".")
    if not dot or not _TOPLABEL.fullmatch(last):
        raise SpfSyntaxError(f"{value!r} in {text!r} does not end in a domain name")


def _check_plain_domain(value: str, text: str) -> None:
    name = value.rstrip(".")
    labels = name.split(".")
    if len(labels) < 2 or any(not label for label in labels):
        raise SpfSyntaxError(f"{value!r} in {text!r} is not a fully qualified domain name")
    if len(name) > 253 or any(len(label) > 63 for label in labels):
        raise SpfSyntaxError(f"{value!r} in {text!r} is too long for a domain name")
    if not _TOPLABEL.fullmatch(labels[-1]):
        raise SpfSyntaxError(
            f"{value!r} in {text!r} does not end in a domain name (the last label {labels[-1]!r} must be "
            "letters and digits with inner hyphens, not all digits)"
        )


@dataclass(frozen=True)
class SpfRecord:
    """A parsed SPF record: the terms after `v=spf1`, in order."""

    terms: tuple[Term, ...]

    @property
    def all_term(self) -> Term | None:
        return next((t for t in self.terms if t.name == "all" and not t.is_modifier), None)

    @property
    def redirect(self) -> Term | None:
        return next((t for t in self.terms if t.is_modifier and t.name == "redirect"), None)

    @property
    def lookup_terms(self) -> tuple[Term, ...]:
        """Terms of this record alone that count against the 10-lookup limit, in order.

        Qualifiers do not matter (`~include:` queries DNS like `include:`). RFC 7208 §5.1:
        mechanisms after `all` are never evaluated, and a redirect is ignored when the record
        has an `all` mechanism, wherever it stands.
        """
        out: list[Term] = []
        has_all = self.all_term is not None
        after_all = False
        for term in self.terms:
            if term.is_modifier:
                if term.queries_dns and not has_all:
                    out.append(term)
            elif term.name == "all":
                after_all = True
            elif term.queries_dns and not after_all:
                out.append(term)
        return tuple(out)

    def text(self) -> str:
        return " ".join((VERSION, *(t.text for t in self.terms)))


def parse_spf(text: str) -> SpfRecord:
    """Parse a whole SPF record and check it against the RFC 7208 grammar."""
    if not is_spf(text):
        raise SpfSyntaxError(f"an SPF record starts with 'v=spf1' (got {text[:20]!r})")
    terms = tuple(parse_term(t) for t in text[len(VERSION) :].split(" ") if t)
    modifiers = [t.name for t in terms if t.is_modifier]
    for name in ("redirect", "exp"):
        if modifiers.count(name) > 1:
            raise SpfSyntaxError(f"'{name}=' appears more than once (RFC 7208 §6)")
    return SpfRecord(terms)


def merge_terms(keep: tuple[str, ...] | list[str], include: tuple[str, ...] | list[str], all_term: str) -> str:
    """The merged record: kept mechanisms in order, then the includes, then `all`, then kept
    modifiers; exactly one `v=spf1`.

    A kept `all` is dropped (the one `all` comes last), and so is a kept term naming one of the
    includes, whatever its qualifier (the include itself is a pass). A mechanism repeated with the same
    target is dropped whatever its qualifier: evaluation stops at the first match (RFC 7208
    §4.6.2), so a repeat can never change the result and would only cost a DNS lookup.
    Modifiers go last (RFC 7208 §6: they "SHOULD appear at the end, after all mechanisms").
    Raises SpfSyntaxError for a bad term or an `all_term` that is not an `all` mechanism.
    """
    final = parse_term(all_term)
    if final.is_modifier or final.name != "all":
        raise SpfSyntaxError(f"the last term must be an 'all' mechanism (got {all_term!r})")
    required = [parse_term(f"include:{d}") for d in include]
    # A kept term naming a required include is replaced by it: `~include:_spf.spotme.com` kept
    # first would turn SpotMe's pass into a softfail.
    replaced = {t.identity for t in required}
    seen: set[str] = set()
    mechanisms: list[str] = []
    modifiers: list[str] = []
    kept = [t for t in (parse_term(text) for text in keep) if t.identity not in replaced]
    for term in [*kept, *required]:
        if term.name == "all" and not term.is_modifier:
            continue
        if term.identity in seen:
            continue
        seen.add(term.identity)
        (modifiers if term.is_modifier else mechanisms).append(term.text)
    return " ".join((VERSION, *mechanisms, final.text, *modifiers))
