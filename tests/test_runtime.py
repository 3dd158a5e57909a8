"""cli/_runtime.py: every command runs its DNS work through `run_dns`, with fewer GC collections."""

from __future__ import annotations

import ast
import gc
from pathlib import Path

import pytest

from spotme_dns.cli import _runtime
from spotme_dns.cli._runtime import GC_THRESHOLDS, run_dns

CLI = Path(_runtime.__file__).parent


def test_run_dns_raises_the_thresholds_for_the_run_and_restores_them() -> None:
    """Inside the event loop the thresholds are GC_THRESHOLDS; afterwards, what they were."""
    before = gc.get_threshold()

    async def main() -> tuple[int, int, int]:
        return gc.get_threshold()

    assert run_dns(main()) == GC_THRESHOLDS
    assert gc.get_threshold() == before


def test_run_dns_restores_the_thresholds_when_the_run_raises() -> None:
    """An exception out of the coroutine propagates, and the thresholds still come back."""
    before = gc.get_threshold()

    async def main() -> None:
        raise LookupError("boom")

    with pytest.raises(LookupError, match="boom"):
        run_dns(main())
    assert gc.get_threshold() == before


def test_no_command_calls_asyncio_run_itself() -> None:
    """`asyncio.run` appears in cli/ only inside _runtime.py: no command skips the GC setting."""
    callers = []
    for path in sorted(CLI.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "run" and getattr(node.value, "id", "") == "asyncio":
                callers.append(path.name)
    assert callers == ["_runtime.py"]
