"""The hand-off page: what an IT team receives with "please add these records".

One pure function from a domain's records to a small document (headings, paragraphs, lists,
a table, code blocks), and two renderers over that one document: Markdown (`HANDOFF.md`) and a
self-contained HTML page (`HANDOFF.html`, inline CSS, no external assets, every text escaped).
Both say the same thing because they render the same blocks. Output is deterministic: no dates,
no versions, no absolute paths.

The wording follows SpotMe's own help article (seed/000): SPF, DMARC, DKIM for AWS SES and
Mailchimp Transactional (formerly Mandrill), the Mandrill verification record, and the note that
app invitations still come from support@spotme.com.
"""

from __future__ import annotations

import html
import re
from enum import Enum
from typing import NamedTuple

import idna

from . import dmarc, spf
from .model import TXT_STRING_LIMIT, DomainRecords, Purpose, Record, RecordType
from .render.common import txt_strings

SUPPORT_SENDER = "support@spotme.com"
SPOTME_INCLUDE = "include:_spf.spotme.com"


class HandoffFormat(str, Enum):
    """The forms the hand-off page is written in."""

    MARKDOWN = "md"
    HTML = "html"

    def __str__(self) -> str:
        return self.value

    @property
    def filename(self) -> str:
        """The file name inside `DIR/<domain>/`."""
        return "HANDOFF.md" if self is HandoffFormat.MARKDOWN else "HANDOFF.html"


# ---------------------------------------------------------------------------------------------
# The document: a few block and inline kinds, enough for this page and no more.
# NamedTuples rather than frozen dataclasses (as in hcl.py): immutable all the same, and a
# page is some 300 of them, made several times faster (issue 13: 10,000 pages a run).


class Text(NamedTuple):
    """Plain words."""

    text: str


class Code(NamedTuple):
    """Literal text to be typed exactly (a name, a value, a command)."""

    text: str


class Strong(NamedTuple):
    """Words that must not be missed."""

    text: str


Inline = Text | Code | Strong
Inlines = tuple[Inline, ...]


class Heading(NamedTuple):
    level: int
    """1 for the page title, 2 for sections, 3 for subsections."""
    inlines: Inlines


class Paragraph(NamedTuple):
    inlines: Inlines


class Bullets(NamedTuple):
    items: tuple[Inlines, ...]


class Table(NamedTuple):
    header: tuple[str, ...]
    rows: tuple[tuple[Inlines, ...], ...]


class CodeBlock(NamedTuple):
    """Lines to copy as they are (commands, a value split into strings)."""

    text: str


Block = Heading | Paragraph | Bullets | Table | CodeBlock


def _inl(*parts: Inline | str) -> Inlines:
    """Inline content from parts: bare strings are plain words."""
    return tuple([Text(p) if p.__class__ is str else p for p in parts])


# ---------------------------------------------------------------------------------------------
# What the page says.

_PURPOSE_LABEL = {
    Purpose.SPF: "SPF",
    Purpose.MANDRILL_VERIFY: "Mailchimp Transactional (Mandrill) verification",
    Purpose.DMARC: "DMARC",
    Purpose.SES_DKIM: "DKIM (AWS SES)",
    Purpose.MANDRILL_DKIM: "DKIM (Mailchimp Transactional (Mandrill))",
    Purpose.KEPT_TXT: "your existing value: keep it",
}

_POLICY_MEANING = {
    "none": "monitor only: mail that fails the checks is delivered as usual, and reports tell you what happens",
    "quarantine": "mail that fails the checks is put in the recipients' spam or junk folder",
    "reject": "mail that fails the checks is refused by the receiving server",
}


class _Row(NamedTuple):
    """One value as a person types it into a DNS console."""

    record: Record
    text: str
    purpose: Purpose


def handoff_document(records: DomainRecords, *, spec_file: str = "spec.yaml") -> tuple[Block, ...]:
    """The hand-off page for one domain as blocks (what `render_markdown` and `render_html` show).

    `spec_file` is the spec's file name as the reader will have it, for the `verify` command.
    """
    d, zone = records.domain, records.zone
    rows = tuple(
        _Row(record, value.text, value.purpose) for record in _reading_order(records.records) for value in record.values
    )
    purposes = {row.purpose for row in rows}
    ses_tokens = tuple(r.record.name.split(".", 1)[0] for r in rows if r.purpose is Purpose.SES_DKIM)
    kept = sum(1 for r in rows if r.purpose is Purpose.KEPT_TXT)
    new = len(rows) - kept
    kept_note = [f" (and {_count(kept, 'existing value')} to keep)"] if kept else []
    unicode_name = _unicode(d)
    blocks: list[Block] = [
        Heading(1, _inl("E-mail DNS records for ", Code(d), *((f" ({unicode_name})",) if unicode_name != d else ()))),
        Paragraph(_inl(
            "SpotMe Backstage is set up to send your event e-mails (invitations, reminders, updates) from addresses "
            "at ", Code(d), " instead of @spotme.com. Receiving mail servers only trust such e-mails when the "
            "domain's DNS says that SpotMe may send them. This page lists the ", Strong(_count(new, "DNS record")),
            " to add to the DNS zone ", Code(zone), *kept_note, ", what each one is for, and how to check them "
            "afterwards.",
        )),
        Paragraph(_inl(
            "None of them changes where your own mail is delivered (there is no MX record here), and your other "
            "records stay as they are. The one record you may already have is the SPF record: it is extended, "
            "not duplicated (see below).",
        )),
        Heading(2, _inl("Before you start: allow ", Code(SUPPORT_SENDER))),
        Paragraph(_inl(
            "Participants who join with the Eventspace mobile app still receive the app invitation from ",
            Strong(SUPPORT_SENDER), ", whatever domain the other e-mails use. Please allow (whitelist) ",
            Code(SUPPORT_SENDER), " in your mail filters, or these invitations may be blocked or land in spam. "
            "If your organisation has its own branded app, ask SpotMe to change the app's sender address to match "
            "the one used in your workspace.",
        )),
        Heading(2, _inl("What each record is for")),
        *_spf_section(d, rows),
        *_dmarc_section(d, rows),
        *_ses_section(d, rows),
    ]
    if unicode_name != d:
        blocks.insert(3, Paragraph(_inl(
            Code(d), " is how DNS spells ", unicode_name, " (IDNA): the names below are written that way, "
            "which every DNS console accepts.",
        )))
    if Purpose.MANDRILL_DKIM in purposes:
        blocks += _mandrill_dkim_section(d)
    if Purpose.MANDRILL_VERIFY in purposes:
        blocks += _mandrill_verify_section(d)
    if Purpose.KEPT_TXT in purposes:
        blocks += [
            Heading(3, _inl("Your existing TXT values at ", Code(d))),
            Paragraph(_inl(
                "The table also lists TXT values you already have at ", Code(d), " (marked \u201ckeep it\u201d). "
                "They are not new: they are listed so that they are not lost, because some DNS services (Route53) "
                "hold all TXT values of one name as one record, and writing it without them would delete them.",
            )),
        ]
    blocks += _terraform_section(d)
    blocks += _records_section(d, zone, rows)
    blocks += _check_section(d, zone, rows, ses_tokens, spec_file)
    if records.notes:
        blocks += [Heading(2, _inl("Notes")), Bullets(tuple(_inl(note[:1].upper() + note[1:]) for note in records.notes))]
    return tuple(blocks)


def _reading_order(records: tuple[Record, ...]) -> tuple[Record, ...]:
    """SPF and verification first, then DMARC, then the DKIM keys: the order the page explains them."""
    order = list(Purpose)
    return tuple(sorted(records, key=lambda r: (order.index(r.values[0].purpose), r.name)))


def _first(rows: tuple[_Row, ...], purpose: Purpose) -> _Row | None:
    return next((r for r in rows if r.purpose is purpose), None)


def _spf_section(d: str, rows: tuple[_Row, ...]) -> list[Block]:
    row = _first(rows, Purpose.SPF)
    if row is None:
        return []
    all_term, kept = _spf_parts(row.text)
    blocks: list[Block] = [
        Heading(3, _inl("SPF: which servers may send e-mail as ", Code(d))),
        Paragraph(_inl(
            "SPF (Sender Policy Framework) is a TXT record at ", Code(d), " that lists the servers allowed to send "
            "e-mail for the domain. ", Code(SPOTME_INCLUDE), " adds SpotMe's servers; the final ",
            Code(all_term), " tells receivers what to do with mail from servers that are not listed. "
            "Without it, receivers are likely to treat the e-mails sent from the platform as spam.",
        )),
    ]
    if kept:
        keep_note = _inl(
            "The value below already keeps the terms of your current SPF record (",
            *_joined([Code(t) for t in kept]), "), so it replaces that record.",
        )
    else:
        keep_note = _inl(
            "If your current SPF record lists other senders (for example ", Code("include:_spf.google.com"),
            "), keep them: put them before ", Code(SPOTME_INCLUDE), " and tell SpotMe, so that the spec keeps "
            "them too.",
        )
    blocks += [
        Paragraph(_inl(
            Strong("A domain must have exactly one SPF record"), " (RFC 7208 \u00a73.2): two make both invalid. "
            "If ", Code(d), " already has a TXT record starting with ", Code("v=spf1"), ", edit that record so "
            "it reads as below instead of adding a second one.", *_space(keep_note),
        )),
        Paragraph(_inl(
            "SPF allows at most 10 DNS lookups in all, counting the includes of includes (RFC 7208 \u00a74.6.4); ",
            Code(f"spotme-dns check {d}"), " counts them for you.",
        )),
    ]
    return blocks


def _dmarc_section(d: str, rows: tuple[_Row, ...]) -> list[Block]:
    row = _first(rows, Purpose.DMARC)
    if row is None:
        # `dmarc: {manage: false}`, or a delegated record adopted by `generate --discover`.
        return [Paragraph(_inl(
            "DMARC: ", Code(f"_dmarc.{d}"), " is not part of this change. It is managed elsewhere (for example "
            "by a DMARC service it points to) and stays as it is.",
        ))]
    blocks: list[Block] = [
        Heading(3, _inl("DMARC: what receivers do with e-mail that fails the checks")),
        Paragraph(_inl(
            "DMARC (Domain-based Message Authentication, Reporting and Conformance) is a TXT record at ",
            Code(f"_dmarc.{d}"), ". It tells receiving servers what to do with e-mail that claims to come from ",
            Code(d), " but fails SPF and DKIM, and where to send reports about it. SpotMe's e-mail providers "
            "require a valid DMARC record. The minimal valid entry is ", Code("v=DMARC1; p=none;"),
            "; your IT policy may ask for more.",
        )),
    ]
    try:
        record = dmarc.parse_dmarc(row.text)
    except dmarc.DmarcSyntaxError:
        record = None
    if record is not None:
        details: list[Inline] = [
            "This record uses ", Code(f"p={record.policy}"), ": ", _POLICY_MEANING.get(record.policy, record.policy), ".",
        ]
        rua = record.uris("rua")
        if rua:
            details += [" Aggregate reports go to ", *_joined([Code(u) for u in rua]), "."]
        blocks.append(Paragraph(_inl(*details)))
    blocks.append(Paragraph(_inl(
        "If ", Code(f"_dmarc.{d}"), " already has a DMARC record, keep only one record there; if the existing one "
        "is stricter (", Code("quarantine"), " or ", Code("reject"), "), keep its policy.",
    )))
    return blocks


def _ses_section(d: str, rows: tuple[_Row, ...]) -> list[Block]:
    ses = [r for r in rows if r.purpose is Purpose.SES_DKIM]
    if not ses:
        return []
    blocks: list[Block] = [
        Heading(3, _inl(f"DKIM keys for AWS SES ({_count(len(ses), 'CNAME record')})")),
        Paragraph(_inl(
            "DKIM (DomainKeys Identified Mail) lets SpotMe sign every e-mail with a key that receivers look up in "
            "your DNS, so they can tell that the e-mail really was sent on behalf of ", Code(d), " and was not "
            "changed on the way. SpotMe delivers e-mail through two providers, AWS SES and Mailchimp "
            "Transactional (Mandrill), and each signs with its own keys.",
        )),
        Paragraph(_inl(
            "For AWS SES, each CNAME record points a name under ", Code(f"_domainkey.{d}"), " to a key that AWS "
            "publishes and rotates, so nobody has to handle the keys themselves. The tokens in the names were "
            "generated by SpotMe support for this domain only.",
        )),
    ]
    zones = sorted({r.text.split(".", 1)[1] for r in ses if "." in r.text})
    if zones and zones != ["dkim.amazonses.com"]:
        blocks.append(Paragraph(_inl(
            "These keys are published in AWS's regional zone ", *_joined([Code(z) for z in zones]),
            " (not the usual ", Code("dkim.amazonses.com"), "): type the targets exactly as shown.",
        )))
    return blocks


def _mandrill_dkim_section(d: str) -> list[Block]:
    return [
        Heading(3, _inl("DKIM keys for Mailchimp Transactional (Mandrill): 2 CNAME records")),
        Paragraph(_inl(
            "The same, for Mailchimp Transactional (Mandrill): ", Code(f"mte1._domainkey.{d}"),
            " and ", Code(f"mte2._domainkey.{d}"), " point to Mailchimp's 2048-bit keys, which Mailchimp rotates.",
        )),
    ]


def _mandrill_verify_section(d: str) -> list[Block]:
    return [
        Heading(3, _inl("Domain verification for Mailchimp Transactional (Mandrill)")),
        Paragraph(_inl(
            "A TXT record at ", Code(d), " whose value starts with ", Code("mandrill_verify."), " proves to "
            "Mailchimp Transactional (Mandrill) that you control the domain. It sits at the same name as the SPF record: add "
            "it as a separate TXT value. Do not put it inside the SPF text, and do not remove the other TXT values "
            "at that name (such as ", Code("google-site-verification=\u2026"), ").",
        )),
    ]


def _terraform_section(d: str) -> list[Block]:
    """How to apply when the page came inside a folder of Terraform files (as generate writes it)."""
    return [
        Heading(2, _inl("Adding them with Terraform")),
        Paragraph(_inl(
            "This page sits in the folder ", Code(f"{d}/"), " of Terraform files that spotme-dns generated. That "
            "folder is a module: apply from the folder above it (the root, with ", Code("versions.tf"), " and ",
            Code("providers.tf"), "), never from this folder. Provider credentials come from their usual "
            "environment variables (AWS_PROFILE or AWS_ACCESS_KEY_ID..., CLOUDFLARE_API_TOKEN); none are written "
            "in the files. From the root:",
        )),
        CodeBlock("terraform init\nterraform plan -out=tfplan     # review what it adds and changes\nterraform apply tfplan"),
        Paragraph(_inl(
            "If you manage the zone by hand instead, add the records in your DNS console as listed below.",
        )),
    ]


def _records_section(d: str, zone: str, rows: tuple[_Row, ...]) -> list[Block]:
    table = Table(
        ("#", "Name", f"Host in zone {zone}", "Type", "TTL", "Value", "For"),
        tuple(
            (
                _inl(str(i)),
                _inl(Code(row.record.name)),
                _inl(Code(row.record.relative_name(zone))),
                _inl(row.record.type.value),
                _inl(str(row.record.ttl)),
                _inl(Code(_typed(row.text))),
                _inl(_PURPOSE_LABEL[row.purpose]),
            )
            for i, row in enumerate(rows, start=1)
        ),
    )
    blocks: list[Block] = [
        Heading(2, _inl("The records")),
        Paragraph(_inl(
            "Add each row as its own record. Values are shown whole, exactly as they must be typed.",
        )),
        table,
        Bullets((
            _inl(
                "Most DNS consoles want the host relative to the zone (the ", Strong("Host"), " column, ", Code("@"),
                " for the zone itself); some want the full name.",
            ),
            _inl(
                "Several TXT records at one name are normal: each TXT row above is a separate value at its name. "
                "Some consoles add the quotes around a TXT value themselves, others want you to type them; the value "
                "is the text between the quotes either way.",
            ),
            _inl(
                "Some consoles want a final dot after a CNAME target (", Code("dkim1.mandrillapp.com."), "); "
                "others add it for you.",
            ),
            _inl(
                "On Cloudflare, set the proxy status of the CNAME records to ", Strong("DNS only"),
                ": a proxied DKIM record does not work.",
            ),
        )),
    ]
    for row in rows:
        if row.record.type is RecordType.TXT and len(row.text.encode("utf-8")) > TXT_STRING_LIMIT:
            strings = txt_strings(row.text, escape_non_ascii=False)
            blocks += [
                Paragraph(_inl(
                    "The ", _PURPOSE_LABEL[row.purpose], " value at ", Code(row.record.name), " is ",
                    f"{len(row.text.encode('utf-8'))} characters long, more than the {TXT_STRING_LIMIT} that one DNS "
                    "text string holds. Most consoles split it for you; receivers join the parts again "
                    "(RFC 7208 \u00a73.3). If your console asks for the strings, type it as these "
                    f"{len(strings)} quoted strings on one line:",
                )),
                CodeBlock(" ".join(f'"{string}"' for string in strings)),
            ]
    return blocks


def _check_section(d: str, zone: str, rows: tuple[_Row, ...], ses_tokens: tuple[str, ...], spec_file: str) -> list[Block]:
    ttl = max(row.record.ttl for row in rows)
    check = f"spotme-dns check {d}" + "".join(f" --ses-token {t}" for t in ses_tokens)
    digs = []
    seen: set[tuple[str, str]] = set()
    for row in rows:
        key = (row.record.name, row.record.type.value)
        if key not in seen:
            seen.add(key)
            digs.append(f"dig +short {row.record.type.value} {row.record.name}")
    return [
        Heading(2, _inl("Checking afterwards")),
        Paragraph(_inl(
            f"A change can take up to the TTL ({_duration(ttl)}) to be seen everywhere. No special tool is needed: "
            "with ", Code("dig"), " (or ", Code("nslookup -type=TXT"), "), each line below prints what the name "
            "publishes now, and nothing when the record is missing. Compare the output with the table above:",
        )),
        CodeBlock("\n".join(digs)),
        Paragraph(_inl(
            "If you have spotme-dns and the spec this page was made from (SpotMe support or your Terraform team "
            "do), this checks that every record is live on every authoritative server of ", Code(zone),
            " (exit code 0 when all are):",
        )),
        CodeBlock(f"spotme-dns verify --spec {spec_file}"),
        Paragraph(_inl(
            "Without the spec, this audits what the domain publishes now: which records exist and are right, the "
            "SPF lookup count, DMARC, and the DKIM keys (the tokens let it find the AWS SES keys):",
        )),
        CodeBlock(check),
        Paragraph(_inl(
            "When everything is in place, tell SpotMe support. They confirm the domain with AWS SES and Mailchimp "
            "Transactional (Mandrill); after that the domain can be used as the sender in Backstage e-mail templates (the "
            "template editor refuses a sender domain whose records are missing).",
        )),
    ]


def _unicode(name: str) -> str:
    """The Unicode spelling of an internationalised name (`xn--bcher-kva.example` -> `bücher.example`)."""
    if "xn--" not in name:
        return name
    try:
        return idna.decode(name)
    except idna.IDNAError:
        return name


def _spf_parts(spf_text: str) -> tuple[str, tuple[str, ...]]:
    """The SPF value's `all` term (`-all` when unreadable) and its terms that are neither SpotMe's
    include nor an `all`, from one parse."""
    try:
        record = spf.parse_spf(spf_text)
    except spf.SpfSyntaxError:
        return "-all", ()
    all_term = record.all_term
    kept = tuple(
        t.text for t in record.terms if t.key != SPOTME_INCLUDE and not (t.name == "all" and not t.is_modifier)
    )
    return (all_term.text if all_term is not None else "-all"), kept


def _joined(parts: list[Inline]) -> list[Inline | str]:
    out: list[Inline | str] = []
    for i, part in enumerate(parts):
        if i:
            out.append(" and " if i == len(parts) - 1 else ", ")
        out.append(part)
    return out


def _space(inlines: Inlines) -> list[Inline]:
    return [Text(" "), *inlines]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _duration(seconds: int) -> str:
    if seconds % 3600 == 0:
        return _count(seconds // 3600, "hour")
    if seconds % 60 == 0:
        return _count(seconds // 60, "minute")
    return _count(seconds, "second")


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f]")


def _typed(value: str) -> str:
    """A value as typed: control characters (never typable) as RFC 1035 `\\DDD` escapes."""
    return _UNPRINTABLE.sub(lambda m: f"\\{ord(m.group()):03d}", value)


# ---------------------------------------------------------------------------------------------
# Markdown


def render_markdown(records: DomainRecords, *, spec_file: str = "spec.yaml") -> str:
    """HANDOFF.md for one domain (GitHub-flavoured Markdown)."""
    return blocks_to_markdown(handoff_document(records, spec_file=spec_file))


def blocks_to_markdown(blocks: tuple[Block, ...]) -> str:
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            out.append("#" * block.level + " " + _md_inlines(block.inlines))
        elif isinstance(block, Paragraph):
            out.append(_md_inlines(block.inlines))
        elif isinstance(block, Bullets):
            out.append("\n".join("- " + _md_inlines(item) for item in block.items))
        elif isinstance(block, Table):
            lines = [
                "| " + " | ".join(_md_escape(h, table=True) for h in block.header) + " |",
                "|" + "|".join("---" for _ in block.header) + "|",
            ]
            lines += ["| " + " | ".join(_md_inlines(cell, table=True) for cell in row) + " |" for row in block.rows]
            out.append("\n".join(lines))
        elif isinstance(block, CodeBlock):
            fence = "`" * max(3, _longest_run(block.text, "`") + 1)
            out.append(f"{fence}text\n{block.text}\n{fence}")
    return "\n\n".join(out) + "\n"


def _md_inlines(inlines: Inlines, *, table: bool = False) -> str:
    parts = []
    for inline in inlines:
        kind = inline.__class__
        if kind is Code:
            parts.append(_md_code(inline.text, table=table))
        elif kind is Strong:
            parts.append("**" + _md_escape(inline.text, table=table) + "**")
        else:
            parts.append(_md_escape(inline.text, table=table))
    return "".join(parts)


# Only characters that could start markup are escaped; `|` matters inside table cells only.
# (Most texts have none: a regex search skips them, str.translate escapes the rest in one pass.)
_MD_SPECIAL = re.compile(r"[\\`*_\[\]<>|]")
_MD_ESCAPES = {ord(ch): "\\" + ch for ch in "\\`*_[]<>"}
_MD_ESCAPES_TABLE = {**_MD_ESCAPES, ord("|"): "\\|"}


def _md_escape(text: str, *, table: bool = False) -> str:
    if _MD_SPECIAL.search(text) is None:
        return text
    return text.translate(_MD_ESCAPES_TABLE if table else _MD_ESCAPES)


def _md_code(text: str, *, table: bool) -> str:
    """A code span that shows `text` literally (CommonMark §6.1: a longer backtick fence, padded)."""
    fence = "`" * (_longest_run(text, "`") + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or (text.startswith(" ") and text.endswith(" ")) else ""
    body = f"{fence}{pad}{text}{pad}{fence}"
    # GFM tables split cells at `|` before inline parsing, even inside code spans: escape it there.
    return body.replace("|", "\\|") if table else body


def _longest_run(text: str, ch: str) -> int:
    if ch not in text:  # the usual case: skip the regex
        return 0
    runs = re.findall(re.escape(ch) + "+", text)
    return max((len(r) for r in runs), default=0)


# ---------------------------------------------------------------------------------------------
# HTML

_CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; line-height: 1.5;
       color: #1b1f24; max-width: 64rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; border-bottom: 1px solid #d0d7de; padding-bottom: .3rem; }
h2 { font-size: 1.3rem; margin-top: 2rem; border-bottom: 1px solid #d0d7de; padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin-top: 1.4rem; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9em;
            background: #f3f5f7; border-radius: 4px; }
code { padding: .1em .3em; overflow-wrap: anywhere; }
pre { padding: .8rem 1rem; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
pre code { padding: 0; background: none; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; font-size: .92em; }
th, td { border: 1px solid #d0d7de; padding: .35rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f5f7; }
td code { user-select: all; }
strong { color: #0b3d91; }
""".strip()


def render_html(records: DomainRecords, *, spec_file: str = "spec.yaml") -> str:
    """HANDOFF.html for one domain: one self-contained page (inline CSS, no scripts, no external assets)."""
    blocks = handoff_document(records, spec_file=spec_file)
    title = f"E-mail DNS records for {records.domain}"
    body = "\n".join(_html_block(b) for b in blocks)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_esc(title)}</title>\n"
        f"<style>\n{_CSS}\n</style>\n"
        "</head>\n"
        "<body>\n"
        f"{body}\n"
        "</body>\n"
        "</html>\n"
    )


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _html_inlines(inlines: Inlines) -> str:
    parts = []
    for inline in inlines:
        if isinstance(inline, Code):
            parts.append(f"<code>{_esc(inline.text)}</code>")
        elif isinstance(inline, Strong):
            parts.append(f"<strong>{_esc(inline.text)}</strong>")
        else:
            parts.append(_esc(inline.text))
    return "".join(parts)


def _html_block(block: Block) -> str:
    if isinstance(block, Heading):
        return f"<h{block.level}>{_html_inlines(block.inlines)}</h{block.level}>"
    if isinstance(block, Paragraph):
        return f"<p>{_html_inlines(block.inlines)}</p>"
    if isinstance(block, Bullets):
        items = "\n".join(f"<li>{_html_inlines(item)}</li>" for item in block.items)
        return f"<ul>\n{items}\n</ul>"
    if isinstance(block, Table):
        head = "".join(f"<th>{_esc(h)}</th>" for h in block.header)
        rows = "\n".join("<tr>" + "".join(f"<td>{_html_inlines(c)}</td>" for c in row) + "</tr>" for row in block.rows)
        return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>"
    return f"<pre><code>{_esc(block.text)}</code></pre>"


def render_handoff(records: DomainRecords, *, handoff_format: HandoffFormat = HandoffFormat.MARKDOWN, spec_file: str = "spec.yaml") -> str:
    """The hand-off page in the format asked for."""
    if handoff_format is HandoffFormat.HTML:
        return render_html(records, spec_file=spec_file)
    return render_markdown(records, spec_file=spec_file)
