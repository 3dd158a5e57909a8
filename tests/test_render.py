"""Renderers (pure): what each provider's files say, record by record."""

from __future__ import annotations

import re
from pathlib import Path

import dns.rdatatype
import dns.zone
import hcl2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spotme_dns.model import DomainRecords, Purpose, Record, RecordType, Value, chunk_txt
from spotme_dns.records import build_records
from spotme_dns.render import MODULE_RENDERER, PLAIN_RENDERERS, DomainContext
from spotme_dns.render.cloudflare import content
from spotme_dns.render.common import escape_character_string, quoted_txt, record_set_label, txt_strings, value_label
from spotme_dns.render.generic import records_table, zone_file
from spotme_dns.render.module import module_source
from spotme_dns.render.route53 import route53_value
from spotme_dns.spec import DomainSpec, Provider, parse_spec_text
from spotme_dns.zonetext import route53_txt, unquote_txt

REPO = Path(__file__).resolve().parents[1]
TOKENS = ["a" * 31 + "1", "b" * 31 + "2", "c" * 31 + "3"]
LONG = "v" + "x" * 300


def domain_spec(extra: str = "", *, domain: str = "acme.test", provider: str = "route53") -> DomainSpec:
    """One checked DomainSpec from a few lines of YAML."""
    text = (
        "version: 1\n"
        "domains:\n"
        f"  - domain: {domain}\n"
        f"    provider: {provider}\n"
        f"    ses: {{dkim_tokens: [{', '.join(TOKENS)}]}}\n"
        "    mandrill: {verification: mandrill_verify.AbCdEf123}\n"
        + "".join(f"    {line}\n" for line in extra.splitlines() if line)
    )
    return parse_spec_text(text, "spec.yaml").domains[0]


def render(spec: DomainSpec, *, module: bool = False) -> dict[str, str]:
    """The files of the domain folder, by name."""
    renderer = MODULE_RENDERER if module else PLAIN_RENDERERS[spec.provider]
    context = DomainContext(module_name="acme_test", header="Generated for a test.", modules_source="../../terraform/modules")
    return dict(renderer.render(spec, build_records(spec), context).files)


def resources(text: str) -> list[tuple[str, str, dict]]:
    """(type, label, attributes) of every resource block, through python-hcl2."""
    out = []
    for entry in hcl2.loads(text).get("resource", []):
        for rtype, labelled in entry.items():
            for label, body in labelled.items():
                out.append((rtype.strip('"'), label.strip('"'), body))
    return out


def unquote(token: str) -> str:
    """A python-hcl2 string token back to its value (only the escapes the renderers produce)."""
    assert token.startswith('"') and token.endswith('"'), token
    body = token[1:-1].replace("$${", "${").replace("%%{", "%{")
    return re.sub(r'\\(["\\nrt])', lambda m: {"n": "\n", "r": "\r", "t": "\t"}.get(m.group(1), m.group(1)), body)


# --- TXT presentation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "non_ascii", "octal", "expected"),
    [
        pytest.param("v=spf1 -all", True, False, "v=spf1 -all", id="plain"),
        pytest.param('say "hi"', True, False, 'say \\"hi\\"', id="quote"),
        pytest.param("a\\b", True, False, "a\\\\b", id="backslash"),
        pytest.param("é", True, False, "\\195\\169", id="non-ascii-as-decimal-DDD"),
        pytest.param("é", True, True, "\\303\\251", id="non-ascii-as-octal-DDD"),
        pytest.param("é", False, False, "é", id="non-ascii-kept"),
        pytest.param("a\nb", False, False, "a\\010b", id="newline-as-decimal-DDD"),
        pytest.param("a\nb\x7f", True, True, "a\\012b\\177", id="controls-as-octal-DDD"),
        pytest.param('q"b\\', True, True, 'q\\"b\\\\', id="octal-keeps-quote-and-backslash-escapes"),
    ],
)
def test_escape_character_string(text: str, non_ascii: bool, octal: bool, expected: str) -> None:
    """Character-strings use RFC 1035 §5.1 escapes; `\\DDD` is decimal, or Route 53's octal on request."""
    assert escape_character_string(text, escape_non_ascii=non_ascii, octal=octal) == expected


def test_long_values_are_split_at_255_octets() -> None:
    """A 301-octet value becomes strings of 255 and 46 octets, quoted and joined for each format."""
    assert [len(s) for s in txt_strings(LONG, escape_non_ascii=True)] == [255, 46]
    assert quoted_txt(LONG, escape_non_ascii=True) == f'"{LONG[:255]}" "{LONG[255:]}"'
    record = Record.make("acme.test", RecordType.TXT, [Value(LONG, Purpose.KEPT_TXT)], 300)
    assert route53_value(record, LONG) == f'{LONG[:255]}""{LONG[255:]}'


def test_split_never_cuts_a_utf8_sequence() -> None:
    """Multi-octet characters stay whole across the 255-octet boundary."""
    text = "x" + "é" * 200  # 401 octets
    parts = chunk_txt(text)
    assert "".join(parts) == text and all(len(p.encode()) <= 255 for p in parts)


# --- Route 53 -----------------------------------------------------------------------------------


def test_route53_one_resource_per_name_and_type() -> None:
    """SPF, verification and kept values share one TXT resource; every record set is one resource."""
    spec = domain_spec('keep_txt: ["google-site-verification=abc", "MS=ms1"]')
    found = resources(render(spec)["main.tf"])
    assert all(rtype == "aws_route53_record" for rtype, _, _ in found)
    keys = [(unquote(b["name"]), unquote(b["type"])) for _, _, b in found]
    assert len(keys) == len(set(keys)) == 7
    txt = next(b for _, label, b in found if label == "domain_txt")
    assert [unquote(v) for v in txt["records"]] == [
        "v=spf1 include:_spf.spotme.com -all",
        "mandrill_verify.AbCdEf123",
        "MS=ms1",
        "google-site-verification=abc",
    ]


def test_route53_never_allows_overwrite() -> None:
    """No resource sets allow_overwrite (it would silently take over existing record sets)."""
    text = render(domain_spec())["main.tf"]
    assert "allow_overwrite" not in text


def test_route53_zone_lookup_by_name() -> None:
    """Without zone_id the public zone is looked up by the zone's name, not the domain's."""
    spec = domain_spec("zone: acme.test", domain="mail.acme.test")
    parsed = hcl2.loads(render(spec)["main.tf"])
    data = parsed["data"][0]['"aws_route53_zone"']['"zone"']
    assert unquote(data["name"]) == "acme.test" and data["private_zone"] is False
    for _, _, body in resources(render(spec)["main.tf"]):
        assert body["zone_id"] == "${data.aws_route53_zone.zone.zone_id}"
        assert unquote(body["name"]).endswith(".mail.acme.test") or unquote(body["name"]) == "mail.acme.test"


def test_route53_zone_id_literal() -> None:
    """With zone_id every resource names the zone literally and there is no lookup."""
    text = render(domain_spec("zone_id: Z0123456789ABCDEFGHIJ"))["main.tf"]
    assert "data " not in text
    assert {b["zone_id"] for _, _, b in resources(text)} == {'"Z0123456789ABCDEFGHIJ"'}


def test_route53_long_and_tricky_values() -> None:
    """Long TXT values use the provider's \\"\\" split; quotes, backslashes and sigils are escaped twice (DNS, then HCL)."""
    spec = domain_spec(f'keep_txt: ["{LONG}", "a \\"b\\" \\\\ ${{x}} %{{y}}"]')
    txt = next(b for _, label, b in resources(render(spec)["main.tf"]) if label == "domain_txt")
    values = [unquote(v) for v in txt["records"]]
    assert f'{LONG[:255]}""{LONG[255:]}' in values
    assert 'a \\"b\\" \\\\ ${x} %{y}' in values


def test_route53_non_ascii_is_written_in_octal() -> None:
    """Route 53 reads `\\DDD` as octal (AWS docs, TXT): `café` is written `caf\\303\\251`, not RFC 1035 decimal."""
    record = Record.make("acme.test", RecordType.TXT, [Value("café", Purpose.KEPT_TXT)], 300)
    assert route53_value(record, "café") == "caf\\303\\251"
    txt = next(b for _, label, b in resources(render(domain_spec('keep_txt: ["café"]'))["main.tf"]) if label == "domain_txt")
    assert "caf\\303\\251" in [unquote(v) for v in txt["records"]]


# Any TXT value: every code point but surrogates (so controls, `"`, `\\`, non-ASCII), sometimes
# long enough to be split, and the characters that need escaping made likely.
_ESCAPED = st.sampled_from(['"', "\\", "\x00", "\n", "\t", "\x7f", "é", "ÿ", "☕", "😀", "\u0085", " ", "9", "0"])
_TXT_TEXT = st.lists(st.one_of(_ESCAPED, st.characters(blacklist_categories=("Cs",))), min_size=1, max_size=40).map("".join)
ANY_TXT = st.one_of(_TXT_TEXT, st.tuples(_TXT_TEXT, st.integers(80, 200)).map(lambda p: p[0] + "é" * p[1]))


def txt_record(text: str) -> Record:
    """A one-value TXT record set at the apex of acme.test."""
    return Record.make("acme.test", RecordType.TXT, [Value(text, Purpose.KEPT_TXT)], 300)


@settings(max_examples=300, deadline=None)
@given(text=ANY_TXT)
def test_route53_value_round_trips_through_the_octal_reader(text: str) -> None:
    """route53_value, read as Route 53 reads it (octal `\\DDD`), is the logical value, as a `records` entry and as the API lists it."""
    written = route53_value(txt_record(text), text)
    assert route53_txt(written) == text
    assert unquote_txt(f'"{written}"', octal=True) == text


@settings(max_examples=150, deadline=None)
@given(text=ANY_TXT)
def test_zone_file_round_trips_through_dnspython(text: str) -> None:
    """records.zone, parsed by dnspython (decimal `\\DDD`, RFC 1035 §5.1), joins back to the logical value."""
    records = DomainRecords("acme.test", "acme.test", "generic", (txt_record(text),))
    zone = dns.zone.from_text(
        "@ 3600 IN SOA ns. host. 1 2 3 4 5\n@ 3600 IN NS ns.\n" + zone_file(records, "h"),
        origin="acme.test.",
        relativize=False,
    )
    [rdata] = zone.find_rdataset("acme.test.", dns.rdatatype.TXT)
    assert all(len(s) <= 255 for s in rdata.strings)
    assert b"".join(rdata.strings).decode("utf-8") == text


def test_route53_labels_are_stable_names() -> None:
    """Resource labels come from what a record is, not from its position."""
    labels = {label for _, label, _ in resources(render(domain_spec())["main.tf"])}
    assert labels == {
        "domain_txt",
        "dmarc",
        *(f"ses_dkim_{t}" for t in TOKENS),
        "mandrill_dkim_mte1",
        "mandrill_dkim_mte2",
    }


def test_route53_module_has_no_provider_block() -> None:
    """A domain folder requires the provider but never configures it."""
    files = render(domain_spec())
    assert not any("provider " in text for text in files.values())
    assert 'source = "hashicorp/aws"' in files["main.tf"]


# --- Cloudflare ---------------------------------------------------------------------------------

CF_ZONE = "zone_id: 0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(("version", "rtype"), [(5, "cloudflare_dns_record"), (4, "cloudflare_record")])
def test_cloudflare_resource_per_value(version: int, rtype: str) -> None:
    """One resource per value, the type of the provider version asked for, never proxied, ttl set."""
    spec = domain_spec(f"{CF_ZONE}\ncloudflare: {{version: {version}}}\nttl: 600", provider="cloudflare")
    found = resources(render(spec)["main.tf"])
    assert {t for t, _, _ in found} == {rtype}
    assert len(found) == 8  # SPF, verification, DMARC, 3 SES, 2 Mandrill
    for _, _, body in found:
        assert body["proxied"] is False
        assert body["ttl"] == 600
        assert body["zone_id"] == '"0123456789abcdef0123456789abcdef"'
        assert "value" not in body and "allow_overwrite" not in body


def test_cloudflare_txt_content_is_quoted() -> None:
    """TXT content is quoted character-strings; CNAME content is the bare target."""
    assert content(RecordType.TXT, "v=spf1 -all") == '"v=spf1 -all"'
    assert content(RecordType.TXT, LONG) == f'"{LONG[:255]}" "{LONG[255:]}"'
    assert content(RecordType.TXT, 'say "hi" é') == '"say \\"hi\\" é"'
    assert content(RecordType.CNAME, "x.dkim.amazonses.com") == "x.dkim.amazonses.com"


def test_cloudflare_leaves_kept_values_alone() -> None:
    """keep_txt values are not written on Cloudflare (each value is its own record there) and a note says so."""
    spec = domain_spec(f'{CF_ZONE}\nkeep_txt: ["MS=ms1"]', provider="cloudflare")
    result = PLAIN_RENDERERS[Provider.CLOUDFLARE].render(spec, build_records(spec), DomainContext("acme_test", "h"))
    assert "MS=ms1" not in dict(result.files)["main.tf"]
    assert any("keep_txt" in note for note in result.notes)


@pytest.mark.parametrize(
    ("version", "query"),
    [(5, {"filter": {"name": '"acme.test"'}}), (4, {"name": '"acme.test"'})],
    ids=["v5-filter", "v4-name"],
)
def test_cloudflare_without_zone_id_looks_the_zone_up(version: int, query: dict) -> None:
    """Without zone_id the zone is found by name with the version's `cloudflare_zone` data source."""
    spec = domain_spec(f"cloudflare: {{version: {version}}}", provider="cloudflare")
    assert PLAIN_RENDERERS[Provider.CLOUDFLARE].problems(spec, build_records(spec)) == []
    parsed = hcl2.loads(render(spec)["main.tf"])
    data = parsed["data"][0]['"cloudflare_zone"']['"zone"']
    assert {k: v for k, v in data.items() if not k.startswith("__")} == query
    for _, _, body in resources(render(spec)["main.tf"]):
        assert body["zone_id"] == "${data.cloudflare_zone.zone.id}"


def test_cloudflare_kept_spf_terms_come_with_import_advice() -> None:
    """When the spec keeps terms of an existing SPF record, main.tf says to import it instead of adding a second."""
    spec = domain_spec(f"{CF_ZONE}\nspf: {{keep: [include:_spf.google.com]}}", provider="cloudflare")
    text = render(spec)["main.tf"]
    assert "terraform import 'module.acme_test.cloudflare_dns_record.spf' 0123456789abcdef0123456789abcdef/<record-id>" in text


def test_cloudflare_versions_name_the_source() -> None:
    """A module using cloudflare must say cloudflare/cloudflare, else Terraform looks for hashicorp/cloudflare."""
    files = render(domain_spec(CF_ZONE, provider="cloudflare"))
    assert 'source = "cloudflare/cloudflare"' in files["main.tf"]


# --- generic ------------------------------------------------------------------------------------


def test_generic_files() -> None:
    """Generic writes provider-free Terraform plus a zone-file snippet and a Markdown table."""
    files = render(domain_spec(provider="generic"))
    assert set(files) == {"main.tf", "outputs.tf", "records.zone", "RECORDS.md"}
    parsed = hcl2.loads(files["main.tf"])
    assert {k for k in parsed if not k.startswith("__")} == {"locals"}  # no resource, provider or data source


def test_zone_file_lines() -> None:
    """records.zone has absolute names, TTL, class, type and RFC 1035 presentation data."""
    spec = domain_spec(f'keep_txt: ["{LONG}", "q\\"b\\\\ é"]', provider="generic", domain="mail.acme.test")
    text = zone_file(build_records(spec), "h")
    lines = [line.split() for line in text.splitlines() if not line.startswith(";")]
    assert ["mte1._domainkey.mail.acme.test.", "3600", "IN", "CNAME", "dkim1.mandrillapp.com."] in lines
    assert f'"{LONG[:255]}" "{LONG[255:]}"' in text
    assert '"q\\"b\\\\ \\195\\169"' in text


def test_zone_file_parses_with_dnspython() -> None:
    """dnspython reads the snippet back to the same logical values (strings joined)."""
    spec = domain_spec(f'keep_txt: ["{LONG}", "q\\"b\\\\ é"]', provider="generic")
    records = build_records(spec)
    zone = dns.zone.from_text(
        "@ 3600 IN SOA ns. host. 1 2 3 4 5\n@ 3600 IN NS ns.\n" + zone_file(records, "h"),
        origin="acme.test.",
        relativize=False,
    )
    for record in records.records:
        rdtype = dns.rdatatype.from_text(record.type.value)
        rdataset = zone.find_rdataset(record.name + ".", rdtype)
        if record.type is RecordType.TXT:
            got = sorted(b"".join(r.strings).decode("utf-8") for r in rdataset)
        else:
            got = sorted(r.target.to_text(omit_final_dot=True) for r in rdataset)
        assert got == sorted(record.texts)


def test_markdown_table() -> None:
    """RECORDS.md has one row per value with host relative to the zone, values in code spans, pipes escaped."""
    spec = domain_spec('zone: acme.test\nkeep_txt: ["a|b `c`"]', provider="generic", domain="mail.acme.test")
    text = records_table(build_records(spec), "h")
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert len(rows) == 9
    assert "| `mail` | `mail.acme.test` | TXT | 3600 | `v=spf1 include:_spf.spotme.com -all` |" in text
    assert "``a\\|b `c```" in text or "`` a\\|b `c` ``" in text


# --- labels ---------------------------------------------------------------------------------------


def test_value_labels_are_unique_per_domain() -> None:
    """Every value gets its own label on Cloudflare, kept values by a hash of their text."""
    spec = domain_spec('keep_txt: ["one", "two"]')
    records = build_records(spec)
    labels = [value_label(r, v, records.domain) for r in records.records for v in r.values]
    assert len(labels) == len(set(labels))
    assert {record_set_label(r, records.domain) for r in records.records} >= {"domain_txt", "dmarc"}


# --- --style module -----------------------------------------------------------------------------


def module_variables(name: str) -> dict[str, dict]:
    """The variables of terraform/modules/<name>, from its variables.tf."""
    parsed = hcl2.loads((REPO / "terraform" / "modules" / name / "variables.tf").read_text(encoding="utf-8"))
    return {label.strip('"'): body for entry in parsed["variable"] for label, body in entry.items()}


@pytest.mark.parametrize(
    ("provider", "module", "extra"),
    [
        ("route53", "route53", 'zone: acme.test\nzone_id: Z0123456789ABCDEFGHIJ\nkeep_txt: ["MS=1"]'),
        ("cloudflare", "cloudflare", "zone: acme.test"),
        ("generic", "generic", "zone: acme.test"),
    ],
)
def test_module_call_matches_module_inputs(provider: str, module: str, extra: str) -> None:
    """Every argument of a module call is a variable of the hand-written module, and every required variable is passed."""
    spec = domain_spec(extra + "\ndmarc: {policy: reject, rua: [mailto:d@acme.test], ruf: [mailto:f@acme.test]}", provider=provider, domain="mail.acme.test")
    call = hcl2.loads(render(spec, module=True)["main.tf"])["module"][0]['"records"']
    args = {k for k in call if not k.startswith("__")} - {"source"}
    variables = module_variables(module)
    assert args <= set(variables), args - set(variables)
    required = {name for name, body in variables.items() if "default" not in body}
    assert required <= args
    assert unquote(call["source"]) == f"../../terraform/modules/{module}"


def test_module_style_refusals() -> None:
    """What the modules can not express is refused: Cloudflare v4, other DMARC tags, non-ASCII Route 53 TXT."""
    cases = [
        domain_spec(f"{CF_ZONE}\ncloudflare: {{version: 4}}", provider="cloudflare"),
        domain_spec("dmarc: {policy: none, pct: 50}"),
        domain_spec('keep_txt: ["café"]'),
    ]
    for spec in cases:
        problems = MODULE_RENDERER.problems(spec, build_records(spec))
        assert problems and all("--style module" in p.message for p in problems)
    assert MODULE_RENDERER.problems(domain_spec(), build_records(domain_spec())) == []


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("../../terraform/modules", "../../terraform/modules/route53"),
        ("git::https://example.com/m.git//modules?ref=v1", "git::https://example.com/m.git//modules/route53?ref=v1"),
    ],
)
def test_module_source(prefix: str, expected: str) -> None:
    """The module name goes after the path and before a ?query."""
    assert module_source(prefix, "route53") == expected
