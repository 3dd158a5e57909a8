"""Several Terraform roots in one run, the applied state as verify's input, the binary to run.

Split roots (`generate --split-roots`, generic provider: planned and applied by the real
terraform with no provider to start) are validated and verified through the Makefile in one
call each: one report with a section per root and a total, `-o` written once. After apply,
`make verify` reads each root's state (`terraform show -json`), not the .tf files. The
Terraform binary is chosen by `--terraform-bin` / $SPOTME_TERRAFORM, the variable the
Makefile's `TF`, the generated `import.sh` and the test fixtures share.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from spotme_dns.cli import cli
from spotme_dns.imports import Import, import_script
from spotme_dns.inputs import load_plan, parse_plan
from spotme_dns.records import build_records
from spotme_dns.spec import load_spec
from tests.test_split_roots import GENERIC_DOMAINS, fleet_spec, tokens

REPO = Path(__file__).resolve().parents[1]
KEY = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAv" + "A" * 120 + "IDAQAB"


def world(spec: Path, *, published: bool) -> dict[str, list[str]]:
    """BIND's zones: the senders' records, a zone per domain, and (when `published`) every record of the spec."""
    zones: dict[str, list[str]] = {
        "spotme.com": ['_spf TXT "v=spf1 ip4:192.0.2.0/24 -all"'],
        "mandrillapp.com": [f'dkim{n} TXT "v=DKIM1; k=rsa; p={KEY}"' for n in (1, 2)],
        "amazonses.com": [f'{t}.dkim TXT "v=DKIM1; k=rsa; p={KEY}"' for i in range(len(GENERIC_DOMAINS)) for t in tokens(i)],
    }
    for domain in load_spec([str(spec)]).domains:
        zones[domain.domain] = ["www A 192.0.2.1"]
        if published:
            for record in build_records(domain).records:
                for text in record.texts:
                    if record.type.value == "TXT":
                        quoted = " ".join(f'"{text[i:i + 255]}"' for i in range(0, len(text), 255))
                        zones[domain.domain].append(f"{record.name}. TXT {quoted}")
                    else:
                        zones[domain.domain].append(f"{record.name}. {record.type.value} {text}.")
    return zones


@pytest.fixture(scope="module")
def fleet(tmp_path_factory, module_terraform_factory):
    """Five generic domains in three roots, each init-ed and planned (no provider to start)."""
    base = tmp_path_factory.mktemp("roots")
    spec = base / "spec.yaml"
    spec.write_text(fleet_spec(GENERIC_DOMAINS, "generic"))
    out = base / "out"
    result = CliRunner().invoke(cli, ["generate", str(spec), "-o", str(out), "--split-roots", "2", "--quiet"])
    assert result.exit_code == 0, result.output
    roots = sorted(out.glob("root-*"))
    env = {}
    for root in roots:
        tf = module_terraform_factory(root)
        tf.init()
        tf.plan("tfplan")
        env = tf.env
    return spec, out, roots, env


def make(target: str, out: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    if shutil.which("make") is None:
        pytest.fail("make is not installed", pytrace=False)
    return subprocess.run(
        ["make", "-s", target, f"OUT={out}", f"ARGS={' '.join(args)}"], cwd=REPO, env=env, capture_output=True, text=True, timeout=600
    )


@pytest.mark.terraform
def test_make_validate_and_verify_give_one_report_over_every_root(fleet, bind, tmp_path) -> None:
    """`make validate`, apply, `make verify` (from the state): each one report, a section per root, a total."""
    spec, out, roots, env = fleet
    bind.set_zones(world(spec, published=False))
    report = tmp_path / "validate.json"
    done = make("validate", out, env, "--nameserver", bind.address, "--resolver", bind.address, "--timeout", "1", "--format", "json", "-o", str(report))
    assert done.returncode == 0, done.stdout + done.stderr
    doc = json.loads(report.read_text())
    assert [r["root"] for r in doc["roots"]] == [str(r) for r in roots]
    assert [r["summary"]["domains"] for r in doc["roots"]] == [2, 2, 1]
    assert doc["summary"]["domains"] == 5 and doc["summary"]["pending"] == doc["summary"]["records"] == 35
    assert [d["root"] for d in doc["domains"]] == [str(roots[0])] * 2 + [str(roots[1])] * 2 + [str(roots[2])]

    for root in roots:
        subprocess.run([env.get("SPOTME_TERRAFORM") or "terraform", f"-chdir={root}", "apply", "-input=false", "-no-color", "tfplan"],
                       env=env, check=True, capture_output=True, timeout=600)
        (root / "main.tf").rename(root / "main.tf.off")  # verify reads the state, not the .tf files
    try:
        bind.set_zones(world(spec, published=True))
        report = tmp_path / "verify.json"
        done = make("verify", out, env, "--nameserver", bind.address, "--resolver", bind.address, "--timeout", "1", "--format", "json", "-o", str(report))
        assert done.returncode == 0, done.stdout + done.stderr
        doc = json.loads(report.read_text())
        assert doc["command"] == "verify" and doc["ok"] is True
        assert doc["summary"]["in-sync"] == doc["summary"]["records"] == 35
        assert len(doc["roots"]) == 3

        text = CliRunner(env=env).invoke(cli, ["verify", *[a for r in roots for a in ("--chdir", str(r))], "--nameserver", bind.address, "--resolver", bind.address, "--timeout", "1"])
        assert text.exit_code == 0, text.output
        lines = text.stdout.splitlines()
        assert [line for line in lines if line.startswith("== ")] == [f"== {r}" for r in roots]
        assert lines[-2].startswith("total: 5 domains, 35 records: 35 in-sync")
    finally:
        for root in roots:
            (root / "main.tf.off").rename(root / "main.tf")


def test_state_json_is_told_from_a_plan_by_its_content(fleet, tmp_path) -> None:
    """verify reads `terraform show -json` of a state; validate refuses it (exit 2, said why)."""
    _, _, roots, env = fleet
    state = {"format_version": "1.0", "terraform_version": "1.11.0", "values": {"outputs": {"records": {"sensitive": False, "value": {
        "a.test": [{"name": "_dmarc.a.test", "type": "TXT", "ttl": 300, "values": ["v=DMARC1; p=none;"]}]}}}, "root_module": {}}}
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state))
    [domain] = load_plan(str(path), state_ok=True).domains
    assert [(r.name, r.values) for r in domain.records] == [("_dmarc.a.test", ("v=DMARC1; p=none;",))]
    refused = CliRunner().invoke(cli, ["validate", "--plan", str(path)])
    assert refused.exit_code == 2
    assert "state JSON" in refused.stderr and "verify reads it" in refused.stderr
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"format_version": "1.0", "terraform_version": "1.11.0"}))
    result = CliRunner().invoke(cli, ["verify", "--plan", str(empty)])
    assert result.exit_code == 2 and "the state has no DNS records" in result.stderr
    assert parse_plan(json.dumps(state), "x", state_ok=True).actions_known is True


def fake_terraform(tmp_path: Path, name: str) -> Path:
    """A stand-in binary that records its arguments and prints an empty state."""
    path = tmp_path / name
    log = tmp_path / f"{name}.log"
    path.write_text(f'#!/usr/bin/env bash\necho "$@" >> {log}\necho \'{{"format_version": "1.0", "terraform_version": "1.11.0"}}\'\n')
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_terraform_binary_option_and_variable(tmp_path) -> None:
    """--terraform-bin, else $SPOTME_TERRAFORM, names the binary --plan-file and --chdir run."""
    tofu = fake_terraform(tmp_path, "tofu")
    other = fake_terraform(tmp_path, "other")
    by_env = CliRunner(env={"SPOTME_TERRAFORM": str(tofu)}).invoke(cli, ["verify", "--chdir", str(tmp_path)])
    assert by_env.exit_code == 2 and "the state has no DNS records" in by_env.stderr
    assert (tmp_path / "tofu.log").read_text() == f"-chdir={tmp_path} show -json -no-color\n"
    by_option = CliRunner(env={"SPOTME_TERRAFORM": str(tofu)}).invoke(
        cli, ["validate", "--plan-file", "tfplan", "--chdir", str(tmp_path), "--terraform-bin", str(other)]
    )
    assert by_option.exit_code == 2
    assert (tmp_path / "other.log").read_text() == f"-chdir={tmp_path} show -json -no-color tfplan\n"
    missing = CliRunner().invoke(cli, ["validate", "--plan-file", "tfplan", "--terraform-bin", "no-such-tofu"])
    assert missing.exit_code == 2 and "cannot run 'no-such-tofu'" in missing.stderr and "SPOTME_TERRAFORM" in missing.stderr


def test_import_script_runs_the_binary_the_variable_names(tmp_path) -> None:
    """import.sh runs $SPOTME_TERRAFORM (the Makefile exports TF under that name)."""
    tofu = fake_terraform(tmp_path, "tofu")
    script = tmp_path / "import.sh"
    script.write_text(import_script([Import("aws_route53_record.txt", "Z1_acme.test_TXT", "the apex TXT set")], header="test"))
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    done = subprocess.run([str(script)], env={**os.environ, "SPOTME_TERRAFORM": str(tofu)}, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "tofu.log").read_text().splitlines() == [
        f"-chdir={tmp_path} state list",
        f"-chdir={tmp_path} import -input=false aws_route53_record.txt Z1_acme.test_TXT",
    ]


def test_make_passes_tf_to_spotme_dns_as_spotme_terraform(tmp_path) -> None:
    """`make verify TF=...` runs spotme-dns with SPOTME_TERRAFORM set to TF."""
    if shutil.which("make") is None:
        pytest.fail("make is not installed", pytrace=False)
    tofu = fake_terraform(tmp_path, "tofu")
    done = subprocess.run(["make", "-s", "verify", f"OUT={tmp_path}", f"TF={tofu}"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    assert (tmp_path / "tofu.log").read_text() == f"-chdir={tmp_path} show -json -no-color\n"


def test_every_format_has_a_section_per_root_and_a_total() -> None:
    """Markdown heads each root with its summary; JUnit names suites by root; one root stays as before."""
    from spotme_dns.formats import render
    from spotme_dns.report import DomainReport, RecordResult, Report, Status

    def domain(name: str, root: str) -> DomainReport:
        return DomainReport(name, name, (RecordResult(f"_dmarc.{name}", "TXT", ("v=DMARC1; p=none;",), (), Status.PENDING),), root=root)

    report = Report((domain("a.test", "out/root-001"), domain("b.test", "out/root-002")))
    markdown = render(report, "markdown")
    assert "#### root <code>out/root-001</code>: 1 domain, 1 record: 1 pending" in markdown
    assert "#### root <code>out/root-002</code>: 1 domain, 1 record: 1 pending" in markdown
    assert "\n2 domains, 2 records: 2 pending" in markdown
    assert 'name="out/root-001: a.test"' in render(report, "junit")
    single = Report((domain("a.test", ""),))
    assert "root" not in json.loads(render(single, "json"))["domains"][0]
    assert "roots" not in json.loads(render(single, "json")) and "== " not in render(single, "text")
