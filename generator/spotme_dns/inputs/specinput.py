"""Desired records straight from the YAML spec: `records.build_records` for each domain."""

from __future__ import annotations

from collections.abc import Iterable

from ..desired import Action, DesiredDomain, DesiredRecord
from ..model import DomainRecords
from ..records import build_records
from ..spec import DomainSpec, load_spec
from .common import Desired


def load_specs(paths: Iterable[str]) -> Desired:
    """Load spec files (SpecError, exit 2, on any problem) and build every domain's records."""
    spec = load_spec(paths)
    return Desired(tuple(desired_from_spec(d) for d in spec.domains))


def desired_from_spec(domain: DomainSpec) -> DesiredDomain:
    """One spec domain as desired records: what applying the generated Terraform creates."""
    return desired_from_records(build_records(domain), authoritative=domain.provider.record_sets)


def desired_from_records(built: DomainRecords, *, authoritative: bool) -> DesiredDomain:
    """Desired records from the record model; Route53 record sets replace the whole set."""
    records = tuple(
        DesiredRecord(
            name=r.name,
            type=r.type.value,
            values=tuple(sorted(r.texts)),
            action=Action.CREATE,
            ttl=r.ttl,
            authoritative=authoritative,
        )
        for r in built.records
    )
    return DesiredDomain(domain=built.domain, zone=built.zone, records=records)

