"""cloudflare_api.py against a local stub of the Cloudflare v4 API (documented response shapes)."""

from __future__ import annotations

import pytest

from spotme_dns.cloudflare_api import CloudflareApi, CloudflareError
from tests.cloudflare_stub import cloudflare_fixture, cloudflare_server_fixture  # noqa: F401 (fixtures)

ZONE = "acme-events.com"


def api() -> CloudflareApi:
    client = CloudflareApi.from_environment()
    assert client is not None
    return client


def test_no_token_no_client(monkeypatch):
    """Without CLOUDFLARE_API_TOKEN there is no client (discovery falls back to live DNS)."""
    monkeypatch.delenv("CLOUDFLARE_API_TOKEN", raising=False)
    assert CloudflareApi.from_environment() is None
    assert CloudflareApi.from_environment({"CLOUDFLARE_API_TOKEN": "  "}) is None


def test_find_zone_by_name(cloudflare):
    """The zone with that exact name; others are ignored."""
    zone_id = cloudflare.add_zone(ZONE)
    cloudflare.add_zone("other.com")
    zone = api().find_zone("ACME-events.com.")
    assert (zone.id, zone.name, zone.status) == (zone_id, ZONE, "active")
    assert cloudflare.requests[-1].startswith("/client/v4/zones?name=acme-events.com")


def test_find_zone_missing_and_ambiguous(cloudflare):
    """No zone: says what the token needs; two zones with one name: lists them."""
    with pytest.raises(CloudflareError, match="no Cloudflare zone named acme-events.com is visible"):
        api().find_zone(ZONE)
    first, second = cloudflare.add_zone(ZONE), cloudflare.add_zone(ZONE)
    with pytest.raises(CloudflareError, match="2 Cloudflare zones") as err:
        api().find_zone(ZONE)
    assert first in str(err.value) and second in str(err.value)


def test_dns_records_unquoted_and_filtered(cloudflare):
    """Records at a name: TXT content unquoted and joined, CNAME targets without the dot, ids kept."""
    zone_id = cloudflare.add_zone(ZONE)
    long_spf = "v=spf1 " + " ".join(f"ip4:10.0.{i}.0/24" for i in range(30)) + " -all"
    spf_id = cloudflare.add_record(zone_id, ZONE, "TXT", f'"{long_spf[:255]}" "{long_spf[255:]}"')
    cloudflare.add_record(zone_id, ZONE, "TXT", "google-site-verification=abc")  # an old, unquoted record
    cname_id = cloudflare.add_record(zone_id, f"mte1._domainkey.{ZONE}", "CNAME", "dkim1.mandrillapp.com", proxied=True)
    cloudflare.add_record(zone_id, f"www.{ZONE}", "CNAME", ZONE)
    records = api().dns_records(zone_id, name=ZONE)
    assert sorted((r.type, r.content) for r in records) == [("TXT", "google-site-verification=abc"), ("TXT", long_spf)]
    assert next(r.id for r in records if r.content == long_spf) == spf_id
    (cname,) = api().dns_records(zone_id, name=f"mte1._domainkey.{ZONE}", type="cname")
    assert (cname.id, cname.content, cname.proxied, cname.ttl) == (cname_id, "dkim1.mandrillapp.com", True, 1)


def test_pagination_reads_every_page(cloudflare):
    """More records than one page holds: every page is read, in order, and nothing twice."""
    zone_id = cloudflare.add_zone(ZONE)
    for i in range(250):
        cloudflare.add_record(zone_id, ZONE, "TXT", f"value-{i:03d}")
    records = api().dns_records(zone_id, name=ZONE)
    assert [r.content for r in records] == [f"value-{i:03d}" for i in range(250)]
    pages = [p for p in cloudflare.requests if "dns_records" in p]
    assert len(pages) == 3 and all(f"page={n}" in p for n, p in zip((1, 2, 3), pages, strict=True))


def test_bad_token_is_a_clear_error(cloudflare, monkeypatch):
    """A token the API refuses: exit-2 error naming the variable and the permissions needed."""
    cloudflare.add_zone(ZONE)
    client = CloudflareApi("wrong-token", base_url=cloudflare.base_url)
    with pytest.raises(CloudflareError, match="HTTP 403, 10000: Authentication error .*CLOUDFLARE_API_TOKEN.*DNS:Read"):
        client.find_zone(ZONE)


def test_unknown_zone_id(cloudflare):
    """A zone id that does not exist: Cloudflare's error code and message are passed on."""
    with pytest.raises(CloudflareError, match="HTTP 404, 7003: Could not route"):
        api().dns_records("0" * 32, name=ZONE)


def test_rate_limit_is_retried(cloudflare):
    """429 with Retry-After: the request is repeated, the answer is the real one."""
    zone_id = cloudflare.add_zone(ZONE)
    cloudflare.fail_next.append(429)
    assert api().find_zone(ZONE).id == zone_id
    assert len(cloudflare.requests) == 2


def test_unreachable_api(monkeypatch):
    """Nothing listening at the base URL: a clear error, no traceback."""
    client = CloudflareApi("t", base_url="http://127.0.0.1:9/client/v4", retries=0, timeout=2)
    with pytest.raises(CloudflareError, match="cannot reach http://127.0.0.1:9/client/v4"):
        client.find_zone(ZONE)
