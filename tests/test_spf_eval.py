"""SPF include/redirect trees and RFC 7208 §4.6.4 lookup counting, against a fake resolver."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import pytest

from spotme_dns.dns_live import LiveAnswer, Outcome
from spotme_dns.spf_eval import MAX_DEPTH, NodeStatus, describe_path, spf_tree


class FakeDns:
    """Answers `resolve` from a table; a name absent from the table does not exist."""

    def __init__(self, table: Mapping[tuple[str, str], object]) -> None:
        self.table = dict(table)
        self.asked: list[tuple[str, str]] = []

    async def resolve(self, name: str, rdtype: str) -> LiveAnswer:
        self.asked.append((name, rdtype))
        entry = self.table.get((name, rdtype))
        if isinstance(entry, Outcome):
            return LiveAnswer(None, name, rdtype, entry, (), None, "fake failure")
        if entry is None:
            exists = any(n == name for n, _ in self.table)
            outcome = Outcome.NODATA if exists else Outcome.NXDOMAIN
            return LiveAnswer(None, name, rdtype, outcome, (), None)
        values = (entry,) if isinstance(entry, str) else tuple(entry)
        return LiveAnswer(None, name, rdtype, Outcome.ANSWER, tuple(sorted(values)), 300)


def tree_of(table: Mapping[tuple[str, str], object], domain: str = "acme.test", record: str | None = None):
    return asyncio.run(spf_tree(domain, FakeDns(table), record=record))


SPOTME = {("_spf.spotme.test", "TXT"): "v=spf1 ip4:192.0.2.0/24 -all"}


def test_single_include_counts_one():
    """One include of a record with no lookups costs exactly one lookup."""
    tree = tree_of({("acme.test", "TXT"): "v=spf1 include:_spf.spotme.test -all", **SPOTME})
    assert tree.lookups == 1
    assert tree.void_lookups == 0
    assert tree.root.status is NodeStatus.OK
    assert [c.domain for c in tree.root.children] == ["_spf.spotme.test"]


def test_nested_includes_add_up():
    """Lookups of nested includes add up across the whole evaluation."""
    table = {
        ("acme.test", "TXT"): "v=spf1 include:a.test include:b.test -all",
        ("a.test", "TXT"): "v=spf1 include:a1.test include:a2.test ~all",
        ("a1.test", "TXT"): "v=spf1 ip4:192.0.2.1 -all",
        ("a2.test", "TXT"): "v=spf1 include:a3.test -all",
        ("a3.test", "TXT"): "v=spf1 ip6:2001:db8::/32 -all",
        ("b.test", "TXT"): "v=spf1 ip4:198.51.100.0/24 -all",
    }
    tree = tree_of(table)
    assert tree.lookups == 5  # a, b at the root; a1, a2 under a; a3 under a2
    assert [n.cost for n in tree.root.children] == [4, 1]
    assert tree.too_many_lookups is False


@pytest.mark.parametrize("qualifier", ["", "+", "~", "-", "?"], ids=["none", "plus", "softfail", "fail", "neutral"])
def test_qualified_include_counts(qualifier):
    """Every include counts, whatever its qualifier (`~include:` too)."""
    tree = tree_of({("acme.test", "TXT"): f"v=spf1 {qualifier}include:_spf.spotme.test -all", **SPOTME})
    assert tree.lookups == 1
    assert tree.root.children[0].via == f"{qualifier}include:_spf.spotme.test"


def test_over_ten_lookups():
    """Eleven includes across two levels is over the limit of 10."""
    inner = " ".join(f"include:i{i}.test" for i in range(6))
    table = {
        ("acme.test", "TXT"): "v=spf1 include:big.test mx a -all",
        ("big.test", "TXT"): f"v=spf1 {inner} ~all",
        ("acme.test", "MX"): "10 mail.acme.test",
        ("acme.test", "A"): "192.0.2.10",
        **{(f"i{i}.test", "TXT"): "v=spf1 a:host.test -all" for i in range(6)},
        ("host.test", "A"): "192.0.2.20",
    }
    tree = tree_of(table)
    assert tree.lookups == 3 + 6 + 6
    assert tree.too_many_lookups is True
    path = tree.costliest_path()
    assert [n.domain for n in path] == ["acme.test", "big.test", "i0.test"]
    assert describe_path(path) == "acme.test (15) -> include:big.test (13) -> include:i0.test (2)"


def test_redirect_counts_and_is_followed():
    """A redirect without `all` counts one lookup and its target's lookups are added."""
    table = {
        ("acme.test", "TXT"): "v=spf1 ip4:192.0.2.1 redirect=_spf.acme.test",
        ("_spf.acme.test", "TXT"): "v=spf1 include:_spf.spotme.test mx:acme.test -all",
        ("acme.test", "MX"): "10 mail.acme.test",
        **SPOTME,
    }
    tree = tree_of(table)
    assert tree.lookups == 3
    assert [c.via for c in tree.root.children] == ["redirect=_spf.acme.test"]
    assert tree.authorizes("_spf.spotme.test")


def test_redirect_ignored_beside_all():
    """RFC 7208 §6.1: with an `all` mechanism the redirect is ignored: not counted, not followed."""
    table = {
        ("acme.test", "TXT"): "v=spf1 include:_spf.spotme.test redirect=elsewhere.test -all",
        ("elsewhere.test", "TXT"): "v=spf1 include:x.test include:y.test -all",
        **SPOTME,
    }
    fake = FakeDns(table)
    tree = asyncio.run(spf_tree("acme.test", fake))
    assert tree.lookups == 1
    assert [c.domain for c in tree.root.children] == ["_spf.spotme.test"]
    assert ("elsewhere.test", "TXT") not in fake.asked


@pytest.mark.parametrize(
    "table, loop",
    [
        ({("acme.test", "TXT"): "v=spf1 include:acme.test -all"}, "acme.test -> acme.test"),
        (
            {
                ("acme.test", "TXT"): "v=spf1 include:a.test -all",
                ("a.test", "TXT"): "v=spf1 include:b.test -all",
                ("b.test", "TXT"): "v=spf1 redirect=a.test",
            },
            "a.test -> b.test -> a.test",
        ),
    ],
    ids=["self-include", "include-redirect-cycle"],
)
def test_loops_detected(table, loop):
    """An include/redirect cycle is found, reported with its path, and the walk ends."""
    tree = tree_of(table)
    loops = tree.with_status(NodeStatus.LOOP)
    assert len(loops) == 1
    assert loops[0][-1].detail == f"loop: {loop}"


def test_diamond_is_not_a_loop():
    """The same include reached by two branches is counted twice, but is no loop."""
    table = {
        ("acme.test", "TXT"): "v=spf1 include:a.test include:b.test -all",
        ("a.test", "TXT"): "v=spf1 include:c.test -all",
        ("b.test", "TXT"): "v=spf1 include:c.test -all",
        ("c.test", "TXT"): "v=spf1 ip4:192.0.2.1 -all",
    }
    tree = tree_of(table)
    assert tree.lookups == 4
    assert tree.with_status(NodeStatus.LOOP) == ()


def test_void_lookups_counted():
    """NXDOMAIN and no-data answers of a, mx, exists and include targets are void lookups."""
    table = {
        ("acme.test", "TXT"): "v=spf1 a:gone.test mx:nomx.test exists:e.test include:missing.test -all",
        ("nomx.test", "A"): "192.0.2.1",
        ("e.test", "TXT"): "v=spf1 -all",
    }
    tree = tree_of(table)
    assert tree.lookups == 4
    assert tree.void_lookups == 4
    assert tree.too_many_void_lookups is True
    assert [t.void for t in tree.root.terms] == [True, True, True]
    missing = tree.with_status(NodeStatus.NOT_FOUND)
    assert [p[-1].domain for p in missing] == ["missing.test"]


def test_a_term_with_aaaa_only_is_not_void():
    """An `a` term whose host has only an AAAA record is not a void lookup."""
    table = {
        ("acme.test", "TXT"): "v=spf1 a:v6.test -all",
        ("v6.test", "AAAA"): "2001:db8::1",
    }
    tree = tree_of(table)
    assert tree.lookups == 1
    assert tree.void_lookups == 0


@pytest.mark.parametrize(
    "record, lookups",
    [
        ("v=spf1 a mx ptr exists:%{i}.e.test -all", 4),
        ("v=spf1 a/24 mx//64 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all", 2),
        ("v=spf1 ~a:h.test ?mx:h.test -ptr:h.test +exists:h.test ~all", 4),
        ("v=spf1 ip4:192.0.2.1 exp=explain.test -all", 0),
    ],
    ids=["a-mx-ptr-exists", "cidr-forms", "qualified", "exp-not-counted"],
)
def test_mechanism_counting(record, lookups):
    """a, mx, ptr and exists count one each; ip4, ip6, all and exp count nothing."""
    table = {
        ("acme.test", "TXT"): record,
        ("acme.test", "A"): "192.0.2.1",
        ("acme.test", "MX"): "10 mx.acme.test",
        ("h.test", "A"): "192.0.2.2",
        ("h.test", "MX"): "10 mx.h.test",
    }
    tree = tree_of(table)
    assert tree.lookups == lookups
    assert tree.void_lookups == 0


def test_macro_and_ptr_not_looked_up():
    """Terms that need the sender (ptr, macros) are counted but never sent to DNS."""
    fake = FakeDns({("acme.test", "TXT"): "v=spf1 ptr include:%{d}.spf.test exists:%{i}.x.test -all"})
    tree = asyncio.run(spf_tree("acme.test", fake))
    assert tree.lookups == 3
    assert fake.asked == [("acme.test", "TXT")]
    assert tree.root.children[0].status is NodeStatus.NOT_FOLLOWED


def test_given_record_is_not_looked_up():
    """With the record text given (the state after apply), the root is not asked of DNS."""
    fake = FakeDns(SPOTME)
    tree = asyncio.run(spf_tree("acme.test", fake, record="v=spf1 include:_spf.spotme.test -all"))
    assert tree.lookups == 1
    assert ("acme.test", "TXT") not in fake.asked


@pytest.mark.parametrize(
    "entry, status",
    [
        ("google-site-verification=abc", NodeStatus.NOT_FOUND),
        (("v=spf1 -all", "v=spf1 ~all"), NodeStatus.MULTIPLE),
        ("v=spf1 include: -all", NodeStatus.SYNTAX),
        (Outcome.SERVFAIL, NodeStatus.DNS_ERROR),
        (Outcome.TIMEOUT, NodeStatus.DNS_ERROR),
    ],
    ids=["no-spf-among-txt", "two-spf", "bad-syntax", "servfail", "timeout"],
)
def test_include_target_problems(entry, status):
    """An include target without exactly one valid SPF record is reported with why."""
    tree = tree_of({("acme.test", "TXT"): "v=spf1 include:t.test -all", ("t.test", "TXT"): entry})
    child = tree.root.children[0]
    assert child.status is status
    assert child.detail


def test_mx_over_ten_names_is_a_problem():
    """An `mx` term whose domain has more than 10 MX names is flagged (RFC 7208 §4.6.4)."""
    table = {
        ("acme.test", "TXT"): "v=spf1 mx -all",
        ("acme.test", "MX"): tuple(f"10 mx{i}.acme.test" for i in range(11)),
    }
    tree = tree_of(table)
    assert "more than 10" in tree.root.terms[0].problem


def test_depth_is_bounded():
    """A chain deeper than MAX_DEPTH is cut off (and is far over the limit anyway)."""
    table = {(f"l{i}.test", "TXT"): f"v=spf1 include:l{i + 1}.test -all" for i in range(40)}
    table[("acme.test", "TXT")] = "v=spf1 include:l0.test -all"
    tree = tree_of(table)
    assert tree.too_many_lookups
    assert len(tree.costliest_path()) == MAX_DEPTH + 2
    assert tree.costliest_path()[-1].status is NodeStatus.NOT_FOLLOWED


def test_authorizes_needs_pass_qualifier():
    """`~include:` of the SpotMe record does not authorise SpotMe (a match would softfail)."""
    soft = tree_of({("acme.test", "TXT"): "v=spf1 ~include:_spf.spotme.test -all", **SPOTME})
    nested = tree_of(
        {
            ("acme.test", "TXT"): "v=spf1 include:mid.test -all",
            ("mid.test", "TXT"): "v=spf1 include:_spf.spotme.test -all",
            **SPOTME,
        }
    )
    assert not soft.authorizes("_spf.spotme.test")
    assert nested.authorizes("_SPF.spotme.test.")
