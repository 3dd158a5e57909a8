"""How fast `validate` is: 1,000 domains with the full SpotMe record set against a local BIND.

Measured in one run, on the same BIND and the same questions (issues 3 and 13):

(a) no added delay: the wall and CPU time of two raw clients sending exactly the questions
    validating the fleet asks (plain dnspython asyncio, and pycares, c-ares parsing in C),
    then spotme-dns validating every domain (diff questions, wildcard probes, SPF include
    walk, DKIM keys, DMARC report authorisation, all checks). Target (issue 13): spotme-dns
    within 1.5x of the fastest raw client's time.
(b) 25 ms added each way by a delay relay on 127.0.0.1 (`udp_delay_relay.py`, standing in for
    a remote server): the raw clients and spotme-dns through it (target: under 3 s), and
    checkdmarc's `check_spf` + `check_dmarc` per domain on the same domains.
    Peak memory (RSS) of every run: under 300 MB.

Each run is a fresh Python process (so peak RSS is that run's own), started by this script
against its own `named` (tests/support/bind.py's BindServer) on 127.0.0.1; nothing leaves
127.0.0.1. spotme-dns and the raw clients run under the commands' own event-loop runner
(`cli._runtime.run_dns`, which raises the GC thresholds for the run) and send the same
EDNS0 payload. spotme-dns asks as `validate --nameserver S --resolver S` does: the customer
zones directly (recursion off), the provider names through S as its resolver. Needs BIND 9
(`named`); pycares and checkdmarc come with `pip install -e '.[bench]'` (each side is left
out, and said so, when not installed).

    python benchmarks/bench_validate.py                 # everything, 1,000 domains
    python benchmarks/bench_validate.py --domains 200 --skip-checkdmarc
    python benchmarks/bench_validate.py --json results.json
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import importlib.util
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # tests.support.bind, when run from anywhere

from spotme_dns import validation  # noqa: E402
from spotme_dns.cli._runtime import run_dns  # noqa: E402
from spotme_dns.desired import Action, DesiredDomain, DesiredRecord  # noqa: E402
from spotme_dns.dns_live import DEFAULT_CONCURRENCY, EDNS_PAYLOAD, LiveDns, Server  # noqa: E402
from spotme_dns.report import Status  # noqa: E402

SPOTME_SPF = "v=spf1 include:_spf.spotme.com -all"
REPORTS_HOST = "dmarc-reports.test"
"""An external DMARC report destination, authorised for every domain by a wildcard."""
# A 2048-bit RSA public key is 392 base64 characters: the size SES Easy DKIM publishes.
KEY = ("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA" + "x" * 340 + "IDAQAB")[:392]
SHARED_QUESTIONS = (
    ("_spf.spotme.com", "TXT"),
    ("_spf2.spotme.com", "TXT"),
    ("dkim1.mandrillapp.com", "TXT"),
    ("dkim2.mandrillapp.com", "TXT"),
)
"""Asked once per run, whatever the number of domains."""
PROBE_LABEL = "spotme-probe-0123456789ab"


# --------------------------------------------------------------------------- the fleet


def domain_names(count: int) -> list[str]:
    return [f"customer{i:04d}.test" for i in range(count)]


def ses_tokens(domain: str) -> tuple[str, str, str]:
    """Three 32-character tokens per domain, like SES Easy DKIM's."""
    return tuple(hashlib.sha256(f"{domain}/{k}".encode()).hexdigest()[:32] for k in range(3))  # type: ignore[return-value]


def dmarc_text(domain: str) -> str:
    return f"v=DMARC1; p=quarantine; rua=mailto:dmarc@{domain},mailto:reports@{REPORTS_HOST}"


def apex_values(domain: str) -> tuple[str, ...]:
    return (SPOTME_SPF, f"mandrill_verify.{domain[:12]}Key", f"google-site-verification={domain}-abc")


def customer_zone(domain: str) -> list[str]:
    """Zone lines of a domain that already publishes everything (what `verify` expects)."""
    return [
        *(f'@ TXT "{v}"' for v in apex_values(domain)),
        f'_dmarc TXT "{dmarc_text(domain)}"',
        *(f"{t}._domainkey CNAME {t}.dkim.amazonses.com." for t in ses_tokens(domain)),
        "mte1._domainkey CNAME dkim1.mandrillapp.com.",
        "mte2._domainkey CNAME dkim2.mandrillapp.com.",
    ]


def _key_txt() -> str:
    text = f"v=DKIM1; k=rsa; p={KEY}"
    return " ".join(f'"{text[i : i + 255]}"' for i in range(0, len(text), 255))


def provider_zones(domains: Sequence[str]) -> dict[str, list[str]]:
    return {
        "spotme.com": [
            '_spf TXT "v=spf1 ip4:198.51.100.0/24 include:_spf2.spotme.com -all"',
            '_spf2 TXT "v=spf1 ip4:203.0.113.0/24 ip6:2001:db8::/32 -all"',
        ],
        "amazonses.com": [f"{t}.dkim TXT {_key_txt()}" for d in domains for t in ses_tokens(d)],
        "mandrillapp.com": [f"dkim1 TXT {_key_txt()}", f"dkim2 TXT {_key_txt()}"],
        REPORTS_HOST: ['*._report._dmarc TXT "v=DMARC1;"'],
    }


def desired_domain(domain: str) -> DesiredDomain:
    """The Route53 plan of a domain whose records are all in place (no-op)."""

    def rec(name: str, rdtype: str, values: tuple[str, ...], address: str) -> DesiredRecord:
        return DesiredRecord(name, rdtype, tuple(sorted(values)), Action.NOOP, 3600, address, None, True)

    records = [
        rec(domain, "TXT", apex_values(domain), "aws_route53_record.txt"),
        rec(f"_dmarc.{domain}", "TXT", (dmarc_text(domain),), "aws_route53_record.dmarc"),
        *(
            rec(f"{t}._domainkey.{domain}", "CNAME", (f"{t}.dkim.amazonses.com",), f'aws_route53_record.ses["{t}"]')
            for t in ses_tokens(domain)
        ),
        rec(f"mte1._domainkey.{domain}", "CNAME", ("dkim1.mandrillapp.com",), "aws_route53_record.mte1"),
        rec(f"mte2._domainkey.{domain}", "CNAME", ("dkim2.mandrillapp.com",), "aws_route53_record.mte2"),
    ]
    return DesiredDomain(domain, domain, tuple(records))


def questions(domains: Sequence[str]) -> list[tuple[str, str]]:
    """Every question validating `domains` asks: the same list the baseline sends.

    `validation` asks each desired name its own type (TXT would be asked at a planned
    CNAME's name holding other data: none here); the checks add the SES DKIM keys, the
    report authorisation and the shared SPF includes and Mandrill keys.
    """
    out: list[tuple[str, str]] = list(SHARED_QUESTIONS)
    for domain in domains:
        out += list(dict.fromkeys((r.name, r.type) for r in desired_domain(domain).records))
        # The wildcard probes (`LiveDns.query_own`): one per parent and type that answered
        # positively, a label no zone holds (spotme-dns draws a random one per run).
        out += [(f"{PROBE_LABEL}.{domain}", "TXT"), (f"{PROBE_LABEL}._domainkey.{domain}", "CNAME")]
        out += [(f"{t}.dkim.amazonses.com", "TXT") for t in ses_tokens(domain)]
        out.append((f"{domain}._report._dmarc.{REPORTS_HOST}", "TXT"))
    return out


# --------------------------------------------------------------------------- the runs (one process each)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


async def _baseline(server: Server, asked: list[tuple[str, str]], concurrency: int) -> dict[str, float]:
    """Plain dnspython asyncio: the same questions, direct, recursion off, bounded concurrency.

    With the same EDNS0 payload LiveDns offers, so both sides send the same exchanges.
    """
    import dns.asyncquery
    import dns.flags
    import dns.message

    limit = asyncio.Semaphore(concurrency)
    failed = sent = 0

    async def one(name: str, rdtype: str) -> None:
        nonlocal failed, sent
        query = dns.message.make_query(name, rdtype, use_edns=0, payload=EDNS_PAYLOAD)
        query.flags &= ~dns.flags.RD
        async with limit:
            try:
                sent += 1
                response = await dns.asyncquery.udp(query, server.host, port=server.port, timeout=2.0)
                if response.flags & dns.flags.TC:
                    sent += 1
                    await dns.asyncquery.tcp(query, server.host, port=server.port, timeout=2.0)
            except Exception:  # noqa: BLE001 - a benchmark counts failures, it does not judge them
                failed += 1

    started = time.perf_counter()
    await asyncio.gather(*(one(n, t) for n, t in asked))
    elapsed = time.perf_counter() - started
    # Like LiveDns.stats: every UDP and TCP exchange counts as a query.
    return {"seconds": elapsed, "queries": sent, "questions": len(asked), "failed": failed}


async def _pycares(server: Server, asked: list[tuple[str, str]], concurrency: int) -> dict[str, float]:
    """pycares (c-ares, parsing in C): the same questions, recursion off, the same EDNS0
    payload (c-ares's default, 1,232 octets), TCP when truncated (c-ares retries by itself),
    one channel for the server driven by the event loop as aiodns does."""
    import pycares

    loop = asyncio.get_running_loop()
    readers: set[int] = set()
    writers: set[int] = set()

    def sock_state(fd: int, readable: bool, writable: bool) -> None:
        if readable and fd not in readers:
            loop.add_reader(fd, channel.process_fd, fd, pycares.ARES_SOCKET_BAD)
            readers.add(fd)
        elif not readable and fd in readers:
            loop.remove_reader(fd)
            readers.discard(fd)
        if writable and fd not in writers:
            loop.add_writer(fd, channel.process_fd, pycares.ARES_SOCKET_BAD, fd)
            writers.add(fd)
        elif not writable and fd in writers:
            loop.remove_writer(fd)
            writers.discard(fd)

    channel = pycares.Channel(
        flags=pycares.ARES_FLAG_NORECURSE | pycares.ARES_FLAG_EDNS | pycares.ARES_FLAG_NOCHECKRESP,
        timeout=2.0, tries=3, servers=[f"{server.host}:{server.port}"], sock_state_cb=sock_state,
        socket_receive_buffer_size=4 << 20,
    )  # fmt: skip
    qtypes = {"TXT": pycares.QUERY_TYPE_TXT, "CNAME": pycares.QUERY_TYPE_CNAME}
    limit = asyncio.Semaphore(concurrency)
    failed = 0

    def tick() -> None:  # c-ares's own timeouts and retries
        channel.process_fd(pycares.ARES_SOCKET_BAD, pycares.ARES_SOCKET_BAD)
        timer[0] = loop.call_later(0.1, tick)

    timer = [loop.call_later(0.1, tick)]

    async def one(name: str, rdtype: str) -> None:
        nonlocal failed
        async with limit:
            done: asyncio.Future = loop.create_future()
            channel.query(name, qtypes[rdtype], callback=lambda result, error: done.set_result(error))
            error = await done
            # NXDOMAIN/NODATA are answers; anything else (timeout, SERVFAIL, ...) a failure.
            if error not in (None, pycares.errno.ARES_ENOTFOUND, pycares.errno.ARES_ENODATA):
                failed += 1

    started = time.perf_counter()
    await asyncio.gather(*(one(n, t) for n, t in asked))
    elapsed = time.perf_counter() - started
    timer[0].cancel()
    channel.close()
    # c-ares keeps no per-try count we can read: one exchange per question (no timeouts or
    # truncation in this world; the relay's counters confirm it).
    return {"seconds": elapsed, "queries": len(asked), "questions": len(asked), "failed": failed}


async def _spotme(server: Server, domains: list[str], concurrency: int, *, fast_path: bool = True) -> dict[str, float]:
    """spotme-dns `validate` as the command runs it: live answers, diff, every check.

    LiveDns with its defaults (EDNS, concurrency) but for the concurrency measured; the one
    BIND is both `--nameserver` (the zones) and `--resolver` (the senders' names).
    """
    desired = [desired_domain(d) for d in domains]
    started = time.perf_counter()
    # As `validate --nameserver S --resolver S` builds it: S answers the run's own zones
    # directly, and is the resolver for the provider names (includes, DKIM keys, reports).
    dns = LiveDns(
        nameservers=[server], resolvers=[server], zones=[d.zone for d in desired], concurrency=concurrency,
        timeout=2.0, retries=2, fast_path=fast_path,
    )
    report = await validation.validate(desired, dns=dns)
    elapsed = time.perf_counter() - started
    records = [r for d in report.domains for r in d.records]
    return {
        "seconds": elapsed,
        "queries": dns.stats,
        "findings": sum(len(d.findings) for d in report.domains),
        "in_sync": sum(r.status is Status.IN_SYNC for r in records),
        "records": len(records),
    }


def _checkdmarc_domain(domain: str, nameservers: list) -> int:
    from checkdmarc.dmarc import check_dmarc
    from checkdmarc.spf import check_spf

    spf = check_spf(domain, nameservers=nameservers, timeout=2.0)
    dmarc = check_dmarc(domain, nameservers=nameservers, timeout=2.0)
    return (not spf.get("valid")) + (not dmarc.get("valid"))


def _checkdmarc(server: Server, domains: list[str]) -> dict[str, float]:
    """checkdmarc's SPF and DMARC checks, one domain after another (as `check_domains` runs)."""
    import dns.nameserver

    nameservers = [dns.nameserver.Do53Nameserver(server.host, server.port)]
    started = time.perf_counter()
    invalid = sum(_checkdmarc_domain(domain, nameservers) for domain in domains)
    return {"seconds": time.perf_counter() - started, "invalid": invalid}


def _checkdmarc_threads(server: Server, domains: list[str], threads: int) -> dict[str, float]:
    """The same with `threads` domains at a time: checkdmarc given spotme-dns's concurrency."""
    from concurrent.futures import ThreadPoolExecutor

    import dns.nameserver

    nameservers = [dns.nameserver.Do53Nameserver(server.host, server.port)]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        invalid = sum(pool.map(lambda d: _checkdmarc_domain(d, nameservers), domains))
    return {"seconds": time.perf_counter() - started, "invalid": invalid}


def worker(args: argparse.Namespace) -> int:
    """One measured run, in its own process: prints a JSON line."""
    host, _, port = args.server.rpartition(":")
    server = Server(host, int(port))
    domains = domain_names(args.domains)[: args.limit or None]
    cpu = time.process_time()
    if args.run == "baseline":
        result = run_dns(_baseline(server, questions(domains), args.concurrency))
    elif args.run == "pycares":
        result = run_dns(_pycares(server, questions(domains), args.concurrency))
    elif args.run == "spotme":
        result = run_dns(_spotme(server, domains, args.concurrency))
    elif args.run == "spotme-dnspython":
        result = run_dns(_spotme(server, domains, args.concurrency, fast_path=False))
    elif args.run == "checkdmarc":
        result = _checkdmarc(server, domains)
    else:
        result = _checkdmarc_threads(server, domains, args.concurrency)
    result.update(
        run=args.run,
        domains=len(domains),
        concurrency=args.concurrency,
        cpu_seconds=time.process_time() - cpu,
        peak_rss_mb=_peak_rss_mb(),
    )
    print(json.dumps(result))
    return 0


# --------------------------------------------------------------------------- the driver


def _measure(
    run: str, server: Server, domains: int, concurrency: int, *, limit: int = 0
) -> dict:
    command = [
        sys.executable, __file__, "--worker", run, "--server", f"{server.host}:{server.port}",
        "--domains", str(domains), "--concurrency", str(concurrency), "--limit", str(limit),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=3600, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{run} run failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


class Relay:
    """The delay relay as a child process; its counters are read when it stops."""

    def __init__(self, upstream: Server, delay: float) -> None:
        script = Path(__file__).with_name("udp_delay_relay.py")
        self.process = subprocess.Popen(
            [sys.executable, str(script), "--upstream", f"{upstream.host}:{upstream.port}", "--delay", str(delay)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = self.process.stdout.readline() if self.process.stdout else ""
        if not line.startswith("READY "):
            self.process.kill()
            raise RuntimeError(
                f"relay did not start: {line!r} {self.process.stderr.read() if self.process.stderr else ''}"
            )
        self.server = Server("127.0.0.1", int(line.split()[1]))

    def stop(self) -> str:
        self.process.terminate()
        _, err = self.process.communicate(timeout=10)
        return err.strip()


def _through_relay(bind_server: Server, delay: float, run: str, domains: int, concurrency: int, **kw) -> dict:
    """One run through a fresh relay, with the relay's counters attached."""
    relay = Relay(bind_server, delay)
    try:
        result = _measure(run, relay.server, domains, concurrency, **kw)
    finally:
        result_relay = relay.stop()
    result["relay"] = result_relay
    return result


def _start_bind(workdir: Path, domains: list[str]):
    from tests.support import bind as bind_support

    # The fixture polls every zone's SOA with a 0.1 s timeout for at most 10 s: tuned for the
    # few zones a test loads. A thousand zones on a busy machine need more patience.
    bind_support._PROBE_TIMEOUT = max(bind_support._PROBE_TIMEOUT, 2.0)
    bind_support._RELOAD_SECONDS = max(bind_support._RELOAD_SECONDS, 300.0)
    server = bind_support.BindServer(workdir, bind_support.BindTools.find())
    server.start()
    zones = {d: customer_zone(d) for d in domains}
    zones.update(provider_zones(domains))
    started = time.perf_counter()
    server.set_zones(zones)
    return server, time.perf_counter() - started


def _rate(result: dict) -> float:
    return result["queries"] / result["seconds"]


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _no_delay(bind: Server, args: argparse.Namespace) -> dict:
    """(a): rounds of dnspython, pycares, then spotme-dns, back to back; medians of each."""
    rounds = []
    cares_runs = []
    olds = []
    for i in range(args.repeat):
        base = _measure("baseline", bind, args.domains, args.concurrency)
        cares = _measure("pycares", bind, args.domains, args.concurrency) if _have_pycares() else None
        spot = _measure("spotme", bind, args.domains, args.concurrency)
        old = _measure("spotme-dnspython", bind, args.domains, args.concurrency)
        olds.append(old)
        rounds.append((base, spot))
        if cares is not None:
            cares_runs.append(cares)
        fastest = min(base["seconds"], cares["seconds"] if cares else base["seconds"])
        _say(f"  (a) round {i + 1}: dnspython {base['seconds']:.2f} s ({base['cpu_seconds']:.2f} s CPU), "
             + (f"pycares {cares['seconds']:.2f} s ({cares['cpu_seconds']:.2f} s CPU), " if cares else "")
             + f"spotme-dns {spot['seconds']:.2f} s ({spot['cpu_seconds']:.2f} s CPU) = {spot['seconds'] / fastest:.2f}x "
             f"the fastest raw client; dnspython path {old['seconds']:.2f} s ({old['cpu_seconds']:.2f} s CPU)"
             f"  (load {os.getloadavg()[0]:.1f})")  # fmt: skip
    ratios = [_rate(s) / _rate(b) for b, s in rounds]
    spots = [s for _, s in rounds]
    bases = [b for b, _ in rounds]
    raw = {"dnspython": bases, **({"pycares": cares_runs} if cares_runs else {})}
    return {
        "raw_seconds_median": {k: round(statistics.median(r["seconds"] for r in v), 2) for k, v in raw.items()},
        "raw_cpu_seconds_median": {k: round(statistics.median(r["cpu_seconds"] for r in v), 2) for k, v in raw.items()},
        "spotme_cpu_seconds_median": round(statistics.median(s["cpu_seconds"] for s in spots), 2),
        "spotme_dnspython_path_seconds_median": round(statistics.median(o["seconds"] for o in olds), 2),
        "spotme_dnspython_path_cpu_seconds_median": round(statistics.median(o["cpu_seconds"] for o in olds), 2),
        "same_report_both_paths": all(
            (o["in_sync"], o["findings"], o["records"]) == (s["in_sync"], s["findings"], s["records"])
            for o, s in zip(olds, spots, strict=True)
        ),
        "spotme_vs_fastest_raw": round(
            statistics.median(s["seconds"] for s in spots)
            / min(statistics.median(r["seconds"] for r in v) for v in raw.values()),
            2,
        ),
        "concurrency": args.concurrency,
        "ratio_median": round(statistics.median(ratios), 3),
        "ratios": [round(r, 3) for r in ratios],
        "baseline_qps_median": round(statistics.median(_rate(b) for b in bases)),
        "spotme_qps_median": round(statistics.median(_rate(s) for s in spots)),
        "baseline_cpu_ms_per_query": round(statistics.median(1000 * b["cpu_seconds"] / b["queries"] for b in bases), 3),
        "spotme_cpu_ms_per_query": round(statistics.median(1000 * s["cpu_seconds"] / s["queries"] for s in spots), 3),
        "queries": spots[0]["queries"],
        "baseline_queries": bases[0]["queries"],
        "spotme_seconds_median": round(statistics.median(s["seconds"] for s in spots), 2),
        "records": spots[0]["records"],
        "in_sync": spots[0]["in_sync"],
        "findings": spots[0]["findings"],
        "spotme_peak_rss_mb": round(max(s["peak_rss_mb"] for s in spots), 1),
        "baseline_peak_rss_mb": round(max(b["peak_rss_mb"] for b in bases), 1),
    }


def _have_pycares() -> bool:
    return importlib.util.find_spec("pycares") is not None


def _with_delay(bind: Server, args: argparse.Namespace) -> dict:
    """(b): the raw clients, spotme-dns at each concurrency, then checkdmarc, each through its own relay."""
    delay = args.delay_ms / 1000
    out: dict = {"delay_ms_each_way": args.delay_ms, "spotme": [], "raw": []}
    for run in ("baseline", "pycares") if _have_pycares() else ("baseline",):
        for concurrency in sorted(set(args.delay_concurrency)):
            raw = _through_relay(bind, delay, run, args.domains, concurrency)
            name = "dnspython" if run == "baseline" else run
            out["raw"].append({"client": name, "concurrency": concurrency, "seconds": round(raw["seconds"], 2),
                               "cpu_seconds": round(raw["cpu_seconds"], 2), "failed": raw["failed"], "relay": raw["relay"]})  # fmt: skip
            _say(f"  (b) {name}, {concurrency} in flight: {raw['seconds']:.2f} s ({raw['cpu_seconds']:.2f} s CPU, "
                 f"{raw['failed']} failed; {raw['relay']})")  # fmt: skip
    for concurrency in args.delay_concurrency:
        spot = _through_relay(bind, delay, "spotme", args.domains, concurrency)
        out["spotme"].append(
            {
                "concurrency": concurrency,
                "seconds": round(spot["seconds"], 2),
                "cpu_seconds": round(spot["cpu_seconds"], 2),
                "queries": spot["queries"],
                "findings": spot["findings"],
                "peak_rss_mb": round(spot["peak_rss_mb"], 1),
                "relay": spot["relay"],
            }
        )
        _say(f"  (b) spotme-dns, {concurrency} in flight: {spot['seconds']:.2f} s for {args.domains} domains "
             f"({spot['cpu_seconds']:.2f} s CPU, load {os.getloadavg()[0]:.1f}) "
             f"({spot['queries']} queries; {spot['relay']}; peak RSS {spot['peak_rss_mb']:.0f} MB)")  # fmt: skip
    if args.skip_checkdmarc:
        return out
    if importlib.util.find_spec("checkdmarc") is None:
        out["checkdmarc"] = "not installed: pip install -e '.[bench]'"
        _say("  (b) checkdmarc is not installed (pip install -e '.[bench]'): no comparison this time")
        return out
    sequential = min(args.checkdmarc_sequential, args.domains) or args.domains
    cd = _through_relay(bind, delay, "checkdmarc", args.domains, 1, limit=sequential)
    out["checkdmarc_sequential"] = {
        "domains": cd["domains"],
        "seconds": round(cd["seconds"], 2),
        "seconds_per_1000_domains": round(cd["seconds"] * 1000 / cd["domains"], 1),
        "invalid": cd["invalid"],
        "peak_rss_mb": round(cd["peak_rss_mb"], 1),
        "relay": cd["relay"],
    }
    _say(f"  (b) checkdmarc, one domain at a time: {cd['seconds']:.2f} s for {cd['domains']} domains "
         f"({cd['relay']}; peak RSS {cd['peak_rss_mb']:.0f} MB)")  # fmt: skip
    threads = args.checkdmarc_threads
    cd = _through_relay(bind, delay, "checkdmarc-threads", args.domains, threads)
    out["checkdmarc_threads"] = {
        "threads": threads,
        "domains": cd["domains"],
        "seconds": round(cd["seconds"], 2),
        "invalid": cd["invalid"],
        "peak_rss_mb": round(cd["peak_rss_mb"], 1),
        "relay": cd["relay"],
    }
    _say(f"  (b) checkdmarc, {threads} threads: {cd['seconds']:.2f} s for {cd['domains']} domains "
         f"({cd['relay']}; peak RSS {cd['peak_rss_mb']:.0f} MB)")  # fmt: skip
    return out


def drive(args: argparse.Namespace) -> dict:
    domains = domain_names(args.domains)
    report: dict = {
        "domains": args.domains,
        "cpus": os.cpu_count(),
        "load_average_at_start": round(os.getloadavg()[0], 2),
    }
    with tempfile.TemporaryDirectory(prefix="bench-validate-") as tmp:
        bind, load_seconds = _start_bind(Path(tmp), domains)
        try:
            _say(f"BIND serving {len(domains)} customer zones and the provider zones on {bind.address} "
                 f"(loaded in {load_seconds:.1f} s)")  # fmt: skip
            if not args.skip_no_delay:
                report["no_delay"] = _no_delay(bind.server, args)
            report["delay"] = _with_delay(bind.server, args)
        finally:
            bind.stop()
    report["load_average_at_end"] = round(os.getloadavg()[0], 2)
    return report


def _concurrencies(text: str) -> list[int]:
    values = [int(v) for v in text.split(",") if v.strip()]
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError("expected positive numbers separated by commas, e.g. 64,256")
    return values


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="validate speed: spotme-dns vs dnspython and checkdmarc")
    parser.add_argument("--domains", type=int, default=1000, help="domains in the fleet (default 1000)")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=DEFAULT_CONCURRENCY,
        help=f"questions in flight in (a) (default {DEFAULT_CONCURRENCY}, LiveDns's and the CLI's default)",
    )
    parser.add_argument("--repeat", type=int, default=5, help="rounds of (a); the median counts (default 5)")
    parser.add_argument("--delay-ms", type=float, default=25.0, help="delay added each way in (b) (default 25)")
    parser.add_argument(
        "--delay-concurrency",
        type=_concurrencies,
        default=[64, 256],
        help="questions in flight in (b), comma-separated (default 64,256)",
    )
    parser.add_argument(
        "--checkdmarc-sequential",
        type=int,
        default=100,
        help="domains for sequential checkdmarc (default 100; 0 = all)",
    )
    parser.add_argument(
        "--checkdmarc-threads", type=int, default=64, help="threads for the threaded checkdmarc run (default 64)"
    )
    parser.add_argument("--skip-checkdmarc", action="store_true")
    parser.add_argument("--skip-no-delay", action="store_true", help="only (b)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--worker",
        choices=("baseline", "pycares", "spotme", "spotme-dnspython", "checkdmarc", "checkdmarc-threads"),
        dest="run",
        help=argparse.SUPPRESS,
    )
    parser.add_argument("--server", help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.domains < 1 or args.concurrency < 1 or args.repeat < 1:
        parser.error("--domains, --concurrency and --repeat must be at least 1")
    if args.run:
        return worker(args)
    report = drive(args)
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
