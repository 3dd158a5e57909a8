"""validate is the guard: no apply removes or weakens a value of the customer's unnoticed.

Whatever Terraform owns, a plan that deletes a customer's TXT value, drops SPF terms, widens
SPF or weakens DMARC is an error (issue 8, point 1); `--allow CODE[:NAME]` lets a user who
means it say so, and the report lists what was allowed (point 2); `differs` rows say what
changes term by term (point 3); SPF and DMARC are compared by meaning (point 8).

Live DNS is a real BIND 9; the checks ask it through `LiveDns`. Plans here are made by hand
(the real Terraform loops are in tests/test_guard_loop.py).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

from spotme_dns.checks import run_checks
from spotme_dns.cli import cli
from spotme_dns.desired import Action, DesiredDomain
from spotme_dns.diff import LiveView, diff_domain
from spotme_dns.dns_live import LiveDns
from spotme_dns.meaning import dmarc_loss, same_value, spf_changes, spf_loss, spotme_include, value_changes
from spotme_dns.report import Severity, Status
from tests.test_checks import KEY, replace, spotme_set, tokens, txt

E = Severity.ERROR
GOOGLE = "google-site-verification=abc"
OLD_SPF = "v=spf1 include:_spf.google.test ~all"
STRICT = "v=DMARC1; p=reject; sp=reject; rua=mailto:dmarc@{d}"


def live_set(domain: str, *, apex: tuple[str, ...], dmarc: str, ses: tuple[str, ...] = ()) -> list[str]:
    """Zone lines: the customer's apex TXT values and DMARC, SpotMe's DKIM CNAMEs already live."""
    return [
        *(f'@ TXT "{v}"' for v in apex),
        f'_dmarc TXT "{dmarc}"',
        *(f"{t}._domainkey CNAME {t}.dkim.amazonses.com." for t in ses or tokens(domain)),
        "mte1._domainkey CNAME dkim1.mandrillapp.com.",
        "mte2._domainkey CNAME dkim2.mandrillapp.com.",
    ]


#: SES tokens as a spec takes them (16 or more letters and digits), for bytes.test.
BYTES_TOKENS = ("bytesaaaabbbbcccc1", "bytesaaaabbbbcccc2", "bytesaaaabbbbcccc3")
CUSTOMERS = {
    "owned.test": live_set("owned.test", apex=(GOOGLE, OLD_SPF, "mandrill_verify.old"), dmarc=STRICT.format(d="owned.test")),
    "kept.test": live_set("kept.test", apex=(GOOGLE, OLD_SPF), dmarc=STRICT.format(d="kept.test")),
    "widen.test": live_set(
        "widen.test", apex=("v=spf1 include:_spf.google.test -ip4:192.0.2.66 -all ip4:192.0.2.9",), dmarc="v=DMARC1; p=none"
    ),
    "ours.test": live_set(
        "ours.test",
        apex=("v=spf1 include:_spf.spotme.com include:_spf.google.test -all", "mandrill_verify.old"),
        dmarc="v=DMARC1; p=none",
    ),
    "bytes.test": live_set(
        "bytes.test",
        apex=("v=spf1 INCLUDE:_spf.spotme.com.  -all", "mandrill_verify.AbC123xyz"),
        dmarc="v=DMARC1 ; p=none ;rua = mailto:dmarc@bytes.test",
        ses=BYTES_TOKENS,
    ),
}
PROVIDERS = {
    "spotme.com": ['_spf TXT "v=spf1 ip4:198.51.100.0/24 -all"'],
    "google.test": ['_spf TXT "v=spf1 ip4:192.0.2.0/24 ~all"'],
    "amazonses.com": [f'{t}.dkim TXT "v=DKIM1; k=rsa; p={KEY}"' for d in CUSTOMERS for t in (*tokens(d), *BYTES_TOKENS)],
    "mandrillapp.com": [f'dkim{n} TXT "v=DKIM1; k=rsa; p={KEY}"' for n in (1, 2)],
}


@pytest.fixture(scope="module")
def world(bind):
    bind.set_zones({**CUSTOMERS, **PROVIDERS})
    return bind


def run(desired: DesiredDomain, server) -> list:
    async def go():
        dns = LiveDns(nameservers=[server], resolvers=[server], timeout=0.5, retries=0)
        return await run_checks(desired, {}, dns)

    return list(asyncio.run(go()))


def codes(found) -> set[tuple[str, Severity, str]]:
    return {(f.code, f.severity, f.name) for f in found}


def message(found, code: str) -> str:
    return " | ".join(f.message for f in found if f.code == code)


def planned(domain: str, apex: tuple[str, ...], dmarc: str, **kw) -> DesiredDomain:
    """The SpotMe set with the given apex TXT values and DMARC, each an update of a managed set."""
    kw.setdefault("action", Action.UPDATE)
    records = spotme_set(domain, dmarc=dmarc, **kw)
    records = replace(records, domain, "TXT", values=tuple(sorted(apex)))
    return DesiredDomain(domain, domain, tuple(records))


# --------------------------------------------------------------------------- point 1: ownership hides nothing


def test_never_deletes_customer_txt_values_even_when_terraform_owns_them(world):
    """A managed Route53 set updated to SpotMe's values only: the plan's `before` held the customer's
    values (so they are `removed`), and that is exactly the deletion validate must refuse."""
    d = "owned.test"
    desired = planned(d, ("v=spf1 include:_spf.spotme.com -all", "mandrill_verify.k3y"), STRICT.format(d=d))
    apex = next(r for r in desired.records if (r.name, r.type) == (d, "TXT"))
    desired = DesiredDomain(d, d, tuple(
        r if r is not apex else txt(d, *apex.values, action=Action.UPDATE, removed=(GOOGLE, OLD_SPF, "mandrill_verify.old"))
        for r in desired.records
    ))
    found = run(desired, world.server)
    assert codes(found) == {("live-values-deleted", E, d), ("spf-terms-dropped", E, d)}
    assert GOOGLE in message(found, "live-values-deleted")
    assert "mandrill_verify.old" not in message(found, "live-values-deleted")  # SpotMe's own value
    assert "include:_spf.google.test" in message(found, "spf-terms-dropped")


def test_never_deletes_customer_txt_values_on_a_per_value_provider(world):
    """Cloudflare: the plan deletes the record holding the customer's verification value."""
    d = "owned.test"
    records = spotme_set(d, dmarc=STRICT.format(d=d), authoritative=False, address="cloudflare_dns_record.r", action=Action.NOOP)
    records = replace(records, d, "TXT", values=(OLD_SPF.replace(" ~all", " include:_spf.spotme.com ~all"), "mandrill_verify.k3y"),
                      removed=(GOOGLE, OLD_SPF, "mandrill_verify.old"))
    found = run(DesiredDomain(d, d, tuple(records)), world.server)
    assert codes(found) == {("live-values-deleted", E, d)}
    assert GOOGLE in message(found, "live-values-deleted")


def test_an_existing_stricter_dmarc_policy_is_never_weakened_in_place(world):
    """A managed DMARC record updated in place: `p=reject; sp=reject; rua=...` -> `p=none`."""
    d = "owned.test"
    desired = planned(d, (GOOGLE, "v=spf1 include:_spf.google.test include:_spf.spotme.com ~all", "mandrill_verify.k3y"), "v=DMARC1; p=none;")
    desired = DesiredDomain(d, d, tuple(
        txt(r.name, *r.values, action=Action.UPDATE, removed=(STRICT.format(d=d),)) if r.name == f"_dmarc.{d}" else r
        for r in desired.records
    ))
    found = run(desired, world.server)
    assert codes(found) == {("dmarc-policy-weakened", E, f"_dmarc.{d}"), ("dmarc-reports-dropped", E, f"_dmarc.{d}")}
    weakened = message(found, "dmarc-policy-weakened")
    assert "p=reject -> p=none" in weakened and "sp=reject -> sp=none (implied)" in weakened
    assert "rua=mailto:dmarc@owned.test" in message(found, "dmarc-reports-dropped")


def test_spf_widened_by_all_qualifier_and_terms_after_all(world):
    """`-all` -> `+all`, `-ip4:` -> `ip4:`, and a term after `all` (never evaluated) made active."""
    d = "widen.test"
    spf = "v=spf1 include:_spf.google.test ip4:192.0.2.66 ip4:192.0.2.9 include:_spf.spotme.com +all"
    found = run(planned(d, (spf, "mandrill_verify.k3y"), "v=DMARC1; p=none"), world.server)
    assert codes(found) == {("spf-widened", E, d)}
    text = message(found, "spf-widened")
    assert "-all -> +all" in text and "-ip4:192.0.2.66 -> ip4:192.0.2.66" in text
    assert "ip4:192.0.2.9 (after all, never evaluated) is now evaluated" in text


def test_replacing_spotme_own_values_is_no_customer_loss(world):
    """Our include moved, our Mandrill value replaced, our DKIM CNAME target changed: no finding."""
    d = "ours.test"
    desired = planned(d, ("v=spf1 include:_spf.google.test include:_spf.spotme.com -all", "mandrill_verify.k3y"), "v=DMARC1; p=none")
    assert run(desired, world.server) == []


def test_no_false_alarm_when_a_merge_keeps_every_customer_value(world):
    """The ordinary discover merge: every value kept, the old SPF's terms kept, DMARC unchanged."""
    d = "kept.test"
    merged = "v=spf1 include:_spf.google.test include:_spf.spotme.com ~all"
    desired = planned(d, (GOOGLE, merged, "mandrill_verify.k3y"), STRICT.format(d=d) + ";")
    apex = next(r for r in desired.records if (r.name, r.type) == (d, "TXT"))
    desired = DesiredDomain(d, d, tuple(
        r if r is not apex else txt(d, *apex.values, action=Action.UPDATE, removed=(OLD_SPF,)) for r in desired.records
    ))
    assert run(desired, world.server) == []


# --------------------------------------------------------------------------- the analysis itself


@pytest.mark.parametrize(
    "old, new, dropped, widened",
    [
        ("v=spf1 redirect=_spf.google.com", "v=spf1 include:_spf.google.com include:_spf.spotme.com -all", (), ()),
        ("v=spf1 a mx -all", "v=spf1 a include:_spf.spotme.com -all", ("mx",), ()),
        ("v=spf1 include:x.test ~all", "v=spf1 ~include:x.test include:_spf.spotme.com ~all", ("include:x.test (now ~include:x.test)",), ()),
        ("v=spf1 ~all", "v=spf1 ?all", (), ("~all -> ?all",)),
        ("v=spf1 -all", "v=spf1 ~all", (), ()),
        ("v=spf1 ip4:192.0.2.1 -all", "v=spf1 ip4:192.0.2.1/32 -all", (), ()),
        ("v=spf1 -all", "v=spf1 include:_spf.spotme.com", (), ("-all -> no all (neutral, RFC 7208 §4.7)",)),
        ("v=spf1 include:_spf.spotme.com -all", "v=spf1 -all", (), ()),
        # Found by a customer's IT team: a pass for all of IPv4 is +all by another name.
        ("v=spf1 include:_spf.spotme.com ~all", "v=spf1 include:_spf.spotme.com ip4:0.0.0.0/0 ~all", (),
         ("ip4:0.0.0.0/0 lets 100% of all IPv4 addresses pass: as good as +all",)),
        ("v=spf1 -all", "v=spf1 ip6:::/0 ip4:128.0.0.0/1 -all", (),
         ("ip6:::/0 lets 100% of all IPv6 addresses pass: as good as +all", "ip4:128.0.0.0/1 lets 50% of all IPv4 addresses pass: as good as +all")),
        ("v=spf1 -all", "v=spf1 ip4:17.0.0.0/8 ip4:192.0.2.0/24 -all", (), ()),
        ("v=spf1 ip4:0.0.0.0/0 -all", "v=spf1 ip4:0.0.0.0/0 include:_spf.spotme.com -all", (), ()),
    ],
)
def test_spf_loss(old, new, dropped, widened):
    loss = spf_loss(old, new, spotme_include)
    assert (loss.dropped, loss.widened) == (dropped, widened)


def test_dmarc_loss_effective_policies_and_reports():
    loss = dmarc_loss("v=DMARC1; p=none; sp=reject; ruf=mailto:a@x.test,mailto:b@x.test", "v=DMARC1; p=none; ruf=mailto:b@X.TEST")
    assert loss.weakened == ("sp=reject -> sp=none (implied)",)
    assert loss.reports_dropped == ("ruf=mailto:a@x.test",)
    assert dmarc_loss("v=DMARC1; p=reject", "v=DMARC1; p=reject; sp=reject; np=reject") == dmarc_loss("a", "b")


def test_dmarc_loss_psd_and_report_size():
    """Found by a customer's IT team: adding psd=y ends the subdomains' inheritance (RFC 9989 §4.10),
    a weakening; a `!10m` size limit on the same address drops no report (RFC 7489 §6.2)."""
    live = "v=DMARC1; p=reject; sp=reject; rua=mailto:dmarc@acme.test"
    assert dmarc_loss(live, live + "; psd=y").weakened == ("psd=y added: subdomains no longer inherit this record's policy (RFC 9989 §4.10)",)
    assert dmarc_loss(live, live + "!10m") == dmarc_loss("a", "b")
    assert dmarc_loss(live + "!10m", "v=DMARC1; p=reject; sp=reject; rua=mailto:other@acme.test").reports_dropped == (
        "rua=mailto:dmarc@acme.test!10m",
    )


@pytest.mark.parametrize(
    "a, b",
    [
        ("v=DMARC1; p=none; rua=mailto:d@x.test", "v=DMARC1; p=none; rua=mailto:d@x.test;"),
        ("v=DMARC1; p=none; rua=mailto:d@x.test", "v=DMARC1 ;  p = NONE;RUA=mailto:d@x.test"),
        ("v=DMARC1; p=reject", "v=DMARC1; p=reject; sp=reject; adkim=r; pct=100"),
        ("v=spf1 include:_spf.spotme.com -all", "v=spf1  Include:_SPF.spotme.com.   -all "),
        ("v=spf1 +a ip6:2001:DB8::1 -all", "v=spf1 a ip6:2001:db8:0::1/128 -all"),
    ],
)
def test_equal_meaning_different_bytes(a, b):
    assert same_value("TXT", a, b)


@pytest.mark.parametrize(
    "a, b",
    [
        ("v=DMARC1; p=none", "v=DMARC1; p=reject"),
        ("v=spf1 a mx -all", "v=spf1 mx a -all"),  # the first match wins: order counts
        ("v=spf1 include:%{d}.x.test -all", "v=spf1 include:%{D}.x.test -all"),  # upper-case macro: URL-escaped
        ("google-site-verification=A", "google-site-verification=a"),
    ],
)
def test_different_meaning(a, b):
    assert not same_value("TXT", a, b)


_TERMS = st.sampled_from([
    "a", "+a", "-a", "a=x", "all", "-all", "~all", "?all", "+all", "all=1", "mx/24", "include:X.test.", "~include:x.test",
    "redirect=x.test", "redirect=_spf.spotme.com", "exp=e.test", "ip4:192.0.2.1", "ip4:192.0.2.1/32", "-ip6:2001:db8::/32",
    "include:_spf.spotme.com", "exists:%{i}.x.test", "ptr", "bogus", "ip4:999.1.1.1", "a:x.test//64",
])
_SPF_TEXTS = st.lists(_TERMS, max_size=8).map(lambda terms: " ".join(["v=spf1", *terms]))
_DMARC_TEXTS = st.lists(
    st.sampled_from(["p=none", "p=reject", "sp=quarantine", "np=reject", "rua=mailto:a@x.test", "ruf=mailto:b@x.test",
                     "pct=50", "t=y", "adkim=s", "aspf=r", "fo=1:d", "p=maybe", "=", ";", "x"]),
    max_size=6,
).map(lambda tags: "; ".join(["v=DMARC1", *tags]))


@settings(max_examples=300, deadline=None)
@given(old=_SPF_TEXTS | _DMARC_TEXTS, new=_SPF_TEXTS | _DMARC_TEXTS)
def test_comparing_any_two_records_never_raises(old, new):
    """Whatever two SPF/DMARC texts (valid or not): a key, changes and losses, never an exception."""
    assert same_value("TXT", old, old)
    value_changes("TXT", [old], [new])
    spf_loss(old, new, spotme_include)
    dmarc_loss(old, new)


def test_changes_term_by_term():
    changes = value_changes(
        "TXT",
        [GOOGLE, "v=spf1 include:_spf.google.com ~all", "MS=1"],
        [GOOGLE, "v=spf1 include:_spf.google.com include:_spf.spotme.com -all", "mandrill_verify.k"],
    )
    assert [c.text() for c in changes] == [
        "~ ~all -> -all", "+ include:_spf.spotme.com", "- MS=1", "+ mandrill_verify.k",
    ]
    dmarc = value_changes("TXT", ["v=DMARC1; p=reject; sp=reject; rua=mailto:a@x.test"], ["v=DMARC1; p=none;"])
    assert [c.text() for c in dmarc] == ["~ p=reject -> p=none", "- sp=reject", "- rua=mailto:a@x.test"]
    assert spf_changes("v=spf1 a mx -all", "v=spf1 mx a -all")[0].text() == "~ order a mx all -> mx a all"


# --------------------------------------------------------------------------- point 8: one comparison everywhere


BYTES_SPEC = """\
version: 1
domains:
  - domain: bytes.test
    provider: route53
    ttl: 300
    ses:
      dkim_tokens: [{tokens}]
    mandrill:
      verification: mandrill_verify.AbC123xyz
    dmarc:
      policy: none
      rua: [mailto:dmarc@bytes.test]
"""


def test_equal_meaning_is_in_sync_in_verify_and_check(world, tmp_path: Path):
    """`v=DMARC1 ; p=none ;rua = ...` live, the spec's `v=DMARC1; p=none; rua=...;`, and an SPF
    with upper-case `INCLUDE:`, a trailing-dot include and two spaces: in-sync in verify and check."""
    spec = tmp_path / "bytes.yaml"
    spec.write_text(BYTES_SPEC.format(tokens=", ".join(BYTES_TOKENS)))
    result = CliRunner().invoke(cli, ["verify", "--spec", str(spec), "--nameserver", world.address, "--resolver", world.address, "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert {r["status"] for r in doc["domains"][0]["records"]} == {"in-sync"}
    checked = CliRunner().invoke(cli, ["check", "--spec", str(spec), "--nameserver", world.address, "--resolver", world.address, "--format", "json"])
    assert checked.exit_code == 0, checked.output
    statuses = {(r["name"], r["status"]) for r in json.loads(checked.stdout)["domains"][0]["records"]}
    assert ("_dmarc.bytes.test", "in-sync") in statuses and ("bytes.test", "in-sync") in statuses


# --------------------------------------------------------------------------- points 2 and 3 through the CLI


def route53_change(address: str, name: str, before: list[str], after: list[str], actions=("update",)) -> dict:
    def values(records: list[str]) -> dict:
        return {"name": name, "type": "TXT", "ttl": 300, "zone_id": "Z1", "records": records, "allow_overwrite": None}

    return {
        "address": address, "mode": "managed", "type": "aws_route53_record", "name": address.rsplit(".", 1)[-1],
        "change": {"actions": list(actions), "before": values(before), "after": values(after), "after_unknown": {}},
    }


def plan_file(tmp_path: Path, changes: list[dict]) -> Path:
    path = tmp_path / "plan.json"
    doc = {
        "format_version": "1.2",
        "resource_changes": changes,
        "configuration": {"root_module": {}},
    }
    path.write_text(json.dumps(doc))
    return path


def owned_plan(tmp_path: Path) -> Path:
    """The plan of a later plain `generate`: the customer's values and DMARC policy go."""
    d = "owned.test"
    cnames = [
        {
            "address": f"aws_route53_record.c{i}", "mode": "managed", "type": "aws_route53_record", "name": f"c{i}",
            "change": {"actions": ["no-op"], "before": v, "after": v, "after_unknown": {}},
        }
        for i, v in enumerate(
            {"name": n, "type": "CNAME", "ttl": 300, "zone_id": "Z1", "records": [t]}
            for n, t in [
                *((f"{tok}._domainkey.{d}", f"{tok}.dkim.amazonses.com") for tok in tokens(d)),
                (f"mte1._domainkey.{d}", "dkim1.mandrillapp.com"),
                (f"mte2._domainkey.{d}", "dkim2.mandrillapp.com"),
            ]
        )
    ]
    return plan_file(tmp_path, [
        route53_change("aws_route53_record.domain_txt", d, [GOOGLE, OLD_SPF, "mandrill_verify.old"],
                       ["v=spf1 include:_spf.spotme.com -all", "mandrill_verify.k3y"]),
        route53_change("aws_route53_record.dmarc", f"_dmarc.{d}", [STRICT.format(d=d)], ["v=DMARC1; p=none;"]),
        *cnames,
    ])


def validate(plan: Path, server: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["validate", "--plan", str(plan), "--nameserver", server, "--resolver", server, "--timeout", "0.5", "--retries", "0", *args])


ALL_LOSSES = ("live-values-deleted", "spf-terms-dropped", "dmarc-policy-weakened", "dmarc-reports-dropped")


def test_validate_refuses_the_owned_deletions_and_says_what_changes(world, tmp_path: Path):
    result = validate(owned_plan(tmp_path), world.address, "--format", "json")
    assert result.exit_code == 1, result.output
    doc = json.loads(result.stdout)
    found = {f["code"]: f for f in doc["domains"][0]["findings"]}
    assert set(ALL_LOSSES) <= set(found) and all(found[c]["severity"] == "error" for c in ALL_LOSSES)
    rows = {(r["name"], r["type"]): r for r in doc["domains"][0]["records"]}
    apex = rows[("owned.test", "TXT")]
    assert apex["status"] == "differs"
    assert {"op": "removed", "kind": "spf-term", "old": "include:_spf.google.test", "new": None} in apex["changes"]
    assert {"op": "removed", "kind": "value", "old": GOOGLE, "new": None} in apex["changes"]
    dmarc = rows[("_dmarc.owned.test", "TXT")]
    assert {"op": "changed", "kind": "dmarc-tag", "old": "p=reject", "new": "p=none"} in dmarc["changes"]

    text = validate(owned_plan(tmp_path), world.address)
    assert "- include:_spf.google.test" in text.stdout and "~ p=reject -> p=none" in text.stdout
    assert f"- {GOOGLE}" in text.stdout and "+ include:_spf.spotme.com" in text.stdout
    markdown = validate(owned_plan(tmp_path), world.address, "--format", "markdown")
    assert "~ p=reject -&gt; p=none" in markdown.stdout
    junit = validate(owned_plan(tmp_path), world.address, "--format", "junit")
    assert "- include:_spf.google.test" in junit.stdout


def test_allow_turns_each_loss_into_a_listed_allowance(world, tmp_path: Path):
    """With --allow for each loss: exit 0, and every allowed finding is listed in every format."""
    plan = owned_plan(tmp_path)
    allows = [
        "--allow", "live-values-deleted:owned.test", "--allow", "spf-terms-dropped",
        "--allow", "dmarc-policy-weakened:_dmarc.owned.test", "--allow", "dmarc-reports-dropped:owned.test",
    ]
    result = validate(plan, world.address, "--format", "json", *allows)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["ok"] is True and doc["summary"]["errors"] == 0 and len(doc["allowed"]) == 4
    allowed = {a["code"]: a for a in doc["allowed"]}
    assert {a["domain"] for a in doc["allowed"]} == {"owned.test"}
    assert set(allowed) == set(ALL_LOSSES)
    assert allowed["live-values-deleted"]["allowed_by"] == "live-values-deleted:owned.test"
    assert GOOGLE in allowed["live-values-deleted"]["message"]
    assert not {f["code"] for f in doc["domains"][0]["findings"]} & set(ALL_LOSSES)

    text = validate(plan, world.address, *allows)
    assert text.exit_code == 0
    assert "validate: safe to apply (4 findings allowed by --allow)" in text.stdout
    assert "allowed live-values-deleted  owned.test" in text.stdout
    markdown = validate(plan, world.address, "--format", "markdown", *allows)
    assert "**Allowed by --allow**" in markdown.stdout and "dmarc-policy-weakened" in markdown.stdout
    junit = validate(plan, world.address, "--format", "junit", *allows)
    assert 'skipped message="allowed by --allow spf-terms-dropped' in junit.stdout

    partial = validate(plan, world.address, "--format", "json", "--allow", "live-values-deleted:other.test")
    assert partial.exit_code == 1
    assert "--allow live-values-deleted:other.test matched no finding" in partial.stderr


@pytest.mark.parametrize(
    "value, says",
    [
        ("no-such-code", "unknown finding code 'no-such-code'"),
        ("live-values-deleted:", "NAME after ':' is empty"),
        ("live-values-deleted:not a name", "is not a DNS name"),
        ("", "CODE is empty"),
        # Found by a customer's IT team: a conflict was accepted and lowered the error count.
        ("cname-conflict:s00.acme.test", "cname-conflict cannot be allowed"),
        ("spf-multiple-records", "spf-multiple-records cannot be allowed"),
    ],
)
def test_bad_allow_is_bad_input(world, tmp_path: Path, value, says):
    result = validate(owned_plan(tmp_path), world.address, "--allow", value)
    assert result.exit_code == 2
    assert says in result.output


def test_verify_takes_allow_too(world, tmp_path: Path):
    result = CliRunner().invoke(cli, ["verify", "--plan", str(owned_plan(tmp_path)), "--nameserver", world.address, "--resolver", world.address, "--allow", "spf-terms-dropped"])
    assert result.exit_code == 1  # not applied yet: not in sync, whatever is allowed
    assert "allowed spf-terms-dropped" in result.stdout


@pytest.mark.parametrize("authoritative", [True, False], ids=["route53-set", "per-value-update"])
def test_diff_and_audit_share_one_comparison(world, authoritative):
    """The diff (validate/verify) and the audit (check) judge `p=none` and `p=none;` alike. (A
    per-value provider updates the live record: a second record beside it would be two DMARC
    records, bytes being what the provider stores, and stays a conflict.)"""
    d = "bytes.test"
    live = "v=DMARC1 ; p=none ;rua = mailto:dmarc@bytes.test"
    kw = {} if authoritative else {"action": Action.UPDATE, "removed": (live,)}
    record = txt(f"_dmarc.{d}", "v=DMARC1; p=none; rua=mailto:dmarc@bytes.test;", authoritative=authoritative, **kw)
    desired = DesiredDomain(d, d, (record,))

    async def go():
        dns = LiveDns(nameservers=[world.server], resolvers=[world.server], timeout=0.5, retries=0)
        answers = await dns.query_all(d, f"_dmarc.{d}", "TXT")
        return diff_domain(desired, LiveView.build(d, (world.server,), list(answers)))

    [row] = asyncio.run(go())
    assert row.status is Status.IN_SYNC
