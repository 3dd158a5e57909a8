"""Merge what already exists with what the spec wants, never deleting a customer's value silently.

`merge(spec, existing)` is pure: it returns the merged domain spec (what `generate` renders),
every decision in words (printed by the command and written as comments into the generated
file), and the existing records Terraform must import instead of creating.

The rules (issue 4):
- SPF: the existing record's terms stay, in order; ours go before `all`; the existing `all`
  qualifier stays unless the spec sets one; exactly one `v=spf1` record results
  (RFC 7208 §3.2, §4.5). Over the 10-lookup limit (§4.6.4) is refused without --force.
- Other TXT values at the domain are carried unchanged into the Route53 record set (in
  Route53 all TXT values of a name are one record set; Cloudflare keeps one record per value,
  so there they are simply left alone).
- DMARC merges tag by tag: the spec's `p`/`sp`/`np` are minimums (a stricter live one is
  kept), live tags the spec does not set (`rua`, `ruf`, `fo`, ...) survive, and a new record at
  a subdomain gets at least the policy it inherits today from its Organizational Domain (RFC
  9989 DNS Tree Walk, read by discovery). A record equal in meaning is adopted byte for byte. A
  `_dmarc` CNAME to a DMARC service that serves a valid record is adopted: no DMARC
  record is written (as with `dmarc: {manage: false}`).
- DKIM CNAMEs that already point right are adopted (imported), not recreated.
A refusal that --force cannot lift is something no generated Terraform can apply (a CNAME
beside other data, RFC 1034 §3.6.2): the user must fix the zone first.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

from . import dmarc, spf
from .existing import ExistingDomain, ExistingRecord, ExistingValue
from .model import Purpose
from .records import MANDRILL_DKIM, build_records
from .spec import DmarcSpec, DomainSpec, Provider, SpfSpec

#: Values longer than this are shortened in decision messages (the whole value is in the file).
_SHOW = 72


class Action(str, Enum):
    """What merging did about one record or value."""

    KEEP = "keep"
    """A customer's value carried along unchanged, or left alone."""
    ADD = "add"
    """A record or value of ours that did not exist."""
    ADOPT = "adopt"
    """An existing record already right: imported, not recreated."""
    CHANGE = "change"
    """An existing record changed: merged, or replaced as the spec asks."""
    FORCED = "forced"
    """A change that is refused without --force, done because --force was given."""
    REFUSE = "refuse"
    """Not done: needs --force, or a fix by hand (see `Decision.forceable`)."""
    NOTE = "note"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Decision:
    """One thing merging decided, in words."""

    action: Action
    name: str
    """The owner name it is about."""
    type: str
    message: str
    code: str
    """Stable kebab-case id (`spf-merged`, `dmarc-merged`, ...)."""
    forceable: bool = True
    """For a refusal: whether --force lifts it."""

    def __str__(self) -> str:
        where = f"{self.name} {self.type}" if self.type else self.name
        return f"{self.action}: {where}: {self.message}"


@dataclass(frozen=True)
class Adoption:
    """An existing record that the generated Terraform imports instead of creating."""

    name: str
    type: str
    value: str | None = None
    """Per-value providers (Cloudflare): which of our values this record becomes; None for a
    whole record set (Route53)."""
    record_id: str | None = None
    """The provider's record id (Cloudflare); None when the id is built from names (Route53)."""


@dataclass(frozen=True)
class MergeResult:
    """The merged spec, the decisions and the imports for one sending domain."""

    domain: DomainSpec
    """The spec after merging: render this one."""
    decisions: tuple[Decision, ...]
    adoptions: tuple[Adoption, ...] = ()
    zone_id: str | None = None
    """The zone id imports are built with (from the spec or found by discovery)."""
    source: str = ""
    """Where the existing records were read (`Route53 API`, `live DNS`, ...)."""

    @property
    def refusals(self) -> tuple[Decision, ...]:
        """Decisions that stop `generate` (exit 1, nothing written)."""
        return tuple(d for d in self.decisions if d.action is Action.REFUSE)

    @property
    def ok(self) -> bool:
        return not self.refusals


def merge(spec: DomainSpec, existing: ExistingDomain, *, force: bool = False) -> MergeResult:
    """Merge `existing` into `spec`; pure. With `force`, forceable refusals become FORCED."""
    return _Merger(spec, existing, force).run()


def refuse_spf_lookups(result: MergeResult, *, count: int, path: str, force: bool = False) -> MergeResult:
    """Add the verdict of the live SPF lookup count (RFC 7208 §4.6.4) to a merge result.

    `count` is the number of DNS-querying terms found by following the merged record's
    includes live; `path` describes the include chain that costs the most (outermost first).
    """
    if count <= spf.LOOKUP_LIMIT:
        return result
    path = path or "(the record itself)"
    message = (
        f"the merged SPF record needs {count} DNS lookups, over the limit of {spf.LOOKUP_LIMIT} "
        f"(RFC 7208 §4.6.4: receivers return permerror and SPF fails for all mail); the costliest "
        f"include chain is {path}"
    )
    advice = "Drop or flatten an include, or use --force to write it anyway"
    forced = (
        f"wrote an SPF record that needs {count} DNS lookups, over the limit of {spf.LOOKUP_LIMIT} "
        f"(RFC 7208 §4.6.4); the costliest include chain is {path}"
    )
    decision = _verdict(
        result.domain.domain, "TXT", "spf-too-many-lookups", message, advice, forceable=True, force=force, forced=forced
    )
    return replace(result, decisions=result.decisions + (decision,))


def refuse_spf_permerror(result: MergeResult, problems: list[str], *, force: bool = False) -> MergeResult:
    """Add the verdict on an existing SPF record that is already a permerror (RFC 7208 §4.6.4,
    §5.2, §4.5): merging would carry the error into the new record, and SPF fails for all mail.

    `problems` says what is wrong, found by following the merged record's includes live; only
    what the customer's own terms lead to is listed (SpotMe's include is checked by validate).
    """
    if not problems:
        return result
    message = (
        f"the existing SPF record is already a permerror ({'; '.join(problems)}): receivers fail SPF for all "
        "mail, and the merged record would keep the error"
    )
    decision = _verdict(
        result.domain.domain, "TXT", "spf-existing-permerror", message,
        "Fix the existing record first, or use --force to merge it anyway", forceable=True, force=force,
        forced=f"merged an SPF record that is already a permerror ({'; '.join(problems)})",
    )
    return replace(result, decisions=result.decisions + (decision,))


def _verdict(
    name: str, rtype: str, code: str, message: str, advice: str, *, forceable: bool, force: bool, forced: str = ""
) -> Decision:
    """A refusal saying what to do, or with --force (when it may lift it) what was done instead."""
    if force and forceable:
        return Decision(Action.FORCED, name, rtype, f"{forced or message} (because of --force)", code)
    return Decision(Action.REFUSE, name, rtype, f"{message}. {advice}", code, forceable)


#: From the strictest to the most lenient `all` (RFC 7208 §4.6.2 qualifiers).
_ALL_ORDER = ("-", "~", "?", "+", "")


def _strictest_all(a: spf.Term | None, b: spf.Term) -> spf.Term:
    """Of two records' `all`, the strictest: merging never widens who may send."""
    if a is None:
        return b
    return a if _ALL_ORDER.index(a.qualifier) <= _ALL_ORDER.index(b.qualifier) else b


def _show(text: str) -> str:
    short = text if len(text) <= _SHOW else text[: _SHOW - 3] + "..."
    return repr(short)


class _Merger:
    """One merge: collects decisions while building the merged spec."""

    def __init__(self, spec: DomainSpec, existing: ExistingDomain, force: bool) -> None:
        self.spec = spec
        self.existing = existing
        self.force = force
        self.decisions: list[Decision] = []
        # Cloudflare: existing record ids claimed by one of our values (SPF, DMARC).
        self.claimed: dict[tuple[str, str, str], str | None] = {}

    # -------------------------------------------------------------------------- helpers

    def decide(self, action: Action, name: str, rtype: str, code: str, message: str) -> None:
        self.decisions.append(Decision(action, name, rtype, message, code))

    def refuse(
        self, name: str, rtype: str, code: str, message: str, *, advice: str, forceable: bool, forced: str = ""
    ) -> bool:
        """Record a refusal (or, with --force, `forced`: what was done); True when the change goes ahead."""
        decision = _verdict(name, rtype, code, message, advice, forceable=forceable, force=self.force, forced=forced)
        self.decisions.append(decision)
        return decision.action is Action.FORCED

    @property
    def provider(self) -> Provider:
        return self.spec.provider

    @property
    def per_value(self) -> bool:
        """Cloudflare keeps one record per value; Route53 one record set per name and type."""
        return self.provider is Provider.CLOUDFLARE

    def cname_in_the_way(self, name: str) -> bool:
        """A CNAME where we need a TXT record: nothing else may exist there (RFC 1034 §3.6.2)."""
        cname = self.existing.get(name, "CNAME")
        if cname is None:
            return False
        self.refuse(
            name, "TXT", "cname-conflict",
            f"{name} is a CNAME to {', '.join(cname.texts)}: no TXT record can sit beside it (RFC 1034 §3.6.2)",
            advice="Remove the CNAME first (--force cannot help: the apply would fail)",
            forceable=False,
        )
        return True

    def routing_policy(self, record: ExistingRecord | None) -> bool:
        if record is None or (record.set_identifier is None and record.alias is None):
            return False
        what = f"an alias to {record.alias}" if record.alias else f"a routing policy (set identifier {record.set_identifier!r})"
        self.refuse(
            record.name, record.type, "routing-policy-conflict",
            f"the existing {record.type} record set at {record.name} is {what}; spotme-dns writes simple record sets",
            advice="Change it by hand first",
            forceable=False,
        )
        return True

    # -------------------------------------------------------------------------- the merge

    def run(self) -> MergeResult:
        spec = self.spec
        for note in self.existing.notes:
            self.decide(Action.NOTE, spec.domain, "", "discovery-note", note)
        spf_spec, keep_txt = self.merge_apex()
        dmarc_spec = self.merge_dmarc()
        self.merge_cnames()
        zone_id = spec.zone_id or self.existing.zone_id
        merged = replace(spec, spf=spf_spec, dmarc=dmarc_spec, keep_txt=keep_txt, zone_id=zone_id)
        adoptions = self.adoptions(merged, zone_id)
        return MergeResult(merged, tuple(self.decisions), adoptions, zone_id, str(self.existing.source))

    def merge_apex(self) -> tuple[SpfSpec, tuple[str, ...]]:
        spec, d = self.spec, self.spec.domain
        if self.cname_in_the_way(d):
            return spec.spf, spec.keep_txt
        record = self.existing.get(d, "TXT")
        if self.routing_policy(record):
            return spec.spf, spec.keep_txt
        values = record.values if record else ()
        spf_values = [v for v in values if spf.is_spf(v.text)]
        spf_spec = self.merge_spf(spf_values)

        verification = spec.mandrill.verification
        if any(v.text == verification for v in values):
            self.decide(Action.ADOPT, d, "TXT", "mandrill-verify-present", f"Mandrill verification {verification!r} already published")
        else:
            self.decide(Action.ADD, d, "TXT", "mandrill-verify-added", f"adding Mandrill verification {verification!r}")

        keep_txt = list(spec.keep_txt)
        for value in values:
            if spf.is_spf(value.text) or value.text == verification or value.text in spec.keep_txt:
                continue
            if self.provider.record_sets:
                keep_txt.append(value.text)
                self.decide(Action.KEEP, d, "TXT", "txt-kept", f"kept {_show(value.text)} in the TXT record set, unchanged")
            elif self.per_value:
                self.decide(Action.KEEP, d, "TXT", "txt-left-alone", f"left {_show(value.text)} alone (its own Cloudflare record)")
            else:
                self.decide(Action.KEEP, d, "TXT", "txt-left-alone", f"left {_show(value.text)} alone: publish the records below beside it")
        return spf_spec, tuple(keep_txt)

    def merge_spf(self, spf_values: list[ExistingValue]) -> SpfSpec:
        spec_spf, d = self.spec.spf, self.spec.domain
        if not spf_values:
            text = spf.merge_terms(spec_spf.keep, spec_spf.include, spec_spf.all)
            self.decide(Action.ADD, d, "TXT", "spf-added", f"no SPF record yet: adding {_show(text)}")
            return spec_spf
        texts = sorted(v.text for v in spf_values)
        if len(texts) > 1 and self.per_value:
            # Only one of the records can be imported into our SPF resource; the others would stay.
            self.refuse(
                d, "TXT", "spf-multiple-records",
                f"{d} has {len(texts)} SPF records ({'; '.join(_show(t) for t in texts)}): receivers treat that as "
                "permerror (RFC 7208 §4.5)",
                advice="Merge them into one in Cloudflare first (only one can be imported)",
                forceable=False,
            )
            return spec_spf

        terms: list[str] = []
        invalid: list[str] = []
        all_term: spf.Term | None = None
        redirect: spf.Term | None = None
        after_all: list[str] = []
        exps: list[spf.Term] = []
        repeated: list[str] = []
        for text in texts:
            seen_all: spf.Term | None = None
            own_redirect: spf.Term | None = None
            modifier_names = [w.split("=", 1)[0].lower() for w in text.split()[1:] if "=" in w and ":" not in w.split("=", 1)[0]]
            repeated += [f"'{m}=' appears more than once in {_show(text)}" for m in ("exp", "redirect") if modifier_names.count(m) > 1]
            for word in text.split()[1:]:
                try:
                    term = spf.parse_term(word)
                except spf.SpfSyntaxError:
                    invalid.append(word)
                    continue
                if term.name == "all" and not term.is_modifier:
                    seen_all = seen_all or term
                elif term.is_modifier and term.name == "redirect":
                    own_redirect = own_redirect or term
                elif term.is_modifier and term.name == "exp":
                    exps.append(term)
                elif seen_all is not None:
                    # RFC 7208 §5.1: mechanisms after 'all' are never evaluated; merged before
                    # our 'all' they would start to count, so they are dropped, not activated.
                    after_all.append(term.text)
                else:
                    terms.append(term.text)
            if seen_all is not None:
                all_term = _strictest_all(all_term, seen_all)
                if own_redirect is not None:
                    self.decide(
                        Action.NOTE, d, "TXT", "spf-redirect-dropped",
                        f"dropped {own_redirect.text}: receivers ignore a redirect next to 'all' (RFC 7208 §5.1)",
                    )
            elif own_redirect is not None and len(texts) > 1:
                # Each record's redirect stands for that record's remaining senders.
                terms.append(f"include:{own_redirect.value}")
                self.decide(
                    Action.NOTE, d, "TXT", "spf-redirect-included",
                    f"{own_redirect.text} of {_show(text)} became include:{own_redirect.value} in the merged record, "
                    "so its senders stay authorised",
                )
                redirect = redirect or own_redirect
            elif own_redirect is not None:
                redirect = own_redirect

        # RFC 7208 §6: exp= and redirect= at most once per record, else check_host() is a permerror.
        if repeated and not self.refuse(
            d, "TXT", "spf-existing-permerror",
            f"the existing SPF record is already a permerror ({'; '.join(repeated)}; RFC 7208 §6)",
            advice="Fix the record, or use --force to merge it keeping one of each",
            forceable=True,
            forced=f"merged an SPF record that was a permerror ({'; '.join(repeated)}; RFC 7208 §6), keeping one of each",
        ):
            return spec_spf
        if invalid and not self.refuse(
            d, "TXT", "spf-existing-invalid",
            f"the existing SPF record has terms that are not valid SPF: {' '.join(invalid)} (RFC 7208 §12)",
            advice="Fix the record, or use --force to drop those terms",
            forceable=True,
            forced=f"dropped the invalid terms {' '.join(invalid)} of the existing SPF record (RFC 7208 §12)",
        ):
            return spec_spf

        if redirect is not None and len(texts) == 1:
            if all_term is not None:
                self.decide(
                    Action.NOTE, d, "TXT", "spf-redirect-dropped",
                    f"dropped {redirect.text}: receivers ignore a redirect next to 'all' (RFC 7208 §5.1)",
                )
            else:
                terms.append(f"include:{redirect.value}")
                self.decide(
                    Action.NOTE, d, "TXT", "spf-redirect-included",
                    f"{redirect.text} became include:{redirect.value} so SpotMe's include can be added "
                    "(RFC 7208 §5.1: a redirect is ignored once the record has 'all')",
                )
        if after_all:
            self.decide(
                Action.NOTE, d, "TXT", "spf-terms-after-all",
                f"dropped {' '.join(after_all)}: it stood after 'all', where receivers never evaluate it "
                "(RFC 7208 §5.1); merging it before 'all' would authorise more senders",
            )
        distinct_exps = list({t.value.lower().rstrip("."): t for t in exps}.values())
        if len(distinct_exps) > 1:
            kept_exp = min(distinct_exps, key=lambda t: t.text.lower())
            self.decide(
                Action.NOTE, d, "TXT", "spf-exp-dropped",
                f"kept {kept_exp.text} and dropped {' '.join(t.text for t in distinct_exps if t is not kept_exp)}: "
                "a record has at most one exp= (RFC 7208 §6); it only words the rejection message",
            )
            terms.append(kept_exp.text)
        elif distinct_exps:
            terms.append(distinct_exps[0].text)

        if spec_spf.all_explicit:
            all_text = spec_spf.all
            if all_term is not None and all_term.text != all_text:
                self.decide(Action.NOTE, d, "TXT", "spf-all-from-spec", f"'all' set by the spec: {all_text} (the existing record had {all_term.text})")
        elif all_term is not None:
            all_text = all_term.text
            if all_term.qualifier in ("", "+"):
                self.decide(
                    Action.NOTE, d, "TXT", "spf-pass-all",
                    f"the existing record ends in {all_term.text}, which lets any server send as {d}; kept because "
                    "the spec does not set spf.all",
                )
        elif redirect is not None:
            all_text = spec_spf.all
            self.decide(Action.NOTE, d, "TXT", "spf-all-default", f"'all' is the spec's default {all_text} (the redirect target's own 'all' no longer applies)")
        else:
            # RFC 7208 §4.7: no match and no redirect is "neutral": ?all says exactly that.
            all_text = "?all"
            self.decide(
                Action.NOTE, d, "TXT", "spf-all-neutral",
                "the existing record has no 'all' (neutral by RFC 7208 §4.7): wrote ?all to keep that; set spf.all to change it",
            )

        merged_spec = replace(spec_spf, keep=(*terms, *spec_spf.keep), all=all_text)
        merged = spf.merge_terms(merged_spec.keep, merged_spec.include, merged_spec.all)
        old_keys = {spf.parse_term(t).key for t in terms}
        added = [t for t in merged.split()[1:-1] if spf.parse_term(t).key not in old_keys]
        if len(texts) == 1 and merged == texts[0]:
            self.decide(Action.ADOPT, d, "TXT", "spf-unchanged", f"SPF record already right: {_show(merged)}")
        elif len(texts) > 1:
            self.decide(
                Action.CHANGE, d, "TXT", "spf-merged",
                f"{len(texts)} SPF records (permerror, RFC 7208 §4.5) merged into one: {_show(merged)}",
            )
        else:
            kept = f"kept the existing terms {' '.join(terms)} in order, " if terms else ""
            self.decide(
                Action.CHANGE, d, "TXT", "spf-merged",
                f"SPF: {kept}added {' '.join(added) or 'nothing'} before {all_text}: {_show(merged)}",
            )
        try:
            direct = len(spf.parse_spf(merged).lookup_terms)
        except spf.SpfSyntaxError as err:  # e.g. two exp= (RFC 7208 §6): already a permerror live
            self.refuse(
                d, "TXT", "spf-existing-invalid", f"the merged SPF record {_show(merged)} is not valid SPF ({err})",
                advice="Fix the existing record first (--force cannot help)", forceable=False,
            )
            return spec_spf
        if direct > spf.LOOKUP_LIMIT and not self.refuse(
            d, "TXT", "spf-too-many-lookups",
            f"the merged SPF record has {direct} DNS-querying terms before following any include, over the "
            f"limit of {spf.LOOKUP_LIMIT} (RFC 7208 §4.6.4)",
            advice="Drop some, or use --force to write it anyway",
            forceable=True,
            forced=f"wrote an SPF record with {direct} DNS-querying terms, over the limit of {spf.LOOKUP_LIMIT} (RFC 7208 §4.6.4)",
        ):
            return spec_spf
        if self.per_value:
            self.claimed[(d, "TXT", merged)] = spf_values[0].record_id
        return merged_spec

    def merge_dmarc(self) -> DmarcSpec:
        spec, name = self.spec, f"_dmarc.{self.spec.domain}"
        wanted = spec.dmarc
        if not wanted.manage:
            self.decide(
                Action.KEEP, name, "TXT", "dmarc-not-managed",
                f"dmarc.manage is false: no DMARC record written, {name} stays as it is",
            )
            return wanted
        delegated = self.delegated_dmarc(name)
        if delegated is not None:
            return delegated
        if self.cname_in_the_way(name):
            return wanted
        record = self.existing.get(name, "TXT")
        if self.routing_policy(record):
            return wanted
        values = record.values if record else ()
        found = [v for v in values if dmarc.is_dmarc(v.text)]
        others = [v for v in values if not dmarc.is_dmarc(v.text)]
        if others:
            shown = "; ".join(_show(v.text) for v in others)
            if self.provider.record_sets:
                if not self.refuse(
                    name, "TXT", "dmarc-other-txt",
                    f"{name} also holds TXT values that are not DMARC ({shown}); the record set spotme-dns writes "
                    "would replace them",
                    advice="Move them, or use --force to replace them",
                    forceable=True,
                    forced=f"replaced the TXT values {shown} at {name}, which are not DMARC",
                ):
                    return wanted
            else:
                self.decide(Action.KEEP, name, "TXT", "txt-left-alone", f"left {shown} alone")
        if not found:
            merged = self.at_least_parent(name, wanted)
            self.decide(Action.ADD, name, "TXT", "dmarc-added", f"no DMARC record yet: adding {_show(merged.text())}")
            return merged
        ours = wanted.text()
        if len(found) > 1:
            listed = "; ".join(_show(v.text) for v in found)
            # Refused or forced, the spec's record is what gets written.
            self.refuse(
                name, "TXT", "dmarc-multiple-records",
                f"{name} has {len(found)} DMARC records ({listed}): receivers ignore them all (RFC 7489 §6.6.3)",
                advice=(
                    "Keep only one in Cloudflare first (only one can be imported)"
                    if self.per_value
                    else f"Use --force to replace them with {_show(ours)}"
                ),
                forceable=not self.per_value,
                forced=f"replaced the {len(found)} DMARC records ({listed}) with {_show(ours)}",
            )
            return wanted
        current = found[0]
        try:
            parsed = dmarc.parse_dmarc(current.text)
        except dmarc.DmarcSyntaxError as err:
            if not self.refuse(
                name, "TXT", "dmarc-existing-invalid",
                f"the existing DMARC record {_show(current.text)} is invalid ({err})",
                advice=f"Fix it, or use --force to replace it with {_show(ours)}",
                forceable=True,
                forced=f"replaced the invalid DMARC record {_show(current.text)} with {_show(ours)}",
            ):
                return wanted
            self.claim(name, ours, current)
            return wanted
        merged, changes = self.merge_dmarc_tags(name, wanted, parsed)
        if dmarc.same_meaning(merged.text(), current.text):
            # Equal in meaning: adopted byte for byte, so nothing changes and nothing is added beside it.
            if wanted.explicit:
                message = f"DMARC record meets the spec: adopted as it is, {_show(current.text)}"
            else:
                message = f"kept the existing DMARC record {_show(current.text)} (the spec has no dmarc section)"
            code = "dmarc-unchanged" if wanted.explicit else "dmarc-kept"
            self.decide(Action.ADOPT, name, "TXT", code, message)
            self.claim(name, current.text, current)
            return replace(merged, raw=current.text)
        self.decide(
            Action.CHANGE, name, "TXT", "dmarc-merged",
            f"merged tag by tag: {_show(current.text)} becomes {_show(merged.text())} ({'; '.join(changes)})",
        )
        self.claim(name, merged.text(), current)
        return merged

    def merge_dmarc_tags(
        self, name: str, wanted: DmarcSpec, live: dmarc.DmarcRecord
    ) -> tuple[DmarcSpec, list[str]]:
        """The spec's record merged into the live one, tag by tag, never weaker.

        The spec's `p`, `sp` and `np` are minimums: a stricter live one is kept (with a note).
        Every other live tag (`rua`, `ruf`, `fo`, `adkim`, `aspf`, ...) survives unless the spec
        sets it; `pct` and `t` never move towards less enforcement. The live record already
        overrides any parent policy, so the parent sets no floor here (see `at_least_parent`).
        """
        spec_tags = dict(wanted.tags)
        changes: list[str] = []
        policy = wanted.policy
        if dmarc.weakens(live.policy, policy):
            origin = f"the spec's p={policy}" if wanted.policy_explicit else f"the default p={policy} (the spec names no policy)"
            self.decide(
                Action.NOTE, name, "TXT", "dmarc-stricter-kept",
                f"kept the live p={live.policy}: stricter than {origin}; the spec's policy is a minimum",
            )
            policy = live.policy
        tags: dict[str, str] = {k: v for k, v in live.tags if k not in ("v", "p")}
        for key, value in spec_tags.items():
            old = tags.get(key)
            if key in ("sp", "np"):
                current = dmarc.effective(live, key)
                if dmarc.weakens(current, value):
                    self.decide(
                        Action.NOTE, name, "TXT", "dmarc-stricter-kept",
                        f"kept {key}={current} (live): stricter than the spec's {key}={value}",
                    )
                    value = current
            elif key == "pct" and int(value) < int(live.get("pct") or 100):
                self.decide(Action.NOTE, name, "TXT", "dmarc-stricter-kept", f"kept pct={live.get('pct') or 100} (live): the spec's pct={value} would apply the policy to less mail")
                value = live.get("pct") or "100"
            elif key == "t" and value.lower() == "y" and (live.get("t") or "n").lower() != "y":
                self.decide(Action.NOTE, name, "TXT", "dmarc-stricter-kept", "kept test mode off (live): the spec's t=y would demote the policy (RFC 9989)")
                if old is None:
                    continue
                value = old
            if old is not None and old != value:
                changes.append(f"{key}: {old} -> {value}")
            elif old is None:
                changes.append(f"+{key}={value}")
            tags[key] = value
        kept = [f"{k}={v}" for k, v in live.tags if k not in ("v", "p") and k not in spec_tags]
        if kept:
            self.decide(Action.KEEP, name, "TXT", "dmarc-tags-kept", f"kept the live {', '.join(kept)}")
        if policy != live.policy:
            changes.insert(0, f"p: {live.policy} -> {policy}")
        walk = self.existing.parent_dmarc
        parent = walk.parent if walk else None
        if parent is not None and dmarc.weakens(parent.policy, live.policy):
            # The override is the customer's already: keeping it weakens nothing, raising it
            # would change their mail handling unasked. Said, so they can decide.
            self.decide(
                Action.NOTE, name, "TXT", "dmarc-overrides-parent",
                f"the live p={live.policy} at {name} already overrides {parent.describe()} for {self.spec.domain} "
                f"(RFC 9989 §4.10.1): kept; set dmarc.policy: {parent.policy} to follow the parent",
            )
        return replace(wanted, policy=policy, tags=tuple(tags.items()), raw=None), changes

    def at_least_parent(self, name: str, wanted: DmarcSpec) -> DmarcSpec:
        """A new record at a subdomain overrides its Organizational Domain's policy (RFC 7489
        §6.6.3, RFC 9989 §4.10.1): raise `p` to what the subdomain inherits today."""
        walk = self.existing.parent_dmarc
        if walk is None:
            return wanted
        for unread in walk.unread:
            self.decide(
                Action.NOTE, name, "TXT", "dmarc-parent-unknown",
                f"could not read {unread} (DNS tree walk, RFC 9989 §4.10): a stricter policy there would not be seen",
            )
        parent = walk.parent
        if parent is None or not dmarc.weakens(parent.policy, wanted.policy):
            return wanted
        self.decide(
            Action.NOTE, name, "TXT", "dmarc-parent-policy",
            f"p={parent.policy} inherited from {parent.describe()}: a record at {name} overrides the "
            f"Organizational Domain's policy for {self.spec.domain} (RFC 9989 §4.10.1), so it must be at least as "
            f"strict (the spec asks for p={wanted.policy})",
        )
        return replace(wanted, policy=parent.policy, raw=None)

    def delegated_dmarc(self, name: str) -> DmarcSpec | None:
        """`_dmarc.<domain>` is a CNAME to a DMARC service that serves a valid record: adopt it as is."""
        cname = self.existing.get(name, "CNAME")
        resolved = self.existing.dmarc_delegated
        if cname is None or resolved is None:
            return None
        records = [t for t in resolved if dmarc.is_dmarc(t)]
        if len(records) != 1:
            return None
        try:
            parsed = dmarc.parse_dmarc(records[0])
        except dmarc.DmarcSyntaxError:
            return None
        wanted = self.spec.dmarc
        target = ", ".join(cname.texts)
        parent = self.existing.parent_dmarc.parent if self.existing.parent_dmarc else None
        floor = wanted.policy if wanted.policy_explicit else "none"
        if dmarc.weakens(floor, parsed.policy):
            # The spec asks for more than the DMARC service publishes: nothing written here can
            # change that, so it is said, and --force leaves the service's record as it is.
            if not self.refuse(
                name, "TXT", "dmarc-delegated-weaker",
                f"{name} is a CNAME to {target}, whose record {_show(records[0])} has p={parsed.policy}, weaker "
                f"than the spec's p={floor}",
                advice="Raise the policy at the DMARC service, remove the CNAME so spotme-dns writes the record, "
                "or use --force to leave the service's record as it is",
                forceable=True,
                forced=f"left {name} (a CNAME to {target}, p={parsed.policy}) as it is, weaker than the spec's p={floor}",
            ):
                return replace(wanted, manage=False)
        elif parent is not None and dmarc.weakens(parent.policy, parsed.policy):
            # Live already, like a weaker TXT override: kept (raising it is the service's to do).
            self.decide(
                Action.NOTE, name, "TXT", "dmarc-overrides-parent",
                f"{name} is a CNAME to {target} whose p={parsed.policy} already overrides {parent.describe()} for "
                f"{self.spec.domain} (RFC 9989 §4.10.1): kept; raise it at the DMARC service to follow the parent",
            )
        self.decide(
            Action.ADOPT, name, "CNAME", "dmarc-delegated",
            f"{name} is a CNAME to {target}, which serves a valid DMARC record {_show(records[0])}: adopted as it "
            "is, no DMARC record written (dmarc: {manage: false} in the spec says the same)"
            + ("; the spec's dmarc tags are not applied: the record is the DMARC service's" if wanted.tags else ""),
        )
        return replace(wanted, manage=False, raw=None)

    def claim(self, name: str, our_text: str, current: ExistingValue) -> None:
        if self.per_value:
            self.claimed[(name, "TXT", our_text)] = current.record_id

    def merge_cnames(self) -> None:
        spec, d = self.spec, self.spec.domain
        wanted = [(f"{t}._domainkey.{d}", f"{t}.{spec.ses.signing_zone}", "SES DKIM") for t in spec.ses.dkim_tokens]
        if spec.mandrill.dkim:
            wanted += [(f"{sel}._domainkey.{d}", target, "Mandrill DKIM") for sel, target in MANDRILL_DKIM]
        for name, target, what in wanted:
            here = self.existing.at(name)
            cname = next((r for r in here if r.type == "CNAME"), None)
            others = [r for r in here if r.type != "CNAME"]
            if others:
                listed = ", ".join(f"{r.type} {'; '.join(_show(t) for t in r.texts) or r.alias or ''}".strip() for r in others)
                self.refuse(
                    name, "CNAME", "cname-conflict",
                    f"{name} already holds {listed}: a CNAME cannot sit beside other data (RFC 1034 §3.6.2)",
                    advice="Remove it first (--force cannot help: the apply would fail)",
                    forceable=False,
                )
                continue
            if cname is None:
                self.decide(Action.ADD, name, "CNAME", "dkim-added", f"adding {what} CNAME to {target}")
                continue
            if self.routing_policy(cname):
                continue
            if cname.texts == (target,):
                # Generic: nothing imports or applies it; the customer leaves it as it is.
                kept = "already published, nothing to change" if self.provider is Provider.GENERIC else "adopted (imported), not recreated"
                self.decide(Action.ADOPT, name, "CNAME", "dkim-adopted", f"{what} CNAME to {target} already right: {kept}")
                if self.per_value:
                    self.claimed[(name, "CNAME", target)] = cname.values[0].record_id
                continue
            if self.refuse(
                name, "CNAME", "dkim-cname-differs",
                f"{name} is a CNAME to {', '.join(cname.texts)}, the spec wants {target} ({what})",
                advice="Fix the spec, or use --force to repoint it",
                forceable=True,
                forced=f"repointed {name} from {', '.join(cname.texts)} to {target} ({what})",
            ) and self.per_value:
                self.claimed[(name, "CNAME", target)] = cname.values[0].record_id

    # -------------------------------------------------------------------------- imports

    def adoptions(self, merged: DomainSpec, zone_id: str | None) -> tuple[Adoption, ...]:
        if self.provider is Provider.GENERIC or any(d.action is Action.REFUSE for d in self.decisions):
            return ()
        records = build_records(merged).records
        out: list[Adoption] = []
        if self.provider.record_sets:
            out = [Adoption(r.name, r.type.value) for r in records if self.existing.get(r.name, r.type.value) is not None]
            if out and not zone_id and self.provider is Provider.ROUTE53:  # RFC 2136 imports by name
                self.refuse(
                    merged.domain, "", "import-id-unknown",
                    f"{len(out)} of these record sets already exist but the hosted zone id is unknown, so no import "
                    "can be written (apply would fail with 'already exists')",
                    advice="Set zone_id in the spec, or make AWS credentials available so the zone is found by "
                    "name; --force writes the files without imports",
                    forceable=True,
                    forced=f"wrote no imports for the {len(out)} existing record sets: the hosted zone id is unknown",
                )
                return ()
            return tuple(out)
        # Cloudflare: one resource per value; import the record that each value takes over.
        missing = []
        for record in records:
            existing = self.existing.get(record.name, record.type.value)
            for value in record.values:
                if value.purpose is Purpose.KEPT_TXT:
                    continue  # not written on Cloudflare: the customer's record stays as it is
                key = (record.name, record.type.value, value.text)
                if key in self.claimed:
                    record_id = self.claimed[key]
                elif existing is not None:
                    match = next((v for v in existing.values if v.text == value.text), None)
                    if match is None:
                        continue
                    record_id = match.record_id
                else:
                    continue
                if not record_id:
                    missing.append(f"{record.name} {record.type.value}")
                    continue
                out.append(Adoption(record.name, record.type.value, value.text, record_id))
        if missing:
            self.refuse(
                merged.domain, "", "import-id-unknown",
                f"records already exist at {', '.join(dict.fromkeys(missing))} but their Cloudflare record ids are "
                "unknown, so no import can be written",
                advice="Set CLOUDFLARE_API_TOKEN so they are read through the API; --force writes the files "
                "without those imports",
                forceable=True,
                forced=f"wrote no imports for the records at {', '.join(dict.fromkeys(missing))}: their Cloudflare ids are unknown",
            )
        return tuple(out)

