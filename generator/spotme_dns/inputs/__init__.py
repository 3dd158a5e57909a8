"""The three inputs of `validate` and `verify`, each normalised into desired records.

- `plan`: the JSON of `terraform show -json PLANFILE` (`--plan`, `--plan-file`), or for
  verify of the state (`terraform show -json`, `--chdir` alone);
- `tfdir`: a directory of `.tf` files read with python-hcl2 (`--tf`);
- `specinput`: the YAML spec, through the record model (`--spec`).
"""

from __future__ import annotations

from .common import Desired, combine
from .plan import TERRAFORM_ENV, load_plan, parse_plan, show_plan, terraform_binary
from .specinput import load_specs
from .tfdir import load_tf_dir

__all__ = [
    "TERRAFORM_ENV", "Desired", "combine", "load_plan", "parse_plan", "show_plan", "terraform_binary", "load_specs", "load_tf_dir",
]
