"""`spotme-dns generate SPEC... -o DIR`: write Terraform for every domain of the specs."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ..generate import Style, default_modules_source, plan_tree, write_tree
from ..spec import load_spec
from .app import EXIT_OK


def _label(path: str) -> str:
    """How generated headers name a spec: relative to the current directory, `/`-separated."""
    if path == "-":
        return "<stdin>"
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        rel = os.path.basename(path)
    return rel.replace(os.sep, "/")


@click.command("generate")
@click.argument("specs", nargs=-1, required=True, metavar="SPEC...")
@click.option("-o", "--output", "output", required=True, metavar="DIR", help="Directory to write the Terraform root into.")
@click.option(
    "--style",
    type=click.Choice([s.value for s in Style]),
    default=Style.PLAIN.value,
    show_default=True,
    help="plain: one literal resource block per record set; module: calls of terraform/modules/*.",
)
@click.option(
    "--modules-source",
    metavar="PATH",
    help="With --style module: the hand-written modules' directory relative to DIR, or a module "
    "address (default: this checkout's terraform/modules).",
)
@click.option("--force", is_flag=True, help="Write into a non-empty DIR that spotme-dns did not create.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.pass_context
def command(ctx: click.Context, specs: tuple[str, ...], output: str, style: str, modules_source: str | None, force: bool, quiet: bool) -> None:
    """Write Terraform for every domain of the SPEC files into DIR.

    DIR gets one folder per domain (a module without provider block) and a root that
    configures the providers (credentials only from their environment variables) and calls
    each folder. Bad specs: exit 2 and nothing is written. An existing DIR written by
    spotme-dns is updated in place; .terraform/, state and terraform.tfvars are kept.

    \b
    Example:
      spotme-dns generate examples/route53-single/spec.yaml -o out/
      terraform -chdir=out init && terraform -chdir=out plan
    """
    quiet = quiet or bool((ctx.obj or {}).get("quiet"))
    spec = load_spec(specs)
    chosen = Style(style)
    source = modules_source or ""
    if chosen is Style.MODULE and not source:
        source = default_modules_source(output) or ""
    tree = plan_tree(spec, style=chosen, modules_source=source, source_labels={p: _label(p) for p in specs})
    result = write_tree(tree, output, force=force)
    if quiet:
        ctx.exit(EXIT_OK)
    base = Path(output)
    changed = set(result.written)
    for name in tree.root_files:
        click.echo(f"{'wrote' if name in changed else 'unchanged'} {base / name}")
    for domain in tree.domains:
        names = [p.rsplit("/", 1)[1] for p in domain.files]
        state = "wrote" if any(p in changed for p in domain.files) else "unchanged"
        click.echo(f"{state} {base / domain.folder}/ ({', '.join(names)})")
    for rel in result.removed:
        click.echo(f"removed {base / rel}")
    for note in tree.notes:
        click.echo(f"note: {note}")
    records = sum(len(d.records.records) for d in tree.domains)
    click.echo(
        f"{len(tree.domains)} domain{'s' if len(tree.domains) != 1 else ''}, {records} record sets; next: "
        f"terraform -chdir={output} init && terraform -chdir={output} plan"
    )
    ctx.exit(EXIT_OK)
