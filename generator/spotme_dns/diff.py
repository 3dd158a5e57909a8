"""The diff: each desired record set against what every authoritative server publishes.

Pure functions over values: `LiveView` holds the answers `validation` gathered (one per
server, name and type); `diff_domain` gives every desired record exactly one status
(docs/design.md §3):

- `in-sync`: every authoritative server serves exactly the expected set (for providers
  whose records are one value each, Cloudflare and generic: at least the expected values),
  values compared by meaning (`meaning.value_key`: SPF terms, DMARC tags);
- `pending`: absent live (on some or all servers, the others in sync): apply creates it;
- `differs`: present with other values: apply changes it; `changes` says what, SPF term by
  term and DMARC tag by tag (`+ added`, `- removed`, `~ changed`);
- `conflict`: applying would break something: a Route53 TXT set replaced whole deletes live
  values nobody listed; a second SPF (or DMARC) record at the name; a CNAME beside other data;
- `unknown`: the value is known only after apply, or no server could be asked.

Names are compared lower-case without the trailing dot; CNAME targets case-insensitively;
TXT as the logical string (character-strings joined: `dns_live` joins them, the inputs undo
provider quoting and Route53's `\\"\\"` splits).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from . import dmarc, spf
from .desired import Action, DesiredDomain, DesiredRecord
from .dns_live import LiveAnswer, Outcome, Server
from .inputs.values import canonical
from .meaning import value_changes, value_key, value_keys
from .model import normalize_name
from .report import RecordResult, Status

_Key = tuple[str, str]


def _key(name: str, rdtype: str) -> _Key:
    return (normalize_name(name), rdtype.upper())


@dataclass(frozen=True, eq=False)
class LiveView(Mapping[_Key, tuple[LiveAnswer, ...]]):
    """What the authoritative servers of one zone answered, per (name, type).

    A read-only mapping: (name lower-case without the dot, TYPE upper-case) -> one
    `LiveAnswer` per server, in server order (the shape `checks.run_checks` reads). A name's
    own data is what the answers hold with no CNAME followed: the TXT "at" a CNAME is its
    target's, not its own.
    """

    zone: str
    """The zone whose servers were asked."""
    servers: tuple[Server, ...] = ()
    answers: Mapping[_Key, tuple[LiveAnswer, ...]] = field(default_factory=dict)
    """(name, type) -> one answer per server, in server order."""
    error: str = ""
    """Why nothing could be asked (the zone's servers could not be found); else empty."""

    @staticmethod
    def build(zone: str, servers: tuple[Server, ...], answers: list[LiveAnswer] | tuple[LiveAnswer, ...], error: str = "") -> LiveView:
        """Index answers by (name, type), keeping server order."""
        indexed: dict[_Key, list[LiveAnswer]] = {}
        for answer in answers:
            indexed.setdefault(_key(answer.name, answer.rdtype), []).append(answer)
        return LiveView(normalize_name(zone), tuple(servers), {k: tuple(v) for k, v in indexed.items()}, error)

    # The Mapping protocol: keys are normalised, so ("ACME.com.", "txt") finds ("acme.com", "TXT").
    def __getitem__(self, key: Any) -> tuple[LiveAnswer, ...]:
        name, rdtype = key
        return self.answers[_key(name, rdtype)]

    def __iter__(self) -> Iterator[_Key]:
        return iter(self.answers)

    def __len__(self) -> int:
        return len(self.answers)

    def answers_for(self, name: str, rdtype: str) -> tuple[LiveAnswer, ...]:
        """Every server's answer to (name, type); empty when it was not asked."""
        return self.answers.get(_key(name, rdtype), ())

    def asked(self, name: str, rdtype: str) -> bool:
        return _key(name, rdtype) in self.answers

    def all_answers(self) -> Iterator[LiveAnswer]:
        """Every answer to every question."""
        for answers in self.answers.values():
            yield from answers

    def server_values(self, name: str, rdtype: str) -> tuple[tuple[LiveAnswer, tuple[str, ...] | None], ...]:
        """(answer, the name's own values) per server; None for a server that failed."""
        return tuple((a, own_values(a) if a.ok else None) for a in self.answers_for(name, rdtype))

    def values(self, name: str, rdtype: str) -> tuple[str, ...]:
        """The union of the name's own values over the servers that answered, sorted."""
        out: set[str] = set()
        for _, values in self.server_values(name, rdtype):
            out.update(values or ())
        return tuple(sorted(out))

    def has_data(self, name: str, rdtype: str) -> bool:
        return bool(self.values(name, rdtype))

    def failures(self, name: str, rdtype: str) -> tuple[LiveAnswer, ...]:
        """Answers of servers that failed (SERVFAIL, REFUSED, timeout, error)."""
        return tuple(a for a in self.answers_for(name, rdtype) if not a.ok)

    def failed(self, name: str, rdtype: str) -> bool:
        """Whether any server failed to answer (name, type)."""
        return bool(self.failures(name, rdtype))

    def cname_target(self, name: str) -> str:
        """The target of a CNAME live at `name` on any server; "" when none is seen.

        From a CNAME answer, or from the chain of an answer of any other type at the name: a
        server answers every type at a CNAME name with the CNAME (RFC 1034 §3.6.2), so a
        TXT question shows it without a CNAME question.
        """
        key = normalize_name(name)
        chained = ""
        for (asked, rdtype), answers in self.answers.items():
            if asked != key:
                continue
            for answer in answers:
                if rdtype == "CNAME" and answer.outcome is Outcome.ANSWER and answer.values:
                    return own_values(answer)[0]
                if answer.chain and not chained:
                    chained = answer.chain[0]
        return chained

    def disagree(self, name: str, rdtype: str) -> bool:
        """Whether the servers that answered serve different value sets."""
        sets = {frozenset(v) for _, v in self.server_values(name, rdtype) if v is not None}
        return len(sets) > 1


def own_values(answer: LiveAnswer) -> tuple[str, ...]:
    """The values at the asked name itself, in compare form (nothing found through a CNAME)."""
    if answer.outcome is not Outcome.ANSWER or answer.chain:
        return ()
    return tuple(sorted({canonical(answer.rdtype, v) for v in answer.values}))


# --------------------------------------------------------------------------- the diff


def diff_domain(desired: DesiredDomain, live: LiveView) -> tuple[RecordResult, ...]:
    """Exactly one result per desired record, in the desired order."""
    return tuple(diff_record(record, desired, live) for record in desired.records)


def diff_record(record: DesiredRecord, desired: DesiredDomain, live: LiveView) -> RecordResult:
    """One desired record set against every server's answer."""
    rdtype = record.type.upper()
    per_server = live.server_values(record.name, rdtype)
    live_values = live.values(record.name, rdtype)
    expected = None if record.values is None else tuple(sorted({canonical(rdtype, v) for v in record.values}))

    def result(status: Status, detail: str = "") -> RecordResult:
        return RecordResult(
            name=record.name, type=rdtype, expected=expected, live=live_values, status=status,
            detail=detail, address=record.address,
        )

    servers_detail = _servers_detail(per_server)
    if expected is None:
        return result(Status.UNKNOWN, _join("the value is not known until apply", servers_detail))
    if not per_server:
        return result(Status.UNKNOWN, live.error or "live DNS was not asked")
    answered = [values for _, values in per_server if values is not None]
    failed = [answer for answer, values in per_server if values is None]
    if not answered:
        return result(Status.UNKNOWN, _join("no authoritative server answered", servers_detail))
    removed = {canonical(rdtype, v) for v in record.removed}
    # Compared by meaning (`meaning.value_key`): `p=none` and `p=none;` are one DMARC record.
    removed_keys = value_keys(rdtype, removed)

    if record.action is Action.DELETE or not expected:
        def gone(values: tuple[str, ...]) -> bool:
            return not values if (record.authoritative or not removed) else not (value_keys(rdtype, values) & removed_keys)

        if not all(gone(v) for v in answered):
            return result(Status.PENDING, _join("the plan deletes it; still live", servers_detail))
        if failed:
            return result(Status.UNKNOWN, _join("gone on the servers that answered", servers_detail))
        return result(Status.IN_SYNC, servers_detail)

    want = set(expected)
    want_keys = value_keys(rdtype, want)
    removed_keys -= want_keys

    def matches(values: tuple[str, ...]) -> bool:
        have = value_keys(rdtype, values)
        if record.authoritative:
            return have == want_keys
        return want_keys <= have and not (have & removed_keys)

    after = want if record.authoritative else want | {v for v in live_values if value_key(rdtype, v) not in removed_keys | want_keys}
    changes = value_changes(rdtype, live_values, after)

    conflicts = _conflicts(record, desired, live, want, removed, set(live_values))
    if conflicts:
        return replace(result(Status.CONFLICT, _join("; ".join(conflicts), servers_detail)), changes=changes)
    if all(matches(v) for v in answered):
        if failed:
            return result(Status.UNKNOWN, _join("in sync on the servers that answered", servers_detail))
        return result(Status.IN_SYNC, servers_detail)
    if all(matches(v) or not v for v in answered):
        where = "on any server" if not any(answered) else "on every server yet"
        return result(Status.PENDING, _join(f"not live {where}", servers_detail))
    missing = sorted(v for v in want if value_key(rdtype, v) not in value_keys(rdtype, live_values))
    why = f"values missing live: {_quote(missing)}" if missing and not record.authoritative else "live values differ"
    return replace(result(Status.DIFFERS, _join(why, servers_detail)), changes=changes)


def _conflicts(
    record: DesiredRecord, desired: DesiredDomain, live: LiveView, want: set[str], removed: set[str], live_values: set[str]
) -> list[str]:
    """Why applying this record would break something; empty when it would not."""
    rdtype = record.type.upper()
    reasons: list[str] = []
    # Route53 writes the whole record set: live values not listed are deleted by apply. A live
    # SPF or DMARC record replaced by the one planned is a change, not a loss (one per name,
    # RFC 7208 §3.2); the checks warn about dropped terms or a weaker policy.
    if record.authoritative and rdtype == "TXT":
        replaced = [test for test in (spf.is_spf, dmarc.is_dmarc) if sum(1 for v in want if test(v)) == 1]
        lost = sorted(v for v in live_values - want - removed if not any(test(v) for test in replaced))
        if lost:
            reasons.append(
                f"applying replaces the whole TXT record set at {record.name} and deletes {_quote(lost)}: "
                "add them to the desired values to keep them"
            )
    # RFC 7208 §4.5 (SPF) and RFC 7489 §6.6.3 (DMARC): more than one record is an error.
    if rdtype == "TXT":
        after = want if record.authoritative else want | (live_values - removed)
        for label, test in (("SPF", spf.is_spf), ("DMARC", dmarc.is_dmarc)):
            if any(test(v) for v in want):
                found = sorted(v for v in after if test(v))
                if len(found) > 1:
                    reasons.append(f"{len(found)} {label} records at {record.name} after apply: {_quote(found)} (only one is allowed)")
    # RFC 1034 §3.6.2 / RFC 2181 §10.1: a CNAME owner has no other data.
    planned = {(r.type.upper()) for r in desired.records if r.name == record.name and r.action is not Action.DELETE and r.values != ()}
    deleted = {(r.type.upper()) for r in desired.records if r.name == record.name and (r.action is Action.DELETE or r.values == ())}
    if rdtype == "CNAME":
        if record.values is not None and len(want) > 1:
            reasons.append(f"{len(want)} CNAME targets planned at {record.name}: a name has at most one CNAME")
        others = sorted(t for t in planned if t != "CNAME")
        if others:
            reasons.append(f"a CNAME is planned at {record.name} beside planned {', '.join(others)} records")
        for other in ("TXT",):
            data = live.values(record.name, other)
            if data and other not in deleted and other not in planned:
                reasons.append(f"{record.name} has live {other} data ({_quote(list(data))}) where a CNAME is planned")
    else:
        target = live.cname_target(record.name)
        if target and "CNAME" not in deleted and "CNAME" not in planned:
            reasons.append(f"{record.name} is live a CNAME to {target}: no {rdtype} record can be beside it")
    return reasons


def _servers_detail(per_server: tuple[tuple[LiveAnswer, tuple[str, ...] | None], ...]) -> str:
    """Per-server answers (`LiveView.server_values`), when the servers disagree or some failed; else empty."""
    answered = {frozenset(values) for _, values in per_server if values is not None}
    failed = any(values is None for _, values in per_server)
    if not (len(answered) > 1 or failed):
        return ""
    parts = []
    for answer, values in per_server:
        who = str(answer.server) if answer.server is not None else "resolver"
        if values is None:
            parts.append(f"{who}: {answer.outcome.value}{' (' + answer.detail + ')' if answer.detail else ''}")
        else:
            parts.append(f"{who}: {_quote(list(values)) if values else answer.outcome.value}")
    return "servers: " + "; ".join(parts)


def _quote(values: list[str] | tuple[str, ...]) -> str:
    return ", ".join(f'"{v}"' for v in values) if values else "nothing"


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)
