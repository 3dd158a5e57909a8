"""Pytest fixtures: a real BIND 9 (`named`) on 127.0.0.1, serving zones the tests write.

Fixtures (all need the Debian package `bind9`; without it they fail loudly, never skip):

- `bind`, `bind2`: two independent session-scoped `BindServer`s. A test states every zone it
  needs with `bind.set_zones({...})`, which replaces whatever an earlier test left there::

      bind.set_zones({"acme.test": zone_text("acme.test", ['@ TXT "v=spf1 -all"'])})
      LiveDns(nameservers=[bind.server])            # or: --nameserver bind.address

- `silent_server`: a `Server` on 127.0.0.1 whose UDP and TCP ports accept but never answer.
- `servfail`: a `ServfailZone`, a zone that BIND answers with SERVFAIL. How: the zone is
  configured with a zone file that does not exist, so it never loads, and BIND answers
  SERVFAIL for a configured zone it could not load (unlike a `type forward` zone, which with
  `recursion no` is REFUSED). Any test server can do the same: `set_zones(..., failing=[zone])`.

Each server runs `named -g` (foreground, log to stderr) as the current user with its own
working directory, a free port and an rndc control channel with a generated key on another
free port. Zones change with `rndc reconfig`, and `set_zones` returns only once named serves
the new serial of every zone (polled with SOA queries), so tests never sleep.
"""

from __future__ import annotations

import asyncio
import atexit
import base64
import concurrent.futures
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

from spotme_dns.dns_live import LiveAnswer, LiveDns, Outcome, Server

_BIND_MISSING = "BIND 9 (named) not found: apt-get install bind9"
_STARTUP_SECONDS = 10.0
_RELOAD_SECONDS = 10.0
_POLL_INTERVAL = 0.01
_PROBE_TIMEOUT = 0.1
"""Seconds one SOA probe waits: short, since a lost probe only means another poll."""
_KEY_NAME = "spotme-test"
TRANSFER_KEY = ("spotme-update.", "hmac-sha256", base64.b64encode(b"spotme-dns test transfer key 32b").decode())
"""(name, algorithm, base64 secret) of the TSIG key every zone allows AXFR with (RFC 8945),
as the hashicorp/dns provider's DNS_UPDATE_KEYNAME/KEYALGORITHM/KEYSECRET spell them. A
transfer without it is refused."""
_REFUSED = "refused"
"""Expected state of a zone that is no longer configured."""
_FAILING = "servfail"
"""Expected state of a zone configured to fail loading."""

_T = TypeVar("_T")


class BindError(Exception):
    """named could not be started, reconfigured, or given a zone."""


# --------------------------------------------------------------------------- locating BIND


def find_named() -> Path | None:
    """The `named` binary: on PATH, or in /usr/sbin (often not on a normal user's PATH)."""
    return _find_tool("named")


def _find_tool(name: str) -> Path | None:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    return Path(found) if found else None


@dataclass(frozen=True)
class BindTools:
    """The BIND programs the fixtures run."""

    named: Path
    rndc: Path
    checkzone: Path

    @staticmethod
    def find() -> BindTools:
        """Locate named, rndc and named-checkzone, or fail the test loudly."""
        named, rndc, checkzone = find_named(), _find_tool("rndc"), _find_tool("named-checkzone")
        if named is None or rndc is None or checkzone is None:
            missing = [n for n, p in (("named", named), ("rndc", rndc), ("named-checkzone", checkzone)) if p is None]
            pytest.fail(f"{_BIND_MISSING} (missing: {', '.join(missing)})", pytrace=False)
        return BindTools(named, rndc, checkzone)


# --------------------------------------------------------------------------- zone files


def zone_text(zone: str, records: Sequence[str], *, serial: int = 1, ttl: int = 300) -> str:
    """A complete zone file: SOA, NS `ns1.<zone>` (A 127.0.0.1) and then `records`.

    Record lines are zone-file syntax relative to the zone, e.g. `'_dmarc TXT "v=DMARC1; p=none"'`
    or `'sel._domainkey CNAME sel.dkim.example.net.'`. The SOA minimum is 60 s.
    """
    origin = zone.rstrip(".") + "."
    head = [
        f"$ORIGIN {origin}",
        f"$TTL {ttl}",
        f"@ IN SOA ns1.{origin} hostmaster.{origin} ( {serial} 3600 600 86400 60 )",
        f"@ IN NS ns1.{origin}",
        "ns1 IN A 127.0.0.1",
    ]
    return "\n".join([*head, *records]) + "\n"


def _zone_name(zone: str) -> str:
    return zone.strip().rstrip(".").lower()


_LOADED_SERIAL = re.compile(r"loaded serial (\d+)")


# --------------------------------------------------------------------------- ports and helpers


def _udp_and_tcp_sockets() -> tuple[socket.socket, socket.socket, int]:
    """A UDP and a TCP socket bound to one free port on 127.0.0.1 (named serves both)."""
    for _ in range(100):
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            tcp.bind(("127.0.0.1", 0))
            port = tcp.getsockname()[1]
            udp.bind(("127.0.0.1", port))
        except OSError:
            tcp.close()
            udp.close()
            continue
        return udp, tcp, port
    raise BindError("no port on 127.0.0.1 is free for both UDP and TCP")


def _free_port() -> int:
    """A port free for both UDP and TCP right now; named binds it moments later."""
    udp, tcp, port = _udp_and_tcp_sockets()
    udp.close()
    tcp.close()
    return port


def _run_async(make: Callable[[], Coroutine[Any, Any, _T]]) -> _T:
    """Run a coroutine to the end, also when called from inside a running event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


def _die_with_parent() -> None:
    """In the child: get SIGTERM when pytest dies, even by SIGKILL, so no named outlives a run."""
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


# --------------------------------------------------------------------------- the server


class BindServer:
    """One named process, authoritative only (`recursion no`), on 127.0.0.1 at a free port."""

    def __init__(self, workdir: Path, tools: BindTools) -> None:
        self._dir = workdir
        self._tools = tools
        self._process: subprocess.Popen[bytes] | None = None
        self._log = workdir / "named.log"
        self.port = 0
        self._control_port = 0
        self._generation = 0
        self._config: dict[str, Path] = {}
        """Zone name -> zone file named.conf points at (a missing file for a failing zone)."""
        self._serials: dict[str, int] = {}
        """Zone name -> serial named serves (zones that loaded)."""

    # ----------------------------------------------------------------- addresses

    @property
    def server(self) -> Server:
        """Where to send queries, for `LiveDns`."""
        return Server("127.0.0.1", self.port)

    @property
    def address(self) -> str:
        """The `--nameserver` spelling: `127.0.0.1:PORT`."""
        return str(self.server)

    # ----------------------------------------------------------------- life cycle

    def start(self) -> None:
        """Start named and wait until it answers; if it exits (a port taken meanwhile), retry."""
        for _ in range(3):
            self.port, self._control_port = _free_port(), _free_port()
            self._write_rndc_files()
            self._write_config({})
            self._spawn()
            if self._wait_until_up():
                return
            self.stop()
        raise BindError(f"named did not come up after 3 attempts; the last one logged:\n{self.log_tail()}")

    def stop(self) -> None:
        """Stop named (SIGTERM, then SIGKILL) and forget its zones."""
        atexit.unregister(self.stop)
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        self._config, self._serials = {}, {}

    def __enter__(self) -> BindServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def log_tail(self, lines: int = 30) -> str:
        """The end of named's log, for error messages."""
        if not self._log.exists():
            return "(no named log)"
        return "\n".join(self._log.read_text(errors="replace").splitlines()[-lines:])

    def _spawn(self) -> None:
        # -g: foreground, log to stderr. No -u: as root named keeps running as root, which is
        # what we want for files in a pytest tmp dir; as another user it runs as that user.
        command = [str(self._tools.named), "-g", "-n", "1", "-c", str(self._dir / "named.conf")]
        with self._log.open("ab") as log:
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self._dir,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
        atexit.register(self.stop)

    def _wait_until_up(self) -> bool:
        """True once named answers queries (REFUSED: it serves no zone yet) and rndc works."""
        deadline = time.monotonic() + _STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                return False  # typically a port taken since we picked it: named exits then
            if _run_async(lambda: self._probe("probe.invalid")).outcome is Outcome.REFUSED:
                return self._rndc("status").returncode == 0
            time.sleep(_POLL_INTERVAL)
        return False

    # ----------------------------------------------------------------- zones

    def set_zones(self, zones: Mapping[str, str | Sequence[str]], *, failing: Iterable[str] = ()) -> None:
        """Serve exactly these zones (and nothing else) and wait until named serves them.

        `zones` maps a zone name to zone-file text, or to record lines for `zone_text`.
        `failing` names zones configured to fail loading, so named answers them SERVFAIL.
        Raises `BindError` naming the zone when a zone file is invalid.
        """
        texts = {_zone_name(z): (t if isinstance(t, str) else zone_text(z, t)) for z, t in zones.items()}
        broken = {_zone_name(z) for z in failing}
        if broken & texts.keys():
            raise ValueError(f"zones both given and failing: {sorted(broken & texts.keys())}")
        self._generation += 1
        folder = self._dir / "zones" / f"g{self._generation}"
        folder.mkdir(parents=True)
        files = {zone: folder / f"{zone}.db" for zone in texts}
        for zone, text in texts.items():
            files[zone].write_text(text)
        serials = self._check_zones(files)
        files.update({zone: folder / f"{zone}.missing.db" for zone in broken})

        # Polling sees the new data only by its new serial, and named keeps serving the old data
        # of a zone whose reload fails. So a zone served with the same serial, or about to
        # fail, is first taken out, then configured afresh.
        stale = {z for z in files if z in self._serials and (z in broken or self._serials[z] == serials[z])}
        if stale:
            self._reconfigure({z: f for z, f in self._config.items() if z not in stale})
        removed = self._config.keys() - files.keys()
        self._reconfigure(files)
        # A removed zone under a zone still served is answered by that parent (NODATA/NXDOMAIN), not REFUSED.
        orphans = {z for z in removed if not any(z.endswith("." + parent) for parent in files)}
        expected: dict[str, int | str] = {**serials, **{z: _FAILING for z in broken}, **{z: _REFUSED for z in orphans}}
        self._wait_for(expected)
        self._serials = serials

    def _check_zones(self, files: Mapping[str, Path]) -> dict[str, int]:
        """Each zone's serial, from named-checkzone, which also rejects bad zone files early."""
        checks = {
            zone: subprocess.Popen(
                [str(self._tools.checkzone), "-k", "ignore", zone, str(path)],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            for zone, path in files.items()
        }
        serials: dict[str, int] = {}
        problems = []
        for zone, check in checks.items():
            output = check.communicate()[0].decode(errors="replace")
            match = _LOADED_SERIAL.search(output)
            if check.returncode != 0 or match is None:
                problems.append(f"zone {zone} is invalid:\n{output}--- {files[zone]} ---\n{files[zone].read_text()}")
            else:
                serials[zone] = int(match.group(1))
        if problems:
            raise BindError("\n".join(problems))
        return serials

    def _reconfigure(self, files: Mapping[str, Path]) -> None:
        """Point named.conf at these zone files; `rndc reconfig` returns once named re-read it."""
        self._write_config(files)
        result = self._rndc("reconfig")
        if result.returncode != 0:
            raise BindError(f"rndc reconfig failed: {result.stderr.strip()}\n{self.log_tail()}")
        self._config = dict(files)

    def _wait_for(self, expected: Mapping[str, int | str]) -> None:
        """Poll SOA until each zone is served with its serial, SERVFAILs, or is gone (REFUSED)."""
        deadline = time.monotonic() + _RELOAD_SECONDS
        while True:
            answers = _run_async(lambda: self._probe_all(list(expected)))
            states = {zone: _state(answer) for zone, answer in zip(expected, answers, strict=True)}
            if all(states[zone] == want for zone, want in expected.items()):
                return
            if time.monotonic() > deadline or self._process is None or self._process.poll() is not None:
                waiting = {z: f"want {w}, got {states[z]}" for z, w in expected.items() if states[z] != w}
                raise BindError(f"named did not serve the new zones: {waiting}\n{self.log_tail()}")
            time.sleep(_POLL_INTERVAL)

    async def _probe(self, zone: str) -> LiveAnswer:
        # A fresh LiveDns per poll: its memo would otherwise return the first answer forever.
        return await LiveDns(timeout=_PROBE_TIMEOUT, retries=0).query(self.server, zone, "SOA")

    async def _probe_all(self, zones: list[str]) -> list[LiveAnswer]:
        live = LiveDns(timeout=_PROBE_TIMEOUT, retries=0)
        return list(await asyncio.gather(*(live.query(self.server, zone, "SOA") for zone in zones)))

    # ----------------------------------------------------------------- files and rndc

    def _write_rndc_files(self) -> None:
        secret = base64.b64encode(os.urandom(32)).decode()
        key = self._dir / "rndc.key"
        key.write_text(f'key "{_KEY_NAME}" {{ algorithm hmac-sha256; secret "{secret}"; }};\n')
        (self._dir / "rndc.conf").write_text(
            f'include "{key}";\n'
            f'options {{ default-key "{_KEY_NAME}"; default-server 127.0.0.1; default-port {self._control_port}; }};\n'
        )

    def _write_config(self, files: Mapping[str, Path]) -> None:
        zones = "".join(f'zone "{zone}" {{ type primary; file "{path}"; }};\n' for zone, path in sorted(files.items()))
        (self._dir / "named.conf").write_text(
            f'include "{self._dir / "rndc.key"}";\n'
            f'key "{TRANSFER_KEY[0]}" {{ algorithm {TRANSFER_KEY[1]}; secret "{TRANSFER_KEY[2]}"; }};\n'
            f'controls {{ inet 127.0.0.1 port {self._control_port} allow {{ 127.0.0.1; }} keys {{ "{_KEY_NAME}"; }}; }};\n'
            "options {\n"
            f'    directory "{self._dir}";\n'
            "    pid-file none;\n"
            f'    session-keyfile "{self._dir / "session.key"}";\n'
            f'    managed-keys-directory "{self._dir}";\n'
            f"    listen-on port {self.port} {{ 127.0.0.1; }};\n"
            "    listen-on-v6 { none; };\n"
            "    recursion no;             // authoritative only, like the servers we verify\n"
            "    notify no;                // ns1.<zone> is 127.0.0.1:53, not us\n"
            "    dnssec-validation no;\n"
            "    check-names primary ignore;\n"
            f'    allow-transfer {{ key "{TRANSFER_KEY[0]}"; }};  // AXFR only with the TSIG key\n'
            "};\n"
            f"{zones}"
        )

    def _rndc(self, command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self._tools.rndc), "-c", str(self._dir / "rndc.conf"), command],
            capture_output=True,
            text=True,
            timeout=30,
        )


def _state(answer: LiveAnswer) -> int | str:
    """A zone's state as polling sees it: its SOA serial, or the outcome's name."""
    if answer.outcome is Outcome.ANSWER and answer.values:
        return int(answer.values[0].split()[2])  # SOA: mname rname SERIAL refresh ...
    return answer.outcome.value


# --------------------------------------------------------------------------- fixtures


@dataclass(frozen=True)
class ServfailZone:
    """A zone whose server answers every question with SERVFAIL."""

    zone: str
    server: Server
    address: str
    """The `--nameserver` spelling: `127.0.0.1:PORT`."""


@contextlib.contextmanager
def _running(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[BindServer]:
    tools = BindTools.find()
    with BindServer(tmp_path_factory.mktemp(name), tools) as server:
        yield server


@pytest.fixture(scope="session")
def bind(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BindServer]:
    """A real BIND 9 on 127.0.0.1 for the whole session; each test calls `set_zones` first."""
    with _running(tmp_path_factory, "bind") as server:
        yield server


@pytest.fixture(scope="session")
def bind2(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BindServer]:
    """A second, independent BIND 9: for servers of one zone that disagree."""
    with _running(tmp_path_factory, "bind2") as server:
        yield server


@pytest.fixture(scope="session")
def servfail(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServfailZone]:
    """`servfail.test` on its own BIND 9, which answers SERVFAIL (the zone file never loads)."""
    with _running(tmp_path_factory, "bind-servfail") as server:
        server.set_zones({}, failing=["servfail.test"])
        yield ServfailZone("servfail.test", server.server, server.address)


@pytest.fixture
def silent_server() -> Iterator[Server]:
    """A server on 127.0.0.1 that takes UDP datagrams and TCP connections but never answers."""
    udp, tcp, port = _udp_and_tcp_sockets()
    tcp.listen(64)  # the kernel completes handshakes; nobody ever reads or writes
    try:
        yield Server("127.0.0.1", port)
    finally:
        udp.close()
        tcp.close()
