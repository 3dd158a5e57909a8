"""`validate`, `verify` and `check` against zones as customers really have them (issue 8,
points 4-6): wildcards, a subdomain under a stricter Organizational Domain, delegated DMARC.
Every zone is served by a real BIND through --nameserver."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from spotme_dns.cli import cli
from tests.test_validate_cli import WORLD, codes, statuses, write_spec, zone_lines

VENDOR = "dmarc-vendor.test"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "--timeout", "0.5", "--retries", "0"])


def messages(result: Result) -> list[str]:
    doc = json.loads(result.stdout)
    return [f["message"] for d in doc["domains"] for f in d["findings"]]


def test_validate_wildcard_cname_is_no_conflict(bind, tmp_path: Path) -> None:
    """`* CNAME` synthesises CNAMEs at _dmarc and the DKIM names: no cname-conflict, safe to apply."""
    spec = write_spec(tmp_path, "wild.test")
    bind.set_zones({**WORLD, "wild.test": ["* CNAME www.elsewhere.example."]})
    result = run("validate", "--spec", str(spec), "--nameserver", bind.address, "--resolver", bind.address, "--format", "json")
    assert result.exit_code == 0, result.output
    assert "cname-conflict" not in codes(result) and "wildcard" in codes(result)
    assert any("only the wildcard *.wild.test CNAME to www.elsewhere.example answers there" in m for m in messages(result))
    assert set(statuses(result).values()) == {"pending"}


def test_validate_wildcard_txt_is_no_customer_value(bind, tmp_path: Path) -> None:
    """`* TXT` at the DKIM names and _dmarc: nothing to delete, nothing in the way (Route53)."""
    spec = write_spec(tmp_path, "wildtxt.test")
    bind.set_zones({**WORLD, "wildtxt.test": ['* TXT "hello=world"']})
    result = run("validate", "--spec", str(spec), "--nameserver", bind.address, "--resolver", bind.address, "--format", "json")
    assert result.exit_code == 0, result.output
    assert not codes(result) & {"cname-conflict", "live-values-deleted", "record-exists-unmanaged"}


def test_validate_subdomain_weaker_than_parent(bind, tmp_path: Path) -> None:
    """mail.org.test p=none under org.test's p=reject; sp=reject: dmarc-weakens-parent, exit 1."""
    spec = write_spec(tmp_path, "mail.org.test", zone="org.test", dmarc="{policy: none}")
    bind.set_zones({**WORLD, "org.test": ['_dmarc TXT "v=DMARC1; p=reject; sp=reject"']})
    result = run("validate", "--spec", str(spec), "--nameserver", bind.address, "--resolver", bind.address, "--format", "json")
    assert result.exit_code == 1, result.output
    assert "dmarc-weakens-parent" in codes(result)
    assert any("_dmarc.org.test (sp=reject)" in m and "RFC 9989" in m for m in messages(result))
    same = write_spec(tmp_path, "mail.org.test", zone="org.test", dmarc="{policy: reject}")
    result = run("validate", "--spec", str(same), "--nameserver", bind.address, "--resolver", bind.address, "--format", "json")
    assert "dmarc-weakens-parent" not in codes(result), result.output


def test_validate_existing_subdomain_override_is_no_new_weakening(bind, tmp_path: Path) -> None:
    """The subdomain publishes p=none already and the plan keeps it: the apply weakens nothing, so no
    dmarc-weakens-parent (a false alarm on a correct plan); check still reports the override."""
    spec = write_spec(tmp_path, "mail.org.test", zone="org.test", dmarc="{policy: none}")
    bind.set_zones({**WORLD, "org.test": ['_dmarc TXT "v=DMARC1; p=reject"', '_dmarc.mail TXT "v=DMARC1; p=none;"']})
    result = run("validate", "--spec", str(spec), "--nameserver", bind.address, "--resolver", bind.address, "--format", "json")
    assert "dmarc-weakens-parent" not in codes(result), result.output
    check = run("check", "mail.org.test", "--nameserver", bind.address, "--resolver", bind.address, "--format", "json")
    assert "dmarc-weakens-parent" in codes(check)


def test_manage_false_with_delegated_dmarc_verifies(bind, tmp_path: Path) -> None:
    """dmarc: {manage: false} and a _dmarc CNAME to a vendor: verify demands no DMARC record of ours."""
    spec = write_spec(tmp_path, "deleg.test", dmarc="{manage: false}")
    lines = zone_lines(spec) + [f"_dmarc CNAME deleg.test.d.{VENDOR}."]
    bind.set_zones({**WORLD, "deleg.test": lines, VENDOR: ['deleg.test.d TXT "v=DMARC1; p=quarantine"']})
    for command in ("validate", "verify"):
        result = run(command, "--spec", str(spec), "--nameserver", bind.address, "--resolver", bind.address, "--format", "json")
        assert result.exit_code == 0, result.output
        assert not codes(result) & {"dmarc-missing", "cname-conflict"}


def test_check_reports_the_parent_override(bind) -> None:
    """check on a subdomain with no DMARC of its own under p=reject: never advises p=none."""
    bind.set_zones({**WORLD, "org.test": ['_dmarc TXT "v=DMARC1; p=reject; sp=reject"', 'mail TXT "v=spf1 -all"']})
    result = run("check", "mail.org.test", "--nameserver", bind.address, "--resolver", bind.address)
    assert "p=none" not in result.output, result.output
    assert "_dmarc.org.test" in result.output and "p=reject" in result.output


def test_check_says_wildcard(bind) -> None:
    """check on a zone with `* CNAME`: the DKIM names are a wildcard's, said so, not taken for records."""
    bind.set_zones({**WORLD, "wildcheck.test": ["* CNAME www.elsewhere.example.", '@ TXT "v=spf1 -all"']})
    result = run("check", "wildcheck.test", "--nameserver", bind.address, "--resolver", bind.address)
    assert "wildcard" in result.output, result.output
