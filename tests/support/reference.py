"""Where the cited reference facts live: `../shared/reference` beside the checkout.

The provider documentation is read, not copied into the project (its SOURCES.md says so);
CI lays `shared/` beside the clone. `SPOTME_REFERENCE_DIR` points elsewhere when needed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def reference_dir() -> Path:
    """The reference directory; a loud failure (never a skip) when it is missing."""
    explicit = os.environ.get("SPOTME_REFERENCE_DIR")
    path = Path(explicit) if explicit else REPO.parent / "shared" / "reference"
    if not (path / "provider-docs").is_dir():
        pytest.fail(f"provider reference docs not found at {path} (set SPOTME_REFERENCE_DIR)", pytrace=False)
    return path
