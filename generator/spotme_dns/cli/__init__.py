"""The `spotme-dns` command: one module per command, each a thin layer over the core.

This package only parses options, calls the core and maps outcomes to exit codes:
0 success, 1 problems found (validate/verify/check), 2 bad input, 70 an internal error (a bug),
130 interrupted, 141 standard output closed by its reader (docs/design.md §3).
"""

from __future__ import annotations

import sys

from .app import cli, main

__all__ = ["main", "cli"]

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
