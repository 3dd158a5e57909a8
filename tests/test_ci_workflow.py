"""The example GitHub Actions workflow (examples/ci/github-actions.yml) is valid and does its job."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest
import yaml

from spotme_dns.cli.app import cli

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / "examples" / "ci" / "github-actions.yml"


@pytest.fixture(scope="module")
def workflow() -> dict:
    """The workflow, parsed by a YAML 1.1 loader like GitHub's."""
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _steps(workflow: dict, job: str) -> list[dict]:
    return workflow["jobs"][job]["steps"]


def _step(workflow: dict, job: str, *, uses: str | None = None, runs: str | None = None) -> dict:
    for step in _steps(workflow, job):
        if uses and step.get("uses", "").split("@")[0] == uses:
            return step
        if runs and runs in step.get("run", ""):
            return step
    raise AssertionError(f"job {job} has no step {uses or runs!r}")


def _index(workflow: dict, job: str, step: dict) -> int:
    return _steps(workflow, job).index(step)


def test_workflow_parses_with_expected_jobs(workflow):
    """The file is YAML with a name, triggers and the plan and apply jobs."""
    assert workflow["name"] == "spotme-dns"
    # YAML 1.1 reads the bare key `on` as True; GitHub reads it as "on".
    triggers = workflow.get("on", workflow.get(True))
    assert set(triggers) == {"pull_request", "push"}
    assert set(workflow["jobs"]) == {"plan", "apply"}
    assert workflow["jobs"]["apply"]["needs"] == "plan"
    for job in workflow["jobs"].values():
        assert job["runs-on"] == "ubuntu-latest"
        assert all(("uses" in s) != ("run" in s) for s in job["steps"]), "each step either uses or runs"
        assert all("name" in s for s in job["steps"])


def test_plan_job_runs_plan_then_validate_with_markdown(workflow):
    """Generate, init, plan, then validate the saved plan with the Markdown format."""
    generate = _step(workflow, "plan", runs="spotme-dns --quiet generate")
    init = _step(workflow, "plan", runs="terraform -chdir=\"$OUT\" init")
    plan = _step(workflow, "plan", runs="terraform -chdir=\"$OUT\" plan")
    validate = _step(workflow, "plan", runs="spotme-dns validate")
    assert _index(workflow, "plan", generate) < _index(workflow, "plan", init) < _index(workflow, "plan", plan)
    assert _index(workflow, "plan", plan) < _index(workflow, "plan", validate)
    assert "-out=tfplan" in plan["run"]
    command = next(line for line in validate["run"].splitlines() if "spotme-dns validate" in line)
    words = shlex.split(command.split(">")[0])
    assert words[words.index("--format") + 1] == "markdown"
    assert "--plan-file" in words
    assert validate["id"] == "validate"
    # The exit code is kept, not allowed to end the job before the comment is posted.
    assert "set +e" in validate["run"] and 'exit_code=$code' in validate["run"]


def test_report_is_commented_on_the_pull_request(workflow):
    """A sticky comment carries the report file that validate wrote."""
    comment = _step(workflow, "plan", uses="marocchino/sticky-pull-request-comment")
    validate = _step(workflow, "plan", runs="spotme-dns validate")
    assert comment["with"]["path"] == "spotme-dns-report.md"
    assert "spotme-dns-report.md" in validate["run"]
    assert "pull_request" in comment["if"]
    assert _index(workflow, "plan", validate) < _index(workflow, "plan", comment)
    assert workflow["permissions"]["pull-requests"] == "write"


def test_job_fails_on_validate_exit_one(workflow):
    """The last plan step fails the job whenever validate did not exit 0 (1 unsafe, 2 bad input)."""
    fail = _steps(workflow, "plan")[-1]
    assert fail["if"] == "steps.validate.outputs.exit_code != '0'"
    assert re.search(r"^\s*exit 1\s*$", fail["run"], re.M)
    comment = _step(workflow, "plan", uses="marocchino/sticky-pull-request-comment")
    assert _index(workflow, "plan", comment) < len(_steps(workflow, "plan")) - 1


def test_apply_job_applies_the_reviewed_plan_and_verifies(workflow):
    """Only on the main branch; applies the saved plan file, then verify --wait."""
    job = workflow["jobs"]["apply"]
    assert "refs/heads/main" in job["if"] and "push" in job["if"]
    apply = _step(workflow, "apply", runs="apply")
    assert apply["run"].rstrip().endswith("tfplan")
    verify = _step(workflow, "apply", runs="spotme-dns verify")
    assert "--wait" in verify["run"]
    assert _index(workflow, "apply", apply) < _index(workflow, "apply", verify)


def test_terraform_wrapper_disabled(workflow):
    """setup-terraform's wrapper would rewrite terraform's stdout; both jobs turn it off."""
    for job in ("plan", "apply"):
        assert _step(workflow, job, uses="hashicorp/setup-terraform")["with"]["terraform_wrapper"] is False


def test_actions_pinned_to_major_versions(workflow):
    """Every action is referenced with an explicit version."""
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", step["uses"]), step["uses"]


@pytest.mark.parametrize("command", ["generate", "validate", "verify"])
def test_workflow_options_exist(workflow, command):
    """Every spotme-dns option the workflow passes is one the command accepts."""
    found = cli.get_command(click.Context(cli), command)
    if found is None:
        pytest.fail(f"spotme-dns {command} is not registered", pytrace=False)
    params = {opt for p in found.params for opt in getattr(p, "opts", [])}
    group_params = {opt for p in cli.params for opt in getattr(p, "opts", [])}
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            for line in step.get("run", "").splitlines():
                words = shlex.split(line.split(">")[0], posix=True)
                if not words or words[0] != "spotme-dns" or command not in words:
                    continue
                at = words.index(command)
                for word in words[1:at]:
                    if word.startswith("-"):
                        assert word in group_params, f"{word} is not a spotme-dns option"
                for word in words[at + 1 :]:
                    if word.startswith("-"):
                        assert word.split("=")[0] in params, f"{word} is not an option of spotme-dns {command}"


def test_installs_spotme_dns_from_a_pinned_git_reference(workflow):
    """The package comes from the project's repository at a tag or commit, not a bare index name."""
    from spotme_dns import __version__

    requirement = workflow["env"]["SPOTME_DNS_PACKAGE"]
    match = re.fullmatch(r"spotme-dns @ git\+https://github\.com/spotme/spotme-dns@(v[0-9.]+|[0-9a-f]{40})", requirement)
    assert match, requirement
    assert match.group(1) in (f"v{__version__}",) or len(match.group(1)) == 40
    for job in workflow["jobs"].values():
        install = _step(workflow, next(k for k, v in workflow["jobs"].items() if v is job), runs="pip install")
        assert install["run"] == 'pip install "$SPOTME_DNS_PACKAGE"'
