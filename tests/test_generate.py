"""`generate`: planning the output tree, writing it all-or-nothing, and the command's exit codes."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from spotme_dns import generate as gen
from spotme_dns.cli import cli
from spotme_dns.errors import InputError
from spotme_dns.generate import MANIFEST, Style, module_names, plan_tree, write_tree
from spotme_dns.spec import parse_spec_text

TOKENS = "[aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1, bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2, ccccccccccccccccccccccccccccccc3]"


def domain_yaml(domain: str, provider: str = "route53", extra: str = "") -> str:
    """One entry of `domains:`."""
    lines = [
        f"  - domain: {domain}",
        f"    provider: {provider}",
        f"    ses: {{dkim_tokens: {TOKENS}}}",
        "    mandrill: {verification: mandrill_verify.AbCdEf123}",
        *(f"    {line}" for line in extra.splitlines() if line),
    ]
    return "\n".join(lines) + "\n"


def spec_text(*domains: str) -> str:
    return "version: 1\ndomains:\n" + "".join(domains)


GOOD = spec_text(
    domain_yaml("acme.test"),
    domain_yaml("mail.acme.test", extra="zone: acme.test"),
    domain_yaml("globex.example", "cloudflare", "zone_id: 0123456789abcdef0123456789abcdef"),
    domain_yaml("bücher.example", "generic"),
)


def run(args: list[str]):
    """`spotme-dns <args>` in-process."""
    return CliRunner().invoke(cli, args, catch_exceptions=False)


def write_spec(tmp_path: Path, text: str, name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def tree_of(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


# --- module names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("domain", "name"),
    [
        ("acme-events.com", "acme_events_com"),
        ("xn--bcher-kva.example", "xn_bcher_kva_example"),
        ("1password.com", "d_1password_com"),
        ("_x.example", "x_example"),
    ],
)
def test_module_name(domain: str, name: str) -> None:
    """Module names are identifiers derived from the domain alone."""
    assert module_names([domain]) == {domain: name}


def test_module_name_collisions() -> None:
    """Colliding domains get distinct names; the dots-only one keeps the plain name; order does not matter."""
    names = module_names(["a-b.com", "a.b.com", "a_b.com"])
    assert names["a.b.com"] == "a_b_com"
    assert len(set(names.values())) == 3
    assert all(re.fullmatch(r"[a-z_][a-z0-9_]*", n) for n in names.values())
    assert module_names(["a_b.com", "a.b.com", "a-b.com"]) == names


# --- planning -----------------------------------------------------------------------------------


def test_plan_layout() -> None:
    """The tree has a root (providers only for providers used) and one folder per domain, A-label names."""
    tree = plan_tree(parse_spec_text(GOOD, "spec.yaml"))
    assert set(tree.root_files) == {"versions.tf", "providers.tf", "variables.tf", "main.tf", "outputs.tf"}
    assert {d.folder for d in tree.domains} == {"acme.test", "mail.acme.test", "globex.example", "xn--bcher-kva.example"}
    main = tree.files["main.tf"].decode()
    assert 'source = "./xn--bcher-kva.example"' in main
    versions = tree.files["versions.tf"].decode()
    assert "hashicorp/aws" in versions and "cloudflare/cloudflare" in versions
    providers = tree.files["providers.tf"].decode()
    assert "region = var.aws_region" in providers and 'provider "cloudflare" {' in providers
    assert not re.search(r"(access_key|secret_key|api_token|api_key)\s*=", providers)
    assert 'default     = "us-east-1"' in tree.files["variables.tf"].decode()
    manifest = json.loads(tree.files[MANIFEST])
    assert manifest["files"] == sorted(p for p in tree.files if p != MANIFEST)


def test_generic_only_root_has_no_providers() -> None:
    """A spec of generic domains only needs no provider at all."""
    tree = plan_tree(parse_spec_text(spec_text(domain_yaml("a.example", "generic")), "s.yaml"))
    assert set(tree.root_files) == {"versions.tf", "main.tf", "outputs.tf"}
    assert "required_providers" not in tree.files["versions.tf"].decode()


def test_plan_is_deterministic() -> None:
    """The same spec gives the same bytes."""
    first = plan_tree(parse_spec_text(GOOD, "spec.yaml"))
    second = plan_tree(parse_spec_text(GOOD, "spec.yaml"))
    assert dict(first.files) == dict(second.files)


def test_headers_name_the_spec() -> None:
    """Every generated file starts with a header naming the spec by the label given, and no timestamp."""
    tree = plan_tree(parse_spec_text(GOOD, "/abs/spec.yaml"), source_labels={"/abs/spec.yaml": "specs/spec.yaml"})
    for path, data in tree.files.items():
        if not path.endswith((".tf", ".zone")):
            continue
        first = data.decode().splitlines()[0]
        assert "Generated by spotme-dns from specs/spec.yaml" in first, path
        assert not re.search(r"\d{4}-\d{2}-\d{2}", data.decode()), path


def test_module_style_sources() -> None:
    """--style module: domain folders call terraform/modules/<provider> one level further up."""
    tree = plan_tree(parse_spec_text(GOOD, "spec.yaml"), style=Style.MODULE, modules_source="../terraform/modules")
    assert 'source = "../../terraform/modules/route53"' in tree.files["acme.test/main.tf"].decode()
    assert 'source = "../../terraform/modules/generic"' in tree.files["xn--bcher-kva.example/main.tf"].decode()


def test_mixed_cloudflare_versions_refused() -> None:
    """One root can not hold Cloudflare provider v4 and v5 domains."""
    text = spec_text(
        domain_yaml("a.example", "cloudflare", "zone_id: 0123456789abcdef0123456789abcdef\ncloudflare: {version: 4}"),
        domain_yaml("b.example", "cloudflare", "zone_id: 0123456789abcdef0123456789abcdee"),
    )
    with pytest.raises(InputError) as err:
        plan_tree(parse_spec_text(text, "s.yaml"))
    assert "one version of a provider" in str(err.value)


# --- writing ------------------------------------------------------------------------------------


def test_write_new_directory(tmp_path: Path) -> None:
    """A new DIR (parents included) gets exactly the tree and nothing else (no temp dir left behind)."""
    tree = plan_tree(parse_spec_text(GOOD, "spec.yaml"))
    out = tmp_path / "a" / "out"
    result = write_tree(tree, out)
    assert result.created
    assert tree_of(out) == dict(tree.files)
    assert sorted(os.listdir(tmp_path / "a")) == ["out"]


def test_rewrite_keeps_terraform_files_and_removes_stale(tmp_path: Path) -> None:
    """Regenerating replaces only our files: .terraform/, state, lock file and tfvars stay; a removed domain's files go."""
    out = tmp_path / "out"
    write_tree(plan_tree(parse_spec_text(GOOD, "spec.yaml")), out)
    keep = {
        ".terraform/providers/x": b"p",
        ".terraform.lock.hcl": b"lock",
        "terraform.tfstate": b"{}",
        "terraform.tfvars": b'aws_region = "eu-west-1"\n',
        "acme.test/notes.txt": b"mine",
    }
    for rel, data in keep.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)
    smaller = plan_tree(parse_spec_text(spec_text(domain_yaml("acme.test")), "spec.yaml"))
    result = write_tree(smaller, out)
    files = tree_of(out)
    for rel, data in keep.items():
        assert files[rel] == data
    assert not (out / "mail.acme.test").exists() and not (out / "globex.example").exists()
    assert "mail.acme.test/main.tf" in result.removed
    assert {p: d for p, d in files.items() if p not in keep} == dict(smaller.files)
    again = write_tree(smaller, out)
    assert again.written == () and set(again.unchanged) == set(smaller.files)


def test_refuses_a_file(tmp_path: Path) -> None:
    """-o naming a file is bad input."""
    target = tmp_path / "out"
    target.write_text("x")
    with pytest.raises(InputError, match="is a file"):
        write_tree(plan_tree(parse_spec_text(GOOD, "spec.yaml")), target)


def test_refuses_foreign_directory_unless_forced(tmp_path: Path) -> None:
    """A non-empty DIR not made by spotme-dns is refused; --force writes beside the other files."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "README").write_text("theirs")
    tree = plan_tree(parse_spec_text(GOOD, "spec.yaml"))
    with pytest.raises(InputError, match="not written by spotme-dns"):
        write_tree(tree, out)
    assert os.listdir(out) == ["README"]
    write_tree(tree, out, force=True)
    assert (out / "README").read_text() == "theirs" and (out / MANIFEST).is_file()


def test_failure_midway_restores_everything(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An error while moving files into an existing DIR puts every file back as it was."""
    out = tmp_path / "out"
    write_tree(plan_tree(parse_spec_text(GOOD, "spec.yaml")), out)
    before = tree_of(out)
    changed = plan_tree(parse_spec_text(GOOD.replace("AbCdEf123", "ZyXwVu987"), "spec.yaml"))
    real_replace = os.replace
    calls = {"n": 0}

    def flaky(src, dst):
        calls["n"] += 1
        if calls["n"] == 7:
            raise OSError(28, "No space left on device", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(gen.os, "replace", flaky)
    with pytest.raises(InputError, match="No space left"):
        write_tree(changed, out)
    monkeypatch.setattr(gen.os, "replace", real_replace)
    assert tree_of(out) == before
    assert sorted(os.listdir(tmp_path)) == ["out"]


def test_blocked_paths_refused_before_writing(tmp_path: Path) -> None:
    """A file where a domain folder goes is reported before anything is written."""
    out = tmp_path / "out"
    write_tree(plan_tree(parse_spec_text(spec_text(domain_yaml("acme.test")), "spec.yaml")), out)
    (out / "globex.example").write_text("in the way")
    before = tree_of(out)
    with pytest.raises(InputError, match="globex.example is a file"):
        write_tree(plan_tree(parse_spec_text(GOOD, "spec.yaml")), out)
    assert tree_of(out) == before


# --- the command --------------------------------------------------------------------------------


def test_command_writes_and_reports(tmp_path: Path) -> None:
    """generate prints every path written and the notes, and exits 0."""
    spec = write_spec(tmp_path, GOOD.replace("zone: acme.test", "zone: acme.test\n    keep_txt: [\"" + "k" * 420 + "\"]"))
    out = tmp_path / "out"
    result = run(["generate", str(spec), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote {out / 'versions.tf'}" in result.output
    assert f"wrote {out / 'mail.acme.test'}/ (main.tf, outputs.tf" in result.output
    assert "note: mail.acme.test: TXT records at mail.acme.test add up to" in result.output
    assert "4 domains" in result.output


def test_command_quiet(tmp_path: Path) -> None:
    """--quiet prints nothing on success."""
    result = run(["generate", str(write_spec(tmp_path, GOOD)), "-o", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 0 and result.output == ""
    assert run(["--quiet", "generate", str(write_spec(tmp_path, GOOD)), "-o", str(tmp_path / "o2")]).output == ""


def test_command_several_specs(tmp_path: Path) -> None:
    """Several spec files make one root; each domain's header names its own spec."""
    a = write_spec(tmp_path, spec_text(domain_yaml("a.example")), "a.yaml")
    b = write_spec(tmp_path, spec_text(domain_yaml("b.example", "generic")), "b.yaml")
    out = tmp_path / "out"
    assert run(["generate", str(a), str(b), "-o", str(out)]).exit_code == 0
    assert "b.yaml" in (out / "b.example" / "main.tf").read_text().splitlines()[0]
    assert "a.yaml, " in (out / "main.tf").read_text().splitlines()[0]


def test_command_refuses_foreign_dir(tmp_path: Path) -> None:
    """A non-empty foreign DIR: exit 2 with the reason; --force: exit 0."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "x.tf").write_text("")
    spec = str(write_spec(tmp_path, GOOD))
    result = run(["generate", spec, "-o", str(out)])
    assert result.exit_code == 2 and "--force" in result.output
    assert run(["generate", spec, "-o", str(out), "--force"]).exit_code == 0


def test_command_module_style(tmp_path: Path) -> None:
    """--style module defaults to this checkout's terraform/modules, relative to DIR."""
    out = tmp_path / "out"
    result = run(["generate", str(write_spec(tmp_path, GOOD)), "-o", str(out), "--style", "module"])
    assert result.exit_code == 0, result.output
    text = (out / "acme.test" / "main.tf").read_text()
    source = re.search(r'source = "(\.\./[^"]+)"', text).group(1)
    assert (out / "acme.test" / source / "variables.tf").is_file()


# At least fifteen kinds of bad spec: each exits 2, names file:line:column, writes nothing.
BAD_SPECS = {
    "yaml-syntax": ("version: 1\ndomains: [\n", r":3:1: YAML syntax error"),
    "wrong-version": (GOOD.replace("version: 1", "version: 2"), r":1:10: version: unsupported spec version"),
    "unknown-key": (GOOD.replace("provider: generic", "provder: generic"), r":\d+:5: domains\[3\]\.provder: unknown key; did you mean 'provider'"),
    "bad-provider": (GOOD.replace("provider: generic", "provider: gandi"), r":\d+:15: domains\[3\]\.provider: expected one of"),
    "label-too-long": (GOOD.replace("bücher.example", "x" * 64 + ".example"), r":\d+:13: domains\[3\]\.domain: label"),
    "path-in-domain": (GOOD.replace("bücher.example", "../etc.example"), r":\d+:13: domains\[3\]\.domain:"),
    "outside-zone": (GOOD.replace("zone: acme.test", "zone: other.test"), r":\d+:11: domains\[1\]\.zone: domain 'mail.acme.test' is not inside zone"),
    "two-tokens": (GOOD.replace(TOKENS, "[aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1, bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2]", 1), r":5:\d+: domains\[0\]\.ses\.dkim_tokens: expected exactly 3"),
    "token-alphabet": (GOOD.replace("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1", "aaaa-aaaa", 1), r":5:\d+: domains\[0\]\.ses\.dkim_tokens\[0\]"),
    "mandrill-key": (GOOD.replace("mandrill_verify.AbCdEf123}", "mandrill_verify.a b}", 1), r":6:\d+: domains\[0\]\.mandrill\.verification"),
    "spf-term": (GOOD.replace("zone: acme.test", "zone: acme.test\n    spf: {keep: [include]}"), r":\d+:\d+: domains\[1\]\.spf\.keep\[0\]"),
    "second-spf": (GOOD.replace("zone: acme.test", "zone: acme.test\n    keep_txt: ['v=spf1 -all']"), r":\d+:\d+: domains\[1\]\.keep_txt\[0\]: an SPF record"),
    "dmarc-policy": (GOOD.replace("zone: acme.test", "zone: acme.test\n    dmarc: {policy: block}"), r":\d+:\d+: domains\[1\]\.dmarc\.policy: expected one of"),
    "dmarc-uri": (GOOD.replace("zone: acme.test", "zone: acme.test\n    dmarc: {rua: ['mailto:nobody']}"), r":\d+:\d+: domains\[1\]\.dmarc\.rua\[0\]"),
    "ttl-range": (GOOD.replace("zone: acme.test", "zone: acme.test\n    ttl: 5"), r":\d+:10: domains\[1\]\.ttl: expected whole seconds"),
    "duplicate-domain": (GOOD.replace("globex.example", "acme.test"), r":\d+:5: domain 'acme.test' is already defined at .*spec.yaml:3:5"),
    "bad-zone-id": (GOOD.replace("0123456789abcdef0123456789abcdef", "not-a-zone"), r":\d+:14: domains\[2\]\.zone_id: 'not-a-zone' is not a Cloudflare zone id"),
    "cloudflare-version": (GOOD.replace("zone_id: 0123456789abcdef0123456789abcdef", "zone_id: 0123456789abcdef0123456789abcdef\n    cloudflare: {version: 6}"), r":\d+:\d+: domains\[2\]\.cloudflare\.version: expected 4 or 5"),
    "mixed-cloudflare-versions": (
        GOOD + domain_yaml("initech.example", "cloudflare", "zone_id: 0123456789abcdef0123456789abcdee\ncloudflare: {version: 4}"),
        r":\d+:5: initech.example: needs provider cloudflare/cloudflare ~> 4.39, but globex.example",
    ),
    "not-nfc": (GOOD.replace("zone: acme.test", "zone: acme.test\n    keep_txt: [\"cafe\u0301\"]"), r":7:5: mail.acme.test: mail.acme.test TXT value .* is not in Unicode NFC form"),
    "alias-bomb": (
        'version: 1\na: &a ["x","x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n'
        "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n",
        r":\d+:\d+: YAML document is too large",
    ),
}


@pytest.mark.parametrize("kind", sorted(BAD_SPECS))
def test_bad_spec_exits_2_and_writes_nothing(kind: str, tmp_path: Path) -> None:
    """Each kind of bad spec: exit 2, `error: <file>:<line>:<column>: <what>` on stderr, DIR never created."""
    text, pattern = BAD_SPECS[kind]
    spec = write_spec(tmp_path, text)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["generate", str(spec), "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert re.search(r"error: " + re.escape(str(spec)) + pattern, result.output), result.output
    assert not out.exists()
    assert sorted(os.listdir(tmp_path)) == ["spec.yaml"]


@pytest.mark.parametrize(
    ("kind", "content", "message"),
    [
        pytest.param("missing", None, "spec file not found", id="missing-file"),
        pytest.param("empty", "\n", "spec file is empty", id="empty-file"),
    ],
)
def test_unreadable_spec_exits_2(kind: str, content: str | None, message: str, tmp_path: Path) -> None:
    """A spec that can not be read at all names the file; nothing is written."""
    spec = tmp_path / "spec.yaml"
    if content is not None:
        spec.write_text(content)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["generate", str(spec), "-o", str(out)])
    assert result.exit_code == 2 and f"error: {spec}: {message}" in result.output
    assert not out.exists()


def test_bad_spec_leaves_existing_output_alone(tmp_path: Path) -> None:
    """A bad spec does not touch an earlier run's output."""
    out = tmp_path / "out"
    assert run(["generate", str(write_spec(tmp_path, GOOD)), "-o", str(out)]).exit_code == 0
    before = tree_of(out)
    bad = write_spec(tmp_path, GOOD.replace("version: 1", "version: 3"), "bad.yaml")
    assert CliRunner().invoke(cli, ["generate", str(bad), "-o", str(out)]).exit_code == 2
    assert tree_of(out) == before
