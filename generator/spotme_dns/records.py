"""The record model's one pure function: a domain spec in, the records it needs out (docs/design.md §1)."""

from __future__ import annotations

from . import spf
from .model import DomainRecords, Purpose, Record, RecordType, Value, sort_records
from .spec import DomainSpec

MANDRILL_DKIM = (("mte1", "dkim1.mandrillapp.com"), ("mte2", "dkim2.mandrillapp.com"))


def spf_value(domain: DomainSpec) -> str:
    """The merged SPF record: kept terms, then the includes, then `all`; exactly one `v=spf1`."""
    return spf.merge_terms(domain.spf.keep, domain.spf.include, domain.spf.all)


def build_records(domain: DomainSpec) -> DomainRecords:
    """Every record a sending domain needs, sorted, with advice about their size."""
    d = domain.domain
    ttl = domain.ttl
    spf_text = spf_value(domain)
    apex_values = [
        Value(spf_text, Purpose.SPF),
        Value(domain.mandrill.verification, Purpose.MANDRILL_VERIFY),
        *(Value(text, Purpose.KEPT_TXT) for text in domain.keep_txt),
    ]
    records = [Record.make(d, RecordType.TXT, apex_values, ttl)]
    if domain.dmarc.manage:  # else DMARC is someone else's (`dmarc: {manage: false}`, a delegated record)
        records.append(Record.make(f"_dmarc.{d}", RecordType.TXT, [Value(domain.dmarc.text(), Purpose.DMARC)], ttl))
    for token in domain.ses.dkim_tokens:
        target = f"{token}.{domain.ses.signing_zone}"
        records.append(Record.make(f"{token}._domainkey.{d}", RecordType.CNAME, [Value(target, Purpose.SES_DKIM)], ttl))
    if domain.mandrill.dkim:
        for selector, target in MANDRILL_DKIM:
            records.append(
                Record.make(f"{selector}._domainkey.{d}", RecordType.CNAME, [Value(target, Purpose.MANDRILL_DKIM)], ttl)
            )
    return DomainRecords(
        domain=d,
        zone=domain.zone,
        provider=domain.provider.value,
        records=sort_records(records),
        notes=tuple(size_notes(d, records[0])),
    )


def size_notes(name: str, apex: Record) -> list[str]:
    """RFC 7208 §3.4 advice: name plus every TXT value at the name under 450 octets."""
    total = len(name) + 1 + sum(len(v.text.encode("utf-8")) for v in apex.values)
    notes = []
    if total > spf.ADVISORY_SIZE:
        notes.append(
            f"TXT records at {name} add up to {total} octets: over the {spf.ADVISORY_SIZE}-octet guideline of "
            "RFC 7208 §3.4, answers may not fit in one UDP packet"
        )
    spf_text = next(v.text for v in apex.values if v.purpose is Purpose.SPF)
    if len(spf_text.encode("utf-8")) > spf.STRING_LIMIT:
        notes.append(
            f"the SPF record is {len(spf_text.encode('utf-8'))} octets: it is published as several 255-octet "
            "strings, which receivers join (RFC 7208 §3.3)"
        )
    return notes
