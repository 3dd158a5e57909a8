"""`validate` and `verify` end to end against a real BIND 9: every status, the exit codes,
polling with --wait, DNS faults reported (never a crash), bad input exit 2, --output.

Every lookup goes to BIND, through --nameserver for the customer zones and --resolver for the
rest, so the zones below stand in for the world: the customer zones of each test plus SpotMe's
SPF include and the SES and Mandrill DKIM keys.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import textwrap
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from spotme_dns import validation
from spotme_dns.cli import cli
from spotme_dns.dns_live import DEFAULT_CONCURRENCY, LiveDns, parse_server
from spotme_dns.inputs import load_specs

KEY = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAv" + "A" * 120 + "IDAQAB"
SPF = "v=spf1 include:_spf.spotme.com -all"
TOKENS = ("goodaaaabbbbcccc1", "goodaaaabbbbcccc2", "goodaaaabbbbcccc3")
PLANS = Path(__file__).parent / "fixtures" / "plans"

WORLD = {
    "spotme.com": ['_spf TXT "v=spf1 ip4:192.0.2.0/24 -all"'],
    "amazonses.com": [f'{t}.dkim TXT "v=DKIM1; k=rsa; p={KEY}"' for t in TOKENS],
    "mandrillapp.com": [f'dkim{n} TXT "v=DKIM1; k=rsa; p={KEY}"' for n in (1, 2)],
}


def spec_text(domain: str, provider: str = "route53", **extra: str) -> str:
    """A one-domain spec with the test tokens (extra keys as YAML lines)."""
    lines = "".join(f"    {k}: {v}\n" for k, v in extra.items())
    return textwrap.dedent(f"""\
        version: 1
        domains:
          - domain: {domain}
            provider: {provider}
            ttl: 300
            ses:
              dkim_tokens: [{", ".join(TOKENS)}]
            mandrill:
              verification: mandrill_verify.Key{domain.split(".")[0]}01
        """) + lines


def write_spec(tmp_path: Path, domain: str, provider: str = "route53", **extra: str) -> Path:
    path = tmp_path / f"{domain}.yaml"
    path.write_text(spec_text(domain, provider, **extra))
    return path


def zone_lines(spec: Path) -> list[str]:
    """What the spec asks for, as zone-file lines relative to the zone (TXT split at 255)."""
    [domain] = load_specs([str(spec)]).domains
    out = []
    for record in domain.records:
        relative = record.name[: -len(domain.zone) - 1] if record.name != domain.zone else "@"
        for value in record.values or ():
            if record.type == "TXT":
                strings = " ".join(f'"{value[i:i + 255]}"' for i in range(0, len(value), 255))
                out.append(f"{relative} TXT {strings}")
            else:
                out.append(f"{relative} CNAME {value}.")
    return out


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "--timeout", "0.5", "--retries", "0"])


def statuses(result: Result, domain: str | None = None) -> dict[tuple[str, str], str]:
    doc = json.loads(result.stdout)
    return {(r["name"], r["type"]): r["status"] for d in doc["domains"] if domain in (None, d["domain"]) for r in d["records"]}


def codes(result: Result) -> set[str]:
    doc = json.loads(result.stdout)
    return {f["code"] for d in doc["domains"] for f in d["findings"]} | {f["code"] for f in doc["findings"]}


# --------------------------------------------------------------------------- every status


def test_all_in_sync_validate_and_verify_exit_0(bind, tmp_path: Path) -> None:
    """Everything live as the spec says: validate 0 (safe), verify 0 (in sync everywhere)."""
    spec = write_spec(tmp_path, "good.test")
    bind.set_zones({**WORLD, "good.test": zone_lines(spec)})
    for command in ("validate", "verify"):
        result = run(command, "--spec", str(spec), "--nameserver", bind.address, "--resolver", bind.address, "--format", "json")
        assert result.exit_code == 0, result.output
        assert set(statuses(result).values()) == {"in-sync"}
        doc = json.loads(result.stdout)
        assert doc["summary"]["errors"] == 0 and doc["ok"] is True


def test_pending_is_safe_to_apply_but_not_verified(bind, tmp_path: Path) -> None:
    """An empty zone: every record pending; validate 0, verify 1."""
    spec = write_spec(tmp_path, "new.test")
    bind.set_zones({**WORLD, "new.test": []})
    result = run("validate", "--spec", str(spec), "--nameserver", bind.address, "--resolver", bind.address, "--format", "json")
    assert result.exit_code == 0, result.output
    assert set(statuses(result).values()) == {"pending"}
    result = run("verify", "--spec", str(spec), "--nameserver", bind.address, "--resolver", bind.address, "--format", "json")
    assert result.exit_code == 1


def test_differs_and_the_text_table(bind, tmp_path: Path) -> None:
    """A DKIM CNAME pointing elsewhere: differs; verify prints the table and exits 1."""
    spec = write_spec(tmp_path, "moved.test")
    lines = [line for line in zone_lines(spec) if not line.startswith("mte1.")] + ["mte1._domainkey CNAME old.mandrillapp.com."]
    bind.set_zones({**WORLD, "moved.test": lines})
    result = run("verify", "--spec", str(spec), "--nameserver", bind.address, "--resolver", bind.address)
    assert result.exit_code == 1
    row = next(line for line in result.stdout.splitlines() if "mte1._domainkey.moved.test" in line)
    assert row.split()[:4] == ["differs", "CNAME", "mte1._domainkey.moved.test", "dkim1.mandrillapp.com"]
    assert row.split()[-1] == "old.mandrillapp.com"
    assert result.stdout.splitlines()[-1].startswith("verify: not all records are live (")


def test_conflict_route53_set_would_delete_a_customer_value(bind, tmp_path: Path) -> None:
    """Route53: a live TXT value the spec does not keep would be deleted -> conflict, validate 1."""
    spec = write_spec(tmp_path, "keep.test")
    bind.set_zones({**WORLD, "keep.test": ['@ TXT "google-site-verification=abc123"']})
    result = run("validate", "--spec", str(spec), "--nameserver", bind.address, "--resolver", bind.address, "--format", "json")
    assert result.exit_code == 1
    assert statuses(result)[("keep.test", "TXT")] == "conflict"
    assert "live-values-deleted" in codes(result)


def test_keeping_the_value_makes_it_safe(bind, tmp_path: Path) -> None:
    """The same zone with keep_txt listing the value: pending, safe to apply."""
    spec = write_spec(tmp_path, "keep.test", keep_txt="[google-site-verification=abc123]")
    bind.set_zones({**WORLD, "keep.test": ['@ TXT "google-site-verification=abc123"']})
    result = run("validate", "--spec", str(spec), "--nameserver", bind.address, "--resolver", bind.address, "--format", "json")
    assert result.exit_code == 0, result.output
    assert statuses(result)[("keep.test", "TXT")] == "differs"


def test_conflict_second_spf_for_cloudflare(bind, tmp_path: Path) -> None:
    """Cloudflare keeps other values: our SPF beside a live one makes two SPF records -> conflict."""
    spec = write_spec(tmp_path, "two.test", provider="cloudflare", zone_id="0123456789abcdef0123456789abcdef")
    bind.set_zones({**WORLD, "two.test": ['@ TXT "v=spf1 include:_spf.google.com ~all"']})
    result = run("validate", "--spec", str(spec), "--nameserver", bind.address, "--resolver", bind.address, "--format", "json")
    assert result.exit_code == 1
    assert statuses(result)[("two.test", "TXT")] == "conflict"


def test_conflict_cname_where_data_lives(bind, tmp_path: Path) -> None:
    """A DKIM selector name that holds a TXT record: the planned CNAME conflicts."""
    spec = write_spec(tmp_path, "busy.test")
    bind.set_zones({**WORLD, "busy.test": ['mte1._domainkey TXT "v=DKIM1; p=abc"']})
    result = run("validate", "--spec", str(spec), "--nameserver", bind.address, "--resolver", bind.address, "--format", "json")
    assert result.exit_code == 1
    assert statuses(result)[("mte1._domainkey.busy.test", "CNAME")] == "conflict"


def test_conflict_data_planned_where_a_cname_lives(bind, tmp_path: Path) -> None:
    """_dmarc planned as TXT where a CNAME lives: conflict, seen in the TXT answer's chain."""
    spec = write_spec(tmp_path, "moved.test")
    lines = [line for line in zone_lines(spec) if not line.startswith("_dmarc")]
    bind.set_zones({**WORLD, "moved.test": [*lines, "_dmarc CNAME dmarc.elsewhere.example."]})
    result = run("validate", "--spec", str(spec), "--nameserver", bind.address, "--resolver", bind.address, "--format", "json")
    assert result.exit_code == 1
    assert statuses(result)[("_dmarc.moved.test", "TXT")] == "conflict"
    assert "is live a CNAME to dmarc.elsewhere.example" in result.stdout
    assert "cname-conflict" in codes(result)


def _gather(bind, spec: Path) -> tuple[object, int]:
    """`validation.gather_live` for the spec's one domain: the LiveView and the queries it sent."""
    [desired] = load_specs([str(spec)]).domains

    async def go():
        dns = LiveDns(nameservers=[parse_server(bind.address)], resolvers=[parse_server(bind.address)], timeout=0.5, retries=0)
        return await validation.gather_live(desired, dns), dns.stats

    return asyncio.run(go())


def test_each_name_is_asked_its_own_type_only(bind, tmp_path: Path) -> None:
    """One question per desired (name, type): 2 TXT and 5 CNAME for the SpotMe set; plus one
    wildcard probe (RFC 4592) per parent and type that answered: _dmarc's TXT, the selectors' CNAME."""
    spec = write_spec(tmp_path, "quiet.test")
    bind.set_zones({**WORLD, "quiet.test": zone_lines(spec)})
    live, sent = _gather(bind, spec)
    assert sent == 7 + 2
    assert sorted(rdtype for _, rdtype in live) == ["CNAME"] * 5 + ["TXT"] * 2


def test_txt_is_asked_where_a_planned_cname_finds_other_data(bind, tmp_path: Path) -> None:
    """A planned CNAME's name that exists without one (NODATA) is asked for TXT too, and only there
    (the TXT found there costs one wildcard probe, RFC 4592)."""
    spec = write_spec(tmp_path, "busy2.test")
    bind.set_zones({**WORLD, "busy2.test": ['mte1._domainkey TXT "v=DKIM1; p=abc"']})
    live, sent = _gather(bind, spec)
    assert sent == 8 + 1
    assert live.values("mte1._domainkey.busy2.test", "TXT") == ("v=DKIM1; p=abc",)
    assert not live.asked("mte2._domainkey.busy2.test", "TXT")


def test_plan_statuses_unknown_delete_and_update(bind) -> None:
    """A plan with an update, a delete, a rename, a no-op and an unknown value, against live data."""
    bind.set_zones({
        **WORLD,
        "hooli.test": [
            f'@ TXT "{SPF}"',
            '@ TXT "mandrill_verify.OldKey000000"',
            '@ TXT "google-site-verification=keepme"',
            '_dmarc TXT "v=DMARC1; p=none;"',
            "old._domainkey CNAME old.dkim.amazonses.com.",
            "mte1._domainkey CNAME dkim1.mandrillapp.com.",
        ],
    })
    result = run("validate", "--plan", str(PLANS / "format-1.1.json"), "--nameserver", bind.address, "--resolver", bind.address, "--format", "json")
    assert result.exit_code in (0, 1), result.output
    assert statuses(result, "hooli.test") == {
        ("hooli.test", "TXT"): "differs",
        ("_dmarc.hooli.test", "TXT"): "pending",
        ("mte1._domainkey.hooli.test", "CNAME"): "in-sync",
        ("new._domainkey.hooli.test", "CNAME"): "pending",
        ("old._domainkey.hooli.test", "CNAME"): "pending",
        ("tok._domainkey.hooli.test", "CNAME"): "unknown",
    }
    doc = json.loads(result.stdout)
    assert [(f["code"], f["name"]) for f in doc["findings"]] == [("unknown-name", "aws_route53_record.mystery")]


def test_plan_deletes_in_sync_once_gone(bind) -> None:
    """After apply the deleted records are gone: verify calls them in-sync."""
    bind.set_zones({**WORLD, "hooli.test": [f'@ TXT "{SPF}"']})
    result = run("verify", "--plan", str(PLANS / "format-1.1.json"), "--nameserver", bind.address, "--resolver", bind.address, "--format", "json")
    got = statuses(result, "hooli.test")
    assert got[("_dmarc.hooli.test", "TXT")] == "in-sync"
    assert got[("old._domainkey.hooli.test", "CNAME")] == "in-sync"
    assert result.exit_code == 1  # the rest is not there


# --------------------------------------------------------------------------- verify --wait


def test_verify_wait_polls_until_in_sync(bind, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--wait: not in sync, progress on stderr, the zone appears during the pause, then exit 0."""
    spec = write_spec(tmp_path, "later.test")
    bind.set_zones({**WORLD, "later.test": []})
    pauses: list[float] = []

    async def apply_during_pause(seconds: float) -> None:
        pauses.append(seconds)
        bind.set_zones({**WORLD, "later.test": zone_lines(spec)})

    monkeypatch.setattr(validation, "_pause", apply_during_pause)
    result = run("verify", "--spec", str(spec), "--nameserver", bind.address, "--resolver", bind.address, "--wait", "120", "--interval", "5", "--format", "json")
    assert result.exit_code == 0, result.output
    assert pauses == [5]
    assert "verify: 0/7 records in sync (7 pending); asking again in 5 s" in result.stderr
    assert set(statuses(result).values()) == {"in-sync"}


def test_verify_wait_gives_up_after_the_time(bind, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never in sync: rounds every --interval until --wait has passed, then exit 1 with the last report."""
    spec = write_spec(tmp_path, "never.test")
    bind.set_zones({**WORLD, "never.test": []})
    now = [1000.0]

    async def pause(seconds: float) -> None:
        now[0] += seconds

    monkeypatch.setattr(validation, "_pause", pause)
    monkeypatch.setattr(validation, "_clock", lambda: now[0])
    result = run("verify", "--spec", str(spec), "--nameserver", bind.address, "--resolver", bind.address, "--wait", "25", "--interval", "10")
    assert result.exit_code == 1
    assert result.stderr.count("verify: 0/7 records in sync") == 3  # after rounds at 0, 10 and 20 s
    assert "asking again in 5 s (5 s left)" in result.stderr
    assert "verify: gave up after waiting 25 s (--wait): 7 of 7 records still not in sync" in result.stderr
    assert now[0] == 1025.0


def test_verify_without_wait_asks_once(bind, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No --wait: one round, no pause, no progress lines."""
    spec = write_spec(tmp_path, "once.test")
    bind.set_zones({**WORLD, "once.test": []})

    async def no_pause(seconds: float) -> None:
        raise AssertionError("verify paused without --wait")

    monkeypatch.setattr(validation, "_pause", no_pause)
    result = run("verify", "--spec", str(spec), "--nameserver", bind.address, "--resolver", bind.address)
    assert result.exit_code == 1
    assert result.stderr == ""


# --------------------------------------------------------------------------- DNS faults


def test_server_that_never_answers(silent_server, tmp_path: Path) -> None:
    """Timeouts: dns-error findings, statuses unknown, exit 1, no traceback."""
    spec = write_spec(tmp_path, "quiet.test")
    result = run("verify", "--spec", str(spec), "--nameserver", str(silent_server), "--format", "json")
    assert result.exit_code == 1
    assert set(statuses(result).values()) == {"unknown"}
    doc = json.loads(result.stdout)
    messages = [f["message"] for f in doc["domains"][0]["findings"] if f["code"] == "dns-error"]
    assert any("timeout" in m for m in messages)


def test_servfail_is_reported(servfail, tmp_path: Path) -> None:
    """SERVFAIL for the zone: a dns-error naming it; validate exits 1."""
    spec = write_spec(tmp_path, servfail.zone)
    result = run("validate", "--spec", str(spec), "--nameserver", servfail.address, "--format", "json")
    assert result.exit_code == 1
    assert set(statuses(result).values()) == {"unknown"}
    assert "servfail" in json.dumps(json.loads(result.stdout)["domains"][0]["findings"]).lower()


def test_refused_for_a_zone_the_server_does_not_serve(bind, tmp_path: Path) -> None:
    """REFUSED (the server is not authoritative): reported, statuses unknown."""
    spec = write_spec(tmp_path, "elsewhere.test")
    bind.set_zones(WORLD)
    result = run("validate", "--spec", str(spec), "--nameserver", bind.address, "--resolver", bind.address, "--format", "json")
    assert result.exit_code == 1
    assert set(statuses(result).values()) == {"unknown"}
    assert "refused" in result.stdout.lower()


def test_nxdomain_for_the_whole_zone(bind, tmp_path: Path) -> None:
    """The parent zone says the domain does not exist: dns-error 'does not exist', not a crash."""
    spec = write_spec(tmp_path, "gone.parent.test")
    bind.set_zones({**WORLD, "parent.test": []})
    result = run("validate", "--spec", str(spec), "--nameserver", bind.address, "--resolver", bind.address, "--format", "json")
    assert result.exit_code == 1
    assert "dns-error" in codes(result)
    assert "NXDOMAIN for the zone apex" in result.stdout


def test_answer_over_the_edns_payload_is_read_over_tcp(bind, tmp_path: Path) -> None:
    """A TXT set over the 1,232 octets offered with EDNS (so over 512) is fetched over TCP, compared whole."""
    values = [f"verification-{i:02d}=" + "x" * 60 for i in range(20)]
    spec = write_spec(tmp_path, "big.test", keep_txt="[" + ", ".join(values) + "]")
    bind.set_zones({**WORLD, "big.test": zone_lines(spec)})
    result = run("verify", "--spec", str(spec), "--nameserver", bind.address, "--resolver", bind.address, "--format", "json")
    assert statuses(result)[("big.test", "TXT")] == "in-sync", result.stdout


def test_two_servers_that_disagree(bind, bind2, tmp_path: Path) -> None:
    """One server lags: pending with per-server detail, ns-inconsistent, verify exits 1."""
    spec = write_spec(tmp_path, "split.test")
    bind.set_zones({**WORLD, "split.test": zone_lines(spec)})
    bind2.set_zones({**WORLD, "split.test": []})
    result = run("verify", "--spec", str(spec), "--nameserver", bind.address, "--resolver", bind.address, "--nameserver", bind2.address, "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    apex = next(r for r in doc["domains"][0]["records"] if r["name"] == "split.test")
    assert apex["status"] == "pending"
    assert f"{bind2.address}: nxdomain" in apex["detail"] or f"{bind2.address}: nodata" in apex["detail"]
    assert "ns-inconsistent" in codes(result)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "value",
    ["", "127.0.0.1:0", "127.0.0.1:99999", "127.0.0.1:port", "[::1", "[127.0.0.1]:53", "not a host!"],
    ids=["empty", "port-0", "port-too-big", "port-not-a-number", "unclosed-bracket", "v4-in-brackets", "garbage"],
)
def test_bad_nameserver_values_exit_2(value: str) -> None:
    """Each bad --nameserver: exit 2, the value named, nothing asked."""
    result = run("validate", "--plan", str(PLANS / "format-0.1.json"), "--nameserver", value)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"error: --nameserver {value!r}:")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((), "give exactly one input"),
        (("--plan", "a.json", "--tf", "dir"), "got --plan and --tf"),
        (("--spec", "a.yaml", "--plan-file", "tfplan"), "got --plan-file and --spec"),
        (("--plan", "a.json", "extra.yaml"), "got --plan and --spec"),
        (("--plan", "a.json", "--format", "xml"), "Invalid value for '--format'"),
        (("--plan", "a.json", "--timeout", "0"), "Invalid value for '--timeout'"),
        (("--plan", "a.json", "--concurrency", "0"), "Invalid value for '--concurrency'"),
        (("--plan", "a.json", "--concurrency", "4097"), "Invalid value for '--concurrency'"),
    ],
    ids=[
        "no-input", "two-inputs", "plan-file-and-spec", "stray-argument", "bad-format", "zero-timeout",
        "zero-concurrency", "concurrency-over-4096",
    ],
)
def test_usage_errors_exit_2(args: tuple[str, ...], words: str) -> None:
    """Exactly one input kind, known formats, positive timeouts, 1-4096 in flight: else exit 2 saying why."""
    for command in ("validate", "verify"):
        result = CliRunner().invoke(cli, [command, *args])
        assert result.exit_code == 2, result.output
        assert words in result.stderr


def test_spec_files_as_arguments_alone(bind, tmp_path: Path) -> None:
    """`validate SPEC SPEC` (the usage line's positional form) is `validate --spec SPEC SPEC`."""
    a, b = write_spec(tmp_path, "a.test"), write_spec(tmp_path, "b.test")
    bind.set_zones({**WORLD, "a.test": zone_lines(a), "b.test": zone_lines(b)})
    for command in ("validate", "verify"):
        result = run(command, str(a), str(b), "--nameserver", bind.address, "--resolver", bind.address, "--format", "json")
        assert result.exit_code == 0, result.output
        assert [d["domain"] for d in json.loads(result.stdout)["domains"]] == ["a.test", "b.test"]


def test_several_spec_files(bind, tmp_path: Path) -> None:
    """--spec A B: both files' domains are validated."""
    a, b = write_spec(tmp_path, "a.test"), write_spec(tmp_path, "b.test")
    bind.set_zones({**WORLD, "a.test": zone_lines(a), "b.test": zone_lines(b)})
    result = run("verify", "--spec", str(a), str(b), "--nameserver", bind.address, "--resolver", bind.address, "--format", "json")
    assert result.exit_code == 0, result.output
    assert [d["domain"] for d in json.loads(result.stdout)["domains"]] == ["a.test", "b.test"]


def test_bad_spec_exits_2(tmp_path: Path) -> None:
    """A spec error is bad input: exit 2 with file:line:column."""
    spec = tmp_path / "bad.yaml"
    spec.write_text("version: 1\ndomains:\n  - domain: bad..test\n")
    result = run("validate", "--spec", str(spec))
    assert result.exit_code == 2
    assert f"error: {spec}:3:" in result.stderr


# --------------------------------------------------------------------------- output


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "junit"])
def test_output_file_in_every_format(bind, tmp_path: Path, fmt: str) -> None:
    """--output writes the report (nothing on stdout, the verdict on stderr), no temp file left."""
    spec = write_spec(tmp_path, "good.test")
    bind.set_zones({**WORLD, "good.test": zone_lines(spec)})
    out = tmp_path / "reports" / f"report.{fmt}"
    out.parent.mkdir()
    result = run("verify", "--spec", str(spec), "--nameserver", bind.address, "--resolver", bind.address, "--format", fmt, "--output", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "report written to" in result.stderr
    assert [p.name for p in out.parent.iterdir()] == [out.name]
    text = out.read_text()
    assert "good.test" in text
    assert "\x1b[" not in text


def test_output_into_a_missing_directory_exits_2(tmp_path: Path, bind) -> None:
    """An --output path that cannot be written: exit 2, nothing left behind."""
    spec = write_spec(tmp_path, "good.test")
    bind.set_zones({**WORLD, "good.test": zone_lines(spec)})
    result = run("validate", "--spec", str(spec), "--nameserver", bind.address, "--resolver", bind.address, "--output", str(tmp_path / "no" / "r.json"))
    assert result.exit_code == 2
    assert "--output" in result.stderr


def test_concurrency_defaults_to_256() -> None:
    """--concurrency defaults to 256 questions in flight (hides 25 ms each way over 1,000 domains)."""
    for name in ("validate", "verify", "check"):
        command = cli.get_command(click.Context(cli), name)
        [option] = [p for p in command.params if p.name == "concurrency"]
        assert option.default == DEFAULT_CONCURRENCY == 256
    assert inspect.signature(LiveDns).parameters["concurrency"].default == 256


def test_help_ends_with_an_example() -> None:
    """Both commands document themselves with an Example block."""
    for command in ("validate", "verify"):
        result = CliRunner().invoke(cli, [command, "--help"])
        assert result.exit_code == 0
        assert "Example:" in result.output and f"spotme-dns {command}" in result.output
