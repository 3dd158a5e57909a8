"""What `validate`, `verify` and `check` find: plain data that every output format reads.

The diff is data (status, expected, live, findings); text, JSON, Markdown and JUnit are
separate formatters over it (`formats`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Status(str, Enum):
    """Exactly one per expected record (docs/design.md §3)."""

    IN_SYNC = "in-sync"
    """Live equals expected on every authoritative server."""
    PENDING = "pending"
    """Expected, absent live: apply will create it."""
    DIFFERS = "differs"
    """Present live with other values: apply will change it."""
    CONFLICT = "conflict"
    """Applying would break something (second SPF, CNAME beside other data, deleted values)."""
    UNKNOWN = "unknown"
    """The value is not known until apply."""

    def __str__(self) -> str:
        return self.value


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Finding:
    """One problem or piece of advice, with a stable kebab-case code."""

    severity: Severity
    code: str
    name: str
    """The owner name it is about."""
    message: str


@dataclass(frozen=True)
class RecordResult:
    """One expected record set compared with live DNS."""

    name: str
    type: str
    expected: tuple[str, ...] | None
    """None when unknown until apply; () when the plan deletes the record."""
    live: tuple[str, ...]
    """What the authoritative servers serve (union when they disagree)."""
    status: Status
    detail: str = ""
    """Why this status, in words (for example which server lacks the value)."""
    address: str = ""
    """The Terraform resource address it came from, when known."""


@dataclass(frozen=True)
class DomainReport:
    domain: str
    zone: str
    records: tuple[RecordResult, ...]
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class Report:
    """The result of one run over one or more domains."""

    domains: tuple[DomainReport, ...]
    command: str = "validate"
    """`validate`, `verify` or `check`: formats word their headline by it."""
    findings: tuple[Finding, ...] = field(default=())
    """Run-wide findings not tied to one domain (for example a server that never answered)."""

    def summary(self) -> dict[str, int]:
        """The JSON summary object of docs/design.md §3, in its key order."""
        records = [r for d in self.domains for r in d.records]
        findings = [f for d in self.domains for f in d.findings] + list(self.findings)
        out = {"domains": len(self.domains), "records": len(records)}
        for status in Status:
            out[status.value] = sum(1 for r in records if r.status is status)
        out["errors"] = sum(1 for f in findings if f.severity is Severity.ERROR)
        out["warnings"] = sum(1 for f in findings if f.severity is Severity.WARNING)
        return out

    @property
    def has_errors(self) -> bool:
        return self.summary()["errors"] > 0

    def all_in_sync(self) -> bool:
        """`verify` succeeds only when every record is in-sync and nothing is an error."""
        return all(r.status is Status.IN_SYNC for d in self.domains for r in d.records) and not self.has_errors

    def safe_to_apply(self) -> bool:
        """`validate` succeeds when applying breaks nothing: no conflict, no error finding."""
        return not self.has_errors and not any(
            r.status is Status.CONFLICT for d in self.domains for r in d.records
        )
