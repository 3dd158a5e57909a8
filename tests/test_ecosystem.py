"""The pre-commit hooks (.pre-commit-hooks.yaml) and the GitHub Action (action.yml) do their job:
each hook's entry and each of the action's step scripts is run here as pre-commit and the
Actions runner would run it (pre-commit: entry + args + file names; a composite step:
`bash --noprofile --norc -eo pipefail` with its `env:` and GITHUB_OUTPUT / GITHUB_STEP_SUMMARY
files), against BIND, moto and the real terraform with the mirror."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import venv
from pathlib import Path

import pytest
import yaml

from tests.support.aws import aws_settings
from tests.support.bind import zone_text
from tests.test_validate_cli import KEY, WORLD

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "route53-single" / "spec.yaml"
BIN = REPO / ".venv" / "bin"


def hooks() -> dict[str, dict]:
    return {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}


def run_hook(hook: dict, cwd: Path, args: list[str], files: list[str]) -> subprocess.CompletedProcess[str]:
    """What pre-commit runs: the entry's words, the hook's args, then the file names (when passed)."""
    command = [*shlex.split(hook["entry"]), *args, *(files if hook.get("pass_filenames", True) else [])]
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=cwd, check=True,
                   capture_output=True)  # fmt: skip


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q")
    (tmp_path / "dns").mkdir()
    shutil.copy2(EXAMPLE, tmp_path / "dns" / "spec.yaml")
    return tmp_path


def test_hooks_are_declared_for_python() -> None:
    declared = hooks()
    assert set(declared) == {"spotme-dns-check", "spotme-dns-regenerate"}
    for hook in declared.values():
        assert hook["language"] == "python" and hook["name"] and hook["entry"]
    assert re.search(hooks()["spotme-dns-check"]["files"], "dns/spec.yaml")


def test_check_hook_passes_a_good_spec_and_names_a_bad_ones_place(repo: Path) -> None:
    hook = hooks()["spotme-dns-check"]
    assert run_hook(hook, repo, [], ["dns/spec.yaml"]).returncode == 0
    (repo / "dns" / "spec.yaml").write_text(EXAMPLE.read_text().replace("dmarc:\n      policy: none", "dmarc:\n      policy: nope"))
    result = run_hook(hook, repo, [], ["dns/spec.yaml"])
    assert result.returncode == 2
    assert re.search(r"dns/spec\.yaml:\d+:\d+: .*policy", result.stderr), result.stderr


def test_regenerate_hook_fails_until_the_output_is_committed(repo: Path) -> None:
    hook = hooks()["spotme-dns-regenerate"]
    args = ["dns/spec.yaml", "dns/terraform"]
    first = run_hook(hook, repo, args, ["dns/spec.yaml"])
    assert first.returncode == 1 and "dns/terraform is not what dns/spec.yaml generates" in first.stdout, first
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "dns")
    assert run_hook(hook, repo, args, []).returncode == 0
    spec = repo / "dns" / "spec.yaml"
    spec.write_text(spec.read_text().replace("policy: none", "policy: quarantine"))
    changed = run_hook(hook, repo, args, [])
    assert changed.returncode == 1 and "acme-events.com/main.tf" in changed.stdout


def substitute(text: str, inputs: dict[str, str], action_path: Path) -> str:
    text = re.sub(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", lambda m: inputs[m.group(1)], text)
    return re.sub(r"\$\{\{\s*github\.action_path\s*\}\}", str(action_path), text)


@pytest.mark.packaging
@pytest.mark.terraform
@pytest.mark.bind
def test_action_steps_generate_plan_and_validate_with_a_summary(
    tmp_path: Path, bind, moto_clean, tf_cli_config, tf_aws_mirror
) -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    declared = action["inputs"]
    inputs = {name: spec.get("default", "") for name, spec in declared.items()}
    inputs.update({"spec": "dns/spec.yaml", "validate-args": f"--nameserver {bind.address} --resolver {bind.address}"})

    # A first rollout: the zone is there, none of the records yet; the targets have their keys.
    tokens = re.findall(r"^\s+- ([0-9a-f]{32})$", EXAMPLE.read_text(encoding="utf-8"), re.M)
    world = {zone: zone_text(zone, records) for zone, records in WORLD.items()}
    world["amazonses.com"] = zone_text("amazonses.com", [*WORLD["amazonses.com"], *(f'{t}.dkim TXT "v=DKIM1; k=rsa; p={KEY}"' for t in tokens)])
    world["acme-events.com"] = zone_text("acme-events.com", [])
    bind.set_zones(world)
    moto_clean.client("route53").create_hosted_zone(Name="acme-events.com", CallerReference="action")

    work = tmp_path / "repo"
    (work / "dns").mkdir(parents=True)
    shutil.copy2(EXAMPLE, work / "dns" / "spec.yaml")
    runner = tmp_path / "runner"
    runner.mkdir()
    outputs, summary = runner / "output", runner / "summary.md"
    outputs.touch()
    summary.touch()
    python_env = tmp_path / "python"
    venv.create(python_env, with_pip=True)  # the runner's Python, where the install step installs
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    for key, value in aws_settings(moto_clean.url).items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    env.update({
        "PATH": f"{python_env / 'bin'}{os.pathsep}{env['PATH']}", "TF_CLI_CONFIG_FILE": str(tf_cli_config),
        "GITHUB_OUTPUT": str(outputs), "GITHUB_STEP_SUMMARY": str(summary), "RUNNER_TEMP": str(runner),
        "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1",
    })  # fmt: skip
    for step in action["runs"]["steps"]:
        assert step["shell"] == "bash"
        step_env = {**env, **{k: substitute(str(v), inputs, REPO) for k, v in step.get("env", {}).items()}}
        script = runner / "step.sh"
        script.write_text(substitute(step["run"], inputs, REPO), encoding="utf-8")
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=work,
                              env=step_env, capture_output=True, text=True, check=False)  # fmt: skip
        assert proc.returncode == 0, f"{step['name']}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    assert (work / "dns" / "terraform" / "tfplan").is_file()
    assert "exit-code=0" in outputs.read_text().splitlines()
    report = summary.read_text(encoding="utf-8")
    assert "acme-events.com" in report and "validate" in report and "|" in report
    assert shutil.which("spotme-dns", path=str(python_env / "bin")), "installed from the action's own checkout"
