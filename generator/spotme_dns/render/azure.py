"""Azure DNS: `azurerm_dns_txt_record` and `azurerm_dns_cname_record` (hashicorp/azurerm).

Facts from the provider's documentation (hashicorp/terraform-provider-azurerm,
website/docs/r/dns_txt_record.html.markdown and dns_cname_record.html.markdown; copied into
tests/data/provider-docs/azure/):

- Both take `name` (relative to the zone; `@` is the apex), `zone_name` (the zone's DNS name),
  `resource_group_name`, `ttl` (all required) and `tags`. One TXT resource is one record set:
  every `record { value }` block is one value, and values not listed are deleted, so the
  SPF value, the Mandrill verification and every `keep_txt` value go into the one resource.
- A TXT `value` is the plain text (no quotes, no escapes; the provider cuts it into 255-octet
  strings itself), at most 4096 characters.
- The CNAME target is `record`.
- Creating a set that exists fails, so existing sets are imported by their resource id,
  `/subscriptions/<sub>/resourceGroups/<group>/providers/Microsoft.Network/dnsZones/<zone>/TXT/<name>`.
- The provider block needs `features {}`; the subscription comes from the spec or ARM_SUBSCRIPTION_ID.
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
    record_set_label,
    records_output,
    records_value,
    required_providers_block,
)
from .route53 import describe

TXT_RESOURCE = "azurerm_dns_txt_record"
CNAME_RESOURCE = "azurerm_dns_cname_record"
#: `record.value` of azurerm_dns_txt_record: "Max length: 4096 characters" (provider docs).
MAX_TXT_VALUE = 4096


def provider_requirement(domain: DomainSpec) -> ProviderRequirement:
    config: list[hcl.Item] = [
        hcl.Comment("Credentials: the ARM_* variables (ARM_CLIENT_ID, ARM_TENANT_ID, ...) or the Azure CLI login."),
        hcl.Block("features", (), ()),
    ]
    if domain.azure.subscription_id and not domain.azure.subscription_from_environment:
        config.append(hcl.Attribute("subscription_id", domain.azure.subscription_id))
    else:
        config.insert(1, hcl.Comment("The subscription comes from ARM_SUBSCRIPTION_ID."))
    return ProviderRequirement(
        name="azurerm",
        source="hashicorp/azurerm",
        # azurerm_dns_txt_record / azurerm_dns_cname_record have had these arguments since 2.x.
        version=">= 3.0, < 5.0",
        config=tuple(config),
    )


def relative_name(name: str, zone: str) -> str:
    """The record's `name`: relative to the zone, `@` at the apex."""
    if name == zone:
        return "@"
    return name[: -len(zone) - 1] if name.endswith("." + zone) else name


def resource_type(record: Record) -> str:
    return TXT_RESOURCE if record.type is RecordType.TXT else CNAME_RESOURCE


def import_id(subscription: str, group: str, zone: str, record: Record) -> str:
    """The resource id the provider imports a record set by."""
    return (
        f"/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Network/dnsZones/"
        f"{zone}/{record.type.value}/{relative_name(record.name, zone)}"
    )


class AzureRenderer:
    """Plain `azurerm_dns_txt_record` / `azurerm_dns_cname_record` resources with literal values."""

    def problems(self, domain: DomainSpec, records: DomainRecords) -> list[Problem]:
        return [
            Problem(
                domain.location,
                f"{domain.domain}: the TXT value {text[:40]!r}... at {record.name} is {len(text)} characters long; "
                f"azurerm_dns_txt_record takes at most {MAX_TXT_VALUE}",
                "azure-txt-too-long",
            )
            for record in records.records
            if record.type is RecordType.TXT
            for text in record.texts
            if len(text) > MAX_TXT_VALUE
        ]

    def providers(self, domain: DomainSpec) -> tuple[ProviderRequirement, ...]:
        return (provider_requirement(domain),)

    def render(self, domain: DomainSpec, records: DomainRecords, context: DomainContext) -> DomainFiles:
        requirement = provider_requirement(domain)
        group = domain.azure.resource_group
        subscription = domain.azure.subscription_id or "<subscription-id>"
        items: list[hcl.Item] = [
            required_providers_block([requirement]),
            hcl.BLANK,
            hcl.Comment(f"Sending domain {records.domain} in the Azure DNS zone {records.zone} (resource group {group})."),
        ]
        for record in records.records:
            label = record_set_label(record, records.domain)
            kind = resource_type(record)
            comments = [
                describe(record) + ".",
                "Creating a record set that exists fails: `spotme-dns generate --discover` imports it, or by hand:",
                f"  terraform import 'module.{context.module_name}.{kind}.{label}' {import_id(subscription, group, records.zone, record)}",
            ]
            body: list[hcl.Item] = [
                hcl.Attribute("name", relative_name(record.name, records.zone)),
                hcl.Attribute("zone_name", records.zone),
                hcl.Attribute("resource_group_name", group),
                hcl.Attribute("ttl", record.ttl),
            ]
            if record.type is RecordType.TXT:
                body += [hcl.Block("record", (), (hcl.Attribute("value", text),)) for text in record.texts]
            else:
                body.append(hcl.Attribute("record", record.texts[0]))
            items.append(hcl.BLANK)
            items.extend(hcl.Comment(line) for line in comments)
            items.append(hcl.Block("resource", (kind, label), tuple(body)))
        main = hcl.document(items, header=context.header)
        outputs = hcl.document([records_output(records_value(records))], header=context.header)
        return DomainFiles(files=(("main.tf", main), ("outputs.tf", outputs)))
