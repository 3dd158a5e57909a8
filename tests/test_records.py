"""The record model: a domain spec in, the docs/design.md §1 record table out (spotme_dns.records.build_records)."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spotme_dns import spf
from spotme_dns.model import Purpose, RecordType, chunk_txt, sort_records
from spotme_dns.records import build_records, spf_value
from spotme_dns.spec import parse_spec_text

T1 = "4fkbvhmrpxqz2dn7tyw3cgjs5e6uiaol"
T2 = "wrqplteh7oodxnad7hsl4mixg2uavzne"
T3 = "3frqe7jn4obpuxjpwpolz6ipb3k5nvt2"


def load_one(**fields) -> object:
    """The one DomainSpec of a spec built from keyword fields (through the real loader)."""
    entry = {
        "domain": "acme-events.com",
        "ses": {"dkim_tokens": [T1, T2, T3]},
        "mandrill": {"verification": "mandrill_verify.AbC123xyz"},
        **fields,
    }
    text = yaml.safe_dump({"version": 1, "domains": [entry]}, allow_unicode=True, sort_keys=False)
    (domain,) = parse_spec_text(text).domains
    return domain


def table(records) -> list[tuple[str, str, tuple[str, ...], int]]:
    """Records as plain (name, type, values, ttl) rows."""
    return [(r.name, r.type.value, r.texts, r.ttl) for r in records]


def test_full_table_at_the_zone_apex() -> None:
    """docs/design.md §1: SPF and verification in one TXT set, DMARC, three SES and two Mandrill CNAMEs, sorted."""
    result = build_records(load_one())
    assert (result.domain, result.zone, result.provider) == ("acme-events.com", "acme-events.com", "route53")
    assert table(result.records) == [
        ("acme-events.com", "TXT", ("v=spf1 include:_spf.spotme.com -all", "mandrill_verify.AbC123xyz"), 3600),
        ("_dmarc.acme-events.com", "TXT", ("v=DMARC1; p=none;",), 3600),
        (f"{T3}._domainkey.acme-events.com", "CNAME", (f"{T3}.dkim.amazonses.com",), 3600),
        (f"{T1}._domainkey.acme-events.com", "CNAME", (f"{T1}.dkim.amazonses.com",), 3600),
        ("mte1._domainkey.acme-events.com", "CNAME", ("dkim1.mandrillapp.com",), 3600),
        ("mte2._domainkey.acme-events.com", "CNAME", ("dkim2.mandrillapp.com",), 3600),
        (f"{T2}._domainkey.acme-events.com", "CNAME", (f"{T2}.dkim.amazonses.com",), 3600),
    ]
    assert [r.relative_name(result.zone) for r in result.records] == [
        "@", "_dmarc", f"{T3}._domainkey", f"{T1}._domainkey", "mte1._domainkey", "mte2._domainkey", f"{T2}._domainkey",
    ]
    assert result.notes == ()


def test_full_table_for_a_subdomain_of_its_zone() -> None:
    """A sending domain below its zone: every name under the domain, relative names under the zone."""
    result = build_records(
        load_one(domain="Mail.Acme-Events.com", zone="acme-events.com", provider="cloudflare", ttl=300,
                 dmarc={"policy": "quarantine", "rua": ["mailto:dmarc@acme-events.com"]})
    )
    assert (result.domain, result.zone, result.provider) == ("mail.acme-events.com", "acme-events.com", "cloudflare")
    assert table(result.records) == [
        ("mail.acme-events.com", "TXT", ("v=spf1 include:_spf.spotme.com -all", "mandrill_verify.AbC123xyz"), 300),
        ("_dmarc.mail.acme-events.com", "TXT", ("v=DMARC1; p=quarantine; rua=mailto:dmarc@acme-events.com;",), 300),
        (f"{T3}._domainkey.mail.acme-events.com", "CNAME", (f"{T3}.dkim.amazonses.com",), 300),
        (f"{T1}._domainkey.mail.acme-events.com", "CNAME", (f"{T1}.dkim.amazonses.com",), 300),
        ("mte1._domainkey.mail.acme-events.com", "CNAME", ("dkim1.mandrillapp.com",), 300),
        ("mte2._domainkey.mail.acme-events.com", "CNAME", ("dkim2.mandrillapp.com",), 300),
        (f"{T2}._domainkey.mail.acme-events.com", "CNAME", (f"{T2}.dkim.amazonses.com",), 300),
    ]
    assert [r.relative_name(result.zone) for r in result.records][:2] == ["mail", "_dmarc.mail"]


def test_regional_signing_zone() -> None:
    """The SES CNAMEs point into the regional SigningHostedZone when the spec names one."""
    result = build_records(load_one(ses={"dkim_tokens": [T1, T2, T3], "signing_zone": "dkim.af-south-1.amazonses.com"}))
    ses = [r for r in result.records if r.values[0].purpose is Purpose.SES_DKIM]
    assert sorted(r.texts[0] for r in ses) == sorted(f"{t}.dkim.af-south-1.amazonses.com" for t in (T1, T2, T3))


def test_mandrill_dkim_false_leaves_out_the_mandrill_cnames() -> None:
    """`mandrill.dkim: false`: no mte1/mte2 CNAMEs, the verification TXT stays."""
    result = build_records(load_one(mandrill={"verification": "AbC123xyz", "dkim": False}))
    names = [r.name for r in result.records]
    assert len(names) == 5
    assert not any(n.startswith("mte") for n in names)
    assert "mandrill_verify.AbC123xyz" in result.records[0].texts


def test_keep_txt_values_share_the_apex_record_set() -> None:
    """Other TXT values at the domain stay in the one TXT set: SPF first, verification, then the kept values sorted."""
    result = build_records(load_one(keep_txt=["MS=ms12345678", "google-site-verification=abc", "MS=ms12345678"]))
    apex = result.records[0]
    assert apex.texts == (
        "v=spf1 include:_spf.spotme.com -all",
        "mandrill_verify.AbC123xyz",
        "MS=ms12345678",
        "google-site-verification=abc",
    )
    assert [v.purpose for v in apex.values] == [Purpose.SPF, Purpose.MANDRILL_VERIFY, Purpose.KEPT_TXT, Purpose.KEPT_TXT]
    assert sum(1 for text in apex.texts if spf.is_spf(text)) == 1


def test_spf_merges_kept_terms_includes_and_all() -> None:
    """The SPF value: kept mechanisms, includes, `all`, kept modifiers; exactly one v=spf1."""
    domain = load_one(spf={"keep": ["include:_spf.google.com ip4:192.0.2.0/24", "exp=why.%{d}"],
                           "include": ["_spf.spotme.com", "spf.mandrillapp.com"], "all": "~all"})
    assert spf_value(domain) == (
        "v=spf1 include:_spf.google.com ip4:192.0.2.0/24 include:_spf.spotme.com include:spf.mandrillapp.com ~all exp=why.%{d}"
    )
    assert build_records(domain).records[0].texts[0] == spf_value(domain)


def test_output_is_deterministic() -> None:
    """The same spec gives equal records; the order of kept values in the spec does not matter."""
    a = build_records(load_one(keep_txt=["b=2", "a=1"]))
    b = build_records(load_one(keep_txt=["a=1", "b=2"]))
    assert a == b
    assert a.records == sort_records(list(reversed(a.records)))


def test_450_octet_advisory_note() -> None:
    """RFC 7208 §3.4: name plus all TXT text at the name over 450 octets gives a note, not an error."""
    small = build_records(load_one(keep_txt=["x" * 300]))
    assert small.notes == ()
    big = build_records(load_one(keep_txt=["x" * 400]))
    assert len(big.notes) == 1
    assert "over the 450-octet guideline of RFC 7208 §3.4" in big.notes[0]
    assert big.notes[0].startswith("TXT records at acme-events.com add up to ")


def test_spf_over_255_octets_is_kept_whole_and_noted() -> None:
    """An SPF value over 255 octets stays one logical value; chunk_txt splits it into strings that join back."""
    keep = [f"ip4:192.0.2.{i}" for i in range(1, 25)]
    result = build_records(load_one(spf={"keep": keep}))
    value = result.records[0].texts[0]
    assert len(value) > 255
    assert value.count("v=spf1") == 1
    assert any("published as several 255-octet strings" in n for n in result.notes)
    parts = chunk_txt(value)
    assert len(parts) == 2
    assert all(len(p.encode("utf-8")) <= 255 for p in parts)
    assert "".join(parts) == value


def test_chunk_txt_never_cuts_a_utf8_character() -> None:
    """Splitting non-ASCII TXT keeps every string valid UTF-8 and within 255 octets."""
    value = "é" * 300
    parts = chunk_txt(value)
    assert "".join(parts) == value
    assert all(len(p.encode("utf-8")) <= 255 for p in parts)


# --- property: stable output, every name inside its zone ------------------------------------

ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
# A host name label: letters and digits, an inner hyphen sometimes (plain text strategies are
# much faster to draw than from_regex).
LABEL = st.builds(
    lambda head, tail: f"{head}-{tail}" if tail else head,
    st.text(alphabet=ALNUM, min_size=1, max_size=10),
    st.text(alphabet=ALNUM, max_size=5),
)
TOP = st.sampled_from(["com", "net", "org", "de", "co.uk", "xn--p1ai"])
TOKEN = st.text(alphabet=ALNUM, min_size=16, max_size=40)
MANDRILL_KEY = st.text(alphabet=ALNUM + "ABCXYZ_-", min_size=6, max_size=30)
# No control characters (the loader refuses them), C1 included: YAML reads U+0085 as a line break.
TXT = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x2FF, blacklist_categories=("Cc",)), min_size=1,
              max_size=60).filter(lambda t: t.strip() and not spf.is_spf(t.strip()))
KEEP_TERMS = st.lists(
    st.sampled_from(["include:_spf.google.com", "~include:spf.protection.outlook.com", "ip4:192.0.2.0/24", "a", "mx/24",
                     "ip6:2001:db8::/32", "exp=why.%{d}", "include:_spf.spotme.com"]),
    max_size=5,
    unique=True,  # exp= twice is refused (RFC 7208 §6)
)


@st.composite
def domain_entries(draw) -> dict:
    """A spec entry: a domain at or below its zone, tokens, optional regional zone, kept TXT and SPF terms."""
    zone = ".".join([draw(LABEL), draw(TOP)])
    below = draw(st.lists(LABEL, max_size=2))
    entry: dict = {
        "domain": ".".join([*below, zone]),
        "zone": zone,
        "provider": draw(st.sampled_from(["route53", "cloudflare", "generic"])),
        "ttl": draw(st.integers(min_value=60, max_value=86400)),
        "ses": {"dkim_tokens": draw(st.lists(TOKEN, min_size=3, max_size=3, unique=True))},
        "mandrill": {"verification": draw(MANDRILL_KEY),
                     "dkim": draw(st.booleans())},
        "keep_txt": draw(st.lists(TXT, max_size=3)),
        "spf": {"keep": draw(KEEP_TERMS), "all": draw(st.sampled_from(["-all", "~all", "?all"]))},
        "dmarc": {"policy": draw(st.sampled_from(["none", "quarantine", "reject"]))},
    }
    if draw(st.booleans()):
        entry["ses"]["signing_zone"] = draw(st.sampled_from(["dkim.amazonses.com", "dkim.eu-south-1.amazonses.com"]))
    return entry


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entry=domain_entries())
def test_build_records_is_stable_and_inside_the_zone(entry: dict) -> None:
    """For any valid spec: loading and building twice gives equal records, all sorted, all names absolute,
    lower-case and inside the zone, one SPF value, and CNAME targets never at the owner name."""
    text = yaml.safe_dump({"version": 1, "domains": [entry]}, allow_unicode=True)
    (first,) = parse_spec_text(text).domains
    (second,) = parse_spec_text(text).domains
    a, b = build_records(first), build_records(second)
    assert a == b
    assert a.records == sort_records(a.records)
    assert len({r.key for r in a.records}) == len(a.records)
    assert len(a.records) == (7 if entry["mandrill"]["dkim"] else 5)
    for record in a.records:
        assert record.name == record.name.lower() and not record.name.endswith(".")
        assert record.name == a.zone or record.name.endswith("." + a.zone)
        assert record.name == a.domain or record.name.endswith("." + a.domain)
        assert len(record.name) <= 253
        if record.type is RecordType.CNAME:
            assert len(record.values) == 1 and record.values[0].text != record.name
    spf_values = [v.text for r in a.records for v in r.values if v.purpose is Purpose.SPF]
    assert len(spf_values) == 1 and spf_values[0].count("v=spf1") == 1
    spf.parse_spf(spf_values[0])
