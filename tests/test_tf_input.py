"""`--tf`: desired records from .tf files read with python-hcl2, without running terraform.

Generated output (plain and module style) must give the spec's own records; hand-written roots
resolve literals, variables (defaults, tfvars, module arguments), locals, interpolation,
count and for_each; everything else is unknown, never guessed; bad HCL exits 2 with file:line.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from spotme_dns.cli import cli
from spotme_dns.errors import InputError
from spotme_dns.inputs import load_specs, load_tf_dir
from spotme_dns.inputs.hclexpr import UNKNOWN, Unknown, evaluate

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
SPF = "v=spf1 include:_spf.spotme.com -all"


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def table(desired) -> dict[tuple[str, str], tuple]:
    return {(r.name, r.type): (r.values, r.authoritative) for d in desired.domains for r in d.records}


def records(desired) -> dict[tuple[str, str], object]:
    return {(r.name, r.type): r for d in desired.domains for r in d.records}


# --------------------------------------------------------------------------- generated output


@pytest.mark.parametrize("example", ["route53-single", "cloudflare-keep-spf", "mixed-fleet"])
def test_committed_examples_read_like_their_spec(example: str) -> None:
    """The generated Terraform of each example gives exactly the records of its spec."""
    from_tf = load_tf_dir(str(EXAMPLES / example / "terraform"))
    from_spec = load_specs([str(EXAMPLES / example / "spec.yaml")])
    assert table(from_tf) == table(from_spec)
    assert from_tf.notes == ()


@pytest.mark.parametrize("style", ["plain", "module"])
def test_freshly_generated_output_reads_like_the_spec(style: str, tmp_path: Path) -> None:
    """`spotme-dns generate` in both styles (literal resources, calls of terraform/modules/*)."""
    spec = EXAMPLES / "mixed-fleet" / "spec.yaml"
    result = CliRunner().invoke(cli, ["generate", str(spec), "-o", str(tmp_path / "out"), "--style", style])
    assert result.exit_code == 0, result.output
    from_tf = load_tf_dir(str(tmp_path / "out"))
    assert table(from_tf) == table(load_specs([str(spec)]))


def test_module_style_knows_the_zone_from_zone_name(tmp_path: Path) -> None:
    """A call of our module with zone_name places the domain in that zone."""
    modules = os.path.relpath(REPO / "terraform" / "modules" / "cloudflare", tmp_path)
    write(tmp_path, {"main.tf": f"""\
        module "initech" {{
          source                = "{modules}"
          domain                = "events.initech.test"
          zone_name             = "initech.test"
          zone_id               = "0123456789abcdef0123456789abcdef"
          ses_dkim_tokens       = ["aaaabbbbccccdddd1", "aaaabbbbccccdddd2", "aaaabbbbccccdddd3"]
          mandrill_verification = "InitechKey01"
          mandrill_dkim         = false
        }}
        """})
    [domain] = load_tf_dir(str(tmp_path)).domains
    assert (domain.domain, domain.zone) == ("events.initech.test", "initech.test")
    assert [r.name for r in domain.records] == [
        "events.initech.test",
        "_dmarc.events.initech.test",
        "aaaabbbbccccdddd1._domainkey.events.initech.test",
        "aaaabbbbccccdddd2._domainkey.events.initech.test",
        "aaaabbbbccccdddd3._domainkey.events.initech.test",
    ]
    assert records(load_tf_dir(str(tmp_path)))[("events.initech.test", "TXT")].values == ("mandrill_verify.InitechKey01", SPF)
    assert all(not r.authoritative and r.proxied is False for r in domain.records)


def test_module_call_with_unknown_inputs(tmp_path: Path) -> None:
    """Our module called with a value known only at apply: the records it feeds are unknown."""
    modules = os.path.relpath(REPO / "terraform" / "modules" / "route53", tmp_path)
    write(tmp_path, {"main.tf": f"""\
        data "aws_ssm_parameter" "key" {{
          name = "mandrill"
        }}
        module "acme" {{
          source                = "{modules}"
          domain                = "acme.test"
          ses_dkim_tokens       = ["aaaabbbbccccdddd1", "aaaabbbbccccdddd2", "aaaabbbbccccdddd3"]
          mandrill_verification = data.aws_ssm_parameter.key.value
          dmarc_rua             = [for d in ["a", "b"] : "mailto:${{d}}@acme.test"]
        }}
        """})
    got = records(load_tf_dir(str(tmp_path)))
    assert got[("acme.test", "TXT")].values is None
    assert got[("_dmarc.acme.test", "TXT")].values is None
    assert got[("mte1._domainkey.acme.test", "CNAME")].values == ("dkim1.mandrillapp.com",)
    assert got[("acme.test", "TXT")].authoritative is True


def test_module_call_without_a_known_domain_is_a_note(tmp_path: Path) -> None:
    """A domain known only at apply: nothing can be checked, and the input says so (exit 2: no records)."""
    modules = os.path.relpath(REPO / "terraform" / "modules" / "generic", tmp_path)
    write(tmp_path, {"main.tf": f"""\
        module "x" {{
          source                = "{modules}"
          domain                = data.external.d.result.domain
          ses_dkim_tokens       = ["aaaabbbbccccdddd1", "aaaabbbbccccdddd2", "aaaabbbbccccdddd3"]
          mandrill_verification = "Key1234567"
        }}
        """})
    with pytest.raises(InputError, match="the domain is not known before apply"):
        load_tf_dir(str(tmp_path))


# --------------------------------------------------------------------------- hand-written roots


HAND_WRITTEN = {
    "variables.tf": """\
        variable "domain" {
          type    = string
          default = "acme.test"
        }
        variable "tokens" {
          type    = list(string)
          default = ["t1", "t2"]
        }
        variable "verify" {
          type = string
        }
        """,
    "terraform.tfvars": """\
        verify = "mandrill_verify.FromTfvars1"
        """,
    "main.tf": """\
        locals {
          spf    = "v=spf1 include:${local.spotme} -all"
          spotme = "_spf.spotme.com"
          ttl    = 600
        }

        data "aws_route53_zone" "this" {
          name = var.domain
        }

        resource "aws_route53_record" "apex" {
          zone_id = data.aws_route53_zone.this.zone_id
          name    = var.domain
          type    = "TXT"
          ttl     = local.ttl
          records = [local.spf, var.verify, "long\\"\\"split", "dollar $${literal}"]
        }

        resource "aws_route53_record" "dkim" {
          for_each = toset(var.tokens)
          zone_id  = data.aws_route53_zone.this.zone_id
          name     = "${each.key}._domainkey"
          type     = "CNAME"
          ttl      = 300
          records  = ["${each.value}.dkim.amazonses.com"]
        }

        resource "aws_route53_record" "mte" {
          count   = 2
          zone_id = data.aws_route53_zone.this.zone_id
          name    = "mte${count.index + 1}._domainkey.${var.domain}"
          type    = "CNAME"
          ttl     = 300
          records = ["dkim.mandrillapp.com"]
        }

        resource "aws_route53_record" "dmarc" {
          zone_id = data.aws_route53_zone.this.zone_id
          name    = "_dmarc.${var.domain}"
          type    = "TXT"
          ttl     = 300
          records = [var.domain == "acme.test" ? "v=DMARC1; p=reject;" : "v=DMARC1; p=none;"]
        }

        resource "aws_route53_record" "www" {
          zone_id = data.aws_route53_zone.this.zone_id
          name    = "www.${var.domain}"
          type    = "A"
          ttl     = 300
          records = ["192.0.2.1"]
        }
        """,
}


def test_hand_written_root_literals_variables_locals_tfvars(tmp_path: Path) -> None:
    """Variables from defaults and terraform.tfvars, locals referring to locals, interpolation."""
    got = records(load_tf_dir(str(write(tmp_path, HAND_WRITTEN))))
    apex = got[("acme.test", "TXT")]
    assert apex.values == tuple(sorted([SPF, "mandrill_verify.FromTfvars1", "longsplit", "dollar ${literal}"]))
    assert apex.ttl == 600
    assert apex.address == "aws_route53_record.apex"
    assert ("longsplit" in apex.values) and ("long", "split") in apex.strings


def test_hand_written_root_for_each_count_relative_names(tmp_path: Path) -> None:
    """for_each keys and count indexes in addresses; relative names get the data source's zone."""
    got = records(load_tf_dir(str(write(tmp_path, HAND_WRITTEN))))
    assert got[("t1._domainkey.acme.test", "CNAME")].address == 'aws_route53_record.dkim["t1"]'
    assert got[("t2._domainkey.acme.test", "CNAME")].values == ("t2.dkim.amazonses.com",)
    assert got[("mte2._domainkey.acme.test", "CNAME")].address == "aws_route53_record.mte[1]"


def test_expressions_beyond_literals_are_unknown(tmp_path: Path) -> None:
    """A conditional is not evaluated: the record's value is unknown; other types are left out."""
    desired = load_tf_dir(str(write(tmp_path, HAND_WRITTEN)))
    got = records(desired)
    assert got[("_dmarc.acme.test", "TXT")].values is None
    assert ("www.acme.test", "A") not in got
    [domain] = desired.domains
    assert domain.zone == "acme.test"


def test_auto_tfvars_override_terraform_tfvars(tmp_path: Path) -> None:
    """*.auto.tfvars are read after terraform.tfvars, as Terraform does."""
    write(tmp_path, {**HAND_WRITTEN, "z.auto.tfvars": 'verify = "mandrill_verify.FromAuto"\n'})
    assert "mandrill_verify.FromAuto" in records(load_tf_dir(str(tmp_path)))[("acme.test", "TXT")].values


def test_unknown_name_and_unknown_for_each_are_notes(tmp_path: Path) -> None:
    """A name or a for_each that depends on apply-time values: a note each, never a guess."""
    write(tmp_path, {"main.tf": """\
        resource "aws_route53_record" "known" {
          zone_id = "Z1"
          name    = "acme.test"
          type    = "TXT"
          records = ["v=spf1 -all"]
        }
        resource "aws_route53_record" "name" {
          zone_id = "Z1"
          name    = aws_s3_bucket.b.bucket_domain_name
          type    = "CNAME"
          records = ["x.example.com"]
        }
        resource "cloudflare_record" "each" {
          for_each = data.external.x.result
          zone_id  = "z"
          name     = each.key
          type     = "TXT"
          content  = each.value
        }
        """})
    desired = load_tf_dir(str(tmp_path))
    assert [(n.code, n.name) for n in desired.notes] == [
        ("unknown-name", "aws_route53_record.name"),
        ("unknown-name", "cloudflare_record.each"),
    ]
    assert list(records(desired)) == [("acme.test", "TXT")]


def test_local_child_modules_get_their_arguments(tmp_path: Path) -> None:
    """A local module called with for_each: its variables are the call's arguments per instance."""
    write(tmp_path, {
        "main.tf": """\
            module "domain" {
              source   = "./domain"
              for_each = { "a.test" = "KeyA000001", "b.test" = "KeyB000001" }
              name     = each.key
              key      = each.value
            }
            """,
        "domain/main.tf": """\
            variable "name" {}
            variable "key" {}
            resource "cloudflare_dns_record" "verify" {
              zone_id = "z"
              name    = "@"
              type    = "TXT"
              content = "\\"mandrill_verify.${var.key}\\""
              ttl     = 1
              proxied = false
            }
            resource "cloudflare_dns_record" "dmarc" {
              zone_id = "z"
              name    = "_dmarc.${var.name}"
              type    = "TXT"
              content = "v=DMARC1; p=none;"
              ttl     = 1
            }
            """,
    })
    got = records(load_tf_dir(str(tmp_path)))
    assert got[("_dmarc.a.test", "TXT")].address == 'module.domain["a.test"].cloudflare_dns_record.dmarc'
    assert got[("_dmarc.b.test", "TXT")].values == ("v=DMARC1; p=none;",)
    # "@" with a literal zone id: the zone is unknown, so the apex name cannot be formed.
    notes = load_tf_dir(str(tmp_path)).notes
    assert [(n.code, n.name) for n in notes] == [
        ("unknown-name", 'module.domain["a.test"].cloudflare_dns_record.verify'),
        ("unknown-name", 'module.domain["b.test"].cloudflare_dns_record.verify'),
    ]


def test_generic_records_output_is_read(tmp_path: Path) -> None:
    """The generic module's `records` (a local list behind an output) gives provider-free records."""
    write(tmp_path, {"main.tf": """\
        locals {
          records = [
            { name = "pied.test", type = "TXT", ttl = 3600, values = ["v=spf1 include:_spf.spotme.com -all"] },
            { name = "mte1._domainkey.pied.test", type = "CNAME", ttl = 3600, values = ["dkim1.mandrillapp.com"] },
          ]
        }
        output "records" {
          value = local.records
        }
        """})
    got = records(load_tf_dir(str(tmp_path)))
    assert got[("pied.test", "TXT")].values == (SPF,)
    assert got[("mte1._domainkey.pied.test", "CNAME")].authoritative is False


# --------------------------------------------------------------------------- bad input


def test_bad_hcl_exits_2_with_file_line_and_column(tmp_path: Path) -> None:
    """python-hcl2's parse error becomes file:line:column on stderr, exit 2."""
    write(tmp_path, {"main.tf": 'resource "aws_route53_record" "x" {\n  name = \n}\n'})
    result = CliRunner().invoke(cli, ["validate", "--tf", str(tmp_path)])
    assert result.exit_code == 2
    assert f"error: {tmp_path / 'main.tf'}:2:" in result.stderr
    assert "not valid HCL" in result.stderr


@pytest.mark.parametrize(
    ("setup", "words"),
    [
        ("missing", "does not exist: --tf takes a directory of .tf files"),
        ("file", "is not a directory"),
        ("empty", "no .tf files in this directory"),
        ("no-records", "no DNS records found"),
        ("bad-module-source", "module 'x': source './nowhere' is not a directory"),
    ],
    ids=["missing", "a-file", "no-tf-files", "no-records", "bad-module-source"],
)
def test_bad_tf_directories_exit_2(setup: str, words: str, tmp_path: Path) -> None:
    """Each kind of unusable directory: exit 2 with what is wrong."""
    target = tmp_path / "root"
    if setup == "file":
        target.write_text("x")
    elif setup == "empty":
        target.mkdir()
    elif setup == "no-records":
        write(target, {"main.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n'})
    elif setup == "bad-module-source":
        write(target, {"main.tf": 'module "x" {\n  source = "./nowhere"\n}\n'})
    result = CliRunner().invoke(cli, ["validate", "--tf", str(target)])
    assert result.exit_code == 2, result.output
    assert words in result.stderr


def test_remote_module_is_a_note(tmp_path: Path) -> None:
    """A registry module is not read (a note), our module by a git subdirectory address is."""
    write(tmp_path, {"main.tf": """\
        module "other" {
          source  = "terraform-aws-modules/route53/aws//modules/records"
          version = "2.0.0"
        }
        module "ours" {
          source                = "git::https://example.com/spotme-dns.git//terraform/modules/generic?ref=v1"
          domain                = "ours.test"
          ses_dkim_tokens       = ["aaaabbbbccccdddd1", "aaaabbbbccccdddd2", "aaaabbbbccccdddd3"]
          mandrill_verification = "OursKey0001"
        }
        """})
    desired = load_tf_dir(str(tmp_path))
    assert [n.code for n in desired.notes] == ["module-not-read"]
    assert ("ours.test", "TXT") in records(desired)


# --------------------------------------------------------------------------- the expression subset


class _Scope:
    def var(self, name):
        return {"d": "acme.test", "l": ["a", "b"], "m": {"k": "v"}, "n": 3}.get(name, UNKNOWN)

    def local(self, name):
        return {"x": "L"}.get(name, UNKNOWN)

    def each(self, attribute):
        return {"key": "K", "value": "V"}[attribute]

    def count_index(self):
        return 2

    def block_attribute(self, mode, kind, name, attribute):
        return Unknown(zone="zone.test") if attribute == "zone_id" else UNKNOWN


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ('"plain"', "plain"),
        ('"${var.d}"', "acme.test"),
        ('"${lower("X")}.${var.d}"', "x.acme.test"),
        ('"\\u00e9 \\\\ \\" $${lit} %%{lit}"', 'é \\ " ${lit} %{lit}'),
        ('"a\\"\\"b"', 'a""b'),
        ("${var.m[\"k\"]}", "v"),
        ("${var.l[1]}", "b"),
        ('${toset(["a", "b", "a"])}', ["a", "b"]),
        ('"${each.key}-${each.value}-${count.index}"', "K-V-2"),
        ('${format("%s.%s", "a", var.d)}', "a.acme.test"),
        ('${join(" ", ["a", local.x])}', "a L"),
        ('${concat(var.l, ["c"])}', ["a", "b", "c"]),
        ('${trimsuffix("a.test.", ".")}', "a.test"),
        ("${{a = 1, b = \"x\"}}", {"a": 1, "b": "x"}),
        ("${-1}", -1),
        ("${(var.d)}", "acme.test"),
        (42, 42),
        (True, True),
        ('"${var.n}"', "3"),
        ("${count.index + 1}", 3),
        ("${2 * var.n - 1}", 5),
    ],
    ids=[
        "literal", "variable", "function-and-interpolation", "escapes", "route53-split-kept", "map-index",
        "list-index", "toset", "each-and-count", "format", "join-with-local", "concat", "trimsuffix", "object",
        "negative", "parentheses", "number", "bool", "number-in-template", "count-plus-one", "precedence",
    ],
)
def test_expressions_that_evaluate(raw, value) -> None:
    """The supported subset of HCL expressions gives the value Terraform would."""
    assert evaluate(raw, _Scope()) == value


@pytest.mark.parametrize(
    "raw",
    [
        "${[for t in var.l : t]}",
        "${1 + \"a\"}",
        "${var.d == \"x\" ? 1 : 2}",
        '"%{ if true }x%{ endif }"',
        "${var.l[*].x}",
        "${f(var.l...)}",
        "${list(\"a\")}",
        "${var.nope}",
        "${aws_s3_bucket.b.arn}",
        "${[1, 2",
        "string",
    ],
    ids=["for", "arithmetic-on-text", "conditional", "directive", "splat", "expansion", "unknown-function", "undefined-variable", "resource-attribute", "unbalanced", "type-keyword"],
)
def test_expressions_that_stay_unknown(raw) -> None:
    """Anything outside the subset is Unknown, never a guess and never an exception."""
    assert isinstance(evaluate(raw, _Scope()), Unknown)


def test_zone_id_reference_carries_the_zone_name() -> None:
    """A zone's id is unknown, but it says which zone it is."""
    assert evaluate("${data.aws_route53_zone.z.zone_id}", _Scope()) == Unknown(zone="zone.test")
