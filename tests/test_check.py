"""`spotme-dns check`: audit live DNS with no spec, against a real BIND 9."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest
from click.testing import CliRunner

from spotme_dns.audit import AuditTarget, expected_sets, judge_record, targets_for
from spotme_dns.cli.app import cli
from spotme_dns.dns_live import LiveAnswer, Outcome, Server
from spotme_dns.errors import InputError
from spotme_dns.report import Status

KEY = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAv" + "A" * 120 + "IDAQAB"
CLEAN_TOKENS = ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa2", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa3")
BROKEN_TOKENS = ("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb1", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb3")


def _ses(tokens: Sequence[str]) -> list[str]:
    return [f"{t}._domainkey CNAME {t}.dkim.amazonses.com." for t in tokens]


PROVIDERS = {
    # What the real providers publish, served by the same BIND so no query leaves 127.0.0.1.
    "spotme.com": ['_spf TXT "v=spf1 ip4:192.0.2.0/24 -all"'],
    "amazonses.com": [f'{t}.dkim TXT "p={KEY}"' for t in CLEAN_TOKENS],
    "mandrillapp.com": [f'dkim1 TXT "v=DKIM1; k=rsa; p={KEY}"', f'dkim2 TXT "v=DKIM1; k=rsa; p={KEY}"'],
    "reports.example": [],
}

CLEAN = [
    '@ TXT "v=spf1 include:_spf.spotme.com -all"',
    '@ TXT "mandrill_verify.Clean12345"',
    '@ TXT "google-site-verification=abc"',
    '_dmarc TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@clean.test"',
    *_ses(CLEAN_TOKENS),
    "mte1._domainkey CNAME dkim1.mandrillapp.com.",
    "mte2._domainkey CNAME dkim2.mandrillapp.com.",
]

# One domain with every kind of problem `check` reports.
BROKEN = [
    # SPF: no SpotMe include; 15 lookups (over 10); 3 void lookups (over 2); an include without SPF.
    '@ TXT "v=spf1 include:big.broken.test include:nospf.broken.test a:void1.broken.test a:void2.broken.test mx:void3.broken.test ~all"',
    'big TXT "v=spf1 ' + " ".join(f"include:s{i}.broken.test" for i in range(1, 11)) + ' -all"',
    *[f's{i} TXT "v=spf1 ip4:198.51.100.{i} -all"' for i in range(1, 11)],
    'nospf TXT "hello"',
    # no mandrill_verify value at all
    # DMARC: two records
    '_dmarc TXT "v=DMARC1; p=none"',
    '_dmarc TXT "v=DMARC1; p=reject"',
    # SES: the first points where no key is published, the second elsewhere, the third is missing
    f"{BROKEN_TOKENS[0]}._domainkey CNAME {BROKEN_TOKENS[0]}.dkim.amazonses.com.",
    f"{BROKEN_TOKENS[1]}._domainkey CNAME {BROKEN_TOKENS[1]}.dkim.example.net.",
    # Mandrill: mte1 to the wrong host; mte2 typed with the zone twice in a console
    "mte1._domainkey CNAME dkim9.mandrillapp.com.",
    "mte2._domainkey.broken.test CNAME dkim2.mandrillapp.com.",
]
# What a second server of broken.test says differently: the servers disagree.
BROKEN_ELSEWHERE = [line for line in BROKEN if not line.startswith("_dmarc")] + ['_dmarc TXT "v=DMARC1; p=none"']


@pytest.fixture(scope="module")
def world(bind, bind2):
    """BIND serves the clean and the broken domain and the providers' zones; bind2 disagrees on broken.test."""
    bind.set_zones({"clean.test": CLEAN, "broken.test": BROKEN, **PROVIDERS})
    bind2.set_zones({"broken.test": BROKEN_ELSEWHERE})
    return bind, bind2


def run_check(*args: str) -> tuple[int, str, str]:
    """Run `spotme-dns check ARGS`; exit code, standard output, standard error (click >= 8.2 keeps them apart)."""
    result = CliRunner().invoke(cli, ["check", *args])
    return result.exit_code, result.stdout, result.stderr


def check_json(*args: str) -> tuple[int, dict]:
    code, out, _ = run_check(*args, "--format", "json", "--timeout", "1", "--retries", "0")
    return code, json.loads(out)


def by_name(domain: dict) -> dict[tuple[str, str], dict]:
    return {(r["name"], r["type"]): r for r in domain["records"]}


def codes(domain: dict) -> set[str]:
    return {f["code"] for f in domain["findings"]}


# --------------------------------------------------------------------------- clean


def test_clean_domain_passes(world):
    """Every SpotMe record right on the server: exit 0, all in-sync, no errors or warnings."""
    bind, _ = world
    args = ["clean.test", "--nameserver", bind.address, "--resolver", bind.address]
    code, doc = check_json(*args, *[a for t in CLEAN_TOKENS for a in ("--ses-token", t)])
    assert code == 0, doc
    domain = doc["domains"][0]
    assert domain["zone"] == "clean.test"
    assert {r["status"] for r in domain["records"]} == {"in-sync"}
    assert len(domain["records"]) == 2 + 3 + 2
    assert doc["summary"]["errors"] == 0 and doc["summary"]["warnings"] == 0
    assert doc["command"] == "check" and doc["ok"] is True
    apex = by_name(domain)[("clean.test", "TXT")]
    assert apex["expected"] == ["v=spf1 include:_spf.spotme.com -all", "mandrill_verify.Clean12345"]
    budget = [f for f in domain["findings"] if f["code"] == "spf-lookup-budget"]
    assert budget and budget[0]["severity"] == "info"
    assert "1 of 10 DNS lookups: include:_spf.spotme.com (1)" in budget[0]["message"]


def test_clean_domain_without_tokens_says_ses_unchecked(world):
    """No tokens: the SES selectors are not judged, an info finding says why; still exit 0."""
    bind, _ = world
    code, doc = check_json("clean.test", "--nameserver", bind.address, "--resolver", bind.address)
    assert code == 0
    domain = doc["domains"][0]
    assert not any("amazonses" in t for r in domain["records"] for t in r["expected"])
    unchecked = [f for f in domain["findings"] if f["code"] == "ses-dkim-unchecked"]
    assert unchecked and unchecked[0]["severity"] == "info" and "--ses-token" in unchecked[0]["message"]


def test_text_format_is_a_table_with_verdict(world):
    """The default text format names the domain, every record and the verdict."""
    bind, _ = world
    code, out, _ = run_check("clean.test", "--nameserver", bind.address, "--resolver", bind.address)
    assert code == 0
    assert "clean.test" in out and "mte1._domainkey.clean.test" in out and "in-sync" in out
    # Without tokens only 4 of the 7 records were looked at: the verdict says so, not "all right".
    assert out.rstrip().endswith(
        "check: the 4 SpotMe records checked are published and right; "
        "3 SES DKIM records not checked (1 domain without --ses-token or --spec)"
    )
    assert "\x1b[" not in out, "no colour when standard output is not a terminal"
    code, out, _ = run_check("clean.test", "--nameserver", bind.address, "--resolver", bind.address, *[a for t in CLEAN_TOKENS for a in ("--ses-token", t)])
    assert code == 0 and out.rstrip().endswith("check: all 7 SpotMe records are published and right")


def test_only_problems_and_quiet_show_only_what_fails(world):
    """--only-problems (and --quiet): no in-sync rows, no info findings; the summary counts all."""
    bind, _ = world
    code, full, _ = run_check("clean.test", "--nameserver", bind.address, "--resolver", bind.address)
    assert code == 0 and "in-sync" in full and "spf-lookup-budget" in full
    for args in (["check", "--only-problems"], ["--quiet", "check"]):
        result = CliRunner().invoke(cli, [*args, "clean.test", "--nameserver", bind.address, "--resolver", bind.address])
        assert result.exit_code == 0, result.output
        out = result.stdout
        assert "mte1._domainkey" not in out and "spf-lookup-budget" not in out
        assert out.splitlines()[-2] == full.splitlines()[-2], "the same summary line"
        assert len(out.splitlines()) == 2


# --------------------------------------------------------------------------- broken


@pytest.fixture(scope="module")
def broken(world):
    bind, bind2 = world
    args = ["broken.test", "--nameserver", bind.address, "--resolver", bind.address, "--nameserver", bind2.address]
    return check_json(*args, *[a for t in BROKEN_TOKENS for a in ("--ses-token", t)])


def test_broken_domain_fails(broken):
    """A domain with every kind of problem: exit 1, errors counted, not ok."""
    code, doc = broken
    assert code == 1
    assert doc["ok"] is False and doc["summary"]["errors"] > 0


@pytest.mark.parametrize(
    "code",
    [
        "ns-inconsistent",
        "doubled-zone-name",
        "spf-include-missing",
        "spf-too-many-lookups",
        "spf-void-lookups",
        "spf-include-not-found",
        "dmarc-multiple-records",
        "dkim-selector-missing",
        "dkim-target-no-key",
        "spf-lookup-budget",
    ],
)
def test_broken_domain_findings(broken, code):
    """Each problem of the broken domain is reported with its stable code."""
    _, doc = broken
    assert code in codes(doc["domains"][0])


@pytest.mark.parametrize(
    ("name", "rdtype", "status"),
    [
        ("broken.test", "TXT", "differs"),  # SPF without SpotMe's include, no verification value
        ("_dmarc.broken.test", "TXT", "conflict"),  # two DMARC records (on one server)
        (f"{BROKEN_TOKENS[0]}._domainkey.broken.test", "CNAME", "in-sync"),  # right CNAME, its key is the finding
        (f"{BROKEN_TOKENS[1]}._domainkey.broken.test", "CNAME", "differs"),
        (f"{BROKEN_TOKENS[2]}._domainkey.broken.test", "CNAME", "pending"),
        ("mte1._domainkey.broken.test", "CNAME", "differs"),
        ("mte2._domainkey.broken.test", "CNAME", "pending"),
    ],
    ids=["apex-txt", "dmarc", "ses-1", "ses-2", "ses-3", "mte1", "mte2"],
)
def test_broken_domain_statuses(broken, name, rdtype, status):
    """Each SpotMe record set gets the status its live state deserves."""
    _, doc = broken
    assert by_name(doc["domains"][0])[(name, rdtype)]["status"] == status


def test_broken_domain_says_what_to_publish(broken):
    """The expected SPF keeps the live terms and adds SpotMe's include; the verification value is asked for."""
    _, doc = broken
    apex = by_name(doc["domains"][0])[("broken.test", "TXT")]
    spf = apex["expected"][0]
    assert spf.startswith("v=spf1 include:big.broken.test include:nospf.broken.test")
    assert spf.endswith("include:_spf.spotme.com ~all")
    assert apex["expected"][1] == "mandrill_verify.<key from SpotMe support>"
    doubled = [f for f in doc["domains"][0]["findings"] if f["code"] == "doubled-zone-name"]
    assert doubled[0]["name"] == "mte2._domainkey.broken.test.broken.test"
    assert "belongs at mte2._domainkey.broken.test" in doubled[0]["message"]
    tree = next(f for f in doc["domains"][0]["findings"] if f["code"] == "spf-lookup-budget")
    assert "15 of 10 DNS lookups, 3 void" in tree["message"] and "include:big.broken.test (11: " in tree["message"]


@pytest.mark.parametrize("fmt", ["markdown", "junit"])
def test_other_formats(broken, world, fmt):
    """Markdown and JUnit render the same report and keep the exit code."""
    bind, _ = world
    code, out, _ = run_check("broken.test", "--nameserver", bind.address, "--resolver", bind.address, "--format", fmt, "--timeout", "1")
    assert code == 1
    assert "broken.test" in out
    if fmt == "markdown":
        assert out.startswith("### ❌ spotme-dns check: problems found (")
    if fmt == "junit":
        assert out.lstrip().startswith("<?xml") and "<testsuite" in out


# --------------------------------------------------------------------------- with a spec


def test_spec_values_are_expected(world, tmp_path):
    """With --spec the spec's exact values and tokens are expected; a different key differs."""
    bind, _ = world
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "version: 1\n"
        "domains:\n"
        "  - domain: clean.test\n"
        "    ses:\n"
        f"      dkim_tokens: [{', '.join(CLEAN_TOKENS)}]\n"
        "    mandrill:\n"
        "      verification: mandrill_verify.Other98765\n"
        "    dmarc:\n"
        "      policy: quarantine\n"
        "      rua: [mailto:dmarc@clean.test]\n"
    )
    code, doc = check_json("--spec", str(spec), "--nameserver", bind.address, "--resolver", bind.address)
    assert code == 1
    records = by_name(doc["domains"][0])
    assert records[("clean.test", "TXT")]["status"] == "differs"
    assert "mandrill_verify.Other98765" in records[("clean.test", "TXT")]["expected"]
    assert "google-site-verification=abc" not in records[("clean.test", "TXT")]["expected"]
    assert records[("_dmarc.clean.test", "TXT")]["status"] == "in-sync"
    assert records[(f"{CLEAN_TOKENS[0]}._domainkey.clean.test", "CNAME")]["status"] == "in-sync"
    assert "ses-dkim-unchecked" not in codes(doc["domains"][0])


# --------------------------------------------------------------------------- DNS failures


def test_zone_not_found(world):
    """A domain no server holds: a dns-error finding, exit 1, no crash."""
    bind, _ = world
    code, doc = check_json("nowhere.invalid", "--nameserver", bind.address, "--resolver", bind.address)
    assert code == 1
    finding = doc["domains"][0]["findings"][0]
    assert finding["code"] == "dns-error" and "cannot find the DNS zone of nowhere.invalid" in finding["message"]


def test_servfail_zone(servfail):
    """A zone that answers SERVFAIL: reported as dns-error, exit 1."""
    code, doc = check_json(f"mail.{servfail.zone}", "--nameserver", servfail.address)
    assert code == 1
    assert "dns-error" in codes(doc["domains"][0])


def test_silent_server(silent_server):
    """A server that never answers: timeouts reported, exit 1, no traceback."""
    code, doc = check_json("quiet.test", "--nameserver", str(silent_server))
    assert code == 1
    assert "timeout" in doc["domains"][0]["findings"][0]["message"]


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "name at least one DOMAIN"),
        (["not a domain"], "DOMAIN:"),
        (["acme.test", "--ses-token", CLEAN_TOKENS[0]], "give all three"),
        (["acme.test", "--ses-token", "short", "--ses-token", "x" * 20, "--ses-token", "y" * 20], "not an SES DKIM token"),
        (["a.test", "b.test", *[a for t in CLEAN_TOKENS for a in ("--ses-token", t)]], "exactly one DOMAIN"),
        (["acme.test", "--nameserver", "not a server"], "--nameserver"),
        (["acme.test", "--spec", "/nonexistent/spec.yaml"], "not found"),
    ],
    ids=["no-domain", "bad-domain", "one-token", "bad-token", "tokens-two-domains", "bad-nameserver", "missing-spec"],
)
def test_bad_input_exits_2(args, message):
    """Bad arguments: exit 2 with a message saying what is wrong, no report."""
    result = CliRunner().invoke(cli, ["check", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_help_ends_with_example():
    """`check --help` ends with an example."""
    result = CliRunner().invoke(cli, ["check", "--help"])
    assert result.exit_code == 0
    lines = [line.strip() for line in result.output.splitlines()]
    assert lines[lines.index("Example:") + 1].startswith("spotme-dns check ")


# --------------------------------------------------------------------------- pure parts


def _answer(values: tuple[str, ...], outcome: Outcome = Outcome.ANSWER, server: str = "127.0.0.1", rdtype: str = "TXT", chain=()) -> LiveAnswer:
    return LiveAnswer(Server(server, 53), "x.test", rdtype, outcome, values, 300, "", chain)


def test_judge_servers_disagree_is_differs():
    """SPF right on one server and missing on another: differs, never in-sync."""
    expected = expected_sets(AuditTarget("x.test"))[0]
    right = _answer(("v=spf1 include:_spf.spotme.com -all", "mandrill_verify.Abcdef1"), server="10.0.0.1")
    missing = _answer((), Outcome.NODATA, server="10.0.0.2")
    result = judge_record(expected, (right, missing), authorized={"v=spf1 include:_spf.spotme.com -all": True})
    assert result.status is Status.DIFFERS and "disagree" in result.detail


def test_judge_cname_at_apex_txt_is_conflict():
    """TXT asked at a name that is a CNAME: a conflict (no other data beside a CNAME)."""
    expected = expected_sets(AuditTarget("x.test"))[0]
    result = judge_record(expected, (_answer((), Outcome.NODATA, chain=("elsewhere.test",)),), authorized={})
    assert result.status is Status.CONFLICT and "CNAME to elsewhere.test" in result.detail


def test_judge_all_servers_failed_is_unknown():
    """No server gave a definite answer: unknown, with what they said."""
    expected = expected_sets(AuditTarget("x.test"))[0]
    result = judge_record(expected, (_answer((), Outcome.TIMEOUT),), authorized={})
    assert result.status is Status.UNKNOWN and "timeout" in result.detail


def test_regional_ses_target_accepted_without_spec():
    """Without a spec, a regional SES signing zone is right for the token."""
    token = CLEAN_TOKENS[0]
    target = AuditTarget("x.test", ses_tokens=CLEAN_TOKENS)
    ses = next(e for e in expected_sets(target) if e.name.startswith(token))
    ok = _answer((f"{token}.dkim.eu-south-1.amazonses.com",), rdtype="CNAME")
    assert judge_record(ses, (ok,), authorized={}).status is Status.IN_SYNC


def test_targets_from_spec_only(tmp_path):
    """No DOMAIN with --spec: every spec domain, with its zone and tokens."""
    from spotme_dns.spec import parse_spec_text

    spec = parse_spec_text(
        "version: 1\ndomains:\n  - domain: mail.acme.test\n    zone: acme.test\n    ses:\n"
        f"      dkim_tokens: [{', '.join(CLEAN_TOKENS)}]\n    mandrill:\n      verification: abcdef123\n      dkim: false\n"
    )
    (target,) = targets_for((), spec=spec)
    assert (target.domain, target.zone, target.ses_tokens, target.mandrill_dkim) == ("mail.acme.test", "acme.test", CLEAN_TOKENS, False)
    assert not any(e.name.startswith("mte") for e in expected_sets(target))
    with pytest.raises(InputError):
        targets_for((), spec=None)
