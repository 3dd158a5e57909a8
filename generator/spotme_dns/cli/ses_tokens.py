"""`spotme-dns ses-tokens`: read a domain's Easy DKIM tokens from SES, print them or write the spec."""

from __future__ import annotations

import click

from .. import aws
from ..spec import domain_name_problem, normalize_domain
from ..spec_write import write_ses_tokens
from .app import BadInput
from .terminal import is_quiet


@click.command("ses-tokens")
@click.argument("domain")
@click.option("--region", metavar="REGION", help="AWS region of the SES identity (default: AWS_REGION or the profile's region).")
@click.option(
    "--write",
    "spec_path",
    metavar="SPEC",
    type=click.Path(dir_okay=False),
    help="Write the tokens (and a regional signing zone) into DOMAIN's entry of this spec, in place, "
    "keeping its comments and order.",
)
@click.pass_context
def command(ctx: click.Context, domain: str, region: str | None, spec_path: str | None) -> None:
    """Read DOMAIN's three Easy DKIM tokens and signing zone from Amazon SES (GetEmailIdentity).

    AWS credentials and region come from the usual places (AWS_PROFILE, AWS_REGION,
    ~/.aws/config, AWS_ENDPOINT_URL...). Fails with exit code 2 when the identity does not
    exist in the region, its DKIM has not been started, or it uses bring-your-own DKIM.

    \b
    Example:
      spotme-dns ses-tokens acme-events.com --region eu-west-1
      spotme-dns ses-tokens acme-events.com --write spec.yaml
    """
    problem = domain_name_problem(domain)
    if problem:
        raise BadInput(f"DOMAIN: {problem}")
    name = normalize_domain(domain)
    dkim = aws.get_ses_dkim(name, region=region)
    quiet = is_quiet(ctx)
    if spec_path:
        update = write_ses_tokens(spec_path, name, tokens=dkim.tokens, signing_zone=dkim.signing_zone)
        if update.changed:
            click.echo(f"wrote the SES DKIM tokens of {name} ({dkim.region}) into {spec_path}")
        else:
            click.echo(f"{spec_path} already holds the SES DKIM tokens of {name}")
        if not dkim.signing_zone_reported and not quiet:
            click.echo(f"note: SES did not report SigningHostedZone; assumed {dkim.signing_zone}", err=True)
        return
    if not quiet:
        click.echo(f"# SES Easy DKIM of {name} in {dkim.region}: status {dkim.status}, origin {dkim.origin}")
        if not dkim.signing_zone_reported:
            click.echo(f"# SES did not report SigningHostedZone; assumed {dkim.signing_zone}")
        click.echo("# for the spec:")
    click.echo("ses:")
    click.echo(f"  dkim_tokens: [{', '.join(dkim.tokens)}]")
    click.echo(f"  signing_zone: {dkim.signing_zone}")
    if not quiet:
        click.echo("# the CNAME records they stand for:")
        for token in dkim.tokens:
            click.echo(f"#   {token}._domainkey.{name} CNAME {token}.{dkim.signing_zone}")
