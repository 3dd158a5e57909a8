"""Terminal manners shared by the commands: quiet, colour and progress on standard error.

- `--quiet` (the group's, or a command's own) silences everything but errors and the result.
- Colour only on a terminal, and never when NO_COLOR is set to anything but "" (no-color.org).
- A progress bar only on a terminal, only when not quiet, and only for runs long enough to
  need one; it goes to standard error so that standard output stays the report.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import IO, Any

import click

#: Runs over fewer domains than this finish before a bar would tell anything.
PROGRESS_MIN_ITEMS = 10


def is_quiet(ctx: click.Context | None = None) -> bool:
    """Whether `--quiet` was given to the group."""
    ctx = ctx or click.get_current_context(silent=True)
    return bool(ctx is not None and (ctx.find_root().obj or {}).get("quiet"))


def no_color() -> bool:
    """NO_COLOR is set to a non-empty value (https://no-color.org)."""
    return bool(os.environ.get("NO_COLOR"))


def is_terminal(stream: IO[Any] | None) -> bool:
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError):  # closed or replaced streams
        return False


def wants_color(stream: IO[Any] | None = None) -> bool:
    """Colour for `stream` (standard output by default): a terminal, and NO_COLOR not set."""
    return is_terminal(stream if stream is not None else sys.stdout) and not no_color()


class _NoBar:
    """What `progress` yields when no bar is shown: the same `update` that does nothing."""

    def update(self, n_steps: int, current_item: Any = None) -> None:
        return None


@contextlib.contextmanager
def progress(length: int, label: str, *, quiet: bool | None = None, stream: IO[Any] | None = None) -> Iterator[Any]:
    """A click progress bar on standard error when it helps; a do-nothing stand-in otherwise.

    Shown only when `stream` (standard error) is a terminal, the run is not quiet, and
    `length` is at least `PROGRESS_MIN_ITEMS`.
    """
    err = stream if stream is not None else sys.stderr
    quiet = is_quiet() if quiet is None else quiet
    if quiet or length < PROGRESS_MIN_ITEMS or not is_terminal(err):
        yield _NoBar()
        return
    with click.progressbar(length=length, label=label, file=err, color=not no_color(), show_pos=True) as bar:
        yield bar
