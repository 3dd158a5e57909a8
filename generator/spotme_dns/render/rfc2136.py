"""RFC 2136 dynamic updates (BIND, Active Directory DNS): the hashicorp/dns provider.

One `dns_txt_record_set` per TXT owner name (it owns every TXT value there, so the SPF value,
the Mandrill verification and every `keep_txt` value go into the one resource, as on Route 53)
and one `dns_cname_record` per CNAME. Zones, CNAME targets and import ids are FQDNs with the
trailing dot; TXT values are zone-file text (`"` and `\\` escaped, other octets `\\DDD`
decimal). The provider facts and their sources are in `spotme_dns.rfc2136`.

The root's `provider "dns"` block holds an `update` block (the provider needs one to send
updates) with what the spec's `rfc2136:` names; the rest, and always the TSIG secret or the
GSS-TSIG password or keytab, comes from the provider's DNS_UPDATE_* environment variables.
"""

from __future__ import annotations

from .. import hcl, rfc2136
from ..errors import Problem
from ..model import TXT_STRING_LIMIT, DomainRecords, RecordType
from ..spec import DomainSpec, Rfc2136Spec
from .common import (
    DomainContext,
    DomainFiles,
    ProviderRequirement,
    escape_character_string,
    record_set_label,
    records_output,
    records_value,
    required_providers_block,
)
from .route53 import describe

#: dns_txt_record_set / dns_cname_record have had these arguments since 3.0; documented for 3.6.1.
VERSION = ">= 3.0, < 4.0"


def provider_requirement(options: Rfc2136Spec) -> ProviderRequirement:
    """The root's `provider "dns"` with an `update` block from the spec; secrets from the environment."""
    update: list[hcl.Item] = [
        hcl.Comment("Unset arguments come from DNS_UPDATE_SERVER, DNS_UPDATE_PORT, DNS_UPDATE_KEYNAME and"),
        hcl.Comment("DNS_UPDATE_KEYALGORITHM; the TSIG secret always from DNS_UPDATE_KEYSECRET."),
    ]
    if options.server:
        update.append(hcl.Attribute("server", options.server))
    if options.port:
        update.append(hcl.Attribute("port", options.port))
    if options.transport:
        update.append(hcl.Attribute("transport", options.transport))
    if options.key_name:
        update.append(hcl.Attribute("key_name", options.key_name))
    if options.key_algorithm:
        update.append(hcl.Attribute("key_algorithm", options.key_algorithm))
    if options.gssapi:
        gssapi: list[hcl.Item] = [
            hcl.Comment("GSS-TSIG (RFC 3645): the password from DNS_UPDATE_PASSWORD or a keytab from DNS_UPDATE_KEYTAB."),
        ]
        if options.realm:
            gssapi.append(hcl.Attribute("realm", options.realm))
        if options.username:
            gssapi.append(hcl.Attribute("username", options.username))
        update.append(hcl.Block("gssapi", (), tuple(gssapi)))
    return ProviderRequirement(
        name="dns",
        source=rfc2136.SOURCE,
        version=VERSION,
        config=(hcl.Block("update", (), tuple(update)),),
    )


def txt_value(text: str) -> str:
    """One `txt` entry: the whole value as zone-file text inside the provider's quotes (decimal `\\DDD`)."""
    return escape_character_string(text, escape_non_ascii=True)


class Rfc2136Renderer:
    """Plain `dns_txt_record_set` and `dns_cname_record` resources with literal values."""

    def problems(self, domain: DomainSpec, records: DomainRecords) -> list[Problem]:
        out = []
        for record in records.records:
            if record.type is not RecordType.TXT:
                continue
            for text in record.texts:
                written = txt_value(text)
                if len(written) > TXT_STRING_LIMIT and written != text:
                    out.append(
                        Problem(
                            domain.location,
                            f"{domain.domain}: the TXT value {text[:40]!r}... at {record.name} is longer than "
                            f"{TXT_STRING_LIMIT} characters and needs escapes: the hashicorp/dns provider cuts the "
                            "escaped text every 255 characters and could cut an escape in two; shorten it or "
                            "publish it by hand",
                            "rfc2136-long-escaped-txt",
                        )
                    )
        return out

    def providers(self, domain: DomainSpec) -> tuple[ProviderRequirement, ...]:
        return (provider_requirement(domain.rfc2136),)

    def render(self, domain: DomainSpec, records: DomainRecords, context: DomainContext) -> DomainFiles:
        requirement = provider_requirement(domain.rfc2136)
        zone = rfc2136.fqdn(records.zone)
        items: list[hcl.Item] = [
            required_providers_block([requirement]),
            hcl.BLANK,
            hcl.Comment(f"Sending domain {records.domain} in the zone {zone}, written by RFC 2136 dynamic updates."),
        ]
        for record in records.records:
            label = record_set_label(record, records.domain)
            name = rfc2136.relative_name(record.name, records.zone)
            comments = [describe(record) + "."]
            if record.type is RecordType.TXT:
                resource = rfc2136.TXT_RESOURCE
                comments.append(
                    f"{resource} owns every TXT value of {record.name}: applying replaces them all with exactly these."
                )
                if record.name == records.domain:
                    comments += [
                        "If TXT records exist there already, list them in keep_txt and import the set first:",
                        f"  terraform import 'module.{context.module_name}.{resource}.{label}' {rfc2136.import_id(record.name)}",
                    ]
                body: list[hcl.Item] = [hcl.Attribute("zone", zone)]
                if name:
                    body.append(hcl.Attribute("name", name))
                body += [
                    hcl.Attribute("txt", hcl.ListExpr(tuple(txt_value(t) for t in record.texts))),
                    hcl.Attribute("ttl", record.ttl),
                ]
            else:
                resource = rfc2136.CNAME_RESOURCE
                body = [
                    hcl.Attribute("zone", zone),
                    hcl.Attribute("name", name),
                    hcl.Attribute("cname", rfc2136.fqdn(record.texts[0])),
                    hcl.Attribute("ttl", record.ttl),
                ]
            items.append(hcl.BLANK)
            items.extend(hcl.Comment(line) for line in comments)
            items.append(hcl.Block("resource", (resource, label), tuple(body)))
        main = hcl.document(items, header=context.header)
        outputs = hcl.document([records_output(records_value(records))], header=context.header)
        return DomainFiles(files=(("main.tf", main), ("outputs.tf", outputs)))
