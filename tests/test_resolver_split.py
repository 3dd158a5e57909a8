"""`--nameserver` answers for the zones' own records only; `--resolver` for every other name.

Two real BIND 9 servers: `bind` serves only the customer zones (an authoritative-only server,
like a hidden primary or a pre-delegation check, which answers REFUSED for anything else) and
`bind2` serves the senders' zones (`_spf.spotme.com`, the SES and Mandrill DKIM keys) with
recursion off, standing in for the resolver. A correct plan passes; no REFUSED from the
nameserver about a sender's name turns into an error.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from spotme_dns.cli import cli
from tests.test_validate_cli import WORLD, write_spec, zone_lines


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "--timeout", "0.5", "--retries", "0"])


def all_codes(doc: dict) -> set[str]:
    return {f["code"] for d in doc["domains"] for f in d["findings"]} | {f["code"] for f in doc["findings"]}


def serve_split(bind, bind2, tmp_path: Path, domain: str) -> Path:
    spec = write_spec(tmp_path, domain)
    bind.set_zones({domain: zone_lines(spec)})
    bind2.set_zones(WORLD)
    return spec


def test_validate_and_verify_pass_with_an_authoritative_only_nameserver(bind, bind2, tmp_path: Path) -> None:
    """Customer zone on --nameserver, senders on --resolver: every record in sync, exit 0."""
    spec = serve_split(bind, bind2, tmp_path, "split.test")
    for command in ("validate", "verify"):
        result = run(command, "--spec", str(spec), "--nameserver", bind.address, "--resolver", bind2.address, "--format", "json")
        assert result.exit_code == 0, result.output
        doc = json.loads(result.stdout)
        assert {r["status"] for d in doc["domains"] for r in d["records"]} == {"in-sync"}
        assert doc["summary"]["errors"] == 0 and "dns-error" not in all_codes(doc)


def test_the_senders_names_are_never_asked_of_the_nameserver(bind, bind2, tmp_path: Path) -> None:
    """The same split with the senders' zones emptied on the resolver: the errors name the
    senders' records as missing (the resolver's NXDOMAIN), never a REFUSED from the nameserver."""
    spec = write_spec(tmp_path, "split.test")
    bind.set_zones({"split.test": zone_lines(spec)})
    bind2.set_zones({zone: [] for zone in WORLD})
    result = run("validate", "--spec", str(spec), "--nameserver", bind.address, "--resolver", bind2.address, "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert {"spf-include-not-found", "dkim-target-no-key"} <= all_codes(doc)
    assert "REFUSED" not in result.stdout


def test_check_with_an_authoritative_only_nameserver(bind, bind2, tmp_path: Path) -> None:
    """`check` (zone found by SOA through --nameserver) with the senders on --resolver: exit 0."""
    spec = serve_split(bind, bind2, tmp_path, "split.test")
    result = run("check", "--spec", str(spec), "--nameserver", bind.address, "--resolver", bind2.address, "--format", "json")
    assert result.exit_code == 0, result.output
    result = run("check", "split.test", "--nameserver", bind.address, "--resolver", bind2.address, "--format", "json")
    doc = json.loads(result.stdout)
    assert "dns-error" not in all_codes(doc) and "spf-include-not-found" not in all_codes(doc), result.output


def test_generate_discover_with_an_authoritative_only_nameserver(bind, bind2, tmp_path: Path) -> None:
    """`generate --discover` reads the zone from --nameserver and follows the merged SPF
    record's includes through --resolver (every include followed: no lower-bound warning)."""
    spec = serve_split(bind, bind2, tmp_path, "split.test")
    out = tmp_path / "out"
    args = ["generate", str(spec), "-o", str(out), "--discover", "--force", "--nameserver", bind.address]
    result = CliRunner().invoke(cli, [*args, "--resolver", bind2.address])
    assert result.exit_code == 0, result.output
    assert "could not follow" not in result.output and "REFUSED" not in result.output
    bind2.set_zones({"unrelated.test": []})  # the resolver cannot answer: discovery says so
    result = CliRunner().invoke(cli, [*args, "--resolver", bind2.address])
    assert "could not follow _spf.spotme.com" in result.output, result.output


def test_a_bad_resolver_is_bad_input(tmp_path: Path) -> None:
    """A --resolver that is not HOST[:PORT]: exit 2, the option and value named."""
    spec = write_spec(tmp_path, "split.test")
    result = run("validate", "--spec", str(spec), "--resolver", "127.0.0.1:99999")
    assert result.exit_code == 2
    assert "--resolver '127.0.0.1:99999'" in result.stderr


def test_validate_a_route53_plan_with_an_authoritative_only_nameserver(bind, bind2, tmp_path: Path) -> None:
    """The same split with a plan (`terraform show -json` shape) creating every record: exit 0."""
    from spotme_dns.inputs import load_specs

    spec = serve_split(bind, bind2, tmp_path, "split.test")
    bind.set_zones({"split.test": []})  # nothing published yet: every record is pending
    [domain] = load_specs([str(spec)]).domains
    changes = [
        {
            "address": f"aws_route53_record.r{i}", "mode": "managed", "type": "aws_route53_record", "name": f"r{i}",
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": {
                "actions": ["create"], "before": None,
                "after": {"zone_id": "Z0SPLIT", "name": r.name, "type": r.type, "ttl": 300, "records": list(r.values or ())},
                "after_unknown": {"id": True, "fqdn": True, "allow_overwrite": True},
            },
        }
        for i, r in enumerate(domain.records)
    ]
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"format_version": "1.2", "terraform_version": "1.11.4", "resource_changes": changes}))
    result = run("validate", "--plan", str(plan), "--nameserver", bind.address, "--resolver", bind2.address, "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert {r["status"] for d in doc["domains"] for r in d["records"]} == {"pending"}
    assert doc["summary"]["errors"] == 0
