"""The diff: one status per desired record against every server's answer (pure, no network)."""

from __future__ import annotations

import pytest

from spotme_dns.desired import Action, DesiredDomain, DesiredRecord
from spotme_dns.diff import LiveView, diff_domain, own_values
from spotme_dns.dns_live import LiveAnswer, Outcome, Server
from spotme_dns.report import Status

S1 = Server("192.0.2.1")
S2 = Server("192.0.2.2", 5353)
SPF = "v=spf1 include:_spf.spotme.com -all"
ZONE = "acme.test"


def answer(name: str, rdtype: str, *values: str, server: Server = S1, outcome: Outcome | None = None, chain: tuple[str, ...] = ()) -> LiveAnswer:
    """One server's answer: data when values are given, else NXDOMAIN (or the outcome given)."""
    if outcome is None:
        outcome = Outcome.ANSWER if values else Outcome.NXDOMAIN
    return LiveAnswer(server, name, rdtype, outcome, tuple(sorted(values)), 300 if values else None, "", chain)


def view(*answers: LiveAnswer, servers: tuple[Server, ...] = (S1,)) -> LiveView:
    return LiveView.build(ZONE, servers, list(answers))


def txt(name: str, *values: str | None, **kw) -> DesiredRecord:
    kw.setdefault("authoritative", True)
    vals = None if values == (None,) else tuple(sorted(v for v in values if v is not None))
    return DesiredRecord(name=name, type="TXT", values=vals, **kw)


def cname(name: str, target: str | None, **kw) -> DesiredRecord:
    kw.setdefault("authoritative", True)
    return DesiredRecord(name=name, type="CNAME", values=None if target is None else (target,), **kw)


def diff_one(record: DesiredRecord, live: LiveView, *others: DesiredRecord):
    [result, *_] = diff_domain(DesiredDomain(ZONE, ZONE, (record, *others)), live)
    return result


# --------------------------------------------------------------------------- LiveView


def test_liveview_is_a_mapping_with_normalised_keys() -> None:
    """(name, type) -> answers in server order; lookups ignore case and the trailing dot."""
    live = view(answer("acme.test", "TXT", SPF), answer("acme.test", "TXT", SPF, server=S2), servers=(S1, S2))
    assert live["ACME.test.", "txt"] == live[("acme.test", "TXT")]
    assert [a.server for a in live[("acme.test", "TXT")]] == [S1, S2]
    assert dict(live.items()).keys() == {("acme.test", "TXT")}
    assert ("acme.test", "CNAME") not in live
    assert len(live) == 1


def test_liveview_helpers() -> None:
    """Union of values, disagreement and failures per question."""
    live = view(
        answer("acme.test", "TXT", SPF),
        answer("acme.test", "TXT", server=S2, outcome=Outcome.NODATA),
        answer("x.acme.test", "TXT", outcome=Outcome.TIMEOUT),
        servers=(S1, S2),
    )
    assert live.values("acme.test", "TXT") == (SPF,)
    assert live.disagree("acme.test", "TXT") is True
    assert live.failed("acme.test", "TXT") is False
    assert live.failed("x.acme.test", "TXT") is True
    assert [a.outcome for a in live.failures("x.acme.test", "TXT")] == [Outcome.TIMEOUT]
    assert live.has_data("x.acme.test", "TXT") is False
    assert len(list(live.all_answers())) == 3


def test_data_found_through_a_cname_is_not_the_names_own() -> None:
    """A TXT answer that followed a CNAME belongs to the target, not to the asked name."""
    followed = answer("sel._domainkey.acme.test", "TXT", "v=DKIM1; p=x", chain=("sel.dkim.example.net",))
    assert own_values(followed) == ()
    assert own_values(answer("SEL.acme.test", "CNAME", "Target.Example.NET")) == ("target.example.net",)


# --------------------------------------------------------------------------- statuses


def test_in_sync_when_every_server_serves_exactly_the_set() -> None:
    """Authoritative set equal on every server: in-sync."""
    record = txt("acme.test", SPF, "mandrill_verify.k")
    live = view(
        answer("acme.test", "TXT", SPF, "mandrill_verify.k"),
        answer("acme.test", "TXT", "mandrill_verify.k", SPF, server=S2),
        servers=(S1, S2),
    )
    result = diff_one(record, live)
    assert (result.status, result.expected, result.live, result.detail) == (
        Status.IN_SYNC, ("mandrill_verify.k", SPF), ("mandrill_verify.k", SPF), "",
    )


def test_pending_when_absent_everywhere() -> None:
    """Not live (NXDOMAIN or NODATA): pending."""
    assert diff_one(txt("_dmarc.acme.test", "v=DMARC1; p=none;"), view(answer("_dmarc.acme.test", "TXT"))).status is Status.PENDING
    nodata = answer("acme.test", "TXT", outcome=Outcome.NODATA)
    assert diff_one(txt("acme.test", SPF), view(nodata)).status is Status.PENDING


def test_pending_while_one_server_lags_with_per_server_detail() -> None:
    """In sync on one server, absent on the other: pending, and the detail names each server."""
    live = view(answer("acme.test", "TXT", SPF), answer("acme.test", "TXT", server=S2), servers=(S1, S2))
    result = diff_one(txt("acme.test", SPF), live)
    assert result.status is Status.PENDING
    assert f'{S1}: "{SPF}"' in result.detail and f"{S2}: nxdomain" in result.detail


def test_differs_when_present_with_other_values() -> None:
    """A CNAME to another target: differs (apply will change it)."""
    live = view(answer("s1._domainkey.acme.test", "CNAME", "old.dkim.amazonses.com"))
    assert diff_one(cname("s1._domainkey.acme.test", "s1.dkim.amazonses.com"), live).status is Status.DIFFERS


def test_differs_names_missing_values_for_per_value_providers() -> None:
    """Cloudflare/generic (not authoritative): live lacks a value -> differs, "values missing"."""
    record = txt("acme.test", SPF, "mandrill_verify.k", authoritative=False)
    result = diff_one(record, view(answer("acme.test", "TXT", SPF, "google-site-verification=x")))
    assert result.status is Status.DIFFERS
    assert 'values missing live: "mandrill_verify.k"' in result.detail


def test_per_value_provider_in_sync_beside_foreign_values() -> None:
    """Not authoritative: other live values at the name survive apply, so they do not matter."""
    record = txt("acme.test", SPF, authoritative=False)
    assert diff_one(record, view(answer("acme.test", "TXT", SPF, "MS=ms1"))).status is Status.IN_SYNC


def test_unknown_when_the_value_is_known_only_after_apply() -> None:
    """values None: unknown, with live values still reported."""
    result = diff_one(cname("s1._domainkey.acme.test", None), view(answer("s1._domainkey.acme.test", "CNAME", "x.example.net")))
    assert (result.status, result.expected, result.live) == (Status.UNKNOWN, None, ("x.example.net",))


def test_unknown_when_no_server_answered() -> None:
    """Every server failed: the live state is unknown (the checks report the dns-error)."""
    live = view(answer("acme.test", "TXT", outcome=Outcome.SERVFAIL), answer("acme.test", "TXT", server=S2, outcome=Outcome.TIMEOUT), servers=(S1, S2))
    result = diff_one(txt("acme.test", SPF), live)
    assert result.status is Status.UNKNOWN
    assert "no authoritative server answered" in result.detail and "servfail" in result.detail and "timeout" in result.detail


def test_never_in_sync_while_a_server_failed() -> None:
    """In sync on the servers that answered, but one failed: not in-sync (unknown)."""
    live = view(answer("acme.test", "TXT", SPF), answer("acme.test", "TXT", server=S2, outcome=Outcome.REFUSED), servers=(S1, S2))
    result = diff_one(txt("acme.test", SPF), live)
    assert result.status is Status.UNKNOWN
    assert "in sync on the servers that answered" in result.detail and "refused" in result.detail


def test_unknown_when_the_zone_could_not_be_asked() -> None:
    """No servers found for the zone: unknown with the reason."""
    live = LiveView.build(ZONE, (), (), "cannot find the authoritative name servers of zone acme.test: NS lookup gave nxdomain")
    result = diff_one(txt("acme.test", SPF), live)
    assert result.status is Status.UNKNOWN and "NS lookup gave nxdomain" in result.detail


# --------------------------------------------------------------------------- comparing values


def test_names_and_cname_targets_compare_case_insensitively() -> None:
    """CNAME targets and record names: case and the trailing dot do not matter."""
    record = cname("MTE1._DomainKey.Acme.Test.", "DKIM1.MandrillApp.com.")
    record = DesiredRecord(name="mte1._domainkey.acme.test", type="CNAME", values=record.values, authoritative=True)
    live = view(answer("mte1._domainkey.acme.test", "CNAME", "dkim1.mandrillapp.com"))
    assert diff_one(record, live).status is Status.IN_SYNC


def test_txt_compares_case_sensitively_as_the_logical_string() -> None:
    """TXT values are exact strings: another case is another value."""
    live = view(answer("acme.test", "TXT", "MANDRILL_VERIFY.K"))
    assert diff_one(txt("acme.test", "mandrill_verify.k", authoritative=False), live).status is Status.DIFFERS


def test_live_spf_replaced_by_the_planned_one_is_a_change() -> None:
    """Route53: the live SPF replaced by the one planned differs; the checks warn about dropped terms."""
    live = view(answer("acme.test", "TXT", "v=spf1 include:_spf.google.com -all"))
    assert diff_one(txt("acme.test", SPF), live).status is Status.DIFFERS


# --------------------------------------------------------------------------- deletes


def test_planned_delete_pending_while_live_in_sync_when_gone() -> None:
    """A planned delete: pending while the record is still served, in-sync once it is gone."""
    record = txt("_dmarc.acme.test", action=Action.DELETE)
    assert record.values == ()
    assert diff_one(record, view(answer("_dmarc.acme.test", "TXT", "v=DMARC1; p=none;"))).status is Status.PENDING
    result = diff_one(record, view(answer("_dmarc.acme.test", "TXT")))
    assert (result.status, result.expected) == (Status.IN_SYNC, ())


def test_deleted_cloudflare_value_beside_foreign_values() -> None:
    """A per-value delete: in-sync once that value is gone, whatever else stays at the name."""
    record = txt("acme.test", action=Action.DELETE, authoritative=False, removed=("mandrill_verify.old",))
    assert diff_one(record, view(answer("acme.test", "TXT", "MS=ms1"))).status is Status.IN_SYNC
    assert diff_one(record, view(answer("acme.test", "TXT", "MS=ms1", "mandrill_verify.old"))).status is Status.PENDING


def test_per_value_record_not_in_sync_while_a_removed_value_stays() -> None:
    """Cloudflare: the replaced value still live -> not in sync yet."""
    record = txt("acme.test", "mandrill_verify.new", authoritative=False, removed=("mandrill_verify.old",))
    live = view(answer("acme.test", "TXT", "mandrill_verify.new", "mandrill_verify.old"))
    assert diff_one(record, live).status is Status.DIFFERS


# --------------------------------------------------------------------------- conflicts


def test_route53_set_replaced_whole_deletes_foreign_values() -> None:
    """Route53 TXT set: live values nobody listed would be deleted by apply -> conflict."""
    record = txt("acme.test", SPF, "mandrill_verify.k")
    result = diff_one(record, view(answer("acme.test", "TXT", "google-site-verification=abc")))
    assert result.status is Status.CONFLICT
    assert 'deletes "google-site-verification=abc"' in result.detail


def test_values_the_plan_drops_on_purpose_are_no_conflict() -> None:
    """An update's own removed values are a change (differs), not a conflict."""
    record = txt("acme.test", SPF, "mandrill_verify.new", action=Action.UPDATE, removed=("mandrill_verify.old",))
    assert diff_one(record, view(answer("acme.test", "TXT", SPF, "mandrill_verify.old"))).status is Status.DIFFERS


def test_second_spf_record_at_the_name_is_a_conflict() -> None:
    """Per-value provider: our SPF beside another live SPF makes two -> conflict (RFC 7208 §4.5)."""
    record = txt("acme.test", SPF, authoritative=False)
    result = diff_one(record, view(answer("acme.test", "TXT", "v=spf1 include:_spf.google.com ~all")))
    assert result.status is Status.CONFLICT
    assert "2 SPF records at acme.test after apply" in result.detail


def test_replacing_the_old_spf_on_purpose_is_no_conflict() -> None:
    """The old SPF value deleted by the same plan: only one SPF record remains."""
    record = txt("acme.test", SPF, authoritative=False, removed=("v=spf1 -all",))
    assert diff_one(record, view(answer("acme.test", "TXT", "v=spf1 -all"))).status is Status.DIFFERS


def test_second_dmarc_record_is_a_conflict() -> None:
    """Two DMARC records make DMARC void (RFC 7489 §6.6.3): conflict."""
    record = txt("_dmarc.acme.test", "v=DMARC1; p=none;", authoritative=False)
    live = view(answer("_dmarc.acme.test", "TXT", "v=DMARC1; p=reject;"))
    assert diff_one(record, live).status is Status.CONFLICT


def test_cname_planned_where_txt_data_lives() -> None:
    """A CNAME where other data exists: conflict (RFC 1034 §3.6.2)."""
    record = cname("mte1._domainkey.acme.test", "dkim1.mandrillapp.com")
    live = view(answer("mte1._domainkey.acme.test", "CNAME", outcome=Outcome.NODATA), answer("mte1._domainkey.acme.test", "TXT", "v=DKIM1; p=abc"))
    result = diff_one(record, live)
    assert result.status is Status.CONFLICT and "live TXT data" in result.detail


def test_txt_planned_where_a_cname_lives() -> None:
    """Data planned at a name that is a live CNAME: conflict."""
    record = txt("_dmarc.acme.test", "v=DMARC1; p=none;")
    live = view(
        answer("_dmarc.acme.test", "TXT", "v=DMARC1; p=reject;", chain=("dmarc.provider.example",)),
        answer("_dmarc.acme.test", "CNAME", "dmarc.provider.example"),
    )
    result = diff_one(record, live)
    assert result.status is Status.CONFLICT
    assert "is live a CNAME to dmarc.provider.example" in result.detail


def test_txt_planned_where_a_cname_shows_only_in_the_txt_answer() -> None:
    """No CNAME question asked: the TXT answer's chain shows the live CNAME, and it conflicts."""
    record = txt("_dmarc.acme.test", "v=DMARC1; p=none;")
    live = view(answer("_dmarc.acme.test", "TXT", chain=("dmarc.provider.example",), outcome=Outcome.NODATA))
    result = diff_one(record, live)
    assert result.status is Status.CONFLICT
    assert "is live a CNAME to dmarc.provider.example" in result.detail
    assert live.cname_target("_DMARC.acme.test.") == "dmarc.provider.example"
    assert live.cname_target("acme.test") == ""


def test_cname_beside_planned_data_and_a_planned_delete_of_the_other() -> None:
    """Planned CNAME and TXT at one name conflict; deleting the live TXT in the same plan does not."""
    name = "sel._domainkey.acme.test"
    live = view(answer(name, "TXT", "v=DKIM1; p=abc"), answer(name, "CNAME", outcome=Outcome.NODATA))
    both = diff_one(cname(name, "sel.dkim.amazonses.com"), live, txt(name, "v=DKIM1; p=abc"))
    assert both.status is Status.CONFLICT and "beside planned TXT" in both.detail
    replaced = diff_one(cname(name, "sel.dkim.amazonses.com"), live, txt(name, action=Action.DELETE))
    assert replaced.status is Status.PENDING


def test_two_cname_targets_is_a_conflict() -> None:
    """One name, two CNAME targets (two resources): conflict."""
    record = DesiredRecord(name="x.acme.test", type="CNAME", values=("a.example", "b.example"), authoritative=False)
    assert diff_one(record, view(answer("x.acme.test", "CNAME"))).status is Status.CONFLICT


@pytest.mark.parametrize("status", list(Status), ids=[s.value for s in Status])
def test_every_status_is_reachable(status: Status) -> None:
    """Each of the five statuses comes out of diff_domain for some input."""
    cases = {
        Status.IN_SYNC: (txt("acme.test", SPF), view(answer("acme.test", "TXT", SPF))),
        Status.PENDING: (txt("acme.test", SPF), view(answer("acme.test", "TXT"))),
        Status.DIFFERS: (txt("acme.test", SPF), view(answer("acme.test", "TXT", "v=spf1 -all"))),
        Status.CONFLICT: (txt("acme.test", SPF), view(answer("acme.test", "TXT", SPF, "MS=1"))),
        Status.UNKNOWN: (txt("acme.test", None), view(answer("acme.test", "TXT"))),
    }
    record, live = cases[status]
    assert diff_one(record, live).status is status


def test_results_follow_the_desired_order_one_each() -> None:
    """Exactly one result per desired record, in order, carrying the address."""
    records = (txt("acme.test", SPF, address="aws_route53_record.a"), cname("s._domainkey.acme.test", "s.example", address="aws_route53_record.b"))
    results = diff_domain(DesiredDomain(ZONE, ZONE, records), view())
    assert [(r.name, r.type, r.address) for r in results] == [
        ("acme.test", "TXT", "aws_route53_record.a"),
        ("s._domainkey.acme.test", "CNAME", "aws_route53_record.b"),
    ]
    assert all(r.status is Status.UNKNOWN for r in results)  # nothing was asked
