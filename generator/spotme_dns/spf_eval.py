"""Following an SPF record through DNS: the include/redirect tree and what it costs.

RFC 7208 §4.6.4 limits one SPF evaluation to 10 terms that cause DNS queries (`include`, `a`,
`mx`, `ptr`, `exists`, `redirect`) and recommends at most 2 "void" lookups (NXDOMAIN, or an
answer with no records). Both limits apply to the whole evaluation, nested includes and
redirects included, so they can only be judged by walking the tree. `spf_tree` does that walk
once and keeps every branch, so callers can say which include chain costs the most.

The walk is a static, worst-case count: every term is assumed to be reached (an evaluator stops
at the first match, but which term matches depends on the sender). Terms whose domain holds a
macro (`%{i}` ...) or `ptr` (needs the sender's address) count as a lookup but are not followed.

DNS is reached only through `SpfResolver.resolve` (LiveDns satisfies it), so the walk runs
against a fake resolver in tests; every name is asked at most once per LiveDns.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable
from dataclasses import dataclass
from enum import Enum
from typing import Protocol, TypeVar

from .dns_live import LiveAnswer, Outcome
from .spf import LOOKUP_LIMIT, VOID_LOOKUP_LIMIT, SpfSyntaxError, Term, is_spf, parse_spf

#: Deeper than this cannot pass anyway: each level costs at least one lookup (RFC 7208 §4.6.4).
MAX_DEPTH = LOOKUP_LIMIT + 1
#: A bound on the nodes of one tree, so a pathological fan-out cannot make a run unbounded.
MAX_NODES = 400
#: RFC 7208 §4.6.4: an `mx` term whose MX set exceeds 10 names is a permerror.
MX_LIMIT = 10

_T = TypeVar("_T")

#: Parsing is pure and records are immutable; a fleet shares most include records
#: (`_spf.spotme.com` in every tree), so each text is parsed once per process.
parse_spf_cached = functools.lru_cache(maxsize=4096)(parse_spf)


async def gather_all(awaitables: list[Awaitable[_T]]) -> list[_T]:
    """`asyncio.gather`, minus the task per awaitable when there are none or one to wait for.

    Over a thousand domains most lists here are empty or hold one item, and a task each is
    the largest CPU cost of the checks (measured in benchmarks/bench_validate.py).
    """
    if not awaitables:
        return []
    if len(awaitables) == 1:
        return [await awaitables[0]]
    return list(await asyncio.gather(*awaitables))


class SpfResolver(Protocol):
    """What the walk needs from DNS: a CNAME-following lookup that never raises for DNS."""

    async def resolve(self, name: str, rdtype: str) -> LiveAnswer: ...


class NodeStatus(str, Enum):
    """What was found at one node of the tree."""

    OK = "ok"
    """Exactly one valid SPF record."""
    NOT_FOUND = "not-found"
    """No SPF record at the name (NXDOMAIN, no TXT, or TXT without `v=spf1`): an include or
    redirect of it is a permerror (RFC 7208 §5.2, §6.1)."""
    MULTIPLE = "multiple"
    """More than one SPF record: permerror (RFC 7208 §4.5)."""
    SYNTAX = "syntax"
    """The record does not follow the RFC 7208 grammar: permerror."""
    DNS_ERROR = "dns-error"
    """The lookup failed (SERVFAIL, timeout, ...): temperror."""
    LOOP = "loop"
    """The name is already on the path from the root: the evaluation would never end."""
    NOT_FOLLOWED = "not-followed"
    """Counted, not followed: a macro in the domain, or deeper than `MAX_DEPTH`/`MAX_NODES`."""

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class TermLookup:
    """One DNS-querying `a`, `mx`, `exists` or `ptr` term of a record and what its lookup gave."""

    term: str
    """The term as written, e.g. `~mx:mail.example.com`."""
    names: tuple[str, ...]
    """The names looked up (empty when not looked up: `ptr`, macros)."""
    void: bool
    """RFC 7208 §4.6.4: every lookup gave NXDOMAIN or no records."""
    problem: str = ""
    """A failure or a limit broken by this term (e.g. more than 10 MX names)."""


@dataclass(frozen=True)
class SpfNode:
    """One SPF record in the tree: the root, or what an `include`/`redirect` led to."""

    domain: str
    """The name whose SPF record this is, lower-case without the trailing dot."""
    via: str
    """The term that led here (`include:x`, `~include:x`, `redirect=x`); `` for the root."""
    status: NodeStatus
    record: str = ""
    """The SPF record text, when one was found."""
    detail: str = ""
    """Why the status, in words (the DNS outcome, the syntax error, the loop path)."""
    own_lookups: int = 0
    """DNS-querying terms of this record alone (RFC 7208 §4.6.4; redirect ignored beside `all`)."""
    own_void_lookups: int = 0
    """Void lookups caused by this record's own `a`/`mx`/`exists` terms and by its include or
    redirect targets that do not exist or hold no TXT."""
    terms: tuple[TermLookup, ...] = ()
    children: tuple[SpfNode, ...] = ()
    """Include and redirect targets, in the record's order."""

    @property
    def lookups(self) -> int:
        """DNS-querying terms of this record and everything below it."""
        return self.own_lookups + sum(child.lookups for child in self.children)

    @property
    def cost(self) -> int:
        """What this branch costs the evaluation: the include/redirect term itself plus `lookups`."""
        return self.lookups + (1 if self.via else 0)

    @property
    def void_lookups(self) -> int:
        return self.own_void_lookups + sum(child.void_lookups for child in self.children)

    def walk(self) -> tuple[SpfNode, ...]:
        """This node and every node below it, depth first, in record order."""
        out: list[SpfNode] = [self]
        for child in self.children:
            out.extend(child.walk())
        return tuple(out)


@dataclass(frozen=True)
class SpfTree:
    """The include/redirect tree of one domain's SPF record, with the RFC 7208 §4.6.4 counts."""

    domain: str
    root: SpfNode

    @property
    def lookups(self) -> int:
        """DNS-querying terms across the whole evaluation (limit `LOOKUP_LIMIT`)."""
        return self.root.lookups

    @property
    def void_lookups(self) -> int:
        """Void lookups across the whole evaluation (limit `VOID_LOOKUP_LIMIT`)."""
        return self.root.void_lookups

    @property
    def too_many_lookups(self) -> bool:
        return self.lookups > LOOKUP_LIMIT

    @property
    def too_many_void_lookups(self) -> bool:
        return self.void_lookups > VOID_LOOKUP_LIMIT

    def nodes(self) -> tuple[SpfNode, ...]:
        return self.root.walk()

    def with_status(self, status: NodeStatus) -> tuple[tuple[SpfNode, ...], ...]:
        """The path from the root to every node with `status` (the node last)."""
        return tuple(path for path in _paths(self.root, ()) if path[-1].status is status)

    def costliest_path(self) -> tuple[SpfNode, ...]:
        """The root and then, at each level, the child whose subtree costs the most lookups.

        This is "the include chain that costs the most": what to flatten or drop first.
        Ties go to the first child in record order, so the answer is deterministic.
        """
        path = [self.root]
        while path[-1].children:
            children = path[-1].children
            best = max(range(len(children)), key=lambda i: (children[i].cost, -i))
            path.append(children[best])
        return tuple(path)

    def authorizes(self, domain: str) -> bool:
        """Whether `domain`'s record is reached through `+` includes and redirects only.

        An `~include:` or `-include:` of it would turn its match into softfail or fail.
        """
        target = _normalise(domain)
        return any(
            path[-1].domain == target and all(_passes(node.via) for node in path[1:]) for path in _paths(self.root, ())
        )


def _passes(via: str) -> bool:
    """An unqualified or `+` include, or a redirect: a match below it is a pass."""
    return via.lower().startswith(("include:", "+include:", "redirect="))


def _paths(node: SpfNode, prefix: tuple[SpfNode, ...]) -> list[tuple[SpfNode, ...]]:
    path = (*prefix, node)
    out = [path]
    for child in node.children:
        out.extend(_paths(child, path))
    return out


def describe_path(path: tuple[SpfNode, ...]) -> str:
    """`a.com (6) -> include:b.com (5) -> include:c.com (2)`: each branch with its cost in lookups."""
    parts = []
    for node in path:
        label = node.via or node.domain
        parts.append(f"{label} ({node.cost})")
    return " -> ".join(parts)


async def spf_tree(domain: str, dns: SpfResolver, *, record: str | None = None) -> SpfTree:
    """Walk `domain`'s SPF record and every include/redirect below it.

    `record` is the SPF text to start from (the record as applying a plan would leave it);
    without it the record is looked up. Every lookup goes through `dns.resolve`, which follows
    CNAMEs like an SPF evaluator's resolver does. Never raises for DNS outcomes.
    """
    walker = _Walker(dns)
    root_domain = _normalise(domain)
    if record is None:
        root = await walker.node(root_domain, "", path=(), depth=0)
    else:
        root = await walker.from_text(root_domain, "", record, path=(), depth=0)
    return SpfTree(root_domain, root)


# --------------------------------------------------------------------------- the walk


def _normalise(name: str) -> str:
    return name.strip().rstrip(".").lower()


def spf_values(values: tuple[str, ...]) -> tuple[str, ...]:
    """The SPF records among TXT values (RFC 7208 §4.5: those starting `v=spf1`)."""
    return tuple(v for v in values if is_spf(v))


@dataclass(frozen=True)
class _Fetched:
    """What looking up a name's SPF record gave."""

    status: NodeStatus
    record: str = ""
    detail: str = ""
    void: bool = False


class _Walker:
    """One walk: counts nodes so the tree stays bounded; lookups are shared via the resolver."""

    def __init__(self, dns: SpfResolver) -> None:
        self._dns = dns
        self._nodes = 0

    async def node(self, domain: str, via: str, *, path: tuple[str, ...], depth: int) -> SpfNode:
        """The node for `domain` reached by `via`: looked up, checked, and walked below."""
        self._nodes += 1
        if "%" in domain:
            return SpfNode(
                domain, via, NodeStatus.NOT_FOLLOWED, detail="the domain holds a macro: known only when mail arrives"
            )
        if domain in path:
            loop = " -> ".join((*path[path.index(domain) :], domain))
            return SpfNode(domain, via, NodeStatus.LOOP, detail=f"loop: {loop}")
        if depth > MAX_DEPTH or self._nodes > MAX_NODES:
            return SpfNode(
                domain, via, NodeStatus.NOT_FOLLOWED, detail="not followed: the tree is already too deep or too wide"
            )
        fetched = await self._fetch(domain)
        if fetched.status is not NodeStatus.OK:
            return SpfNode(
                domain, via, fetched.status, fetched.record, fetched.detail, own_void_lookups=int(fetched.void)
            )
        return await self.from_text(domain, via, fetched.record, path=path, depth=depth)

    async def from_text(self, domain: str, via: str, text: str, *, path: tuple[str, ...], depth: int) -> SpfNode:
        """The node for a record whose text is already known."""
        try:
            parsed = parse_spf_cached(text)
        except SpfSyntaxError as err:
            return SpfNode(domain, via, NodeStatus.SYNTAX, text, str(err))
        counted = parsed.lookup_terms
        below = (*path, domain)
        follow = [t for t in counted if t.name == "include" or (t.is_modifier and t.name == "redirect")]
        lookups = [t for t in counted if t not in follow]
        done = await gather_all(
            [
                *(self.node(_normalise(t.value), t.text, path=below, depth=depth + 1) for t in follow),
                *(self._term(domain, t) for t in lookups),
            ]
        )
        children = [d for d in done if isinstance(d, SpfNode)]
        terms = [d for d in done if isinstance(d, TermLookup)]
        return SpfNode(
            domain,
            via,
            NodeStatus.OK,
            text,
            own_lookups=len(counted),
            own_void_lookups=sum(1 for t in terms if t.void),
            terms=tuple(terms),
            children=tuple(children),
        )

    async def _fetch(self, domain: str) -> _Fetched:
        answer = await self._dns.resolve(domain, "TXT")
        if answer.outcome is Outcome.NXDOMAIN:
            return _Fetched(NodeStatus.NOT_FOUND, detail=f"{domain} does not exist (NXDOMAIN)", void=True)
        if answer.outcome is Outcome.NODATA:
            return _Fetched(NodeStatus.NOT_FOUND, detail=f"{domain} has no TXT record", void=True)
        if answer.outcome is not Outcome.ANSWER:
            why = f" ({answer.detail})" if answer.detail else ""
            where = f" from {answer.server}" if answer.server else ""
            return _Fetched(
                NodeStatus.DNS_ERROR, detail=f"TXT lookup of {domain}{where} gave {answer.outcome.value}{why}"
            )
        records = spf_values(answer.values)
        if not records:
            return _Fetched(NodeStatus.NOT_FOUND, detail=f"{domain} has TXT records but none starts with v=spf1")
        if len(records) > 1:
            return _Fetched(NodeStatus.MULTIPLE, records[0], f"{domain} has {len(records)} SPF records")
        return _Fetched(NodeStatus.OK, records[0])

    async def _term(self, domain: str, term: Term) -> TermLookup:
        """Look up what an `a`, `mx`, `exists` or `ptr` term asks, to count void lookups."""
        if term.name == "ptr":
            return TermLookup(term.text, (), False, "ptr needs the sender's address: counted, not looked up")
        target = _normalise(_domain_of(term) or domain)
        if "%" in target:
            return TermLookup(term.text, (), False, "the domain holds a macro: counted, not looked up")
        if term.name == "mx":
            answer = await self._dns.resolve(target, "MX")
            problem = _failure(answer)
            if not problem and len(answer.values) > MX_LIMIT:
                problem = (
                    f"{target} has {len(answer.values)} MX names: more than {MX_LIMIT} is a permerror (RFC 7208 §4.6.4)"
                )
            return TermLookup(term.text, (target,), _void(answer), problem)
        # `exists` always asks for A (RFC 7208 §5.7); `a` asks A or AAAA by the sender's
        # address family, so it is void only when the name has neither.
        answer = await self._dns.resolve(target, "A")
        if term.name == "a" and answer.outcome is Outcome.NODATA:
            answer = await self._dns.resolve(target, "AAAA")
        return TermLookup(term.text, (target,), _void(answer), _failure(answer))


def _domain_of(term: Term) -> str:
    """The domain a term names (before any `/prefix`), or `` for the current domain."""
    value = term.value
    if term.name in ("a", "mx"):
        value = value.split("/", 1)[0]
    return value


def _void(answer: LiveAnswer) -> bool:
    return answer.outcome is Outcome.NXDOMAIN or answer.outcome is Outcome.NODATA


def _failure(answer: LiveAnswer) -> str:
    if answer.ok:
        return ""
    why = f" ({answer.detail})" if answer.detail else ""
    return f"{answer.rdtype} lookup of {answer.name} gave {answer.outcome.value}{why}"
