"""The `generate --discover` steps, called by cli/generate.py: discover and merge, add imports, report.

Kept apart from the generate command so that command stays a thin layer: these functions
parse the discovery options, run the core (`discover`, `merge`, `imports`), print the
decisions and map refusals to exit code 1 with nothing written.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import click

from ..discover import DiscoverOptions, discover_and_merge
from ..generate import OutputTree, Style
from ..imports import IMPORT_SCRIPT, IMPORTS_TF, Import, ImportStyle, with_discovery
from ..merge import Action, MergeResult
from ..spec import Provider, Spec
from ..spec_write import SpecChange
from ._runtime import run_dns
from .app import EXIT_PROBLEMS
from .terminal import progress
from .validate import parse_servers

IMPORT_STYLES = tuple(s.value for s in ImportStyle)


def discover_step(ctx: click.Context, spec: Spec, *, nameservers: Sequence[str], resolvers: Sequence[str] = (), force: bool, quiet: bool) -> tuple[Spec, tuple[MergeResult, ...]]:
    """Read what exists, merge it into `spec` and print the decisions.

    Exits with code 1 (nothing written) when a merge is refused; bad --nameserver values and
    unreadable sources are bad input (exit 2, raised as InputError/BadInput).
    """
    options = DiscoverOptions(
        nameservers=parse_servers("--nameserver", list(nameservers)), resolvers=parse_servers("--resolver", list(resolvers))
    )
    with progress(len(spec.domains), "reading existing records", quiet=quiet) as bar:
        results = run_dns(discover_and_merge(spec.domains, options=options, force=force, on_done=lambda _: bar.update(1)))
    refused = [d for r in results for d in r.refusals]
    for result in results:
        shown = [d for d in result.decisions if not quiet or d.action is Action.REFUSE]
        if shown and not quiet:
            click.echo(f"{result.domain.domain}: existing records read from {result.source}")
        for decision in shown:
            click.echo(f"  {decision}", err=decision.action is Action.REFUSE)
    if refused:
        forceable = all(d.forceable for d in refused)
        hint = " (--force writes them anyway)" if forceable and not force else ""
        click.echo(
            f"error: {len(refused)} merge{'s' if len(refused) != 1 else ''} refused{hint}; nothing written",
            err=True,
        )
        ctx.exit(EXIT_PROBLEMS)
    return replace(spec, domains=tuple(r.domain for r in results)), results


def imports_step(
    tree: OutputTree, results: Sequence[MergeResult], *, import_style: str, style: Style
) -> tuple[OutputTree, dict[str, tuple[Import, ...]]]:
    """The tree with the decisions as comments and each root's imports file."""
    return with_discovery(tree, results, import_style=ImportStyle(import_style), style=style)


def report_imports(
    output: str, imports: Mapping[str, Sequence[Import]], *, import_style: str, quiet: bool, results: Sequence[MergeResult] = ()
) -> None:
    """Make each import.sh executable and say how to use what was written.

    A generic domain has no imports (Terraform publishes nothing there): for it, say what the
    customer does by hand in the DNS console instead.
    """
    script = ImportStyle(import_style) is ImportStyle.SCRIPT
    name = IMPORT_SCRIPT if script else IMPORTS_TF
    for root, items in imports.items():
        path = Path(output, root, name)
        if script and items and path.is_file():
            os.chmod(path, 0o755)
        if quiet or not items:
            continue
        count = f"{len(items)} import{'s' if len(items) != 1 else ''}"
        if script:
            chdir = Path(output, root)
            click.echo(f"{count} in {path}: run it after terraform -chdir={chdir} init (make import OUT={output})")
        else:
            click.echo(f"{count} in {path}: the next plan/apply takes them over (Terraform >= 1.5)")
    generic = [r.domain.domain for r in results if r.domain.provider is Provider.GENERIC]
    if not quiet:
        for domain in generic:
            click.echo(
                f"{domain}: provider generic: nothing is imported and Terraform changes no DNS record; in the DNS "
                "console leave the records reported already right as they are, replace the values of those "
                "merged or changed, and add the rest: RECORDS.md (and records.zone) in its folder list every "
                "record as it must end up"
            )
    if not quiet and not any(imports.values()) and (not results or len(generic) < len(results)):
        click.echo("nothing to import: none of these records exists yet")


def report_spec_changes(changes: Sequence[SpecChange], *, no_write_spec: bool) -> None:
    """Say what was written into the spec files, as a unified diff."""
    written = [c for c in changes if c.changed]
    for change in written:
        click.echo(f"updated {change.path} with what discovery kept:")
        click.echo(change.diff(), nl=False)
    if no_write_spec:
        click.echo(
            "the spec was left alone (--no-write-spec): until it says what discovery kept, `verify --spec` (and "
            "HANDOFF.md's check) report differences, and a generate without --discover warns about what it drops"
        )
    elif not written:
        click.echo("the spec already says what discovery kept: not changed")
