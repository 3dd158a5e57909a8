"""dns_live against a real BIND 9 on 127.0.0.1 (no internet)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import dns.flags
import dns.message
import dns.rcode
import dns.rrset
import pytest

from spotme_dns.dns_live import EDNS_PAYLOAD, DnsLookupError, LiveAnswer, LiveDns, Outcome, Server, parse_server
from tests.support.bind import BindError, BindServer, ServfailZone, zone_text

pytestmark = pytest.mark.bind

T = TypeVar("T")
ZONE = "acme.test"


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def ask(bind: BindServer, name: str, rdtype: str, **options: Any) -> tuple[LiveAnswer, LiveDns]:
    """One direct query to `bind`, with the LiveDns that sent it (for its stats)."""
    live = LiveDns(nameservers=[bind.server], **options)
    return run(live.query(bind.server, name, rdtype)), live


def serve(bind: BindServer, *records: str, zone: str = ZONE) -> None:
    bind.set_zones({zone: zone_text(zone, list(records))})


# --------------------------------------------------------------------------- answers


def test_txt_strings_of_one_record_are_joined(bind: BindServer) -> None:
    """The character-strings of one TXT RR are concatenated with no separator (RFC 7208 §3.3)."""
    serve(bind, '@ 600 TXT "v=spf1 include:_spf.spotme.com" " -all"')
    answer, _ = ask(bind, ZONE + ".", "txt")
    assert answer == LiveAnswer(bind.server, ZONE, "TXT", Outcome.ANSWER, ("v=spf1 include:_spf.spotme.com -all",), 600)
    assert answer.ok


def test_two_txt_records_are_two_sorted_values(bind: BindServer) -> None:
    """Each TXT RR is one value; the values come back sorted."""
    serve(bind, '@ TXT "v=spf1 -all"', '@ TXT "google-site-verification=abc"', '@ TXT "MS=ms123"')
    answer, _ = ask(bind, "ACME.test", "TXT")
    assert answer.values == ("MS=ms123", "google-site-verification=abc", "v=spf1 -all")


def test_txt_bytes_are_decoded_as_utf8_with_escapes(bind: BindServer) -> None:
    """UTF-8 TXT bytes decode to text; bytes that are not UTF-8 become backslash escapes."""
    serve(bind, r'@ TXT "caf\195\169"', r'@ TXT "bad\255byte"')
    answer, _ = ask(bind, ZONE, "TXT")
    assert answer.values == ("bad\\xffbyte", "café")


def test_cname_answer_is_lower_case_without_dot(bind: BindServer) -> None:
    """A CNAME target comes back lower-case, without the trailing dot."""
    serve(bind, "tok1._domainkey CNAME Tok1.DKIM.AmazonSES.com.")
    answer, _ = ask(bind, "tok1._domainkey." + ZONE, "CNAME")
    assert (answer.outcome, answer.values, answer.chain) == (Outcome.ANSWER, ("tok1.dkim.amazonses.com",), ())


def test_ns_and_mx_values(bind: BindServer) -> None:
    """NS targets are names; MX values are "preference host"."""
    serve(bind, "@ MX 10 Mail.Example.NET.")
    ns, _ = ask(bind, ZONE, "NS")
    mx, _ = ask(bind, ZONE, "MX")
    assert (ns.values, mx.values) == (("ns1.acme.test",), ("10 mail.example.net",))


def test_txt_at_in_zone_cname_follows_the_chain(bind: BindServer) -> None:
    """TXT asked at a CNAME whose target the server holds: the target's TXT, with the chain."""
    serve(bind, "sel._domainkey CNAME key", 'key TXT "v=DKIM1; p=abc"')
    answer, _ = ask(bind, "sel._domainkey." + ZONE, "TXT")
    assert (answer.outcome, answer.values, answer.chain) == (Outcome.ANSWER, ("v=DKIM1; p=abc",), ("key.acme.test",))
    assert answer.detail == "CNAME to key.acme.test"


def test_txt_at_cname_to_elsewhere_is_nodata(bind: BindServer) -> None:
    """TXT asked at a CNAME pointing out of the zone: NODATA, saying where the CNAME points."""
    serve(bind, "mte1._domainkey CNAME dkim1.mandrillapp.com.")
    answer, _ = ask(bind, "mte1._domainkey." + ZONE, "TXT")
    assert (answer.outcome, answer.values, answer.detail) == (Outcome.NODATA, (), "CNAME to dkim1.mandrillapp.com")
    assert answer.ok


def test_nxdomain_with_negative_ttl(bind: BindServer) -> None:
    """A missing name is NXDOMAIN, with the SOA's negative-caching TTL (RFC 2308 §5)."""
    serve(bind)
    answer, _ = ask(bind, "_dmarc." + ZONE, "TXT")
    assert (answer.outcome, answer.values, answer.ttl) == (Outcome.NXDOMAIN, (), 60)
    assert answer.ok


def test_nodata_when_the_name_has_other_types(bind: BindServer) -> None:
    """A name with data of other types only is NODATA, not NXDOMAIN."""
    serve(bind, "www A 192.0.2.1")
    answer, _ = ask(bind, "www." + ZONE, "TXT")
    assert (answer.outcome, answer.values, answer.ttl) == (Outcome.NODATA, (), 60)


def test_empty_non_terminal_is_nodata(bind: BindServer) -> None:
    """`_domainkey` exists as the parent of selectors, so it is NODATA (RFC 8020), not NXDOMAIN."""
    serve(bind, 'sel._domainkey TXT "v=DKIM1; p="')
    answer, _ = ask(bind, "_domainkey." + ZONE, "TXT")
    assert answer.outcome is Outcome.NODATA


# --------------------------------------------------------------------------- failures


def test_referral_is_an_error(bind: BindServer) -> None:
    """A name below a delegation gets a referral, not an answer: ERROR naming the child zone."""
    serve(bind, "sub NS ns.sub", "ns.sub A 127.0.0.1")
    answer, _ = ask(bind, "x.sub." + ZONE, "TXT")
    assert (answer.outcome, answer.detail) == (Outcome.ERROR, "not authoritative: referral to zone sub.acme.test")


def test_invalid_zone_file_is_reported_with_its_name(bind: BindServer) -> None:
    """The fixture rejects a bad zone file up front, naming the zone (named-checkzone's words)."""
    with pytest.raises(BindError, match=r"zone broken\.test is invalid"):
        bind.set_zones({"broken.test": zone_text("broken.test", ["@ TXT"])})


def test_servfail(servfail: ServfailZone) -> None:
    """A zone the server failed to load is SERVFAIL, which is not a definite answer."""
    live = LiveDns(nameservers=[servfail.server])
    answer = run(live.query(servfail.server, servfail.zone, "TXT"))
    assert (answer.outcome, answer.detail, answer.ok) == (Outcome.SERVFAIL, "rcode SERVFAIL", False)


def test_refused_for_a_zone_the_server_does_not_serve(bind: BindServer) -> None:
    """An authoritative-only BIND refuses questions about zones it does not serve."""
    serve(bind)
    answer, _ = ask(bind, "example.org", "TXT")
    assert (answer.outcome, answer.detail, answer.ok) == (Outcome.REFUSED, "rcode REFUSED", False)


def test_timeout_retries_then_gives_up(silent_server: Server) -> None:
    """A server that never answers: every try times out, and exactly 1 + retries tries are sent."""
    live = LiveDns(nameservers=[silent_server], timeout=0.1, retries=2)
    answer = run(live.query(silent_server, ZONE, "TXT"))
    assert (answer.outcome, answer.ok, live.stats) == (Outcome.TIMEOUT, False, 3)
    assert answer.detail.startswith("timed out after 3 tries")


def test_no_retry_when_retries_is_zero(silent_server: Server) -> None:
    """retries=0 means one try."""
    live = LiveDns(timeout=0.1, retries=0)
    answer = run(live.query(silent_server, ZONE, "TXT"))
    assert (answer.outcome, answer.detail, live.stats) == (
        Outcome.TIMEOUT,
        "timed out after 1 try (UDP, 0.1 s each)",
        1,
    )


# --------------------------------------------------------------------------- transport and memo


def test_truncated_udp_answer_is_asked_again_over_tcp(bind: BindServer) -> None:
    """A TXT RRset over the 1,232 octets offered with EDNS comes back truncated; TCP gets it whole."""
    long_values = [f"value-{i}-" + "x" * 200 for i in range(4)]
    records = [f'@ TXT "{value}"' for value in long_values]
    records.append('@ TXT "' + "a" * 255 + '" "' + "b" * 255 + '" "' + "c" * 90 + '"')
    serve(bind, *records)
    answer, live = ask(bind, ZONE, "TXT")
    assert answer.values == tuple(sorted([*long_values, "a" * 255 + "b" * 255 + "c" * 90]))
    assert sum(len(v) for v in answer.values) > EDNS_PAYLOAD
    assert live.stats == 2  # one UDP query (truncated), one TCP query


DKIM_KEY = "v=DKIM1; k=rsa; p=" + "M" * 736  # a 4096-bit key: a ~800-octet answer


@pytest.mark.parametrize(
    "payload, queries", [(EDNS_PAYLOAD, 1), (None, 2)], ids=["edns-one-udp-query", "no-edns-udp-then-tcp"]
)
def test_answer_over_512_octets_with_and_without_edns(bind: BindServer, payload: int | None, queries: int) -> None:
    """A DKIM key answer over 512 octets (under 1,232) fits one UDP answer with EDNS; without it, TCP."""
    serve(bind, "sel._domainkey TXT " + " ".join(f'"{DKIM_KEY[i : i + 255]}"' for i in range(0, len(DKIM_KEY), 255)))
    answer, live = ask(bind, "sel._domainkey." + ZONE, "TXT", edns_payload=payload)
    assert (answer.outcome, answer.values, live.stats) == (Outcome.ANSWER, (DKIM_KEY,), queries)


@contextlib.contextmanager
def _server_without_edns() -> Iterator[tuple[Server, list[int]]]:
    """A UDP server that answers FORMERR without OPT to EDNS queries (RFC 6891 §7), TXT "ok" to others.

    Yields the server and the EDNS version of every query it got (-1: none).
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.05)
    seen: list[int] = []
    stop = threading.Event()

    def serve_forever() -> None:
        while not stop.is_set():
            try:
                wire, peer = sock.recvfrom(4096)
            except TimeoutError:
                continue
            query = dns.message.from_wire(wire)
            seen.append(query.edns)
            response = dns.message.make_response(query)
            response.use_edns(False)
            if query.edns >= 0:
                response.set_rcode(dns.rcode.FORMERR)
            else:
                response.flags |= dns.flags.AA
                response.answer.append(dns.rrset.from_text(query.question[0].name, 300, "IN", "TXT", '"ok"'))
            sock.sendto(response.to_wire(), peer)

    thread = threading.Thread(target=serve_forever, daemon=True)
    thread.start()
    try:
        yield Server("127.0.0.1", sock.getsockname()[1]), seen
    finally:
        stop.set()
        thread.join()
        sock.close()


def test_server_without_edns_is_asked_again_without_it() -> None:
    """FORMERR without an OPT record to an EDNS query: the same question again, plain, is answered."""
    with _server_without_edns() as (server, seen):
        live = LiveDns(nameservers=[server], timeout=1.0, retries=0)
        answer = run(live.query(server, ZONE, "TXT"))
    assert (answer.outcome, answer.values, live.stats) == (Outcome.ANSWER, ("ok",), 2)
    assert seen == [0, -1]


@pytest.mark.parametrize("payload", [0, 511, 65536], ids=["zero", "under-512", "over-65535"])
def test_edns_payload_out_of_range_raises(payload: int) -> None:
    """The EDNS payload is 512 to 65535 octets (RFC 6891 §6.2.5), or None for no EDNS."""
    with pytest.raises(ValueError, match="edns_payload"):
        LiveDns(edns_payload=payload)


def test_concurrent_identical_queries_share_one_network_query(bind: BindServer) -> None:
    """100 concurrent identical questions send one query; later ones are answered from memory."""
    serve(bind, '@ TXT "v=spf1 -all"')
    live = LiveDns(nameservers=[bind.server])

    async def hundred() -> list[LiveAnswer]:
        return await asyncio.gather(*(live.query(bind.server, ZONE, "TXT") for _ in range(100)))

    answers = run(hundred())
    assert {a.values for a in answers} == {("v=spf1 -all",)}
    assert live.stats == 1


def test_concurrency_is_bounded(silent_server: Server) -> None:
    """With concurrency=1, two questions to a silent server take two timeouts, one after the other."""
    live = LiveDns(timeout=0.1, retries=0, concurrency=1)

    async def two() -> float:
        loop = asyncio.get_running_loop()
        start = loop.time()
        await asyncio.gather(
            live.query(silent_server, "a." + ZONE, "TXT"), live.query(silent_server, "b." + ZONE, "TXT")
        )
        return loop.time() - start

    assert run(two()) >= 0.2


def test_refused_connection_is_an_error(bind: BindServer) -> None:
    """A port with nothing listening is ERROR (or TIMEOUT where no ICMP comes back), never raised."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        closed = Server("127.0.0.1", probe.getsockname()[1])
    live = LiveDns(timeout=0.2, retries=0)
    answer = run(live.query(closed, ZONE, "TXT"))
    assert answer.outcome in (Outcome.ERROR, Outcome.TIMEOUT)
    assert not answer.ok


@pytest.mark.parametrize("name, rdtype", [("a..b", "TXT"), (ZONE, "NOTATYPE")], ids=["empty-label", "unknown-type"])
def test_bad_question_raises_value_error(bind: BindServer, name: str, rdtype: str) -> None:
    """A malformed name or type is a caller's bug: ValueError, not an outcome."""
    with pytest.raises(ValueError):
        run(LiveDns().query(bind.server, name, rdtype))


# --------------------------------------------------------------------------- several servers


def test_query_all_asks_every_server_in_order(bind: BindServer, bind2: BindServer) -> None:
    """Two authoritative servers that disagree: one answer each, in server order."""
    serve(bind, '@ TXT "v=spf1 include:_spf.spotme.com -all"')
    serve(bind2, '@ TXT "v=spf1 -all"')
    live = LiveDns(nameservers=[bind.server, bind2.server])
    answers = run(live.query_all(ZONE, ZONE, "TXT"))
    assert [(a.server, a.values) for a in answers] == [
        (bind.server, ("v=spf1 include:_spf.spotme.com -all",)),
        (bind2.server, ("v=spf1 -all",)),
    ]


def test_authoritative_servers_are_the_given_nameservers(bind: BindServer, bind2: BindServer) -> None:
    """Given nameservers replace discovery for every zone, and nothing is sent to find them."""
    live = LiveDns(nameservers=[bind2.server, bind.server])
    assert run(live.authoritative_servers("anything.example")) == (bind2.server, bind.server)
    assert live.stats == 0


def test_authoritative_servers_are_discovered_by_ns_lookup(bind: BindServer) -> None:
    """Without nameservers: the zone's NS hosts via the resolver, then their addresses (A first)."""
    serve(bind, "@ NS ns2", "ns2 A 192.0.2.2", "ns2 A 192.0.2.3", "@ NS ns3", "ns3 AAAA 2001:db8::3")
    live = LiveDns(resolvers=[bind.server])
    assert run(live.authoritative_servers(ZONE)) == (
        Server("127.0.0.1"),
        Server("192.0.2.2"),
        Server("192.0.2.3"),
        Server("2001:db8::3"),
    )


def test_authoritative_servers_of_a_missing_zone_raise(bind: BindServer) -> None:
    """A zone whose NS lookup fails raises DnsLookupError naming the zone and the outcome."""
    serve(bind)
    live = LiveDns(resolvers=[bind.server])
    with pytest.raises(DnsLookupError, match=r"zone nope\.acme\.test: NS lookup gave nxdomain"):
        run(live.query_all("nope.acme.test", "nope.acme.test", "TXT"))


# --------------------------------------------------------------------------- resolve


def test_resolve_follows_a_cname_to_another_server(bind: BindServer, bind2: BindServer) -> None:
    """A DKIM selector CNAME in the zone, its TXT target outside it: the nameserver is asked
    about the selector, the resolver about the target, and resolve finds the key."""
    serve(bind, "sel._domainkey CNAME sel.dkim.signer.test.")
    serve(bind2, 'sel.dkim TXT "v=DKIM1; k=rsa; p=MIGf"', zone="signer.test")
    live = LiveDns(nameservers=[bind.server], resolvers=[bind2.server], zones=[ZONE])
    answer = run(live.resolve("sel._domainkey.acme.test", "TXT"))
    assert (answer.server, answer.name, answer.outcome) == (None, "sel._domainkey.acme.test", Outcome.ANSWER)
    assert (answer.values, answer.chain) == (("v=DKIM1; k=rsa; p=MIGf",), ("sel.dkim.signer.test",))


def test_resolve_reports_a_dangling_cname_target(bind: BindServer) -> None:
    """A CNAME to a name that does not exist: resolve gives NXDOMAIN for the end of the chain."""
    serve(bind, "sel._domainkey CNAME gone")
    live = LiveDns(nameservers=[bind.server], zones=[ZONE])
    answer = run(live.resolve("sel._domainkey.acme.test", "TXT"))
    assert (answer.outcome, answer.chain) == (Outcome.NXDOMAIN, ("gone.acme.test",))
    assert answer.detail == "CNAME to gone.acme.test"


def test_resolve_stops_at_a_cname_loop(bind: BindServer, bind2: BindServer) -> None:
    """CNAMEs on two servers pointing at each other end as ERROR, never an endless loop."""
    serve(bind, "a CNAME x.other.test.")
    serve(bind2, "x CNAME a.acme.test.", zone="other.test")
    live = LiveDns(nameservers=[bind.server], resolvers=[bind2.server], zones=[ZONE])
    answer = run(live.resolve("a.acme.test", "TXT"))
    assert (answer.outcome, answer.chain) == (Outcome.ERROR, ("x.other.test",))
    assert answer.detail == "CNAME to x.other.test; CNAME loop"


def test_in_zone_cname_loop_is_servfail(bind: BindServer) -> None:
    """BIND itself answers SERVFAIL for a CNAME loop inside its zone: kept as SERVFAIL."""
    serve(bind, "a CNAME b", "b CNAME a")
    answer, _ = ask(bind, "a.acme.test", "TXT")
    assert answer.outcome is Outcome.SERVFAIL


def test_resolve_with_the_system_resolver_path(bind: BindServer) -> None:
    """Through a (recursive) resolver: server None, CNAME chain followed, NXDOMAIN kept apart."""
    serve(bind, "sel._domainkey CNAME key", 'key TXT "v=DKIM1; p=abc"')
    live = LiveDns(resolvers=[bind.server])
    found = run(live.resolve("sel._domainkey.acme.test", "TXT"))
    assert (found.server, found.outcome, found.values, found.chain) == (
        None,
        Outcome.ANSWER,
        ("v=DKIM1; p=abc",),
        ("key.acme.test",),
    )
    missing = run(LiveDns(resolvers=[bind.server]).resolve("nope.acme.test", "TXT"))
    assert (missing.server, missing.outcome) == (None, Outcome.NXDOMAIN)


def test_resolve_reports_when_no_nameserver_answers(bind: BindServer, silent_server: Server) -> None:
    """No definite answer from any nameserver: the first failure, with every server's reason."""
    serve(bind)
    live = LiveDns(nameservers=[silent_server, bind.server], timeout=0.1, retries=0, zones=["example.org"])
    answer = run(live.resolve("example.org", "TXT"))
    assert answer.outcome is Outcome.TIMEOUT
    assert "no definite answer from any nameserver" in answer.detail
    assert f"{bind.address}: rcode REFUSED" in answer.detail


def test_resolve_asks_the_nameservers_only_about_the_runs_zones(bind: BindServer, bind2: BindServer) -> None:
    """--nameserver is for the zones' own records: a name outside them goes to the resolver,
    so the authoritative-only nameserver, which would answer REFUSED, is never asked."""
    serve(bind, '@ TXT "v=spf1 include:_spf.sender.test -all"')
    serve(bind2, '_spf TXT "v=spf1 ip4:192.0.2.0/24 -all"', zone="sender.test")
    live = LiveDns(nameservers=[bind.server], resolvers=[bind2.server])
    assert run(live.authoritative_servers(ZONE)) == (bind.server,)  # acme.test joins the run's zones
    own = run(live.resolve(ZONE, "TXT"))
    other = run(live.resolve("_spf.sender.test", "TXT"))
    assert (own.server, own.values) == (bind.server, ("v=spf1 include:_spf.sender.test -all",))
    assert (other.server, other.outcome, other.values) == (None, Outcome.ANSWER, ("v=spf1 ip4:192.0.2.0/24 -all",))
    assert run(live.query(bind.server, "_spf.sender.test", "TXT")).outcome is Outcome.REFUSED  # what it would have said


def test_stub_resolver_accepts_an_authoritative_answer_without_recursion(bind2: BindServer) -> None:
    """--resolver may be an authoritative server with recursion off (no RA flag in its
    answers): dnspython's stub resolver takes its answers, NXDOMAIN and NODATA as they are."""
    serve(bind2, 'sel TXT "v=DKIM1; p=abc"', zone="sender.test")
    live = LiveDns(resolvers=[bind2.server])
    found = run(live.resolve("sel.sender.test", "TXT"))
    missing = run(LiveDns(resolvers=[bind2.server]).resolve("nope.sender.test", "TXT"))
    empty = run(LiveDns(resolvers=[bind2.server]).resolve("sel.sender.test", "MX"))
    assert (found.outcome, found.values) == (Outcome.ANSWER, ("v=DKIM1; p=abc",))
    assert (missing.outcome, empty.outcome) == (Outcome.NXDOMAIN, Outcome.NODATA)


def test_zone_soa_asks_the_nameservers_and_adds_the_zone(bind: BindServer, bind2: BindServer) -> None:
    """Finding a zone's apex (check without a spec) asks --nameserver, whatever the name."""
    serve(bind)
    live = LiveDns(nameservers=[bind.server], resolvers=[bind2.server])
    assert not live.in_own_zone("www.acme.test")
    assert run(live.zone_soa("www.acme.test")).outcome is Outcome.NXDOMAIN
    assert run(live.zone_soa(ZONE)).outcome is Outcome.ANSWER
    assert live.in_own_zone("www.acme.test")


def test_resolve_is_memoised(bind: BindServer) -> None:
    """Resolving the same name twice sends the queries once."""
    serve(bind, 'txt TXT "x"')
    live = LiveDns(nameservers=[bind.server], zones=[ZONE])

    async def twice() -> tuple[LiveAnswer, LiveAnswer]:
        return await asyncio.gather(live.resolve("txt.acme.test", "TXT"), live.resolve("TXT.acme.test.", "TXT"))

    first, second = run(twice())
    assert first == second
    assert live.stats == 1


# --------------------------------------------------------------------------- parse_server


@pytest.mark.parametrize(
    "text, expected",
    [
        ("192.0.2.1", Server("192.0.2.1")),
        ("192.0.2.1:5353", Server("192.0.2.1", 5353)),
        (" 192.0.2.1:53 ", Server("192.0.2.1")),
        ("2001:db8::1", Server("2001:db8::1")),
        ("2001:DB8:0::1", Server("2001:db8::1")),
        ("[2001:db8::1]", Server("2001:db8::1")),
        ("[::1]:5353", Server("::1", 5353)),
        ("localhost", Server("127.0.0.1")),
        ("localhost:65535", Server("127.0.0.1", 65535)),
    ],
    ids=[
        "v4",
        "v4-port",
        "v4-default-port-spaces",
        "v6",
        "v6-canonical",
        "v6-brackets",
        "v6-port",
        "hostname",
        "hostname-port",
    ],
)
def test_parse_server_accepts(text: str, expected: Server) -> None:
    """Addresses, ports and host names in the forms --nameserver takes."""
    assert parse_server(text) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("192.0.2.1:0", "port must be a number from 1 to 65535"),
        ("192.0.2.1:65536", "port must be a number from 1 to 65535"),
        ("192.0.2.1:", "port must be"),
        ("192.0.2.1:dns", "port must be"),
        ("[2001:db8::1", "missing ']'"),
        ("[2001:db8::1]5353", "expected ':PORT'"),
        ("[192.0.2.1]:53", "only IPv6"),
        ("[localhost]", "not an IPv6 address"),
        ("not a host", "neither an IP address nor a host name"),
        ("-bad-.example", "neither an IP address nor a host name"),
        (":53", "neither an IP address nor a host name"),
    ],
    ids=[
        "empty",
        "blank",
        "port-zero",
        "port-too-big",
        "port-missing",
        "port-not-a-number",
        "unclosed-bracket",
        "junk-after-bracket",
        "v4-in-brackets",
        "name-in-brackets",
        "spaces",
        "bad-label",
        "no-host",
    ],
)
def test_parse_server_rejects(text: str, message: str) -> None:
    """Bad --nameserver values raise ValueError saying what is wrong."""
    with pytest.raises(ValueError, match=message):
        parse_server(text)


def test_parse_server_unresolvable_host(monkeypatch: pytest.MonkeyPatch) -> None:
    """A host name that does not resolve is a ValueError naming the host (no real lookup here)."""

    def fail(*args: object, **kwargs: object) -> None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    with pytest.raises(ValueError, match="cannot resolve host 'ns1.nowhere.test'"):
        parse_server("ns1.nowhere.test:53")


@pytest.mark.parametrize(
    "server, text",
    [
        (Server("192.0.2.1"), "192.0.2.1"),
        (Server("192.0.2.1", 5353), "192.0.2.1:5353"),
        (Server("::1", 5353), "[::1]:5353"),
    ],
    ids=["v4", "v4-port", "v6-port"],
)
def test_server_str_round_trips(server: Server, text: str) -> None:
    """str(Server) is the --nameserver spelling, and parses back to the same server."""
    assert (str(server), parse_server(str(server))) == (text, server)
