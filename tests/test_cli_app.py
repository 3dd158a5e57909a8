"""The command group: lazy registry, version, help on every command ending with an example."""

import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from spotme_dns import __version__
from spotme_dns.cli import cli
from spotme_dns.cli.app import COMMANDS


@pytest.mark.parametrize("name", list(COMMANDS))
def test_registry_loads_each_command(name):
    """Every listed command loads from its module under its own name."""
    command = cli.get_command(click.Context(cli), name)
    assert command is not None and command.name == name


@pytest.mark.parametrize("name", list(COMMANDS))
def test_help_ends_with_an_example(name):
    """Every command's --help exits 0 and ends with an Example block."""
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output.split("Options:")[0]


def test_version():
    """--version names the tool and its version."""
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_help_does_not_import_heavy_modules():
    """`spotme-dns --help` stays fast: no dnspython, boto3 or python-hcl2 imported."""
    code = (
        "import sys; from spotme_dns.cli import main; "
        "rc = main(['--help']); "
        "print(sorted(m for m in ('dns', 'boto3', 'hcl2') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_unknown_command_is_a_usage_error():
    """An unknown command exits 2 with click's usage message."""
    result = CliRunner().invoke(cli, ["nope"])
    assert result.exit_code == 2 and "No such command" in result.output
