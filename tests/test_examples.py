"""examples/: each committed generated output is exactly what `generate` writes today."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from spotme_dns.cli import cli
from spotme_dns.generate import MANIFEST, read_manifest

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p.parent.name for p in (REPO / "examples").glob("*/spec.yaml"))
#: Files Terraform or a person may leave in a committed output folder (see .gitignore).
IGNORED = (".terraform", ".terraform.lock.hcl", "terraform.tfstate", "terraform.tfstate.backup", "tfplan")


def committed_files(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` except Terraform's working files, by relative path."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and not rel.startswith(IGNORED) and not path.name.endswith(".tfplan"):
            out[rel] = path.read_bytes()
    return out


def test_there_are_three_examples() -> None:
    """The three examples of issue 2 exist, each with its generated output committed."""
    assert {"route53-single", "cloudflare-keep-spf", "mixed-fleet"} <= set(EXAMPLES)
    for name in EXAMPLES:
        assert read_manifest(REPO / "examples" / name / "terraform") is not None, name


@pytest.mark.parametrize("name", EXAMPLES)
def test_regenerating_gives_the_same_bytes(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`generate examples/<name>/spec.yaml` from the repository root reproduces the committed files byte for byte."""
    monkeypatch.chdir(REPO)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["generate", f"examples/{name}/spec.yaml", "-o", str(out)])
    assert result.exit_code == 0, result.output
    fresh = committed_files(out)
    committed = committed_files(REPO / "examples" / name / "terraform")
    assert sorted(fresh) == sorted(committed)
    for rel in fresh:
        assert fresh[rel] == committed[rel], (
            f"examples/{name}/terraform/{rel} differs; regenerate it from the repository root: "
            f"spotme-dns generate examples/{name}/spec.yaml -o examples/{name}/terraform"
        )
    assert MANIFEST in fresh


def test_mixed_fleet_has_a_subdomain_and_every_provider() -> None:
    """mixed-fleet covers Route 53, Cloudflare and generic, and a domain below its zone."""
    folder = REPO / "examples" / "mixed-fleet" / "terraform"
    main = (folder / "mail.acme.test" / "main.tf").read_text(encoding="utf-8")
    assert 'name         = "acme.test"' in main  # the zone is looked up, the records sit below it
    assert '"v=spf1 ' in main and '\\"\\"' in main  # the long SPF record is split
    assert (folder / "events.initech.example" / "main.tf").read_text(encoding="utf-8").count("cloudflare_dns_record") >= 7
    assert (folder / "xn--bcher-kva.example" / "records.zone").is_file()
