"""`spotme-dns verify`: after apply, is every record live on every authoritative server?

Exit 0 only when every expected record is in-sync everywhere and no finding is an error;
1 otherwise (after `--wait` seconds of polling, if given); 2 for bad input.
"""

from __future__ import annotations

from collections.abc import Awaitable

import click

from ..report import Report, Status
from ..validation import poll
from ._runtime import run_dns
from .app import EXIT_OK, EXIT_PROBLEMS
from .terminal import is_quiet
from .validate import dns_options, dns_settings, emit, input_options, read_input, validate_round


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
@click.pass_context
def command(
    ctx: click.Context,
    plan: str | None,
    plan_file: str | None,
    chdir: str | None,
    tf: str | None,
    spec: tuple[str, ...],
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
) -> None:
    """After apply: prove every expected record is live, with the expected values, on
    every authoritative server of its zone.

    Takes the same inputs as validate. With --wait, asks again every --interval seconds
    (afresh each round: nothing is cached between rounds) until all records are in sync
    or the time is up, showing progress on standard error.

    Exit status: 0 every record in sync on every server and no error finding, 1 not (yet),
    2 bad input.

    \b
    Example:
      terraform -chdir=out apply tfplan
      spotme-dns verify --spec spec.yaml --wait 300
      spotme-dns verify --tf out --nameserver 192.0.2.53 --format junit -o verify.xml
    """
    desired = read_input(plan, plan_file, chdir, tf, spec, more_specs)
    settings = dns_settings(nameservers, timeout, retries, concurrency, resolvers)
    quiet = is_quiet(ctx)

    def one_round() -> Awaitable[Report]:
        return validate_round(desired, settings, command="verify", label="verifying domains", quiet=quiet)

    def on_wait(report: Report, remaining: float, pause: float) -> None:
        if not quiet:
            click.echo(_progress(report, remaining, pause), err=True)

    report = run_dns(poll(one_round, wait=wait, interval=interval, done=Report.all_in_sync, on_wait=on_wait))
    emit(ctx, report, fmt, output)
    ctx.exit(EXIT_OK if report.all_in_sync() else EXIT_PROBLEMS)
