"""The Cloudflare edge: read zones and DNS records through the Cloudflare v4 API.

The only module that speaks to the Cloudflare API. It reads, never writes: Terraform does
the writing. The token comes from `CLOUDFLARE_API_TOKEN` (the variable the Terraform provider
reads too); `CLOUDFLARE_API_BASE_URL` points the client elsewhere (a test stub).

Every response has the documented envelope `{"success", "errors", "messages", "result",
"result_info"}`; lists are paginated with `page`/`per_page` and `result_info.total_pages`
(https://developers.cloudflare.com/api/ : Zones "List Zones", DNS Records "List DNS Records").
Failures raise `CloudflareError` (exit code 2) saying what was asked and what Cloudflare said.
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

DEFAULT_BASE_URL = "https://api.cloudflare.com/client/v4"
TOKEN_VARIABLE = "CLOUDFLARE_API_TOKEN"
BASE_URL_VARIABLE = "CLOUDFLARE_API_BASE_URL"
#: Page sizes: the DNS records endpoint serves up to 5,000 per page and zones up to 50; a
#: sending domain needs few records, so modest pages keep each answer small.
RECORDS_PER_PAGE = 100
ZONES_PER_PAGE = 50
#: A hard stop against an API that keeps saying there is another page.
MAX_PAGES = 1000


class CloudflareError(InputError):
    """The Cloudflare API refused or failed: the message says what was asked and why."""

    def __init__(self, message: str, *, code: str = "cloudflare-error") -> None:
        super().__init__([Problem(Location("cloudflare"), message, code)])


@dataclass(frozen=True)
class CloudflareZone:
    """A Cloudflare zone."""

    id: str
    name: str
    """Lower-case, no trailing dot."""
    status: str
    """`active`, `pending`, ..."""


@dataclass(frozen=True)
class CloudflareRecord:
    """One Cloudflare DNS record (Cloudflare keeps one record per value)."""

    id: str
    zone_id: str
    name: str
    """Absolute, lower-case, no trailing dot."""
    type: str
    content: str
    """The logical value: TXT unquoted and joined (RFC 7208 §3.3), names without the dot."""
    ttl: int
    """1 means "automatic"."""
    proxied: bool


class CloudflareApi:
    """A small, read-only Cloudflare v4 API client."""

    def __init__(self, token: str, *, base_url: str = DEFAULT_BASE_URL, timeout: float = 15.0, retries: int = 3) -> None:
        """`retries` applies to rate limiting (429) and server errors, honouring Retry-After."""
        if not token.strip():
            raise CloudflareError(f"{TOKEN_VARIABLE} is empty", code="cloudflare-no-token")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._session = read_only_session(token, base_url=self.base_url, retries=retries)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> CloudflareApi | None:
        """A client when `CLOUDFLARE_API_TOKEN` is set, else None."""
        env = os.environ if environ is None else environ
        token = env.get(TOKEN_VARIABLE, "").strip()
        if not token:
            return None
        return cls(token, base_url=env.get(BASE_URL_VARIABLE, "").strip() or DEFAULT_BASE_URL)

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> CloudflareApi:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -------------------------------------------------------------------------- questions

    def find_zone(self, name: str) -> CloudflareZone:
        """The one zone called `name` that the token can see; CloudflareError otherwise."""
        wanted = name.strip().rstrip(".").lower()
        zones = [
            _zone(item)
            for item in self._pages("/zones", {"name": wanted}, ZONES_PER_PAGE, f"look up Cloudflare zone {wanted}")
        ]
        zones = [z for z in zones if z.name == wanted]
        if not zones:
            raise CloudflareError(
                f"no Cloudflare zone named {wanted} is visible to this API token: check the name, or give the "
                "token Zone:Read and DNS:Read on that zone, or set 'zone_id' in the spec",
                code="cloudflare-zone-not-found",
            )
        if len(zones) > 1:
            listed = ", ".join(f"{z.id} ({z.status})" for z in zones)
            raise CloudflareError(
                f"{len(zones)} Cloudflare zones are named {wanted}: {listed}; set 'zone_id' in the spec",
                code="cloudflare-zone-ambiguous",
            )
        return zones[0]

    def dns_records(self, zone_id: str, *, name: str | None = None, type: str | None = None) -> tuple[CloudflareRecord, ...]:
        """The zone's DNS records, optionally only those at `name` and of `type`, every page."""
        params: dict[str, str] = {}
        wanted = name.strip().rstrip(".").lower() if name else None
        if wanted:
            params["name"] = wanted
        if type:
            params["type"] = type.upper()
        what = f"list Cloudflare DNS records of zone {zone_id}" + (f" at {wanted}" if wanted else "")
        records = [_record(item, zone_id) for item in self._pages(f"/zones/{zone_id}/dns_records", params, RECORDS_PER_PAGE, what)]
        # The filters are applied again here: an API that ignored one must not widen the answer.
        return tuple(
            r for r in records if (wanted is None or r.name == wanted) and (type is None or r.type == type.upper())
        )

    # -------------------------------------------------------------------------- transport

    def _pages(self, path: str, params: dict[str, str], per_page: int, what: str) -> Iterator[dict[str, Any]]:
        """Every item of a paginated list endpoint."""
        page = 1
        while page <= MAX_PAGES:
            body = self._get(path, {**params, "page": str(page), "per_page": str(per_page)}, what)
            result = body.get("result")
            if not isinstance(result, list):
                raise CloudflareError(f"cannot {what}: the API answered without a result list", code="cloudflare-bad-response")
            yield from (item for item in result if isinstance(item, dict))
            info = body.get("result_info") or {}
            total_pages = info.get("total_pages")
            if isinstance(total_pages, int):
                if page >= total_pages:
                    return
            elif len(result) < per_page:
                return  # no page count given: a short page is the last one
            if not result:
                return
            page += 1
        raise CloudflareError(f"cannot {what}: more than {MAX_PAGES} pages", code="cloudflare-bad-response")

    def _get(self, path: str, params: dict[str, str], what: str) -> dict[str, Any]:
        url = self.base_url + path
        try:
            response = self._session.get(url, params=params, timeout=self.timeout)
        except requests.Timeout:
            raise CloudflareError(f"cannot {what}: {self.base_url} did not answer within {self.timeout:g} s", code="cloudflare-unreachable") from None
        except requests.RequestException as err:
            raise CloudflareError(f"cannot {what}: cannot reach {self.base_url} ({type(err).__name__})", code="cloudflare-unreachable") from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise CloudflareError(
                f"cannot {what}: HTTP {response.status_code} without a JSON body", code="cloudflare-bad-response"
            )
        if response.status_code >= 400 or body.get("success") is False:
            errors = "; ".join(
                f"{e.get('code', '?')}: {e.get('message', '')}".strip()
                for e in body.get("errors") or ()
                if isinstance(e, dict)
            )
            hint = ""
            if response.status_code in (401, 403):
                hint = f" (check {TOKEN_VARIABLE}: it needs Zone:Read and DNS:Read)"
            raise CloudflareError(
                f"cannot {what}: HTTP {response.status_code}" + (f", {errors}" if errors else "") + hint,
                code="cloudflare-denied" if response.status_code in (401, 403) else "cloudflare-error",
            )
        return body


def _zone(item: dict[str, Any]) -> CloudflareZone:
    return CloudflareZone(
        id=str(item.get("id", "")),
        name=str(item.get("name", "")).rstrip(".").lower(),
        status=str(item.get("status", "")),
    )


def _record(item: dict[str, Any], zone_id: str) -> CloudflareRecord:
    rtype = str(item.get("type", "")).upper()
    content = str(item.get("content", ""))
    if rtype == "TXT":
        # The API stores TXT content as quoted RFC 1035 character-strings (or, for older
        # records, unquoted text): either way the logical value is the strings joined.
        content = unquote_txt(content)
    elif rtype in ("CNAME", "NS", "PTR"):
        content = content.rstrip(".").lower()
    ttl = item.get("ttl", 1)
    return CloudflareRecord(
        id=str(item.get("id", "")),
        zone_id=str(item.get("zone_id") or zone_id),
        name=str(item.get("name", "")).rstrip(".").lower(),
        type=rtype,
        content=content,
        ttl=int(ttl) if isinstance(ttl, (int, float)) else 1,
        proxied=bool(item.get("proxied", False)),
    )
