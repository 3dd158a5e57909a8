"""Desired records: what a plan, a Terraform directory or a spec says DNS should hold.

`validate` and `verify` read three kinds of input (`--plan`, `--tf`, `--spec`); each is
normalised into these values so the diff and the checks never care where they came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Action(str, Enum):
    """What applying does to a record set (from a plan; `create` for --tf and --spec)."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    REPLACE = "replace"
    NOOP = "no-op"
    READ = "read"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class DesiredRecord:
    """One record set as the input wants it after apply."""

    name: str
    """Absolute, lower-case, no trailing dot; None-free: a name unknown until apply is not a record."""
    type: str
    """`TXT`, `CNAME`, ... upper-case."""
    values: tuple[str, ...] | None
    """Whole logical values (TXT unquoted and joined), sorted; None when unknown until apply."""
    action: Action = Action.CREATE
    ttl: int | None = None
    address: str = ""
    """Terraform resource address(es) it came from, when known."""
    proxied: bool | None = None
    """Cloudflare only: the planned `proxied` flag (True is a finding for mail records)."""
    authoritative: bool = False
    """True when applying replaces the whole record set at (name, type) (Route53); False when
    each value is its own record (Cloudflare, generic), so live values not listed survive."""
    removed: tuple[str, ...] = ()
    """Values the input deletes (a plan's `before` values not in `after`, or the values of a
    deleted Cloudflare record): expected gone after apply, so no conflict in the diff. Being in
    Terraform's state says nothing about whose they are: the checks still report every
    customer value that goes (`checks.check_live_values_deleted`)."""
    strings: tuple[tuple[str, ...], ...] = ()
    """TXT only, when the input fixes how values are split: each value's character-strings as
    the provider will publish them (Route53 sends a value as ONE string unless it holds
    `\\"\\"`), in `values` order. () when a renderer or the provider splits by itself."""


class Role(str, Enum):
    """What the input says a group of records is, hence which checks it gets.

    A name is a sending domain when the input writes its DMARC record (`_dmarc.X`) or DKIM
    selectors (`<sel>._domainkey.X`), or records at the apex of a zone the input names; an
    SPF record anywhere else is still an SPF record (a MAIL FROM domain, an include target of
    the customer's own) and gets the RFC 7208 checks, but not SpotMe's set of records.
    """

    SENDING = "sending"
    """Every check: SPF with SpotMe's include, DMARC, the five DKIM selectors."""
    SPF = "spf"
    """An SPF record at a name that is no sending domain: RFC 7208 checks only."""
    RECORDS = "records"
    """Other records of a zone, under no sending domain: each record's own checks only."""

    def __str__(self) -> str:
        return self.value


SES_TOKEN_LABEL = "<token>"
"""Stands for an SES Easy DKIM token that is known only after apply, in the name of a
record whose name is unknown until then (`<token>._domainkey.acme.com`)."""
UNKNOWN_LABEL = "<known after apply>"
"""Stands for the unknown part of any other record name known only after apply."""


def ses_dkim_pattern(domain: str) -> str:
    """The shown name of an SES Easy DKIM CNAME whose token is known only after apply."""
    return f"{SES_TOKEN_LABEL}._domainkey.{domain}"


@dataclass(frozen=True)
class DesiredDomain:
    """The desired records of one sending domain (or one zone, for plans that do not say)."""

    domain: str
    zone: str
    records: tuple[DesiredRecord, ...]
    role: Role = Role.SENDING
    unknown: tuple[DesiredRecord, ...] = ()
    """Records whose name is known only after apply (SES Easy DKIM CNAMEs named by tokens
    SES makes at apply), placed here by what the input says about them: `name` is a pattern
    (`ses_dkim_pattern`, or `UNKNOWN_LABEL`...) never asked of DNS; reported as `unknown`."""
    root: str = ""
    """The Terraform root (or input file) it came from, when one run reads several."""
