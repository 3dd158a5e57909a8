"""Where the cited reference facts live: `tests/data/`, inside the repository.

Provider documentation pages and the aws provider's schema are copied there with their
sources named in `tests/data/SOURCES.md`; nothing outside the checkout is read.
"""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"


def reference_dir() -> Path:
    """The directory holding `provider-docs/` and `aws-provider-5.100.0-schemas.json`."""
    return DATA
