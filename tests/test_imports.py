"""imports.py: import addresses and ids, imports.tf and import.sh, decisions as comments (pure)."""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace

import hcl2

from spotme_dns.existing import ExistingDomain, ExistingRecord, ExistingValue, Source
from spotme_dns.generate import MANIFEST, Style, plan_tree
from spotme_dns.imports import IMPORT_SCRIPT, IMPORTS_TF, ImportStyle, annotate, with_discovery
from spotme_dns.merge import merge
from spotme_dns.spec import parse_spec_text

TOKENS = ("abcdefghijklmnop1234", "qrstuvwxyzabcdef5678", "ghijklmnopqrstuv9012")
ZONE_ID = "Z0123456789ABCDEFGHIJ"
CF_ZONE = "0123456789abcdef0123456789abcdef"


def spec_of(*domains: tuple[str, str, str | None]):
    entries = "".join(
        f"""\
  - domain: {domain}
    provider: {provider}
{f"    zone_id: {zone_id}{chr(10)}" if zone_id else ""}\
    ses:
      dkim_tokens: [{", ".join(TOKENS)}]
    mandrill:
      verification: mandrill_verify.AbC123xyz
"""
        for domain, provider, zone_id in domains
    )
    return parse_spec_text(f"version: 1\ndomains:\n{entries}", "spec.yaml")


def existing_for(domain: str, *, source=Source.ROUTE53, zone_id=ZONE_ID, ids=(None, None)):
    return ExistingDomain(
        domain, domain, source,
        (
            ExistingRecord(domain, "TXT", (ExistingValue("v=spf1 mx ~all", ids[0]), ExistingValue("MS=ms123", ids[1] and "ms-id")), 300),
            ExistingRecord(f"_dmarc.{domain}", "TXT", (ExistingValue("v=DMARC1; p=reject", ids[1]),), 300),
        ),
        zone_id,
    )


def merged(spec, results):
    """The spec generate renders after --discover: every domain as merged."""
    return replace(spec, domains=tuple(r.domain for r in results))


def test_route53_blocks_parse_and_are_fmt_clean(terraform_bin, tmp_path):
    """imports.tf: one import block per existing record set; python-hcl2 reads it, terraform fmt agrees."""
    spec = spec_of(("acme-events.com", "route53", None))
    result = merge(spec.domains[0], existing_for("acme-events.com"))
    tree, by_root = with_discovery(plan_tree(merged(spec, [result])), [result])
    text = tree.files[IMPORTS_TF].decode()
    blocks = hcl2.loads(text)["import"]
    assert [(b["to"], b["id"].strip('"')) for b in blocks] == [
        ("${module.acme_events_com.aws_route53_record.domain_txt}", f"{ZONE_ID}_acme-events.com_TXT"),
        ("${module.acme_events_com.aws_route53_record.dmarc}", f"{ZONE_ID}__dmarc.acme-events.com_TXT"),
    ]
    assert [i.address for i in by_root[""]] == [
        "module.acme_events_com.aws_route53_record.domain_txt",
        "module.acme_events_com.aws_route53_record.dmarc",
    ]
    (tmp_path / IMPORTS_TF).write_text(text)
    fmt = subprocess.run([terraform_bin, "fmt", "-check", "-diff", str(tmp_path / IMPORTS_TF)], capture_output=True, text=True)
    assert fmt.returncode == 0, fmt.stdout
    assert IMPORTS_TF in json.loads(tree.files[MANIFEST])["files"]


def test_cloudflare_ids_and_module_style_addresses():
    """Cloudflare imports are zone_id/record_id; --style module addresses the hand-written module's keys."""
    spec = spec_of(("acme-events.com", "cloudflare", CF_ZONE))
    ex = existing_for("acme-events.com", source=Source.CLOUDFLARE, zone_id=CF_ZONE, ids=("spf-id", "dmarc-id"))
    result = merge(spec.domains[0], ex)
    _, plain = with_discovery(plan_tree(merged(spec, [result])), [result])
    assert {(i.address, i.id) for i in plain[""]} == {
        ("module.acme_events_com.cloudflare_dns_record.spf", f"{CF_ZONE}/spf-id"),
        ("module.acme_events_com.cloudflare_dns_record.dmarc", f"{CF_ZONE}/dmarc-id"),
    }
    r53 = spec_of(("acme-events.com", "route53", ZONE_ID))
    result = merge(r53.domains[0], ExistingDomain("acme-events.com", "acme-events.com", Source.ROUTE53, (
        ExistingRecord("acme-events.com", "TXT", (ExistingValue("v=spf1 mx ~all"),), 300),
    ), ZONE_ID))
    tree = plan_tree(merged(r53, [result]), style=Style.MODULE, modules_source="../terraform/modules")
    _, module = with_discovery(tree, [result], style=Style.MODULE)
    assert [i.address for i in module[""]] == [
        'module.acme_events_com.module.records.aws_route53_record.this["acme-events.com TXT"]'
    ]


def test_script_per_root_with_split_roots(tmp_path):
    """--split-roots: each root gets the import.sh of its own domains; bash accepts the script."""
    spec = spec_of(("acme-events.com", "route53", None), ("other-brand.com", "route53", None))
    results = [merge(d, existing_for(d.domain)) for d in spec.domains]
    tree, by_root = with_discovery(plan_tree(merged(spec, results), split_roots=1), results, import_style=ImportStyle.SCRIPT)
    scripts = sorted(p for p in tree.files if p.endswith(IMPORT_SCRIPT))
    assert scripts == [f"root-001/{IMPORT_SCRIPT}", f"root-002/{IMPORT_SCRIPT}"]
    first = tree.files[scripts[0]].decode()
    assert "module.acme_events_com." in first and "other_brand_com" not in first
    assert first.startswith("#!/usr/bin/env bash\n# Generated by spotme-dns from spec.yaml.")
    assert "\nset -euo pipefail\n" in first
    assert (
        "in_state module.acme_events_com.aws_route53_record.domain_txt || "
        '"$tf" -chdir="$dir" import -input=false module.acme_events_com.aws_route53_record.domain_txt '
        f"{ZONE_ID}_acme-events.com_TXT"
    ) in first
    path = tmp_path / "import.sh"
    path.write_text(first)
    assert subprocess.run(["bash", "-n", str(path)], capture_output=True).returncode == 0
    assert set(by_root) == {"root-001", "root-002"}


def test_decisions_written_after_the_header():
    """Each domain's main.tf starts with its header, then the decisions, then what was there."""
    spec = spec_of(("acme-events.com", "route53", None))
    result = merge(spec.domains[0], existing_for("acme-events.com"))
    tree, _ = with_discovery(plan_tree(merged(spec, [result])), [result])
    main = tree.files["acme-events.com/main.tf"].decode().splitlines()
    assert main[0].startswith("# Generated by spotme-dns")
    start = main.index("# generate --discover read the existing records (Route53 API) and decided:")
    assert main[start - 1] == "" and main[start + 1].startswith("#   change: acme-events.com TXT: SPF:")
    assert "#   keep: acme-events.com TXT: kept 'MS=ms123' in the TXT record set, unchanged" in main
    assert annotate("# h\n\nresource {}\n", ["# x"]) == "# h\n\n# x\n\nresource {}\n"


def test_no_imports_no_file():
    """Nothing exists: no imports file, and the manifest does not list one."""
    spec = spec_of(("acme-events.com", "route53", ZONE_ID))
    empty = ExistingDomain("acme-events.com", "acme-events.com", Source.ROUTE53, (), ZONE_ID)
    result = merge(spec.domains[0], empty)
    tree, by_root = with_discovery(plan_tree(merged(spec, [result])), [result])
    assert IMPORTS_TF not in tree.files and by_root == {"": ()}
    assert IMPORTS_TF not in json.loads(tree.files[MANIFEST])["files"]
