"""`spotme-dns ses-tokens` against moto: print the tokens, or write them into the spec in place."""

from __future__ import annotations

import os

from click.testing import CliRunner

from spotme_dns.cli.app import cli
from spotme_dns.spec import load_spec
from spotme_dns.spec_write import set_ses_tokens
from tests.test_aws import ses_identity

TOKENS = ("abcdefghijklmnop1234", "qrstuvwxyzabcdef5678", "ghijklmnopqrstuv9012")

SPEC = """\
# SpotMe sending domains: one entry per customer domain.
version: 1
defaults:
  provider: route53   # every zone is on AWS
  ttl: 3600

domains:
  # The main brand. Tokens from SpotMe support, 2026-01.
  - domain: acme-events.com
    zone_id: Z0123456789ABCDEFGHIJ
    ses:
      dkim_tokens: [aaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbb, cccccccccccccccc]  # old ones
    mandrill:
      verification: "mandrill_verify.AbC123xyz"
    spf:
      keep:
        - include:_spf.google.com   # Google Workspace

  - domain: mail.acme-events.com
    zone: acme-events.com
    mandrill: {verification: AbC123xyz}
    ses:
      dkim_tokens:
        - dddddddddddddddd
        - eeeeeeeeeeeeeeee
        - ffffffffffffffff
"""


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_prints_tokens_and_signing_zone(moto_clean):
    """Without --write: the tokens, the signing zone and the CNAMEs they stand for."""
    ses_identity(moto_clean, "acme-events.com", Tokens=list(TOKENS), Status="SUCCESS", SigningHostedZone="dkim.amazonses.com")
    result = run("ses-tokens", "acme-events.com", "--region", "us-east-1")
    assert result.exit_code == 0, result.output
    assert f"  dkim_tokens: [{', '.join(TOKENS)}]" in result.output
    assert "  signing_zone: dkim.amazonses.com" in result.output
    assert f"{TOKENS[0]}._domainkey.acme-events.com CNAME {TOKENS[0]}.dkim.amazonses.com" in result.output


def test_write_updates_only_that_domain_keeping_comments(moto_clean, tmp_path):
    """--write replaces the tokens of the matching entry; every other line stays byte for byte."""
    ses_identity(moto_clean, "acme-events.com", Tokens=list(TOKENS), Status="SUCCESS", SigningHostedZone="dkim.amazonses.com")
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC)
    result = run("ses-tokens", "ACME-Events.com", "--write", str(spec))
    assert result.exit_code == 0, result.output
    assert "wrote the SES DKIM tokens of acme-events.com" in result.output
    new = spec.read_text()
    old_lines, new_lines = SPEC.splitlines(), new.splitlines()
    assert len(old_lines) == len(new_lines)
    changed = [(a, b) for a, b in zip(old_lines, new_lines, strict=True) if a != b]
    assert len(changed) == 1
    assert changed[0][1].strip().startswith(f"dkim_tokens: [{', '.join(TOKENS)}]")
    assert "# old ones" in changed[0][1]
    loaded = load_spec([str(spec)]).domains
    assert loaded[0].ses.dkim_tokens == TOKENS
    assert loaded[1].ses.dkim_tokens == ("dddddddddddddddd", "eeeeeeeeeeeeeeee", "ffffffffffffffff")
    # Running it again changes nothing.
    again = run("ses-tokens", "acme-events.com", "--write", str(spec))
    assert again.exit_code == 0 and "already holds" in again.output
    assert spec.read_text() == new


def test_write_regional_signing_zone_into_block_list(moto_clean, tmp_path):
    """A regional SigningHostedZone is written next to the tokens; a block-style list stays block style."""
    ses_identity(
        moto_clean, "mail.acme-events.com", region="af-south-1",
        Tokens=list(TOKENS), Status="PENDING", SigningHostedZone="dkim.af-south-1.amazonses.com",
    )
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC)
    result = run("ses-tokens", "mail.acme-events.com", "--region", "af-south-1", "--write", str(spec))
    assert result.exit_code == 0, result.output
    new = spec.read_text()
    assert f"        - {TOKENS[0]}\n        - {TOKENS[1]}\n        - {TOKENS[2]}\n      signing_zone: dkim.af-south-1.amazonses.com\n" in new
    assert new.startswith(SPEC.split("  - domain: mail.acme-events.com")[0])
    domain = load_spec([str(spec)]).domains[1]
    assert domain.ses.signing_zone == "dkim.af-south-1.amazonses.com"


def test_domain_not_in_spec_writes_nothing(moto_clean, tmp_path):
    """A domain the spec does not list: exit 2, the spec's domains named, the file untouched."""
    ses_identity(moto_clean, "other.com", Tokens=list(TOKENS), Status="SUCCESS")
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC)
    before = os.stat(spec).st_mtime_ns
    result = CliRunner().invoke(cli, ["ses-tokens", "other.com", "--write", str(spec)])
    assert result.exit_code == 2
    assert "no entry for domain other.com" in result.output and "acme-events.com" in result.output
    assert spec.read_text() == SPEC and os.stat(spec).st_mtime_ns == before
    assert [p.name for p in tmp_path.iterdir()] == ["spec.yaml"]


def test_errors_exit_2(moto_clean):
    """Missing identity, DKIM not started and BYODKIM: exit 2 with a message, no traceback."""
    result = CliRunner().invoke(cli, ["ses-tokens", "acme-events.com"])
    assert result.exit_code == 2 and "SES has no identity acme-events.com in region us-east-1" in result.output
    ses_identity(moto_clean, "acme-events.com")
    result = CliRunner().invoke(cli, ["ses-tokens", "acme-events.com"])
    assert result.exit_code == 2 and "Easy DKIM has not been started" in result.output
    ses_identity(moto_clean, "byo.example.com", Tokens=["sel1"], Status="SUCCESS", SigningAttributesOrigin="EXTERNAL")
    result = CliRunner().invoke(cli, ["ses-tokens", "byo.example.com"])
    assert result.exit_code == 2 and "bring-your-own DKIM" in result.output
    result = CliRunner().invoke(cli, ["ses-tokens", "not a domain"])
    assert result.exit_code == 2 and "DOMAIN:" in result.output


def test_flow_mapping_entry_gets_a_new_ses_block():
    """An entry without ses gets one right after its domain/zone keys; the rest is unchanged."""
    text = "version: 1\ndomains:\n- domain: acme.com\n  mandrill: {verification: abcdefgh}\n"
    new = set_ses_tokens(text, "acme.com", tokens=TOKENS, signing_zone="dkim.amazonses.com")
    assert new == (
        "version: 1\ndomains:\n- domain: acme.com\n"
        f"  ses:\n    dkim_tokens: [{', '.join(TOKENS)}]\n"
        "  mandrill: {verification: abcdefgh}\n"
    )


def test_aws_region_alone_names_the_region(moto_clean, monkeypatch):
    """AWS_REGION (named in --help) is honoured without --region or AWS_DEFAULT_REGION."""
    ses_identity(moto_clean, "acme-events.com", region="eu-west-1", Tokens=list(TOKENS), Status="SUCCESS",
                 SigningHostedZone="dkim.eu-west-1.amazonses.com")
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    result = run("ses-tokens", "acme-events.com")
    assert result.exit_code == 0, result.output
    assert "acme-events.com in eu-west-1" in result.output
