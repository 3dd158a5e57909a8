"""The `records` command: the records of every domain, for people and scripts."""

import json

import pytest
from click.testing import CliRunner

from spotme_dns.cli import cli
from spotme_dns.records import build_records
from spotme_dns.spec import load_spec

SPEC = "examples/mixed-fleet/spec.yaml"


def run(*args):
    return CliRunner().invoke(cli, ["records", *args])


def test_json_equals_record_model():
    """--format json lists exactly the record model's records for every domain."""
    result = run(SPEC, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    expected = [build_records(d) for d in load_spec([SPEC]).domains]
    assert [d["domain"] for d in data["domains"]] == [d.domain for d in expected]
    for got, want in zip(data["domains"], expected, strict=True):
        assert [(r["name"], r["type"], r["ttl"], tuple(r["values"])) for r in got["records"]] == [
            (r.name, r.type.value, r.ttl, r.texts) for r in want.records
        ]


@pytest.mark.parametrize("fmt", ["table", "zone", "markdown"])
def test_every_value_is_shown(fmt):
    """Every record value appears whole in the human formats."""
    result = run(SPEC, "--format", fmt)
    assert result.exit_code == 0, result.output
    for domain in load_spec([SPEC]).domains:
        for record in build_records(domain).records:
            for text in record.texts:
                if fmt == "zone" and len(text) > 255:
                    continue  # a zone file holds long TXT values as 255-octet strings
                assert text in result.output


def test_table_uses_hosts_relative_to_the_zone():
    """The table names hosts as a DNS console asks for them."""
    result = run("examples/route53-single/spec.yaml")
    lines = result.output.splitlines()
    assert any(line.split()[0] == "@" and "v=spf1" in line for line in lines[2:])
    assert any(line.split()[0] == "_dmarc" for line in lines[2:])


def test_bad_spec_exits_2(tmp_path):
    """A broken spec is reported with its location and exit code 2."""
    spec = tmp_path / "s.yaml"
    spec.write_text("version: 1\ndomains: [{domain: 'a b'}]\n")
    result = run(str(spec))
    assert result.exit_code == 2
    assert f"{spec}:2:" in result.output
