"""TXT values in presentation format (`"part one" "part two"`), as APIs return them.

Route53 and the Cloudflare API hand TXT data back as quoted character-strings; spotme-dns
works with the logical value: the strings joined with nothing between (RFC 7208 §3.3,
RFC 6376 §3.6.2.2). Pure functions.
"""

from __future__ import annotations


def unquote_txt(value: str, *, octal: bool = False) -> str:
    """The logical value of one TXT record written as quoted strings.

    Escapes: `\\"` and `\\\\` stand for themselves; `\\DDD` is one octet, a decimal number by
    RFC 1035 §5.1, an octal one in Route53's spelling (`octal=True`). Text that does not start
    with a quote is returned as it is (an API that stores the value unquoted).
    """
    text = value.strip()
    if not text.startswith('"'):
        return value
    strings: list[bytes] = []
    current = bytearray()
    inside = False
    raw = text.encode("utf-8")
    digits_ok = set(b"01234567") if octal else set(b"0123456789")
    i = 0
    while i < len(raw):
        ch = raw[i]
        if not inside:
            if ch == ord('"'):
                inside = True
                current = bytearray()
            i += 1  # white space between strings
            continue
        if ch == ord("\\") and i + 1 < len(raw):
            digits = raw[i + 1 : i + 4]
            if len(digits) == 3 and all(d in digits_ok for d in digits):
                current.append(int(digits.decode("ascii"), 8 if octal else 10) & 0xFF)
                i += 4
            else:
                current.append(raw[i + 1])
                i += 2
            continue
        if ch == ord('"'):
            strings.append(bytes(current))
            inside = False
        else:
            current.append(ch)
        i += 1
    if inside:  # an unterminated string: keep what was read
        strings.append(bytes(current))
    return b"".join(strings).decode("utf-8", errors="backslashreplace")
