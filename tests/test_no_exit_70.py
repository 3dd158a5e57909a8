"""No exit 70 on any input (issue 8): generated zone contents through discover, validate and check.

A property test against a real BIND: each example serves a zone holding a generated mix of
SPF records (one, two, broken, redirects, terms after `all`, two `exp=`), DMARC records (valid,
broken, doubled, delegated by CNAME), other TXT values (odd bytes, quotes, non-ASCII, values
longer than one 255-octet string), CNAMEs where our records go, and wildcards. Whatever the
zone holds, `generate --discover`, `validate --spec` and `check --spec` must answer with a
finding or a refusal (exit 1), bad input (exit 2) or success (exit 0): never an internal error
(exit 70) and never a traceback. Examples are bounded so the test runs in well under a minute.
"""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spotme_dns.cli.app import cli
from tests.support.bind import zone_text

D = "prop.test"
TOKENS = ("abcdefghijklmnop1234", "qrstuvwxyzabcdef5678", "ghijklmnopqrstuv9012")
_serial = itertools.count(1)

SPF_TERMS = st.sampled_from([
    "include:_spf.google.com", "include:missing.prop.test", "include:_spf.spotme.com", "~include:_spf.spotme.com",
    "include:_spf.google.com.", "include:loop.prop.test", "ip4:192.0.2.0/24", "ip4:999.1.1.1", "ip6:2001:db8::/32",
    "a", "mx", "ptr", "exists:%{i}.x.prop.test", "-all", "~all", "?all", "+all", "all", "redirect=_spf.google.com",
    "redirect=other.prop.test", "exp=explain.prop.test", "exp=other.prop.test", "include:", "v=spf1", "bogus",
    "unknown=mod", "a:", "mx:prop.test/24", "%{z}",
])
SPF = st.lists(SPF_TERMS, max_size=8).map(lambda terms: " ".join(["v=spf1", *terms]))
DMARC_TAGS = st.sampled_from([
    "p=none", "p=quarantine", "p=reject", "p=block", "sp=reject", "sp=none", "np=reject", "rua=mailto:d@prop.test",
    "rua=mailto:d@elsewhere.example", "rua=nope", "ruf=mailto:f@prop.test", "pct=50", "pct=150", "fo=1", "fo=x",
    "adkim=s", "aspf=R", "ri=86400", "unknown=x", "", "v=DMARC1", "t=y", "psd=n",
])
DMARC = st.tuples(st.sampled_from(["v=DMARC1", "v=DMARC1 ", "V=DMARC1", "v=dmarc1"]), st.lists(DMARC_TAGS, max_size=6),
                  st.sampled_from(["", ";", "; "])).map(lambda t: "; ".join([t[0], *t[1]]) + t[2])
ODD = st.one_of(
    st.text(max_size=40),
    st.binary(max_size=40).map(lambda b: b.decode("latin-1")),
    st.text(alphabet='abc "\\;=', min_size=1, max_size=20),
    st.integers(min_value=256, max_value=700).map(lambda n: "k=" + "x" * n),
    st.sampled_from(["google-site-verification=abc", "mandrill_verify.AbC123xyz", "mandrill_verify.other", "v=spf1", "v=DMARC1"]),
)
TXT_VALUES = st.lists(st.one_of(SPF, DMARC, ODD), min_size=1, max_size=4)
CNAME_TARGETS = st.sampled_from([
    "dkim1.mandrillapp.com.", "dkim2.mandrillapp.com.", "elsewhere.example.", "vendor-dmarc.prop.test.",
    f"{TOKENS[0]}.dkim.amazonses.com.", "loop.prop.test.",
])
# What a name holds: nothing, TXT values, or a CNAME.
NAME_DATA = st.one_of(st.none(), TXT_VALUES.map(lambda v: ("TXT", v)), CNAME_TARGETS.map(lambda t: ("CNAME", t)))
NAMES = (
    "_dmarc", "mte1._domainkey", "mte2._domainkey", f"{TOKENS[0]}._domainkey", "*", "*._domainkey", "mail",
    "_dmarc.mail", "mte1._domainkey.mail", "*.mail",
)


def quote(text: str) -> str:
    """`text` (its UTF-8 bytes) as zone-file character-strings of at most 255 octets each."""
    data = text.encode("utf-8", "surrogatepass")
    chunks = [data[i:i + 255] for i in range(0, len(data), 255)] or [b""]
    out = []
    for chunk in chunks:
        escaped = "".join(
            "\\" + chr(b) if b in (0x22, 0x5C) else chr(b) if 0x20 <= b < 0x7F else f"\\{b:03d}" for b in chunk
        )
        out.append(f'"{escaped}"')
    return " ".join(out)


def zone_lines(apex: list[str], names: dict[str, tuple[str, object] | None]) -> list[str]:
    lines = [f"@ TXT {quote(v)}" for v in dict.fromkeys(apex)]
    for name, data in names.items():
        if data is None:
            continue
        kind, value = data
        if kind == "CNAME":
            lines.append(f"{name} CNAME {value}")
        else:
            lines += [f"{name} TXT {quote(v)}" for v in dict.fromkeys(value)]  # type: ignore[union-attr]
    lines += ['vendor-dmarc TXT "v=DMARC1; p=reject"', 'loop TXT "v=spf1 include:loop.prop.test -all"',
              'other TXT "v=spf1 ip4:198.51.100.1 -all"', 'explain TXT "no"']
    return lines


SPEC_EXTRAS = st.sampled_from([
    "",
    "    spf: {keep: [ip4:192.0.2.1], all: ~all}\n",
    "    dmarc: {policy: reject, rua: [mailto:d@prop.test]}\n",
    "    dmarc: {policy: none}\n",
    "    keep_txt: [google-site-verification=abc]\n",
])


def spec_text(provider: str, extra: str, domain: str = D) -> str:
    zone_id = {
        "route53": "    zone_id: Z0123456789ABCDEFGHIJ\n", "cloudflare": "    zone_id: 0123456789abcdef0123456789abcdef\n",
        "google": "    google: {project: prop-test-123, managed_zone: prop-test}\n",
        "azure": "    azure: {resource_group: rg, subscription_id: 00000000-1111-2222-3333-444444444444}\n",
    }
    return (
        "version: 1\ndomains:\n"
        f"  - domain: {domain}\n    zone: {D}\n    provider: {provider}\n{zone_id.get(provider, '')}"
        f"    ses:\n      dkim_tokens: [{', '.join(TOKENS)}]\n"
        "    mandrill:\n      verification: mandrill_verify.AbC123xyz\n" + extra
    )


def run(*args: str):
    result = CliRunner().invoke(cli, ["--debug", *args])
    text = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert result.exit_code in (0, 1, 2), f"spotme-dns {' '.join(args)} exited {result.exit_code}:\n{text}"
    assert "Traceback" not in text and "internal error" not in text, text
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


@settings(
    max_examples=60, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    apex=st.lists(st.one_of(SPF, DMARC, ODD), max_size=4),
    names=st.fixed_dictionaries({name: NAME_DATA for name in NAMES}),
    provider=st.sampled_from(["generic", "route53", "cloudflare", "rfc2136", "google", "azure"]),
    extra=SPEC_EXTRAS,
    force=st.booleans(),
    domain=st.sampled_from([D, f"mail.{D}"]),
)
def test_no_exit_70_for_any_zone(bind, monkeypatch, apex, names, provider, extra, force, domain):
    """discover (and a plain generate after it), validate, verify and check: exit 0, 1 or 2 whatever the zone holds."""
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("CLOUDFLARE_API_TOKEN", raising=False)
    for var in ("GOOGLE_OAUTH_ACCESS_TOKEN", "AZURE_ACCESS_TOKEN", "DNS_UPDATE_SERVER"):
        monkeypatch.delenv(var, raising=False)
    bind.set_zones({D: zone_text(D, zone_lines(apex, names), serial=next(_serial))})
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp, "spec.yaml")
        spec.write_text(spec_text(provider, extra, domain))
        ns = ("--nameserver", bind.address, "--resolver", bind.address)
        out = str(Path(tmp, "out"))
        found = run("generate", str(spec), "-o", out, "--discover", *ns, *(("--force",) if force else ()))
        if found.exit_code == 0:  # the spec as discovery wrote it, and its record, read back
            run("generate", str(spec), "-o", out)
            run("records", str(spec))
        run("validate", "--spec", str(spec), *ns)
        run("verify", "--spec", str(spec), *ns)
        run("check", "--spec", str(spec), *ns)
        run("check", domain, *ns)


def test_two_exp_modifiers_are_refused_not_a_crash(bind, tmp_path, monkeypatch):
    """Found by the property test: an existing SPF record with two `exp=` (a permerror, RFC 7208 §6)
    made discovery exit 70; it is a refusal (exit 1, nothing written), and --force merges keeping one."""
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    bind.set_zones({D: zone_text(D, ['@ TXT "v=spf1 exp=explain.prop.test exp=other.prop.test"'], serial=next(_serial))})
    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text("generic", ""))
    result = run("generate", str(spec), "-o", str(tmp_path / "out"), "--discover", "--nameserver", bind.address, "--resolver", bind.address)
    assert result.exit_code == 1, result.output
    assert "'exp=' appears more than once" in result.output
    assert not (tmp_path / "out").exists()
    forced = run("generate", str(spec), "-o", str(tmp_path / "out"), "--discover", "--nameserver", bind.address, "--resolver", bind.address, "--force")
    assert forced.exit_code == 0, forced.output
    assert "kept exp=explain.prop.test and dropped exp=other.prop.test" in forced.output
