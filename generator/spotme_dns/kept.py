"""What `generate --discover` kept, remembered next to the generated output (issue 8).

Discovery merges a customer's SPF terms, TXT values and DMARC tags into the records it writes,
and (unless told not to) writes them back into the spec. When the spec was left alone, or a
colleague runs `generate` from an older copy, a plain `generate` would quietly drop them
again. So every discovery leaves `DIR/.spotme-dns-discovered.json` (one entry per domain: the
SPF record, the kept TXT values and the DMARC record it wrote), a plain `generate` carries it
along unchanged, and `dropped_since_discovery` names what the new records would lose.

Pure but for `read_record` (the file-system edge); the file is listed in the manifest like
every other file of ours and written with the tree, all or nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from . import dmarc, spf
from .generate import MANIFEST, OutputTree
from .spec import DomainSpec, SpfSpec

RECORD = ".spotme-dns-discovered.json"
_URI_TAGS = ("rua", "ruf")


def kept_spf_terms(spf_spec: SpfSpec) -> tuple[str, ...]:
    """The `spf.keep` that builds the same record: its terms minus `all`, repeats and our includes."""
    record = spf.merge_terms(spf_spec.keep, spf_spec.include, spf_spec.all)
    ours = {spf.parse_term(f"include:{d}").identity for d in spf_spec.include}
    terms = (spf.parse_term(t) for t in record.split()[1:])
    return tuple(t.text for t in terms if t.identity not in ours and not (t.name == "all" and not t.is_modifier))


def dmarc_meaning(text: str) -> tuple[tuple[str, str], ...] | str:
    """A DMARC record as its tags (case and order aside, a missing `p` as none), else its text."""
    try:
        parsed = dmarc.parse_dmarc(text)
    except dmarc.DmarcSyntaxError:
        return text
    tags = {k: v.strip() if k in _URI_TAGS else v.strip().lower() for k, v in parsed.tags}
    tags["p"] = parsed.policy
    return tuple(sorted(tags.items()))


def spf_text(domain: DomainSpec) -> str:
    return spf.merge_terms(domain.spf.keep, domain.spf.include, domain.spf.all)


def kept_view(domain: DomainSpec) -> tuple[object, ...]:
    """What discovery may change, as the records mean it: the SPF record, kept TXT values, DMARC."""
    dmarc_view = dmarc_meaning(domain.dmarc.text()) if domain.dmarc.manage else "not managed"
    return (spf_text(domain), tuple(sorted(set(domain.keep_txt))), dmarc_view)


def record_bytes(domains: Sequence[DomainSpec], earlier: Mapping[str, object] | None = None) -> bytes:
    """The record of what discovery wrote for `domains` (other domains of an `earlier` record kept)."""
    entries = dict((earlier or {}).get("domains", {}))  # type: ignore[call-overload]
    for d in domains:
        entries[d.domain] = {"spf": spf_text(d), "keep_txt": list(d.keep_txt), "dmarc": d.dmarc.text()}
        if not d.dmarc.manage:  # a delegated record adopted: DMARC is left alone
            entries[d.domain].update(dmarc=None, dmarc_managed=False)
    data = {"generator": "spotme-dns", "domains": dict(sorted(entries.items()))}
    return (json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


def read_record(directory: str | Path) -> dict | None:
    """The record an earlier discovery left in `directory`, or None (none, or not readable)."""
    try:
        data = json.loads((Path(directory) / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("domains"), dict):
        return None
    return data


def with_record(tree: OutputTree, data: bytes) -> OutputTree:
    """The tree with the record added (and listed in the manifest)."""
    files = dict(tree.files)
    manifest = files.pop(MANIFEST, None)
    files[RECORD] = data
    if manifest is not None:
        listing = json.loads(manifest)
        listing["files"] = sorted({*listing.get("files", ()), RECORD})
        files[MANIFEST] = (json.dumps(listing, indent=1) + "\n").encode("utf-8")
    return replace(tree, files=files)


def dropped_since_discovery(record: Mapping[str, object], domains: Sequence[DomainSpec]) -> tuple[str, ...]:
    """One message per domain whose records would lose what the last discovery kept."""
    entries = record.get("domains")
    if not isinstance(entries, Mapping):
        return ()
    out = []
    for d in domains:
        entry = entries.get(d.domain)
        if not isinstance(entry, Mapping):
            continue
        lost = _lost_spf(entry.get("spf"), d) + _lost_txt(entry.get("keep_txt"), d) + _lost_dmarc(entry.get("dmarc"), d)
        if entry.get("dmarc_managed") is False and d.dmarc.manage:
            lost.append("the DMARC record it left alone (a delegated _dmarc CNAME; dmarc: {manage: false}), "
                        "which this run would replace with its own")
        if lost:
            out.append(
                f"{d.domain}: this run drops what the last `generate --discover` kept: {'; '.join(lost)}. "
                "Run `generate --discover` again, or write them into the spec (spf.keep, spf.all, keep_txt, dmarc)"
            )
    return tuple(out)


def _lost_spf(old: object, domain: DomainSpec) -> list[str]:
    if not isinstance(old, str) or not spf.is_spf(old):
        return []
    new_terms = [spf.parse_term(t) for t in spf_text(domain).split()[1:]]
    have = {t.identity for t in new_terms}
    lost, old_all = [], None
    for word in old.split()[1:]:
        try:
            term = spf.parse_term(word)
        except spf.SpfSyntaxError:
            continue
        if term.name == "all" and not term.is_modifier:
            old_all = term.text
        elif term.identity not in have:
            lost.append(term.text)
    out = [f"SPF terms {' '.join(lost)}"] if lost else []
    new_all = next((t.text for t in new_terms if t.name == "all" and not t.is_modifier), None)
    if old_all is not None and new_all is not None and old_all.lstrip("+") != new_all.lstrip("+"):
        out.append(f"SPF {old_all} (this run writes {new_all})")
    return out


def _lost_txt(old: object, domain: DomainSpec) -> list[str]:
    if not domain.provider.record_sets or not isinstance(old, list):
        return []  # elsewhere a kept TXT value is its own record, never written by us
    lost = [v for v in old if isinstance(v, str) and v not in domain.keep_txt]
    return [f"TXT values {', '.join(repr(v) for v in lost)}"] if lost else []


def _lost_dmarc(old: object, domain: DomainSpec) -> list[str]:
    if not isinstance(old, str):
        return []
    before, after = dmarc_meaning(old), dmarc_meaning(domain.dmarc.text())
    if before == after:
        return []
    if isinstance(before, str) or isinstance(after, str):
        return [f"the DMARC record {old!r} (this run writes {domain.dmarc.text()!r})"]
    now = dict(after)
    # A stricter policy is no loss; a weaker one, or a tag gone or changed, is.
    changed = [
        f"{k}={v}" for k, v in before
        if now.get(k) != v and not (k in ("p", "sp", "np") and k in now and not dmarc.weakens(v, now[k]))
    ]
    return [f"DMARC {' '.join(changed)} (this run writes {domain.dmarc.text()!r})"] if changed else []


def carried_record(directory: str | Path) -> bytes | None:
    """An earlier run's record as it is, for a plain `generate` to carry along; None without one."""
    data = read_record(directory)
    return None if data is None else (json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")

