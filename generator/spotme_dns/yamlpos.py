"""YAML loading that keeps file:line:column on every value (safe loader, bounded size).

The spec loader reads `YNode` trees so every error can point at the exact place in the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Union

import yaml

from .errors import InputError, Location, Problem

#: A spec for 10,000 domains is about 4 MB; anything much larger is not a spec.
MAX_BYTES = 16 * 1024 * 1024
#: Bound on values after expanding aliases: stops "billion laughs" documents.
MAX_NODES = 2_000_000

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class YNode:
    """A YAML value with where it came from. Mappings hold dict[str, YNode], sequences list."""

    value: Union[dict, list, str, int, float, bool, None]
    loc: Location

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
            import sys

            data = sys.stdin.buffer.read(MAX_BYTES + 1)
        else:
            with open(path, "rb") as handle:
                data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise InputError([Problem(loc, f"{what} file not found", "file-not-found")]) from None
    except IsADirectoryError:
        raise InputError([Problem(loc, f"{what} is a directory, not a file", "file-unreadable")]) from None
    except OSError as err:
        raise InputError([Problem(loc, f"cannot read {what}: {err.strerror}", "file-unreadable")]) from None
    if len(data) > MAX_BYTES:
        raise InputError([Problem(loc, f"{what} is larger than {MAX_BYTES // (1024 * 1024)} MiB", "file-too-large")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError([Problem(loc, f"{what} is not UTF-8 text (byte {err.start})", "file-not-text")]) from None
    if "\x00" in text:
        raise InputError([Problem(loc, f"{what} is not a text file (NUL byte)", "file-not-text")])
    if not text.strip():
        raise InputError([Problem(loc, f"{what} file is empty", "empty-file")])
    return text


def load_yaml(text: str, path: str) -> YNode:
    """Parse one YAML document into a YNode tree; syntax errors become InputError with position."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        loc = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
        raise InputError([Problem(loc, f"YAML syntax error: {err.problem or err}", "yaml-syntax")]) from None
    except yaml.YAMLError as err:
        raise InputError([Problem(Location(path), f"YAML error: {err}", "yaml-syntax")]) from None
    except RecursionError:
        raise InputError([Problem(Location(path), "YAML is nested too deeply", "yaml-too-large")]) from None
    if root is None:
        raise InputError([Problem(Location(path), "spec file holds no YAML document", "empty-file")])
    try:
        return _Converter(path).convert(root)
    except RecursionError:
        raise InputError([Problem(Location(path), "YAML is nested too deeply", "yaml-too-large")]) from None


class _Converter:
    def __init__(self, path: str) -> None:
        self.path = path
        self.count = 0
        self.constructor = yaml.SafeLoader("")  # only its scalar constructors are used

    def loc(self, node: yaml.Node) -> Location:
        return Location(self.path, node.start_mark.line + 1, node.start_mark.column + 1)

    def convert(self, node: yaml.Node) -> YNode:
        self.count += 1
        if self.count > MAX_NODES:
            raise InputError(
                [Problem(self.loc(node), "YAML expands to too many values (aliases nested too deep?)", "yaml-too-large")]
            )
        if isinstance(node, yaml.MappingNode):
            out: dict[str, YNode] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise InputError([Problem(self.loc(key_node), "YAML merge keys ('<<') are not supported", "yaml-merge")])
                key = self.scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
                if not isinstance(key, str):
                    raise InputError([Problem(self.loc(key_node), "mapping keys must be plain strings", "bad-key")])
                if key in out:
                    raise InputError([Problem(self.loc(key_node), f"duplicate key {key!r}", "duplicate-key")])
                out[key] = self.convert(value_node)
            return YNode(out, self.loc(node))
        if isinstance(node, yaml.SequenceNode):
            return YNode([self.convert(item) for item in node.value], self.loc(node))
        try:
            return YNode(self.scalar(node), self.loc(node))
        except yaml.YAMLError as err:
            raise InputError([Problem(self.loc(node), f"bad YAML value: {err}", "yaml-value")]) from None

    def scalar(self, node: yaml.Node) -> Any:
        value = self.constructor.construct_object(node, deep=True)
        if not isinstance(value, (str, int, float, bool, type(None))):
            # Timestamps, binary and the like are never meaningful in a spec: keep the text.
            return str(node.value)
        return value
