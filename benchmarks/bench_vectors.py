"""How right the SPF and DMARC grammar is: spotme-dns and checkdmarc on the same published vectors.

The vectors are tests/data/vectors/{spf,dmarc}.json (sources and verdict rules in SOURCES.md
there): record texts from RFC 7208's own test suite and the parser tests of mox, checkdmarc,
dnscontrol, stalwart and Mail::DMARC, each with the verdict of the RFC grammar (RFC 7208 §12,
RFC 9989). Each tool says "valid" or "invalid" per record; the score counts agreements, false
alarms (a valid record called invalid) and misses (an invalid record called valid). The
last column counts agreement with the verdict of the source's own parser instead, where the
RFC verdict differs (`source_valid`; RFC 9989 changes, lenient receivers: see SOURCES.md).

- spotme-dns: what validate's checks run on a planned record: `is_spf` then `parse_spf`
  (invalid: not an SPF record, or `SpfSyntaxError`); `is_dmarc` then `parse_dmarc`. The test
  tests/test_vectors.py shows validate itself gives the same verdicts against a real BIND.
- checkdmarc: `checkdmarc.spf.parse_spf_record(record, domain)` and
  `checkdmarc.dmarc.parse_dmarc_record(record, domain)`, with a resolver that answers every
  question NXDOMAIN at once (nothing leaves the machine). Invalid: it raises a syntax error
  (`SPFSyntaxError`; `DMARCSyntaxError` or "not a DMARC record" `UnrelatedTXTRecordFoundAtDMARC`).
  Errors about DNS (an include that does not resolve, too many lookups) are not about
  syntax, so they count as "valid", as the vectors' verdicts are about syntax.

    pip install -e '.[bench]'
    python benchmarks/bench_vectors.py              # the table, as in docs/benchmarks.md
    python benchmarks/bench_vectors.py --wrong      # and every record each tool gets wrong
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VECTORS = REPO / "tests" / "data" / "vectors"
DOMAIN = "example.com"

Judge = Callable[[str], bool]


def spotme_judges() -> dict[str, Judge]:
    from spotme_dns.dmarc import DmarcSyntaxError, is_dmarc, parse_dmarc
    from spotme_dns.spf import SpfSyntaxError, is_spf, parse_spf

    def spf(record: str) -> bool:
        if not is_spf(record):
            return False
        try:
            parse_spf(record)
        except SpfSyntaxError:
            return False
        return True

    def dmarc(record: str) -> bool:
        if not is_dmarc(record):
            return False
        try:
            parse_dmarc(record)
        except DmarcSyntaxError:
            return False
        return True

    return {"spf": spf, "dmarc": dmarc}


def checkdmarc_judges() -> dict[str, Judge]:
    import checkdmarc.dmarc
    import checkdmarc.spf
    import dns.resolver

    class Nxdomain(dns.resolver.Resolver):
        """Every question answered NXDOMAIN at once: no network, no waiting."""

        def __init__(self) -> None:
            super().__init__(configure=False)
            self.nameservers = ["192.0.2.1"]

        def resolve(self, qname, *args, **kwargs):  # type: ignore[no-untyped-def,override]
            raise dns.resolver.NXDOMAIN(qnames=[dns.name.from_text(str(qname))], responses={})

    resolver = Nxdomain()

    def spf(record: str) -> bool:
        try:
            checkdmarc.spf.parse_spf_record(record, DOMAIN, resolver=resolver, timeout=0.1)
        except checkdmarc.spf.SPFSyntaxError:
            return False
        except Exception:  # noqa: BLE001 - DNS-level errors say nothing about syntax
            return True
        return True

    def dmarc(record: str) -> bool:
        syntax = (checkdmarc.dmarc.DMARCSyntaxError, checkdmarc.dmarc.UnrelatedTXTRecordFoundAtDMARC)
        try:
            checkdmarc.dmarc.parse_dmarc_record(record, DOMAIN, resolver=resolver, timeout=0.1)
        except syntax:
            return False
        except Exception:  # noqa: BLE001 - DNS-level errors say nothing about syntax
            return True
        return True

    return {"spf": spf, "dmarc": dmarc}


def score(kind: str, judge: Judge) -> dict:
    vectors = json.loads((VECTORS / f"{kind}.json").read_text())["vectors"]
    started = time.perf_counter()
    verdicts = [judge(v["record"]) for v in vectors]
    seconds = time.perf_counter() - started
    wrong = [(v, said) for v, said in zip(vectors, verdicts, strict=True) if said != v["valid"]]
    return {
        "vectors": len(vectors),
        "valid": sum(v["valid"] for v in vectors),
        "right": len(vectors) - len(wrong),
        "agrees_with_source": sum(
            1 for v, said in zip(vectors, verdicts, strict=True) if said == v.get("source_valid", v["valid"])
        ),
        "false_alarms": sum(1 for v, _ in wrong if v["valid"]),
        "misses": sum(1 for v, _ in wrong if not v["valid"]),
        "seconds": seconds,
        "wrong": [{"record": v["record"], "expected": v["valid"], "source": v["source"], "case": v["case"]} for v, _ in wrong],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wrong", action="store_true", help="list every record each tool gets wrong")
    parser.add_argument("--json", metavar="FILE", help="write the full results as JSON")
    args = parser.parse_args(argv)
    tools = {"spotme-dns": spotme_judges(), "checkdmarc": checkdmarc_judges()}
    results = {tool: {kind: score(kind, judge) for kind, judge in judges.items()} for tool, judges in tools.items()}
    print("| tool | vectors | right (RFC verdict) | false alarms | misses | score | agrees with the source's own verdict |")
    print("|---|---|---|---|---|---|---|")
    for kind in ("spf", "dmarc"):
        for tool, by_kind in results.items():
            r = by_kind[kind]
            print(f"| {tool} {kind.upper()} | {r['vectors']} ({r['valid']} valid) | {r['right']} | "
                  f"{r['false_alarms']} | {r['misses']} | {100 * r['right'] / r['vectors']:.1f}% | {r['agrees_with_source']} |")
    if args.wrong:
        for tool, by_kind in results.items():
            for kind, r in by_kind.items():
                for w in r["wrong"]:
                    said = "invalid" if w["expected"] else "valid"
                    print(f"{tool} {kind}: says {said}: {w['record']!r} ({w['source']}: {w['case']})", file=sys.stderr)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
