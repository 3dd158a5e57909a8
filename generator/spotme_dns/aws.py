"""The AWS edge: Route53 hosted zones and record sets, SES v2 Easy DKIM tokens.

This is the only module that imports boto3. Credentials, region and endpoint come from the
standard AWS environment and config files (`AWS_PROFILE`, `AWS_REGION`, `AWS_ENDPOINT_URL`,
~/.aws/config ...), so the same code talks to AWS and to moto in server mode unchanged.

Everything returned is a frozen value with names lower-case and without the trailing dot and
TXT values unquoted and joined, the spelling the rest of spotme-dns uses. Failures of AWS
(no credentials, access denied, no such zone, an identity without Easy DKIM) raise `AwsError`:
the user asked for something AWS cannot give, so the command ends with exit code 2 and a
message that says what to do.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import boto3
import botocore.exceptions

from .errors import InputError, Location, Problem
from .spec import DEFAULT_SIGNING_ZONE  # SES's default; regional zones differ (see `SesDkim.signing_zone`)
from .zonetext import unquote_txt

_T = TypeVar("_T")


class AwsError(InputError):
    """AWS could not answer what was asked: the message says why and what to do."""

    def __init__(self, message: str, *, code: str = "aws-error") -> None:
        super().__init__([Problem(Location("aws"), message, code)])


@dataclass(frozen=True)
class HostedZone:
    """A Route53 hosted zone."""

    id: str
    """The bare id (`Z0123...`), without the `/hostedzone/` prefix."""
    name: str
    """Lower-case, no trailing dot."""
    private: bool
    """A private zone answers only inside its VPCs."""
    record_count: int
    comment: str = ""

    def describe(self) -> str:
        kind = "private" if self.private else "public"
        note = f", comment {self.comment!r}" if self.comment else ""
        return f"{self.id} ({kind}, {self.record_count} record sets{note})"


@dataclass(frozen=True)
class RecordSet:
    """One Route53 record set as it exists in a hosted zone."""

    name: str
    """Absolute owner name, lower-case, no trailing dot."""
    type: str
    values: tuple[str, ...]
    """TXT: each record's strings joined and unquoted (RFC 7208 §3.3); names without the dot.
    Empty for an alias record."""
    ttl: int | None
    """None for an alias record."""
    alias: str | None = None
    """The alias target's DNS name, for an alias record."""
    set_identifier: str | None = None
    """Set for weighted, latency, failover... records (several record sets share the name)."""


@dataclass(frozen=True)
class SesDkim:
    """What SES says about a domain identity's Easy DKIM."""

    domain: str
    region: str
    tokens: tuple[str, ...]
    """The Easy DKIM tokens (three), lower-case."""
    signing_zone: str
    """`SigningHostedZone`: the zone the CNAMEs point into (regional zones differ)."""
    signing_zone_reported: bool
    """False when SES did not report a SigningHostedZone and the default was assumed."""
    status: str
    """`DkimAttributes.Status`: PENDING, SUCCESS, FAILED, TEMPORARY_FAILURE."""
    origin: str
    """`SigningAttributesOrigin`: AWS_SES, or AWS_SES_<REGION> for a replica (DEED)."""


# ------------------------------------------------------------------------------ sessions


def session(*, region: str | None = None) -> Any:
    """A boto3 session from the standard environment and config files.

    AWS_REGION wins over AWS_DEFAULT_REGION and the profile's region, as in the AWS CLI v2
    and the other SDKs; boto3 itself reads only AWS_DEFAULT_REGION.
    """
    region = region or os.environ.get("AWS_REGION") or None
    try:
        return boto3.Session(region_name=region) if region else boto3.Session()
    except botocore.exceptions.ProfileNotFound as err:
        raise AwsError(f"AWS profile not found: {err}", code="aws-config") from None


def configured() -> bool:
    """Whether AWS credentials can be found (environment, config files, instance role...)."""
    try:
        return session().get_credentials() is not None
    except (AwsError, botocore.exceptions.BotoCoreError):
        return False


def route53_client(*, boto_session: Any = None) -> Any:
    """A Route53 client (a global service: the region does not matter)."""
    s = boto_session or session()
    # Route53 is global; boto3 still wants a region for signing, us-east-1 is where it lives.
    return s.client("route53", region_name=s.region_name or "us-east-1")


def sesv2_client(*, region: str | None = None, boto_session: Any = None) -> Any:
    """An SES v2 client for `region` (or the configured default region)."""
    s = boto_session or session(region=region)
    name = region or s.region_name
    if not name:
        raise AwsError(
            "no AWS region: SES identities live in a region; pass --region or set AWS_REGION",
            code="aws-no-region",
        )
    return s.client("sesv2", region_name=name)


def _call(what: str, fn: Callable[[], _T], *, not_found: Callable[[str], str] | None = None) -> _T:
    """Run one AWS call, turning its failures into AwsError with `what` was being done."""
    try:
        return fn()
    except botocore.exceptions.NoCredentialsError:
        raise AwsError(
            f"cannot {what}: no AWS credentials (set AWS_PROFILE, or AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY, or run where an instance role applies)",
            code="aws-no-credentials",
        ) from None
    except botocore.exceptions.NoRegionError:
        raise AwsError(f"cannot {what}: no AWS region (set AWS_REGION)", code="aws-no-region") from None
    except botocore.exceptions.ClientError as err:
        error = err.response.get("Error", {})
        code = str(error.get("Code", "Unknown"))
        message = str(error.get("Message", "")).strip()
        if not_found is not None and code in ("NotFoundException", "NoSuchHostedZone"):
            raise AwsError(not_found(message), code="aws-not-found") from None
        raise AwsError(f"cannot {what}: {code}: {message}".rstrip(": "), code="aws-error") from None
    except botocore.exceptions.EndpointConnectionError as err:
        raise AwsError(f"cannot {what}: cannot reach {err.kwargs.get('endpoint_url', 'AWS')}", code="aws-unreachable") from None
    except botocore.exceptions.BotoCoreError as err:
        raise AwsError(f"cannot {what}: {err}", code="aws-error") from None


# ------------------------------------------------------------------------------ Route53


def _bare_zone_id(zone_id: str) -> str:
    return zone_id.rsplit("/", 1)[-1]


def find_hosted_zone(zone: str, *, client: Any = None) -> HostedZone:
    """The one hosted zone named `zone`; AwsError when there is none or several.

    Route53 allows several zones with one name (a public and a private one, or leftovers of
    a migration). Guessing would write into the wrong one, so several is an error that lists
    them and asks for `zone_id` in the spec.
    """
    client = client or route53_client()
    name = zone.strip().rstrip(".").lower()
    found: list[HostedZone] = []
    kwargs: dict[str, str] = {"DNSName": name + ".", "MaxItems": "100"}
    while True:
        page = _call(f"list Route53 hosted zones named {name}", lambda kw=kwargs: client.list_hosted_zones_by_name(**kw))
        for item in page.get("HostedZones", ()):
            if _decode_name(item["Name"]) != name:
                continue
            found.append(_hosted_zone(item))
        # Zones are returned in name order starting at DNSName: stop once past our name.
        if not page.get("IsTruncated") or _decode_name(page.get("NextDNSName", "")) != name:
            break
        kwargs = {"DNSName": page["NextDNSName"], "HostedZoneId": page["NextHostedZoneId"], "MaxItems": "100"}
    if not found:
        raise AwsError(
            f"no Route53 hosted zone named {name} in this AWS account: create it, or set 'zone_id' "
            "in the spec if it lives elsewhere",
            code="route53-zone-not-found",
        )
    if len(found) > 1:
        listed = "; ".join(z.describe() for z in found)
        raise AwsError(
            f"{len(found)} Route53 hosted zones are named {name}: {listed}. Say which one to use with "
            f"'zone_id:' in the spec (the public zone is the one the world sees)",
            code="route53-zone-ambiguous",
        )
    return found[0]


def get_hosted_zone(zone_id: str, *, client: Any = None) -> HostedZone:
    """The hosted zone with this id; AwsError when it does not exist."""
    client = client or route53_client()
    bare = _bare_zone_id(zone_id)
    reply = _call(
        f"read Route53 hosted zone {bare}",
        lambda: client.get_hosted_zone(Id=bare),
        not_found=lambda _: f"no Route53 hosted zone with id {bare} (check 'zone_id' in the spec)",
    )
    return _hosted_zone(reply["HostedZone"])


def _hosted_zone(item: dict[str, Any]) -> HostedZone:
    """A HostedZone from the `HostedZone` shape both ListHostedZonesByName and GetHostedZone return."""
    config = item.get("Config", {})
    return HostedZone(
        id=_bare_zone_id(item["Id"]),
        name=_decode_name(item["Name"]),
        private=bool(config.get("PrivateZone", False)),
        record_count=int(item.get("ResourceRecordSetCount", 0)),
        comment=str(config.get("Comment", "") or ""),
    )


def list_record_sets(zone_id: str, names: Iterable[str], *, client: Any = None) -> tuple[RecordSet, ...]:
    """Every record set of the hosted zone at each of `names` (all types), in name order.

    One listing per name starting at that name: Route53 returns record sets ordered by name
    (labels reversed) then type, so the sets of one name come first and the listing stops at
    the next name.
    """
    client = client or route53_client()
    bare = _bare_zone_id(zone_id)
    out: list[RecordSet] = []
    for name in dict.fromkeys(n.strip().rstrip(".").lower() for n in names):
        kwargs: dict[str, str] = {"HostedZoneId": bare, "StartRecordName": name + ".", "MaxItems": "20"}
        while True:
            page = _call(
                f"list record sets of Route53 zone {bare} at {name}",
                lambda kw=kwargs: client.list_resource_record_sets(**kw),
                not_found=lambda _: f"no Route53 hosted zone with id {bare} (check 'zone_id' in the spec)",
            )
            past = False
            for item in page.get("ResourceRecordSets", ()):
                if _decode_name(item["Name"]) != name:
                    past = True
                    break
                out.append(_record_set(item))
            if past or not page.get("IsTruncated") or _decode_name(page.get("NextRecordName", "")) != name:
                break
            kwargs = {
                "HostedZoneId": bare,
                "StartRecordName": page["NextRecordName"],
                "StartRecordType": page["NextRecordType"],
                "MaxItems": "20",
            }
            if page.get("NextRecordIdentifier"):
                kwargs["StartRecordIdentifier"] = page["NextRecordIdentifier"]
    return tuple(out)


def _record_set(item: dict[str, Any]) -> RecordSet:
    rtype = str(item["Type"]).upper()
    alias = item.get("AliasTarget")
    raw = [r["Value"] for r in item.get("ResourceRecords", ())]
    if rtype in ("TXT", "SPF"):
        # Route53 escapes special octets as \\ and a three-digit OCTAL code (AWS docs, TXT record type).
        values = tuple(sorted(unquote_txt(v, octal=True) for v in raw))
    elif rtype in ("CNAME", "NS", "PTR"):
        values = tuple(sorted(_decode_name(v) for v in raw))
    else:
        values = tuple(sorted(raw))
    return RecordSet(
        name=_decode_name(item["Name"]),
        type=rtype,
        values=values,
        ttl=None if alias else int(item.get("TTL", 0)),
        alias=_decode_name(alias["DNSName"]) if alias else None,
        set_identifier=item.get("SetIdentifier"),
    )


_OCTAL = re.compile(r"\\([0-7]{3})")


def _decode_name(name: str) -> str:
    """A Route53 name as spotme-dns spells it: `\\052` octal escapes decoded, no dot, lower-case."""
    return _OCTAL.sub(lambda m: chr(int(m.group(1), 8)), name).rstrip(".").lower()


# ------------------------------------------------------------------------------ SES v2


def get_ses_dkim(domain: str, *, region: str | None = None, client: Any = None) -> SesDkim:
    """The Easy DKIM tokens and signing zone of an SES domain identity (`GetEmailIdentity`).

    AwsError, with what to do, for: no such identity in the region, an e-mail address
    identity, DKIM not started (no tokens yet), bring-your-own DKIM, a token count other than 3.
    """
    name = domain.strip().rstrip(".").lower()
    client = client or sesv2_client(region=region)
    where = client.meta.region_name
    reply = _call(
        f"read SES identity {name} in {where}",
        lambda: client.get_email_identity(EmailIdentity=name),
        not_found=lambda _: (
            f"SES has no identity {name} in region {where}: create the domain identity in SES "
            "(Verified identities, Create identity, Domain, Easy DKIM), or pass the --region it was created in"
        ),
    )
    if reply.get("IdentityType") == "EMAIL_ADDRESS":
        raise AwsError(f"SES identity {name} in {where} is an e-mail address, not a domain", code="ses-not-domain")
    attrs = reply.get("DkimAttributes") or {}
    origin = str(attrs.get("SigningAttributesOrigin") or "AWS_SES")
    status = str(attrs.get("Status") or "NOT_STARTED")
    tokens = tuple(str(t).lower() for t in attrs.get("Tokens") or ())
    if origin == "EXTERNAL":
        selector = f" (selector {tokens[0]})" if tokens else ""
        raise AwsError(
            f"SES identity {name} in {where} uses bring-your-own DKIM{selector}: its key is a TXT record "
            f"you publish at <selector>._domainkey.{name}; spotme-dns writes Easy DKIM CNAMEs only. "
            "Switch the identity to Easy DKIM, or keep publishing your own key and ask SpotMe support",
            code="ses-byodkim",
        )
    if status == "NOT_STARTED" or not tokens:
        raise AwsError(
            f"Easy DKIM has not been started for SES identity {name} in {where} (status {status}, no tokens): "
            "enable DKIM on the identity (Authentication, Easy DKIM) and run this again",
            code="ses-dkim-not-started",
        )
    if len(tokens) != 3:
        raise AwsError(
            f"SES identity {name} in {where} has {len(tokens)} DKIM tokens; Easy DKIM uses exactly 3",
            code="ses-dkim-tokens",
        )
    zone = str(attrs.get("SigningHostedZone") or "").strip().rstrip(".").lower()
    return SesDkim(
        domain=name,
        region=where,
        tokens=tokens,
        signing_zone=zone or DEFAULT_SIGNING_ZONE,
        signing_zone_reported=bool(zone),
        status=status,
        origin=origin,
    )
