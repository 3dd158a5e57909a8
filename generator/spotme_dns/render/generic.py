"""Generic: provider-free output for any DNS host.

- `main.tf` + `outputs.tf`: the records as data (`output "records"`, a list of
  {name, type, ttl, values}); `terraform init && terraform apply` evaluates it with no provider.
- `records.zone`: a BIND zone-file snippet (absolute names, TXT split into quoted
  character-strings of at most 255 octets, RFC 1035 §5.1 escapes).
- `RECORDS.md`: a table for people who type records into a DNS console.
"""

from __future__ import annotations

import idna

from .. import hcl
from ..errors import Problem
from ..model import DomainRecords, Purpose, Record, RecordType
from ..spec import DomainSpec
from .common import DomainContext, DomainFiles, ProviderRequirement, quoted_txt, records_output, records_value

PURPOSE_TEXT = {
    Purpose.SPF: "SPF: servers allowed to send for the domain",
    Purpose.DMARC: "DMARC policy",
    Purpose.SES_DKIM: "DKIM key of Amazon SES",
    Purpose.MANDRILL_DKIM: "DKIM key of Mailchimp Transactional (Mandrill)",
    Purpose.MANDRILL_VERIFY: "Mailchimp Transactional (Mandrill) domain verification",
    Purpose.KEPT_TXT: "existing value: keep it",
}


def zone_file(records: DomainRecords, header: str) -> str:
    """A BIND zone-file snippet: one line per value, absolute names, columns aligned."""
    rows: list[tuple[str, str, str, str]] = []
    for record in records.records:
        for text in record.texts:
            if record.type is RecordType.TXT:
                data = quoted_txt(text, escape_non_ascii=True)
            else:
                data = text + "."
            rows.append((record.name + ".", str(record.ttl), record.type.value, data))
    name_width = max(len(r[0]) for r in rows)
    ttl_width = max(len(r[1]) for r in rows)
    type_width = max(len(r[2]) for r in rows)
    lines = [f"; {line}".rstrip() for line in header.splitlines()]
    lines.append(f"; Records of {records.domain} for the zone {records.zone}. Paste into the zone file.")
    lines += [
        f"{name.ljust(name_width)} {ttl.rjust(ttl_width)} IN {rtype.ljust(type_width)} {data}".rstrip()
        for name, ttl, rtype, data in rows
    ]
    return "\n".join(lines) + "\n"


def _markdown_cell(text: str) -> str:
    """`text` as a Markdown code span fit for a table cell."""
    shown = text if text.isprintable() else "".join(ch if ch.isprintable() else f"\\{ord(ch):03d}" for ch in text)
    shown = shown.replace("|", "\\|")
    fence = "`"
    while fence in shown:
        fence += "`"
    pad = " " if shown.startswith("`") or shown.endswith("`") else ""
    return f"{fence}{pad}{shown}{pad}{fence}"


def display_name(name: str) -> str:
    """`name` for people: its Unicode form followed by the A-label when they differ."""
    if "xn--" not in name:
        return name
    try:
        unicode = idna.decode(name)
    except idna.IDNAError:
        return name
    return f"{unicode} ({name})" if unicode != name else name


def host(record: Record, zone: str) -> str:
    """The host as DNS consoles ask for it: relative to the zone, `@` at its apex."""
    return record.relative_name(zone)


def records_table(records: DomainRecords, header: str) -> str:
    """RECORDS.md: one row per value, whole values (consoles split long TXT values themselves)."""
    lines = [f"<!-- {line} -->" for line in header.splitlines()]
    lines += [
        "",
        f"# DNS records for {display_name(records.domain)}",
        "",
        f"Create these records in the DNS zone `{records.zone}`. *Host* is the name relative to the zone",
        "(`@` is the zone itself); *Name* is the full name. Enter each value exactly as shown, one",
        "record per row. Rows with the same name and type are one record set with several values.",
        "",
        "| Host | Name | Type | TTL | Value | Purpose |",
        "|---|---|---|---|---|---|",
    ]
    for record in records.records:
        for value in record.values:
            lines.append(
                f"| {_markdown_cell(host(record, records.zone))} | {_markdown_cell(record.name)} | {record.type.value} "
                f"| {record.ttl} | {_markdown_cell(value.text)} | {PURPOSE_TEXT[value.purpose]} |"
            )
    long_values = [
        v.text for r in records.records if r.type is RecordType.TXT for v in r.values if len(v.text.encode("utf-8")) > 255
    ]
    lines.append("")
    if long_values:
        lines += [
            "A TXT value longer than 255 octets is published as several strings of at most 255 octets",
            "(RFC 1035 §3.3); most consoles split it for you, `records.zone` shows the split form.",
            "",
        ]
    lines += [
        "Keep exactly one SPF record (`v=spf1 ...`) at a name: merge, never add a second one.",
        "DKIM CNAME records must not be proxied (Cloudflare: DNS only).",
    ]
    return "\n".join(lines) + "\n"


class GenericRenderer:
    """Provider-free records: a Terraform output, a zone-file snippet and a Markdown table."""

    def problems(self, domain: DomainSpec, records: DomainRecords) -> list[Problem]:
        return []

    def providers(self, domain: DomainSpec) -> tuple[ProviderRequirement, ...]:
        return ()

    def render(self, domain: DomainSpec, records: DomainRecords, context: DomainContext) -> DomainFiles:
        main = hcl.document(
            [
                hcl.Comment(f"Sending domain {records.domain} in the zone {records.zone}: provider-free, the records as data."),
                hcl.Comment("records.zone has them as a zone-file snippet, RECORDS.md as a table."),
                hcl.Block("locals", (), (hcl.Attribute("records", records_value(records, zone=True)),)),
            ],
            header=context.header,
        )
        outputs = hcl.document([records_output(hcl.Raw("local.records"), zone=True)], header=context.header)
        return DomainFiles(
            files=(
                ("main.tf", main),
                ("outputs.tf", outputs),
                ("records.zone", zone_file(records, context.header)),
                ("RECORDS.md", records_table(records, context.header)),
            )
        )
