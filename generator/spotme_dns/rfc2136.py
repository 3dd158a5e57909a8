"""RFC 2136 (hashicorp/dns provider): the facts every part of spotme-dns shares about it.

Facts from the provider's own documentation and code (github.com/hashicorp/terraform-provider-dns
v3.6.1, docs/resources/txt_record_set.md, docs/resources/cname_record.md, docs/index.md,
internal/provider/resource_dns_txt_record_set.go; copied into tests/data/provider-docs/dns/):

- `dns_txt_record_set`: `zone` (required, an FQDN with the trailing dot), `name` (optional,
  relative to the zone; absent at the apex), `txt` (required, set of strings), `ttl` (optional,
  3600). One resource owns EVERY TXT value at its name: values not listed are deleted, so the
  customer's other values are written into it (like Route 53's record set).
- `dns_cname_record`: `zone`, `name` (required), `cname` (required), `ttl`.
- Create only INSERTS (RFC 2136 §2.5.1) and then reads every value at the name into the
  state, so values it does not list are deleted by the next apply; adding a CNAME where one
  exists replaces it (§3.4.2.2). Update removes what the state has and the plan does not.
- Both import by the record's FQDN with its trailing dot (`terraform import ... acme.com.`).
- A `txt` entry is zone-file text: the provider builds the update as the RR text
  `<fqdn> <ttl> TXT "<value>"` (RFC 1035 §5.1 presentation form), so `"` and `\\` must be
  escaped and other octets written `\\DDD` (decimal). It reads the set back as each record's
  strings joined, in the same escaped form, so the state equals what is written. Longer than
  255 characters, the provider's zone-file parser (miekg/dns) cuts the ESCAPED text every 255
  characters, which could cut an escape in two: such values are refused.
- The provider's `update` block names the primary server and the TSIG key; every argument
  can instead come from the environment (DNS_UPDATE_SERVER, DNS_UPDATE_PORT,
  DNS_UPDATE_KEYNAME, DNS_UPDATE_KEYALGORITHM, DNS_UPDATE_KEYSECRET; for GSS-TSIG,
  DNS_UPDATE_REALM, DNS_UPDATE_USERNAME, DNS_UPDATE_PASSWORD, DNS_UPDATE_KEYTAB). The block
  itself must be present.

Pure: no I/O here (discovery's zone transfer is `dns_live.zone_transfer`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .model import normalize_name

SOURCE = "hashicorp/dns"
TXT_RESOURCE = "dns_txt_record_set"
CNAME_RESOURCE = "dns_cname_record"
RESOURCES = {TXT_RESOURCE: "TXT", CNAME_RESOURCE: "CNAME"}
"""Resource type -> the record type it writes."""
VALUE_FIELDS = {TXT_RESOURCE: "txt", CNAME_RESOURCE: "cname"}

ENV_SERVER = "DNS_UPDATE_SERVER"
ENV_PORT = "DNS_UPDATE_PORT"
ENV_KEY_NAME = "DNS_UPDATE_KEYNAME"
ENV_KEY_ALGORITHM = "DNS_UPDATE_KEYALGORITHM"
ENV_KEY_SECRET = "DNS_UPDATE_KEYSECRET"
CREDENTIALS = (
    "dns: DNS_UPDATE_KEYSECRET (and DNS_UPDATE_SERVER, DNS_UPDATE_KEYNAME, DNS_UPDATE_KEYALGORITHM "
    "when the spec does not name them); for gssapi DNS_UPDATE_PASSWORD or DNS_UPDATE_KEYTAB"
)


def fqdn(name: str) -> str:
    """`name` with the trailing dot the provider wants for zones, CNAME targets and import ids."""
    return name.rstrip(".") + "."


def import_id(name: str) -> str:
    """The import id of the record set at `name`: its FQDN (provider docs, "Import")."""
    return fqdn(name)


def relative_name(name: str, zone: str) -> str:
    """`name` relative to `zone` (`""` at the apex): the resource's `name` argument."""
    name, zone = normalize_name(name), normalize_name(zone)
    if name == zone:
        return ""
    return name[: -len(zone) - 1] if name.endswith("." + zone) else name


def absolute_name(values: Mapping[str, object]) -> str | None:
    """The owner name of a resource's `name` + `zone` (None when `zone` is missing)."""
    zone = values.get("zone")
    if not isinstance(zone, str) or not zone.strip("."):
        return None
    name = values.get("name")
    if isinstance(name, str) and name.strip("."):
        if name.endswith("."):  # already absolute (the provider appends the zone regardless)
            return normalize_name(name)
        return normalize_name(f"{name}.{zone}")
    return normalize_name(zone)


def handoff_notes(zone: str, names: Sequence[str], *, key_name: str | None, gssapi: bool) -> tuple[str, ...]:
    """What the DNS server's administrator must allow, for the hand-off page's Notes."""
    who = (
        "the Kerberos account Terraform runs as (GSS-TSIG; Active Directory: a zone with secure dynamic updates)"
        if gssapi
        else f"the TSIG key {key_name or '<DNS_UPDATE_KEYNAME>'}"
    )
    grants = " ".join(f"grant {fqdn(key_name or 'KEY')} name {fqdn(n)} TXT CNAME;" for n in names)
    return (
        f"these records are written into the zone {fqdn(zone)} by RFC 2136 dynamic updates signed by {who}: "
        f"the primary server must allow it to update TXT and CNAME records at {', '.join(names)}"
        + ("" if gssapi else f" (BIND: update-policy {{ {grants} }};)")
        + ", and may allow it zone transfers (allow-transfer) so that spotme-dns generate --discover reads the zone whole",
    )


@dataclass(frozen=True)
class TransferKey:
    """A TSIG key for the zone transfer of `generate --discover` (from the provider's environment)."""

    name: str
    algorithm: str
    secret: str
    """Base64, as DNS_UPDATE_KEYSECRET holds it."""
