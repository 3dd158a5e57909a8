"""The record model: frozen, normalised DNS records with one identity `(name, type)`.

Names are absolute, lower-case and written without the trailing dot. Values are kept as
whole logical strings (a TXT value is never pre-split: each renderer splits for its provider).
Record sets are sorted, so everything derived from them is byte-for-byte deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

#: RFC 1035 §3.3: one character-string holds at most 255 octets.
TXT_STRING_LIMIT = 255


class RecordType(str, Enum):
    """The DNS record types spotme-dns writes."""

    TXT = "TXT"
    CNAME = "CNAME"

    def __str__(self) -> str:
        return self.value


class Purpose(str, Enum):
    """Why a value is published: used by renderers for resource names and by reports."""

    SPF = "spf"
    DMARC = "dmarc"
    SES_DKIM = "ses-dkim"
    MANDRILL_DKIM = "mandrill-dkim"
    MANDRILL_VERIFY = "mandrill-verify"
    KEPT_TXT = "kept-txt"
    """A TXT value of the customer's, carried along so it is not deleted (Route53 record sets)."""

    def __str__(self) -> str:
        return self.value


def normalize_name(name: str) -> str:
    """Lower-case, no trailing dot: the one spelling of a name used everywhere inside."""
    return name.strip().rstrip(".").lower()


@dataclass(frozen=True, order=True)
class Value:
    """One value of a record, with the reason it is there."""

    text: str
    """The whole logical value: a TXT value unsplit and unquoted, a CNAME target without dot."""
    purpose: Purpose = field(compare=False)


@dataclass(frozen=True)
class Record:
    """One record set: every value of one type at one owner name."""

    name: str
    """Absolute owner name, lower-case, no trailing dot."""
    type: RecordType
    values: tuple[Value, ...]
    """Sorted by purpose, then text; never empty."""
    ttl: int

    @property
    def key(self) -> tuple[str, str]:
        """The identity of a record set."""
        return (self.name, self.type.value)

    @property
    def texts(self) -> tuple[str, ...]:
        """The values' texts, in order."""
        return tuple(v.text for v in self.values)

    def relative_name(self, zone: str) -> str:
        """The owner name relative to `zone` (`@` at the apex)."""
        if self.name == zone:
            return "@"
        suffix = "." + zone
        if self.name.endswith(suffix):
            return self.name[: -len(suffix)]
        return self.name

    @staticmethod
    def make(name: str, type: RecordType, values: list[Value] | tuple[Value, ...], ttl: int) -> Record:
        """Build a record set with a normalised name and sorted, de-duplicated values."""
        unique: dict[str, Value] = {}
        for value in values:
            unique.setdefault(value.text, value)
        ordered = tuple(sorted(unique.values(), key=_value_order))
        if not ordered:
            raise ValueError(f"record {name} {type} has no values")
        if type is RecordType.CNAME and len(ordered) != 1:
            raise ValueError(f"CNAME {name} must have exactly one target")
        return Record(normalize_name(name), type, ordered, ttl)


_PURPOSE_ORDER = {p: i for i, p in enumerate(Purpose)}


def _value_order(value: Value) -> tuple[int, str]:
    # SPF first, then the verification value, then kept values: the order a reviewer expects.
    return (_PURPOSE_ORDER[value.purpose], value.text)


@dataclass(frozen=True)
class DomainRecords:
    """The records one sending domain needs, with where they go."""

    domain: str
    zone: str
    provider: str
    records: tuple[Record, ...]
    """Sorted by (name, type)."""
    notes: tuple[str, ...] = ()
    """Advice found while building (for example the 450-octet SPF size guideline)."""

    def by_key(self) -> dict[tuple[str, str], Record]:
        return {r.key: r for r in self.records}


def name_order(name: str) -> tuple[str, ...]:
    """Sort key for names: labels from the right, so a domain's records stay together."""
    return tuple(reversed(name.split(".")))


def sort_records(records: list[Record] | tuple[Record, ...]) -> tuple[Record, ...]:
    """The one order record sets are kept in: owner name by labels from the right, then type."""
    return tuple(sorted(records, key=lambda r: (name_order(r.name), r.type.value)))


def chunk_txt(value: str, limit: int = TXT_STRING_LIMIT) -> list[str]:
    """Split a logical TXT value into character-strings of at most `limit` octets (UTF-8 safe)."""
    data = value.encode("utf-8")
    if len(data) <= limit:
        return [value]
    parts: list[str] = []
    start = 0
    while start < len(data):
        end = min(start + limit, len(data))
        # Never cut inside a UTF-8 sequence: back up over continuation bytes.
        while end < len(data) and (data[end] & 0xC0) == 0x80:
            end -= 1
        parts.append(data[start:end].decode("utf-8"))
        start = end
    return parts
