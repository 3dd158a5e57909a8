"""The Makefile's idea of the Terraform roots under OUT (what plan, validate, apply and verify loop over)."""

from __future__ import annotations

import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def roots(out: Path) -> list[str]:
    done = subprocess.run(
        ["make", "-s", "-C", str(REPO), "--eval", "print-roots: ; @echo $(ROOTS)", "print-roots", f"OUT={out}"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.split()


def test_split_roots_are_the_root_directories_only(tmp_path: Path) -> None:
    """Found by a customer's IT team: a file such as root-001.plan.log beside the roots is no root
    (make verify failed on `--chdir root-001.plan.log` with exit 2)."""
    for name in ("root-002", "root-001"):
        (tmp_path / name).mkdir()
    (tmp_path / "root-001.plan.log").write_text("plan output\n")
    assert roots(tmp_path) == [str(tmp_path / "root-001"), str(tmp_path / "root-002")]


def test_without_split_roots_out_is_the_root(tmp_path: Path) -> None:
    (tmp_path / "root-notes.txt").write_text("")
    assert roots(tmp_path) == [str(tmp_path)]
