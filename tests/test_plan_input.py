"""`--plan`: desired records from `terraform show -json` plans.

Hand-made plans (tests/fixtures/plans/) cover each format_version, nested modules, count and
for_each indexes, unknown values and every action; plans made by a real terraform with the
hashicorp/aws provider against moto check the same on the real thing; bad input exits 2.
"""

from __future__ import annotations

import json
import os
import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from spotme_dns.cli import cli
from spotme_dns.desired import Action, DesiredDomain, DesiredRecord
from spotme_dns.errors import InputError
from spotme_dns.inputs import load_plan, load_specs, parse_plan
from spotme_dns.inputs.values import parse_character_strings, quoted_txt, route53_strings, route53_txt
from tests.support.aws import aws_client, aws_provider_env

PLANS = Path(__file__).parent / "fixtures" / "plans"
SPF = "v=spf1 include:_spf.spotme.com -all"


def records_of(path: Path | str) -> dict[tuple[str, str], DesiredRecord]:
    """Every desired record of a plan file by (name, type)."""
    return {(r.name, r.type): r for d in load_plan(str(path)).domains for r in d.records}


def domains_of(path: Path | str) -> dict[str, DesiredDomain]:
    return {d.domain: d for d in load_plan(str(path)).domains}


# --------------------------------------------------------------------------- format versions


def test_format_0_1_route53_at_the_root() -> None:
    """Terraform 0.12's plan (0.1): Route53 record sets, zone named by the data source in prior_state."""
    domains = domains_of(PLANS / "format-0.1.json")
    assert list(domains) == ["acme.test"]
    assert domains["acme.test"].zone == "acme.test"
    records = records_of(PLANS / "format-0.1.json")
    apex = records[("acme.test", "TXT")]
    assert apex.values == ("mandrill_verify.AbCdEf123456", SPF)
    assert apex.action is Action.CREATE
    assert apex.authoritative is True
    assert apex.address == "aws_route53_record.spf"
    assert apex.ttl == 3600
    assert records[("mte1._domainkey.acme.test", "CNAME")].values == ("dkim1.mandrillapp.com",)


def test_format_0_2_cloudflare_v4_values_grouped_per_name() -> None:
    """Terraform 1.0.3 (0.2): cloudflare_record `value` and `content`, one record per value, joined per name."""
    records = records_of(PLANS / "format-0.2.json")
    apex = records[("globex.test", "TXT")]
    assert apex.values == ("mandrill_verify.XyZ987654321", "v=spf1 include:_spf.google.com include:_spf.spotme.com ~all")
    assert apex.authoritative is False
    assert apex.proxied is False
    assert apex.address == "cloudflare_record.spf, cloudflare_record.verify"


def test_format_0_2_count_indexes() -> None:
    """count instances keep their index in the address and become one record each."""
    records = records_of(PLANS / "format-0.2.json")
    for i in range(3):
        record = records[(f"tok{i}._domainkey.globex.test", "CNAME")]
        assert record.address == f"cloudflare_record.dkim[{i}]"
        assert record.values == (f"tok{i}.dkim.amazonses.com",)


def test_format_1_0_nested_modules_for_each_and_relative_names() -> None:
    """Terraform 1.1 (1.0): a for_each module inside a for_each module; relative names get the zone."""
    domains = domains_of(PLANS / "format-1.0.json")
    assert list(domains) == ["initech.test"]
    records = records_of(PLANS / "format-1.0.json")
    for token in ("aaaa1111bbbb2222", "cccc3333dddd4444", "eeee5555ffff6666"):
        record = records[(f"{token}._domainkey.initech.test", "CNAME")]
        assert record.address == f'module.mail["initech.test"].module.dkim.aws_route53_record.cname["{token}"]'
        assert record.values == (f"{token}.dkim.amazonses.com",)


def test_format_1_0_zone_through_configuration_references() -> None:
    """zone_id unknown until apply: the zone comes from the data source the configuration refers to."""
    assert domains_of(PLANS / "format-1.0.json")["initech.test"].zone == "initech.test"


def test_format_1_1_update_keeps_removed_values_apart() -> None:
    """Terraform 1.3 (1.1): an update lists the values it drops on purpose in `removed`."""
    apex = records_of(PLANS / "format-1.1.json")[("hooli.test", "TXT")]
    assert apex.action is Action.UPDATE
    assert apex.values == ("google-site-verification=keepme", "mandrill_verify.NewKey111111", SPF)
    assert apex.removed == ("mandrill_verify.OldKey000000",)


def test_format_1_1_delete_means_expected_gone() -> None:
    """A planned delete expects nothing at the name (values ())."""
    dmarc = records_of(PLANS / "format-1.1.json")[("_dmarc.hooli.test", "TXT")]
    assert dmarc.action is Action.DELETE
    assert dmarc.values == ()
    assert dmarc.removed == ("v=DMARC1; p=none;",)


def test_format_1_1_replace_with_rename_leaves_the_old_name_empty() -> None:
    """["create","delete"] that renames: the new name expected, the old one expected gone."""
    records = records_of(PLANS / "format-1.1.json")
    assert records[("new._domainkey.hooli.test", "CNAME")].action is Action.REPLACE
    assert records[("new._domainkey.hooli.test", "CNAME")].values == ("new.dkim.amazonses.com",)
    old = records[("old._domainkey.hooli.test", "CNAME")]
    assert (old.action, old.values) == (Action.DELETE, ())
    assert old.address == "aws_route53_record.dkim"  # the deposed object is not a second record


def test_format_1_1_no_op_and_unknown_values() -> None:
    """no-op records are expected as they are; values unknown until apply stay None, never guessed."""
    records = records_of(PLANS / "format-1.1.json")
    assert records[("mte1._domainkey.hooli.test", "CNAME")].action is Action.NOOP
    unknown = records[("tok._domainkey.hooli.test", "CNAME")]
    assert unknown.values is None


def test_format_1_1_unknown_name_is_a_note() -> None:
    """A record whose name is known only after apply is not a record: it is reported as a note."""
    desired = load_plan(str(PLANS / "format-1.1.json"))
    assert [(n.code, n.name) for n in desired.notes] == [("unknown-name", "aws_route53_record.mystery")]
    assert desired.actions_known is True


def test_format_1_2_cloudflare_v5_quoted_content_and_proxied() -> None:
    """Terraform 1.5+ (1.2): quoted character-strings undone, CNAME target normalised, proxied kept."""
    records = records_of(PLANS / "format-1.2.json")
    assert records[("vandelay.test", "TXT")].values == ("mandrill_verify.Vandelay1234", SPF)
    dkim = records[("sel._domainkey.vandelay.test", "TXT")].values
    assert dkim is not None and dkim[0] == "v=DKIM1; k=rsa; p=" + "A" * 300
    mte1 = records[("mte1._domainkey.vandelay.test", "CNAME")]
    assert (mte1.values, mte1.proxied) == (("dkim1.mandrillapp.com",), True)


def test_format_1_2_forget_and_zone_data_source_v5() -> None:
    """A `forget` leaves the record alone (no expectation); the v5 zone data source names the zone."""
    records = records_of(PLANS / "format-1.2.json")
    assert "legacy=1" not in (records[("vandelay.test", "TXT")].values or ())
    assert domains_of(PLANS / "format-1.2.json")["vandelay.test"].zone == "vandelay.test"


def test_format_1_2_generic_records_output() -> None:
    """The generic module's `records` output (a map of lists) gives provider-free records."""
    domain = domains_of(PLANS / "format-1.2.json")["pied.test"]
    assert [(r.name, r.type, r.values, r.authoritative) for r in domain.records] == [
        ("pied.test", "TXT", ("mandrill_verify.Pied12345678", SPF), False),
        ("_dmarc.pied.test", "TXT", ("v=DMARC1; p=none;",), False),
        ("mte2._domainkey.pied.test", "CNAME", ("dkim2.mandrillapp.com",), False),
    ]


@pytest.mark.parametrize("version", ["0.1", "0.2", "1.0", "1.1", "1.2"])
def test_every_supported_format_version_reads(version: str) -> None:
    """Each format_version of Terraform 0.12 to 1.14 is accepted."""
    desired = load_plan(str(PLANS / f"format-{version}.json"))
    assert desired.domains and all(d.records for d in desired.domains)


def test_later_minor_version_is_read() -> None:
    """A minor bump only adds keys (jsonplan's rule): 1.9 reads like 1.2."""
    doc = json.loads((PLANS / "format-1.2.json").read_text())
    doc["format_version"] = "1.9"
    doc["a_key_from_the_future"] = {"x": 1}
    assert parse_plan(json.dumps(doc), "future.json").domains


# --------------------------------------------------------------------------- zones and names


def _plan(resource_changes: list[dict], **extra) -> str:
    return json.dumps({"format_version": "1.2", "planned_values": {}, "resource_changes": resource_changes, **extra})


def _r53(address: str, name: str, rdtype: str, records: list[str], zone_id: str = "Z1", actions=("create",)) -> dict:
    after = {"name": name, "type": rdtype, "records": records, "ttl": 300, "zone_id": zone_id, "alias": []}
    return {"address": address, "mode": "managed", "type": "aws_route53_record", "name": address.split(".")[-1],
            "change": {"actions": list(actions), "before": None, "after": after, "after_unknown": {}}}


def test_zone_is_the_longest_known_zone_holding_the_name() -> None:
    """Without a zone id match, a name under a zone the plan knows goes to the longest such zone."""
    zones = {"prior_state": {"values": {"root_module": {"resources": [
        {"address": "data.aws_route53_zone.a", "mode": "data", "type": "aws_route53_zone", "values": {"name": "acme.test", "zone_id": "ZA"}},
        {"address": "data.aws_route53_zone.b", "mode": "data", "type": "aws_route53_zone", "values": {"name": "mail.acme.test", "zone_id": "ZB"}},
    ]}}}}
    text = _plan([_r53("aws_route53_record.x", "_dmarc.mail.acme.test", "TXT", ["v=DMARC1; p=none;"], zone_id="Zother")], **zones)
    [domain] = parse_plan(text).domains
    assert (domain.domain, domain.zone) == ("mail.acme.test", "mail.acme.test")


def test_zone_inferred_from_names_when_the_plan_says_nothing() -> None:
    """No zone in the plan: the common suffix of the records' sending domains (documented heuristic)."""
    text = _plan([
        _r53("aws_route53_record.a", "Mail.Acme.Test.", "TXT", [SPF]),
        _r53("aws_route53_record.b", "_dmarc.mail.acme.test", "TXT", ["v=DMARC1; p=none;"]),
        _r53("aws_route53_record.c", "s1._domainkey.mail.acme.test", "CNAME", ["S1.DKIM.AmazonSES.com."]),
    ])
    [domain] = parse_plan(text).domains
    assert (domain.domain, domain.zone) == ("mail.acme.test", "mail.acme.test")
    assert [r.name for r in domain.records] == ["mail.acme.test", "_dmarc.mail.acme.test", "s1._domainkey.mail.acme.test"]
    assert domain.records[2].values == ("s1.dkim.amazonses.com",)


def test_two_domains_in_one_zone_are_reported_apart() -> None:
    """Sending domains are found by their _dmarc and _domainkey names, inside one zone."""
    zone = {"prior_state": {"values": {"root_module": {"resources": [
        {"address": "data.aws_route53_zone.z", "mode": "data", "type": "aws_route53_zone", "values": {"name": "acme.test", "zone_id": "Z1"}}]}}}}
    text = _plan([
        _r53("aws_route53_record.a", "_dmarc.acme.test", "TXT", ["v=DMARC1; p=none;"]),
        _r53("aws_route53_record.b", "_dmarc.news.acme.test", "TXT", ["v=DMARC1; p=none;"]),
        _r53("aws_route53_record.c", "news.acme.test", "TXT", [SPF]),
    ], **zone)
    domains = {d.domain: d for d in parse_plan(text).domains}
    assert set(domains) == {"acme.test", "news.acme.test"}
    assert {r.name for r in domains["news.acme.test"].records} == {"news.acme.test", "_dmarc.news.acme.test"}
    assert all(d.zone == "acme.test" for d in domains.values())


def test_route53_split_strings_are_joined() -> None:
    """Route53's `\\"\\"` split is one logical value; the published strings are kept for the checks."""
    text = _plan([_r53("aws_route53_record.k", "sel._domainkey.acme.test", "TXT", ['v=DKIM1; p=' + "A" * 250 + '""' + "B" * 10])])
    [record] = [r for d in parse_plan(text).domains for r in d.records]
    assert record.values == ("v=DKIM1; p=" + "A" * 250 + "B" * 10,)
    assert record.strings == (("v=DKIM1; p=" + "A" * 250, "B" * 10),)


def test_alias_and_other_types_are_not_records_of_ours() -> None:
    """Alias records and record types other than TXT/CNAME are left out."""
    alias = _r53("aws_route53_record.alias", "www.acme.test", "A", [])
    alias["change"]["after"]["records"] = None
    alias["change"]["after"]["alias"] = [{"name": "lb.example.com", "zone_id": "ZLB", "evaluate_target_health": False}]
    text = _plan([alias, _r53("aws_route53_record.mx", "acme.test", "MX", ["10 mx.acme.test"]), _r53("aws_route53_record.t", "acme.test", "TXT", [SPF])])
    assert [(r.name, r.type) for d in parse_plan(text).domains for r in d.records] == [("acme.test", "TXT")]


@pytest.mark.parametrize(
    ("given", "logical"),
    [
        ("v=spf1 -all", "v=spf1 -all"),
        ('first""second', "firstsecond"),
        ('say \\"hi\\"', 'say "hi"'),
        ('back\\\\slash', "back\\slash"),
        ("caf\\303\\251", "café"),
        ("\\101\\040\\177", "A \x7f"),
        ("\\195", "195"),
    ],
    ids=["plain", "split", "escaped-quotes", "escaped-backslash", "octal-utf8", "octal-ascii", "decimal-is-not-octal"],
)
def test_route53_txt_logical_value(given: str, logical: str) -> None:
    """Route53 values as the provider writes them ("%s"), read back as one logical string; `\\DDD` is octal (AWS docs)."""
    assert route53_txt(given) == logical


@pytest.mark.parametrize(
    ("content", "logical"),
    [
        ("v=spf1 -all", "v=spf1 -all"),
        ('"v=spf1 -all"', "v=spf1 -all"),
        ('"abc" "def"', "abcdef"),
        ('"a\\"b"', 'a"b'),
        ('"a" b', '"a" b'),
        ('"unterminated', '"unterminated'),
        ('"caf\\195\\169"', "café"),
    ],
    ids=["plain", "quoted", "two-strings", "escaped-quote", "mixed-stays-literal", "unterminated-stays-literal", "decimal-utf8"],
)
def test_cloudflare_quoted_content(content: str, logical: str) -> None:
    """Cloudflare TXT content: quoted character-strings are joined, anything else is taken as is."""
    assert quoted_txt(content) == logical


def test_character_strings_parser_edge_cases() -> None:
    """Master-file character-strings: unquoted runs, adjacency, a trailing backslash is malformed."""
    assert parse_character_strings('a "b c"d') == ["a", "b c", "d"]
    assert parse_character_strings('"x\\') is None
    assert route53_strings("one") == ("one",)


def test_character_strings_decimal_or_octal() -> None:
    """`\\DDD` is decimal by RFC 1035 §5.1 and octal in Route53's spelling; out-of-range digits escape one character."""
    assert parse_character_strings('"\\101"') == ["e"]
    assert parse_character_strings('"\\101"', octal=True) == ["A"]
    assert parse_character_strings('"\\256"') == ["256"]
    assert parse_character_strings('"\\400"', octal=True) == ["400"]
    assert route53_strings('caf\\303\\251""x') == ("café", "x")


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("fixture", "words"),
    [
        ("not-json.json", "not-json.json:4:21: not JSON: Expecting property name enclosed in double quotes"),
        ("wrong-shape.json", "a JSON array at the top: expected the JSON of `terraform show -json PLANFILE`"),
        ("bad-resource-changes.json", "\"resource_changes\" is a JSON object, expected an array"),
        ("state-show.json", "this is Terraform state JSON (`terraform show -json` without a plan file), not a plan"),
        ("terraform.tfstate", "this is a Terraform state file (terraform.tfstate), not a plan"),
        ("empty-plan.json", "the plan has no DNS records: no aws_route53_record, cloudflare_record, cloudflare_dns_record resource"),
        ("format-2.0.json", "format_version 2.0 is not supported: spotme-dns reads plan JSON 0.x and 1.x"),
    ],
    ids=["not-json", "wrong-shape", "wrong-type", "state-json", "tfstate", "empty-plan", "unsupported-major"],
)
def test_bad_plans_exit_2_with_the_file_and_what_is_wrong(fixture: str, words: str) -> None:
    """Not a plan, in each of its forms: exit 2, the file named, the problem said, no traceback."""
    path = PLANS / fixture
    result = CliRunner().invoke(cli, ["validate", "--plan", str(path), "--nameserver", "127.0.0.1:9"])
    assert result.exit_code == 2, result.output
    assert str(path) in result.stderr
    assert words in result.stderr
    assert "Traceback" not in result.output


def test_unreadable_plan_files(tmp_path: Path) -> None:
    """A missing file, a directory and a file without permission: exit 2 naming the file."""
    locked = tmp_path / "locked.json"
    locked.write_text("{}")
    locked.chmod(0)
    cases = [tmp_path / "missing.json", tmp_path]
    for path in cases:
        result = CliRunner().invoke(cli, ["validate", "--plan", str(path)])
        assert result.exit_code == 2
        assert f"error: {path}: cannot read the plan:" in result.stderr
    try:
        open(locked).close()
    except PermissionError:
        result = CliRunner().invoke(cli, ["validate", "--plan", str(locked)])
        assert result.exit_code == 2
        assert "Permission denied" in result.stderr


def test_binary_plan_and_non_utf8_are_refused(tmp_path: Path) -> None:
    """The binary plan file itself (a zip) gets a hint to use --plan-file; other bytes: not UTF-8."""
    binary = tmp_path / "tfplan"
    binary.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    with pytest.raises(InputError, match="binary plan file.*--plan-file"):
        load_plan(str(binary))
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"format_version": "1.2", "x": "\xe9"}')
    with pytest.raises(InputError, match="not UTF-8"):
        load_plan(str(latin))


@pytest.mark.parametrize(
    "doc",
    [
        {"format_version": 1.2, "planned_values": {}},
        {"format_version": "1.2"},
        {"planned_values": {}, "resource_changes": []},
        {"format_version": "1.2", "resource_changes": [{"address": "aws_route53_record.x", "mode": "managed", "type": "aws_route53_record", "change": {}}]},
        {"format_version": "1.2", "resource_changes": ["aws_route53_record.x"]},
    ],
    ids=["version-not-a-string", "no-values-or-changes", "no-format-version", "change-without-actions", "change-not-an-object"],
)
def test_plans_of_the_wrong_shape(doc: dict) -> None:
    """JSON that is not shaped like a plan is an InputError, never a traceback."""
    with pytest.raises(InputError):
        parse_plan(json.dumps(doc), "odd.json")


# --------------------------------------------------------------------------- real terraform + moto

SPEC = """\
version: 1
domains:
  - domain: acme-plan.test
    provider: route53
    ttl: 300
    ses:
      dkim_tokens: [tok1aaaabbbbcccc1, tok2aaaabbbbcccc2, tok3aaaabbbbcccc3]
    mandrill:
      verification: mandrill_verify.AcmeKey12345
    keep_txt: [google-site-verification=acme]
"""

ROOT = """\
provider "aws" {
  region = "us-east-1"
}

variable "verify" {
  type    = string
  default = "mandrill_verify.InitechKey01"
}

variable "with_mte" {
  type    = bool
  default = true
}

variable "selector" {
  type    = string
  default = "s1"
}

# The generated module of one domain, as `spotme-dns generate` wrote it.
module "generated" {
  source = "./gen/acme-plan.test"
}

# A hand-written module, called with for_each, that calls another module.
module "mail" {
  source   = "./mail"
  for_each = toset(["initech-plan.test"])

  domain   = each.key
  verify   = var.verify
  with_mte = var.with_mte
  selector = var.selector
}
"""

MAIL = """\
variable "domain" { type = string }
variable "verify" { type = string }
variable "with_mte" { type = bool }
variable "selector" { type = string }

data "aws_route53_zone" "this" {
  name = var.domain
}

resource "aws_route53_record" "txt" {
  zone_id = data.aws_route53_zone.this.zone_id
  name    = var.domain
  type    = "TXT"
  ttl     = 300
  records = ["v=spf1 include:_spf.spotme.com -all", var.verify, "${join("", [for i in range(30) : "0123456789"])}\\"\\"tail"]
}

resource "aws_route53_record" "mte" {
  count   = var.with_mte ? 2 : 0
  zone_id = data.aws_route53_zone.this.zone_id
  name    = "mte${count.index + 1}._domainkey"
  type    = "CNAME"
  ttl     = 300
  records = ["dkim${count.index + 1}.mandrillapp.com"]
}

resource "aws_route53_record" "selector" {
  zone_id = data.aws_route53_zone.this.zone_id
  name    = "${var.selector}._domainkey.${var.domain}"
  type    = "CNAME"
  ttl     = 300
  records = ["${var.selector}.dkim.amazonses.com"]
}

module "dkim" {
  source  = "./dkim"
  zone_id = data.aws_route53_zone.this.zone_id
}
"""

DKIM = """\
variable "zone_id" { type = string }

resource "aws_route53_record" "ses" {
  for_each = toset(["sesaaaabbbbcccc1", "sesaaaabbbbcccc2"])
  zone_id  = var.zone_id
  name     = "${each.key}._domainkey"
  type     = "CNAME"
  ttl      = 300
  records  = ["${each.key}.dkim.amazonses.com"]
}
"""

LONG = "0123456789" * 30


def state_from_plan(plan: dict) -> dict:
    """A Terraform state (version 4) holding what `plan` creates, unknown ids filled in."""
    resources: dict[tuple, dict] = {}
    for rc in plan["resource_changes"]:
        if rc["mode"] != "managed":
            continue
        after = dict(rc["change"]["after"])
        after.setdefault("id", f"{after['zone_id']}_{after['name']}_{after['type']}")
        after.setdefault("fqdn", after["name"])
        key = (rc.get("module_address", ""), rc["type"], rc["name"])
        resource = resources.setdefault(key, {
            **({"module": key[0]} if key[0] else {}),
            "mode": "managed", "type": rc["type"], "name": rc["name"],
            "provider": 'provider["registry.terraform.io/hashicorp/aws"]', "instances": [],
        })
        instance = {"schema_version": 2, "attributes": after, "sensitive_attributes": []}
        if "index" in rc:
            instance["index_key"] = rc["index"]
        resource["instances"].append(instance)
    return {"version": 4, "terraform_version": plan["terraform_version"], "serial": 1,
            "lineage": "5f0c1c5e-0000-4000-8000-00000000c0de", "outputs": {}, "resources": list(resources.values())}


@pytest.fixture(scope="module")
def real_root(module_terraform_factory, moto_server: str, tmp_path_factory: pytest.TempPathFactory):
    """One terraform init for this file: a root with a generated module and nested hand-written ones.

    Returns (Terraform, first plan JSON path, second plan file name, spec path): the
    first plan creates everything; with its objects as the state, the second changes the
    Mandrill key, drops the mte CNAMEs and renames the selector (update, delete, replace).
    """
    route53 = aws_client(moto_server, "route53")
    for zone in ("acme-plan.test", "initech-plan.test"):
        route53.create_hosted_zone(Name=zone, CallerReference=f"plan-input-{zone}-{id(route53)}")
    work = tmp_path_factory.mktemp("real-plan")
    spec = work / "spec.yaml"
    spec.write_text(SPEC)
    generated = CliRunner().invoke(cli, ["generate", str(spec), "-o", str(work / "root" / "gen")])
    assert generated.exit_code == 0, generated.output
    root = work / "root"
    (root / "main.tf").write_text(ROOT)
    (root / "mail" / "dkim").mkdir(parents=True)
    (root / "mail" / "main.tf").write_text(MAIL)
    (root / "mail" / "dkim" / "main.tf").write_text(DKIM)
    shutil.rmtree(root / "gen" / ".terraform", ignore_errors=True)
    tf = module_terraform_factory(root, env=aws_provider_env(moto_server))
    tf.init()
    tf.plan("first.tfplan")
    first = work / "first.json"
    first.write_text(json.dumps(tf.show_json("first.tfplan")))
    # As if the first plan had been applied (apply itself waits 10-30 s per record for Route53
    # to report INSYNC): its planned objects become the state; the second plan trusts it.
    (root / "terraform.tfstate").write_text(json.dumps(state_from_plan(json.loads(first.read_text()))))
    tf.plan("second.tfplan", "-refresh=false", "-var", "verify=mandrill_verify.InitechKey02", "-var", "with_mte=false", "-var", "selector=s2")
    return tf, first, "second.tfplan", spec


def test_real_plan_of_generated_terraform_matches_the_spec(real_root) -> None:
    """terraform's plan of `spotme-dns generate` output gives exactly the spec's records."""
    _, first, _, spec = real_root
    from_plan = domains_of(first)["acme-plan.test"]
    [from_spec] = load_specs([str(spec)]).domains
    assert from_plan.zone == "acme-plan.test"
    assert [(r.name, r.type, r.values, r.authoritative) for r in from_plan.records] == [
        (r.name, r.type, r.values, r.authoritative) for r in from_spec.records
    ]
    assert all(r.action is Action.CREATE for r in from_plan.records)


def test_real_plan_nested_modules_count_for_each(real_root) -> None:
    """Real plan: for_each module, nested module, count, relative names, a \\"\\"-split value."""
    _, first, _, _ = real_root
    domain = domains_of(first)["initech-plan.test"]
    records = {(r.name, r.type): r for r in domain.records}
    assert domain.zone == "initech-plan.test"
    assert records[("initech-plan.test", "TXT")].values == tuple(sorted([SPF, "mandrill_verify.InitechKey01", LONG + "tail"]))
    assert records[("initech-plan.test", "TXT")].address == 'module.mail["initech-plan.test"].aws_route53_record.txt'
    assert records[("mte2._domainkey.initech-plan.test", "CNAME")].address == 'module.mail["initech-plan.test"].aws_route53_record.mte[1]'
    ses = records[("sesaaaabbbbcccc1._domainkey.initech-plan.test", "CNAME")]
    assert ses.address == 'module.mail["initech-plan.test"].module.dkim.aws_route53_record.ses["sesaaaabbbbcccc1"]'
    assert ses.values == ("sesaaaabbbbcccc1.dkim.amazonses.com",)


def test_real_plan_file_update_delete_replace(real_root, bind) -> None:
    """--plan-file/--chdir on a real second plan: update (old key removed on purpose), deletes, a rename."""
    tf, _, planfile, _ = real_root
    bind.set_zones({
        "initech-plan.test": [
            '@ TXT "v=spf1 include:_spf.spotme.com -all"',
            '@ TXT "mandrill_verify.InitechKey01"',
            f'@ TXT "{LONG[:255]}" "{LONG[255:]}" "tail"',
            "mte1._domainkey CNAME dkim1.mandrillapp.com.",
            "mte2._domainkey CNAME dkim2.mandrillapp.com.",
            "s1._domainkey CNAME s1.dkim.amazonses.com.",
        ],
    })
    result = CliRunner(env=tf.env).invoke(
        cli, ["validate", "--plan-file", planfile, "--chdir", str(tf.workdir), "--nameserver", bind.address, "--resolver", bind.address, "--format", "json", "--timeout", "1"]
    )
    assert result.exit_code in (0, 1), result.output
    [domain] = [d for d in json.loads(result.stdout)["domains"] if d["domain"] == "initech-plan.test"]
    records = {(r["name"], r["type"]): r for r in domain["records"]}
    txt = records[("initech-plan.test", "TXT")]
    # The old key is live and the plan drops it on purpose: a change, not a conflict.
    assert txt["status"] == "differs"
    assert txt["expected"] == sorted([SPF, "mandrill_verify.InitechKey02", LONG + "tail"])
    assert txt["address"] == 'module.mail["initech-plan.test"].aws_route53_record.txt'
    for n in (1, 2):
        mte = records[(f"mte{n}._domainkey.initech-plan.test", "CNAME")]
        assert (mte["expected"], mte["status"]) == ([], "pending")  # deleted by the plan, still live
    assert records[("s1._domainkey.initech-plan.test", "CNAME")]["expected"] == []
    assert records[("s2._domainkey.initech-plan.test", "CNAME")]["status"] == "pending"
    assert records[("s2._domainkey.initech-plan.test", "CNAME")]["expected"] == ["s2.dkim.amazonses.com"]


def test_plan_file_errors_exit_2(tmp_path: Path) -> None:
    """A plan file terraform cannot show, and --chdir without --plan-file: exit 2, said clearly."""
    (tmp_path / "tfplan").write_text("not a plan")
    result = CliRunner().invoke(cli, ["validate", "--plan-file", "tfplan", "--chdir", str(tmp_path)])
    assert result.exit_code == 2
    assert "terraform" in result.stderr and "show -json tfplan` failed" in result.stderr
    result = CliRunner().invoke(cli, ["validate", "--plan", str(PLANS / "format-1.2.json"), "--chdir", str(tmp_path)])
    assert result.exit_code == 2
    assert "--chdir goes with --plan-file" in result.stderr


def test_hand_written_module_call_plan_matches_tf_reading(terraform_factory, tmp_path: Path) -> None:
    """The generic module planned by terraform and read by --plan equals reading the same root with --tf."""
    from spotme_dns.inputs import load_tf_dir

    # A relative source: terraform takes an absolute path for a separate package.
    modules = os.path.relpath(Path(__file__).resolve().parent.parent / "terraform" / "modules" / "generic", tmp_path)
    (tmp_path / "main.tf").write_text(textwrap.dedent(f"""\
        module "pied" {{
          source                = "{modules}"
          domain                = "pied.test"
          ses_dkim_tokens       = ["piedaaaabbbbcccc1", "piedaaaabbbbcccc2", "piedaaaabbbbcccc3"]
          mandrill_verification = "PiedKey12345"
          spf_keep              = ["include:_spf.google.com"]
          dmarc_policy          = "quarantine"
          dmarc_rua             = ["mailto:d@pied.test"]
          extra_txt             = ["MS=ms1234"]
        }}

        output "records" {{
          value = module.pied.records
        }}
        """))
    tf = terraform_factory(tmp_path)
    tf.init()
    tf.plan("tfplan")
    (tmp_path / "plan.json").write_text(json.dumps(tf.show_json("tfplan")))
    from_plan = [(r.name, r.type, r.values) for d in load_plan(str(tmp_path / "plan.json")).domains for r in d.records]
    from_tf = [(r.name, r.type, r.values) for d in load_tf_dir(str(tmp_path)).domains for r in d.records]
    assert from_plan == from_tf
    assert len(from_plan) == 7
