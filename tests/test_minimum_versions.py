"""The declared minimum versions are enough: a fresh venv with exactly the minimums runs.

pyproject.toml says `>=X` for every runtime dependency; this installs `==X` for each (pip's
cache makes it a few seconds after the first time), spotme-dns itself without dependencies,
then imports every module and runs generate, init and the Terraform-directory reader (the
python-hcl2 8.x API) on the bundled example. A minimum set too low fails here.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from packaging.version import Version

REPO = Path(__file__).resolve().parents[1]

SMOKE = """
import importlib, pkgutil, sys
import spotme_dns
for module in pkgutil.walk_packages(spotme_dns.__path__, "spotme_dns."):
    importlib.import_module(module.name)
from spotme_dns.inputs.tfdir import load_tf_dir
desired = load_tf_dir(sys.argv[1])
assert len(desired.domains) == 4, desired
print("ok", len(desired.domains))
"""


def declared_dependencies() -> list[str]:
    """The `dependencies = [...]` entries of pyproject.toml, as written."""
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    block = re.search(r"^dependencies = \[(.*?)^\]", text, re.S | re.M)
    assert block, "no dependencies list in pyproject.toml"
    return re.findall(r'"([^"]+)"', block.group(1))


def test_every_dependency_declares_a_minimum() -> None:
    """Each runtime dependency is `name>=version`, nothing unbounded below."""
    for requirement in declared_dependencies():
        assert re.fullmatch(r"[A-Za-z0-9_.\[\]-]+>=[0-9][0-9.]*", requirement), requirement


@pytest.mark.minimums
def test_the_declared_minimums_install_and_run(tmp_path: Path) -> None:
    """Exactly the minimum versions: every module imports, generate/init/tfdir reading work."""
    pins = [requirement.replace(">=", "==") for requirement in declared_dependencies()]
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = str(env_dir / "bin" / "python")
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}

    def run(*args: str) -> str:
        proc = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
        assert proc.returncode == 0, f"{' '.join(args)}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        return proc.stdout

    run(python, "-m", "pip", "install", "-q", *pins)
    run(python, "-m", "pip", "install", "-q", "--no-deps", "-e", str(REPO))
    installed = {
        line.split("==")[0].lower().replace("_", "-"): line.split("==")[1]
        for line in run(python, "-m", "pip", "freeze").splitlines()
        if "==" in line
    }
    for pin in pins:
        name, version = pin.split("==")
        assert Version(installed[name.lower().replace("_", "-")]) == Version(version), (pin, installed)
    spotme = str(env_dir / "bin" / "spotme-dns")
    run(spotme, "--version")
    run(spotme, "generate", str(REPO / "examples" / "mixed-fleet" / "spec.yaml"), "-o", "out", "--quiet")
    assert "ok 4" in run(python, "-c", SMOKE, "out")
    tokens = [f"--ses-token=tok{n}{'a' * 29}" for n in (1, 2, 3)]
    run(spotme, "init", "--no-input", "--domain", "acme-events.com", "--provider", "route53",
        *tokens, "--mandrill-key", "AbC123xyz", "-o", "acme.yaml")  # fmt: skip
    run(spotme, "records", "acme.yaml")
    assert sys.version_info >= (3, 10)
