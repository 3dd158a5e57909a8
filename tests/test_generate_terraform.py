"""Generated Terraform against real Terraform: fmt, python-hcl2, provider-free apply, Route 53 on moto,
and every provider attribute against the provider's documented schema."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import hcl2
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spotme_dns.cli import cli
from spotme_dns.records import build_records
from spotme_dns.spec import load_spec
from tests.support.aws import aws_client, aws_provider_env, reset_moto
from tests.support.reference import reference_dir
from tests.support.terraform import Terraform

REPO = Path(__file__).resolve().parents[1]
TOKENS = ["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2", "ccccccccccccccccccccccccccccccc3"]
LONG_TXT = "long-value=" + "0123456789abcdef" * 20  # 331 octets: two character-strings


def generate(spec_text: str, base: Path, *extra: str) -> Path:
    """Write `spec_text` and run `spotme-dns generate` on it; return the output directory."""
    base.mkdir(parents=True, exist_ok=True)
    spec = base / "spec.yaml"
    spec.write_text(spec_text, encoding="utf-8")
    out = base / "out"
    result = CliRunner().invoke(cli, ["generate", str(spec), "-o", str(out), "--quiet", *extra])
    assert result.exit_code == 0, result.output
    return out


def expected_records(spec_path: Path, *, zone: bool = False) -> dict[str, list[dict]]:
    """The Python record set of every domain, shaped like the `records` output (with `zone`:
    each object names its zone, as a generated generic root writes them)."""
    return {
        d.domain: [
            {"name": r.name, "type": r.type.value, "ttl": r.ttl, "values": list(r.texts), **({"zone": d.zone} if zone else {})}
            for r in build_records(d).records
        ]
        for d in load_spec([str(spec_path)]).domains
    }


def domain_entry(domain: str, provider: str, **extra) -> dict:
    return {
        "domain": domain,
        "provider": provider,
        "ses": {"dkim_tokens": list(TOKENS)},
        "mandrill": {"verification": "mandrill_verify.AbCdEf123"},
        **extra,
    }


RICH_SPEC = yaml.safe_dump(
    {
        "version": 1,
        "domains": [
            domain_entry("acme.test", "route53", keep_txt=[LONG_TXT, 'q"uote \\ ${x} %{y} é']),
            domain_entry("mail.acme.test", "route53", zone="acme.test", zone_id="Z0123456789ABCDEFGHIJ"),
            domain_entry("cf.example", "cloudflare", zone_id="0123456789abcdef0123456789abcdef", keep_txt=["MS=1"]),
            domain_entry("bücher.example", "generic", keep_txt=['q"uote \\ ${x} %{y} é', LONG_TXT]),
        ],
    },
    allow_unicode=True,
    sort_keys=False,
)


# --- terraform fmt and python-hcl2 --------------------------------------------------------------


# The modules take printable ASCII only for Route 53 TXT values (they can not write \DDD escapes).
MODULE_SPEC = RICH_SPEC.replace(" é", " e")


@pytest.mark.parametrize(("style", "spec"), [("plain", RICH_SPEC), ("module", MODULE_SPEC)], ids=["plain", "module"])
def test_generated_tf_is_fmt_clean_and_parses(style: str, spec: str, tmp_path: Path, terraform_factory) -> None:
    """Every generated .tf passes `terraform fmt -check` and parses with python-hcl2 (both styles, all providers)."""
    out = generate(spec, tmp_path, "--style", style)
    files = sorted(out.rglob("*.tf"))
    assert len(files) >= 13  # 5 root files, main.tf and outputs.tf per domain
    assert terraform_factory(out).fmt_check() == []
    for path in files:
        hcl2.loads(path.read_text(encoding="utf-8"))


def test_examples_are_fmt_clean(terraform_factory) -> None:
    """The committed examples' Terraform passes `terraform fmt -check` too."""
    assert terraform_factory(REPO / "examples").fmt_check() == []


# --- generic output applied by a real terraform (no provider at all) -------------------------------

# Text that HCL, YAML and JSON all treat specially, plus non-ASCII (NFC).
_PIECES = st.sampled_from(['"', "\\", "${", "%{", "$${", "%%{", "$", "%", "{", "}", "é", "☕", "日本", " ", "\\n", "'", "#", ":"])
_WORDS = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=6)
_TEXT = st.lists(st.one_of(_PIECES, _WORDS), min_size=1, max_size=10).map("".join)
_TXT_VALUE = st.one_of(_TEXT, _TEXT.map(lambda t: t + "x" * 260)).filter(
    lambda t: t.strip() and not t.strip().lower().startswith("v=spf1")
)
# A mailto local part is URI text (RFC 3986): '"', '\\', '{', '}', '^', '|' and '%' only percent-encoded.
_LOCAL = st.lists(
    st.one_of(st.sampled_from(list("abcxyz019$.+-_=~*&")), st.sampled_from(["%25", "%22", "%5C", "%7B", "%7D", "%24%7B"])),
    min_size=1, max_size=12,
).map("".join)
_LABEL = st.one_of(st.from_regex(r"[a-z][a-z0-9]{0,8}", fullmatch=True), st.sampled_from(["bücher", "münchen", "日本語"]))


@st.composite
def generic_domains(draw) -> list[dict]:
    """A few generic domains whose keep_txt and DMARC rua carry every kind of tricky text."""
    labels = draw(st.lists(_LABEL, min_size=1, max_size=6, unique=True))
    out = []
    for label in labels:
        tokens = draw(st.lists(st.from_regex(r"[a-z0-9]{16,32}", fullmatch=True), min_size=3, max_size=3, unique=True))
        entry = domain_entry(
            f"{label}.example",
            "generic",
            ses={"dkim_tokens": tokens},
            keep_txt=draw(st.lists(_TXT_VALUE, max_size=3)),
            ttl=draw(st.integers(60, 86400)),
            dmarc={"policy": draw(st.sampled_from(["none", "quarantine", "reject"])), "rua": [f"mailto:{draw(_LOCAL)}@reports.example"]},
        )
        out.append(entry)
    return out


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(domains=generic_domains())
def test_generic_apply_equals_python_records(domains: list[dict], terraform_bin: str, terraform_env: dict) -> None:
    """Generic output is fmt-clean, parses, and a plain `terraform init && apply` gives `records` equal to build_records."""
    with tempfile.TemporaryDirectory() as tmp:
        text = yaml.safe_dump({"version": 1, "domains": domains}, allow_unicode=True)
        out = generate(text, Path(tmp))
        tf = Terraform(out, terraform_env, binary=terraform_bin)
        assert tf.fmt_check() == []
        for path in out.rglob("*.tf"):
            hcl2.loads(path.read_text(encoding="utf-8"))
        tf.init()
        tf.apply()
        assert tf.outputs()["records"] == expected_records(Path(tmp) / "spec.yaml", zone=True)


def test_module_style_generic_apply_equals_python_records(tmp_path: Path, terraform_factory) -> None:
    """--style module with terraform/modules/generic evaluates to the same records as the Python model."""
    text = yaml.safe_dump(
        {
            "version": 1,
            "domains": [
                domain_entry(
                    "mail.acme.test",
                    "generic",
                    zone="acme.test",
                    ses={"dkim_tokens": list(TOKENS), "signing_zone": "dkim.eu-south-1.amazonses.com"},
                    mandrill={"verification": "AbCdEf123", "dkim": False},
                    spf={"keep": ["include:_spf.google.com", "ip4:192.0.2.0/24"], "all": "~all"},
                    dmarc={"policy": "reject", "rua": ["mailto:d@acme.test"], "ruf": ["mailto:f@acme.test"]},
                    keep_txt=["google-site-verification=abc", 'q"uote \\ ${x} %{y}'],
                    ttl=300,
                ),
                domain_entry("plain.example", "generic"),
            ],
        }
    )
    out = generate(text, tmp_path, "--style", "module")
    tf = terraform_factory(out)
    tf.init()
    tf.apply()
    assert tf.outputs()["records"] == expected_records(tmp_path / "spec.yaml", zone=True)


# --- Route 53: real terraform + hashicorp/aws from the mirror, against moto ----------------------

ROUTE53_SPEC = yaml.safe_dump(
    {
        "version": 1,
        "domains": [
            # At the apex of its hosted zone, with a >255-octet TXT value and characters to escape.
            domain_entry(
                "acme.test",
                "route53",
                keep_txt=["google-site-verification=abc", LONG_TXT, 'q"uote \\ ${x} %{y} é'],
                dmarc={"policy": "quarantine", "rua": ["mailto:dmarc@acme.test"]},
            ),
            # Below the apex of the same zone, with an SPF record over 255 octets.
            domain_entry(
                "mail.acme.test",
                "route53",
                zone="acme.test",
                ttl=300,
                spf={"keep": [f"ip4:192.0.2.{i}" for i in range(0, 200, 10)] + ["include:_spf.google.com"]},
            ),
        ],
    },
    allow_unicode=True,
    sort_keys=False,
)


def decode_presentation(value: str) -> str:
    """A Route 53 TXT value (`"a""b"` or `"a" "b"`) back to its logical text: `\\X`, and `\\DDD` a
    three-digit OCTAL code as Route 53 reads it (AWS docs, TXT), not RFC 1035's decimal."""
    strings: list[bytes] = []
    i = 0
    while i < len(value):
        if value[i] == " ":
            i += 1
            continue
        assert value[i] == '"', value
        i += 1
        data = bytearray()
        while value[i] != '"':
            if value[i] == "\\":
                if re.fullmatch(r"[0-3][0-7][0-7]", value[i + 1 : i + 4]):
                    data.append(int(value[i + 1 : i + 4], 8))
                    i += 4
                else:
                    data += value[i + 1].encode()
                    i += 2
            else:
                data += value[i].encode()
                i += 1
        strings.append(bytes(data))
        i += 1
    assert all(len(s) <= 255 for s in strings), [len(s) for s in strings]
    return b"".join(strings).decode("utf-8")


@pytest.fixture(scope="module")
def route53_run(moto_server: str, module_terraform_factory, tmp_path_factory):
    """One hosted zone in moto, the generated root applied once: plan JSON, record sets read back, terraform."""
    reset_moto(moto_server)
    route53 = aws_client(moto_server, "route53")
    zone_id = route53.create_hosted_zone(Name="acme.test", CallerReference="spotme-dns-generate")["HostedZone"]["Id"]
    base = tmp_path_factory.mktemp("route53")
    out = generate(ROUTE53_SPEC, base)
    tf = module_terraform_factory(workdir=out, env=aws_provider_env(moto_server))
    tf.init()
    tf.validate()
    planfile = tf.plan()
    plan = tf.show_json(planfile)
    tf.apply(planfile=planfile)
    rrsets = route53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    return {"tf": tf, "plan": plan, "rrsets": rrsets, "expected": expected_records(base / "spec.yaml")}


def test_route53_plan_only_creates(route53_run) -> None:
    """The plan creates one aws_route53_record per record set and changes nothing else."""
    changes = [c for c in route53_run["plan"]["resource_changes"] if c["mode"] == "managed"]
    assert {c["type"] for c in changes} == {"aws_route53_record"}
    assert all(c["change"]["actions"] == ["create"] for c in changes)
    assert len(changes) == sum(len(v) for v in route53_run["expected"].values())
    assert all(c["change"]["after"].get("allow_overwrite") in (None, False) for c in changes)


@pytest.mark.parametrize("domain", ["acme.test", "mail.acme.test"], ids=["zone-apex", "below-apex"])
def test_route53_records_read_back(route53_run, domain: str) -> None:
    """boto3 reads back exactly the expected record sets (names, types, TTLs, whole TXT values)."""
    live = {}
    for rr in route53_run["rrsets"]:
        if rr["Type"] in ("TXT", "CNAME"):
            values = [r["Value"] for r in rr["ResourceRecords"]]
            if rr["Type"] == "TXT":
                values = [decode_presentation(v) for v in values]
            live[(rr["Name"].rstrip("."), rr["Type"])] = (rr["TTL"], sorted(v.rstrip(".") for v in values))
    for record in route53_run["expected"][domain]:
        assert live[(record["name"], record["type"])] == (record["ttl"], sorted(record["values"])), record["name"]


def test_route53_long_value_is_split(route53_run) -> None:
    """The >255-octet values travel as several character-strings (`"..." "..."` on the wire)."""
    apex = next(rr for rr in route53_run["rrsets"] if rr["Name"] == "acme.test." and rr["Type"] == "TXT")
    raw = [r["Value"] for r in apex["ResourceRecords"] if LONG_TXT[:20] in r["Value"]]
    assert len(raw) == 1 and raw[0].count('"') == 4
    spf = next(rr for rr in route53_run["rrsets"] if rr["Name"] == "mail.acme.test." and rr["Type"] == "TXT")
    assert any(r["Value"].startswith('"v=spf1 ') and r["Value"].count('"') == 4 for r in spf["ResourceRecords"])


def test_route53_second_plan_is_empty(route53_run) -> None:
    """After apply, a new plan has nothing to change: the escaped values read back as written."""
    assert route53_run["tf"].plan_has_changes() is False


def test_route53_zone_id_literal_validates(tmp_path: Path, terraform_factory, moto_server: str) -> None:
    """A root naming its zone by a literal zone_id plans without a lookup, the literal in every record."""
    text = yaml.safe_dump({"version": 1, "domains": [domain_entry("acme.test", "route53", zone_id="Z0123456789ABCDEFGHIJ")]})
    out = generate(text, tmp_path)
    tf = terraform_factory(out, env=aws_provider_env(moto_server))
    tf.init()
    plan = tf.show_json(tf.plan())  # plan validates the configuration as well
    assert {c["change"]["after"]["zone_id"] for c in plan["resource_changes"]} == {"Z0123456789ABCDEFGHIJ"}


# --- provider schemas -----------------------------------------------------------------------------


def documented_schema(markdown: str) -> dict[str, dict[str, str]]:
    """Top-level attributes of a tfplugindocs page: {section: {name: type}} for Required/Optional/Read-Only."""
    sections: dict[str, dict[str, str]] = {}
    current = None
    for line in markdown.splitlines():
        heading = re.match(r"^### (Required|Optional|Read-Only)\s*$", line)
        if heading:
            current = heading.group(1)
            sections[current] = {}
            continue
        if line.startswith("<a id=") or line.startswith("## "):
            current = None
        item = re.match(r"^- `([a-z_]+)` \(([^)]+)\)", line)
        if current and item:
            sections[current][item.group(1)] = item.group(2)
    return sections


PYTHON_TYPES = {"String": str, "Number": int, "Boolean": bool}


def rendered_resources(version: int, tmp_path: Path) -> list[tuple[str, dict]]:
    spec = yaml.safe_dump(
        {
            "version": 1,
            "domains": [
                domain_entry("cf.example", "cloudflare", zone_id="0123456789abcdef0123456789abcdef", cloudflare={"version": version}, keep_txt=["MS=1"], spf={"keep": ["include:_spf.google.com"]}),
                domain_entry("mail.cf2.example", "cloudflare", zone="cf2.example", zone_id="0123456789abcdef0123456789abcdee", cloudflare={"version": version}, mandrill={"verification": "AbCdEf123", "dkim": False}),
            ],
        }
    )
    out = generate(spec, tmp_path)
    found = []
    for main in out.glob("*/main.tf"):
        for entry in hcl2.loads(main.read_text(encoding="utf-8")).get("resource", []):
            for rtype, labelled in entry.items():
                for body in labelled.values():
                    found.append((rtype.strip('"'), {k: v for k, v in body.items() if not k.startswith("__")}))
    return found


@pytest.mark.parametrize(
    ("version", "doc", "resource_type"),
    [(4, "v4-record.md", "cloudflare_record"), (5, "v5-dns_record.md", "cloudflare_dns_record")],
    ids=["v4", "v5"],
)
def test_cloudflare_attributes_match_documented_schema(version: int, doc: str, resource_type: str, tmp_path: Path) -> None:
    """Every attribute written is a documented argument of its type, every required one is set, none deprecated."""
    text = (reference_dir() / "provider-docs" / doc).read_text(encoding="utf-8")
    assert f"# {resource_type} (Resource)" in text
    schema = documented_schema(text)
    arguments = {**schema["Required"], **schema["Optional"]}
    resources = rendered_resources(version, tmp_path)
    assert len(resources) == 14 and {t for t, _ in resources} == {resource_type}
    for _, body in resources:
        assert set(body) <= set(arguments), set(body) - set(arguments)
        assert set(schema["Required"]) <= set(body)
        for name, value in body.items():
            kind = arguments[name].split(",")[0]
            assert "Deprecated" not in arguments[name], name
            assert isinstance(value, PYTHON_TYPES[kind]), (name, value, kind)
        assert body["proxied"] is False


def test_route53_attributes_match_provider_schema(tmp_path: Path) -> None:
    """Every aws_route53_record attribute written exists in the aws 5.100.0 schema; required ones are set."""
    schema = json.loads((reference_dir() / "aws-provider-5.100.0-schemas.json").read_text(encoding="utf-8"))
    attributes = schema["aws_route53_record"]["block"]["attributes"]
    required = {n for n, a in attributes.items() if a.get("required")}
    out = generate(RICH_SPEC, tmp_path)
    bodies = [
        body
        for main in out.glob("*/main.tf")
        for entry in hcl2.loads(main.read_text(encoding="utf-8")).get("resource", [])
        for rtype, labelled in entry.items()
        if rtype.strip('"') == "aws_route53_record"
        for body in labelled.values()
    ]
    assert len(bodies) == 14
    for body in bodies:
        names = {k for k in body if not k.startswith("__")}
        assert names <= set(attributes) and required <= names
        assert "allow_overwrite" not in names
