"""The Azure DNS edge: read a zone's record sets through the Azure Resource Manager REST API.

The only module that speaks to Azure. It reads, never writes: Terraform does the writing.
The bearer token comes from `AZURE_ACCESS_TOKEN` (`az account get-access-token --query
accessToken -o tsv` prints one); the subscription from the spec or `ARM_SUBSCRIPTION_ID` (as
the azurerm provider reads it); `AZURE_RESOURCE_MANAGER_URL` points the client elsewhere (a
test stand-in).

Documented calls (Azure REST API, DNS, api-version 2018-05-01, the version the azurerm
provider's DNS resources use):
- `GET /subscriptions/{s}/resourceGroups/{g}/providers/Microsoft.Network/dnsZones/{zone}` (Zones - Get);
- `GET .../dnsZones/{zone}/{recordType}/{relativeRecordSetName}` (Record Sets - Get): 404
  when there is no such set; else `properties.TTL`, `properties.TXTRecords[].value[]` (the
  strings of one TXT record) or `properties.CNAMERecord.cname`.
Errors carry `{"error": {"code", "message"}}`. Failures raise `AzureDnsError` (exit 2).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests

from .errors import InputError, Location, Problem
from .http_api import read_only_session

DEFAULT_BASE_URL = "https://management.azure.com"
API_VERSION = "2018-05-01"
TOKEN_VARIABLE = "AZURE_ACCESS_TOKEN"
SUBSCRIPTION_VARIABLE = "ARM_SUBSCRIPTION_ID"
BASE_URL_VARIABLE = "AZURE_RESOURCE_MANAGER_URL"


class AzureDnsError(InputError):
    """The Azure API refused or failed: the message says what was asked and why."""

    def __init__(self, message: str, *, code: str = "azure-error") -> None:
        super().__init__([Problem(Location("azure"), message, code)])


@dataclass(frozen=True)
class AzureRecordSet:
    name: str
    """Absolute, lower-case, no trailing dot."""
    type: str
    ttl: int | None
    values: tuple[str, ...]
    """Logical values: each TXT record's strings joined (RFC 7208 §3.3), names without the dot."""


class AzureDnsApi:
    """A small, read-only Azure DNS client."""

    def __init__(self, token: str, *, base_url: str = DEFAULT_BASE_URL, timeout: float = 15.0, retries: int = 3) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._session = read_only_session(token, base_url=self.base_url, retries=retries)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> AzureDnsApi | None:
        """A client when `AZURE_ACCESS_TOKEN` is set, else None."""
        env = os.environ if environ is None else environ
        token = env.get(TOKEN_VARIABLE, "").strip()
        if not token:
            return None
        return cls(token, base_url=env.get(BASE_URL_VARIABLE, "").strip() or DEFAULT_BASE_URL)

    def close(self) -> None:
        self._session.close()

    def check_zone(self, subscription: str, group: str, zone: str) -> None:
        """AzureDnsError unless the zone exists in that resource group."""
        path = f"/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Network/dnsZones/{zone}"
        if self._get(path, f"read DNS zone {zone} in resource group {group}") is None:
            raise AzureDnsError(
                f"no DNS zone {zone} in resource group {group} of subscription {subscription} (check azure.resource_group)",
                code="azure-zone-not-found",
            )

    def record_set(self, subscription: str, group: str, zone: str, name: str, rtype: str) -> AzureRecordSet | None:
        """The `rtype` set at `name`, or None when there is none."""
        relative = "@" if name == zone else name[: -len(zone) - 1]
        path = f"/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Network/dnsZones/{zone}/{rtype}/{relative}"
        body = self._get(path, f"read the {rtype} record set at {name}")
        if body is None:
            return None
        props = body.get("properties") if isinstance(body.get("properties"), dict) else {}
        values: tuple[str, ...]
        if rtype == "TXT":
            values = tuple(
                "".join(str(s) for s in r.get("value") or ())
                for r in props.get("TXTRecords") or ()
                if isinstance(r, dict)
            )
        else:
            cname = (props.get("CNAMERecord") or {}).get("cname") if isinstance(props.get("CNAMERecord"), dict) else None
            values = (str(cname).rstrip(".").lower(),) if cname else ()
        ttl = props.get("TTL")
        return AzureRecordSet(name, rtype, int(ttl) if isinstance(ttl, int) else None, values) if values else None

    def _get(self, path: str, what: str) -> dict[str, Any] | None:
        try:
            response = self._session.get(self.base_url + path, params={"api-version": API_VERSION}, timeout=self.timeout)
        except requests.Timeout:
            raise AzureDnsError(f"cannot {what}: {self.base_url} did not answer within {self.timeout:g} s", code="azure-unreachable") from None
        except requests.RequestException as err:
            raise AzureDnsError(f"cannot {what}: cannot reach {self.base_url} ({type(err).__name__})", code="azure-unreachable") from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code == 404 and isinstance(body, dict):
            return None
        if not isinstance(body, dict):
            raise AzureDnsError(f"cannot {what}: HTTP {response.status_code} without a JSON body", code="azure-bad-response")
        if response.status_code >= 400:
            error = body.get("error") if isinstance(body.get("error"), dict) else {}
            message = " ".join(str(error.get(k, "")) for k in ("code", "message")).strip()
            hint = f" (check {TOKEN_VARIABLE}: it needs read access to the zone, e.g. the DNS Zone Contributor or Reader role)" if response.status_code in (401, 403) else ""
            raise AzureDnsError(
                f"cannot {what}: HTTP {response.status_code}" + (f", {message}" if message else "") + hint,
                code="azure-denied" if response.status_code in (401, 403) else "azure-error",
            )
        return body
