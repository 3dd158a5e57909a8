"""What every format says the same way: the verdict and the words for values."""

from __future__ import annotations

import re

from ..report import AllowedFinding, Finding, RecordResult, Report, Severity, Status

# C0 controls and DEL: live TXT data may hold them; a terminal or a page must not act on them.
_CONTROL = re.compile("[\x00-\x1f\x7f]")


def printable(text: str) -> str:
    """Control characters shown as `\\xNN`, so values from DNS cannot drive a terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def passed(report: Report) -> bool:
    """The command's verdict: `verify` and `check` need every record in sync; `validate`, a safe apply."""
    if report.command in ("verify", "check"):
        return report.all_in_sync()
    return report.safe_to_apply()


def headline(report: Report) -> str:
    """One line: the command and its verdict, with what stands in the way."""
    summary = report.summary()
    if report.command == "check":
        return _check_headline(report)
    if report.command == "verify":
        if passed(report):
            n = summary["records"]
            return f"verify: {'the' if n == 1 else f'all {n}'} record{'s are' if n != 1 else ' is'} live on every authoritative server"
        not_yet = summary["records"] - summary[Status.IN_SYNC.value]
        parts = [f"{not_yet} of {summary['records']} records not in sync"] if not_yet else []
    else:
        if passed(report):
            return f"{report.command}: safe to apply{allowed_note(report)}"
        parts = [_count(summary[Status.CONFLICT.value], "conflict")] if summary[Status.CONFLICT.value] else []
    if summary["errors"]:
        parts.append(_count(summary["errors"], "error"))
    verdict = "not all records are live" if report.command == "verify" else "NOT safe to apply"
    return f"{report.command}: {verdict} ({', '.join(parts)})"


def allowed_note(report: Report) -> str:
    """` (2 findings allowed by --allow)`, or "" when --allow accepted nothing."""
    n = report.allowed_count()
    return f" ({_count(n, 'finding')} allowed by --allow)" if n else ""


def all_allowed(report: Report) -> list[tuple[str, AllowedFinding]]:
    """(domain or "", allowed finding) for every finding --allow accepted, run-wide ones first."""
    out = [("", a) for a in report.allowed]
    out.extend((d.domain, a) for d in report.domains for a in d.allowed)
    return out


def change_words(record: RecordResult) -> list[str]:
    """What apply changes in the record, one line each: `+ include:x`, `~ p=reject -> p=none`."""
    return [printable(c.text()) for c in record.changes]


def _check_headline(report: Report) -> str:
    """`check` audits live DNS: are SpotMe's records published, and right?"""
    summary = report.summary()
    if passed(report):
        # A domain checked without its SES tokens: its three SES DKIM CNAMEs were not looked at.
        unchecked = sum(f.code == "ses-dkim-unchecked" for d in report.domains for f in d.findings)
        if unchecked:
            return (
                f"check: the {summary['records']} SpotMe records checked are published and right; "
                f"{3 * unchecked} SES DKIM records not checked ({_count(unchecked, 'domain')} without "
                "--ses-token or --spec)"
            )
        return f"check: all {summary['records']} SpotMe records are published and right"
    wrong = summary["records"] - summary[Status.IN_SYNC.value]
    parts = [f"{wrong} of {summary['records']} records missing or wrong"] if wrong else []
    if summary["errors"]:
        parts.append(_count(summary["errors"], "error"))
    return f"check: problems found ({', '.join(parts)})"


def summary_line(report: Report) -> str:
    """`7 records: 2 in-sync, 5 pending; 1 error, 0 warnings` (zero statuses left out)."""
    summary = report.summary()
    statuses = [f"{summary[s.value]} {s.value}" for s in Status if summary[s.value]]
    domains = _count(summary["domains"], "domain")
    records = _count(summary["records"], "record")
    findings = f"{_count(summary['errors'], 'error')}, {_count(summary['warnings'], 'warning')}"
    return f"{domains}, {records}: {', '.join(statuses) or 'none'}; {findings}"


def record_failed(report: Report, record: RecordResult) -> bool:
    """Whether a record fails the command: any status but in-sync for verify and check, a conflict otherwise."""
    if report.command in ("verify", "check"):
        return record.status is not Status.IN_SYNC
    return record.status is Status.CONFLICT


def finding_failed(finding: Finding) -> bool:
    return finding.severity is Severity.ERROR


def expected_words(record: RecordResult) -> list[str]:
    """The expected values as shown to people."""
    if record.expected is None:
        return ["(known after apply)"]
    if not record.expected:
        return ["(deleted)"]
    return [printable(v) for v in record.expected]


def live_words(record: RecordResult) -> list[str]:
    return [printable(v) for v in record.live] if record.live else ["(none)"]


def all_findings(report: Report) -> list[tuple[str, Finding]]:
    """(domain or "", finding) for every finding, run-wide ones first."""
    out = [("", f) for f in report.findings]
    out.extend((d.domain, f) for d in report.domains for f in d.findings)
    return out


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
