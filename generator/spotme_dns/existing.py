"""What already exists at the owner names a sending domain needs: plain data, from any source.

`discover` fills these values from live DNS, a Route53 hosted zone or the Cloudflare API;
`merge` and `imports` read them and never care where they came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .dmarc import TreeWalk


class Source(str, Enum):
    """Where the existing records were read."""

    LIVE_DNS = "live DNS"
    ROUTE53 = "Route53 API"
    CLOUDFLARE = "Cloudflare API"
    ZONE_TRANSFER = "zone transfer (AXFR)"
    GOOGLE = "Cloud DNS API"
    AZURE = "Azure DNS API"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class ExistingValue:
    """One value of an existing record set."""

    text: str
    """The logical value: TXT unquoted and joined, names lower-case without the dot."""
    record_id: str | None = None
    """The provider's id of the record holding this value (Cloudflare keeps one per value)."""


@dataclass(frozen=True)
class ExistingRecord:
    """Every existing value of one type at one owner name."""

    name: str
    """Absolute, lower-case, no trailing dot."""
    type: str
    """Upper-case: TXT, CNAME, A, ..."""
    values: tuple[ExistingValue, ...]
    """Sorted by text."""
    ttl: int | None = None
    set_identifier: str | None = None
    """Route53: the record set has a routing policy (weighted, latency, ...)."""
    alias: str | None = None
    """Route53: an alias record's target."""

    @property
    def key(self) -> tuple[str, str]:
        return (self.name, self.type)

    @property
    def texts(self) -> tuple[str, ...]:
        return tuple(v.text for v in self.values)


@dataclass(frozen=True)
class ExistingDomain:
    """What exists for one sending domain, and where it was read."""

    domain: str
    zone: str
    source: Source
    records: tuple[ExistingRecord, ...]
    """Sorted by (name, type)."""
    zone_id: str | None = None
    """The hosted zone / Cloudflare zone id, when the source knows it."""
    notes: tuple[str, ...] = ()
    """What discovery noticed on the way (for example live DNS disagreeing with the API)."""
    dmarc_delegated: tuple[str, ...] | None = None
    """When `_dmarc.<domain>` is a CNAME: the TXT values at the end of its chain (what
    receivers read), () when there is nothing there; None when it is no CNAME."""
    parent_dmarc: TreeWalk | None = None
    """The Organizational Domain's policy above the domain (RFC 9989 DNS Tree Walk), if asked."""

    def at(self, name: str) -> tuple[ExistingRecord, ...]:
        """Every existing record set at `name`."""
        return tuple(r for r in self.records if r.name == name)

    def get(self, name: str, type: str) -> ExistingRecord | None:
        return next((r for r in self.records if r.name == name and r.type == type), None)
