"""`validate` on Terraform written the way public modules and customers write it.

One terraform root (one `terraform init`, the aws provider from the mirror, moto for AWS),
planned before any SES identity exists, so the SES Easy DKIM names are unknown until apply:

- `modules/cp-ses`: in the style of cloudposse/terraform-aws-ses: `aws_ses_domain_identity`
  plus `aws_ses_domain_dkim`, three CNAMEs with `count = 3` named
  `"${element(aws_ses_domain_dkim.x[0].dkim_tokens, count.index)}._domainkey.${var.domain}"`,
  a `_amazonses` verification TXT, called with `for_each` over two domains and a literal
  zone id per domain;
- `modules/tw-ses`: in the style of trussworks/terraform-aws-ses-domain:
  `aws_sesv2_email_identity`, CNAMEs named RELATIVE to the zone
  (`"${...dkim_signing_attributes[0].tokens[count.index]}._domainkey"`), an SPF record at
  the MAIL FROM domain with `include:amazonses.com` and a DMARC record, the zone looked up
  by a data source in the root;
- at the root: an `aws_sesv2_email_identity` whose CNAMEs use `for_each`, hand-written
  records with relative names (`mte1._domainkey`, `_dmarc`, `@`) in a looked-up zone, and
  records in two zones named only by literal zone ids.

BIND serves the rest of each domain (SPF with SpotMe's include, DMARC, Mandrill).
"""

from __future__ import annotations

import json
import textwrap

import pytest
from click.testing import CliRunner

from spotme_dns.cli import cli
from spotme_dns.desired import Role, ses_dkim_pattern
from spotme_dns.inputs import load_plan
from spotme_dns.inputs import parse_plan as parse_plan_text
from tests.support.aws import aws_client, aws_provider_env

KEY = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAv" + "A" * 120 + "IDAQAB"
SPF = "v=spf1 include:_spf.spotme.com -all"
DMARC = "v=DMARC1; p=none;"
TOKENS = ("litaaaabbbbcccc1", "litaaaabbbbcccc2", "litaaaabbbbcccc3")
SES_DOMAINS = ("cp1.test", "cp2.test", "tw.test", "root.test")

CP_MODULE = """\
variable "domain" {
  type = string
}

variable "zone_id" {
  type = string
}

resource "aws_ses_domain_identity" "ses_domain" {
  count  = 1
  domain = var.domain
}

resource "aws_route53_record" "amazonses_verification_record" {
  count   = 1
  zone_id = var.zone_id
  name    = "_amazonses.${var.domain}"
  type    = "TXT"
  ttl     = "1800"
  records = [join("", aws_ses_domain_identity.ses_domain[*].verification_token)]
}

resource "aws_ses_domain_dkim" "ses_domain_dkim" {
  count  = 1
  domain = join("", aws_ses_domain_identity.ses_domain[*].domain)
}

resource "aws_route53_record" "amazonses_dkim_record" {
  count   = 3
  zone_id = var.zone_id
  name    = "${element(aws_ses_domain_dkim.ses_domain_dkim[0].dkim_tokens, count.index)}._domainkey.${var.domain}"
  type    = "CNAME"
  ttl     = "1800"
  records = ["${element(aws_ses_domain_dkim.ses_domain_dkim[0].dkim_tokens, count.index)}.dkim.amazonses.com"]
}
"""

TW_MODULE = """\
variable "domain_name" {
  type = string
}

variable "route53_zone_id" {
  type = string
}

variable "mail_from_domain" {
  type = string
}

locals {
  stripped_domain_name = replace(var.domain_name, "/[.]$/", "")
}

resource "aws_sesv2_email_identity" "main" {
  email_identity = local.stripped_domain_name
}

resource "aws_route53_record" "dkim" {
  count   = 3
  zone_id = var.route53_zone_id
  name    = "${aws_sesv2_email_identity.main.dkim_signing_attributes[0].tokens[count.index]}._domainkey"
  type    = "CNAME"
  ttl     = "600"
  records = ["${aws_sesv2_email_identity.main.dkim_signing_attributes[0].tokens[count.index]}.dkim.amazonses.com"]
}

resource "aws_sesv2_email_identity_mail_from_attributes" "main" {
  email_identity   = aws_sesv2_email_identity.main.email_identity
  mail_from_domain = var.mail_from_domain
}

resource "aws_route53_record" "spf_mail_from" {
  zone_id = var.route53_zone_id
  name    = aws_sesv2_email_identity_mail_from_attributes.main.mail_from_domain
  type    = "TXT"
  ttl     = "600"
  records = ["v=spf1 include:amazonses.com -all"]
}

resource "aws_route53_record" "txt_dmarc" {
  zone_id = var.route53_zone_id
  name    = "_dmarc.${var.domain_name}"
  type    = "TXT"
  ttl     = "600"
  records = ["v=DMARC1; p=none;"]
}
"""


def root_tf(zone_ids: dict[str, str]) -> str:
    return textwrap.dedent(f"""\
        terraform {{
          required_providers {{
            aws = {{
              source = "hashicorp/aws"
            }}
          }}
        }}

        provider "aws" {{
          region = "us-east-1"
        }}

        module "cp_ses" {{
          source   = "./modules/cp-ses"
          for_each = {{ "cp1.test" = "{zone_ids['cp1.test']}", "cp2.test" = "{zone_ids['cp2.test']}" }}
          domain   = each.key
          zone_id  = each.value
        }}

        data "aws_route53_zone" "tw" {{
          name = "tw.test"
        }}

        module "tw_ses" {{
          source           = "./modules/tw-ses"
          domain_name      = "tw.test"
          route53_zone_id  = data.aws_route53_zone.tw.zone_id
          mail_from_domain = "bounce.tw.test"
        }}

        data "aws_route53_zone" "root" {{
          name = "root.test"
        }}

        resource "aws_sesv2_email_identity" "root" {{
          email_identity = "root.test"
        }}

        resource "aws_route53_record" "root_dkim" {{
          for_each = toset(["0", "1", "2"])
          zone_id  = data.aws_route53_zone.root.zone_id
          name     = "${{aws_sesv2_email_identity.root.dkim_signing_attributes[0].tokens[tonumber(each.key)]}}._domainkey.root.test"
          type     = "CNAME"
          ttl      = 300
          records  = ["${{aws_sesv2_email_identity.root.dkim_signing_attributes[0].tokens[tonumber(each.key)]}}.dkim.amazonses.com"]
        }}

        # Hand-written, names relative to the looked-up zone (both providers append it).
        resource "aws_route53_record" "root_spf" {{
          zone_id = data.aws_route53_zone.root.zone_id
          name    = ""
          type    = "TXT"
          ttl     = 300
          records = ["{SPF}", "mandrill_verify.RootKey01"]
        }}

        resource "aws_route53_record" "root_dmarc" {{
          zone_id = data.aws_route53_zone.root.zone_id
          name    = "_dmarc"
          type    = "TXT"
          ttl     = 300
          records = ["{DMARC}"]
        }}

        resource "aws_route53_record" "root_mte" {{
          count   = 2
          zone_id = data.aws_route53_zone.root.zone_id
          name    = "mte${{count.index + 1}}._domainkey"
          type    = "CNAME"
          ttl     = 300
          records = ["dkim${{count.index + 1}}.mandrillapp.com"]
        }}

        # Two zones named only by literal ids: never lumped together, nor guessed from names.
        resource "aws_route53_record" "lit_spf" {{
          for_each = {{ "one.lit1.test" = "{zone_ids['lit1.test']}", "two.lit2.test" = "{zone_ids['lit2.test']}" }}
          zone_id  = each.value
          name     = each.key
          type     = "TXT"
          ttl      = 300
          records  = ["{SPF}"]
        }}

        resource "aws_route53_record" "lit_dmarc" {{
          for_each = {{ "_dmarc.one.lit1.test" = "{zone_ids['lit1.test']}", "_dmarc.two.lit2.test" = "{zone_ids['lit2.test']}" }}
          zone_id  = each.value
          name     = each.key
          type     = "TXT"
          ttl      = 300
          records  = ["{DMARC}"]
        }}

        resource "aws_route53_record" "lit_ses" {{
          for_each = {{ for pair in setproduct(["one.lit1.test", "two.lit2.test"], {json.dumps(list(TOKENS))}) : "${{pair[1]}}._domainkey.${{pair[0]}}" => pair[1] }}
          zone_id  = endswith(each.key, "lit1.test") ? "{zone_ids['lit1.test']}" : "{zone_ids['lit2.test']}"
          name     = each.key
          type     = "CNAME"
          ttl      = 300
          records  = ["${{each.value}}.dkim.amazonses.com"]
        }}

        resource "aws_route53_record" "lit_relative" {{
          zone_id = "{zone_ids['lit1.test']}"
          name    = "mte1._domainkey"
          type    = "CNAME"
          ttl     = 300
          records = ["dkim1.mandrillapp.com"]
        }}
        """)


def live_zones() -> dict[str, list[str]]:
    """What BIND serves: the rest of each domain, and the senders' records."""
    rest = [f'@ TXT "{SPF}"', f'_dmarc TXT "{DMARC}"', "mte1._domainkey CNAME dkim1.mandrillapp.com.", "mte2._domainkey CNAME dkim2.mandrillapp.com."]
    zones: dict[str, list[str]] = {domain: list(rest) for domain in ("cp1.test", "cp2.test")}
    zones["tw.test"] = [f'@ TXT "{SPF}"', "mte1._domainkey CNAME dkim1.mandrillapp.com.", "mte2._domainkey CNAME dkim2.mandrillapp.com."]
    zones["root.test"] = ["www A 192.0.2.1"]
    for zone, label in (("lit1.test", "one"), ("lit2.test", "two")):
        zones[zone] = [f"mte{n}._domainkey.{label} CNAME dkim{n}.mandrillapp.com." for n in (1, 2)]
    zones["spotme.com"] = ['_spf TXT "v=spf1 ip4:192.0.2.0/24 -all"']
    zones["amazonses.com"] = ['@ TXT "v=spf1 ip4:192.0.2.0/24 -all"'] + [f'{t}.dkim TXT "v=DKIM1; k=rsa; p={KEY}"' for t in TOKENS]
    zones["mandrillapp.com"] = [f'dkim{n} TXT "v=DKIM1; k=rsa; p={KEY}"' for n in (1, 2)]
    return zones


@pytest.fixture(scope="module")
def ses_plan(module_terraform_factory, moto_server: str, tmp_path_factory: pytest.TempPathFactory):
    """(Terraform, plan JSON path, plan file name): one init and one plan for every test here."""
    route53 = aws_client(moto_server, "route53")
    zone_ids = {}
    for zone in ("cp1.test", "cp2.test", "tw.test", "root.test", "lit1.test", "lit2.test"):
        made = route53.create_hosted_zone(Name=zone, CallerReference=f"real-world-{zone}-{id(route53)}")
        zone_ids[zone] = made["HostedZone"]["Id"].rsplit("/", 1)[-1]
    work = tmp_path_factory.mktemp("real-world")
    root = work / "root"
    (root / "modules" / "cp-ses").mkdir(parents=True)
    (root / "modules" / "tw-ses").mkdir(parents=True)
    (root / "modules" / "cp-ses" / "main.tf").write_text(CP_MODULE)
    (root / "modules" / "tw-ses" / "main.tf").write_text(TW_MODULE)
    (root / "main.tf").write_text(root_tf(zone_ids))
    tf = module_terraform_factory(root, env=aws_provider_env(moto_server))
    tf.init()
    tf.plan("tfplan")
    plan = work / "plan.json"
    plan.write_text(json.dumps(tf.show_json("tfplan")))
    return tf, plan, "tfplan"


def test_unknown_ses_names_are_kept_under_their_domains(ses_plan) -> None:
    """Three SES CNAMEs per domain, unknown until apply, each under its identity's domain with its address."""
    _, plan, _ = ses_plan
    domains = {d.domain: d for d in load_plan(str(plan)).domains}
    for domain in SES_DOMAINS:
        unknown = domains[domain].unknown
        assert [(r.name, r.type, r.values) for r in unknown] == [(ses_dkim_pattern(domain), "CNAME", None)] * 3, domain
        assert domains[domain].role is Role.SENDING
    assert [r.address for r in domains["cp2.test"].unknown] == [
        f'module.cp_ses["cp2.test"].aws_route53_record.amazonses_dkim_record[{i}]' for i in range(3)
    ]
    assert [r.address for r in domains["tw.test"].unknown] == [f"module.tw_ses.aws_route53_record.dkim[{i}]" for i in range(3)]
    assert [r.address for r in domains["root.test"].unknown] == [f'aws_route53_record.root_dkim["{i}"]' for i in range(3)]


def test_groups_follow_the_zones_the_input_says(ses_plan) -> None:
    """Literal zone ids stay apart; relative names take the looked-up zone; a MAIL FROM SPF is an SPF record."""
    _, plan, _ = ses_plan
    desired = load_plan(str(plan))
    domains = {d.domain: d for d in desired.domains}
    assert {d.domain: d.zone for d in desired.domains if d.domain.endswith(("lit1.test", "lit2.test"))} == {
        "one.lit1.test": "one.lit1.test", "two.lit2.test": "two.lit2.test",
    }
    root = {(r.name, r.type) for r in domains["root.test"].records}
    assert root == {("root.test", "TXT"), ("_dmarc.root.test", "TXT"), ("mte1._domainkey.root.test", "CNAME"), ("mte2._domainkey.root.test", "CNAME")}
    assert domains["bounce.tw.test"].role is Role.SPF
    assert domains["bounce.tw.test"].zone == "tw.test"
    assert [r.name for r in domains["tw.test"].records] == ["_dmarc.tw.test"]
    # A relative name in a zone known only by its id: never invented into a domain.
    assert not any("_domainkey" == d.domain.split(".")[-1] for d in desired.domains)
    assert ("unknown-name", "aws_route53_record.lit_relative") in {(n.code, n.name) for n in desired.notes}
    assert all(n.name != "module.tw_ses.aws_route53_record.dkim[0]" for n in desired.notes)


def test_validate_is_safe_against_a_zone_that_holds_the_rest(ses_plan, bind) -> None:
    """The plan before the identities exist: exit 0, 3 unknown SES CNAMEs per domain, no dkim-selector-missing."""
    tf, _, planfile = ses_plan
    bind.set_zones(live_zones())
    result = CliRunner(env=tf.env).invoke(
        cli, ["validate", "--plan-file", planfile, "--chdir", str(tf.workdir), "--nameserver", bind.address, "--resolver", bind.address, "--format", "json", "--timeout", "1"]
    )
    doc = json.loads(result.stdout)
    findings = [(f["code"], f["name"]) for d in doc["domains"] for f in d["findings"]]
    assert result.exit_code == 0, (findings, result.stderr)
    assert not any(code == "dkim-selector-missing" for code, _ in findings)
    by_domain = {d["domain"]: d for d in doc["domains"]}
    for domain in SES_DOMAINS:
        ses = [r for r in by_domain[domain]["records"] if r["name"] == ses_dkim_pattern(domain)]
        assert [(r["type"], r["status"], r["expected"]) for r in ses] == [("CNAME", "unknown", None)] * 3
        assert all(r["address"] for r in ses)
    # The MAIL FROM SPF is checked as SPF (its include resolved), without SpotMe's include.
    assert "bounce.tw.test" in by_domain
    # 12 SES CNAMEs and the two `_amazonses` verification TXT values SES makes at apply.
    assert doc["summary"]["unknown"] == 14


def test_a_missing_selector_is_still_found(ses_plan, bind) -> None:
    """Unknown SES names count as SES selectors, not as Mandrill ones: mte2 absent live is still an error."""
    tf, _, planfile = ses_plan
    zones = live_zones()
    zones["cp1.test"] = [line for line in zones["cp1.test"] if not line.startswith("mte2.")]
    bind.set_zones(zones)
    result = CliRunner(env=tf.env).invoke(
        cli, ["validate", "--plan-file", planfile, "--chdir", str(tf.workdir), "--nameserver", bind.address, "--resolver", bind.address, "--format", "json", "--timeout", "1"]
    )
    assert result.exit_code == 1, result.output
    findings = [(f["code"], f["name"]) for d in json.loads(result.stdout)["domains"] for f in d["findings"]]
    assert findings == [("dkim-selector-missing", "mte2._domainkey.cp1.test")]


# --------------------------------------------------------------------------- hand-made plans: grouping and names


def _plan(changes: list[dict], **extra) -> str:
    return json.dumps({"format_version": "1.2", "planned_values": {}, "resource_changes": changes, **extra})


def _record(address: str, name: str | None, rdtype: str, records: list[str] | None, zone_id: str | None = "Z1", kind: str = "aws_route53_record") -> dict:
    after: dict = {"type": rdtype, "ttl": 300}
    unknown: dict = {}
    if zone_id is not None:
        after["zone_id"] = zone_id
    if name is None:
        unknown["name"] = True
    else:
        after["name"] = name
    if kind == "aws_route53_record":
        after["alias"] = []
        if records is None:
            unknown["records"] = True
        else:
            after["records"] = records
    elif records is None:
        unknown["content"] = True
    else:
        after["content"] = records[0]
    return {"address": address, "mode": "managed", "type": kind, "name": address.split(".")[-1],
            "change": {"actions": ["create"], "before": None, "after": after, "after_unknown": unknown}}


def _zone(address: str, name: str, zone_id: str) -> dict:
    return {"address": address, "mode": "data", "type": "aws_route53_zone", "values": {"name": name, "zone_id": zone_id}}


def test_different_zone_ids_are_different_zones() -> None:
    """Two literal zone ids: two zones, even when one name is under the other's common suffix."""
    desired = parse_plan_text(_plan([
        _record("aws_route53_record.a", "_dmarc.acme.test", "TXT", [DMARC], zone_id="ZA"),
        _record("aws_route53_record.b", "_dmarc.mail.acme.test", "TXT", [DMARC], zone_id="ZB"),
        _record("aws_route53_record.c", "s1._domainkey.acme.test", "CNAME", ["s1.dkim.amazonses.com"], zone_id="ZA"),
    ]))
    assert {(d.domain, d.zone) for d in desired.domains} == {("acme.test", "acme.test"), ("mail.acme.test", "mail.acme.test")}


def test_spf_anywhere_is_an_spf_record_and_other_records_are_no_domain() -> None:
    """SPF at a name with no DMARC/DKIM sibling: an SPF group; a lone verification TXT: no sending domain."""
    zone = {"prior_state": {"values": {"root_module": {"resources": [_zone("data.aws_route53_zone.z", "acme.test", "Z1")]}}}}
    desired = parse_plan_text(_plan([
        _record("aws_route53_record.a", "bounce.acme.test", "TXT", ["v=spf1 include:amazonses.com -all"]),
        _record("aws_route53_record.b", "_amazonses.acme.test", "TXT", ["token"]),
    ], **zone))
    roles = {d.domain: (d.role, [r.name for r in d.records]) for d in desired.domains}
    assert roles == {"bounce.acme.test": (Role.SPF, ["bounce.acme.test"]), "acme.test": (Role.RECORDS, ["_amazonses.acme.test"])}


def test_relative_names_take_the_known_zone_or_are_unknown_names() -> None:
    """`mte1._domainkey` and `_dmarc` get the looked-up zone appended; without a zone they are notes, never domains."""
    zone = {"prior_state": {"values": {"root_module": {"resources": [_zone("data.aws_route53_zone.z", "acme.test", "Z1")]}}}}
    desired = parse_plan_text(_plan([
        _record("aws_route53_record.a", "mte1._domainkey", "CNAME", ["dkim1.mandrillapp.com"]),
        _record("cloudflare_dns_record.b", "_dmarc", "TXT", [DMARC], kind="cloudflare_dns_record"),
        _record("aws_route53_record.c", "mte2._domainkey", "CNAME", ["dkim2.mandrillapp.com"], zone_id="Zunnamed"),
        _record("aws_route53_record.d", "_dmarc.other.test", "TXT", [DMARC], zone_id="Zunnamed"),
    ], **zone))
    names = {(d.domain, r.name) for d in desired.domains for r in d.records}
    assert names == {("acme.test", "mte1._domainkey.acme.test"), ("acme.test", "_dmarc.acme.test"), ("other.test", "_dmarc.other.test")}
    assert [(n.code, n.name) for n in desired.notes] == [("unknown-name", "aws_route53_record.c")]


def test_unknown_names_without_an_ses_source_stay_notes() -> None:
    """A name unknown until apply that the configuration does not tie to SES tokens: a note, not a guess."""
    desired = parse_plan_text(_plan([
        _record("aws_route53_record.x", None, "CNAME", None),
        _record("aws_route53_record.y", "_dmarc.acme.test", "TXT", [DMARC]),
    ]))
    assert [d.unknown for d in desired.domains] == [()]
    assert [(n.code, n.name) for n in desired.notes] == [("unknown-name", "aws_route53_record.x")]


def test_ses_identity_for_each_places_each_record_under_its_own_domain() -> None:
    """for_each identities: the record's instance key picks the identity (sesv2, configuration references)."""
    config = {"configuration": {"root_module": {"resources": [
        {"address": "aws_route53_record.dkim", "mode": "managed", "type": "aws_route53_record", "name": "dkim",
         "expressions": {"name": {"references": ["aws_sesv2_email_identity.id.dkim_signing_attributes", "aws_sesv2_email_identity.id", "each.key"]}}},
    ]}}}
    identities = [
        {"address": f'aws_sesv2_email_identity.id["{d}"]', "mode": "managed", "type": "aws_sesv2_email_identity", "name": "id",
         "change": {"actions": ["create"], "before": None, "after": {"email_identity": d}, "after_unknown": {"dkim_signing_attributes": True}}}
        for d in ("a.test", "b.test")
    ]
    records = [_record(f'aws_route53_record.dkim["{d}"]', None, "CNAME", None) for d in ("a.test", "b.test")]
    desired = parse_plan_text(_plan([*identities, *records], **config))
    placed = {d.domain: [r.address for r in d.unknown] for d in desired.domains}
    assert placed == {"a.test": ['aws_route53_record.dkim["a.test"]'], "b.test": ['aws_route53_record.dkim["b.test"]']}
    assert all(d.role is Role.SENDING and d.unknown[0].name == ses_dkim_pattern(d.domain) for d in desired.domains)


def test_a_relative_name_in_the_state_takes_route53s_fqdn() -> None:
    """State JSON of a record named `mte1._domainkey` in a zone known only by id: `fqdn` is the whole name."""
    state = {"format_version": "1.0", "terraform_version": "1.11.0", "values": {"root_module": {"resources": [
        {"address": "aws_route53_record.mte1", "mode": "managed", "type": "aws_route53_record", "name": "mte1",
         "values": {"name": "mte1._domainkey", "fqdn": "mte1._domainkey.acme.test", "type": "CNAME", "zone_id": "Z9", "ttl": 300,
                    "records": ["dkim1.mandrillapp.com"], "alias": []}},
    ]}}}
    desired = parse_plan_text(json.dumps(state), "state", state_ok=True)
    assert [(d.domain, [r.name for r in d.records]) for d in desired.domains] == [("acme.test", ["mte1._domainkey.acme.test"])]


def test_tf_reading_keeps_the_same_ses_cnames(ses_plan) -> None:
    """`--tf` on the same root (no terraform run): the same unknown SES CNAMEs under the same domains."""
    from spotme_dns.inputs import load_tf_dir

    tf, plan, _ = ses_plan
    from_tf = {d.domain: d for d in load_tf_dir(str(tf.workdir)).domains}
    from_plan = {d.domain: d for d in load_plan(str(plan)).domains}
    for domain in SES_DOMAINS:
        assert [(r.name, r.address) for r in from_tf[domain].unknown] == [(r.name, r.address) for r in from_plan[domain].unknown], domain
    # The MAIL FROM name is another resource's attribute: only terraform knows it before apply.
    assert set(from_plan) - set(from_tf) == {"bounce.tw.test"}
    assert {d: from_tf[d].role for d in from_tf} == {d: from_plan[d].role for d in from_tf}


def test_an_spf_record_with_spotmes_include_is_a_sending_domain() -> None:
    """SPF naming SpotMe's include, in a zone known only by id: a SpotMe sending domain, every check."""
    desired = parse_plan_text(_plan([_record("aws_route53_record.a", "acme.test", "TXT", [SPF], zone_id="Zid")]))
    assert [(d.domain, d.role) for d in desired.domains] == [("acme.test", Role.SENDING)]


def test_an_spf_record_that_drops_spotmes_live_include_is_an_error(bind, tmp_path) -> None:
    """No DMARC/DKIM in the plan, zone known only by id: taking SpotMe's include out of the live SPF is still an error."""
    bind.set_zones({
        "acme.test": [f'@ TXT "{SPF}"'],
        "amazonses.com": ['@ TXT "v=spf1 ip4:192.0.2.0/24 -all"'],
        "spotme.com": ['_spf TXT "v=spf1 ip4:192.0.2.0/24 -all"'],
    })
    change = _record("aws_route53_record.spf", "acme.test", "TXT", ["v=spf1 include:amazonses.com -all"], zone_id="Zid")
    change["change"]["actions"] = ["update"]
    change["change"]["before"] = {**change["change"]["after"], "records": [SPF]}
    plan = tmp_path / "plan.json"
    plan.write_text(_plan([change]))
    result = CliRunner().invoke(cli, ["validate", "--plan", str(plan), "--nameserver", bind.address, "--resolver", bind.address, "--format", "json", "--timeout", "1"])
    assert result.exit_code == 1, result.output
    [domain] = json.loads(result.stdout)["domains"]
    assert [f["code"] for f in domain["findings"]] == ["spf-include-missing"]
    assert domain["records"][0]["status"] == "differs"
    # The same SPF at a name whose live record never named SpotMe: RFC 7208 checks only, safe.
    bind.set_zones({"acme.test": ['@ TXT "v=spf1 -all"'], "amazonses.com": ['@ TXT "v=spf1 ip4:192.0.2.0/24 -all"']})
    change["change"]["before"] = {**change["change"]["after"], "records": ["v=spf1 -all"]}
    plan.write_text(_plan([change]))
    result = CliRunner().invoke(cli, ["validate", "--plan", str(plan), "--nameserver", bind.address, "--resolver", bind.address, "--format", "json", "--timeout", "1"])
    assert result.exit_code == 0, result.output


def test_an_include_target_of_the_customers_own_is_no_sending_domain() -> None:
    """`_spf.acme.test` holding SpotMe's include (flattened includes): an SPF record, not a domain that needs DMARC and DKIM."""
    desired = parse_plan_text(_plan([
        _record("aws_route53_record.a", "_spf.acme.test", "TXT", ["v=spf1 include:_spf.spotme.com include:_spf.google.com -all"], zone_id="Zid"),
        _record("aws_route53_record.b", "acme.test", "TXT", ["v=spf1 include:_spf.acme.test -all"], zone_id="Zid"),
        _record("aws_route53_record.c", "_dmarc.acme.test", "TXT", [DMARC], zone_id="Zid"),
    ]))
    assert {(d.domain, d.role) for d in desired.domains} == {("acme.test", Role.SENDING), ("_spf.acme.test", Role.SPF)}


def test_another_unknown_name_is_placed_by_its_module_instance() -> None:
    """An unknown-named CNAME (an ACM validation record) in a module instance of one domain: listed there, not counted as SES."""
    desired = parse_plan_text(_plan([
        _record('module.mail["acme.test"].aws_route53_record.dmarc', "_dmarc.acme.test", "TXT", [DMARC]),
        _record('module.mail["acme.test"].aws_route53_record.acm', None, "CNAME", None),
        _record("aws_route53_record.loose", None, "CNAME", None),
    ]))
    [domain] = desired.domains
    assert [(r.name, r.address) for r in domain.unknown] == [("<known after apply>", 'module.mail["acme.test"].aws_route53_record.acm')]
    assert [n.name for n in desired.notes] == ["aws_route53_record.loose"]
