"""Checks on the state after apply, against a real BIND 9 serving customer and provider zones.

One "world" of zones is loaded once for the module: a zone per scenario (`<scenario>.test`),
plus stand-ins for the provider names the checks follow (`_spf.spotme.com`, SES and Mandrill
DKIM targets, report destinations). Every check code happens at least once below.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Sequence

import pytest

from spotme_dns.checks import CHECK_BY_CODE, CHECKS, after_apply, dkim_key_problem, needs_authorisation, run_checks
from spotme_dns.desired import Action, DesiredDomain, DesiredRecord
from spotme_dns.dns_live import LiveDns, Server
from spotme_dns.report import Finding, Severity

KEY = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAv" + "A" * 120 + "IDAQAB"
SPOTME_SPF = "v=spf1 include:_spf.spotme.com -all"


def tokens(domain: str) -> tuple[str, str, str]:
    label = domain.split(".")[0].replace("-", "")
    return (f"{label}tok1", f"{label}tok2", f"{label}tok3")


# --------------------------------------------------------------------------- desired records


def txt(name: str, *values: str, **kw) -> DesiredRecord:
    kw.setdefault("authoritative", True)
    kw.setdefault("address", f'aws_route53_record.txt["{name}"]')
    return DesiredRecord(name=name, type="TXT", values=tuple(sorted(values)), **kw)


def cname(name: str, target: str, **kw) -> DesiredRecord:
    kw.setdefault("authoritative", True)
    kw.setdefault("address", f'aws_route53_record.cname["{name}"]')
    return DesiredRecord(name=name, type="CNAME", values=(target,), **kw)


def spotme_set(
    domain: str,
    *,
    spf: str = SPOTME_SPF,
    dmarc: str | None = None,
    extra_apex: Sequence[str] = (),
    **kw,
) -> list[DesiredRecord]:
    """The full SpotMe record set of a domain, as a Route53 plan would have it."""
    dmarc = dmarc or f"v=DMARC1; p=none; rua=mailto:dmarc@{domain}"
    records = [
        txt(domain, spf, "mandrill_verify.k3y", *extra_apex, **kw),
        txt(f"_dmarc.{domain}", dmarc, **kw),
        *(cname(f"{t}._domainkey.{domain}", f"{t}.dkim.amazonses.com", **kw) for t in tokens(domain)),
        cname(f"mte1._domainkey.{domain}", "dkim1.mandrillapp.com", **kw),
        cname(f"mte2._domainkey.{domain}", "dkim2.mandrillapp.com", **kw),
    ]
    return records


def replace(records: list[DesiredRecord], name: str, rdtype: str, **changes) -> list[DesiredRecord]:
    return [dataclasses.replace(r, **changes) if (r.name, r.type) == (name, rdtype) else r for r in records]


def without(records: list[DesiredRecord], name: str, rdtype: str) -> list[DesiredRecord]:
    return [r for r in records if (r.name, r.type) != (name, rdtype)]


def domain_of(domain: str, records: list[DesiredRecord], zone: str | None = None) -> DesiredDomain:
    return DesiredDomain(domain=domain, zone=zone or domain, records=tuple(records))


# --------------------------------------------------------------------------- the zones


def applied_lines(domain: str, *, apex: Sequence[str] = (), dmarc: str | None = None) -> list[str]:
    """Zone lines of a domain where the SpotMe records are live already."""
    dmarc = dmarc or f"v=DMARC1; p=none; rua=mailto:dmarc@{domain}"
    return [
        f'@ TXT "{SPOTME_SPF}"',
        '@ TXT "mandrill_verify.k3y"',
        *(f'@ TXT "{v}"' for v in apex),
        f'_dmarc TXT "{dmarc}"',
        *(f"{t}._domainkey CNAME {t}.dkim.amazonses.com." for t in tokens(domain)),
        "mte1._domainkey CNAME dkim1.mandrillapp.com.",
        "mte2._domainkey CNAME dkim2.mandrillapp.com.",
    ]


CUSTOMERS: dict[str, list[str]] = {
    "clean.test": [],
    "applied.test": applied_lines("applied.test", apex=["google-site-verification=abc"]),
    "cf.test": ['@ TXT "google-site-verification=abc"'],
    "two-spf.test": ['@ TXT "v=spf1 include:_spf.google.test ~all"'],
    "no-spf.test": [],
    "bad-spf.test": [],
    "lookups.test": [],
    "loop.test": [],
    "void.test": [],
    "no-include.test": [],
    "include-gone.test": [],
    "include-bad.test": [],
    "dropped.test": ['@ TXT "v=spf1 include:_spf.google.test ip4:192.0.2.7 ~all"'],
    "long.test": [],
    "big.test": [],
    "no-dmarc.test": [],
    "two-dmarc.test": ['_dmarc TXT "v=DMARC1; p=quarantine"'],
    "bad-dmarc.test": [],
    "weaker.test": ['_dmarc TXT "v=DMARC1; p=reject"'],
    "rua.test": [],
    "selectors.test": [],
    "keys.test": [],
    "conflict.test": [
        'busy._domainkey TXT "v=DKIM1; p=' + KEY + '"',
        "_dmarc CNAME dmarc.provider.test.",
    ],
    "doubled.test": [],
    "proxied.test": [],
    "deleted.test": ['@ TXT "google-site-verification=abc"', '@ TXT "MS=ms123"'],
    "exists.test": [
        '@ TXT "v=spf1 include:_spf.spotme.com -all"',
        "mte1._domainkey CNAME dkim1.mandrillapp.com.",
    ],
    "split.test": [],
}

PROVIDERS: dict[str, list[str]] = {
    "spotme.com": [
        '_spf TXT "v=spf1 ip4:198.51.100.0/24 include:_spf2.spotme.com -all"',
        '_spf2 TXT "v=spf1 ip4:203.0.113.0/24 -all"',
    ],
    "amazonses.com": [
        *(f'{t}.dkim TXT "v=DKIM1; k=rsa; p={KEY}"' for d in CUSTOMERS for t in tokens(d) if d != "keys.test"),
        f'{tokens("keys.test")[0]}.dkim TXT "v=DKIM1; k=rsa; p={KEY}"',
        f'{tokens("keys.test")[1]}.dkim TXT "v=DKIM1; k=rsa; p="',
        # tokens("keys.test")[2] has no key at all: NXDOMAIN
    ],
    "mandrillapp.com": [f'dkim1 TXT "v=DKIM1; k=rsa; p={KEY}"', f'dkim2 TXT "v=DKIM1; k=rsa; p={KEY}"'],
    "google.test": ['_spf TXT "v=spf1 ip4:192.0.2.0/24 ~all"'],
    "many.test": [
        '@ TXT "v=spf1 ' + " ".join(f"include:i{i}.many.test" for i in range(6)) + ' ~all"',
        *(f'i{i} TXT "v=spf1 a:host.many.test mx:many.test -all"' for i in range(6)),
        "host A 192.0.2.1",
        "@ MX 10 host.many.test.",
    ],
    "loops.test": ['one TXT "v=spf1 include:two.loops.test -all"', 'two TXT "v=spf1 redirect=one.loops.test"'],
    "nospf.test": ['@ TXT "not an spf record"'],
    "twospf.test": ['@ TXT "v=spf1 -all"', '@ TXT "v=spf1 ~all"'],
    "provider.test": ['dmarc TXT "v=DMARC1; p=reject"'],
    "reports.test": [],
    "ok-reports.test": ['rua.test._report._dmarc TXT "v=DMARC1;"'],
    # A parent zone that does not hold the child zone `gone.parent.test`: NXDOMAIN for it all.
    "parent.test": [],
}


@pytest.fixture(scope="module")
def world(bind):
    """BIND serving every customer and provider zone of this module."""
    bind.set_zones({**CUSTOMERS, **PROVIDERS})
    return bind


def run(desired: DesiredDomain, servers: Sequence[Server], *, live=None, **kw) -> tuple[Finding, ...]:
    async def go() -> tuple[Finding, ...]:
        dns = LiveDns(nameservers=servers, resolvers=servers, timeout=0.5, retries=0)
        return await run_checks(desired, live or {}, dns, **kw)

    return asyncio.run(go())


def codes(found: Sequence[Finding]) -> set[tuple[str, Severity, str]]:
    return {(f.code, f.severity, f.name) for f in found}


def only(found: Sequence[Finding], code: str) -> list[Finding]:
    return [f for f in found if f.code == code]


E, W = Severity.ERROR, Severity.WARNING

# --------------------------------------------------------------------------- clean cases


def test_clean_zone_full_plan_has_no_findings(world):
    """Creating the whole SpotMe set in an empty zone finds nothing."""
    assert run(domain_of("clean.test", spotme_set("clean.test")), [world.server]) == ()


def test_applied_zone_noop_plan_has_no_findings(world):
    """A no-op plan over live records that already match finds nothing."""
    records = spotme_set("applied.test", extra_apex=["google-site-verification=abc"], action=Action.NOOP)
    assert run(domain_of("applied.test", records), [world.server]) == ()


def test_cloudflare_values_beside_live_txt_have_no_findings(world):
    """Cloudflare records are one per value: a live verification TXT survives and is no problem."""
    records = spotme_set("cf.test", authoritative=False, address="cloudflare_record.r", proxied=False)
    assert run(domain_of("cf.test", records), [world.server]) == ()


def test_live_view_is_used_without_asking_again(world):
    """Answers already in the live view are not asked again."""
    desired = domain_of(
        "applied.test", spotme_set("applied.test", extra_apex=["google-site-verification=abc"], action=Action.NOOP)
    )

    async def go() -> tuple[tuple[Finding, ...], int, int]:
        dns = LiveDns(nameservers=[world.server], resolvers=[world.server], timeout=0.5, retries=0)
        keys = sorted({(r.name, r.type) for r in desired.records})
        live = {k: await dns.query_all("applied.test", *k) for k in keys}
        before = dns.stats
        found = await run_checks(desired, live, dns)
        return found, before, dns.stats

    found, before, after = asyncio.run(go())
    assert found == ()
    # Only the provider targets (SPF include chain, 3 SES + 2 Mandrill keys) are new questions.
    assert after - before == 2 + 3 + 2


# --------------------------------------------------------------------------- SPF


def test_spf_multiple_records(world):
    """A Cloudflare SPF record created beside a live one not owned by the plan: two SPF records."""
    records = spotme_set("two-spf.test", authoritative=False, address="cloudflare_record.r")
    found = run(domain_of("two-spf.test", records), [world.server])
    assert codes(found) == {("spf-multiple-records", E, "two-spf.test")}
    assert "(live, not in the plan)" in found[0].message


def test_spf_replaced_by_plan_is_single(world):
    """The same, but the plan owns and removes the old SPF value: one SPF record, no finding."""
    old = "v=spf1 include:_spf.google.test ~all"
    records = spotme_set("two-spf.test", authoritative=False, address="cloudflare_record.r")
    records = replace(records, "two-spf.test", "TXT", removed=(old,), action=Action.UPDATE)
    assert run(domain_of("two-spf.test", records), [world.server]) == ()


def test_spf_missing(world):
    """No SPF value planned and none live."""
    records = replace(spotme_set("no-spf.test"), "no-spf.test", "TXT", values=("mandrill_verify.k3y",))
    assert codes(run(domain_of("no-spf.test", records), [world.server])) == {("spf-missing", E, "no-spf.test")}


def test_spf_syntax(world):
    """An SPF record with an unknown mechanism breaks RFC 7208 syntax."""
    records = spotme_set("bad-spf.test", spf="v=spf1 include:_spf.spotme.com foo:bar -all")
    found = run(domain_of("bad-spf.test", records), [world.server])
    assert codes(found) == {("spf-syntax", E, "bad-spf.test")}
    assert "foo" in found[0].message


def test_spf_too_many_lookups_names_costliest_chain(world):
    """Lookups of nested includes, a and mx terms add up past 10; the costly include is named."""
    records = spotme_set("lookups.test", spf="v=spf1 include:_spf.spotme.com ~include:many.test -all")
    found = run(domain_of("lookups.test", records), [world.server])
    assert codes(found) == {("spf-too-many-lookups", E, "lookups.test")}
    assert "21 DNS lookups" in found[0].message
    assert "~include:many.test (19)" in found[0].message


def test_spf_loop(world):
    """An include that comes back through a redirect is a loop."""
    records = spotme_set("loop.test", spf="v=spf1 include:_spf.spotme.com include:one.loops.test -all")
    found = run(domain_of("loop.test", records), [world.server])
    assert codes(found) == {("spf-loop", E, "loop.test")}
    assert "one.loops.test -> two.loops.test -> one.loops.test" in found[0].message


def test_spf_void_lookups(world):
    """Three a/mx terms naming hosts that do not exist: over the 2 void lookups allowed."""
    spf = "v=spf1 include:_spf.spotme.com a:gone1.void.test a:gone2.void.test mx:gone3.void.test -all"
    found = run(domain_of("void.test", spotme_set("void.test", spf=spf)), [world.server])
    assert codes(found) == {("spf-void-lookups", E, "void.test")}
    assert "3 void lookups" in found[0].message


@pytest.mark.parametrize(
    "spf, how",
    [
        ("v=spf1 include:_spf.google.test -all", ""),
        ("v=spf1 ~include:_spf.spotme.com -all", "~include:_spf.spotme.com"),
    ],
    ids=["absent", "softfail-only"],
)
def test_spf_include_missing(world, spf, how):
    """The SpotMe include is absent, or present only with a `~` qualifier."""
    found = run(domain_of("no-include.test", spotme_set("no-include.test", spf=spf)), [world.server])
    assert codes(found) == {("spf-include-missing", E, "no-include.test")}
    assert how in found[0].message


def test_spf_include_not_found(world):
    """An include whose target holds TXT but no SPF record: permerror."""
    spf = "v=spf1 include:_spf.spotme.com include:nospf.test -all"
    found = run(domain_of("include-gone.test", spotme_set("include-gone.test", spf=spf)), [world.server])
    assert codes(found) == {("spf-include-not-found", E, "include-gone.test")}
    assert "include:nospf.test" in found[0].message


def test_spf_include_invalid(world):
    """An include whose target has two SPF records: permerror."""
    spf = "v=spf1 include:_spf.spotme.com include:twospf.test -all"
    found = run(domain_of("include-bad.test", spotme_set("include-bad.test", spf=spf)), [world.server])
    assert codes(found) == {("spf-include-invalid", E, "include-bad.test")}


def test_spf_terms_dropped_when_replacing_live_spf(world):
    """A Route53 set that replaces the customer's SPF without its include: terms dropped."""
    records = spotme_set("dropped.test", spf="v=spf1 ip4:192.0.2.7 include:_spf.spotme.com -all", action=Action.UPDATE)
    found = run(domain_of("dropped.test", records), [world.server], actions_known=True)
    assert codes(found) == {("spf-terms-dropped", W, "dropped.test")}
    assert "include:_spf.google.test" in found[0].message


@pytest.mark.parametrize(
    "value, code",
    [
        (
            "v=spf1 include:_spf.spotme.com " + " ".join(f"ip4:192.0.2.{i}" for i in range(30)) + " -all",
            "spf-string-too-long",
        ),
        ("site-verification=" + "x" * 450, "txt-string-too-long"),
    ],
    ids=["spf", "other-txt"],
)
def test_string_too_long_as_planned(world, value, code):
    """A planned Route53 value published as one character-string over 255 octets."""
    records = spotme_set("long.test")
    apex = next(r for r in records if (r.name, r.type) == ("long.test", "TXT"))
    values = tuple(sorted({*(apex.values or ()), value} - ({SPOTME_SPF} if value.startswith("v=spf1") else set())))
    records = replace(records, "long.test", "TXT", values=values, strings=tuple((v,) for v in values))
    found = run(domain_of("long.test", records), [world.server])
    assert (code, E, "long.test") in codes(found)
    assert ("spf-size-advisory", W, "long.test") in codes(found)


def test_string_split_as_planned_is_fine(world):
    """The same long SPF value split at 255 octets by the input is no problem (only the size advice)."""
    value = "v=spf1 include:_spf.spotme.com " + " ".join(f"ip4:192.0.2.{i}" for i in range(30)) + " -all"
    values = tuple(sorted({value, "mandrill_verify.k3y"}))
    strings = tuple((v[:255], v[255:]) if v == value else (v,) for v in values)
    records = replace(spotme_set("long.test"), "long.test", "TXT", values=values, strings=strings)
    assert codes(run(domain_of("long.test", records), [world.server])) == {("spf-size-advisory", W, "long.test")}


def test_spf_size_advisory(world):
    """Name plus all TXT text at the apex over 450 octets is a warning, nothing more."""
    extra = [f"verification-{i}=" + "v" * 60 for i in range(6)]
    records = spotme_set("big.test", extra_apex=extra)
    found = run(domain_of("big.test", records), [world.server])
    assert codes(found) == {("spf-size-advisory", W, "big.test")}


# --------------------------------------------------------------------------- DMARC


def test_dmarc_missing(world):
    """No DMARC record planned and none live."""
    records = without(spotme_set("no-dmarc.test"), "_dmarc.no-dmarc.test", "TXT")
    assert codes(run(domain_of("no-dmarc.test", records), [world.server])) == {
        ("dmarc-missing", E, "_dmarc.no-dmarc.test")
    }


def test_dmarc_multiple_records(world):
    """A Cloudflare DMARC record added beside the customer's live one: two records."""
    records = spotme_set("two-dmarc.test", authoritative=False, address="cloudflare_record.r")
    found = run(domain_of("two-dmarc.test", records), [world.server])
    assert codes(found) == {("dmarc-multiple-records", E, "_dmarc.two-dmarc.test")}


@pytest.mark.parametrize("record", ["v=DMARC1; p=maybe", "v=dmarc1; p=none"], ids=["bad-policy", "lower-case-version"])
def test_dmarc_syntax(world, record):
    """A DMARC record with a bad policy, or a version that is not exactly DMARC1."""
    found = run(domain_of("bad-dmarc.test", spotme_set("bad-dmarc.test", dmarc=record)), [world.server])
    assert codes(found) == {("dmarc-syntax", E, "_dmarc.bad-dmarc.test")}


def test_dmarc_policy_weakened(world):
    """A Route53 plan that replaces a live p=reject with p=none warns."""
    records = spotme_set("weaker.test", dmarc="v=DMARC1; p=none", action=Action.UPDATE)
    found = run(domain_of("weaker.test", records), [world.server])
    assert codes(found) == {("dmarc-policy-weakened", W, "_dmarc.weaker.test")}


def test_dmarc_rua_unauthorized(world):
    """An external rua destination without `<domain>._report._dmarc.<host>`; the authorised one passes."""
    dmarc = "v=DMARC1; p=none; rua=mailto:a@reports.test,mailto:b@ok-reports.test,mailto:c@rua.test; ruf=mailto:d@sub.rua.test"
    found = run(domain_of("rua.test", spotme_set("rua.test", dmarc=dmarc)), [world.server])
    assert codes(found) == {("dmarc-rua-unauthorized", W, "_dmarc.rua.test")}
    assert "reports.test" in found[0].message and "ok-reports" not in found[0].message


def test_org_domain_approximation():
    """Destinations inside the zone or sharing the last two labels need no authorisation."""
    assert not needs_authorisation("mail.acme.test", "acme.test", "acme.test")
    assert not needs_authorisation("mail.acme.test", "mail.acme.test", "reports.acme.test")
    assert needs_authorisation("acme.test", "acme.test", "vendor.test")


# --------------------------------------------------------------------------- DKIM


def test_dkim_selectors_missing(world):
    """Two of three SES CNAMEs, a wrong one, and no mte2: each reported."""
    d = "selectors.test"
    t1, t2, t3 = tokens(d)
    records = without(without(spotme_set(d), f"{t3}._domainkey.{d}", "CNAME"), f"mte2._domainkey.{d}", "CNAME")
    records = replace(records, f"{t2}._domainkey.{d}", "CNAME", values=(f"{t1}.dkim.amazonses.com",))
    found = run(domain_of(d, records), [world.server])
    assert codes(found) == {("dkim-selector-missing", E, d), ("dkim-selector-missing", E, f"mte2._domainkey.{d}")}
    ses = next(f for f in found if f.name == d)
    assert ses.message.startswith("1 of the 3") and f"{t2}._domainkey.{d} points to {t1}" in ses.message


def test_dkim_target_no_key(world):
    """A revoked key (empty p=) and a target that does not exist."""
    d = "keys.test"
    t1, t2, t3 = tokens(d)
    found = run(domain_of(d, spotme_set(d)), [world.server])
    assert codes(found) == {
        ("dkim-target-no-key", E, f"{t2}._domainkey.{d}"),
        ("dkim-target-no-key", E, f"{t3}._domainkey.{d}"),
    }
    messages = " ".join(f.message for f in found)
    assert "revoked" in messages and "NXDOMAIN" in messages


@pytest.mark.parametrize(
    "values, problem",
    [
        ((f"v=DKIM1; k=rsa; p={KEY}",), None),
        ((f"k=rsa; p={KEY[:100]} {KEY[100:]}",), None),
        (("v=DKIM1; p=",), "revoked"),
        (("v=DKIM1; k=rsa",), "no p="),
        (("k=rsa; v=DKIM1; p=abc",), "first"),
        ((f"p={KEY}", f"p={KEY}x"), "2 TXT records"),
        (("v=DKIM1; p=not base64!",), "base64"),
    ],
    ids=["good", "whitespace-in-key", "revoked", "no-key", "v-not-first", "two-records", "not-base64"],
)
def test_dkim_key_problem(values, problem):
    """DKIM key records per RFC 6376 §3.6.1."""
    got = dkim_key_problem(values)
    assert (got is None) if problem is None else (problem in got)


# --------------------------------------------------------------------------- names and data


def test_cname_conflicts(world):
    """A CNAME planned at a name holding TXT now; TXT planned where a CNAME is live; both planned."""
    d = "conflict.test"
    records = [
        *spotme_set(d),
        cname(f"busy._domainkey.{d}", "busy.dkim.example.test"),
        cname(f"both._domainkey.{d}", "both.dkim.example.test"),
        txt(f"both._domainkey.{d}", "v=DKIM1; p=abc"),
    ]
    found = only(run(domain_of(d, records), [world.server]), "cname-conflict")
    assert codes(found) == {
        ("cname-conflict", E, f"busy._domainkey.{d}"),
        ("cname-conflict", E, f"_dmarc.{d}"),
        ("cname-conflict", E, f"both._domainkey.{d}"),
    }
    busy = next(f for f in found if f.name.startswith("busy"))
    assert "TXT" in busy.message


def test_unplanned_dmarc_cname_is_followed(world):
    """A live `_dmarc` CNAME the plan leaves alone is read at its target: no DMARC finding."""
    d = "conflict.test"
    records = without(spotme_set(d), f"_dmarc.{d}", "TXT")
    assert run(domain_of(d, records), [world.server]) == ()


def test_cname_at_apex(world):
    """A CNAME planned at the zone apex conflicts with SOA and NS."""
    records = [*spotme_set("clean.test"), cname("clean.test", "elsewhere.example.test")]
    found = only(run(domain_of("clean.test", records), [world.server]), "cname-conflict")
    assert codes(found) == {("cname-conflict", E, "clean.test")}


def test_doubled_zone_name(world):
    """`_dmarc.doubled.test.doubled.test`: the zone appended to a name that already had it."""
    d = "doubled.test"
    records = spotme_set(d) + [txt(f"_dmarc.{d}.{d}", "v=DMARC1; p=none")]
    found = only(run(domain_of(d, records), [world.server]), "doubled-zone-name")
    assert codes(found) == {("doubled-zone-name", E, f"_dmarc.{d}.{d}")}
    assert f"exactly _dmarc.{d}" in found[0].message


def test_cloudflare_proxied(world):
    """A Mandrill CNAME planned with proxied = true."""
    d = "proxied.test"
    records = spotme_set(d, authoritative=False, address="cloudflare_record.r", proxied=False)
    records = replace(records, f"mte1._domainkey.{d}", "CNAME", proxied=True)
    assert codes(run(domain_of(d, records), [world.server])) == {("cloudflare-proxied", E, f"mte1._domainkey.{d}")}


def test_live_values_deleted(world):
    """A Route53 set written whole without the customer's verification values deletes them."""
    d = "deleted.test"
    records = replace(spotme_set(d), d, "TXT", action=Action.UPDATE)
    found = run(domain_of(d, records), [world.server])
    assert codes(found) == {("live-values-deleted", E, d)}
    assert "google-site-verification=abc" in found[0].message and "MS=ms123" in found[0].message


def test_live_values_removed_on_purpose(world):
    """Values the plan owns and removes (`removed`) are not reported as deleted."""
    d = "deleted.test"
    records = replace(spotme_set(d), d, "TXT", action=Action.UPDATE, removed=("MS=ms123",))
    found = run(domain_of(d, records), [world.server])
    assert codes(found) == {("live-values-deleted", E, d)}
    assert "MS=ms123" not in found[0].message


def test_record_exists_unmanaged(world):
    """Route53 creates a TXT set and Cloudflare a CNAME that exist live: say how to import."""
    d = "exists.test"
    records = spotme_set(d)
    records = replace(
        records, f"mte1._domainkey.{d}", "CNAME", authoritative=False, address="cloudflare_dns_record.mte1"
    )
    found = only(run(domain_of(d, records), [world.server]), "record-exists-unmanaged")
    assert codes(found) == {("record-exists-unmanaged", E, d), ("record-exists-unmanaged", E, f"mte1._domainkey.{d}")}
    route53 = next(f for f in found if f.name == d)
    assert f"terraform import 'aws_route53_record.txt[\"{d}\"]' <ZONE_ID>_{d}_TXT" in route53.message
    cloudflare = next(f for f in found if f.name != d)
    assert "terraform import 'cloudflare_dns_record.mte1' <zone_id>/<record_id>" in cloudflare.message


def test_record_exists_not_judged_without_plan(world):
    """For --tf/--spec inputs every record reads `create`: existing records are not reported."""
    d = "exists.test"
    found = run(domain_of(d, spotme_set(d)), [world.server], actions_known=False)
    assert only(found, "record-exists-unmanaged") == []


# --------------------------------------------------------------------------- servers


def test_ns_inconsistent(world, bind2):
    """Two authoritative servers with different SPF records at the apex."""
    d = "applied.test"
    bind2.set_zones({d: applied_lines(d)})  # without the google-site-verification value
    records = spotme_set(d, extra_apex=["google-site-verification=abc"], action=Action.NOOP)
    found = run(domain_of(d, records), [world.server, bind2.server])
    assert codes(found) == {("ns-inconsistent", W, d)}
    assert world.address in found[0].message and bind2.address in found[0].message


def test_dns_error_timeout(world, silent_server):
    """A server that never answers: one dns-error naming it and the questions, no crash."""
    d = "applied.test"
    records = spotme_set(d, extra_apex=["google-site-verification=abc"], action=Action.NOOP)
    found = run(domain_of(d, records), [world.server, silent_server])
    assert codes(found) == {("dns-error", E, d)}
    assert f"server {silent_server} gave timeout" in found[0].message


def test_dns_error_servfail(servfail):
    """A zone its server answers with SERVFAIL: reported, and no SPF/DMARC guesses made."""
    d = servfail.zone
    found = run(domain_of(d, spotme_set(d, action=Action.NOOP)), [servfail.server])
    server_errors = [
        f for f in only(found, "dns-error") if f.message.startswith(f"server {servfail.server} gave servfail")
    ]
    assert codes(server_errors) == {("dns-error", E, d)}
    assert not only(found, "spf-missing") and not only(found, "dmarc-missing")


def test_dns_error_refused(world):
    """A server that does not serve the zone at all answers REFUSED."""
    d = "elsewhere.example"
    found = run(domain_of(d, spotme_set(d)), [world.server])
    assert ("dns-error", E, d) in codes(found)
    assert "gave refused" in only(found, "dns-error")[0].message


def test_dns_error_zone_nxdomain(world):
    """The parent zone answers NXDOMAIN for the whole (undelegated) zone."""
    d = "gone.parent.test"
    found = run(domain_of(d, spotme_set(d)), [world.server])
    zone_errors = [f for f in only(found, "dns-error") if "NXDOMAIN for the zone apex" in f.message]
    assert codes(zone_errors) == {("dns-error", E, d)}


def test_dns_error_zone_nxdomain_below_apex(world):
    """A sending domain below a zone that does not exist: found with one SOA question."""
    found = run(
        domain_of("mail.gone.parent.test", spotme_set("mail.gone.parent.test"), zone="gone.parent.test"), [world.server]
    )
    assert any("NXDOMAIN for the zone apex gone.parent.test" in f.message for f in only(found, "dns-error"))


# --------------------------------------------------------------------------- the table


def test_every_code_is_kebab_case_and_documented():
    """Codes are stable kebab-case, each in the module table once."""
    import spotme_dns.checks as checks

    for check in CHECKS:
        assert check.code == check.code.lower() and " " not in check.code and "_" not in check.code
        assert f"\n{check.code} " in checks.__doc__
    assert len(CHECK_BY_CODE) == len(CHECKS)


@pytest.mark.parametrize(
    "record, live, after",
    [
        (None, ("a",), ("a",)),
        (DesiredRecord("n", "TXT", ("b",), authoritative=True), ("a",), ("b",)),
        (DesiredRecord("n", "TXT", ("b",), authoritative=False), ("a",), ("a", "b")),
        (DesiredRecord("n", "TXT", ("b",), authoritative=False, removed=("a",)), ("a",), ("b",)),
        (DesiredRecord("n", "TXT", (), action=Action.DELETE, authoritative=True), ("a",), ()),
        (DesiredRecord("n", "TXT", None), ("a",), None),
    ],
    ids=["unplanned", "route53-replaces", "cloudflare-adds", "cloudflare-removes", "route53-delete", "unknown"],
)
def test_after_apply(record, live, after):
    """The state after apply per provider semantics."""
    assert after_apply(record, live) == after


# --------------------------------------------------------------------------- with validation's LiveView


def test_checks_on_validation_live_view(world):
    """On the LiveView `validation.gather_live` builds, only provider targets are asked anew."""
    from spotme_dns.validation import gather_live

    d = "applied.test"
    desired = domain_of(d, spotme_set(d, extra_apex=["google-site-verification=abc"], action=Action.NOOP))

    async def go() -> tuple[tuple[Finding, ...], int]:
        dns = LiveDns(nameservers=[world.server], resolvers=[world.server], timeout=0.5, retries=0)
        live = await gather_live(desired, dns)
        before = dns.stats
        return await run_checks(desired, live, dns), dns.stats - before

    found, extra = asyncio.run(go())
    assert found == ()
    assert extra == 2 + 3 + 2  # SPF include chain, 3 SES keys, 2 Mandrill keys


def test_checks_report_a_zone_without_servers(world):
    """A LiveView whose zone's servers could not be found gives one dns-error, and no crash."""
    from spotme_dns.diff import LiveView

    d = "noservers.invalid"
    desired = domain_of(d, spotme_set(d))

    async def go() -> tuple[Finding, ...]:
        dns = LiveDns(resolvers=[world.server], timeout=0.5, retries=0)  # discovery: NS lookup REFUSED
        return await run_checks(desired, LiveView.build(d, (), (), "no servers"), dns)

    found = asyncio.run(go())
    assert codes(only(found, "dns-error")) == {("dns-error", E, d)}
    assert "cannot find the authoritative name servers" in only(found, "dns-error")[0].message


def test_string_too_long_from_a_real_plan_reader(world):
    """A Route53 plan whose SPF value has no `\\"\\"` split: the plan reader's strings flag it."""
    import json

    from spotme_dns.inputs.plan import parse_plan

    spf = "v=spf1 include:_spf.spotme.com " + " ".join(f"ip4:192.0.2.{i}" for i in range(30)) + " -all"
    split = spf[:250] + '""' + spf[250:]  # 250 + 225 octets

    def resource(name: str, records: list[str]) -> dict:
        values = {"zone_id": "Z1", "name": "long.test", "type": "TXT", "ttl": 300, "records": records}
        return {
            "address": f"aws_route53_record.{name}", "mode": "managed", "type": "aws_route53_record", "name": name,
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": {"actions": ["create"], "before": None, "after": values, "after_unknown": {}},
        }  # fmt: skip

    def plan(records: list[str]) -> str:
        return json.dumps({"format_version": "1.2", "resource_changes": [resource("apex", records)]})

    for records, expected in (([spf, "mandrill_verify.k3y"], True), ([split, "mandrill_verify.k3y"], False)):
        desired = parse_plan(plan(records)).domains[0]
        found = run(desired, [world.server])
        assert (("spf-string-too-long", E, "long.test") in codes(found)) is expected, records[0][:20]
