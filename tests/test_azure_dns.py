"""`provider: azure` (hashicorp/azurerm `azurerm_dns_txt_record` / `azurerm_dns_cname_record`, Azure DNS).

Discovery reads the Azure DNS REST API (api-version 2018-05-01), here a local stand-in of the
documented calls (tests/azure_stub.py), with a real BIND serving the same zone for live DNS.
terraform validate is NOT possible here: hashicorp/azurerm is not in this machine's plugin
mirror and tests never reach the registry; generated arguments are checked against the
provider's documented schema kept as test data (tests/data/provider-docs/azure/).
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
from spotme_dns.render.azure import MAX_TXT_VALUE
from spotme_dns.spec import MAX_TXT_OCTETS
from tests.azure_stub import azure_fixture, azure_server_fixture  # noqa: F401 (fixtures)
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

SCHEMA = json.loads((Path(__file__).parent / "data" / "provider-docs" / "azure" / "schema.json").read_text())
SUB, GROUP = "00000000-1111-2222-3333-444444444444", "dns-rg"


def spec_text(extra: str = "", *, subscription: bool = True) -> str:
    sub = f", subscription_id: {SUB}" if subscription else ""
    return f"""\
version: 1
domains:
  - domain: {DOMAIN}
    provider: azure
    azure: {{resource_group: {GROUP}{sub}}}
    ses:
      dkim_tokens: [{", ".join(TOKENS)}]
    mandrill:
      verification: {VERIFY}
{extra}"""


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def resources(out: Path) -> dict[str, tuple[str, dict[str, Any]]]:
    doc = hcl2.loads((out / DOMAIN / "main.tf").read_text())
    return {
        label.strip('"'): (kind.strip('"'), body)
        for block in doc["resource"] for kind, labels in block.items() for label, body in labels.items()
    }


def txt_values(body: dict[str, Any]) -> list[str]:
    return [hcl_string(r["value"]) for r in body["record"]]


def seed(azure, bind) -> None:
    """The customer's zone in the stand-in and in BIND; the SPF value split in two strings as Azure may keep it."""
    azure.add_zone(SUB, GROUP, DOMAIN)
    azure.add_set(SUB, GROUP, DOMAIN, "@", "TXT", [GOOGLE, [OLD_SPF[:20], OLD_SPF[20:]]])
    azure.add_set(SUB, GROUP, DOMAIN, "_dmarc", "TXT", [DMARC])
    azure.add_set(SUB, GROUP, DOMAIN, "mte1._domainkey", "CNAME", ["dkim1.mandrillapp.com"])
    bind.set_zones({DOMAIN: zone_text(DOMAIN, CUSTOMER_ZONE), **THE_REST_OF_THE_INTERNET})


def _check_schema(kind: str, body: dict[str, Any]) -> None:
    facts = SCHEMA["resources"][kind]["attributes"]
    given = set(args_of(body))
    assert given <= set(facts), f"{kind}: {given - set(facts)} not documented"
    assert {k for k, f in facts.items() if f.get("required")} <= given, kind
    assert not any(facts[k].get("computed") for k in given)
    if kind == "azurerm_dns_txt_record":
        for record in body["record"]:
            assert set(args_of(record)) == {"value"}
            assert len(hcl_string(record["value"])) <= facts["record"]["attributes"]["value"]["max_length"]


def test_adoption_loop_through_the_azure_api(azure, bind, tmp_path: Path, monkeypatch) -> None:
    """Discovery through the stand-in: SPF merged (its two strings joined), google-site-verification
    kept in the set, the stricter DMARC kept, the right Mandrill CNAME adopted; imports by resource id;
    documented arguments only; the .tf reader reads it back and validate finds nothing deleted."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    seed(azure, bind)
    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text())
    out = tmp_path / "out"
    result = run("generate", str(spec), "-o", str(out), "--discover", "--nameserver", bind.address, "--resolver", bind.address)
    assert result.exit_code == 0, result.output
    assert "existing records read from Azure DNS API" in result.output
    assert f"kept '{GOOGLE}' in the TXT record set, unchanged" in result.output
    assert "kept the existing DMARC record" in result.output
    assert "live DNS at" not in result.output  # the API and BIND agree
    got = resources(out)
    kind, apex = got["domain_txt"]
    assert kind == "azurerm_dns_txt_record" and hcl_string(apex["name"]) == "@"
    assert sorted(txt_values(apex)) == sorted([GOOGLE, MERGED_SPF, VERIFY])
    assert txt_values(got["dmarc"][1]) == [DMARC]
    kind, mte1 = got["mandrill_dkim_mte1"]
    assert kind == "azurerm_dns_cname_record" and hcl_string(mte1["record"]) == "dkim1.mandrillapp.com"
    assert hcl_string(mte1["name"]) == "mte1._domainkey"
    for kind, body in got.values():
        _check_schema(kind, body)
    (provider,) = hcl2.loads((out / "providers.tf").read_text())["provider"]
    assert "features" in provider['"azurerm"'] and hcl_string(provider['"azurerm"']["subscription_id"]) == SUB
    imports = {
        b["to"].removeprefix("${").removesuffix("}"): hcl_string(b["id"])
        for b in hcl2.loads((out / "imports.tf").read_text())["import"]
    }
    base = f"/subscriptions/{SUB}/resourceGroups/{GROUP}/providers/Microsoft.Network/dnsZones/{DOMAIN}"
    m = "module.acme_events_com"
    assert imports == {
        f"{m}.azurerm_dns_txt_record.domain_txt": f"{base}/TXT/@",
        f"{m}.azurerm_dns_txt_record.dmarc": f"{base}/TXT/_dmarc",
        f"{m}.azurerm_dns_cname_record.mandrill_dkim_mte1": f"{base}/CNAME/mte1._domainkey",
    }
    terraform = find_terraform()
    assert terraform
    fmt = subprocess.run([terraform, "fmt", "-check", "-recursive", str(out)], capture_output=True, text=True)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr
    desired = load_tf_dir(str(out))
    apex_desired = next(r for d in desired.domains for r in d.records if r.name == DOMAIN and r.type == "TXT")
    assert set(apex_desired.values) == {GOOGLE, MERGED_SPF, VERIFY} and apex_desired.authoritative
    assert run("validate", "--tf", str(out), "--nameserver", bind.address, "--resolver", bind.address).exit_code == 0


def test_subscription_from_the_environment(azure, bind, tmp_path: Path, monkeypatch) -> None:
    """No subscription in the spec: ARM_SUBSCRIPTION_ID (the azurerm provider's variable) names it."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    seed(azure, bind)
    monkeypatch.setenv("ARM_SUBSCRIPTION_ID", SUB)
    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text(subscription=False))
    out = tmp_path / "out"
    result = run("generate", str(spec), "-o", str(out), "--discover", "--nameserver", bind.address, "--resolver", bind.address)
    assert result.exit_code == 0, result.output
    assert f"/subscriptions/{SUB}/resourceGroups/{GROUP}/" in (out / "imports.tf").read_text()
    assert "subscription_id" not in (out / "providers.tf").read_text().split("provider")[-1]
    assert SUB not in spec.read_text()  # the environment's subscription is not written into the spec


def test_unknown_subscription_is_bad_input(azure, tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text(subscription=False))
    result = run("generate", str(spec), "-o", str(tmp_path / "out"), "--discover", "--nameserver", "127.0.0.1:9")
    assert result.exit_code == 2, result.output
    assert "set azure.subscription_id in the spec or ARM_SUBSCRIPTION_ID" in result.output


def test_zone_not_in_the_resource_group_is_bad_input(azure, tmp_path: Path) -> None:
    azure.add_zone(SUB, "other-rg", DOMAIN)
    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text())
    result = run("generate", str(spec), "-o", str(tmp_path / "out"), "--discover", "--nameserver", "127.0.0.1:9")
    assert result.exit_code == 2, result.output
    assert f"no DNS zone {DOMAIN} in resource group {GROUP}" in result.output
    assert not (tmp_path / "out").exists()


def test_txt_value_limit_is_within_the_documented_one(tmp_path: Path) -> None:
    """azurerm_dns_txt_record takes values of at most 4096 characters (provider docs); the spec
    already refuses a TXT value over 4,000 octets, so nothing longer reaches the renderer."""
    assert MAX_TXT_OCTETS <= MAX_TXT_VALUE == SCHEMA["resources"]["azurerm_dns_txt_record"]["attributes"]["record"]["attributes"]["value"]["max_length"]
    spec = tmp_path / "spec.yaml"
    terms = [f"ip4:192.0.2.{i % 250}/32" for i in range(260)]
    spec.write_text(spec_text(f"    spf: {{keep: [{', '.join(terms)}]}}\n"))
    result = run("generate", str(spec), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2, result.output
    assert "(at most 4,000)" in result.output
    assert not (tmp_path / "out").exists()


def test_hand_made_plan_validates(bind, tmp_path: Path) -> None:
    """Plan format 1.2: the apex TXT set created over live values it does not list is an error naming them."""
    bind.set_zones({DOMAIN: zone_text(DOMAIN, CUSTOMER_ZONE), **THE_REST_OF_THE_INTERNET})
    after = {
        "name": "@", "zone_name": DOMAIN, "resource_group_name": GROUP, "ttl": 3600, "tags": None,
        "record": [{"value": MERGED_SPF}, {"value": VERIFY}],
    }
    plan = {
        "format_version": "1.2", "terraform_version": "1.11.4",
        "planned_values": {"root_module": {}}, "applyable": True, "complete": True, "errored": False,
        "resource_changes": [{
            "address": "module.acme_events_com.azurerm_dns_txt_record.domain_txt", "module_address": "module.acme_events_com",
            "mode": "managed", "type": "azurerm_dns_txt_record", "name": "domain_txt",
            "provider_name": "registry.terraform.io/hashicorp/azurerm",
            "change": {"actions": ["create"], "before": None, "after": after, "after_unknown": {"id": True, "fqdn": True}},
        }],
    }
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    desired = parse_plan(path.read_text())
    (record,) = [r for d in desired.domains for r in d.records]
    assert (record.name, record.type, set(record.values)) == (DOMAIN, "TXT", {MERGED_SPF, VERIFY})
    result = run("validate", "--plan", str(path), "--nameserver", bind.address, "--resolver", bind.address, "--format", "json")
    assert result.exit_code == 1, result.output
    findings = {f["code"]: f["message"] for d in json.loads(result.stdout)["domains"] for f in d["findings"]}
    assert GOOGLE in findings["live-values-deleted"]
    assert "/dnsZones/<zone>/TXT/<name>" in findings["record-exists-unmanaged"]


def test_module_and_module_style_imports(azure, bind, tmp_path: Path, monkeypatch) -> None:
    """terraform/modules/azure uses only documented arguments; --style module imports into its
    for_each instances by resource id, and the .tf reader reads the module call."""
    module = Path(__file__).parent.parent / "terraform" / "modules" / "azure"
    for block in hcl2.loads((module / "main.tf").read_text())["resource"]:
        for kind, labels in block.items():
            kind = kind.strip('"')
            facts = SCHEMA["resources"][kind]["attributes"]
            for body in labels.values():
                given = set(args_of(body)) - {"for_each", "dynamic"}
                if "dynamic" in body:
                    given.add("record")
                assert given <= set(facts), f"{kind}: {given - set(facts)}"
                assert {k for k, f in facts.items() if f.get("required")} <= given, kind
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    # No DMARC record: one adopted verbatim is refused by --style module (tests/test_rfc2136.py).
    seed(azure, bind)
    spec = tmp_path / "spec.yaml"
    azure.sets = {k: v for k, v in azure.sets.items() if k[4] != "_dmarc"}
    bind.set_zones({DOMAIN: zone_text(DOMAIN, [z for z in CUSTOMER_ZONE if "_dmarc" not in z]), **THE_REST_OF_THE_INTERNET})
    spec.write_text(spec_text())
    out = tmp_path / "out"
    result = run("generate", str(spec), "-o", str(out), "--discover", "--nameserver", bind.address, "--resolver", bind.address, "--style", "module")
    assert result.exit_code == 0, result.output
    imports = {
        b["to"].removeprefix("${").removesuffix("}"): hcl_string(b["id"])
        for b in hcl2.loads((out / "imports.tf").read_text())["import"]
    }
    m = "module.acme_events_com.module.records"
    base = f"/subscriptions/{SUB}/resourceGroups/{GROUP}/providers/Microsoft.Network/dnsZones/{DOMAIN}"
    assert imports == {
        f'{m}.azurerm_dns_txt_record.this["{DOMAIN} TXT"]': f"{base}/TXT/@",
        f'{m}.azurerm_dns_cname_record.this["mte1._domainkey.{DOMAIN} CNAME"]': f"{base}/CNAME/mte1._domainkey",
    }
    desired = load_tf_dir(str(out))
    apex = next(r for d in desired.domains for r in d.records if r.name == DOMAIN and r.type == "TXT")
    assert set(apex.values) == {GOOGLE, MERGED_SPF, VERIFY} and apex.authoritative
