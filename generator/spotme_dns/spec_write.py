"""Writing into a spec file in place: the SES tokens of one domain, comments and order kept.

ruamel.yaml's round-trip mode keeps comments, key order, quoting and flow/block style; the
file's indentation is measured first so unrelated lines come back byte for byte. The new text
is checked with the spec loader before anything is written, and it is written atomically
(a temporary file next to the spec, then a rename), so the spec is never left half-written
or invalid.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from .errors import InputError, Location, Problem
from .fileio import write_atomically
from .spec import DEFAULT_SIGNING_ZONE, normalize_domain, parse_spec_text
from .yamlpos import read_text

#: Keys a new `ses:` mapping goes after.
_LEADING_KEYS = ("domain", "zone", "provider", "zone_id")


@dataclass(frozen=True)
class SpecUpdate:
    """What writing the tokens did."""

    path: str
    changed: bool
    """False when the spec already held exactly these values (the file is not touched)."""


def write_ses_tokens(path: str, domain: str, *, tokens: tuple[str, ...], signing_zone: str) -> SpecUpdate:
    """Set `ses.dkim_tokens` (and `ses.signing_zone` when not the default or already written)
    of `domain`'s entry in the spec at `path`. InputError when the file or the entry is unusable.
    """
    text = read_text(path)
    new_text = set_ses_tokens(text, domain, tokens=tokens, signing_zone=signing_zone, path=path)
    if new_text == text:
        return SpecUpdate(path, changed=False)
    parse_spec_text(new_text, path)  # never write a spec that no longer loads
    write_atomically(path, new_text, keep_mode=True)
    return SpecUpdate(path, changed=True)


def set_ses_tokens(text: str, domain: str, *, tokens: tuple[str, ...], signing_zone: str, path: str = "<spec>") -> str:
    """The spec text with `domain`'s SES tokens set; pure (text in, text out)."""
    yaml, data = _load(text, path)
    entry = _find_domain(data, domain, path)
    ses = entry.get("ses")
    if not isinstance(ses, CommentedMap):
        ses = CommentedMap()
        # Right after the keys that say where the domain lives, where a reader looks for it.
        position = max((i + 1 for i, k in enumerate(entry) if k in _LEADING_KEYS), default=len(entry))
        entry.insert(position, "ses", ses)
    current = ses.get("dkim_tokens")
    if isinstance(current, CommentedSeq) and len(current) == len(tokens):
        for i, token in enumerate(tokens):  # in place: keeps the list's style and comments
            if str(current[i]).lower() != token:
                current[i] = token
    else:
        seq = CommentedSeq(tokens)
        seq.fa.set_flow_style()
        ses["dkim_tokens"] = seq
    zone = signing_zone.strip().rstrip(".").lower()
    if "signing_zone" in ses or zone != DEFAULT_SIGNING_ZONE:
        if str(ses.get("signing_zone", "")).rstrip(".").lower() != zone:
            ses["signing_zone"] = zone
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


#: (mapping indent, sequence indent, dash offset) styles tried, the common ones first.
_INDENT_STYLES = ((2, 4, 2), (2, 2, 0), (4, 6, 2), (4, 4, 0), (2, 3, 1), (4, 4, 2), (3, 5, 2), (3, 3, 0))


def _load(text: str, path: str):
    """A round-trip loader whose dump reproduces `text` (the style that does, or comes closest)."""
    best = None
    for mapping, sequence, offset in _INDENT_STYLES:
        yaml = YAML(typ="rt")
        yaml.preserve_quotes = True
        yaml.width = 4096  # never re-wrap long lines
        yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
        try:
            data = yaml.load(text)
        except YAMLError as err:
            raise InputError([Problem(Location(path), f"cannot read the spec as YAML: {err}", "yaml-syntax")]) from None
        out = io.StringIO()
        yaml.dump(data, out)
        changed = sum(1 for a, b in zip(out.getvalue().splitlines(), text.splitlines(), strict=False) if a != b)
        if best is None or changed < best[0]:
            best = (changed, yaml, data)
        if changed == 0:
            break
    assert best is not None
    return best[1], best[2]


def _find_domain(data: object, domain: str, path: str) -> CommentedMap:
    wanted = normalize_domain(domain)
    domains = data.get("domains") if isinstance(data, CommentedMap) else None
    if not isinstance(domains, CommentedSeq):
        raise InputError([Problem(Location(path), "the spec has no 'domains' list to write into", "missing-key")])
    names = []
    for item in domains:
        if isinstance(item, CommentedMap) and isinstance(item.get("domain"), str):
            names.append(item["domain"])
            if normalize_domain(item["domain"]) == wanted:
                return item
    listed = ", ".join(names) or "none"
    raise InputError(
        [Problem(Location(path), f"no entry for domain {wanted} in the spec (its domains: {listed})", "domain-not-in-spec")]
    )
