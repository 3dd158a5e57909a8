"""The click group, shared options and the error boundary (no tracebacks unless --debug)."""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import traceback
from typing import NoReturn

import click

from .. import __version__
from ..errors import InputError

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 70
"""A bug in spotme-dns (BSD sysexits EX_SOFTWARE): one line, the traceback with --debug."""
EXIT_INTERRUPTED = 130
EXIT_CLOSED_PIPE = 141

#: Command name -> (module defining `command`, one-line help), in the order `--help` lists them.
#: Modules are imported only when their command runs, so `spotme-dns --help`, `--version` and
#: shell completion do not pay for dnspython, boto3 and python-hcl2 (about a second).
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("init", "Write a commented spec for one sending domain."),
    "generate": ("generate", "Write Terraform for every domain of the SPEC files into DIR."),
    "records": ("records", "Print the DNS records every domain of the specs needs."),
    "validate": ("validate", "Before apply: diff the desired records against live DNS."),
    "verify": ("verify", "After apply: prove every record is live on every authoritative server."),
    "check": ("check", "Audit live DNS for the records SpotMe needs, with no spec."),
    "ses-tokens": ("ses_tokens", "Read a domain's Easy DKIM tokens and signing zone from SES."),
    "schema": ("schema", "Print the JSON Schema of the spec file."),
}


class BadInput(click.ClickException):
    """Bad input: exit code 2 with every problem on its own line."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, error: InputError | str) -> None:
        text = str(error)
        super().__init__(text)

    def show(self, file=None) -> None:  # type: ignore[override]
        click.echo(f"error: {self.format_message()}".replace("\n", "\nerror: "), err=True)


class Group(click.Group):
    """Loads commands lazily; turns InputError into exit 2 and unexpected errors into one line
    (traceback with --debug)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        if name not in self.commands:
            module = importlib.import_module(f".{COMMANDS[name][0]}", __package__)
            self.add_command(module.command, name)
        return self.commands[name]

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, short) for name, (_, short) in COMMANDS.items()])

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except InputError as err:
            raise BadInput(err) from None
        except KeyboardInterrupt:
            interrupted(ctx)
        except click.Abort as err:
            if isinstance(err.__context__, KeyboardInterrupt):  # Ctrl-C at a prompt
                interrupted(ctx)
            raise
        except BrokenPipeError:
            closed_pipe(ctx)
        except (click.ClickException, click.exceptions.Exit):
            raise
        except Exception as err:  # the error boundary: a bug, not bad input
            if ctx.obj and ctx.obj.get("debug"):
                traceback.print_exc()
            else:
                click.echo(f"error: internal error: {type(err).__name__}: {err} (run with --debug for details)", err=True)
            ctx.exit(EXIT_INTERNAL)


def interrupted(ctx: click.Context | None = None) -> NoReturn:
    """Ctrl-C: one line, exit 130 (128 + SIGINT, what a shell reports), nothing half-written."""
    click.echo("\ninterrupted", err=True)
    if ctx is not None:
        ctx.exit(EXIT_INTERRUPTED)
    raise SystemExit(EXIT_INTERRUPTED)


def closed_pipe(ctx: click.Context | None = None) -> NoReturn:
    """Standard output closed by the reader (`| head`): stop quietly with 141 (128 + SIGPIPE),
    as a tool killed by SIGPIPE would. stdout goes to /dev/null so that no later flush fails."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    if ctx is not None:
        ctx.exit(EXIT_CLOSED_PIPE)
    raise SystemExit(EXIT_CLOSED_PIPE)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="spotme-dns")
@click.option("--debug", is_flag=True, help="Show tracebacks for unexpected errors.")
@click.option("--quiet", "-q", is_flag=True, help="Print only errors and the result.")
@click.pass_context
def cli(ctx: click.Context, debug: bool, quiet: bool) -> None:
    """Generate, validate and verify the DNS records SpotMe Backstage needs to send e-mail
    from your own domain: SPF, DMARC, three AWS SES DKIM CNAMEs, two Mandrill DKIM CNAMEs
    and the Mandrill verification TXT record.

    Colour only on a terminal, never with NO_COLOR set; --quiet prints only errors and
    the result; unexpected errors are one line unless --debug (or SPOTME_DNS_DEBUG=1).

    \b
    Shell completion (click 8; zsh_source and fish_source likewise):
      eval "$(_SPOTME_DNS_COMPLETE=bash_source spotme-dns)"    # in ~/.bashrc

    \b
    Example:
      spotme-dns generate examples/route53-single/spec.yaml -o out/
      terraform -chdir=out init && terraform -chdir=out plan -out=tfplan
      spotme-dns validate --plan-file tfplan --chdir out
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug or bool(os.environ.get("SPOTME_DNS_DEBUG"))
    ctx.obj["quiet"] = quiet


def main(argv: list[str] | None = None) -> int:
    """Console entry point."""
    try:
        try:
            cli.main(args=argv, prog_name="spotme-dns", standalone_mode=True)
        except SystemExit as exit:
            code = int(exit.code or 0)
        else:
            code = 0
        sys.stdout.flush()  # here, not at interpreter exit, so a closed pipe is caught below
    except BrokenPipeError:
        with contextlib.suppress(SystemExit):
            closed_pipe()
        return EXIT_CLOSED_PIPE
    except KeyboardInterrupt:
        with contextlib.suppress(SystemExit):
            interrupted()
        return EXIT_INTERRUPTED
    return code
