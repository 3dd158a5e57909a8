"""JSON for scripts: exactly the shape of docs/design.md §3, plus a few harmless keys.

Added keys: per record `detail`, `address` and `changes` (what apply changes: `{"op":
"added"|"removed"|"changed", "kind": "spf-term"|"dmarc-tag"|"value", "old", "new"}`); top
level `findings` (run-wide, not tied to a domain), `allowed` (findings `--allow` accepted, each
with its `domain`, "" when run-wide, and `allowed_by`; not counted in the summary), `command`
and `ok` (the command's verdict). When one run reads several Terraform roots: per domain
`root`, and top level `roots` (each root with its own summary); `summary` is then the total.
`expected` is null when the value is
unknown until apply, and [] when the plan deletes the record.
"""

from __future__ import annotations

import json
from typing import Any

from ..report import AllowedFinding, Finding, Report
from .common import all_allowed, passed


def document(report: Report) -> dict[str, Any]:
    """The JSON document as Python data."""
    return {
        "domains": [
            {
                "domain": d.domain,
                "zone": d.zone,
                "records": [
                    {
                        "name": r.name,
                        "type": r.type,
                        "expected": None if r.expected is None else list(r.expected),
                        "live": list(r.live),
                        "status": r.status.value,
                        "detail": r.detail,
                        "address": r.address,
                        "changes": [{"op": c.op, "kind": c.kind, "old": c.old, "new": c.new} for c in r.changes],
                    }
                    for r in d.records
                ],
                "findings": [_finding(f) for f in d.findings],
                **({"root": d.root} if d.root else {}),
            }
            for d in report.domains
        ],
        "summary": report.summary(),
        **({"roots": [{"root": r, "summary": report.section(r).summary()} for r in report.roots()]} if report.roots() else {}),
        "findings": [_finding(f) for f in report.findings],
        "allowed": [_allowed(domain, a) for domain, a in all_allowed(report)],
        "command": report.command,
        "ok": passed(report),
    }


def _finding(finding: Finding) -> dict[str, str]:
    return {"severity": finding.severity.value, "code": finding.code, "name": finding.name, "message": finding.message}


def _allowed(domain: str, allowed: AllowedFinding) -> dict[str, str]:
    return {"domain": domain, **_finding(allowed.finding), "allowed_by": str(allowed.allowance)}


def render(report: Report, *, color: bool = False) -> str:
    """Indented, key order as in docs/design.md, non-ASCII kept, ending with a newline."""
    return json.dumps(document(report), indent=2, ensure_ascii=False) + "\n"
