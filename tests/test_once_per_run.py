"""Each question is asked once per run (issue 13): shared include targets, DKIM key targets,
report authorisations and wildcard probes included, against a real BIND.

The world is a small version of benchmarks/bench_validate.py's: every domain publishes the
full SpotMe set; all share `_spf.spotme.com` (which includes `_spf2.spotme.com`) and the two
Mandrill keys; every `_dmarc` record sends reports to one external host. `LiveDns.stats`
counts every UDP/TCP exchange and resolver lookup, so it equals the number of distinct
questions exactly when none is asked twice (and none times out or is truncated).
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib.util
from pathlib import Path

import pytest

from spotme_dns import validation
from spotme_dns.dns_live import LiveDns
from spotme_dns.report import Status
from tests.support.bind import BindServer, zone_text

pytestmark = pytest.mark.bind

_BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_validate.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_validate", _BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BENCH = _bench()


def _serve_world(bind: BindServer, domains: list[str], *, extra: dict[str, list[str]] | None = None) -> None:
    zones = {d: BENCH.customer_zone(d) for d in domains}
    zones.update(BENCH.provider_zones(domains))
    for zone, lines in (extra or {}).items():
        zones[zone] = zones.get(zone, []) + lines
    bind.set_zones({zone: zone_text(zone, lines) for zone, lines in zones.items()})


def _validate(bind: BindServer, desired: list) -> tuple[object, LiveDns]:
    async def main():
        dns = LiveDns(nameservers=[bind.server], resolvers=[bind.server], zones=[d.zone for d in desired])
        return await validation.validate(desired, dns=dns), dns

    return asyncio.run(main())


def test_fleet_asks_every_question_once(bind: BindServer) -> None:
    """12 domains: 7 own names, 2 wildcard probes (one per parent and type: the apex's TXT
    parent, and `_domainkey` for all five DKIM CNAMEs), 3 SES keys and 1 report authorisation
    each, and the 4 shared questions (2 SPF includes, 2 Mandrill keys) once for the run."""
    domains = BENCH.domain_names(12)
    _serve_world(bind, domains)
    report, dns = _validate(bind, [BENCH.desired_domain(d) for d in domains])
    records = [r for d in report.domains for r in d.records]
    assert all(r.status is Status.IN_SYNC for r in records) and len(records) == 7 * 12
    assert [f for d in report.domains for f in d.findings] == []
    distinct = set(BENCH.questions(domains))
    assert len(distinct) == len(BENCH.questions(domains)) == 4 + 13 * 12
    assert dns.stats == len(distinct)


def test_report_destination_named_twice_is_asked_once(bind: BindServer) -> None:
    """`_dmarc` records naming one external host for rua twice and for ruf: one authorisation
    question per domain (RFC 7489 §7.1), on top of the fleet's usual count."""
    domains = BENCH.domain_names(3)
    host = BENCH.REPORTS_HOST
    text = {d: f"v=DMARC1; p=reject; rua=mailto:a@{host},mailto:b@{host}; ruf=mailto:c@{host}" for d in domains}
    zones = {d: [line for line in BENCH.customer_zone(d) if not line.startswith("_dmarc ")] + [f'_dmarc TXT "{text[d]}"'] for d in domains}
    zones.update(BENCH.provider_zones(domains))
    bind.set_zones({zone: zone_text(zone, lines) for zone, lines in zones.items()})
    desired = []
    for d in domains:
        plan = BENCH.desired_domain(d)
        records = tuple(
            dataclasses.replace(r, values=(text[d],)) if r.name == f"_dmarc.{d}" else r for r in plan.records
        )
        desired.append(dataclasses.replace(plan, records=records))
    report, dns = _validate(bind, desired)
    assert all(r.status is Status.IN_SYNC for d in report.domains for r in d.records)
    assert [f for d in report.domains for f in d.findings] == []
    assert dns.stats == 4 + 13 * 3
