"""The hand-written Terraform modules in terraform/modules, checked with real Terraform.

- every .tf file: `terraform fmt` clean, parsed by python-hcl2, no syntax newer than 1.0;
- generic: applied by real Terraform for many domains at once (hypothesis-generated inputs
  with `"`, `\\`, `${`, `%{` and non-ASCII text); its outputs equal spotme_dns's own record
  model (`spotme_dns.records.build_records`), its zone file parses, its table is exact;
- route53: real init/validate/plan/apply with hashicorp/aws from the filesystem mirror against
  moto, read back with boto3; a second plan finds nothing to change;
- cloudflare (no provider offline): every attribute is in the v5 provider's documented schema.

Slow steps are shared: each module-scoped fixture runs one `terraform init` and one apply.
"""

from __future__ import annotations

import json
import os
import random
import re
import unicodedata
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dns.rdatatype
import dns.zone
import hcl2
import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from spotme_dns.hcl import quote
from spotme_dns.model import normalize_name
from spotme_dns.records import build_records
from spotme_dns.spec import DmarcSpec, DomainSpec, MandrillSpec, Provider, SesSpec, SpfSpec
from tests.support.aws import aws_client, aws_provider_env, reset_moto
from tests.support.reference import reference_dir
from tests.support.terraform import Terraform

pytestmark = pytest.mark.terraform

REPO = Path(__file__).resolve().parents[1]
MODULES = REPO / "terraform" / "modules"
MODULE_NAMES = ("core", "generic", "route53", "cloudflare", "rfc2136", "google", "azure")
WRAPPERS = ("generic", "route53", "cloudflare", "rfc2136", "google", "azure")
TF_FILES = sorted(p for p in MODULES.rglob("*.tf") if ".terraform" not in p.parts)

N_GENERATED = 15
"""Hypothesis examples applied (all in one root, one apply)."""


# --------------------------------------------------------------------------- helpers


def hcl_value(value: Any) -> str:
    """A Python value as an HCL expression (strings escaped by the generator's own quoting)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(hcl_value(v) for v in value) + "]"
    raise TypeError(f"no HCL for {value!r}")


def module_block(name: str, source: str, args: dict[str, Any]) -> str:
    lines = [f'module "{name}" {{', f"  source = {quote(source)}"]
    lines += [f"  {key} = {hcl_value(value)}" for key, value in args.items()]
    lines.append("}")
    return "\n".join(lines) + "\n"


def module_source(root: Path, module: str) -> str:
    """A local (./ or ../) source: an absolute path would make the module a package of its own,
    and its `../core` would then point outside that package."""
    relative = os.path.relpath(MODULES / module, root)
    return relative if relative.startswith("..") else f"./{relative}"


def parse_tf(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return hcl2.load(handle)


def unquote_key(key: str) -> str:
    return key[1:-1] if len(key) >= 2 and key[0] == key[-1] == '"' else key


def blocks(doc: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    """`variable "x" {...}` blocks (or outputs...) of a parsed file, by unquoted label."""
    out: dict[str, dict[str, Any]] = {}
    for entry in doc.get(kind, []):
        for label, body in entry.items():
            out[unquote_key(label)] = body
    return out


def labelled(doc: dict[str, Any], kind: str) -> dict[tuple[str, str], dict[str, Any]]:
    """`resource "type" "name" {...}` (or data) blocks by (type, name)."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for entry in doc.get(kind, []):
        for type_label, named in entry.items():
            for name_label, body in named.items():
                out[(unquote_key(type_label), unquote_key(name_label))] = body
    return out


def attributes(body: dict[str, Any]) -> set[str]:
    return {k for k in body if not k.startswith("__")}


def txt_strings(value: str) -> list[bytes]:
    """The character-strings of one TXT value in presentation form (`"a" "b"` or `"a""b"`),
    unescaped (`\\X` is X; `\\DDD` one octet, decimal)."""
    raw = value.encode("utf-8")
    strings: list[bytes] = []
    i = 0
    while i < len(raw):
        if raw[i] in b" \t":
            i += 1
            continue
        assert raw[i] == ord('"'), f"unquoted text in TXT value {value!r} at octet {i}"
        i += 1
        current = bytearray()
        while raw[i] != ord('"'):
            if raw[i] == ord("\\"):
                digits = raw[i + 1 : i + 4]
                if len(digits) == 3 and digits.isdigit():
                    current.append(int(digits))
                    i += 4
                    continue
                i += 1
            current.append(raw[i])
            i += 1
        strings.append(bytes(current))
        i += 1
    return strings


def expected_chunks(value: str) -> list[str]:
    """How the modules cut a TXT value (core's txt_chunks): printable ASCII every 255
    characters, anything else every 63 (the test's alphabet has one code point per
    grapheme cluster, so characters are code points here)."""
    size = 255 if all(" " <= ch <= "~" for ch in value) else 63
    return [value[i : i + size] for i in range(0, len(value), size)] or [""]


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class DomainInput:
    """One module call's arguments; optional ones left out are the module's defaults."""

    args: dict[str, Any] = field(hash=False)

    def spec(self) -> DomainSpec:
        """The same domain as spotme_dns's spec, to build the expected records in Python."""
        a = self.args
        domain = normalize_name(a["domain"])
        verification = a["mandrill_verification"].strip()
        if not verification.startswith("mandrill_verify."):
            verification = "mandrill_verify." + verification
        tags = []
        for key in ("rua", "ruf"):
            uris = [u if ":" in u else f"mailto:{u}" for u in a.get(f"dmarc_{key}", [])]
            if uris:
                tags.append((key, ",".join(uris)))
        tags += [tuple(t.split("=", 1)) for t in a.get("dmarc_tags", [])]
        return DomainSpec(
            domain=domain,
            zone=domain,
            provider=Provider.GENERIC,
            ses=SesSpec(
                tuple(t.lower() for t in a["ses_dkim_tokens"]),  # type: ignore[arg-type]
                normalize_name(a.get("ses_signing_zone", "dkim.amazonses.com")),
            ),
            mandrill=MandrillSpec(verification, a.get("mandrill_dkim", True)),
            spf=SpfSpec(
                include=tuple(normalize_name(i.removeprefix("include:")) for i in a.get("spf_include", ["_spf.spotme.com"])),
                keep=tuple(a.get("spf_keep", [])),
                all=a.get("spf_all", "-all"),
            ),
            dmarc=DmarcSpec(a.get("dmarc_policy", "none"), tuple(tags)),
            ttl=a.get("ttl", 3600),
            keep_txt=tuple(a.get("extra_txt", [])),
        )

    def expected_records(self) -> list[dict[str, Any]]:
        return [
            {"name": r.name, "type": r.type.value, "ttl": r.ttl, "values": list(r.texts)}
            for r in build_records(self.spec()).records
        ]


# Characters for free text: printable ASCII plus non-ASCII letters and symbols that are each
# one grapheme cluster and already NFC (Terraform normalises every string to NFC and counts
# grapheme clusters; combining marks would make both sides disagree for reasons of Unicode,
# not of the module).
NON_ASCII = "éüßñçøåÆŒЖжΩλ中文字日本語€£✓→∑😀🚀"
TEXT_CHARS = st.sampled_from([chr(c) for c in range(0x20, 0x7F)] + list(NON_ASCII))
TRICKY = st.sampled_from(['${var.x}', '%{ if true }x%{ endif }', '"', '\\', '\\"', '$${x}', '%%{y}', "é中😀", "|", "`", "; "])
SPF_TERMS = st.sampled_from(
    [
        "include:_spf.google.com",
        "include:spf.protection.outlook.com",
        "include:_spf.spotme.com",
        "include:spf.mandrillapp.com",
        "ip4:192.0.2.0/24",
        "ip6:2001:db8::/32",
        "a",
        "mx",
        "exists:%{i}._spf.acme.test",
        # qualifiers, case and modifiers: merged by what they match, modifiers after `all`
        "~include:_spf.spotme.com",
        "INCLUDE:_spf.google.com",
        "+mx",
        "-ip4:198.51.100.7",
        "exp=explain._spf.acme.test",
        "x-note=hello",
    ]
)


LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
KEY_CHARS = LOWER_ALNUM + "ABCDEFGHIJKLMNOPQRSTUVWXYZ_-"


def _label() -> st.SearchStrategy[str]:
    """A host label: letters and digits, sometimes with an inner hyphen."""
    part = st.text(LOWER_ALNUM, min_size=1, max_size=6)
    return st.one_of(part, st.tuples(part, part).map("-".join))


@st.composite
def txt_value(draw: st.DrawFn) -> str:
    """A TXT value: free text with tricky pieces, sometimes longer than one string."""
    parts = draw(st.lists(st.one_of(st.text(TEXT_CHARS, min_size=1, max_size=40), TRICKY), min_size=1, max_size=6))
    text = "".join(parts)
    if draw(st.booleans()):
        text += draw(st.text(TEXT_CHARS, min_size=200, max_size=320))
    text = text.strip()
    # Not an SPF record (that goes in spf_keep), never empty.
    if not text or re.match(r"(?i)v=spf1( |$)", text):
        text = "site-verification=" + text
    return unicodedata.normalize("NFC", text)


@st.composite
def domain_inputs(draw: st.DrawFn) -> DomainInput:
    labels = draw(st.lists(_label(), min_size=1, max_size=3))
    domain = ".".join([*labels, draw(st.sampled_from(["test", "example", "com"]))])
    if draw(st.booleans()):
        domain = "".join(ch.upper() if draw(st.booleans()) else ch for ch in domain)
    if draw(st.booleans()):
        domain += "."
    tokens = draw(st.lists(st.text(LOWER_ALNUM, min_size=16, max_size=40), min_size=3, max_size=3, unique=True))
    tokens = [t.upper() if draw(st.booleans()) else t for t in tokens]
    key = draw(st.text(KEY_CHARS, min_size=6, max_size=30))
    args: dict[str, Any] = {
        "domain": domain,
        "ses_dkim_tokens": tokens,
        "mandrill_verification": draw(st.sampled_from(["", "mandrill_verify."])) + key,
    }
    optional: dict[str, st.SearchStrategy[Any]] = {
        "ses_signing_zone": st.sampled_from(["dkim.amazonses.com", "dkim.af-south-1.amazonses.com", "DKIM.eu-south-1.amazonses.com."]),
        "mandrill_dkim": st.booleans(),
        "spf_keep": st.lists(SPF_TERMS, max_size=4),
        "spf_include": st.lists(st.sampled_from(["_spf.spotme.com", "include:_spf.spotme.com", "spf.mandrillapp.com", "_SPF.Example.com."]), min_size=1, max_size=2),
        "spf_all": st.sampled_from(["-all", "~all", "?all"]),
        "dmarc_policy": st.sampled_from(["none", "quarantine", "reject"]),
        "dmarc_rua": st.lists(st.sampled_from(["mailto:dmarc@acme.test", "reports@dmarc.example", "mailto:agg@x.example!10m"]), max_size=2, unique=True),
        "dmarc_ruf": st.lists(st.sampled_from(["mailto:ruf@acme.test", "forensic@dmarc.example"]), max_size=2, unique=True),
        "dmarc_tags": st.lists(st.sampled_from(["sp=reject", "adkim=s", "aspf=r", "pct=50", "fo=1:d", "np=quarantine", "t=y"]), max_size=3, unique=True),
        "extra_txt": st.lists(txt_value(), max_size=4),
        "ttl": st.integers(60, 86400),
    }
    for name, strategy in optional.items():
        if draw(st.booleans()):
            args[name] = draw(strategy)
    return DomainInput(args)


def generated_inputs(count: int, rng_seed: int) -> list[DomainInput]:
    """`count` hypothesis examples, collected so that all of them go through ONE apply.

    Hypothesis drives generation only: the property is checked afterwards over the outputs of
    that single apply (one Terraform run per example would cost seconds each). A failure
    names the example and the seed (SPOTME_HYPOTHESIS_SEED) that reproduces the whole set.
    """
    found: list[DomainInput] = []

    @seed(rng_seed)
    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(domain_inputs())
    def collect(example: DomainInput) -> None:
        found.append(example)

    collect()
    return found[:count]


TOKENS = ["tok1aaaaaaaaaaaaaaaaaaaaaaaaaaaa", "tok2bbbbbbbbbbbbbbbbbbbbbbbbbbbb", "tok3cccccccccccccccccccccccccccc"]

FIXED_INPUTS: dict[str, DomainInput] = {
    # docs/design.md section 2's example domain.
    "design": DomainInput(
        {
            "domain": "acme-events.com",
            "ses_dkim_tokens": TOKENS,
            "mandrill_verification": "mandrill_verify.AbC123",
            "spf_keep": ["include:_spf.google.com"],
            "dmarc_rua": ["mailto:dmarc@acme-events.com"],
        }
    ),
    "no_mandrill_dkim": DomainInput(
        {
            "domain": "mail.acme.test",
            "ses_dkim_tokens": TOKENS,
            "mandrill_verification": "AbC123",
            "mandrill_dkim": False,
            "extra_txt": ["google-site-verification=abc", "MS=ms12345", "x" * 600],
            "ttl": 300,
        }
    ),
}

# Literal expectations for the docs/design.md domain: the model and the module must both say this.
DESIGN_RECORDS = [
    {"name": "acme-events.com", "type": "TXT", "ttl": 3600,
     "values": ["v=spf1 include:_spf.google.com include:_spf.spotme.com -all", "mandrill_verify.AbC123"]},
    {"name": "_dmarc.acme-events.com", "type": "TXT", "ttl": 3600,
     "values": ["v=DMARC1; p=none; rua=mailto:dmarc@acme-events.com;"]},
    # _domainkey children in label order: "mte1" < "mte2" < "tok1..."
    {"name": "mte1._domainkey.acme-events.com", "type": "CNAME", "ttl": 3600, "values": ["dkim1.mandrillapp.com"]},
    {"name": "mte2._domainkey.acme-events.com", "type": "CNAME", "ttl": 3600, "values": ["dkim2.mandrillapp.com"]},
    *({"name": f"{t}._domainkey.acme-events.com", "type": "CNAME", "ttl": 3600,
       "values": [f"{t}.dkim.amazonses.com"]} for t in TOKENS),
]  # fmt: skip


# --------------------------------------------------------------------------- static checks


def test_modules_have_the_standard_files() -> None:
    """Each module has main, variables, outputs, versions and a README; the index lists them."""
    for name in MODULE_NAMES:
        for file in ("main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md"):
            assert (MODULES / name / file).is_file(), f"{name}/{file} is missing"
    index = (MODULES / "README.md").read_text(encoding="utf-8")
    for name in MODULE_NAMES:
        assert f"({name}/" in index, f"terraform/modules/README.md does not link {name}/"


def test_tf_files_are_terraform_fmt_clean(terraform_factory) -> None:
    """`terraform fmt -check` finds nothing to change in any module."""
    assert TF_FILES, "no .tf files under terraform/modules"
    assert terraform_factory(MODULES).fmt_check(".") == []


@pytest.mark.parametrize("path", TF_FILES, ids=[str(p.relative_to(MODULES)) for p in TF_FILES])
def test_tf_file_parses_with_python_hcl2(path: Path) -> None:
    """python-hcl2 reads every file (the generator and validate --tf rely on it)."""
    assert parse_tf(path)


# Language features and functions newer than Terraform 1.0, with the version that added them.
NEWER_THAN_1_0 = {
    r"\boptional\(": "optional() object attributes (1.3)",
    r"^\s*nullable\s*=": "nullable (1.1)",
    r"^\s*(pre|post)condition\s*\{": "pre/postconditions (1.2)",
    r"^\s*moved\s*\{": "moved blocks (1.1)",
    r"^\s*import\s*\{": "import blocks (1.5)",
    r"^\s*check\s+\"": "check blocks (1.5)",
    r"^\s*removed\s*\{": "removed blocks (1.7)",
    r"\bterraform_data\b": "terraform_data (1.4)",
    r"\b(startswith|endswith)\(": "startswith/endswith (1.3)",
    r"\bstrcontains\(": "strcontains (1.5)",
    r"\btimecmp\(": "timecmp (1.3)",
    r"\bplantimestamp\(": "plantimestamp (1.5)",
    r"\btemplatestring\(": "templatestring (1.9)",
    r"\bissensitive\(": "issensitive (1.8)",
    r"\bephemeral": "ephemeral values (1.10)",
}


@pytest.mark.parametrize("path", TF_FILES, ids=[str(p.relative_to(MODULES)) for p in TF_FILES])
def test_tf_file_uses_nothing_newer_than_terraform_1_0(path: Path) -> None:
    """The modules promise Terraform >= 1.0 and OpenTofu: no newer syntax or functions."""
    code = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines() if not line.lstrip().startswith("#"))
    found = [what for pattern, what in NEWER_THAN_1_0.items() if re.search(pattern, code, re.M)]
    assert not found, f"{path.relative_to(MODULES)} uses {', '.join(found)}"


@pytest.mark.parametrize("module", MODULE_NAMES)
def test_versions_tf_pins_terraform_and_providers(module: str) -> None:
    """required_version ">= 1.0"; aws ">= 4.0" and cloudflare ">= 5.0" where used."""
    (terraform,) = parse_tf(MODULES / module / "versions.tf")["terraform"]
    assert terraform["required_version"] == '">= 1.0"'
    providers = {}
    for entry in terraform.get("required_providers", []):
        providers.update({k: v for k, v in entry.items() if not k.startswith("__")})
    expected = {
        "route53": {"aws": {"source": '"hashicorp/aws"', "version": '">= 4.0"'}},
        "cloudflare": {"cloudflare": {"source": '"cloudflare/cloudflare"', "version": '">= 5.0"'}},
        "rfc2136": {"dns": {"source": '"hashicorp/dns"', "version": '">= 3.0"'}},
        "google": {"google": {"source": '"hashicorp/google"', "version": '">= 4.0"'}},
        "azure": {"azurerm": {"source": '"hashicorp/azurerm"', "version": '">= 3.0"'}},
    }.get(module, {})
    assert providers == expected


@pytest.mark.parametrize("module", MODULE_NAMES)
def test_variables_are_typed_and_validation_messages_are_sentences(module: str) -> None:
    """Every input has a type and a description; messages are literal sentences (1.0 rule)."""
    for name, body in blocks(parse_tf(MODULES / module / "variables.tf"), "variable").items():
        assert "type" in body, f"{module}: variable {name} has no type"
        assert body.get("description"), f"{module}: variable {name} has no description"
        for rule in body.get("validation", []):
            message = rule["error_message"]
            assert re.fullmatch(r'"[A-Z].*[.?]"', message), f"{module}: {name}: {message}"
            assert "${" not in message and "%{" not in message, f"{module}: {name}: not a literal"


@pytest.mark.parametrize("module", WRAPPERS)
def test_wrapper_inputs_are_the_core_inputs(module: str) -> None:
    """Wrappers declare core's inputs alike (type, default, description) with at least its
    validations, so bad values are reported against the wrapper's call."""
    core = blocks(parse_tf(MODULES / "core" / "variables.tf"), "variable")
    wrapper = blocks(parse_tf(MODULES / module / "variables.tf"), "variable")
    for name, body in core.items():
        assert name in wrapper, f"{module} lacks input {name}"
        for key in ("type", "default", "description"):
            assert wrapper[name].get(key) == body.get(key), f"{module}.{name}: {key} differs from core"
        rules = [(r["condition"], r["error_message"]) for r in wrapper[name].get("validation", [])]
        for rule in body.get("validation", []):
            assert (rule["condition"], rule["error_message"]) in rules, f"{module}.{name}: core validation missing"
    call = blocks(parse_tf(MODULES / module / "main.tf"), "module")["core"]
    assert attributes(call) - {"source"} == set(core), f"{module} does not pass every input to core"


@pytest.mark.parametrize("module", MODULE_NAMES)
def test_readme_documents_every_input_and_output(module: str) -> None:
    """The README's tables name every variable and output."""
    readme = (MODULES / module / "README.md").read_text(encoding="utf-8")
    names = set(blocks(parse_tf(MODULES / module / "variables.tf"), "variable"))
    names |= set(blocks(parse_tf(MODULES / module / "outputs.tf"), "output"))
    missing = sorted(n for n in names if f"| `{n}` |" not in readme)
    assert not missing, f"{module}/README.md has no table row for {missing}"


# cloudflare/terraform-provider-cloudflare v5 `cloudflare_dns_record` arguments, from the
# Required and Optional lists of docs/resources/dns_record.md (copy in
# tests/data/provider-docs/v5-dns_record.md, commit a2efdc57).
CLOUDFLARE_DNS_RECORD_V5_ARGS = {
    "name", "ttl", "type",  # required
    "comment", "content", "data", "priority", "private_routing", "proxied", "settings", "tags", "zone_id",
}  # fmt: skip
CLOUDFLARE_DNS_RECORD_V5_REQUIRED = {"name", "ttl", "type", "zone_id"}
# v5 `cloudflare_zone` data source arguments (docs/data-sources/zone.md at commit 0a5b0342):
# `filter` (name, account, direction, match, order, status) and `zone_id`; the ID is `id`.
CLOUDFLARE_ZONE_V5_ARGS = {"filter", "zone_id"}
CLOUDFLARE_ZONE_V5_FILTER = {"account", "direction", "match", "name", "order", "status"}
META_ARGUMENTS = {"count", "for_each", "provider", "depends_on", "lifecycle"}


def documented_arguments(markdown: str) -> set[str]:
    """Argument names in the `### Required` and `### Optional` lists of a tfplugindocs page."""
    names: set[str] = set()
    section = None
    for line in markdown.splitlines():
        if line.startswith("### "):
            section = line[4:].strip()
        elif line.startswith("## "):
            section = None
        elif section in ("Required", "Optional") and (m := re.match(r"- `([a-z_0-9]+)` \(", line)):
            names.add(m.group(1))
    return names


def test_cloudflare_dns_record_attributes_are_in_the_v5_schema() -> None:
    """cloudflare_dns_record uses only v5 arguments (no v4 `value`/`allow_overwrite`),
    sets the required ones, and is never proxied."""
    # the hard-coded set is a faithful copy of the stored docs
    doc = reference_dir() / "provider-docs" / "v5-dns_record.md"
    assert documented_arguments(doc.read_text(encoding="utf-8")) == CLOUDFLARE_DNS_RECORD_V5_ARGS
    doc = parse_tf(MODULES / "cloudflare" / "main.tf")
    resources = labelled(doc, "resource")
    assert set(resources) == {("cloudflare_dns_record", "this")}
    body = resources[("cloudflare_dns_record", "this")]
    used = attributes(body) - META_ARGUMENTS
    assert used <= CLOUDFLARE_DNS_RECORD_V5_ARGS, f"not in the v5 schema: {used - CLOUDFLARE_DNS_RECORD_V5_ARGS}"
    assert CLOUDFLARE_DNS_RECORD_V5_REQUIRED <= used
    assert body["proxied"] is False
    data = labelled(doc, "data")
    assert set(data) == {("cloudflare_zone", "this")}
    zone = data[("cloudflare_zone", "this")]
    assert attributes(zone) - META_ARGUMENTS <= CLOUDFLARE_ZONE_V5_ARGS
    assert isinstance(zone["filter"], dict) and "__is_block__" not in zone["filter"], "v5 filter is an attribute"
    assert attributes(zone["filter"]) <= CLOUDFLARE_ZONE_V5_FILTER


# hashicorp/aws 5.100.0 `aws_route53_record` arguments (terraform providers schema -json; copy
# in tests/data/aws-provider-5.100.0-schemas.json).
AWS_ROUTE53_RECORD_ARGS = {
    "allow_overwrite", "health_check_id", "id", "multivalue_answer_routing_policy", "name",
    "records", "set_identifier", "ttl", "type", "zone_id",
}  # fmt: skip


def test_route53_record_attributes_are_in_the_aws_schema() -> None:
    """aws_route53_record uses only arguments of the aws provider's schema."""
    body = labelled(parse_tf(MODULES / "route53" / "main.tf"), "resource")[("aws_route53_record", "this")]
    assert attributes(body) - META_ARGUMENTS <= AWS_ROUTE53_RECORD_ARGS
    assert {"zone_id", "name", "type", "ttl", "records"} <= attributes(body)


# --------------------------------------------------------------------------- generic: one apply


@dataclass
class GenericRun:
    inputs: dict[str, DomainInput]
    outputs: dict[str, Any]
    seed: int

    def failure(self, name: str, what: str) -> str:
        return (
            f"{name} ({what}); SPOTME_HYPOTHESIS_SEED={self.seed} reproduces the set. Module call:\n"
            + module_block(name, "...", self.inputs[name].args)
        )


@pytest.fixture(scope="module")
def generic_run(module_terraform_factory) -> GenericRun:
    """Every example as its own module call in ONE root: one init, one apply, one output."""
    rng_seed = int(os.environ.get("SPOTME_HYPOTHESIS_SEED") or random.randrange(2**32))
    inputs = dict(FIXED_INPUTS)
    inputs.update({f"gen{i:02d}": example for i, example in enumerate(generated_inputs(N_GENERATED, rng_seed))})
    tf: Terraform = module_terraform_factory()
    source = module_source(tf.workdir, "generic")
    parts = ['terraform {\n  required_version = ">= 1.0"\n}\n']
    for name, example in inputs.items():
        parts.append(module_block(name, source, example.args))
        parts.append(
            f'output "{name}" {{\n  value = {{\n    records   = module.{name}.records\n'
            f"    zone_file = module.{name}.zone_file\n    table     = module.{name}.table\n  }}\n}}\n"
        )
        # core directly, for what the cloudflare module consumes (no provider to apply that).
        parts.append(module_block(f"{name}_core", module_source(tf.workdir, "core"), example.args))
        parts.append(
            f'output "{name}_core" {{\n  value = {{\n    record_values    = module.{name}_core.record_values\n'
            f"    txt_presentation = module.{name}_core.txt_presentation\n    spf              = module.{name}_core.spf\n"
            f"    dmarc            = module.{name}_core.dmarc\n  }}\n}}\n"
        )
    (tf.workdir / "main.tf").write_text("\n".join(parts), encoding="utf-8")
    tf.init()
    tf.apply()
    return GenericRun(inputs, tf.outputs(), rng_seed)


def test_generic_records_equal_the_python_record_model(generic_run: GenericRun) -> None:
    """For every example, output `records` == spotme_dns.records.build_records(spec)."""
    failures = []
    for name, example in generic_run.inputs.items():
        got = generic_run.outputs[name]["records"]
        want = example.expected_records()
        if got != want:
            failures.append(generic_run.failure(name, f"records differ:\n got {json.dumps(got, ensure_ascii=False)}\nwant {json.dumps(want, ensure_ascii=False)}"))
    assert not failures, "\n\n".join(failures)


def test_generic_design_example_literal(generic_run: GenericRun) -> None:
    """The docs/design.md example comes out exactly as written down here by hand."""
    assert generic_run.outputs["design"]["records"] == DESIGN_RECORDS


def _zone_rrsets(text: str, origin: str) -> dict[tuple[str, str], tuple[int, list[Any]]]:
    zone = dns.zone.from_text(text, origin=origin + ".", relativize=False, check_origin=False)
    out = {}
    for name, node in zone.nodes.items():
        for rdataset in node.rdatasets:
            out[(name.to_text(omit_final_dot=True), dns.rdatatype.to_text(rdataset.rdtype))] = (rdataset.ttl, list(rdataset))
    return out


def test_generic_zone_file_holds_the_records(generic_run: GenericRun) -> None:
    """zone_file parses as a zone (dnspython); TXT strings <= 255 octets, joined = the value."""
    failures = []
    for name, example in generic_run.inputs.items():
        text = generic_run.outputs[name]["zone_file"]
        expected = example.expected_records()
        domain = expected[0]["name"]
        try:
            rrsets = _zone_rrsets(text, domain)
        except Exception as err:  # the failure message shows the text that did not parse
            failures.append(generic_run.failure(name, f"zone file does not parse: {err}\n{text}"))
            continue
        lines = [line for line in text.splitlines() if line]
        if len(lines) != sum(len(r["values"]) for r in expected) or not text.endswith("\n"):
            failures.append(generic_run.failure(name, f"one line per value expected:\n{text}"))
        for record in expected:
            ttl, rdatas = rrsets.get((record["name"], record["type"]), (None, []))
            if record["type"] == "TXT":
                strings = sorted(tuple(rd.strings) for rd in rdatas)
                want = sorted(tuple(c.encode() for c in expected_chunks(v)) for v in record["values"])
                too_long = [s for rd in rdatas for s in rd.strings if len(s) > 255]
            else:
                strings = [rd.target.to_text(omit_final_dot=True) for rd in rdatas]
                want, too_long = record["values"], []
            if ttl != record["ttl"] or strings != want or too_long:
                failures.append(generic_run.failure(name, f"{record['name']} {record['type']}: got {ttl} {strings}, want {want}"))
    assert not failures, "\n\n".join(failures)


def test_core_record_values_have_one_stable_key_per_value(generic_run: GenericRun) -> None:
    """record_values (the cloudflare module's for_each): one entry per value, keyed
    "<name> <type> <id>", SPF/DMARC/verification under fixed keys; spf and dmarc outputs."""
    failures = []
    for name, example in generic_run.inputs.items():
        core = generic_run.outputs[f"{name}_core"]
        expected = example.expected_records()
        domain = expected[0]["name"]
        entries = core["record_values"]
        got = sorted((e["name"], e["type"], e["ttl"], e["value"]) for e in entries.values())
        want = sorted((r["name"], r["type"], r["ttl"], v) for r in expected for v in r["values"])
        bad_keys = [k for k, e in entries.items() if k != e["key"] or not k.startswith(f"{e['name']} {e['type']} ")]
        apex_txt = next(r for r in expected if r["name"] == domain and r["type"] == "TXT")["values"]
        dmarc = next(r for r in expected if r["name"] == f"_dmarc.{domain}")["values"][0]
        fixed = {
            f"{domain} TXT spf": apex_txt[0],
            f"{domain} TXT mandrill-verify": apex_txt[1],
            f"_dmarc.{domain} TXT dmarc": dmarc,
        }
        fixed_got = {k: entries.get(k, {}).get("value") for k in fixed}
        if got != want or bad_keys or fixed_got != fixed or core["spf"] != apex_txt[0] or core["dmarc"] != dmarc:
            failures.append(generic_run.failure(name, f"record_values: {json.dumps(entries, ensure_ascii=False)}"))
    assert not failures, "\n\n".join(failures)


def test_core_txt_presentation_is_quoted_chunks(generic_run: GenericRun) -> None:
    """txt_presentation (zone file data, Cloudflare content): every TXT value as quoted,
    escaped character-strings of at most 255 octets that join back to the value."""
    failures = []
    for name, example in generic_run.inputs.items():
        presentation = generic_run.outputs[f"{name}_core"]["txt_presentation"]
        values = {v for r in example.expected_records() if r["type"] == "TXT" for v in r["values"]}
        if set(presentation) != values:
            failures.append(generic_run.failure(name, f"txt_presentation keys {sorted(presentation)}"))
            continue
        for value, text in presentation.items():
            strings = txt_strings(text)
            if strings != [c.encode() for c in expected_chunks(value)] or any(len(s) > 255 for s in strings):
                failures.append(generic_run.failure(name, f"{value!r} presented as {text!r}"))
    assert not failures, "\n\n".join(failures)


def _table_cell(value: str) -> str:
    escaped = value.replace("|", "\\|")
    return f"`` {escaped} ``" if "`" in value else f"`{escaped}`"


def test_generic_table_lists_every_value(generic_run: GenericRun) -> None:
    """table: a Markdown table, one row per value, host relative to the zone (the domain)."""
    failures = []
    for name, example in generic_run.inputs.items():
        expected = example.expected_records()
        domain = expected[0]["name"]
        rows = ["| Name | Host | Type | TTL | Value |", "| --- | --- | --- | --- | --- |"]
        for record in expected:
            host = "@" if record["name"] == domain else record["name"].removesuffix("." + domain)
            for value in record["values"]:
                rows.append(f"| {record['name']} | {host} | {record['type']} | {record['ttl']} | {_table_cell(value)} |")
        want = "\n".join(rows) + "\n"
        got = generic_run.outputs[name]["table"]
        if got != want:
            failures.append(generic_run.failure(name, f"table differs:\n{got}\n---- want ----\n{want}"))
    assert not failures, "\n\n".join(failures)


# --------------------------------------------------------------------------- bad inputs


BAD_INPUTS: dict[str, tuple[str, dict[str, Any], str]] = {
    # name: (module, arguments replacing the valid ones, part of the expected message)
    "two_tokens": ("generic", {"ses_dkim_tokens": TOKENS[:2]}, "must be exactly 3 distinct"),
    "same_token": ("core", {"ses_dkim_tokens": [TOKENS[0], TOKENS[0].upper(), TOKENS[1]]}, "must be exactly 3 distinct"),
    "short_token": ("core", {"ses_dkim_tokens": ["abc", *TOKENS[1:]]}, "16 to 64 characters"),
    "ttl_low": ("generic", {"ttl": 59}, "from 60 to 86400"),
    "ttl_high": ("core", {"ttl": 86401}, "from 60 to 86400"),
    "ttl_fraction": ("core", {"ttl": 60.5}, "whole number"),
    "policy": ("generic", {"dmarc_policy": "block"}, 'one of "none", "quarantine" or "reject"'),
    "all_pass": ("generic", {"spf_all": "+all"}, 'one of "-all", "~all" or "?all"'),
    "second_spf": ("generic", {"extra_txt": ["v=spf1 -all"]}, "into spf_keep"),
    "control_char": ("core", {"extra_txt": ["a\tb"]}, "without control characters"),
    "keep_all": ("core", {"spf_keep": ["~all"]}, "an \"all\" term"),
    "keep_two_terms": ("core", {"spf_keep": ["include:a.test include:b.test"]}, "no spaces"),
    "keep_redirect": ("core", {"spf_keep": ["redirect=_spf.acme.test"]}, "redirect="),
    "domain_spaces": ("generic", {"domain": "acme events.com"}, "must be a DNS name"),
    "domain_one_label": ("core", {"domain": "localhost"}, "at least two labels"),
    "domain_unicode": ("core", {"domain": "bücher.example"}, "punycode"),
    "mandrill_prefix_only": ("core", {"mandrill_verification": "mandrill_verify."}, "mandrill_verification must be"),
    "rua_semicolon": ("core", {"dmarc_rua": ["mailto:a@acme.test;p=reject"]}, "without spaces, commas or semicolons"),
    "dmarc_tag_policy": ("generic", {"dmarc_tags": ["p=reject"]}, "not v, p, rua or ruf"),
    "dmarc_tag_no_value": ("core", {"dmarc_tags": ["sp"]}, "one tag=value pair"),
    "zone_name": ("generic", {"zone_name": "not a zone"}, "zone_name must be null or a DNS name"),
}
VALID_ARGS = {"domain": "acme.test", "ses_dkim_tokens": TOKENS, "mandrill_verification": "AbC123"}


def write_bad_root(tf: Terraform, cases: dict[str, tuple[str, dict[str, Any], str]]) -> None:
    """A root calling the module of each case once, with the case's bad arguments."""
    parts = [
        module_block(name, module_source(tf.workdir, module), {**VALID_ARGS, **args})
        for name, (module, args, _) in cases.items()
    ]
    (tf.workdir / "main.tf").write_text("\n".join(parts), encoding="utf-8")


def validate_diagnostics(tf: Terraform) -> dict[str, list[str]]:
    """`terraform validate -json`: each error's detail, by the module call it points at."""
    result = json.loads(tf.run("validate", "-json", ok_codes=(0, 1)).stdout)
    by_module: dict[str, list[str]] = {}
    for diagnostic in result["diagnostics"]:
        context = diagnostic.get("snippet", {}).get("context") or ""
        match = re.fullmatch(r'module "([^"]+)"', context)
        key = match.group(1) if match else "?"
        by_module.setdefault(key, []).append(" ".join(diagnostic.get("detail", "").split()))
    return by_module


@pytest.fixture(scope="module")
def bad_input_diagnostics(module_terraform_factory) -> dict[str, list[str]]:
    """One root calling core/generic once per bad input; `terraform validate -json` once."""
    tf: Terraform = module_terraform_factory()
    write_bad_root(tf, BAD_INPUTS)
    tf.init()
    return validate_diagnostics(tf)


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_is_refused_with_a_message_naming_what_is_allowed(case: str, bad_input_diagnostics) -> None:
    """Each bad value fails `terraform validate` with its validation message."""
    expected = BAD_INPUTS[case][2]
    messages = bad_input_diagnostics.get(case, [])
    assert any(expected in m for m in messages), f"{case}: {messages or 'no error'}; all: {bad_input_diagnostics}"


# --------------------------------------------------------------------------- route53 against moto


ZONE = "acme.test"
EXISTING_APEX_TXT = "google-site-verification=abc123"
LONG_TXT = "".join(chr(ord("a") + i % 26) for i in range(600))
ROUTE53_INPUTS = {
    # At the zone apex, found by zone_id; takes over the existing apex TXT set, keeping the
    # customer's value through extra_txt.
    "apex": DomainInput(
        {
            "domain": ZONE,
            "ses_dkim_tokens": TOKENS,
            "mandrill_verification": "mandrill_verify.ApexKey1",
            "spf_keep": ["include:_spf.google.com", "ip4:192.0.2.0/24"],
            "extra_txt": [EXISTING_APEX_TXT, 'say "hi" \\o/ ${x} %{y}'],
            "dmarc_rua": ["mailto:dmarc@acme.test"],
        }
    ),
    # Below the apex, zone looked up by name; a 600-character TXT value (three strings).
    "sub": DomainInput(
        {
            "domain": f"mail.{ZONE}",
            "ses_dkim_tokens": ["sub1" + "d" * 28, "sub2" + "e" * 28, "sub3" + "f" * 28],
            "mandrill_verification": "SubKey22",
            "dmarc_policy": "reject",
            "dmarc_ruf": ["forensic@acme.test"],
            "dmarc_tags": ["sp=quarantine", "adkim=s"],
            "extra_txt": [LONG_TXT],
            "spf_all": "~all",
            "ttl": 300,
        }
    ),
}
ROUTE53_EXTRA_ARGS = {"apex": {"allow_overwrite": True}, "sub": {"zone_name": ZONE}}
ROUTE53_BAD_INPUTS: dict[str, tuple[str, dict[str, Any], str]] = {
    "non_ascii_txt": ("route53", {"extra_txt": ["café"]}, "must be printable ASCII"),
    "zone_id": ("route53", {"zone_id": "not a zone"}, "Route 53 hosted zone ID"),
    "ttl": ("route53", {"ttl": 10}, "from 60 to 86400"),
}


@dataclass
class Route53Run:
    zone_id: str
    planned: dict[str, Any]
    outputs: dict[str, Any]
    rrsets: list[dict[str, Any]]
    changes_after_apply: bool
    bad_input_diagnostics: dict[str, list[str]]


def _all_rrsets(client: Any, zone_id: str) -> list[dict[str, Any]]:
    paginator = client.get_paginator("list_resource_record_sets")
    return [rr for page in paginator.paginate(HostedZoneId=zone_id) for rr in page["ResourceRecordSets"]]


@pytest.fixture(scope="module")
def route53_run(moto_server: str, tf_aws_mirror: Path, module_terraform_factory) -> Iterator[Route53Run]:
    """The route53 module for two domains of one zone: init, plan, validate + show + apply,
    re-plan; and, during the apply's wait, `validate` of a root with bad route53 inputs."""
    reset_moto(moto_server)
    route53 = aws_client(moto_server, "route53")
    zone_id = route53.create_hosted_zone(Name=ZONE, CallerReference="spotme-dns-tests")["HostedZone"]["Id"].split("/")[-1]
    # The customer's data: an apex TXT set and an unrelated record, both must survive.
    route53.change_resource_record_sets(
        HostedZoneId=zone_id,
        ChangeBatch={
            "Changes": [
                {"Action": "CREATE", "ResourceRecordSet": {"Name": ZONE, "Type": "TXT", "TTL": 300,
                                                           "ResourceRecords": [{"Value": f'"{EXISTING_APEX_TXT}"'}]}},
                {"Action": "CREATE", "ResourceRecordSet": {"Name": f"www.{ZONE}", "Type": "A", "TTL": 300,
                                                           "ResourceRecords": [{"Value": "192.0.2.10"}]}},
            ]
        },
    )  # fmt: skip
    tf: Terraform = module_terraform_factory(env=aws_provider_env(moto_server))
    source = module_source(tf.workdir, "route53")
    parts = [
        'terraform {\n  required_version = ">= 1.0"\n\n  required_providers {\n    aws = {\n'
        '      source = "hashicorp/aws"\n    }\n  }\n}\n',
        # The whole provider configuration moto needs: the endpoint and keys come from the
        # environment (tests.support.aws.aws_provider_env).
        'provider "aws" {\n  region = "us-east-1"\n}\n',
    ]
    for name, example in ROUTE53_INPUTS.items():
        extra = dict(ROUTE53_EXTRA_ARGS[name])
        if name == "apex":
            extra["zone_id"] = zone_id
        parts.append(module_block(name, source, {**example.args, **extra}))
        parts.append(
            f'output "{name}" {{\n  value = {{\n    records = module.{name}.records\n'
            f"    fqdns   = module.{name}.fqdns\n    zone_id = module.{name}.zone_id\n  }}\n}}\n"
        )
    (tf.workdir / "main.tf").write_text("\n".join(parts), encoding="utf-8")
    bad = module_terraform_factory(env=aws_provider_env(moto_server))
    write_bad_root(bad, ROUTE53_BAD_INPUTS)
    tf.init()
    bad.init()
    planfile = tf.plan("tfplan", "-parallelism=32")
    # The provider waits a fixed 15 s after each change before asking Route 53 whether it is
    # INSYNC (moto says so at once): with every record set in parallel that is one wait, and
    # `validate` and `show -json` (both read-only, each starting the slow aws provider) run
    # during it instead of before it.
    with ThreadPoolExecutor(max_workers=4) as pool:
        applying = pool.submit(tf.apply, True, "-parallelism=32", planfile=planfile)
        validating = pool.submit(tf.validate)
        showing = pool.submit(tf.show_json, planfile)
        refusing = pool.submit(validate_diagnostics, bad)
        validating.result()
        planned = showing.result()
        bad_input_diagnostics = refusing.result()
        applying.result()
    yield Route53Run(
        zone_id=zone_id,
        planned=planned,
        outputs=tf.outputs(),
        rrsets=_all_rrsets(route53, zone_id),
        changes_after_apply=tf.plan_has_changes("-parallelism=32"),
        bad_input_diagnostics=bad_input_diagnostics,
    )
    reset_moto(moto_server)


def test_route53_plan_has_one_resource_per_record_set(route53_run: Route53Run) -> None:
    """Plan: one aws_route53_record per (name, type), keyed "<name> <type>", all created."""
    created = {
        rc["address"]
        for rc in route53_run.planned["resource_changes"]
        if rc["mode"] == "managed" and rc["change"]["actions"] == ["create"]
    }
    want = {
        f'module.{name}.aws_route53_record.this["{r["name"]} {r["type"]}"]'
        for name, example in ROUTE53_INPUTS.items()
        for r in example.expected_records()
    }
    assert created == want
    lookups = {rc["address"] for rc in route53_run.planned["resource_changes"] if rc["mode"] == "data"}
    assert lookups <= {"module.sub.data.aws_route53_zone.this[0]"}


def test_route53_records_read_back_equal_the_model(route53_run: Route53Run) -> None:
    """boto3 reads back exactly the expected record sets; TXT values split at 255 octets."""
    live = {(rr["Name"].rstrip("."), rr["Type"]): rr for rr in route53_run.rrsets}
    for example in ROUTE53_INPUTS.values():
        for record in example.expected_records():
            rrset = live.get((record["name"], record["type"]))
            assert rrset is not None, f"{record['name']} {record['type']} not in Route 53"
            assert rrset["TTL"] == record["ttl"]
            values = [rr["Value"] for rr in rrset["ResourceRecords"]]
            if record["type"] == "TXT":
                strings = [txt_strings(v) for v in values]
                assert all(len(s) <= 255 for parts in strings for s in parts), values
                got = sorted(b"".join(parts).decode() for parts in strings)
                assert sorted(got) == sorted(record["values"])
                assert sorted(strings) == sorted([c.encode() for c in expected_chunks(v)] for v in record["values"])
            else:
                assert values == record["values"]


def test_route53_long_txt_is_three_strings(route53_run: Route53Run) -> None:
    """The 600-character value is stored as "255""255""90" (provider's \\"\\" form)."""
    (rrset,) = [rr for rr in route53_run.rrsets if rr["Name"] == f"mail.{ZONE}." and rr["Type"] == "TXT"]
    (value,) = [rr["Value"] for rr in rrset["ResourceRecords"] if LONG_TXT[:10] in rr["Value"]]
    assert [len(s) for s in txt_strings(value)] == [255, 255, 90]
    assert value == '"' + '""'.join([LONG_TXT[:255], LONG_TXT[255:510], LONG_TXT[510:]]) + '"'


def test_route53_keeps_the_customers_data(route53_run: Route53Run) -> None:
    """The existing apex TXT value survives the takeover (via extra_txt); other records untouched."""
    live = {(rr["Name"].rstrip("."), rr["Type"]): rr for rr in route53_run.rrsets}
    apex = [b"".join(txt_strings(rr["Value"])).decode() for rr in live[(ZONE, "TXT")]["ResourceRecords"]]
    assert EXISTING_APEX_TXT in apex
    assert 'say "hi" \\o/ ${x} %{y}' in apex
    assert [rr["Value"] for rr in live[(f"www.{ZONE}", "A")]["ResourceRecords"]] == ["192.0.2.10"]
    assert (ZONE, "NS") in live and (ZONE, "SOA") in live
    expected = {(r["name"], r["type"]) for e in ROUTE53_INPUTS.values() for r in e.expected_records()}
    assert set(live) == expected | {(ZONE, "NS"), (ZONE, "SOA"), (f"www.{ZONE}", "A")}


def test_route53_outputs(route53_run: Route53Run) -> None:
    """Outputs: records as the model, fqdns per record set, the zone found by name."""
    for name, example in ROUTE53_INPUTS.items():
        out = route53_run.outputs[name]
        assert out["records"] == example.expected_records()
        assert out["zone_id"] == route53_run.zone_id
        assert out["fqdns"] == {f"{r['name']} {r['type']}": r["name"] for r in example.expected_records()}


def test_route53_second_plan_has_no_changes(route53_run: Route53Run) -> None:
    """Re-planning after apply finds no drift: quoting and splitting read back identically."""
    assert route53_run.changes_after_apply is False


@pytest.mark.parametrize("case", list(ROUTE53_BAD_INPUTS))
def test_route53_bad_input_is_refused(case: str, route53_run: Route53Run) -> None:
    """route53's own checks: printable-ASCII TXT, zone ID format (and core's, repeated)."""
    expected = ROUTE53_BAD_INPUTS[case][2]
    messages = route53_run.bad_input_diagnostics.get(case, [])
    assert any(expected in m for m in messages), f"{case}: {messages or 'no error'}"
