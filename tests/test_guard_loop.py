"""validate as the guard over weeks of real use (issue 8, point 1), with the real parts.

moto (Route53) and a BIND serving the same zone stand in for AWS and the internet; a real
terraform with the hashicorp/aws provider from the mirror plans and applies. After each apply
BIND is loaded with what Route53 now holds, as the real internet would show it.

- the discover loop: `generate --discover` -> apply -> a colleague's `generate` WITHOUT
  `--discover` from the original spec -> plan: the plan deletes the customer's values that
  Terraform now owns; validate must exit 1 naming them;
- the import loop: import blocks for the existing TXT and DMARC sets + a plain `generate`:
  the plan replaces `["ms=...", "v=spf1 include:_spf.google.com ~all"]` and turns `p=reject`
  into `p=none`; validate must exit 1, also when Terraform replaces the imported set;
- an in-place update of a managed DMARC record that weakens it: validate exits 1;
- with `--allow` for each finding: exit 0, and the report lists what was allowed;
- no false alarm: the ordinary discover merge plans no loss and validates with exit 0.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from spotme_dns.cli.app import cli
from tests.support.bind import zone_text
from tests.test_import_loop import (
    DOMAIN,
    GOOGLE,
    OLD_SPF,
    SPEC,
    THE_REST_OF_THE_INTERNET,
    fresh_state,
    generate,
    seed_zone,
    zone_records,
)

MS = "MS=ms71920334"
LOSSES = ("live-values-deleted", "spf-terms-dropped", "dmarc-policy-weakened", "dmarc-reports-dropped")


@pytest.fixture(scope="module")
def root(module_terraform_factory, moto_server, tmp_path_factory):
    """One Terraform root (one `terraform init`) for the tests of this module."""
    from tests.support.aws import aws_provider_env

    workdir = tmp_path_factory.mktemp("guard-loop") / "out"
    spec = workdir.parent / "spec.yaml"
    spec.write_text(SPEC)
    result = CliRunner().invoke(cli, ["generate", str(spec), "-o", str(workdir)])
    assert result.exit_code == 0, result.output
    tf = module_terraform_factory(workdir, env=aws_provider_env(moto_server))
    tf.init()
    return tf


def colleague_spec(tmp_path: Path, text: str = SPEC) -> Path:
    """The spec as a colleague has it: the original text, whatever discovery wrote elsewhere."""
    path = tmp_path / "colleague.yaml"
    path.write_text(text)
    return path


def plain_generate(spec: Path, out: Path) -> None:
    result = CliRunner().invoke(cli, ["generate", str(spec), "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def load_bind_from_route53(moto, bind, zone_id: str) -> None:
    """BIND serves what the hosted zone holds now (Route53's quoted TXT strings as they are)."""
    lines = []
    for (name, rtype), values in sorted(zone_records(moto, zone_id).items()):
        if rtype not in ("TXT", "CNAME"):
            continue
        relative = "@" if name == DOMAIN else name[: -len(DOMAIN) - 1]
        lines += [f"{relative} {rtype} {v if rtype == 'TXT' else v + '.'}" for v in values]
    bind.set_zones({DOMAIN: zone_text(DOMAIN, lines), **THE_REST_OF_THE_INTERNET})


def plan_json(tf, name: str) -> Path:
    tf.plan(name)
    path = tf.workdir / f"{name}.json"
    path.write_text(tf.run("show", "-json", name).stdout)
    return path


def validate(plan: Path, bind, *args: str) -> Result:
    return CliRunner().invoke(cli, ["validate", "--plan", str(plan), "--nameserver", bind.address, "--resolver", bind.address, *args])


def findings(result: Result) -> dict[str, str]:
    doc = json.loads(result.stdout)
    return {f["code"]: f["message"] for d in doc["domains"] for f in d["findings"]}


def allowed(result: Result) -> dict[str, str]:
    return {a["code"]: a["allowed_by"] for a in json.loads(result.stdout)["allowed"]}


def allow_all() -> list[str]:
    return [arg for code in LOSSES for arg in ("--allow", f"{code}:{DOMAIN}")]


def test_never_deleting_customer_txt_values_or_spf_mechanisms_across_a_later_generate(root, aws_env, bind, tmp_path):
    """The whole loop. Discovery kept google-site-verification and include:_spf.google.com; a later
    `generate` without --discover from the original spec plans to delete them: validate exits 1
    naming them (before issue 8: 0 errors, "safe to apply"). --allow for each: exit 0, listed."""
    tf = root
    fresh_state(tf)
    zone_id = seed_zone(aws_env, bind)
    original = colleague_spec(tmp_path)
    result = generate(tf.workdir.parent / "spec.yaml", tf.workdir, bind)
    assert result.exit_code == 0, result.output
    first = plan_json(tf, "tfplan")
    # No false alarm: the ordinary merge keeps every customer value, so validate says safe.
    merged = validate(first, bind, "--format", "json")
    assert merged.exit_code == 0, merged.output
    assert not set(findings(merged)) & {*LOSSES, "spf-widened"}
    tf.apply(planfile="tfplan")
    load_bind_from_route53(aws_env, bind, zone_id)

    plain_generate(original, tf.workdir)
    later = plan_json(tf, "tfplan")
    actions = {rc["address"]: rc["change"]["actions"] for rc in json.loads(later.read_text())["resource_changes"]}
    assert actions["module.acme_events_com.aws_route53_record.domain_txt"] == ["update"]

    result = validate(later, bind)
    assert result.exit_code == 1, result.output
    assert GOOGLE in result.stdout and "include:_spf.google.com" in result.stdout
    assert "validate: NOT safe to apply" in result.stdout
    as_json = validate(later, bind, "--format", "json")
    found = findings(as_json)
    assert GOOGLE in found["live-values-deleted"]
    assert "include:_spf.google.com" in found["spf-terms-dropped"]
    assert "p=reject -> p=none" in found["dmarc-policy-weakened"]
    assert "rua=mailto:dmarc@acme-events.com" in found["dmarc-reports-dropped"]

    allowed_run = validate(later, bind, "--format", "json", *allow_all())
    assert allowed_run.exit_code == 0, allowed_run.output
    assert set(allowed(allowed_run)) == set(LOSSES)
    assert not set(findings(allowed_run)) & set(LOSSES)
    text = validate(later, bind, *allow_all())
    assert text.exit_code == 0 and "allowed by --allow" in text.stdout and GOOGLE in text.stdout


def existing(zone_id: str) -> dict[str, str]:
    """The sets the zone holds already, by address: what record-exists-unmanaged says to import."""
    prefix = "module.acme_events_com.aws_route53_record"
    return {
        f"{prefix}.domain_txt": f"{zone_id}_{DOMAIN}_TXT",
        f"{prefix}.dmarc": f"{zone_id}__dmarc.{DOMAIN}_TXT",
        f"{prefix}.mandrill_dkim_mte1": f"{zone_id}_mte1._domainkey.{DOMAIN}_CNAME",
    }


def import_blocks(zone_id: str) -> str:
    return "\n".join(f'import {{\n  to = {to}\n  id = "{id_}"\n}}\n' for to, id_ in existing(zone_id).items())


def seed_with_ms(moto, bind) -> str:
    """The customer's zone with an MS= value beside the old SPF (and google, DMARC p=reject)."""
    zone_id = seed_zone(moto, bind)
    r53 = moto.client("route53")
    r53.change_resource_record_sets(
        HostedZoneId=zone_id,
        ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": {
            "Name": DOMAIN, "Type": "TXT", "TTL": 300,
            "ResourceRecords": [{"Value": f'"{v}"'} for v in (GOOGLE, MS, OLD_SPF)],
        }}]},
    )
    load_bind_from_route53(moto, bind, zone_id)
    return zone_id


@pytest.mark.parametrize("replace", [False, True], ids=["update-after-import", "replace-after-import"])
def test_import_blocks_then_plain_plan_replacing_customer_values_is_refused(root, aws_env, bind, tmp_path, replace):
    """The user imports the existing TXT and DMARC sets (as record-exists-unmanaged says) and plans
    the plain spec: the apex set loses MS=, google and the old SPF's include, DMARC p=reject turns
    p=none. validate exits 1; also when Terraform replaces the imported set (-replace)."""
    tf = root
    fresh_state(tf)
    zone_id = seed_with_ms(aws_env, bind)
    plain_generate(colleague_spec(tmp_path), tf.workdir)
    (tf.workdir / "imports.tf").write_text(import_blocks(zone_id))
    try:
        if replace:
            for to, id_ in existing(zone_id).items():
                tf.run("import", to, id_)
            (tf.workdir / "imports.tf").unlink()
            tf.plan("tfplan", "-replace=module.acme_events_com.aws_route53_record.domain_txt")
        else:
            tf.plan("tfplan")
        plan = tf.workdir / "import-plan.json"
        plan.write_text(tf.run("show", "-json", "tfplan").stdout)
    finally:
        (tf.workdir / "imports.tf").unlink(missing_ok=True)
    changes = {rc["address"]: rc["change"] for rc in json.loads(plan.read_text())["resource_changes"]}
    apex = changes["module.acme_events_com.aws_route53_record.domain_txt"]
    assert sorted(apex["before"]["records"]) == sorted([GOOGLE, MS, OLD_SPF])
    expected_actions = (["create", "delete"], ["delete", "create"]) if replace else (["update"],)
    assert apex["actions"] in expected_actions
    assert "p=none" in changes["module.acme_events_com.aws_route53_record.dmarc"]["after"]["records"][0]

    result = validate(plan, bind, "--format", "json")
    assert result.exit_code == 1, result.output
    found = findings(result)
    assert MS in found["live-values-deleted"] and GOOGLE in found["live-values-deleted"]
    assert "include:_spf.google.com" in found["spf-terms-dropped"]
    assert "p=reject -> p=none" in found["dmarc-policy-weakened"]
    rows = {(r["name"], r["type"]): r for d in json.loads(result.stdout)["domains"] for r in d["records"]}
    assert {"op": "removed", "kind": "value", "old": MS, "new": None} in rows[(DOMAIN, "TXT")]["changes"]

    allowed_run = validate(plan, bind, "--format", "json", *allow_all())
    assert allowed_run.exit_code == 0, allowed_run.output
    assert set(allowed(allowed_run)) == set(LOSSES)


STRICT_SPEC = SPEC + """\
    dmarc:
      policy: reject
      sp: reject
"""
WEAKER_SPEC = SPEC + """\
    dmarc:
      policy: none
"""


def test_an_existing_stricter_policy_is_kept_or_validate_refuses_the_update(root, aws_env, bind, tmp_path):
    """Terraform already manages `p=reject; sp=reject`; the spec now says `policy: none`: the plan
    updates the record in place; validate exits 1 (dmarc-policy-weakened), --allow makes it 0."""
    tf = root
    fresh_state(tf)
    aws_env.reset()
    zone_id = aws_env.client("route53").create_hosted_zone(Name=DOMAIN, CallerReference="dmarc")["HostedZone"]["Id"].rsplit("/", 1)[-1]
    strict = tmp_path / "strict.yaml"
    strict.write_text(STRICT_SPEC)
    plain_generate(strict, tf.workdir)
    tf.plan("tfplan")
    tf.apply(planfile="tfplan")
    load_bind_from_route53(aws_env, bind, zone_id)

    weaker = tmp_path / "weaker.yaml"
    weaker.write_text(WEAKER_SPEC)
    plain_generate(weaker, tf.workdir)
    plan = plan_json(tf, "tfplan")
    changes = {rc["address"]: rc["change"] for rc in json.loads(plan.read_text())["resource_changes"]}
    dmarc = changes["module.acme_events_com.aws_route53_record.dmarc"]
    assert dmarc["actions"] == ["update"]
    assert dmarc["before"]["records"] == ["v=DMARC1; p=reject; sp=reject;"]

    result = validate(plan, bind, "--format", "json")
    assert result.exit_code == 1, result.output
    found = findings(result)
    assert set(found) & {*LOSSES, "spf-widened"} == {"dmarc-policy-weakened"}
    assert "p=reject -> p=none" in found["dmarc-policy-weakened"] and "sp=reject -> sp=none" in found["dmarc-policy-weakened"]

    allowed_run = validate(plan, bind, "--format", "json", "--allow", f"dmarc-policy-weakened:_dmarc.{DOMAIN}")
    assert allowed_run.exit_code == 0, allowed_run.output
    assert allowed(allowed_run) == {"dmarc-policy-weakened": f"dmarc-policy-weakened:_dmarc.{DOMAIN}"}


