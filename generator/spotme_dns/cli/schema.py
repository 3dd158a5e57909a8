"""`spotme-dns schema`: print the JSON Schema of the spec (for editors and CI linters)."""

from __future__ import annotations

import os
import tempfile
from importlib import resources
from pathlib import Path

import click

from ..errors import InputError, Location, Problem
from .terminal import is_quiet

#: Where the schema lives inside the installed package (package-data `schema/*.json`).
SCHEMA_RESOURCE = "schema/spec.schema.json"


def schema_text() -> str:
    """The committed JSON Schema (draft 2020-12) of the spec, as shipped in the package."""
    return resources.files("spotme_dns").joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")


def schema_path() -> Path:
    """The schema's path on disk (the package is installed as files, editable or not)."""
    return Path(str(resources.files("spotme_dns").joinpath(SCHEMA_RESOURCE))).resolve()


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file in the same directory, then rename.

    Nothing half-written is ever left at `path`; raises InputError when it cannot be written.
    """
    loc = Location(str(path))
    if path.is_dir():
        raise InputError([Problem(loc, "is a directory; give a file name", "output-is-directory")])
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise InputError([Problem(loc, f"directory {str(parent)!r} does not exist", "output-dir-missing")])
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError as err:
        raise InputError([Problem(loc, f"cannot write: {err.strerror or err}", "output-unwritable")]) from None


@click.command("schema")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="FILE",
    help="Write the schema to FILE instead of standard output.",
)
def command(output: Path | None) -> None:
    """Print the JSON Schema (draft 2020-12) of the spec file.

    Editors that speak the YAML language server complete and check a spec as you type when its
    first line names the schema:

    \b
      # yaml-language-server: $schema=<path or URL of spec.schema.json>

    The schema checks every key, type, enumeration and pattern; a few rules need the whole
    spec (a domain inside its zone, duplicate domains, the SPF lookup count), so
    `spotme-dns validate --spec` remains the full check.

    \b
    Example:
      spotme-dns schema -o spotme.schema.json
      spotme-dns schema | python -m json.tool >/dev/null && echo valid JSON
    """
    text = schema_text()
    if output is None:
        click.echo(text, nl=False)
        return
    write_atomically(output, text)
    if not is_quiet():
        click.echo(f"wrote {output}", err=True)
