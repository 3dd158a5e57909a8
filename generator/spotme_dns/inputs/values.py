"""Provider spellings of record values, undone into the one logical spelling of the model.

A TXT record's logical value is its character-strings joined with nothing between them
(RFC 7208 §3.3, RFC 1035 §3.3.14). Providers spell it differently:

- Route53 (`aws_route53_record.records`): the provider wraps each value in quotes before
  sending it (`"%s"`), so a value written `first\"\"second` reaches DNS as the two strings
  `"first" "second"`; Route53 also reads backslash escapes inside the quotes.
- Cloudflare (`content`): either plain text, or quoted character-strings
  (`"v=spf1 ..." "more"`), as the Cloudflare API now asks for.

CNAME targets are names: lower-case, no trailing dot.
"""

from __future__ import annotations

from ..model import normalize_name


def parse_character_strings(text: str) -> list[str] | None:
    """Split master-file text into character-strings (RFC 1035 §5.1); None when malformed.

    Quoted strings may hold spaces and the escapes `\\X` and `\\DDD`; unquoted runs end at
    white space. Adjacent quoted strings (`"a""b"`) are separate strings, as Route53 reads them.
    """
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in " \t":
            i += 1
            continue
        quoted = ch == '"'
        if quoted:
            i += 1
        buf = bytearray()
        while True:
            if i >= n:
                if quoted:
                    return None  # unterminated quote
                break
            ch = text[i]
            if quoted and ch == '"':
                i += 1
                break
            if not quoted and ch in ' \t"':
                break
            if ch == "\\":
                if i + 1 >= n:
                    return None
                digits = text[i + 1 : i + 4]
                if len(digits) == 3 and digits.isdigit() and int(digits) <= 255:
                    buf.append(int(digits))
                    i += 4
                else:
                    buf.extend(text[i + 1].encode("utf-8"))
                    i += 2
                continue
            buf.extend(ch.encode("utf-8"))
            i += 1
        out.append(buf.decode("utf-8", errors="backslashreplace"))
    return out


def route53_txt(value: str) -> str:
    """The logical TXT value of one Route53 `records` entry (`a\\"\\"b` -> `ab`)."""
    strings = parse_character_strings(f'"{value}"')
    return value if strings is None else "".join(strings)


def route53_strings(value: str) -> tuple[str, ...]:
    """The character-strings Route53 publishes for one `records` entry: one, unless it holds `\"\"`."""
    strings = parse_character_strings(f'"{value}"')
    return (value,) if strings is None else tuple(strings)


def quoted_txt(content: str) -> str:
    """The logical TXT value of Cloudflare `content`: quoted character-strings joined, else as is."""
    stripped = content.strip()
    if not stripped.startswith('"') or not stripped.endswith('"'):
        return content
    strings = parse_character_strings(stripped)
    if strings is None or not _all_quoted(stripped):
        return content
    return "".join(strings)


def _all_quoted(text: str) -> bool:
    """Every token is a quoted string (so `"a" b` stays literal text)."""
    i, n = 0, len(text)
    while i < n:
        if text[i] in " \t":
            i += 1
            continue
        if text[i] != '"':
            return False
        i += 1
        while i < n and text[i] != '"':
            i += 2 if text[i] == "\\" else 1
        i += 1
    return True


def logical_value(rdtype: str, value: str, *, txt_style: str = "plain") -> str:
    """One value in the model's spelling. `txt_style`: "route53", "quoted" or "plain"."""
    if rdtype == "CNAME":
        return normalize_name(value)
    if rdtype in ("TXT", "SPF"):
        if txt_style == "route53":
            return route53_txt(value)
        if txt_style == "quoted":
            return quoted_txt(value)
    return value


def canonical(rdtype: str, value: str) -> str:
    """The form two values are compared in: CNAME targets case-insensitively, TXT exactly."""
    if rdtype in ("CNAME", "NS", "PTR"):
        return normalize_name(value)
    return value
