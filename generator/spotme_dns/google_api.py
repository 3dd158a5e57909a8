"""The Google Cloud DNS edge: read a managed zone and its record sets through the Cloud DNS v1 API.

The only module that speaks to Google Cloud. It reads, never writes: Terraform does the
writing. The OAuth access token comes from `GOOGLE_OAUTH_ACCESS_TOKEN` (the variable the
hashicorp/google provider reads too; `gcloud auth print-access-token` prints one);
`GOOGLE_DNS_BASE_URL` points the client elsewhere (a test stand-in).

Documented calls (https://cloud.google.com/dns/docs/reference/rest/v1):
- `GET /projects/{project}/managedZones/{managedZone}` (managedZones.get): `dnsName` (with the
  trailing dot), `visibility` (`public` or `private`);
- `GET /projects/{project}/managedZones/{managedZone}/rrsets?name=&type=&maxResults=&pageToken=`
  (resourceRecordSets.list): `rrsets[]` of `{name, type, ttl, rrdatas[]}`, then `nextPageToken`
  while there are more. TXT `rrdatas` are quoted character-strings (RFC 1035 presentation).
Errors carry `{"error": {"code", "message", "status"}}`. Failures raise `GoogleDnsError` (exit 2).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import requests

from .errors import InputError, Location, Problem
from .http_api import read_only_session
from .zonetext import unquote_txt

DEFAULT_BASE_URL = "https://dns.googleapis.com/dns/v1"
TOKEN_VARIABLE = "GOOGLE_OAUTH_ACCESS_TOKEN"
BASE_URL_VARIABLE = "GOOGLE_DNS_BASE_URL"
PAGE_SIZE = 100
MAX_PAGES = 1000


class GoogleDnsError(InputError):
    """The Cloud DNS API refused or failed: the message says what was asked and why."""

    def __init__(self, message: str, *, code: str = "google-error") -> None:
        super().__init__([Problem(Location("google"), message, code)])


@dataclass(frozen=True)
class GoogleZone:
    name: str
    dns_name: str
    """Lower-case, no trailing dot."""
    private: bool


@dataclass(frozen=True)
class GoogleRecordSet:
    name: str
    """Absolute, lower-case, no trailing dot."""
    type: str
    ttl: int | None
    values: tuple[str, ...]
    """Logical values: TXT unquoted and joined (RFC 7208 §3.3), names without the dot."""


class GoogleDnsApi:
    """A small, read-only Cloud DNS v1 client."""

    def __init__(self, token: str, *, base_url: str = DEFAULT_BASE_URL, timeout: float = 15.0, retries: int = 3) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._session = read_only_session(token, base_url=self.base_url, retries=retries)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> GoogleDnsApi | None:
        """A client when `GOOGLE_OAUTH_ACCESS_TOKEN` is set, else None."""
        env = os.environ if environ is None else environ
        token = env.get(TOKEN_VARIABLE, "").strip()
        if not token:
            return None
        return cls(token, base_url=env.get(BASE_URL_VARIABLE, "").strip() or DEFAULT_BASE_URL)

    def close(self) -> None:
        self._session.close()

    def managed_zone(self, project: str, zone: str) -> GoogleZone:
        body = self._get(f"/projects/{project}/managedZones/{zone}", {}, f"read managed zone {zone} of project {project}")
        return GoogleZone(
            name=str(body.get("name", zone)),
            dns_name=str(body.get("dnsName", "")).rstrip(".").lower(),
            private=str(body.get("visibility", "public")).lower() == "private",
        )

    def record_sets(self, project: str, zone: str, name: str) -> tuple[GoogleRecordSet, ...]:
        """Every record set at `name` (all types), every page."""
        wanted = name.strip().rstrip(".").lower()
        what = f"list the record sets at {wanted} in managed zone {zone} of project {project}"
        out = []
        for item in self._pages(f"/projects/{project}/managedZones/{zone}/rrsets", {"name": wanted + "."}, what):
            record = _record_set(item)
            if record.name == wanted:  # the filter applied again: an API that ignored it must not widen the answer
                out.append(record)
        return tuple(out)

    def _pages(self, path: str, params: dict[str, str], what: str) -> Iterator[dict[str, Any]]:
        token = None
        for _ in range(MAX_PAGES):
            query = {**params, "maxResults": str(PAGE_SIZE), **({"pageToken": token} if token else {})}
            body = self._get(path, query, what)
            items = body.get("rrsets", [])
            if not isinstance(items, list):
                raise GoogleDnsError(f"cannot {what}: the API answered without an rrsets list", code="google-bad-response")
            yield from (item for item in items if isinstance(item, dict))
            token = body.get("nextPageToken")
            if not token:
                return
        raise GoogleDnsError(f"cannot {what}: more than {MAX_PAGES} pages", code="google-bad-response")

    def _get(self, path: str, params: dict[str, str], what: str) -> dict[str, Any]:
        try:
            response = self._session.get(self.base_url + path, params=params, timeout=self.timeout)
        except requests.Timeout:
            raise GoogleDnsError(f"cannot {what}: {self.base_url} did not answer within {self.timeout:g} s", code="google-unreachable") from None
        except requests.RequestException as err:
            raise GoogleDnsError(f"cannot {what}: cannot reach {self.base_url} ({type(err).__name__})", code="google-unreachable") from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise GoogleDnsError(f"cannot {what}: HTTP {response.status_code} without a JSON body", code="google-bad-response")
        if response.status_code >= 400:
            error = body.get("error") if isinstance(body.get("error"), dict) else {}
            message = str(error.get("message", "")).strip()
            hint = f" (check {TOKEN_VARIABLE}: it needs dns.managedZones.get and dns.resourceRecordSets.list)" if response.status_code in (401, 403) else ""
            raise GoogleDnsError(
                f"cannot {what}: HTTP {response.status_code}" + (f", {message}" if message else "") + hint,
                code="google-denied" if response.status_code in (401, 403) else "google-error",
            )
        return body


def _record_set(item: dict[str, Any]) -> GoogleRecordSet:
    rtype = str(item.get("type", "")).upper()
    raw = [str(v) for v in item.get("rrdatas") or () if isinstance(v, str)]
    if rtype == "TXT":
        values = tuple(unquote_txt(v) for v in raw)
    elif rtype in ("CNAME", "NS", "PTR"):
        values = tuple(v.rstrip(".").lower() for v in raw)
    else:
        values = tuple(raw)
    ttl = item.get("ttl")
    return GoogleRecordSet(
        name=str(item.get("name", "")).rstrip(".").lower(),
        type=rtype,
        ttl=int(ttl) if isinstance(ttl, (int, float)) and not isinstance(ttl, bool) else None,
        values=values,
    )
