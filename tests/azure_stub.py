"""A local stand-in for the Azure DNS REST calls spotme-dns reads (api-version 2018-05-01), on 127.0.0.1.

- GET /subscriptions/{s}/resourceGroups/{g}/providers/Microsoft.Network/dnsZones/{zone}   Zones - Get
- GET .../dnsZones/{zone}/{TXT|CNAME}/{relativeRecordSetName}                            Record Sets - Get

Shapes as documented: a record set is `{id, name, type: "Microsoft.Network/dnszones/TXT",
properties: {TTL, fqdn, TXTRecords: [{value: [strings]}] | CNAMERecord: {cname}}}`; a missing
zone or set is 404 with `{"error": {"code": "NotFound" | "ResourceNotFound", "message"}}`.
Requests need `Authorization: Bearer <token>` (else 401 `InvalidAuthenticationToken`) and
`api-version=2018-05-01` (else 400).

Tests import `azure_fixture`, `azure_server_fixture` and ask for `azure`.
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


@dataclass
class AzureStub:
    token: str = "eyJ0eXAi.test-token"
    zones: set[tuple[str, str, str]] = field(default_factory=set)
    sets: dict[tuple[str, str, str, str, str], dict[str, Any]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    base_url: str = ""

    def add_zone(self, subscription: str, group: str, zone: str) -> None:
        self.zones.add((subscription, group.lower(), zone))

    def add_set(self, subscription: str, group: str, zone: str, relative: str, rtype: str, values: list[Any], *, ttl: int = 300) -> None:
        fqdn = (zone if relative == "@" else f"{relative}.{zone}") + "."
        props: dict[str, Any] = {"TTL": ttl, "fqdn": fqdn, "provisioningState": "Succeeded", "metadata": {}}
        if rtype == "TXT":
            props["TXTRecords"] = [{"value": v if isinstance(v, list) else [v]} for v in values]
        else:
            props["CNAMERecord"] = {"cname": values[0]}
        self.sets[(subscription, group.lower(), zone, rtype, relative)] = {
            "id": f"/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Network/dnszones/{zone}/{rtype}/{relative}",
            "name": relative, "type": f"Microsoft.Network/dnszones/{rtype}", "etag": "00000000-0000-0000-0000-000000000000",
            "properties": props,
        }

    def reset(self) -> None:
        self.zones.clear()
        self.sets.clear()
        self.requests.clear()


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def _handler(stub: AzureStub) -> type[BaseHTTPRequestHandler]:
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
                self._send(401, _error("InvalidAuthenticationToken", "The access token is invalid."))
                return
            url = urlsplit(self.path)
            if parse_qs(url.query).get("api-version") != ["2018-05-01"]:
                self._send(400, _error("MissingApiVersionParameter", "The api-version query parameter is required."))
                return
            parts = url.path.strip("/").split("/")
            if len(parts) < 8 or parts[0] != "subscriptions" or parts[2] != "resourceGroups" or parts[6] != "dnsZones":
                self._send(404, _error("NotFound", "No route"))
                return
            key = (parts[1], parts[3].lower(), parts[7])
            if key not in stub.zones:
                self._send(404, _error("ResourceNotFound", f"The Resource 'Microsoft.Network/dnszones/{parts[7]}' under resource group '{parts[3]}' was not found."))
                return
            if len(parts) == 8:
                self._send(200, {"id": "/".join(parts), "name": parts[7], "type": "Microsoft.Network/dnszones", "properties": {"numberOfRecordSets": len(stub.sets)}})
                return
            if len(parts) != 10:
                self._send(404, _error("NotFound", "No route"))
                return
            record = stub.sets.get((*key, parts[8].upper(), parts[9]))
            if record is None:
                self._send(404, _error("NotFound", f"The resource record '{parts[9]}' does not exist in resource group '{parts[3]}'."))
                return
            self._send(200, record)

    return Handler


class StubServer:
    def __init__(self, stub: AzureStub) -> None:
        self.stub = stub
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
        host, port = self._server.server_address[:2]
        stub.base_url = f"http://{host}:{port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> AzureStub:
        self._thread.start()
        return self.stub

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture(scope="module", name="azure_server")
def azure_server_fixture() -> Iterator[AzureStub]:
    with StubServer(AzureStub()) as stub:
        yield stub


@pytest.fixture(name="azure")
def azure_fixture(azure_server: AzureStub, monkeypatch: pytest.MonkeyPatch) -> AzureStub:
    """An empty stand-in; AZURE_ACCESS_TOKEN and AZURE_RESOURCE_MANAGER_URL point at it."""
    azure_server.reset()
    monkeypatch.setenv("AZURE_ACCESS_TOKEN", azure_server.token)
    monkeypatch.setenv("AZURE_RESOURCE_MANAGER_URL", azure_server.base_url)
    monkeypatch.delenv("ARM_SUBSCRIPTION_ID", raising=False)
    return azure_server
