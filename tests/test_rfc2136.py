"""`provider: rfc2136` (hashicorp/dns, RFC 2136 dynamic updates to BIND or Active Directory DNS).

End to end against a real BIND that allows AXFR with a TSIG key (tests/support/bind.py,
TRANSFER_KEY): discover the zone by zone transfer, keep the customer's records, write imports
by FQDN, then validate a hand-made plan (format 1.2 shape) and verify the applied zone.

terraform validate is NOT possible here: the hashicorp/dns provider is not in this machine's
plugin mirror (only hashicorp/aws is) and tests never reach the registry. The generated
arguments are instead checked against the provider's documented schema, kept in the repo as
test data (tests/data/provider-docs/dns/schema.json, sources in SOURCES.md there).
"""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path
from typing import Any

import hcl2
import pytest
from click.testing import CliRunner

from spotme_dns.cli.app import cli
from spotme_dns.inputs.plan import parse_plan
from spotme_dns.inputs.tfdir import load_tf_dir
from tests.support.bind import TRANSFER_KEY, zone_text
from tests.support.terraform import find_terraform

DOCS = Path(__file__).parent / "data" / "provider-docs" / "dns" / "schema.json"
SCHEMA = json.loads(DOCS.read_text())

DOMAIN = "acme-events.com"
TOKENS = ("abcdefghijklmnop1234", "qrstuvwxyzabcdef5678", "ghijklmnopqrstuv9012")
GOOGLE = "google-site-verification=Xq3c9Rk2L0pNf7aT1bYvW8eUm4sDzHgJ"
OLD_SPF = "v=spf1 include:_spf.google.com ~all"
DMARC = "v=DMARC1; p=reject; rua=mailto:dmarc@acme-events.com"
MERGED_SPF = "v=spf1 include:_spf.google.com include:_spf.spotme.com ~all"
VERIFY = "mandrill_verify.AbC123xyz"

_KEY = 'TXT "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC3sP4kq0Z9q2Vp"'
THE_REST_OF_THE_INTERNET = {
    "google.com": zone_text("google.com", ['_spf TXT "v=spf1 ip4:35.190.247.0/24 -all"']),
    "spotme.com": zone_text("spotme.com", ['_spf TXT "v=spf1 ip4:203.0.113.0/24 -all"']),
    "dkim.amazonses.com": zone_text("dkim.amazonses.com", [f"{token} {_KEY}" for token in TOKENS]),
    "mandrillapp.com": zone_text("mandrillapp.com", [f"dkim1 {_KEY}", f"dkim2 {_KEY}"]),
}
CUSTOMER_ZONE = [
    f'@ TXT "{GOOGLE}"',
    f'@ TXT "{OLD_SPF}"',
    f'_dmarc TXT "{DMARC}"',
    "mte1._domainkey CNAME dkim1.mandrillapp.com.",
    'www TXT "not ours"',
]


def spec_text(bind, extra: str = "") -> str:
    return f"""\
version: 1
domains:
  - domain: {DOMAIN}
    provider: rfc2136
    rfc2136: {{server: 127.0.0.1, port: {bind.port}}}
    ses:
      dkim_tokens: [{", ".join(TOKENS)}]
    mandrill:
      verification: {VERIFY}
{extra}"""


@pytest.fixture
def tsig_env(monkeypatch):
    """The provider's environment: TSIG key name, algorithm and secret (never in a file)."""
    name, algorithm, secret = TRANSFER_KEY
    monkeypatch.setenv("DNS_UPDATE_KEYNAME", name)
    monkeypatch.setenv("DNS_UPDATE_KEYALGORITHM", algorithm)
    monkeypatch.setenv("DNS_UPDATE_KEYSECRET", secret)
    monkeypatch.delenv("DNS_UPDATE_SERVER", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)


def args_of(body: dict[str, Any]) -> dict[str, Any]:
    """A block body without python-hcl2's bookkeeping keys (`__comments__`, `__is_block__`)."""
    return {k: v for k, v in body.items() if not k.startswith("__")}


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def resources(out: Path) -> dict[str, dict[str, Any]]:
    """Every `dns_*` resource of the domain folder: `type.label` -> arguments."""
    doc = hcl2.loads((out / DOMAIN / "main.tf").read_text())
    return {
        f"{t.strip(chr(34))}.{label.strip(chr(34))}": body
        for block in doc["resource"] for t, labels in block.items() for label, body in labels.items()
    }


def hcl_string(value: Any) -> str:
    """python-hcl2 keeps the quotes of a string literal (and its escapes): the value Terraform sees."""
    assert isinstance(value, str) and value.startswith('"') and value.endswith('"'), value
    return json.loads(value)


# ------------------------------------------------------------------------------ schema facts


def _check_against_schema(kind: str, body: dict[str, Any]) -> None:
    facts = SCHEMA["resources"][kind]["attributes"]
    given = {k for k in body if not k.startswith("__")}
    unknown = given - set(facts)
    assert not unknown, f"{kind}: arguments {unknown} are not in the provider's documented schema"
    missing = {k for k, f in facts.items() if f.get("required")} - given
    assert not missing, f"{kind}: required arguments {missing} missing"
    for key in given:
        fact, value = facts[key], body[key]
        assert not fact.get("computed"), f"{kind}.{key} is read-only"
        if fact["type"] == "string":
            text = hcl_string(value)
            if fact.get("fqdn") is True:
                assert text.endswith("."), f"{kind}.{key} must be an FQDN: {text!r}"
            if fact.get("fqdn") is False:
                assert text and not text.endswith(".") and " " not in text, f"{kind}.{key} must not be an FQDN: {text!r}"
        elif fact["type"] == "number":
            assert isinstance(value, int)
        else:
            assert isinstance(value, list) and all(isinstance(hcl_string(v), str) for v in value)


def test_generated_arguments_match_the_documented_schema(tmp_path: Path) -> None:
    """Every generated resource and the provider block use only documented arguments, with the
    documented types, required ones present, zones and targets as FQDNs, and no secret.

    terraform validate cannot run here (hashicorp/dns is not in the plugin mirror), so this
    test checks the facts copied from the provider into tests/data/provider-docs/dns/.
    """
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "version: 1\ndomains:\n"
        "  - domain: mail.acme-events.com\n    zone: acme-events.com\n    provider: rfc2136\n"
        "    rfc2136: {server: ns1.acme-events.com, port: 5353, transport: tcp, key_name: spotme-update, key_algorithm: hmac-sha512}\n"
        f"    ses: {{dkim_tokens: [{', '.join(TOKENS)}]}}\n    mandrill: {{verification: {VERIFY}}}\n"
        "    keep_txt: ['MS=ms12345678']\n"
    )
    out = tmp_path / "out"
    result = run("generate", str(spec), "-o", str(out))
    assert result.exit_code == 0, result.output
    doc = hcl2.loads((out / "mail.acme-events.com" / "main.tf").read_text())
    kinds = []
    for block in doc["resource"]:
        for kind, labels in block.items():
            for body in labels.values():
                _check_against_schema(kind.strip('"'), body)
                kinds.append(kind.strip('"'))
    assert sorted(set(kinds)) == ["dns_cname_record", "dns_txt_record_set"]
    assert kinds.count("dns_txt_record_set") == 2 and kinds.count("dns_cname_record") == 5
    providers = hcl2.loads((out / "providers.tf").read_text())["provider"]
    (update,) = providers[0]['"dns"']["update"]
    update = args_of(update)
    documented = SCHEMA["provider_config"]["update"]["attributes"]
    assert set(update) <= set(documented) and "key_secret" not in update
    assert {k: update[k] for k in ("server", "port", "transport", "key_name", "key_algorithm")} == {
        "server": '"ns1.acme-events.com"', "port": 5353, "transport": '"tcp"',
        "key_name": '"spotme-update."', "key_algorithm": '"hmac-sha512"',
    }
    versions = (out / "versions.tf").read_text()
    assert 'source  = "hashicorp/dns"' in versions
    terraform = find_terraform()
    assert terraform, "terraform is needed for `terraform fmt`"
    fmt = subprocess.run([terraform, "fmt", "-check", "-recursive", str(out)], capture_output=True, text=True)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_gssapi_provider_block(tmp_path: Path) -> None:
    """GSS-TSIG (Active Directory): a `gssapi` block with realm and username, the password from the environment."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "version: 1\ndomains:\n  - domain: corp.example\n    provider: rfc2136\n"
        "    rfc2136: {server: dc1.corp.example, gssapi: {realm: CORP.EXAMPLE, username: svc-dns}}\n"
        f"    ses: {{dkim_tokens: [{', '.join(TOKENS)}]}}\n    mandrill: {{verification: {VERIFY}}}\n"
    )
    out = tmp_path / "out"
    assert run("generate", str(spec), "-o", str(out)).exit_code == 0
    (update,) = hcl2.loads((out / "providers.tf").read_text())["provider"][0]['"dns"']["update"]
    (gssapi,) = update["gssapi"]
    update, gssapi = args_of(update), args_of(gssapi)
    documented = SCHEMA["provider_config"]["update"]["blocks"]["gssapi"]
    assert set(gssapi) <= set(documented["attributes"]) and "password" not in gssapi and "keytab" not in gssapi
    assert gssapi == {"realm": '"CORP.EXAMPLE"', "username": '"svc-dns"'}
    assert not set(update) & set(documented["conflicts_with"])
    assert "DNS_UPDATE_PASSWORD" in (out / "providers.tf").read_text()


def test_two_configurations_of_the_provider_in_one_root_refused(tmp_path: Path) -> None:
    """One root has one `provider "dns"`: two domains naming different servers are bad input (exit 2)."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "version: 1\ndefaults:\n  provider: rfc2136\n"
        f"  ses: {{dkim_tokens: [{', '.join(TOKENS)}]}}\n  mandrill: {{verification: {VERIFY}}}\n"
        "domains:\n  - domain: a.test\n    rfc2136: {server: ns1.a.test}\n  - domain: b.test\n    rfc2136: {server: ns1.b.test}\n"
    )
    result = run("generate", str(spec), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2, result.output
    assert "configures provider hashicorp/dns differently from a.test" in result.output
    assert not (tmp_path / "out").exists()


def test_zone_file_escapes_round_trip(tmp_path: Path) -> None:
    """Values are zone-file text: `"` and `\\` escaped, non-ASCII as decimal \\DDD; the .tf reader reads them back exactly."""
    tricky = ['say "hi" \\ there', "café", "MS=ms12345678"]
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "version: 1\ndomains:\n  - domain: acme.test\n    provider: rfc2136\n"
        f"    ses: {{dkim_tokens: [{', '.join(TOKENS)}]}}\n    mandrill: {{verification: {VERIFY}}}\n"
        f"    keep_txt: {json.dumps(tricky)}\n"
    )
    out = tmp_path / "out"
    assert run("generate", str(spec), "-o", str(out)).exit_code == 0
    main = (out / "acme.test" / "main.tf").read_text()
    assert '"say \\\\\\"hi\\\\\\" \\\\\\\\ there"' in main  # HCL of: say \"hi\" \\ there
    assert '"caf\\\\195\\\\169"' in main  # HCL of: caf\195\169
    desired = load_tf_dir(str(out))
    apex = next(r for d in desired.domains for r in d.records if r.name == "acme.test" and r.type == "TXT")
    assert set(tricky) <= set(apex.values)


# ------------------------------------------------------------------------------ plan JSON


def _change(address: str, kind: str, actions: list[str], before: dict | None, after: dict | None) -> dict:
    module, _, local = address.rpartition(".dns_")
    return {
        "address": address,
        "module_address": module,
        "mode": "managed",
        "type": kind,
        "name": local.split(".", 1)[1],
        "provider_name": "registry.terraform.io/hashicorp/dns",
        "change": {"actions": actions, "before": before, "after": after, "after_unknown": {} if after else None},
    }


def hand_made_plan(*, apex_after: list[str]) -> dict:
    """A plan of the adoption: the apex TXT set updated, DMARC and mte1 imported unchanged, the rest created."""
    m = "module.acme_events_com"
    z = f"{DOMAIN}."
    changes = [
        _change(f"{m}.dns_txt_record_set.domain_txt", "dns_txt_record_set", ["update"],
                {"id": z, "zone": z, "name": None, "txt": [GOOGLE, OLD_SPF], "ttl": 300},
                {"id": z, "zone": z, "name": None, "txt": apex_after, "ttl": 300}),
        _change(f"{m}.dns_txt_record_set.dmarc", "dns_txt_record_set", ["no-op"],
                *[{"id": f"_dmarc.{z}", "zone": z, "name": "_dmarc", "txt": [DMARC], "ttl": 3600}] * 2),
        _change(f"{m}.dns_cname_record.mandrill_dkim_mte1", "dns_cname_record", ["no-op"],
                *[{"id": f"mte1._domainkey.{z}", "zone": z, "name": "mte1._domainkey", "cname": "dkim1.mandrillapp.com.", "ttl": 3600}] * 2),
        _change(f"{m}.dns_cname_record.mandrill_dkim_mte2", "dns_cname_record", ["create"], None,
                {"zone": z, "name": "mte2._domainkey", "cname": "dkim2.mandrillapp.com.", "ttl": 3600}),
    ]
    for token in TOKENS:
        changes.append(_change(f"{m}.dns_cname_record.ses_dkim_{token}", "dns_cname_record", ["create"], None,
                               {"zone": z, "name": f"{token}._domainkey", "cname": f"{token}.dkim.amazonses.com.", "ttl": 3600}))
    for c in changes:
        if c["change"]["after"] is not None and c["change"]["actions"] == ["create"]:
            c["change"]["after_unknown"] = {"id": True}
    return {
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "planned_values": {"root_module": {"child_modules": [{"address": m, "resources": [
            {"address": c["address"], "mode": "managed", "type": c["type"], "name": c["name"],
             "provider_name": c["provider_name"], "schema_version": 0, "values": c["change"]["after"]}
            for c in changes
        ]}]}},
        "resource_changes": changes,
        "applyable": True,
        "complete": True,
        "errored": False,
    }


def test_plan_reader_names_and_values() -> None:
    """`name` + `zone` make the owner name (no `name`: the apex); TXT is zone-file text; the TXT set owns its name."""
    plan = hand_made_plan(apex_after=[GOOGLE, MERGED_SPF, VERIFY, 'a \\"quoted\\" caf\\195\\169'])
    desired = parse_plan(json.dumps(plan))
    records = {(r.name, r.type): r for d in desired.domains for r in d.records}
    apex = records[(DOMAIN, "TXT")]
    assert set(apex.values) == {GOOGLE, MERGED_SPF, VERIFY, 'a "quoted" café'}
    assert apex.authoritative
    assert records[(f"_dmarc.{DOMAIN}", "TXT")].values == (DMARC,)
    assert records[(f"mte2._domainkey.{DOMAIN}", "CNAME")].values == ("dkim2.mandrillapp.com",)
    assert not records[(f"mte2._domainkey.{DOMAIN}", "CNAME")].authoritative
    assert {d.zone for d in desired.domains} == {DOMAIN}


def _statuses(result) -> dict[tuple[str, str], str]:
    doc = json.loads(result.stdout)
    return {(r["name"], r["type"]): r["status"] for d in doc["domains"] for r in d["records"]}


def test_hand_made_plan_validates_against_bind(bind, tmp_path: Path) -> None:
    """The adoption plan is safe (exit 0) with the right statuses; a plan that drops the
    customer's google-site-verification from the TXT set is not (exit 1, the value named)."""
    bind.set_zones({DOMAIN: zone_text(DOMAIN, CUSTOMER_ZONE), **THE_REST_OF_THE_INTERNET})
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(hand_made_plan(apex_after=[GOOGLE, MERGED_SPF, VERIFY])))
    result = run("validate", "--plan", str(plan), "--nameserver", bind.address, "--resolver", bind.address, "--format", "json")
    assert result.exit_code == 0, result.output
    got = _statuses(result)
    assert got[(DOMAIN, "TXT")] == "differs"  # live holds other values than the plan: an update
    assert got[(f"_dmarc.{DOMAIN}", "TXT")] == "in-sync"
    assert got[(f"mte1._domainkey.{DOMAIN}", "CNAME")] == "in-sync"
    assert got[(f"mte2._domainkey.{DOMAIN}", "CNAME")] == "pending"

    # The apex set created without the customer's value (no import): the provider's Create only
    # inserts, but reads every value at the name into the state, so the next apply deletes it.
    bad = copy.deepcopy(hand_made_plan(apex_after=[MERGED_SPF, VERIFY]))
    bad["resource_changes"][0]["change"].update(actions=["create"], before=None)
    plan.write_text(json.dumps(bad))
    result = run("validate", "--plan", str(plan), "--nameserver", bind.address, "--resolver", bind.address, "--format", "json")
    assert result.exit_code == 1, result.output
    findings = {f["code"]: f for d in json.loads(result.stdout)["domains"] for f in d["findings"]}
    assert findings["live-values-deleted"]["severity"] == "error"
    assert GOOGLE in findings["live-values-deleted"]["message"]
    exists = findings["record-exists-unmanaged"]["message"]
    assert f"terraform import 'module.acme_events_com.dns_txt_record_set.domain_txt' {DOMAIN}." in exists
    assert "adds its values beside them" in exists


# ------------------------------------------------------------------------------ discovery


def test_adoption_loop_by_zone_transfer(bind, tsig_env, tmp_path: Path) -> None:
    """The zone is read by AXFR with the TSIG key from DNS_UPDATE_*: the customer's SPF is merged,
    google-site-verification kept in the TXT set, the stricter DMARC kept, the right Mandrill
    CNAME adopted; imports name FQDNs; after the provider's apply, verify finds all in sync and
    nothing of the customer's lost."""
    bind.set_zones({DOMAIN: zone_text(DOMAIN, CUSTOMER_ZONE), **THE_REST_OF_THE_INTERNET})
    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text(bind))
    out = tmp_path / "out"
    result = run("generate", str(spec), "-o", str(out), "--discover", "--nameserver", bind.address, "--resolver", bind.address)
    assert result.exit_code == 0, result.output
    assert "zone transfer (AXFR)" in result.output
    assert f"kept '{GOOGLE}' in the TXT record set, unchanged" in result.output
    assert "kept the existing DMARC record" in result.output
    assert "per-name queries" not in result.output
    got = resources(out)
    apex = got["dns_txt_record_set.domain_txt"]
    assert "name" not in apex and hcl_string(apex["zone"]) == f"{DOMAIN}."
    assert sorted(hcl_string(v) for v in apex["txt"]) == sorted([GOOGLE, MERGED_SPF, VERIFY])
    assert [hcl_string(v) for v in got["dns_txt_record_set.dmarc"]["txt"]] == [DMARC]
    imports = {
        b["to"].removeprefix("${").removesuffix("}"): hcl_string(b["id"])
        for b in hcl2.loads((out / "imports.tf").read_text())["import"]
    }
    m = "module.acme_events_com"
    assert imports == {
        f"{m}.dns_txt_record_set.domain_txt": f"{DOMAIN}.",
        f"{m}.dns_txt_record_set.dmarc": f"_dmarc.{DOMAIN}.",
        f"{m}.dns_cname_record.mandrill_dkim_mte1": f"mte1._domainkey.{DOMAIN}.",
    }
    assert "DNS_UPDATE_KEYSECRET" not in json.dumps(
        {p.name: p.read_text() for p in out.rglob("*.tf")}
    ).replace("from DNS_UPDATE_KEYSECRET", "").replace("DNS_UPDATE_KEYSECRET (", "")
    assert TRANSFER_KEY[2] not in "".join(p.read_text() for p in out.rglob("*") if p.is_file())

    # Before apply: validate the generated configuration against the zone as it is.
    before = run("validate", "--tf", str(out), "--nameserver", bind.address, "--resolver", bind.address)
    assert before.exit_code == 0, before.output

    # What the provider's apply leaves: every value of the generated resources, and the rest of the zone.
    desired = load_tf_dir(str(out))
    lines = ['www TXT "not ours"']
    for d in desired.domains:
        for r in d.records:
            owner = r.name.removesuffix(DOMAIN).rstrip(".") or "@"
            for v in r.values or ():
                lines.append(f'{owner} {r.type} "{v}"' if r.type == "TXT" else f"{owner} {r.type} {v}.")
    bind.set_zones({DOMAIN: zone_text(DOMAIN, lines, serial=2), **THE_REST_OF_THE_INTERNET})
    after = run("verify", "--tf", str(out), "--nameserver", bind.address, "--resolver", bind.address, "--format", "json")
    assert after.exit_code == 0, after.output
    assert set(_statuses(after).values()) == {"in-sync"}
    assert f'@ TXT "{GOOGLE}"' in lines and f'_dmarc TXT "{DMARC}"' in lines


def test_refused_zone_transfer_falls_back_to_per_name_queries(bind, monkeypatch, tmp_path: Path) -> None:
    """Without the TSIG key BIND refuses AXFR: discovery says so and reads the names one by one,
    still keeping every customer value."""
    for var in ("DNS_UPDATE_KEYNAME", "DNS_UPDATE_KEYALGORITHM", "DNS_UPDATE_KEYSECRET", "DNS_UPDATE_SERVER"):
        monkeypatch.delenv(var, raising=False)
    bind.set_zones({DOMAIN: zone_text(DOMAIN, CUSTOMER_ZONE), **THE_REST_OF_THE_INTERNET})
    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text(bind))
    out = tmp_path / "out"
    result = run("generate", str(spec), "-o", str(out), "--discover", "--nameserver", bind.address, "--resolver", bind.address)
    assert result.exit_code == 0, result.output
    assert "REFUSED" in result.output and "the records were read by per-name queries" in result.output
    assert "DNS_UPDATE_KEYNAME and DNS_UPDATE_KEYSECRET unset" in result.output
    apex = resources(out)["dns_txt_record_set.domain_txt"]
    assert sorted(hcl_string(v) for v in apex["txt"]) == sorted([GOOGLE, MERGED_SPF, VERIFY])


def test_wrong_tsig_secret_is_not_nothing_exists(bind, tsig_env, monkeypatch, tmp_path: Path) -> None:
    """A bad key makes the transfer fail; the per-name queries still find the customer's records."""
    monkeypatch.setenv("DNS_UPDATE_KEYSECRET", "d3Jvbmcgc2VjcmV0")
    bind.set_zones({DOMAIN: zone_text(DOMAIN, CUSTOMER_ZONE), **THE_REST_OF_THE_INTERNET})
    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text(bind))
    out = tmp_path / "out"
    result = run("generate", str(spec), "-o", str(out), "--discover", "--nameserver", bind.address, "--resolver", bind.address)
    assert result.exit_code == 0, result.output
    assert "with TSIG key spotme-update. failed" in result.output
    assert f"kept '{GOOGLE}' in the TXT record set, unchanged" in result.output


def test_other_txt_at_dmarc_name_refused(bind, tsig_env, tmp_path: Path) -> None:
    """dns_txt_record_set owns the whole name: a foreign TXT value at _dmarc is refused without --force (exit 1)."""
    bind.set_zones({DOMAIN: zone_text(DOMAIN, ['_dmarc TXT "v=DMARC1; p=none"', '_dmarc TXT "foreign"']), **THE_REST_OF_THE_INTERNET})
    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text(bind))
    out = tmp_path / "out"
    result = run("generate", str(spec), "-o", str(out), "--discover", "--nameserver", bind.address, "--resolver", bind.address)
    assert result.exit_code == 1, result.output
    assert "would replace them" in result.output and "'foreign'" in result.output
    assert not out.exists()


# ------------------------------------------------------------------------------ the module


def test_module_resources_match_the_documented_schema() -> None:
    """terraform/modules/rfc2136 uses only documented arguments of both resources, the required ones all set.

    (terraform validate cannot run on it here: hashicorp/dns is not in the plugin mirror.)
    """
    module = Path(__file__).parent.parent / "terraform" / "modules" / "rfc2136"
    doc = hcl2.loads((module / "main.tf").read_text())
    seen = set()
    for block in doc["resource"]:
        for kind, labels in block.items():
            kind = kind.strip('"')
            for body in labels.values():
                given = set(args_of(body)) - {"for_each"}
                facts = SCHEMA["resources"][kind]["attributes"]
                assert given <= set(facts), f"{kind}: {given - set(facts)} not documented"
                assert {k for k, f in facts.items() if f.get("required")} <= given
                seen.add(kind)
    assert seen == {"dns_txt_record_set", "dns_cname_record"}
    (versions,) = hcl2.loads((module / "versions.tf").read_text())["terraform"]
    assert "hashicorp/dns" in json.dumps(versions)


def test_module_style_discovery_imports_by_fqdn(bind, tsig_env, tmp_path: Path) -> None:
    """--style module: the imports name the module's for_each instances, ids the FQDNs; the .tf
    reader reads the module call and validate finds the plan safe against the zone as it is."""
    # (no DMARC record: one adopted verbatim is refused by --style module, tested elsewhere)
    bind.set_zones({DOMAIN: zone_text(DOMAIN, [z for z in CUSTOMER_ZONE if "_dmarc" not in z]), **THE_REST_OF_THE_INTERNET})
    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text(bind))
    out = tmp_path / "out"
    result = run("generate", str(spec), "-o", str(out), "--discover", "--nameserver", bind.address, "--resolver", bind.address, "--style", "module")
    assert result.exit_code == 0, result.output
    imports = {
        b["to"].removeprefix("${").removesuffix("}"): hcl_string(b["id"])
        for b in hcl2.loads((out / "imports.tf").read_text())["import"]
    }
    m = "module.acme_events_com.module.records"
    assert imports == {
        f'{m}.dns_txt_record_set.this["{DOMAIN} TXT"]': f"{DOMAIN}.",
        f'{m}.dns_cname_record.this["mte1._domainkey.{DOMAIN} CNAME"]': f"mte1._domainkey.{DOMAIN}.",
    }
    call = (out / DOMAIN / "main.tf").read_text()
    assert GOOGLE in call  # extra_txt keeps the customer's value
    desired = load_tf_dir(str(out))
    apex = next(r for d in desired.domains for r in d.records if r.name == DOMAIN and r.type == "TXT")
    assert set(apex.values) == {GOOGLE, MERGED_SPF, VERIFY} and apex.authoritative
    check = run("validate", "--tf", str(out), "--nameserver", bind.address, "--resolver", bind.address)
    assert check.exit_code == 0, check.output


def test_handoff_page_says_what_the_server_must_allow(tmp_path: Path) -> None:
    """HANDOFF.md tells the DNS administrator which key must be allowed to update which names."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "version: 1\ndomains:\n  - domain: acme.test\n    provider: rfc2136\n    rfc2136: {key_name: spotme-update}\n"
        f"    ses: {{dkim_tokens: [{', '.join(TOKENS)}]}}\n    mandrill: {{verification: {VERIFY}}}\n"
    )
    out = tmp_path / "out"
    assert run("generate", str(spec), "-o", str(out)).exit_code == 0
    page = (out / "acme.test" / "HANDOFF.md").read_text()
    assert "signed by the TSIG key spotme-update." in page
    assert "grant spotme-update. name \\_dmarc.acme.test. TXT CNAME;" in page
