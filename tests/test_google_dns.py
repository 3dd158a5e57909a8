"""`provider: google` (hashicorp/google `google_dns_record_set`, Google Cloud DNS).

Discovery reads the Cloud DNS v1 REST API, here a local stand-in of the documented calls
(tests/google_stub.py), with a real BIND serving the same zone for live DNS. terraform
validate is NOT possible here: hashicorp/google is not in this machine's plugin mirror and
tests never reach the registry; generated arguments are checked against the provider's
documented schema kept as test data (tests/data/provider-docs/google/).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import hcl2
from click.testing import CliRunner

from spotme_dns.cli.app import cli
from spotme_dns.inputs.plan import parse_plan
from spotme_dns.inputs.tfdir import load_tf_dir
from tests.google_stub import google_fixture, google_server_fixture  # noqa: F401 (fixtures)
from tests.support.bind import zone_text
from tests.support.terraform import find_terraform
from tests.test_rfc2136 import (
    CUSTOMER_ZONE,
    DMARC,
    DOMAIN,
    GOOGLE,
    MERGED_SPF,
    OLD_SPF,
    THE_REST_OF_THE_INTERNET,
    TOKENS,
    VERIFY,
    args_of,
    hcl_string,
)

SCHEMA = json.loads((Path(__file__).parent / "data" / "provider-docs" / "google" / "schema.json").read_text())
PROJECT, ZONE = "acme-prod-123", "acme-events-com"


def spec_text(extra: str = "") -> str:
    return f"""\
version: 1
domains:
  - domain: {DOMAIN}
    provider: google
    google: {{project: {PROJECT}, managed_zone: {ZONE}}}
    ses:
      dkim_tokens: [{", ".join(TOKENS)}]
    mandrill:
      verification: {VERIFY}
{extra}"""


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def record_sets(out: Path) -> dict[str, dict[str, Any]]:
    doc = hcl2.loads((out / DOMAIN / "main.tf").read_text())
    return {
        label.strip('"'): args_of(body)
        for block in doc["resource"] for kind, labels in block.items() for label, body in labels.items()
        if kind.strip('"') == "google_dns_record_set"
    }


def seed(google, bind) -> None:
    """The customer's zone in the stand-in (TXT rrdatas quoted, as Cloud DNS keeps them) and in BIND."""
    google.add_zone(PROJECT, ZONE, DOMAIN)
    google.add_rrset(PROJECT, ZONE, DOMAIN, "TXT", [f'"{GOOGLE}"', f'"{OLD_SPF}"'])
    google.add_rrset(PROJECT, ZONE, f"_dmarc.{DOMAIN}", "TXT", [f'"{DMARC}"'])
    google.add_rrset(PROJECT, ZONE, f"mte1._domainkey.{DOMAIN}", "CNAME", ["dkim1.mandrillapp.com."])
    google.add_rrset(PROJECT, ZONE, DOMAIN, "MX", ["10 mx.acme-events.com."])
    bind.set_zones({DOMAIN: zone_text(DOMAIN, CUSTOMER_ZONE), **THE_REST_OF_THE_INTERNET})


def test_plain_generate_refused_before_discovery(tmp_path: Path) -> None:
    """google_dns_record_set overwrites an existing set: without discovery generate refuses (exit 2, nothing written)."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text())
    result = run("generate", str(spec), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2, result.output
    assert "provider google overwrites what exists at each name it writes" in result.output
    assert "spotme-dns generate --discover" in result.output
    assert not (tmp_path / "out").exists()


def test_adoption_loop_through_the_cloud_dns_api(google, bind, tmp_path: Path, monkeypatch) -> None:
    """Discovery through the API stand-in: SPF merged, google-site-verification kept in the set,
    the stricter DMARC kept, the right Mandrill CNAME adopted, imports in the provider's id form;
    the arguments are the documented ones; a later plain generate is accepted."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    seed(google, bind)
    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text())
    out = tmp_path / "out"
    result = run("generate", str(spec), "-o", str(out), "--discover", "--nameserver", bind.address, "--resolver", bind.address)
    assert result.exit_code == 0, result.output
    assert "existing records read from Cloud DNS API" in result.output
    assert f"kept '{GOOGLE}' in the TXT record set, unchanged" in result.output
    assert "kept the existing DMARC record" in result.output
    assert "live DNS at" not in result.output  # the API and BIND agree
    assert any("pageToken=" in r for r in google.requests)  # pages followed
    sets = record_sets(out)
    apex = sets["domain_txt"]
    assert hcl_string(apex["name"]) == f"{DOMAIN}." and hcl_string(apex["managed_zone"]) == ZONE
    assert sorted(hcl_string(v) for v in apex["rrdatas"]) == sorted([f'"{GOOGLE}"', f'"{MERGED_SPF}"', f'"{VERIFY}"'])
    assert [hcl_string(v) for v in sets["dmarc"]["rrdatas"]] == [f'"{DMARC}"']
    assert [hcl_string(v) for v in sets["mandrill_dkim_mte1"]["rrdatas"]] == ["dkim1.mandrillapp.com."]
    facts = SCHEMA["resources"]["google_dns_record_set"]["attributes"]
    for body in sets.values():
        assert set(body) <= set(facts) and {k for k, f in facts.items() if f.get("required")} <= set(body)
        assert not any(facts[k].get("computed") for k in body)
    imports = {
        b["to"].removeprefix("${").removesuffix("}"): hcl_string(b["id"])
        for b in hcl2.loads((out / "imports.tf").read_text())["import"]
    }
    m = "module.acme_events_com.google_dns_record_set"
    base = f"projects/{PROJECT}/managedZones/{ZONE}/rrsets"
    assert imports == {
        f"{m}.domain_txt": f"{base}/{DOMAIN}./TXT",
        f"{m}.dmarc": f"{base}/_dmarc.{DOMAIN}./TXT",
        f"{m}.mandrill_dkim_mte1": f"{base}/mte1._domainkey.{DOMAIN}./CNAME",
    }
    terraform = find_terraform()
    assert terraform
    fmt = subprocess.run([terraform, "fmt", "-check", "-recursive", str(out)], capture_output=True, text=True)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr
    # The .tf reader reads the rrdatas back: validate is safe against the zone as it is.
    desired = load_tf_dir(str(out))
    apex_desired = next(r for d in desired.domains for r in d.records if r.name == DOMAIN and r.type == "TXT")
    assert set(apex_desired.values) == {GOOGLE, MERGED_SPF, VERIFY} and apex_desired.authoritative
    assert run("validate", "--tf", str(out), "--nameserver", bind.address, "--resolver", bind.address).exit_code == 0
    # Discovery has read the zone: a plain generate now goes ahead.
    assert run("generate", str(spec), "-o", str(out)).exit_code == 0


def test_long_txt_is_one_rrdata_of_quoted_strings(google, tmp_path: Path) -> None:
    """A value over 255 octets is ONE rrdatas entry of several quoted strings (provider docs)."""
    google.add_zone(PROJECT, ZONE, DOMAIN)
    spec = tmp_path / "spec.yaml"
    long_value = "x" * 300
    spec.write_text(spec_text(f"    keep_txt: ['{long_value}', 'say \"hi\"']\n"))
    out = tmp_path / "out"
    result = run("generate", str(spec), "-o", str(out), "--discover", "--nameserver", "127.0.0.1:9")
    assert result.exit_code == 0, result.output
    rrdatas = [hcl_string(v) for v in record_sets(out)["domain_txt"]["rrdatas"]]
    assert f'"{"x" * 255}" "{"x" * 45}"' in rrdatas
    assert '"say \\"hi\\""' in rrdatas
    desired = load_tf_dir(str(out))
    apex = next(r for d in desired.domains for r in d.records if r.name == DOMAIN and r.type == "TXT")
    assert {long_value, 'say "hi"'} <= set(apex.values)


def test_zone_resource_name_of_another_zone_is_bad_input(google, tmp_path: Path) -> None:
    """managed_zone naming a zone of another DNS name: exit 2 naming both, nothing written."""
    google.add_zone(PROJECT, ZONE, "other.example")
    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text())
    result = run("generate", str(spec), "-o", str(tmp_path / "out"), "--discover", "--nameserver", "127.0.0.1:9")
    assert result.exit_code == 2, result.output
    assert f"managed zone {ZONE} of project {PROJECT} is other.example, not {DOMAIN}" in result.output
    assert not (tmp_path / "out").exists()


def test_bad_token_is_bad_input(google, monkeypatch, tmp_path: Path) -> None:
    """A token the API refuses: exit 2 saying what was asked, never "nothing exists"."""
    google.add_zone(PROJECT, ZONE, DOMAIN)
    monkeypatch.setenv("GOOGLE_OAUTH_ACCESS_TOKEN", "expired")
    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text())
    result = run("generate", str(spec), "-o", str(tmp_path / "out"), "--discover", "--nameserver", "127.0.0.1:9")
    assert result.exit_code == 2, result.output
    assert "HTTP 401" in result.output and "GOOGLE_OAUTH_ACCESS_TOKEN" in result.output


def _plan(actions: list[str], before: list[str] | None, after: list[str]) -> dict:
    address = "module.acme_events_com.google_dns_record_set.domain_txt"

    def values(rrdatas: list[str]) -> dict:
        return {
            "id": f"projects/{PROJECT}/managedZones/{ZONE}/rrsets/{DOMAIN}./TXT", "managed_zone": ZONE,
            "name": f"{DOMAIN}.", "project": PROJECT, "routing_policy": [], "rrdatas": rrdatas, "ttl": 300, "type": "TXT",
        }

    change = {
        "address": address, "module_address": "module.acme_events_com", "mode": "managed",
        "type": "google_dns_record_set", "name": "domain_txt",
        "provider_name": "registry.terraform.io/hashicorp/google",
        "change": {"actions": actions, "before": values(before) if before is not None else None,
                   "after": values(after), "after_unknown": {}},
    }
    return {"format_version": "1.2", "terraform_version": "1.11.4", "resource_changes": [change],
            "planned_values": {"root_module": {}}, "applyable": True, "complete": True, "errored": False}


def test_hand_made_plans_validate(bind, tmp_path: Path) -> None:
    """Plan format 1.2: the imported apex set updated with the customer's value kept deletes
    nothing (differs; the other findings are the DKIM records this one-resource plan lacks);
    a set created over it without that value is an error naming it."""
    bind.set_zones({DOMAIN: zone_text(DOMAIN, CUSTOMER_ZONE), **THE_REST_OF_THE_INTERNET})
    quoted = [f'"{v}"' for v in (GOOGLE, MERGED_SPF, VERIFY)]
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(_plan(["update"], [f'"{GOOGLE}"', f'"{OLD_SPF}"'], quoted)))
    desired = parse_plan(plan.read_text())
    (record,) = [r for d in desired.domains for r in d.records]
    assert set(record.values) == {GOOGLE, MERGED_SPF, VERIFY} and record.authoritative
    result = run("validate", "--plan", str(plan), "--nameserver", bind.address, "--resolver", bind.address, "--format", "json")
    (row,) = [r for d in json.loads(result.stdout)["domains"] for r in d["records"]]
    assert row["status"] == "differs"
    codes = {f["code"] for d in json.loads(result.stdout)["domains"] for f in d["findings"]}
    assert not codes & {"live-values-deleted", "record-exists-unmanaged", "spf-terms-dropped"}, codes

    plan.write_text(json.dumps(_plan(["create"], None, quoted[1:])))
    result = run("validate", "--plan", str(plan), "--nameserver", bind.address, "--resolver", bind.address, "--format", "json")
    assert result.exit_code == 1, result.output
    findings = {f["code"]: f["message"] for d in json.loads(result.stdout)["domains"] for f in d["findings"]}
    assert GOOGLE in findings["live-values-deleted"]
    assert "google_dns_record_set overwrites an existing set" in findings["record-exists-unmanaged"]
    assert f"rrsets/{DOMAIN}./TXT" in findings["record-exists-unmanaged"]


def test_module_and_module_style_imports(google, bind, tmp_path: Path, monkeypatch) -> None:
    """terraform/modules/google uses only documented arguments; --style module imports into its
    for_each instances with the provider's ids, and the .tf reader reads the module call."""
    module = Path(__file__).parent.parent / "terraform" / "modules" / "google"
    facts = SCHEMA["resources"]["google_dns_record_set"]["attributes"]
    (block,) = hcl2.loads((module / "main.tf").read_text())["resource"]
    (body,) = block['"google_dns_record_set"'].values()
    given = set(args_of(body)) - {"for_each"}
    assert given <= set(facts) and {k for k, f in facts.items() if f.get("required")} <= given
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    # No DMARC record: one adopted verbatim is refused by --style module (tests/test_rfc2136.py).
    seed(google, bind)
    spec = tmp_path / "spec.yaml"
    google.rrsets[(PROJECT, ZONE)] = [r for r in google.rrsets[(PROJECT, ZONE)] if not r["name"].startswith("_dmarc.")]
    bind.set_zones({DOMAIN: zone_text(DOMAIN, [z for z in CUSTOMER_ZONE if "_dmarc" not in z]), **THE_REST_OF_THE_INTERNET})
    spec.write_text(spec_text())
    out = tmp_path / "out"
    result = run("generate", str(spec), "-o", str(out), "--discover", "--nameserver", bind.address, "--resolver", bind.address, "--style", "module")
    assert result.exit_code == 0, result.output
    imports = {
        b["to"].removeprefix("${").removesuffix("}"): hcl_string(b["id"])
        for b in hcl2.loads((out / "imports.tf").read_text())["import"]
    }
    m = "module.acme_events_com.module.records.google_dns_record_set.this"
    base = f"projects/{PROJECT}/managedZones/{ZONE}/rrsets"
    assert imports == {
        f'{m}["{DOMAIN} TXT"]': f"{base}/{DOMAIN}./TXT",
        f'{m}["mte1._domainkey.{DOMAIN} CNAME"]': f"{base}/mte1._domainkey.{DOMAIN}./CNAME",
    }
    desired = load_tf_dir(str(out))
    apex = next(r for d in desired.domains for r in d.records if r.name == DOMAIN and r.type == "TXT")
    assert set(apex.values) == {GOOGLE, MERGED_SPF, VERIFY} and apex.authoritative


def test_without_a_token_live_dns_is_read_and_said(bind, tmp_path: Path, monkeypatch) -> None:
    """No GOOGLE_OAUTH_ACCESS_TOKEN: discovery reads the zone's servers (BIND) instead, says so,
    and still keeps the customer's values; imports still name the provider's ids."""
    for var in ("GOOGLE_OAUTH_ACCESS_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(var, raising=False)
    bind.set_zones({DOMAIN: zone_text(DOMAIN, CUSTOMER_ZONE), **THE_REST_OF_THE_INTERNET})
    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text())
    out = tmp_path / "out"
    result = run("generate", str(spec), "-o", str(out), "--discover", "--nameserver", bind.address, "--resolver", bind.address)
    assert result.exit_code == 0, result.output
    assert "GOOGLE_OAUTH_ACCESS_TOKEN is not set" in result.output
    assert sorted(hcl_string(v) for v in record_sets(out)["domain_txt"]["rrdatas"]) == sorted(
        [f'"{GOOGLE}"', f'"{MERGED_SPF}"', f'"{VERIFY}"']
    )
    assert f"rrsets/{DOMAIN}./TXT" in (out / "imports.tf").read_text()
