"""A local stub of the Cloudflare v4 API endpoints spotme-dns reads, on 127.0.0.1.

It answers in the documented shapes (https://developers.cloudflare.com/api/): every response
is `{"success", "errors", "messages", "result", "result_info"}`; list endpoints take `page` and
`per_page` and report `result_info: {page, per_page, count, total_count, total_pages}`.

- GET /client/v4/zones?name=...                       List Zones
- GET /client/v4/zones/{zone_id}/dns_records?name=&type=   List DNS Records

Requests need `Authorization: Bearer <token>`; anything else is 403 with Cloudflare's
authentication error (code 10000). `fail_next` queues error statuses (e.g. 429) to answer
before the next real response.

Test modules import the fixtures `cloudflare_fixture` and `cloudflare_server_fixture`; tests
ask for them as `cloudflare` (an empty stub, the environment pointing at it) and
`cloudflare_server`.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

PREFIX = "/client/v4"


@dataclass
class CloudflareStub:
    """The stub's state; `base_url` is what CLOUDFLARE_API_BASE_URL should be set to."""

    token: str = "test-token"
    zones: dict[str, dict[str, Any]] = field(default_factory=dict)
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    """Path and query of every request, in order."""
    fail_next: list[int] = field(default_factory=list)
    base_url: str = ""

    def add_zone(self, name: str, zone_id: str | None = None) -> str:
        zone_id = zone_id or uuid.uuid4().hex
        self.zones[zone_id] = {"id": zone_id, "name": name, "status": "active", "paused": False, "type": "full"}
        self.records.setdefault(zone_id, [])
        return zone_id

    def add_record(self, zone_id: str, name: str, rtype: str, content: str, *, ttl: int = 1, proxied: bool = False) -> str:
        record_id = uuid.uuid4().hex
        self.records[zone_id].append(
            {
                "id": record_id,
                "zone_id": zone_id,
                "zone_name": self.zones[zone_id]["name"],
                "name": name,
                "type": rtype,
                "content": content,
                "proxiable": rtype in ("A", "AAAA", "CNAME"),
                "proxied": proxied,
                "ttl": ttl,
                "locked": False,
                "meta": {"auto_added": False},
                "comment": None,
                "tags": [],
                "created_on": "2026-01-01T00:00:00.000000Z",
                "modified_on": "2026-01-01T00:00:00.000000Z",
            }
        )
        return record_id

    def reset(self) -> None:
        self.zones.clear()
        self.records.clear()
        self.requests.clear()
        self.fail_next.clear()


def _envelope(result: Any, *, page: int = 1, per_page: int = 0, total: int | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"success": True, "errors": [], "messages": [], "result": result}
    if isinstance(result, list):
        total = len(result) if total is None else total
        pages = max(1, -(-total // per_page)) if per_page else 1
        body["result_info"] = {"page": page, "per_page": per_page, "count": len(result), "total_count": total, "total_pages": pages}
    return body


def _error(code: int, message: str) -> dict[str, Any]:
    return {"success": False, "errors": [{"code": code, "message": message}], "messages": [], "result": None}


def _handler(stub: CloudflareStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

        def _send(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            stub.requests.append(self.path)
            if stub.fail_next:
                status = stub.fail_next.pop(0)
                headers = {"Retry-After": "0"} if status in (429, 503) else {}
                self._send(status, _error(971 if status == 429 else 10000 + status, "Please wait and consider throttling your request speed"), headers)
                return
            if self.headers.get("Authorization") != f"Bearer {stub.token}":
                self._send(403, _error(10000, "Authentication error"))
                return
            url = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            page = int(query.get("page", "1"))
            per_page = int(query.get("per_page", "20"))
            parts = url.path.removeprefix(PREFIX).strip("/").split("/")
            if parts == ["zones"]:
                items = [z for z in stub.zones.values() if "name" not in query or z["name"] == query["name"]]
            elif len(parts) == 3 and parts[0] == "zones" and parts[2] == "dns_records":
                if parts[1] not in stub.zones:
                    self._send(404, _error(7003, f"Could not route to /zones/{parts[1]}/dns_records, perhaps your object identifier is invalid?"))
                    return
                items = [
                    r for r in stub.records[parts[1]]
                    if ("name" not in query or r["name"] == query["name"]) and ("type" not in query or r["type"] == query["type"])
                ]
            else:
                self._send(404, _error(7000, "No route for that URI"))
                return
            chunk = items[(page - 1) * per_page : page * per_page]
            self._send(200, _envelope(chunk, page=page, per_page=per_page, total=len(items)))

    return Handler


class StubServer:
    """Runs a `CloudflareStub` on a free port of 127.0.0.1 in a thread."""

    def __init__(self, stub: CloudflareStub) -> None:
        self.stub = stub
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
        host, port = self._server.server_address[:2]
        stub.base_url = f"http://{host}:{port}{PREFIX}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> CloudflareStub:
        self._thread.start()
        return self.stub

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture(scope="module", name="cloudflare_server")
def cloudflare_server_fixture() -> Iterator[CloudflareStub]:
    """The stub, running for the tests of one module."""
    with StubServer(CloudflareStub()) as stub:
        yield stub


@pytest.fixture(name="cloudflare")
def cloudflare_fixture(cloudflare_server: CloudflareStub, monkeypatch: pytest.MonkeyPatch) -> CloudflareStub:
    """An empty stub; CLOUDFLARE_API_TOKEN and CLOUDFLARE_API_BASE_URL point at it."""
    cloudflare_server.reset()
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", cloudflare_server.token)
    monkeypatch.setenv("CLOUDFLARE_API_BASE_URL", cloudflare_server.base_url)
    return cloudflare_server
