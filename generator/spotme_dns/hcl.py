"""Writing HCL (Terraform native syntax) by hand: string escaping and a tiny formatter.

The generated files must be byte-for-byte what `terraform fmt` would write, so this module
reproduces the two rules of hclwrite's formatter that matter for the shapes we emit:
two-space indentation per nesting level, and `=` aligned across a run of consecutive
single-line attributes (a blank line, a comment, a nested block or an attribute whose value
spans several lines ends the run). Everything else (which lists are inline, where blank lines
go) is our own choice and is fixed, so output is deterministic.

Only syntax understood by Terraform 1.0 is produced.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

INDENT = "  "

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")

#: Characters HCL needs escaped inside a quoted template string. `${` and `%{` start an
#: interpolation or a directive: doubling the sigil (`$${`, `%%{`) keeps them literal text
#: (HCL native syntax spec, "Template Literals").
_SIMPLE_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_NEEDS_ESCAPE = re.compile(r'[\\"\x00-\x1f\x7f]|[$%]\{')


def is_identifier(name: str) -> bool:
    """True when `name` is a valid HCL identifier (a block label, attribute or module name)."""
    return bool(_IDENTIFIER.match(name))


def is_nfc(text: str) -> bool:
    """True when Terraform keeps `text` unchanged.

    HCL normalises every string literal to Unicode NFC, escapes included, so a value that is
    not already NFC can not be written in Terraform at all: `é` spelled as `e` + U+0301 comes
    out as U+00E9. Callers refuse such values instead of publishing something else.
    """
    return text.isascii() or unicodedata.is_normalized("NFC", text)


def _escape_match(match: re.Match[str]) -> str:
    text = match.group(0)
    if text in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[text]
    if len(text) == 2:  # `${` or `%{`
        if "}" in match.string[match.end() :]:
            return text[0] + text
        # No `}` follows: python-hcl2 (8.x) can not lex `$${` / `%%{` left open, so the sigil is
        # written as its Unicode escape, which Terraform reads as the same literal text.
        return f"\\u{ord(text[0]):04x}{{"
    return f"\\u{ord(text):04x}"


def quote(text: str) -> str:
    """`text` as an HCL quoted string literal that evaluates to exactly `text`.

    Escapes `\\`, `"`, newlines, tabs and other control characters, and doubles the sigil of
    `${` and `%{` so they stay literal (`\\u0024{` / `\\u0025{` when no `}` follows). Other
    non-ASCII characters are written as they are (UTF-8), which keeps values readable.
    """
    if _NEEDS_ESCAPE.search(text) is None:
        return f'"{text}"'
    return '"' + _NEEDS_ESCAPE.sub(_escape_match, text) + '"'


_KEYS: dict[str, str] = {}


def key(name: str) -> str:
    """An object key or attribute name: bare when it is an identifier, else quoted."""
    found = _KEYS.get(name)
    if found is None:
        found = name if is_identifier(name) else quote(name)
        if len(_KEYS) < 4096:  # attribute names repeat; domain keys of big roots need not stay
            _KEYS[name] = found
    return found


# ---------------------------------------------------------------------------------------------
# A small document model: enough for resource, data, module, output, variable and terraform blocks.
# Immutable NamedTuples rather than frozen dataclasses: a root for 10,000 domains builds about a
# million of them, and tuple construction is several times cheaper.


class Raw(NamedTuple):
    """An expression written as it is (a reference such as `var.x`, a number, `true`)."""

    text: str


class ListExpr(NamedTuple):
    """A list (tuple) expression: inline when it has at most one item, else one item a line."""

    items: tuple[Expr, ...]


class ObjectExpr(NamedTuple):
    """An object expression `{ key = value ... }`, always written one attribute a line."""

    items: tuple[tuple[str, Expr], ...]


Expr = str | int | bool | Raw | ListExpr | ObjectExpr
"""A Python str is a string literal (quoted and escaped); int and bool are written bare."""


class Attribute(NamedTuple):
    """`name = value` inside a block or an object."""

    name: str
    value: Expr


class Comment(NamedTuple):
    """A `#` comment line (the text must be one line)."""

    text: str


class Blank(NamedTuple):
    """An empty line: also ends a run of aligned attributes."""


class Block(NamedTuple):
    """`type "label" ... { body }`."""

    type: str
    labels: tuple[str, ...] = ()
    body: tuple[Item, ...] = ()


Item = Attribute | Comment | Blank | Block

BLANK = Blank()


def expression(value: Expr, depth: int) -> list[str]:
    """The lines of an expression; the first line continues the line it starts on."""
    kind = type(value)
    if kind is str:
        return [quote(value)]  # type: ignore[arg-type]
    if kind is bool:
        return ["true" if value else "false"]
    if kind is int:
        return [str(value)]
    if kind is Raw:
        return [value.text]  # type: ignore[union-attr]
    if kind is ListExpr:
        items = value.items  # type: ignore[union-attr]
        if not items:
            return ["[]"]
        if len(items) == 1:
            only = expression(items[0], depth + 1)
            if len(only) == 1:
                return [f"[{only[0]}]"]
        inner = INDENT * (depth + 1)
        lines = ["["]
        for item in items:
            if type(item) is str:
                lines.append(f"{inner}{quote(item)},")  # type: ignore[arg-type]
                continue
            item_lines = expression(item, depth + 1)
            lines.append(inner + item_lines[0])
            lines.extend(item_lines[1:])
            lines[-1] += ","
        lines.append(INDENT * depth + "]")
        return lines
    if kind is ObjectExpr:
        return ["{", *body_lines(value.items, depth + 1), INDENT * depth + "}"]  # type: ignore[union-attr]
    if isinstance(value, str):  # str subclasses (enums)
        return [quote(value)]
    raise TypeError(f"not an HCL expression: {value!r}")


def body_lines(items: tuple[Item, ...] | list[Item] | tuple[tuple[str, Expr], ...], depth: int) -> list[str]:
    """The lines of a block or object body at nesting `depth`, aligned the way terraform fmt does.

    `items` are body items, or (name, value) pairs of an object.
    """
    indent = INDENT * depth
    lines: list[str] = []
    run: list[tuple[str, str]] = []  # (name, single-line value) waiting to be aligned

    def flush() -> None:
        width = max([len(name) for name, _ in run])
        lines.extend([f"{indent}{name.ljust(width)} = {value}" for name, value in run])
        run.clear()

    for item in items:
        kind = type(item)
        if kind is Attribute or kind is tuple:
            name = key(item[0])  # type: ignore[index]
            value = expression(item[1], depth)  # type: ignore[index]
            if len(value) == 1:
                run.append((name, value[0]))
                continue
            # A value spanning lines is not aligned and ends the run (hclwrite counts its
            # unclosed bracket on the first line and leaves the `=` where it is).
            if run:
                flush()
            lines.append(f"{indent}{name} = {value[0]}")
            lines.extend(value[1:])
            continue
        if run:
            flush()
        if kind is Comment:
            lines.append(f"{indent}# {item.text}".rstrip())  # type: ignore[union-attr]
        elif kind is Blank:
            lines.append("")
        elif kind is Block:
            lines.extend(block_lines(item, depth))  # type: ignore[arg-type]
        else:
            raise TypeError(f"not an HCL body item: {item!r}")
    if run:
        flush()
    return lines


def block_lines(block: Block, depth: int = 0) -> list[str]:
    """The lines of one block; an empty body is written `{}` on the header line."""
    indent = INDENT * depth
    header = " ".join([block.type, *(quote(label) for label in block.labels)])
    if not block.body:
        return [f"{indent}{header} {{}}"]
    return [f"{indent}{header} {{", *body_lines(block.body, depth + 1), f"{indent}}}"]


def comment_lines(text: str) -> list[str]:
    """A comment paragraph: every line of `text` prefixed with `# `."""
    return [f"# {line}".rstrip() for line in text.splitlines()]


def document(items: list[Item] | tuple[Item, ...], *, header: str = "") -> str:
    """A whole .tf file: header comment, then top-level items separated as given, one final newline."""
    lines = comment_lines(header) if header else []
    if lines and items:
        lines.append("")
    lines.extend(body_lines(tuple(items), 0))
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"
