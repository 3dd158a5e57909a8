"""YAML loading that keeps file:line:column on every value (safe, bounded in size, depth and aliases).

The spec loader reads `YNode` trees so every error can point at the exact place in the file.

The tree is built straight from the parser's event stream, without recursion: libyaml's own
composer recurses in C (a document of 100,000 nested `[` crashes the interpreter) and expands
nothing until something walks the tree, so a "billion laughs" document only blows up later,
slowly. Building from events lets us stop at `MAX_DEPTH` levels and count the size of every
alias as it is used, so such a document fails at once, pointing at the alias that overflowed.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

import yaml

from .errors import InputError, Location, Problem

#: A spec for 10,000 domains is about 4 MB; anything much larger is not a spec.
MAX_BYTES = 16 * 1024 * 1024
#: Bound on values after expanding aliases: stops "billion laughs" documents.
MAX_NODES = 2_000_000
#: A spec is six levels deep; anything near this is an attack or an accident.
MAX_DEPTH = 64

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE_TAG = "tag:yaml.org,2002:merge"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_STR_TAG = "tag:yaml.org,2002:str"


@dataclass(frozen=True, slots=True)
class YNode:
    """A YAML value with where it came from. Mappings hold dict[str, YNode], sequences list."""

    value: dict | list | str | int | float | bool | None
    loc: Location
    key_locs: dict[str, Location] | None = field(default=None, compare=False, repr=False)
    """Mappings: where each key is written (problems about a key point at the key)."""

    def key_loc(self, key: str) -> Location:
        """Where `key` of this mapping is written (its value's place when not known)."""
        if self.key_locs and key in self.key_locs:
            return self.key_locs[key]
        value = self.value.get(key) if isinstance(self.value, dict) else None
        return value.loc if isinstance(value, YNode) else self.loc

    @property
    def is_mapping(self) -> bool:
        return isinstance(self.value, dict)

    @property
    def is_sequence(self) -> bool:
        return isinstance(self.value, list)

    def plain(self) -> Any:
        """The value without locations."""
        if isinstance(self.value, dict):
            return {k: v.plain() for k, v in self.value.items()}
        if isinstance(self.value, list):
            return [v.plain() for v in self.value]
        return self.value


def read_text(path: str, *, what: str = "spec") -> str:
    """Read a text file, refusing missing, unreadable, binary, over-large and empty files."""
    loc = Location(path)
    try:
        if path == "-":
            data = sys.stdin.buffer.read(MAX_BYTES + 1)
        else:
            with open(path, "rb") as handle:
                data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise InputError([Problem(loc, f"{what} file not found", "file-not-found")]) from None
    except IsADirectoryError:
        raise InputError([Problem(loc, f"{what} is a directory, not a file", "file-unreadable")]) from None
    except OSError as err:
        raise InputError([Problem(loc, f"cannot read {what}: {err.strerror or err}", "file-unreadable")]) from None
    if len(data) > MAX_BYTES:
        raise InputError(
            [Problem(loc, f"{what} is larger than {MAX_BYTES // (1024 * 1024)} MiB: not a spec file", "file-too-large")]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        raise InputError(
            [Problem(Location(path, line, column), f"{what} is not UTF-8 text (byte 0x{data[err.start]:02x})", "file-not-text")]
        ) from None
    if "\x00" in text:
        offset = text.index("\x00")
        line = text.count("\n", 0, offset) + 1
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        raise InputError([Problem(Location(path, line, column), f"{what} is not a text file (NUL byte)", "file-not-text")])
    if not text.strip():
        raise InputError([Problem(loc, f"{what} file is empty", "empty-file")])
    return text


def load_yaml(text: str, path: str) -> YNode:
    """Parse one YAML document into a YNode tree; every problem becomes an InputError with position."""
    root, problems = parse_yaml(text, path)
    if problems:
        raise InputError(problems)
    return root


def parse_yaml(text: str, path: str) -> tuple[YNode, list[Problem]]:
    """Parse one YAML document into a YNode tree, with the problems that still left a tree.

    Duplicate keys, merge keys, non-string keys and unsupported tags are returned with the
    tree (so a caller can report them together with its own checks); syntax errors, a second
    document, alias bombs, recursive aliases and deep nesting raise InputError.
    """
    builder = _Builder(path)
    try:
        for event in yaml.parse(text, Loader=_Loader):
            builder.feed(event)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        loc = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
        problem = err.problem or str(err)
        if err.context and err.context not in problem:
            where = ""
            context = err.context_mark
            if context is not None and mark is not None and (context.line, context.column) != (mark.line, mark.column):
                where = f" that starts at line {context.line + 1}, column {context.column + 1}"
            problem = f"{problem} ({err.context}{where})"
        if "nesting depth" in problem:  # PyYAML >= 6.0.4 stops deep nesting while scanning
            raise InputError([Problem(loc, f"YAML is nested more than {MAX_DEPTH} levels deep", "yaml-too-large")]) from None
        raise InputError([Problem(loc, f"YAML syntax error: {problem}", "yaml-syntax")]) from None
    except yaml.YAMLError as err:
        raise InputError([Problem(Location(path), f"YAML error: {err}", "yaml-syntax")]) from None
    if builder.root is None:
        raise InputError([Problem(Location(path), "spec file holds no YAML document (only comments?)", "empty-file")])
    return builder.root, builder.problems


class _Frame:
    """A mapping or sequence being built."""

    __slots__ = ("value", "loc", "anchor", "size", "key", "key_loc", "key_locs")

    def __init__(self, value: dict | list, loc: Location, anchor: str | None) -> None:
        self.value = value
        self.loc = loc
        self.anchor = anchor
        self.size = 1
        self.key: str | None | object = None
        """Mappings: the key waiting for its value (`_BAD_KEY` when the key was refused)."""
        self.key_loc: Location | None = None
        self.key_locs: dict[str, Location] = {}


_BAD_KEY = object()
_NO_KEY = None


class _Builder:
    """Turns parser events into a YNode tree, collecting problems; raises InputError on fatal ones."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[YNode, int]] = {}
        self.open_anchors: set[str] = set()
        self.total = 0
        self.used_alias = False
        self.root: YNode | None = None
        self.documents = 0
        self.loader = yaml.SafeLoader("")  # its resolver and scalar constructors only

    def loc(self, event: yaml.Event) -> Location:
        mark = event.start_mark
        return Location(self.path, mark.line + 1, mark.column + 1)

    def fatal(self, loc: Location, message: str, code: str) -> None:
        raise InputError([*self.problems, Problem(loc, message, code)])

    def feed(self, event: yaml.Event) -> None:
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                self.fatal(self.loc(event), "a spec file holds one YAML document; found a second one ('---')", "yaml-syntax")
        elif isinstance(event, yaml.ScalarEvent):
            self.scalar(event)
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            self.start(event)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            frame = self.stack.pop()
            if frame.anchor is not None:
                self.open_anchors.discard(frame.anchor)
            node = YNode(frame.value, frame.loc, frame.key_locs if isinstance(frame.value, dict) else None)
            if frame.anchor is not None:
                self.anchors[frame.anchor] = (node, frame.size)
            self.attach(node, frame.size, event, is_scalar=False)
        elif isinstance(event, yaml.AliasEvent):
            self.alias(event)

    def grow(self, size: int, event: yaml.Event) -> None:
        """Count values as if every alias were copied out: the size a consumer would walk."""
        self.total += size
        if self.total > MAX_NODES:
            why = (
                "aliases expand it to more than " if self.used_alias else "it holds more than "
            ) + f"{MAX_NODES:,} values"
            hint = " (a 'billion laughs' document?)" if self.used_alias else ""
            self.fatal(self.loc(event), f"YAML document is too large: {why}{hint}", "yaml-too-large")

    def start(self, event: yaml.CollectionStartEvent) -> None:
        if len(self.stack) >= MAX_DEPTH:
            self.fatal(self.loc(event), f"YAML is nested more than {MAX_DEPTH} levels deep", "yaml-too-large")
        is_map = isinstance(event, yaml.MappingStartEvent)
        if event.tag not in (None, "!", _MAP_TAG if is_map else _SEQ_TAG):
            self.problems.append(Problem(self.loc(event), f"YAML tag {event.tag!r} is not supported in a spec", "yaml-value"))
        if event.anchor is not None:
            self.open_anchors.add(event.anchor)
        self.grow(1, event)
        self.stack.append(_Frame({} if is_map else [], self.loc(event), event.anchor))

    def scalar(self, event: yaml.ScalarEvent) -> None:
        self.grow(1, event)
        loc = self.loc(event)
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        value: Any = event.value
        constructor = None if tag == _STR_TAG else yaml.SafeLoader.yaml_constructors.get(tag)
        if tag == _STR_TAG:
            pass  # the common case, kept fast: the text is the value
        elif constructor is None:
            self.problems.append(Problem(loc, f"YAML tag {tag!r} is not supported in a spec", "yaml-value"))
        else:
            node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)
            try:
                value = constructor(self.loader, node)
            except yaml.YAMLError as err:
                self.problems.append(Problem(loc, f"bad YAML value {event.value!r}: {getattr(err, 'problem', err)}", "yaml-value"))
                value = event.value
            if not isinstance(value, (str, int, float, bool, type(None))):
                # Timestamps, binary and the like are never meaningful in a spec: keep the text.
                value = str(event.value)
        ynode = YNode(value, loc)
        if event.anchor is not None:
            self.anchors[event.anchor] = (ynode, 1)
        self.attach(ynode, 1, event, is_scalar=True, tag=tag)

    def alias(self, event: yaml.AliasEvent) -> None:
        loc = self.loc(event)
        if event.anchor in self.open_anchors:
            self.fatal(loc, f"alias *{event.anchor} refers to a value that contains it (recursive alias)", "yaml-too-large")
        if event.anchor not in self.anchors:
            self.fatal(loc, f"alias *{event.anchor} is not defined above (no '&{event.anchor}')", "yaml-syntax")
        node, size = self.anchors[event.anchor]
        self.used_alias = True
        self.grow(size, event)
        # A new YNode over the same (immutable) children: O(1), and errors point at the alias.
        self.attach(YNode(node.value, loc, node.key_locs), size, event, is_scalar=not isinstance(node.value, (dict, list)))

    def attach(self, node: YNode, size: int, event: yaml.Event, *, is_scalar: bool, tag: str | None = None) -> None:
        if not self.stack:
            self.root = node
            return
        parent = self.stack[-1]
        parent.size += size
        if isinstance(parent.value, list):
            parent.value.append(node)
            return
        if parent.key is _NO_KEY:  # this node is a key
            if tag == _MERGE_TAG:
                self.problems.append(
                    Problem(node.loc, "YAML merge keys ('<<') are not supported; put shared keys under 'defaults'", "yaml-merge")
                )
                parent.key = _BAD_KEY
            elif not is_scalar or not isinstance(node.value, str):
                shown = "a mapping or list" if not is_scalar else f"{node.value!r}; quote it"
                self.problems.append(Problem(node.loc, f"mapping keys must be plain strings (got {shown})", "bad-key"))
                parent.key = _BAD_KEY
            elif node.value in parent.value:
                self.problems.append(Problem(node.loc, f"duplicate key {node.value!r}", "duplicate-key"))
                parent.key = _BAD_KEY
            else:
                parent.key = node.value
            parent.key_loc = node.loc
            return
        if parent.key is not _BAD_KEY:
            parent.value[parent.key] = node  # type: ignore[index]
            if parent.key_loc is not None:
                parent.key_locs[parent.key] = parent.key_loc  # type: ignore[index]
        parent.key = _NO_KEY
