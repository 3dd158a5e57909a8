"""Benchmark `spotme-dns generate` for 10 to 10,000 domains: wall time and peak memory.

Each size runs in a fresh Python process (`spotme-dns generate SPEC -o DIR --quiet`, the same
code path as the console command) on a spec written to a temporary directory: a mix of
Route 53 (zone lookup and literal zone_id), Cloudflare v5 and generic domains, some below their
zone, with DMARC reporting and kept TXT values. Reported per size:

- wall: the whole process, interpreter start and imports included (what a user waits for);
- generate: load + check spec, plan the tree, write it (measured inside the process, wall and CPU);
- load / plan / write: the same three phases called as a library, timed one by one, and the
  plan once more without the hand-off pages (the Terraform files alone). Since issue 13 the
  hand-off pages are rendered as they are written, so their cost is in *write*;
- peak RSS: the process's maximum resident set size (getrusage ru_maxrss).

Usage: python benchmarks/bench_generate.py [--sizes 10,100,1000,10000] [--repeat 3] [--markdown]
       [--workdir DIR]   (e.g. /dev/shm: the same work without the disk's file-creation cost)
Targets: 1,000 domains under 2 s and 200 MB on a 2-core machine (issue 2); 1,000 under 1 s,
10,000 under 10 s and 200 MB (issue 13).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

# Runs inside the measured process: the console command's code path, timed from the inside.
_CHILD = r"""
import json, resource, sys, time
start, cpu0 = time.perf_counter(), time.process_time()
from spotme_dns.cli import main
imported, cpu1 = time.perf_counter(), time.process_time()
code = main(["generate", sys.argv[1], "-o", sys.argv[2], "--quiet"])
done, cpu2 = time.perf_counter(), time.process_time()
rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"code": code, "import_s": imported - start, "run_s": done - imported,
                  "import_cpu_s": cpu1 - cpu0, "run_cpu_s": cpu2 - cpu1, "rss_mb": rss_kb / 1024}))
"""

# The phases of the same work, called as a library (no CLI imports): where the time goes.
_PHASES = r"""
import json, sys, time
from spotme_dns.generate import plan_tree, write_tree
from spotme_dns.spec import load_spec
t0 = time.perf_counter(); spec = load_spec([sys.argv[1]])
t1 = time.perf_counter(); tree = plan_tree(spec)
t2 = time.perf_counter(); write_tree(tree, sys.argv[2])
t3 = time.perf_counter(); plan_tree(spec, handoff_format=None)
t4 = time.perf_counter()
print(json.dumps({"load_s": t1 - t0, "plan_s": t2 - t1, "write_s": t3 - t2, "terraform_s": t4 - t3}))
"""


def token(i: int, k: int) -> str:
    """A deterministic 32-character Easy DKIM token."""
    return f"{i:08x}{k:02x}".ljust(32, "a")[:32]


def domain_entry(i: int) -> dict:
    """Domain number `i` of the benchmark fleet: providers and shapes rotate."""
    kind = i % 4
    entry: dict = {
        "domain": f"customer-{i:05d}.example" if kind != 3 else f"mail.customer-{i:05d}.example",
        "ses": {"dkim_tokens": [token(i, k) for k in range(3)]},
        "mandrill": {"verification": f"mandrill_verify.Key{i:08d}x"},
        "dmarc": {"policy": "quarantine", "rua": [f"mailto:dmarc@customer-{i:05d}.example"]},
    }
    if kind == 0:
        entry["provider"] = "route53"
        entry["keep_txt"] = [f"google-site-verification=site{i:010d}"]
    elif kind == 1:
        entry["provider"] = "route53"
        entry["zone_id"] = f"Z{i:020d}"
        entry["spf"] = {"keep": ["include:_spf.google.com", f"ip4:192.0.2.{i % 250}"]}
    elif kind == 2:
        entry["provider"] = "cloudflare"
        entry["zone_id"] = f"{i:032x}"
    else:
        entry["provider"] = "generic"
        entry["zone"] = f"customer-{i:05d}.example"
    return entry


def write_spec(path: Path, count: int) -> None:
    path.write_text(yaml.safe_dump({"version": 1, "domains": [domain_entry(i) for i in range(count)]}, sort_keys=False), encoding="utf-8")


def measure(count: int, workdir: Path) -> dict:
    """One run of generate for `count` domains in a fresh process."""
    spec = workdir / f"spec-{count}.yaml"
    if not spec.exists():
        write_spec(spec, count)
    out = workdir / f"out-{count}-{time.monotonic_ns()}"
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(spec), str(out)], capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"generate failed for {count} domains:\n{proc.stderr}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    if result["code"] != 0:
        raise SystemExit(f"generate exited {result['code']} for {count} domains:\n{proc.stderr}")
    files = sum(1 for _ in out.rglob("*") if _.is_file())
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    phases_out = workdir / f"phases-{count}-{time.monotonic_ns()}"
    proc = subprocess.run([sys.executable, "-c", _PHASES, str(spec), str(phases_out)], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"phases failed for {count} domains:\n{proc.stderr}")
    phases = json.loads(proc.stdout.strip().splitlines()[-1])
    return {"domains": count, "wall_s": wall, **result, **phases, "files": files, "bytes": size}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000,10000", help="comma-separated domain counts")
    parser.add_argument("--repeat", type=int, default=3, help="runs per size; the fastest is reported")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument(
        "--workdir",
        default=None,
        help="where specs and outputs go (default: the system temp dir); e.g. /dev/shm to leave the disk out",
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-generate-", dir=args.workdir) as tmp:
        for count in sizes:
            runs = [measure(count, Path(tmp)) for _ in range(args.repeat)]
            best = min(runs, key=lambda r: r["wall_s"])
            best["rss_mb"] = max(r["rss_mb"] for r in runs)
            for key in ("load_s", "plan_s", "write_s", "terraform_s"):
                best[key] = min(r[key] for r in runs)
            rows.append(best)
            if not args.markdown:
                print(
                    f"{count:>6} domains: wall {best['wall_s']:.2f} s (imports {best['import_s']:.2f} s, "
                    f"generate {best['run_s']:.2f} s, {best['run_cpu_s']:.2f} s CPU; load {best['load_s']:.2f} s, "
                    f"plan {best['plan_s']:.2f} s (Terraform only {best['terraform_s']:.2f} s), write {best['write_s']:.2f} s), peak RSS {best['rss_mb']:.0f} MB, "
                    f"{best['files']} files, {best['bytes'] / 1e6:.1f} MB written",
                    flush=True,
                )
    if args.markdown:
        print(
            "| domains | wall (s) | imports (s) | generate (s) | generate CPU (s) | load (s) | plan (s) "
            "| of which Terraform files (s) | write (s) | peak RSS (MB) | files | MB written |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in rows:
            print(
                f"| {r['domains']:,} | {r['wall_s']:.2f} | {r['import_s']:.2f} | {r['run_s']:.2f} | {r['run_cpu_s']:.2f} "
                f"| {r['load_s']:.2f} | {r['plan_s']:.2f} | {r['terraform_s']:.2f} | {r['write_s']:.2f} | {r['rss_mb']:.0f} | {r['files']:,} "
                f"| {r['bytes'] / 1e6:.1f} |"
            )
    load = os.getloadavg()
    print(f"(python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
