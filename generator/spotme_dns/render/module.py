"""`--style module`: each domain folder calls a hand-written module of terraform/modules/.

The call passes the spec's values as the modules' typed inputs (terraform/modules/*/variables.tf:
domain, zone_name, zone_id, ses_dkim_tokens, ses_signing_zone, mandrill_verification,
mandrill_dkim, spf_keep, spf_include, spf_all, dmarc_policy, dmarc_rua, dmarc_ruf, extra_txt,
ttl). What those inputs can not express is refused before anything is written, so the modules'
records are the spec's records: other DMARC tags, Cloudflare provider v4 (the module uses v5),
and values the modules' `validation` blocks reject.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .. import hcl
from ..errors import Problem
from ..model import DomainRecords
from ..spec import DEFAULT_SIGNING_ZONE, DomainSpec, Provider
from .common import DomainContext, DomainFiles, ProviderRequirement, records_output, required_providers_block
from .generic import records_table, zone_file

#: The hand-written module each provider's domains call.
MODULE_NAMES = {
    Provider.ROUTE53: "route53", Provider.CLOUDFLARE: "cloudflare", Provider.GENERIC: "generic", Provider.RFC2136: "rfc2136",
    Provider.GOOGLE: "google", Provider.AZURE: "azure",
}
CALL_LABEL = "records"
_PRINTABLE_ASCII = re.compile(r"^[ -~]*$")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[!-~]+$")


def module_source(prefix: str, name: str) -> str:
    """`<prefix>/<name>`, keeping a `?query` (e.g. `?ref=v1` of a git source) at the end."""
    base, sep, query = prefix.partition("?")
    return f"{base.rstrip('/')}/{name}{sep}{query}"


def _uris(domain: DomainSpec, tag: str) -> list[str]:
    return [u for value in (v for k, v in domain.dmarc.tags if k == tag) for u in value.split(",")]


class ModuleRenderer:
    """Module calls; providers are the same as the plain renderers'."""

    def __init__(self, plain: Mapping[Provider, object]) -> None:
        self._plain = plain

    def problems(self, domain: DomainSpec, records: DomainRecords) -> list[Problem]:
        loc = domain.location
        out: list[Problem] = []

        def refuse(message: str) -> None:
            out.append(Problem(loc, f"{domain.domain}: --style module: {message}; use --style plain", "module-style-unsupported"))

        if domain.provider not in MODULE_NAMES:
            refuse(f"terraform/modules has no module for provider {domain.provider} yet")
            return out
        if domain.provider is Provider.CLOUDFLARE and domain.cloudflare_version != 5:
            refuse("terraform/modules/cloudflare uses Cloudflare provider v5 (cloudflare_dns_record), the spec asks for v4")
        if not domain.dmarc.manage:
            refuse("DMARC is not managed here (dmarc.manage false, or a delegated record), but the modules always write one")
        if domain.dmarc.raw is not None:
            refuse("the existing DMARC record is adopted verbatim, which the modules' inputs can not express")
        other = sorted({k for k, _ in domain.dmarc.tags} - {"rua", "ruf"})
        if other:
            refuse(f"DMARC tag{'s' if len(other) > 1 else ''} {', '.join(other)} {'are' if len(other) > 1 else 'is'} not an input of the modules (only policy, rua, ruf)")
        for tag in ("rua", "ruf"):
            for uri in _uris(domain, tag):
                if not _URI.match(uri):
                    refuse(f"dmarc_{tag} {uri!r} must be a printable-ASCII URI for the modules' validation")
        if domain.provider is not Provider.CLOUDFLARE:
            for text in domain.keep_txt:
                if not _PRINTABLE_ASCII.match(text) and domain.provider in (Provider.ROUTE53, Provider.RFC2136, Provider.GOOGLE):
                    refuse(f"keep_txt value {text!r} is not printable ASCII, which terraform/modules/{MODULE_NAMES[domain.provider]} refuses")
                elif any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text):
                    refuse(f"keep_txt value {text!r} has control characters, which the modules refuse")
        if domain.provider is Provider.RFC2136:
            out += self._plain[domain.provider].problems(domain, records)  # type: ignore[attr-defined]
        return out

    def providers(self, domain: DomainSpec) -> tuple[ProviderRequirement, ...]:
        return self._plain[domain.provider].providers(domain)  # type: ignore[attr-defined]

    def render(self, domain: DomainSpec, records: DomainRecords, context: DomainContext) -> DomainFiles:
        name = MODULE_NAMES[domain.provider]
        args: list[hcl.Item] = [
            hcl.Attribute("source", module_source(context.modules_source, name)),
            hcl.BLANK,
            hcl.Attribute("domain", domain.domain),
        ]
        if domain.provider is Provider.GOOGLE:  # names are FQDNs there; the zone is the managed zone
            args += [hcl.Attribute("project", domain.google.project), hcl.Attribute("managed_zone", domain.google.managed_zone)]
        elif domain.zone != domain.domain:
            args.append(hcl.Attribute("zone_name", domain.zone))
        if domain.provider is Provider.AZURE:
            args.append(hcl.Attribute("resource_group_name", domain.azure.resource_group))
        if domain.zone_id and domain.provider in (Provider.ROUTE53, Provider.CLOUDFLARE):
            args.append(hcl.Attribute("zone_id", domain.zone_id))
        args += [
            hcl.Attribute("ses_dkim_tokens", hcl.ListExpr(domain.ses.dkim_tokens)),
            hcl.Attribute("ses_signing_zone", domain.ses.signing_zone or DEFAULT_SIGNING_ZONE),
            hcl.Attribute("mandrill_verification", domain.mandrill.verification),
            hcl.Attribute("mandrill_dkim", domain.mandrill.dkim),
            hcl.Attribute("spf_keep", hcl.ListExpr(domain.spf.keep)),
            hcl.Attribute("spf_include", hcl.ListExpr(domain.spf.include)),
            hcl.Attribute("spf_all", domain.spf.all),
            hcl.Attribute("dmarc_policy", domain.dmarc.policy),
            hcl.Attribute("dmarc_rua", hcl.ListExpr(tuple(_uris(domain, "rua")))),
            hcl.Attribute("dmarc_ruf", hcl.ListExpr(tuple(_uris(domain, "ruf")))),
        ]
        if domain.provider is not Provider.CLOUDFLARE:
            # On Cloudflare the customer's other TXT values are records of their own and survive.
            args.append(hcl.Attribute("extra_txt", hcl.ListExpr(domain.keep_txt)))
        args.append(hcl.Attribute("ttl", domain.ttl))
        requirements = self.providers(domain)
        items: list[hcl.Item] = [required_providers_block(requirements), hcl.BLANK] if requirements else []
        items += [
            hcl.Comment(f"Sending domain {records.domain} in the zone {records.zone}, through terraform/modules/{name}."),
            hcl.Block("module", (CALL_LABEL,), tuple(args)),
        ]
        value = hcl.Raw(f"module.{CALL_LABEL}.records")
        if domain.provider is Provider.GENERIC:
            # The zone in each object, as the generic renderer writes it: validate/verify read it there.
            value = hcl.Raw(f"[for r in module.{CALL_LABEL}.records : merge(r, {{ zone = {hcl.quote(records.zone)} }})]")
        files: list[tuple[str, str]] = [
            ("main.tf", hcl.document(items, header=context.header)),
            ("outputs.tf", hcl.document([records_output(value, zone=domain.provider is Provider.GENERIC)], header=context.header)),
        ]
        if domain.provider is Provider.GENERIC:
            files.append(("records.zone", zone_file(records, context.header)))
            files.append(("RECORDS.md", records_table(records, context.header)))
        return DomainFiles(files=tuple(files))

