"""`spotme-dns validate`: before apply, is applying safe and complete? (exit 0 yes, 1 no, 2 bad input)

The input options, the DNS options and the output options are shared with `verify`.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click

from ..checks import CHECK_BY_CODE, NOT_ALLOWABLE
from ..dns_live import DEFAULT_CONCURRENCY, LiveDns, Server, parse_server
from ..fileio import write_atomically
from ..formats import FORMATS, render
from ..formats.common import headline, passed
from ..inputs import TERRAFORM_ENV, Desired, combine, load_plan, load_specs, load_tf_dir, parse_plan, show_plan
from ..report import Allowance, Report, allow, parse_allowance, unused
from ..validation import validate
from ._runtime import run_dns
from .app import EXIT_OK, EXIT_PROBLEMS, BadInput
from .terminal import is_quiet, progress

_INPUTS = ("--plan", "--plan-file", "--tf", "--spec")


def input_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The one-of-four input options (plus --chdir for --plan-file, and extra spec files).

    --plan, --chdir and --tf repeat: several roots (split roots, a plan per root) are read in
    one run and give one report with a section per root and a total.
    """
    decorators = [
        click.option("--plan", "plan", metavar="PLAN.json", multiple=True, help="The JSON of `terraform show -json PLANFILE` (repeatable; verify also reads the state's JSON, `terraform show -json`)."),
        click.option("--plan-file", "plan_file", metavar="TFPLAN", help="A binary plan (terraform plan -out=TFPLAN): spotme-dns runs `terraform show -json` on it in each --chdir."),
        click.option("--chdir", "chdir", metavar="DIR", multiple=True, help="A Terraform root: where --plan-file is (default: current directory); verify without --plan-file reads its state. Repeatable."),
        click.option("--tf", "tf", metavar="DIR", multiple=True, help="A directory of .tf files (generated or hand-written), read without running terraform (repeatable)."),
        click.option("--spec", "spec", metavar="SPEC", multiple=True, help="Spec file(s); more may follow as arguments (or give them as arguments alone)."),
        click.option(
            "--terraform-bin", "terraform_bin", metavar="BINARY", envvar=TERRAFORM_ENV, show_envvar=True, default="terraform", show_default=True,
            help="The Terraform binary --plan-file and --chdir run (`terraform`, `tofu` or a path).",
        ),
        click.argument("more_specs", nargs=-1, metavar="[SPEC]..."),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def _remember_only_problems(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    ctx.meta["spotme_only_problems"] = value


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
        click.option("--only-problems", is_flag=True, expose_value=False, callback=_remember_only_problems,
                     help="Text format: show only failing records and error/warning findings (the summary still counts all); --quiet implies it."),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def allow_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """`--allow CODE[:NAME]` (repeatable): findings the user means to accept, listed as allowed."""
    return click.option(
        "--allow",
        "allows",
        metavar="CODE[:NAME]",
        multiple=True,
        help="Accept the findings with this code (at NAME, a record name or its sending domain, if given): "
        "they are listed as allowed, not errors. For a removal you mean, e.g. "
        "--allow live-values-deleted:example.com. Repeatable.",
    )(command)


def allowances(values: tuple[str, ...]) -> tuple[Allowance, ...]:
    """The parsed --allow values; a bad one is bad input (exit 2)."""
    out = []
    for value in values:
        try:
            rule = parse_allowance(value, CHECK_BY_CODE)
        except ValueError as err:
            raise BadInput(f"--allow {err}") from None
        if rule.code in NOT_ALLOWABLE:
            raise BadInput(f"--allow {value!r}: {rule.code} cannot be allowed: {NOT_ALLOWABLE[rule.code]}")
        out.append(rule)
    return tuple(out)


def apply_allowances(ctx: click.Context, report: Report, rules: tuple[Allowance, ...], *, say_unused: bool = True) -> Report:
    """The report with --allow applied; an allowance that matched nothing is said on standard error."""
    report = allow(report, rules)
    if say_unused and not is_quiet(ctx):
        for rule in unused(report, rules):
            click.echo(f"note: --allow {rule} matched no finding", err=True)
    return report


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


def read_input(
    plan: tuple[str, ...],
    plan_file: str | None,
    chdir: tuple[str, ...],
    tf: tuple[str, ...],
    spec: tuple[str, ...],
    more_specs: tuple[str, ...],
    *,
    terraform_bin: str = "terraform",
    state_ok: bool = False,
) -> Desired:
    """Exactly one input kind, read into desired records (InputError -> exit 2).

    `state_ok` (verify): `--plan` may be state JSON, and `--chdir` without `--plan-file` reads
    each root's state with `terraform show -json`. Several plans or roots: one `Desired` whose
    domains carry their root (`inputs.combine`).
    """
    # `validate SPEC...` (the usage line's positional specs) is `validate --spec SPEC...`.
    spec = (*spec, *more_specs)
    state_roots = state_ok and bool(chdir) and not plan_file
    given = [name for name, value in zip(_INPUTS, (plan, plan_file or state_roots, tf, spec), strict=True) if value]
    if len(given) != 1:
        found = f"got {' and '.join(given)}" if given else "got none"
        state = ", --chdir DIR (the state)" if state_ok else ""
        raise BadInput(f"give exactly one input: --plan PLAN.json, --plan-file TFPLAN [--chdir DIR]{state}, --tf DIR or --spec SPEC... ({found})")
    if chdir and not plan_file and not state_roots:
        raise BadInput("--chdir goes with --plan-file")
    if plan:
        return combine([(path, load_plan(path, state_ok=state_ok)) for path in plan])
    if plan_file or state_roots:
        parts = []
        for directory in chdir or (".",):
            shown = f"{terraform_bin} show -json"
            label = os.path.join(directory, plan_file) if plan_file else f"{directory} (state)"
            text = show_plan(plan_file, directory, terraform=terraform_bin)
            parts.append((directory, parse_plan(text, f"{label} ({shown})", state_ok=state_roots)))
        return combine(parts)
    if tf:
        return combine([(directory, load_tf_dir(directory)) for directory in tf])
    return load_specs(spec)


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
    options = text_options(ctx, sys.stdout) if fmt == "text" else {}
    click.echo(render(report, fmt, color=color, **options), nl=False, color=color)


def text_options(ctx: click.Context, stream: Any) -> dict[str, Any]:
    """The text format's view: problems only with --only-problems or --quiet; folded to the
    terminal's width on a terminal (or to $COLUMNS when set)."""
    isatty = getattr(stream, "isatty", None)
    width = shutil.get_terminal_size().columns if (isatty and isatty()) or os.environ.get("COLUMNS") else None
    return {"only_problems": bool(ctx.meta.get("spotme_only_problems")) or is_quiet(ctx), "width": width}


def use_color(fmt: str, stream: Any) -> bool:
    """Colour only for text, on a terminal, and not when NO_COLOR is set (https://no-color.org)."""
    isatty = getattr(stream, "isatty", None)
    return fmt == "text" and bool(isatty and isatty()) and not os.environ.get("NO_COLOR")



@click.command("validate")
@input_options
@dns_options
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
    allows: tuple[str, ...],
) -> None:
    """Before apply: diff the desired records against live DNS and say whether applying
    is safe (nothing live is deleted or broken) and complete.

    Give exactly one input: --plan (the JSON of `terraform show -json PLANFILE`),
    --plan-file with --chdir (spotme-dns runs terraform show), --tf (a directory of .tf
    files) or --spec (spec files). --plan, --chdir and --tf repeat: several roots give
    one report with a section per root and a total. Every record gets one status:
    in-sync, pending, differs, conflict or unknown; the checks add findings.

    Any value of the customer's that applying deletes or weakens is an error, whatever
    Terraform owns (a TXT value, an SPF term, a DMARC policy or report address); a user
    who means it says so with --allow CODE[:NAME], and the report lists it as allowed.

    Exit status: 0 safe to apply, 1 problems found (a conflict or an error finding),
    2 bad input.

    \b
    Example:
      terraform -chdir=out plan -out=tfplan
      spotme-dns validate --plan-file tfplan --chdir out
      terraform -chdir=out show -json tfplan > plan.json
      spotme-dns validate --plan plan.json --format markdown -o comment.md
      spotme-dns validate --plan-file tfplan --chdir out/root-001 --chdir out/root-002
      spotme-dns validate --plan plan.json --allow live-values-deleted:acme-events.com
    """
    rules = allowances(allows)
    desired = read_input(plan, plan_file, chdir, tf, spec, more_specs, terraform_bin=terraform_bin)
    settings = dns_settings(nameservers, timeout, retries, concurrency, resolvers)

    report = run_dns(
        validate_round(desired, settings, command="validate", label="validating domains", quiet=is_quiet(ctx))
    )
    report = apply_allowances(ctx, report, rules)
    emit(ctx, report, fmt, output)
    ctx.exit(EXIT_OK if passed(report) else EXIT_PROBLEMS)
