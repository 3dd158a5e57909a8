"""`validate` and `verify` on generated roots of the generic provider, with a real plan.

A generic root is provider-free: the records are data (`output "records"`, records.zone,
RECORDS.md) that the customer types into a DNS console by hand; `terraform init/plan` works
offline. BIND serves the customer's zone (`--nameserver`) and the senders' zones (`--resolver`).

- the zone is known from the generated output, so a parent's DMARC policy (`sp=`) is judged
  (`dmarc-weakens-parent`), as with `--spec` or a route53 root;
- a wildcard in the zone is a wildcard (info), not a CNAME at every sending domain;
- records the customer already published by hand are in-sync, never an "already exists"
  apply failure (a generic root applies nothing to DNS); another live value is `differs`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from spotme_dns.cli import cli
from tests.test_validate_cli import WORLD, spec_text, zone_lines

ZONE = "acme.test"
PARENT_DMARC = '_dmarc TXT "v=DMARC1; p=reject; sp=reject"'


def generic_spec(tmp_path: Path, domains: list[str]) -> Path:
    """A spec of generic domains in the zone acme.test (the test tokens, no dmarc key)."""
    head, *_ = spec_text(domains[0], "generic", zone=ZONE).split("  - domain:")
    entries = ["  - domain:" + spec_text(d, "generic", zone=ZONE).split("  - domain:")[1] for d in domains]
    path = tmp_path / "spec.yaml"
    path.write_text(head + "".join(entries))
    return path


def planned_root(tmp_path: Path, spec: Path, terraform_factory, *style: str):
    """`generate spec -o g`, `terraform init`, `terraform plan -out=tfplan`: the root's Terraform."""
    out = tmp_path / "g"
    result = CliRunner().invoke(cli, ["generate", str(spec), "-o", str(out), *style])
    assert result.exit_code == 0, result.output
    tf = terraform_factory(out)
    tf.init()
    tf.plan("tfplan")
    return tf


def run(tf, bind, bind2, *args: str) -> Result:
    return CliRunner(env=tf.env).invoke(
        cli, [*args, "--nameserver", bind.address, "--resolver", bind2.address, "--format", "json", "--timeout", "1", "--retries", "0"]
    )


def findings(result: Result) -> list[dict]:
    doc = json.loads(result.stdout)
    return [f for d in doc["domains"] for f in d["findings"]] + list(doc["findings"])


def statuses(result: Result) -> dict[tuple[str, str], str]:
    doc = json.loads(result.stdout)
    return {(r["name"], r["type"]): r["status"] for d in doc["domains"] for r in d["records"]}


@pytest.mark.parametrize("style", [(), ("--style", "module")], ids=["resources", "module"])
def test_generic_plan_and_tf_judge_the_parent_dmarc(style, bind, bind2, tmp_path: Path, terraform_factory) -> None:
    """The parent's sp=reject is weakened by the generated p=none: not safe, from the plan and the .tf."""
    spec = generic_spec(tmp_path, ["new2.acme.test"])
    bind.set_zones({ZONE: [PARENT_DMARC, "new2 A 192.0.2.30"]})
    bind2.set_zones(WORLD)
    tf = planned_root(tmp_path, spec, terraform_factory, *style)
    for args in (("--plan-file", "tfplan", "--chdir", str(tf.workdir)), ("--tf", str(tf.workdir)), ("--spec", str(spec))):
        result = run(tf, bind, bind2, "validate", *args)
        assert result.exit_code == 1, (args, result.output)
        weakens = [f for f in findings(result) if f["code"] == "dmarc-weakens-parent"]
        assert weakens and weakens[0]["severity"] == "error", (args, result.output)
        assert {d["zone"] for d in json.loads(result.stdout)["domains"]} == {ZONE}, args


@pytest.mark.parametrize("style", [(), ("--style", "module")], ids=["resources", "module"])
def test_generic_plan_knows_a_wildcard(style, bind, bind2, tmp_path: Path, terraform_factory) -> None:
    """`* CNAME web.acme.test.` in the zone: info wildcard per domain, never cname-conflict."""
    domains = [f"s{n:02d}.acme.test" for n in range(1, 6)]
    spec = generic_spec(tmp_path, domains)
    bind.set_zones({ZONE: ["* CNAME web.acme.test.", "web A 192.0.2.80"]})
    bind2.set_zones(WORLD)
    tf = planned_root(tmp_path, spec, terraform_factory, *style)
    as_spec = [f["code"] for f in findings(run(tf, bind, bind2, "validate", "--spec", str(spec)))]
    assert "cname-conflict" not in as_spec and as_spec.count("wildcard") >= len(domains)
    for args in (("--plan-file", "tfplan", "--chdir", str(tf.workdir)), ("--tf", str(tf.workdir))):
        result = run(tf, bind, bind2, "validate", *args)
        codes = [f["code"] for f in findings(result)]
        assert result.exit_code == 0, (args, result.output)
        assert "cname-conflict" not in codes
        assert sorted(codes) == sorted(as_spec), args


@pytest.mark.parametrize("style", [(), ("--style", "module")], ids=["resources", "module"])
def test_generic_published_records_are_in_sync(style, bind, bind2, tmp_path: Path, terraform_factory) -> None:
    """Records published by hand, as RECORDS.md says: validate and verify agree, all in-sync, exit 0."""
    spec = generic_spec(tmp_path, ["mail.acme.test"])
    bind.set_zones({ZONE: zone_lines(spec)})
    bind2.set_zones(WORLD)
    tf = planned_root(tmp_path, spec, terraform_factory, *style)
    for command in ("validate", "verify"):
        result = run(tf, bind, bind2, command, "--plan-file", "tfplan", "--chdir", str(tf.workdir))
        assert result.exit_code == 0, (command, result.output)
        assert "record-exists-unmanaged" not in [f["code"] for f in findings(result)]
        assert set(statuses(result).values()) == {"in-sync"}, command


def test_generic_other_live_value_differs(bind, bind2, tmp_path: Path, terraform_factory) -> None:
    """A CNAME typed in with another target: `differs` to fix by hand, never "already exists"."""
    spec = generic_spec(tmp_path, ["mail.acme.test"])
    lines = [line.replace("dkim1.mandrillapp.com.", "old.mandrillapp.com.") for line in zone_lines(spec)]
    bind.set_zones({ZONE: lines})
    bind2.set_zones(WORLD)
    tf = planned_root(tmp_path, spec, terraform_factory)
    result = run(tf, bind, bind2, "validate", "--plan-file", "tfplan", "--chdir", str(tf.workdir))
    assert "record-exists-unmanaged" not in [f["code"] for f in findings(result)], result.output
    assert statuses(result)[("mte1._domainkey.mail.acme.test", "CNAME")] == "differs"
