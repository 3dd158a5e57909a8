"""What `validate`, `verify` and `check` find: plain data that every output format reads.

The diff is data (status, expected, live, findings); text, JSON, Markdown and JUnit are
separate formatters over it (`formats`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
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
    changes: tuple[Change, ...] = ()
    """For a record that apply changes: what changes, SPF term by term, DMARC tag by tag."""


@dataclass(frozen=True)
class Change:
    """One difference between what is live and what apply leaves (`meaning.value_changes`)."""

    op: str
    """`added`, `removed` or `changed`."""
    kind: str
    """`spf-term`, `dmarc-tag` or `value` (a whole TXT value or CNAME target)."""
    old: str | None = None
    new: str | None = None

    def text(self) -> str:
        """`+ include:x`, `- p=reject`, `~ ~all -> -all`."""
        if self.op == "added":
            return f"+ {self.new}"
        if self.op == "removed":
            return f"- {self.old}"
        return f"~ {self.old} -> {self.new}"


@dataclass(frozen=True)
class Allowance:
    """`--allow CODE[:NAME]`: a finding the user means to accept (a removal they intend)."""

    code: str
    name: str = ""
    """The finding's name or its sending domain; "" for every finding with the code."""

    def __str__(self) -> str:
        return f"{self.code}:{self.name}" if self.name else self.code

    def matches(self, finding: Finding, domain: str) -> bool:
        return finding.code == self.code and self.name in ("", finding.name, domain)


@dataclass(frozen=True)
class AllowedFinding:
    """A finding `--allow` accepted: not an error, but listed in every report."""

    finding: Finding
    allowance: Allowance


@dataclass(frozen=True)
class DomainReport:
    domain: str
    zone: str
    records: tuple[RecordResult, ...]
    findings: tuple[Finding, ...] = ()
    root: str = ""
    """The Terraform root (or input) it came from, when one run reads several."""
    allowed: tuple[AllowedFinding, ...] = ()
    """Findings `--allow` accepted (no longer in `findings`)."""


@dataclass(frozen=True)
class Report:
    """The result of one run over one or more domains."""

    domains: tuple[DomainReport, ...]
    command: str = "validate"
    """`validate`, `verify` or `check`: formats word their headline by it."""
    findings: tuple[Finding, ...] = field(default=())
    """Run-wide findings not tied to one domain (for example a server that never answered)."""
    allowed: tuple[AllowedFinding, ...] = field(default=())
    """Run-wide findings `--allow` accepted."""

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

    def roots(self) -> tuple[str, ...]:
        """The Terraform roots (or inputs) of the run in order, when it read several; else ()."""
        return tuple(dict.fromkeys(d.root for d in self.domains if d.root))

    def section(self, root: str) -> Report:
        """The part of the report from one root (its domains; run-wide findings stay in the whole)."""
        return Report(domains=tuple(d for d in self.domains if d.root == root), command=self.command)
    def allowed_count(self) -> int:
        """How many findings --allow accepted (not in the summary: its keys are the documented JSON shape, docs/design.md)."""
        return sum(len(d.allowed) for d in self.domains) + len(self.allowed)

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


# --------------------------------------------------------------------------- --allow

_CODE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_LABEL = re.compile(r"(?:\*|[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)")


def parse_allowance(text: str, codes: Iterable[str]) -> Allowance:
    """`CODE[:NAME]` from the command line; ValueError saying what is wrong.

    CODE must be one of `codes`; NAME, when given, a DNS name (lower-cased, no trailing dot).
    """
    code, colon, name = text.strip().partition(":")
    code = code.strip().lower()
    known = sorted(set(codes))
    if not code:
        raise ValueError(f"{text!r}: CODE is empty (expected CODE[:NAME], CODE one of {', '.join(known)})")
    if not _CODE.fullmatch(code) or code not in known:
        raise ValueError(f"{text!r}: unknown finding code {code!r} (expected one of {', '.join(known)})")
    if colon and not name.strip():
        raise ValueError(f"{text!r}: the NAME after ':' is empty (expected CODE:NAME, e.g. {code}:example.com)")
    name = name.strip().lower().rstrip(".")
    if colon and (len(name) > 253 or not all(_LABEL.fullmatch(label) for label in name.split("."))):
        raise ValueError(f"{text!r}: {name!r} is not a DNS name (expected CODE:NAME, e.g. {code}:example.com)")
    return Allowance(code, name)


def allow(report: Report, allowances: Iterable[Allowance]) -> Report:
    """The report with every finding an allowance matches moved to `allowed` (first match wins)."""
    rules = tuple(allowances)
    if not rules:
        return report

    def split(findings: tuple[Finding, ...], domain: str) -> tuple[tuple[Finding, ...], tuple[AllowedFinding, ...]]:
        kept: list[Finding] = []
        accepted: list[AllowedFinding] = []
        for finding in findings:
            rule = next((r for r in rules if r.matches(finding, domain)), None)
            if rule is None:
                kept.append(finding)
            else:
                accepted.append(AllowedFinding(finding, rule))
        return tuple(kept), tuple(accepted)

    domains = []
    for d in report.domains:
        kept, accepted = split(d.findings, d.domain)
        domains.append(replace(d, findings=kept, allowed=d.allowed + accepted))
    kept, accepted = split(report.findings, "")
    return replace(report, domains=tuple(domains), findings=kept, allowed=report.allowed + accepted)


def unused(report: Report, allowances: Iterable[Allowance]) -> tuple[Allowance, ...]:
    """The allowances that matched no finding (a mistyped NAME, or nothing to allow)."""
    used = {a.allowance for d in report.domains for a in d.allowed} | {a.allowance for a in report.allowed}
    return tuple(a for a in dict.fromkeys(allowances) if a not in used)
