"""`spotme-dns verify`: after apply, is every record live on every authoritative server?

Exit 0 only when every expected record is in-sync everywhere and no finding is an error;
1 otherwise (after `--wait` seconds of polling, if given); 2 for bad input.
"""

from __future__ import annotations

import click

from ..report import Report, Status
from ..validation import poll
from ._runtime import run_dns
from .app import EXIT_OK, EXIT_PROBLEMS
from .terminal import is_quiet
from .validate import (
    allow_option,
    allowances,
    apply_allowances,
    dns_options,
    dns_settings,
    emit,
    input_options,
    read_input,
    validate_round,
)


def _progress(report: Report, remaining: float, pause: float) -> str:
    summary = report.summary()
    waiting = [f"{summary[s.value]} {s.value}" for s in Status if s is not Status.IN_SYNC and summary[s.value]]
    errors = f", {summary['errors']} error{'s' if summary['errors'] != 1 else ''}" if summary["errors"] else ""
    return (
        f"verify: {summary[Status.IN_SYNC.value]}/{summary['records']} records in sync"
        f"{' (' + ', '.join(waiting) + ')' if waiting else ''}{errors}; "
        f"asking again in {pause:.0f} s ({remaining:.0f} s left)"
    )


@click.command("verify")
@input_options
@dns_options
@click.option("--wait", type=click.FloatRange(min=0), default=0, show_default=True, metavar="SECONDS", help="Keep asking until everything is in sync or this many seconds have passed.")
@click.option("--interval", type=click.FloatRange(min=0, min_open=True), default=10, show_default=True, metavar="SECONDS", help="Pause between rounds while waiting.")
@allow_option
@click.pass_context
def command(
    ctx: click.Context,
    plan: tuple[str, ...],
    plan_file: str | None,
    chdir: tuple[str, ...],
    tf: tuple[str, ...],
    spec: tuple[str, ...],
    terraform_bin: str,
    more_specs: tuple[str, ...],
    nameservers: tuple[str, ...],
    resolvers: tuple[str, ...],
    fmt: str,
    output: str | None,
    timeout: float,
    retries: int,
    concurrency: int,
    wait: float,
    interval: float,
    allows: tuple[str, ...],
) -> None:
    """After apply: prove every expected record is live, with the expected values, on
    every authoritative server of its zone.

    Takes the same inputs as validate, and the applied state: --plan with the JSON of
    `terraform show -json` (no plan file), or --chdir DIR alone, where spotme-dns runs it
    (repeat --chdir for several roots: one report). With --wait, asks again every --interval seconds
    (afresh each round: nothing is cached between rounds) until all records are in sync
    or the time is up, showing progress on standard error.

    Exit status: 0 every record in sync on every server and no error finding, 1 not (yet),
    2 bad input.

    \b
    Example:
      terraform -chdir=out apply tfplan
      spotme-dns verify --spec spec.yaml --wait 300
      spotme-dns verify --chdir out/root-001 --chdir out/root-002 -o report.json --format json
      spotme-dns verify --tf out --nameserver 192.0.2.53 --format junit -o verify.xml
    """
    rules = allowances(allows)
    desired = read_input(plan, plan_file, chdir, tf, spec, more_specs, terraform_bin=terraform_bin, state_ok=True)
    settings = dns_settings(nameservers, timeout, retries, concurrency, resolvers)
    quiet = is_quiet(ctx)

    async def one_round() -> Report:
        report = await validate_round(desired, settings, command="verify", label="verifying domains", quiet=quiet)
        return apply_allowances(ctx, report, rules, say_unused=False)

    def on_wait(report: Report, remaining: float, pause: float) -> None:
        if not quiet:
            click.echo(_progress(report, remaining, pause), err=True)

    report = run_dns(poll(one_round, wait=wait, interval=interval, done=Report.all_in_sync, on_wait=on_wait))
    report = apply_allowances(ctx, report, rules)
    if wait > 0 and not report.all_in_sync():
        summary = report.summary()
        click.echo(
            f"verify: gave up after waiting {wait:g} s (--wait): "
            f"{summary['records'] - summary[Status.IN_SYNC.value]} of {summary['records']} records still not in sync",
            err=True,
        )
    emit(ctx, report, fmt, output)
    ctx.exit(EXIT_OK if report.all_in_sync() else EXIT_PROBLEMS)
