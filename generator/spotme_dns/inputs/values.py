"""Provider spellings of record values, undone into the one logical spelling of the model.

A TXT record's logical value is its character-strings joined with nothing between them
(RFC 7208 §3.3, RFC 1035 §3.3.14). Providers spell it differently:

- Route53 (`aws_route53_record.records`): the provider wraps each value in quotes before
  sending it (`"%s"`), so a value written `first\"\"second` reaches DNS as the two strings
  `"first" "second"`; Route53 also reads backslash escapes inside the quotes, `\\DDD` being
  a three-digit OCTAL code (AWS docs, TXT record type).
- Cloudflare (`content`): either plain text, or quoted character-strings
  (`"v=spf1 ..." "more"`), as the Cloudflare API now asks for; `\\DDD` is decimal (RFC 1035).
- hashicorp/dns (`dns_txt_record_set.txt`): zone-file text the provider puts inside quotes
  (`"%s"`), so `\\"` and `\\\\` are escapes and `\\DDD` is decimal (see `spotme_dns.rfc2136`).

The reading itself is `zonetext`'s, the one parser of character-strings.

CNAME targets are names: lower-case, no trailing dot.
"""

from __future__ import annotations

from .. import zonetext
from ..model import normalize_name
from ..zonetext import parse_character_strings, route53_strings, route53_txt

__all__ = ["canonical", "logical_value", "parse_character_strings", "quoted_txt", "route53_strings", "route53_txt"]


def quoted_txt(content: str) -> str:
    """The logical TXT value of Cloudflare `content`: quoted character-strings joined, else as is.

    The Cloudflare API asks for "quoted character strings (RFC 1035)", so `\\DDD` is decimal.
    """
    return zonetext.unquote_txt(content)


def logical_value(rdtype: str, value: str, *, txt_style: str = "plain") -> str:
    """One value in the model's spelling. `txt_style`: "route53", "quoted", "rfc2136" or "plain"."""
    if rdtype == "CNAME":
        return normalize_name(value)
    if rdtype in ("TXT", "SPF"):
        if txt_style == "route53":
            return route53_txt(value)
        if txt_style == "quoted":
            return quoted_txt(value)
        if txt_style == "rfc2136":
            strings = zonetext.character_strings(f'"{value}"')
            return value if strings is None else zonetext.joined(strings)
    return value


def canonical(rdtype: str, value: str) -> str:
    """The form two values are compared in: CNAME targets case-insensitively, TXT exactly."""
    if rdtype in ("CNAME", "NS", "PTR"):
        return normalize_name(value)
    return value
