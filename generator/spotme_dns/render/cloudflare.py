"""Cloudflare: one record per value, never proxied (cloudflare/cloudflare provider v5 or v4).

- v5 (default): `cloudflare_dns_record`; `zone_id`, `name`, `type` and `ttl` are required.
- v4 (`cloudflare: {version: 4}` in the spec): `cloudflare_record` with `content` (`value` is
  deprecated since 4.39.0 in favour of `content`, so the constraint is `~> 4.39`).

Every record sets `proxied = false`: mail and verification records must be DNS-only, a proxied
DKIM CNAME answers with Cloudflare's addresses instead of the target's key.

TXT content is written as quoted RFC 1035 character-strings (`"v=spf1 ... -all"`), each at
most 255 octets, several separated by a space, with `"` and `\\` escaped and control characters
as `\\DDD`: the Cloudflare API documents TXT content as quoted character-strings, content
without quotes draws a dashboard warning, and long unquoted content is re-split by Cloudflare,
which shows up as drift. Other UTF-8 text stays as it is.

Values kept with `keep_txt` are not written: on Cloudflare each TXT value is a record of its
own, so the customer's existing values survive untouched (writing them again would fail as
identical records).

The zone is addressed by its ID from the spec, or looked up by name with the provider's
`cloudflare_zone` data source: v5 takes `filter = { name = ... }` (its `docs/data-sources/zone.md`),
v4 takes `name`; both expose the zone ID as `id`. Zone names are not unique across Cloudflare
accounts, so the generated comment recommends `zone_id` when one token sees several accounts.
"""

from __future__ import annotations

from .. import hcl
from ..errors import Problem
from ..model import DomainRecords, Purpose, RecordType
from ..spec import DomainSpec
from .common import (
    MANAGED_PURPOSES,
    DomainContext,
    DomainFiles,
    ProviderRequirement,
    quoted_txt,
    records_output,
    records_value,
    required_providers_block,
    value_label,
)

#: Resource type per major provider version.
RESOURCE_TYPES = {4: "cloudflare_record", 5: "cloudflare_dns_record"}
VERSION_CONSTRAINTS = {4: "~> 4.39", 5: "~> 5.0"}
SOURCE = "cloudflare/cloudflare"

#: The comment Cloudflare shows next to each record (also used by terraform/modules/cloudflare).
COMMENT_PREFIX = "spotme-dns"


def provider_requirement(version: int) -> ProviderRequirement:
    """The root's requirement for Cloudflare provider major `version`; the token comes from the env."""
    return ProviderRequirement(
        name="cloudflare",
        source=SOURCE,
        version=VERSION_CONSTRAINTS[version],
        config=(hcl.Comment("The API token is read from CLOUDFLARE_API_TOKEN."),),
    )


def content(record_type: RecordType, text: str) -> str:
    """The `content` of one record: TXT as quoted character-strings, a CNAME target as it is."""
    if record_type is RecordType.TXT:
        return quoted_txt(text, escape_non_ascii=False)
    return text


def zone_lookup(zone: str, version: int) -> list[hcl.Item]:
    """The `cloudflare_zone` data source that finds `zone` by name (v5: `filter`, v4: `name`)."""
    query: hcl.Attribute = (
        hcl.Attribute("filter", hcl.ObjectExpr((("name", zone),))) if version == 5 else hcl.Attribute("name", zone)
    )
    return [
        hcl.Comment("The zone, looked up by name (set zone_id in the spec to skip the lookup; zone names are"),
        hcl.Comment("not unique across accounts, so give zone_id when the API token sees several)."),
        hcl.Block("data", ("cloudflare_zone", "zone"), (query,)),
    ]


class CloudflareRenderer:
    """Plain `cloudflare_dns_record` (v5) or `cloudflare_record` (v4) resources, one per value."""

    def problems(self, domain: DomainSpec, records: DomainRecords) -> list[Problem]:
        return []

    def providers(self, domain: DomainSpec) -> tuple[ProviderRequirement, ...]:
        return (provider_requirement(domain.cloudflare_version),)

    def render(self, domain: DomainSpec, records: DomainRecords, context: DomainContext) -> DomainFiles:
        version = domain.cloudflare_version
        resource_type = RESOURCE_TYPES[version]
        requirement = provider_requirement(version)
        items: list[hcl.Item] = [
            required_providers_block([requirement]),
            hcl.BLANK,
            hcl.Comment(
                f"Sending domain {records.domain} in the Cloudflare zone {records.zone} "
                f"(provider v{version}, {resource_type}): one record per value, never proxied."
            ),
        ]
        zone_ref: hcl.Expr
        if domain.zone_id:
            zone_ref = zone_id = domain.zone_id
        else:
            zone_ref, zone_id = hcl.Raw("data.cloudflare_zone.zone.id"), "<zone-id>"
            items += [hcl.BLANK, *zone_lookup(records.zone, version)]
        notes: list[str] = []
        kept = 0
        for record in records.records:
            for value in record.values:
                if value.purpose not in MANAGED_PURPOSES:
                    kept += 1
                    continue
                label = value_label(record, value, records.domain)
                comments = []
                if value.purpose is Purpose.SPF and domain.spf.keep:
                    comments = [
                        "This SPF record replaces the existing one, whose terms it keeps: import the existing record",
                        "into this resource instead of adding a second SPF record (RFC 7208 §3.2 allows one):",
                        f"  terraform import 'module.{context.module_name}.{resource_type}.{label}' {zone_id}/<record-id>",
                    ]
                items.append(hcl.BLANK)
                items.extend(hcl.Comment(line) for line in comments)
                items.append(
                    hcl.Block(
                        "resource",
                        (resource_type, label),
                        (
                            hcl.Attribute("zone_id", zone_ref),
                            hcl.Attribute("name", record.name),
                            hcl.Attribute("type", record.type.value),
                            hcl.Attribute("content", content(record.type, value.text)),
                            hcl.Attribute("ttl", record.ttl),
                            hcl.Attribute("proxied", False),
                            hcl.Attribute("comment", f"{COMMENT_PREFIX}: {value.purpose.value}"),
                        ),
                    )
                )
        if kept:
            notes.append(
                f"{records.domain}: {kept} keep_txt value{'s are' if kept > 1 else ' is'} left as {'they are' if kept > 1 else 'it is'} "
                "on Cloudflare (each TXT value is its own record there)"
            )
        if domain.spf.keep:
            notes.append(
                f"{records.domain}: import the existing SPF record into "
                f"module.{context.module_name}.{resource_type}.spf before applying, so the zone keeps one SPF record"
            )
        return DomainFiles(
            files=(
                ("main.tf", hcl.document(items, header=context.header)),
                ("outputs.tf", hcl.document([records_output(records_value(records))], header=context.header)),
            ),
            notes=tuple(notes),
        )
