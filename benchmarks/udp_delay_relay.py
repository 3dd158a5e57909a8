"""A DNS delay relay on 127.0.0.1: a local server made to look remote, for benchmarks.

Every UDP datagram and TCP chunk is held `delay` seconds on the way to the upstream server
and again on the way back, so each question costs one extra round trip of 2 x delay, as a
server across the Internet would; a TCP connection also waits one round trip before it
carries data (the handshake). Only 127.0.0.1 is ever used.

UDP goes upstream through ONE socket: the relay gives each question a fresh DNS message ID
and maps the answer back to the client and its original ID (RFC 1035 §4.1.1), so thousands
of questions need no socket each. TCP (for truncated answers) is relayed per connection.

Run as a script, it prints `READY <port>` once listening and relays until SIGTERM/SIGINT:

    python benchmarks/udp_delay_relay.py --upstream 127.0.0.1:5300 --delay 0.025
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import socket
import sys
from dataclasses import dataclass, field

LOCALHOST = "127.0.0.1"
RECEIVE_BUFFER = 4 << 20
"""Bytes of receive buffer asked for each socket (4 MiB)."""


@dataclass
class RelayStats:
    """Counters for the benchmark report."""

    udp_questions: int = 0
    udp_answers: int = 0
    tcp_connections: int = 0
    dropped: int = 0
    """Answers whose ID matched no outstanding question (late duplicates), and short datagrams."""


class _Upstream(asyncio.DatagramProtocol):
    """The one socket towards the real server; answers go back to whoever asked."""

    def __init__(self, relay: UdpDelayRelay) -> None:
        self.relay = relay

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.relay.answer(data)


class _Listener(asyncio.DatagramProtocol):
    """The socket clients send their questions to."""

    def __init__(self, relay: UdpDelayRelay) -> None:
        self.relay = relay

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.relay.question(data, addr)


@dataclass
class UdpDelayRelay:
    """Relays UDP DNS between clients and `upstream`, `delay` seconds each way."""

    upstream: tuple[str, int]
    delay: float
    stats: RelayStats = field(default_factory=RelayStats)
    _pending: dict[int, tuple[tuple[str, int], bytes]] = field(default_factory=dict)
    _next_id: int = 0
    _listener: asyncio.DatagramTransport | None = None
    _upstream: asyncio.DatagramTransport | None = None

    async def start(self, port: int = 0) -> int:
        loop = asyncio.get_running_loop()
        self._listener, _ = await loop.create_datagram_endpoint(lambda: _Listener(self), local_addr=(LOCALHOST, port))
        self._upstream, _ = await loop.create_datagram_endpoint(lambda: _Upstream(self), remote_addr=self.upstream)
        for transport in (self._listener, self._upstream):
            # Hundreds of datagrams arrive at once: a small receive buffer would drop some,
            # and the clients would wait out a timeout to ask again (the kernel caps the size
            # at net.core.rmem_max).
            transport.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
        return self._listener.get_extra_info("sockname")[1]

    def close(self) -> None:
        for transport in (self._listener, self._upstream):
            if transport is not None:
                transport.close()

    def question(self, data: bytes, client: tuple[str, int]) -> None:
        if len(data) < 12 or self._upstream is None:
            self.stats.dropped += 1
            return
        new_id = self._allocate()
        self._pending[new_id] = (client, data[:2])
        self.stats.udp_questions += 1
        rewritten = new_id.to_bytes(2, "big") + data[2:]
        asyncio.get_running_loop().call_later(self.delay, self._upstream.sendto, rewritten)

    def answer(self, data: bytes) -> None:
        if len(data) < 12 or self._listener is None:
            self.stats.dropped += 1
            return
        entry = self._pending.pop(int.from_bytes(data[:2], "big"), None)
        if entry is None:
            self.stats.dropped += 1
            return
        client, original_id = entry
        self.stats.udp_answers += 1
        asyncio.get_running_loop().call_later(self.delay, self._listener.sendto, original_id + data[2:], client)

    def _allocate(self) -> int:
        # IDs in flight are few (bounded by the client's concurrency); skip any still pending.
        for _ in range(65536):
            self._next_id = (self._next_id + 1) & 0xFFFF
            if self._next_id not in self._pending:
                return self._next_id
        raise RuntimeError("65536 questions in flight: no DNS ID left")


class TcpDelayRelay:
    """Relays TCP connections to `upstream`, holding each chunk `delay` seconds."""

    def __init__(self, upstream: tuple[str, int], delay: float, stats: RelayStats) -> None:
        self.upstream = upstream
        self.delay = delay
        self.stats = stats
        self._server: asyncio.base_events.Server | None = None

    async def start(self, port: int) -> None:
        self._server = await asyncio.start_server(self._handle, LOCALHOST, port)

    def close(self) -> None:
        if self._server is not None:
            self._server.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.stats.tcp_connections += 1
        # The kernel completed the handshake at once; a remote server would have cost a round
        # trip (SYN, SYN-ACK) first, so hold the connection that long before relaying anything.
        await asyncio.sleep(2 * self.delay)
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.close()
            return
        await asyncio.gather(self._pump(reader, up_writer), self._pump(up_reader, writer))

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while chunk := await reader.read(65536):
                await asyncio.sleep(self.delay)
                writer.write(chunk)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()


async def start_relays(upstream: tuple[str, int], delay: float) -> tuple[UdpDelayRelay, TcpDelayRelay, int]:
    """UDP and TCP relays on one free port of 127.0.0.1 (DNS clients use the same port for both)."""
    for _ in range(50):
        udp = UdpDelayRelay(upstream, delay)
        port = await udp.start()
        tcp = TcpDelayRelay(upstream, delay, udp.stats)
        try:
            await tcp.start(port)
        except OSError:
            udp.close()  # the TCP port is taken: try another UDP port
            continue
        return udp, tcp, port
    raise OSError("no port on 127.0.0.1 free for both UDP and TCP")


def _parse_address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if host != LOCALHOST:
        raise argparse.ArgumentTypeError(f"upstream must be {LOCALHOST}:PORT (got {text!r})")
    return host, int(port)


async def _serve(upstream: tuple[str, int], delay: float) -> RelayStats:
    udp, tcp, port = await start_relays(upstream, delay)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"READY {port}", flush=True)
    await stop.wait()
    udp.close()
    tcp.close()
    return udp.stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", required=True, type=_parse_address, help="127.0.0.1:PORT of the real server")
    parser.add_argument("--delay", type=float, default=0.025, help="seconds added each way (default 0.025)")
    args = parser.parse_args(argv)
    stats = asyncio.run(_serve(args.upstream, args.delay))
    print(
        f"relayed {stats.udp_questions} UDP questions, {stats.udp_answers} answers, "
        f"{stats.tcp_connections} TCP connections, {stats.dropped} dropped",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
