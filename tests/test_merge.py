"""merge.py: existing records + spec -> merged spec, decisions and imports (pure, no I/O)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spotme_dns import spf
from spotme_dns.existing import ExistingDomain, ExistingRecord, ExistingValue, Source
from spotme_dns.merge import Action, Adoption, merge, refuse_spf_lookups
from spotme_dns.records import build_records, spf_value
from spotme_dns.spec import parse_spec_text

D = "acme-events.com"
TOKENS = ("abcdefghijklmnop1234", "qrstuvwxyzabcdef5678", "ghijklmnopqrstuv9012")
ZONE_ID = "Z0123456789ABCDEFGHIJ"
CF_ZONE = "0123456789abcdef0123456789abcdef"


def spec(extra: str = "", *, provider: str = "route53", zone_id: str | None = None):
    zone = f"\n    zone_id: {zone_id}" if zone_id else ""
    text = f"""\
version: 1
domains:
  - domain: {D}
    provider: {provider}{zone}
    ses:
      dkim_tokens: [{", ".join(TOKENS)}]
    mandrill:
      verification: mandrill_verify.AbC123xyz
"""
    return parse_spec_text(text + extra).domains[0]


def existing(*records: tuple[str, str, list[str]] | tuple[str, str, list[str], list[str]], source=Source.ROUTE53, zone_id=ZONE_ID):
    """ExistingDomain from (name, type, values[, record ids]); names relative to D ('' = D)."""
    out = []
    for item in records:
        prefix, rtype, values = item[0], item[1], item[2]
        ids = item[3] if len(item) > 3 else [None] * len(values)
        name = f"{prefix}.{D}" if prefix else D
        out.append(ExistingRecord(name, rtype, tuple(ExistingValue(v, i) for v, i in zip(values, ids, strict=True)), 300))
    return ExistingDomain(D, D, source, tuple(out), zone_id)


def codes(result, action=None):
    return [d.code for d in result.decisions if action is None or d.action is action]


def apex(result):
    return build_records(result.domain).by_key()[(D, "TXT")].texts


# ------------------------------------------------------------------------------ SPF


@pytest.mark.parametrize(
    ("old", "extra", "merged"),
    [
        pytest.param("v=spf1 include:_spf.google.com ~all", "", "v=spf1 include:_spf.google.com include:_spf.spotme.com ~all", id="softfail-kept"),
        pytest.param("v=spf1 ip4:192.0.2.0/24 mx -all", "", "v=spf1 ip4:192.0.2.0/24 mx include:_spf.spotme.com -all", id="order-kept"),
        pytest.param("v=spf1 include:_spf.google.com ~all", "    spf: {all: -all}\n", "v=spf1 include:_spf.google.com include:_spf.spotme.com -all", id="spec-sets-all"),
        pytest.param("v=spf1 a", "", "v=spf1 a include:_spf.spotme.com ?all", id="no-all-stays-neutral"),
        pytest.param("v=spf1 ip4:192.0.2.1 redirect=_spf.example.net", "", "v=spf1 ip4:192.0.2.1 include:_spf.example.net include:_spf.spotme.com -all", id="redirect-becomes-include"),
        pytest.param("v=spf1 a ~all redirect=_spf.example.net", "", "v=spf1 a include:_spf.spotme.com ~all", id="redirect-beside-all-dropped"),
        pytest.param("v=spf1 include:_spf.google.com ~all", "    spf: {keep: [ip4:198.51.100.7]}\n", "v=spf1 include:_spf.google.com ip4:198.51.100.7 include:_spf.spotme.com ~all", id="spec-keep-appended"),
    ],
)
def test_spf_merge(old, extra, merged):
    """Existing terms stay in order, ours go before `all`, the existing qualifier stays unless the spec sets one."""
    result = merge(spec(extra), existing(("", "TXT", [old, "google-site-verification=abc"])))
    assert result.ok, result.refusals
    assert spf_value(result.domain) == merged
    assert [t for t in apex(result) if spf.is_spf(t)] == [merged]


def test_spf_already_right_is_adopted():
    """An SPF record that already has our include is kept byte for byte."""
    old = "v=spf1 include:_spf.google.com include:_spf.spotme.com ~all"
    result = merge(spec(), existing(("", "TXT", [old])))
    assert spf_value(result.domain) == old
    assert "spf-unchanged" in codes(result, Action.ADOPT)


def test_two_spf_records_become_one_on_route53():
    """Two SPF records (permerror) are merged into exactly one, every term kept."""
    result = merge(spec(), existing(("", "TXT", ["v=spf1 mx -all", "v=spf1 include:_spf.google.com ~all"])))
    spf_values = [t for t in apex(result) if spf.is_spf(t)]
    assert len(spf_values) == 1
    assert {"mx", "include:_spf.google.com", "include:_spf.spotme.com"} <= set(spf_values[0].split())
    assert "spf-merged" in codes(result, Action.CHANGE)


def test_two_spf_records_on_cloudflare_refused_even_with_force():
    """On Cloudflare only one record can be imported: two SPF records must be merged by hand first."""
    ex = existing(("", "TXT", ["v=spf1 mx -all", "v=spf1 a -all"], ["id1", "id2"]), source=Source.CLOUDFLARE, zone_id=CF_ZONE)
    result = merge(spec(provider="cloudflare", zone_id=CF_ZONE), ex, force=True)
    (refusal,) = result.refusals
    assert refusal.code == "spf-multiple-records" and not refusal.forceable


def test_invalid_existing_spf_terms_need_force():
    """Terms that are not SPF are not silently dropped."""
    ex = existing(("", "TXT", ["v=spf1 include:_spf.google.com bogus:term ~all"]))
    assert codes(merge(spec(), ex), Action.REFUSE) == ["spf-existing-invalid"]
    forced = merge(spec(), ex, force=True)
    assert forced.ok and "bogus:term" not in spf_value(forced.domain)
    assert "spf-existing-invalid" in codes(forced, Action.FORCED)


def test_spf_over_ten_direct_lookups_refused():
    """Kept terms plus ours over 10 DNS-querying terms: refused without --force."""
    old = "v=spf1 " + " ".join(f"include:s{i}.example.net" for i in range(10)) + " ~all"
    result = merge(spec(), existing(("", "TXT", [old])))
    (refusal,) = result.refusals
    assert refusal.code == "spf-too-many-lookups" and "11 DNS-querying terms" in refusal.message
    assert merge(spec(), existing(("", "TXT", [old])), force=True).ok


def test_live_lookup_count_verdict():
    """The live count over 10: refused with the costliest include chain; --force writes it."""
    result = merge(spec(), existing())
    refused = refuse_spf_lookups(result, count=12, path="acme-events.com (12) -> include:big.example (9)")
    (refusal,) = refused.refusals
    assert "needs 12 DNS lookups" in refusal.message and "include:big.example (9)" in refusal.message
    assert refusal.forceable
    forced = refuse_spf_lookups(result, count=12, path="x", force=True)
    assert forced.ok and codes(forced, Action.FORCED) == ["spf-too-many-lookups"]
    assert refuse_spf_lookups(result, count=10, path="x") is result


# ------------------------------------------------------------------------------ other TXT values


def test_other_txt_values_carried_into_route53_set():
    """google-site-verification and MS= values stay in the one Route53 TXT record set, unchanged."""
    values = ["google-site-verification=abc", "MS=ms12345678", 'quoted "text" \\ here']
    result = merge(spec(), existing(("", "TXT", values)))
    assert set(values) <= set(apex(result))
    assert codes(result, Action.KEEP) == ["txt-kept"] * 3


@pytest.mark.parametrize("provider", ["cloudflare", "generic"])
def test_other_txt_values_left_alone_elsewhere(provider):
    """Cloudflare and generic keep one record per value: the customer's values are not rewritten."""
    zone_id = CF_ZONE if provider == "cloudflare" else None
    ex = existing(("", "TXT", ["google-site-verification=abc"], ["rec1"]), source=Source.LIVE_DNS, zone_id=zone_id)
    result = merge(spec(provider=provider, zone_id=zone_id), ex)
    assert result.domain.keep_txt == ()
    assert codes(result, Action.KEEP) == ["txt-left-alone"]


# ------------------------------------------------------------------------------ DMARC


REJECT = "v=DMARC1;p=reject;rua=mailto:dmarc@acme-events.com"


def test_existing_dmarc_kept_verbatim_without_dmarc_section():
    """No dmarc in the spec: the existing record is kept byte for byte and imported."""
    result = merge(spec(), existing(("_dmarc", "TXT", [REJECT])))
    assert result.domain.dmarc.text() == REJECT
    assert "dmarc-kept" in codes(result, Action.ADOPT)
    assert Adoption(f"_dmarc.{D}", "TXT") in result.adoptions


@pytest.mark.parametrize(
    ("old", "policy"),
    [
        pytest.param("v=DMARC1; p=reject", "quarantine", id="reject-over-quarantine"),
        pytest.param("v=DMARC1; p=reject", "none", id="reject-over-none"),
        pytest.param("v=DMARC1; p=quarantine; pct=50", "none", id="quarantine-over-none"),
    ],
)
def test_spec_policy_is_a_minimum(old, policy):
    """Issue 8 point 3: a stricter live p is kept with a note, never weakened (with or without --force)."""
    s = spec(f"    dmarc: {{policy: {policy}}}\n")
    for force in (False, True):
        result = merge(s, existing(("_dmarc", "TXT", [old])), force=force)
        assert result.ok
        assert result.domain.dmarc.text() == old  # adopted as it is
        (note,) = [d for d in result.decisions if d.code == "dmarc-stricter-kept"]
        assert f"stricter than the spec's p={policy}" in note.message


def test_stricter_live_policy_kept_when_spec_names_none():
    """A dmarc section without `policy`: the note says so, never "the spec asks for p=none"."""
    result = merge(spec("    dmarc: {rua: [mailto:d@acme-events.com]}\n"), existing(("_dmarc", "TXT", ["v=DMARC1; p=reject; sp=quarantine"])))
    assert result.ok and result.domain.dmarc.text() == "v=DMARC1; p=reject; sp=quarantine; rua=mailto:d@acme-events.com;"
    text = "\n".join(str(d) for d in result.decisions)
    assert "the spec names no policy" in text and "asks for p=none" not in text


def test_dmarc_merged_tag_by_tag():
    """Live sp/np/rua/ruf/fo/adkim survive unless the spec sets them; the spec's sp is a minimum too."""
    live = "v=DMARC1; p=quarantine; sp=reject; np=reject; rua=mailto:agg@acme-events.com; ruf=mailto:f@acme-events.com; fo=1; adkim=s"
    result = merge(spec("    dmarc: {policy: reject, sp: none, rua: [mailto:new@acme-events.com]}\n"), existing(("_dmarc", "TXT", [live])))
    assert result.ok
    assert result.domain.dmarc.text() == (
        "v=DMARC1; p=reject; sp=reject; np=reject; rua=mailto:new@acme-events.com; ruf=mailto:f@acme-events.com; fo=1; adkim=s;"
    )
    (change,) = [d for d in result.decisions if d.code == "dmarc-merged"]
    assert "p: quarantine -> reject" in change.message and "rua: mailto:agg@acme-events.com -> mailto:new@acme-events.com" in change.message
    assert "kept sp=reject (live)" in "\n".join(str(d) for d in result.decisions)


def test_stronger_or_same_dmarc_from_spec():
    """Strengthening keeps the live tags; a record equal in meaning is adopted byte for byte."""
    stronger = merge(spec("    dmarc: {policy: reject}\n"), existing(("_dmarc", "TXT", ["v=DMARC1; p=none; rua=mailto:a@acme-events.com"])))
    assert stronger.ok and stronger.domain.dmarc.text() == "v=DMARC1; p=reject; rua=mailto:a@acme-events.com;"
    same = merge(spec("    dmarc: {policy: reject, rua: [mailto:dmarc@acme-events.com]}\n"), existing(("_dmarc", "TXT", [REJECT])))
    assert same.domain.dmarc.text() == REJECT and "dmarc-unchanged" in codes(same, Action.ADOPT)


@pytest.mark.parametrize(
    ("values", "code"),
    [
        pytest.param(["v=DMARC1; p=reject", "v=DMARC1; p=none"], "dmarc-multiple-records", id="two-records"),
        pytest.param(["v=DMARC1; p=rejekt"], "dmarc-existing-invalid", id="invalid"),
        pytest.param(["v=DMARC1; p=reject", "some-verification=1"], "dmarc-other-txt", id="other-txt"),
    ],
)
def test_dmarc_problems_need_force(values, code):
    """Several, invalid, or mixed DMARC record sets are not overwritten silently."""
    assert codes(merge(spec(), existing(("_dmarc", "TXT", values))), Action.REFUSE) == [code]
    assert merge(spec(), existing(("_dmarc", "TXT", values)), force=True).ok


# ------------------------------------------------------------------------------ CNAMEs


def test_right_cnames_adopted_wrong_ones_refused():
    """A DKIM CNAME that points right is adopted; one that points elsewhere needs --force."""
    ex = existing(
        ("mte1._domainkey", "CNAME", ["dkim1.mandrillapp.com"]),
        (f"{TOKENS[0]}._domainkey", "CNAME", ["elsewhere.example.net"]),
    )
    result = merge(spec(), ex)
    assert "dkim-adopted" in codes(result, Action.ADOPT)
    (refusal,) = result.refusals
    assert refusal.code == "dkim-cname-differs" and refusal.name == f"{TOKENS[0]}._domainkey.{D}"
    forced = merge(spec(), ex, force=True)
    assert {a.name for a in forced.adoptions} == {f"mte1._domainkey.{D}", f"{TOKENS[0]}._domainkey.{D}"}


@pytest.mark.parametrize(
    "records",
    [
        pytest.param([("mte2._domainkey", "TXT", ["v=DKIM1; k=rsa; p=MIGf"])], id="txt-where-cname-goes"),
        pytest.param([("_dmarc", "CNAME", ["dmarc.vendor.example"])], id="cname-where-txt-goes-unresolved"),
    ],
)
def test_cname_beside_other_data_refused_even_with_force(records):
    """RFC 1034 §3.6.2: no apply could succeed, so --force does not help."""
    (refusal,) = merge(spec(), existing(*records), force=True).refusals
    assert refusal.code == "cname-conflict" and not refusal.forceable


# ------------------------------------------------------------------------------ imports


def test_route53_adoptions_and_zone_id():
    """Every existing record set we write is imported; the found zone id goes into the spec."""
    ex = existing(("", "TXT", ["v=spf1 -all"]), ("_dmarc", "TXT", [REJECT]), ("", "MX", ["10 mx.example.net"]))
    result = merge(spec(), ex)
    assert result.zone_id == ZONE_ID and result.domain.zone_id == ZONE_ID
    assert set(result.adoptions) == {Adoption(D, "TXT"), Adoption(f"_dmarc.{D}", "TXT")}


def test_route53_without_zone_id_cannot_import():
    """Records exist but no zone id is known (live DNS only): no import can be written."""
    result = merge(spec(), replace(existing(("", "TXT", ["v=spf1 -all"])), source=Source.LIVE_DNS, zone_id=None))
    assert codes(result, Action.REFUSE) == ["import-id-unknown"]
    assert merge(spec(zone_id=ZONE_ID), replace(existing(("", "TXT", ["v=spf1 -all"])), zone_id=None)).ok


def test_cloudflare_adoptions_by_record_id():
    """Cloudflare: the existing SPF record becomes our SPF resource, the right CNAME and DMARC are adopted."""
    ex = existing(
        ("", "TXT", ["v=spf1 mx ~all", "google-site-verification=abc", "mandrill_verify.AbC123xyz"], ["spf-id", "g-id", "v-id"]),
        ("_dmarc", "TXT", [REJECT], ["dmarc-id"]),
        ("mte1._domainkey", "CNAME", ["dkim1.mandrillapp.com"], ["mte1-id"]),
        source=Source.CLOUDFLARE, zone_id=CF_ZONE,
    )
    result = merge(spec(provider="cloudflare", zone_id=CF_ZONE), ex)
    assert result.ok
    by_id = {a.record_id: a for a in result.adoptions}
    assert set(by_id) == {"spf-id", "v-id", "dmarc-id", "mte1-id"}
    assert by_id["spf-id"].value == "v=spf1 mx include:_spf.spotme.com ~all"
    assert by_id["dmarc-id"].value == REJECT


def test_cloudflare_live_dns_only_cannot_import():
    """Cloudflare records seen in live DNS have no ids: say to set CLOUDFLARE_API_TOKEN."""
    ex = existing(("", "TXT", ["v=spf1 mx ~all"]), source=Source.LIVE_DNS, zone_id=None)
    (refusal,) = merge(spec(provider="cloudflare", zone_id=CF_ZONE), ex).refusals
    assert refusal.code == "import-id-unknown" and "CLOUDFLARE_API_TOKEN" in refusal.message


def test_nothing_exists():
    """An empty zone: every record is added, nothing adopted, the spec unchanged but the zone id."""
    result = merge(spec(), existing())
    assert result.adoptions == () and result.ok
    assert set(codes(result)) == {"spf-added", "mandrill-verify-added", "dmarc-added", "dkim-added"}
    assert replace(result.domain, zone_id=None) == spec()


# ------------------------------------------------------------------------------ properties

_TERMS = st.sampled_from(
    ["mx", "a", "ip4:192.0.2.1", "ip6:2001:db8::/32", "include:_spf.google.com", "include:mail.zendesk.com", "exists:%{i}.x.example", "ptr"]
)
_TXT = st.text(st.characters(min_codepoint=32, max_codepoint=0x2FF), min_size=1, max_size=60).filter(
    lambda t: not spf.is_spf(t) and t.strip() == t and t != "mandrill_verify.AbC123xyz"
)


@settings(max_examples=150, deadline=None)
@given(
    terms=st.lists(_TERMS, unique=True, max_size=6),
    all_term=st.sampled_from(["-all", "~all", "?all", ""]),
    others=st.lists(_TXT, unique=True, max_size=4),
)
def test_merge_never_drops_a_customer_value(terms, all_term, others):
    """Route53: every other TXT value survives, every SPF term survives, exactly one v=spf1."""
    old = " ".join(["v=spf1", *terms, *([all_term] if all_term else [])])
    result = merge(spec(), existing(("", "TXT", [old, *others])))
    values = apex(result)
    assert set(others) <= set(values)
    spf_values = [v for v in values if spf.is_spf(v)]
    assert len(spf_values) == 1
    merged_terms = spf_values[0].split()
    assert set(terms) <= set(merged_terms)
    assert merged_terms[-1] == (all_term or "?all")
    assert merged_terms.index("include:_spf.spotme.com") == len(merged_terms) - 2
    assert [t for t in merged_terms if t in terms] == terms  # order kept


_RECORD_TERMS = st.sampled_from(
    ["mx", "a", "ip4:192.0.2.1", "include:_spf.google.com", "include:_spf.google.com.", "redirect=_spf.a.example",
     "redirect=_spf.b.example", "exp=why.example", "exp=other.example", "-all", "~all", "+all", "?all",
     "ip4:0.0.0.0/0", "include:_spf.spotme.com."]
)


def _strictness(record: str) -> int:
    """How much an SPF record lets through at the end: -all 0 ... +all 3, no all (neutral) 2."""
    words = record.split()
    final = next((w for w in words if w.lstrip("+-~?") == "all"), "?all")
    return {"-": 0, "~": 1, "?": 2, "+": 3, "a": 3}[final[0]]


@settings(max_examples=300, deadline=None)
@given(records=st.lists(st.lists(_RECORD_TERMS, max_size=6), min_size=1, max_size=2))
def test_spf_merge_never_crashes_loses_or_widens(records):
    """Issue 8 point 7: any one or two existing SPF records merge into one valid record (or a refusal),
    never an exception; nothing after an 'all' becomes active; the merged 'all' is never more lenient
    than the strictest existing one; every redirect target stays authorised (as an include)."""
    texts = sorted({" ".join(["v=spf1", *terms]) for terms in records})
    result = merge(spec(), existing(("", "TXT", texts)))
    if not result.ok:
        return
    (merged,) = [v for v in apex(result) if spf.is_spf(v)]
    parsed = spf.parse_spf(merged)  # valid RFC 7208, at most one exp= and redirect=
    active: set[str] = set()  # what receivers evaluate today: every record's terms before its 'all'
    late: set[str] = set()
    for text in texts:
        words = text.split()[1:]
        cut = next((i for i, w in enumerate(words) if w.lstrip("+-~?") == "all"), len(words))
        active |= {spf.parse_term(w).identity for w in words[:cut] if "=" not in w}
        late |= {spf.parse_term(w).identity for w in words[cut + 1:] if "=" not in w and w.lstrip("+-~?") != "all"}
    merged_ids = {t.identity for t in parsed.terms}
    assert not (late - active - {"include:_spf.spotme.com"}) & merged_ids
    for text in texts:
        words = text.split()[1:]
        if not any(w.lstrip("+-~?") == "all" for w in words) and any(w.startswith("redirect=") for w in words):
            target = next(w for w in words if w.startswith("redirect=")).split("=", 1)[1]
            assert f"include:{target}" in merged.split()
    existing_alls = [t for t in texts if any(w.lstrip("+-~?") == "all" for w in t.split())]
    if existing_alls:
        assert _strictness(merged) <= min(_strictness(t) for t in existing_alls) or merged.endswith("-all")
    assert merged.split().count("include:_spf.spotme.com") == 1 and "include:_spf.spotme.com." not in merged


_POLICY = st.sampled_from(["none", "quarantine", "reject"])


@settings(max_examples=200, deadline=None)
@given(live_p=_POLICY, live_sp=st.none() | _POLICY, spec_p=st.none() | _POLICY, spec_sp=st.none() | _POLICY,
       rua=st.booleans(), parent=st.none() | _POLICY, has_live=st.booleans())
def test_dmarc_merge_never_weakens(live_p, live_sp, spec_p, spec_sp, rua, parent, has_live):
    """Issue 8 points 3-4: whatever the spec asks, the merged p and effective sp are at least the live ones;
    a new record is at least the parent's policy (a live one already overrides it); a live rua the spec
    does not set survives."""
    from spotme_dns import dmarc as dm

    live = f"v=DMARC1; p={live_p}" + (f"; sp={live_sp}" if live_sp else "") + ("; rua=mailto:agg@acme-events.com" if rua else "")
    keys = [f"policy: {spec_p}"] if spec_p else []
    keys += [f"sp: {spec_sp}"] if spec_sp else []
    s = spec(f"    dmarc: {{{', '.join(keys)}}}\n") if keys else spec()
    walk = None
    if parent:
        walk = dm.TreeWalk(dm.ParentPolicy("parent.example", f"v=DMARC1; p={parent}", "p", parent))
    ex = replace(existing(*([("_dmarc", "TXT", [live])] if has_live else [])), parent_dmarc=walk)
    result = merge(s, ex)
    assert result.ok
    merged = dm.parse_dmarc(result.domain.dmarc.text())
    if not has_live:
        assert parent is None or not dm.weakens(parent, merged.policy)
        return
    old = dm.parse_dmarc(live)
    assert not dm.weakens(old.policy, merged.policy) and not dm.weakens(dm.effective(old, "sp"), dm.effective(merged, "sp"))
    if rua:
        assert merged.get("rua") == "mailto:agg@acme-events.com"
