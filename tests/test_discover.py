"""discover.py and `generate --discover`: reading what exists (BIND, moto, the Cloudflare stub),
and the merges that must refuse without --force (exit 1, nothing written)."""

from __future__ import annotations

import asyncio

import hcl2
import pytest
from click.testing import CliRunner

from spotme_dns.cli.app import cli
from spotme_dns.discover import DiscoverError, discover_domain
from spotme_dns.dns_live import LiveDns
from spotme_dns.existing import Source
from spotme_dns.spec import parse_spec_text
from tests.cloudflare_stub import cloudflare_fixture, cloudflare_server_fixture  # noqa: F401 (fixtures)
from tests.support.bind import zone_text

D = "acme-events.com"
TOKENS = ("abcdefghijklmnop1234", "qrstuvwxyzabcdef5678", "ghijklmnopqrstuv9012")
CF_ZONE = "0123456789abcdef0123456789abcdef"


def spec_text(provider: str = "generic", extra: str = "") -> str:
    return f"""\
version: 1
domains:
  - domain: {D}
    provider: {provider}
    ses:
      dkim_tokens: [{", ".join(TOKENS)}]
    mandrill:
      verification: mandrill_verify.AbC123xyz
{extra}"""


def write_spec(tmp_path, text: str):
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    return path


def generate(spec, out, *args: str):
    return CliRunner().invoke(cli, ["generate", str(spec), "-o", str(out), "--discover", *args])


SPOTME_ZONE = zone_text("spotme.com", ['_spf TXT "v=spf1 ip4:203.0.113.0/24 -all"'])


# ------------------------------------------------------------------------------ live DNS


def test_live_dns_reads_own_values_only(bind):
    """TXT and CNAME at every owner name; a TXT reached through a CNAME is not the name's own."""
    bind.set_zones({
        D: zone_text(D, [
            '@ TXT "google-site-verification=abc"',
            '@ TXT "v=spf1 include:_spf.google.com ~all"',
            '_dmarc TXT "v=DMARC1; p=reject"',
            "mte1._domainkey CNAME dkim1.mandrillapp.com.",
            "mte2._domainkey CNAME key.acme-events.com.",
            'key TXT "v=DKIM1; p=MIGf"',
            '@ MX 10 mx.acme-events.com.',
        ]),
    })
    spec = parse_spec_text(spec_text()).domains[0]

    async def run():
        return await discover_domain(spec, live=LiveDns(nameservers=[bind.server], resolvers=[bind.server], timeout=2))

    found = asyncio.run(run())
    assert found.source is Source.LIVE_DNS
    assert {(r.name, r.type): r.texts for r in found.records} == {
        (D, "TXT"): ("google-site-verification=abc", "v=spf1 include:_spf.google.com ~all"),
        (f"_dmarc.{D}", "TXT"): ("v=DMARC1; p=reject",),
        (f"mte1._domainkey.{D}", "CNAME"): ("dkim1.mandrillapp.com",),
        (f"mte2._domainkey.{D}", "CNAME"): ("key.acme-events.com",),
    }


def test_unreadable_live_dns_is_an_error(bind, tmp_path):
    """A server that fails (SERVFAIL) never reads as 'nothing exists': exit 2, nothing written."""
    bind.set_zones({}, failing=[D])
    out = tmp_path / "out"
    result = generate(write_spec(tmp_path, spec_text()), out, "--nameserver", bind.address, "--resolver", bind.address)
    assert result.exit_code == 2, result.output
    assert "cannot read the existing records from live DNS" in result.output and "servfail" in result.output
    assert not out.exists()

    async def run():
        spec = parse_spec_text(spec_text()).domains[0]
        return await discover_domain(spec, live=LiveDns(nameservers=[bind.server], resolvers=[bind.server], timeout=1))

    with pytest.raises(DiscoverError):
        asyncio.run(run())


def test_bad_nameserver_option(tmp_path):
    """A --nameserver that is not HOST[:PORT]: exit 2 before anything is asked."""
    result = generate(write_spec(tmp_path, spec_text()), tmp_path / "out", "--nameserver", "127.0.0.1:99999")
    assert result.exit_code == 2 and "--nameserver" in result.output


# ------------------------------------------------------------------------------ refusals


def test_spf_over_ten_lookups_counted_live_refused(bind, tmp_path):
    """Kept include + ours cost 11 lookups once followed live: exit 1, the costliest chain, nothing written."""
    big = [f'a{i} TXT "v=spf1 ip4:192.0.2.{i} -all"' for i in range(1, 10)]
    big.append('_spf TXT "v=spf1 ' + " ".join(f"include:a{i}.big-sender.net" for i in range(1, 10)) + ' -all"')
    bind.set_zones({
        D: zone_text(D, ['@ TXT "v=spf1 include:_spf.big-sender.net ~all"']),
        "big-sender.net": zone_text("big-sender.net", big),
        "spotme.com": SPOTME_ZONE,
    })
    spec = write_spec(tmp_path, spec_text())
    out = tmp_path / "out"
    result = generate(spec, out, "--nameserver", bind.address, "--resolver", bind.address)
    assert result.exit_code == 1, result.output
    assert "needs 11 DNS lookups, over the limit of 10" in result.output
    assert "include:_spf.big-sender.net (10)" in result.output
    assert "--force writes them anyway" in result.output and "nothing written" in result.output
    assert not out.exists()

    forced = generate(spec, out, "--nameserver", bind.address, "--resolver", bind.address, "--force")
    assert forced.exit_code == 0, forced.output
    main_tf = (out / D / "main.tf").read_text()
    assert "#   forced: acme-events.com TXT: wrote an SPF record that needs 11 DNS lookups" in main_tf


def test_stricter_live_dmarc_kept_tag_by_tag(bind, tmp_path):
    """Issue 8 point 3: the spec's p=none is a minimum: the live p=reject, sp and rua survive (exit 0)."""
    live = "v=DMARC1; p=reject; sp=reject; rua=mailto:dmarc@acme-events.com"
    bind.set_zones({D: zone_text(D, [f'_dmarc TXT "{live}"']), "spotme.com": SPOTME_ZONE})
    spec = write_spec(tmp_path, spec_text(extra="    dmarc: {policy: none, adkim: s}\n"))
    out = tmp_path / "out"
    result = generate(spec, out, "--nameserver", bind.address, "--resolver", bind.address)
    assert result.exit_code == 0, result.output
    assert "kept the live p=reject: stricter than the spec's p=none" in result.output
    assert "v=DMARC1; p=reject; sp=reject; rua=mailto:dmarc@acme-events.com; adkim=s;" in (out / D / "main.tf").read_text()


def test_cname_conflict_not_lifted_by_force(bind, tmp_path):
    """A TXT where a DKIM CNAME must go: exit 1 even with --force (no apply could succeed)."""
    bind.set_zones({D: zone_text(D, ['mte1._domainkey TXT "v=DKIM1; p=old"']), "spotme.com": SPOTME_ZONE})
    result = generate(write_spec(tmp_path, spec_text()), tmp_path / "out", "--nameserver", bind.address, "--resolver", bind.address, "--force")
    assert result.exit_code == 1
    assert "a CNAME cannot sit beside other data" in result.output and "--force writes them anyway" not in result.output


# ------------------------------------------------------------------------------ Route53 and Cloudflare


def test_route53_zone_found_by_name_and_live_differences_noted(moto_clean, bind, tmp_path):
    """The zone id is found by name; where live DNS disagrees with the hosted zone, it is said."""
    r53 = moto_clean.client("route53")
    zone_id = r53.create_hosted_zone(Name=D, CallerReference="d1")["HostedZone"]["Id"].rsplit("/", 1)[-1]
    bind.set_zones({D: zone_text(D, ['@ TXT "v=spf1 mx -all"']), "spotme.com": SPOTME_ZONE})
    out = tmp_path / "out"
    result = generate(write_spec(tmp_path, spec_text("route53")), out, "--nameserver", bind.address, "--resolver", bind.address)
    assert result.exit_code == 0, result.output
    assert f"found Route53 hosted zone {zone_id} (public" in result.output
    assert "live DNS at acme-events.com TXT serves ['v=spf1 mx -all'] but the Route53 API holds nothing" in result.output
    assert "nothing to import" in result.output
    assert f'zone_id = "{zone_id}"' in (out / D / "main.tf").read_text()


def test_route53_ambiguous_zone_is_bad_input(moto_clean, bind, tmp_path):
    """A public and a private zone of that name: exit 2 listing both, nothing written."""
    r53 = moto_clean.client("route53")
    r53.create_hosted_zone(Name=D, CallerReference="pub")
    r53.create_hosted_zone(
        Name=D, CallerReference="priv", HostedZoneConfig={"PrivateZone": True},
        VPC={"VPCRegion": "us-east-1", "VPCId": "vpc-12345678"},
    )
    bind.set_zones({D: zone_text(D, []), "spotme.com": SPOTME_ZONE})
    out = tmp_path / "out"
    result = generate(write_spec(tmp_path, spec_text("route53")), out, "--nameserver", bind.address, "--resolver", bind.address)
    assert result.exit_code == 2
    assert "2 Route53 hosted zones are named acme-events.com" in result.output and "zone_id" in result.output
    assert not out.exists()


def test_cloudflare_records_imported_by_id(cloudflare, bind, tmp_path, monkeypatch):
    """Cloudflare API: the zone found by name, the existing SPF imported into our SPF resource by id."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    zone_id = cloudflare.add_zone(D, CF_ZONE)
    spf_id = cloudflare.add_record(zone_id, D, "TXT", '"v=spf1 include:_spf.google.com ~all"')
    cloudflare.add_record(zone_id, D, "TXT", '"google-site-verification=abc"')
    mte1 = cloudflare.add_record(zone_id, f"mte1._domainkey.{D}", "CNAME", "dkim1.mandrillapp.com")
    bind.set_zones({
        D: zone_text(D, [
            '@ TXT "v=spf1 include:_spf.google.com ~all"',
            '@ TXT "google-site-verification=abc"',
            "mte1._domainkey CNAME dkim1.mandrillapp.com.",
        ]),
        "spotme.com": SPOTME_ZONE,
    })
    out = tmp_path / "out"
    result = generate(write_spec(tmp_path, spec_text("cloudflare")), out, "--nameserver", bind.address, "--resolver", bind.address)
    assert result.exit_code == 0, result.output
    assert "existing records read from Cloudflare API" in result.output
    assert "left 'google-site-verification=abc' alone (its own Cloudflare record)" in result.output
    assert "live DNS" not in result.output  # the API and live DNS agree
    blocks = hcl2.loads((out / "imports.tf").read_text())["import"]
    imports = {b["to"].removeprefix("${").removesuffix("}"): b["id"].strip('"') for b in blocks}
    assert imports == {
        "module.acme_events_com.cloudflare_dns_record.spf": f"{zone_id}/{spf_id}",
        "module.acme_events_com.cloudflare_dns_record.mandrill_dkim_mte1": f"{zone_id}/{mte1}",
    }
    main_tf = (out / D / "main.tf").read_text()
    assert f'zone_id  = "{zone_id}"' in main_tf or f'zone_id = "{zone_id}"' in main_tf
    assert main_tf.count('content = "\\"v=spf1') == 1  # one SPF record resource


def test_generic_discovery_says_what_to_do_by_hand(bind, tmp_path):
    """Generic: no imports exist, so no "adopted (imported)" and no "none of these records exists
    yet" while they do exist; the output says what to type into the DNS console instead."""
    bind.set_zones({
        D: zone_text(D, [
            '@ TXT "v=spf1 include:_spf.spotme.com -all"',
            "mte1._domainkey CNAME dkim1.mandrillapp.com.",
            "mte2._domainkey CNAME dkim2.mandrillapp.com.",
        ]),
        "spotme.com": SPOTME_ZONE,
    })
    spec = write_spec(tmp_path, spec_text())
    out = tmp_path / "out"
    result = generate(spec, out, "--nameserver", bind.address, "--resolver", bind.address)
    assert result.exit_code == 0, result.output
    assert "(imported)" not in result.output and "nothing to import" not in result.output, result.output
    assert not (out / "imports.tf").exists() and not (out / "import.sh").exists()
    assert "import" not in (out / D / "main.tf").read_text()
    assert "Mandrill DKIM CNAME to dkim1.mandrillapp.com already right: already published, nothing to change" in result.output
    assert f"{D}: provider generic: nothing is imported and Terraform changes no DNS record" in result.output
    assert "RECORDS.md" in result.output
