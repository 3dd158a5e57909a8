"""The four output formats over one hand-made Report: JSON shape key by key, JUnit parsed as
XML, Markdown as a pull-request comment, text with colour only when asked."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

import click
import jsonschema
import pytest

from spotme_dns.cli.validate import use_color
from spotme_dns.formats import FORMATS, render
from spotme_dns.report import DomainReport, Finding, RecordResult, Report, Severity, Status

SPF = "v=spf1 include:_spf.spotme.com -all"

RECORDS = (
    RecordResult("acme.test", "TXT", (SPF, "mandrill_verify.k"), (SPF,), Status.DIFFERS, "live values differ", "aws_route53_record.txt"),
    RecordResult("_dmarc.acme.test", "TXT", ("v=DMARC1; p=none;",), (), Status.PENDING, "not live on any server"),
    RecordResult("s1._domainkey.acme.test", "CNAME", ("s1.dkim.amazonses.com",), ("s1.dkim.amazonses.com",), Status.IN_SYNC),
    RecordResult("s2._domainkey.acme.test", "CNAME", None, (), Status.UNKNOWN, "the value is not known until apply"),
    RecordResult("old._domainkey.acme.test", "CNAME", (), ("old.example",), Status.PENDING, "the plan deletes it; still live"),
    RecordResult("pipe.acme.test", "TXT", ("a|b `c` <d>",), ("x\x01y",), Status.CONFLICT, "deletes \"x\x01y\""),
)
FINDINGS = (
    Finding(Severity.ERROR, "spf-too-many-lookups", "acme.test", "11 DNS-querying terms (RFC 7208 §4.6.4 allows 10)"),
    Finding(Severity.WARNING, "dmarc-rua-unauthorized", "_dmarc.acme.test", "reports to example.net are not authorised"),
    Finding(Severity.INFO, "spf-size-advisory", "acme.test", "TXT data near 450 octets"),
)


def report(command: str = "validate", **kw) -> Report:
    domains = (
        DomainReport("acme.test", "acme.test", RECORDS, FINDINGS),
        DomainReport("news.acme.test", "acme.test", (RecordResult("news.acme.test", "TXT", (SPF,), (SPF,), Status.IN_SYNC),)),
    )
    return Report(domains, command, kw.get("findings", (Finding(Severity.WARNING, "unknown-name", "aws_route53_record.x", "name unknown"),)))


def clean_report(command: str) -> Report:
    """Everything in sync, no findings: the passing case."""
    return Report((DomainReport("ok.test", "ok.test", (RecordResult("ok.test", "TXT", (SPF,), (SPF,), Status.IN_SYNC),)),), command)


# --------------------------------------------------------------------------- JSON

DESIGN_SCHEMA = {
    "type": "object",
    "required": ["domains", "summary"],
    "properties": {
        "domains": {"type": "array", "items": {
            "type": "object",
            "required": ["domain", "zone", "records", "findings"],
            "additionalProperties": False,
            "properties": {
                "domain": {"type": "string"},
                "zone": {"type": "string"},
                "records": {"type": "array", "items": {
                    "type": "object",
                    "required": ["name", "type", "expected", "live", "status"],
                    "properties": {
                        "name": {"type": "string"},
                        "type": {"type": "string"},
                        "expected": {"type": ["array", "null"], "items": {"type": "string"}},
                        "live": {"type": "array", "items": {"type": "string"}},
                        "status": {"enum": ["in-sync", "pending", "differs", "conflict", "unknown"]},
                    },
                }},
                "findings": {"type": "array", "items": {"$ref": "#/$defs/finding"}},
            },
        }},
        "summary": {"type": "object", "additionalProperties": False,
                    "required": ["domains", "records", "in-sync", "pending", "differs", "conflict", "unknown", "errors", "warnings"],
                    "properties": {k: {"type": "integer"} for k in ["domains", "records", "in-sync", "pending", "differs", "conflict", "unknown", "errors", "warnings"]}},
    },
    "$defs": {"finding": {
        "type": "object", "additionalProperties": False,
        "required": ["severity", "code", "name", "message"],
        "properties": {"severity": {"enum": ["error", "warning", "info"]}, "code": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"},
                       "name": {"type": "string"}, "message": {"type": "string"}},
    }},
}


def test_json_matches_the_design_shape() -> None:
    """The JSON validates against docs/design.md §3's shape (extra keys only where harmless)."""
    doc = json.loads(render(report(), "json"))
    jsonschema.validate(doc, DESIGN_SCHEMA)


def test_json_key_by_key() -> None:
    """Every key and value of one domain, one record, one finding and the summary."""
    doc = json.loads(render(report(), "json"))
    assert list(doc)[:2] == ["domains", "summary"]
    assert set(doc) == {"domains", "summary", "findings", "allowed", "command", "ok"}
    domain = doc["domains"][0]
    assert list(domain) == ["domain", "zone", "records", "findings"]
    assert (domain["domain"], domain["zone"]) == ("acme.test", "acme.test")
    first = domain["records"][0]
    assert list(first)[:5] == ["name", "type", "expected", "live", "status"]
    assert first == {
        "name": "acme.test", "type": "TXT", "expected": [SPF, "mandrill_verify.k"], "live": [SPF],
        "status": "differs", "detail": "live values differ", "address": "aws_route53_record.txt", "changes": [],
    }
    assert domain["findings"][0] == {
        "severity": "error", "code": "spf-too-many-lookups", "name": "acme.test",
        "message": "11 DNS-querying terms (RFC 7208 §4.6.4 allows 10)",
    }
    assert doc["summary"] == {
        "domains": 2, "records": 7, "in-sync": 2, "pending": 2, "differs": 1, "conflict": 1,
        "unknown": 1, "errors": 1, "warnings": 2,
    }
    assert list(doc["summary"]) == ["domains", "records", "in-sync", "pending", "differs", "conflict", "unknown", "errors", "warnings"]
    assert doc["findings"] == [{"severity": "warning", "code": "unknown-name", "name": "aws_route53_record.x", "message": "name unknown"}]
    assert (doc["command"], doc["ok"]) == ("validate", False)


def test_json_expected_is_null_when_unknown_and_empty_for_a_delete() -> None:
    """Unknown until apply -> null; deleted by the plan -> []."""
    records = {r["name"]: r for r in json.loads(render(report(), "json"))["domains"][0]["records"]}
    assert records["s2._domainkey.acme.test"]["expected"] is None
    assert records["old._domainkey.acme.test"]["expected"] == []
    assert records["_dmarc.acme.test"]["live"] == []


def test_json_keeps_non_ascii_and_ends_with_a_newline() -> None:
    """UTF-8 text as is (§ stays §), one trailing newline."""
    text = render(report(), "json")
    assert "RFC 7208 §4.6.4" in text and text.endswith("}\n")


@pytest.mark.parametrize("command", ["validate", "verify"])
def test_json_ok_follows_the_command(command: str) -> None:
    """`ok` is the command's verdict: safe to apply, or all in sync."""
    assert json.loads(render(clean_report(command), "json"))["ok"] is True


# --------------------------------------------------------------------------- JUnit


def parse_junit(text: str) -> ET.Element:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(text.encode("utf-8"))


def cases(root: ET.Element) -> dict[str, ET.Element]:
    return {f"{c.get('classname')}::{c.get('name')}": c for c in root.iter("testcase")}


def test_junit_one_testcase_per_record_and_per_finding() -> None:
    """A suite per domain (+ run); a testcase per record and per finding; counts add up."""
    root = parse_junit(render(report(), "junit"))
    assert root.tag == "testsuites"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == ["acme.test", "news.acme.test", "run"]
    assert len(suites["acme.test"].findall("testcase")) == len(RECORDS) + len(FINDINGS)
    assert int(root.get("tests")) == len(list(root.iter("testcase")))
    assert int(root.get("failures")) == sum(int(s.get("failures")) for s in suites.values())
    # A domain without findings still gets a (passing) testcase for its checks.
    assert "news.acme.test.checks::checks" in cases(root)


def test_junit_validate_fails_conflicts_and_errors_skips_unknown() -> None:
    """validate: conflict and error findings fail; pending/differs pass; unknown is skipped."""
    got = cases(parse_junit(render(report("validate"), "junit")))
    assert got["acme.test.records::TXT pipe.acme.test"].find("failure").get("type") == "conflict"
    assert got["acme.test.checks::spf-too-many-lookups acme.test"].find("failure") is not None
    assert got["acme.test.checks::dmarc-rua-unauthorized _dmarc.acme.test"].find("failure") is None
    assert got["acme.test.records::TXT _dmarc.acme.test"].find("failure") is None
    assert got["acme.test.records::CNAME s2._domainkey.acme.test"].find("skipped") is not None
    root = parse_junit(render(report("validate"), "junit"))
    assert (root.get("failures"), root.get("skipped")) == ("2", "1")


def test_junit_verify_fails_everything_not_in_sync() -> None:
    """verify: every record that is not in-sync is a failure."""
    root = parse_junit(render(report("verify"), "junit"))
    failed = {c.get("name") for c in root.iter("testcase") if c.find("failure") is not None and c.get("classname").endswith(".records")}
    assert failed == {f"{r.type} {r.name}" for r in RECORDS if r.status is not Status.IN_SYNC}


def test_junit_escapes_what_xml_cannot_hold() -> None:
    """Markup characters are escaped, control characters shown as \\xNN: the XML still parses."""
    got = cases(parse_junit(render(report(), "junit")))
    failure = got["acme.test.records::TXT pipe.acme.test"].find("failure")
    assert "a|b `c` <d>" in failure.text and "x\\x01y" in failure.text


def test_junit_all_green_for_a_clean_verify() -> None:
    """Nothing failing: zero failures."""
    root = parse_junit(render(clean_report("verify"), "junit"))
    assert (root.get("tests"), root.get("failures")) == ("2", "0")


# --------------------------------------------------------------------------- Markdown


def test_markdown_headline_tables_and_findings() -> None:
    """A ❌ headline, a table per domain with one row per record, findings as a list."""
    text = render(report(), "markdown")
    lines = text.splitlines()
    assert lines[0] == "### ❌ spotme-dns validate: NOT safe to apply (1 conflict, 1 error)"
    assert "#### <code>acme.test</code>" in lines
    assert "#### <code>news.acme.test</code> (zone <code>acme.test</code>)" in lines
    assert lines.count("| Status | Type | Name | Expected | Live | Detail |") == 2
    rows = [line for line in lines if line.startswith("| ") and "Status" not in line]
    assert len(rows) == len(RECORDS) + 1
    assert "| ⏳ pending | TXT | <code>_dmarc.acme.test</code> | <code>v=DMARC1; p=none;</code> | (none) | not live on any server |" in lines
    assert "- ❌ **error** <code>spf-too-many-lookups</code> <code>acme.test</code>: 11 DNS-querying terms (RFC 7208 §4.6.4 allows 10)" in lines
    assert any(line.startswith("- ⚠️ **warning** <code>unknown-name</code>") for line in lines)


def test_markdown_cells_cannot_break_the_table() -> None:
    """Pipes and HTML in values are escaped inside the cell."""
    text = render(report(), "markdown")
    row = next(line for line in text.splitlines() if "pipe.acme.test" in line)
    assert "<code>a&#124;b `c` &lt;d&gt;</code>" in row
    assert row.count(" | ") == 5


def test_markdown_passing_headline() -> None:
    """A clean run: ✅ and the verdict in words."""
    assert render(clean_report("validate"), "markdown").startswith("### ✅ spotme-dns validate: safe to apply\n")
    assert render(clean_report("verify"), "markdown").startswith(
        "### ✅ spotme-dns verify: the record is live on every authoritative server\n"
    )


# --------------------------------------------------------------------------- text


def test_text_table_per_domain_and_verdict() -> None:
    """A header row, one row per record (extra values on their own lines), details, findings, verdict."""
    text = render(report(), "text")
    lines = text.splitlines()
    assert lines[0] == "acme.test"
    assert lines[1].split() == ["STATUS", "TYPE", "NAME", "EXPECTED", "LIVE"]
    assert lines[2].split()[:3] == ["differs", "TXT", "acme.test"]
    assert lines[3].strip() == "mandrill_verify.k"
    assert "(known after apply)" in text and "(deleted)" in text
    assert "-> the plan deletes it; still live" in text
    assert "\x01" not in text and "x\\x01y" in text  # a control character from DNS is shown, not sent
    assert "    error   spf-too-many-lookups  acme.test: 11 DNS-querying terms" in text
    assert "news.acme.test (zone acme.test)" in lines
    assert lines[-2] == "2 domains, 7 records: 2 in-sync, 2 pending, 1 differs, 1 conflict, 1 unknown; 1 error, 2 warnings"
    assert lines[-1] == "validate: NOT safe to apply (1 conflict, 1 error)"
    assert "\x1b[" not in text


def test_text_colour_only_when_asked() -> None:
    """With colour: ANSI styles on statuses and the verdict; click strips them again when not a terminal."""
    coloured = render(report(), "text", color=True)
    assert click.style("conflict", fg="red", bold=True) in coloured
    assert click.unstyle(coloured) == render(report(), "text")


def test_colour_decision(monkeypatch: pytest.MonkeyPatch) -> None:
    """Colour for text on a terminal; never for other formats, pipes, or with NO_COLOR set."""

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_color("text", Tty()) is True
    assert use_color("json", Tty()) is False
    assert use_color("text", io.StringIO()) is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_color("text", Tty()) is False


def test_every_format_is_registered() -> None:
    """--format offers exactly the four formats."""
    assert list(FORMATS) == ["text", "json", "markdown", "junit"]


def test_text_only_problems_keeps_failures_and_the_whole_summary() -> None:
    """validate's problems: the conflict row, error and warning findings; no in-sync domain."""
    full = render(report("validate"), "text")
    cut = render(report("validate"), "text", only_problems=True)
    assert "pipe.acme.test" in cut and "spf-too-many-lookups" in cut and "dmarc-rua-unauthorized" in cut
    assert "s1._domainkey" not in cut and "spf-size-advisory" not in cut and "news.acme.test" not in cut
    assert "_dmarc.acme.test  " not in cut.split("findings:")[0], "pending is not a problem for validate"
    assert cut.splitlines()[-2:] == full.splitlines()[-2:]
    verify = render(report("verify"), "text", only_problems=True)
    assert "_dmarc.acme.test" in verify, "for verify, anything not in sync is a problem"


def test_text_fits_the_terminal_width() -> None:
    """With a width, every table line fits it; every character of a long value is still shown."""
    long_spf = "v=spf1 " + " ".join(f"ip4:192.0.2.{n}" for n in range(30)) + " include:_spf.spotme.com -all"
    wide = Report((DomainReport("acme.test", "acme.test", (
        RecordResult("acme.test", "TXT", (long_spf,), ("v=spf1 -all",), Status.DIFFERS, "live values differ"),
    )),), "validate")  # fmt: skip
    text = render(wide, "text", width=100)
    table = text.split("\n\n")[0].splitlines()
    assert all(len(line) <= 100 for line in table), max(map(len, table))
    start, end = table[1].index("EXPECTED"), table[1].index("LIVE")
    assert "".join(line[start:end] for line in table[2:] if not line.strip().startswith("->")).replace(" ", "") == long_spf.replace(" ", "")
    assert len(render(wide, "text").split("\n\n")[0].splitlines()[1]) > 300
