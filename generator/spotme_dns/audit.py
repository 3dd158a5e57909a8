"""`check`: audit what a domain publishes now, with no spec needed (for SpotMe support staff).

For each domain: find its zone and the zone's authoritative servers, ask every server for the
SpotMe records (the SPF and Mandrill verification TXT values at the domain, DMARC, the DKIM
CNAMEs), and say for each record set whether it exists and is right. The checks are the ones
`validate` and `verify` run (`checks.run_checks`, on the live state as it is: nothing planned),
plus what an audit adds: the SPF lookup budget with its include tree, names typed with the zone
twice in a DNS console, and a note when the AWS SES selectors cannot be named.

Without a spec "right" means what SpotMe needs: exactly one SPF record that authorises
`_spf.spotme.com`, a `mandrill_verify.` value, one valid DMARC record, the Mandrill CNAMEs to
`dkim1`/`dkim2.mandrillapp.com`, and, when the SES tokens are given, each
`<token>._domainkey.<domain>` a CNAME to `<token>.dkim[.<region>].amazonses.com`. With the
domain in a spec, the exact values of the spec are expected. The customer's own TXT values
(`keep_txt`) are not SpotMe's and are not judged.

Everything here is pure but the awaited DNS questions, which go through `dns_live.LiveDns`.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from typing import Protocol

from . import checks
from .desired import DesiredDomain
from .dmarc import DmarcSyntaxError, ParentPolicy, build_dmarc, is_dmarc, parse_dmarc, weakens
from .dns_live import DnsLookupError, LiveAnswer, Outcome, Server
from .errors import InputError, Location, Problem
from .meaning import same_value
from .model import DomainRecords, Purpose, RecordType, name_order
from .records import build_records
from .report import DomainReport, Finding, RecordResult, Report, Severity, Status
from .spec import DomainSpec, Spec, domain_name_problem, normalize_domain
from .spf import LOOKUP_LIMIT, SpfSyntaxError, is_spf, merge_terms, parse_spf
from .spf_eval import NodeStatus, SpfNode, SpfTree, spf_tree

SPOTME_INCLUDE = checks.SPOTME_INCLUDE
DEFAULT_SPF = f"v=spf1 include:{SPOTME_INCLUDE} -all"
DEFAULT_DMARC = "v=DMARC1; p=none;"
MANDRILL_PREFIX = "mandrill_verify."
VERIFY_PLACEHOLDER = "mandrill_verify.<key from SpotMe support>"
SES_TOKEN = re.compile(r"^[a-z0-9]{16,64}$")
#: `<token>.dkim.amazonses.com` or a regional `<token>.dkim.<region>.amazonses.com`.
SES_TARGET = re.compile(r"^(?P<token>[a-z0-9]+)\.dkim(?:\.[a-z0-9-]+)?\.amazonses\.com$")

#: Codes this module adds to those of `checks.CHECKS` (all informational).
AUDIT_CODES = {
    "spf-lookup-budget": "how many of the 10 SPF lookups the record uses, as its include tree",
    "ses-dkim-unchecked": "the SES DKIM selectors are named after tokens that were not given",
    "dmarc-parent-policy": "the Organizational Domain's DMARC policy that a subdomain's own record overrides",
}


class AuditDns(checks.ChecksDns, Protocol):
    """What the audit asks of DNS (`dns_live.LiveDns` provides it)."""

    async def authoritative_servers(self, zone: str) -> tuple[Server, ...]: ...

    async def zone_soa(self, name: str) -> LiveAnswer: ...


@dataclass(frozen=True)
class AuditTarget:
    """One domain to audit and what is known about it."""

    domain: str
    """A-label, lower-case, no trailing dot."""
    zone: str | None = None
    """The zone holding it; None: found by asking for SOA records, from the domain upwards."""
    ses_tokens: tuple[str, ...] = ()
    """The three SES Easy DKIM tokens, when known (`--ses-token` or the spec)."""
    expected: DomainRecords | None = None
    """The spec's records for the domain, when it is in the spec: their exact values are expected."""
    mandrill_dkim: bool = True
    """Whether the Mailchimp Transactional (Mandrill) DKIM CNAMEs are expected (the spec's `mandrill.dkim`)."""

    @staticmethod
    def from_spec(domain: DomainSpec) -> AuditTarget:
        """Everything the spec says about the domain."""
        return AuditTarget(
            domain=domain.domain,
            zone=domain.zone,
            ses_tokens=tuple(domain.ses.dkim_tokens),
            expected=build_records(domain),
            mandrill_dkim=domain.mandrill.dkim,
        )


def targets_for(domains: Sequence[str], *, spec: Spec | None = None, ses_tokens: Sequence[str] = ()) -> tuple[AuditTarget, ...]:
    """The targets of one `check` run; raises InputError (exit 2) naming every bad argument.

    Domains found in `spec` take its zone, tokens and values; with no domains, every domain of
    the spec is checked. `ses_tokens` (exactly three) belong to the one domain given.
    """
    problems: list[Problem] = []
    cli = Location("command line")
    names: list[str] = []
    for text in domains:
        problem = domain_name_problem(text)
        if problem:
            problems.append(Problem(cli, f"DOMAIN: {problem}", "bad-domain"))
        else:
            names.append(normalize_domain(text))
    tokens = tuple(t.strip().lower() for t in ses_tokens)
    for token in tokens:
        if not SES_TOKEN.match(token):
            problems.append(Problem(cli, f"--ses-token: {token!r} is not an SES DKIM token (16-64 letters and digits)", "bad-ses-tokens"))
    if tokens and len(tokens) != 3:
        problems.append(Problem(cli, f"--ses-token: give all three Easy DKIM tokens (got {len(tokens)})", "bad-ses-tokens"))
    if len(set(tokens)) != len(tokens):
        problems.append(Problem(cli, "--ses-token: a token is given twice", "bad-ses-tokens"))
    if tokens and len(names) != 1:
        problems.append(Problem(cli, "--ses-token belongs to exactly one DOMAIN; for several domains use --spec", "bad-ses-tokens"))
    if not domains and spec is None:
        problems.append(Problem(cli, "name at least one DOMAIN, or give --spec to check every domain of a spec", "missing-argument"))
    if problems:
        raise InputError(problems)
    in_spec = {d.domain: d for d in spec.domains} if spec is not None else {}
    if not names:
        return tuple(AuditTarget.from_spec(d) for d in in_spec.values())
    out = []
    for name in dict.fromkeys(names):
        target = AuditTarget.from_spec(in_spec[name]) if name in in_spec else AuditTarget(name)
        if tokens:
            target = replace(target, ses_tokens=tokens)
        out.append(target)
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# Judging one record set


class Verdict(str, Enum):
    """How one expected value stands on one server."""

    OK = "ok"
    MISSING = "missing"
    WRONG = "wrong"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class _Slot:
    """One SpotMe value expected at a (name, type): how to judge what a server serves there."""

    purpose: Purpose
    spec_value: str | None
    """The spec's exact value, when the domain is in a spec."""


@dataclass(frozen=True)
class _Judged:
    verdict: Verdict
    detail: str = ""


def _judge_spf(values: tuple[str, ...], slot: _Slot, authorized: dict[str, bool]) -> _Judged:
    records = [v for v in values if is_spf(v)]
    if not records:
        return _Judged(Verdict.MISSING, "no SPF record")
    if len(records) > 1:
        return _Judged(Verdict.CONFLICT, f"{len(records)} SPF records where RFC 7208 §3.2 allows one")
    record = records[0]
    if slot.spec_value is not None:
        if same_value("TXT", record, slot.spec_value):
            return _Judged(Verdict.OK)
        return _Judged(Verdict.WRONG, "the SPF record differs from the spec's")
    try:
        parse_spf(record)
    except SpfSyntaxError as err:
        return _Judged(Verdict.WRONG, f"the SPF record is not valid: {err}")
    if not authorized.get(record, False):
        return _Judged(Verdict.WRONG, f"the SPF record does not authorise {SPOTME_INCLUDE}")
    return _Judged(Verdict.OK)


def _judge_verify(values: tuple[str, ...], slot: _Slot) -> _Judged:
    present = [v for v in values if v.startswith(MANDRILL_PREFIX)]
    if slot.spec_value is not None and slot.spec_value in values:
        return _Judged(Verdict.OK)
    if slot.spec_value is None and present:
        return _Judged(Verdict.OK)
    if present:
        return _Judged(Verdict.WRONG, f"the Mandrill verification value is {present[0]!r}, not the spec's")
    return _Judged(Verdict.MISSING, "no mandrill_verify. value")


def _judge_dmarc(values: tuple[str, ...], slot: _Slot) -> _Judged:
    records = [v for v in values if is_dmarc(v)]
    if not records:
        return _Judged(Verdict.MISSING, "no DMARC record")
    if len(records) > 1:
        return _Judged(Verdict.CONFLICT, f"{len(records)} DMARC records: receivers then apply none (RFC 7489 §6.6.3)")
    try:
        parse_dmarc(records[0])
    except DmarcSyntaxError as err:
        return _Judged(Verdict.WRONG, f"the DMARC record is not valid: {err}")
    if slot.spec_value is not None and not same_value("TXT", records[0], slot.spec_value):
        return _Judged(Verdict.WRONG, "the DMARC record differs from the spec's")
    return _Judged(Verdict.OK)


def _judge_cname(answer: LiveAnswer, expected: str, *, token: str | None) -> _Judged:
    if answer.outcome is not Outcome.ANSWER or not answer.values:
        return _Judged(Verdict.MISSING, "no CNAME")
    target = answer.values[0]
    if target == expected:
        return _Judged(Verdict.OK)
    match = SES_TARGET.match(target)
    if token is not None and match and match.group("token") == token:
        return _Judged(Verdict.OK)  # a regional SigningHostedZone: right when no spec says otherwise
    return _Judged(Verdict.WRONG, f"points to {target}, not {expected}")


def _combine(verdicts: list[_Judged]) -> _Judged:
    """One verdict over every server that answered: OK or MISSING only when all agree."""
    kinds = {j.verdict for j in verdicts}
    details = list(dict.fromkeys(j.detail for j in verdicts if j.detail))
    if Verdict.CONFLICT in kinds:
        return _Judged(Verdict.CONFLICT, "; ".join(details))
    if len(kinds) == 1:
        return _Judged(kinds.pop(), "; ".join(details))
    return _Judged(Verdict.WRONG, "the servers disagree: " + "; ".join(details) if details else "the servers disagree")


def _status(verdicts: list[Verdict]) -> Status:
    if Verdict.CONFLICT in verdicts:
        return Status.CONFLICT
    if all(v is Verdict.OK for v in verdicts):
        return Status.IN_SYNC
    if all(v is Verdict.MISSING for v in verdicts):
        return Status.PENDING
    return Status.DIFFERS


# ---------------------------------------------------------------------------------------------
# Expected values when no spec fixes them


def _spf_expected(values: tuple[str, ...], slot: _Slot, verdict: Verdict) -> str:
    """What the SPF record should read: the spec's, the live one when right, else the live terms
    kept with SpotMe's include added before `all` (one record, RFC 7208 §3.2)."""
    if slot.spec_value is not None:
        return slot.spec_value
    records = [v for v in values if is_spf(v)]
    if verdict is Verdict.OK and len(records) == 1:
        return records[0]
    keep: list[str] = []
    all_term = "-all"
    for record in records:
        try:
            parsed = parse_spf(record)
        except SpfSyntaxError:
            continue
        if parsed.all_term is not None and all_term == "-all":
            all_term = parsed.all_term.text
        keep += [t.text for t in parsed.terms if not (t.name == "all" and not t.is_modifier)]
    try:
        return merge_terms(keep, (SPOTME_INCLUDE,), all_term)
    except SpfSyntaxError:
        return DEFAULT_SPF


def _verify_expected(values: tuple[str, ...], slot: _Slot) -> str:
    if slot.spec_value is not None:
        return slot.spec_value
    present = sorted(v for v in values if v.startswith(MANDRILL_PREFIX))
    return present[0] if present else VERIFY_PLACEHOLDER


def _dmarc_expected(values: tuple[str, ...], slot: _Slot, verdict: Verdict, floor: str = "none") -> str:
    """The spec's record, the live one when right, else a minimal record: `p=none`, or under a
    stricter Organizational Domain its policy (a subdomain's own record overrides it)."""
    if slot.spec_value is not None:
        return slot.spec_value
    records = [v for v in values if is_dmarc(v)]
    return records[0] if verdict is Verdict.OK and records else build_dmarc(floor)


# ---------------------------------------------------------------------------------------------
# The record sets to look at


@dataclass(frozen=True)
class _Expected:
    """One record set of the audit: where, which type, and the SpotMe values expected there."""

    name: str
    type: str
    slots: tuple[_Slot, ...]
    cname_target: str = ""
    """CNAME sets: the expected target."""
    ses_token: str | None = None
    """SES selectors without a spec: any `<token>.dkim[.<region>].amazonses.com` is right."""


def expected_sets(target: AuditTarget) -> tuple[_Expected, ...]:
    """The SpotMe record sets of a domain, in the order a report shows them."""
    d = target.domain
    if target.expected is not None:
        out = []
        for record in target.expected.records:
            slots = tuple(_Slot(v.purpose, v.text) for v in record.values if v.purpose is not Purpose.KEPT_TXT)
            if record.type is RecordType.CNAME:
                out.append(_Expected(record.name, "CNAME", slots, record.values[0].text))
            else:
                out.append(_Expected(record.name, record.type.value, slots))
        return tuple(out)
    out = [
        _Expected(d, "TXT", (_Slot(Purpose.SPF, None), _Slot(Purpose.MANDRILL_VERIFY, None))),
        _Expected(f"_dmarc.{d}", "TXT", (_Slot(Purpose.DMARC, None),)),
    ]
    for token in target.ses_tokens:
        out.append(
            _Expected(f"{token}._domainkey.{d}", "CNAME", (_Slot(Purpose.SES_DKIM, None),), f"{token}.dkim.amazonses.com", token)
        )
    if target.mandrill_dkim:
        for selector, host in checks.MANDRILL_SELECTORS:
            out.append(_Expected(f"{selector}._domainkey.{d}", "CNAME", (_Slot(Purpose.MANDRILL_DKIM, None),), host))
    return tuple(sorted(out, key=lambda e: (name_order(e.name), e.type)))


def judge_record(
    expected: _Expected,
    answers: tuple[LiveAnswer, ...],
    *,
    authorized: dict[str, bool],
    delegated: LiveAnswer | None = None,
    dmarc_floor: str = "none",
) -> RecordResult:
    """The status of one record set from every server's answer (pure).

    `authorized` says, per SPF text, whether it authorises SpotMe's include (from its tree);
    `delegated` is the CNAME-following answer for a `_dmarc` name that is a CNAME.
    """
    definite = [a for a in answers if a.ok]
    live = checks.live_values(answers)
    if not definite:
        failed = "; ".join(f"{a.server or 'resolver'}: {a.outcome.value}" for a in answers) or "no server answered"
        expect = tuple(_slot_expected(expected, s, (), Verdict.MISSING) for s in expected.slots)
        return RecordResult(expected.name, expected.type, expect, (), Status.UNKNOWN, f"not known: {failed}")
    per_slot: list[_Judged] = []
    expect_texts: list[str] = []
    for slot in expected.slots:
        judged = []
        for answer in definite:
            judged.append(_judge_answer(expected, slot, answer, authorized, delegated))
        verdict = _combine(judged)
        per_slot.append(verdict)
        values = live if delegated is None else tuple(delegated.values)
        expect_texts.append(_slot_expected(expected, slot, values, verdict.verdict, dmarc_floor))
    status = _status([j.verdict for j in per_slot])
    detail = "; ".join(dict.fromkeys(j.detail for j in per_slot if j.detail and j.verdict is not Verdict.OK))
    shown_live = live
    chain = next((a.chain for a in definite if a.chain), ())
    if chain and expected.type == "TXT":
        shown_live = (f"CNAME {chain[0]}", *(delegated.values if delegated else ()))
    return RecordResult(expected.name, expected.type, tuple(expect_texts), shown_live, status, detail)


def _slot_expected(expected: _Expected, slot: _Slot, values: tuple[str, ...], verdict: Verdict, dmarc_floor: str = "none") -> str:
    if expected.type == "CNAME":
        return slot.spec_value or expected.cname_target
    if slot.purpose is Purpose.SPF:
        return _spf_expected(values, slot, verdict)
    if slot.purpose is Purpose.DMARC:
        return _dmarc_expected(values, slot, verdict, dmarc_floor)
    return _verify_expected(values, slot)


def _judge_answer(expected: _Expected, slot: _Slot, answer: LiveAnswer, authorized: dict[str, bool], delegated: LiveAnswer | None) -> _Judged:
    if expected.type == "CNAME":
        return _judge_cname(answer, expected.cname_target, token=expected.ses_token)
    if answer.chain:
        if slot.purpose is Purpose.DMARC and delegated is not None and delegated.ok:
            # A delegated DMARC record (a CNAME to a DMARC service): receivers read the target.
            return _judge_dmarc(tuple(delegated.values), slot)
        return _Judged(
            Verdict.CONFLICT,
            f"{expected.name} is a CNAME to {answer.chain[0]}: it cannot also hold TXT records (RFC 1034 §3.6.2)",
        )
    values = answer.values if answer.outcome is Outcome.ANSWER else ()
    if slot.purpose is Purpose.SPF:
        return _judge_spf(values, slot, authorized)
    if slot.purpose is Purpose.DMARC:
        return _judge_dmarc(values, slot)
    return _judge_verify(values, slot)


# ---------------------------------------------------------------------------------------------
# The SPF include tree, in words


def describe_tree(tree: SpfTree) -> str:
    """`7 of 10 DNS lookups: include:_spf.google.com (4: include:_netblocks.google.com (1), ...), mx (1)`."""
    root = tree.root
    parts = _describe_children(root)
    used = f"{tree.lookups} of {LOOKUP_LIMIT} DNS lookups"
    if tree.void_lookups:
        used += f", {tree.void_lookups} void"
    return f"{used}: {', '.join(parts)}" if parts else f"{used}: the record names no other domain"


def _describe_children(node: SpfNode) -> list[str]:
    parts = [f"{t.term} (1)" for t in node.terms]
    for child in node.children:
        below = _describe_children(child)
        status = "" if child.status is NodeStatus.OK else f" [{child.status.value}]"
        inner = f": {', '.join(below)}" if below else ""
        parts.append(f"{child.via} ({child.cost}{inner}){status}")
    return parts


# ---------------------------------------------------------------------------------------------
# Auditing


async def find_zone(domain: str, dns: AuditDns) -> tuple[str | None, str]:
    """The zone holding `domain`: the closest name at or above it that has an SOA record.

    Returns the zone (or None) and, when none is found, what the lookups said.
    """
    labels = domain.split(".")
    said = []
    for i in range(len(labels) - 1):
        candidate = ".".join(labels[i:])
        answer = await dns.zone_soa(candidate)
        if answer.outcome is Outcome.ANSWER and not answer.chain:
            return candidate, ""
        said.append(f"{candidate}: {answer.outcome.value}")
    return None, "; ".join(said)


async def audit_domain(target: AuditTarget, dns: AuditDns) -> DomainReport:
    """Everything `check` says about one domain."""
    domain = target.domain
    zone = target.zone
    if zone is None:
        zone, said = await find_zone(domain, dns)
        if zone is None:
            message = f"cannot find the DNS zone of {domain}: no SOA record at it or above it ({said})"
            return DomainReport(domain, domain, (), (checks.finding("dns-error", domain, message),))
    sets = expected_sets(target)
    try:
        await dns.authoritative_servers(zone)
    except DnsLookupError as err:
        records = tuple(judge_record(e, (), authorized={}) for e in sets)
        return DomainReport(domain, zone, records, (checks.finding("dns-error", zone, str(err)),))

    keys = [(e.name, e.type) for e in sets]
    asked = await asyncio.gather(*(dns.query_own(zone, name, rdtype) for name, rdtype in keys))
    answers = dict(zip(keys, asked, strict=True))

    findings = list(await checks.run_checks(DesiredDomain(domain, zone, ()), answers, dns, actions_known=False))
    findings = _adjust_findings(findings, target)
    parent = (await dns.dmarc_tree_walk(domain)).parent
    findings += _parent_findings(domain, parent, answers.get((f"_dmarc.{domain}", "TXT"), ()))
    if parent is not None and weakens(parent.policy, "none"):
        # Never advise p=none under a stricter Organizational Domain: that record would override it.
        minimal, stricter = f"'{DEFAULT_DMARC}'", f"'{build_dmarc(parent.policy)}' (what {parent.describe()} asks)"
        findings = [replace(f, message=f.message.replace(minimal, stricter)) if f.code == "dmarc-missing" else f for f in findings]

    spf_texts = sorted({v for a in answers.get((domain, "TXT"), ()) if a.outcome is Outcome.ANSWER and not a.chain for v in a.values if is_spf(v)})
    trees = await asyncio.gather(*(spf_tree(domain, dns, record=text) for text in spf_texts))
    authorized = {text: tree.authorizes(SPOTME_INCLUDE) for text, tree in zip(spf_texts, trees, strict=True)}
    for tree in trees:
        findings.append(Finding(Severity.INFO, "spf-lookup-budget", domain, f"SPF {describe_tree(tree)}"))

    dmarc_name = f"_dmarc.{domain}"
    delegated = None
    if any(a.chain for a in answers.get((dmarc_name, "TXT"), ())):
        delegated = await dns.resolve(dmarc_name, "TXT")

    findings += await _doubled_names(zone, sets, dns)
    records = tuple(
        judge_record(
            e, answers[(e.name, e.type)], authorized=authorized, delegated=delegated if e.name == dmarc_name else None,
            dmarc_floor=parent.policy if parent else "none",
        )
        for e in sets
    )
    return DomainReport(domain, zone, records, _ordered(findings))


#: The checks speak of the state after applying a plan; an audit has no plan, only what is live.
_PRESENT_TENSE = (
    (" after apply", ""),
    (" would have ", " has "),
    (" would hold ", " holds "),
    (" (live, not in the plan)", ""),
)


def present_tense(message: str) -> str:
    """A check's message worded for live DNS as it is, not for a plan."""
    for old, new in _PRESENT_TENSE:
        message = message.replace(old, new)
    return message


def _adjust_findings(findings: list[Finding], target: AuditTarget) -> list[Finding]:
    """Drop what an audit cannot judge and say why: SES selectors without tokens, Mandrill DKIM the spec turned off."""
    out = []
    for f in findings:
        f = Finding(f.severity, f.code, f.name, present_tense(f.message))
        if f.code == "dkim-selector-missing":
            ses = f.name == target.domain
            if ses and not target.ses_tokens:
                continue
            if not ses and not target.mandrill_dkim:
                continue
        out.append(f)
    if not target.ses_tokens:
        out.append(
            Finding(
                Severity.INFO,
                "ses-dkim-unchecked",
                target.domain,
                "the three AWS SES DKIM selectors are named after the domain's Easy DKIM tokens, which were not "
                "given: pass them with --ses-token (three times) or --spec to check those CNAMEs",
            )
        )
    return out


def _parent_findings(domain: str, parent: ParentPolicy | None, answers: tuple[LiveAnswer, ...]) -> list[Finding]:
    """What the Organizational Domain's policy (RFC 9989 DNS Tree Walk) means for `domain`'s own record."""
    if parent is None:
        return []
    name = f"_dmarc.{domain}"
    own = [v for v in checks.live_values(answers) if is_dmarc(v)]
    try:
        policy = parse_dmarc(own[0]).policy if len(own) == 1 else None
    except DmarcSyntaxError:
        policy = None
    if policy is not None and weakens(parent.policy, policy):
        return [checks.finding(
            "dmarc-weakens-parent", name,
            f"p={policy} at {name} overrides {parent.describe()} for {domain} (RFC 9989 §4.10.1: a subdomain's own "
            f"record replaces its Organizational Domain's policy): spoofed mail from {domain} gets p={policy} instead "
            f"of {parent.policy}; publish p={parent.policy} or stricter",
        )]
    return [Finding(
        Severity.INFO, "dmarc-parent-policy", domain,
        f"the Organizational Domain's record {parent.describe()} applies to {domain} unless {name} has its own; a "
        f"record there overrides it (RFC 9989 §4.10.1), so it needs p={parent.policy} or stricter",
    )]


async def _doubled_names(zone: str, sets: tuple[_Expected, ...], dns: AuditDns) -> list[Finding]:
    """`doubled-zone-name`: a SpotMe record found at `<name>.<zone>`, the zone typed twice in a console."""
    probes = [(e, f"{e.name}.{zone}") for e in sets]
    asked = await asyncio.gather(*(dns.query_own(zone, doubled, e.type) for e, doubled in probes))
    out = []
    for (e, doubled), got in zip(probes, asked, strict=True):
        values = checks.live_values(got)
        if not values:
            continue
        out.append(
            checks.finding(
                "doubled-zone-name",
                doubled,
                f"{doubled} {e.type} holds {', '.join(repr(v) for v in values)}: the zone name was typed twice (a DNS "
                f"console appends {zone} itself); the record belongs at {e.name}",
            )
        )
    return out


_INFO_ORDER = {code: i for i, code in enumerate(AUDIT_CODES)}


def _ordered(findings: list[Finding]) -> tuple[Finding, ...]:
    order = {c.code: i for i, c in enumerate(checks.CHECKS)}
    unique = list(dict.fromkeys(findings))
    return tuple(
        sorted(
            unique,
            key=lambda f: (order.get(f.code, len(order) + _INFO_ORDER.get(f.code, 0)), name_order(f.name), f.message),
        )
    )


async def audit(
    targets: Sequence[AuditTarget],
    dns: AuditDns,
    *,
    on_done: Callable[[DomainReport], None] | None = None,
) -> Report:
    """Audit every target concurrently (DNS concurrency is bounded by `dns`); report in input order.

    `on_done` is called once per domain as it finishes (for a progress bar).
    """

    async def one(target: AuditTarget) -> DomainReport:
        report = await audit_domain(target, dns)
        if on_done is not None:
            on_done(report)
        return report

    reports = await asyncio.gather(*(one(t) for t in targets))
    return Report(tuple(reports), command="check")
