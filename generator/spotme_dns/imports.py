"""Import instead of recreate: what `generate --discover` adds to the output tree.

For every existing record set the generated Terraform takes over, an import:
- Route53: id `ZONEID_NAME_TYPE` (provider docs, aws_route53_record "Import");
- Cloudflare: id `zone_id/record_id` (the record id read through the Cloudflare API);
- RFC 2136 (hashicorp/dns): id the record's FQDN with its trailing dot (provider docs, "Import");
- Google Cloud DNS: id `projects/{p}/managedZones/{zone}/rrsets/{name}./{type}` (provider docs);
- Azure DNS: the record set's resource id, `/subscriptions/.../dnsZones/{zone}/{TYPE}/{name}`.
`--import-style blocks` (the default) writes `DIR/imports.tf` with `import` blocks (Terraform
>= 1.5; they live in the root module and name the resources inside the domain modules);
`--import-style script` writes `DIR/import.sh` with `terraform import` commands for older
Terraform, skipping addresses already in the state so it can be run twice.

The merge decisions are written as comments at the top of each domain's `main.tf`, so a
reviewer sees in the file what was kept, adopted, changed or forced, and why.

Pure: everything here returns text or a new `OutputTree`; `generate` writes it.
"""

from __future__ import annotations

import json
import posixpath
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import Enum

from . import hcl
from .generate import MANIFEST, OutputTree, Style
from .merge import MergeResult
from .model import DomainRecords, Record
from .render import azure, google
from .render.cloudflare import RESOURCE_TYPES
from .render.common import record_set_label, value_label
from .render.module import CALL_LABEL
from .render.route53 import RESOURCE as ROUTE53_RESOURCE
from .rfc2136 import CNAME_RESOURCE, TXT_RESOURCE
from .rfc2136 import import_id as rfc2136_import_id
from .spec import Provider

IMPORTS_TF = "imports.tf"
IMPORT_SCRIPT = "import.sh"


class ImportStyle(str, Enum):
    """How imports are written."""

    BLOCKS = "blocks"
    """`DIR/imports.tf` with `import` blocks (Terraform >= 1.5)."""
    SCRIPT = "script"
    """`DIR/import.sh` running `terraform import` (any Terraform version)."""

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Import:
    """One existing record to import into one resource address."""

    address: str
    """The resource address from the root module, e.g. `module.acme_com.aws_route53_record.dmarc`."""
    id: str
    """The provider's import id."""
    what: str
    """The record in words, for the comment next to it."""


# ------------------------------------------------------------------------------ addresses


def route53_import_id(zone_id: str, record: Record) -> str:
    """`ZONEID_NAME_TYPE` (no set identifier: spotme-dns writes simple record sets)."""
    return f"{zone_id}_{record.name}_{record.type.value}"


def _address(module_name: str, style: Style, provider: Provider, version: int, record: Record, domain: str, value_text: str | None) -> str:
    base = f"module.{module_name}"
    if provider is Provider.AZURE:
        if style is Style.MODULE:
            return f'{base}.module.{CALL_LABEL}.{azure.resource_type(record)}.this["{record.name} {record.type.value}"]'
        return f"{base}.{azure.resource_type(record)}.{record_set_label(record, domain)}"
    if provider is Provider.GOOGLE:
        if style is Style.MODULE:
            return f'{base}.module.{CALL_LABEL}.{google.RESOURCE}.this["{record.name} {record.type.value}"]'
        return f"{base}.{google.RESOURCE}.{record_set_label(record, domain)}"
    if provider is Provider.RFC2136:
        resource = TXT_RESOURCE if record.type.value == "TXT" else CNAME_RESOURCE
        if style is Style.MODULE:
            return f'{base}.module.{CALL_LABEL}.{resource}.this["{record.name} {record.type.value}"]'
        return f"{base}.{resource}.{record_set_label(record, domain)}"
    if provider is Provider.ROUTE53:
        if style is Style.MODULE:
            return f'{base}.module.{CALL_LABEL}.{ROUTE53_RESOURCE}.this["{record.name} {record.type.value}"]'
        return f"{base}.{ROUTE53_RESOURCE}.{record_set_label(record, domain)}"
    value = next((v for v in record.values if v.text == value_text), None)
    if value is None:  # the records were not built from the merged spec: a caller's bug
        raise ValueError(f"{record.name} {record.type.value} has no value {value_text!r} to import into")
    if style is Style.MODULE:
        return f'{base}.module.{CALL_LABEL}.{RESOURCE_TYPES[5]}.this["{record.name} {record.type.value} {value.purpose.value}"]'
    return f"{base}.{RESOURCE_TYPES[version]}.{value_label(record, value, domain)}"


def plan_imports(result: MergeResult, records: DomainRecords, *, module_name: str, style: Style = Style.PLAIN) -> tuple[Import, ...]:
    """The imports of one domain: one per adopted record set (Route53) or record (Cloudflare)."""
    spec = result.domain
    by_key = records.by_key()
    out: list[Import] = []
    for adoption in result.adoptions:
        record = by_key.get((adoption.name, adoption.type))
        if record is None:
            continue
        address = _address(module_name, style, spec.provider, spec.cloudflare_version, record, records.domain, adoption.value)
        if spec.provider is Provider.ROUTE53:
            if not result.zone_id:
                continue
            out.append(Import(address, route53_import_id(result.zone_id, record), f"{record.name} {record.type.value}"))
        elif spec.provider is Provider.AZURE and spec.azure.subscription_id:
            import_id = azure.import_id(spec.azure.subscription_id, spec.azure.resource_group, records.zone, record)
            out.append(Import(address, import_id, f"{record.name} {record.type.value}"))
        elif spec.provider is Provider.GOOGLE:
            import_id = google.import_id(spec.google.project, spec.google.managed_zone, record)
            out.append(Import(address, import_id, f"{record.name} {record.type.value}"))
        elif spec.provider is Provider.RFC2136:
            out.append(Import(address, rfc2136_import_id(record.name), f"{record.name} {record.type.value}"))
        elif spec.provider is Provider.CLOUDFLARE and adoption.record_id and result.zone_id:
            out.append(Import(address, f"{result.zone_id}/{adoption.record_id}", f"{record.name} {record.type.value} {adoption.value!r}"))
    return tuple(out)


# ------------------------------------------------------------------------------ files


def import_blocks(imports: Sequence[Import], *, header: str) -> str:
    """`imports.tf`: one `import` block per record (Terraform >= 1.5, root module only)."""
    items: list[hcl.Item] = [
        hcl.Comment("Records that already existed when `spotme-dns generate --discover` ran: Terraform imports"),
        hcl.Comment("them on the next plan/apply and updates them in place instead of failing with"),
        hcl.Comment("\"already exists\". Import blocks need Terraform >= 1.5 (use --import-style script before)."),
    ]
    for item in imports:
        items += [
            hcl.BLANK,
            hcl.Comment(item.what),
            hcl.Block("import", (), (hcl.Attribute("to", hcl.Raw(item.address)), hcl.Attribute("id", item.id))),
        ]
    return hcl.document(items, header=header)


def import_script(imports: Sequence[Import], *, header: str) -> str:
    """`import.sh`: `terraform import` per record, skipping addresses already in the state."""
    lines = ["#!/usr/bin/env bash", *hcl.comment_lines(header), "#"]
    lines += [
        "# Imports the records that already existed when `spotme-dns generate --discover` ran, so that",
        "# Terraform updates them in place instead of failing with \"already exists\". Run it once after",
        "# `terraform init` and before `terraform plan` (`make import` does). Running it again is safe:",
        "# addresses already in the state are skipped. SPOTME_TERRAFORM names another binary (e.g. tofu).",
        "set -euo pipefail",
        "",
        'tf="${SPOTME_TERRAFORM:-terraform}"',
        'dir="$(dirname "$0")"',
        'state="$("$tf" -chdir="$dir" state list 2>/dev/null || true)"',
        "",
        "in_state() {",
        '  if grep -qxF -- "$1" <<<"$state"; then echo "already in the state: $1"; else return 1; fi',
        "}",
        "",
    ]
    for item in imports:
        lines.append(f"# {item.what}")
        address, import_id = shlex.quote(item.address), shlex.quote(item.id)
        lines.append(f'in_state {address} || "$tf" -chdir="$dir" import -input=false {address} {import_id}')
    return "\n".join(lines) + "\n"


def decision_comment_lines(result: MergeResult) -> list[str]:
    """The merge decisions as comment lines for the top of a domain's main.tf."""
    lines = [f"# generate --discover read the existing records ({result.source}) and decided:"]
    lines += [f"#   {d}".rstrip() for d in result.decisions]
    return lines


def _header_lines(text: str) -> list[str]:
    """The leading comment paragraph of a generated file."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line)
    return lines


def annotate(text: str, comment_lines: list[str]) -> str:
    """`text` with a comment paragraph inserted right after its header paragraph."""
    lines = text.splitlines()
    head = len(_header_lines(text))
    rest = lines[head:]
    while rest and rest[0] == "":
        rest.pop(0)
    out = lines[:head] + ([""] if head else []) + comment_lines + ([""] if rest else []) + rest
    return "\n".join(out) + "\n"


def with_discovery(
    tree: OutputTree,
    results: Sequence[MergeResult],
    *,
    import_style: ImportStyle = ImportStyle.BLOCKS,
    style: Style = Style.PLAIN,
) -> tuple[OutputTree, dict[str, tuple[Import, ...]]]:
    """The tree with the decisions in each domain's main.tf and an imports file in each root.

    `results` holds one merge result per domain of the tree. Returns the new tree and the
    imports by root directory (`""` for DIR itself, `root-001` ... with --split-roots); the
    imports file of a root is written only when it has imports.
    """
    files = dict(tree.files)
    by_domain = {r.domain.domain: r for r in results}
    for planned in tree.domains:
        result = by_domain.get(planned.domain)
        main = f"{planned.folder}/main.tf"
        if result is not None and main in files:
            files[main] = annotate(files[main].decode("utf-8"), decision_comment_lines(result)).encode("utf-8")
    extra: dict[str, bytes] = {}
    by_root: dict[str, tuple[Import, ...]] = {}
    for root_main in (p for p in tree.root_files if posixpath.basename(p) == "main.tf"):
        root = posixpath.dirname(root_main)
        text = files[root_main].decode("utf-8")
        imports: list[Import] = []
        for planned in tree.domains:
            result = by_domain.get(planned.domain)
            if result is not None and f'module "{planned.module_name}" {{' in text:
                imports += plan_imports(result, planned.records, module_name=planned.module_name, style=style)
        by_root[root] = tuple(imports)
        if not imports:
            continue
        header = "\n".join(line[2:] if line.startswith("# ") else line.lstrip("#") for line in _header_lines(text))
        if import_style is ImportStyle.BLOCKS:
            extra[posixpath.join(root, IMPORTS_TF)] = import_blocks(imports, header=header).encode("utf-8")
        else:
            extra[posixpath.join(root, IMPORT_SCRIPT)] = import_script(imports, header=header).encode("utf-8")
    manifest = files.pop(MANIFEST, None)
    files.update(extra)
    if manifest is not None:
        data = json.loads(manifest)
        data["files"] = sorted(set(data.get("files", [])) | set(extra))
        files[MANIFEST] = (json.dumps(data, indent=1) + "\n").encode("utf-8")
    return replace(tree, files=files, root_files=tree.root_files + tuple(extra)), by_root
