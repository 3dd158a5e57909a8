"""The live-DNS edge: what authoritative servers (or a recursive resolver) publish right now.

This is the only module that imports dnspython. Everything it returns is a frozen `LiveAnswer`
whose `outcome` keeps apart the cases that mean different things to a user: a definite
answer (data, NXDOMAIN, NODATA) versus a server that failed (SERVFAIL, REFUSED, TIMEOUT, ERROR).
DNS outcomes are never raised; only a zone with no findable servers raises `DnsLookupError`.

Two kinds of server answer: a zone's own servers (found by NS lookup, or `--nameserver`),
asked directly about the zone's own records, and a resolver (the system's from
/etc/resolv.conf, or `--resolver`) for everything else: SPF include targets, DKIM key
targets, `_report._dmarc` authorisations, the MX and A lookups of an SPF evaluation. With
`--nameserver`, `resolve` asks those servers only about names inside the run's zones (given
as `zones`, or asked about through `authoritative_servers`); a name outside them goes to the
resolver, so an authoritative-only server (a hidden primary, a CI BIND) is never asked about
a name it would answer REFUSED.

Direct queries go out with recursion desired OFF (we want what the server itself publishes,
not what it might fetch) and with EDNS0 offering a 1,232-octet UDP payload (RFC 6891; the
DNS Flag Day 2020 value, which fits an IPv6 minimum MTU without fragments), so a 2048-bit
DKIM key fits in one datagram. A larger answer comes back truncated and is asked again over
TCP (RFC 7766 §5); a server that rejects EDNS is asked again without it (RFC 6891 §7). Every
question is sent at most once per `LiveDns` instance: concurrent callers share the
in-flight task.

A `LiveDns` instance belongs to one event loop: create one per `asyncio.run`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import ipaddress
import re
import secrets
import socket
import struct
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TypeVar

import dns.asyncquery
import dns.asyncresolver
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.nameserver
import dns.query
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.resolver
import dns.tsig
import dns.zone

from . import dmarc

MAX_CNAME_HOPS = 8
"""How many CNAMEs `resolve` follows before giving up (a loop or a misconfiguration)."""

DEFAULT_CONCURRENCY = 256
"""Questions in flight at once by default: enough to hide a remote server's round trips
(1,000 domains through 25 ms each way: docs/benchmarks.md), and a socket each, well under
the usual limit of 1,024 open files."""

EDNS_PAYLOAD = 1232
"""The UDP payload size offered with EDNS0 by default (DNS Flag Day 2020, RFC 6891 §6.2.5)."""

_DEFAULT_PORT = 53


# --------------------------------------------------------------------------- servers


@dataclass(frozen=True)
class Server:
    """A DNS server to ask directly."""

    host: str
    """An IP address (IPv4 or IPv6, without brackets)."""
    port: int = _DEFAULT_PORT
    """UDP and TCP port."""

    def __str__(self) -> str:
        if self.port == _DEFAULT_PORT:
            return self.host
        if ":" in self.host:
            return f"[{self.host}]:{self.port}"
        return f"{self.host}:{self.port}"


# Letters, digits, hyphens (and underscores, seen in real host names); no empty labels.
_HOSTNAME = re.compile(r"(?!-)[a-z0-9_-]{1,63}(?<!-)(\.(?!-)[a-z0-9_-]{1,63}(?<!-))*\.?", re.IGNORECASE)
_PORT = re.compile(r"[0-9]{1,5}")


def parse_server(text: str) -> Server:
    """Parse `HOST`, `HOST:PORT`, `V6`, `[V6]` or `[V6]:PORT` (as given to `--nameserver` and
    `--resolver`; the message of a bad one says what is wrong, the caller says which option).

    A host name is resolved to an address now, with the system's `getaddrinfo`, so every
    later query goes to one fixed address. Raises `ValueError` saying what is wrong.
    """
    raw = text.strip()
    if not raw:
        raise ValueError("empty: expected HOST, HOST:PORT or [IPV6]:PORT")
    host, port_text, bracketed = _split_host_port(raw)
    port = _DEFAULT_PORT if port_text is None else _parse_port(port_text)
    return Server(_address_of(host, port, must_be_v6=bracketed), port)


def _split_host_port(raw: str) -> tuple[str, str | None, bool]:
    """Split into (host, port text or None, whether the host was in brackets)."""
    if raw.startswith("["):
        close = raw.find("]")
        if close == -1:
            raise ValueError("missing ']' after the IPv6 address")
        host, rest = raw[1:close], raw[close + 1 :]
        if not rest:
            return host, None, True
        if not rest.startswith(":"):
            raise ValueError(f"expected ':PORT' after ']', got {rest!r}")
        return host, rest[1:], True
    if raw.count(":") > 1:
        # A bare IPv6 address: it cannot carry a port (write [V6]:PORT for that).
        return raw, None, False
    host, colon, port_text = raw.partition(":")
    return host, (port_text if colon else None), False


def _parse_port(port_text: str) -> int:
    if not _PORT.fullmatch(port_text) or not 1 <= int(port_text) <= 65535:
        raise ValueError(f"port must be a number from 1 to 65535, got {port_text!r}")
    return int(port_text)


def _address_of(host: str, port: int, *, must_be_v6: bool) -> str:
    """The address text of `host`: an IP literal as is (canonical form), a name resolved."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None:
        if must_be_v6 and address.version != 6:
            raise ValueError("only IPv6 addresses go in brackets")
        return str(address)
    if must_be_v6:
        raise ValueError(f"{host!r} is not an IPv6 address")
    if not host or not _HOSTNAME.fullmatch(host):
        raise ValueError(f"{host!r} is neither an IP address nor a host name")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM, proto=socket.IPPROTO_UDP)
    except socket.gaierror as err:
        raise ValueError(f"cannot resolve host {host!r} ({err.strerror})") from err
    if not infos:
        raise ValueError(f"host {host!r} has no address")
    # getaddrinfo already orders by RFC 6724 preference; take the system's first choice.
    return str(ipaddress.ip_address(infos[0][4][0]))


# --------------------------------------------------------------------------- answers


class Outcome(str, Enum):
    """What a server said, or why it said nothing."""

    ANSWER = "answer"
    """Data of the asked type."""
    NXDOMAIN = "nxdomain"
    """The name does not exist."""
    NODATA = "nodata"
    """The name exists but has no data of the asked type (possibly it is a CNAME)."""
    SERVFAIL = "servfail"
    REFUSED = "refused"
    """Typically: the server is not authoritative for the zone."""
    TIMEOUT = "timeout"
    ERROR = "error"
    """Anything else: another rcode, a referral, a network or protocol error."""

    def __str__(self) -> str:
        return self.value


_DEFINITE = frozenset({Outcome.ANSWER, Outcome.NODATA, Outcome.NXDOMAIN})


@dataclass(frozen=True)
class LiveAnswer:
    """One question and what one server (or the resolver) answered."""

    server: Server | None
    """Who answered; None for the system (recursive) resolver."""
    name: str
    """The name asked, lower-case, without the trailing dot."""
    rdtype: str
    """The type asked: "TXT", "CNAME", ..."""
    outcome: Outcome
    values: tuple[str, ...]
    """Sorted. TXT: an RR's strings joined, unquoted; names lower-case without the dot; MX "10 host"."""
    ttl: int | None
    """TTL of the answer; for NXDOMAIN/NODATA the negative-caching TTL (RFC 2308 §5) if known."""
    detail: str = ""
    """Human text: why it failed, or the CNAME chain that was followed."""
    chain: tuple[str, ...] = ()
    """The CNAME targets followed from `name`, in order (empty when `name` is not a CNAME)."""
    wildcard: str = ""
    """Set by `LiveDns.query_own` when the server's answer was synthesised from a wildcard
    (RFC 4592): what the wildcard gives; the answer then reads NXDOMAIN (no record of its own)."""

    @property
    def ok(self) -> bool:
        """The server gave a definite answer (data, NODATA or NXDOMAIN)."""
        return self.outcome in _DEFINITE


class DnsLookupError(Exception):
    """The authoritative servers of a zone could not be found."""

    def __init__(self, zone: str, reason: str) -> None:
        self.zone = zone
        self.reason = reason
        super().__init__(f"cannot find the authoritative name servers of zone {zone}: {reason}")


@dataclass(frozen=True)
class _Reply:
    """A classified response, before it is named: shared by `query` and `resolve`."""

    server: Server | None
    outcome: Outcome
    values: tuple[str, ...] = ()
    ttl: int | None = None
    chain: tuple[str, ...] = ()
    note: str = ""
    """What to tell the user besides the chain."""

    @property
    def ok(self) -> bool:
        return self.outcome in _DEFINITE

    def answer(self, name: str, rdtype: str, *, chain: tuple[str, ...] | None = None) -> LiveAnswer:
        chain = self.chain if chain is None else chain
        detail = "; ".join(part for part in (_describe_chain(chain), self.note) if part)
        return LiveAnswer(self.server, name, rdtype, self.outcome, self.values, self.ttl, detail, chain)


def _describe_chain(chain: tuple[str, ...]) -> str:
    return "CNAME to " + " -> ".join(chain) if chain else ""


def _positive(answer: LiveAnswer) -> bool:
    """Data, or a CNAME on the way to it: what a wildcard can synthesise."""
    return (answer.outcome is Outcome.ANSWER and bool(answer.values)) or bool(answer.chain)


def _shape(answer: LiveAnswer) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    return (answer.outcome.value, answer.values, answer.chain)


# --------------------------------------------------------------------------- classification


@functools.lru_cache(maxsize=1 << 16)
def _name_text(name: dns.name.Name) -> str:
    return name.to_text(omit_final_dot=True).lower()


def _rdata_text(rdata: dns.rdata.Rdata) -> str:
    """One value as the rest of spotme-dns spells it (see `LiveAnswer.values`)."""
    rdtype = rdata.rdtype
    if rdtype in (dns.rdatatype.TXT, dns.rdatatype.SPF):
        # RFC 7208 §3.3: the character-strings of one RR are concatenated with no separator.
        return b"".join(rdata.strings).decode("utf-8", errors="backslashreplace")
    if rdtype in (dns.rdatatype.CNAME, dns.rdatatype.NS, dns.rdatatype.PTR, dns.rdatatype.DNAME):
        return _name_text(rdata.target)
    if rdtype == dns.rdatatype.MX:
        return f"{rdata.preference} {_name_text(rdata.exchange)}"
    if rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
        return rdata.address
    return rdata.to_text()


# --------------------------------------------------------------------------- zone transfer

#: TSIG algorithm names as the hashicorp/dns provider spells them -> dnspython's (RFC 8945 §6).
_TSIG_ALGORITHMS = {
    "hmac-md5": dns.tsig.HMAC_MD5,
    "hmac-sha1": dns.tsig.HMAC_SHA1,
    "hmac-sha256": dns.tsig.HMAC_SHA256,
    "hmac-sha512": dns.tsig.HMAC_SHA512,
}


@dataclass(frozen=True)
class TransferredRecord:
    """One RRset of a transferred zone, in the spelling of `LiveAnswer.values`."""

    name: str
    type: str
    values: tuple[str, ...]
    ttl: int


def zone_transfer(
    server: Server, zone: str, *, key: tuple[str, str, str] | None = None, timeout: float = 10.0
) -> tuple[tuple[TransferredRecord, ...], str]:
    """The whole zone by AXFR (RFC 5936), signed with the TSIG `key` (name, algorithm, base64 secret).

    Returns (records, "") or ((), why it failed): a refusal, a bad key, a timeout. Blocking
    (run it in a thread). Never raises for DNS or network failures.
    """
    keyring = None
    if key is not None:
        name, algorithm, secret = key
        if algorithm.lower() not in _TSIG_ALGORITHMS:
            return (), f"TSIG algorithm {algorithm!r} is not one of {', '.join(_TSIG_ALGORITHMS)}"
        try:
            keyring = dns.tsig.Key(name, secret, _TSIG_ALGORITHMS[algorithm.lower()])
        except (ValueError, dns.exception.DNSException) as err:  # bad base64, bad name
            return (), f"the TSIG key {name!r} is unusable: {_describe_error(err)}"
    try:
        transferred = dns.zone.from_xfr(
            dns.query.xfr(server.host, zone.rstrip(".") + ".", port=server.port, keyring=keyring, timeout=timeout, lifetime=timeout * 3, relativize=False),
            relativize=False,
        )
    except (dns.exception.DNSException, OSError, EOFError) as err:
        return (), f"AXFR of {zone} from {server}{' with TSIG key ' + key[0] if key else ''} failed: {_describe_error(err)}"
    out = []
    for owner, rdataset in transferred.iterate_rdatasets():
        out.append(
            TransferredRecord(
                _name_text(owner),
                dns.rdatatype.to_text(rdataset.rdtype),
                tuple(sorted(_rdata_text(r) for r in rdataset)),
                rdataset.ttl,
            )
        )
    return tuple(out), ""


def _cname_chain(response: dns.message.Message, qname: dns.name.Name) -> tuple[dns.name.Name, ...]:
    """The CNAMEs in the answer section, followed from `qname` (servers include in-zone chains)."""
    chain: list[dns.name.Name] = []
    current = qname
    while len(chain) <= MAX_CNAME_HOPS:
        rrset = response.get_rrset(response.answer, current, dns.rdataclass.IN, dns.rdatatype.CNAME)
        if rrset is None or current in chain:
            break
        current = rrset[0].target
        chain.append(current)
    return tuple(chain)


def _negative_ttl(response: dns.message.Message) -> int | None:
    """RFC 2308 §5: a negative answer is cached for min(SOA TTL, SOA MINIMUM)."""
    for rrset in response.authority:
        if rrset.rdtype == dns.rdatatype.SOA:
            return min(rrset.ttl, rrset[0].minimum)
    return None


def _referral(response: dns.message.Message) -> str | None:
    """The delegated zone, when the response is a referral rather than an authoritative answer."""
    if response.flags & dns.flags.AA or response.answer:
        return None
    has_soa = any(r.rdtype == dns.rdatatype.SOA for r in response.authority)
    ns = [r for r in response.authority if r.rdtype == dns.rdatatype.NS]
    if has_soa or not ns:
        return None
    return _name_text(ns[0].name)


def _classify(server: Server | None, qname: dns.name.Name, rdtype: int, response: dns.message.Message) -> _Reply:
    """Turn a response into one outcome (RFC 2308 for the negative cases)."""
    rcode = response.rcode()
    if rcode == dns.rcode.SERVFAIL:
        return _Reply(server, Outcome.SERVFAIL, note="rcode SERVFAIL")
    if rcode == dns.rcode.REFUSED:
        return _Reply(server, Outcome.REFUSED, note="rcode REFUSED")
    if rcode not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
        return _Reply(server, Outcome.ERROR, note=f"rcode {dns.rcode.to_text(rcode)}")

    # A CNAME query is answered by the CNAME itself; any other type is looked up at the end
    # of the chain (RFC 1034 §3.6.2).
    chain = () if rdtype == dns.rdatatype.CNAME else _cname_chain(response, qname)
    chain_text = tuple(_name_text(n) for n in chain)
    final = chain[-1] if chain else qname
    rrset = response.get_rrset(response.answer, final, dns.rdataclass.IN, rdtype)
    if rrset is not None:
        values = tuple(sorted(_rdata_text(rdata) for rdata in rrset))
        return _Reply(server, Outcome.ANSWER, values, rrset.ttl, chain_text)
    if chain:
        # RFC 6604: the rcode describes the last name of the chain. The asked name exists
        # (it is a CNAME), so for that name this is NODATA; `resolve` follows the target.
        note = f"{chain_text[-1]} does not exist" if rcode == dns.rcode.NXDOMAIN else ""
        return _Reply(server, Outcome.NODATA, (), _negative_ttl(response), chain_text, note)
    if rcode == dns.rcode.NXDOMAIN:
        return _Reply(server, Outcome.NXDOMAIN, ttl=_negative_ttl(response))
    delegated = _referral(response)
    if delegated is not None:
        return _Reply(server, Outcome.ERROR, note=f"not authoritative: referral to zone {delegated}")
    return _Reply(server, Outcome.NODATA, ttl=_negative_ttl(response))


def _describe_error(err: BaseException) -> str:
    text = str(err) or type(err).__name__
    return text if isinstance(err, dns.exception.DNSException) else f"{type(err).__name__}: {text}"


def _normalise(name: str) -> str:
    return name.strip().rstrip(".").lower()


@functools.lru_cache(maxsize=1 << 16)  # a run asks about each name many times (every server, the memo)
def _check_question(name: str, rdtype: str) -> tuple[dns.name.Name, int, str]:
    """Validate a question: a bad name or type is a caller's bug, so it raises ValueError."""
    try:
        qname = dns.name.from_text(_normalise(name) or ".")
    except dns.exception.DNSException as err:
        raise ValueError(f"invalid DNS name {name!r}: {err}") from err
    try:
        qtype = dns.rdatatype.from_text(rdtype.strip().upper())
    except dns.exception.DNSException as err:
        raise ValueError(f"unknown record type {rdtype!r}") from err
    return qname, qtype, dns.rdatatype.to_text(qtype)


# --------------------------------------------------------------------------- the client


_Key = tuple["Server | None", str, str]
_K = TypeVar("_K")
_T = TypeVar("_T")


class LiveDns:
    """Asks DNS questions for one run: memoised, bounded in concurrency, never raising for DNS."""

    def __init__(
        self,
        *,
        nameservers: Sequence[Server] = (),
        timeout: float = 2.0,
        retries: int = 2,
        concurrency: int = DEFAULT_CONCURRENCY,
        resolvers: Sequence[Server] = (),
        edns_payload: int | None = EDNS_PAYLOAD,
        zones: Sequence[str] = (),
        fast_path: bool = True,
    ) -> None:
        """`nameservers` replace discovery of every zone's authoritative servers and are what
        `resolve` asks about names inside the run's zones: `zones`, and every zone given to
        `authoritative_servers`. `timeout` is per try (seconds); a try that times out is
        repeated up to `retries` times. `concurrency` bounds the questions in flight (each
        waits on the network, not the CPU, so many are cheap). `resolvers` replace the
        system's recursive resolvers (/etc/resolv.conf) for discovery and for `resolve` of
        every other name (a stub resolver: an authoritative server without recursion
        answers for its own zones). `edns_payload` is the UDP payload offered with EDNS0
        (512 to 65535), or None to send no EDNS (then any answer over 512 octets is read
        over TCP). `fast_path` False reads every direct answer with dnspython's message
        objects (the path before issue 13, kept to compare the two: tests/test_fast_path.py).
        """
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, got {timeout}")
        if retries < 0:
            raise ValueError(f"retries must be 0 or more, got {retries}")
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {concurrency}")
        if edns_payload is not None and not 512 <= edns_payload <= 65535:
            raise ValueError(f"edns_payload must be from 512 to 65535 or None, got {edns_payload}")
        self._nameservers = tuple(nameservers)
        self._resolvers = tuple(resolvers)
        self._own_zones: set[str] = {_normalise(zone) for zone in zones}
        self._timeout = float(timeout)
        self._tries = retries + 1
        self._payload = edns_payload
        self._fast_path = fast_path
        self._limit = asyncio.Semaphore(concurrency)
        self._replies: dict[_Key, asyncio.Future[_Reply]] = {}
        self._resolved: dict[tuple[str, str], asyncio.Future[LiveAnswer]] = {}
        self._zone_servers: dict[str, asyncio.Future[tuple[Server, ...]]] = {}
        self._system: dns.asyncresolver.Resolver | None = None
        self._sent = 0
        # One random label per run: a name no zone holds, to see what wildcards synthesise.
        self._probe_label = f"spotme-probe-{secrets.token_hex(6)}"

    @property
    def stats(self) -> int:
        """Network queries sent so far: each UDP or TCP try, each system-resolver lookup."""
        return self._sent

    # ----------------------------------------------------------------- public questions

    async def authoritative_servers(self, zone: str) -> tuple[Server, ...]:
        """The servers to ask about `zone`: the configured nameservers, or those found by NS lookup.

        Discovery asks the system resolver for the zone's NS, then each NS host's A records
        (AAAA only for a host without A: many CI runners have no IPv6 route). Cached per run.
        Raises `DnsLookupError` when no server can be found.
        """
        key = _normalise(zone)
        if self._nameservers:
            self._own_zones.add(key)
            return self._nameservers
        return await _shared(self._zone_servers, key, lambda: self._discover(key))

    async def query(self, server: Server, name: str, rdtype: str) -> LiveAnswer:
        """Ask `server` directly (recursion off) about `name`/`rdtype`; at most once per run."""
        qname, qtype, type_text = _check_question(name, rdtype)
        reply = await self._direct_reply(server, qname, qtype, type_text)
        return reply.answer(_normalise(name), type_text)

    async def query_all(self, zone: str, name: str, rdtype: str) -> tuple[LiveAnswer, ...]:
        """The same question to every authoritative server of `zone`, in server order.

        Raises `DnsLookupError` (from `authoritative_servers`) when the zone has no servers.
        """
        servers = await self.authoritative_servers(zone)
        return tuple(await asyncio.gather(*(self.query(server, name, rdtype) for server in servers)))

    async def resolve(self, name: str, rdtype: str) -> LiveAnswer:
        """Where the data really is: follows CNAMEs (up to `MAX_CNAME_HOPS`), e.g. a DKIM selector.

        Each step asks, for a name inside the run's zones, the configured nameservers in order
        (the first definite answer wins); for any other name, or without nameservers, the
        resolver (`resolvers`, else the system's). The outcome is the one at the end of the chain;
        `name` stays the name asked and `chain` lists the CNAME targets followed; a CNAME loop
        or a chain over `MAX_CNAME_HOPS` ends as ERROR.
        """
        _, _, type_text = _check_question(name, rdtype)
        key = (_normalise(name), type_text)
        return await _shared(self._resolved, key, lambda: self._follow(*key))

    async def query_own(self, zone: str, name: str, rdtype: str) -> tuple[LiveAnswer, ...]:
        """`query_all`, with answers a wildcard synthesised told apart from the name's own records.

        RFC 4592: a server answers a name that does not exist from a `*` record of its
        closest encloser, so `_dmarc.example.com` may "have" a CNAME or TXT that is not a
        record at all (nothing to import, nothing in the way of a new record). To tell, a
        label no zone holds is asked under the same parent with the same type: when a
        server gives it the same positive answer (the same values, the same CNAME chain),
        the name's answer is synthesised, and reads NXDOMAIN with `wildcard` saying what the
        wildcard gives. A real record equal to the wildcard's data is told apart by a second
        probe, a label under the name itself: a wildcard answers it too only when the name has
        no node of its own (its closest encloser is then above it), and a name that exists
        makes it NXDOMAIN (RFC 4592 §2.2.2, §3.3.1).
        """
        answers = await self.query_all(zone, name, rdtype)
        name = _normalise(name)
        if name == _normalise(zone) or "." not in name or not any(_positive(a) for a in answers):
            return answers
        parent = name.split(".", 1)[1]
        probe = f"{self._probe_label}.{parent}"
        if len(probe) > 253:
            return answers  # no longer a valid name (RFC 1035 §2.3.4): nothing to compare with
        probes = await self.query_all(zone, probe, rdtype)
        alike = [_positive(a) and _positive(p) and _shape(a) == _shape(p) for a, p in zip(answers, probes, strict=True)]
        child = f"{self._probe_label}.{name}"
        if not any(alike):
            return answers
        if len(child) <= 253:
            children = await self.query_all(zone, child, rdtype)
            alike = [same and _positive(c) and _shape(a) == _shape(c) for same, a, c in zip(alike, answers, children, strict=True)]
        # The wildcard's owner is `*.<closest encloser>`: the parent when that is the zone's apex
        # (or holds records), else some name above it.
        owner = f"*.{parent}" if parent == _normalise(zone) else f"*.{parent} (or a wildcard above it)"
        out = []
        for answer, synthesised in zip(answers, alike, strict=True):
            if synthesised:
                what = _describe_chain(answer.chain) or f"{answer.rdtype} {', '.join(repr(v) for v in answer.values)}"
                answer = dataclasses.replace(
                    answer, outcome=Outcome.NXDOMAIN, values=(), chain=(), wildcard=f"{owner} {what}",
                    detail=f"only the wildcard {owner} answers here ({what}): no record of its own (RFC 4592)",
                )
            out.append(answer)
        return tuple(out)

    async def dmarc_tree_walk(self, domain: str) -> dmarc.TreeWalk:
        """The Organizational Domain's DMARC policy above `domain`, by the RFC 9989 §4.10 DNS Tree Walk.

        Asks `_dmarc.<name>` TXT (following CNAMEs, as receivers do) for every name of
        `dmarc.tree_walk_names`, concurrently; `dmarc.inherited_policy` reads the answers.
        """
        names = dmarc.tree_walk_names(domain)
        answers = await asyncio.gather(*(self.resolve(f"_dmarc.{n}", "TXT") for n in names))
        found = [
            (n, a.values if a.outcome is Outcome.ANSWER else (() if a.ok else None))
            for n, a in zip(names, answers, strict=True)
        ]
        return dmarc.inherited_policy(domain, found)

    async def zone_soa(self, name: str) -> LiveAnswer:
        """The SOA at `name`, to find a zone's apex: asked of the nameservers when configured
        (the zone being looked for is one of theirs, whatever its name), else of the resolver.
        A name found to be an apex (an SOA answer) joins the run's zones."""
        qname, qtype, type_text = _check_question(name, "SOA")
        if self._nameservers:
            reply = await self._nameserver_reply(qname, qtype, type_text)
        else:
            reply = await self._ask(name, "SOA")
        answer = reply.answer(_normalise(name), type_text)
        if answer.outcome is Outcome.ANSWER and not answer.chain:
            self._own_zones.add(answer.name)
        return answer

    def in_own_zone(self, name: str) -> bool:
        """`name` is at or under one of the run's zones (those the nameservers are asked about)."""
        labels = _normalise(name).split(".")
        return any(".".join(labels[i:]) in self._own_zones for i in range(len(labels)))

    # ----------------------------------------------------------------- resolving

    async def _follow(self, name: str, rdtype: str) -> LiveAnswer:
        chain: list[str] = []
        current = name
        while True:
            reply = await self._ask(current, rdtype)
            for target in reply.chain:
                if target in chain or target == name:
                    return _Reply(reply.server, Outcome.ERROR, note="CNAME loop").answer(
                        name, rdtype, chain=tuple(chain)
                    )
                chain.append(target)
            if len(chain) > MAX_CNAME_HOPS:
                note = f"more than {MAX_CNAME_HOPS} CNAMEs"
                return _Reply(reply.server, Outcome.ERROR, note=note).answer(name, rdtype, chain=tuple(chain))
            # A server stops at a CNAME whose target it does not serve: ask about the target.
            if reply.outcome is not Outcome.NODATA or not reply.chain or rdtype == "CNAME":
                return reply.answer(name, rdtype, chain=tuple(chain))
            current = reply.chain[-1]

    async def _ask(self, name: str, rdtype: str) -> _Reply:
        """One step of `resolve`: the nameservers' first definite answer for a name in the
        run's zones, else the resolver."""
        qname, qtype, type_text = _check_question(name, rdtype)
        if not self._nameservers or not self.in_own_zone(name):
            key = (None, _name_text(qname), type_text)
            return await _shared(self._replies, key, lambda: self._system_reply(qname, qtype))
        return await self._nameserver_reply(qname, qtype, type_text)

    async def _nameserver_reply(self, qname: dns.name.Name, qtype: int, type_text: str) -> _Reply:
        """The configured nameservers in order: the first definite answer, or why none gave one."""
        replies = []
        for server in self._nameservers:
            reply = await self._direct_reply(server, qname, qtype, type_text)
            if reply.ok:
                return reply
            replies.append(reply)
        if len(replies) == 1:
            return replies[0]
        tried = "; ".join(f"{r.server}: {r.note or r.outcome.value}" for r in replies)
        first = replies[0]
        return _Reply(first.server, first.outcome, note=f"no definite answer from any nameserver ({tried})")

    async def _discover(self, zone: str) -> tuple[Server, ...]:
        ns = await self._ask(zone, "NS")
        if ns.outcome is not Outcome.ANSWER:
            why = f"; {ns.note}" if ns.note else ""
            raise DnsLookupError(zone, f"NS lookup gave {ns.outcome.value}{why}")
        per_host = await asyncio.gather(*(self._host_servers(host) for host in ns.values))
        servers = tuple(dict.fromkeys(server for servers in per_host for server in servers))
        if not servers:
            raise DnsLookupError(zone, f"its name servers ({', '.join(ns.values)}) have no A or AAAA address")
        return servers

    async def _host_servers(self, host: str) -> tuple[Server, ...]:
        for rdtype in ("A", "AAAA"):
            reply = await self._ask(host, rdtype)
            if reply.values:
                return tuple(Server(address) for address in reply.values)
        return ()

    # ----------------------------------------------------------------- the network

    def _direct_reply(self, server: Server, qname: dns.name.Name, qtype: int, type_text: str) -> Awaitable[_Reply]:
        key = (server, _name_text(qname), type_text)
        return _shared(self._replies, key, lambda: self._exchange(server, qname, qtype))

    async def _exchange(self, server: Server, qname: dns.name.Name, qtype: int) -> _Reply:
        """One question to one server: UDP with retries, then TCP if the answer was truncated."""
        plain = _PlainQuery(qname, qtype, self._payload) if self._plain_path() else None
        query = _direct_query(qname, qtype, self._payload) if plain is None else None

        def udp() -> Awaitable[dns.message.Message]:
            return dns.asyncquery.udp(
                query, server.host, timeout=self._timeout, port=server.port, ignore_unexpected=True
            )

        async with self._limit:
            if plain is None:
                response = await self._send("UDP", udp)
            else:
                response = await self._send("UDP", lambda: _udp_plain(server, plain, self._timeout))
                if isinstance(response, _Reply) and response.server is server:
                    return response  # read and classified by `_read_plain`
                query = plain.message()
            if isinstance(response, dns.message.Message) and _rejects_edns(query, response):
                # RFC 6891 §7: a server without EDNS answers FORMERR (or NOTIMP) with no OPT
                # record; the same question without EDNS is the one it can answer.
                query = _direct_query(qname, qtype, None)
                response = await self._send("UDP without EDNS", udp)
            if isinstance(response, dns.message.Message) and response.flags & dns.flags.TC:
                response = await self._send(
                    "TCP after a truncated UDP answer",
                    lambda: dns.asyncquery.tcp(query, server.host, timeout=self._timeout, port=server.port),
                )
        if isinstance(response, _Reply):
            return _Reply(server, response.outcome, note=response.note)
        return _classify(server, qname, qtype, response)

    async def _send(
        self, transport: str, send: Callable[[], Awaitable[dns.message.Message | _Reply]]
    ) -> dns.message.Message | _Reply:
        """Send with retries on timeout only: other failures will not go away by asking again."""
        for _ in range(self._tries):
            self._sent += 1
            try:
                return await send()
            except dns.exception.Timeout:
                continue
            except (OSError, dns.exception.DNSException) as err:
                return _Reply(None, Outcome.ERROR, note=f"{transport}: {_describe_error(err)}")
        tries = "1 try" if self._tries == 1 else f"{self._tries} tries"
        return _Reply(None, Outcome.TIMEOUT, note=f"timed out after {tries} ({transport}, {self._timeout:g} s each)")

    async def _system_reply(self, qname: dns.name.Name, qtype: int) -> _Reply:
        """Ask the recursive resolver; its exceptions become outcomes."""
        if self._resolvers and self._plain_path():
            reply = await self._resolver_plain(qname, qtype)
            if reply is not None:
                return reply
        try:
            resolver = self._system_resolver()
        except dns.resolver.NoResolverConfiguration as err:
            return _Reply(None, Outcome.ERROR, note=f"no system resolver configured ({_describe_error(err)}; name one with --resolver)")
        lifetime = self._timeout * self._tries
        async with self._limit:
            self._sent += 1
            try:
                answer = await resolver.resolve(qname, qtype, raise_on_no_answer=False, search=False, lifetime=lifetime)
            except dns.resolver.NXDOMAIN as err:
                response = err.responses().get(qname)
                if response is None:
                    return _Reply(None, Outcome.NXDOMAIN)
                return _classify(None, qname, qtype, response)
            except dns.resolver.LifetimeTimeout:
                return _Reply(None, Outcome.TIMEOUT, note=f"resolver timed out after {lifetime:g} s")
            except dns.resolver.NoNameservers as err:
                # Every resolver failed: for a recursive resolver that is SERVFAIL in all but name.
                return _Reply(None, Outcome.SERVFAIL, note=_describe_error(err))
            except dns.exception.DNSException as err:
                return _Reply(None, Outcome.ERROR, note=_describe_error(err))
        return _classify(None, qname, qtype, answer.response)

    def _plain_path(self) -> bool:
        """The plain path is on, and the event loop can watch a socket (Windows' proactor
        loop cannot: there every question takes dnspython's path)."""
        return self._fast_path and not isinstance(asyncio.get_running_loop(), _NO_READERS)

    async def _resolver_plain(self, qname: dns.name.Name, qtype: int) -> _Reply | None:
        """The first `--resolver`'s definite answer read by the plain path, as dnspython's stub
        resolver would take it from that server (the same query bytes, recursion desired), or
        None: then the stub resolver asks, with its failover, retries and lifetime, as before."""
        server = self._resolvers[0]
        query = _PlainQuery(qname, qtype, self._payload, recursion=True)
        async with self._limit:
            self._sent += 1
            try:
                reply = await _udp_plain(server, query, self._timeout)
            except (OSError, dns.exception.DNSException):
                return None
        if not isinstance(reply, _Reply) or reply.server is not server or not reply.ok:
            return None
        return dataclasses.replace(reply, server=None)

    def _system_resolver(self) -> dns.asyncresolver.Resolver:
        """Built on first use, so a run that asks only about its own zones never needs /etc/resolv.conf."""
        if self._system is None:
            resolver = dns.asyncresolver.Resolver(configure=not self._resolvers)
            if self._resolvers:
                resolver.nameservers = [dns.nameserver.Do53Nameserver(s.host, s.port) for s in self._resolvers]
            resolver.timeout = self._timeout
            # The same EDNS as direct queries (dnspython sends none unless resolv.conf says edns0).
            if self._payload is None:
                resolver.use_edns(False)
            else:
                resolver.use_edns(0, 0, self._payload)
            self._system = resolver
        return self._system


# --------------------------------------------------------------------------- the plain path
#
# Most questions of a run are plain: one datagram each way, answered NOERROR or NXDOMAIN (or
# SERVFAIL/REFUSED) with a few TXT, CNAME, MX, NS or A records. Building such a query and
# reading its answer through dnspython's general message objects (names, rdata and rrset
# objects for every record, then `_classify` looking them up) and its socket layer was most of
# a run's CPU (docs/benchmarks.md). `_udp_plain` sends the same query bytes from a socket of
# its own (a fresh source port for every question, as before) and `_read_plain` reads the
# answer straight from the wire, classifying it exactly as `_classify` would. Anything else is
# handed to dnspython as before, the very same bytes: a truncated answer (then TCP), FORMERR or
# NOTIMP (then EDNS is dropped), another or an extended rcode, a name dnspython would escape,
# a type other than those below, two records where dnspython keeps one (CNAME, SOA), anything
# malformed or not matching the question (dnspython raises, as before).

_TXT, _CNAME, _NS, _PTR, _DNAME, _MX, _A, _SOA, _SPF, _OPT = 16, 5, 2, 12, 39, 15, 1, 6, 99, 41
_PLAIN_TYPES = frozenset({_TXT, _SPF, _CNAME, _NS, _PTR, _DNAME, _MX, _A})
_NAME_TYPES = frozenset({_CNAME, _NS, _PTR, _DNAME})
_NOERROR, _SERVFAIL, _NXDOMAIN, _REFUSED = 0, 2, 3, 5
# Bytes dnspython writes escaped in a name's text (`Name.to_text`): not plain, handed over.
_ESCAPED_IN_NAMES = re.compile(rb'[^\x21-\x7e]|["().;\\@$]')
_NO_READERS: tuple[type, ...] = tuple(t for t in (getattr(asyncio, "ProactorEventLoop", None),) if t is not None)
"""Event loops without `add_reader`."""
_HEADER = struct.Struct("!HHHHHH")
_RR = struct.Struct("!HHIH")


class _NotPlain(Exception):
    """The answer is not one `_read_plain` reads: dnspython reads it instead."""


class _PlainQuery:
    """A direct question as bytes: recursion off, EDNS0 with the payload unless None (the same
    bytes dnspython's `make_query` gives `_direct_query`, with a random ID of its own)."""

    __slots__ = ("qname", "qtype", "payload", "recursion", "id", "wire", "question")

    def __init__(self, qname: dns.name.Name, qtype: int, payload: int | None, *, recursion: bool = False) -> None:
        self.qname, self.qtype, self.payload, self.recursion = qname, qtype, payload, recursion
        self.id = secrets.randbits(16)
        self.question = qname.to_wire() + struct.pack("!HH", qtype, 1)
        flags = 0x0100 if recursion else 0  # RD: only for a resolver (what dnspython's stub resolver sends)
        header = _HEADER.pack(self.id, flags, 1, 0, 0, 0 if payload is None else 1)
        opt = b"" if payload is None else b"\x00" + _RR.pack(_OPT, payload, 0, 0)
        self.wire = header + self.question + opt

    def message(self) -> dns.message.Message:
        """The same query as dnspython's message (what the fallback and TCP send)."""
        query = _direct_query(self.qname, self.qtype, self.payload)
        if self.recursion:
            query.flags |= dns.flags.RD
        query.id = self.id
        return query


async def _udp_plain(server: Server, query: _PlainQuery, timeout: float) -> _Reply | dns.message.Message:
    """One UDP try: the classified reply, or dnspython's message for `_exchange` to go on with.

    Raises `dns.exception.Timeout` after `timeout` seconds without an answer, OSError when the
    network fails, and what dnspython raises for an answer it cannot read (as before).
    """
    loop = asyncio.get_running_loop()
    family = socket.AF_INET6 if ":" in server.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        sock.setblocking(False)
        sock.connect((server.host, server.port))  # a connected socket: only that server's datagrams
        sock.send(query.wire)
        got: asyncio.Future[bytes] = loop.create_future()

        def readable() -> None:
            if got.done():
                return
            try:
                got.set_result(sock.recv(65535))
            except (BlockingIOError, InterruptedError):
                return
            except OSError as err:  # e.g. ICMP port unreachable: connection refused
                got.set_exception(err)

        def expired() -> None:
            if not got.done():
                got.set_exception(dns.exception.Timeout(timeout=timeout))

        loop.add_reader(sock.fileno(), readable)
        timer = loop.call_later(timeout, expired)
        try:
            wire = await got
        finally:
            timer.cancel()
            loop.remove_reader(sock.fileno())
    finally:
        sock.close()
    try:
        return _read_plain(server, query, wire)
    except _NotPlain:
        pass
    # As dnspython's `udp` reads it (raising for what it cannot read, or for another ID).
    message = query.message()
    response = dns.message.from_wire(wire)
    if not message.is_response(response):
        raise dns.query.BadResponse
    return response


def _read_name(wire: bytes, offset: int) -> tuple[bytes, int]:
    """The name at `offset`, lower-case without the final dot (the root: empty), and the
    offset after it (RFC 1035 §4.1.4 compression followed); `_NotPlain` for anything unusual."""
    labels: list[bytes] = []
    end = -1
    jumps = length = 0
    while True:
        if offset >= len(wire):
            raise _NotPlain
        size = wire[offset]
        if size == 0:
            offset += 1
            break
        if size >= 0xC0:
            if offset + 1 >= len(wire) or jumps > 64:
                raise _NotPlain
            if end < 0:
                end = offset + 2
            target = ((size & 0x3F) << 8) | wire[offset + 1]
            if target >= offset:  # pointers go backwards (no loops)
                raise _NotPlain
            offset, jumps = target, jumps + 1
            continue
        if size > 63:
            raise _NotPlain
        label = wire[offset + 1 : offset + 1 + size]
        if len(label) != size or _ESCAPED_IN_NAMES.search(label):
            raise _NotPlain
        labels.append(label)
        length += size + 1
        offset += size + 1
    if length + 1 > 255:
        raise _NotPlain  # too long: dnspython raises
    return b".".join(labels).lower(), (offset if end < 0 else end)


def _read_plain(server: Server, query: _PlainQuery, wire: bytes) -> _Reply:
    """`_classify` for a plain answer, read from the wire; `_NotPlain` for anything else."""
    if len(wire) < 12 or query.qtype not in _PLAIN_TYPES:
        raise _NotPlain
    ident, flags, qdcount, ancount, nscount, arcount = _HEADER.unpack_from(wire)
    rcode = flags & 0xF
    # A response (QR), to this ID and opcode, not truncated, with this one question.
    if ident != query.id or not flags & 0x8000 or flags & 0x7800 or flags & 0x0200 or qdcount != 1:
        raise _NotPlain
    if rcode not in (_NOERROR, _NXDOMAIN, _SERVFAIL, _REFUSED):
        raise _NotPlain
    question = query.question
    if wire[12 : 12 + len(question)].lower() != question.lower() or wire[12 + len(question) - 4 : 12 + len(question)] != question[-4:]:
        raise _NotPlain
    offset = 12 + len(question)
    records: list[tuple[int, bytes, int, int, int, int]] = []  # (section, name, type, ttl, rdata start, rdata end)
    for section, count in ((0, ancount), (1, nscount), (2, arcount)):
        for _ in range(count):
            name, offset = _read_name(wire, offset)
            if offset + 10 > len(wire):
                raise _NotPlain
            rdtype, rdclass, ttl, rdlen = _RR.unpack_from(wire, offset)
            offset += 10
            if offset + rdlen > len(wire):
                raise _NotPlain
            if rdtype == _OPT:
                # The OPT record: in the additional section, with no extended rcode bits.
                if section != 2 or ttl >> 24:
                    raise _NotPlain
            elif rdclass != 1:
                raise _NotPlain
            records.append((section, name, rdtype, ttl, offset, offset + rdlen))
            offset += rdlen
    if offset != len(wire) or sum(1 for r in records if r[2] == _OPT) > 1:
        raise _NotPlain
    if rcode == _SERVFAIL:
        return _Reply(server, Outcome.SERVFAIL, note="rcode SERVFAIL")
    if rcode == _REFUSED:
        return _Reply(server, Outcome.REFUSED, note="rcode REFUSED")
    answer = [r for r in records if r[0] == 0]
    asked, _ = _read_name(question, 0)
    if not asked:
        raise _NotPlain  # the root: dnspython writes "."
    # CNAMEs followed from the asked name (`_cname_chain`); dnspython keeps one per name.
    cnames: dict[bytes, bytes] = {}
    for _, owner, rdtype, _, start, end in answer:
        if rdtype == _CNAME:
            if owner in cnames:
                raise _NotPlain
            cnames[owner] = _name_rdata(wire, start, end)
    chain: list[bytes] = []
    if query.qtype != _CNAME:
        current = asked
        while len(chain) <= MAX_CNAME_HOPS:
            target = cnames.get(current)
            if target is None or current in chain:
                break
            current = target
            chain.append(current)
    chain_text = tuple(n.decode("ascii") for n in chain)
    final = chain[-1] if chain else asked
    found = [r for r in answer if r[2] == query.qtype and r[1] == final]
    if found:
        if query.qtype == _DNAME and len(found) > 1:
            raise _NotPlain  # dnspython keeps one DNAME (a singleton type)
        values: dict[object, str] = {}
        for _, _, rdtype, _, start, end in found:
            key, text = _rdata_plain(wire, rdtype, start, end)
            values.setdefault(key, text)
        ttl = min(r[3] for r in found)
        return _Reply(server, Outcome.ANSWER, tuple(sorted(values.values())), ttl, chain_text)
    authority = [r for r in records if r[0] == 1]
    soas = [r for r in authority if r[2] == _SOA]
    if len(soas) > 1:
        raise _NotPlain
    negative_ttl = _soa_negative_ttl(wire, soas[0]) if soas else None
    if chain:
        note = f"{chain_text[-1]} does not exist" if rcode == _NXDOMAIN else ""
        return _Reply(server, Outcome.NODATA, (), negative_ttl, chain_text, note)
    if rcode == _NXDOMAIN:
        return _Reply(server, Outcome.NXDOMAIN, ttl=negative_ttl)
    # `_referral`: no AA, no answer, NS and no SOA in the authority section.
    ns = [r for r in authority if r[2] == _NS]
    if not flags & 0x0400 and not answer and not soas and ns:
        if not ns[0][1]:
            raise _NotPlain
        return _Reply(server, Outcome.ERROR, note=f"not authoritative: referral to zone {ns[0][1].decode('ascii')}")
    return _Reply(server, Outcome.NODATA, ttl=negative_ttl)


def _name_rdata(wire: bytes, start: int, end: int) -> bytes:
    name, after = _read_name(wire, start)
    if after != end or not name:
        raise _NotPlain  # trailing bytes (dnspython raises), or the root (dnspython writes ".")
    return name


def _rdata_plain(wire: bytes, rdtype: int, start: int, end: int) -> tuple[object, str]:
    """(what makes two records equal for dnspython, the value as `_rdata_text` spells it)."""
    if rdtype in (_TXT, _SPF):
        strings = []
        offset = start
        while offset < end:
            size = wire[offset]
            if offset + 1 + size > end:
                raise _NotPlain
            strings.append(wire[offset + 1 : offset + 1 + size])
            offset += 1 + size
        if not strings:
            raise _NotPlain  # dnspython refuses a TXT record without strings
        return tuple(strings), b"".join(strings).decode("utf-8", errors="backslashreplace")
    if rdtype in _NAME_TYPES:
        name = _name_rdata(wire, start, end)
        return name, name.decode("ascii")
    if rdtype == _MX:
        if end - start < 3:
            raise _NotPlain
        preference = (wire[start] << 8) | wire[start + 1]
        name = _name_rdata(wire, start + 2, end)
        return (preference, name), f"{preference} {name.decode('ascii')}"
    if rdtype == _A and end - start == 4:
        address = wire[start:end]
        return address, ".".join(str(b) for b in address)
    raise _NotPlain


def _soa_negative_ttl(wire: bytes, soa: tuple[int, bytes, int, int, int, int]) -> int:
    """`_negative_ttl`: min(the SOA's TTL, its MINIMUM field), RFC 2308 §5."""
    _, _, _, ttl, start, end = soa
    _, offset = _read_name(wire, start)
    _, offset = _read_name(wire, offset)
    if end - offset != 20:
        raise _NotPlain
    minimum = struct.unpack_from("!I", wire, end - 4)[0]
    return min(ttl, minimum)


def _direct_query(qname: dns.name.Name, qtype: int, payload: int | None) -> dns.message.Message:
    """A question for an authoritative server: recursion off, EDNS0 with `payload` unless None."""
    if payload is None:
        query = dns.message.make_query(qname, qtype)
    else:
        query = dns.message.make_query(qname, qtype, use_edns=0, payload=payload)
    query.flags &= ~dns.flags.RD  # what the server itself holds, never what it would fetch
    return query


def _rejects_edns(query: dns.message.Message, response: dns.message.Message) -> bool:
    """The response says the server does not do EDNS: FORMERR or NOTIMP without an OPT record."""
    return query.edns >= 0 and response.edns < 0 and response.rcode() in (dns.rcode.FORMERR, dns.rcode.NOTIMP)


async def _shared(cache: dict[_K, asyncio.Future[_T]], key: _K, start: Callable[[], Awaitable[_T]]) -> _T:
    """Await the one task for `key`, starting it on first use; concurrent callers share it.

    `shield` keeps one caller's cancellation from cancelling the work the others wait for.
    """
    task = cache.get(key)
    if task is None:
        task = asyncio.ensure_future(start())
        cache[key] = task
    return await asyncio.shield(task)
