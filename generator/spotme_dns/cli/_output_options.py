"""`generate` options for teams: the hand-off page format, the state backend and split roots.

Kept apart from the generate command so it stays a thin layer: `output_options` adds the
options (their values go to `ctx.meta`, not to the command's arguments) and `output_settings`
turns them, with the spec's `backend:`, into what `generate.plan_tree` takes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import click

from ..backend import (
    ROOT_PREFIX,
    Backend,
    BackendKind,
    BackendOptions,
    describe_backend,
    for_root,
    resolve_backend,
    root_name,
)
from ..handoff import HandoffFormat
from ..spec import Spec
from .app import BadInput

_META_KEY = "spotme_dns.output_options"
_F = TypeVar("_F", bound=Callable[..., Any])


@dataclass(frozen=True)
class OutputSettings:
    """What `plan_tree` takes besides the spec and the style."""

    handoff_format: HandoffFormat
    backend: Backend | None
    split_roots: int

    def roots(self, domains: int) -> list[str]:
        """The root folders relative to DIR (`.` without --split-roots)."""
        if not self.split_roots:
            return ["."]
        count = (domains + self.split_roots - 1) // self.split_roots
        return [root_name(i + 1) for i in range(count)]


def _store(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    ctx.meta.setdefault(_META_KEY, {})[param.name] = value
    return value


def _option(*decls: str, **kwargs: Any) -> Callable[[_F], _F]:
    return click.option(*decls, expose_value=False, callback=_store, **kwargs)


def output_options(function: _F) -> _F:
    """Add the hand-off, backend and split-roots options to a command."""
    options = [
        _option(
            "--handoff-format",
            type=click.Choice([f.value for f in HandoffFormat]),
            default=HandoffFormat.MARKDOWN.value,
            show_default=True,
            help="The page each domain folder gets for the IT team: HANDOFF.md, or HANDOFF.html (one "
            "self-contained page).",
        ),
        _option(
            "--backend",
            "backend_kind",
            type=click.Choice([k.value for k in BackendKind]),
            help="Where Terraform keeps the state: s3 (bucket, key, region; locked with use_lockfile, "
            "Terraform >= 1.10), remote (Terraform Cloud, backend \"remote\"), cloud (HCP Terraform, the cloud "
            "block), or local (none written; overrides the spec's backend:). Default: the spec's top-level "
            "backend:, else local.",
        ),
        _option("--backend-bucket", metavar="BUCKET", help="--backend s3: the state bucket."),
        _option("--backend-key", metavar="KEY", help="--backend s3: the state object's key [default: spotme-dns/terraform.tfstate]."),
        _option("--backend-region", metavar="REGION", help="--backend s3: the bucket's AWS region."),
        _option("--backend-lock-table", metavar="TABLE", help="--backend s3: also lock with this DynamoDB table (key LockID); deprecated by Terraform 1.10, only if you still use one."),
        _option("--backend-organization", metavar="ORG", help="--backend remote/cloud: the Terraform Cloud organization."),
        _option("--backend-workspace", metavar="NAME", help="--backend remote/cloud: one workspace by name."),
        _option("--backend-workspace-prefix", metavar="PREFIX", help="--backend remote: workspaces by prefix."),
        _option("--backend-hostname", metavar="HOST", help="--backend remote/cloud: Terraform Enterprise host [default: app.terraform.io]."),
        _option(
            "--split-roots",
            type=click.IntRange(min=1),
            metavar="N",
            help="One Terraform root per N domains (DIR/root-001/, DIR/root-002/, ... in spec order), so each "
            "plan stays small; `make plan OUT=DIR` runs every root. Add new domains at the end of the spec.",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def output_settings(ctx: click.Context, spec: Spec, *, discover: bool = False) -> OutputSettings:
    """The settings from the options and the spec; bad combinations are bad input (exit 2)."""
    given: dict[str, Any] = ctx.meta.get(_META_KEY, {})
    kind = given.get("backend_kind")
    options = BackendOptions(
        kind=BackendKind(kind) if kind else None,
        bucket=given.get("backend_bucket"),
        key=given.get("backend_key"),
        region=given.get("backend_region"),
        lock_table=given.get("backend_lock_table"),
        organization=given.get("backend_organization"),
        workspace=given.get("backend_workspace"),
        workspace_prefix=given.get("backend_workspace_prefix"),
        hostname=given.get("backend_hostname"),
    )
    backend = resolve_backend(options, spec.backend)
    split = given.get("split_roots") or 0
    if split and discover:
        raise BadInput(
            "--split-roots and --discover together are not supported: the imports of a discovery are written "
            "for one root; generate with --discover into one root, or split without --discover"
        )
    return OutputSettings(HandoffFormat(given.get("handoff_format") or "md"), backend, split)


def describe_settings(settings: OutputSettings, output: str, domains: int) -> list[str]:
    """Lines for the person running generate: where the state goes and what to run next."""
    roots = settings.roots(domains)
    lines = []
    if settings.split_roots:
        shown = ", ".join(roots[:3]) + (", ..." if len(roots) > 3 else "")
        lines.append(f"{len(roots)} roots of at most {settings.split_roots} domains in {output}: {shown}")
        backend = for_root(settings.backend, f"{ROOT_PREFIX}NNN")
        lines.append(f"state: {describe_backend(backend)}, one per root")
    elif settings.backend is not None:
        lines.append(f"state: {describe_backend(settings.backend)}")
    return lines
