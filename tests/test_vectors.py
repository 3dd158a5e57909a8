"""Published SPF and DMARC test vectors, written as planned records and judged by validate.

The vectors are data copied from public test suites (tests/data/vectors/SOURCES.md): RFC
7208's own suite (openspf, as shipped with pyspf), the syntax tests of mox, checkdmarc and
dnscontrol, and the DMARC parser tests of mox, checkdmarc, stalwart and Mail::DMARC. Each
carries the verdict of RFC 7208 / RFC 9989's grammar (`valid`; where the source's parser
disagreed, `source_valid` and a `note` say why).

Every vector becomes a planned TXT record of its own domain in one `validate` run against a
real BIND serving the (empty) zone: a valid record gets no validity finding (the record is
seen as exactly one record of its kind, with good syntax); an invalid one gets an `spf-` or
`dmarc-` error. Lookups the checks make beyond that (include targets) are not the point here.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from spotme_dns.desired import DesiredDomain, DesiredRecord
from spotme_dns.dns_live import LiveDns
from spotme_dns.report import Report, Severity
from spotme_dns.validation import validate

VECTORS = Path(__file__).parent / "data" / "vectors"
ZONE = "vectors.test"
#: The findings that say a record is not one valid record of its kind.
VALIDITY = {
    "spf": {"spf-missing", "spf-multiple-records", "spf-syntax"},
    "dmarc": {"dmarc-missing", "dmarc-multiple-records", "dmarc-syntax"},
}


def load(kind: str) -> list[dict]:
    return json.loads((VECTORS / f"{kind}.json").read_text())["vectors"]


def planned(kind: str, index: int, record: str) -> DesiredDomain:
    domain = f"{kind}{index}.{ZONE}"
    name = domain if kind == "spf" else f"_dmarc.{domain}"
    return DesiredDomain(domain, ZONE, (DesiredRecord(name, "TXT", (record,)),))


@pytest.fixture(scope="module")
def judged(bind) -> dict[str, Report]:
    """One validate run per kind over every vector, against BIND serving the empty zone."""
    bind.set_zones({ZONE: []})

    async def run(kind: str) -> Report:
        dns = LiveDns(nameservers=[bind.server], resolvers=[bind.server], timeout=0.5, retries=0)
        domains = [planned(kind, i, v["record"]) for i, v in enumerate(load(kind))]
        return await validate(domains, dns=dns)

    return {kind: asyncio.run(run(kind)) for kind in ("spf", "dmarc")}


def test_the_vector_files_name_their_sources() -> None:
    """Every vector names a source listed with repo, path, commit and license."""
    for kind in ("spf", "dmarc"):
        doc = json.loads((VECTORS / f"{kind}.json").read_text())
        for vector in doc["vectors"]:
            source = doc["sources"][vector["source"]]
            assert {"repo", "path", "commit", "license"} <= set(source)
            assert len(source["commit"]) == 40
        assert len({v["record"] for v in doc["vectors"]}) == len(doc["vectors"])
    assert "SOURCES" in (VECTORS / "SOURCES.md").read_text().upper()


@pytest.mark.parametrize("kind", ["spf", "dmarc"])
def test_every_vector_is_judged_as_its_rfc_says(judged: dict[str, Report], kind: str) -> None:
    """Valid: no validity finding at all. Invalid: an error whose code starts with the kind."""
    vectors = load(kind)
    report = judged[kind]
    by_domain = {d.domain: d for d in report.domains}
    wrong = []
    for i, vector in enumerate(vectors):
        findings = by_domain[f"{kind}{i}.{ZONE}"].findings
        if vector["valid"]:
            said = [f for f in findings if f.code in VALIDITY[kind]]
        else:
            said = [] if any(f.severity is Severity.ERROR and f.code.startswith(f"{kind}-") for f in findings) else ["none"]
        if said:
            wrong.append((vector["record"], vector["source"], vector["case"], [getattr(f, "message", f) for f in said]))
    assert not wrong, "\n".join(map(repr, wrong))
    assert sum(v["valid"] for v in vectors) and sum(not v["valid"] for v in vectors)


def planned_elsewhere(kind: str, index: int, record: str) -> DesiredDomain:
    """The vector away from the domain's own SPF/DMARC names: a MAIL FROM subdomain's SPF, a
    subdomain's DMARC, in a domain whose own records are fine."""
    domain = f"away{kind}{index}.{ZONE}"
    name = f"bounce.{domain}" if kind == "spf" else f"_dmarc.sub.{domain}"
    return DesiredDomain(domain, ZONE, (
        DesiredRecord(domain, "TXT", ("v=spf1 -all",)),
        DesiredRecord(f"_dmarc.{domain}", "TXT", ("v=DMARC1; p=reject",)),
        DesiredRecord(name, "TXT", (record,)),
    ))


@pytest.mark.parametrize("kind", ["spf", "dmarc"])
def test_every_planned_record_is_checked_wherever_it_is(bind, kind: str) -> None:
    """An invalid SPF or DMARC record planned at any name gets its `-syntax` error there; a
    valid one none. (Records that are not SPF/DMARC at all say nothing away from the domain.)"""
    bind.set_zones({ZONE: []})
    vectors = [v for v in load(kind) if v["record"].lower().lstrip().startswith(f"v={kind}") or v["valid"]]

    async def run() -> Report:
        dns = LiveDns(nameservers=[bind.server], resolvers=[bind.server], timeout=0.5, retries=0)
        return await validate([planned_elsewhere(kind, i, v["record"]) for i, v in enumerate(vectors)], dns=dns)

    report = asyncio.run(run())
    wrong = []
    for i, (vector, domain) in enumerate(zip(vectors, report.domains, strict=True)):
        assert domain.domain == f"away{kind}{i}.{ZONE}"
        name = f"bounce.{domain.domain}" if kind == "spf" else f"_dmarc.sub.{domain.domain}"
        said = any(f.code == f"{kind}-syntax" and f.name == name for f in domain.findings)
        if said == vector["valid"]:
            wrong.append((vector["record"], vector["source"], vector["case"]))
    assert not wrong, "\n".join(map(repr, wrong))
