"""What every input kind shares: record candidates, zone inference, grouping into domains.

A plan or a Terraform directory yields one `Candidate` per resource instance (a Cloudflare
record holds one value; a Route53 record set holds them all). `assemble` places each in its
zone and sending domain and merges candidates with the same (name, type) into one
`DesiredRecord`, so the diff never sees provider granularity.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from ..desired import Action, DesiredDomain, DesiredRecord, Role
from ..model import name_order, normalize_name
from ..report import Finding, Severity
from ..spec import SPOTME_SPF_INCLUDE
from ..spf import is_spf
from .values import canonical

#: The record types `validate` and `verify` compare (the ones the e-mail records use).
RECORD_TYPES = ("TXT", "CNAME")


@dataclass(frozen=True)
class Candidate:
    """One resource instance's say about one (name, type)."""

    name: str
    """Normalised; made absolute with the zone when the zone is known."""
    type: str
    values: tuple[str, ...] | None
    """Logical values; None when unknown until apply. For a delete: the values deleted."""
    action: Action = Action.CREATE
    deleted: bool = False
    """This instance is gone after apply: its values are expected absent."""
    zone: str | None = None
    """The zone when the input says it (a zone data source, a module input)."""
    module: str = ""
    """The module instance it came from (`module.a["x"]`), for grouping unzoned records."""
    address: str = ""
    ttl: int | None = None
    proxied: bool | None = None
    authoritative: bool = False
    removed: tuple[str, ...] = ()
    """Values this instance had before and will not have after (an update)."""
    strings: tuple[tuple[str, ...], ...] = ()
    """TXT: each value's character-strings as the provider publishes them, in `values` order;
    () when the provider splits by itself."""
    zone_id: str | None = None
    """The zone id the input gives, when it cannot name the zone: records of one id share a zone."""
    name_known: bool = True
    """False for a record whose name is known only after apply: `name` is then a pattern
    (`desired.ses_dkim_pattern`...) and `domain` says where it belongs."""
    domain: str | None = None
    """For a name unknown until apply: the domain the input says the record belongs to."""


@dataclass(frozen=True)
class Desired:
    """What one input says DNS should hold, plus what it could not say."""

    domains: tuple[DesiredDomain, ...]
    notes: tuple[Finding, ...] = field(default=())
    """Warnings about the input itself (a record whose name is unknown until apply...)."""
    actions_known: bool = False
    """True for a plan: each record's action (create, no-op...) is Terraform's own; False for
    `--tf` and `--spec`, where every record reads `create`."""


def note(code: str, name: str, message: str, severity: Severity = Severity.WARNING) -> Finding:
    return Finding(severity, code, name, message)


def labels_suffix(names: Iterable[str]) -> str:
    """The longest common suffix of names, whole labels only (`a.x.com`, `b.x.com` -> `x.com`)."""
    split = [n.split(".") for n in names if n]
    if not split:
        return ""
    common: list[str] = []
    for parts in zip(*(reversed(s) for s in split), strict=False):
        if all(p == parts[0] for p in parts):
            common.append(parts[0])
        else:
            break
    return ".".join(reversed(common))


def base_domain(name: str) -> str:
    """The sending domain a record name belongs to: strips `_dmarc.` and `<sel>._domainkey.`."""
    labels = name.split(".")
    if "_domainkey" in labels:
        i = labels.index("_domainkey")
        rest = labels[i + 1 :]
        if rest:
            return ".".join(rest)
    if labels[0] == "_dmarc" and len(labels) > 1:
        return ".".join(labels[1:])
    return name


def in_zone(name: str, zone: str) -> bool:
    return name == zone or name.endswith("." + zone)


def absolute_name(name: str, zone: str | None) -> str:
    """A record name as the provider stores it: relative names get the zone appended.

    Route53 (`expandRecordName` in terraform-provider-aws) and Cloudflare both append the
    zone to a name that does not already end with it; `@` and the empty name mean the apex.
    """
    name = normalize_name(name)
    if zone is None:
        return name
    zone = normalize_name(zone)
    if name in ("", "@"):
        return zone
    if in_zone(name, zone):
        return name
    return f"{name}.{zone}"


def needs_zone(name: str, zone: str | None) -> bool:
    """A relative name whose zone is unknown cannot be placed in DNS.

    Relative: `@`, the empty name, one label, or a name ending in an underscore label
    (`mte1._domainkey`, `_dmarc`: no top-level domain starts with `_`, RFC 8552 §2). Both
    providers append the zone to such a name; without the zone it is never made a domain.
    """
    name = normalize_name(name)
    if zone is not None:
        return False
    return name in ("", "@") or "." not in name or name.rsplit(".", 1)[1].startswith("_")


def _longest_zone(name: str, zones: Iterable[str]) -> str | None:
    matches = [z for z in zones if in_zone(name, z)]
    return max(matches, key=len) if matches else None


def placed_name(c: Candidate) -> str:
    """The name a candidate is placed by: its own, or for a name unknown until apply its domain."""
    return c.name if c.name_known else (c.domain or "")


def infer_zones(candidates: list[Candidate]) -> list[Candidate]:
    """Give every candidate a zone, from what the input says.

    A zone the input names (a zone data source or resource, a module input) is the zone; a
    name under such a zone takes the longest one, unless the record names another zone id.
    Records of one zone id the input cannot name share one zone: its apex is at or above the
    longest common suffix of their sending domains, and `validation` walks up from there to
    the apex when it looks the servers up. Different zone ids are never lumped together; a
    record with neither starts from its own sending domain (`_dmarc.` and `._domainkey.`
    stripped).
    """
    known = {c.zone for c in candidates if c.zone}
    named_ids = {c.zone_id for c in candidates if c.zone and c.zone_id}
    out: list[Candidate] = []
    by_id: dict[str, list[Candidate]] = defaultdict(list)
    for c in candidates:
        if c.zone:
            out.append(c)
            continue
        zone = _longest_zone(placed_name(c), known) if not c.zone_id or c.zone_id in named_ids else None
        if zone:
            out.append(replace(c, zone=zone))
        elif c.zone_id:
            by_id[c.zone_id].append(c)
        else:
            out.append(replace(c, zone=base_domain(placed_name(c))))
    for group in by_id.values():
        bases = [base_domain(placed_name(c)) for c in group]
        common = labels_suffix(bases)
        for c, base in zip(group, bases, strict=True):
            out.append(replace(c, zone=common if common.count(".") >= 1 else base))
    return out


def sending_domains(names: Iterable[str], zone: str, *, apex: bool = True) -> set[str]:
    """Sending domains seen in a zone: owners of `_dmarc.X` and `<sel>._domainkey.X`, and the
    apex when a record is there and `apex` (the input named the zone)."""
    out: set[str] = set()
    for name in names:
        base = base_domain(name)
        if base != name or (apex and name == zone):
            out.add(base)
    return out


def _holds_spf(c: Candidate) -> bool:
    """A TXT candidate whose values, or values it removes, include an SPF record."""
    return c.type == "TXT" and c.name_known and any(is_spf(v) for v in (*(c.values or ()), *c.removed))


def includes_spotme(value: str) -> bool:
    """An SPF record that names SpotMe's include (`include:_spf.spotme.com`, any qualifier)."""
    return is_spf(value) and any(
        term.lstrip("+-~?") == f"include:{SPOTME_SPF_INCLUDE}" for term in value.lower().split()
    )


def _owner(name: str, owners: set[str]) -> str | None:
    """The longest of `owners` that is `name` or holds it (walking up the labels)."""
    labels = name.split(".")
    return next((".".join(labels[i:]) for i in range(len(labels)) if ".".join(labels[i:]) in owners), None)


def assemble(candidates: list[Candidate]) -> tuple[DesiredDomain, ...]:
    """Zone, group by sending domain, and merge candidates per (name, type).

    Each group gets the `Role` the input gives it: a sending domain (its DMARC or DKIM
    records are written, or it is the apex of a zone the input names), a name holding an SPF
    record, or the zone's other records. A record whose name is known only after apply is
    placed by the domain the input says it belongs to and kept apart (`DesiredDomain.unknown`).
    """
    named_zones = {c.zone for c in candidates if c.zone}
    by_zone: dict[str, list[Candidate]] = defaultdict(list)
    for c in infer_zones(candidates):
        by_zone[c.zone or placed_name(c)].append(c)
    domains: list[DesiredDomain] = []
    for zone, group in by_zone.items():
        known = [c for c in group if c.name_known]
        found = sending_domains((c.name for c in known), zone, apex=zone in named_zones)
        found |= {c.domain for c in group if not c.name_known and c.domain and c.name.endswith("._domainkey." + c.domain)}
        # An SPF record that includes SpotMe's is a SpotMe sending domain's, wherever it is,
        # except at an underscore name (`_spf.acme.com`: an include target, never a From domain).
        found |= {
            c.name for c in known
            if c.type == "TXT" and not c.name.startswith("_") and any(includes_spotme(v) for v in c.values or ())
        }
        spf_names = {c.name for c in known if _holds_spf(c)} - found
        by_domain: dict[str, dict[tuple[str, str], list[Candidate]]] = defaultdict(lambda: defaultdict(list))
        unknown: dict[str, list[Candidate]] = defaultdict(list)
        owners = found | spf_names
        for c in group:
            domain = _owner(placed_name(c), owners) or zone
            if c.name_known:
                by_domain[domain][(c.name, c.type)].append(c)
            else:
                by_domain.setdefault(domain, defaultdict(list))  # reported even when all its names are unknown
                unknown[domain].append(c)
        for domain, keyed in by_domain.items():
            records = tuple(
                merge(items) for _, items in sorted(keyed.items(), key=lambda kv: (name_order(kv[0][0]), kv[0][1]))
            )
            role = Role.SENDING if domain in found else Role.SPF if domain in spf_names else Role.RECORDS
            pending = tuple(merge([c]) for c in sorted(unknown[domain], key=lambda c: (c.name, c.address)))
            domains.append(DesiredDomain(domain=domain, zone=zone, records=records, role=role, unknown=pending))
    domains.sort(key=lambda d: (name_order(d.domain), d.zone))
    return tuple(domains)


def merge(items: list[Candidate]) -> DesiredRecord:
    """One DesiredRecord from every candidate at one (name, type).

    Cloudflare writes one resource per value: their values join. A value deleted by one
    resource and kept by another stays expected. Any unknown value makes the set unknown.
    """
    first = items[0]
    rdtype = first.type
    live = [c for c in items if not c.deleted]
    gone = [c for c in items if c.deleted]
    actions = {c.action for c in items}
    action = actions.pop() if len(actions) == 1 else Action.UPDATE
    removed: set[str] = set()
    for c in items:
        removed.update(canonical(rdtype, v) for v in c.removed)
        if c.deleted and c.values:
            removed.update(canonical(rdtype, v) for v in c.values)
    values: tuple[str, ...] | None
    if live:
        if any(c.values is None for c in live):
            values = None
        else:
            values = tuple(sorted({canonical(rdtype, v) for c in live for v in c.values or ()}))
            removed -= set(values)
    else:
        values = ()
        action = Action.DELETE
    ttls = [c.ttl for c in live or gone if c.ttl is not None]
    split: dict[str, tuple[str, ...]] = {}
    for c in live:
        if c.strings and c.values is not None and len(c.strings) == len(c.values):
            split.update((canonical(rdtype, v), parts) for v, parts in zip(c.values, c.strings, strict=True))
    strings = tuple(split[v] for v in values) if values and all(v in split for v in values) else ()
    proxied_flags = [c.proxied for c in live if c.proxied is not None]
    return DesiredRecord(
        name=first.name,
        type=rdtype,
        values=values,
        action=action,
        ttl=ttls[0] if ttls else None,
        address=", ".join(sorted({c.address for c in items if c.address})),
        proxied=any(proxied_flags) if proxied_flags else None,
        authoritative=any(c.authoritative for c in items),
        removed=tuple(sorted(removed)),
        strings=strings,
    )


def combine(parts: list[tuple[str, Desired]]) -> Desired:
    """Several inputs (Terraform roots, plan files) as one: each domain keeps its root's label.

    One input stays as it is (no label). The report then has a section per root and a total.
    """
    if len(parts) == 1:
        return parts[0][1]
    domains = tuple(replace(d, root=label) for label, desired in parts for d in desired.domains)
    notes = tuple(replace(n, message=f"{label}: {n.message}") for label, desired in parts for n in desired.notes)
    return Desired(domains, notes, actions_known=all(desired.actions_known for _, desired in parts))
