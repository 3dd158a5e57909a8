"""Route 53: one `aws_route53_record` per owner name and type (hashicorp/aws).

Route 53 keeps all values of one name and type as ONE record set, and the resource owns the
whole set: writing only the SPF value would delete the customer's other TXT values. So the SPF
value, the Mandrill verification and every `keep_txt` value of the domain go into one resource.

TXT values: the provider writes each `records` entry as `"<value>"` verbatim and never splits
it; a value longer than 255 octets must be written as its character-strings joined by `""`
(provider docs: `"first255characters\\"\\"morecharacters"`), with `"` and `\\` escaped and other
octets outside printable ASCII as `\\DDD`. Route 53 reads that `DDD` as a three-digit OCTAL code
(AWS docs, "Supported DNS record types", TXT: `é`, UTF-8 C3 A9, is `\\303\\251`), not the
decimal of RFC 1035 §5.1 that zone files use, and lists the value back the same way, so the
provider's state matches what is written here.
"""

from __future__ import annotations

from .. import hcl
from ..errors import Problem
from ..model import DomainRecords, Purpose, Record, RecordType
from ..spec import DomainSpec
from .common import (
    DomainContext,
    DomainFiles,
    ProviderRequirement,
    record_set_label,
    records_output,
    records_value,
    required_providers_block,
    txt_strings,
)

RESOURCE = "aws_route53_record"
ZONE_DATA = "aws_route53_zone"
DEFAULT_REGION = "us-east-1"

AWS = ProviderRequirement(
    name="aws",
    source="hashicorp/aws",
    # aws_route53_record has had these arguments since long before 4.0; tested with 5.100.0.
    version=">= 4.0, < 7.0",
    config=(
        hcl.Comment("Route 53 is a global service: the region only picks the API endpoint requests are signed for."),
        hcl.Attribute("region", hcl.Raw("var.aws_region")),
    ),
    variables=(
        hcl.Block(
            "variable",
            ("aws_region",),
            (
                hcl.Attribute("description", "AWS region the provider signs requests for (Route 53 is global)."),
                hcl.Attribute("type", hcl.Raw("string")),
                hcl.Attribute("default", DEFAULT_REGION),
            ),
        ),
    ),
)

PURPOSE_NAMES = {
    Purpose.SPF: "SPF (RFC 7208)",
    Purpose.DMARC: "DMARC policy (RFC 7489)",
    Purpose.SES_DKIM: "Amazon SES Easy DKIM",
    Purpose.MANDRILL_DKIM: "Mailchimp Transactional (Mandrill) DKIM",
    Purpose.MANDRILL_VERIFY: "Mailchimp Transactional (Mandrill) domain verification",
    Purpose.KEPT_TXT: "a value kept from the existing record set",
}


def route53_value(record: Record, text: str) -> str:
    """One `records` entry: TXT as escaped character-strings joined by `""` (octal `\\DDD`), others as they are."""
    if record.type is RecordType.TXT:
        return '""'.join(txt_strings(text, escape_non_ascii=True, octal=True))
    return text


def describe(record: Record) -> str:
    """What a record set holds, for the comment above its resource."""
    names: list[str] = []
    kept = 0
    for value in record.values:
        if value.purpose is Purpose.KEPT_TXT:
            kept += 1
        elif PURPOSE_NAMES[value.purpose] not in names:
            names.append(PURPOSE_NAMES[value.purpose])
    if kept:
        names.append(f"{kept} value{'s' if kept > 1 else ''} kept from the existing record set (keep_txt)")
    return " + ".join(names)


class Route53Renderer:
    """Plain `aws_route53_record` resources with literal values."""

    def problems(self, domain: DomainSpec, records: DomainRecords) -> list[Problem]:
        return []

    def providers(self, domain: DomainSpec) -> tuple[ProviderRequirement, ...]:
        return (AWS,)

    def render(self, domain: DomainSpec, records: DomainRecords, context: DomainContext) -> DomainFiles:
        items: list[hcl.Item] = [
            required_providers_block([AWS]),
            hcl.BLANK,
            hcl.Comment(f"Sending domain {records.domain} in the Route 53 hosted zone {records.zone}."),
        ]
        if domain.zone_id:
            zone_ref: hcl.Expr = domain.zone_id
            import_zone = domain.zone_id
        else:
            zone_ref = hcl.Raw(f"data.{ZONE_DATA}.zone.zone_id")
            import_zone = "<zone-id>"
            items += [
                hcl.Comment("The public hosted zone, looked up by name (set zone_id in the spec to skip the lookup)."),
                hcl.Block(
                    "data",
                    (ZONE_DATA, "zone"),
                    (hcl.Attribute("name", records.zone), hcl.Attribute("private_zone", False)),
                ),
            ]
        for record in records.records:
            label = record_set_label(record, records.domain)
            comments = [describe(record) + "."]
            if record.type is RecordType.TXT and len(record.values) > 1:
                comments.append(
                    f"Route 53 keeps every {record.type.value} value of {record.name} as ONE record set: "
                    "applying replaces them all with exactly these."
                )
            if record.name == records.domain and record.type is RecordType.TXT:
                comments.append(
                    "If TXT records exist there already, list them in keep_txt and import the set first:"
                )
                comments.append(
                    f"  terraform import 'module.{context.module_name}.{RESOURCE}.{label}' "
                    f"{import_zone}_{record.name}_{record.type.value}"
                )
            items.append(hcl.BLANK)
            items.extend(hcl.Comment(line) for line in comments)
            items.append(
                hcl.Block(
                    "resource",
                    (RESOURCE, label),
                    (
                        hcl.Attribute("zone_id", zone_ref),
                        hcl.Attribute("name", record.name),
                        hcl.Attribute("type", record.type.value),
                        hcl.Attribute("ttl", record.ttl),
                        hcl.Attribute("records", hcl.ListExpr(tuple(route53_value(record, t) for t in record.texts))),
                    ),
                )
            )
        main = hcl.document(items, header=context.header)
        outputs = hcl.document([records_output(records_value(records))], header=context.header)
        return DomainFiles(files=(("main.tf", main), ("outputs.tf", outputs)))
