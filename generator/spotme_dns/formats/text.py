"""Plain text for people: a table per domain, then findings, then the verdict.

Colour (click.style) only when asked, which the CLI does for a terminal without NO_COLOR.
"""

from __future__ import annotations

import dataclasses

import click

from ..report import AllowedFinding, DomainReport, Finding, Report, Severity, Status
from .common import change_words, expected_words, headline, live_words, passed, printable, record_failed, summary_line

STATUS_COLOURS = {
    Status.IN_SYNC: "green",
    Status.PENDING: "yellow",
    Status.DIFFERS: "yellow",
    Status.CONFLICT: "red",
    Status.UNKNOWN: "magenta",
}
SEVERITY_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
_HEADERS = ("STATUS", "TYPE", "NAME", "EXPECTED", "LIVE")


def render(report: Report, *, color: bool = False, only_problems: bool = False, width: int | None = None) -> str:
    """The whole report as text, ending with a newline.

    `only_problems`: only the records that fail the command and the error and warning
    findings (domains with none are left out); the summary still counts everything.
    `width`: the terminal's columns; EXPECTED and LIVE values are folded to fit it.
    """
    shown = _problems(report) if only_problems else report
    lines: list[str] = []
    roots = report.roots()
    for root in roots or ("",):
        if roots:
            lines.append(click.style(f"== {root}", bold=True) if color else f"== {root}")
            lines.append("")
        for domain in shown.domains:
            if domain.root == root:
                lines.extend(_domain(domain, color, width))
                lines.append("")
        if roots:
            lines.extend([f"{root}: {summary_line(report.section(root))}", ""])
    if shown.findings or shown.allowed:
        lines.append("run:")
        lines.extend(_finding(f, color) for f in shown.findings)
        lines.extend(_allowed(a) for a in shown.allowed)
        lines.append("")
    lines.append(("total: " if roots else "") + summary_line(report))
    verdict = headline(report)
    lines.append(click.style(verdict, fg="green" if passed(report) else "red", bold=True) if color else verdict)
    return "\n".join(lines) + "\n"


def _problems(report: Report) -> Report:
    """Only what fails the command: failing records, error and warning findings."""
    def wanted(finding: Finding) -> bool:
        return finding.severity is not Severity.INFO

    domains = []
    for d in report.domains:
        records = [r for r in d.records if record_failed(report, r)]
        findings = [f for f in d.findings if wanted(f)]
        if records or findings:
            domains.append(dataclasses.replace(d, records=tuple(records), findings=tuple(findings)))
    return dataclasses.replace(report, domains=tuple(domains), findings=tuple(f for f in report.findings if wanted(f)))


def _fold(values: list[str], width: int | None) -> list[str]:
    """Values cut into pieces of at most `width` characters (none cut without a width)."""
    if not width:
        return values
    return [v[i : i + width] for v in values for i in range(0, max(len(v), 1), width)]


def _domain(domain: DomainReport, color: bool, width: int | None = None) -> list[str]:
    title = domain.domain if domain.domain == domain.zone else f"{domain.domain} (zone {domain.zone})"
    lines = [click.style(title, bold=True) if color else title]
    rows = [
        (r.status.value, r.type, r.name, expected_words(r), live_words(r), r.status, r.detail, change_words(r))
        for r in domain.records
    ]
    if width:
        fixed = 2 + max([len(_HEADERS[0]), *(len(row[0]) for row in rows)]) + 2
        fixed += max([len(_HEADERS[1]), *(len(row[1]) for row in rows)]) + 2
        fixed += max([len(_HEADERS[2]), *(len(row[2]) for row in rows)]) + 2
        cell = max(16, (width - fixed - 2) // 2)
        rows = [(a, b, c, _fold(e, cell), _fold(li, cell), st, de, ch) for a, b, c, e, li, st, de, ch in rows]
    widths = [
        max([len(_HEADERS[0]), *(len(row[0]) for row in rows)]),
        max([len(_HEADERS[1]), *(len(row[1]) for row in rows)]),
        max([len(_HEADERS[2]), *(len(row[2]) for row in rows)]),
        max([len(_HEADERS[3]), *(len(v) for row in rows for v in row[3])]),
    ]
    lines.append("  " + "  ".join(h.ljust(w) for h, w in zip(_HEADERS, widths, strict=False)) + "  " + _HEADERS[4])
    for status_word, rdtype, name, expected, live, status, detail, changes in rows:
        height = max(len(expected), len(live))
        for i in range(height):
            cells = [
                status_word if i == 0 else "",
                rdtype if i == 0 else "",
                name if i == 0 else "",
                expected[i] if i < len(expected) else "",
            ]
            padded = [c.ljust(w) for c, w in zip(cells, widths, strict=True)]
            if color and i == 0:
                padded[0] = click.style(padded[0], fg=STATUS_COLOURS[status], bold=status is Status.CONFLICT)
            line = "  " + "  ".join(padded) + "  " + (live[i] if i < len(live) else "")
            lines.append(line.rstrip())
        if detail and status is not Status.IN_SYNC:
            lines.append(" " * (2 + widths[0] + 2) + f"-> {printable(detail)}")
        lines.extend(" " * (2 + widths[0] + 2) + f"   {change}" for change in changes)
    if domain.findings:
        lines.append("  findings:")
        lines.extend(_finding(f, color) for f in domain.findings)
    if domain.allowed:
        lines.append("  allowed by --allow (not errors):")
        lines.extend(_allowed(a) for a in domain.allowed)
    return lines


def _allowed(allowed: AllowedFinding) -> str:
    f = allowed.finding
    return f"    allowed {f.code}  {printable(f.name)}: {printable(f.message)} [--allow {printable(str(allowed.allowance))}]"


def _finding(finding: Finding, color: bool) -> str:
    severity = finding.severity.value.ljust(7)
    if color:
        severity = click.style(severity, fg=SEVERITY_COLOURS[finding.severity])
    return f"    {severity} {finding.code}  {printable(finding.name)}: {printable(finding.message)}"

