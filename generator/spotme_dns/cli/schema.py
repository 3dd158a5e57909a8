"""`spotme-dns schema`: print the JSON Schema of the spec (for editors and CI linters)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import click

from ..fileio import write_atomically
from .terminal import is_quiet

#: Where the schema lives inside the installed package (package-data `schema/*.json`).
SCHEMA_RESOURCE = "schema/spec.schema.json"


def schema_text() -> str:
    """The committed JSON Schema (draft 2020-12) of the spec, as shipped in the package."""
    return resources.files("spotme_dns").joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")


def schema_path() -> Path:
    """The schema's path on disk (the package is installed as files, editable or not)."""
    return Path(str(resources.files("spotme_dns").joinpath(SCHEMA_RESOURCE))).resolve()



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
