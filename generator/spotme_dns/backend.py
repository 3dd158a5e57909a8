"""Terraform backends for the generated roots: where the state lives when a team shares it.

Pure: options from the command line and a spec's top-level `backend:` mapping are checked and
merged into one frozen value, rendered as the root's `backend.tf`. Nothing secret is ever
written: the S3 backend takes AWS credentials from their usual environment variables or
profiles, the remote backend (Terraform Cloud / Enterprise) its API token from `terraform login`
(the CLI config's credentials) or `TF_TOKEN_<host>`.

With `--split-roots` every root needs its own state: `for_root` gives each root its own S3 key
(`spotme-dns/root-001/terraform.tfstate`) or its own Terraform Cloud workspace
(`spotme-dns-root-001`, or prefix `spotme-dns-root-001-`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import Enum
from typing import TypeVar

from . import hcl
from .errors import InputError, Location, Problem
from .yamlpos import YNode

DEFAULT_S3_KEY = "spotme-dns/terraform.tfstate"
DEFAULT_REMOTE_HOSTNAME = "app.terraform.io"
BACKEND_FILE = "backend.tf"


class BackendKind(str, Enum):
    """Where Terraform keeps the state of a generated root."""

    LOCAL = "local"
    """Terraform's default: `terraform.tfstate` next to the root (no backend block written)."""
    S3 = "s3"
    """An S3 bucket, optionally locked with a DynamoDB table."""
    REMOTE = "remote"
    """Terraform Cloud or Terraform Enterprise (`backend "remote"`, Terraform >= 0.11.13)."""
    CLOUD = "cloud"
    """HCP Terraform or Terraform Enterprise through the `cloud` block (Terraform >= 1.1)."""

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class S3Backend:
    """`backend "s3"`: state in a bucket, locked by a lock file beside it (and DynamoDB if asked)."""

    bucket: str
    region: str
    key: str = DEFAULT_S3_KEY
    """The state object's key inside the bucket."""
    dynamodb_table: str | None = None
    """Lock table (partition key `LockID`, a string), only when asked: Terraform 1.10 deprecated
    DynamoDB locking for `use_lockfile`."""
    encrypt: bool = True
    """Server-side encryption of the state object: state holds every record's value."""
    use_lockfile: bool = True
    """S3-native locking with a `.tflock` object (Terraform >= 1.10, OpenTofu >= 1.8)."""


@dataclass(frozen=True)
class RemoteBackend:
    """`backend "remote"`: Terraform Cloud or Enterprise; exactly one of workspace / prefix."""

    organization: str
    workspace: str | None = None
    """One named workspace."""
    workspace_prefix: str | None = None
    """Several workspaces sharing a prefix, chosen with `terraform workspace select`."""
    hostname: str = DEFAULT_REMOTE_HOSTNAME
    cloud: bool = False
    """Written as the `cloud` block (HCP Terraform) instead of `backend "remote"`; a named
    workspace only (the cloud block selects several by tags, not by prefix)."""


Backend = S3Backend | RemoteBackend


@dataclass(frozen=True)
class BackendOptions:
    """What the user asked for on the command line; None where a flag was not given."""

    kind: BackendKind | None = None
    bucket: str | None = None
    key: str | None = None
    region: str | None = None
    lock_table: str | None = None
    organization: str | None = None
    workspace: str | None = None
    workspace_prefix: str | None = None
    hostname: str | None = None

    @property
    def s3_fields(self) -> dict[str, str]:
        given = {"bucket": self.bucket, "key": self.key, "region": self.region, "dynamodb_table": self.lock_table}
        return {k: v for k, v in given.items() if v is not None}

    @property
    def remote_fields(self) -> dict[str, str]:
        given = {
            "organization": self.organization, "workspace": self.workspace,
            "workspace_prefix": self.workspace_prefix, "hostname": self.hostname,
        }
        return {k: v for k, v in given.items() if v is not None}


# The flag each field comes from, for messages about command-line input.
FLAG_OF = {
    "bucket": "--backend-bucket", "key": "--backend-key", "region": "--backend-region",
    "dynamodb_table": "--backend-lock-table", "organization": "--backend-organization",
    "workspace": "--backend-workspace", "workspace_prefix": "--backend-workspace-prefix",
    "hostname": "--backend-hostname",
}
S3_KEYS = ("type", "bucket", "key", "region", "dynamodb_table", "encrypt", "use_lockfile")
REMOTE_KEYS = ("type", "organization", "workspace", "workspace_prefix", "hostname")
CLOUD_KEYS = ("type", "organization", "workspace", "hostname")
SPEC_KEYS = tuple(dict.fromkeys(S3_KEYS + REMOTE_KEYS))
_BOOL_KEYS = ("encrypt", "use_lockfile")


# ---------------------------------------------------------------------------------------------
# Checks on single values: each returns None when fine, else what is wrong.

# AWS S3 bucket naming rules (general purpose buckets): 3-63 characters, lower-case letters,
# digits, dots and hyphens, beginning and ending with a letter or digit, not an IP address.
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_REGION = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-[0-9]{1,2}$")
# DynamoDB table names: 3-255 characters of letters, digits, '_', '-', '.'.
_TABLE = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")
# Terraform Cloud: organization and workspace names use letters, digits, '-' and '_'.
_TFC_NAME = re.compile(r"^[A-Za-z0-9_-]{1,90}$")
_HOSTNAME = re.compile(r"^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(?:\.(?!-)[a-z0-9-]{1,63}(?<!-))+$")


def bucket_problem(text: str) -> str | None:
    if not _BUCKET.match(text) or ".." in text or re.fullmatch(r"[0-9.]+", text):
        return f"{text!r} is not an S3 bucket name (3-63 lower-case letters, digits, '.' and '-')"
    return None


def key_problem(text: str) -> str | None:
    # The S3 backend refuses keys that start or end with '/' or contain '//'.
    if not text or text.startswith("/") or text.endswith("/") or "//" in text or len(text) > 1024:
        return f"{text!r} is not a state key (like spotme-dns/terraform.tfstate: no leading or trailing '/')"
    if any(ord(ch) < 0x20 or ch in '"\\$%{}' for ch in text):
        return f"{text!r}: a state key holds no quotes, backslashes, '$', '%', braces or control characters"
    return None


def region_problem(text: str) -> str | None:
    if not _REGION.match(text):
        return f"{text!r} is not an AWS region (like eu-west-1)"
    return None


def table_problem(text: str) -> str | None:
    if not _TABLE.match(text):
        return f"{text!r} is not a DynamoDB table name (3-255 letters, digits, '_', '-', '.')"
    return None


def tfc_name_problem(text: str, what: str) -> str | None:
    if not _TFC_NAME.match(text):
        return f"{text!r} is not a Terraform Cloud {what} name (letters, digits, '-' and '_')"
    return None


def hostname_problem(text: str) -> str | None:
    if not _HOSTNAME.match(text):
        return f"{text!r} is not a host name (like app.terraform.io)"
    return None


_FIELD_CHECKS = {
    "bucket": bucket_problem,
    "key": key_problem,
    "region": region_problem,
    "dynamodb_table": table_problem,
    "organization": lambda t: tfc_name_problem(t, "organization"),
    "workspace": lambda t: tfc_name_problem(t, "workspace"),
    "workspace_prefix": lambda t: tfc_name_problem(t, "workspace prefix"),
    "hostname": hostname_problem,
}


# ---------------------------------------------------------------------------------------------
# The spec's `backend:` mapping.


@dataclass(frozen=True)
class SpecBackend:
    """A checked `backend:` mapping of a spec file, with where it was written."""

    kind: BackendKind
    fields: tuple[tuple[str, str], ...]
    """The given string fields (bucket, key, ...), in a fixed order."""
    encrypt: bool = True
    location: Location = Location("<spec>")
    use_lockfile: bool = True

    def get(self, name: str) -> str | None:
        return next((v for k, v in self.fields if k == name), None)


def check_backend_node(node: YNode) -> tuple[SpecBackend | None, list[Problem]]:
    """Check a spec's top-level `backend:` mapping; every problem carries its file:line:column."""
    problems: list[Problem] = []

    def add(at: YNode, where: str, message: str, code: str = "bad-backend") -> None:
        problems.append(Problem(at.loc, f"{where}: {message}", code))

    if not node.is_mapping:
        add(node, "backend", "expected a mapping like {type: s3, bucket: ..., key: ..., region: ...}", "bad-type")
        return None, problems
    mapping: dict[str, YNode] = node.value  # type: ignore[assignment]
    type_node = mapping.get("type")
    kinds = (BackendKind.S3.value, BackendKind.REMOTE.value, BackendKind.CLOUD.value, BackendKind.LOCAL.value)
    if type_node is None:
        add(node, "backend.type", f"missing: one of {', '.join(kinds)}", "missing-key")
        return None, problems
    if not isinstance(type_node.value, str) or type_node.value not in kinds:
        # Spelled exactly, like provider names: the JSON Schema says the same to editors.
        close = type_node.value.lower() if isinstance(type_node.value, str) and type_node.value.lower() in kinds else None
        hint = f"; did you mean {close!r}?" if close else ""
        add(type_node, "backend.type", f"expected one of {', '.join(kinds)} (got {type_node.value!r}){hint}")
        return None, problems
    kind = BackendKind(type_node.value)
    allowed = {BackendKind.S3: S3_KEYS, BackendKind.REMOTE: REMOTE_KEYS, BackendKind.CLOUD: CLOUD_KEYS, BackendKind.LOCAL: ("type",)}[kind]
    fields: list[tuple[str, str]] = []
    flags = {"encrypt": True, "use_lockfile": True}
    for key, value_node in mapping.items():
        where = f"backend.{key}"
        if key == "type":
            continue
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            if close:
                hint = f"; did you mean {close[0]!r}?"
            elif len(allowed) > 1:
                hint = f" (keys of the {kind} backend: {', '.join(k for k in allowed if k != 'type')})"
            else:
                hint = " (the local backend takes no other keys)"
            problems.append(Problem(node.key_loc(key), f"{where}: unknown key for type {kind}{hint}", "unknown-key"))
            continue
        if key in _BOOL_KEYS:
            if not isinstance(value_node.value, bool):
                add(value_node, where, f"expected true or false (got {value_node.value!r})", "bad-type")
            else:
                flags[key] = value_node.value
            continue
        if not isinstance(value_node.value, str) or not value_node.value.strip():
            add(value_node, where, f"expected a string (got {value_node.value!r})", "bad-type")
            continue
        text = value_node.value.strip()
        problem = _FIELD_CHECKS[key](text)
        if problem:
            add(value_node, where, problem)
            continue
        fields.append((key, text))
    given = dict(fields)
    if kind is BackendKind.REMOTE and "workspace" in given and "workspace_prefix" in given:
        add(mapping["workspace_prefix"], "backend.workspace_prefix", "give either workspace or workspace_prefix, not both")
    if problems:
        return None, problems
    order = list(SPEC_KEYS)
    fields.sort(key=lambda kv: order.index(kv[0]))
    return SpecBackend(kind, tuple(fields), flags["encrypt"], node.loc, flags["use_lockfile"]), problems


# ---------------------------------------------------------------------------------------------
# Command line and spec together.


def resolve_backend(options: BackendOptions, spec_backend: SpecBackend | None = None) -> Backend | None:
    """The backend to write: the spec's `backend:` with the flags given over it; None for local state.

    Raises InputError naming the flag or the spec place when something is missing or wrong.
    """
    cli = Location("command line")
    problems: list[Problem] = []
    kind = options.kind or (spec_backend.kind if spec_backend else None)
    from_spec = spec_backend is not None and spec_backend.kind is kind
    flags = {**options.s3_fields, **options.remote_fields}
    for name, value in flags.items():
        problem = _FIELD_CHECKS[name](value)
        if problem:
            problems.append(Problem(cli, f"{FLAG_OF[name]}: {problem}", "bad-backend"))
    if kind is None or kind is BackendKind.LOCAL:
        if flags:
            names = ", ".join(FLAG_OF[n] for n in flags)
            problems.append(Problem(cli, f"{names}: given without --backend s3, remote or cloud (or a 'backend:' in the spec)", "bad-backend"))
        _raise(problems)
        return None

    def field(name: str) -> str | None:
        if name in flags:
            return flags[name]
        return spec_backend.get(name) if from_spec and spec_backend else None

    # A missing field is reported where the user would add it: the spec's backend, or the command line.
    missing_at = spec_backend.location if from_spec and spec_backend else cli
    if kind is BackendKind.S3:
        wrong = sorted(options.remote_fields)
        if wrong:
            problems.append(Problem(cli, f"{', '.join(FLAG_OF[n] for n in wrong)}: options of --backend remote, not s3", "bad-backend"))
        for name in ("bucket", "region"):
            if field(name) is None:
                problems.append(Problem(missing_at, f"the s3 backend needs {FLAG_OF[name]} (or '{name}' in the spec's backend)", "missing-key"))
        _raise(problems)
        return S3Backend(
            bucket=field("bucket"),  # type: ignore[arg-type]
            region=field("region"),  # type: ignore[arg-type]
            key=field("key") or DEFAULT_S3_KEY,
            dynamodb_table=field("dynamodb_table"),
            encrypt=spec_backend.encrypt if from_spec and spec_backend else True,
            use_lockfile=spec_backend.use_lockfile if from_spec and spec_backend else True,
        )
    wrong = sorted(options.s3_fields)
    if wrong:
        problems.append(Problem(cli, f"{', '.join(FLAG_OF[n] for n in wrong)}: options of --backend s3, not {kind}", "bad-backend"))
    if field("organization") is None:
        problems.append(Problem(missing_at, "the remote backend needs --backend-organization (or 'organization' in the spec's backend)", "missing-key"))
    # A flag replaces the spec's choice between a named workspace and a prefix, never adds to it.
    if "workspace" in flags or "workspace_prefix" in flags:
        workspace, prefix = flags.get("workspace"), flags.get("workspace_prefix")
    else:
        workspace, prefix = field("workspace"), field("workspace_prefix")
    if kind is BackendKind.CLOUD and prefix:
        problems.append(Problem(cli if "workspace_prefix" in flags else missing_at, "the cloud block takes one workspace by name (--backend-workspace), not a prefix; use --backend remote for prefixes", "bad-backend"))
    elif workspace and prefix:
        problems.append(Problem(cli, "give --backend-workspace or --backend-workspace-prefix, not both", "bad-backend"))
    elif not workspace and not prefix:
        problems.append(Problem(missing_at, "the remote backend needs --backend-workspace NAME or --backend-workspace-prefix PREFIX (or 'workspace' / 'workspace_prefix' in the spec's backend)", "missing-key"))
    _raise(problems)
    return RemoteBackend(
        organization=field("organization"),  # type: ignore[arg-type]
        workspace=workspace,
        workspace_prefix=prefix,
        hostname=field("hostname") or DEFAULT_REMOTE_HOSTNAME,
        cloud=kind is BackendKind.CLOUD,
    )


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise InputError(problems)


def for_root(backend: Backend | None, root: str) -> Backend | None:
    """The backend of one of several split roots: its own state, so roots never share a lock.

    S3: the root's name goes in front of the key's file name (`a/b.tfstate` -> `a/root-001/b.tfstate`).
    Remote: a named workspace gets `-<root>`, a prefix gets `<root>-` after it.
    """
    if backend is None:
        return None
    if isinstance(backend, S3Backend):
        head, slash, tail = backend.key.rpartition("/")
        return replace(backend, key=f"{head}{slash}{root}/{tail}")
    if backend.workspace is not None:
        return replace(backend, workspace=f"{backend.workspace}-{root}")
    return replace(backend, workspace_prefix=f"{backend.workspace_prefix}{root}-")


# ---------------------------------------------------------------------------------------------
# HCL


def render_backend(backend: Backend, *, header: str = "") -> str:
    """`backend.tf` for a root: one `terraform { backend ... }` block, `terraform fmt` clean.

    `header` is the comment every generated file starts with.
    """
    if isinstance(backend, S3Backend):
        body: list[hcl.Item] = [
            hcl.Comment(
                "State in S3"
                + (", locked by a .tflock object beside it (use_lockfile: Terraform >= 1.10)" if backend.use_lockfile else "")
                + (", and with DynamoDB (deprecated by Terraform 1.10)" if backend.dynamodb_table else "")
                + "."
            ),
            hcl.Comment("AWS credentials come from the usual environment variables or profile; none are written here."),
            hcl.Attribute("bucket", backend.bucket),
            hcl.Attribute("key", backend.key),
            hcl.Attribute("region", backend.region),
        ]
        if backend.dynamodb_table:
            body.append(hcl.Attribute("dynamodb_table", backend.dynamodb_table))
        body.append(hcl.Attribute("encrypt", backend.encrypt))
        if backend.use_lockfile:
            body.append(hcl.Attribute("use_lockfile", True))
        block = hcl.Block("backend", ("s3",), tuple(body))
    elif backend.cloud:
        block = hcl.Block(
            "cloud",
            (),
            (
                hcl.Comment("State in HCP Terraform / Terraform Enterprise. The API token comes from `terraform login`"),
                hcl.Comment("(the CLI config's credentials) or TF_TOKEN_<host>; it is never written here."),
                hcl.Attribute("hostname", backend.hostname),
                hcl.Attribute("organization", backend.organization),
                hcl.BLANK,
                hcl.Block("workspaces", (), (hcl.Attribute("name", backend.workspace or ""),)),
            ),
        )
    else:
        workspace = (
            hcl.Attribute("name", backend.workspace)
            if backend.workspace
            else hcl.Attribute("prefix", backend.workspace_prefix or "")
        )
        block = hcl.Block(
            "backend",
            ("remote",),
            (
                hcl.Comment("State in Terraform Cloud / Enterprise. The API token comes from `terraform login`"),
                hcl.Comment("(the CLI config's credentials) or TF_TOKEN_<host>; it is never written here."),
                hcl.Attribute("hostname", backend.hostname),
                hcl.Attribute("organization", backend.organization),
                hcl.BLANK,
                hcl.Block("workspaces", (), (workspace,)),
            ),
        )
    return hcl.document([hcl.Block("terraform", (), (block,))], header=header)


# ---------------------------------------------------------------------------------------------
# Split roots: one Terraform root per N domains, so each plan stays small.

ROOT_PREFIX = "root-"

_T = TypeVar("_T")


def root_name(index: int) -> str:
    """The folder of the `index`-th root (1-based): `root-001`, `root-002`, ..."""
    return f"{ROOT_PREFIX}{index:03d}"


def split_into_roots(items: Sequence[_T], per_root: int) -> list[tuple[str, list[_T]]]:
    """`items` cut into roots of `per_root` in their order: (root folder, its items).

    The assignment depends on the order alone, so the same spec always gives the same roots;
    a domain inserted or removed in the middle moves the ones after it to another root (and
    their state with them), so new domains belong at the end of the spec.
    """
    if per_root < 1:
        raise ValueError(f"per_root must be at least 1, got {per_root}")
    return [
        (root_name(i + 1), list(items[start : start + per_root]))
        for i, start in enumerate(range(0, len(items), per_root))
    ]


def describe_backend(backend: Backend | None) -> str:
    """One line for people: where the state of a root goes."""
    if backend is None:
        return "local state (terraform.tfstate in the root)"
    if isinstance(backend, S3Backend):
        locks = [*(["a lock file"] if backend.use_lockfile else []), *([f"DynamoDB table {backend.dynamodb_table}"] if backend.dynamodb_table else [])]
        lock = f", locked with {' and '.join(locks)}" if locks else ""
        return f"S3 s3://{backend.bucket}/{backend.key} ({backend.region}){lock}"
    space = f"workspace {backend.workspace}" if backend.workspace else f"workspaces {backend.workspace_prefix}*"
    if backend.cloud:
        return f"HCP Terraform (cloud block) {backend.hostname}, organization {backend.organization}, {space}"
    return f"Terraform Cloud {backend.hostname}, organization {backend.organization}, {space}"
