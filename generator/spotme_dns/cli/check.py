"""`spotme-dns check DOMAIN...`: audit what domains publish now, no spec needed (exit 0 / 1 / 2)."""

from __future__ import annotations

import click

from ..audit import audit, targets_for
from ..report import DomainReport, Report
from ..spec import load_spec
from ._runtime import run_dns
from .app import EXIT_OK, EXIT_PROBLEMS
from .terminal import is_quiet, progress
from .validate import dns_options, dns_settings, emit


@click.command("check")
@click.argument("domains", nargs=-1, metavar="DOMAIN...")
@click.option(
    "--ses-token",
    "ses_tokens",
    multiple=True,
    metavar="TOKEN",
    help="An AWS SES Easy DKIM token of the one DOMAIN (give all three) so its selectors can be checked.",
)
@click.option(
    "--spec",
    "specs",
    multiple=True,
    metavar="SPEC",
    help="Spec file(s): domains found there are checked against their exact values and tokens; "
    "with no DOMAIN, every domain of the spec is checked.",
)
@dns_options
@click.pass_context
def command(
    ctx: click.Context,
    domains: tuple[str, ...],
    ses_tokens: tuple[str, ...],
    specs: tuple[str, ...],
    nameservers: tuple[str, ...],
    resolvers: tuple[str, ...],
    fmt: str,
    output: str | None,
    timeout: float,
    retries: int,
    concurrency: int,
) -> None:
    """Audit live DNS for the records SpotMe needs, with no spec: for each DOMAIN, which
    SpotMe records exist and are right (SPF with SpotMe's include, the Mandrill verification
    value, DMARC, the Mandrill and, given the tokens, the AWS SES DKIM CNAMEs and their keys),
    the SPF lookup budget with its include tree, and every problem as a finding.

    Every authoritative server of each domain's zone is asked. Without --ses-token or
    --spec the SES selectors cannot be named, and the report says so.

    Exit status: 0 every SpotMe record right on every server and no error finding,
    1 problems found, 2 bad input.

    \b
    Example:
      spotme-dns check acme-events.com
      spotme-dns check acme-events.com --ses-token TOKEN1 --ses-token TOKEN2 --ses-token TOKEN3
      spotme-dns check --spec spec.yaml --format json -o check.json
    """
    spec = load_spec(specs) if specs else None
    targets = targets_for(domains, spec=spec, ses_tokens=ses_tokens)
    settings = dns_settings(nameservers, timeout, retries, concurrency, resolvers)

    with progress(len(targets), "checking domains", quiet=is_quiet(ctx)) as bar:

        def done(_: DomainReport) -> None:
            bar.update(1)

        async def run() -> Report:
            # The client is made inside the event loop it belongs to.
            return await audit(targets, settings.live_dns(), on_done=done)

        report = run_dns(run())
    emit(ctx, report, fmt, output)
    ctx.exit(EXIT_OK if report.all_in_sync() else EXIT_PROBLEMS)
