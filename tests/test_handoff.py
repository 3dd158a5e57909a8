"""The hand-off page (HANDOFF.md / HANDOFF.html) an IT team receives with the records."""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from spotme_dns import handoff
from spotme_dns.handoff import HandoffFormat, render_handoff, render_html, render_markdown
from spotme_dns.model import Purpose
from spotme_dns.records import build_records
from spotme_dns.spec import load_spec, parse_spec_text

GOLDEN = Path(__file__).resolve().parent / "golden"
GOLDEN_SPEC = GOLDEN / "handoff-spec.yaml"
GOLDEN_MD = GOLDEN / "HANDOFF.md"

TOKENS = ("abcdefghijklmnop0123456789abcdef", "bbcdefghijklmnop0123456789abcdef", "cbcdefghijklmnop0123456789abcdef")


def _records(text: str):
    spec = parse_spec_text(text, "spec.yaml")
    return build_records(spec.domains[0])


def _spec(domain: str = "acme-events.com", extra: str = "", mandrill: str = "") -> str:
    return f"""
version: 1
domains:
  - domain: {domain}
    ses:
      dkim_tokens: [{", ".join(TOKENS)}]
    mandrill:
      verification: mandrill_verify.Key123456
{mandrill}
{extra}
"""


@pytest.fixture(scope="module")
def golden_records():
    return build_records(load_spec([str(GOLDEN_SPEC)]).domains[0])


# --------------------------------------------------------------------------- Markdown


def test_golden_handoff_md(golden_records):
    """HANDOFF.md for the golden spec is byte for byte the committed file."""
    text = render_markdown(golden_records, spec_file="spec.yaml")
    if os.environ.get("SPOTME_UPDATE_GOLDEN"):
        GOLDEN_MD.write_text(text, encoding="utf-8", newline="")
    assert text == GOLDEN_MD.read_text(encoding="utf-8")


def _table_rows(markdown: str) -> list[list[str]]:
    """The body rows of the records table, cells unwrapped from code spans and unescaped."""
    lines = markdown.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| # | Name |"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        rows.append([_unwrap(c.replace("\\|", "|")) for c in cells])
    return rows


def _unwrap(cell: str) -> str:
    match = re.fullmatch(r"(`+)( ?)(.*?)\2\1", cell, re.S)
    return match.group(3) if match else cell


def test_table_holds_every_value_whole(golden_records):
    """One table row per value: name, host, type, TTL and the whole value as typed."""
    rows = _table_rows(render_markdown(golden_records))
    expected = [
        (r.name, r.relative_name(golden_records.zone), r.type.value, str(r.ttl), v.text)
        for r in handoff._reading_order(golden_records.records)
        for v in r.values
    ]
    assert [tuple(row[1:6]) for row in rows] == expected
    assert [row[0] for row in rows] == [str(i) for i in range(1, len(expected) + 1)]
    spf = next(row for row in rows if row[6] == "SPF")
    assert len(spf[5]) > 255, "the golden SPF value is long and still shown whole"


def test_long_spf_value_shown_as_typed_strings(golden_records):
    """A TXT value over 255 octets is also given as quoted strings that join back to it."""
    text = render_markdown(golden_records)
    spf = next(v.text for r in golden_records.records for v in r.values if v.purpose is Purpose.SPF)
    block = re.search(r"on one line:\n\n```text\n(.*?)\n```", text, re.S).group(1)
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', block)
    assert len(parts) == 2 and all(len(p.encode()) <= 255 for p in parts)
    assert "".join(parts) == spf


@pytest.mark.parametrize(
    "needle",
    [
        "support@spotme.com",
        "whitelist",
        "Eventspace mobile app",
        "SPF (Sender Policy Framework)",
        "DMARC (Domain-based Message Authentication, Reporting and Conformance)",
        "DKIM (DomainKeys Identified Mail)",
        "The same, for Mailchimp Transactional (Mandrill)",
        "proves to Mailchimp Transactional (Mandrill) that you control the domain",
        "exactly one SPF record",
        "`v=DMARC1; p=none;`",
        "spotme-dns verify --spec spec.yaml",
        "dkim.eu-south-1.amazonses.com",
        "`p=quarantine`",
        "`include:_spf.google.com`",
        "(and 1 existing value to keep)",
        "**8 DNS records**",
    ],
    ids=lambda s: s[:32],
)
def test_golden_page_explains(golden_records, needle):
    """The page says what each record is for and how to check, after the source article."""
    assert needle in render_markdown(golden_records, spec_file="spec.yaml")


def test_check_command_carries_the_ses_tokens(golden_records):
    """The `spotme-dns check` line names the domain and its three SES tokens."""
    text = render_markdown(golden_records)
    line = next(row for row in text.splitlines() if row.startswith("spotme-dns check "))
    assert line.split()[2] == "mail.acme-events.com"
    assert re.findall(r"--ses-token (\S+)", line) == [
        "4ylvbt5kwqzxcn3rjdhmpg7fsa2uoie6", "q7xm2nk5cw4vjzg3bd6rthfyl8spoae1", "zt3hs6qk8mvwx2ncjg5brpd7ylf4eoa9",
    ]


def test_apex_domain_host_is_at_sign():
    """At the zone apex the host column says `@`; no kept-values section without kept values."""
    rows = _table_rows(render_markdown(_records(_spec())))
    assert rows[0][1:3] == ["acme-events.com", "@"]
    assert rows[1][1:3] == ["acme-events.com", "@"]
    assert rows[2][1:3] == ["_dmarc.acme-events.com", "_dmarc"]
    text = render_markdown(_records(_spec()))
    assert "your existing value: keep it" not in text and "existing value to keep" not in text
    assert "**8 DNS records**" in text


def test_without_mandrill_dkim():
    """`mandrill.dkim: false`: no mte1/mte2 rows and no Mailchimp DKIM section."""
    text = render_markdown(_records(_spec(mandrill="      dkim: false")))
    assert "mte1" not in text and "DKIM keys for Mailchimp" not in text
    assert "mandrill_verify.Key123456" in text
    assert len(_table_rows(text)) == 6


def test_awkward_values_stay_literal():
    """Pipes, backticks and markup in a kept TXT value survive the table unchanged."""
    value = "a|b `c` *d* <e> \\f"
    text = render_markdown(_records(_spec(extra=f"    keep_txt: ['{value}']")))
    kept = next(row for row in _table_rows(text) if row[6].startswith("your existing value"))
    assert kept[5] == value


def test_deterministic_and_path_free(golden_records):
    """Same input, same bytes; no dates and no absolute paths in the page."""
    first = render_markdown(golden_records, spec_file="spec.yaml")
    assert first == render_markdown(golden_records, spec_file="spec.yaml")
    assert str(GOLDEN) not in first
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", first)


# --------------------------------------------------------------------------- HTML


class _Page(HTMLParser):
    """Collects tags, attributes, text and table cells of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)
        if tag not in ("meta", "br"):
            self.stack.append(tag)
        if tag == "tr":
            self.rows.append([])
        if tag == "td":
            self._cell = []

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1] if self.stack else None}>"
        self.stack.pop()
        if tag == "td" and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def _parse(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    page.close()
    assert page.stack == [], "every element is closed"
    return page


def test_html_is_one_self_contained_page(golden_records):
    """Well nested, inline CSS only: no scripts, no links, no external references."""
    text = render_html(golden_records)
    assert text.startswith("<!DOCTYPE html>\n")
    page = _parse(text)
    assert page.tags.count("html") == 1 and page.tags.count("style") == 1
    assert not {"script", "link", "img", "iframe", "object", "a"} & set(page.tags)
    assert not [name for name, _ in page.attrs if name in ("src", "href")]
    assert "http://" not in text and "https://" not in text and "@import" not in text


def test_html_says_the_same_as_markdown(golden_records):
    """Same table rows, same notes, same commands as the Markdown page."""
    page = _parse(render_html(golden_records))
    md_rows = _table_rows(render_markdown(golden_records))
    html_rows = [row for row in page.rows if row]
    assert html_rows == md_rows
    text = "".join(page.text)
    for needle in ("support@spotme.com", "whitelist", "spotme-dns verify --spec spec.yaml", "spotme-dns check mail.acme-events.com"):
        assert needle in text


def test_html_escapes_values():
    """Markup in a value is shown as text, never interpreted."""
    value = '<script>alert("x")</script> & more'
    text = render_html(_records(_spec(extra=f"    keep_txt: ['{value}']")))
    assert "<script>" not in text
    page = _parse(text)
    assert "script" not in page.tags
    kept = next(row for row in page.rows if row and row[6].startswith("your existing value"))
    assert kept[5] == value


def test_render_handoff_picks_format(golden_records):
    """`render_handoff` dispatches on the format; file names follow it."""
    assert render_handoff(golden_records, handoff_format=HandoffFormat.HTML).startswith("<!DOCTYPE html>")
    assert render_handoff(golden_records).startswith("# E-mail DNS records for `mail.acme-events.com`")
    assert HandoffFormat("md").filename == "HANDOFF.md"
    assert HandoffFormat("html").filename == "HANDOFF.html"


def test_internationalised_domain_shows_both_spellings():
    """An IDN domain: the A-label everywhere records are typed, the Unicode name for people."""
    text = render_markdown(_records(_spec(domain="bücher.example")))
    assert text.startswith("# E-mail DNS records for `xn--bcher-kva.example` (bücher.example)\n")
    assert "`xn--bcher-kva.example` is how DNS spells bücher.example (IDNA)" in text
    assert all("bücher" not in row[1] for row in _table_rows(text))


@pytest.mark.parametrize(("flags", "written", "absent"), [((), "HANDOFF.md", "HANDOFF.html"), (("--handoff-format", "html"), "HANDOFF.html", "HANDOFF.md")], ids=["md", "html"])
def test_generate_writes_the_handoff(tmp_path, flags, written, absent):
    """generate puts the page in every domain folder, in the format asked for, naming the spec file."""
    from click.testing import CliRunner

    from spotme_dns.cli.app import cli

    spec = tmp_path / "fleet.yaml"
    spec.write_text(_spec() + "  - domain: other.test\n    provider: generic\n    ses:\n"
                    f"      dkim_tokens: [{', '.join(TOKENS)}]\n    mandrill:\n      verification: mandrill_verify.Key654321\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["-q", "generate", str(spec), "-o", str(out), *flags])
    assert result.exit_code == 0, result.output
    for domain in ("acme-events.com", "other.test"):
        page = (out / domain / written).read_text(encoding="utf-8")
        assert "spotme-dns verify --spec fleet.yaml" in page
        assert not (out / domain / absent).exists()
    records = build_records(load_spec([str(spec)]).domains[0])
    expected = render_handoff(records, handoff_format=HandoffFormat(written.rsplit(".", 1)[1]), spec_file="fleet.yaml")
    assert (out / "acme-events.com" / written).read_text(encoding="utf-8") == expected


def test_page_says_how_to_apply_the_terraform_and_check_without_spotme_dns(golden_records):
    """The folder is Terraform: apply from the root; checking needs only dig; one name for Mandrill."""
    text = render_markdown(golden_records, spec_file="spec.yaml")
    apply = text.split("## Adding them with Terraform")[1].split("\n## ")[0]
    assert "apply from the folder above it" in apply and "never from this folder" in apply
    assert "terraform init\nterraform plan -out=tfplan" in apply and "terraform apply tfplan" in apply
    check = text.split("## Checking afterwards")[1]
    assert check.index("dig +short TXT mail.acme-events.com") < check.index("spotme-dns verify")
    assert "No special tool is needed" in check
    mentions = re.findall(r"Mailchimp Transactional(?: \(Mandrill\))?|Mandrill", text)
    assert mentions and set(mentions) == {"Mailchimp Transactional (Mandrill)"}, set(mentions)
