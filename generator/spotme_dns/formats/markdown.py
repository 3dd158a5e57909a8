"""Markdown for a pull-request comment: a headline with ✅/❌, a table per domain, findings."""

from __future__ import annotations

import html

from ..report import Report, Severity, Status
from .common import (
    all_allowed,
    all_findings,
    change_words,
    expected_words,
    headline,
    live_words,
    passed,
    printable,
    summary_line,
)

STATUS_MARKS = {
    Status.IN_SYNC: "✅",
    Status.PENDING: "⏳",
    Status.DIFFERS: "✏️",
    Status.CONFLICT: "❌",
    Status.UNKNOWN: "❔",
}
SEVERITY_MARKS = {Severity.ERROR: "❌", Severity.WARNING: "⚠️", Severity.INFO: "ℹ️"}


def render(report: Report, *, color: bool = False) -> str:
    mark = "✅" if passed(report) else "❌"
    lines = [f"### {mark} spotme-dns {headline(report)}", "", summary_line(report), ""]
    roots = report.roots()
    for index, domain in enumerate(report.domains):
        if roots and (index == 0 or report.domains[index - 1].root != domain.root):
            lines += [f"#### root {_code(domain.root)}: {summary_line(report.section(domain.root))}", ""]
        zone = "" if domain.zone == domain.domain else f" (zone {_code(domain.zone)})"
        lines.append(f"#### {_code(domain.domain)}{zone}")
        lines.append("")
        lines.append("| Status | Type | Name | Expected | Live | Detail |")
        lines.append("|---|---|---|---|---|---|")
        for r in domain.records:
            lines.append(
                "| "
                + " | ".join(
                    [
                        f"{STATUS_MARKS[r.status]} {r.status.value}",
                        r.type,
                        _code(r.name),
                        _values(expected_words(r), r.expected is None or not r.expected),
                        _values(live_words(r), not r.live),
                        "<br>".join(_cell(x) for x in [r.detail, *change_words(r)] if x),
                    ]
                )
                + " |"
            )
        lines.append("")
    findings = all_findings(report)
    if findings:
        lines.append("**Findings**")
        lines.append("")
        for domain, f in findings:
            where = f" ({_code(domain)})" if domain and domain != f.name else ""
            lines.append(f"- {SEVERITY_MARKS[f.severity]} **{f.severity.value}** {_code(f.code)} {_code(f.name)}{where}: {_cell(f.message)}")
        lines.append("")
    allowed = all_allowed(report)
    if allowed:
        lines.append("**Allowed by --allow** (not errors)")
        lines.append("")
        for domain, a in allowed:
            f = a.finding
            where = f" ({_code(domain)})" if domain and domain != f.name else ""
            lines.append(f"- ☑️ {_code(f.code)} {_code(f.name)}{where}: {_cell(f.message)} (`--allow {_cell(str(a.allowance))}`)")
        lines.append("")
    return "\n".join(lines)


def _code(text: str) -> str:
    """Inline code safe inside a table cell (pipes and backticks escaped as HTML)."""
    return f"<code>{_cell(text)}</code>"


def _cell(text: str) -> str:
    return html.escape(printable(text), quote=False).replace("|", "&#124;")


def _values(values: list[str], plain: bool) -> str:
    if plain:
        return "<br>".join(_cell(v) for v in values)
    return "<br>".join(_code(v) for v in values)
