"""The one HTTP session the read-only DNS provider APIs (Cloudflare, Cloud DNS, Azure DNS) share.

Each client asks only GET requests with a bearer token; rate limiting (429) and server errors
are retried with backoff, honouring Retry-After, and any other answer is the client's to judge.
"""

from __future__ import annotations

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from . import __version__


def read_only_session(token: str, *, base_url: str, retries: int) -> requests.Session:
    """A session for `base_url` sending `Authorization: Bearer <token>` and retrying GETs."""
    session = requests.Session()
    session.headers.update(
        {"Authorization": f"Bearer {token.strip()}", "Accept": "application/json", "User-Agent": f"spotme-dns/{__version__}"}
    )
    retry = Retry(
        total=retries,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=frozenset({"GET"}),
        backoff_factor=0.5,
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    session.mount(base_url, HTTPAdapter(max_retries=retry))
    return session
