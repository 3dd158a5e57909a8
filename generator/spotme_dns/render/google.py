"""Google Cloud DNS: one `google_dns_record_set` per owner name and type (hashicorp/google).

Facts from the provider's documentation (hashicorp/terraform-provider-google,
website/docs/r/dns_record_set.html.markdown; copied into tests/data/provider-docs/google/):

- `managed_zone` (required) is the zone's resource NAME (`prod-zone`), not its DNS name;
  `name` (required) is the FQDN with its trailing dot; `type` (required); `ttl`; `rrdatas`;
  `project` (else the provider's).
- The resource is authoritative: creating it overwrites an existing set of that name and
  type without a word, so the SPF value, the Mandrill verification and every `keep_txt` value
  go into the one resource (as on Route 53), and `generate` asks for `--discover` first.
- TXT `rrdatas` carry their own quotes (else the string is split on spaces); a value longer
  than 255 octets is written as several quoted strings in one entry (`"first255" "more"`). So
  each entry is the value's RFC 1035 character-strings, quoted, `"` and `\\` escaped, other
  octets `\\DDD` (decimal).
- Import id `projects/{project}/managedZones/{zone}/rrsets/{name}/{type}`, the name with its dot.
"""

from __future__ import annotations

from .. import hcl
from ..errors import Problem
from ..model import DomainRecords, Record, RecordType
from ..spec import DomainSpec
from .common import (
    DomainContext,
    DomainFiles,
    ProviderRequirement,
    quoted_txt,
    record_set_label,
    records_output,
    records_value,
    required_providers_block,
)
from .route53 import describe

RESOURCE = "google_dns_record_set"

GOOGLE = ProviderRequirement(
    name="google",
    source="hashicorp/google",
    # google_dns_record_set has had these arguments for all of 4.x to 7.x.
    version=">= 4.0, < 8.0",
    config=(
        hcl.Comment("The project is set on each record set; credentials are Application Default Credentials"),
        hcl.Comment("(GOOGLE_APPLICATION_CREDENTIALS, `gcloud auth application-default login`) or GOOGLE_OAUTH_ACCESS_TOKEN."),
    ),
)


def rrdata(record: Record, text: str) -> str:
    """One `rrdatas` entry: TXT as quoted character-strings (decimal `\\DDD`), a CNAME target with its dot."""
    if record.type is RecordType.TXT:
        return quoted_txt(text, escape_non_ascii=True)
    return text.rstrip(".") + "."


def import_id(project: str, managed_zone: str, record: Record) -> str:
    """The provider's import id of a record set."""
    return f"projects/{project}/managedZones/{managed_zone}/rrsets/{record.name}./{record.type.value}"


class GoogleRenderer:
    """Plain `google_dns_record_set` resources with literal values."""

    def problems(self, domain: DomainSpec, records: DomainRecords) -> list[Problem]:
        return []

    def providers(self, domain: DomainSpec) -> tuple[ProviderRequirement, ...]:
        return (GOOGLE,)

    def render(self, domain: DomainSpec, records: DomainRecords, context: DomainContext) -> DomainFiles:
        project, zone = domain.google.project, domain.google.managed_zone
        items: list[hcl.Item] = [
            required_providers_block([GOOGLE]),
            hcl.BLANK,
            hcl.Comment(f"Sending domain {records.domain} in the Cloud DNS managed zone {zone} ({records.zone}.) of project {project}."),
        ]
        for record in records.records:
            label = record_set_label(record, records.domain)
            comments = [
                describe(record) + ".",
                f"{RESOURCE} is authoritative: creating it replaces any {record.type.value} set at {record.name} with exactly these;",
                "`spotme-dns generate --discover` reads what exists and imports it:",
                f"  terraform import 'module.{context.module_name}.{RESOURCE}.{label}' {import_id(project, zone, record)}",
            ]
            items.append(hcl.BLANK)
            items.extend(hcl.Comment(line) for line in comments)
            items.append(
                hcl.Block(
                    "resource",
                    (RESOURCE, label),
                    (
                        hcl.Attribute("project", project),
                        hcl.Attribute("managed_zone", zone),
                        hcl.Attribute("name", f"{record.name}."),
                        hcl.Attribute("type", record.type.value),
                        hcl.Attribute("ttl", record.ttl),
                        hcl.Attribute("rrdatas", hcl.ListExpr(tuple(rrdata(record, t) for t in record.texts))),
                    ),
                )
            )
        main = hcl.document(items, header=context.header)
        outputs = hcl.document([records_output(records_value(records))], header=context.header)
        return DomainFiles(files=(("main.tf", main), ("outputs.tf", outputs)))
