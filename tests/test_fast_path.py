"""The plain path of `dns_live` (issue 13) answers exactly as the dnspython path did.

`LiveDns(fast_path=False)` reads every direct answer with dnspython's message objects, as
before issue 13; the default reads plain answers from the wire and hands the rest to
dnspython. Against a real BIND, every question below (records of every kind the checks read,
CNAME chains in and out of zone, dangling CNAMEs, NXDOMAIN, NODATA, a referral, a wildcard,
several strings, escapes in names, non-UTF-8 bytes, a SERVFAIL zone, a REFUSED zone, an answer
truncated to TCP) gives equal `LiveAnswer`s on both paths; and validate on a small version of
benchmarks/bench_validate.py's world gives equal reports, every status and finding.
"""

from __future__ import annotations

import asyncio
import importlib.util
from pathlib import Path

import pytest

from spotme_dns import validation
from spotme_dns.dns_live import LiveAnswer, LiveDns, Outcome
from tests.support.bind import BindServer, zone_text

pytestmark = pytest.mark.bind

ZONE = "acme.test"
_BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_validate.py"

RECORDS = [
    '@ 600 TXT "v=spf1 include:_spf.spotme.com" " -all"',
    '@ TXT "google-site-verification=abc"',
    '@ TXT "MS=ms123"',
    "@ MX 10 mx1",
    "@ MX 20 mx2.other.test.",
    "@ NS ns1",
    "ns1 A 192.0.2.53",
    "mx1 A 192.0.2.1",
    "mx1 A 192.0.2.2",
    "mx1 AAAA 2001:db8::1",
    '_dmarc TXT "v=DMARC1; p=reject; rua=mailto:d@acme.test"',
    "sel._domainkey CNAME key",
    'key TXT "v=DKIM1; k=rsa; p=MIGf"',
    "out._domainkey CNAME sel.dkim.elsewhere.test.",
    "gone._domainkey CNAME nothere",
    "two CNAME three",
    "three CNAME key",
    '*.wild TXT "from the wildcard"',
    "*.wildc CNAME key",
    'utf TXT "caf\\195\\169" "\\255\\254"',
    'spaced TXT "a b;c" "\\"quoted\\""',
    'under_score TXT "ok"',
    "sub NS ns.sub",
    "ns.sub A 192.0.2.54",
    'empty-string TXT ""',
    "ttl-mix 100 TXT \"a\"",
    "ttl-mix 50 TXT \"b\"",
    "long TXT " + " ".join(f'"{c * 255}"' for c in "abcdef"),
    "mxnull MX 0 .",
]

QUESTIONS = [
    (ZONE, "TXT"), (ZONE, "MX"), (ZONE, "NS"), (ZONE, "SOA"), (ZONE, "A"), (ZONE, "CNAME"),
    ("ACME.test", "TXT"), ("mx1." + ZONE, "A"), ("mx1." + ZONE, "AAAA"), ("_dmarc." + ZONE, "TXT"),
    ("sel._domainkey." + ZONE, "TXT"), ("sel._domainkey." + ZONE, "CNAME"), ("sel._domainkey." + ZONE, "MX"),
    ("out._domainkey." + ZONE, "TXT"), ("out._domainkey." + ZONE, "CNAME"), ("gone._domainkey." + ZONE, "TXT"),
    ("two." + ZONE, "TXT"), ("two." + ZONE, "CNAME"), ("nothing." + ZONE, "TXT"), ("nothing." + ZONE, "CNAME"),
    ("key." + ZONE, "MX"), ("x.wild." + ZONE, "TXT"), ("x.wild." + ZONE, "CNAME"), ("x.wildc." + ZONE, "TXT"),
    ("x.wildc." + ZONE, "CNAME"), ("wild." + ZONE, "TXT"), ("utf." + ZONE, "TXT"), ("spaced." + ZONE, "TXT"),
    ("under_score." + ZONE, "TXT"), ("www.sub." + ZONE, "TXT"), ("sub." + ZONE, "TXT"), ("sub." + ZONE, "NS"),
    ("empty-string." + ZONE, "TXT"), ("ttl-mix." + ZONE, "TXT"), ("long." + ZONE, "TXT"), ("mxnull." + ZONE, "MX"),
    ("a\\.b." + ZONE, "TXT"), ("other.test", "TXT"), ("x.servfail.test", "TXT"),
]  # fmt: skip


def _answers(bind: BindServer, *, fast_path: bool) -> list[LiveAnswer]:
    async def main() -> list[LiveAnswer]:
        live = LiveDns(nameservers=[bind.server], fast_path=fast_path, timeout=1.0)
        return list(await asyncio.gather(*(live.query(bind.server, n, t) for n, t in QUESTIONS)))

    return asyncio.run(main())


def test_every_answer_is_the_same_on_both_paths(bind: BindServer) -> None:
    bind.set_zones({ZONE: zone_text(ZONE, RECORDS)}, failing=["servfail.test"])
    plain, before = _answers(bind, fast_path=True), _answers(bind, fast_path=False)
    assert plain == before
    outcomes = {a.outcome for a in plain}
    # The world covers every outcome a server gives (TIMEOUT is tests/test_dns_live.py's).
    assert outcomes >= {Outcome.ANSWER, Outcome.NXDOMAIN, Outcome.NODATA, Outcome.SERVFAIL, Outcome.REFUSED, Outcome.ERROR}
    assert any(a.chain for a in plain) and any(a.detail.startswith("not authoritative") for a in plain)


def _bench():
    spec = importlib.util.spec_from_file_location("bench_validate", _BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_validate_reports_are_the_same_on_both_paths(bind: BindServer) -> None:
    """The benchmark's world for 20 domains, with a few records missing or wrong so that
    findings and every status appear: equal reports from both paths."""
    bench = _bench()
    domains = bench.domain_names(20)
    zones = {d: bench.customer_zone(d) for d in domains}
    zones[domains[0]] = [line for line in zones[domains[0]] if not line.startswith("_dmarc")]
    zones[domains[1]] = [line.replace("include:_spf.spotme.com", "include:_spf.other.test") for line in zones[domains[1]]]
    zones[domains[2]] = [line for line in zones[domains[2]] if "mte1" not in line] + ["mte1._domainkey TXT \"x\""]
    zones[domains[3]] = [*zones[domains[3]], '_dmarc TXT "v=DMARC1; p=none"']
    zones.update(bench.provider_zones(domains[:-1]))  # the last domain's SES keys are missing
    bind.set_zones({zone: zone_text(zone, lines) for zone, lines in zones.items()})
    desired = [bench.desired_domain(d) for d in domains]

    async def report(fast_path: bool):
        live = LiveDns(
            nameservers=[bind.server], resolvers=[bind.server], zones=domains, fast_path=fast_path, timeout=1.0
        )
        return await validation.validate(desired, dns=live)

    plain, before = asyncio.run(report(True)), asyncio.run(report(False))
    assert plain == before
    assert len({r.status for d in plain.domains for r in d.records}) > 1
    assert sum(len(d.findings) for d in plain.domains) >= 5


def test_event_loop_without_socket_readers_takes_the_dnspython_path(bind: BindServer, monkeypatch) -> None:
    """A loop that cannot watch sockets (Windows' proactor loop; stood in for here by naming
    the running loop's class): every question goes the dnspython way, with the same answers."""
    from spotme_dns import dns_live

    bind.set_zones({ZONE: zone_text(ZONE, RECORDS)}, failing=["servfail.test"])
    expected = _answers(bind, fast_path=True)
    monkeypatch.setattr(dns_live, "_NO_READERS", (asyncio.AbstractEventLoop,))
    monkeypatch.setattr(dns_live, "_read_plain", lambda *args: pytest.fail("the plain path was taken"))
    assert _answers(bind, fast_path=True) == expected
