"""`generate --discover` writes what it kept into the spec (issue 8, "the spec is the truth"),
and a later plain `generate` that would drop it warns, naming the values.

Live DNS is a real BIND; the spec files are written by hand with comments, so the round trip
must keep them."""

from __future__ import annotations

import json

from click.testing import CliRunner

from spotme_dns.cli.app import cli
from spotme_dns.kept import RECORD
from spotme_dns.spec import load_spec
from tests.support.bind import zone_text

D = "acme-events.com"
TOKENS = ("abcdefghijklmnop1234", "qrstuvwxyzabcdef5678", "ghijklmnopqrstuv9012")
GOOGLE = "google-site-verification=Xq3c9Rk2L0pNf7aT1bYvW8eUm4sDzHgJ"
OLD_SPF = "v=spf1 include:_spf.google.com ~all"
DMARC = "v=DMARC1; p=reject; sp=reject; rua=mailto:dmarc@acme-events.com"

SPEC = f"""\
# Acme's e-mail DNS (kept by the IT team; comments matter)
version: 1
domains:
  - domain: {D}  # the sending domain
    provider: route53
    zone_id: Z0123456789ABCDEFGHIJ  # prod account
    ses:
      dkim_tokens: [{", ".join(TOKENS)}]
    mandrill:
      verification: mandrill_verify.AbC123xyz  # from Mailchimp
"""


def seed(bind) -> None:
    bind.set_zones({
        D: zone_text(D, [f'@ TXT "{GOOGLE}"', f'@ TXT "{OLD_SPF}"', f'_dmarc TXT "{DMARC}"']),
        "spotme.com": zone_text("spotme.com", ['_spf TXT "v=spf1 ip4:203.0.113.0/24 -all"']),
        "google.com": zone_text("google.com", ['_spf TXT "v=spf1 ip4:35.190.247.0/24 -all"']),
    })


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def discover(spec, out, bind, *extra: str):
    return run("generate", str(spec), "-o", str(out), "--discover", "--nameserver", bind.address, "--resolver", bind.address, *extra)


def test_discover_writes_what_it_kept_into_the_spec(bind, tmp_path, monkeypatch):
    """spf.keep, spf.all, keep_txt and the DMARC tags go into the spec; comments stay; the diff is printed."""
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    seed(bind)
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC)
    result = discover(spec, tmp_path / "out", bind)
    assert result.exit_code == 0, result.output
    text = spec.read_text()
    # Every line of the old spec is still there, comments and all.
    for line in SPEC.splitlines():
        assert line in text.splitlines()
    domain = load_spec([str(spec)]).domains[0]
    assert domain.spf.keep == ("include:_spf.google.com",)
    assert domain.spf.all == "~all"
    assert domain.keep_txt == (GOOGLE,)
    assert domain.dmarc.text() == "v=DMARC1; p=reject; sp=reject; rua=mailto:dmarc@acme-events.com;"
    assert f"updated {spec} with what discovery kept:" in result.output
    assert f"--- {spec} (before)\n+++ {spec}\n" in result.output
    for added in ("+    spf:", "+        - include:_spf.google.com", "+      all: ~all", f"+      - {GOOGLE}", "+      sp: reject"):
        assert added + "\n" in result.output

    # Run again: nothing more to write, the spec is left byte for byte.
    again = discover(spec, tmp_path / "out", bind)
    assert again.exit_code == 0, again.output
    assert "the spec already says what discovery kept: not changed" in again.output
    assert spec.read_text() == text

    # A plain generate from the written spec renders the same resources (only discovery's comments go).
    discovered = resources(tmp_path / "out")
    plain = run("generate", str(spec), "-o", str(tmp_path / "out"))
    assert plain.exit_code == 0, plain.output
    assert "warning" not in plain.output
    # DMARC: the same tags; the spec builds the record in its own spelling (a trailing ';').
    assert resources(tmp_path / "out") == [line.replace(f'"{DMARC}"', f'"{DMARC};"') for line in discovered]
    # `records SPEC` says what is live now.
    listed = run("records", str(spec), "--format", "zone")
    assert listed.exit_code == 0, listed.output
    assert GOOGLE in listed.output and "include:_spf.google.com include:_spf.spotme.com ~all" in listed.output
    assert "p=reject; sp=reject; rua=mailto:dmarc@acme-events.com" in listed.output


def resources(out) -> list[str]:
    """The domain's generated Terraform without comment lines."""
    text = (out / D / "main.tf").read_text()
    return [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_no_write_spec_leaves_it_and_a_later_plain_generate_warns(bind, tmp_path, monkeypatch):
    """--no-write-spec: the spec is untouched; the plain generate after it names every value it drops."""
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    seed(bind)
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC)
    out = tmp_path / "out"
    result = discover(spec, out, bind, "--no-write-spec")
    assert result.exit_code == 0, result.output
    assert spec.read_text() == SPEC
    assert "the spec was left alone (--no-write-spec)" in result.output
    record = json.loads((out / RECORD).read_text())
    assert record["domains"][D] == {
        "spf": "v=spf1 include:_spf.google.com include:_spf.spotme.com ~all",
        "keep_txt": [GOOGLE],
        "dmarc": DMARC,
    }
    assert RECORD in json.loads((out / ".spotme-dns.json").read_text())["files"]

    plain = CliRunner().invoke(cli, ["generate", str(spec), "-o", str(out)])
    assert plain.exit_code == 0, plain.output + plain.stderr
    warning = plain.stderr
    assert warning.startswith(f"warning: {D}: this run drops what the last `generate --discover` kept: ")
    for named in ("SPF terms include:_spf.google.com", "SPF ~all (this run writes -all)", repr(GOOGLE), "DMARC p=reject rua=mailto:dmarc@acme-events.com sp=reject"):
        assert named in warning
    assert "1 warning: values the last discovery kept are dropped (see above)" in plain.stdout
    # The record survives the plain run, so the next one warns too.
    assert (out / RECORD).is_file()
    again = CliRunner().invoke(cli, ["generate", str(spec), "-o", str(out), "-q"])
    assert again.exit_code == 0 and "include:_spf.google.com" in again.stderr

    # A colleague's spec that says what was kept (here: written by hand, stricter DMARC): quiet.
    spec.write_text(SPEC + f"""\
    spf: {{keep: [include:_spf.google.com], all: ~all}}
    keep_txt: [{GOOGLE}]
    dmarc: {{policy: reject, sp: reject, np: reject, rua: dmarc@acme-events.com}}
""")
    fixed = CliRunner().invoke(cli, ["generate", str(spec), "-o", str(out)])
    assert fixed.exit_code == 0, fixed.output + fixed.stderr
    assert fixed.stderr == "" and "warning" not in fixed.stdout


def test_refused_discovery_writes_neither_spec_nor_output(bind, tmp_path, monkeypatch):
    """A refused merge (exit 1): the spec keeps its bytes and no output is made."""
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    bind.set_zones({
        # Two exp= in one record: already a permerror (RFC 7208 §6), refused without --force.
        D: zone_text(D, [f'@ TXT "{GOOGLE}"', '@ TXT "v=spf1 mx exp=a.acme-events.com exp=b.acme-events.com -all"']),
        "spotme.com": zone_text("spotme.com", ['_spf TXT "v=spf1 ip4:203.0.113.0/24 -all"']),
    })
    spec = tmp_path / "spec.yaml"
    text = SPEC + "    dmarc:\n      policy: none  # the team's choice\n"
    spec.write_text(text)
    result = discover(spec, tmp_path / "out", bind)
    assert result.exit_code == 1, result.output
    assert spec.read_text() == text
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------ discover + apply + verify --spec

LOOP_DMARC = "v=DMARC1; p=reject; sp=reject; rua=mailto:dmarc@acme-events.com;"


def moto_to_zone(moto, zone_id: str) -> list[str]:
    """The hosted zone as BIND zone-file lines (what the internet would see after the apply)."""
    lines = []
    for rs in moto.client("route53").list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]:
        if rs["Type"] not in ("TXT", "CNAME"):
            continue
        name = rs["Name"].rstrip(".")
        owner = "@" if name == D else name[: -len(D) - 1]
        for value in rs.get("ResourceRecords", []):
            text = value["Value"] + ("." if rs["Type"] == "CNAME" and not value["Value"].endswith(".") else "")
            lines.append(f"{owner} {rs['Type']} {text}")
    return lines


def test_after_discover_and_apply_the_spec_agrees_with_live(module_terraform_factory, moto_server, aws_env, bind, tmp_path):
    """Discover (Route53 via moto, live via BIND), apply with real terraform, then `verify --spec`,
    `records SPEC` and a plain `generate` agree with what is live: verify exits 0, the plan is empty."""
    from tests.support.aws import aws_provider_env
    from tests.test_import_loop import THE_REST_OF_THE_INTERNET

    aws_env.reset()
    r53 = aws_env.client("route53")
    zone_id = r53.create_hosted_zone(Name=D, CallerReference="writeback")["HostedZone"]["Id"].rsplit("/", 1)[-1]
    existing = [(D, [f'"{GOOGLE}"', f'"{OLD_SPF}"']), (f"_dmarc.{D}", [f'"{LOOP_DMARC}"'])]
    r53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": [
        {"Action": "CREATE", "ResourceRecordSet": {"Name": name, "Type": "TXT", "TTL": 300,
                                                   "ResourceRecords": [{"Value": v} for v in values]}}
        for name, values in existing
    ]})
    bind.set_zones({D: zone_text(D, moto_to_zone(aws_env, zone_id)), **THE_REST_OF_THE_INTERNET})
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC.replace("    zone_id: Z0123456789ABCDEFGHIJ  # prod account\n", ""))
    out = tmp_path / "out"
    result = discover(spec, out, bind)
    assert result.exit_code == 0, result.output

    tf = module_terraform_factory(out, env=aws_provider_env(moto_server))
    tf.init()
    tf.apply()
    bind.set_zones({D: zone_text(D, moto_to_zone(aws_env, zone_id), serial=2), **THE_REST_OF_THE_INTERNET})

    verify = run("verify", "--spec", str(spec), "--nameserver", bind.address, "--resolver", bind.address)
    assert verify.exit_code == 0, verify.output
    check = run("check", "--spec", str(spec), "--nameserver", bind.address, "--resolver", bind.address)
    assert check.exit_code == 0, check.output
    listed = run("records", str(spec), "--format", "zone").output
    for value in (GOOGLE, "v=spf1 include:_spf.google.com include:_spf.spotme.com ~all", LOOP_DMARC):
        assert value in listed
    assert "verify --spec spec.yaml" in (out / D / "HANDOFF.md").read_text()

    # A plain generate from the written spec (a colleague, CI): terraform has nothing to change.
    plain = run("generate", str(spec), "-o", str(out))
    assert plain.exit_code == 0, plain.output
    assert "warning" not in plain.output
    (out / "imports.tf").unlink(missing_ok=True)
    assert not tf.plan_has_changes()


# ------------------------------------------------------------------ the write-back itself (pure)

from dataclasses import replace  # noqa: E402

from spotme_dns.spec import DmarcSpec  # noqa: E402
from spotme_dns.spec_write import discovered_changes, write_spec_changes  # noqa: E402

FLEET = """\
version: 1
defaults:
  provider: route53
  spf:
    include: [_spf.spotme.com, _spf.partner.example]  # every domain sends through the partner too
domains:
  - domain: one.example
    zone_id: Z0123456789ABCDEFGHIJ
    ses: {dkim_tokens: [abcdefghijklmnop1234, qrstuvwxyzabcdef5678, ghijklmnopqrstuv9012]}
    mandrill: {verification: mandrill_verify.AbC123xyz}
    dmarc: {policy: quarantine, rua: reports@one.example}  # flow style on purpose
  - domain: two.example
    zone_id: Z0123456789ABCDEFGHIJ
    ses: {dkim_tokens: [abcdefghijklmnop1234, qrstuvwxyzabcdef5678, ghijklmnopqrstuv9012]}
    mandrill: {verification: mandrill_verify.AbC123xyz}
"""


def kept(domain, *, keep=(), all_=None, txt=(), dmarc_text=None):
    spf_spec = replace(domain.spf, keep=tuple(keep) + domain.spf.keep, all=all_ or domain.spf.all)
    out = replace(domain, spf=spf_spec, keep_txt=domain.keep_txt + tuple(txt))
    if dmarc_text:
        out = replace(out, dmarc=DmarcSpec("none", (), raw=dmarc_text))
    return out


def test_write_back_with_defaults_flow_style_and_odd_values(tmp_path):
    """Inherited `spf` stays inherited (only keep/all written per domain), a flow mapping is updated
    in place, values needing quotes read back the same, the other domain is untouched."""
    path = tmp_path / "fleet.yaml"
    path.write_text(FLEET)
    one, two = load_spec([str(path)]).domains
    odd = 'he said "hi": #1 \\ ok'
    merged = [
        kept(one, keep=["ip4:192.0.2.0/24", "include:_spf.partner.example"], all_="?all", txt=[odd, "ünïcode=✓"],
             dmarc_text="v=DMARC1;p=reject;rua=mailto:reports@one.example,mailto:x@dmarc.example!10m;fo=1"),
        two,
    ]
    (change,) = discovered_changes((one, two), merged)
    assert change.notes == ()
    write_spec_changes([change])
    again = {d.domain: d for d in load_spec([str(path)]).domains}
    assert again["one.example"].spf.include == ("_spf.spotme.com", "_spf.partner.example")  # still from defaults
    assert again["one.example"].spf.keep == ("ip4:192.0.2.0/24",)  # the partner include is ours, not kept twice
    assert again["one.example"].spf.all == "?all"
    assert again["one.example"].keep_txt == (odd, "ünïcode=✓")
    assert again["one.example"].dmarc.text() == (
        "v=DMARC1; p=reject; rua=mailto:reports@one.example,mailto:x@dmarc.example!10m; fo=1;"
    )
    assert again["two.example"] == two
    text = path.read_text()
    assert "# every domain sends through the partner too" in text and "# flow style on purpose" in text
    assert FLEET.split("  - domain: two.example")[1] in text  # the second entry byte for byte


def test_write_back_refuses_what_the_spec_cannot_say(tmp_path):
    """`+all` has no spec spelling: a note, and the rest is still written; stdin specs get a note only."""
    path = tmp_path / "fleet.yaml"
    path.write_text(FLEET)
    one, two = load_spec([str(path)]).domains
    (change,) = discovered_changes((one, two), [kept(one, keep=["mx"], all_="+all"), two])
    assert any("spf.all cannot be '+all'" in n for n in change.notes)
    assert any("the spec cannot say exactly what was kept" in n for n in change.notes)
    assert "        - mx" in change.new or "keep: [mx]" in change.new
    stdin_one = replace(one, location=replace(one.location, path="-"))
    (note_only,) = discovered_changes((stdin_one,), [kept(stdin_one, keep=["mx"])])
    assert not note_only.changed and "standard input" in note_only.notes[0]


def test_write_back_of_a_control_character_leaves_the_file(tmp_path):
    """A kept TXT value the spec refuses (a control character): the file keeps its bytes, with a note."""
    path = tmp_path / "fleet.yaml"
    path.write_text(FLEET)
    one, two = load_spec([str(path)]).domains
    (change,) = discovered_changes((one, two), [kept(one, txt=["bell\x07"]), two])
    assert not change.changed and "would not load" in change.notes[-1]
    write_spec_changes([change])
    assert path.read_text() == FLEET


def test_write_back_never_changes_another_domain_through_a_yaml_alias(tmp_path):
    """Two domains share one DMARC mapping (anchor and alias): writing the first's kept tags would
    change the second's too, so the file is left as it is, with a note."""
    path = tmp_path / "fleet.yaml"
    shared = FLEET.replace("dmarc: {policy: quarantine, rua: reports@one.example}  # flow style on purpose",
                           "dmarc: &dm {policy: quarantine, rua: reports@one.example}")
    shared += "    dmarc: *dm\n"
    path.write_text(shared)
    one, two = load_spec([str(path)]).domains
    assert two.dmarc.policy == "quarantine"
    (change,) = discovered_changes((one, two), [kept(one, dmarc_text="v=DMARC1; p=reject; rua=mailto:reports@one.example"), two])
    assert not change.changed, change.diff()
    assert "would change two.example too" in change.notes[-1]


def test_refused_output_directory_leaves_the_spec(bind, tmp_path, monkeypatch):
    """-o names a directory spotme-dns did not write (exit 2): neither it nor the spec is touched."""
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    seed(bind)
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC)
    out = tmp_path / "theirs"
    out.mkdir()
    (out / "notes.txt").write_text("mine\n")
    result = discover(spec, out, bind)
    assert result.exit_code == 2, result.output
    assert "was not written by spotme-dns" in result.output
    assert spec.read_text() == SPEC
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]


def test_init_then_discover_keeps_a_stricter_policy_and_a_softfail(bind, tmp_path, monkeypatch):
    """A spec from `init` (no policy, no all asked for) meets a zone with p=reject and ~all:
    discovery refuses nothing, keeps both, and writes them after init's hints."""
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    seed(bind)
    spec = tmp_path / "spotme.yaml"
    made = run("init", "--no-input", "--domain", D, "--zone-id", "Z0123456789ABCDEFGHIJ",
               *(arg for t in TOKENS for arg in ("--ses-token", t)), "--mandrill-key", "AbC123xyz", "-o", str(spec))
    assert made.exit_code == 0, made.output
    before = spec.read_text()
    result = discover(spec, tmp_path / "out", bind)
    assert result.exit_code == 0, result.output
    (domain,) = load_spec([str(spec)]).domains
    assert (domain.spf.all, domain.dmarc.policy, dict(domain.dmarc.tags)["sp"]) == ("~all", "reject", "reject")
    after = spec.read_text()
    assert after.startswith(before.rstrip("\n").rsplit("\n", 1)[0])  # all of init's text, hints included
    assert after.index("# all: -all | ~all | ?all") < after.index("all: ~all")
    assert "      keep: [include:_spf.google.com]\n" in after  # init's `keep: []` filled in its own style
