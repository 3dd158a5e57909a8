"""generate's output for a large fleet stays byte for byte what it was (issue 13: speed work only).

The examples' committed output covers each shape once; this covers the benchmark's rotating
fleet (Route 53 by zone name and by literal zone_id with kept SPF terms, Cloudflare, generic
below its zone) 400 domains at a time, with Markdown and HTML hand-off pages, split roots and
module style, so caching or reuse across domains that changed one domain's bytes shows here.
The digests were taken from the output before the speed work (commit 41b43cb).
"""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

import pytest
import yaml

from spotme_dns.generate import OutputTree, Style, plan_tree
from spotme_dns.handoff import HandoffFormat
from spotme_dns.spec import parse_spec_text

_BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_generate.py"


def _fleet_text(count: int) -> str:
    module_spec = importlib.util.spec_from_file_location("bench_generate", _BENCH)
    assert module_spec is not None and module_spec.loader is not None
    bench = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(bench)
    return yaml.safe_dump({"version": 1, "domains": [bench.domain_entry(i) for i in range(count)]}, sort_keys=False)


def _digest(tree: OutputTree) -> str:
    h = hashlib.sha256()
    for name in sorted(tree.files):
        h.update(name.encode() + b"\0" + tree.files[name] + b"\0")
    return h.hexdigest()


@pytest.fixture(scope="module")
def fleet():
    return parse_spec_text(_fleet_text(400), "fleet.yaml")


def test_plain_markdown_fleet_bytes_unchanged(fleet):
    assert _digest(plan_tree(fleet)) == "0649730557f77ee9cbe0b8fbd60f76b1c7e91a2b0c439b1543e5a4ff5a1c02a8"


def test_html_split_roots_fleet_bytes_unchanged(fleet):
    tree = plan_tree(fleet, handoff_format=HandoffFormat.HTML, split_roots=150)
    assert _digest(tree) == "6e365db8cefb311d5f078ce230409e5ef6e407d5403e86916f6f8748bea7c62d"


def test_module_style_fleet_bytes_unchanged(fleet):
    tree = plan_tree(fleet, style=Style.MODULE, modules_source="../terraform/modules")
    assert _digest(tree) == "660705acf64e75e8b0717b634a0182f1f802f613c92faf16683774e4c3f1800c"
