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


@dataclass(frozen=True)
class DesiredDomain:
    """The desired records of one sending domain (or one zone, for plans that do not say)."""

    domain: str
    zone: str
    records: tuple[DesiredRecord, ...]
