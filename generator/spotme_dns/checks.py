"""Checks: what the DNS would be like after apply, and what in it breaks mail or data.

Every check reads the state that applying would produce at each (name, type): the planned
values plus what is live and not owned by the plan (see `after_apply`), and says what is
wrong as a `Finding` with a stable kebab-case code. Codes, their severity and what they mean:

==========================  =======  =============================================================
code                        severity what it means
==========================  =======  =============================================================
spf-missing                 error    no `v=spf1` record at the sending domain after apply
spf-multiple-records        error    more than one `v=spf1` record at the name (RFC 7208 §3.2,
                                     §4.5: permerror)
spf-syntax                  error    the SPF record breaks the RFC 7208 §12 grammar
spf-too-many-lookups        error    more than 10 DNS-querying terms across nested include and
                                     redirect (RFC 7208 §4.6.4); `~include:` counts, a redirect
                                     beside `all` does not; also an `mx` with over 10 names
spf-loop                    error    an include/redirect chain comes back to a name on its path
spf-void-lookups            error    more than 2 lookups give NXDOMAIN or no records (§4.6.4)
spf-include-missing         error    `include:_spf.spotme.com` absent (or reached only through
                                     `~`/`-`/`?` includes): SpotMe's mail fails SPF
spf-include-not-found       error    an include/redirect target has no SPF record (permerror)
spf-include-invalid         error    an include/redirect target has several SPF records or a
                                     syntax error (permerror)
spf-terms-dropped           error    the planned SPF record replaces a live one of the customer's
                                     and leaves out terms that authorised mail (whatever
                                     Terraform owns)
spf-widened                 error    the planned SPF record lets more through than the live one:
                                     `+all`/`?all` for `-all`/`~all`, a qualifier relaxed, a term
                                     after `all` (never evaluated, RFC 7208 §5.1) made active
spf-string-too-long         error    a planned SPF character-string over 255 octets: Route53
                                     rejects it (RFC 1035 §3.3 limit)
txt-string-too-long         error    the same for any other TXT value
spf-size-advisory           warning  name plus all TXT text at the name over 450 octets
                                     (RFC 7208 §3.4: the answer may not fit in UDP)
dmarc-missing               error    no `v=DMARC1` record at `_dmarc.<domain>` (Mailchimp
                                     Transactional refuses to send without one)
dmarc-multiple-records      error    more than one DMARC record: receivers ignore them all
                                     (RFC 7489 §6.6.3, RFC 9989)
dmarc-syntax                error    the DMARC record breaks RFC 7489 / RFC 9989
dmarc-historic-tag          info     `pct`, `rf` or `ri`: RFC 9989 removed them, receivers ignore them
dmarc-policy-weakened       error    the plan replaces a live DMARC record with a weaker one: `p`,
                                     `sp`, `np` (effective values), `pct`, `t=y`, `adkim`/`aspf`
dmarc-reports-dropped       error    the plan replaces a live DMARC record and drops a `rua`/`ruf`
                                     report destination
dmarc-weakens-parent        error    a new DMARC record planned at a subdomain is weaker than the
                                     policy it overrides: its Organizational Domain's `sp` (or
                                     `p`), found by the RFC 9989 DNS Tree Walk
dmarc-rua-unauthorized      warning  an external rua/ruf destination does not publish
                                     `<domain>._report._dmarc.<host>` (RFC 7489 §7.1): no reports
dkim-selector-missing       error    fewer than three SES Easy DKIM CNAMEs, or an `mte1`/`mte2`
                                     Mandrill CNAME missing or pointing elsewhere
dkim-target-no-key          error    a DKIM CNAME target has no key TXT with a non-empty `p=`
                                     (NXDOMAIN, no TXT, revoked key: RFC 6376 §3.6.1)
cname-conflict              error    a CNAME beside other data at one name (RFC 1034 §3.6.2,
                                     RFC 2181 §10.1), or at the zone apex
doubled-zone-name           error    a name like `x.example.com.example.com`
cloudflare-proxied          error    `proxied = true`: mail records must be DNS-only
ns-inconsistent             warning  the zone's authoritative servers answer differently
live-values-deleted         error    applying deletes live TXT values that are not SpotMe's
                                     (`mandrill_verify.*`), whether Terraform owns them or not
record-exists-unmanaged     error    the plan creates a record that already exists live outside
                                     Terraform: apply fails or overwrites; the message says how
                                     to import it
wildcard                    info     a name is answered only by a wildcard (RFC 4592): that is
                                     no record of its own, so nothing is in the way or deleted
dns-error                   error    a server gave SERVFAIL, REFUSED, no answer, a referral, or
                                     NXDOMAIN for the whole zone, so the above cannot be judged
==========================  =======  =============================================================

Organisational domains for DMARC report authorisation are approximated without the Public
Suffix List: a destination needs no authorisation when it is the zone or inside it, or when
its last two labels equal the domain's. Under a two-label public suffix (`co.uk`) that
approximation can miss an external destination; it never invents one.

Which checks a group of records gets follows its `desired.Role`: a sending domain gets them
all; an SPF record at a name that is no sending domain (a MAIL FROM domain) gets the SPF
checks without `spf-include-missing`; other records get only the checks of each record
(`cname-conflict`, `live-values-deleted`, `record-exists-unmanaged`, string lengths, ...).
SES CNAMEs whose names are known only after apply (`DesiredDomain.unknown`) count as SES
selectors.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from . import meaning
from .desired import Action, DesiredDomain, DesiredRecord, Role, ses_dkim_pattern
from .dmarc import DmarcRecord, DmarcSyntaxError, TreeWalk, is_dmarc, parse_dmarc, report_host, weakens
from .dns_live import DnsLookupError, LiveAnswer, Outcome, Server
from .inputs.common import includes_spotme
from .model import name_order
from .report import Finding, Severity
from .spec import MANDRILL_PREFIX
from .spf import ADVISORY_SIZE, LOOKUP_LIMIT, STRING_LIMIT, VOID_LOOKUP_LIMIT, SpfSyntaxError, is_spf
from .spf_eval import NodeStatus, SpfNode, SpfResolver, SpfTree, describe_path, gather_all, parse_spf_cached, spf_tree

#: What the checks read: for each (name lower-case without dot, TYPE upper-case), the answer
#: of every authoritative server. `diff.LiveView` has this shape.
LiveView = Mapping[tuple[str, str], tuple[LiveAnswer, ...]]

SPOTME_INCLUDE = "_spf.spotme.com"
SES_SELECTORS = 3
"""AWS SES Easy DKIM publishes three tokens, hence three CNAMEs."""
MANDRILL_SELECTORS = (("mte1", "dkim1.mandrillapp.com"), ("mte2", "dkim2.mandrillapp.com"))
SES_ZONE_SUFFIX = ".amazonses.com"
"""`dkim.amazonses.com` or a regional `dkim.<region>.amazonses.com` (SigningHostedZone)."""
#: Types asked at a name that exists without a CNAME, to say what a new CNAME would sit beside.
CONFLICT_PROBE_TYPES = ("TXT", "A", "AAAA", "MX")


@dataclass(frozen=True)
class Check:
    """One kind of finding."""

    code: str
    severity: Severity
    summary: str


CHECKS: tuple[Check, ...] = (
    Check("dns-error", Severity.ERROR, "a server failed or does not serve the zone"),
    Check("ns-inconsistent", Severity.WARNING, "the authoritative servers disagree"),
    Check("doubled-zone-name", Severity.ERROR, "the zone name appears twice in a record name"),
    Check("cloudflare-proxied", Severity.ERROR, "a mail record is proxied by Cloudflare"),
    Check("cname-conflict", Severity.ERROR, "a CNAME beside other data"),
    Check("record-exists-unmanaged", Severity.ERROR, "the plan creates a record that exists outside Terraform"),
    Check("live-values-deleted", Severity.ERROR, "applying deletes live values the plan does not own"),
    Check("spf-missing", Severity.ERROR, "no SPF record"),
    Check("spf-multiple-records", Severity.ERROR, "more than one SPF record"),
    Check("spf-syntax", Severity.ERROR, "the SPF record is not valid RFC 7208 syntax"),
    Check("spf-include-missing", Severity.ERROR, "the SpotMe SPF include is missing"),
    Check("spf-too-many-lookups", Severity.ERROR, "more than 10 DNS lookups"),
    Check("spf-void-lookups", Severity.ERROR, "more than 2 void lookups"),
    Check("spf-loop", Severity.ERROR, "an include/redirect loop"),
    Check("spf-include-not-found", Severity.ERROR, "an include/redirect target has no SPF record"),
    Check("spf-include-invalid", Severity.ERROR, "an include/redirect target has a broken SPF record"),
    Check("spf-terms-dropped", Severity.ERROR, "the new SPF record leaves out live terms"),
    Check("spf-widened", Severity.ERROR, "the new SPF record lets more senders through"),
    Check("spf-string-too-long", Severity.ERROR, "an SPF character-string over 255 octets"),
    Check("txt-string-too-long", Severity.ERROR, "a TXT character-string over 255 octets"),
    Check("spf-size-advisory", Severity.WARNING, "TXT data at the name over 450 octets"),
    Check("dmarc-missing", Severity.ERROR, "no DMARC record"),
    Check("dmarc-multiple-records", Severity.ERROR, "more than one DMARC record"),
    Check("dmarc-syntax", Severity.ERROR, "the DMARC record is not valid"),
    Check("dmarc-historic-tag", Severity.INFO, "a DMARC tag RFC 9989 removed"),
    Check("dmarc-policy-weakened", Severity.ERROR, "the DMARC policy gets weaker"),
    Check("dmarc-reports-dropped", Severity.ERROR, "a DMARC report destination is dropped"),
    Check("dmarc-weakens-parent", Severity.ERROR, "a subdomain's DMARC record is weaker than its parent's policy"),
    Check("dmarc-rua-unauthorized", Severity.WARNING, "an external report destination is not authorised"),
    Check("dkim-selector-missing", Severity.ERROR, "a SES or Mandrill DKIM selector is missing"),
    Check("dkim-target-no-key", Severity.ERROR, "a DKIM CNAME target serves no usable key"),
    Check("wildcard", Severity.INFO, "a name is answered only by a wildcard"),
)
CHECK_BY_CODE: dict[str, Check] = {c.code: c for c in CHECKS}
#: Findings `--allow` never accepts: they break the zone whatever the user means.
NOT_ALLOWABLE: dict[str, str] = {
    "cname-conflict": "a CNAME beside other data is refused by DNS servers and providers (RFC 1034 §3.6.2)",
    "spf-multiple-records": "two SPF records are a permerror for every receiver (RFC 7208 §4.5)",
    "dmarc-multiple-records": "receivers ignore every DMARC record when there are several (RFC 9989)",
    "record-exists-unmanaged": "the apply itself fails on the existing record: import it instead",
}
_ORDER = {c.code: i for i, c in enumerate(CHECKS)}


def finding(code: str, name: str, message: str) -> Finding:
    """A finding with the severity the table gives `code` (a KeyError for an unknown code)."""
    return Finding(CHECK_BY_CODE[code].severity, code, name, message)


class ChecksDns(SpfResolver, Protocol):
    """What the checks ask of DNS (`dns_live.LiveDns` provides it)."""

    async def query(self, server: Server, name: str, rdtype: str) -> LiveAnswer: ...

    async def query_all(self, zone: str, name: str, rdtype: str) -> tuple[LiveAnswer, ...]: ...

    async def query_own(self, zone: str, name: str, rdtype: str) -> tuple[LiveAnswer, ...]: ...

    async def dmarc_tree_walk(self, domain: str) -> TreeWalk: ...


# --------------------------------------------------------------------------- the state after apply


@dataclass(frozen=True)
class RecordState:
    """One (name, type): what is live now and what applying the plan leaves."""

    name: str
    type: str
    desired: DesiredRecord | None
    """The plan's record set here, if it has one."""
    answers: tuple[LiveAnswer, ...]
    """What each authoritative server answered (empty when not asked)."""
    live: tuple[str, ...]
    """Values served at the name itself now (union over servers; data reached through a
    CNAME is not at the name and is left out)."""
    after: tuple[str, ...] | None
    """Values after apply; None when the plan's values are unknown until apply."""

    @property
    def live_cname(self) -> str | None:
        """The target of a CNAME that is live at the name now, if any server shows one."""
        for answer in self.answers:
            if answer.rdtype == "CNAME" and answer.outcome is Outcome.ANSWER and answer.values:
                return answer.values[0]
            if answer.chain:
                return answer.chain[0]
        return None


def live_values(answers: Iterable[LiveAnswer]) -> tuple[str, ...]:
    """Values served at the name itself: the union over servers of answers without a CNAME chain."""
    out: set[str] = set()
    for answer in answers:
        if answer.outcome is Outcome.ANSWER and not answer.chain:
            out.update(answer.values)
    return tuple(sorted(out))


def after_apply(record: DesiredRecord | None, live: tuple[str, ...]) -> tuple[str, ...] | None:
    """The values at one (name, type) once the plan is applied.

    Route53 (`authoritative`) replaces the whole record set with the planned values. Where
    each value is its own record (Cloudflare, generic), live values survive unless the plan
    owns and removes them (`removed`). A planned delete leaves nothing of what it owns.
    """
    if record is None:
        return live
    if record.values is None:
        return None
    if record.authoritative:
        return () if record.action is Action.DELETE else tuple(sorted(set(record.values)))
    kept = set(live) - set(record.removed)
    return tuple(sorted(kept | set(record.values)))


def build_states(
    desired: DesiredDomain, answers: Mapping[tuple[str, str], tuple[LiveAnswer, ...]]
) -> dict[tuple[str, str], RecordState]:
    """The state after apply at every (name, type) that was asked or is planned."""
    planned = {(r.name, r.type): r for r in desired.records}
    states: dict[tuple[str, str], RecordState] = {}
    for key in sorted(set(planned) | set(answers)):
        got = answers.get(key, ())
        now = live_values(got)
        record = planned.get(key)
        if record is None and got and not any(a.ok for a in got):
            after = None  # no server said what is there: unknown, and `dns-error` says why
        else:
            after = after_apply(record, now)
        states[key] = RecordState(key[0], key[1], record, got, now, after)
    return states


# --------------------------------------------------------------------------- entry point


async def run_checks(
    desired: DesiredDomain,
    live: LiveView,
    dns: ChecksDns,
    *,
    spotme_include: str = SPOTME_INCLUDE,
    actions_known: bool = True,
) -> tuple[Finding, ...]:
    """Every finding for one domain, on the state applying `desired` would produce.

    `live` holds what the authoritative servers answered; the few questions the checks need
    beyond it (the domain's SPF, DMARC and Mandrill names, include targets, DKIM targets,
    report authorisations) are asked through `dns`, which asks each question once per run.
    `actions_known` is False for inputs that are not a plan (`--tf`, `--spec`): there every
    record reads `create`, so whether it is already managed by Terraform is not known and
    `record-exists-unmanaged` is not judged.
    """
    domain, zone = desired.domain, desired.zone
    keys = _keys_to_ask(desired)
    try:
        answers = await _gather_answers(keys, live, dns, zone)
    except DnsLookupError as err:
        found = [finding("dns-error", zone, str(err)), *_plan_only_findings(desired)]
        return _sorted(found)
    for key, got in live.items():
        # SES selectors the plan does not list can only be known from what was asked already.
        if key not in answers and key[1] == "CNAME" and key[0].endswith("._domainkey." + domain):
            answers[key] = got
    states = build_states(desired, answers)

    found: list[Finding] = []
    found += check_dns_errors(zone, answers)
    found += check_ns_consistency(answers)
    found += _plan_only_findings(desired)
    found += check_existing(states, actions_known=actions_known)
    found += check_live_values_deleted(states, spotme_include=spotme_include)
    sending = desired.role is Role.SENDING
    spf_found, spf_text = check_spf_records(domain, states.get((domain, "TXT"))) if desired.role is not Role.RECORDS else ([], None)
    found += spf_found
    found += check_txt_strings(desired)
    found += check_planned_syntax(desired)
    dmarc_record, dkim_targets = None, []
    if sending:
        dmarc_state = states.get((f"_dmarc.{domain}", "TXT"))
        delegated = None
        if dmarc_state is not None and dmarc_state.desired is None and dmarc_state.live_cname:
            # Not planned, and a CNAME there now: receivers read the record at its target.
            delegated = await dns.resolve(dmarc_state.name, "TXT")
        dmarc_found, dmarc_record = check_dmarc_records(domain, dmarc_state, delegated=delegated)
        found += dmarc_found
        selector_found, dkim_targets = check_dkim_selectors(domain, states, unknown_ses=_unknown_ses(desired))
        found += selector_found
    found += check_cname_states(zone, states)
    found += check_wildcards(answers)

    # What needs more DNS runs concurrently; only work that exists is scheduled (a task per
    # awaitable is the largest CPU cost of the checks over a fleet).
    zone_found, zone_suspects = zone_missing_known(zone, answers)
    found += zone_found
    hosts = external_report_hosts(domain, zone, dmarc_record)
    suspects = cname_suspects(zone, states)
    pending: list[Awaitable[list[Finding]]] = []
    if zone_suspects:
        pending.append(_zone_missing_asked(zone, zone_suspects, dns))
    if spf_text is not None:
        # An SPF record that is no sending domain's is judged without SpotMe's include, unless
        # the live one has it now: then the plan would take SpotMe's mail out of it.
        spotme_live = any(includes_spotme(v) for v in getattr(states.get((domain, "TXT")), "live", ()))
        pending.append(_spf_tree_findings(domain, spf_text, dns, spotme_include if sending or spotme_live else None))
    if hosts:
        pending.append(_rua_findings(domain, hosts, dns))
    if dkim_targets:
        pending.append(_dkim_key_findings(dkim_targets, dns))
    if suspects:
        pending.append(_cname_probe_findings(zone, suspects, dns))
    if dmarc_record is not None and dmarc_state is not None and dmarc_state.desired is not None:
        if not [v for v in dmarc_state.live if is_dmarc(v)] and not dmarc_state.live_cname:
            # A new record: today the Organizational Domain's policy applies (with one of its
            # own, a weaker p is `dmarc-policy-weakened`'s business).
            pending.append(_parent_policy_findings(domain, dmarc_record, dns))
    for part in await gather_all(pending):
        found += part
    return _sorted(found)


def _sorted(found: list[Finding]) -> tuple[Finding, ...]:
    unique = list(dict.fromkeys(found))
    return tuple(sorted(unique, key=lambda f: (_ORDER[f.code], name_order(f.name), f.message)))


def _keys_to_ask(desired: DesiredDomain) -> list[tuple[str, str]]:
    domain = desired.domain
    keys = {(r.name, r.type) for r in desired.records}
    if desired.role is Role.RECORDS:
        return sorted(keys)
    keys.add((domain, "TXT"))
    if desired.role is Role.SPF:
        return sorted(keys)
    keys.add((f"_dmarc.{domain}", "TXT"))
    for selector, _ in MANDRILL_SELECTORS:
        keys.add((f"{selector}._domainkey.{domain}", "CNAME"))
    return sorted(keys)


async def _gather_answers(
    keys: list[tuple[str, str]], live: LiveView, dns: ChecksDns, zone: str
) -> dict[tuple[str, str], tuple[LiveAnswer, ...]]:
    missing = [k for k in keys if k not in live]
    asked = await gather_all([dns.query_own(zone, name, rdtype) for name, rdtype in missing])
    answers = {k: tuple(live[k]) for k in keys if k in live}
    answers.update(zip(missing, asked, strict=True))
    return answers


def _plan_only_findings(desired: DesiredDomain) -> list[Finding]:
    return [*check_doubled_zone_name(desired), *check_proxied(desired)]


# --------------------------------------------------------------------------- servers


def check_dns_errors(zone: str, answers: Mapping[tuple[str, str], tuple[LiveAnswer, ...]]) -> list[Finding]:
    """One `dns-error` per server and kind of failure, naming the questions it failed."""
    failures: dict[tuple[str, str], list[LiveAnswer]] = {}
    for key in sorted(answers):
        for answer in answers[key]:
            if not answer.ok:
                failures.setdefault((str(answer.server or "resolver"), answer.outcome.value), []).append(answer)
    out = []
    for (server, outcome), failed in sorted(failures.items()):
        questions = ", ".join(f"{a.name} {a.rdtype}" for a in failed)
        detail = failed[0].detail
        why = f" ({detail})" if detail else ""
        hint = _OUTCOME_HINTS.get(outcome, "")
        out.append(
            finding(
                "dns-error",
                zone,
                f"server {server} gave {outcome}{why} for {questions}{hint}: what it serves could not be checked",
            )
        )
    return out


#: What a failure usually means, for the message (RFC 1035 §4.1.1, RFC 2308).
_OUTCOME_HINTS = {
    Outcome.REFUSED.value: "; a server that refuses usually does not serve the zone at all",
    Outcome.SERVFAIL.value: "; the server could not load or sign the zone",
    Outcome.TIMEOUT.value: "; the server is down, filtered, or unreachable from here",
}


def check_ns_consistency(answers: Mapping[tuple[str, str], tuple[LiveAnswer, ...]]) -> list[Finding]:
    """`ns-inconsistent` where servers that did answer gave different answers."""
    out = []
    for (name, rdtype), got in sorted(answers.items()):
        definite = [a for a in got if a.ok]
        shapes = {_shape(a) for a in definite}
        if len(shapes) > 1:
            said = "; ".join(f"{a.server or 'resolver'}: {_shape_text(a)}" for a in definite)
            out.append(
                finding("ns-inconsistent", name, f"the authoritative servers disagree on {name} {rdtype}: {said}")
            )
    return out


def _shape(answer: LiveAnswer) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    return (answer.outcome.value, answer.values, answer.chain)


def _shape_text(answer: LiveAnswer) -> str:
    if answer.outcome is Outcome.ANSWER:
        return ", ".join(repr(v) for v in answer.values)
    if answer.chain:
        return f"CNAME to {answer.chain[0]}"
    return "no such name (NXDOMAIN)" if answer.outcome is Outcome.NXDOMAIN else "no such record (NODATA)"


def zone_missing_known(
    zone: str, answers: Mapping[tuple[str, str], tuple[LiveAnswer, ...]]
) -> tuple[list[Finding], list[Server]]:
    """`dns-error` for a server that says the whole zone does not exist (NXDOMAIN at its apex).

    An authoritative server never says NXDOMAIN for its own apex. When the apex was asked,
    its answer tells; otherwise the servers that said NXDOMAIN somewhere are returned, to be
    asked the zone's SOA (`_zone_missing_asked`).
    """
    apex = answers.get((zone, "TXT"))
    if apex is not None:
        gone = {a.server for a in apex if a.outcome is Outcome.NXDOMAIN and a.server}
        return [_zone_gone(zone, server) for server in sorted(gone, key=str)], []
    suspects = {a.server for got in answers.values() for a in got if a.outcome is Outcome.NXDOMAIN and a.server}
    return [], sorted(suspects, key=str)


async def _zone_missing_asked(zone: str, suspects: list[Server], dns: ChecksDns) -> list[Finding]:
    soas = await gather_all([dns.query(server, zone, "SOA") for server in suspects])
    return [_zone_gone(zone, soa.server) for soa in soas if soa.outcome is Outcome.NXDOMAIN and soa.server]


def _zone_gone(zone: str, server: Server) -> Finding:
    return finding(
        "dns-error",
        zone,
        f"server {server} answers NXDOMAIN for the zone apex {zone}: the zone does not exist there "
        "(not delegated to it, not loaded, or the zone name is wrong)",
    )


# --------------------------------------------------------------------------- plan-only checks


def check_doubled_zone_name(desired: DesiredDomain) -> list[Finding]:
    """`doubled-zone-name`: a fully qualified name given where the zone was appended again."""
    out = []
    suffixes = {desired.zone, desired.domain}
    for record in desired.records:
        for suffix in sorted(suffixes):
            doubled = f"{suffix}.{suffix}"
            if record.name == doubled or record.name.endswith("." + doubled):
                fixed = record.name[: -len(suffix) - 1]
                out.append(
                    finding(
                        "doubled-zone-name",
                        record.name,
                        f"{record.name} {record.type} holds {suffix} twice: the provider appended the zone to a "
                        f"name that already ended in it (write the relative name, or exactly {fixed})",
                    )
                )
                break
    return out


def check_proxied(desired: DesiredDomain) -> list[Finding]:
    """`cloudflare-proxied`: mail and verification records must be DNS-only."""
    return [
        finding(
            "cloudflare-proxied",
            r.name,
            f"{r.name} {r.type} is planned with proxied = true: Cloudflare would answer with its own addresses "
            "instead of the target, so DKIM and verification lookups fail; set proxied = false",
        )
        for r in desired.records
        if r.proxied is True
    ]


# --------------------------------------------------------------------------- what apply would overwrite


def check_existing(states: Mapping[tuple[str, str], RecordState], *, actions_known: bool = True) -> list[Finding]:
    """`record-exists-unmanaged`: the plan creates what already exists live, outside Terraform.

    Route53 refuses to create a record set that exists ("already exists"; with
    `allow_overwrite` it overwrites it). Cloudflare refuses a second CNAME at a name and an
    identical second record. Either way the record should be imported first. A record
    that only an output lists (a generic root: the customer types it in by hand) is applied
    by no one, so what exists already is in sync or differs, never an apply failure.
    """
    if not actions_known:
        return []
    out = []
    for state in states.values():
        record = state.desired
        if record is None or record.action is not Action.CREATE or _output_only(record):
            continue
        if record.authoritative:
            clash = state.live if state.type != "CNAME" else tuple(filter(None, [state.live_cname]))
        elif state.type == "CNAME":
            clash = tuple(filter(None, [state.live_cname]))
        else:
            clash = tuple(v for v in state.live if record.values and v in record.values)
        if clash:
            out.append(finding("record-exists-unmanaged", state.name, _exists_message(state, clash)))
    return out


_OUTPUT_ADDRESS = re.compile(r"(?:^|\.)output\.[^.\[]+\[\d+\]$")


def _output_only(record: DesiredRecord) -> bool:
    """A record read only from `output` values (`output.records[0]`), from no resource."""
    addresses = [a.strip() for a in record.address.split(",") if a.strip()]
    return bool(addresses) and all(_OUTPUT_ADDRESS.search(a) for a in addresses)


def _provider_of(record: DesiredRecord) -> str:
    if "aws_route53_record" in record.address:
        return "route53"
    if "cloudflare_record" in record.address or "cloudflare_dns_record" in record.address:
        return "cloudflare"
    if "dns_txt_record_set" in record.address or "dns_cname_record" in record.address:
        return "rfc2136"
    if "google_dns_record_set" in record.address:
        return "google"
    if "azurerm_dns_txt_record" in record.address or "azurerm_dns_cname_record" in record.address:
        return "azure"
    return "route53" if record.authoritative else "other"


def _exists_message(state: RecordState, clash: tuple[str, ...]) -> str:
    record = state.desired
    assert record is not None
    values = ", ".join(repr(v) for v in clash)
    head = (
        f"the plan creates {state.name} {state.type}, which already exists live ({values}) outside Terraform: "
        'apply fails with "already exists" or, with allow_overwrite, overwrites it.'
    )
    addresses = [a.strip() for a in record.address.split(",") if a.strip()] or ["<resource address>"]
    provider = _provider_of(record)
    if provider == "route53":
        commands = "; ".join(f"terraform import '{a}' <ZONE_ID>_{state.name}_{state.type}" for a in addresses)
        return f"{head} Import it first: {commands} (or an import block with that id, Terraform >= 1.5)"
    if provider == "cloudflare":
        commands = "; ".join(f"terraform import '{a}' <zone_id>/<record_id>" for a in addresses)
        return (
            f"{head} Import it first: {commands} (the record id from the Cloudflare API or dashboard; "
            "`spotme-dns generate --discover` finds it with CLOUDFLARE_API_TOKEN set)"
        )
    if provider == "azure":
        commands = "; ".join(
            f"terraform import '{a}' /subscriptions/<sub>/resourceGroups/<group>/providers/Microsoft.Network/dnsZones/<zone>/{state.type}/<name>"
            for a in addresses
        )
        return f"{head} Import it first: {commands} (`spotme-dns generate --discover` writes these)"
    if provider == "google":
        commands = "; ".join(
            f"terraform import '{a}' projects/<project>/managedZones/<zone>/rrsets/{state.name}./{state.type}" for a in addresses
        )
        return (
            f"the plan creates {state.name} {state.type}, which already exists live ({values}) outside Terraform: "
            "google_dns_record_set overwrites an existing set without a word. Import it first: "
            f"{commands} (`spotme-dns generate --discover` writes these)"
        )
    if provider == "rfc2136":
        commands = "; ".join(f"terraform import '{a}' {state.name}." for a in addresses)
        effect = (
            "the update replaces it without a word (a CNAME is a singleton, RFC 2136 §3.4.2.2)"
            if state.type == "CNAME"
            else "the hashicorp/dns provider adds its values beside them and then owns them all, so a later "
            "apply deletes those it does not list"
        )
        return (
            f"the plan creates {state.name} {state.type}, which already exists live ({values}) outside Terraform: "
            f"{effect}. Import it first: {commands} (hashicorp/dns imports by the FQDN)"
        )
    return f"{head} Import it into the Terraform state before applying."


def check_live_values_deleted(
    states: Mapping[tuple[str, str], RecordState], *, spotme_include: str = SPOTME_INCLUDE
) -> list[Finding]:
    """`live-values-deleted`, `spf-terms-dropped`, `spf-widened`, `dmarc-policy-weakened`,
    `dmarc-reports-dropped`: what applying takes from the customer's TXT values.

    Whatever Terraform's ownership: a value the plan's `before` held is the customer's as much
    as one outside the state (a later plain `generate`, or an import, would otherwise delete it
    unnoticed). Values are compared by meaning (`meaning.value_key`). SpotMe's own values are
    no loss: `mandrill_verify.*`, an SPF record with nothing but SpotMe's include, SpotMe's
    include moved or replaced. A live SPF or DMARC record replaced by one planned record is not
    "deleted" (one per name, RFC 7208 §3.2, RFC 7489 §6.6.3): its terms and tags are compared.
    The user who means a loss says so with `--allow CODE[:NAME]`.
    """
    def ours(domain: str) -> bool:
        return meaning.spotme_include(domain, spotme_include)

    out: list[Finding] = []
    for state in states.values():
        record = state.desired
        if record is None or state.type != "TXT" or state.after is None:
            continue
        kept = meaning.value_keys("TXT", state.after)
        lost = [v for v in state.live if meaning.value_key("TXT", v) not in kept]
        new_spf = [v for v in state.after if is_spf(v)]
        new_dmarc = [v for v in state.after if is_dmarc(v)]
        deleted = []
        for value in lost:
            if value.startswith(MANDRILL_PREFIX) or (is_spf(value) and meaning.spf_is_only(value, ours)):
                continue
            if is_spf(value) and len(new_spf) == 1:
                out += _dropped_terms(state.name, value, new_spf[0], ours)
            elif is_dmarc(value) and len(new_dmarc) == 1:
                out += _weakened(state.name, value, new_dmarc[0])
            else:
                deleted.append(value)
        if deleted:
            shown = ", ".join(repr(v) for v in deleted)
            how = f"replaces the whole {state.name} TXT record set and " if record.authoritative else ""
            out.append(
                finding(
                    "live-values-deleted",
                    state.name,
                    f"applying {how}deletes live values that are not SpotMe's: {shown}; keep them (spec `keep_txt`, "
                    f"or `generate --discover`), or pass --allow live-values-deleted:{state.name} if that is meant",
                )
            )
    return out


def _dropped_terms(name: str, old: str, new: str, ours: Callable[[str], bool]) -> list[Finding]:
    loss = meaning.spf_loss(old, new, ours)
    out = []
    if loss.dropped:
        out.append(
            finding(
                "spf-terms-dropped",
                name,
                f"the planned SPF record {new!r} replaces the live {old!r} and leaves out {', '.join(loss.dropped)}: "
                "mail those terms authorised will fail SPF (spec `spf.keep` keeps them; --allow "
                f"spf-terms-dropped:{name} if that is meant)",
            )
        )
    if loss.widened:
        out.append(
            finding(
                "spf-widened",
                name,
                f"the planned SPF record {new!r} lets more senders through than the live {old!r}: "
                f"{'; '.join(loss.widened)} (RFC 7208 §4.6.2, §5.1; --allow spf-widened:{name} if that is meant)",
            )
        )
    return out


def _weakened(name: str, old: str, new: str) -> list[Finding]:
    loss = meaning.dmarc_loss(old, new)
    out = []
    if loss.weakened:
        out.append(
            finding(
                "dmarc-policy-weakened",
                name,
                f"the planned DMARC record {new!r} weakens the live {old!r}: {'; '.join(loss.weakened)} "
                f"(keep the stricter policy in the spec's `dmarc:`; --allow dmarc-policy-weakened:{name} if that is meant)",
            )
        )
    if loss.reports_dropped:
        out.append(
            finding(
                "dmarc-reports-dropped",
                name,
                f"the planned DMARC record {new!r} no longer sends reports to {', '.join(loss.reports_dropped)} "
                f"(live {old!r}); keep them in the spec's `dmarc:` (--allow dmarc-reports-dropped:{name} if that is meant)",
            )
        )
    return out


# --------------------------------------------------------------------------- SPF


def check_spf_records(domain: str, state: RecordState | None) -> tuple[list[Finding], str | None]:
    """`spf-missing`, `spf-multiple-records`, `spf-syntax`, `spf-size-advisory` at the domain.

    Returns the findings and the one valid SPF record (to walk), or None.
    """
    values = state.after if state is not None else ()
    if values is None:
        return [], None  # unknown until apply: the record's status says so
    records = [v for v in values if is_spf(v)]
    out = list(_size_advisory(domain, values))
    near = [v for v in values if _spf_look_alike(v)]
    if near and records:
        # Not SPF by RFC 7208 §4.5, but a lenient receiver may take it for one: with the real
        # record, that is two records and a permerror (RFC 7208 §3.2).
        shown = ", ".join(repr(v) for v in near)
        out.append(
            finding(
                "spf-syntax", domain,
                f"{shown} beside the SPF record {records[0]!r} does not start with exactly 'v=spf1 ': remove it",
            )
        )
    if not records:
        hint = f" ({', '.join(repr(v) for v in near)} does not start with exactly 'v=spf1 ')" if near else ""
        out.append(
            finding(
                "spf-missing", domain, f"{domain} has no SPF record after apply{hint}: receivers find no SPF policy"
            )
        )
        return out, None
    if len(records) > 1:
        shown = "; ".join(f"{v!r}{_origin(state, v)}" for v in records)
        out.append(
            finding(
                "spf-multiple-records",
                domain,
                f"{domain} would have {len(records)} SPF records: {shown}. RFC 7208 §4.5 makes that a permerror: "
                "merge them into one",
            )
        )
        return out, None
    try:
        parse_spf_cached(records[0])
    except SpfSyntaxError as err:
        out.append(finding("spf-syntax", domain, f"SPF record {records[0]!r}: {err}"))
        return out, None
    return out, records[0]


def check_planned_syntax(desired: DesiredDomain) -> list[Finding]:
    """`spf-syntax` and `dmarc-syntax` for planned records away from the domain's own SPF and
    DMARC names (a MAIL FROM subdomain's SPF, a subdomain's `_dmarc`), which the checks above
    do not read: whatever name a planned SPF or DMARC record has, its grammar is checked.
    The messages are those of `check_spf_records` / `check_dmarc_records`, so a name both
    read gives one finding."""
    out: list[Finding] = []
    own = {desired.domain, f"_dmarc.{desired.domain}"}
    for record in desired.records:
        if record.type.upper() != "TXT" or record.values is None or record.name in own:
            continue
        for value in record.values:
            if is_spf(value):
                try:
                    parse_spf_cached(value)
                except SpfSyntaxError as err:
                    out.append(finding("spf-syntax", record.name, f"SPF record {value!r}: {err}"))
            elif _spf_look_alike(value):
                out.append(
                    finding("spf-syntax", record.name, f"{value!r} does not start with exactly 'v=spf1 ': not an SPF record")
                )
            elif record.name.startswith("_dmarc."):
                if is_dmarc(value):
                    try:
                        parse_dmarc(value)
                    except DmarcSyntaxError as err:
                        out.append(finding("dmarc-syntax", record.name, f"DMARC record {value!r}: {'; '.join(err.problems)}"))
                elif re.match(r"\s*v\s*=\s*dmarc", value, re.I):
                    out.append(finding("dmarc-syntax", record.name, f"{value!r} at {record.name}: the first tag must be exactly v=DMARC1"))
    return out


def _spf_look_alike(value: str) -> bool:
    """Meant as SPF but not one by RFC 7208 §4.5 (' v=spf1', 'v=spf1<TAB>', 'v=spf1-all');
    Sender ID's 'v=spf2.0/...' (RFC 4406) is another record and not one of these."""
    return not is_spf(value) and re.match(r"\s*v\s*=\s*spf1(?![0-9.])", value, re.I) is not None


def _origin(state: RecordState | None, value: str) -> str:
    if state is None:
        return ""
    planned = state.desired is not None and state.desired.values is not None and value in state.desired.values
    return " (planned)" if planned else " (live, not in the plan)"


def _size_advisory(name: str, values: tuple[str, ...]) -> list[Finding]:
    """RFC 7208 §3.4: name plus all TXT text at the name under 450 octets, so answers fit UDP."""
    total = len(name.encode("utf-8")) + 1 + sum(len(v.encode("utf-8")) for v in values)
    if total <= ADVISORY_SIZE:
        return []
    return [
        finding(
            "spf-size-advisory",
            name,
            f"the TXT records at {name} add up to {total} octets with the name, over the {ADVISORY_SIZE}-octet "
            "guideline of RFC 7208 §3.4: some receivers may get a truncated answer and must retry over TCP",
        )
    ]


def check_txt_strings(desired: DesiredDomain) -> list[Finding]:
    """`spf-string-too-long` / `txt-string-too-long`: a planned character-string over 255 octets.

    Only what the input fixes can be judged: `DesiredRecord.strings` (Route53 publishes each
    value as one string unless the configuration splits it with `\\"\\"`). Live answers cannot
    break the limit (a character-string's length is one octet on the wire, RFC 1035 §3.3), and
    values the renderers or Cloudflare split themselves are split right by construction.
    """
    out = []
    for record in desired.records:
        if record.type != "TXT" or not record.strings or record.values is None:
            continue
        # `strings` is in `values` order; an input that gives fewer says nothing about the rest.
        for value, strings in zip(record.values, record.strings, strict=False):
            for string in strings:
                size = len(string.encode("utf-8"))
                if size <= STRING_LIMIT:
                    continue
                code = "spf-string-too-long" if is_spf(value) else "txt-string-too-long"
                out.append(
                    finding(
                        code,
                        record.name,
                        f"a character-string of {size} octets in {record.name} TXT ({string[:40]!r}...): DNS allows "
                        f'{STRING_LIMIT} (RFC 1035 §3.3) and Route53 rejects it; split the value with \\"\\" '
                        "every 255 characters (receivers join the strings, RFC 7208 §3.3)",
                    )
                )
                break
    return out


async def _spf_tree_findings(domain: str, record: str | None, dns: SpfResolver, spotme_include: str | None) -> list[Finding]:
    """The walked tree's findings; `spotme_include` None: an SPF record that is no sending
    domain's (a MAIL FROM domain...), judged by RFC 7208 alone, without SpotMe's include."""
    if record is None:
        return []
    tree = await spf_tree(domain, dns, record=record)
    found = check_spf_tree(tree, spotme_include=spotme_include or SPOTME_INCLUDE)
    return found if spotme_include else [f for f in found if f.code != "spf-include-missing"]


def check_spf_tree(tree: SpfTree, *, spotme_include: str = SPOTME_INCLUDE) -> list[Finding]:
    """The findings of a walked SPF tree: lookups, void lookups, loops, broken includes, SpotMe's include."""
    domain = tree.domain
    out = []
    if not tree.authorizes(spotme_include):
        softened = [n.via for n in tree.nodes() if n.domain == spotme_include.lower().rstrip(".") and n.via]
        how = f" (only as {', '.join(softened)}, which does not pass)" if softened else ""
        out.append(
            finding(
                "spf-include-missing",
                domain,
                f"the SPF record of {domain} does not include {spotme_include}{how}: mail SpotMe sends for "
                f"{domain} fails SPF; add include:{spotme_include}",
            )
        )
    mx_problems = [t.problem for n in tree.nodes() for t in n.terms if "MX names" in t.problem]
    if tree.too_many_lookups or mx_problems:
        costliest = describe_path(tree.costliest_path())
        why = f"{tree.lookups} DNS lookups, over the limit of {LOOKUP_LIMIT}" if tree.too_many_lookups else ""
        why = "; ".join(p for p in (why, *mx_problems) if p)
        out.append(
            finding(
                "spf-too-many-lookups",
                domain,
                f"the SPF record of {domain} needs {why} (RFC 7208 §4.6.4: permerror). The include chain that "
                f"costs the most: {costliest}",
            )
        )
    if tree.too_many_void_lookups:
        voids = [f"{t.term} ({', '.join(t.names)})" for n in tree.nodes() for t in n.terms if t.void]
        voids += [n.via for n in tree.nodes() if n.own_void_lookups and n.status is NodeStatus.NOT_FOUND]
        out.append(
            finding(
                "spf-void-lookups",
                domain,
                f"the SPF record of {domain} causes {tree.void_lookups} void lookups (limit {VOID_LOOKUP_LIMIT}, "
                f"RFC 7208 §4.6.4): {', '.join(voids)}",
            )
        )
    for path in tree.with_status(NodeStatus.LOOP):
        out.append(finding("spf-loop", domain, f"SPF {path[-1].detail} (through {_via(path)}): permerror"))
    for path in tree.with_status(NodeStatus.NOT_FOUND):
        out.append(
            finding(
                "spf-include-not-found",
                domain,
                f"{_via(path)}: {path[-1].detail}, so evaluating it is a permerror (RFC 7208 §5.2)",
            )
        )
    for status in (NodeStatus.MULTIPLE, NodeStatus.SYNTAX):
        for path in tree.with_status(status):
            if len(path) > 1:
                out.append(finding("spf-include-invalid", domain, f"{_via(path)}: {path[-1].detail}: permerror"))
    for path in tree.with_status(NodeStatus.DNS_ERROR):
        out.append(finding("dns-error", domain, f"SPF {_via(path)}: {path[-1].detail} (temperror)"))
    failed_terms = [t for n in tree.nodes() for t in n.terms if t.problem and not t.void and "lookup of" in t.problem]
    for term in failed_terms:
        out.append(finding("dns-error", domain, f"SPF term {term.term}: {term.problem} (temperror)"))
    return out


def _via(path: tuple[SpfNode, ...]) -> str:
    return " -> ".join(n.via for n in path if n.via) or "the record"


# --------------------------------------------------------------------------- DMARC


def check_dmarc_records(
    domain: str, state: RecordState | None, *, delegated: LiveAnswer | None = None
) -> tuple[list[Finding], DmarcRecord | None]:
    """`dmarc-missing`, `dmarc-multiple-records`, `dmarc-syntax` at `_dmarc.<domain>`.

    `delegated` is the CNAME-following answer when `_dmarc.<domain>` is a live CNAME the plan
    leaves alone (receivers read the target). Returns the findings and the one valid record
    (for report authorisation), or None.
    """
    name = f"_dmarc.{domain}"
    if delegated is not None:
        if not delegated.ok:
            return [], None  # `dns-error` reports the failure
        values: tuple[str, ...] = delegated.values
    elif state is None:
        values = ()
    elif state.after is None:
        return [], None
    else:
        values = state.after
    records = [v for v in values if is_dmarc(v)]
    look_alike = [v for v in values if not is_dmarc(v) and re.match(r"\s*v\s*=\s*dmarc", v, re.I)]
    out: list[Finding] = []
    if look_alike:
        # Not DMARC by RFC 9989's grammar, but a lenient receiver may read it as one: beside a
        # real record that would be two records, and receivers then apply neither.
        shown = ", ".join(repr(v) for v in look_alike)
        beside = f" (beside the DMARC record {records[0]!r})" if records else ""
        out.append(finding("dmarc-syntax", name, f"{shown} at {name}{beside}: the first tag must be exactly v=DMARC1"))
        if not records:
            return out, None
    if not records:
        return [
            finding(
                "dmarc-missing",
                name,
                f"no DMARC record at {name} after apply: Mailchimp Transactional does not send without one; "
                "publish at least 'v=DMARC1; p=none;'",
            )
        ], None
    if len(records) > 1:
        shown = "; ".join(f"{v!r}{_origin(state, v)}" for v in records)
        return [
            *out,
            finding(
                "dmarc-multiple-records",
                name,
                f"{name} would have {len(records)} DMARC records: {shown}; receivers then apply none of them "
                "(RFC 7489 §6.6.3)",
            ),
        ], None
    try:
        record = parse_dmarc(records[0])
    except DmarcSyntaxError as err:
        return [*out, finding("dmarc-syntax", name, f"DMARC record {records[0]!r}: {'; '.join(err.problems)}")], None
    if record.historic:
        tags = ", ".join(f"{tag}=" for tag in record.historic)
        note = f"{tags} in {records[0]!r}: a tag RFC 9989 removed, which receivers ignore (not an error)"
        out.append(finding("dmarc-historic-tag", name, note))
    return out, record


async def _parent_policy_findings(domain: str, record: DmarcRecord, dns: ChecksDns) -> list[Finding]:
    """`dmarc-weakens-parent`: a planned record at `_dmarc.<domain>` replaces, for `domain`, the
    policy of its Organizational Domain (RFC 7489 §6.6.3, RFC 9989 §4.10.1), found by the DNS
    Tree Walk (`LiveDns.dmarc_tree_walk`); a weaker `p` there lets spoofed mail through."""
    parent = (await dns.dmarc_tree_walk(domain)).parent
    if parent is None or not weakens(parent.policy, record.policy):
        return []
    return [
        finding(
            "dmarc-weakens-parent",
            f"_dmarc.{domain}",
            f"the planned p={record.policy} at _dmarc.{domain} overrides {parent.describe()} for {domain} (RFC 9989 "
            f"§4.10.1: a subdomain's own record replaces its Organizational Domain's policy), so spoofed mail from "
            f"{domain} would no longer meet p={parent.policy}; publish p={parent.policy} or stricter",
        )
    ]


def organisational_domain(name: str) -> str:
    """The last two labels: an approximation of RFC 7489 §3.2 without the Public Suffix List."""
    return ".".join(name.split(".")[-2:])


def needs_authorisation(domain: str, zone: str, host: str) -> bool:
    """A report destination outside the domain's organisational domain (RFC 7489 §7.1)."""
    if host == zone or host.endswith("." + zone):
        return False
    return organisational_domain(host) != organisational_domain(domain)


def external_report_hosts(domain: str, zone: str, record: DmarcRecord | None) -> dict[str, list[str]]:
    """Report destination hosts that need authorisation, each with the `tag=uri`s naming it."""
    hosts: dict[str, list[str]] = {}
    if record is None:
        return hosts
    for tag in ("rua", "ruf"):
        for uri in record.uris(tag):
            host = report_host(uri)
            if host and needs_authorisation(domain, zone, host):
                hosts.setdefault(host, []).append(f"{tag}={uri}")
    return hosts


async def _rua_findings(domain: str, hosts: dict[str, list[str]], dns: SpfResolver) -> list[Finding]:
    name = f"_dmarc.{domain}"
    asked = await gather_all([_authorisation(domain, host, dns) for host in hosts])
    out = []
    for (host, uses), answer in zip(hosts.items(), asked, strict=True):
        where = f"{domain}._report._dmarc.{host}"
        if answer is None:
            out.append(
                finding(
                    "dmarc-rua-unauthorized",
                    name,
                    f"{', '.join(uses)} sends reports outside {domain}, but {where} is too long to be a DNS name, "
                    "so it cannot be authorised (RFC 9990 lets the destination override rua only on the same host)",
                )
            )
            continue
        if answer.outcome is Outcome.ANSWER and any(is_dmarc(v) for v in answer.values):
            continue
        if answer.ok:
            said = "does not exist" if answer.outcome is Outcome.NXDOMAIN else "holds no record starting v=DMARC1"
            out.append(
                finding(
                    "dmarc-rua-unauthorized",
                    name,
                    f"{', '.join(uses)} sends reports outside {domain}, but {where} {said} (RFC 7489 §7.1): "
                    f"receivers send no reports there; ask {host} to publish it",
                )
            )
        else:
            out.append(
                finding("dns-error", name, f"TXT lookup of {where} gave {answer.outcome.value} ({answer.detail})")
            )
    return out


async def _authorisation(domain: str, host: str, dns: SpfResolver) -> LiveAnswer | None:
    """The TXT at `<domain>._report._dmarc.<host>`; None when that is no valid DNS name."""
    try:
        return await dns.resolve(f"{domain}._report._dmarc.{host}", "TXT")
    except ValueError:
        return None


# --------------------------------------------------------------------------- DKIM


@dataclass(frozen=True)
class DkimTarget:
    """A DKIM selector CNAME after apply and where it points."""

    selector_name: str
    target: str


def _unknown_ses(desired: DesiredDomain) -> int:
    """SES Easy DKIM CNAMEs of the domain whose names are known only after apply."""
    pattern = ses_dkim_pattern(desired.domain)
    return sum(1 for r in desired.unknown if r.type == "CNAME" and r.name == pattern)


def check_dkim_selectors(
    domain: str, states: Mapping[tuple[str, str], RecordState], *, unknown_ses: int = 0
) -> tuple[list[Finding], list[DkimTarget]]:
    """`dkim-selector-missing`: three SES selectors and both Mandrill selectors after apply.

    `unknown_ses` CNAMEs planned with SES tokens known only after apply count as present.
    Returns the findings and every DKIM CNAME whose target should serve a key.
    """
    suffix = "._domainkey." + domain
    cnames: dict[str, str | None] = {}
    for (name, rdtype), state in states.items():
        if rdtype == "CNAME" and name.endswith(suffix):
            if state.after is None:
                cnames[name] = None  # unknown until apply: present, target not judged
            elif state.after:
                cnames[name] = state.after[0]
    out = []
    ses_ok, ses_wrong = [], []
    for name, target in sorted(cnames.items()):
        if target is None or not target.endswith(SES_ZONE_SUFFIX):
            continue
        selector = name[: -len(suffix)]
        (ses_ok if target.split(".")[0] == selector else ses_wrong).append((name, target))
    unknown = [n for n, t in cnames.items() if t is None and n.split(".")[0] not in dict(MANDRILL_SELECTORS)]
    have = len(ses_ok) + len(unknown) + unknown_ses
    if have < SES_SELECTORS:
        wrong = "".join(
            f"; {n} points to {t}, but SES looks for the CNAME to {n[: -len(suffix)]}.<SigningHostedZone>"
            for n, t in ses_wrong
        )
        out.append(
            finding(
                "dkim-selector-missing",
                domain,
                f"{have} of the {SES_SELECTORS} SES Easy DKIM CNAMEs (<token>._domainkey.{domain} -> "
                f"<token>.dkim.amazonses.com) are there after apply{wrong}: SES cannot verify the domain",
            )
        )
    for selector, expected in MANDRILL_SELECTORS:
        name = f"{selector}.{suffix[1:]}"
        if name not in cnames:
            out.append(
                finding(
                    "dkim-selector-missing",
                    name,
                    f"no {name} CNAME to {expected} after apply: Mailchimp Transactional cannot sign for {domain}",
                )
            )
        elif cnames[name] is not None and cnames[name] != expected:
            out.append(
                finding(
                    "dkim-selector-missing",
                    name,
                    f"{name} points to {cnames[name]}, not {expected}: Mailchimp Transactional cannot sign for {domain}",
                )
            )
    targets = [DkimTarget(n, t) for n, t in sorted(cnames.items()) if t is not None]
    return out, targets


_DKIM_TAG = re.compile(r"\s*([A-Za-z][A-Za-z0-9_]*)\s*=(.*)", re.S)


@functools.lru_cache(maxsize=4096)
def dkim_key_problem(values: tuple[str, ...]) -> str | None:
    """Why a TXT RRset is not a usable DKIM key record (RFC 6376 §3.6.1), or None when it is."""
    if len(values) > 1:
        return f"{len(values)} TXT records, where RFC 6376 §3.6.2.2 wants one (results are undefined)"
    tags: dict[str, str] = {}
    for part in values[0].split(";"):
        if not part.strip():
            continue
        match = _DKIM_TAG.fullmatch(part)
        if not match:
            return f"{part.strip()!r} is not a tag=value pair"
        tag = match.group(1).lower()
        if tag in tags:
            return f"tag {tag} appears twice (RFC 6376 §3.2)"
        if tag == "v" and tags:
            return "v= must be the first tag"
        tags[tag] = re.sub(r"\s+", "", match.group(2))
    if "v" in tags and tags["v"] != "DKIM1":
        return f"v={tags['v']}, expected DKIM1"
    if "p" not in tags:
        return "no p= tag: not a DKIM key record"
    if not tags["p"]:
        return "the key is revoked (empty p=, RFC 6376 §3.6.1)"
    if not re.fullmatch(r"[A-Za-z0-9+/]+={0,2}", tags["p"]):
        return "p= is not base64"
    return None


async def _dkim_key_findings(targets: list[DkimTarget], dns: SpfResolver) -> list[Finding]:
    answers = await gather_all([dns.resolve(t.target, "TXT") for t in targets])
    out = []
    for target, answer in zip(targets, answers, strict=True):
        where = f"{target.selector_name} -> {target.target}"
        if answer.outcome is Outcome.NXDOMAIN:
            problem = f"{target.target} does not exist (NXDOMAIN)"
        elif answer.outcome is Outcome.NODATA:
            problem = f"{target.target} has no TXT record"
        elif answer.outcome is Outcome.ANSWER:
            problem = dkim_key_problem(answer.values)
        else:
            out.append(
                finding(
                    "dns-error",
                    target.selector_name,
                    f"DKIM key lookup {where} gave {answer.outcome.value} ({answer.detail})",
                )
            )
            continue
        if problem:
            out.append(
                finding(
                    "dkim-target-no-key",
                    target.selector_name,
                    f"{where}: {problem}; receivers cannot verify mail signed with this selector",
                )
            )
    return out


# --------------------------------------------------------------------------- CNAME beside other data


def check_cname_states(zone: str, states: Mapping[tuple[str, str], RecordState]) -> list[Finding]:
    """`cname-conflict` from what is already known: planned CNAME and other data at one name,
    a planned CNAME at the zone apex, or planned data at a name that is a live CNAME."""
    out = []
    by_name: dict[str, dict[str, RecordState]] = {}
    for (name, rdtype), state in states.items():
        by_name.setdefault(name, {})[rdtype] = state
    for name, types in sorted(by_name.items()):
        cname = types.get("CNAME")
        cname_after = cname is not None and cname.desired is not None and cname.after != ()
        planned_other = [t for t, s in types.items() if t != "CNAME" and s.desired is not None and s.after != ()]
        if cname_after and name == zone:
            out.append(
                finding(
                    "cname-conflict",
                    name,
                    f"a CNAME is planned at the zone apex {name}, beside its SOA and NS records (RFC 1034 §3.6.2)",
                )
            )
        elif cname_after and planned_other:
            out.append(
                finding(
                    "cname-conflict",
                    name,
                    f"{name} would hold a CNAME and {', '.join(sorted(planned_other))}: a CNAME allows no other data "
                    "at its name (RFC 1034 §3.6.2, RFC 2181 §10.1)",
                )
            )
        elif planned_other and not cname_after:
            live_cname = next((s.live_cname for t, s in types.items() if s.live_cname), None)
            cname_deleted = cname is not None and cname.desired is not None and cname.after == ()
            if live_cname and not cname_deleted:
                out.append(
                    finding(
                        "cname-conflict",
                        name,
                        f"{name} is a CNAME to {live_cname} now, and the plan adds {', '.join(sorted(planned_other))} "
                        "there: a CNAME allows no other data (RFC 1034 §3.6.2); the provider rejects it. Remove "
                        "the CNAME or publish the record at its target",
                    )
                )
    return out


def check_wildcards(answers: Mapping[tuple[str, str], tuple[LiveAnswer, ...]]) -> list[Finding]:
    """`wildcard` (info): a name answered only by a wildcard (`LiveDns.query_own` marks it)."""
    out = []
    for (name, rdtype), got in sorted(answers.items()):
        what = next((a.wildcard for a in got if a.wildcard), "")
        if what:
            out.append(finding(
                "wildcard", name,
                f"{name} {rdtype}: only the wildcard {what} answers there, which is no record of its own (RFC 4592); "
                "a record published at the name replaces it",
            ))
    return out


def cname_suspects(zone: str, states: Mapping[tuple[str, str], RecordState]) -> list[RecordState]:
    """Planned CNAMEs at names that exist now without a CNAME (the CNAME query said NODATA)."""
    planned_types = {(n, t) for (n, t), s in states.items() if s.desired is not None}
    return [
        s
        for (name, rdtype), s in sorted(states.items())
        if rdtype == "CNAME"
        and s.desired is not None
        and s.after != ()
        and name != zone
        and any(a.outcome is Outcome.NODATA and not a.chain for a in s.answers)
        and not any(n == name and t != "CNAME" for n, t in planned_types)
    ]


async def _cname_probe_findings(zone: str, suspects: list[RecordState], dns: ChecksDns) -> list[Finding]:
    """`cname-conflict` for a planned CNAME at a name that exists now without a CNAME.

    Only there are the usual types asked, to name what the CNAME would sit beside (an empty
    non-terminal has none and is no conflict).
    """
    probes = [(s.name, t) for s in suspects for t in CONFLICT_PROBE_TYPES]
    asked = await gather_all([dns.query_own(zone, n, t) for n, t in probes])
    found: dict[str, list[str]] = {}
    for (name, rdtype), got in zip(probes, asked, strict=True):
        values = live_values(got)
        if values:
            found.setdefault(name, []).append(f"{rdtype} {', '.join(_short(v) for v in values)}")
    return [
        finding(
            "cname-conflict",
            name,
            f"the plan puts a CNAME at {name}, which holds {'; '.join(data)} now: a CNAME allows no other data "
            "(RFC 1034 §3.6.2); the provider rejects it, or resolvers ignore the other data",
        )
        for name, data in sorted(found.items())
    ]


def _short(value: str, limit: int = 60) -> str:
    """A value for a message: quoted, and cut short when long (a DKIM key says nothing to a reader)."""
    return repr(value) if len(value) <= limit else repr(value[:limit]) + "..."
