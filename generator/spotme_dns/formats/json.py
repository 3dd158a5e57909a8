"""JSON for scripts: exactly the shape of docs/design.md §3, plus a few harmless keys.

Added keys: per record `detail` and `address`; top level `findings` (run-wide, not tied to a
domain), `command` and `ok` (the command's verdict). `expected` is null when the value is
unknown until apply, and [] when the plan deletes the record.
"""

from __future__ import annotations

import json
from typing import Any

from ..report import Finding, Report
from .common import passed


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
                    }
                    for r in d.records
                ],
                "findings": [_finding(f) for f in d.findings],
            }
            for d in report.domains
        ],
        "summary": report.summary(),
        "findings": [_finding(f) for f in report.findings],
        "command": report.command,
        "ok": passed(report),
    }


def _finding(finding: Finding) -> dict[str, str]:
    return {"severity": finding.severity.value, "code": finding.code, "name": finding.name, "message": finding.message}


def render(report: Report, *, color: bool = False) -> str:
    """Indented, key order as in docs/design.md, non-ASCII kept, ending with a newline."""
    return json.dumps(document(report), indent=2, ensure_ascii=False) + "\n"
