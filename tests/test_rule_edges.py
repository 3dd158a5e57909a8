"""The rules at their edges, against real BIND 9 servers.

- RFC 7208 §4.6.4 limits exactly at the limit (accepted) and one over (refused): 10
  DNS-querying terms across includes, 10 MX names behind an `mx`, 2 void lookups.
- Findings that must stay silent: an ordinary SPF merge drops no term, a stronger DMARC policy
  is not "weakened" (and a weaker one is, even when the live record has a broken tag).
- Two authoritative servers that disagree, each way: wrong on one and absent on the other
  (differs), removed by the plan but still live on one (not in sync), one server failing
  during a delete (not in sync).

Every run is `validation.validate`, what `validate` and `verify` run, with `--nameserver`
(`bind`, and `bind2` as a second authoritative server) for the zone and `--resolver` (`bind`)
for the senders' names.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from spotme_dns.desired import Action, DesiredDomain, DesiredRecord
from spotme_dns.dns_live import LiveDns, Server
from spotme_dns.report import Report, Severity, Status
from spotme_dns.spf import merge_terms, parse_spf
from spotme_dns.validation import validate

ZONE = "edge.test"
SENDERS = {
    "spotme.com": ['_spf TXT "v=spf1 ip4:192.0.2.0/24 -all"'],
    "google.com": ['_spf TXT "v=spf1 ip4:198.51.100.0/24 ~all"'],
}


def hosts(prefix: str, count: int) -> list[str]:
    return [f"{prefix}{i} A 192.0.2.{i}" for i in range(1, count + 1)]


EDGE_ZONE = [
    *hosts("h", 10),
    *hosts("m", 11),
    *(f"mx10 MX {i} m{i}" for i in range(1, 11)),
    *(f"mx11 MX {i} m{i}" for i in range(1, 12)),
    # Included records whose own terms add up with the includer's (RFC 7208 §4.6.4 counts the
    # whole evaluation): 1 + 1 + 8 = 10 and 1 + 1 + 9 = 11.
    'nest8 TXT "v=spf1 ' + " ".join(f"a:h{i}.{ZONE}" for i in range(1, 9)) + ' -all"',
    'nest9 TXT "v=spf1 ' + " ".join(f"a:h{i}.{ZONE}" for i in range(1, 10)) + ' -all"',
]


def spf_domain(label: str, record: str) -> DesiredDomain:
    domain = f"{label}.{ZONE}"
    return DesiredDomain(domain, ZONE, (DesiredRecord(domain, "TXT", (record,)),))


def run(domains: Sequence[DesiredDomain], servers: Sequence[Server], resolver: Server, command: str = "validate") -> Report:
    async def go() -> Report:
        dns = LiveDns(nameservers=servers, resolvers=[resolver], timeout=0.5, retries=0)
        return await validate(domains, dns=dns, command=command)

    return asyncio.run(go())


def codes(report: Report, domain: str) -> set[str]:
    return {f.code for d in report.domains if d.domain == domain for f in d.findings}


# --------------------------------------------------------------------------- RFC 7208 §4.6.4 limits


LIMIT_CASES = {
    # SpotMe's include (1 lookup) plus 9 or 10 `a` terms that resolve.
    "lookups-10": ("v=spf1 include:_spf.spotme.com " + " ".join(f"a:h{i}.{ZONE}" for i in range(1, 10)) + " -all", None),
    "lookups-11": ("v=spf1 include:_spf.spotme.com " + " ".join(f"a:h{i}.{ZONE}" for i in range(1, 11)) + " -all", "spf-too-many-lookups"),
    "nested-10": (f"v=spf1 include:_spf.spotme.com include:nest8.{ZONE} -all", None),
    "nested-11": (f"v=spf1 include:_spf.spotme.com include:nest9.{ZONE} -all", "spf-too-many-lookups"),
    # A redirect beside `all` is never evaluated (RFC 7208 §5.1), so it costs nothing.
    "redirect-ignored-10": ("v=spf1 include:_spf.spotme.com " + " ".join(f"a:h{i}.{ZONE}" for i in range(1, 10)) + f" -all redirect=nest9.{ZONE}", None),
    "mx-names-10": (f"v=spf1 include:_spf.spotme.com mx:mx10.{ZONE} -all", None),
    "mx-names-11": (f"v=spf1 include:_spf.spotme.com mx:mx11.{ZONE} -all", "spf-too-many-lookups"),
    "void-2": (f"v=spf1 include:_spf.spotme.com a:nx1.{ZONE} a:nx2.{ZONE} -all", None),
    "void-3": (f"v=spf1 include:_spf.spotme.com a:nx1.{ZONE} a:nx2.{ZONE} a:nx3.{ZONE} -all", "spf-void-lookups"),
}


@pytest.fixture(scope="module")
def limits(bind) -> Report:
    bind.set_zones({**SENDERS, ZONE: EDGE_ZONE})
    domains = [spf_domain(label, record) for label, (record, _) in LIMIT_CASES.items()]
    return run(domains, [bind.server], bind.server)


@pytest.mark.parametrize("label", LIMIT_CASES, ids=LIMIT_CASES.keys())
def test_spf_limits_accept_the_limit_and_refuse_one_more(limits: Report, label: str) -> None:
    """At the limit: no limit finding (nor any other SPF error); one over: the limit's finding."""
    record, refused = LIMIT_CASES[label]
    found = codes(limits, f"{label}.{ZONE}")
    spf_errors = {c for c in found if c.startswith("spf-")}
    if refused is None:
        assert not spf_errors, found
    else:
        assert spf_errors == {refused}, found
    lookups = len(parse_spf(record).lookup_terms)
    assert lookups == {"lookups-10": 10, "lookups-11": 11}.get(label, lookups)


# --------------------------------------------------------------------------- findings that stay silent


LIVE_SPF = "v=spf1 include:_spf.google.com ip4:198.51.100.0/24 ~include:_spf.spotme.com ~all"


def replacing(label: str, live_name: str, planned: str) -> DesiredDomain:
    """A Route53-style record set update (the whole set is replaced) at `live_name`."""
    domain = f"{label}.{ZONE}"
    name = live_name.replace("@", domain)
    return DesiredDomain(domain, ZONE, (DesiredRecord(name, "TXT", (planned,), action=Action.UPDATE, authoritative=True),))


SILENT = {
    # merge_terms is what `generate --discover` writes: every live term kept, SpotMe's include
    # made a pass, one `all` at the end.
    "spf-merge": ("@", LIVE_SPF, merge_terms(parse_spf(LIVE_SPF).text().split()[1:], ["_spf.spotme.com"], "~all"), set()),
    "spf-drop": ("@", LIVE_SPF, "v=spf1 include:_spf.spotme.com ~all", {"spf-terms-dropped"}),
    "dmarc-stronger": ("_dmarc.@", "v=DMARC1; p=none; rua=mailto:d@edge.test", "v=DMARC1; p=reject; rua=mailto:d@edge.test", set()),
    "dmarc-same-meaning": ("_dmarc.@", "v=DMARC1; p=quarantine", "v=DMARC1;p=QUARANTINE;", set()),
    "dmarc-weaker": ("_dmarc.@", "v=DMARC1; p=reject", "v=DMARC1; p=none", {"dmarc-policy-weakened"}),
    # A receiver discards a broken tag and keeps p=reject (RFC 9989): replacing it with p=none weakens it.
    "dmarc-weaker-live-broken": ("_dmarc.@", "v=DMARC1; p=reject; fo:1", "v=DMARC1; p=none", {"dmarc-policy-weakened"}),
    "dmarc-weaker-live-historic": ("_dmarc.@", "v=DMARC1; p=reject; pct=200", "v=DMARC1; p=quarantine", {"dmarc-policy-weakened"}),
}
WATCHED = {"spf-terms-dropped", "dmarc-policy-weakened", "live-values-deleted"}


@pytest.fixture(scope="module")
def silent(bind) -> Report:
    lines = []
    for label, (where, live, _, _) in SILENT.items():
        owner = where.replace("@", label)
        lines.append(f'{owner} TXT "{live}"')
    bind.set_zones({**SENDERS, ZONE: lines})
    domains = [replacing(label, where, planned) for label, (where, _, planned, _) in SILENT.items()]
    return run(domains, [bind.server], bind.server)


@pytest.mark.parametrize("label", SILENT, ids=SILENT.keys())
def test_replacing_spf_and_dmarc_warns_only_when_something_is_lost(silent: Report, label: str) -> None:
    """An ordinary merge and a stronger or equal policy say nothing; a dropped term or a
    weaker policy (even behind a broken live tag) is said."""
    *_, expected = SILENT[label]
    assert codes(silent, f"{label}.{ZONE}") & WATCHED == expected


# --------------------------------------------------------------------------- servers that disagree

def test_wrong_on_one_server_and_absent_on_the_other_differs(bind, bind2) -> None:
    """One server serves another target, the other nothing at all: differs, not pending."""
    bind.set_zones({**SENDERS, ZONE: ["mte1._domainkey.split CNAME old.mandrillapp.com."]})
    bind2.set_zones({ZONE: []})
    domain = f"split.{ZONE}"
    planned = DesiredRecord(f"mte1._domainkey.{domain}", "CNAME", ("dkim1.mandrillapp.com",), action=Action.UPDATE)
    report = run([DesiredDomain(domain, ZONE, (planned,))], [bind.server, bind2.server], bind.server, "verify")
    [record] = report.domains[0].records
    assert record.status is Status.DIFFERS, record
    assert not report.all_in_sync()


def test_removed_by_the_plan_but_live_on_one_server_is_not_in_sync(bind, bind2) -> None:
    """A planned delete, gone from one server and still served by the other: pending."""
    bind.set_zones({**SENDERS, ZONE: ['gone TXT "old-verification=1"']})
    bind2.set_zones({ZONE: []})
    domain = f"gone.{ZONE}"
    record = DesiredRecord(domain, "TXT", (), action=Action.DELETE, authoritative=True, removed=("old-verification=1",))
    report = run([DesiredDomain(domain, ZONE, (record,))], [bind.server, bind2.server], bind.server, "verify")
    [result] = report.domains[0].records
    assert result.status is Status.PENDING, result
    assert not report.all_in_sync()


def test_one_server_failing_during_a_delete_is_not_in_sync(bind, bind2) -> None:
    """A planned delete, gone on one server while the other answers SERVFAIL: unknown, not in sync."""
    bind.set_zones({**SENDERS, ZONE: []})
    bind2.set_zones({}, failing=[ZONE])
    domain = f"gone.{ZONE}"
    record = DesiredRecord(domain, "TXT", (), action=Action.DELETE, authoritative=True, removed=("old-verification=1",))
    report = run([DesiredDomain(domain, ZONE, (record,))], [bind.server, bind2.server], bind.server, "verify")
    [result] = report.domains[0].records
    assert result.status is Status.UNKNOWN, result
    assert not report.all_in_sync()
    assert "dns-error" in codes(report, domain)


def test_historic_dmarc_tags_are_information_only(bind) -> None:
    """pct, rf and ri (removed by RFC 9989): one info finding, nothing that stops the apply."""
    bind.set_zones({**SENDERS, ZONE: []})
    domain = f"old.{ZONE}"
    record = DesiredRecord(f"_dmarc.{domain}", "TXT", ("v=DMARC1; p=reject; pct=50; rf=afrf; ri=3600",))
    report = run([DesiredDomain(domain, ZONE, (record,))], [bind.server], bind.server)
    [historic] = [f for f in report.domains[0].findings if f.code == "dmarc-historic-tag"]
    assert historic.severity is Severity.INFO and "pct=, rf=, ri=" in historic.message
    assert not {f.code for f in report.domains[0].findings if f.code.startswith("dmarc-") and f.severity is not Severity.INFO}


def test_a_dmarc_look_alike_beside_the_planned_record_is_an_error(bind) -> None:
    """A live ' v=DMARC1; p=reject' (not DMARC by the grammar, DMARC to a lenient receiver) left
    beside a planned record: dmarc-syntax, since such a receiver sees two records and applies none."""
    bind.set_zones({**SENDERS, ZONE: ['_dmarc.twin TXT " v=DMARC1; p=reject"']})
    domain = f"twin.{ZONE}"
    record = DesiredRecord(f"_dmarc.{domain}", "TXT", ("v=DMARC1; p=reject",), authoritative=False)
    report = run([DesiredDomain(domain, ZONE, (record,))], [bind.server], bind.server)
    [syntax] = [f for f in report.domains[0].findings if f.code == "dmarc-syntax"]
    assert "beside the DMARC record 'v=DMARC1; p=reject'" in syntax.message


def test_an_spf_look_alike_beside_the_planned_record_is_an_error(bind) -> None:
    """A live 'v=spf1\\t-all' (not SPF by RFC 7208 §4.5) left beside a planned SPF record: spf-syntax."""
    bind.set_zones({**SENDERS, ZONE: ['twin TXT "v=spf1\\009-all"']})  # \009: a tab in zone-file text
    domain = f"twin.{ZONE}"
    record = DesiredRecord(domain, "TXT", ("v=spf1 include:_spf.spotme.com -all",), authoritative=False)
    report = run([DesiredDomain(domain, ZONE, (record,))], [bind.server], bind.server)
    [syntax] = [f for f in report.domains[0].findings if f.code == "spf-syntax"]
    assert "beside the SPF record 'v=spf1 include:_spf.spotme.com -all'" in syntax.message


def test_a_sender_id_record_beside_spf_is_no_finding(bind) -> None:
    """'v=spf2.0/mfrom,pra' (Sender ID, RFC 4406) beside SPF is another record: nothing said,
    at the domain or at a MAIL FROM subdomain."""
    bind.set_zones({**SENDERS, ZONE: []})
    domain = f"senderid.{ZONE}"
    sender_id = "v=spf2.0/mfrom,pra include:_spf.spotme.com -all"
    records = (
        DesiredRecord(domain, "TXT", ("v=spf1 include:_spf.spotme.com -all", sender_id)),
        DesiredRecord(f"bounce.{domain}", "TXT", ("v=spf1 include:_spf.spotme.com -all", sender_id)),
    )
    report = run([DesiredDomain(domain, ZONE, records)], [bind.server], bind.server)
    assert not [f for f in report.domains[0].findings if f.code.startswith("spf-")]
