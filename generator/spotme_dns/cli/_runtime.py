"""Running a command's DNS work: one event loop, with the cyclic garbage collector held back.

`validate`, `verify`, `check` and `generate --discover` keep every answer, memoised task and
report of the run alive until it ends, and make no reference cycles worth collecting. With
CPython's default thresholds (700, 10, 10) the collector runs ~1,900 times over a
1,000-domain `validate`, 13 of them full collections walking that whole heap: a quarter to a
third of the run's CPU on the 2-core CI VM (docs/benchmarks.md, "validate"). The raised
thresholds leave ~150 collections, one of them full. The old thresholds come back when the run ends, so a
process that goes on (a test runner) is left as it was. `generate` holds them back the same way
while it loads the spec, plans the tree and writes it (a seventh of a 10,000-domain run otherwise).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

_T = TypeVar("_T")

GC_THRESHOLDS = (50_000, 50, 100)
"""(young, middle, old) collection thresholds during a run (CPython's default: 700, 10, 10)."""


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Raise the cyclic GC's thresholds to `GC_THRESHOLDS` for the block; restore them after."""
    before = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def run_dns(main: Coroutine[Any, Any, _T]) -> _T:
    """`asyncio.run(main)` with fewer GC collections: the one way a command runs its DNS work."""
    with fewer_collections():
        return asyncio.run(main)
