"""`validate` and `verify`: desired records, live answers, diff, checks -> one Report.

For every domain: find the zone's authoritative servers (or take `--nameserver`), ask each
of them about every desired name for the record's own type (and TXT where a planned CNAME
would sit beside other data: see `gather_live`), diff, then run the checks, which turn
servers that failed (SERVFAIL, REFUSED, timeout, a zone a server does not hold) into
`dns-error` findings. Every question goes through one `LiveDns`, which asks each
(server, name, type) once. Nothing here raises for DNS.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from .checks import run_checks
from .desired import SES_TOKEN_LABEL, DesiredDomain
from .diff import LiveView, diff_domain
from .dns_live import DnsLookupError, LiveAnswer, LiveDns, Outcome, Server
from .model import normalize_name
from .report import DomainReport, Finding, RecordResult, Report, Status


async def validate(
    desired_domains: Iterable[DesiredDomain],
    *,
    dns: LiveDns,
    command: str = "validate",
    notes: Iterable[Finding] = (),
    actions_known: bool = True,
    on_done: Callable[[DomainReport], None] | None = None,
) -> Report:
    """Diff every domain against live DNS and run the checks; never raises for DNS trouble.

    `notes` are the input's own warnings (run-wide findings). `actions_known` is False for
    inputs that are not a plan (`--tf`, `--spec`), where "create" does not mean "not yet
    managed by Terraform". `on_done` is called as each domain finishes (a progress bar).
    """
    domains = tuple(desired_domains)

    async def one(desired: DesiredDomain) -> DomainReport:
        report = await _domain_report(desired, dns, actions_known)
        if on_done is not None:
            on_done(report)
        return report

    reports = await asyncio.gather(*(one(d) for d in domains))
    return Report(domains=tuple(reports), command=command, findings=tuple(notes))


async def gather_live(desired: DesiredDomain, dns: LiveDns) -> LiveView:
    """Ask the zone's servers about every desired name for its record's own type.

    That is enough to see a CNAME beside other data (RFC 1034 §3.6.2) without asking CNAME
    and TXT everywhere: a server answers any other type at a CNAME name with the CNAME (the
    answer's `chain`, which the diff and the checks read), and a planned CNAME's name that
    exists without one answers the CNAME query NODATA. Only at such names is TXT asked too,
    so the diff can name the data the CNAME would sit beside; the checks probe the other
    types there themselves (through the same memoised `dns`, so TXT is not asked twice).
    """
    zone, servers, error = await _find_servers(dns, desired.zone)
    if error:
        return LiveView.build(zone, (), (), error)
    questions = list(dict.fromkeys((record.name, record.type.upper()) for record in desired.records))
    found = await _ask_all(dns, zone, questions)
    asked = {(normalize_name(name), rdtype) for name, rdtype in questions}
    beside = [
        (name, "TXT")
        for (name, rdtype), answers in zip(questions, found, strict=True)
        if rdtype == "CNAME"
        and (normalize_name(name), "TXT") not in asked
        and any(a.outcome is Outcome.NODATA and not a.chain for a in answers)
    ]
    if beside:
        found += await _ask_all(dns, zone, list(dict.fromkeys(beside)))
    return LiveView.build(zone, servers, [a for answers in found for a in answers])


async def _ask_all(dns: LiveDns, zone: str, questions: list[tuple[str, str]]) -> list[tuple[LiveAnswer, ...]]:
    # What a wildcard synthesises is no record (RFC 4592): `query_own` tells it apart.
    return list(await asyncio.gather(*(dns.query_own(zone, name, rdtype) for name, rdtype in questions)))


async def _find_servers(dns: LiveDns, zone: str) -> tuple[str, tuple[Server, ...], str]:
    """The zone's servers; for a zone inferred from record names, walk up to the real apex."""
    labels = zone.split(".")
    first_error = ""
    for i in range(max(len(labels) - 1, 1)):
        candidate = ".".join(labels[i:])
        try:
            return candidate, await dns.authoritative_servers(candidate), ""
        except DnsLookupError as err:
            first_error = first_error or str(err)
    return zone, (), first_error


async def _domain_report(desired: DesiredDomain, dns: LiveDns, actions_known: bool) -> DomainReport:
    live = await gather_live(desired, dns)
    if live.zone != desired.zone:
        desired = dataclasses.replace(desired, zone=live.zone)
    records = diff_domain(desired, live) + unknown_names(desired)
    findings = await run_checks(desired, live, dns, actions_known=actions_known)
    return DomainReport(domain=desired.domain, zone=live.zone, records=records, findings=findings, root=desired.root)


def unknown_names(desired: DesiredDomain) -> tuple[RecordResult, ...]:
    """Records whose names are known only after apply: `unknown`, with their address, never asked."""
    return tuple(
        RecordResult(
            name=r.name, type=r.type, expected=None, live=(), status=Status.UNKNOWN,
            detail=("the name is not known until apply (SES makes the token then)" if r.name.startswith(SES_TOKEN_LABEL)
                    else "the name is not known until apply") + (f": {r.address}" if r.address else ""),
            address=r.address,
        )
        for r in desired.unknown
    )


async def _pause(seconds: float) -> None:
    await asyncio.sleep(seconds)


#: The clock `poll` measures `wait` by (module attributes, so tests can stand in for time).
_clock: Callable[[], float] = time.monotonic


async def poll(
    run_round: Callable[[], Awaitable[Report]],
    *,
    wait: float,
    interval: float,
    done: Callable[[Report], bool],
    on_wait: Callable[[Report, float, float], Any] = lambda report, remaining, pause: None,
    clock: Callable[[], float] | None = None,
    sleep: Callable[[float], Awaitable[Any]] | None = None,
) -> Report:
    """Run rounds until `done(report)` or `wait` seconds have passed; returns the last report.

    `run_round` must ask afresh each time (a new `LiveDns`), so no answer is reused across
    rounds. Before each pause `on_wait(report, seconds left, pause)` reports progress.
    """
    now = clock or _clock
    pause_for = sleep or _pause
    deadline = now() + max(wait, 0.0)
    while True:
        report = await run_round()
        remaining = deadline - now()
        if done(report) or remaining <= 0:
            return report
        pause = min(max(interval, 0.0), remaining)
        on_wait(report, remaining, pause)
        await pause_for(pause)
