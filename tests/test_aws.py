"""aws.py against moto in server mode: Route53 zone discovery and record sets, SES v2 DKIM tokens."""

from __future__ import annotations

import pytest

from spotme_dns import aws
from spotme_dns.aws import AwsError

TOKENS = ("abcdefghijklmnop1234", "qrstuvwxyzabcdef5678", "ghijklmnopqrstuv9012")


def make_zone(client, name: str, *, private: bool = False, comment: str = "") -> str:
    """Create a hosted zone in moto; returns its bare id."""
    kwargs = {"Name": name, "CallerReference": f"{name}-{private}-{comment}"}
    config = {"PrivateZone": private}
    if comment:
        config["Comment"] = comment
    kwargs["HostedZoneConfig"] = config
    if private:
        kwargs["VPC"] = {"VPCRegion": "us-east-1", "VPCId": "vpc-12345678"}
    return client.create_hosted_zone(**kwargs)["HostedZone"]["Id"].rsplit("/", 1)[-1]


def upsert(client, zone_id: str, name: str, rtype: str, values: list[str], ttl: int = 300) -> None:
    client.change_resource_record_sets(
        HostedZoneId=zone_id,
        ChangeBatch={
            "Changes": [
                {
                    "Action": "UPSERT",
                    "ResourceRecordSet": {
                        "Name": name,
                        "Type": rtype,
                        "TTL": ttl,
                        "ResourceRecords": [{"Value": v} for v in values],
                    },
                }
            ]
        },
    )


def ses_identity(moto, domain: str, *, region: str = "us-east-1", **dkim: object) -> None:
    """Create a domain identity through the API, then set the DKIM attributes SES would report.

    moto creates identities without Easy DKIM tokens or SigningHostedZone; the threaded moto
    server shares this process, so its backend is updated to what real SES answers.
    """
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sesv2.models import sesv2_backends

    client = aws.session(region=region).client("sesv2", region_name=region)
    client.create_email_identity(EmailIdentity=domain)
    identity = sesv2_backends[DEFAULT_ACCOUNT_ID][region].core_backend.email_identities[domain]
    identity.dkim_attributes.update(dkim)


# ------------------------------------------------------------------------------ Route53


def test_find_hosted_zone_by_name(moto_clean):
    """The one public zone with the name is found, with its bare id."""
    r53 = aws.route53_client()
    zone_id = make_zone(r53, "acme-events.com")
    make_zone(r53, "other.com")
    zone = aws.find_hosted_zone("Acme-Events.com.")
    assert (zone.id, zone.name, zone.private) == (zone_id, "acme-events.com", False)


def test_find_hosted_zone_public_and_private_is_ambiguous(moto_clean):
    """A public and a private zone with the same name: an error listing both, asking for zone_id."""
    r53 = aws.route53_client()
    public = make_zone(r53, "acme-events.com")
    private = make_zone(r53, "acme-events.com", private=True, comment="internal")
    with pytest.raises(AwsError) as err:
        aws.find_hosted_zone("acme-events.com")
    message = str(err.value)
    assert public in message and private in message
    assert "private" in message and "public" in message and "zone_id" in message
    assert err.value.problems[0].code == "route53-zone-ambiguous"


def test_find_hosted_zone_duplicates_are_ambiguous(moto_clean):
    """Two public zones with the same name (a leftover of a migration) are an error too."""
    r53 = aws.route53_client()
    first = make_zone(r53, "acme-events.com", comment="old")
    second = make_zone(r53, "acme-events.com", comment="new")
    with pytest.raises(AwsError, match="2 Route53 hosted zones") as err:
        aws.find_hosted_zone("acme-events.com")
    assert first in str(err.value) and second in str(err.value)


def test_find_hosted_zone_missing(moto_clean):
    """No zone with the name: a clear error, not an empty answer."""
    make_zone(aws.route53_client(), "acme-events.com.au")
    with pytest.raises(AwsError, match="no Route53 hosted zone named acme-events.com"):
        aws.find_hosted_zone("acme-events.com")


def test_get_hosted_zone_by_id(moto_clean):
    """A zone id from the spec is checked to exist; an unknown id says so."""
    zone_id = make_zone(aws.route53_client(), "acme-events.com")
    assert aws.get_hosted_zone(f"/hostedzone/{zone_id}").name == "acme-events.com"
    with pytest.raises(AwsError, match="no Route53 hosted zone with id ZNOSUCHZONE"):
        aws.get_hosted_zone("ZNOSUCHZONE")


def test_list_record_sets_at_names(moto_clean):
    """Record sets at the given names only, TXT unquoted and joined, CNAME without the dot."""
    r53 = aws.route53_client()
    zone_id = make_zone(r53, "acme-events.com")
    long_value = "v=spf1 " + " ".join(f"ip4:10.0.{i}.0/24" for i in range(30)) + " -all"
    first, second = long_value[:255], long_value[255:]
    upsert(r53, zone_id, "acme-events.com", "TXT", [
        '"google-site-verification=abc123"', f'"{first}" "{second}"', r'"say \"hi\" \\ caf\303\251"',
    ])
    upsert(r53, zone_id, "acme-events.com", "MX", ["10 mx.acme-events.com"])
    upsert(r53, zone_id, "mte1._domainkey.acme-events.com", "CNAME", ["dkim1.mandrillapp.com."])
    upsert(r53, zone_id, "www.acme-events.com", "CNAME", ["acme-events.com"])
    sets = aws.list_record_sets(zone_id, ["acme-events.com", "mte1._domainkey.acme-events.com.", "_dmarc.acme-events.com"])
    by_key = {(s.name, s.type): s for s in sets}
    assert set(by_key) == {
        ("acme-events.com", "TXT"),
        ("acme-events.com", "MX"),
        ("acme-events.com", "NS"),
        ("acme-events.com", "SOA"),
        ("mte1._domainkey.acme-events.com", "CNAME"),
    }
    assert by_key[("acme-events.com", "TXT")].values == tuple(
        sorted(["google-site-verification=abc123", long_value, 'say "hi" \\ café'])
    )
    assert by_key[("mte1._domainkey.acme-events.com", "CNAME")].values == ("dkim1.mandrillapp.com",)
    assert by_key[("acme-events.com", "TXT")].ttl == 300


def test_route53_errors_without_credentials(moto_server, monkeypatch, tmp_path):
    """No credentials anywhere: one clear error naming what to set, never a traceback."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    assert aws.configured() is False
    with pytest.raises(AwsError, match="no AWS credentials"):
        aws.find_hosted_zone("acme-events.com")


# ------------------------------------------------------------------------------ SES v2


def test_ses_tokens_and_signing_zone(moto_clean):
    """Easy DKIM started: the three tokens and the regional SigningHostedZone."""
    ses_identity(
        moto_clean, "acme-events.com", region="af-south-1",
        Tokens=[t.upper() for t in TOKENS], Status="PENDING", SigningHostedZone="dkim.af-south-1.amazonses.com",
    )
    dkim = aws.get_ses_dkim("ACME-events.com", region="af-south-1")
    assert dkim.tokens == TOKENS
    assert (dkim.signing_zone, dkim.signing_zone_reported, dkim.region) == ("dkim.af-south-1.amazonses.com", True, "af-south-1")
    assert (dkim.status, dkim.origin) == ("PENDING", "AWS_SES")


def test_ses_missing_identity(moto_clean):
    """No identity in the region: says so and names the region."""
    with pytest.raises(AwsError, match="SES has no identity acme-events.com in region eu-west-1") as err:
        aws.get_ses_dkim("acme-events.com", region="eu-west-1")
    assert err.value.problems[0].code == "aws-not-found"


def test_ses_dkim_not_started(moto_clean):
    """An identity whose DKIM was never started has no tokens: say how to start it."""
    ses_identity(moto_clean, "acme-events.com")  # moto's default: Status NOT_STARTED, no tokens
    with pytest.raises(AwsError, match="Easy DKIM has not been started") as err:
        aws.get_ses_dkim("acme-events.com")
    assert err.value.problems[0].code == "ses-dkim-not-started"


def test_ses_byodkim_refused(moto_clean):
    """Bring-your-own DKIM (origin EXTERNAL) has a TXT key, not three CNAMEs: refused clearly."""
    ses_identity(moto_clean, "acme-events.com", Tokens=["myselector"], Status="SUCCESS", SigningAttributesOrigin="EXTERNAL")
    with pytest.raises(AwsError, match="bring-your-own DKIM \\(selector myselector\\)") as err:
        aws.get_ses_dkim("acme-events.com")
    assert err.value.problems[0].code == "ses-byodkim"


def test_ses_email_address_identity(moto_clean):
    """An e-mail address identity is not a domain."""
    client = aws.sesv2_client()
    client.create_email_identity(EmailIdentity="events@acme-events.com")
    with pytest.raises(AwsError, match="is an e-mail address"):
        aws.get_ses_dkim("events@acme-events.com")


def test_ses_without_signing_zone_assumes_default(moto_clean):
    """An answer without SigningHostedZone falls back to dkim.amazonses.com and says it assumed it."""
    ses_identity(moto_clean, "acme-events.com", Tokens=list(TOKENS), Status="SUCCESS")
    dkim = aws.get_ses_dkim("acme-events.com")
    assert (dkim.signing_zone, dkim.signing_zone_reported) == ("dkim.amazonses.com", False)


def test_ses_no_region(moto_server, monkeypatch, tmp_path):
    """No region anywhere: SES needs one, the message says how to give it."""
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    with pytest.raises(AwsError, match="pass --region or set AWS_REGION"):
        aws.get_ses_dkim("acme-events.com")
