"""A local stand-in for the Cloud DNS v1 REST calls spotme-dns reads, on 127.0.0.1.

It answers in the documented shapes (https://cloud.google.com/dns/docs/reference/rest/v1):

- GET /dns/v1/projects/{project}/managedZones/{zone}            managedZones.get:
  `{kind, name, dnsName, visibility, ...}`
- GET /dns/v1/projects/{project}/managedZones/{zone}/rrsets?name=&type=&maxResults=&pageToken=
  resourceRecordSets.list: `{kind, rrsets: [{kind, name, type, ttl, rrdatas}], nextPageToken?}`

Requests need `Authorization: Bearer <token>`; else 401 with Google's error shape
`{"error": {"code", "message", "status"}}`; an unknown zone is 404. Pages hold `page_size`
record sets (small, so tests see `nextPageToken` in use).

Tests import `google_fixture` and `google_server_fixture` and ask for `google` (an empty
stand-in, the environment pointing at it).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

PREFIX = "/dns/v1"


@dataclass
class GoogleStub:
    token: str = "ya29.test-token"
    zones: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    rrsets: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    page_size: int = 1
    base_url: str = ""

    def add_zone(self, project: str, name: str, dns_name: str, *, visibility: str = "public") -> None:
        self.zones[(project, name)] = {
            "kind": "dns#managedZone", "name": name, "dnsName": dns_name.rstrip(".") + ".", "visibility": visibility,
            "id": "1234567890", "nameServers": ["ns-cloud-a1.googledomains.com."],
        }
        self.rrsets.setdefault((project, name), [])

    def add_rrset(self, project: str, zone: str, name: str, rtype: str, rrdatas: list[str], *, ttl: int = 300) -> None:
        self.rrsets[(project, zone)].append(
            {"kind": "dns#resourceRecordSet", "name": name.rstrip(".") + ".", "type": rtype, "ttl": ttl, "rrdatas": rrdatas}
        )

    def reset(self) -> None:
        self.zones.clear()
        self.rrsets.clear()
        self.requests.clear()


def _error(code: int, message: str, status: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "status": status, "errors": [{"message": message}]}}


def _handler(stub: GoogleStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802
            stub.requests.append(self.path)
            if self.headers.get("Authorization") != f"Bearer {stub.token}":
                self._send(401, _error(401, "Request had invalid authentication credentials.", "UNAUTHENTICATED"))
                return
            url = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            parts = url.path.removeprefix(PREFIX).strip("/").split("/")
            if len(parts) < 4 or parts[0] != "projects" or parts[2] != "managedZones":
                self._send(404, _error(404, "Not Found", "NOT_FOUND"))
                return
            key = (parts[1], parts[3])
            if key not in stub.zones:
                self._send(404, _error(404, f"The 'parameters.managedZone' resource named '{parts[3]}' does not exist.", "NOT_FOUND"))
                return
            if len(parts) == 4:
                self._send(200, stub.zones[key])
                return
            if len(parts) != 5 or parts[4] != "rrsets":
                self._send(404, _error(404, "Not Found", "NOT_FOUND"))
                return
            if "type" in query and "name" not in query:
                self._send(400, _error(400, "Invalid value for 'parameters.name': ''", "INVALID_ARGUMENT"))
                return
            items = [
                r for r in stub.rrsets[key]
                if ("name" not in query or r["name"] == query["name"]) and ("type" not in query or r["type"] == query["type"])
            ]
            size = min(int(query.get("maxResults", "100")), stub.page_size)
            start = int(query.get("pageToken", "0"))
            body: dict[str, Any] = {"kind": "dns#resourceRecordSetsListResponse", "rrsets": items[start : start + size]}
            if start + size < len(items):
                body["nextPageToken"] = str(start + size)
            self._send(200, body)

    return Handler


class StubServer:
    def __init__(self, stub: GoogleStub) -> None:
        self.stub = stub
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
        host, port = self._server.server_address[:2]
        stub.base_url = f"http://{host}:{port}{PREFIX}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> GoogleStub:
        self._thread.start()
        return self.stub

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture(scope="module", name="google_server")
def google_server_fixture() -> Iterator[GoogleStub]:
    with StubServer(GoogleStub()) as stub:
        yield stub


@pytest.fixture(name="google")
def google_fixture(google_server: GoogleStub, monkeypatch: pytest.MonkeyPatch) -> GoogleStub:
    """An empty stand-in; GOOGLE_OAUTH_ACCESS_TOKEN and GOOGLE_DNS_BASE_URL point at it."""
    google_server.reset()
    monkeypatch.setenv("GOOGLE_OAUTH_ACCESS_TOKEN", google_server.token)
    monkeypatch.setenv("GOOGLE_DNS_BASE_URL", google_server.base_url)
    return google_server
