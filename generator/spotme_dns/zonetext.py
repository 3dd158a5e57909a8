"""TXT values in presentation format (`"part one" "part two"`): the ONE reader of character-strings.

Route53 and the Cloudflare API hand TXT data back as quoted character-strings, and Terraform
configurations and plans hold them in the providers' spellings; spotme-dns works with the
logical value: the strings joined with nothing between (RFC 7208 §3.3, RFC 6376 §3.6.2.2).

Two spellings of the `\\DDD` escape exist, and mixing them up silently changes the published
octets:

- RFC 1035 §5.1 (zone files, BIND, the Cloudflare API's "quoted character strings (RFC 1035)"):
  three DECIMAL digits, `é` (UTF-8 C3 A9) is `\\195\\169`;
- Route 53 (API `Value`s and so the `records` of `aws_route53_record`, AWS docs "Supported DNS
  record types", TXT): a three-digit OCTAL code, `é` is `\\303\\251`. Pass `octal=True`.

Pure functions.
"""

from __future__ import annotations

from collections.abc import Sequence

_BLANK = " \t\r\n"


def character_strings(text: str, *, octal: bool = False) -> list[bytes] | None:
    """Split presentation text into character-strings (RFC 1035 §5.1), as octets; None when malformed.

    Quoted strings may hold white space; unquoted runs end at white space or a quote. Inside
    either, `\\X` stands for X and `\\DDD` for one octet: three decimal digits (at most 255), or
    with `octal=True` three octal digits (at most 377). A backslash followed by anything else
    (`\\9`, `\\4` of `\\477`) escapes just the next character. Adjacent quoted strings (`"a""b"`)
    are separate strings, as Route53 reads them. Malformed: an unterminated quote or a
    backslash at the very end.
    """
    base, digits_ok = (8, "01234567") if octal else (10, "0123456789")
    out: list[bytes] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] in _BLANK:
            i += 1
            continue
        quoted = text[i] == '"'
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
            if not quoted and (ch in _BLANK or ch == '"'):
                break
            if ch == "\\":
                if i + 1 >= n:
                    return None
                digits = text[i + 1 : i + 4]
                if len(digits) == 3 and all(d in digits_ok for d in digits) and int(digits, base) <= 0xFF:
                    buf.append(int(digits, base))
                    i += 4
                else:
                    buf.extend(text[i + 1].encode("utf-8"))
                    i += 2
                continue
            buf.extend(ch.encode("utf-8"))
            i += 1
        out.append(bytes(buf))
    return out


def decode(octets: bytes) -> str:
    """Octets as text: UTF-8, with invalid octets kept visible as `\\xNN` (never dropped)."""
    return octets.decode("utf-8", errors="backslashreplace")


def parse_character_strings(text: str, *, octal: bool = False) -> list[str] | None:
    """`character_strings`, each string decoded; None when malformed."""
    strings = character_strings(text, octal=octal)
    return None if strings is None else [decode(s) for s in strings]


def joined(strings: Sequence[bytes]) -> str:
    """The logical value of a TXT record's character-strings: joined first, then decoded, so a
    UTF-8 sequence cut between two strings comes out whole."""
    return decode(b"".join(strings))


def _all_quoted(text: str) -> bool:
    """Every token is a quoted string (so `"a" b` stays literal text)."""
    i, n = 0, len(text)
    while i < n:
        if text[i] in _BLANK:
            i += 1
            continue
        if text[i] != '"':
            return False
        i += 1
        while i < n and text[i] != '"':
            i += 2 if text[i] == "\\" else 1
        i += 1
    return True


def unquote_txt(value: str, *, octal: bool = False) -> str:
    """The logical value of one TXT record written as quoted strings (`"a" "b"` -> `ab`).

    `octal=True` for Route53's spelling of `\\DDD`, decimal (RFC 1035) otherwise. Text that is
    not made of quoted strings only (`v=spf1 -all`, `"a" b`) or is malformed is returned as it
    is: an API that stores the value unquoted.
    """
    stripped = value.strip(_BLANK)
    if not stripped.startswith('"') or not _all_quoted(stripped):
        return value
    strings = character_strings(stripped, octal=octal)
    return value if strings is None else joined(strings)


def route53_txt(value: str) -> str:
    """The logical TXT value of one `aws_route53_record` `records` entry (`a\\"\\"b` -> `ab`).

    The provider sends the entry as `"<value>"`, and Route 53 reads `\\DDD` as octal.
    """
    strings = character_strings(f'"{value}"', octal=True)
    return value if strings is None else joined(strings)


def route53_strings(value: str) -> tuple[str, ...]:
    """The character-strings Route 53 publishes for one `records` entry: one, unless it holds `\\"\\"`."""
    strings = parse_character_strings(f'"{value}"', octal=True)
    return (value,) if strings is None else tuple(strings)
