"""The three inputs of `validate` and `verify`, each normalised into desired records.

- `plan`: the JSON of `terraform show -json PLANFILE` (`--plan`, `--plan-file`);
- `tfdir`: a directory of `.tf` files read with python-hcl2 (`--tf`);
- `specinput`: the YAML spec, through the record model (`--spec`).
"""

from __future__ import annotations

from .common import Desired
from .plan import load_plan, parse_plan, show_plan
from .specinput import load_specs
from .tfdir import load_tf_dir

__all__ = ["Desired", "load_plan", "parse_plan", "show_plan", "load_specs", "load_tf_dir"]
