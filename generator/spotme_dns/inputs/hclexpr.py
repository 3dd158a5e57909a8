"""A small evaluator for the HCL expressions python-hcl2 hands back as text.

`--tf` reads Terraform without running it, so only what is knowable from the text is
evaluated: literals, `var.x` (module inputs and defaults, tfvars), `local.y`, `each.key`,
`each.value`, `count.index`, string templates made of those, list/object constructors,
indexing, number arithmetic, and a few pure functions (`toset`, `tolist`, `lower`, `upper`, `trimspace`,
`trimprefix`, `trimsuffix`, `join`, `concat`, `distinct`, `format` with `%s`).
Everything else (comparisons, conditionals, `for`, other functions, resource attributes)
evaluates to `Unknown`: never guessed.

A reference to a zone's id (`data.aws_route53_zone.x.zone_id`) evaluates to an `Unknown`
that remembers the zone's name, so records can be placed in their zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Unknown:
    """A value that cannot be known from the configuration text alone."""

    zone: str | None = None
    """For a zone id reference: the name of the zone it identifies, when known."""


UNKNOWN = Unknown()


class Scope(Protocol):
    """What an expression can refer to."""

    def var(self, name: str) -> Any: ...
    def local(self, name: str) -> Any: ...
    def each(self, attribute: str) -> Any: ...
    def count_index(self) -> Any: ...
    def block_attribute(self, mode: str, kind: str, name: str, attribute: str) -> Any: ...


def contains_unknown(value: Any) -> bool:
    if isinstance(value, Unknown):
        return True
    if isinstance(value, list):
        return any(contains_unknown(v) for v in value)
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    return False


def evaluate(raw: Any, scope: Scope) -> Any:
    """Evaluate one attribute as python-hcl2 returns it (serialised with quotes kept)."""
    if raw is None or isinstance(raw, (bool, int, float)):
        return raw
    if isinstance(raw, list):
        return [evaluate(item, scope) for item in raw]
    if isinstance(raw, dict):
        return {unquote_label(k): evaluate(v, scope) for k, v in raw.items() if k != "__is_block__"}
    if isinstance(raw, str):
        if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
            return _Parser(raw, scope).whole()
        if raw.startswith("${") and raw.endswith("}"):
            return _Parser(raw[2:-1], scope).whole()
        return _Parser(raw, scope).whole()
    return UNKNOWN


def unquote_label(label: str) -> str:
    """Block labels and object keys come back quoted (`"\\"name\\""`): take the text."""
    if len(label) >= 2 and label.startswith('"') and label.endswith('"'):
        return _decode_escapes(label[1:-1])
    return label


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def _decode_escapes(text: str) -> str:
    """HCL string escapes (`\\n`, `\\"`, `\\uNNNN`, `\\UNNNNNNNN`) and `$${` / `%%{`."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                i += 2
                continue
            if nxt in "uU":
                width = 4 if nxt == "u" else 8
                digits = text[i + 2 : i + 2 + width]
                if len(digits) == width and all(c in "0123456789abcdefABCDEF" for c in digits):
                    out.append(chr(int(digits, 16)))
                    i += 2 + width
                    continue
        if text.startswith("$${", i) or text.startswith("%%{", i):
            out.append(text[i + 1 : i + 3])
            i += 3
            continue
        out.append(ch)
        i += 1
    return "".join(out)


# --------------------------------------------------------------------------- tokens

_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_PUNCT = set(".,[](){}=:")
_CLOSERS = {"(": ")", "[": "]", "{": "}"}


@dataclass(frozen=True)
class _Tok:
    kind: str
    """`str`, `num`, `ident`, `punct`, `op`."""
    text: str


def _scan_template(text: str, start: int) -> int:
    """Index just after the string starting at `text[start] == '"'` (interpolations nested)."""
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if text.startswith("$${", i) or text.startswith("%%{", i):
            i += 3
            continue
        if text.startswith("${", i) or text.startswith("%{", i):
            i = _scan_braces(text, i + 1)
            continue
        if ch == '"':
            return i + 1
        i += 1
    raise ValueError("unterminated string")


def _scan_braces(text: str, start: int) -> int:
    """Index just after the `}` matching `text[start] == '{'`."""
    depth = 0
    i = start
    while i < len(text):
        ch = text[i]
        if ch == '"':
            i = _scan_template(text, i)
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError("unbalanced braces")


def _tokenize(text: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch == '"':
            end = _scan_template(text, i)
            tokens.append(_Tok("str", text[i:end]))
            i = end
            continue
        if text.startswith("<<", i):
            raise ValueError("heredoc inside an expression")
        m = _NUMBER.match(text, i)
        if m:
            tokens.append(_Tok("num", m.group()))
            i = m.end()
            continue
        m = _IDENT.match(text, i)
        if m:
            tokens.append(_Tok("ident", m.group()))
            i = m.end()
            continue
        if ch in _PUNCT:
            if text.startswith("=>", i) or text.startswith("==", i):
                tokens.append(_Tok("op", text[i : i + 2]))
                i += 2
                continue
            tokens.append(_Tok("punct", ch))
            i += 1
            continue
        tokens.append(_Tok("op", ch))
        i += 1
    return tokens


# --------------------------------------------------------------------------- the parser


class _Parser:
    """Recursive descent over the supported subset; anything else becomes Unknown."""

    def __init__(self, text: str, scope: Scope) -> None:
        self.scope = scope
        try:
            self.tokens = _tokenize(text)
        except ValueError:
            self.tokens = [_Tok("op", "?")]
        self.pos = 0

    def whole(self) -> Any:
        value = self.expr()
        if self.pos < len(self.tokens):
            return UNKNOWN
        return value

    # helpers
    def peek(self, offset: int = 0) -> _Tok | None:
        i = self.pos + offset
        return self.tokens[i] if i < len(self.tokens) else None

    def take(self) -> _Tok:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def closing(self, closer: str) -> bool:
        """At `closer`; raises at the end of the tokens so no loop can run forever."""
        if self.pos >= len(self.tokens):
            raise ValueError(f"missing {closer!r}")
        return self.at("punct", closer)

    def at(self, kind: str, text: str | None = None) -> bool:
        tok = self.peek()
        return tok is not None and tok.kind == kind and (text is None or tok.text == text)

    def skip_to_delimiter(self) -> None:
        """Skip an unsupported expression up to the next `,` or closer at this depth."""
        depth = 0
        while self.pos < len(self.tokens):
            tok = self.tokens[self.pos]
            if tok.kind == "punct" and tok.text in "([{":
                depth += 1
            elif tok.kind == "punct" and tok.text in ")]}":
                if depth == 0:
                    return
                depth -= 1
            elif tok.kind == "punct" and tok.text == "," and depth == 0:
                return
            self.pos += 1

    def expr(self) -> Any:
        try:
            value = self.additive()
        except (IndexError, ValueError, KeyError, TypeError, ZeroDivisionError):
            value = UNKNOWN
        nxt = self.peek()
        if nxt is not None and not (nxt.kind == "punct" and nxt.text in ",)]}=:"):
            self.skip_to_delimiter()  # an operator, a conditional...: not evaluated
            return UNKNOWN
        return value

    def additive(self) -> Any:
        """Number arithmetic (`count.index + 1`); anything but two numbers is Unknown."""
        value = self.multiplicative()
        while self.at("op", "+") or self.at("op", "-"):
            op = self.take().text
            value = _arithmetic(op, value, self.multiplicative())
        return value

    def multiplicative(self) -> Any:
        value = self.postfix()
        while self.at("op", "*") or self.at("op", "/") or self.at("op", "%"):
            op = self.take().text
            value = _arithmetic(op, value, self.postfix())
        return value

    def postfix(self) -> Any:
        value = self.primary()
        while True:
            if self.at("punct", "."):
                self.take()
                tok = self.take()
                if tok.kind == "op" and tok.text == "*":
                    value = UNKNOWN  # splat
                    continue
                value = _index(value, tok.text if tok.kind == "ident" else int(tok.text) if tok.kind == "num" else None)
            elif self.at("punct", "["):
                self.take()
                if self.at("op", "*"):
                    self.take()
                    self.expect("]")
                    value = UNKNOWN
                    continue
                key = self.expr()
                self.expect("]")
                value = _index(value, key)
            else:
                return value

    def expect(self, text: str) -> None:
        tok = self.take()
        if tok.text != text:
            raise ValueError(f"expected {text!r}")

    def primary(self) -> Any:
        tok = self.take()
        if tok.kind == "str":
            return _template(tok.text[1:-1], self.scope)
        if tok.kind == "num":
            return float(tok.text) if any(c in tok.text for c in ".eE") else int(tok.text)
        if tok.kind == "op" and tok.text == "-" and self.at("num"):
            value = self.primary()
            return -value
        if tok.kind == "punct" and tok.text == "(":
            value = self.expr()
            self.expect(")")
            return value
        if tok.kind == "punct" and tok.text == "[":
            return self.list_()
        if tok.kind == "punct" and tok.text == "{":
            return self.object_()
        if tok.kind == "ident":
            if tok.text in ("true", "false"):
                return tok.text == "true"
            if tok.text == "null":
                return None
            if self.at("punct", "("):
                return self.call(tok.text)
            return self.reference(tok.text)
        raise ValueError(f"unexpected {tok.text!r}")

    def list_(self) -> Any:
        if self.at("ident", "for"):
            self.skip_to_closer("[")
            return UNKNOWN
        items: list[Any] = []
        while not self.closing("]"):
            items.append(self.expr())
            if self.at("punct", ","):
                self.take()
        self.take()
        return items

    def object_(self) -> Any:
        if self.at("ident", "for"):
            self.skip_to_closer("{")
            return UNKNOWN
        out: dict[str, Any] = {}
        unknown = False
        while not self.closing("}"):
            key_tok = self.peek()
            if key_tok is not None and key_tok.kind == "ident" and self.peek(1) is not None and self.peek(1).text in ("=", ":"):
                self.take()
                key: Any = key_tok.text
            else:
                key = self.expr()
            sep = self.take()
            if sep.text not in ("=", ":"):
                raise ValueError("expected '=' in an object")
            value = self.expr()
            if isinstance(key, str):
                out[key] = value
            else:
                unknown = True
            if self.at("punct", ","):
                self.take()
        self.take()
        return UNKNOWN if unknown else out

    def skip_to_closer(self, opener: str) -> None:
        depth = 1
        while depth:
            tok = self.take()
            if tok.kind == "punct" and tok.text in _CLOSERS:
                depth += 1
            elif tok.kind == "punct" and tok.text in _CLOSERS.values():
                depth -= 1

    def call(self, name: str) -> Any:
        self.take()  # (
        args: list[Any] = []
        while not self.closing(")"):
            args.append(self.expr())
            if self.at("punct", ","):
                self.take()
            elif self.at("punct", "."):  # `...` expansion of a list into arguments
                self.skip_to_delimiter()
                args.append(UNKNOWN)
        self.take()
        return _call(name, args)

    def reference(self, root: str) -> Any:
        scope = self.scope
        if root in ("var", "local", "each", "count"):
            self.expect(".")
            attribute = self.take().text
            if root == "var":
                return scope.var(attribute)
            if root == "local":
                return scope.local(attribute)
            if root == "each":
                return scope.each(attribute)
            return scope.count_index() if attribute == "index" else UNKNOWN
        if root == "data":
            self.expect(".")
            kind = self.take().text
            self.expect(".")
            name = self.take().text
            attribute = self._attribute()
            return scope.block_attribute("data", kind, name, attribute) if attribute else UNKNOWN
        if self.at("punct", ".") and self.peek(1) is not None and self.peek(1).kind == "ident":
            self.take()
            name = self.take().text
            attribute = self._attribute()
            return scope.block_attribute("managed", root, name, attribute) if attribute else UNKNOWN
        return UNKNOWN

    def _attribute(self) -> str | None:
        """`.attr` after a block reference (an index in between makes it unknown)."""
        if self.at("punct", ".") and self.peek(1) is not None and self.peek(1).kind == "ident":
            self.take()
            return self.take().text
        return None


def _arithmetic(op: str, left: Any, right: Any) -> Any:
    numbers = all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (left, right))
    if not numbers:
        return UNKNOWN
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    if op == "/":
        return left / right  # HCL division is never integer division
    return left % right


def _index(value: Any, key: Any) -> Any:
    if isinstance(value, Unknown) or isinstance(key, Unknown) or key is None:
        return UNKNOWN
    if isinstance(value, dict):
        return value.get(str(key), UNKNOWN)
    if isinstance(value, list) and isinstance(key, (int, float)) and not isinstance(key, bool):
        idx = int(key)
        return value[idx] if 0 <= idx < len(value) else UNKNOWN
    return UNKNOWN


def _template(body: str, scope: Scope) -> Any:
    """A quoted template: literal parts with escapes decoded, `${...}` evaluated."""
    parts: list[str] = []
    i = 0
    literal_start = 0
    while i < len(body):
        if body[i] == "\\":
            i += 2
            continue
        if body.startswith("$${", i) or body.startswith("%%{", i):
            i += 3
            continue
        if body.startswith("%{", i):
            return UNKNOWN  # template directives (if/for): not evaluated
        if body.startswith("${", i):
            parts.append(_decode_escapes(body[literal_start:i]))
            end = _scan_braces(body, i + 1)
            inner = body[i + 2 : end - 1].strip().strip("~").strip()
            value = _Parser(inner, scope).whole()
            if isinstance(value, bool):
                value = "true" if value else "false"
            elif isinstance(value, (int, float)):
                value = _number_text(value)
            if not isinstance(value, str):
                return UNKNOWN
            parts.append(value)
            i = literal_start = end
            continue
        i += 1
    parts.append(_decode_escapes(body[literal_start:]))
    return "".join(parts)


def _number_text(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _call(name: str, args: list[Any]) -> Any:
    if any(contains_unknown(a) for a in args):
        return UNKNOWN
    try:
        if name in ("toset", "distinct") and len(args) == 1 and isinstance(args[0], list):
            return list(dict.fromkeys(args[0]))
        if name in ("tolist", "tomap") and len(args) == 1:
            return args[0]
        if name in ("lower", "upper", "trimspace") and len(args) == 1 and isinstance(args[0], str):
            return {"lower": str.lower, "upper": str.upper, "trimspace": str.strip}[name](args[0])
        if name == "trimsuffix" and len(args) == 2 and all(isinstance(a, str) for a in args):
            return args[0][: -len(args[1])] if args[1] and args[0].endswith(args[1]) else args[0]
        if name == "trimprefix" and len(args) == 2 and all(isinstance(a, str) for a in args):
            return args[0][len(args[1]) :] if args[0].startswith(args[1]) else args[0]
        if name == "join" and len(args) == 2 and isinstance(args[0], str) and isinstance(args[1], list):
            if all(isinstance(x, str) for x in args[1]):
                return args[0].join(args[1])
        if name == "concat" and all(isinstance(a, list) for a in args):
            return [x for a in args for x in a]
        if name == "format" and args and isinstance(args[0], str) and re.fullmatch(r"([^%]|%%|%s)*", args[0]):
            rest = [a if isinstance(a, str) else _number_text(a) if isinstance(a, (int, float)) and not isinstance(a, bool) else None for a in args[1:]]
            if None not in rest and args[0].count("%s") == len(rest):
                return args[0] % tuple(rest)
    except (TypeError, ValueError):
        return UNKNOWN
    return UNKNOWN
