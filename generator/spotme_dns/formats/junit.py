"""JUnit XML for CI: one testcase per record and per check finding, a suite per domain.

Failures: for `verify` and `check` every record not in sync; for `validate` conflicts. Error
findings fail in both; warnings and info pass with their message in system-out. A domain
without findings gets one passing `checks` testcase. Records unknown until apply are skipped
in `validate`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..report import AllowedFinding, Finding, RecordResult, Report, Status
from .common import change_words, expected_words, finding_failed, headline, live_words, record_failed

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def render(report: Report, *, color: bool = False) -> str:
    root = ET.Element("testsuites", name=_clean(f"spotme-dns {headline(report)}"))
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for domain in report.domains:
        suite = ET.SubElement(root, "testsuite", name=_clean(f"{domain.root}: {domain.domain}" if domain.root else domain.domain))
        counts = {"tests": 0, "failures": 0, "skipped": 0}
        for record in domain.records:
            _record_case(suite, report, domain.domain, record, counts)
        for finding in domain.findings:
            _finding_case(suite, domain.domain, finding, counts)
        for allowed in domain.allowed:
            _allowed_case(suite, domain.domain, allowed, counts)
        if not domain.findings and not domain.allowed:
            ET.SubElement(suite, "testcase", classname=_clean(f"{domain.domain}.checks"), name="checks")
            counts["tests"] += 1
        _set_counts(suite, counts, totals)
    if report.findings or report.allowed:
        suite = ET.SubElement(root, "testsuite", name="run")
        counts = {"tests": 0, "failures": 0, "skipped": 0}
        for finding in report.findings:
            _finding_case(suite, "run", finding, counts)
        for allowed in report.allowed:
            _allowed_case(suite, "run", allowed, counts)
        _set_counts(suite, counts, totals)
    _set_counts(root, totals, None)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _record_case(suite: ET.Element, report: Report, domain: str, record: RecordResult, counts: dict[str, int]) -> None:
    case = ET.SubElement(suite, "testcase", classname=_clean(f"{domain}.records"), name=_clean(f"{record.type} {record.name}"))
    counts["tests"] += 1
    body = _clean(
        "expected: " + " | ".join(expected_words(record)) + "\nlive: " + " | ".join(live_words(record))
        + (f"\n{record.detail}" if record.detail else "")
        + "".join(f"\n{line}" for line in change_words(record))
    )
    if record_failed(report, record):
        failure = ET.SubElement(case, "failure", type=record.status.value, message=_clean(f"{record.status.value}: {record.detail or record.name}"))
        failure.text = body
        counts["failures"] += 1
    elif record.status is Status.UNKNOWN and report.command != "verify":
        ET.SubElement(case, "skipped", message=_clean(record.detail or "not known until apply"))
        counts["skipped"] += 1
    else:
        ET.SubElement(case, "system-out").text = _clean(f"{record.status.value}\n{body}")


def _finding_case(suite: ET.Element, domain: str, finding: Finding, counts: dict[str, int]) -> None:
    case = ET.SubElement(suite, "testcase", classname=_clean(f"{domain}.checks"), name=_clean(f"{finding.code} {finding.name}"))
    counts["tests"] += 1
    if finding_failed(finding):
        failure = ET.SubElement(case, "failure", type=finding.code, message=_clean(finding.message))
        failure.text = _clean(f"{finding.severity.value} {finding.code} {finding.name}: {finding.message}")
        counts["failures"] += 1
    else:
        ET.SubElement(case, "system-out").text = _clean(f"{finding.severity.value}: {finding.message}")


def _allowed_case(suite: ET.Element, domain: str, allowed: AllowedFinding, counts: dict[str, int]) -> None:
    """A finding --allow accepted: skipped (listed, not failed), saying which --allow and why."""
    finding = allowed.finding
    case = ET.SubElement(suite, "testcase", classname=_clean(f"{domain}.checks"), name=_clean(f"{finding.code} {finding.name}"))
    counts["tests"] += 1
    ET.SubElement(case, "skipped", message=_clean(f"allowed by --allow {allowed.allowance}: {finding.message}"))
    counts["skipped"] += 1


def _set_counts(element: ET.Element, counts: dict[str, int], totals: dict[str, int] | None) -> None:
    element.set("tests", str(counts["tests"]))
    element.set("failures", str(counts["failures"]))
    element.set("errors", "0")
    element.set("skipped", str(counts["skipped"]))
    if totals is not None:
        for key in totals:
            totals[key] += counts[key]


def _clean(text: str) -> str:
    """XML 1.0 cannot hold most control characters: show them escaped."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
