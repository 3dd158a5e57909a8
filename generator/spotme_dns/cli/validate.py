"""`spotme-dns validate`: before apply, is applying safe and complete? (exit 0 yes, 1 no, 2 bad input)

The input options, the DNS options and the output options are shared with `verify`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click

from ..dns_live import DEFAULT_CONCURRENCY, LiveDns, Server, parse_server
from ..fileio import write_atomically
from ..formats import FORMATS, render
from ..formats.common import headline, passed
from ..inputs import Desired, load_plan, load_specs, load_tf_dir, parse_plan, show_plan
from ..report import Report
from ..validation import validate
from ._runtime import run_dns
from .app import EXIT_OK, EXIT_PROBLEMS, BadInput
from .terminal import is_quiet, progress

_INPUTS = ("--plan", "--plan-file", "--tf", "--spec")


def input_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The one-of-four input options (plus --chdir for --plan-file, and extra spec files)."""
    decorators = [
        click.option("--plan", "plan", metavar="PLAN.json", help="The JSON of `terraform show -json PLANFILE`."),
        click.option("--plan-file", "plan_file", metavar="TFPLAN", help="A binary plan (terraform plan -out=TFPLAN): spotme-dns runs `terraform show -json` on it."),
        click.option("--chdir", "chdir", metavar="DIR", default=None, help="The Terraform directory of --plan-file (default: current directory)."),
        click.option("--tf", "tf", metavar="DIR", help="A directory of .tf files (generated or hand-written), read without running terraform."),
        click.option("--spec", "spec", metavar="SPEC", multiple=True, help="Spec file(s); more may follow as arguments."),
        click.argument("more_specs", nargs=-1, metavar="[SPEC]..."),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def dns_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Live-DNS and output options shared by validate and verify."""
    decorators = [
        click.option("--nameserver", "nameservers", metavar="HOST[:PORT]", multiple=True, help="Ask this server instead of each zone's authoritative servers, about the zones' own records only (repeatable)."),
        click.option("--resolver", "resolvers", metavar="HOST[:PORT]", multiple=True, help="Resolve every other name (SPF includes, DKIM key targets, report authorisations) through this server instead of the system's resolver (repeatable)."),
        click.option("--format", "fmt", type=click.Choice(tuple(FORMATS)), default="text", show_default=True, help="Output format."),
        click.option("--output", "-o", "output", metavar="FILE", help="Write the report to FILE instead of standard output."),
        click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=2.0, show_default=True, help="Seconds to wait for each DNS answer."),
        click.option("--retries", type=click.IntRange(0, 10), default=2, show_default=True, help="Tries again after a timeout."),
        click.option("--concurrency", type=click.IntRange(1, 4096), default=DEFAULT_CONCURRENCY, show_default=True, help="DNS questions in flight at once."),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


@dataclass(frozen=True)
class DnsSettings:
    nameservers: tuple[Server, ...]
    timeout: float
    retries: int
    concurrency: int
    resolvers: tuple[Server, ...] = ()

    def live_dns(self, zones: tuple[str, ...] = ()) -> LiveDns:
        """A fresh client: nothing is remembered from an earlier one. `zones` are the run's
        own zones, the only names `--nameserver` is asked about."""
        return LiveDns(
            nameservers=self.nameservers, timeout=self.timeout, retries=self.retries,
            concurrency=self.concurrency, resolvers=self.resolvers, zones=zones,
        )


def read_input(plan: str | None, plan_file: str | None, chdir: str | None, tf: str | None, spec: tuple[str, ...], more_specs: tuple[str, ...]) -> Desired:
    """Exactly one input kind, read into desired records (InputError -> exit 2)."""
    if more_specs and not spec:
        raise BadInput(f"unexpected argument {more_specs[0]!r}: only --spec takes several files")
    given = [name for name, value in zip(_INPUTS, (plan, plan_file, tf, spec), strict=True) if value]
    if len(given) != 1:
        found = f"got {' and '.join(given)}" if given else "got none"
        raise BadInput(f"give exactly one input: --plan PLAN.json, --plan-file TFPLAN [--chdir DIR], --tf DIR or --spec SPEC... ({found})")
    if chdir is not None and not plan_file:
        raise BadInput("--chdir goes with --plan-file")
    if plan:
        return load_plan(plan)
    if plan_file:
        directory = chdir or "."
        return parse_plan(show_plan(plan_file, directory), f"{os.path.join(directory, plan_file)} (terraform show -json)")
    if tf:
        return load_tf_dir(tf)
    return load_specs((*spec, *more_specs))


def dns_settings(nameservers: tuple[str, ...], timeout: float, retries: int, concurrency: int, resolvers: tuple[str, ...] = ()) -> DnsSettings:
    return DnsSettings(parse_servers("--nameserver", nameservers), timeout, retries, concurrency, parse_servers("--resolver", resolvers))


def parse_servers(option: str, texts: tuple[str, ...] | list[str]) -> tuple[Server, ...]:
    """Each HOST[:PORT] of `option`; a bad one is bad input naming the option and the value."""
    servers = []
    for text in texts:
        try:
            servers.append(parse_server(text))
        except ValueError as err:
            raise BadInput(f"{option} {text!r}: {err}") from None
    return tuple(servers)


async def validate_round(desired: Desired, settings: DnsSettings, *, command: str, label: str, quiet: bool) -> Report:
    """One run of `validation.validate` over every desired domain, with a progress bar.

    The `LiveDns` client is made here, inside the event loop it belongs to, and afresh for
    each call: `verify --wait` reuses no answer from an earlier round.
    """
    with progress(len(desired.domains), label, quiet=quiet) as bar:
        return await validate(
            desired.domains, dns=settings.live_dns(tuple(d.zone for d in desired.domains)), command=command, notes=desired.notes,
            actions_known=desired.actions_known, on_done=lambda _: bar.update(1),
        )


def emit(ctx: click.Context, report: Report, fmt: str, output: str | None) -> None:
    """Print the report (colour only for text on a terminal, NO_COLOR unset), or write it to a file."""
    if output:
        write_atomically(output, render(report, fmt), label="--output")
        if not is_quiet(ctx):
            click.echo(f"{headline(report)} (report written to {output})", err=True)
        return
    color = use_color(fmt, sys.stdout)
    click.echo(render(report, fmt, color=color), nl=False, color=color)


def use_color(fmt: str, stream: Any) -> bool:
    """Colour only for text, on a terminal, and not when NO_COLOR is set (https://no-color.org)."""
    isatty = getattr(stream, "isatty", None)
    return fmt == "text" and bool(isatty and isatty()) and not os.environ.get("NO_COLOR")



@click.command("validate")
@input_options
@dns_options
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
) -> None:
    """Before apply: diff the desired records against live DNS and say whether applying
    is safe (nothing live is deleted or broken) and complete.

    Give exactly one input: --plan (the JSON of `terraform show -json PLANFILE`),
    --plan-file with --chdir (spotme-dns runs terraform show), --tf (a directory of .tf
    files) or --spec (spec files). Every record gets one status: in-sync, pending,
    differs, conflict or unknown; the checks add findings.

    Exit status: 0 safe to apply, 1 problems found (a conflict or an error finding),
    2 bad input.

    \b
    Example:
      terraform -chdir=out plan -out=tfplan
      spotme-dns validate --plan-file tfplan --chdir out
      terraform -chdir=out show -json tfplan > plan.json
      spotme-dns validate --plan plan.json --format markdown -o comment.md
    """
    desired = read_input(plan, plan_file, chdir, tf, spec, more_specs)
    settings = dns_settings(nameservers, timeout, retries, concurrency, resolvers)

    report = run_dns(
        validate_round(desired, settings, command="validate", label="validating domains", quiet=is_quiet(ctx))
    )
    emit(ctx, report, fmt, output)
    ctx.exit(EXIT_OK if passed(report) else EXIT_PROBLEMS)
