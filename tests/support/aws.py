"""Pytest fixtures: AWS, played by moto in server mode on 127.0.0.1 (real HTTP, real boto3).

Fixtures:
- `moto_server` (session): starts `moto.server.ThreadedMotoServer` on a free port; yields its
  URL, e.g. "http://127.0.0.1:40123". State persists until reset (`reset_moto`).
- `aws_env` (function): points this process's boto3 at moto (AWS_ENDPOINT_URL, test keys,
  us-east-1; AWS_PROFILE and session tokens removed) and returns a `MotoAws`. It does not reset
  moto's state: use `moto_clean` (or `MotoAws.reset()`) for that.
- `moto_clean` (function): `aws_env`, with moto's state reset before the test.

Helpers for subprocesses and module-scoped fixtures (which cannot use monkeypatch):
- `aws_provider_env(url)`: the environment overrides for a terraform subprocess (values of None
  remove a variable; `tests.support.terraform.Terraform` understands that).
- `aws_client(url, service)`: a boto3 client for moto, independent of the environment.
- `reset_moto(url)`: POST /moto-api/reset.

What the hashicorp/aws provider (5.100.0) needs against moto: only the environment below. It
honours AWS_ENDPOINT_URL for every service (STS included), so a plain
`provider "aws" { region = "us-east-1" }` - or no provider block at all, the region then comes
from AWS_DEFAULT_REGION - works; no `skip_*` setting is needed. AWS_CA_BUNDLE naming an existing
file is harmless for plain-http moto, but a missing file makes the provider fail ("open ...: no
such file or directory"), so such a value is removed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import pytest
import requests

REGION = "us-east-1"
ACCESS_KEY = "testing"
SECRET_KEY = "testing"

# Variables that would point the SDKs at a real account or change where they look.
_REMOVE = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)


def aws_settings(url: str) -> dict[str, str | None]:
    """The environment that points AWS SDKs (Python and Go) at moto at `url`."""
    settings: dict[str, str | None] = {
        "AWS_ENDPOINT_URL": url,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        # Never read a developer's ~/.aws files, never probe the EC2 metadata endpoint.
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    settings.update({name: None for name in _REMOVE})
    # A per-service endpoint (AWS_ENDPOINT_URL_ROUTE_53, ...) would win over AWS_ENDPOINT_URL.
    settings.update({name: None for name in os.environ if name.startswith("AWS_ENDPOINT_URL_")})
    bundle = os.environ.get("AWS_CA_BUNDLE")
    if bundle is not None and not os.path.isfile(bundle):
        settings["AWS_CA_BUNDLE"] = None
    return settings


def aws_provider_env(url: str) -> dict[str, str | None]:
    """Environment overrides for a terraform subprocess whose aws provider talks to moto."""
    return aws_settings(url)


def aws_client(url: str, service: str) -> Any:
    """A boto3 client for `service` at moto, whatever this process's environment says."""
    import boto3

    return boto3.session.Session(
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name=REGION,
    ).client(service, endpoint_url=url)


def reset_moto(url: str) -> None:
    """Forget everything moto holds (all services, all regions)."""
    response = requests.post(f"{url}/moto-api/reset", timeout=10)
    response.raise_for_status()


@dataclass(frozen=True)
class MotoAws:
    """moto in server mode, as the tests see it."""

    url: str
    """Endpoint, e.g. "http://127.0.0.1:40123"."""
    region: str = REGION

    def client(self, service: str) -> Any:
        return aws_client(self.url, service)

    def reset(self) -> None:
        reset_moto(self.url)

    def provider_env(self) -> dict[str, str | None]:
        return aws_provider_env(self.url)


@pytest.fixture(scope="session")
def moto_server():
    """A moto server on 127.0.0.1 for the whole session; yields its URL."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as exc:  # pragma: no cover - the test extra installs it
        pytest.fail(f"moto[server] is not installed ({exc}); .ci/run installs the test extra", pytrace=False)
    # Port 0: the OS picks a free port, get_host_and_port() reports it (no bind race).
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    try:
        requests.get(f"{url}/moto-api/", timeout=10).raise_for_status()
        yield url
    finally:
        server.stop()


@pytest.fixture
def aws_env(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> MotoAws:
    """This process's AWS environment pointed at moto (state not reset)."""
    for name, value in aws_settings(moto_server).items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    return MotoAws(moto_server)


@pytest.fixture
def moto_clean(aws_env: MotoAws) -> MotoAws:
    """`aws_env` with moto's state reset before the test."""
    aws_env.reset()
    return aws_env
