"""Desired records from a Terraform plan: the JSON of `terraform show -json PLANFILE`.

Reads `format_version` 0.x and 1.x (Terraform 0.12 to 1.14: 0.1, 0.2, 1.0, 1.1, 1.2; a minor
version only adds keys, so later minors are read too), every resource in every child module,
count and for_each instances, and the planned action of each. Values Terraform knows only
after apply (`after_unknown`) stay unknown: never guessed.

Resource types: `aws_route53_record` (one record set per resource), `cloudflare_record` (v4)
and `cloudflare_dns_record` (v5) (one value per resource), `dns_txt_record_set` and
`dns_cname_record` (hashicorp/dns, RFC 2136: `name` relative to `zone`), `google_dns_record_set`
(one record set per resource; TXT `rrdatas` quoted character-strings), `azurerm_dns_txt_record`
(`record { value }` blocks, plain text) and `azurerm_dns_cname_record` (`name` relative to
`zone_name`, `@` the apex), and the generic
module's `records` output (a list of `{name, type, ttl, values}`).

Zones: a record's zone is the `aws_route53_zone` / `cloudflare_zone` (data source or managed)
that its `zone_id` equals or refers to in the plan's `configuration`, else the longest zone
seen in the plan that holds the name, else its literal zone id groups it (see
`common.infer_zones`). A relative name whose zone is not known is a note, never a domain.

Names unknown until apply: an SES Easy DKIM CNAME named by the tokens of an identity created
by the same plan is kept, unknown, under the identity's domain (`_unknown_name`).

The same reader takes state JSON (`terraform show -json` without a plan file) for `verify`:
its resources are records as they are (no-op).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from ..desired import UNKNOWN_LABEL, Action, ses_dkim_pattern
from ..errors import InputError, Location, Problem
from ..model import normalize_name
from ..report import Finding
from ..rfc2136 import RESOURCES as RFC2136_RESOURCES
from ..rfc2136 import TXT_RESOURCE as RFC2136_TXT
from ..rfc2136 import absolute_name as rfc2136_name
from .common import (
    RECORD_TYPES,
    Candidate,
    Desired,
    absolute_name,
    assemble,
    base_domain,
    needs_zone,
    note,
    placed_name,
)
from .values import logical_value, route53_strings

SUPPORTED_MAJORS = (0, 1)

ROUTE53 = "aws_route53_record"
CLOUDFLARE_V4 = "cloudflare_record"
CLOUDFLARE_V5 = "cloudflare_dns_record"
GOOGLE = "google_dns_record_set"
AZURE = {"azurerm_dns_txt_record": "TXT", "azurerm_dns_cname_record": "CNAME"}
RECORD_RESOURCES = (ROUTE53, CLOUDFLARE_V4, CLOUDFLARE_V5, *RFC2136_RESOURCES, GOOGLE, *AZURE)
#: Resources that own every value of their name and type (values not listed are deleted).
RECORD_SET_RESOURCES = (ROUTE53, RFC2136_TXT, GOOGLE, *AZURE)
ZONE_TYPES = ("aws_route53_zone", "cloudflare_zone")
#: SES resources whose DKIM tokens (attribute) are known only after apply, and their domain attribute.
SES_TOKENS = {"aws_sesv2_email_identity": "dkim_signing_attributes", "aws_ses_domain_dkim": "dkim_tokens"}
SES_DOMAIN = {"aws_sesv2_email_identity": "email_identity", "aws_ses_domain_dkim": "domain"}

_ACTIONS = {
    ("create",): Action.CREATE,
    ("update",): Action.UPDATE,
    ("delete",): Action.DELETE,
    ("no-op",): Action.NOOP,
    ("read",): Action.READ,
    ("delete", "create"): Action.REPLACE,
    ("create", "delete"): Action.REPLACE,
    # Terraform 1.7+: "forget" stops managing an object without touching it.
    ("create", "forget"): Action.CREATE,
}

_INSTANCE_KEY = re.compile(r'\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\]')


# --------------------------------------------------------------------------- reading


def load_plan(path: str, *, state_ok: bool = False) -> Desired:
    """Read a plan JSON file; InputError (exit 2) naming the file and what is wrong."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as err:
        raise InputError([Problem(Location(path), f"cannot read the plan: {err.strerror or err}", "unreadable")]) from None
    if data.startswith(b"PK\x03\x04"):
        raise InputError(
            [
                Problem(
                    Location(path),
                    "this is a binary plan file (terraform plan -out=...), not its JSON: use "
                    "--plan-file FILE --chdir DIR, or give the output of `terraform show -json FILE`",
                    "binary-plan",
                )
            ]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError([Problem(Location(path), f"not UTF-8 text (byte {err.start}): expected the JSON of `terraform show -json PLANFILE`", "not-json")]) from None
    return parse_plan(text, path, state_ok=state_ok)


TERRAFORM_ENV = "SPOTME_TERRAFORM"
"""The environment variable naming the Terraform binary (`terraform`, `tofu`, a path); the
`--terraform-bin` option, the Makefile's `TF` and the generated `import.sh` use it too."""


def terraform_binary(explicit: str | None = None) -> str:
    """The binary to run: `explicit`, else $SPOTME_TERRAFORM, else `terraform`."""
    return explicit or os.environ.get(TERRAFORM_ENV) or "terraform"


def show_plan(planfile: str | None, chdir: str, *, terraform: str | None = None) -> str:
    """Run `terraform -chdir=DIR show -json [PLANFILE]` and return its JSON text.

    With a plan file: the plan (taken as Terraform takes it: relative to `chdir`); without:
    the root's current state (what `verify` reads after apply). Failures are InputError.
    """
    binary = terraform_binary(terraform)
    exe = shutil.which(binary)
    where = Location(planfile if planfile else chdir)
    shown = f"{binary} -chdir={chdir} show -json{' ' + planfile if planfile else ''}"
    if exe is None:
        raise InputError([Problem(where, f"cannot run {binary!r}: not found on PATH (set --terraform-bin or ${TERRAFORM_ENV})", "no-terraform")])
    try:
        done = subprocess.run(
            [exe, f"-chdir={chdir}", "show", "-json", "-no-color", *([planfile] if planfile else [])],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError as err:
        raise InputError([Problem(where, f"cannot run {binary}: {err}", "no-terraform")]) from None
    if done.returncode != 0:
        message = " ".join((done.stderr or done.stdout).split()) or f"exit status {done.returncode}"
        raise InputError([Problem(where, f"`{shown}` failed: {message}", "terraform-failed")])
    return done.stdout


def parse_plan(text: str, path: str = "<plan>", *, state_ok: bool = False) -> Desired:
    """Desired records from plan JSON text; InputError for anything that is not such a plan.

    `state_ok` (verify): state JSON (`terraform show -json` without a plan file) is read too,
    told apart by its content (`values` without `planned_values` or `resource_changes`):
    every resource in it is expected as it is, with the exact values and zone ids applied.
    """
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError([Problem(Location(path, err.lineno, err.colno), f"not JSON: {err.msg}", "not-json")]) from None
    what = "plan"
    if state_ok and is_state(doc):
        doc, what = {"format_version": doc["format_version"], "planned_values": doc.get("values") or {}}, "state"
    _check_document(doc, path)
    reader = _PlanReader(doc, path, state=what == "state")
    candidates = reader.candidates()
    if reader.problems:
        raise InputError(reader.problems)
    if not candidates:
        types = ", ".join(RECORD_RESOURCES)
        why = "".join(f"; {n.message}" for n in reader.notes)
        raise InputError(
            [
                Problem(
                    Location(path),
                    f"the {what} has no DNS records: no {types} resource and no `records` output "
                    f"(spotme-dns reads {'/'.join(RECORD_TYPES)} records){why}",
                    "empty-plan",
                )
            ]
        )
    return Desired(assemble(candidates), tuple(reader.notes), actions_known=True)


def is_state(doc: Any) -> bool:
    """Whether a document is Terraform state JSON: `terraform show -json` without a plan file."""
    return (
        isinstance(doc, dict)
        and isinstance(doc.get("format_version"), str)
        and "planned_values" not in doc
        and "resource_changes" not in doc
        and "lineage" not in doc
        and isinstance(doc.get("values", {}), dict)
        and ("values" in doc or "terraform_version" in doc)
    )


def _check_document(doc: Any, path: str) -> None:
    """Refuse what is not a plan, saying what it looks like instead."""
    where = Location(path)
    expected = "expected the JSON of `terraform show -json PLANFILE`"
    if not isinstance(doc, dict):
        raise InputError([Problem(where, f"a JSON {_kind(doc)} at the top: {expected}", "wrong-shape")])
    if "lineage" in doc or ("serial" in doc and "resources" in doc):
        raise InputError([Problem(where, f"this is a Terraform state file (terraform.tfstate), not a plan: {expected}", "state-not-plan")])
    if "format_version" not in doc:
        raise InputError([Problem(where, f"no \"format_version\" key: {expected}", "wrong-shape")])
    version = doc["format_version"]
    match = re.fullmatch(r"([0-9]+)\.([0-9]+)", version) if isinstance(version, str) else None
    if match is None:
        raise InputError([Problem(where, f"format_version {version!r} is not MAJOR.MINOR: {expected}", "wrong-shape")])
    if int(match.group(1)) not in SUPPORTED_MAJORS:
        raise InputError(
            [Problem(where, f"format_version {version} is not supported: spotme-dns reads plan JSON 0.x and 1.x (Terraform 0.12 to 1.x)", "unsupported-version")]
        )
    if "values" in doc and "planned_values" not in doc and "resource_changes" not in doc:
        raise InputError(
            [Problem(where, f"this is Terraform state JSON (`terraform show -json` without a plan file), not a plan (verify reads it): {expected}", "state-not-plan")]
        )
    if "planned_values" not in doc and "resource_changes" not in doc:
        raise InputError([Problem(where, f"neither \"planned_values\" nor \"resource_changes\": {expected}", "wrong-shape")])
    for key, kind in (("resource_changes", list), ("planned_values", dict), ("output_changes", dict), ("prior_state", dict), ("configuration", dict)):
        if key in doc and doc[key] is not None and not isinstance(doc[key], kind):
            raise InputError([Problem(where, f"\"{key}\" is a JSON {_kind(doc[key])}, expected {'an array' if kind is list else 'an object'}", "wrong-shape")])


def _kind(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}.get(type(value), "number")


# --------------------------------------------------------------------------- helpers


def _unknown(tree: Any, key: str | None = None) -> bool:
    """Whether `after_unknown` marks the attribute (or anything inside it) unknown."""
    node = tree.get(key) if key is not None and isinstance(tree, dict) else tree
    if node is True:
        return True
    if isinstance(node, list):
        return any(_unknown(x) for x in node)
    if isinstance(node, dict):
        return any(_unknown(x) for x in node.values())
    return False


def strip_keys(address: str) -> str:
    """An address without instance keys: `module.a["x"].aws_x.y[0]` -> `module.a.aws_x.y`."""
    return _INSTANCE_KEY.sub("", address)


def _module_prefix(address: str, kind_name: str) -> str:
    """The module part of a resource address (`module.a["x"]` of `module.a["x"].data.t.n`)."""
    idx = address.rfind(kind_name)
    return address[:idx].rstrip(".") if idx > 0 else ""


def _join(prefix: str, rest: str) -> str:
    return f"{prefix}.{rest}" if prefix else rest


@dataclass
class _Zone:
    """A zone the plan knows of (data source or managed resource)."""

    address: str
    name: str | None = None
    ids: tuple[str, ...] = ()


# --------------------------------------------------------------------------- the reader


class _PlanReader:
    """Walks one plan document; collects candidates, notes and shape problems."""

    def __init__(self, doc: dict[str, Any], path: str, *, state: bool = False) -> None:
        self.doc = doc
        self.path = path
        self.state = state
        """Read from the state: every record is there already (no-op), outputs' records too."""
        self._ses: dict[str, list[tuple[str, str]]] | None = None
        self.unplaced: list[Candidate] = []
        """Records whose name is unknown until apply and not an SES CNAME (`_placed_by_module`)."""
        self.problems: list[Problem] = []
        self.notes: list[Finding] = []
        self.zones: dict[str, _Zone] = {}
        self.config_modules: dict[str, dict[str, Any]] = {}

    # ----------------------------------------------------------------- plumbing

    def bad(self, where: str, message: str) -> None:
        self.problems.append(Problem(Location(self.path), f"{where}: {message}", "wrong-shape"))

    def candidates(self) -> list[Candidate]:
        self._index_configuration()
        self._collect_zones()
        out: list[Candidate] = []
        seen: set[str] = set()
        for i, rc in enumerate(self.doc.get("resource_changes") or []):
            where = f"resource_changes[{i}]"
            if not isinstance(rc, dict):
                self.bad(where, f"a JSON {_kind(rc)}, expected an object")
                continue
            if rc.get("mode", "managed") != "managed" or rc.get("type") not in RECORD_RESOURCES:
                continue
            address = rc.get("address")
            if not isinstance(address, str):
                self.bad(where, "no \"address\"")
                continue
            if rc.get("deposed"):
                continue  # an old instance awaiting destruction: the live record is the current one's
            seen.add(address)
            out.extend(self._from_change(rc, where))
        for resource, where in self._planned_resources():
            if resource.get("address") not in seen and resource.get("mode", "managed") == "managed" and resource.get("type") in RECORD_RESOURCES:
                # Older plans and no-change plans may list a resource only here: it stays as is.
                values = resource.get("values")
                if not isinstance(values, dict):
                    self.bad(where, "no \"values\" object")
                    continue
                out.extend(self._instance(resource, values, {}, Action.NOOP, where, _module_prefix(resource["address"], resource["type"])))
        if not self.problems:
            out.extend(self._from_outputs({(c.name, c.type) for c in out}))
        return out + self._placed_by_module(out)

    def _placed_by_module(self, known: list[Candidate]) -> list[Candidate]:
        """Records whose name is unknown until apply, placed under the one sending domain of
        their module instance (the domain of its `_dmarc.X` / `<sel>._domainkey.X` records),
        with their address; their `unknown-name` note goes. Elsewhere the note stays."""
        domains: dict[str, set[str]] = {}
        for c in known:
            base = base_domain(placed_name(c))
            if c.module and (base != c.name or not c.name_known):
                domains.setdefault(c.module, set()).add(base)
        out = []
        for c in self.unplaced:
            found = domains.get(c.module, set())
            if len(found) == 1:
                domain = next(iter(found))
                out.append(replace(c, domain=domain))
                self.notes = [n for n in self.notes if n.name != c.address]
        return out

    def _planned_resources(self) -> Iterator[tuple[dict[str, Any], str]]:
        planned = self.doc.get("planned_values") or {}
        yield from _walk_module(planned.get("root_module"), "planned_values.root_module", self)

    # ----------------------------------------------------------------- configuration and zones

    def _index_configuration(self) -> None:
        """Map stripped module addresses to their configuration blocks (for zone_id references)."""
        config = self.doc.get("configuration")
        if not isinstance(config, dict):
            return

        def walk(module: Any, prefix: str) -> None:
            if not isinstance(module, dict):
                return
            self.config_modules[prefix] = module
            for call_name, call in (module.get("module_calls") or {}).items():
                if isinstance(call, dict):
                    walk(call.get("module"), _join(prefix, f"module.{call_name}"))

        walk(config.get("root_module"), "")

    def _collect_zones(self) -> None:
        def add(address: str, values: Any, unknown: Any = None) -> None:
            if not isinstance(values, dict):
                return
            zone = self.zones.setdefault(address, _Zone(address))
            name = values.get("name")
            if not name and isinstance(values.get("filter"), dict):
                name = values["filter"].get("name")  # cloudflare v5 data source
            if isinstance(name, str) and name and not _unknown(unknown or {}, "name"):
                zone.name = normalize_name(name)
            ids = [values.get(k) for k in ("zone_id", "id") if isinstance(values.get(k), str) and values.get(k)]
            zone.ids = tuple(dict.fromkeys([*zone.ids, *ids]))

        prior = self.doc.get("prior_state")
        if isinstance(prior, dict) and isinstance(prior.get("values"), dict):
            for resource, _ in _walk_module(prior["values"].get("root_module"), "prior_state", None):
                if resource.get("type") in ZONE_TYPES:
                    add(resource.get("address", ""), resource.get("values"))
        for resource, _ in self._planned_resources():
            if resource.get("type") in ZONE_TYPES:
                add(resource.get("address", ""), resource.get("values"))
        for rc in self.doc.get("resource_changes") or []:
            if isinstance(rc, dict) and rc.get("type") in ZONE_TYPES and isinstance(rc.get("change"), dict):
                change = rc["change"]
                add(rc.get("address", ""), change.get("after") or change.get("before"), change.get("after_unknown"))
        # A zone name written as a literal in the configuration (data source read at apply time).
        for prefix, module in self.config_modules.items():
            for block in module.get("resources") or []:
                if isinstance(block, dict) and block.get("type") in ZONE_TYPES:
                    name = ((block.get("expressions") or {}).get("name") or {}).get("constant_value")
                    address = _join(prefix, _local_address(block))
                    if isinstance(name, str) and name:
                        for zone in self.zones.values():
                            if strip_keys(zone.address) == address and zone.name is None:
                                zone.name = normalize_name(name)
                        if not any(strip_keys(z.address) == address for z in self.zones.values()):
                            self.zones[address] = _Zone(address, normalize_name(name))

    def _zone_of(self, address: str, kind_name: str, zone_id: str | None) -> str | None:
        """The zone name of a record: by zone id, else by the configuration's reference."""
        if zone_id:
            for zone in self.zones.values():
                if zone_id in zone.ids and zone.name:
                    return zone.name
        prefix = _module_prefix(address, kind_name)
        local = address[len(prefix) :].lstrip(".")
        target = self._zone_reference(strip_keys(prefix), strip_keys(local), "zone_id", 0)
        if target is None:
            return None
        candidates = [z for z in self.zones.values() if strip_keys(z.address) == target and z.name]
        if len(candidates) > 1:
            # for_each modules: the zone in the record's own module instance.
            candidates = [z for z in candidates if z.address.startswith(prefix)] or candidates
        names = {z.name for z in candidates}
        return names.pop() if len(names) == 1 else None

    def _zone_reference(self, prefix: str, local: str, attribute: str, depth: int) -> str | None:
        """Follow `zone_id`'s references (through module inputs) to a zone block's address."""
        module = self.config_modules.get(prefix)
        if module is None or depth > 16:
            return None
        block = next((b for b in module.get("resources") or [] if isinstance(b, dict) and _local_address(b) == local), None)
        expressions = (block or {}).get("expressions") or {}
        return self._follow(prefix, (expressions.get(attribute) or {}).get("references") or [], depth)

    def _follow(self, prefix: str, references: list[Any], depth: int) -> str | None:
        for ref in references:
            if not isinstance(ref, str):
                continue
            parts = ref.split(".")
            if parts[0] == "data" and len(parts) >= 3 and parts[1] in ZONE_TYPES:
                return _join(prefix, f"data.{parts[1]}.{parts[2]}")
            if parts[0] in ZONE_TYPES and len(parts) >= 2:
                return _join(prefix, f"{parts[0]}.{parts[1]}")
            if parts[0] == "var" and len(parts) >= 2 and prefix:
                parent, _, call = prefix.rpartition(".module.") if ".module." in prefix else ("", "", prefix[len("module."):])
                caller = self.config_modules.get(parent) or {}
                call_block = (caller.get("module_calls") or {}).get(call) or {}
                expr = (call_block.get("expressions") or {}).get(parts[1]) or {}
                found = self._follow(parent, expr.get("references") or [], depth + 1)
                if found:
                    return found
        return None

    # ----------------------------------------------------------------- resources

    def _from_change(self, rc: dict[str, Any], where: str) -> list[Candidate]:
        change = rc.get("change")
        if not isinstance(change, dict) or not isinstance(change.get("actions"), list):
            self.bad(where, "no \"change.actions\" array")
            return []
        actions = tuple(change["actions"])
        action = _ACTIONS.get(actions)
        if actions == ("forget",):
            return []  # Terraform lets go of the record and leaves it as it is live
        if action is None:
            self.bad(where, f"unknown actions {list(actions)}")
            return []
        address, kind = rc["address"], rc["type"]
        prefix = rc.get("module_address") or _module_prefix(address, kind)
        before = change.get("before")
        after = change.get("after")
        unknown = change.get("after_unknown") or {}
        if action is Action.READ:
            return []
        if action is Action.DELETE:
            if not isinstance(before, dict):
                self.bad(where, "a delete without \"change.before\"")
                return []
            return self._instance(rc, before, {}, Action.DELETE, where, prefix, deleted=True)
        if not isinstance(after, dict):
            self.bad(where, "no \"change.after\" object")
            return []
        out = self._instance(rc, after, unknown, action, where, prefix, before=before if isinstance(before, dict) else None)
        if isinstance(before, dict) and out:
            old = self._instance(rc, before, {}, Action.DELETE, where, prefix, deleted=True, quiet=True)
            # A replace that renames the record leaves nothing at the old name.
            out.extend(c for c in old if (c.name, c.type) not in {(n.name, n.type) for n in out})
        return out

    def _instance(
        self,
        rc: dict[str, Any],
        values: dict[str, Any],
        unknown: Any,
        action: Action,
        where: str,
        prefix: str,
        *,
        deleted: bool = False,
        before: dict[str, Any] | None = None,
        quiet: bool = False,
    ) -> list[Candidate]:
        """One resource instance's record, as a candidate (or a note when it cannot be placed)."""
        address, kind = rc.get("address", ""), rc.get("type", "")
        read = _read_record(kind, values, unknown)
        if read is None:
            return []
        if read.name is None and read.type in RECORD_TYPES and not quiet:
            pending = self._unknown_name(rc, read, action, prefix)
            if pending is not None:
                return [pending]
        if read.name is None or read.type is None:
            if not quiet:
                what = "name" if read.name is None else "type"
                self.notes.append(note("unknown-name", address, f"{address}: the record {what} is not known until apply, so it is not checked"))
                if read.name is None and read.type in RECORD_TYPES:
                    self.unplaced.append(Candidate(UNKNOWN_LABEL, read.type, read.values, action, module=prefix, address=address,
                                                   ttl=read.ttl, authoritative=kind == ROUTE53, zone_id=read.zone_id, name_known=False))
            return []
        if read.type not in RECORD_TYPES:
            return []
        zone = read.zone or self._zone_of(address, kind, read.zone_id)
        fqdn = values.get("fqdn")
        if needs_zone(read.name, zone) and isinstance(fqdn, str) and not needs_zone(fqdn, None) and not _unknown(unknown, "fqdn"):
            read = replace(read, name=fqdn)  # Route53 knows the whole name once the record exists (state, no-op)
        if needs_zone(read.name, zone):
            if not quiet:
                self.notes.append(note("unknown-name", address, f"{address}: the name {read.name!r} is relative to a zone the plan does not name, so it is not checked"))
            return []
        name = absolute_name(read.name, zone)
        # What the update takes out of the record set: gone after apply (the diff expects it
        # gone), but not "removed on purpose": the checks judge every customer value that goes.
        removed: tuple[str, ...] = ()
        if before is not None and read.values is not None:
            old = _read_record(kind, before, {})
            if old is not None and old.values is not None and old.name is not None and absolute_name(old.name, zone) == name:
                removed = tuple(v for v in old.values if v not in read.values)
        return [
            Candidate(
                name=name,
                type=read.type,
                values=read.values,
                action=action,
                deleted=deleted,
                zone=zone,
                module=prefix,
                address=address,
                ttl=read.ttl,
                proxied=read.proxied,
                authoritative=kind in RECORD_SET_RESOURCES,
                removed=removed,
                strings=read.strings,
                zone_id=read.zone_id if zone is None else None,
            )
        ]

    # ----------------------------------------------------------------- names unknown until apply

    def _unknown_name(self, rc: dict[str, Any], read: _Read, action: Action, prefix: str) -> Candidate | None:
        """A record named by SES Easy DKIM tokens made at apply: kept, under its identity's domain.

        The plan has no name, but its `configuration` says what the name is made of: when it
        refers to the tokens of an `aws_sesv2_email_identity` (`dkim_signing_attributes`) or
        `aws_ses_domain_dkim` (`dkim_tokens`), directly, through a module input or a module
        output, the record is one of that identity's three SES CNAMEs
        (`<token>._domainkey.<domain>`, cloudposse/terraform-aws-ses and
        trussworks/terraform-aws-ses-domain style); its domain is the identity's, from the
        same module instance. Anything else stays an `unknown-name` note.
        """
        if read.type != "CNAME":
            return None
        address, kind = rc["address"], rc["type"]
        local = address[len(prefix) :].lstrip(".")
        module = self.config_modules.get(strip_keys(prefix)) or {}
        block = next((b for b in module.get("resources") or [] if isinstance(b, dict) and _local_address(b) == strip_keys(local)), None)
        references = (((block or {}).get("expressions") or {}).get("name") or {}).get("references") or []
        domains = {d for source in self._ses_sources(prefix, references, 0) for d in self._identity_domains(source, address)}
        if len(domains) != 1:
            return None
        domain = normalize_name(domains.pop())
        zone = self._zone_of(address, kind, read.zone_id)
        return Candidate(
            name=ses_dkim_pattern(domain),
            type="CNAME",
            values=read.values,
            action=action,
            zone=zone,
            module=prefix,
            address=address,
            ttl=read.ttl,
            proxied=read.proxied,
            authoritative=kind == ROUTE53,
            zone_id=read.zone_id if zone is None else None,
            name_known=False,
            domain=domain,
        )

    def _ses_sources(self, prefix: str, references: list[Any], depth: int) -> Iterator[tuple[str, str]]:
        """(module instance prefix, `type.name`) of SES resources whose DKIM tokens the references use."""
        if depth > 8:
            return
        for ref in references:
            if not isinstance(ref, str):
                continue
            parts = [strip_keys(p) for p in ref.split(".")]
            if len(parts) >= 3 and parts[0] in SES_TOKENS and parts[2] == SES_TOKENS[parts[0]]:
                yield prefix, f"{parts[0]}.{parts[1]}"
            elif parts[0] == "module" and len(parts) >= 3:
                call = ref.split(".")[1]
                child = _join(prefix, f"module.{call}")
                output = ((self.config_modules.get(strip_keys(child)) or {}).get("outputs") or {}).get(parts[2]) or {}
                yield from self._ses_sources(child, (output.get("expression") or {}).get("references") or [], depth + 1)
            elif parts[0] == "var" and len(parts) >= 2 and prefix:
                parent, _, call = prefix.rpartition(".module.") if ".module." in prefix else ("", "", prefix[len("module.") :])
                caller = self.config_modules.get(strip_keys(parent)) or {}
                expr = ((((caller.get("module_calls") or {}).get(strip_keys(call)) or {}).get("expressions") or {}).get(parts[1])) or {}
                yield from self._ses_sources(parent, expr.get("references") or [], depth + 1)

    def _identity_domains(self, source: tuple[str, str], record_address: str) -> list[str]:
        """The domain of the SES resource `source` in the plan, in the given module instance.

        A `for_each`/`count` identity: the instance whose key the record's address holds, else
        every instance's domain (one domain is needed to place the record).
        """
        prefix, local = source
        base = _join(prefix, local)
        found: dict[str, str] = {
            address[len(base) :]: domain
            for address, domain in self._identities().get(strip_keys(base), ())
            if address.startswith(base)
        }
        keys = [key for key in found if key and key in record_address]
        return [found[keys[0]]] if len(keys) == 1 else list(found.values())

    def _identities(self) -> dict[str, list[tuple[str, str]]]:
        """SES resources of the plan by address without instance keys: (address, known domain)."""
        if self._ses is None:
            self._ses = {}
            for rc in self.doc.get("resource_changes") or []:
                if not isinstance(rc, dict) or rc.get("type") not in SES_TOKENS or not isinstance(rc.get("address"), str):
                    continue
                change = rc.get("change") if isinstance(rc.get("change"), dict) else {}
                after = change.get("after") if isinstance(change.get("after"), dict) else {}
                value = after.get(SES_DOMAIN[rc["type"]])
                if isinstance(value, str) and value and not _unknown(change.get("after_unknown") or {}, SES_DOMAIN[rc["type"]]):
                    self._ses.setdefault(strip_keys(rc["address"]), []).append((rc["address"], value))
        return self._ses

    # ----------------------------------------------------------------- generic outputs

    def _from_outputs(self, covered: set[tuple[str, str]]) -> list[Candidate]:
        """Records of the generic module: a `records`-like output, a list of {name, type, values}."""
        out: list[Candidate] = []
        changes = self.doc.get("output_changes") or {}
        planned = ((self.doc.get("planned_values") or {}).get("outputs")) or {}
        names = list(dict.fromkeys([*changes.keys(), *planned.keys()]))
        for output in names:
            change = changes.get(output)
            if isinstance(change, dict) and change.get("actions") == ["delete"]:
                continue
            if isinstance(change, dict) and "after" in change:
                value, unknown = change.get("after"), change.get("after_unknown")
            elif isinstance(planned.get(output), dict):
                value, unknown = planned[output].get("value"), None
            else:
                continue
            for items, unknown_items in _record_lists(value, unknown):
                for index, item in enumerate(items):
                    item_unknown = unknown_items[index] if isinstance(unknown_items, list) and index < len(unknown_items) else unknown_items
                    candidate = self._output_item(output, index, item, item_unknown)
                    if candidate is not None and (candidate.name, candidate.type) not in covered:
                        out.append(candidate)
        return out

    def _output_item(self, output: str, index: int, item: dict[str, Any], unknown: Any) -> Candidate | None:
        address = f"output.{output}[{index}]"
        if unknown is True or _unknown(unknown, "name") or _unknown(unknown, "type") or not isinstance(item.get("name"), str):
            self.notes.append(note("unknown-name", address, f"{address}: the record name is not known until apply, so it is not checked"))
            return None
        rdtype = str(item.get("type", "")).upper()
        if rdtype not in RECORD_TYPES:
            return None
        raw = item.get("values", item.get("value"))
        values: tuple[str, ...] | None
        if _unknown(unknown, "values") or _unknown(unknown, "value") or raw is None:
            values = None
        else:
            raw_list = raw if isinstance(raw, list) else [raw]
            values = tuple(logical_value(rdtype, str(v)) for v in raw_list)
        zone = item.get("zone") if isinstance(item.get("zone"), str) and not _unknown(unknown, "zone") else None
        ttl = item.get("ttl") if isinstance(item.get("ttl"), int) and not _unknown(unknown, "ttl") else None
        return Candidate(
            name=absolute_name(item["name"], zone),
            type=rdtype,
            values=values,
            action=Action.NOOP if self.state else Action.CREATE,
            zone=normalize_name(zone) if zone else None,
            module=f"output.{output}",
            address=address,
            ttl=ttl,
        )


def _local_address(block: dict[str, Any]) -> str:
    """A configuration block's address inside its module (`data.aws_route53_zone.this`)."""
    address = block.get("address")
    if isinstance(address, str):
        return address
    mode = "data." if block.get("mode") == "data" else ""
    return f"{mode}{block.get('type')}.{block.get('name')}"


def _walk_module(module: Any, where: str, reader: _PlanReader | None) -> Iterator[tuple[dict[str, Any], str]]:
    """Every resource of a planned_values / state module and its child modules, recursively."""
    if module is None:
        return
    if not isinstance(module, dict):
        if reader is not None:
            reader.bad(where, f"a JSON {_kind(module)}, expected a module object")
        return
    for i, resource in enumerate(module.get("resources") or []):
        if isinstance(resource, dict) and isinstance(resource.get("address"), str):
            yield resource, f"{where}.resources[{i}]"
        elif reader is not None:
            reader.bad(f"{where}.resources[{i}]", "expected a resource object with an \"address\"")
    for i, child in enumerate(module.get("child_modules") or []):
        yield from _walk_module(child, f"{where}.child_modules[{i}]", reader)


@dataclass(frozen=True)
class _Read:
    name: str | None
    type: str | None
    values: tuple[str, ...] | None
    ttl: int | None
    proxied: bool | None
    zone_id: str | None
    strings: tuple[tuple[str, ...], ...] = ()
    zone: str | None = None
    """The zone the resource names itself (hashicorp/dns `zone`)."""


def _read_rfc2136(kind: str, values: dict[str, Any], unknown: Any) -> _Read:
    """hashicorp/dns: the name is `name` + `zone`, the type is the resource's, TXT is zone-file text."""
    known = not (_unknown(unknown, "name") or _unknown(unknown, "zone"))
    name = rfc2136_name(values) if known else None
    zone = normalize_name(values["zone"]) if known and isinstance(values.get("zone"), str) else None
    rdtype = RFC2136_RESOURCES[kind]
    ttl_raw = values.get("ttl")
    ttl = int(ttl_raw) if isinstance(ttl_raw, (int, float)) and not isinstance(ttl_raw, bool) and not _unknown(unknown, "ttl") else None
    field = "txt" if kind == RFC2136_TXT else "cname"
    raw = values.get(field)
    record_values: tuple[str, ...] | None = None
    if not _unknown(unknown, field) and raw is not None:
        items = raw if isinstance(raw, list) else [raw]
        record_values = tuple(logical_value(rdtype, str(v), txt_style="rfc2136") for v in items)
    return _Read(name, rdtype, record_values, ttl, None, None, zone=zone)


def _read_azure(kind: str, values: dict[str, Any], unknown: Any) -> _Read:
    """azurerm: the name is relative to `zone_name` (`@` the apex); TXT `record` blocks hold plain text."""
    known = not (_unknown(unknown, "name") or _unknown(unknown, "zone_name"))
    zone = normalize_name(values["zone_name"]) if known and isinstance(values.get("zone_name"), str) else None
    name = absolute_name(values["name"], zone) if zone and isinstance(values.get("name"), str) else None
    ttl_raw = values.get("ttl")
    ttl = int(ttl_raw) if isinstance(ttl_raw, (int, float)) and not isinstance(ttl_raw, bool) and not _unknown(unknown, "ttl") else None
    rdtype = AZURE[kind]
    raw = values.get("record")
    record_values: tuple[str, ...] | None = None
    if not _unknown(unknown, "record") and raw is not None:
        if rdtype == "TXT" and isinstance(raw, list):
            record_values = tuple(str(r.get("value")) for r in raw if isinstance(r, dict) and isinstance(r.get("value"), str))
        elif rdtype == "CNAME" and isinstance(raw, str):
            record_values = (logical_value("CNAME", raw),)
    return _Read(name, rdtype, record_values, ttl, None, None, zone=zone)


def _read_record(kind: str, values: dict[str, Any], unknown: Any) -> _Read | None:
    """A resource's record fields; None when it is not a plain record (an alias, a `data` record)."""
    if kind in RFC2136_RESOURCES:
        return _read_rfc2136(kind, values, unknown)
    if kind in AZURE:
        return _read_azure(kind, values, unknown)
    name = None if _unknown(unknown, "name") or not isinstance(values.get("name"), str) else values["name"]
    rdtype = None if _unknown(unknown, "type") or not isinstance(values.get("type"), str) else values["type"].upper()
    ttl_raw = values.get("ttl")
    ttl = int(ttl_raw) if isinstance(ttl_raw, (int, float)) and not isinstance(ttl_raw, bool) and not _unknown(unknown, "ttl") else None
    zone_id = values.get("zone_id") if isinstance(values.get("zone_id"), str) and not _unknown(unknown, "zone_id") else None
    proxied = values.get("proxied") if isinstance(values.get("proxied"), bool) and not _unknown(unknown, "proxied") else None
    record_values: tuple[str, ...] | None
    strings: tuple[tuple[str, ...], ...] = ()
    if kind == GOOGLE:
        if values.get("routing_policy"):
            return None  # a routing policy's answers depend on the asker: not one of our records
        if _unknown(unknown, "rrdatas"):
            record_values = None
        elif isinstance(values.get("rrdatas"), list):
            record_values = tuple(logical_value(rdtype or "", str(v), txt_style="quoted") for v in values["rrdatas"])
        else:
            return None
    elif kind == ROUTE53:
        if values.get("alias"):
            return None  # an alias points at an AWS resource: not one of our records
        if _unknown(unknown, "records"):
            record_values = None
        elif isinstance(values.get("records"), list):
            record_values = tuple(logical_value(rdtype or "", str(v), txt_style="route53") for v in values["records"])
            if rdtype == "TXT":
                strings = tuple(route53_strings(str(v)) for v in values["records"])
        else:
            return None
    else:
        fields = ("content", "value") if kind == CLOUDFLARE_V4 else ("content",)
        known = [values.get(f) for f in fields if isinstance(values.get(f), str) and values.get(f) and not _unknown(unknown, f)]
        if known:
            record_values = (logical_value(rdtype or "", known[0], txt_style="quoted"),)
        elif any(_unknown(unknown, f) for f in fields):
            record_values = None
        else:
            return None  # a `data` record (SRV, CAA...): not one of ours
    return _Read(name, rdtype, record_values, ttl, proxied, zone_id, strings)


def _record_lists(value: Any, unknown: Any, depth: int = 0) -> Iterator[tuple[list[dict[str, Any]], Any]]:
    """Lists of record objects anywhere in an output value (a list, or a map of lists)."""
    if depth > 4:
        return
    if isinstance(value, list) and value and all(isinstance(x, dict) and "name" in x and "type" in x for x in value):
        yield value, unknown
        return
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _record_lists(inner, unknown.get(key) if isinstance(unknown, dict) else unknown, depth + 1)
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from _record_lists(inner, unknown[i] if isinstance(unknown, list) and i < len(unknown) else unknown, depth + 1)
