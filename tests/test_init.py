"""`spotme-dns init`: with flags (CliRunner) and answering its prompts in a real pseudo-terminal."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from spotme_dns.cli import cli
from spotme_dns.cli.schema import schema_path
from spotme_dns.schema.build import SCHEMA_URL
from spotme_dns.spec import INIT_PROVIDERS, Provider, load_spec, parse_spec_text
from spotme_dns.spec_template import PLACEHOLDER, Field, InitAnswers, answer_problems, render_spec

T1 = "4fkbvhmrpxqz2dn7tyw3cgjs5e6uiaol"
T2 = "wrqplteh7oodxnad7hsl4mixg2uavzne"
T3 = "3frqe7jn4obpuxjpwpolz6ipb3k5nvt2"
ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads(schema_path().read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

FLAGS = [
    "--domain", "acme-events.com", "--provider", "route53",
    "--ses-token", T1, "--ses-token", T2, "--ses-token", T3,
    "--mandrill-key", "AbC123xyz", "--dmarc-policy", "quarantine", "--rua", "dmarc@acme-events.com",
]


def run(*args: str) -> object:
    """Invoke `spotme-dns init` in-process (standard input is not a terminal)."""
    return CliRunner().invoke(cli, ["init", *args])


def test_flags_write_a_spec_that_loads(tmp_path: Path) -> None:
    """All values as flags: the commented spec is written, loads with load_spec and holds every answer."""
    out = tmp_path / "acme.yaml"
    result = run(*FLAGS, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.stderr
    (d,) = load_spec([str(out)]).domains
    assert (d.domain, d.zone, d.provider) == ("acme-events.com", "acme-events.com", Provider.ROUTE53)
    assert d.ses.dkim_tokens == (T1, T2, T3)
    assert d.mandrill.verification == "mandrill_verify.AbC123xyz"
    assert d.dmarc.text() == "v=DMARC1; p=quarantine; rua=mailto:dmarc@acme-events.com;"
    text = out.read_text(encoding="utf-8")
    # Outside a checkout: the schema's stable URL, its $id, not a path on this machine.
    assert text.splitlines()[0] == f"# yaml-language-server: $schema={SCHEMA_URL}"
    assert json.loads(schema_path().read_text(encoding="utf-8"))["$id"] == SCHEMA_URL
    assert "# the sending (From:) domain" in text and "never a second v=spf1 record" in text
    VALIDATOR.validate(yaml.safe_load(text))


def test_defaults_when_only_required_flags_are_given(tmp_path: Path) -> None:
    """Only domain, tokens and key: zone = domain, route53; no DMARC section and no spf.all written
    (issue 8: an existing stricter policy or a ~all is kept by discovery, not refused or hardened)."""
    out = tmp_path / "spotme.yaml"
    result = run("--domain", "Mail.Acme.com", "--ses-token", T1, "--ses-token", T2, "--ses-token", T3,
                 "--mandrill-key", "mandrill_verify.AbC123xyz", "-o", str(out))
    assert result.exit_code == 0, result.output
    (d,) = load_spec([str(out)]).domains
    assert (d.domain, d.zone, d.provider, d.dmarc.text()) == ("mail.acme.com", "mail.acme.com", Provider.ROUTE53, "v=DMARC1; p=none;")
    assert not d.dmarc.explicit and not d.spf.all_explicit
    data = yaml.safe_load(out.read_text(encoding="utf-8"))["domains"][0]
    assert "dmarc" not in data and "all" not in data["spf"]
    text = out.read_text(encoding="utf-8")
    assert "#   dmarc: {policy: none, rua: [mailto:dmarc-reports@Mail.Acme.com]}" in text
    assert "# all: -all | ~all | ?all; unset, an existing record's is kept" in text
    assert "# dmarc: unset, so an existing DMARC record is kept as it is" in text
    assert text.rstrip().endswith("keep: []")  # hints before the keys: keys written later go after them


def test_policy_and_all_written_only_when_asked(tmp_path: Path) -> None:
    """--spf-all and --dmarc-policy write `all` and `policy`; --rua alone writes a dmarc section without a policy."""
    out = tmp_path / "spotme.yaml"
    result = run(*FLAGS, "--spf-all", "~all", "-o", str(out))
    assert result.exit_code == 0, result.output
    (d,) = load_spec([str(out)]).domains
    assert (d.spf.all, d.spf.all_explicit, d.dmarc.policy) == ("~all", True, "quarantine")
    rua_only = tmp_path / "rua.yaml"
    result = run("--domain", "acme.com", "--ses-token", T1, "--ses-token", T2, "--ses-token", T3,
                 "--mandrill-key", "AbC123xyz", "--rua", "dmarc@acme.com", "-o", str(rua_only))
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(rua_only.read_text(encoding="utf-8"))["domains"][0]
    assert data["dmarc"] == {"rua": ["mailto:dmarc@acme.com"]}
    assert "# policy: none" in rua_only.read_text(encoding="utf-8")
    bad = run(*FLAGS, "--spf-all", "+all", "-o", str(tmp_path / "bad.yaml"))
    assert bad.exit_code == 2 and not (tmp_path / "bad.yaml").exists()


def test_subdomain_cloudflare_idn_and_zone_id(tmp_path: Path) -> None:
    """A Unicode subdomain of its zone on Cloudflare with a zone id is written quoted and loads as A-labels."""
    out = tmp_path / "spotme.yaml"
    result = run("--domain", "mail.bücher.de", "--zone", "bücher.de", "--provider", "cloudflare",
                 "--zone-id", "0123456789abcdef0123456789abcdef", "--ses-token", T1, "--ses-token", T2,
                 "--ses-token", T3, "--mandrill-key", "AbC123xyz", "--rua", "mailto:a@example.com!10m",
                 "--rua", "b@example.net", "-o", str(out))
    assert result.exit_code == 0, result.output
    (d,) = load_spec([str(out)]).domains
    assert (d.domain, d.zone, d.provider, d.zone_id) == (
        "mail.xn--bcher-kva.de", "xn--bcher-kva.de", Provider.CLOUDFLARE, "0123456789abcdef0123456789abcdef",
    )
    assert d.dmarc.text() == "v=DMARC1; p=none; rua=mailto:a@example.com!10m,mailto:b@example.net;"
    assert '  - domain: "mail.bücher.de"' in out.read_text(encoding="utf-8")


def test_schema_line_is_relative_inside_the_checkout(tmp_path: Path) -> None:
    """Written inside this checkout, the schema line is a relative path that resolves to the schema."""
    target = ROOT / "tests" / f".init-{os.getpid()}" / "spec.yaml"
    target.parent.mkdir()
    try:
        result = run(*FLAGS, "-o", str(target))
        assert result.exit_code == 0, result.output
        ref = target.read_text(encoding="utf-8").splitlines()[0].split("$schema=", 1)[1]
        assert ref == "../../generator/spotme_dns/schema/spec.schema.json"
        assert (target.parent / ref).resolve() == schema_path()
    finally:
        for child in target.parent.iterdir():
            child.unlink()
        target.parent.rmdir()


def test_quiet_prints_nothing(tmp_path: Path) -> None:
    """`spotme-dns --quiet init ...` writes the file and prints nothing."""
    out = tmp_path / "spotme.yaml"
    result = CliRunner().invoke(cli, ["--quiet", "init", *FLAGS, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert (result.stdout, result.stderr) == ("", "")
    assert load_spec([str(out)]).domains


def test_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    """An existing file is left alone (exit 2) unless --force is given."""
    out = tmp_path / "spotme.yaml"
    out.write_text("mine\n", encoding="utf-8")
    result = run(*FLAGS, "-o", str(out))
    assert result.exit_code == 2
    assert f"error: {out}: already exists; use --force to overwrite it" in result.stderr
    assert out.read_text(encoding="utf-8") == "mine\n"
    result = run(*FLAGS, "-o", str(out), "--force")
    assert result.exit_code == 0, result.output
    assert load_spec([str(out)]).domains[0].domain == "acme-events.com"


def test_bad_flags_exit_2_with_every_problem(tmp_path: Path) -> None:
    """Bad flags are checked by the spec loader: every problem named by its flag, exit 2, nothing written."""
    out = tmp_path / "spotme.yaml"
    result = run("--domain", "mail.acme.com", "--zone", "other.com", "--ses-token", T1, "--ses-token", T1,
                 "--ses-token", "short", "--mandrill-key", "a b", "--rua", "dmarc@localhost", "-o", str(out))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: --zone: domain 'mail.acme.com' is not inside zone 'other.com'",
        f"error: --ses-token: token '{T1}' is listed twice",
        "error: --ses-token: 'short' is not an SES DKIM token (16-63 letters and digits, as SES returns them)",
        "error: --mandrill-key: 'a b' is not a Mandrill verification key (6-128 letters, digits, '-' or '_')",
        "error: --rua: 'mailto:dmarc@localhost': expected mailto:user@domain",
    ]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], ["error: --domain: missing: the sending (From:) domain",
              "error: --ses-token: give exactly 3 Easy DKIM tokens (got 0)",
              "error: --mandrill-key: missing: the Mandrill verification key"]),
        (["--domain", "acme.com", "--ses-token", T1, "--mandrill-key", "AbC123xyz"],
         ["error: --ses-token: expected exactly 3 Easy DKIM tokens (got 1)"]),
        (["--domain", "acme/../etc.com", "--ses-token", T1, "--ses-token", T2, "--ses-token", T3, "--mandrill-key", "AbC123xyz"],
         ["error: --domain: 'acme/../etc.com' is not a domain name (character '/' not allowed: letters, digits, '-' and '.' only)"]),
    ],
    ids=["nothing-given", "one-token", "path-in-domain"],
)
def test_without_a_terminal_missing_or_bad_flags_exit_2(tmp_path: Path, args: list[str], expected: list[str]) -> None:
    """No terminal to ask on (or --no-input): what is missing or bad is listed, exit 2, nothing written."""
    for extra in ([], ["--no-input"]):
        result = run(*args, *extra, "-o", str(tmp_path / "spotme.yaml"))
        assert result.exit_code == 2
        assert result.stderr.splitlines() == expected
    assert list(tmp_path.iterdir()) == []


def test_schema_ref_flag(tmp_path: Path) -> None:
    """--schema-ref names what the editor line points at; a ref with a line break is refused."""
    out = tmp_path / "spotme.yaml"
    result = run(*FLAGS, "-o", str(out), "--schema-ref", "https://example.com/spec.schema.json")
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=https://example.com/spec.schema.json\n")
    result = run(*FLAGS, "-o", str(tmp_path / "other.yaml"), "--schema-ref", "x\nversion: 2")
    assert result.exit_code == 2
    assert "error: --schema-ref: expected a path or URL on one line" in result.stderr
    assert not (tmp_path / "other.yaml").exists()


def test_output_in_a_missing_directory_is_bad_input(tmp_path: Path) -> None:
    """An output directory that does not exist: exit 2, nothing created."""
    result = run(*FLAGS, "-o", str(tmp_path / "no" / "spotme.yaml"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_help_ends_with_an_example() -> None:
    """`init --help` ends with a runnable example."""
    result = CliRunner().invoke(cli, ["init", "--help"])
    assert result.exit_code == 0
    assert "Example:\n    spotme-dns init " in result.output


# --- the template on its own -------------------------------------------------------------------


def test_placeholders_are_a_valid_spec() -> None:
    """The stand-ins used to check one answer at a time are themselves valid."""
    assert answer_problems(PLACEHOLDER) == {}


def test_answer_problems_name_their_answer() -> None:
    """Each problem comes back under the answer it concerns."""
    problems = answer_problems(InitAnswers(domain="a.com", zone="b.com", ses_tokens=(T1, T2), mandrill="x",
                                           provider="aws", dmarc_policy="block", rua=("nobody",)))
    assert set(problems) == {Field.ZONE, Field.SES_TOKENS, Field.MANDRILL, Field.PROVIDER, Field.DMARC_POLICY, Field.RUA}


ANSWERS = st.builds(
    InitAnswers,
    domain=st.sampled_from(["acme.com", "Mail.Acme.com.", "bücher.de", "a-b.example", "日本.jp"]),
    ses_tokens=st.lists(st.text(alphabet="abcdefXYZ0123456789", min_size=16, max_size=40), min_size=3, max_size=3,
                        unique_by=str.lower).map(tuple),
    mandrill=st.builds(lambda prefix, key: prefix + key, st.sampled_from(["", "mandrill_verify."]),
                       st.text(alphabet="abcXYZ0189_-", min_size=6, max_size=40)),
    zone=st.none(),
    provider=st.sampled_from(INIT_PROVIDERS),
    zone_id=st.none(),
    dmarc_policy=st.sampled_from([None, "none", "quarantine", "reject"]),
    spf_all=st.sampled_from([None, "-all", "~all", "?all"]),
    rua=st.lists(st.sampled_from(["dmarc@example.com", "mailto:r@example.net!10m", "https://r.example/x"]),
                 max_size=2, unique=True).map(tuple),
)


@settings(max_examples=60, deadline=None)
@given(answers=ANSWERS)
def test_rendered_spec_loads_and_matches_the_schema(answers: InitAnswers) -> None:
    """Property: for any valid answers the commented spec loads and is valid against the JSON Schema."""
    text = render_spec(answers, schema_ref="spec.schema.json")
    (d,) = parse_spec_text(text).domains
    assert d.ses.dkim_tokens == tuple(t.lower() for t in answers.ses_tokens)
    assert d.dmarc.policy == (answers.dmarc_policy or "none")
    assert d.dmarc.explicit == bool(answers.dmarc_policy or answers.rua)
    assert (d.spf.all, d.spf.all_explicit) == (answers.spf_all or "-all", answers.spf_all is not None)
    VALIDATOR.validate(yaml.safe_load(text))


# --- a real terminal ---------------------------------------------------------------------------


class Terminal:
    """A process on a pseudo-terminal (stdlib pty): wait for text, type answers."""

    def __init__(self, args: list[str], cwd: Path) -> None:
        master, slave = pty.openpty()
        env = {**os.environ, "TERM": "dumb", "NO_COLOR": "1", "COLUMNS": "200"}
        self.process = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=env, close_fds=True)
        os.close(slave)
        self.master = master
        self.screen = ""
        self.seen = 0

    def _read(self, deadline: float) -> bool:
        """Read what the process wrote; False at its end."""
        ready, _, _ = select.select([self.master], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            return True
        try:
            data = os.read(self.master, 65536)
        except OSError:  # EIO: the other side is closed
            return False
        if not data:
            return False
        self.screen += data.decode("utf-8", "replace").replace("\r\n", "\n")
        return True

    def expect(self, text: str, timeout: float = 30.0) -> None:
        """Wait until `text` appears after what was already matched."""
        deadline = time.monotonic() + timeout
        while text not in self.screen[self.seen:]:
            if time.monotonic() >= deadline or not self._read(deadline):
                pytest.fail(f"never saw {text!r}; the terminal showed:\n{self.screen}")
        self.seen = self.screen.index(text, self.seen) + len(text)

    def answer(self, prompt: str, line: str) -> None:
        """Wait for `prompt`, then type `line` and Enter."""
        self.expect(prompt)
        os.write(self.master, line.encode("utf-8") + b"\r")

    def finish(self, timeout: float = 30.0) -> int:
        """Read to the end and return the exit code."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._read(deadline):
            pass
        code = self.process.wait(timeout=max(1.0, deadline - time.monotonic()))
        os.close(self.master)
        return code


def spotme_dns(*args: str) -> list[str]:
    """The command line running this checkout's spotme-dns with this interpreter."""
    return [sys.executable, "-c", "import sys; from spotme_dns.cli import main; sys.exit(main())", *args]


def test_prompts_in_a_pseudo_terminal(tmp_path: Path) -> None:
    """Interactive: every value asked, bad answers explained and asked again, the written spec loads."""
    term = Terminal(spotme_dns("init"), tmp_path)
    term.answer("Sending domain (the From: domain):", "bad_name.com")
    term.expect("character '_' not allowed")
    term.answer("Sending domain (the From: domain):", "mail.acme-events.com")
    term.answer("DNS zone that holds it [mail.acme-events.com]:", "example.org")
    term.expect("is not inside zone 'example.org'")
    term.answer("DNS zone that holds it [mail.acme-events.com]:", "acme-events.com")
    term.answer("DNS provider (route53, cloudflare, generic, rfc2136) [route53]:", "cloudflare")
    term.answer("SES DKIM token 1 of 3:", T1)
    term.answer("SES DKIM token 2 of 3:", T1)
    term.expect("is listed twice")
    term.answer("SES DKIM token 2 of 3:", T2)
    term.answer("SES DKIM token 3 of 3:", "not-a-token")
    term.expect("is not an SES DKIM token")
    term.answer("SES DKIM token 3 of 3:", T3)
    term.answer("Mandrill verification key (or mandrill_verify.<key>):", "mandrill_verify.AbC123xyz")
    term.answer("(-all, ~all, ?all, -) [-]:", "+all")
    term.expect("is not one of")
    term.answer("(-all, ~all, ?all, -) [-]:", "~all")
    term.answer("(none, quarantine, reject, -) [-]:", "quarantine")
    term.answer("'-' for none) [-]:", "dmarc@acme-events.com")
    term.expect("wrote spotme.yaml")
    assert term.finish() == 0, term.screen
    (d,) = load_spec([str(tmp_path / "spotme.yaml")]).domains
    assert (d.domain, d.zone, d.provider) == ("mail.acme-events.com", "acme-events.com", Provider.CLOUDFLARE)
    assert d.ses.dkim_tokens == (T1, T2, T3)
    assert d.mandrill.verification == "mandrill_verify.AbC123xyz"
    assert d.dmarc.text() == "v=DMARC1; p=quarantine; rua=mailto:dmarc@acme-events.com;"
    assert (d.spf.all, d.spf.all_explicit) == ("~all", True)


def test_pseudo_terminal_asks_only_what_flags_left_out(tmp_path: Path) -> None:
    """Flags given on a terminal are not asked again; the defaults are taken with Enter."""
    term = Terminal(spotme_dns("init", "--domain", "acme.com", "--ses-token", T1, "--ses-token", T2,
                               "--ses-token", T3, "-o", "acme.yaml"), tmp_path)
    term.answer("DNS zone that holds it [acme.com]:", "")
    term.answer("DNS provider (route53, cloudflare, generic, rfc2136) [route53]:", "")
    term.answer("Mandrill verification key (or mandrill_verify.<key>):", "AbC123xyz")
    term.answer("SPF 'all' ('-': keep an existing record's, a new one gets -all) (-all, ~all, ?all, -) [-]:", "")
    term.answer("DMARC policy ('-': keep an existing record's, a new one gets none) (none, quarantine, reject, -) [-]:", "")
    term.answer("'-' for none) [-]:", "")
    term.expect("wrote acme.yaml")
    assert term.finish() == 0, term.screen
    assert "Sending domain" not in term.screen and "SES DKIM token" not in term.screen
    (d,) = load_spec([str(tmp_path / "acme.yaml")]).domains
    assert (d.domain, d.zone, d.provider, d.dmarc.text()) == ("acme.com", "acme.com", Provider.ROUTE53, "v=DMARC1; p=none;")
    assert not d.dmarc.explicit and not d.spf.all_explicit  # Enter: neither written


def test_pseudo_terminal_refuses_an_existing_file_before_asking(tmp_path: Path) -> None:
    """On a terminal too, an existing output is refused at once (exit 2), before any question."""
    (tmp_path / "spotme.yaml").write_text("mine\n", encoding="utf-8")
    term = Terminal(spotme_dns("init"), tmp_path)
    term.expect("already exists; use --force to overwrite it")
    assert term.finish() == 2
    assert "Sending domain" not in term.screen
    assert (tmp_path / "spotme.yaml").read_text(encoding="utf-8") == "mine\n"
