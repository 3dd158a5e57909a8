"""`spotme-dns generate SPEC... -o DIR`: write Terraform for every domain of the specs."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ..errors import InputError, Problem
from ..generate import Style, check_target, default_modules_source, plan_tree, write_tree
from ..imports import ImportStyle
from ..kept import dropped_since_discovery, read_record, record_bytes, with_record
from ..spec import DomainSpec, Provider, load_spec
from ..spec_write import discovered_changes, write_spec_changes
from ._output_options import describe_settings, output_options, output_settings
from ._runtime import fewer_collections
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
@click.option(
    "--force",
    is_flag=True,
    help="Write into a non-empty DIR that spotme-dns did not create. With --discover, also write merges "
    "that are refused without it (SPF over 10 lookups, a weakened DMARC policy, ...).",
)
@click.option(
    "--discover",
    is_flag=True,
    help="Read the records that exist already (live DNS; the Route53 or Cloudflare API when credentials "
    "are set), merge them in without deleting any, and write imports for them.",
)
@click.option(
    "--import-style",
    type=click.Choice([s.value for s in ImportStyle]),
    default=list(ImportStyle)[0].value,
    show_default=True,
    help="With --discover: DIR/imports.tf with import blocks (Terraform >= 1.5), or DIR/import.sh "
    "running terraform import (older Terraform; `make import`).",
)
@click.option(
    "--nameserver",
    "nameservers",
    multiple=True,
    metavar="HOST[:PORT]",
    help="With --discover: ask this server instead of each zone's authoritative servers, about the zones' own records only (repeatable).",
)
@click.option(
    "--resolver",
    "resolvers",
    multiple=True,
    metavar="HOST[:PORT]",
    help="With --discover: resolve every other name through this server instead of the system's resolver (repeatable).",
)
@click.option(
    "--no-write-spec",
    "no_write_spec",
    is_flag=True,
    help="With --discover: leave the spec files alone (by default what discovery kept is written into "
    "them: spf.keep, spf.all, keep_txt, DMARC tags, comments kept).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@output_options
@click.pass_context
def command(
    ctx: click.Context,
    specs: tuple[str, ...],
    output: str,
    style: str,
    modules_source: str | None,
    force: bool,
    discover: bool,
    import_style: str,
    nameservers: tuple[str, ...],
    no_write_spec: bool,
    resolvers: tuple[str, ...],
    quiet: bool,
) -> None:
    """Write Terraform for every domain of the SPEC files into DIR.

    DIR gets one folder per domain (a module without provider block) and a root that
    configures the providers (credentials only from their environment variables) and calls
    each folder. Bad specs: exit 2 and nothing is written. An existing DIR written by
    spotme-dns is updated in place; .terraform/, state and terraform.tfvars are kept.

    With --discover, the records that exist already are read and merged in (the SPF
    record's terms kept, other TXT values carried along, a DMARC policy never weakened
    without --force); each decision is printed and written as a comment; existing records
    are imported instead of recreated. A refused merge: exit 1 and nothing is written.
    What discovery kept is written into the spec files (the diff is printed; --no-write-spec
    leaves them alone) and remembered in DIR/.spotme-dns-discovered.json: a later generate
    without --discover that would drop any of it warns and names it.

    \b
    Example:
      spotme-dns generate examples/route53-single/spec.yaml -o out/
      terraform -chdir=out init && terraform -chdir=out plan
      spotme-dns generate spec.yaml -o out/ --discover --import-style script
      spotme-dns generate fleet.yaml -o out/ --split-roots 50 --backend s3 \\
        --backend-bucket acme-tf-state --backend-region eu-west-1 --backend-lock-table tf-locks
    """
    quiet = quiet or bool((ctx.obj or {}).get("quiet"))
    with fewer_collections():  # nothing a spec or a tree holds makes cycles: no heap walks (issue 13)
        spec = load_spec(specs)
    settings = output_settings(ctx, spec, discover=discover)
    chosen = Style(style)
    source = modules_source or ""
    if chosen is Style.MODULE and not source:
        source = default_modules_source(output) or ""
    results, imports, spec_changes, warnings = (), {}, (), ()
    if discover:
        # Imported here: discovery pulls in dnspython and boto3, which plain generate never needs.
        from ._discover import discover_step, imports_step, report_imports, report_spec_changes

        originals = spec.domains
        spec, results = discover_step(ctx, spec, nameservers=nameservers, resolvers=resolvers, force=force, quiet=quiet)
        if not no_write_spec:
            spec_changes = discovered_changes(originals, spec.domains)
    with fewer_collections():
        tree = plan_tree(
            spec,
            style=chosen,
            modules_source=source,
            source_labels={p: _label(p) for p in specs},
            handoff_format=settings.handoff_format,
            backend=settings.backend,
            split_roots=settings.split_roots,
        )
    if discover:
        tree, imports = imports_step(tree, results, import_style=import_style, style=chosen)
        tree = with_record(tree, record_bytes(spec.domains, read_record(output)))
    else:
        earlier = read_record(output)
        _refuse_undiscovered(spec.domains, earlier)
        if earlier is not None:
            tree = with_record(tree, record_bytes((), earlier))
            warnings = dropped_since_discovery(earlier, spec.domains)
    if spec_changes:
        check_target(tree, output, force=force)  # a refused DIR (exit 2) leaves the spec as it was too
        write_spec_changes(spec_changes)  # what is live now, whether or not DIR can be written after
    with fewer_collections():  # the hand-off pages are made as they are written
        result = write_tree(tree, output, force=force)
    for message in [n for c in spec_changes for n in c.notes] + [*warnings]:
        click.echo(f"warning: {message}", err=True)
    if discover:
        report_imports(output, imports, import_style=import_style, quiet=quiet, results=results)
        if not quiet:
            report_spec_changes(spec_changes, no_write_spec=no_write_spec)
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
    for line in describe_settings(settings, output, len(tree.domains)):
        click.echo(line)
    records = sum(len(d.records.records) for d in tree.domains)
    next_step = f"make plan OUT={output}" if settings.split_roots else f"terraform -chdir={output} init && terraform -chdir={output} plan"
    dropping = f"; {len(warnings)} warning{'s' if len(warnings) != 1 else ''}: values the last discovery kept are dropped (see above)" if warnings else ""
    click.echo(f"{len(tree.domains)} domain{'s' if len(tree.domains) != 1 else ''}, {records} record sets{dropping}; next: {next_step}")
    ctx.exit(EXIT_OK)


def _refuse_undiscovered(domains: tuple[DomainSpec, ...], earlier: dict | None) -> None:
    """Google Cloud DNS: `google_dns_record_set` replaces an existing set of its name and type
    without a word (provider docs), so a domain is generated only once discovery has read it."""
    seen = set(((earlier or {}).get("domains") or {}).keys())
    problems = [
        Problem(
            d.location,
            f"{d.domain}: provider google overwrites what exists at each name it writes, so run "
            "`spotme-dns generate --discover` first (it reads the zone and imports what is there)",
            "needs-discover",
        )
        for d in domains
        if d.provider is Provider.GOOGLE and d.domain not in seen
    ]
    if problems:
        raise InputError(problems)
