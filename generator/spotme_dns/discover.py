"""`generate --discover`: read what already exists at every owner name a domain needs, then merge.

Where the existing records are read, per provider:
- route53: the hosted zone's record sets through boto3 when AWS credentials are available
  (standard environment and config files; `AWS_ENDPOINT_URL` is honoured, so moto works),
  else live DNS. The zone is found by name unless the spec gives `zone_id`.
- cloudflare: the Cloudflare API when `CLOUDFLARE_API_TOKEN` is set (record ids, needed for
  imports), else live DNS.
- generic: live DNS.
Live DNS means the zone's authoritative servers, or `--nameserver` as in `validate`. When an API
was read, live DNS is read too and any difference is reported (a zone not delegated to the
provider, or changes not yet propagated). The merged SPF record's include tree is then walked
live (spf_eval.spf_tree) to count its DNS lookups (RFC 7208 §4.6.4) and to find an existing
record that is already a permerror (an include without SPF, a loop, too many void lookups).

Live answers that a wildcard synthesised (RFC 4592) are no records and are left out, with a
note (`LiveDns.query_own`). For DMARC, discovery also reads the Organizational Domain's policy
above the domain by the RFC 9989 DNS Tree Walk (`LiveDns.dmarc_tree_walk`), which a record of
the domain's own overrides, and, when `_dmarc.<domain>` is a CNAME, the record at its target.

Failing to read what exists is an error, never "nothing exists": merging blind is exactly how
a customer's records get deleted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from . import aws, spf
from .cloudflare_api import CloudflareApi
from .dns_live import DnsLookupError, LiveAnswer, LiveDns, Outcome, Server
from .errors import InputError, Problem
from .existing import ExistingDomain, ExistingRecord, ExistingValue, Source
from .merge import Action, Decision, MergeResult, merge, refuse_spf_lookups, refuse_spf_permerror
from .model import name_order
from .records import MANDRILL_DKIM, spf_value
from .spec import DomainSpec, Provider
from .spf_eval import NodeStatus, SpfTree, describe_path, spf_tree

#: Record types looked up in live DNS at each name: what we write, and a CNAME that would
#: forbid it (RFC 1034 §3.6.2). The APIs return every type at a name.
_LIVE_TYPES = ("TXT", "CNAME")


class DiscoverError(InputError):
    """What exists could not be read, so merging would be guesswork."""

    def __init__(self, domain: DomainSpec, message: str) -> None:
        super().__init__([Problem(domain.location, f"{domain.domain}: {message}", "discover-failed")])


@dataclass(frozen=True)
class DiscoverOptions:
    """How to read what exists."""

    nameservers: tuple[Server, ...] = ()
    """Ask these instead of each zone's authoritative servers (`--nameserver`)."""
    resolvers: tuple[Server, ...] = ()
    """Resolve names outside the zones through these instead of the system's resolver (`--resolver`)."""
    timeout: float = 3.0
    retries: int = 1
    use_aws: bool | None = None
    """None: use the Route53 API when AWS credentials are found."""
    environ: Mapping[str, str] | None = None
    """Where CLOUDFLARE_API_TOKEN is read (os.environ by default)."""


def owner_names(spec: DomainSpec) -> tuple[str, ...]:
    """Every owner name the domain's records use, in record order."""
    d = spec.domain
    names = [d, f"_dmarc.{d}", *(f"{t}._domainkey.{d}" for t in spec.ses.dkim_tokens)]
    if spec.mandrill.dkim:
        names += [f"{selector}._domainkey.{d}" for selector, _ in MANDRILL_DKIM]
    return tuple(names)


async def discover_and_merge(
    specs: Sequence[DomainSpec],
    *,
    options: DiscoverOptions = DiscoverOptions(),
    force: bool = False,
    on_done: Callable[[ExistingDomain], None] | None = None,
) -> tuple[MergeResult, ...]:
    """Discover, merge and count the merged SPF record's lookups for every domain, in order.

    Raises DiscoverError (exit 2) when what exists cannot be read. Refusals are in the results.
    `on_done` is called as each domain's existing records have been read (a progress bar).
    """
    live = LiveDns(
        nameservers=options.nameservers, resolvers=options.resolvers, timeout=options.timeout, retries=options.retries,
        zones=tuple(spec.zone for spec in specs),
    )
    use_aws = options.use_aws
    if use_aws is None and any(s.provider is Provider.ROUTE53 for s in specs):
        use_aws = await asyncio.to_thread(aws.configured)
    cloudflare = None
    if any(s.provider is Provider.CLOUDFLARE for s in specs):
        cloudflare = CloudflareApi.from_environment(options.environ)
    try:
        route53 = await asyncio.to_thread(aws.route53_client) if use_aws else None

        async def read(spec: DomainSpec) -> ExistingDomain:
            found = await discover_domain(spec, live=live, route53=route53, cloudflare=cloudflare)
            if on_done is not None:
                on_done(found)
            return found

        existing = await asyncio.gather(*(read(s) for s in specs))
        results = [merge(s, e, force=force) for s, e in zip(specs, existing, strict=True)]
        return tuple(await asyncio.gather(*(count_spf_lookups(r, live=live, force=force) for r in results)))
    finally:
        if cloudflare is not None:
            cloudflare.close()


async def discover_domain(
    spec: DomainSpec, *, live: LiveDns, route53: object | None = None, cloudflare: CloudflareApi | None = None
) -> ExistingDomain:
    """What exists at the domain's owner names, from the provider's API when available."""
    names = owner_names(spec)
    if spec.provider is Provider.ROUTE53 and route53 is not None:
        found = await asyncio.to_thread(_read_route53, spec, names, route53)
    elif spec.provider is Provider.CLOUDFLARE and cloudflare is not None:
        found = await asyncio.to_thread(_read_cloudflare, spec, names, cloudflare)
    else:
        records, problem, wildcards = await _read_live(spec, names, live)
        if problem:
            raise DiscoverError(spec, f"cannot read the existing records from live DNS: {problem}")
        found = ExistingDomain(spec.domain, spec.zone, Source.LIVE_DNS, records, spec.zone_id, wildcards)
        return await _dmarc_context(spec, found, live)
    live_records, problem, wildcards = await _read_live(spec, names, live)
    if problem:
        note = f"live DNS not compared with the {found.source} ({problem})"
        found = replace(found, notes=found.notes + (note,))
    else:
        found = replace(found, notes=found.notes + wildcards + _differences(found, live_records))
    return await _dmarc_context(spec, found, live)


async def _dmarc_context(spec: DomainSpec, found: ExistingDomain, live: LiveDns) -> ExistingDomain:
    """What merging DMARC needs beyond the domain's own names: the policy above the domain
    (RFC 9989 DNS Tree Walk) and, for a `_dmarc` CNAME, the record at its target."""
    if not spec.dmarc.manage:
        return found
    name = f"_dmarc.{spec.domain}"
    walk = await live.dmarc_tree_walk(spec.domain)
    delegated = None
    if found.get(name, "CNAME") is not None:
        answer = await live.resolve(name, "TXT")
        delegated = answer.values if answer.outcome is Outcome.ANSWER else ()
    return replace(found, parent_dmarc=walk, dmarc_delegated=delegated)


# ------------------------------------------------------------------------------ the sources


def _read_route53(spec: DomainSpec, names: tuple[str, ...], client: object) -> ExistingDomain:
    notes: list[str] = []
    if spec.zone_id:
        zone = aws.get_hosted_zone(spec.zone_id, client=client)
        if zone.name != spec.zone:
            raise DiscoverError(spec, f"hosted zone {zone.id} is {zone.name}, not {spec.zone} (check zone_id)")
    else:
        zone = aws.find_hosted_zone(spec.zone, client=client)
        notes.append(f"found Route53 hosted zone {zone.describe()} by name")
    if zone.private:
        notes.append(f"hosted zone {zone.id} is private: only its VPCs see these records")
    sets = aws.list_record_sets(zone.id, names, client=client)
    records = tuple(
        ExistingRecord(
            name=s.name,
            type=s.type,
            values=tuple(ExistingValue(v) for v in s.values),
            ttl=s.ttl,
            set_identifier=s.set_identifier,
            alias=s.alias,
        )
        for s in sets
    )
    return ExistingDomain(spec.domain, spec.zone, Source.ROUTE53, _sorted(records), zone.id, tuple(notes))


def _read_cloudflare(spec: DomainSpec, names: tuple[str, ...], api: CloudflareApi) -> ExistingDomain:
    notes: list[str] = []
    zone_id = spec.zone_id
    if not zone_id:
        zone = api.find_zone(spec.zone)
        zone_id = zone.id
        notes.append(f"found Cloudflare zone {zone.name} ({zone.id}) by name")
    grouped: dict[tuple[str, str], list[ExistingValue]] = {}
    ttls: dict[tuple[str, str], int] = {}
    for name in names:
        for record in api.dns_records(zone_id, name=name):
            grouped.setdefault((record.name, record.type), []).append(ExistingValue(record.content, record.id))
            ttls[(record.name, record.type)] = record.ttl
            if record.proxied:
                notes.append(f"{record.name} {record.type} is proxied: mail records must be DNS-only")
    records = tuple(
        ExistingRecord(name, rtype, tuple(sorted(values, key=lambda v: v.text)), ttls[(name, rtype)])
        for (name, rtype), values in grouped.items()
    )
    return ExistingDomain(spec.domain, spec.zone, Source.CLOUDFLARE, _sorted(records), zone_id, tuple(notes))


async def _read_live(
    spec: DomainSpec, names: tuple[str, ...], live: LiveDns
) -> tuple[tuple[ExistingRecord, ...], str, tuple[str, ...]]:
    """What the authoritative servers serve at `names`: (records, "", notes) or ((), why it failed, ()).

    Answers a wildcard synthesised (RFC 4592) are no records: they are left out, and said in a note.
    """
    try:
        await live.authoritative_servers(spec.zone)
    except DnsLookupError as err:
        return (), f"{err} (use --nameserver to name the servers)", ()
    questions = [(name, rtype) for name in names for rtype in _LIVE_TYPES]
    answers = await asyncio.gather(*(live.query_own(spec.zone, name, rtype) for name, rtype in questions))
    records: list[ExistingRecord] = []
    failures: list[str] = []
    wildcards: dict[str, str] = {}
    for (name, rtype), per_server in zip(questions, answers, strict=True):
        for answer in per_server:
            if answer.wildcard:
                wildcards.setdefault(name, answer.wildcard)
        definite = [a for a in per_server if a.ok]
        failed = [a for a in per_server if not a.ok]
        if failed:
            failures.extend(f"{a.server} {name} {rtype}: {a.outcome}{' (' + a.detail + ')' if a.detail else ''}" for a in failed)
            continue
        values = _own_values(definite, rtype)
        if values:
            ttl = min((a.ttl for a in definite if a.ttl is not None), default=None)
            records.append(ExistingRecord(name, rtype, tuple(ExistingValue(v) for v in values), ttl))
    if failures:
        shown = "; ".join(failures[:4]) + (f"; and {len(failures) - 4} more" if len(failures) > 4 else "")
        return (), shown, ()
    notes = tuple(
        f"{name}: only the wildcard {what} answers there, which is no record of its own (RFC 4592): "
        "not adopted, nothing in the way"
        for name, what in wildcards.items()
    )
    return _sorted(records), "", notes


def _own_values(answers: list[LiveAnswer], rtype: str) -> tuple[str, ...]:
    """The values held at the name itself (servers that disagree: all of them)."""
    values: set[str] = set()
    for answer in answers:
        # A TXT answer reached through a CNAME is the target's data, not this name's.
        if answer.outcome is Outcome.ANSWER and (rtype == "CNAME" or not answer.chain):
            values.update(answer.values)
    return tuple(sorted(values))


def _differences(found: ExistingDomain, live: tuple[ExistingRecord, ...]) -> tuple[str, ...]:
    """Notes where live DNS serves something else than the API holds (TXT and CNAME only)."""
    notes = []
    live_by_key = {r.key: set(r.texts) for r in live}
    api_by_key = {r.key: set(r.texts) for r in found.records if r.type in _LIVE_TYPES}
    for key in sorted(set(live_by_key) | set(api_by_key)):
        a, b = api_by_key.get(key, set()), live_by_key.get(key, set())
        if a != b:
            notes.append(
                f"live DNS at {key[0]} {key[1]} serves {sorted(b) or 'nothing'} but the {found.source} holds "
                f"{sorted(a) or 'nothing'} (is the zone delegated there, or not yet propagated?)"
            )
    return tuple(notes)


def _sorted(records: tuple[ExistingRecord, ...] | list[ExistingRecord]) -> tuple[ExistingRecord, ...]:
    return tuple(sorted(records, key=lambda r: (name_order(r.name), r.type)))


# ------------------------------------------------------------------------------ SPF lookups


async def count_spf_lookups(result: MergeResult, *, live: LiveDns, force: bool = False) -> MergeResult:
    """Walk the merged SPF record's includes live and refuse it over 10 lookups (RFC 7208 §4.6.4)."""
    if not result.ok:
        return result
    domain = result.domain
    text = spf_value(domain)
    tree = await spf_tree(domain.domain, live, record=text)
    unfollowed = [
        node.domain for node in tree.nodes()[1:] if node.status in (NodeStatus.DNS_ERROR, NodeStatus.NOT_FOLLOWED)
    ]
    if unfollowed:
        note = Decision(
            Action.NOTE,
            domain.domain,
            "TXT",
            message=f"could not follow {', '.join(dict.fromkeys(unfollowed))}: {tree.lookups} DNS lookups counted, "
            "the real number may be higher",
            code="spf-lookups-lower-bound",
        )
        result = replace(result, decisions=result.decisions + (note,))
    if tree.lookups > spf.LOOKUP_LIMIT:
        result = refuse_spf_lookups(result, count=tree.lookups, path=describe_path(tree.costliest_path()), force=force)
    return refuse_spf_permerror(result, _permerrors(tree, domain.spf.include), force=force)


#: What makes an include/redirect target a permerror (RFC 7208 §5.2, §4.5, §4.6.4).
_PERMERROR = {
    NodeStatus.NOT_FOUND: "has no SPF record",
    NodeStatus.MULTIPLE: "has several SPF records",
    NodeStatus.SYNTAX: "has an invalid SPF record",
    NodeStatus.LOOP: "leads back to itself (an include loop)",
}


def _permerrors(tree: SpfTree, ours: tuple[str, ...]) -> list[str]:
    """The permerrors the customer's own terms lead to (not those below SpotMe's includes)."""
    own = {d.lower().rstrip(".") for d in ours}
    problems = []
    for status, what in _PERMERROR.items():
        for path in tree.with_status(status):
            if len(path) > 1 and path[1].domain not in own:
                problems.append(f"{path[-1].via} {what}" + (f" (through {path[1].via})" if len(path) > 2 else ""))
    if tree.void_lookups > spf.VOID_LOOKUP_LIMIT:
        problems.append(f"{tree.void_lookups} lookups find nothing, over the limit of {spf.VOID_LOOKUP_LIMIT} void lookups")
    return problems
