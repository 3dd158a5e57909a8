"""Renderers: one per provider behind one small interface, registered in an explicit mapping.

A renderer turns one domain's record set (records.build_records) into the files of its folder
in the output tree, says which providers the root must configure for it, and lists the
problems that stop it from rendering a domain (exit 2 before anything is written). Provider
quirks (Route 53's `\\"\\"` split, Cloudflare's quoted TXT content and `proxied = false`) stay
inside their renderer.
"""

from __future__ import annotations

from typing import Protocol

from ..errors import Problem
from ..model import DomainRecords
from ..spec import DomainSpec, Provider
from .azure import AzureRenderer
from .cloudflare import CloudflareRenderer
from .common import DomainContext, DomainFiles, ProviderRequirement
from .generic import GenericRenderer
from .google import GoogleRenderer
from .module import ModuleRenderer
from .rfc2136 import Rfc2136Renderer
from .route53 import Route53Renderer


class Renderer(Protocol):
    """Writes the folder of one sending domain."""

    def problems(self, domain: DomainSpec, records: DomainRecords) -> list[Problem]:
        """Why this domain can not be rendered (empty when it can)."""
        ...

    def providers(self, domain: DomainSpec) -> tuple[ProviderRequirement, ...]:
        """The providers the root must require and configure for this domain."""
        ...

    def render(self, domain: DomainSpec, records: DomainRecords, context: DomainContext) -> DomainFiles:
        """The files of the domain's folder."""
        ...


#: `--style plain` (the default): literal resources, one block per record set or value.
PLAIN_RENDERERS: dict[Provider, Renderer] = {
    Provider.ROUTE53: Route53Renderer(),
    Provider.CLOUDFLARE: CloudflareRenderer(),
    Provider.GENERIC: GenericRenderer(),
    Provider.RFC2136: Rfc2136Renderer(),
    Provider.GOOGLE: GoogleRenderer(),
    Provider.AZURE: AzureRenderer(),
}

#: `--style module`: calls of the hand-written modules under terraform/modules/.
MODULE_RENDERER: Renderer = ModuleRenderer(PLAIN_RENDERERS)

__all__ = [
    "DomainContext",
    "DomainFiles",
    "MODULE_RENDERER",
    "PLAIN_RENDERERS",
    "ProviderRequirement",
    "Renderer",
]
