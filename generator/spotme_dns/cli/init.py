"""`spotme-dns init`: ask for (or take flags for) one domain's values and write a commented spec."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from .. import dmarc
from ..errors import InputError, Location, Problem
from ..fileio import write_atomically
from ..schema.build import SCHEMA_URL
from ..spec import INIT_PROVIDERS, SPF_ALL_CHOICES, Provider, load_spec, parse_spec_text
from ..spec_template import PLACEHOLDER, Field, InitAnswers, answer_problems, check_one, render_spec, with_placeholders
from .schema import schema_path
from .terminal import is_quiet

TOKEN_COUNT = 3


@click.command("init")
@click.option("--domain", help="The sending (From:) domain, e.g. acme-events.com.")
@click.option("--zone", help="The DNS zone that holds it (default: the domain itself).")
@click.option(
    "--provider", type=click.Choice(INIT_PROVIDERS), default=None,
    help="Where the records go (default: route53).",
)
@click.option("--zone-id", help="The zone's id at the provider (default: looked up by name).")
@click.option(
    "--ses-token", "ses_tokens", multiple=True, metavar="TOKEN",
    help="An Amazon SES Easy DKIM token from SpotMe support; give it three times.",
)
@click.option("--mandrill-key", help="The Mandrill verification key (or the whole mandrill_verify.<key> value).")
@click.option(
    "--dmarc-policy", type=click.Choice(list(dmarc.POLICIES)), default=None,
    help="The DMARC policy (default: not written, so an existing record's is kept and a new one is p=none).",
)
@click.option(
    "--spf-all", type=click.Choice(list(SPF_ALL_CHOICES)), default=None,
    help="The SPF record's final 'all' (default: not written, so an existing record's is kept and a new one ends in -all).",
)
@click.option("--rua", multiple=True, metavar="ADDRESS", help="Where DMARC aggregate reports go (repeatable).")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=Path("spotme.yaml"),
    show_default=True, metavar="FILE", help="The spec file to write.",
)
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@click.option("--no-input", is_flag=True, help="Never ask; fail (exit 2) when a required flag is missing.")
@click.option(
    "--schema-ref", metavar="PATH|URL", default=None,
    help="What the file's yaml-language-server line names (default: the installed schema, relative to FILE when near).",
)
def command(
    domain: str | None, zone: str | None, provider: str | None, zone_id: str | None, ses_tokens: tuple[str, ...],
    mandrill_key: str | None, dmarc_policy: str | None, spf_all: str | None, rua: tuple[str, ...], output: Path, force: bool,
    no_input: bool, schema_ref: str | None,
) -> None:
    """Write a commented spec for one sending domain.

    Values not given as flags are asked for when standard input is a terminal (a bad answer is
    asked again); with --no-input, or without a terminal, missing required flags (--domain, three
    --ses-token, --mandrill-key) are an error. Every value is checked by the same loader as
    `generate`; bad flags exit with code 2 and nothing is written. An existing FILE is never
    overwritten without --force.

    \b
    Example:
      spotme-dns init                      # asks, writes spotme.yaml
      spotme-dns init --domain acme-events.com --provider route53 \\
        --ses-token "$TOKEN1" --ses-token "$TOKEN2" --ses-token "$TOKEN3" \\
        --mandrill-key AbC123xyz --rua dmarc@acme-events.com -o acme.yaml
    """
    _refuse_existing(output, force)
    if schema_ref is not None and (not schema_ref.strip() or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in schema_ref)):
        raise InputError([Problem(Location("--schema-ref"), "expected a path or URL on one line", "bad-flag")])
    interactive = not no_input and sys.stdin.isatty()
    given = {
        Field.DOMAIN: domain, Field.ZONE: zone, Field.PROVIDER: provider, Field.ZONE_ID: zone_id,
        Field.MANDRILL: mandrill_key, Field.DMARC_POLICY: dmarc_policy, Field.SPF_ALL: spf_all,
    }
    problems = _flag_problems(given, ses_tokens, rua)
    if not interactive:
        problems += _missing_flags(domain, ses_tokens, mandrill_key)
    if problems:
        raise InputError(problems)
    if interactive:
        answers = _ask(domain, zone, provider, zone_id, ses_tokens, mandrill_key, dmarc_policy, rua, spf_all)
    else:
        answers = InitAnswers(
            domain=domain or "", ses_tokens=ses_tokens, mandrill=mandrill_key or "", zone=zone,
            provider=provider or Provider.ROUTE53.value, zone_id=zone_id, dmarc_policy=dmarc_policy, rua=rua,
            spf_all=spf_all,
        )
    problems = answer_problems(answers)  # the answers together (each was checked on its own)
    if problems:
        raise InputError(
            [Problem(Location(f"--{field}"), message, "bad-flag") for field, messages in problems.items() for message in messages]
        )
    _refuse_existing(output, force)  # it may have appeared while we were asking
    text = render_spec(answers, schema_ref=schema_ref or _schema_ref(output))
    parse_spec_text(text, str(output))  # the very text to be written loads (raises InputError if not)
    write_atomically(output, text)
    load_spec([str(output)])  # the file as written loads: the same check as `generate`
    if not is_quiet():
        click.echo(f"wrote {output}", err=True)
        click.echo(f"next: spotme-dns validate --spec {output} && spotme-dns generate {output} -o out/", err=True)


def _refuse_existing(output: Path, force: bool) -> None:
    if output.exists() and not force:
        raise InputError([Problem(Location(str(output)), "already exists; use --force to overwrite it", "output-exists")])


def _flag_problems(given: dict[Field, str | None], ses_tokens: tuple[str, ...], rua: tuple[str, ...]) -> list[Problem]:
    """Flags checked as given, each against placeholders for the ones not given."""
    values = {
        "domain": given[Field.DOMAIN], "zone": given[Field.ZONE], "provider": given[Field.PROVIDER],
        "zone_id": given[Field.ZONE_ID], "mandrill": given[Field.MANDRILL], "dmarc_policy": given[Field.DMARC_POLICY],
        "ses_tokens": ses_tokens or None, "rua": rua or None, "spf_all": given[Field.SPF_ALL],
    }
    problems = answer_problems(with_placeholders(**values))
    if given[Field.DOMAIN] is None:
        problems.pop(Field.ZONE, None)  # a zone is judged against the domain, not a placeholder
    return [Problem(Location(f"--{field}"), message, "bad-flag") for field, messages in problems.items() for message in messages]


def _missing_flags(domain: str | None, ses_tokens: tuple[str, ...], mandrill_key: str | None) -> list[Problem]:
    """Required flags not given (when nothing can be asked)."""
    missing = []
    if not domain:
        missing.append(Problem(Location("--domain"), "missing: the sending (From:) domain", "missing-flag"))
    if not ses_tokens:  # a wrong number of tokens given is already a flag problem
        missing.append(
            Problem(Location("--ses-token"), f"give exactly {TOKEN_COUNT} Easy DKIM tokens (got {len(ses_tokens)})", "missing-flag")
        )
    if not mandrill_key:
        missing.append(Problem(Location("--mandrill-key"), "missing: the Mandrill verification key", "missing-flag"))
    return missing


def _ask(
    domain: str | None, zone: str | None, provider: str | None, zone_id: str | None, ses_tokens: tuple[str, ...],
    mandrill_key: str | None, dmarc_policy: str | None, rua: tuple[str, ...], spf_all: str | None = None,
) -> InitAnswers:
    """Ask for every value not given; each answer is checked at once and asked again when bad."""
    if not domain:
        domain = _prompt("Sending domain (the From: domain)", Field.DOMAIN, lambda v: {"domain": v})
    if zone is None:
        zone = _prompt("DNS zone that holds it", Field.ZONE, lambda v: {"domain": domain, "zone": v}, default=domain)
    if provider is None:
        provider = click.prompt(
            "DNS provider", type=click.Choice(INIT_PROVIDERS), default=Provider.ROUTE53.value
        )
    tokens = list(ses_tokens)
    if len(tokens) != TOKEN_COUNT:
        click.echo("The three Amazon SES Easy DKIM tokens (SpotMe support sends them):", err=True)
        tokens = []
        for i in range(TOKEN_COUNT):
            tokens.append(
                _prompt(f"SES DKIM token {i + 1} of {TOKEN_COUNT}", Field.SES_TOKENS,
                        lambda v, done=tuple(tokens): {"ses_tokens": _with_placeholder_tokens(done + (v,))})
            )
    if not mandrill_key:
        mandrill_key = _prompt("Mandrill verification key (or mandrill_verify.<key>)", Field.MANDRILL, lambda v: {"mandrill": v})
    if spf_all is None:
        answer = click.prompt(
            "SPF 'all' ('-': keep an existing record's, a new one gets -all)",
            type=click.Choice([*SPF_ALL_CHOICES, "-"]), default="-",
        )
        spf_all = None if answer == "-" else answer
    if dmarc_policy is None:
        answer = click.prompt(
            "DMARC policy ('-': keep an existing record's, a new one gets none)",
            type=click.Choice([*dmarc.POLICIES, "-"]), default="-",
        )
        dmarc_policy = None if answer == "-" else answer
    if not rua:
        answer = _prompt(
            "DMARC aggregate report address (e-mail or mailto:, several with commas; '-' for none)", Field.RUA,
            lambda v: {"rua": _split(v) or None}, default="-",
        )
        rua = tuple(_split(answer))
    return InitAnswers(
        domain=domain, ses_tokens=tuple(tokens), mandrill=mandrill_key, zone=zone, provider=provider,
        zone_id=zone_id, dmarc_policy=dmarc_policy, rua=rua, spf_all=spf_all,
    )


def _prompt(text: str, field: Field, answers_for, *, default: str | None = None) -> str:
    """click.prompt, the answer checked by the spec loader; a bad answer is explained and asked again."""

    def check(value: str) -> str:
        value = value.strip()
        problems = check_one(field, with_placeholders(**answers_for(value)))
        if problems:
            raise click.UsageError("; ".join(problems))
        return value

    return click.prompt(text, default=default, value_proc=check, err=True)


def _with_placeholder_tokens(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Tokens typed so far, completed to three with placeholders (checked one by one)."""
    return tokens + PLACEHOLDER.ses_tokens[len(tokens):]


def _split(text: str) -> list[str]:
    if text.strip() in ("", "-"):
        return []
    return [part.strip() for part in text.replace(" ", ",").split(",") if part.strip()]


def _schema_ref(output: Path) -> str:
    """The schema for the file's yaml-language-server line.

    Relative to the spec when both are inside the same spotme-dns checkout (the path then
    survives moving the checkout); otherwise the schema's stable URL (its `$id`), never a
    path that exists only on this machine.
    """
    schema = schema_path()
    checkout = schema.parents[3] if schema.parents[2].name == "generator" else None
    target = output.resolve().parent
    if checkout is not None and (target == checkout or checkout in target.parents):
        return Path(os.path.relpath(schema, target)).as_posix()
    return SCHEMA_URL
