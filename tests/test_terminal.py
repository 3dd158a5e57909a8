"""Terminal manners: NO_COLOR, --quiet, --debug tracebacks, a progress bar only on a terminal,
shell completion. Terminals are real pseudo-terminals (pty), the command a real subprocess."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from spotme_dns.cli import check as check_module
from spotme_dns.cli.app import cli
from spotme_dns.cli.terminal import PROGRESS_MIN_ITEMS, no_color, wants_color

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
DOMAINS = [f"d{i}.tty.test" for i in range(PROGRESS_MIN_ITEMS + 2)]
ZONE = [
    *(f'd{i} TXT "v=spf1 include:_spf.spotme.com -all"' for i in range(len(DOMAINS))),
    *(f'_dmarc.d{i} TXT "v=DMARC1; p=none"' for i in range(len(DOMAINS))),
]


def spotme_dns_command() -> list[str]:
    """The installed console script, or the module when only the package is importable."""
    return [sys.executable, "-c", "import sys; from spotme_dns.cli import main; sys.exit(main())"]


def run_in_terminal(args: list[str], *, env: dict[str, str] | None = None, stdout_tty: bool, stderr_tty: bool, timeout: float = 60) -> tuple[int, str, str]:
    """Run spotme-dns with standard output and/or standard error on a pseudo-terminal.

    The others are pipes. Everything is read while the process runs, so no buffer fills up.
    """
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "SPOTME_DNS_DEBUG")}
    environment.update({"TERM": "xterm", "COLUMNS": "120", "LINES": "40"})
    environment.update(env or {})
    streams: dict[str, tuple[int, int | None]] = {}
    for name, tty in (("out", stdout_tty), ("err", stderr_tty)):
        if tty:
            master, slave = pty.openpty()
            streams[name] = (master, slave)
        else:
            read, write = os.pipe()
            streams[name] = (read, write)
    process = subprocess.Popen(
        spotme_dns_command() + args,
        stdin=subprocess.DEVNULL,
        stdout=streams["out"][1],
        stderr=streams["err"][1],
        env=environment,
        close_fds=True,
    )
    for _, write_end in streams.values():
        os.close(write_end)
    chunks: dict[int, list[bytes]] = {fd: [] for fd, _ in streams.values()}
    open_fds = set(chunks)
    deadline = time.monotonic() + timeout
    while open_fds and time.monotonic() < deadline:
        ready, _, _ = select.select(list(open_fds), [], [], 0.5)
        for fd in ready:
            try:
                data = os.read(fd, 65536)
            except OSError:  # EIO: the pty's other end is closed
                data = b""
            if data:
                chunks[fd].append(data)
            else:
                open_fds.discard(fd)
    code = process.wait(timeout=max(1.0, deadline - time.monotonic()))
    for fd in chunks:
        os.close(fd)
    text = {name: b"".join(chunks[fd]).decode("utf-8", "replace").replace("\r\n", "\n") for name, (fd, _) in streams.items()}
    return code, text["out"], text["err"]


@pytest.fixture(scope="module")
def tty_zone(bind):
    bind.set_zones({"tty.test": ZONE})
    return bind


# --------------------------------------------------------------------------- colour


def test_colour_on_a_terminal(tty_zone):
    """On a terminal, the text report is coloured."""
    code, out, _ = run_in_terminal(["check", "d0.tty.test", "--nameserver", tty_zone.address, "--resolver", tty_zone.address], stdout_tty=True, stderr_tty=False)
    assert code == 1
    assert ANSI.search(out), out


def test_no_color_respected(tty_zone):
    """NO_COLOR=1: no escape codes even on a terminal."""
    code, out, _ = run_in_terminal(
        ["check", "d0.tty.test", "--nameserver", tty_zone.address, "--resolver", tty_zone.address], env={"NO_COLOR": "1"}, stdout_tty=True, stderr_tty=True
    )
    assert code == 1
    assert "d0.tty.test" in out and not ANSI.search(out), out


@pytest.mark.parametrize(("value", "expected"), [("", False), ("1", True), ("0", True), ("yes", True)])
def test_no_color_values(monkeypatch, value, expected):
    """NO_COLOR counts when set to anything but the empty string (no-color.org)."""
    monkeypatch.setenv("NO_COLOR", value)
    assert no_color() is expected


def test_wants_color_needs_a_terminal(monkeypatch, tmp_path):
    """A file is never coloured."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    with open(tmp_path / "f", "w") as handle:
        assert wants_color(handle) is False


# --------------------------------------------------------------------------- progress


def test_progress_bar_only_on_a_terminal(tty_zone):
    """Over many domains, a progress bar on standard error when it is a terminal; none in a pipe."""
    args = ["check", *DOMAINS, "--nameserver", tty_zone.address, "--resolver", tty_zone.address, "--format", "json"]
    code, out, err = run_in_terminal(args, stdout_tty=False, stderr_tty=True)
    assert code == 1
    assert "checking domains" in err and f"{len(DOMAINS)}/{len(DOMAINS)}" in err
    assert out.lstrip().startswith("{"), "the report on standard output stays clean JSON"
    code, out, err = run_in_terminal(args, stdout_tty=False, stderr_tty=False)
    assert code == 1 and "checking domains" not in err and err == ""


def test_quiet_hides_progress(tty_zone):
    """--quiet: no progress bar even on a terminal."""
    _, _, err = run_in_terminal(["--quiet", "check", *DOMAINS, "--nameserver", tty_zone.address, "--resolver", tty_zone.address], stdout_tty=False, stderr_tty=True)
    assert "checking domains" not in err


def test_no_progress_for_few_domains(tty_zone):
    """A short run shows no bar."""
    _, _, err = run_in_terminal(["check", *DOMAINS[:2], "--nameserver", tty_zone.address, "--resolver", tty_zone.address], stdout_tty=False, stderr_tty=True)
    assert "checking domains" not in err


# --------------------------------------------------------------------------- quiet


SPEC = """version: 1
domains:
  - domain: quiet.test
    provider: generic
    ses:
      dkim_tokens: [aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1, aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa2, aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa3]
    mandrill:
      verification: mandrill_verify.Key123456
"""


@pytest.mark.parametrize("where", [["--quiet", "generate"], ["-q", "generate"], ["generate", "-q"]], ids=["group-long", "group-short", "command"])
def test_quiet_generate_prints_nothing(tmp_path, where):
    """--quiet (the group's or generate's own): nothing on standard output, files still written."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC)
    result = CliRunner().invoke(cli, [*where, str(spec), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0
    assert result.output == ""
    assert (tmp_path / "out" / "quiet.test" / "HANDOFF.md").is_file()


def test_quiet_report_to_file_says_nothing(tty_zone, tmp_path):
    """check -o FILE prints its verdict on stderr, and nothing with --quiet."""
    report = tmp_path / "report.json"
    base = ["check", "d0.tty.test", "--nameserver", tty_zone.address, "--resolver", tty_zone.address, "--format", "json", "-o", str(report)]
    loud = CliRunner().invoke(cli, base)
    assert loud.exit_code == 1 and "check: problems found" in loud.stderr
    quiet = CliRunner().invoke(cli, ["--quiet", *base])
    assert quiet.exit_code == 1 and quiet.stderr == "" and quiet.stdout == ""
    assert report.read_text().lstrip().startswith("{")


# --------------------------------------------------------------------------- errors


@pytest.fixture
def broken_core(monkeypatch):
    """A bug inside a command: the audit raises."""

    async def boom(*args, **kwargs):
        raise RuntimeError("boom in the core")

    monkeypatch.setattr(check_module, "audit", boom)


def test_unexpected_error_is_one_line(broken_core):
    """A bug: one line on stderr, exit 70, no traceback."""
    result = CliRunner().invoke(cli, ["check", "x.test", "--nameserver", "127.0.0.1:9"])
    assert result.exit_code == 70
    assert result.stderr.strip() == "error: internal error: RuntimeError: boom in the core (run with --debug for details)"
    assert "Traceback" not in result.output


@pytest.mark.parametrize("how", ["flag", "env"])
def test_debug_shows_the_traceback(broken_core, monkeypatch, how):
    """--debug (or SPOTME_DNS_DEBUG=1): the full traceback, still exit 70."""
    args = ["check", "x.test", "--nameserver", "127.0.0.1:9"]
    if how == "flag":
        args = ["--debug", *args]
    else:
        monkeypatch.setenv("SPOTME_DNS_DEBUG", "1")
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 70
    assert "Traceback (most recent call last)" in result.stderr
    assert "RuntimeError: boom in the core" in result.stderr


def test_bad_input_never_a_traceback():
    """Bad input is exit 2 with a message, even with --debug."""
    result = CliRunner().invoke(cli, ["--debug", "check", "not a domain"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: command line: DOMAIN:")
    assert "Traceback" not in result.output


def test_real_process_error_has_no_traceback(tmp_path):
    """The installed command, a missing spec: one error line on stderr, exit 2."""
    done = subprocess.run(
        spotme_dns_command() + ["generate", str(tmp_path / "missing.yaml"), "-o", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and "Traceback" not in done.stderr


# --------------------------------------------------------------------------- completion


def test_completion_script_from_the_installed_command():
    """`_SPOTME_DNS_COMPLETE=bash_source spotme-dns` prints the bash completion script (click 8)."""
    done = subprocess.run(
        ["spotme-dns"], env={**os.environ, "_SPOTME_DNS_COMPLETE": "bash_source"}, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    assert "_spotme_dns_completion()" in done.stdout and "_SPOTME_DNS_COMPLETE=bash_complete" in done.stdout


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_completion_script_other_shells(shell):
    """zsh and fish scripts too (`<shell>_source`)."""
    result = CliRunner().invoke(cli, [], prog_name="spotme-dns", env={"_SPOTME_DNS_COMPLETE": f"{shell}_source"})
    assert result.exit_code == 0
    assert f"_SPOTME_DNS_COMPLETE={shell}_complete" in result.output


def _complete(words: str, cword: int | None = None) -> list[str]:
    """What bash completion offers for the command line `words` (cursor on word `cword`, default the last)."""
    index = len(words.split()) - 1 if cword is None else cword
    env = {"_SPOTME_DNS_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(index)}
    result = CliRunner().invoke(cli, [], prog_name="spotme-dns", env=env)
    assert result.exit_code == 0
    return result.output.splitlines()


def test_completion_completes_commands_and_options():
    """Bash completion offers the commands, a command's options and an option's choices."""
    assert "plain,check" in _complete("spotme-dns ch")
    assert "plain,--split-roots" in _complete("spotme-dns generate --split")
    assert {"plain,md", "plain,html"} <= set(_complete("spotme-dns generate --handoff-format ", cword=3))


def test_completion_and_manners_documented_in_help():
    """`spotme-dns --help` says how to enable completion and what NO_COLOR, --quiet and --debug do."""
    result = CliRunner().invoke(cli, ["--help"])
    assert 'eval "$(_SPOTME_DNS_COMPLETE=bash_source spotme-dns)"' in result.output
    for word in ("NO_COLOR", "--quiet", "--debug"):
        assert word in result.output


@pytest.mark.parametrize(("command", "label"), [("validate", "validating domains"), ("verify", "verifying domains")])
def test_validate_and_verify_show_progress_on_a_terminal(tty_zone, tmp_path, command, label):
    """validate and verify over many domains: a bar on a terminal's stderr, the report on stdout."""
    spec = tmp_path / "spec.yaml"
    lines = ["version: 1", "defaults:", "  provider: generic", "domains:"]
    for i, domain in enumerate(DOMAINS):
        lines += [
            f"  - domain: {domain}",
            "    zone: tty.test",
            "    ses:",
            f"      dkim_tokens: [{'a' * 30}{i:02d}, {'b' * 30}{i:02d}, {'c' * 30}{i:02d}]",
            "    mandrill:",
            f"      verification: mandrill_verify.Key{i:06d}",
        ]
    spec.write_text("\n".join(lines) + "\n")
    args = [command, "--spec", str(spec), "--nameserver", tty_zone.address, "--resolver", tty_zone.address, "--format", "json"]
    code, out, err = run_in_terminal(args, stdout_tty=False, stderr_tty=True)
    assert code == 1
    assert label in err and f"{len(DOMAINS)}/{len(DOMAINS)}" in err
    assert out.lstrip().startswith("{")
    _, _, err = run_in_terminal(args, stdout_tty=False, stderr_tty=False)
    assert label not in err
