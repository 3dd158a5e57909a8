"""The whole adoption loop with real parts: a zone that already holds a customer's records.

moto (Route53) and a BIND serving the same zone stand in for AWS and the internet; a real
terraform with the hashicorp/aws provider from the mirror runs import, plan and apply. The
zone holds google-site-verification, an old SPF record with `~all`, DMARC `p=reject` and one
correct Mandrill CNAME. After `generate --discover`, importing and applying, the zone must
hold the customer's values plus ours: exactly one SPF record, DMARC still `p=reject`, and no
plan ever deletes anything.

One Terraform root directory is shared by the tests of this module (one `terraform init`):
each test resets moto, regenerates into it and starts from an empty state.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import hcl2
import pytest
from click.testing import CliRunner

from spotme_dns.cli.app import cli
from tests.support.bind import zone_text

DOMAIN = "acme-events.com"
TOKENS = ("abcdefghijklmnop1234", "qrstuvwxyzabcdef5678", "ghijklmnopqrstuv9012")
GOOGLE = "google-site-verification=Xq3c9Rk2L0pNf7aT1bYvW8eUm4sDzHgJ"
OLD_SPF = "v=spf1 include:_spf.google.com ~all"
DMARC = "v=DMARC1; p=reject; rua=mailto:dmarc@acme-events.com"
MERGED_SPF = "v=spf1 include:_spf.google.com include:_spf.spotme.com ~all"
VERIFY = "mandrill_verify.AbC123xyz"

SPEC = f"""\
version: 1
domains:
  - domain: {DOMAIN}
    provider: route53
    ses:
      dkim_tokens: [{", ".join(TOKENS)}]
    mandrill:
      verification: {VERIFY}
"""


@pytest.fixture(scope="module")
def root(module_terraform_factory, moto_server, tmp_path_factory):
    """The shared Terraform root: generated once for `terraform init`, reused by every test."""
    from tests.support.aws import aws_provider_env

    workdir = tmp_path_factory.mktemp("import-loop") / "out"
    spec = workdir.parent / "spec.yaml"
    spec.write_text(SPEC)
    result = CliRunner().invoke(cli, ["generate", str(spec), "-o", str(workdir)])
    assert result.exit_code == 0, result.output
    tf = module_terraform_factory(workdir, env=aws_provider_env(moto_server))
    tf.init()
    return tf, spec


def seed_zone(moto, bind) -> str:
    """The customer's zone, in moto and in BIND alike; returns the hosted zone id."""
    moto.reset()
    r53 = moto.client("route53")
    zone_id = r53.create_hosted_zone(Name=DOMAIN, CallerReference="loop")["HostedZone"]["Id"].rsplit("/", 1)[-1]
    changes = [
        ("", "TXT", [f'"{GOOGLE}"', f'"{OLD_SPF}"']),
        ("_dmarc.", "TXT", [f'"{DMARC}"']),
        ("mte1._domainkey.", "CNAME", ["dkim1.mandrillapp.com"]),
    ]
    r53.change_resource_record_sets(
        HostedZoneId=zone_id,
        ChangeBatch={
            "Changes": [
                {
                    "Action": "CREATE",
                    "ResourceRecordSet": {
                        "Name": f"{prefix}{DOMAIN}",
                        "Type": rtype,
                        "TTL": 300,
                        "ResourceRecords": [{"Value": v} for v in values],
                    },
                }
                for prefix, rtype, values in changes
            ]
        },
    )
    bind.set_zones({
        DOMAIN: zone_text(DOMAIN, [
            f'@ TXT "{GOOGLE}"',
            f'@ TXT "{OLD_SPF}"',
            f'_dmarc TXT "{DMARC}"',
            "mte1._domainkey CNAME dkim1.mandrillapp.com.",
        ]),
        **THE_REST_OF_THE_INTERNET,
    })
    return zone_id


# What validate follows beyond the customer's zone: SPF includes and the DKIM key targets.
_KEY = 'TXT "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC3sP4kq0Z9q2Vp"'
THE_REST_OF_THE_INTERNET = {
    "google.com": zone_text("google.com", ['_spf TXT "v=spf1 ip4:35.190.247.0/24 -all"']),
    "spotme.com": zone_text("spotme.com", ['_spf TXT "v=spf1 ip4:203.0.113.0/24 -all"']),
    "dkim.amazonses.com": zone_text("dkim.amazonses.com", [f"{token} {_KEY}" for token in TOKENS]),
    "mandrillapp.com": zone_text("mandrillapp.com", [f"dkim1 {_KEY}", f"dkim2 {_KEY}"]),
}


def generate(spec: Path, out: Path, bind, *extra: str):
    return CliRunner().invoke(
        cli,
        ["generate", str(spec), "-o", str(out), "--discover", "--nameserver", bind.address, "--resolver", bind.address, *extra],
        catch_exceptions=False,
    )


def fresh_state(tf) -> None:
    for name in ("terraform.tfstate", "terraform.tfstate.backup", "tfplan"):
        (tf.workdir / name).unlink(missing_ok=True)


def zone_records(moto, zone_id: str) -> dict[tuple[str, str], list[str]]:
    """The hosted zone read back with boto3: (name, type) -> values as Route53 returns them."""
    sets = moto.client("route53").list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    return {(s["Name"].rstrip("."), s["Type"]): sorted(r["Value"] for r in s.get("ResourceRecords", [])) for s in sets}


def check_plan(plan: dict) -> dict[str, dict]:
    """No delete of any kind; no value the zone holds disappears (the old SPF record becomes the
    merged one, every term kept). Returns the changes by address."""
    changes = {rc["address"]: rc for rc in plan["resource_changes"] if rc["mode"] == "managed"}
    for address, rc in changes.items():
        assert "delete" not in rc["change"]["actions"], f"{address} would be deleted: {rc['change']['actions']}"
        before = set((rc["change"]["before"] or {}).get("records") or [])
        after = set((rc["change"]["after"] or {}).get("records") or [])
        lost = before - after
        old_spf = {v for v in lost if v.startswith("v=spf1 ")}
        assert lost == old_spf, f"{address} would lose {lost - old_spf}"
        for value in old_spf:
            new_spf = [v for v in after if v.startswith("v=spf1 ")]
            assert len(new_spf) == 1, f"{address}: not exactly one SPF record after: {new_spf}"
            assert set(value.split()) <= set(new_spf[0].split()), f"{address}: SPF terms lost: {value} -> {new_spf[0]}"
    return changes


def check_zone_after(moto, zone_id: str) -> None:
    """The customer's values plus ours; one SPF record; DMARC still p=reject."""
    records = zone_records(moto, zone_id)
    apex = records[(DOMAIN, "TXT")]
    assert sorted(apex) == sorted([f'"{GOOGLE}"', f'"{MERGED_SPF}"', f'"{VERIFY}"'])
    assert sum(1 for v in apex if v.startswith('"v=spf1')) == 1
    assert records[(f"_dmarc.{DOMAIN}", "TXT")] == [f'"{DMARC}"']
    assert records[(f"mte1._domainkey.{DOMAIN}", "CNAME")] == ["dkim1.mandrillapp.com"]
    assert records[(f"mte2._domainkey.{DOMAIN}", "CNAME")] == ["dkim2.mandrillapp.com"]
    for token in TOKENS:
        assert records[(f"{token}._domainkey.{DOMAIN}", "CNAME")] == [f"{token}.dkim.amazonses.com"]


def test_discover_import_script_plan_apply(root, aws_env, bind):
    """Script imports: import.sh imports the three existing sets, the plan deletes nothing, apply works."""
    tf, spec = root
    fresh_state(tf)
    zone_id = seed_zone(aws_env, bind)
    result = generate(spec, tf.workdir, bind, "--import-style", "script")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "existing records read from Route53 API" in out
    assert f"kept '{GOOGLE}' in the TXT record set, unchanged" in out
    assert "kept the existing terms include:_spf.google.com in order, added include:_spf.spotme.com before ~all" in out
    assert "kept the existing DMARC record" in out
    assert "adopt: mte1._domainkey.acme-events.com CNAME" in out
    assert not (tf.workdir / "imports.tf").exists()

    main_tf = (tf.workdir / DOMAIN / "main.tf").read_text()
    assert "# generate --discover read the existing records (Route53 API) and decided:" in main_tf
    assert f"#   keep: {DOMAIN} TXT: kept '{GOOGLE}'" in main_tf
    assert f'zone_id = "{zone_id}"' in main_tf

    script = tf.workdir / "import.sh"
    assert os.access(script, os.X_OK)
    text = script.read_text()
    assert "set -euo pipefail" in text
    for record_id in (f"{zone_id}_{DOMAIN}_TXT", f"{zone_id}__dmarc.{DOMAIN}_TXT", f"{zone_id}_mte1._domainkey.{DOMAIN}_CNAME"):
        assert f" {record_id}\n" in text
    assert text.count("import -input=false") == 3

    run = subprocess.run([str(script)], env=tf.env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert run.stdout.count("Import successful!") == 3
    again = subprocess.run([str(script)], env=tf.env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0 and again.stdout.count("already in the state") == 3, again.stdout + again.stderr

    tf.plan("tfplan")
    plan = tf.show_json("tfplan")
    changes = check_plan(plan)
    actions = {address: rc["change"]["actions"] for address, rc in changes.items()}
    assert actions["module.acme_events_com.aws_route53_record.domain_txt"] == ["update"]
    assert actions["module.acme_events_com.aws_route53_record.dmarc"] in (["no-op"], ["update"])
    assert sum(1 for a in actions.values() if a == ["create"]) == 4  # mte2 and three SES CNAMEs
    plan_json = tf.workdir / "plan.json"
    plan_json.write_text(tf.run("show", "-json", "tfplan").stdout)

    applied = tf.apply(planfile="tfplan")
    assert "already exists" not in applied.stdout + applied.stderr
    check_zone_after(aws_env, zone_id)

    # The plan against live DNS (BIND still serves the zone as it was before apply): safe.
    validate = CliRunner().invoke(cli, ["validate", "--plan", str(plan_json), "--nameserver", bind.address, "--resolver", bind.address])
    assert validate.exit_code == 0, validate.output


def test_discover_import_blocks_plan_apply(root, aws_env, bind):
    """Block imports: a well-formed imports.tf; a real plan shows the imports and deletes nothing."""
    tf, spec = root
    fresh_state(tf)
    zone_id = seed_zone(aws_env, bind)
    result = generate(spec, tf.workdir, bind)  # --import-style blocks is the default
    assert result.exit_code == 0, result.output
    assert not (tf.workdir / "import.sh").exists()  # the earlier run's script is gone

    parsed = hcl2.loads((tf.workdir / "imports.tf").read_text())
    # python-hcl2 7 keeps a string's quotes and wraps a reference in ${...}.
    blocks = {b["to"].removeprefix("${").removesuffix("}"): b["id"].strip('"') for b in parsed["import"]}
    assert blocks == {
        "module.acme_events_com.aws_route53_record.domain_txt": f"{zone_id}_{DOMAIN}_TXT",
        "module.acme_events_com.aws_route53_record.dmarc": f"{zone_id}__dmarc.{DOMAIN}_TXT",
        "module.acme_events_com.aws_route53_record.mandrill_dkim_mte1": f"{zone_id}_mte1._domainkey.{DOMAIN}_CNAME",
    }
    assert tf.fmt_check(tf.workdir / "imports.tf") == []

    tf.plan("tfplan")
    plan = tf.show_json("tfplan")
    changes = check_plan(plan)
    importing = {a: rc["change"]["importing"]["id"] for a, rc in changes.items() if rc["change"].get("importing")}
    assert importing == blocks
    # Importing the TXT set updates it in place (merged SPF, our values added); the rest is created.
    actions = {a: rc["change"]["actions"] for a, rc in changes.items()}
    assert actions["module.acme_events_com.aws_route53_record.domain_txt"] == ["update"]
    assert sorted(a for a, act in actions.items() if act == ["create"]) == sorted(
        f"module.acme_events_com.aws_route53_record.{label}"
        for label in ("mandrill_dkim_mte2", *(f"ses_dkim_{t}" for t in TOKENS))
    )
