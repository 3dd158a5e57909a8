"""Write spec.schema.json, the JSON Schema (draft 2020-12) of the spec that editors use.

The patterns are long; they are composed here from named pieces that follow the grammars the
loader checks (RFC 7208 §12 for SPF terms, RFC 7489 §6.4 for DMARC URIs, host names for domain
names), and the committed JSON is this script's output. tests/test_schema.py checks that the
two agree, and that the loader and the schema judge the same specs the same way.

    python generator/spotme_dns/schema/build.py          # rewrite spec.schema.json next to it
"""

import json
import re
import sys
from pathlib import Path

# --- domain names: letters, digits, inner hyphens; Unicode labels allowed (the loader applies
# IDNA 2008 / UTS #46 and checks A-label lengths; a pattern can only count characters).
#: The schema's stable address ($id): the committed file on the project's default branch. `init`
#: writes it into specs made outside a checkout; README examples name it.
SCHEMA_URL = "https://raw.githubusercontent.com/spotme/spotme-dns/main/generator/spotme_dns/schema/spec.schema.json"

SEP = "[.\u3002\uFF0E\uFF61]"  # the dots UTS #46 maps to '.'
NONASCII = "[^\\x00-\\x7F\u3002\uFF0E\uFF61]"
LABEL_ASCII = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
LABEL_IDN = f"[A-Za-z0-9-]*{NONASCII}(?:[A-Za-z0-9-]|{NONASCII})*"
LABEL = f"(?:{LABEL_ASCII}|{LABEL_IDN})"
# At most 253 characters (plus a trailing dot), two labels or more, the last not all digits.
DOMAIN = f"^(?=.{{1,253}}{SEP}?$)(?!.*{SEP}[0-9]+{SEP}?$){LABEL}(?:{SEP}{LABEL})+{SEP}?$"

# --- SPF terms, RFC 7208 §12 (names in lower case, as the loader's messages write them).
QNUM = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"  # qnum: 0-255, no leading zeros
IP4 = f"{QNUM}(?:\\.{QNUM}){{3}}"
IP4CIDR = "/(?:3[0-2]|[12]?[0-9])"  # ip4-cidr-length: /0-32
IP6CIDR = "/(?:12[0-8]|1[01][0-9]|[1-9]?[0-9])"  # ip6-cidr-length: /0-128
IP6 = "[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*"  # RFC 4291 §2.2 text forms, loosely (the loader parses them)
MACRO_EXPAND = "%\\{[slodiphvSLODIPHV][0-9]*[rR]?[-.+,/_=]*\\}"  # §7.3: c, r, t only in explanations
MACRO = f"{MACRO_EXPAND}|%%|%_|%-"
LIT = "[\\x21-\\x24\\x26-\\x2E\\x30-\\x7E]"  # macro-literal without '/' (which starts a cidr-length)
LIT_ALL = "[\\x21-\\x24\\x26-\\x7E]"  # macro-literal
INC_LIT = "[\\x21-\\x24\\x26-\\x2E\\x30-\\x39\\x3B\\x3C\\x3E-\\x7E]"  # ... also without ':' and '='
TOP = "(?:[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9-]*[A-Za-z0-9])"  # toplabel


def domspec(lit: str) -> str:
    """RFC 7208 §7.1 domain-spec = macro-string domain-end, with `lit` as the literal characters."""
    return f"(?:{MACRO}|{lit})*(?:\\.{TOP}\\.?|{MACRO_EXPAND})"


DOMSPEC = domspec(LIT)
DUAL = f"(?:{IP4CIDR})?(?:/{IP6CIDR})?"  # dual-cidr-length
MECH = (f"(?:(?:include|exists):{DOMSPEC}|(?:a|mx)(?::{DOMSPEC})?{DUAL}|ptr(?::{DOMSPEC})?"
        f"|ip4:{IP4}(?:{IP4CIDR})?|ip6:{IP6}(?:{IP6CIDR})?)")
# exp= once is fine in kept terms; redirect= is not (ignored beside 'all', §5.1); a modifier
# named like a mechanism (ip4=...) is grammatical but a typo receivers ignore; no second v=spf1.
MODIFIER = (f"(?:exp={DOMSPEC}|(?!(?:redirect|exp|v|all|include|a|mx|ptr|ip4|ip6|exists)=)"
            f"[A-Za-z][A-Za-z0-9._-]*=(?:{MACRO}|{LIT_ALL})*)")
TERM = f"(?:[-+~?]?{MECH}|{MODIFIER})"  # no 'all' mechanism: spf.all sets it
KEEP = f"^\\s*{TERM}(?=\\s|$)(?:\\s+{TERM}(?=\\s|$))*\\s*$"
INCLUDE = f"^(?:[Ii][Nn][Cc][Ll][Uu][Dd][Ee]:)?{domspec(INC_LIT)}$"

# --- DMARC report URIs, RFC 7489 §6.2 (ASCII; mailto: may be left out; optional !size).
HOST = "(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.?"
SIZE = "(?:![0-9]+[kmgtKMGT]?)?"
URI_CHARS = "[\\x22-\\x2B\\x2D-\\x3A\\x3C-\\x7E]"  # printable ASCII without space, '!', ',' and ';'
LOCAL = "[\\x22-\\x2B\\x2D-\\x3A\\x3C-\\x3F\\x41-\\x7E]+"  # ... and without '@'
MAILTO = f"^(?:[Mm][Aa][Ii][Ll][Tt][Oo]:)?{LOCAL}@{HOST}{SIZE}$"
OTHER_URI = f"^(?![Mm][Aa][Ii][Ll][Tt][Oo]:)[A-Za-z][A-Za-z0-9+.-]*:{URI_CHARS}+{SIZE}$"

# --- zone ids
R53 = "^(?:/hostedzone/)?Z[A-Z0-9]{1,32}$"
CF = "^[0-9a-f]{32}$"
GENERIC_ZONE_ID = "^[A-Za-z0-9._/-]{1,128}$"


def ref(name: str) -> dict:
    return {"$ref": f"#/$defs/{name}"}

domain_name = {
    "type": "string",
    "description": "A domain name. Internationalised names may be written in Unicode; they are stored as "
                   "A-labels (xn--...). Letters, digits and inner hyphens; labels of at most 63 octets, "
                   "253 in all; a trailing dot is allowed.",
    "pattern": DOMAIN,
    "examples": ["acme-events.com"],
}

uri = {
    "type": "string",
    "description": "A DMARC report URI: mailto:address (mailto: may be left out), optionally with an "
                   "RFC 7489 size limit such as !10m.",
    "pattern": f"(?:{MAILTO})|(?:{OTHER_URI})",
    "examples": ["mailto:dmarc-reports@acme-events.com"],
}
uri_list = {
    "description": "One report URI or a list of them.",
    # Keywords apply by type: `pattern` to a single URI string, `items` to a list.
    "type": ["array", "string", "null"],
    "pattern": uri["pattern"],
    "items": ref("reportUri"),
}
policy = {"type": "string", "enum": ["none", "quarantine", "reject"]}

defs = {
    "domainName": domain_name,
    "reportUri": uri,
    "reportUris": uri_list,
    "provider": {
        "type": "string",
        "enum": ["route53", "cloudflare", "generic", "rfc2136", "google", "azure"],
        "description": "Where the records are written: route53 (aws_route53_record), cloudflare "
                       "(cloudflare_dns_record, or cloudflare_record with provider v4), generic (a "
                       "provider-free Terraform output, a zone-file snippet and a table for any DNS host), or "
                       "rfc2136 (hashicorp/dns: dynamic updates to BIND or Active Directory DNS), or google "
                       "(google_dns_record_set in Google Cloud DNS), or azure (azurerm_dns_txt_record in Azure DNS).",
        "default": "route53",
    },
    "ttl": {
        "type": "integer", "minimum": 60, "maximum": 86400,
        "description": "Time to live of every record, in seconds (60 to 86400).", "default": 3600,
    },
    "route53ZoneId": {"type": "string", "pattern": R53,
                      "description": "A Route 53 hosted zone id, like Z0123456789ABCDEFGHIJ (a /hostedzone/ prefix is allowed)."},
    "cloudflareZoneId": {"type": "string", "pattern": CF,
                         "description": "A Cloudflare zone id: 32 lower-case hexadecimal characters (the zone's Overview page)."},
    "ses": {
        "type": "object",
        "description": "AWS SES Easy DKIM: the three CNAMEs <token>._domainkey.<domain> -> <token>.<signing_zone>.",
        "additionalProperties": False,
        "properties": {
            "dkim_tokens": {
                "type": "array",
                "description": "Exactly three Easy DKIM tokens, as SpotMe support sends them (SES GetEmailIdentity "
                               "DkimAttributes.Tokens).",
                "minItems": 3, "maxItems": 3, "uniqueItems": True,
                "items": {"type": "string", "pattern": "^[A-Za-z0-9]{16,63}$",
                          "description": "One token: 16 to 63 letters and digits (SES returns 32 lower-case characters)."},
            },
            "signing_zone": {
                **domain_name,
                "description": "SES SigningHostedZone: where the CNAMEs point. Regional SES zones differ, e.g. "
                               "dkim.af-south-1.amazonses.com.",
                "default": "dkim.amazonses.com",
                "examples": ["dkim.amazonses.com", "dkim.eu-south-1.amazonses.com"],
            },
        },
    },
    "mandrill": {
        "type": "object",
        "description": "Mailchimp Transactional (Mandrill): the verification TXT and the mte1/mte2 DKIM CNAMEs.",
        "additionalProperties": False,
        "properties": {
            "verification": {
                "type": "string",
                "description": "The domain verification value mandrill_verify.<key>, or just the key (6 to 128 "
                               "letters, digits, '-' or '_').",
                "pattern": "^(?:mandrill_verify\\.)?[A-Za-z0-9_-]{6,128}$",
                "examples": ["mandrill_verify.AbC123xyz"],
            },
            "dkim": {"type": "boolean", "default": True,
                     "description": "Publish mte1._domainkey and mte2._domainkey CNAMEs to dkim1/dkim2.mandrillapp.com."},
        },
    },
    "spf": {
        "type": "object",
        "description": "How the one SPF record (RFC 7208) is built: the kept terms, then the includes, then 'all'.",
        "additionalProperties": False,
        "properties": {
            "include": {
                "description": "Domains to include (include:<domain>); must contain _spf.spotme.com.",
                "type": "array",
                "items": {"type": "string", "pattern": INCLUDE,
                          "description": "A domain to include, like _spf.google.com (include: may be written)."},
                "contains": {"type": "string", "pattern": "^(?:include:)?_spf\\.spotme\\.com\\.?$"},
                "default": ["_spf.spotme.com"],
            },
            "keep": {
                "description": "Terms of the customer's existing SPF record to keep, in order, without v=spf1 and "
                               "without 'all' or redirect= (several terms may share one string).",
                "type": ["array", "null"],
                "items": {"type": "string", "pattern": KEEP,
                          "description": "SPF terms (RFC 7208 §4.6.1, §5, §6), e.g. include:_spf.google.com or ip4:192.0.2.0/24."},
                # RFC 7208 §6: exp= at most once (when each is its own string).
                "contains": {"type": "string", "pattern": "(?:^|\\s)exp="}, "minContains": 0, "maxContains": 1,
                "examples": [["include:_spf.google.com", "ip4:203.0.113.0/24"]],
            },
            "all": {"type": "string", "enum": ["-all", "~all", "?all"], "default": "-all",
                    "description": "The final 'all': -all (fail), ~all (softfail) or ?all (neutral); never +all."},
        },
    },
    "dmarc": {
        "type": "object",
        "description": "The DMARC policy record at _dmarc.<domain> (RFC 7489; the RFC 9989 tags np, psd and t are "
                       "accepted). v=DMARC1 and p= are written first.",
        "additionalProperties": False,
        # manage: false says "leave DMARC alone": then no other key means anything.
        "if": {"properties": {"manage": {"const": False}}, "required": ["manage"]},
        "then": {"maxProperties": 1},
        "properties": {
            "manage": {"type": "boolean", "default": True,
                       "description": "false: write no DMARC record and leave _dmarc.<domain> as it is (a record "
                                      "managed elsewhere, e.g. a CNAME to a DMARC vendor)."},
            "policy": {**policy, "default": "none",
                       "description": "p=: none, quarantine or reject. A minimum: generate --discover keeps a "
                                      "stricter live policy."},
            "sp": {**policy, "description": "sp=: the policy for subdomains (default: policy)."},
            "np": {**policy, "description": "np= (RFC 9989): the policy for non-existent subdomains."},
            "rua": {**uri_list, "description": "rua=: where aggregate reports go (mailto: URIs)."},
            "ruf": {**uri_list, "description": "ruf=: where failure reports go (mailto: URIs)."},
            "adkim": {"type": "string", "enum": ["r", "s"], "description": "adkim=: DKIM alignment, r (relaxed) or s (strict)."},
            "aspf": {"type": "string", "enum": ["r", "s"], "description": "aspf=: SPF alignment, r (relaxed) or s (strict)."},
            "pct": {"description": "pct=: the percentage of failing mail the policy applies to, 0 to 100 "
                                   "(historic in RFC 9989).",
                    "type": ["integer", "string"], "minimum": 0, "maximum": 100,
                    "pattern": "^0*(?:100|[1-9]?[0-9])$"},
            "fo": {"description": "fo=: failure reporting options, ':'-separated 0, 1, d, s.",
                   "type": ["integer", "string"], "minimum": 0, "maximum": 1, "pattern": "^[01ds](?::[01ds])*$"},
            "rf": {"type": "string", "pattern": "^afrf(?::afrf)*$", "description": "rf=: failure report format (afrf)."},
            "ri": {"description": "ri=: the aggregate report interval in seconds (historic in RFC 9989).",
                   "type": ["integer", "string"], "minimum": 0, "maximum": 4294967295, "pattern": "^[0-9]{1,10}$"},
            "t": {"description": "t= (RFC 9989): test mode, y or n (true/false also accepted).",
                  "enum": ["y", "n", True, False]},
            "psd": {"description": "psd= (RFC 9989): public suffix domain flag, y, n or u (true/false also accepted).",
                    "enum": ["y", "n", "u", True, False]},
        },
    },
    "keepTxt": {
        "description": "Other TXT values already published at the domain, kept in the same record set (Route 53 "
                       "holds all TXT values of a name as one set). Never an SPF record: its terms go in spf.keep.",
        "type": ["array", "null"],
        "items": {
            "type": "string", "minLength": 1, "maxLength": 4000,
            # Something besides white space; no control characters; never `v=spf1` (RFC 7208 §4.5).
            "pattern": "^(?![\\s\\S]*[\\x00-\\x1F\\x7F])(?!\\s*[Vv]=[Ss][Pp][Ff]1(?: |$))\\s*\\S",
        },
        "examples": [["google-site-verification=abc123", "MS=ms12345678"]],
    },
    "cloudflare": {
        "type": "object",
        "description": "Cloudflare provider options.",
        "additionalProperties": False,
        "properties": {"version": {"type": "integer", "enum": [4, 5], "default": 5,
                                   "description": "Major version of the cloudflare/cloudflare Terraform provider: 5 "
                                                  "(cloudflare_dns_record) or 4 (cloudflare_record)."}},
    },
}

defs["rfc2136"] = {
    "type": "object",
    "description": "provider rfc2136 (hashicorp/dns): where updates go and how they are signed. Never a secret: "
                   "DNS_UPDATE_KEYSECRET (or DNS_UPDATE_PASSWORD / DNS_UPDATE_KEYTAB for gssapi) comes from the "
                   "environment; unset keys come from DNS_UPDATE_SERVER, DNS_UPDATE_PORT, DNS_UPDATE_KEYNAME, "
                   "DNS_UPDATE_KEYALGORITHM.",
    "additionalProperties": False,
    "properties": {
        "server": {"type": "string", "pattern": "^(?:[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*|(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)$",
                   "description": "Host name or IP address of the primary server that takes updates (for "
                                  "gssapi its host name, so the Kerberos SPN matches)."},
        "port": {"type": "integer", "minimum": 1, "maximum": 65535, "description": "Its port (default 53)."},
        "key_name": {"type": "string", "pattern": "^(?=.{1,254}$)[A-Za-z0-9_-]{1,63}(?:\\.[A-Za-z0-9_-]{1,63})*\\.?$",
                     "description": "Name of the TSIG key (RFC 8945) that signs updates and zone transfers."},
        "key_algorithm": {"type": "string", "enum": ["hmac-md5", "hmac-sha1", "hmac-sha256", "hmac-sha512"],
                          "description": "The TSIG key's HMAC algorithm."},
        "transport": {"type": "string", "enum": ["udp", "udp4", "udp6", "tcp", "tcp4", "tcp6"],
                      "description": "Transport of the provider's messages (default udp)."},
        "gssapi": {"type": ["object", "null"], "additionalProperties": False,
                   "description": "GSS-TSIG (RFC 3645) for Active Directory instead of a TSIG key.",
                   "properties": {"realm": {"type": "string", "minLength": 1, "pattern": "\\S",
                                            "description": "Kerberos realm / Active Directory domain."},
                                  "username": {"type": "string", "minLength": 1, "pattern": "\\S",
                                               "description": "User to authenticate as (default: the current session)."}}},
    },
    "not": {"required": ["gssapi"], "anyOf": [{"required": ["key_name"]}, {"required": ["key_algorithm"]}]},
}

defs["google"] = {
    "type": "object",
    "description": "provider google (hashicorp/google, Cloud DNS): both keys are required for it. Credentials "
                   "never go here (Application Default Credentials, GOOGLE_OAUTH_ACCESS_TOKEN).",
    "additionalProperties": False,
    "properties": {
        "project": {"type": "string", "pattern": "^[a-z][a-z0-9-]{4,28}[a-z0-9]$",
                    "description": "The Google Cloud project ID."},
        "managed_zone": {"type": "string", "pattern": "^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$",
                         "description": "The managed zone's resource name (like prod-zone), not its DNS name."},
    },
}

defs["azure"] = {
    "type": "object",
    "description": "provider azure (hashicorp/azurerm, Azure DNS): resource_group is required for it. Credentials "
                   "never go here (the azurerm provider's ARM_* variables or the Azure CLI login).",
    "additionalProperties": False,
    "properties": {
        "resource_group": {"type": "string", "pattern": "^[-\\w.()]{0,89}[-\\w()]$",
                           "description": "The resource group of the DNS zone."},
        "subscription_id": {"type": "string",
                            "pattern": "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
                            "description": "The subscription (else ARM_SUBSCRIPTION_ID)."},
    },
}

per_domain_props = {
    "provider": ref("provider"),
    "ttl": ref("ttl"),
    "ses": ref("ses"),
    "mandrill": ref("mandrill"),
    "spf": ref("spf"),
    "dmarc": ref("dmarc"),
    "keep_txt": ref("keepTxt"),
    "cloudflare": ref("cloudflare"),
    "rfc2136": ref("rfc2136"),
    "google": ref("google"),
    "azure": ref("azure"),
}

defs["defaults"] = {
    "type": ["object", "null"],
    "description": "Keys applied to every domain unless the domain sets them; nested mappings (ses, mandrill, "
                   "spf, dmarc, cloudflare, rfc2136, google, azure) merge one level deep. domain, zone and zone_id are per domain only.",
    "additionalProperties": False,
    "properties": per_domain_props,
}

defs["domain"] = {
    "type": "object",
    "description": "One sending domain.",
    "required": ["domain"],
    "additionalProperties": False,
    "properties": {
        "domain": {**domain_name, "description": "The sending (From:) domain. " + domain_name["description"]},
        "zone": {**domain_name, "description": "The DNS zone holding the domain (the domain itself or a parent of "
                                               "it). Default: the domain."},
        "zone_id": {"type": "string", "pattern": GENERIC_ZONE_ID,
                    "description": "The zone's id at the provider (Route 53 hosted zone id, Cloudflare zone id); "
                                   "otherwise the zone is looked up by name."},
        **per_domain_props,
    },
    "allOf": [
        {"if": {"required": ["provider"], "properties": {"provider": {"const": "route53"}}},
         "then": {"properties": {"zone_id": ref("route53ZoneId")}}},
        {"if": {"required": ["provider"], "properties": {"provider": {"const": "cloudflare"}}},
         "then": {"properties": {"zone_id": ref("cloudflareZoneId")}}},
    ],
}

def defaults_has(path_props):
    """{'required': ['defaults'], 'properties': {'defaults': ...}} for a nested requirement."""
    return {"required": ["defaults"], "properties": {"defaults": path_props}}

schema = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_URL,
    "title": "spotme-dns spec, version 1",
    "description": "The domains that send SpotMe Backstage e-mail and the DNS records they need (SPF, DMARC, "
                   "AWS SES and Mandrill DKIM, Mandrill verification). Checked in full by `spotme-dns validate "
                   "--spec` and `spotme-dns generate`; this schema lets editors complete and check it as you type.",
    "type": "object",
    "required": ["version", "domains"],
    "additionalProperties": False,
    "properties": {
        "version": {"const": 1, "description": "The spec format version: 1."},
        "defaults": ref("defaults"),
        "domains": {"type": "array", "minItems": 1, "items": ref("domain"),
                    "description": "The sending domains, each once."},
        "backend": ref("backend"),
    },
    "allOf": [
        # ses.dkim_tokens and mandrill.verification are required per domain unless defaults give them.
        {"if": defaults_has({"required": ["ses"], "properties": {"ses": {"required": ["dkim_tokens"]}}}),
         "else": {"properties": {"domains": {"items": {"required": ["ses"], "properties": {"ses": {"required": ["dkim_tokens"]}}}}}}},
        {"if": defaults_has({"required": ["mandrill"], "properties": {"mandrill": {"required": ["verification"]}}}),
         "else": {"properties": {"domains": {"items": {"required": ["mandrill"], "properties": {"mandrill": {"required": ["verification"]}}}}}}},
        # A domain without its own provider takes the default one (route53 when none): its zone_id must fit it.
        {"if": defaults_has({"required": ["provider"], "properties": {"provider": {"enum": ["cloudflare", "generic"]}}}),
         "else": {"properties": {"domains": {"items": {"if": {"not": {"required": ["provider"]}},
                                                        "then": {"properties": {"zone_id": ref("route53ZoneId")}}}}}}},
        {"if": defaults_has({"required": ["provider"], "properties": {"provider": {"const": "cloudflare"}}}),
         "then": {"properties": {"domains": {"items": {"if": {"not": {"required": ["provider"]}},
                                                        "then": {"properties": {"zone_id": ref("cloudflareZoneId")}}}}}}},
    ],
    "$defs": defs,
}

# backend (spotme_dns/backend.py)
BUCKET = "^(?!.*\\.\\.)(?![0-9.]+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"
REGION = "^[a-z]{2}(?:-[a-z]+)+-[0-9]{1,2}$"
TABLE = "^[A-Za-z0-9_.-]{3,255}$"
TFC = "^[A-Za-z0-9_-]{1,90}$"
HOSTNAME = "^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(?:\\.(?!-)[a-z0-9-]{1,63}(?<!-))+$"
KEY = "^(?!/)(?!.*//)(?!.*/$)[^\"\\\\$%{}\\x00-\\x1F]{1,1024}$"
defs["backend"] = {
    "type": "object",
    "description": "Where the generated Terraform roots keep their state (flags of `generate` override it). "
                   "Credentials never go here: AWS from its usual environment variables or profiles, Terraform "
                   "Cloud from `terraform login`.",
    "required": ["type"],
    "properties": {
        "type": {"type": "string", "enum": ["s3", "remote", "cloud", "local"],
                 "description": "s3 (a bucket, locked by a lock file beside the state), remote (Terraform Cloud "
                                "or Enterprise, backend \"remote\"), cloud (HCP Terraform, the cloud block) or "
                                "local (terraform.tfstate next to the root)."},
        "bucket": {"type": "string", "pattern": BUCKET, "description": "s3: the bucket name."},
        "key": {"type": "string", "pattern": KEY, "description": "s3: the state object's key.",
                "default": "spotme-dns/terraform.tfstate"},
        "region": {"type": "string", "pattern": REGION, "description": "s3: the bucket's AWS region, like eu-west-1."},
        "dynamodb_table": {"type": "string", "pattern": TABLE,
                           "description": "s3: a DynamoDB lock table (partition key LockID), only if you still use one: "
                                          "Terraform 1.10 deprecated it for use_lockfile."},
        "encrypt": {"type": "boolean", "default": True, "description": "s3: server-side encryption of the state object."},
        "use_lockfile": {"type": "boolean", "default": True,
                         "description": "s3: lock with a .tflock object beside the state (Terraform >= 1.10, OpenTofu >= 1.8)."},
        "organization": {"type": "string", "pattern": TFC, "description": "remote, cloud: the Terraform Cloud organization."},
        "workspace": {"type": "string", "pattern": TFC, "description": "remote, cloud: one named workspace."},
        "workspace_prefix": {"type": "string", "pattern": TFC, "description": "remote: a workspace name prefix."},
        "hostname": {"type": "string", "pattern": HOSTNAME, "default": "app.terraform.io",
                     "description": "remote, cloud: Terraform Cloud or Enterprise host."},
    },
    "allOf": [
        {"if": {"properties": {"type": {"const": "s3"}}},
         "then": {"propertyNames": {"enum": ["type", "bucket", "key", "region", "dynamodb_table", "encrypt", "use_lockfile"]}}},
        {"if": {"properties": {"type": {"const": "remote"}}},
         "then": {"propertyNames": {"enum": ["type", "organization", "workspace", "workspace_prefix", "hostname"]},
                  "not": {"required": ["workspace", "workspace_prefix"]}}},
        {"if": {"properties": {"type": {"const": "cloud"}}},
         "then": {"propertyNames": {"enum": ["type", "organization", "workspace", "hostname"]}}},
        {"if": {"properties": {"type": {"const": "local"}}},
         "then": {"propertyNames": {"enum": ["type"]}}},
    ],
}



def render() -> str:
    """The schema as the committed file holds it."""
    return json.dumps(schema, indent=2, ensure_ascii=True) + "\n"


def _check_patterns(node: object) -> None:
    """Every pattern compiles (Python's re; ECMA-262 is checked by the tests when node is present)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern":
                re.compile(value)
            _check_patterns(value)
    elif isinstance(node, list):
        for value in node:
            _check_patterns(value)


if __name__ == "__main__":
    _check_patterns(schema)
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("spec.schema.json")
    target.write_text(render(), encoding="utf-8")
