"""The commented spec `spotme-dns init` writes, and the checks of its answers (pure).

Answers are checked by the spec loader itself: the answers are rendered into a spec, the spec
is parsed, and each problem is handed back to the answer it came from. So `init` never accepts
what `generate` would refuse, and never refuses what it would accept.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from enum import Enum

import yaml

from . import dmarc
from .errors import InputError
from .spec import DEFAULT_SIGNING_ZONE, MANDRILL_PREFIX, SPOTME_SPF_INCLUDE, Provider, parse_spec_text


class Field(str, Enum):
    """One answer of `init` (the value is its command-line flag without dashes)."""

    DOMAIN = "domain"
    ZONE = "zone"
    PROVIDER = "provider"
    ZONE_ID = "zone-id"
    SES_TOKENS = "ses-token"
    MANDRILL = "mandrill-key"
    DMARC_POLICY = "dmarc-policy"
    RUA = "rua"
    SPF_ALL = "spf-all"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class InitAnswers:
    """What `init` asked for; every field as the user typed it (checked by `answer_problems`)."""

    domain: str
    """The sending (From:) domain."""
    ses_tokens: tuple[str, ...]
    """The three Easy DKIM tokens."""
    mandrill: str
    """The Mandrill verification key, or the whole `mandrill_verify.<key>` value."""
    zone: str | None = None
    """The DNS zone holding the domain; None: the domain itself."""
    provider: str = Provider.ROUTE53.value
    zone_id: str | None = None
    """The zone's id at the provider; None: looked up by name."""
    dmarc_policy: str | None = None
    """None: not written, so an existing record's policy is kept (a new record gets p=none)."""
    rua: tuple[str, ...] = ()
    """Where DMARC aggregate reports go (`mailto:` URIs or plain addresses)."""
    spf_all: str | None = None
    """The SPF record's final `all`; None: not written, so an existing record's is kept (else -all)."""


#: Stand-ins for answers not given yet, so one answer can be checked on its own. Valid by
#: construction (tests/test_init.py checks that the stand-ins alone load).
PLACEHOLDER = InitAnswers(
    domain="example.com",
    ses_tokens=("placeholdertokenaaaaaaaaaaaaaaa1", "placeholdertokenbbbbbbbbbbbbbbb2", "placeholdertokencccccccccccccccc3"),
    mandrill="PlaceholderKey",
)

# Where the loader reports a problem -> the answer it belongs to.
_FIELD_OF_PATH = (
    ("domains[0].domain", Field.DOMAIN),
    ("domains[0].zone_id", Field.ZONE_ID),
    ("domains[0].zone", Field.ZONE),
    ("domains[0].provider", Field.PROVIDER),
    ("domains[0].ses", Field.SES_TOKENS),
    ("domains[0].mandrill", Field.MANDRILL),
    ("domains[0].dmarc.policy", Field.DMARC_POLICY),
    ("domains[0].dmarc.rua", Field.RUA),
    ("domains[0].spf.all", Field.SPF_ALL),
)


def answer_problems(answers: InitAnswers) -> dict[Field, list[str]]:
    """Every problem the spec loader finds in these answers, by the answer it concerns."""
    try:
        parse_spec_text(render_spec(answers), "<init>")
    except InputError as err:
        out: dict[Field, list[str]] = {}
        for problem in err.problems:
            where, _, message = problem.message.partition(": ")
            field = next((f for path, f in _FIELD_OF_PATH if where == path or where.startswith((path + ".", path + "["))), None)
            if field is None:  # not expected from rendered answers: keep the whole message
                field, message = Field.DOMAIN, problem.message
            out.setdefault(field, []).append(message)
        if answers.zone is None:
            out.pop(Field.ZONE, None)  # the zone written is the domain: its problems are the domain's
        return out
    return {}


def check_one(field: Field, answers: InitAnswers) -> list[str]:
    """Problems of one answer, the answers not given yet standing in as placeholders."""
    return answer_problems(answers).get(field, [])


def with_placeholders(**given: object) -> InitAnswers:
    """The placeholder answers with the given ones put in (None values are left out)."""
    return replace(PLACEHOLDER, **{k: v for k, v in given.items() if v is not None})


def normalize_rua(text: str) -> str:
    """A report address as the spec writes it: `mailto:` added to a plain e-mail address."""
    text = text.strip()
    return text if ":" in text else f"mailto:{text}"


def verification_value(text: str) -> str:
    """The whole Mandrill TXT value from a key or the value itself."""
    text = text.strip()
    return text if text.startswith(MANDRILL_PREFIX) else MANDRILL_PREFIX + text


def render_spec(answers: InitAnswers, *, schema_ref: str | None = None) -> str:
    """The commented spec for one domain, ready to load; `schema_ref` names the JSON Schema for editors."""
    domain = answers.domain.strip()
    zone = (answers.zone or domain).strip()
    lines: list[str] = []
    if schema_ref:
        lines.append(f"# yaml-language-server: $schema={schema_ref}")
    lines += [
        f"# spotme-dns spec: the DNS records SpotMe Backstage needs to send e-mail from {_comment(domain)}.",
        "# Written by `spotme-dns init`. Check it, then write the Terraform:",
        "#   spotme-dns validate --spec <this file>",
        "#   spotme-dns generate <this file> -o out/",
        "version: 1",
        "domains:",
        f"  - domain: {_scalar(domain)}  # the sending (From:) domain",
        f"    zone: {_scalar(zone)}  # the DNS zone that holds it",
        f"    provider: {_scalar(answers.provider.strip())}  # route53 | cloudflare | generic | rfc2136 | google | azure (those two: add their keys)",
    ]
    if answers.provider.strip() == "rfc2136":
        lines.append("    # rfc2136: {server: ns1.example.com, key_name: spotme-update., key_algorithm: hmac-sha256}")
        lines.append("    #   (else DNS_UPDATE_SERVER, DNS_UPDATE_KEYNAME...; the secret only ever in DNS_UPDATE_KEYSECRET)")
    elif answers.zone_id:
        lines.append(f"    zone_id: {_scalar(answers.zone_id.strip())}  # the zone's id at the provider")
    else:
        lines.append("    # zone_id: ...  # the zone's id at the provider; without it the zone is looked up by name")
    lines += [
        "    ses:",
        "      # The three Amazon SES Easy DKIM tokens from SpotMe support; each becomes",
        f"      # <token>._domainkey.{_comment(domain)} CNAME <token>.{DEFAULT_SIGNING_ZONE}",
        "      dkim_tokens:",
        *(f"        - {_scalar(token.strip())}" for token in answers.ses_tokens),
        "    mandrill:",
        "      # Mailchimp Transactional (Mandrill): the domain verification TXT record, and the",
        "      # mte1/mte2._domainkey DKIM CNAMEs (dkim: false leaves those out).",
        f"      verification: {_scalar(verification_value(answers.mandrill))}",
        "      dkim: true",
    ]
    # `all` and the DMARC policy only when asked for: unset, `generate --discover` keeps what the
    # domain publishes (a ~all is not hardened, a stricter policy is not refused). The hints for
    # what is unset come before the keys (never last), so keys `generate --discover` writes into
    # the spec later land after them, not between a hint and what it is about.
    policy = answers.dmarc_policy.strip() if answers.dmarc_policy else None
    policies = " | ".join(dmarc.POLICIES)
    rua_hint = f"rua: [mailto:dmarc-reports@{_comment(domain)}]  # where aggregate reports go"
    if not (policy or answers.rua):
        lines += [
            "    # dmarc: unset, so an existing DMARC record is kept as it is (a new one is p=none). To set it:",
            f"    #   dmarc: {{policy: none, {rua_hint.split('  #')[0]}}}  # policy: {policies}",
        ]
    lines += [
        "    spf:",
        "      # One SPF record per name (RFC 7208 §3.2): SpotMe's servers are included. If the domain",
        "      # already has an SPF record, list its terms here (never a second v=spf1 record),",
        "      # for example: keep: [include:_spf.google.com, ip4:203.0.113.0/24]",
    ]
    if not answers.spf_all:
        lines.append("      # all: -all | ~all | ?all; unset, an existing record's is kept (a new record gets -all)")
    lines += [f"      include: [{SPOTME_SPF_INCLUDE}]", "      keep: []"]
    if answers.spf_all:
        lines.append(f"      all: {_scalar(answers.spf_all.strip())}  # -all | ~all | ?all")
    if policy or answers.rua:
        lines.append("    dmarc:")
        if not policy:
            lines.append(f"      # policy: none  # {policies}; unset, an existing record's is kept")
        if not answers.rua:
            lines.append(f"      # {rua_hint}")
        if policy:
            lines.append(f"      policy: {_scalar(policy)}  # {policies}")
        if answers.rua:
            lines.append("      rua:  # where aggregate reports go")
            lines += [f"        - {_scalar(normalize_rua(uri))}" for uri in answers.rua]
    return "\n".join(lines) + "\n"


_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:@/+=!%-]*")


def _scalar(text: str) -> str:
    """`text` as a YAML scalar that reads back as the same string: plain when safe, else quoted."""
    if _PLAIN.fullmatch(text) and not text.endswith(":"):
        try:
            if yaml.safe_load(text) == text:
                return text
        except yaml.YAMLError:
            pass
    # A JSON string is a YAML double-quoted scalar; keep non-ASCII letters readable.
    return json.dumps(text, ensure_ascii=False)


def _comment(text: str) -> str:
    """`text` safe inside a one-line comment."""
    return " ".join(text.split())
