"""The YAML spec (version 1): load, check everything, and return frozen domain specs.

Every problem is collected with its file:line:column and raised once as a SpecError.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

import idna

from . import dmarc, spf
from .backend import SpecBackend, check_backend_node
from .errors import InputError, Location, Problem, SpecError
from .yamlpos import YNode, parse_yaml, read_text

SPOTME_SPF_INCLUDE = "_spf.spotme.com"
DEFAULT_SIGNING_ZONE = "dkim.amazonses.com"
DEFAULT_TTL = 3600
TTL_RANGE = (60, 86400)
MANDRILL_PREFIX = "mandrill_verify."
SPF_ALL_CHOICES = ("-all", "~all", "?all")
#: Route53's limit on one TXT value (all its 255-octet strings together).
MAX_TXT_OCTETS = 4000


class Provider(str, Enum):
    """Where the records are written."""

    ROUTE53 = "route53"
    CLOUDFLARE = "cloudflare"
    GENERIC = "generic"
    RFC2136 = "rfc2136"
    GOOGLE = "google"
    AZURE = "azure"

    def __str__(self) -> str:
        return self.value

    @property
    def record_sets(self) -> bool:
        """One resource owns every value of a name and type, so the customer's other TXT values
        must be written into it or they are deleted (Route 53; `dns_txt_record_set` of RFC 2136)."""
        return self in (Provider.ROUTE53, Provider.RFC2136, Provider.GOOGLE, Provider.AZURE)


@dataclass(frozen=True)
class SesSpec:
    """AWS SES Easy DKIM."""

    dkim_tokens: tuple[str, str, str]
    """The three Easy DKIM tokens, lower-case."""
    signing_zone: str = DEFAULT_SIGNING_ZONE
    """`SigningHostedZone`: where the CNAMEs point (regional SES zones differ)."""


@dataclass(frozen=True)
class MandrillSpec:
    """Mailchimp Transactional (Mandrill)."""

    verification: str
    """The whole TXT value, `mandrill_verify.<key>`."""
    dkim: bool = True
    """Publish the mte1/mte2 DKIM CNAMEs."""


@dataclass(frozen=True)
class SpfSpec:
    """How the SPF record is built."""

    include: tuple[str, ...] = (SPOTME_SPF_INCLUDE,)
    keep: tuple[str, ...] = ()
    """Terms of the customer's existing SPF record to keep, in order."""
    all: str = "-all"
    all_explicit: bool = field(default=False, compare=False)
    """The spec wrote `all` (so `generate --discover` does not keep an existing record's)."""


@dataclass(frozen=True)
class DmarcSpec:
    """The DMARC policy record."""

    policy: str = "none"
    tags: tuple[tuple[str, str], ...] = ()
    """Other DMARC tags in the order written (rua, ruf, sp, adkim, ...)."""
    explicit: bool = field(default=False, compare=False)
    """The spec has a `dmarc` section (so `generate --discover` may change an existing record)."""
    raw: str | None = None
    """An existing record adopted as it is, byte for byte (set by `generate --discover`)."""
    policy_explicit: bool = field(default=False, compare=False)
    """The spec names `dmarc.policy` (else `policy` is the default, none)."""
    manage: bool = True
    """False: spotme-dns writes no DMARC record and leaves `_dmarc.<domain>` alone
    (`dmarc: {manage: false}`, or a delegated record adopted by `generate --discover`)."""

    def text(self) -> str:
        if self.raw is not None:
            return self.raw
        return dmarc.build_dmarc(self.policy, self.tags)


#: Providers `init` writes a complete spec for (google needs its project and zone written in by hand).
INIT_PROVIDERS = ("route53", "cloudflare", "generic", "rfc2136")

#: TSIG HMAC algorithms the hashicorp/dns provider takes (its docs/index.md, `update.key_algorithm`).
RFC2136_KEY_ALGORITHMS = ("hmac-md5", "hmac-sha1", "hmac-sha256", "hmac-sha512")
RFC2136_TRANSPORTS = ("udp", "udp4", "udp6", "tcp", "tcp4", "tcp6")


@dataclass(frozen=True)
class Rfc2136Spec:
    """Where RFC 2136 updates go and how they are signed (`provider: rfc2136`).

    Never a secret: the TSIG secret, a GSS-TSIG password or keytab come from the provider's
    environment variables (DNS_UPDATE_KEYSECRET, DNS_UPDATE_PASSWORD, DNS_UPDATE_KEYTAB).
    Unset keys are read from DNS_UPDATE_SERVER, DNS_UPDATE_PORT, DNS_UPDATE_KEYNAME and
    DNS_UPDATE_KEYALGORITHM by Terraform and by `generate --discover` alike.
    """

    server: str | None = None
    port: int | None = None
    key_name: str | None = None
    key_algorithm: str | None = None
    transport: str | None = None
    gssapi: bool = False
    """GSS-TSIG (RFC 3645, Active Directory) instead of a TSIG key."""
    realm: str | None = None
    username: str | None = None


@dataclass(frozen=True)
class GoogleSpec:
    """Where the records go in Google Cloud DNS (`provider: google`)."""

    project: str = ""
    """The project ID."""
    managed_zone: str = ""
    """The managed zone's resource NAME (`prod-zone`), not its DNS name."""


@dataclass(frozen=True)
class AzureSpec:
    """Where the records go in Azure DNS (`provider: azure`)."""

    resource_group: str = ""
    subscription_id: str | None = None
    """Else ARM_SUBSCRIPTION_ID, as the azurerm provider reads it."""
    subscription_from_environment: bool = field(default=False, compare=False)
    """`subscription_id` was read from ARM_SUBSCRIPTION_ID by discovery (for imports), not written in the spec."""


@dataclass(frozen=True)
class DomainSpec:
    """One sending domain, checked and normalised."""

    domain: str
    """A-label form, lower-case, no trailing dot."""
    zone: str
    provider: Provider
    ses: SesSpec
    mandrill: MandrillSpec
    spf: SpfSpec = SpfSpec()
    dmarc: DmarcSpec = DmarcSpec()
    ttl: int = DEFAULT_TTL
    zone_id: str | None = None
    keep_txt: tuple[str, ...] = ()
    """Other TXT values at the domain to keep in the same record set (Route53)."""
    cloudflare_version: int = 5
    location: Location = field(default=Location("<spec>"), compare=False)
    rfc2136: Rfc2136Spec = Rfc2136Spec()
    google: GoogleSpec = GoogleSpec()
    azure: AzureSpec = AzureSpec()


@dataclass(frozen=True)
class Spec:
    """A whole spec: the domains of one or more files, in the order written."""

    domains: tuple[DomainSpec, ...]
    paths: tuple[str, ...] = ()
    backend: SpecBackend | None = None
    """The top-level `backend:` (where generated roots keep their Terraform state), if any."""


# ---------------------------------------------------------------------------------------------
# Keys: the closed set of keys at each level, for "did you mean".

TOP_KEYS = ("version", "defaults", "domains", "backend")
DOMAIN_KEYS = (
    "domain", "zone", "provider", "zone_id", "ttl", "ses", "mandrill", "spf", "dmarc",
    "keep_txt", "cloudflare", "rfc2136", "google", "azure",
)
DEFAULTABLE = tuple(k for k in DOMAIN_KEYS if k not in ("domain", "zone", "zone_id"))
SES_KEYS = ("dkim_tokens", "signing_zone")
MANDRILL_KEYS = ("verification", "dkim")
SPF_KEYS = ("include", "keep", "all")
DMARC_KEYS = ("manage", "policy",) + tuple(t for t in dmarc.KNOWN_TAGS if t not in ("v", "p"))
CLOUDFLARE_KEYS = ("version",)
RFC2136_KEYS = ("server", "port", "key_name", "key_algorithm", "transport", "gssapi")
GSSAPI_KEYS = ("realm", "username")
GOOGLE_KEYS = ("project", "managed_zone")
AZURE_KEYS = ("resource_group", "subscription_id")


class _Collector:
    """Collects problems; `where` names the place in the spec as a dotted path.

    A value inherited from `defaults` is checked once per domain that uses it; its problems
    are reported once, named `defaults.<key>` (where the fix goes), not once per domain.
    """

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.seen: set[Problem] = set()
        self.attempts = 0
        """Problems found, counting repeats (a domain is invalid when this grows)."""
        self.default_locs: set[Location] = set()
        self.scope = ""
        """The `domains[i]` prefix of the domain being checked."""

    def add(self, node: YNode | Location, where: str, message: str, code: str = "invalid") -> None:
        self.attempts += 1
        loc = node.loc if isinstance(node, YNode) else node
        if loc in self.default_locs and self.scope and where.startswith(self.scope):
            where = "defaults" + where[len(self.scope):]
        problem = Problem(loc, f"{where}: {message}" if where else message, code)
        if problem not in self.seen:
            self.seen.add(problem)
            self.problems.append(problem)

    def mark_defaults(self, node: YNode) -> None:
        """Remember where every value and key under `defaults` is written."""
        stack = [node]
        while stack:
            current = stack.pop()
            self.default_locs.add(current.loc)
            self.default_locs.update((current.key_locs or {}).values())
            if isinstance(current.value, dict):
                stack.extend(current.value.values())
            elif isinstance(current.value, list):
                stack.extend(current.value)


def load_spec(paths: Iterable[str]) -> Spec:
    """Load and check spec files; raise SpecError with every problem found in all of them."""
    paths = tuple(paths)
    problems: list[Problem] = []
    domains: list[DomainSpec] = []
    backends: list[SpecBackend] = []
    for path in paths:
        try:
            domains.extend(_load_file(path, backends))
        except InputError as err:  # reading, YAML and spec problems alike
            problems.extend(err.problems)
    for other in backends[1:]:
        if (other.kind, other.fields, other.encrypt) != (backends[0].kind, backends[0].fields, backends[0].encrypt):
            problems.append(Problem(other.location, f"backend: differs from the one at {backends[0].location} (one state per run)", "bad-backend"))
    problems.extend(duplicate_domain_problems(domains))  # across files; within one file already checked
    if problems:
        raise SpecError(problems)
    return Spec(tuple(domains), paths, backends[0] if backends else None)


def parse_spec_text(text: str, path: str = "<spec>") -> Spec:
    """Check a spec given as text (for tests and for `init`)."""
    backends: list[SpecBackend] = []
    out = _check_document(*parse_yaml(text, path), backends)
    return Spec(tuple(out), (path,), backends[0] if backends else None)


def _load_file(path: str, backends: list[SpecBackend] | None = None) -> list[DomainSpec]:
    return _check_document(*parse_yaml(read_text(path), path), backends)


def _check_document(
    root: YNode, yaml_problems: list[Problem] | tuple[Problem, ...] = (), backends: list[SpecBackend] | None = None
) -> list[DomainSpec]:
    """The domains of one spec document; its checked `backend:` is appended to `backends`.

    `yaml_problems` (duplicate keys and the like) are reported together with the spec's own.
    """
    c = _Collector()
    c.problems.extend(yaml_problems)
    if not root.is_mapping:
        c.add(root, "", "the spec must be a mapping with 'version' and 'domains'", "bad-type")
        raise SpecError(sorted(c.problems, key=lambda p: (p.location.line or 0, p.location.column or 0)))
    top: dict[str, YNode] = root.value  # type: ignore[assignment]
    _unknown_keys(c, root, TOP_KEYS, "")
    version = top.get("version")
    if version is None:
        c.add(root, "version", "missing; this tool reads 'version: 1'", "missing-key")
    elif version.value != 1 or isinstance(version.value, bool):
        c.add(version, "version", f"unsupported spec version {version.value!r} (expected 1)", "bad-version")
    defaults = top.get("defaults")
    default_map: dict[str, YNode] = {}
    if defaults is not None and defaults.value is not None:
        if not defaults.is_mapping:
            c.add(defaults, "defaults", "expected a mapping of per-domain keys", "bad-type")
        else:
            default_map = {k: v for k, v in defaults.value.items() if k in DEFAULTABLE}  # type: ignore[union-attr]
            _unknown_keys(c, defaults, DEFAULTABLE, "defaults", hints=_PER_DOMAIN_ONLY)
            c.mark_defaults(defaults)
    if "backend" in top:
        backend, backend_problems = check_backend_node(top["backend"])
        c.problems.extend(backend_problems)
        if backend is not None and backends is not None:
            backends.append(backend)
    domains_node = top.get("domains")
    out: list[DomainSpec] = []
    if domains_node is None:
        c.add(root, "domains", "missing; list at least one sending domain", "missing-key")
    elif not domains_node.is_sequence or not domains_node.value:
        c.add(domains_node, "domains", "expected a non-empty list of domains, each a mapping starting '- domain: ...'", "bad-type")
    else:
        for i, item in enumerate(domains_node.value):  # type: ignore[arg-type]
            c.scope = f"domains[{i}]"
            domain = _check_domain(c, item, default_map, c.scope)
            c.scope = ""
            if domain is not None:
                out.append(domain)
    c.problems.extend(duplicate_domain_problems(out))
    if c.problems:
        raise SpecError(sorted(c.problems, key=lambda p: (p.location.line or 0, p.location.column or 0)))
    return out


#: Keys that are close to a real one in meaning rather than spelling: the hint to give.
_PER_DOMAIN_ONLY = {
    "domain": "'domain' is per domain; it cannot be a default",
    "zone": "'zone' is per domain (it defaults to the domain itself)",
    "zone_id": "'zone_id' is per domain (each zone has its own)",
}
_DMARC_HINTS = {
    "p": "did you mean 'policy'?",
    "v": "v=DMARC1 is written for you; leave it out",
    "dmarc": "list the tags (policy, rua, ...) directly under 'dmarc'",
}
_DOMAIN_HINTS = {
    "name": "did you mean 'domain'?",
    "dkim_tokens": "did you mean 'ses: {dkim_tokens: [...]}'?",
    "verification": "did you mean 'mandrill: {verification: ...}'?",
}


def _unknown_keys(
    c: _Collector, mapping: dict[str, YNode] | YNode, allowed: tuple[str, ...], where: str, *, hints: dict[str, str] | None = None
) -> None:
    """Report keys outside `allowed` at the key itself, with a "did you mean" when one is close."""
    key_locs = mapping.key_locs if isinstance(mapping, YNode) else None
    items: dict[str, YNode] = mapping.value if isinstance(mapping, YNode) else mapping  # type: ignore[assignment]
    for key, node in items.items():
        if key not in allowed:
            special = (hints or {}).get(key)
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            if special:
                hint = f": {special}"
            elif close:
                hint = f"; did you mean {close[0]!r}?"
            else:
                hint = f" (expected one of: {', '.join(allowed)})"
            place = f"{where}.{key}" if where else key
            c.add(key_locs.get(key, node.loc) if key_locs else node, place, f"unknown key{hint}", "unknown-key")


def duplicate_domain_problems(domains: Iterable[DomainSpec]) -> list[Problem]:
    """A domain may appear once across all files: its records would be written twice."""
    problems: list[Problem] = []
    seen: dict[str, DomainSpec] = {}
    for d in domains:
        if d.domain in seen:
            problems.append(
                Problem(d.location, f"domain {d.domain!r} is already defined at {seen[d.domain].location}", "duplicate-domain")
            )
        else:
            seen[d.domain] = d
    return problems


def _merged(item: dict[str, YNode], defaults: dict[str, YNode]) -> dict[str, YNode]:
    """Per-domain keys over defaults; nested mappings merge one level deep."""
    out = dict(defaults)
    for key, node in item.items():
        base = out.get(key)
        if base is not None and base.is_mapping and node.is_mapping:
            key_locs = {**(base.key_locs or {}), **(node.key_locs or {})}
            out[key] = YNode({**base.value, **node.value}, node.loc, key_locs)  # type: ignore[dict-item]
        else:
            out[key] = node
    return out


def _check_domain(c: _Collector, item: YNode, defaults: dict[str, YNode], where: str) -> DomainSpec | None:
    if not item.is_mapping:
        c.add(item, where, "expected a mapping with at least 'domain', 'ses' and 'mandrill'", "bad-type")
        return None
    _unknown_keys(c, item, DOMAIN_KEYS, where, hints=_DOMAIN_HINTS)
    d = _merged(item.value, defaults)  # type: ignore[arg-type]
    before = c.attempts

    domain_node = d.get("domain")
    domain = None
    if domain_node is None:
        c.add(item, f"{where}.domain", "missing: the sending (From:) domain", "missing-key")
    else:
        domain = check_domain_name(c, domain_node, f"{where}.domain")
    zone = domain
    zone_node = d.get("zone")
    if zone_node is not None:
        zone = check_domain_name(c, zone_node, f"{where}.zone")
        if zone and domain and not (domain == zone or domain.endswith("." + zone)):
            c.add(zone_node, f"{where}.zone", f"domain {domain!r} is not inside zone {zone!r}", "domain-outside-zone")

    provider = Provider.ROUTE53
    if "provider" in d:
        node = d["provider"]
        choices = tuple(p.value for p in Provider)
        if not isinstance(node.value, str) or node.value not in choices:
            c.add(node, f"{where}.provider", f"expected one of {', '.join(choices)} (got {node.value!r}){_suggest(node.value, choices)}", "bad-provider")
        else:
            provider = Provider(node.value)

    ttl = DEFAULT_TTL
    if "ttl" in d:
        node = d["ttl"]
        if not isinstance(node.value, int) or isinstance(node.value, bool) or not TTL_RANGE[0] <= node.value <= TTL_RANGE[1]:
            c.add(node, f"{where}.ttl", f"expected whole seconds from {TTL_RANGE[0]} to {TTL_RANGE[1]} (got {node.value!r})", "bad-ttl")
        else:
            ttl = node.value

    cloudflare_version = 5
    if "cloudflare" in d:
        cf = _mapping(c, d["cloudflare"], f"{where}.cloudflare", CLOUDFLARE_KEYS)
        if cf is not None and "version" in cf:
            v = cf["version"]
            if v.value not in (4, 5) or isinstance(v.value, bool):
                c.add(v, f"{where}.cloudflare.version", f"expected 4 or 5 (the Cloudflare provider's major version; got {v.value!r})", "bad-value")
            else:
                cloudflare_version = int(v.value)  # 5.0 is 5

    rfc2136 = _check_rfc2136(c, d["rfc2136"], f"{where}.rfc2136") if "rfc2136" in d else Rfc2136Spec()
    google = _check_google(c, d.get("google"), item, f"{where}.google", provider)
    azure = _check_azure(c, d.get("azure"), item, f"{where}.azure", provider)

    zone_id = None
    if "zone_id" in d:
        zone_id = _check_zone_id(c, d["zone_id"], f"{where}.zone_id", provider)

    ses = _check_ses(c, d.get("ses"), item, f"{where}.ses")
    mandrill = _check_mandrill(c, d.get("mandrill"), item, f"{where}.mandrill")
    spf_spec = _check_spf(c, d.get("spf"), f"{where}.spf")
    dmarc_spec = _check_dmarc(c, d.get("dmarc"), f"{where}.dmarc")
    keep_txt = _check_keep_txt(c, d.get("keep_txt"), f"{where}.keep_txt")

    if domain is not None and domain_node is not None and ses is not None:
        _check_derived_names(c, domain_node, f"{where}.domain", domain, ses)

    if c.attempts > before or domain is None or zone is None or ses is None or mandrill is None:
        return None
    return DomainSpec(
        domain=domain, zone=zone, provider=provider, ses=ses, mandrill=mandrill,
        spf=spf_spec or SpfSpec(), dmarc=dmarc_spec or DmarcSpec(), ttl=ttl, zone_id=zone_id,
        keep_txt=keep_txt, cloudflare_version=cloudflare_version, location=item.loc, rfc2136=rfc2136,
        google=google, azure=azure,
    )


_SECRET_KEYS = {
    "key_secret": "DNS_UPDATE_KEYSECRET",
    "secret": "DNS_UPDATE_KEYSECRET",
    "password": "DNS_UPDATE_PASSWORD",
    "keytab": "DNS_UPDATE_KEYTAB",
}
_KEY_NAME = re.compile(r"^(?=.{1,254}$)[A-Za-z0-9_-]{1,63}(?:\.[A-Za-z0-9_-]{1,63})*\.?$")
#: A host name, an IPv4 address or an IPv6 address (no port: that is `port`).
_HOST = re.compile(r"^(?:[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*|(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)$")


def _check_rfc2136(c: _Collector, node: YNode, where: str) -> Rfc2136Spec:
    """`rfc2136: {server, port, key_name, key_algorithm, transport, gssapi: {realm, username}}`."""
    if not node.is_mapping:
        c.add(node, where, f"expected a mapping with keys {', '.join(RFC2136_KEYS)}", "bad-type")
        return Rfc2136Spec()
    items: dict[str, YNode] = node.value  # type: ignore[assignment]
    secrets = {k: v for k, v in _SECRET_KEYS.items() if k in items}
    for key, env in secrets.items():
        c.add((node.key_locs or {}).get(key, items[key].loc), f"{where}.{key}",
              f"never write a secret in the spec: Terraform and spotme-dns read it from {env}", "secret-in-spec")
    _unknown_keys(c, {k: v for k, v in items.items() if k not in secrets}, RFC2136_KEYS, where)
    out: dict[str, object] = {}
    if "server" in items:
        text = _string(c, items["server"], f"{where}.server", "a host name or IP address")
        if text is not None and not _HOST.match(text):
            c.add(items["server"], f"{where}.server", f"{text!r} is not a host name or IP address (give the port as 'port')", "bad-value")
        elif text is not None:
            out["server"] = text
    if "port" in items:
        v = items["port"].value
        if not isinstance(v, int) or isinstance(v, bool) or not 1 <= v <= 65535:
            c.add(items["port"], f"{where}.port", f"expected a port number from 1 to 65535 (got {v!r})", "bad-value")
        else:
            out["port"] = v
    if "key_name" in items:
        text = _string(c, items["key_name"], f"{where}.key_name", "the TSIG key's name")
        if text is not None and not _KEY_NAME.match(text):
            c.add(items["key_name"], f"{where}.key_name", f"{text!r} is not a TSIG key name (a domain name)", "bad-value")
        elif text is not None:
            out["key_name"] = text if text.endswith(".") else text + "."
    for key, choices in (("key_algorithm", RFC2136_KEY_ALGORITHMS), ("transport", RFC2136_TRANSPORTS)):
        if key in items:
            v = items[key].value
            if v not in choices:
                c.add(items[key], f"{where}.{key}", f"expected one of {', '.join(choices)} (got {v!r}){_suggest(v, choices)}", "bad-value")
            else:
                out[key] = v
    if "gssapi" in items:
        g = items["gssapi"]
        if g.value is None:
            gss: dict[str, YNode] | None = {}
        else:
            gss = _mapping(c, g, f"{where}.gssapi", GSSAPI_KEYS)
        if gss is not None:
            out["gssapi"] = True
            for key in GSSAPI_KEYS:
                if key in gss:
                    text = _string(c, gss[key], f"{where}.gssapi.{key}", f"the Kerberos {key}")
                    if text is not None:
                        out[key] = text
        for key in ("key_name", "key_algorithm"):
            if key in items:
                c.add(items[key], f"{where}.{key}", "a TSIG key and gssapi exclude each other (the provider refuses both)", "bad-value")
    return Rfc2136Spec(**out)  # type: ignore[arg-type]


#: Google Cloud project IDs: 6-30 lower-case letters, digits and hyphens, starting with a letter
#: (Resource Manager docs, "Creating and managing projects"); managed zone names: RFC 1035
#: labels of at most 63 characters (Cloud DNS API, ManagedZone.name).
_GOOGLE_PROJECT = re.compile(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$")
_GOOGLE_ZONE = re.compile(r"^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def _check_google(c: _Collector, node: YNode | None, item: YNode, where: str, provider: Provider) -> GoogleSpec:
    """`google: {project, managed_zone}`: both required for `provider: google`."""
    if node is None:
        if provider is Provider.GOOGLE:
            c.add(item, where, "missing: provider google needs google: {project: ..., managed_zone: ...} "
                  "(the managed zone's resource name, not its DNS name)", "missing-key")
        return GoogleSpec()
    found = _mapping(c, node, where, GOOGLE_KEYS)
    if found is None:
        return GoogleSpec()
    out = {}
    for key, pattern, what in (
        ("project", _GOOGLE_PROJECT, "a Google Cloud project ID (6-30 lower-case letters, digits, hyphens)"),
        ("managed_zone", _GOOGLE_ZONE, "a Cloud DNS managed zone name (like prod-zone: lower-case letters, digits, hyphens)"),
    ):
        if key not in found:
            if provider is Provider.GOOGLE:
                c.add(node, f"{where}.{key}", f"missing: {what}", "missing-key")
            continue
        text = _string(c, found[key], f"{where}.{key}", what)
        if text is not None and not pattern.match(text):
            hint = " (that is its DNS name; give the zone's resource name)" if key == "managed_zone" and "." in text else ""
            c.add(found[key], f"{where}.{key}", f"{text!r} is not {what}{hint}", "bad-value")
        elif text is not None:
            out[key] = text
    return GoogleSpec(**out)


#: Azure resource group names: 1-90 letters, digits, `_`, `-`, `.`, `(`, `)`, not ending in `.`
#: (Azure docs, "Naming rules and restrictions for Azure resources"); subscription ids are GUIDs.
_AZURE_GROUP = re.compile(r"^[-\w.()]{0,89}[-\w()]$")
_AZURE_SUBSCRIPTION = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def _check_azure(c: _Collector, node: YNode | None, item: YNode, where: str, provider: Provider) -> AzureSpec:
    """`azure: {resource_group, subscription_id}`: the resource group is required for `provider: azure`."""
    if node is None:
        if provider is Provider.AZURE:
            c.add(item, where, "missing: provider azure needs azure: {resource_group: ...} (and the subscription_id, "
                  "or ARM_SUBSCRIPTION_ID)", "missing-key")
        return AzureSpec()
    found = _mapping(c, node, where, AZURE_KEYS)
    if found is None:
        return AzureSpec()
    group = None
    if "resource_group" in found:
        group = _string(c, found["resource_group"], f"{where}.resource_group", "an Azure resource group name")
        if group is not None and not (_AZURE_GROUP.match(group) and group.isascii()):
            c.add(found["resource_group"], f"{where}.resource_group", f"{group!r} is not an Azure resource group name "
                  "(1-90 letters, digits, '_', '-', '.', '(', ')', not ending in '.')", "bad-value")
            group = None
    elif provider is Provider.AZURE:
        c.add(node, f"{where}.resource_group", "missing: the resource group of the DNS zone", "missing-key")
    subscription = None
    if "subscription_id" in found:
        subscription = _string(c, found["subscription_id"], f"{where}.subscription_id", "an Azure subscription id")
        if subscription is not None and not _AZURE_SUBSCRIPTION.match(subscription):
            c.add(found["subscription_id"], f"{where}.subscription_id", f"{subscription!r} is not an Azure subscription id (a GUID)", "bad-value")
            subscription = None
    return AzureSpec(group or "", subscription.lower() if subscription else None)


def _suggest(value: object, choices: tuple[str, ...]) -> str:
    """`; did you mean 'x'?` for a near miss (case, spelling), else ``."""
    if not isinstance(value, str):
        return ""
    lowered = value.strip().lower()
    if lowered in choices:
        return f"; did you mean {lowered!r}?"
    close = difflib.get_close_matches(lowered, choices, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _check_derived_names(c: _Collector, node: YNode, where: str, domain: str, ses: SesSpec) -> None:
    """The names the records live at (and point to) must themselves fit in 253 octets."""
    names = [f"_dmarc.{domain}", f"mte1._domainkey.{domain}"]
    names += [f"{t}._domainkey.{domain}" for t in ses.dkim_tokens]
    longest = max(names, key=len)
    if len(longest) > 253:
        c.add(node, where, f"too long for its records: {longest[:30]}... would be {len(longest)} octets (at most 253)", "bad-domain")
    targets = [f"{t}.{ses.signing_zone}" for t in ses.dkim_tokens]
    longest = max(targets, key=len)
    if len(longest) > 253:
        c.add(node, where, f"SES CNAME target {longest[:30]}... would be {len(longest)} octets (at most 253)", "bad-domain")


def _mapping(c: _Collector, node: YNode, where: str, keys: tuple[str, ...]) -> dict[str, YNode] | None:
    if not node.is_mapping:
        c.add(node, where, f"expected a mapping with keys {', '.join(keys)}", "bad-type")
        return None
    _unknown_keys(c, node, keys, where)
    return node.value  # type: ignore[return-value]


def _string(c: _Collector, node: YNode, where: str, what: str) -> str | None:
    if not isinstance(node.value, str) or not node.value.strip():
        c.add(node, where, f"expected {what} (got {node.value!r})", "bad-type")
        return None
    return node.value.strip()


def _string_list(c: _Collector, node: YNode | None, where: str, what: str) -> list[tuple[str, YNode]] | None:
    if node is None:
        return None
    if node.value is None:
        return []
    if isinstance(node.value, str):
        node = YNode([node], node.loc)
    if not node.is_sequence:
        c.add(node, where, f"expected a list of {what}", "bad-type")
        return None
    out = []
    for i, item in enumerate(node.value):  # type: ignore[arg-type]
        text = _string(c, item, f"{where}[{i}]", what)
        if text is not None:
            out.append((text, item))
    return out


#: A host name label after IDNA: letters, digits, inner hyphens (RFC 1123 §2.1, RFC 5890 A-labels).
#: No underscore: a sending domain is a host name (RFC 5321 §4.1.2), and these names become folders.
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_ASCII_ALLOWED = re.compile(r"[A-Za-z0-9.-]")


def check_domain_name(c: _Collector, node: YNode, where: str) -> str | None:
    """A domain name: IDNA to A-labels, lower-case, 63-octet labels, 253 in all, no path tricks."""
    text = _string(c, node, where, "a domain name")
    if text is None:
        return None
    problem = domain_name_problem(text)
    if problem:
        c.add(node, where, problem, "bad-domain")
        return None
    return normalize_domain(text)


def normalize_domain(text: str) -> str:
    """The A-label, lower-case spelling without trailing dot (assumes a valid name)."""
    labels, _ = _a_labels(text)
    return ".".join(labels) if labels is not None else text.strip().rstrip(".").lower()


def domain_name_problem(text: str) -> str | None:
    """Why `text` is not a usable domain name, or None.

    Checked: characters (only letters, digits, hyphens and dots survive, so a name can never
    become a path), IDNA 2008 with UTS #46 mapping for non-ASCII names, valid `xn--` labels,
    labels of 1 to 63 octets, at most 253 octets in all (RFC 1035 §2.3.4), at least two labels,
    and a top-level label that is not all digits.
    """
    labels, problem = _a_labels(text)
    if problem or labels is None:
        return problem
    if len(labels) < 2:
        return f"{text!r} is not a fully qualified domain name (it needs at least two labels, like example.com)"
    ascii_name = ".".join(labels)
    if labels[-1].isdigit():
        return f"{text!r} looks like an address, not a domain name"
    if len(ascii_name) > 253:
        return f"{text!r} is {len(ascii_name)} octets long as a DNS name (at most 253)"
    return None


def _a_labels(text: str) -> tuple[list[str] | None, str | None]:
    """The name's lower-case A-labels, or the reason it has none."""
    name = text.strip()
    if name.endswith("."):
        name = name[:-1]  # the root label: `example.com.` is `example.com`
    if not name:
        return None, "empty domain name"
    for ch in name:
        if ch.isascii() and not _ASCII_ALLOWED.match(ch):
            return None, f"{text!r} is not a domain name (character {ch!r} not allowed: letters, digits, '-' and '.' only)"
        if not ch.isascii() and (ch.isspace() or not ch.isprintable()):
            return None, f"{text!r} is not a domain name (character {ch!r} not allowed)"
    if not name.isascii():
        try:
            # UTS #46: full-width dots and letters, upper case and the like map to their plain forms.
            name = idna.uts46_remap(name, std3_rules=True, transitional=False)
        except idna.IDNAError as err:
            return None, f"{text!r} is not a valid internationalised domain name ({err})"
    labels: list[str] = []
    for label in name.split("."):
        if not label:
            return None, f"{text!r} has an empty label"
        try:
            if not label.isascii():
                label = idna.alabel(label).decode("ascii")
            elif label.lower().startswith("xn--"):
                idna.ulabel(label.lower())  # an A-label must decode to a valid U-label
        except idna.IDNAError as err:
            return None, f"label {label!r} of {text!r} is not a valid internationalised label ({err})"
        except UnicodeError:
            return None, f"label {label!r} of {text!r} is not a valid internationalised label"
        label = label.lower()
        if len(label) > 63:
            return None, f"label {label[:20]!r}... of {text!r} is {len(label)} octets long (at most 63)"
        if not _LABEL.match(label):
            return None, f"label {label!r} of {text!r} is not valid (letters, digits and inner hyphens only)"
        labels.append(label)
    return labels, None


_ROUTE53_ZONE_ID = re.compile(r"^(?:/hostedzone/)?(Z[A-Z0-9]{1,32})$")
_CLOUDFLARE_ZONE_ID = re.compile(r"^[0-9a-f]{32}$")


def _check_zone_id(c: _Collector, node: YNode, where: str, provider: Provider) -> str | None:
    text = _string(c, node, where, "a zone id")
    if text is None:
        return None
    if provider is Provider.ROUTE53:
        match = _ROUTE53_ZONE_ID.match(text)
        if not match:
            c.add(node, where, f"{text!r} is not a Route53 hosted zone id (like Z0123456789ABCDEFGHIJ)", "bad-zone-id")
            return None
        return match.group(1)
    if provider is Provider.CLOUDFLARE and not _CLOUDFLARE_ZONE_ID.match(text):
        c.add(node, where, f"{text!r} is not a Cloudflare zone id (32 hexadecimal characters)", "bad-zone-id")
        return None
    if not re.fullmatch(r"[A-Za-z0-9._/-]{1,128}", text):
        c.add(node, where, f"{text!r} is not a zone id", "bad-zone-id")
        return None
    return text


#: An Easy DKIM token is one DNS label of letters and digits (SES returns 32 lower-case characters).
_SES_TOKEN = re.compile(r"^[a-z0-9]{16,63}$")


def _check_ses(c: _Collector, node: YNode | None, item: YNode, where: str) -> SesSpec | None:
    if node is None:
        c.add(item, where, "missing: 'ses: {dkim_tokens: [t1, t2, t3]}' (the three Easy DKIM tokens from SpotMe support)", "missing-key")
        return None
    m = _mapping(c, node, where, SES_KEYS)
    if m is None:
        return None
    tokens_node = m.get("dkim_tokens")
    tokens: list[str] = []
    if tokens_node is None:
        c.add(node, f"{where}.dkim_tokens", "missing: exactly three Easy DKIM tokens", "missing-key")
    else:
        items = _string_list(c, tokens_node, f"{where}.dkim_tokens", "SES DKIM tokens")
        if items is not None:
            if len(items) != 3:
                c.add(tokens_node, f"{where}.dkim_tokens", f"expected exactly 3 Easy DKIM tokens (got {len(items)})", "bad-ses-tokens")
            for i, (text, tok_node) in enumerate(items):
                token = text.lower()
                if not _SES_TOKEN.match(token):
                    c.add(tok_node, f"{where}.dkim_tokens[{i}]", f"{text!r} is not an SES DKIM token (16-63 letters and digits, as SES returns them)", "bad-ses-tokens")
                elif token in tokens:
                    c.add(tok_node, f"{where}.dkim_tokens[{i}]", f"token {text!r} is listed twice", "bad-ses-tokens")
                tokens.append(token)
    signing_zone = DEFAULT_SIGNING_ZONE
    if "signing_zone" in m:
        zone = check_domain_name(c, m["signing_zone"], f"{where}.signing_zone")
        if zone is not None:
            signing_zone = zone
    if len(tokens) != 3:
        return None
    return SesSpec((tokens[0], tokens[1], tokens[2]), signing_zone)


_MANDRILL_KEY = re.compile(r"^[A-Za-z0-9_-]{6,128}$")


def _check_mandrill(c: _Collector, node: YNode | None, item: YNode, where: str) -> MandrillSpec | None:
    if node is None:
        c.add(item, where, "missing: 'mandrill: {verification: mandrill_verify.<key>}'", "missing-key")
        return None
    m = _mapping(c, node, where, MANDRILL_KEYS)
    if m is None:
        return None
    value = None
    if "verification" not in m:
        c.add(node, f"{where}.verification", "missing: the Mandrill verification value or key", "missing-key")
    else:
        text = _string(c, m["verification"], f"{where}.verification", "mandrill_verify.<key> or the key")
        if text is not None:
            key = text[len(MANDRILL_PREFIX):] if text.startswith(MANDRILL_PREFIX) else text
            if not _MANDRILL_KEY.match(key):
                c.add(m["verification"], f"{where}.verification", f"{key!r} is not a Mandrill verification key (6-128 letters, digits, '-' or '_')", "bad-mandrill")
            else:
                value = MANDRILL_PREFIX + key
    dkim_flag = True
    if "dkim" in m:
        if not isinstance(m["dkim"].value, bool):
            c.add(m["dkim"], f"{where}.dkim", f"expected true or false (got {m['dkim'].value!r})", "bad-type")
        else:
            dkim_flag = m["dkim"].value
    return MandrillSpec(value, dkim_flag) if value else None


def _check_spf(c: _Collector, node: YNode | None, where: str) -> SpfSpec | None:
    if node is None:
        return None
    m = _mapping(c, node, where, SPF_KEYS)
    if m is None:
        return None
    before = c.attempts
    include: list[str] = [SPOTME_SPF_INCLUDE]
    items = _string_list(c, m.get("include"), f"{where}.include", "domains to include")
    if items is not None:
        include = []
        for i, (text, item) in enumerate(items):
            domain = text[len("include:"):] if text.lower().startswith("include:") else text
            if ":" in domain or " " in domain or "=" in domain:
                c.add(item, f"{where}.include[{i}]", f"expected a domain to include, like _spf.google.com (got {text!r}); other SPF terms go in spf.keep", "spf-syntax")
                continue
            try:
                spf.parse_term(f"include:{domain}")
            except spf.SpfSyntaxError as err:
                c.add(item, f"{where}.include[{i}]", str(err), "spf-syntax")
                continue
            # Macros are case-sensitive (RFC 7208 §7.3: upper case means URL-escape); names are not.
            include.append(domain.rstrip(".") if "%" in domain else domain.lower().rstrip("."))
        if SPOTME_SPF_INCLUDE not in include:
            c.add(m["include"], f"{where}.include", f"must contain {SPOTME_SPF_INCLUDE} (SpotMe's servers)", "spf-missing-spotme")
    keep: list[str] = []
    items = _string_list(c, m.get("keep"), f"{where}.keep", "SPF terms")
    for i, (text, item) in enumerate(items or []):
        if spf.is_spf(text):
            c.add(item, f"{where}.keep[{i}]", "a second 'v=spf1': list the terms of the existing SPF record to keep, without 'v=spf1' and 'all' (one SPF record per name, RFC 7208 §3.2)", "spf-multiple-records")
            continue
        for term_text in text.split():
            try:
                term = spf.parse_term(term_text)
            except spf.SpfSyntaxError as err:
                c.add(item, f"{where}.keep[{i}]", str(err), "spf-syntax")
                continue
            if term.is_modifier and term.name in spf.MECHANISMS:
                # Grammatical (an unknown modifier, RFC 7208 §6) but ignored by receivers: a typo.
                c.add(item, f"{where}.keep[{i}]", f"{term_text!r} is an unknown modifier that receivers ignore; did you mean {term.name + ':' + term.value!r}?", "spf-syntax")
            elif term.name == "all" and not term.is_modifier:
                c.add(item, f"{where}.keep[{i}]", f"{term_text!r}: set the final 'all' with 'spf.all', not in keep", "spf-syntax")
            elif term.is_modifier and term.name == "redirect":
                c.add(item, f"{where}.keep[{i}]", f"{term_text!r}: a redirect is ignored next to 'all' (RFC 7208 §5.1); include the domain instead", "spf-syntax")
            else:
                keep.append(term.text)
    explanations = [text for text in keep if text.lower().startswith("exp=")]
    if len(explanations) > 1:
        # RFC 7208 §6: exp= at most once; even the same one twice is a sign of a pasted record.
        c.add(m["keep"], f"{where}.keep", f"'exp=' appears more than once ({', '.join(explanations)}); RFC 7208 §6 allows one", "spf-syntax")
    all_term = "-all"
    if "all" in m:
        text = _string(c, m["all"], f"{where}.all", "-all, ~all or ?all")
        if text is not None:
            if text not in SPF_ALL_CHOICES:
                c.add(m["all"], f"{where}.all", f"expected one of {', '.join(SPF_ALL_CHOICES)} (got {text!r})", "spf-syntax")
            else:
                all_term = text
    if c.attempts > before:
        return None
    result = SpfSpec(tuple(include), tuple(keep), all_term, all_explicit="all" in m)
    try:
        merged = spf.merge_terms(result.keep, result.include, result.all)
        direct = len(spf.parse_spf(merged).lookup_terms)
    except spf.SpfSyntaxError as err:  # for example exp= kept twice (RFC 7208 §6)
        c.add(m.get("keep", node), f"{where}.keep", f"the merged SPF record is not valid: {err}", "spf-syntax")
        return None
    if len(merged.encode("utf-8")) > MAX_TXT_OCTETS:
        c.add(node, where, f"the merged SPF record is {len(merged.encode('utf-8'))} octets (at most {MAX_TXT_OCTETS:,})", "txt-too-long")
        return None
    if direct > spf.LOOKUP_LIMIT:
        c.add(node, where, f"the SPF record would have {direct} DNS-querying terms before nesting (RFC 7208 §4.6.4 allows 10)", "spf-too-many-lookups")
        return None
    return result


def _check_dmarc(c: _Collector, node: YNode | None, where: str) -> DmarcSpec | None:
    if node is None:
        return None
    if not node.is_mapping:
        c.add(node, where, f"expected a mapping like {{policy: none, rua: [mailto:dmarc@example.com]}} (keys: {', '.join(DMARC_KEYS)})", "bad-type")
        return None
    m: dict[str, YNode] = node.value  # type: ignore[assignment]
    _unknown_keys(c, node, DMARC_KEYS, where, hints=_DMARC_HINTS)
    before = c.attempts
    if "manage" in m:
        manage = m["manage"]
        if not isinstance(manage.value, bool):
            c.add(manage, f"{where}.manage", f"expected true or false (got {manage.value!r})", "bad-type")
            return None
        if manage.value is False:
            others = [k for k in m if k != "manage"]
            if others:
                c.add(node, where, f"'manage: false' leaves DMARC alone, so {', '.join(others)} would be ignored: remove {'them' if len(others) > 1 else 'it'}", "dmarc-syntax")
                return None
            return DmarcSpec(explicit=True, manage=False)
    policy = "none"
    if "policy" in m:
        text = _string(c, m["policy"], f"{where}.policy", "none, quarantine or reject")
        if text is not None:
            if text not in dmarc.POLICIES:
                c.add(m["policy"], f"{where}.policy", f"expected one of {', '.join(dmarc.POLICIES)} (got {text!r}){_suggest(text, dmarc.POLICIES)}", "dmarc-syntax")
            policy = text
    tags: list[tuple[str, str]] = []
    for key, value_node in m.items():
        if key in ("policy", "manage") or key not in DMARC_KEYS:
            continue
        if key in ("rua", "ruf"):
            items = _string_list(c, value_node, f"{where}.{key}", "report URIs (mailto:...)")
            if items is None:
                continue
            uris = []
            for i, (text, item) in enumerate(items):
                uri = text if ":" in text else f"mailto:{text}"
                problem = dmarc.check_uri(uri)
                if problem:
                    c.add(item, f"{where}.{key}[{i}]", problem, "dmarc-syntax")
                uris.append(uri)
            if uris:
                tags.append((key, ",".join(uris)))
            continue
        raw = value_node.value
        if isinstance(raw, bool):
            text = "y" if raw else "n"
        elif isinstance(raw, (int, str)) and str(raw).strip():
            text = str(raw).strip()
        else:
            c.add(value_node, f"{where}.{key}", f"expected a value (got {raw!r})", "dmarc-syntax")
            continue
        problem = dmarc.check_tag(key, text)
        if problem:
            c.add(value_node, f"{where}.{key}", problem, "dmarc-syntax")
            continue
        if text != text.lower():
            # The record would accept either case; the spec keeps one spelling (and the schema's enums).
            c.add(value_node, f"{where}.{key}", f"write it in lower case: {text.lower()!r}", "dmarc-syntax")
            continue
        tags.append((key, text))
    if c.attempts > before:
        return None
    return DmarcSpec(policy, tuple(tags), explicit=True, policy_explicit="policy" in m)


def _check_keep_txt(c: _Collector, node: YNode | None, where: str) -> tuple[str, ...]:
    items = _string_list(c, node, where, "TXT values")
    out: list[str] = []
    for i, (text, item) in enumerate(items or []):
        if spf.is_spf(text):
            c.add(item, f"{where}[{i}]", "an SPF record goes in 'spf.keep' (its terms), never as a second v=spf1 value", "spf-multiple-records")
        elif any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text):
            bad = next(ch for ch in text if ord(ch) < 0x20 or ord(ch) == 0x7F)
            c.add(item, f"{where}[{i}]", f"control character {bad!r} in a TXT value (not every DNS provider can store it)", "bad-txt")
        elif len(text.encode("utf-8")) > MAX_TXT_OCTETS:
            c.add(item, f"{where}[{i}]", f"TXT value longer than {MAX_TXT_OCTETS:,} octets (Route53's limit per value)", "txt-too-long")
        else:
            out.append(text)
    return tuple(out)

