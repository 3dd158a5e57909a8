"""Writing one text file so that a failure never leaves it half-written (the file-system edge)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import InputError, Location, Problem


def write_atomically(path: str | os.PathLike[str], text: str, *, label: str = "", keep_mode: bool = False) -> None:
    """Write `text` to a temporary file beside `path`, then rename it over `path`.

    `label` names the option the path came from in error messages (`--output`); with
    `keep_mode` an existing file keeps its permissions. Problems raise InputError (exit 2).
    """
    target = Path(path)
    loc = Location(str(path))
    prefix = f"{label}: " if label else ""
    if target.is_dir():
        raise InputError([Problem(loc, f"{prefix}is a directory; give a file name", "output-is-directory")])
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise InputError([Problem(loc, f"{prefix}directory {str(parent)!r} does not exist", "output-dir-missing")])
    try:
        mode = os.stat(target).st_mode & 0o7777 if keep_mode and target.exists() else None
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
            if mode is not None:
                os.chmod(temp, mode)
            os.replace(temp, target)
        except BaseException:
            os.unlink(temp)
            raise
    except OSError as err:
        raise InputError([Problem(loc, f"{prefix}cannot write: {err.strerror or err}", "output-unwritable")]) from None
