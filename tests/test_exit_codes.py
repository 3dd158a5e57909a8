"""Exit codes a shell relies on: 130 on Ctrl-C, a quiet end on a closed pipe, 70 only for a bug.

Real processes (the installed `spotme-dns` script and `python -m spotme_dns`), real signals,
a real pseudo-terminal for the interactive `init`.
"""

from __future__ import annotations

import os
import pty
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

SPOTME = str(Path(sys.executable).with_name("spotme-dns"))
TOKENS = ("ujzde8gxd6ncf10epf91dhodzdoc9is0", "j8ht9lgmxg9edn581u33xtplpft75v2s", "eh60kvj50ce9uvw53efr4edt2sywb3wk")


def big_spec(path: Path, count: int = 400) -> Path:
    """A spec of `count` domains: far more output than a pipe holds."""
    lines = ["version: 1", "defaults: {provider: generic}", "domains:"]
    for n in range(count):
        lines += [
            f"  - domain: d{n:04d}.acme-events.com",
            f"    ses: {{dkim_tokens: [{', '.join(TOKENS)}]}}",
            "    mandrill: {verification: AbC123xyz}",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read_until(fd: int, needle: bytes, timeout: float = 30) -> bytes:
    out = b""
    deadline = time.monotonic() + timeout
    while needle not in out and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    return out


@pytest.mark.parametrize("argv", [[SPOTME], [sys.executable, "-m", "spotme_dns"]], ids=["script", "python-m"])
def test_closed_stdout_ends_quietly(argv: list[str], tmp_path: Path) -> None:
    """`spotme-dns records BIG | head -1`: no 'internal error', no traceback, exit 141 (SIGPIPE's;
    0 when the whole output had already fit in the pipe)."""
    spec = big_spec(tmp_path / "big.yaml")
    proc = subprocess.Popen([*argv, "records", str(spec)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=60) in (0, 141)
    assert stderr == "", stderr


def test_ctrl_c_in_init_exits_130(tmp_path: Path) -> None:
    """Ctrl-C at init's first question: exit 130 (not 1, the 'problems found' code), nothing written."""
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.chdir(tmp_path)
            os.execv(SPOTME, [SPOTME, "init"])
        finally:
            os._exit(127)
    seen = read_until(fd, b"Sending domain")
    assert b"Sending domain" in seen, seen
    rest, status = b"", None
    for _ in range(3):  # a ^C typed in the instant the terminal is being set up may be lost: type it again
        os.write(fd, b"\x03")  # the terminal's interrupt character: SIGINT to the process
        rest += read_until(fd, b"\x00", timeout=10)
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
    else:
        os.kill(pid, signal.SIGKILL)  # never hang the suite
        os.waitpid(pid, 0)
        pytest.fail(f"init still running after three ^C: {seen + rest!r}")
    assert os.waitstatus_to_exitcode(status) == 130, seen + rest
    assert b"internal error" not in rest and b"Traceback" not in rest
    assert not (tmp_path / "spotme.yaml").exists()


def test_sigint_while_asking_dns_exits_130(tmp_path: Path) -> None:
    """SIGINT while validate waits on DNS answers: exit 130, one line, no traceback.

    The "server" is a UDP socket here that never answers; the signal is sent once the first
    question has arrived on it, so the process is surely inside its DNS work.
    """
    spec = big_spec(tmp_path / "s.yaml", count=3)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))
        port = silent.getsockname()[1]
        proc = subprocess.Popen(
            [SPOTME, "validate", "--spec", str(spec), "--nameserver", f"127.0.0.1:{port}", "--timeout", "30"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        ready, _, _ = select.select([silent], [], [], 60)
        assert ready, "no DNS question arrived"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (out, err)
    assert "Traceback" not in err and "internal error" not in err
    assert "interrupted" in err


def test_internal_error_is_70_and_one_line(monkeypatch, tmp_path: Path) -> None:
    """A bug (an unexpected exception) is exit 70 with one line naming --debug."""
    from click.testing import CliRunner

    from spotme_dns.cli import cli, records

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(records, "load_spec", broken)
    result = CliRunner().invoke(cli, ["records", str(big_spec(tmp_path / "s.yaml", 1))])
    assert result.exit_code == 70
    assert "internal error: RuntimeError: boom (run with --debug for details)" in result.stderr
