"""`generate --discover` against zones as customers really have them (issue 8, points 3-7):
wildcards, delegated DMARC, subdomains under a stricter Organizational Domain, two SPF records.
Every zone is served by a real BIND; every run goes through the CLI."""

from __future__ import annotations

import asyncio

from click.testing import CliRunner

from spotme_dns.cli.app import cli
from spotme_dns.dns_live import LiveDns, Outcome
from tests.cloudflare_stub import cloudflare_fixture, cloudflare_server_fixture  # noqa: F401 (fixtures)
from tests.support.bind import zone_text

D = "acme-events.com"
ORG = "org.test"
SUB = f"mail.{ORG}"
TOKENS = ("abcdefghijklmnop1234", "qrstuvwxyzabcdef5678", "ghijklmnopqrstuv9012")
SPOTME_ZONE = zone_text("spotme.com", ['_spf TXT "v=spf1 ip4:203.0.113.0/24 -all"'])


def spec_text(domain: str = D, *, zone: str | None = None, provider: str = "generic", extra: str = "") -> str:
    zone_line = f"\n    zone: {zone}" if zone else ""
    return f"""\
version: 1
domains:
  - domain: {domain}{zone_line}
    provider: {provider}
    ses:
      dkim_tokens: [{", ".join(TOKENS)}]
    mandrill:
      verification: mandrill_verify.AbC123xyz
{extra}"""


def generate(tmp_path, text: str, bind, *args: str):
    spec = tmp_path / "spec.yaml"
    spec.write_text(text)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["generate", str(spec), "-o", str(out), "--discover", "--nameserver", bind.address, "--resolver", bind.address, *args])
    return result, out


def body(path) -> str:
    """A generated file without its comment lines (the decisions are written there as comments)."""
    return "\n".join(line for line in path.read_text().splitlines() if not line.lstrip().startswith("#"))


# ------------------------------------------------------------------------------ wildcards (point 5)


def test_wildcard_cname_is_no_record(bind, tmp_path):
    """`* CNAME` answers at _dmarc and at the DKIM names: synthesised (RFC 4592), not in the way."""
    bind.set_zones({
        D: zone_text(D, ["* CNAME www.elsewhere.example.", '@ TXT "v=spf1 mx ~all"']),
        "spotme.com": SPOTME_ZONE,
    })
    result, out = generate(tmp_path, spec_text(), bind)
    assert result.exit_code == 0, result.output
    assert "only the wildcard *.acme-events.com CNAME to www.elsewhere.example answers there" in result.output
    assert "cname-conflict" not in result.output and "refuse" not in result.output
    main_tf = (out / D / "main.tf").read_text()
    assert "v=DMARC1; p=none;" in main_tf and "dkim1.mandrillapp.com" in main_tf


def test_wildcard_txt_is_no_record(bind, tmp_path):
    """`* TXT` synthesises a TXT at _dmarc.<domain> and at the DKIM names: none of it is adopted."""
    bind.set_zones({
        D: zone_text(D, ['* TXT "hello=world"', '@ TXT "v=spf1 mx ~all"']),
        "spotme.com": SPOTME_ZONE,
    })
    result, out = generate(tmp_path, spec_text(), bind)
    assert result.exit_code == 0, result.output
    assert "only the wildcard *.acme-events.com TXT 'hello=world' answers there" in result.output
    assert "left 'hello=world' alone" not in result.output
    assert "hello=world" not in body(out / D / "main.tf")


def test_real_record_beside_wildcard_still_counts(bind, tmp_path):
    """A real TXT at a DKIM name under a wildcard is still a conflict (only synthesised answers are dropped)."""
    bind.set_zones({
        D: zone_text(D, ['* TXT "hello=world"', 'mte1._domainkey TXT "v=DKIM1; p=old"']),
        "spotme.com": SPOTME_ZONE,
    })
    result, out = generate(tmp_path, spec_text(), bind, "--force")
    assert result.exit_code == 1, result.output
    assert "mte1._domainkey.acme-events.com already holds TXT 'v=DKIM1; p=old'" in result.output


def test_real_record_equal_to_the_wildcard_is_a_record(bind, tmp_path):
    """Found by a customer's IT team: `*.mail.D TXT "v=spf1 -all"` and an explicit `news.mail.D` with
    the same TXT. The explicit one is a record (a label under it is NXDOMAIN), so discovery merges
    it instead of writing a second SPF record beside it (RFC 4592 §2.2.2)."""
    bind.set_zones({
        D: zone_text(D, ['*.mail TXT "v=spf1 -all"', 'news.mail TXT "v=spf1 -all"', 'other.mail A 192.0.2.1']),
        "spotme.com": SPOTME_ZONE,
    })
    result, out = generate(tmp_path, spec_text(f"news.mail.{D}", zone=D), bind)
    assert result.exit_code == 0, result.output
    assert "wildcard" not in result.output
    main_tf = body(out / f"news.mail.{D}" / "main.tf")
    assert main_tf.count("v=spf1") == 1 and "v=spf1 include:_spf.spotme.com -all" in main_tf


def test_wildcard_below_a_missing_parent_is_still_a_wildcard(bind, tmp_path):
    """`* TXT` at the apex answers `_dmarc.sub.D` although `sub.D` has no node: still synthesised."""
    bind.set_zones({D: zone_text(D, ['* TXT "v=DMARC1; p=none"']), "spotme.com": SPOTME_ZONE})
    result, out = generate(tmp_path, spec_text(f"sub.{D}", zone=D), bind)
    assert result.exit_code == 0, result.output
    assert f"only the wildcard *.sub.{D} (or a wildcard above it)" in result.output


# ------------------------------------------------------------------------------ delegated DMARC (point 6)


VENDOR = "dmarc-vendor.test"


def test_delegated_dmarc_adopted_no_resource(bind, tmp_path):
    """`_dmarc CNAME` to a DMARC service serving a valid record: adopted, no DMARC resource written."""
    bind.set_zones({
        D: zone_text(D, [f"_dmarc CNAME {D}.d.{VENDOR}."]),
        VENDOR: zone_text(VENDOR, [f'{D}.d TXT "v=DMARC1; p=quarantine; rua=mailto:agg@{VENDOR}"']),
        "spotme.com": SPOTME_ZONE,
    })
    result, out = generate(tmp_path, spec_text(), bind)
    assert result.exit_code == 0, result.output
    assert f"_dmarc.{D} is a CNAME to {D}.d.{VENDOR}, which serves a valid DMARC record" in result.output
    main_tf = body(out / D / "main.tf")
    assert "DMARC1" not in main_tf and f"_dmarc.{D}" not in main_tf
    assert "is not part of this change" in (out / D / "HANDOFF.md").read_text()


def test_delegated_dmarc_adoption_is_written_into_the_spec(bind, tmp_path):
    """The adopted delegated record becomes `dmarc: {manage: false}` in the spec, and a later plain
    generate from the old spec (a colleague's copy) warns that it would replace it."""
    bind.set_zones({
        D: zone_text(D, [f"_dmarc CNAME {D}.d.{VENDOR}."]),
        VENDOR: zone_text(VENDOR, [f'{D}.d TXT "v=DMARC1; p=quarantine"']),
        "spotme.com": SPOTME_ZONE,
    })
    original = spec_text(extra="    dmarc:\n      rua: [mailto:d@acme-events.com]\n")
    result, out = generate(tmp_path, original, bind)
    assert result.exit_code == 0, result.output
    written = (tmp_path / "spec.yaml").read_text()
    assert "manage: false" in written and "rua" not in written
    again = CliRunner().invoke(cli, ["generate", str(tmp_path / "spec.yaml"), "-o", str(out)])
    assert again.exit_code == 0 and "warning" not in again.output, again.output
    colleague = tmp_path / "old.yaml"
    colleague.write_text(original)
    old = CliRunner().invoke(cli, ["generate", str(colleague), "-o", str(out)])
    assert "the DMARC record it left alone (a delegated _dmarc CNAME" in old.output + old.stderr


def test_delegated_dmarc_weaker_than_spec_refused(bind, tmp_path):
    """The spec asks p=reject, the delegated record says p=none: nothing spotme-dns can write fixes it."""
    bind.set_zones({
        D: zone_text(D, [f"_dmarc CNAME {D}.d.{VENDOR}."]),
        VENDOR: zone_text(VENDOR, [f'{D}.d TXT "v=DMARC1; p=none"']),
        "spotme.com": SPOTME_ZONE,
    })
    result, out = generate(tmp_path, spec_text(extra="    dmarc: {policy: reject}\n"), bind)
    assert result.exit_code == 1, result.output
    assert "has p=none, weaker than the spec's p=reject" in result.output
    assert not out.exists()
    forced, out = generate(tmp_path, spec_text(extra="    dmarc: {policy: reject}\n"), bind, "--force")
    assert forced.exit_code == 0, forced.output
    assert "DMARC1" not in body(out / D / "main.tf")


def test_delegated_dmarc_weaker_than_the_parent_is_kept_with_a_note(bind, tmp_path):
    """Found by a customer's IT team: a vendor's p=quarantine under a parent's sp=reject is live
    already, like a weaker TXT override: kept with a note, not a refusal nothing can lift."""
    bind.set_zones({
        D: zone_text(D, ['_dmarc TXT "v=DMARC1; p=reject; sp=reject"', f"_dmarc.events CNAME events.{D}.d.{VENDOR}."]),
        VENDOR: zone_text(VENDOR, [f'events.{D}.d TXT "v=DMARC1; p=quarantine"']),
        "spotme.com": SPOTME_ZONE,
    })
    result, out = generate(tmp_path, spec_text(f"events.{D}", zone=D), bind)
    assert result.exit_code == 0, result.output
    assert f"_dmarc.events.{D} is a CNAME to events.{D}.d.{VENDOR} whose p=quarantine already overrides" in result.output
    assert "DMARC1" not in body(out / f"events.{D}" / "main.tf")


def test_dmarc_manage_false_leaves_dmarc_alone(bind, tmp_path):
    """`dmarc: {manage: false}`: no DMARC resource whatever is live."""
    bind.set_zones({D: zone_text(D, ['_dmarc TXT "v=DMARC1; p=reject"']), "spotme.com": SPOTME_ZONE})
    result, out = generate(tmp_path, spec_text(extra="    dmarc: {manage: false}\n"), bind)
    assert result.exit_code == 0, result.output
    assert "dmarc.manage is false: no DMARC record written" in result.output
    assert "DMARC1" not in body(out / D / "main.tf")


# ------------------------------------------------------------------------------ subdomains (point 4)


def test_subdomain_inherits_stricter_org_policy(bind, tmp_path):
    """Sending from mail.org.test: its own record would override org.test's sp=reject, so p=reject it is."""
    bind.set_zones({
        ORG: zone_text(ORG, ['_dmarc TXT "v=DMARC1; p=reject; sp=reject; rua=mailto:d@org.test"']),
        "spotme.com": SPOTME_ZONE,
    })
    result, out = generate(tmp_path, spec_text(SUB, zone=ORG, extra="    dmarc: {policy: none}\n"), bind)
    assert result.exit_code == 0, result.output
    assert f"p=reject inherited from _dmarc.{ORG} (sp=reject)" in result.output and "RFC 9989" in result.output
    main_tf = body(out / SUB / "main.tf")
    assert "v=DMARC1; p=reject;" in main_tf and "p=none" not in main_tf


def test_subdomain_in_delegated_zone_sees_parent(bind, tmp_path):
    """news.corp.test is its own zone: the walk still finds corp.test's p=quarantine (no sp)."""
    org, sub = "corp.test", "news.corp.test"
    bind.set_zones({
        org: zone_text(org, ['_dmarc TXT "v=DMARC1; p=quarantine"', f"news NS ns1.{org}.", "ns1 A 127.0.0.1"]),
        sub: zone_text(sub, ['@ TXT "v=spf1 mx -all"']),
        "spotme.com": SPOTME_ZONE,
    })
    result, out = generate(tmp_path, spec_text(sub, zone=sub), bind)
    assert result.exit_code == 0, result.output
    assert f"p=quarantine inherited from _dmarc.{org} (p=quarantine)" in result.output
    assert "v=DMARC1; p=quarantine;" in body(out / sub / "main.tf")


def test_existing_subdomain_override_is_kept_and_said(bind, tmp_path):
    """mail.org.test has its own p=none already: kept as it is (raising it unasked would change the
    customer's mail handling), and the override of org.test's p=reject is said."""
    bind.set_zones({
        ORG: zone_text(ORG, ['_dmarc TXT "v=DMARC1; p=reject"', '_dmarc.mail TXT "v=DMARC1; p=none; rua=mailto:d@org.test"']),
        "spotme.com": SPOTME_ZONE,
    })
    result, out = generate(tmp_path, spec_text(SUB, zone=ORG), bind)
    assert result.exit_code == 0, result.output
    assert f"the live p=none at _dmarc.{SUB} already overrides _dmarc.{ORG} (p=reject)" in result.output
    assert "v=DMARC1; p=none; rua=mailto:d@org.test" in body(out / SUB / "main.tf")


def test_psd_record_does_not_bind_the_org_domain(bind, tmp_path):
    """A psd=y record above is a Public Suffix Domain's default: the customer's own p=none stands."""
    bind.set_zones({
        ORG: zone_text(ORG, ['_dmarc TXT "v=DMARC1; p=reject; psd=y"']),
        "spotme.com": SPOTME_ZONE,
    })
    result, out = generate(tmp_path, spec_text(SUB, zone=ORG, extra="    dmarc: {policy: none}\n"), bind)
    assert result.exit_code == 0, result.output
    assert "inherited" not in result.output
    assert "v=DMARC1; p=none;" in body(out / SUB / "main.tf")


def test_tree_walk_on_the_live_edge(bind):
    """LiveDns.dmarc_tree_walk: the Organizational Domain's record by RFC 9989's walk (fewest labels wins)."""
    bind.set_zones({
        ORG: zone_text(ORG, [
            '_dmarc TXT "v=DMARC1; p=reject; sp=quarantine"',
            '_dmarc.a TXT "v=DMARC1; p=none"',
        ]),
    })

    async def run():
        dns = LiveDns(nameservers=[bind.server], resolvers=[bind.server], timeout=2)
        return await dns.dmarc_tree_walk(f"x.a.{ORG}"), await dns.dmarc_tree_walk(ORG)

    deep, top = asyncio.run(run())
    assert deep.parent is not None and (deep.parent.domain, deep.parent.tag, deep.parent.policy) == (ORG, "sp", "quarantine")
    assert top.parent is None


def test_wildcard_probe_on_the_live_edge(bind):
    """LiveDns.query_own: a synthesised answer reads NXDOMAIN and says which wildcard; a real one stays."""
    bind.set_zones({D: zone_text(D, ['* TXT "hello=world"', '_dmarc TXT "v=DMARC1; p=none"'])})

    async def run():
        dns = LiveDns(nameservers=[bind.server], resolvers=[bind.server], timeout=2)
        return await dns.query_own(D, f"x.{D}", "TXT"), await dns.query_own(D, f"_dmarc.{D}", "TXT")

    (synth,), (real,) = asyncio.run(run())
    assert synth.outcome is Outcome.NXDOMAIN and synth.wildcard == f"*.{D} TXT 'hello=world'"
    assert real.outcome is Outcome.ANSWER and real.values == ("v=DMARC1; p=none",) and not real.wildcard


# ------------------------------------------------------------------------------ SPF (point 7)


def test_two_spf_records_each_redirect_becomes_include(bind, tmp_path):
    """Two SPF records, each with its own redirect=: both become include:, neither is lost."""
    bind.set_zones({
        D: zone_text(D, ['@ TXT "v=spf1 ip4:192.0.2.1 redirect=_spf.a-mail.test"', '@ TXT "v=spf1 redirect=_spf.b-mail.test"']),
        "a-mail.test": zone_text("a-mail.test", ['_spf TXT "v=spf1 ip4:198.51.100.0/24 -all"']),
        "b-mail.test": zone_text("b-mail.test", ['_spf TXT "v=spf1 ip4:203.0.113.128/25 -all"']),
        "spotme.com": SPOTME_ZONE,
    })
    result, out = generate(tmp_path, spec_text(), bind)
    assert result.exit_code == 0, result.output
    assert "v=spf1 ip4:192.0.2.1 include:_spf.a-mail.test include:_spf.b-mail.test include:_spf.spotme.com -all" in body(out / D / "main.tf")


def test_terms_after_all_dropped_not_activated(bind, tmp_path):
    """RFC 7208 §5.1: `+ip4` after `-all` was never evaluated; merged, it is dropped with a note."""
    bind.set_zones({D: zone_text(D, ['@ TXT "v=spf1 mx -all ip4:0.0.0.0/0"']), "spotme.com": SPOTME_ZONE})
    result, out = generate(tmp_path, spec_text(), bind)
    assert result.exit_code == 0, result.output
    assert "dropped ip4:0.0.0.0/0: it stood after 'all'" in result.output
    main_tf = body(out / D / "main.tf")
    assert "v=spf1 mx include:_spf.spotme.com -all" in main_tf and "0.0.0.0/0" not in main_tf


def test_existing_permerror_refused_without_force(bind, tmp_path):
    """An include of a name without SPF is already a permerror: exit 1, nothing written; --force merges."""
    bind.set_zones({
        D: zone_text(D, ['@ TXT "v=spf1 include:_spf.gone.test ~all"']),
        "gone.test": zone_text("gone.test", []),
        "spotme.com": SPOTME_ZONE,
    })
    result, out = generate(tmp_path, spec_text(), bind)
    assert result.exit_code == 1, result.output
    assert "already a permerror (include:_spf.gone.test has no SPF record)" in result.output
    assert not out.exists()
    forced, _ = generate(tmp_path, spec_text(), bind, "--force")
    assert forced.exit_code == 0, forced.output


def test_existing_include_loop_refused(bind, tmp_path):
    """An include that comes back to itself is a permerror too."""
    bind.set_zones({
        D: zone_text(D, ['@ TXT "v=spf1 include:_spf.loop.test ~all"']),
        "loop.test": zone_text("loop.test", ['_spf TXT "v=spf1 include:_spf.loop.test -all"']),
        "spotme.com": SPOTME_ZONE,
    })
    result, out = generate(tmp_path, spec_text(), bind)
    assert result.exit_code == 1, result.output
    assert "include loop" in result.output


def test_existing_void_lookups_refused(bind, tmp_path):
    """Three lookups that find nothing: over RFC 7208 §4.6.4's two void lookups, already a permerror."""
    bind.set_zones({
        D: zone_text(D, ['@ TXT "v=spf1 a:x1.gone.test a:x2.gone.test mx:x3.gone.test ~all"']),
        "gone.test": zone_text("gone.test", []),
        "spotme.com": SPOTME_ZONE,
    })
    result, out = generate(tmp_path, spec_text(), bind)
    assert result.exit_code == 1, result.output
    assert "3 lookups find nothing, over the limit of 2 void lookups" in result.output
    assert not out.exists()


def test_two_exp_modifiers_no_crash(bind, tmp_path):
    """Two SPF records with their own exp=: one kept (deterministically) with a note, never exit 70."""
    bind.set_zones({
        D: zone_text(D, ['@ TXT "v=spf1 mx exp=why.acme-events.com -all"', '@ TXT "v=spf1 a exp=other.acme-events.com -all"']),
        "spotme.com": SPOTME_ZONE,
    })
    result, out = generate(tmp_path, spec_text(), bind)
    assert result.exit_code == 0, result.output
    assert "kept exp=other.acme-events.com and dropped exp=why.acme-events.com" in result.output
    assert "v=spf1 a mx include:_spf.spotme.com -all exp=other.acme-events.com" in body(out / D / "main.tf")


def test_trailing_dot_include_is_the_same_include(bind, tmp_path):
    """`include:_spf.spotme.com.` is SpotMe's include: adopted, not doubled."""
    bind.set_zones({D: zone_text(D, ['@ TXT "v=spf1 include:_spf.spotme.com. include:_spf.google.com ~all"']), "spotme.com": SPOTME_ZONE})
    result, out = generate(tmp_path, spec_text(), bind)
    assert result.exit_code == 0, result.output
    main_tf = body(out / D / "main.tf")
    assert main_tf.count("_spf.spotme.com") == 1


# ------------------------------------------------------------------------------ equal meaning (point 8)


def test_cloudflare_adopts_dmarc_equal_in_meaning(cloudflare, bind, tmp_path, monkeypatch):
    """Cloudflare keeps one record per value: a live DMARC record that says what the spec says, in
    other bytes (no trailing ';', other spacing), is imported as it is, never a second record beside it."""
    import hcl2

    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    live = "v=DMARC1;p=quarantine;  rua=mailto:dmarc@acme-events.com"
    zone_id = cloudflare.add_zone(D, "0123456789abcdef0123456789abcdef")
    dmarc_id = cloudflare.add_record(zone_id, f"_dmarc.{D}", "TXT", f'"{live}"')
    bind.set_zones({D: zone_text(D, [f'_dmarc TXT "{live}"']), "spotme.com": SPOTME_ZONE})
    extra = "    dmarc: {policy: quarantine, rua: [mailto:dmarc@acme-events.com]}\n"
    result, out = generate(tmp_path, spec_text(provider="cloudflare", extra=extra), bind)
    assert result.exit_code == 0, result.output
    assert "DMARC record meets the spec: adopted as it is" in result.output
    blocks = hcl2.loads((out / "imports.tf").read_text())["import"]
    imports = {b["to"].removeprefix("${").removesuffix("}"): b["id"].strip('"') for b in blocks}
    assert imports["module.acme_events_com.cloudflare_dns_record.dmarc"] == f"{zone_id}/{dmarc_id}"
    main_tf = body(out / D / "main.tf")
    assert main_tf.count("DMARC1") == 1 and "v=DMARC1;p=quarantine;  rua=" in main_tf
