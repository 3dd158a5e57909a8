"""The spec loader: every kind of bad spec, each at its file:line:column, and good specs normalised."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from spotme_dns import yamlpos
from spotme_dns.cli import cli
from spotme_dns.errors import InputError, SpecError
from spotme_dns.spec import (
    DEFAULT_SIGNING_ZONE,
    DEFAULT_TTL,
    SPOTME_SPF_INCLUDE,
    Provider,
    domain_name_problem,
    load_spec,
    normalize_domain,
    parse_spec_text,
)

# Three Easy DKIM tokens as SES returns them: 32 lower-case letters and digits.
T1 = "4fkbvhmrpxqz2dn7tyw3cgjs5e6uiaol"
T2 = "wrqplteh7oodxnad7hsl4mixg2uavzne"
T3 = "3frqe7jn4obpuxjpwpolz6ipb3k5nvt2"


def spec(*lines: str) -> str:
    """A YAML text from its lines."""
    return "\n".join(lines) + "\n"


def domain(
    *extra: str,
    name: str = "acme-events.com",
    verification: str = "mandrill_verify.AbC123xyz",
    tokens: tuple[str, ...] = (T1, T2, T3),
) -> str:
    """A one-domain spec. Line 3 holds the domain (value at column 13), line 5 the Mandrill value
    (column 21), lines 8-10 the tokens (column 11); `extra` lines follow from line 8 + len(tokens)
    indented by four spaces, so an extra key is at column 5 (and `  key:` continues `ses`)."""
    return spec(
        "version: 1",
        "domains:",
        f"  - domain: {name}",
        "    mandrill:",
        f"      verification: {verification}",
        "    ses:",
        "      dkim_tokens:",
        *(f"        - {t}" for t in tokens),
        *("    " + line for line in extra),
    )


# After the three tokens, the first extra line is line 11.
X = 11

LONG_LABEL = "a" * 64 + ".com"
TOO_LONG_NAME = ".".join(["a" * 63] * 4) + ".com"  # 259 octets
# 230 octets: a valid name, but `<token>._domainkey.<name>` would be 275.
LONG_BUT_VALID = ".".join(["a" * 63] * 3) + "." + "b" * 34 + ".com"


def bomb() -> str:
    """A real "billion laughs": nine levels of nine aliases, 9**9 values once expanded."""
    lines = ["version: 1", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    previous = "a"
    for name in "bcdefghi":
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
        previous = name
    lines.append("domains: *i")
    return spec(*lines)


# (text, line, column, fragment of the message), with readable ids. Shared with test_schema.py.
BAD_SPECS = [
    # --- YAML itself ---
    pytest.param(spec("version: 1", "domains: [", ""), 4, 1, "did not find expected node content", id="yaml-syntax-unclosed-list"),
    pytest.param(spec("version: 1", "domains:", "\t- domain: a.com"), 3, 1, "YAML syntax error", id="yaml-syntax-tab-indent"),
    pytest.param(spec("version: 1", "  domains: []"), 2, 10, "YAML syntax error", id="yaml-syntax-bad-indent"),
    pytest.param(spec("version: 1", "---", "version: 1"), 2, 1, "found a second one", id="yaml-two-documents"),
    pytest.param(spec("version: 1", "version: 1", "domains: []"), 2, 1, "duplicate key 'version'", id="yaml-duplicate-key"),
    pytest.param(spec("version: 1", "1: one", "domains: []"), 2, 1, "mapping keys must be plain strings", id="yaml-non-string-key"),
    pytest.param(
        spec("version: 1", "base: &base {ttl: 300}", "domains:", "  - <<: *base", "    domain: a.com"),
        4, 5, "merge keys ('<<') are not supported", id="yaml-merge-key",
    ),
    pytest.param(spec("version: !!python/object:os.system 1", "domains: []"), 1, 10, "not supported", id="yaml-python-tag"),
    pytest.param(spec("version: 1", "domains: !!set {a: null}"), 2, 10, "not supported", id="yaml-set-tag"),
    pytest.param(spec("version: 1", "domains: *nothing"), 2, 10, "alias *nothing is not defined", id="yaml-undefined-alias"),
    pytest.param(spec("version: 1", "domains: &loop [*loop]"), 2, 17, "recursive alias", id="yaml-recursive-alias"),
    pytest.param(bomb(), 8, 16, "billion laughs", id="yaml-billion-laughs"),  # the alias that overflows
    pytest.param("[" * 200 + "]" * 200, 1, 65, "nested more than 64 levels", id="yaml-deep-nesting"),
    # --- document shape ---
    pytest.param(spec("- version: 1"), 1, 1, "the spec must be a mapping", id="top-level-list"),
    pytest.param(spec("just some text"), 1, 1, "the spec must be a mapping", id="top-level-string"),
    pytest.param(spec("domains: []"), 1, 1, "version: missing", id="version-missing"),
    pytest.param(spec("version: 2", "domains: []"), 1, 10, "unsupported spec version 2", id="version-2"),
    pytest.param(spec("version: '1'", "domains: []"), 1, 10, "unsupported spec version '1'", id="version-string"),
    pytest.param(spec("version: 1", "domain: a.com"), 2, 1, "did you mean 'domains'?", id="unknown-top-key"),
    pytest.param(spec("version: 1"), 1, 1, "domains: missing", id="domains-missing"),
    pytest.param(spec("version: 1", "domains: []"), 2, 10, "expected a non-empty list", id="domains-empty"),
    pytest.param(spec("version: 1", "domains:"), 2, 9, "expected a non-empty list", id="domains-null"),
    pytest.param(spec("version: 1", "domains: {domain: a.com}"), 2, 10, "expected a non-empty list", id="domains-mapping"),
    pytest.param(spec("version: 1", "domains:", "  - acme.com"), 3, 5, "expected a mapping", id="domain-item-string"),
    pytest.param(spec("version: 1", "defaults: [ttl]", "domains: []"), 2, 11, "expected a mapping of per-domain keys", id="defaults-not-mapping"),
    # --- domain and zone names ---
    pytest.param(
        spec("version: 1", "domains:", "  - zone: acme.com", "    ses: {dkim_tokens: [" + f"{T1}, {T2}, {T3}" + "]}",
             "    mandrill: {verification: AbC123xyz}"),
        3, 5, "domain: missing", id="domain-missing",
    ),
    pytest.param(domain(name="42"), 3, 13, "expected a domain name (got 42)", id="domain-not-string"),
    pytest.param(domain(name="../../etc/passwd"), 3, 13, "character '/' not allowed", id="domain-path-characters"),
    pytest.param(domain(name="'acme events.com'"), 3, 13, "character ' ' not allowed", id="domain-space"),
    pytest.param(domain(name="_dmarc.acme.com"), 3, 13, "character '_' not allowed", id="domain-underscore"),
    pytest.param(domain(name="acme..com"), 3, 13, "has an empty label", id="domain-empty-label"),
    pytest.param(domain(name="-acme.com"), 3, 13, "letters, digits and inner hyphens only", id="domain-leading-hyphen"),
    pytest.param(domain(name=LONG_LABEL), 3, 13, "64 octets long (at most 63)", id="domain-label-64"),
    pytest.param(domain(name=TOO_LONG_NAME), 3, 13, "259 octets long as a DNS name (at most 253)", id="domain-name-259"),
    pytest.param(domain(name=LONG_BUT_VALID), 3, 13, "too long for its records", id="domain-record-names-too-long"),
    pytest.param(domain(name="☃.com"), 3, 13, "not a valid internationalised label", id="domain-bad-idn"),
    pytest.param(domain(name="xn--zz.com"), 3, 13, "not a valid internationalised label", id="domain-bad-a-label"),
    pytest.param(domain(name="localhost"), 3, 13, "at least two labels", id="domain-single-label"),
    pytest.param(domain(name="192.0.2.1"), 3, 13, "looks like an address", id="domain-ip-address"),
    pytest.param(domain("zone: example.org"), X, 11, "'acme-events.com' is not inside zone 'example.org'", id="zone-outside"),
    pytest.param(domain("zone: events.com"), X, 11, "is not inside zone 'events.com'", id="zone-suffix-not-parent"),
    pytest.param(domain("zone: mail.acme-events.com"), X, 11, "is not inside zone", id="zone-below-domain"),
    pytest.param(domain("zone: acme/events.com"), X, 11, "character '/' not allowed", id="zone-bad-name"),
    # --- provider, TTL, zone ids, unknown keys ---
    pytest.param(domain("provider: bind"), X, 15, "expected one of route53, cloudflare, generic, rfc2136, google, azure (got 'bind')", id="provider-unknown"),
    pytest.param(domain("rfc2136: {key_secret: c2VjcmV0}"), X, 15, "never write a secret in the spec: Terraform and spotme-dns read it from DNS_UPDATE_KEYSECRET", id="rfc2136-secret"),
    pytest.param(domain("rfc2136: {gssapi: {password: hunter2}}"), X, 24, "unknown key (expected one of: realm, username)", id="rfc2136-gssapi-password"),
    pytest.param(domain("rfc2136: {key_algorithm: hmac-sha255}"), X, 30, "did you mean 'hmac-sha256'?", id="rfc2136-algorithm"),
    pytest.param(domain("rfc2136: {port: 70000}"), X, 21, "expected a port number from 1 to 65535", id="rfc2136-port"),
    pytest.param(domain("rfc2136: {server: 'ns1.acme.com:53'}"), X, 23, "is not a host name or IP address", id="rfc2136-server-port"),
    pytest.param(domain("rfc2136: {key_name: k, gssapi: {realm: R}}"), X, 25, "a TSIG key and gssapi exclude each other", id="rfc2136-tsig-and-gssapi"),
    pytest.param(domain("rfc2136: [ns1.acme.com]"), X, 14, "expected a mapping with keys server", id="rfc2136-not-mapping"),
    pytest.param(domain("provider: google"), 3, 5, "provider google needs google: {project: ..., managed_zone: ...}", id="google-missing"),
    pytest.param(domain("provider: google", "google: {project: acme-prod-123, managed_zone: acme-events.com.}"), X + 1, 52, "give the zone's resource name", id="google-zone-dns-name"),
    pytest.param(domain("google: {project: Acme, managed_zone: z}"), X, 23, "is not a Google Cloud project ID", id="google-bad-project"),
    pytest.param(domain("provider: azure"), 3, 5, "provider azure needs azure: {resource_group: ...}", id="azure-missing"),
    pytest.param(domain("azure: {resource_group: 'dns rg.'}"), X, 29, "is not an Azure resource group name", id="azure-bad-group"),
    pytest.param(domain("azure: {resource_group: rg, subscription_id: nope}"), X, 50, "is not an Azure subscription id", id="azure-bad-subscription"),
    pytest.param(domain("provider: Cloudflare"), X, 15, "did you mean 'cloudflare'?", id="provider-case"),
    pytest.param(domain("provider: route-53"), X, 15, "did you mean 'route53'?", id="provider-typo"),
    pytest.param(domain("ttl: 30"), X, 10, "expected whole seconds from 60 to 86400 (got 30)", id="ttl-too-low"),
    pytest.param(domain("ttl: 604800"), X, 10, "(got 604800)", id="ttl-too-high"),
    pytest.param(domain("ttl: 1h"), X, 10, "(got '1h')", id="ttl-string"),
    pytest.param(domain("ttl: 3600.5"), X, 10, "(got 3600.5)", id="ttl-float"),
    pytest.param(domain("ttl: true"), X, 10, "(got True)", id="ttl-bool"),
    pytest.param(domain("zone_id: not-a-zone"), X, 14, "not a Route53 hosted zone id", id="zone-id-route53"),
    pytest.param(domain("provider: cloudflare", "zone_id: Z0123456789ABCDEFGHIJ"), X + 1, 14, "not a Cloudflare zone id", id="zone-id-cloudflare"),
    pytest.param(domain("cloudflare: {version: 3}"), X, 27, "expected 4 or 5", id="cloudflare-version"),
    pytest.param(domain("cloudflare: {versoin: 4}"), X, 18, "did you mean 'version'?", id="cloudflare-unknown-key"),
    pytest.param(domain("provder: route53"), X, 5, "unknown key; did you mean 'provider'?", id="unknown-domain-key"),
    pytest.param(domain("name: acme.com"), X, 5, "did you mean 'domain'?", id="unknown-domain-key-name"),
    # --- SES ---
    pytest.param(
        spec("version: 1", "domains:", "  - domain: acme.com", "    mandrill: {verification: AbC123xyz}"),
        3, 5, "ses: missing", id="ses-missing",
    ),
    pytest.param(domain(tokens=(T1, T2)), 8, 9, "expected exactly 3 Easy DKIM tokens (got 2)", id="ses-two-tokens"),
    pytest.param(domain(tokens=(T1, T2, T3, "a" * 32)), 8, 9, "expected exactly 3 Easy DKIM tokens (got 4)", id="ses-four-tokens"),
    pytest.param(domain(tokens=(T1, T2, "abc")), 10, 11, "'abc' is not an SES DKIM token", id="ses-token-short"),
    pytest.param(domain(tokens=(T1, T2, "a" * 64)), 10, 11, "is not an SES DKIM token (16-63", id="ses-token-64"),
    pytest.param(domain(tokens=(T1, T2, "bad-token_with.dots000000")), 10, 11, "is not an SES DKIM token", id="ses-token-alphabet"),
    pytest.param(domain(tokens=(T1, T2, T1)), 10, 11, "is listed twice", id="ses-token-duplicate"),
    pytest.param(domain(tokens=(T1, T2, "12345678901234567890")), 10, 11, "expected SES DKIM tokens (got 12345678901234567890)", id="ses-token-number"),
    pytest.param(domain("  signing_zone: dkim.amazonses.com/x"), X, 21, "character '/' not allowed", id="ses-signing-zone"),
    pytest.param(domain("  dkim_token: [a]"), X, 7, "did you mean 'dkim_tokens'?", id="ses-unknown-key"),
    # --- Mandrill ---
    pytest.param(
        spec("version: 1", "domains:", "  - domain: acme.com", f"    ses: {{dkim_tokens: [{T1}, {T2}, {T3}]}}"),
        3, 5, "mandrill: missing", id="mandrill-missing",
    ),
    pytest.param(domain(verification="mandrill_verify.ab"), 5, 21, "'ab' is not a Mandrill verification key", id="mandrill-key-short"),
    pytest.param(domain(verification="'mandrill_verify.a b c d'"), 5, 21, "is not a Mandrill verification key", id="mandrill-key-space"),
    pytest.param(domain(verification="Mandrill_Verify.AbC123xyz"), 5, 21, "is not a Mandrill verification key", id="mandrill-prefix-case"),
    pytest.param(domain(verification="null"), 5, 21, "expected mandrill_verify.<key> or the key (got None)", id="mandrill-null"),
    pytest.param(
        spec("version: 1", "domains:", "  - domain: acme.com", f"    ses: {{dkim_tokens: [{T1}, {T2}, {T3}]}}",
             "    mandrill: {verification: AbC123xyz, dkim: maybe}"),
        5, 47, "expected true or false (got 'maybe')", id="mandrill-dkim-not-bool",
    ),
    pytest.param(
        spec("version: 1", "domains:", "  - domain: acme.com", f"    ses: {{dkim_tokens: [{T1}, {T2}, {T3}]}}",
             "    mandrill: {dkim: false}"),
        5, 15, "mandrill.verification: missing", id="mandrill-verification-missing",
    ),
    # --- SPF (RFC 7208) ---
    pytest.param(domain("spf:", "  keep:", "    - v=spf1 include:_spf.google.com -all"), X + 2, 11, "a second 'v=spf1'", id="spf-keep-whole-record"),
    pytest.param(domain("spf:", "  keep: [include:_spf.google.com v=spf1]"), X + 1, 14, "a second 'v=spf1'", id="spf-keep-version-term"),
    pytest.param(domain("spf:", "  keep: [ip4:192.0.2.300]"), X + 1, 14, "bad ip4 address", id="spf-keep-bad-ip4"),
    pytest.param(domain("spf:", "  keep: ['ip6:2001:db8::/129']"), X + 1, 14, "bad prefix length", id="spf-keep-bad-ip6-prefix"),
    pytest.param(domain("spf:", "  keep: ['a/24//200']"), X + 1, 14, "out of range 0-128", id="spf-keep-bad-dual-cidr"),
    pytest.param(domain("spf:", "  keep: ['exists:%{x}.example.com']"), X + 1, 14, "bad macro", id="spf-keep-bad-macro"),
    pytest.param(domain("spf:", "  keep: [includes:_spf.google.com]"), X + 1, 14, "unknown SPF mechanism", id="spf-keep-unknown-mechanism"),
    pytest.param(domain("spf:", "  keep: ['ip4=192.0.2.1']"), X + 1, 14, "did you mean 'ip4:192.0.2.1'?", id="spf-keep-mechanism-as-modifier"),
    pytest.param(domain("spf:", "  keep: [~all]"), X + 1, 14, "set the final 'all' with 'spf.all'", id="spf-keep-all"),
    pytest.param(domain("spf:", "  keep: [redirect=_spf.example.com]"), X + 1, 14, "a redirect is ignored next to 'all'", id="spf-keep-redirect"),
    pytest.param(
        domain("spf:", "  keep:", "    - exp=a.example.com", "    - exp=b.example.com"),
        X + 2, 9, "'exp=' appears more than once", id="spf-keep-exp-twice",
    ),
    pytest.param(domain("spf:", "  include: [_spf.google.com]"), X + 1, 16, "must contain _spf.spotme.com", id="spf-include-without-spotme"),
    pytest.param(domain("spf:", "  include: [_spf.spotme.com, '~include:x.example.com']"), X + 1, 34, "expected a domain to include", id="spf-include-term"),
    pytest.param(domain("spf:", "  include: [_spf.spotme.com, localhost]"), X + 1, 34, "not a fully qualified domain name", id="spf-include-single-label"),
    pytest.param(domain("spf:", "  all: +all"), X + 1, 12, "expected one of -all, ~all, ?all (got '+all')", id="spf-all-plus"),
    pytest.param(domain("spf:", "  includes: [_spf.spotme.com]"), X + 1, 7, "did you mean 'include'?", id="spf-unknown-key"),
    pytest.param(domain("spf: include:_spf.spotme.com"), X, 10, "expected a mapping with keys include, keep, all", id="spf-not-mapping"),
    pytest.param(
        domain("spf:", "  keep: [" + ", ".join(f"include:s{i}.example.com" for i in range(10)) + "]"),
        X + 1, 7, "11 DNS-querying terms before nesting", id="spf-too-many-lookups",
    ),
    # --- DMARC (RFC 7489, RFC 9989) ---
    pytest.param(domain("dmarc:", "  policy: block"), X + 1, 15, "expected one of none, quarantine, reject (got 'block')", id="dmarc-policy"),
    pytest.param(domain("dmarc:", "  policy: Reject"), X + 1, 15, "did you mean 'reject'?", id="dmarc-policy-case"),
    pytest.param(domain("dmarc:", "  p: reject"), X + 1, 7, "did you mean 'policy'?", id="dmarc-p-key"),
    pytest.param(domain("dmarc:", "  v: DMARC1"), X + 1, 7, "v=DMARC1 is written for you", id="dmarc-v-key"),
    pytest.param(domain("dmarc:", "  pct: 101"), X + 1, 12, "pct='101': expected a whole number from 0 to 100", id="dmarc-pct"),
    pytest.param(domain("dmarc:", "  rua: [mailto:dmarc@localhost]"), X + 1, 13, "expected mailto:user@domain", id="dmarc-rua-host"),
    pytest.param(domain("dmarc:", "  rua: ['mailto:dmarc@example.com!10x']"), X + 1, 13, "not a valid report URI", id="dmarc-rua-bad-size"),
    pytest.param(domain("dmarc:", "  ruf: 42"), X + 1, 12, "expected a list of report URIs", id="dmarc-ruf-number"),
    pytest.param(domain("dmarc:", "  np: maybe"), X + 1, 11, "np='maybe': expected one of none, quarantine, reject", id="dmarc-np"),
    pytest.param(domain("dmarc:", "  psd: maybe"), X + 1, 12, "psd='maybe': expected y, n or u", id="dmarc-psd"),
    pytest.param(domain("dmarc:", "  t: always"), X + 1, 10, "t='always': expected y or n", id="dmarc-t"),
    pytest.param(domain("dmarc:", "  adkim: strict"), X + 1, 14, "expected r (relaxed) or s (strict)", id="dmarc-adkim"),
    pytest.param(domain("dmarc:", "  fo: '2'"), X + 1, 11, "fo='2'", id="dmarc-fo"),
    pytest.param(domain("dmarc:", "  sp: Quarantine"), X + 1, 11, "write it in lower case: 'quarantine'", id="dmarc-sp-case"),
    pytest.param(domain("dmarc: reject"), X, 12, "expected a mapping like {policy: none", id="dmarc-not-mapping"),
    pytest.param(domain("dmarc:", "  ruaa: [mailto:a@example.com]"), X + 1, 7, "did you mean 'rua'?", id="dmarc-unknown-key"),
    pytest.param(domain("dmarc:", "  manage: maybe"), X + 1, 15, "expected true or false", id="dmarc-manage-type"),
    pytest.param(domain("dmarc:", "  manage: false", "  policy: reject"), X + 1, 7, "policy would be ignored", id="dmarc-manage-false-with-tags"),
    # --- other TXT values ---
    pytest.param(domain("keep_txt:", "  - v=spf1 -all"), X + 1, 9, "never as a second v=spf1 value", id="keep-txt-spf"),
    pytest.param(domain("keep_txt:", '  - "a\\tb"'), X + 1, 9, "control character '\\t'", id="keep-txt-control"),
    pytest.param(domain("keep_txt:", "  - " + "x" * 4001), X + 1, 9, "longer than 4,000 octets", id="keep-txt-too-long"),
    # --- duplicates and defaults ---
    pytest.param(
        spec("version: 1", "domains:",
             f"  - {{domain: acme.com, ses: {{dkim_tokens: [{T1}, {T2}, {T3}]}}, mandrill: {{verification: AbC123xyz}}}}",
             f"  - {{domain: ACME.com., ses: {{dkim_tokens: [{T1}, {T2}, {T3}]}}, mandrill: {{verification: AbC123xyz}}}}"),
        4, 5, "domain 'acme.com' is already defined at", id="duplicate-domain",
    ),
    pytest.param(
        spec("version: 1", "domains:",
             f"  - {{domain: bücher.de, ses: {{dkim_tokens: [{T1}, {T2}, {T3}]}}, mandrill: {{verification: AbC123xyz}}}}",
             f"  - {{domain: xn--bcher-kva.de, ses: {{dkim_tokens: [{T1}, {T2}, {T3}]}}, mandrill: {{verification: AbC123xyz}}}}"),
        4, 5, "domain 'xn--bcher-kva.de' is already defined", id="duplicate-domain-idn",
    ),
    pytest.param(
        spec("version: 1", "defaults:", "  ttl: 5", "domains:",
             f"  - {{domain: a.com, ses: {{dkim_tokens: [{T1}, {T2}, {T3}]}}, mandrill: {{verification: AbC123xyz}}}}"),
        3, 8, "defaults.ttl: expected whole seconds", id="defaults-bad-ttl",
    ),
    pytest.param(
        spec("version: 1", "defaults:", "  domain: a.com", "domains:",
             f"  - {{domain: a.com, ses: {{dkim_tokens: [{T1}, {T2}, {T3}]}}, mandrill: {{verification: AbC123xyz}}}}"),
        3, 3, "'domain' is per domain; it cannot be a default", id="defaults-domain-key",
    ),
    pytest.param(
        spec("version: 1", "defaults:", "  dmarc: {policy: nope}", "domains:",
             f"  - {{domain: a.com, ses: {{dkim_tokens: [{T1}, {T2}, {T3}]}}, mandrill: {{verification: AbC123xyz}}}}"),
        3, 19, "defaults.dmarc.policy: expected one of none, quarantine, reject", id="defaults-bad-nested",
    ),
]

BAD_SPEC_IDS = [p.id for p in BAD_SPECS]


def problems_of(text: str, path: str = "<spec>") -> tuple:
    """The problems the loader finds in `text` (it must find some)."""
    with pytest.raises(InputError) as err:
        parse_spec_text(text, path)
    return err.value.problems


def test_at_least_25_kinds_of_bad_spec() -> None:
    """The bad-spec table covers well over the 25 kinds the issue asks for, each id once."""
    assert len(BAD_SPEC_IDS) >= 25
    assert len(set(BAD_SPEC_IDS)) == len(BAD_SPEC_IDS)


@pytest.mark.parametrize(("text", "line", "column", "fragment"), BAD_SPECS)
def test_bad_spec_is_reported_at_its_place(text: str, line: int, column: int, fragment: str) -> None:
    """Each bad spec raises one InputError with a problem at the exact line:column saying what was expected."""
    problems = problems_of(text)
    matching = [p for p in problems if fragment in p.message]
    assert matching, f"no problem mentions {fragment!r}: {[str(p) for p in problems]}"
    assert (matching[0].location.line, matching[0].location.column) == (line, column), [str(p) for p in problems]
    assert str(matching[0]).startswith(f"<spec>:{line}:{column}: ")


@pytest.mark.parametrize(("text", "line", "column", "fragment"), BAD_SPECS)
def test_bad_spec_file_exits_2_and_writes_nothing(tmp_path: Path, text: str, line: int, column: int, fragment: str) -> None:
    """Through the command line: exit code 2, `error: file:line:column: ...` on stderr, no output directory."""
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["generate", str(path), "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert f"error: {path}:{line}:{column}: " in result.stderr
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_billion_laughs_fails_fast() -> None:
    """A real alias bomb (9**9 values) is refused in well under a second, before anything expands it."""
    started = time.perf_counter()
    problems = problems_of(bomb())
    elapsed = time.perf_counter() - started
    assert problems[0].code == "yaml-too-large"
    assert "aliases expand it to more than 2,000,000 values" in problems[0].message
    assert elapsed < 1.0, f"took {elapsed:.2f} s"


def test_deep_nesting_does_not_crash() -> None:
    """100,000 nested lists (which crash libyaml's own composer) are refused with a message."""
    problems = problems_of("[" * 100_000 + "]" * 100_000)
    assert problems[0].code == "yaml-too-large"


def test_shared_aliases_are_fine() -> None:
    """Anchors and aliases used sensibly (a shared DMARC block) load normally."""
    a, b = parse_spec_text(GOOD_SPECS["shared-aliases"]).domains
    assert a.dmarc == b.dmarc
    assert b.dmarc.text() == "v=DMARC1; p=reject; rua=mailto:dmarc@a.com;"


def test_every_problem_is_reported_at_once() -> None:
    """Five problems in one file come back together, in file order."""
    text = domain("provider: bind", "ttl: 5", "dmarc: {policy: block}", name="a_b.com", tokens=(T1, T2))
    problems = problems_of(text)
    assert [(p.location.line, p.code) for p in problems] == [
        (3, "bad-domain"),
        (8, "bad-ses-tokens"),
        (10, "bad-provider"),
        (11, "bad-ttl"),
        (12, "dmarc-syntax"),
    ]


def test_yaml_and_spec_problems_come_together() -> None:
    """A duplicate key (a YAML problem) and a bad TTL (a spec problem) are reported in one go."""
    problems = problems_of(domain("ttl: 5", "ttl: 600"))
    assert [(p.location.line, p.location.column, p.code) for p in problems] == [(X, 10, "bad-ttl"), (X + 1, 5, "duplicate-key")]


def test_defaults_problem_is_reported_once() -> None:
    """A bad default used by three domains is one problem, named after `defaults`."""
    items = [
        f"  - {{domain: d{i}.com, ses: {{dkim_tokens: [{T1}, {T2}, {T3}]}}, mandrill: {{verification: AbC123xyz}}}}"
        for i in range(3)
    ]
    problems = problems_of(spec("version: 1", "defaults:", "  provider: aws", "domains:", *items))
    assert [str(p) for p in problems] == [
        "<spec>:3:13: defaults.provider: expected one of route53, cloudflare, generic, rfc2136, google, azure (got 'aws')"
    ]


# --- files --------------------------------------------------------------------------------------


def _missing(tmp_path: Path) -> Path:
    return tmp_path / "nope.yaml"


def _directory(tmp_path: Path) -> Path:
    (tmp_path / "dir.yaml").mkdir()
    return tmp_path / "dir.yaml"


def _write(data: bytes):
    def make(tmp_path: Path) -> Path:
        path = tmp_path / "spec.yaml"
        path.write_bytes(data)
        return path

    return make


FILE_CASES = [
    pytest.param(_missing, None, None, "spec file not found", id="file-missing"),
    pytest.param(_directory, None, None, "spec is a directory, not a file", id="file-directory"),
    pytest.param(_write(b""), None, None, "spec file is empty", id="file-empty"),
    pytest.param(_write(b"  \n\n\t\n"), None, None, "spec file is empty", id="file-whitespace"),
    pytest.param(_write(b"# just a comment\n"), None, None, "holds no YAML document", id="file-only-comments"),
    pytest.param(_write(b"version: 1\ndomains:\n  - domain: caf\xe9.com\n"), 3, 16, "not UTF-8 text (byte 0xe9)", id="file-latin-1"),
    pytest.param(_write("version: 1\n".encode("utf-16")), 1, 1, "not UTF-8 text", id="file-utf-16"),
    pytest.param(_write(b"version: 1\ndomains: \x00\n"), 2, 10, "not a text file (NUL byte)", id="file-nul-byte"),
    pytest.param(
        _write(b"# padding\n" * (yamlpos.MAX_BYTES // 10 + 1)), None, None, "larger than 16 MiB", id="file-too-large",
    ),
]


@pytest.mark.parametrize(("make", "line", "column", "fragment"), FILE_CASES)
def test_bad_file(tmp_path: Path, make, line: int | None, column: int | None, fragment: str) -> None:
    """Files that are not a spec at all are refused with their name (and line:column when it helps)."""
    path = make(tmp_path)
    with pytest.raises(SpecError) as err:
        load_spec([str(path)])
    (problem,) = err.value.problems
    assert (problem.location.path, problem.location.line, problem.location.column) == (str(path), line, column)
    assert fragment in problem.message


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    """A UTF-8 byte order mark (some Windows editors write one) is not an error."""
    path = tmp_path / "spec.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + domain().encode("utf-8"))
    assert load_spec([str(path)]).domains[0].domain == "acme-events.com"


def test_problems_of_several_files_come_together(tmp_path: Path) -> None:
    """Problems in two files, and a domain duplicated across files, are all reported in one error."""
    a, b, c = tmp_path / "a.yaml", tmp_path / "b.yaml", tmp_path / "c.yaml"
    a.write_text(domain("ttl: 5"), encoding="utf-8")
    b.write_text(domain(name="other.com", verification="x"), encoding="utf-8")
    c.write_text(domain(), encoding="utf-8")
    d = tmp_path / "d.yaml"
    d.write_text(domain(), encoding="utf-8")
    with pytest.raises(SpecError) as err:
        load_spec([str(a), str(b), str(c), str(d), str(tmp_path / "missing.yaml")])
    lines = str(err.value).splitlines()
    assert lines == [
        f"{a}:{X}:10: domains[0].ttl: expected whole seconds from 60 to 86400 (got 5)",
        f"{b}:5:21: domains[0].mandrill.verification: 'x' is not a Mandrill verification key (6-128 letters, digits, '-' or '_')",
        f"{tmp_path / 'missing.yaml'}: spec file not found",
        f"{d}:3:5: domain 'acme-events.com' is already defined at {c}:3:5",
    ]


# --- good specs ---------------------------------------------------------------------------------


# Good specs (shared with test_schema.py: the schema must accept them too).
GOOD_SPECS = {
    "minimal": domain(verification="AbC123xyz"),
    "dmarc-not-managed": domain("dmarc: {manage: false}", verification="AbC123xyz"),
    "shared-aliases": spec(
        "version: 1",
        "domains:",
        f"  - {{domain: a.com, ses: {{dkim_tokens: [{T1}, {T2}, {T3}]}}, mandrill: {{verification: AbC123xyz}},"
        " dmarc: &dmarc {policy: reject, rua: [mailto:dmarc@a.com]}}",
        f"  - {{domain: b.com, ses: {{dkim_tokens: [{T1}, {T2}, {T3}]}}, mandrill: {{verification: AbC123xyz}}, dmarc: *dmarc}}",
    ),
    "defaults-merge": spec(
        "version: 1",
        "defaults:",
        "  provider: cloudflare",
        "  ttl: 300",
        "  cloudflare: {version: 4}",
        "  dmarc: {policy: quarantine, rua: [mailto:dmarc@acme.com]}",
        "  ses: {signing_zone: dkim.eu-south-1.amazonses.com}",
        "domains:",
        "  - domain: a.acme.com",
        "    zone: acme.com",
        f"    ses: {{dkim_tokens: [{T1}, {T2}, {T3}]}}",
        "    mandrill: {verification: AbC123xyz}",
        "  - domain: b.com",
        "    provider: generic",
        "    ttl: 600",
        "    dmarc: {policy: reject}",
        f"    ses: {{dkim_tokens: [{T3}, {T2}, {T1}], signing_zone: dkim.amazonses.com}}",
        "    mandrill: {verification: AbC123xyz, dkim: false}",
    ),
    "rfc2136-tsig": domain(
        "provider: rfc2136",
        "rfc2136: {server: ns1.acme-events.com, port: 53, key_name: spotme-update., key_algorithm: hmac-sha256}",
    ),
    "rfc2136-gssapi": domain("provider: rfc2136", "rfc2136: {server: dc1.corp.example, gssapi: {realm: CORP.EXAMPLE}}"),
    "rfc2136-from-environment": domain("provider: rfc2136", "rfc2136: {gssapi: }"),
    "google": domain("provider: google", "google: {project: acme-prod-123, managed_zone: acme-events-com}"),
    "azure": domain("provider: azure", "azure: {resource_group: dns-rg, subscription_id: 00000000-1111-2222-3333-444444444444}"),
    "subdomain": domain("zone: Acme-Events.com.", name="Mail.Acme-Events.com"),
    "idn": domain("zone: BÜCHER.de.", name="mail.bücher.de"),
    "full-width": domain(name="ｅｘａｍｐｌｅ。ｃｏｍ"),  # full-width letters and dot (UTS #46)
    "everything": domain(
        "provider: route53",
        "zone_id: /hostedzone/Z0123456789ABCDEFGHIJ",
        "ttl: 86400",
        "keep_txt: [google-site-verification=abc, 'MS=ms12345678']",
        "spf:",
        "  include: [_spf.spotme.com, 'include:spf.mandrillapp.com.']",
        "  keep: ['include:_spf.google.com ip4:192.0.2.0/24', 'a/24//64', 'exp=explain.%{d}']",
        "  all: ~all",
        "dmarc:",
        "  policy: reject",
        "  sp: quarantine",
        "  np: reject",
        "  rua: [dmarc@acme-events.com, 'mailto:agg@example.net!10m']",
        "  ruf: mailto:fail@acme-events.com",
        "  adkim: s",
        "  pct: 50",
        "  fo: '1:d'",
        "  t: yes",
        "  psd: n",
        tokens=(T1.upper(), T2, T3),
    ),
    "cloudflare": domain("provider: cloudflare", "zone_id: 0123456789abcdef0123456789abcdef", "cloudflare: {version: 4}"),
    "backend": spec("version: 1", "backend: {type: s3, bucket: acme-state, region: eu-west-1}", *domain().splitlines()[1:]),
}


@pytest.mark.parametrize("text", GOOD_SPECS.values(), ids=GOOD_SPECS.keys())
def test_good_specs_load(text: str) -> None:
    """Every good spec loads without a problem."""
    assert parse_spec_text(text).domains


def test_minimal_spec_gets_the_defaults() -> None:
    """Only domain, tokens and verification key: everything else takes the documented default."""
    (d,) = parse_spec_text(GOOD_SPECS["minimal"]).domains
    assert d.domain == d.zone == "acme-events.com"
    assert d.provider is Provider.ROUTE53
    assert d.ttl == DEFAULT_TTL == 3600
    assert d.ses.dkim_tokens == (T1, T2, T3)
    assert d.ses.signing_zone == DEFAULT_SIGNING_ZONE == "dkim.amazonses.com"
    assert d.mandrill.verification == "mandrill_verify.AbC123xyz"
    assert d.mandrill.dkim is True
    assert (d.spf.include, d.spf.keep, d.spf.all) == ((SPOTME_SPF_INCLUDE,), (), "-all")
    assert d.dmarc.text() == "v=DMARC1; p=none;"
    assert (d.zone_id, d.keep_txt, d.cloudflare_version) == (None, (), 5)
    assert (d.location.line, d.location.column) == (3, 5)


def test_defaults_merge_into_each_domain() -> None:
    """Defaults apply to every domain; a domain's own keys win; nested mappings merge one level deep."""
    a, b = parse_spec_text(GOOD_SPECS["defaults-merge"]).domains
    assert (a.provider, a.ttl, a.cloudflare_version) == (Provider.CLOUDFLARE, 300, 4)
    assert a.dmarc.text() == "v=DMARC1; p=quarantine; rua=mailto:dmarc@acme.com;"
    assert a.ses.signing_zone == "dkim.eu-south-1.amazonses.com"
    assert (b.provider, b.ttl) == (Provider.GENERIC, 600)
    assert b.dmarc.text() == "v=DMARC1; p=reject; rua=mailto:dmarc@acme.com;"
    assert b.ses.signing_zone == "dkim.amazonses.com"
    assert b.ses.dkim_tokens == (T3, T2, T1)
    assert b.mandrill.dkim is False


def test_subdomain_in_its_zone() -> None:
    """A sending domain below its zone keeps both names."""
    (d,) = parse_spec_text(GOOD_SPECS["subdomain"]).domains
    assert (d.domain, d.zone) == ("mail.acme-events.com", "acme-events.com")


def test_idn_domain_becomes_a_labels() -> None:
    """Internationalised names are stored as lower-case A-labels, whatever spelling was used."""
    (d,) = parse_spec_text(GOOD_SPECS["idn"]).domains
    assert (d.domain, d.zone) == ("mail.xn--bcher-kva.de", "xn--bcher-kva.de")
    (e,) = parse_spec_text(GOOD_SPECS["full-width"]).domains
    assert e.domain == "example.com"


def test_everything_written_out() -> None:
    """Every documented key at once, normalised: tokens lower-case, zone id stripped, SPF and DMARC in order."""
    (d,) = parse_spec_text(GOOD_SPECS["everything"]).domains
    assert d.ses.dkim_tokens == (T1, T2, T3)
    assert d.zone_id == "Z0123456789ABCDEFGHIJ"
    assert d.ttl == 86400
    assert d.keep_txt == ("google-site-verification=abc", "MS=ms12345678")
    assert d.spf.include == ("_spf.spotme.com", "spf.mandrillapp.com")
    assert d.spf.keep == ("include:_spf.google.com", "ip4:192.0.2.0/24", "a/24//64", "exp=explain.%{d}")
    assert d.spf.all == "~all"
    assert d.dmarc.text() == (
        "v=DMARC1; p=reject; sp=quarantine; np=reject; "
        "rua=mailto:dmarc@acme-events.com,mailto:agg@example.net!10m; ruf=mailto:fail@acme-events.com; "
        "adkim=s; pct=50; fo=1:d; t=y; psd=n;"
    )


def test_cloudflare_zone_id_and_version() -> None:
    """A Cloudflare domain takes a 32-hex zone id and provider version 4 or 5."""
    (d,) = parse_spec_text(GOOD_SPECS["cloudflare"]).domains
    assert (d.provider, d.zone_id, d.cloudflare_version) == (Provider.CLOUDFLARE, "0123456789abcdef0123456789abcdef", 4)


def test_files_load_in_order(tmp_path: Path) -> None:
    """Several files make one spec, domains in the order given."""
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(domain(name="a.com"), encoding="utf-8")
    b.write_text(domain(name="b.com"), encoding="utf-8")
    loaded = load_spec([str(b), str(a)])
    assert [d.domain for d in loaded.domains] == ["b.com", "a.com"]
    assert loaded.paths == (str(b), str(a))
    assert loaded.domains[0].location.path == str(b)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("acme.com", "acme.com"),
        ("ACME.com.", "acme.com"),
        ("bücher.de", "xn--bcher-kva.de"),
        ("xn--bcher-kva.de", "xn--bcher-kva.de"),
        ("日本.jp", "xn--wgv71a.jp"),
        ("a-b--c.example", "a-b--c.example"),
        (LONG_BUT_VALID, LONG_BUT_VALID),
    ],
    ids=["plain", "upper-trailing-dot", "idn", "a-label", "cjk", "inner-hyphens", "230-octets"],
)
def test_good_domain_names(text: str, expected: str) -> None:
    """Valid names have no problem and normalise to lower-case A-labels."""
    assert domain_name_problem(text) is None
    assert normalize_domain(text) == expected


def test_long_names_are_what_the_cases_say() -> None:
    """The long names in the bad-spec table have the lengths their ids claim."""
    assert len(LONG_LABEL.split(".")[0]) == 64
    assert len(TOO_LONG_NAME) == 259
    assert len(LONG_BUT_VALID) == 230


# ------------------------------------------------------------------------------ dmarc.manage (issue 8)


def test_dmarc_manage_false_loads() -> None:
    """`dmarc: {manage: false}`: DMARC is someone else's; no DMARC record is built."""
    from spotme_dns.records import build_records

    (d,) = parse_spec_text(domain("dmarc: {manage: false}")).domains
    assert d.dmarc.manage is False
    assert all(not r.name.startswith("_dmarc.") for r in build_records(d).records)
    (kept,) = parse_spec_text(domain("dmarc: {manage: true, policy: reject}")).domains
    assert kept.dmarc.manage and kept.dmarc.policy == "reject" and kept.dmarc.policy_explicit


def test_dmarc_manage_problems_are_located() -> None:
    """A manage that is no boolean, or manage: false beside tags that would be ignored: named where."""
    (bad,) = problems_of(domain("dmarc:", "  manage: maybe"))
    assert (bad.location.line, bad.location.column) == (X + 1, 15) and "expected true or false" in bad.message
    (mixed,) = problems_of(domain("dmarc:", "  manage: false", "  policy: reject"))
    assert (mixed.location.line, mixed.location.column) == (X + 1, 7) and "policy would be ignored" in mixed.message


def test_dmarc_policy_explicit_is_tracked() -> None:
    """A dmarc section without `policy` keeps the default none, and says it was not asked for."""
    (d,) = parse_spec_text(domain("dmarc: {rua: [mailto:d@acme-events.com]}")).domains
    assert d.dmarc.policy == "none" and not d.dmarc.policy_explicit
