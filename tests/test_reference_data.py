"""The provider facts in tests/data/ are true copies, and nothing outside the checkout is read.

`tests/data/aws-provider-5.100.0-schemas.json` is compared with the real provider's
`terraform providers schema -json` (the provider from the filesystem mirror the other
Terraform tests use); the repository is searched for paths that reach beside the checkout.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.support.reference import reference_dir

REPO = Path(__file__).resolve().parents[1]

AWS_ROOT = """\
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}
"""


@pytest.mark.terraform
def test_aws_schema_copy_is_the_real_providers_schema(terraform_factory, tf_aws_mirror, tmp_path: Path) -> None:
    """Every resource in the copy is exactly what hashicorp/aws 5.100.0 reports."""
    (tmp_path / "main.tf").write_text(AWS_ROOT, encoding="utf-8")
    tf = terraform_factory(tmp_path)
    tf.init()
    real = json.loads(tf.run("providers", "schema", "-json").stdout)
    resources = real["provider_schemas"]["registry.terraform.io/hashicorp/aws"]["resource_schemas"]
    copy = json.loads((reference_dir() / "aws-provider-5.100.0-schemas.json").read_text(encoding="utf-8"))
    assert "aws_route53_record" in copy
    for name, schema in copy.items():
        assert resources[name] == schema, f"{name} differs from the provider's own schema"


def test_every_copied_file_names_its_source() -> None:
    """tests/data/SOURCES.md has a row for every file copied from elsewhere."""
    sources = (reference_dir() / "SOURCES.md").read_text(encoding="utf-8")
    copied = [p.relative_to(reference_dir()).as_posix() for p in reference_dir().rglob("*") if p.is_file()]
    for name in copied:
        if not name.endswith("SOURCES.md"):  # a folder's own SOURCES.md details its rows here
            assert f"| {name} |" in sources, name


def test_nothing_reads_outside_the_repository() -> None:
    """No file of the project reaches for a folder beside the checkout or a design file not in it."""
    # Spelled in pieces so that this file does not match itself (nor the issue's `git grep`).
    shared, design, variable = "shared", "DESIGN", "SPOTME_" + "REFERENCE_DIR"
    pattern = re.compile(rf"\.\./{shared}|{shared}/reference|{variable}|{design}\.md")
    roots = [REPO / name for name in ("generator", "tests", "terraform", "examples", "docs", "benchmarks", ".ci")]
    files = [REPO / name for name in ("README.md", "Makefile", "pyproject.toml", "action.yml", ".pre-commit-hooks.yaml")]
    files += [p for root in roots if root.is_dir() for p in sorted(root.rglob("*")) if p.is_file()]
    hits = []
    for path in files:
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        hits += [f"{path.relative_to(REPO)}:{text.count(chr(10), 0, m.start()) + 1}" for m in pattern.finditer(text)]
    assert not hits, hits
