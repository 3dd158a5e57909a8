"""Writing into a spec file in place, comments and order kept: the SES tokens of one domain
(`ses-tokens --write`), and what `generate --discover` kept (`spf.keep`, `spf.all`, `keep_txt`,
the DMARC tags) so that the spec says what is live.

ruamel.yaml's round-trip mode keeps comments, key order, quoting and flow/block style; the
file's indentation is measured first so unrelated lines come back byte for byte. The new text
is checked with the spec loader before anything is written, and it is written atomically
(a temporary file next to the spec, then a rename), so the spec is never left half-written
or invalid.
"""

from __future__ import annotations

import difflib
import io
from collections.abc import Sequence
from dataclasses import dataclass

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from . import dmarc
from .errors import InputError, Location, Problem
from .fileio import write_atomically
from .kept import dmarc_meaning, kept_spf_terms, kept_view
from .spec import DEFAULT_SIGNING_ZONE, DMARC_KEYS, SPF_ALL_CHOICES, DomainSpec, normalize_domain, parse_spec_text
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


# ---------------------------------------------------------------------------------------------
# What `generate --discover` kept, written back into the spec (issue 8: the spec is the truth).

#: Keys a new `spf:`/`keep_txt:`/`dmarc:` goes after (the last of them the entry has).
_AFTER_KEYS = ("domain", "zone", "provider", "zone_id", "ttl", "ses", "mandrill", "spf", "keep_txt")
_URI_TAGS = ("rua", "ruf")


@dataclass(frozen=True)
class SpecChange:
    """What discovery changes in one spec file."""

    path: str
    old: str
    new: str
    notes: tuple[str, ...] = ()
    """What could not be written (the spec cannot say it, or the file cannot be written)."""

    @property
    def changed(self) -> bool:
        return self.new != self.old

    def diff(self) -> str:
        """A unified diff of the spec, old to new."""
        lines = difflib.unified_diff(
            self.old.splitlines(keepends=True), self.new.splitlines(keepends=True), fromfile=f"{self.path} (before)", tofile=self.path
        )
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def discovered_changes(originals: Sequence[DomainSpec], merged: Sequence[DomainSpec]) -> tuple[SpecChange, ...]:
    """Each spec file with what discovery kept (`merged`, in the order of `originals`) written in.

    Only what differs is touched: `spf.keep`, `spf.all`, `keep_txt` and the DMARC tags. The
    new text is loaded again; a value the spec cannot say (or a text that would not load) is
    a note, and that file keeps its old text.
    """
    by_path: dict[str, list[tuple[DomainSpec, DomainSpec]]] = {}
    for before, after in zip(originals, merged, strict=True):
        by_path.setdefault(before.location.path, []).append((before, after))
    out = []
    for path, pairs in by_path.items():
        wanted = [(b, a) for b, a in pairs if kept_view(b) != kept_view(a)]
        if not wanted:
            continue
        if path in ("-", "<stdin>", "<spec>"):
            names = ", ".join(a.domain for _, a in wanted)
            out.append(SpecChange(path, "", "", (f"the spec came from standard input: write what discovery kept for {names} into it by hand",)))
            continue
        out.append(_file_change(path, wanted, pairs))
    return tuple(out)


def write_spec_changes(changes: Sequence[SpecChange]) -> None:
    """Write each changed spec file atomically (InputError, exit 2, when one cannot be written)."""
    for change in changes:
        if change.changed:
            write_atomically(change.path, change.new, keep_mode=True)


def _file_change(path: str, pairs: list[tuple[DomainSpec, DomainSpec]], every: list[tuple[DomainSpec, DomainSpec]]) -> SpecChange:
    """`pairs` written into the file at `path`; `every` domain of that file is checked after."""
    text = read_text(path)
    yaml, data = _load(text, path)
    notes: list[str] = []
    for before, after in pairs:
        entry = _find_domain(data, after.domain, path)
        notes += _write_kept(entry, before, after)
    out = io.StringIO()
    yaml.dump(data, out)
    new_text = out.getvalue()
    try:
        reloaded = {d.domain: d for d in parse_spec_text(new_text, path).domains}
    except InputError as err:
        problems = "; ".join(p.message for p in err.problems)
        return SpecChange(path, text, text, (*notes, f"not updated: the new spec would not load ({problems})"))
    for before, after in every:
        again = reloaded.get(after.domain)
        if (before, after) not in pairs and (again is None or kept_view(again) != kept_view(before)):
            # A value shared with another domain (a YAML anchor/alias) changed it too: never that.
            written = ", ".join(b.domain for b, _ in pairs)
            return SpecChange(path, text, text, (*notes, f"not updated: writing what was kept for {written} would change "
                              f"{after.domain} too (a shared YAML anchor?); write it in by hand"))
        if again is None or kept_view(again) != kept_view(after):
            notes.append(
                f"{after.domain}: the spec cannot say exactly what was kept (see the generated Terraform); "
                "`verify --spec` may report differences"
            )
    return SpecChange(path, text, new_text, tuple(dict.fromkeys(notes)))


def _write_kept(entry: CommentedMap, before: DomainSpec, after: DomainSpec) -> list[str]:
    """Put into one domain's entry what differs between `before` (the spec) and `after` (merged)."""
    notes: list[str] = []
    name = after.domain
    keep = kept_spf_terms(after.spf)
    if keep != kept_spf_terms(before.spf) or after.spf.all != before.spf.all:
        spf_map = _child_map(entry, "spf")
        if keep != kept_spf_terms(before.spf):
            _set_list(spf_map, "keep", keep)
        if after.spf.all != before.spf.all:
            if after.spf.all in SPF_ALL_CHOICES:
                spf_map["all"] = after.spf.all
            else:
                notes.append(f"{name}: spf.all cannot be {after.spf.all!r} (one of {', '.join(SPF_ALL_CHOICES)}); left as it was")
    if tuple(sorted(set(after.keep_txt))) != tuple(sorted(set(before.keep_txt))):
        _set_list(entry, "keep_txt", after.keep_txt)
    if not after.dmarc.manage:
        if before.dmarc.manage:  # an adopted delegated record: the spec says "leave DMARC alone"
            dmarc_map = _child_map(entry, "dmarc")
            for key in [k for k in dmarc_map if k != "manage"]:
                del dmarc_map[key]
            dmarc_map["manage"] = False
    elif dmarc_meaning(after.dmarc.text()) != dmarc_meaning(before.dmarc.text()):
        notes += _write_dmarc(entry, after)
    return notes


def _write_dmarc(entry: CommentedMap, after: DomainSpec) -> list[str]:
    try:
        parsed = dmarc.parse_dmarc(after.dmarc.text())
    except dmarc.DmarcSyntaxError as err:
        return [f"{after.domain}: the DMARC record {after.dmarc.text()!r} is not valid ({err}); the spec's dmarc is left as it was"]
    notes = []
    wanted: dict[str, str] = {"policy": parsed.policy}
    for key, value in parsed.tags:
        if key in ("v", "p"):
            continue
        if key not in DMARC_KEYS:
            notes.append(f"{after.domain}: the spec has no key for the DMARC tag {key}={value}; left out")
            continue
        wanted[key] = value.strip() if key in _URI_TAGS else value.strip().lower()
    dmarc_map = _child_map(entry, "dmarc")
    for key in [k for k in dmarc_map if k in DMARC_KEYS and k not in wanted]:
        del dmarc_map[key]
    for key, value in wanted.items():
        if key in _URI_TAGS:
            uris = tuple(u.strip() for u in value.split(",") if u.strip())
            if _uris(dmarc_map.get(key)) != uris:
                _set_list(dmarc_map, key, uris)
        elif str(dmarc_map.get(key, "")).strip().lower() != value or isinstance(dmarc_map.get(key), bool):
            dmarc_map[key] = value
    return notes


def _uris(node: object) -> tuple[str, ...] | None:
    """A spec's rua/ruf value as the URIs it stands for (`mailto:` added to a plain address)."""
    if isinstance(node, str):
        node = [node]
    if not isinstance(node, list):
        return None
    return tuple(str(u).strip() if ":" in str(u) else f"mailto:{str(u).strip()}" for u in node)


def _child_map(entry: CommentedMap, key: str) -> CommentedMap:
    """`entry[key]` as a mapping, made (after the keys a reader looks at first) when missing."""
    child = entry.get(key)
    if isinstance(child, CommentedMap):
        return child
    child = CommentedMap()
    position = max((i + 1 for i, k in enumerate(entry) if k in _AFTER_KEYS), default=len(entry))
    if key in entry:
        del entry[key]  # `spf:` or `dmarc:` written empty
        position = min(position, len(entry))
    entry.insert(position, key, child)
    return child


def _set_list(mapping: CommentedMap, key: str, values: Sequence[str]) -> None:
    """`mapping[key] = values`, changing an existing list in place (its style and comments kept)."""
    current = mapping.get(key)
    if isinstance(current, CommentedSeq):
        if not current and current.fa._flow_style is None and sum(len(v) + 2 for v in values) < 60:
            current.fa.set_flow_style()  # `keep: []` becomes `keep: [a, b]`, not a block list
        for i, value in enumerate(values):
            if i < len(current):
                if current[i] != value:
                    current[i] = value
            else:
                current.append(value)
        del current[len(values):]
        return
    seq = CommentedSeq(values)
    if key not in mapping:
        position = max((i + 1 for i, k in enumerate(mapping) if k in _AFTER_KEYS), default=len(mapping))
        mapping.insert(position, key, seq)
    else:
        mapping[key] = seq
