"""Desired records from a directory of `.tf` files, read with python-hcl2 (no terraform run).

What is read:
- the root's variables (defaults, then `terraform.tfvars` and `*.auto.tfvars`), locals, and
  every `aws_route53_record`, `cloudflare_record`, `cloudflare_dns_record`, `dns_txt_record_set`
  and `dns_cname_record` resource,
  with `count` and `for_each` over values known from the text;
- `output` blocks listing records (`[{name, type, ttl, values}]`, the generic module's
  `records`), for the names no resource covers;
- local child modules (`source = "./acme-events.com"`, as `spotme-dns generate` writes), read
  the same way with the caller's arguments as their variables;
- calls of spotme-dns's own modules (`terraform/modules/route53|cloudflare|generic|core`,
  local or a `//terraform/modules/<name>` subdirectory of a remote source): their records
  are computed with the record model (`records.build_records`) from the call's arguments.

Anything that depends on more than literals, variables and locals is unknown (see
`hclexpr`); a record whose name is unknown is reported as a note, never guessed, except an
SES Easy DKIM CNAME named `<token>._domainkey.<domain>` by tokens SES makes at apply: kept,
unknown, under its domain (`_ses_cname`).
"""

from __future__ import annotations

import glob
import os
import re
from dataclasses import dataclass, field
from typing import Any

import hcl2
from hcl2.utils import SerializationOptions

from .. import rfc2136
from ..desired import Action, ses_dkim_pattern
from ..errors import InputError, Location, Problem
from ..model import normalize_name
from ..records import build_records
from ..report import Finding
from ..spec import (
    DEFAULT_SIGNING_ZONE,
    MANDRILL_PREFIX,
    SPOTME_SPF_INCLUDE,
    DmarcSpec,
    DomainSpec,
    MandrillSpec,
    Provider,
    SesSpec,
    SpfSpec,
)
from .common import RECORD_TYPES, Candidate, Desired, absolute_name, assemble, needs_zone, note
from .hclexpr import UNKNOWN, Unknown, contains_unknown, evaluate, unquote_label
from .values import logical_value, route53_strings

ROUTE53 = "aws_route53_record"
CLOUDFLARE_V4 = "cloudflare_record"
CLOUDFLARE_V5 = "cloudflare_dns_record"
GOOGLE = "google_dns_record_set"
AZURE = {"azurerm_dns_txt_record": "TXT", "azurerm_dns_cname_record": "CNAME"}
RECORD_RESOURCES = (ROUTE53, CLOUDFLARE_V4, CLOUDFLARE_V5, *rfc2136.RESOURCES, GOOGLE, *AZURE)
ZONE_TYPES = ("aws_route53_zone", "cloudflare_zone")

#: Our own modules, recognised by the directory they live in.
OUR_MODULES = ("route53", "cloudflare", "generic", "core", "rfc2136", "google", "azure")
_OUR_REMOTE = re.compile(r"//(?:.*/)?terraform/modules/(route53|cloudflare|generic|core|rfc2136|google|azure)/?(?:\?.*)?$")
#: Variables every one of our modules has (they pass core's inputs through).
_OUR_VARIABLES = {"domain", "ses_dkim_tokens", "mandrill_verification"}

#: A reference to SES Easy DKIM tokens, which SES makes at apply.
_SES_TOKEN_REF = re.compile(r"\b(?:aws_sesv2_email_identity\.[\w-]+(?:\[[^\]]*\])?\.dkim_signing_attributes|aws_ses_domain_dkim\.[\w-]+(?:\[[^\]]*\])?\.dkim_tokens)\b")

_OPTIONS = SerializationOptions(with_comments=False, preserve_heredocs=False)
_MAX_DEPTH = 8


# --------------------------------------------------------------------------- parsing files


@dataclass
class _Block:
    kind: str
    """`resource`, `data`, `module`, ... (for resources and data: the type)."""
    name: str
    body: dict[str, Any]
    path: str


@dataclass
class _Module:
    """The parsed blocks of one module directory."""

    directory: str
    variables: dict[str, _Block] = field(default_factory=dict)
    locals: dict[str, tuple[Any, str]] = field(default_factory=dict)
    resources: list[_Block] = field(default_factory=list)
    data: list[_Block] = field(default_factory=list)
    calls: list[_Block] = field(default_factory=list)
    outputs: list[_Block] = field(default_factory=list)


def _parse_file(path: str, problems: list[Problem]) -> dict[str, Any] | None:
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as err:
        problems.append(Problem(Location(path), f"cannot read: {getattr(err, 'strerror', None) or err}", "unreadable"))
        return None
    try:
        return hcl2.loads(text, serialization_options=_OPTIONS)
    except Exception as err:  # lark's errors carry line and column; anything else is still bad HCL
        line = getattr(err, "line", None)
        column = getattr(err, "column", None)
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        problems.append(Problem(Location(path, line if isinstance(line, int) and line > 0 else None, column if isinstance(column, int) and column > 0 else None), f"not valid HCL: {first}", "bad-hcl"))
        return None


def _read_module(directory: str, problems: list[Problem]) -> _Module:
    module = _Module(directory)
    for path in sorted(glob.glob(os.path.join(directory, "*.tf"))):
        doc = _parse_file(path, problems)
        if doc is None:
            continue
        for entry in doc.get("variable", []):
            for name, body in entry.items():
                module.variables[unquote_label(name)] = _Block("variable", unquote_label(name), body, path)
        for entry in doc.get("locals", []):
            for name, raw in entry.items():
                if name != "__is_block__":
                    module.locals[name] = (raw, path)
        for key, target in (("resource", module.resources), ("data", module.data)):
            for entry in doc.get(key, []):
                for kind, named in entry.items():
                    for name, body in named.items():
                        target.append(_Block(unquote_label(kind), unquote_label(name), body, path))
        for entry in doc.get("module", []):
            for name, body in entry.items():
                module.calls.append(_Block("module", unquote_label(name), body, path))
        for entry in doc.get("output", []):
            for name, body in entry.items():
                module.outputs.append(_Block("output", unquote_label(name), body, path))
    return module


def _tfvars(directory: str, problems: list[Problem]) -> dict[str, Any]:
    """Root variable values Terraform loads by itself: terraform.tfvars, then *.auto.tfvars."""
    values: dict[str, Any] = {}
    paths = [os.path.join(directory, "terraform.tfvars")] + sorted(glob.glob(os.path.join(directory, "*.auto.tfvars")))
    for path in paths:
        if os.path.isfile(path):
            doc = _parse_file(path, problems)
            for key, raw in (doc or {}).items():
                values[key] = evaluate(raw, _EMPTY)
    return values


class _EmptyScope:
    """tfvars hold literals only."""

    def var(self, name: str) -> Any:
        return UNKNOWN

    def local(self, name: str) -> Any:
        return UNKNOWN

    def each(self, attribute: str) -> Any:
        return UNKNOWN

    def count_index(self) -> Any:
        return UNKNOWN

    def block_attribute(self, mode: str, kind: str, name: str, attribute: str) -> Any:
        return UNKNOWN


_EMPTY = _EmptyScope()


# --------------------------------------------------------------------------- evaluation scopes


class _ModuleScope:
    """One instance of a module: its inputs, lazily evaluated locals, and its zone blocks."""

    def __init__(self, module: _Module, inputs: dict[str, Any]) -> None:
        self.module = module
        self.inputs = inputs
        self._locals: dict[str, Any] = {}
        self._evaluating: set[str] = set()

    def var(self, name: str) -> Any:
        if name in self.inputs:
            return self.inputs[name]
        block = self.module.variables.get(name)
        if block is not None and "default" in block.body:
            return evaluate(block.body["default"], _EMPTY)
        return UNKNOWN

    def local(self, name: str) -> Any:
        if name in self._locals:
            return self._locals[name]
        if name not in self.module.locals or name in self._evaluating:
            return UNKNOWN  # undefined, or a cycle
        self._evaluating.add(name)
        value = evaluate(self.module.locals[name][0], self)
        self._evaluating.discard(name)
        self._locals[name] = value
        return value

    def each(self, attribute: str) -> Any:
        return UNKNOWN

    def count_index(self) -> Any:
        return UNKNOWN

    def block_attribute(self, mode: str, kind: str, name: str, attribute: str) -> Any:
        """Zone blocks: `.name` is their (literal) name; `.zone_id`/`.id` an Unknown naming it."""
        if kind not in ZONE_TYPES:
            return UNKNOWN
        blocks = self.module.data if mode == "data" else self.module.resources
        block = next((b for b in blocks if b.kind == kind and b.name == name), None)
        if block is None:
            return UNKNOWN
        zone = evaluate(block.body.get("name"), self) if "name" in block.body else UNKNOWN
        if not isinstance(zone, str):
            found = evaluate(block.body.get("filter"), self)  # cloudflare v5: filter = { name = ... }
            if isinstance(found, list) and found:
                found = found[0]
            zone = found.get("name", UNKNOWN) if isinstance(found, dict) else UNKNOWN
        if attribute == "name":
            return zone
        if attribute in ("zone_id", "id"):
            return Unknown(zone=normalize_name(zone) if isinstance(zone, str) else None)
        return UNKNOWN


class _InstanceScope:
    """A resource or module instance: adds `each` and `count` to its module's scope."""

    def __init__(self, parent: _ModuleScope, *, each: tuple[Any, Any] | None = None, index: int | None = None) -> None:
        self.parent = parent
        self._each = each
        self._index = index

    def var(self, name: str) -> Any:
        return self.parent.var(name)

    def local(self, name: str) -> Any:
        return self.parent.local(name)

    def each(self, attribute: str) -> Any:
        if self._each is None:
            return UNKNOWN
        return {"key": self._each[0], "value": self._each[1]}.get(attribute, UNKNOWN)

    def count_index(self) -> Any:
        return UNKNOWN if self._index is None else self._index

    def block_attribute(self, mode: str, kind: str, name: str, attribute: str) -> Any:
        return self.parent.block_attribute(mode, kind, name, attribute)


def _instances(block: _Block, scope: _ModuleScope) -> list[tuple[str, _InstanceScope]] | None:
    """(address suffix, scope) per instance; None when count/for_each is unknown."""
    body = block.body
    if "for_each" in body:
        collection = evaluate(body["for_each"], scope)
        if isinstance(collection, dict) and not any(isinstance(k, Unknown) for k in collection):
            return [(f'["{k}"]', _InstanceScope(scope, each=(k, v))) for k, v in collection.items()]
        if isinstance(collection, list) and all(isinstance(x, str) for x in collection):
            return [(f'["{x}"]', _InstanceScope(scope, each=(x, x))) for x in dict.fromkeys(collection)]
        return None
    if "count" in body:
        count = evaluate(body["count"], scope)
        if isinstance(count, bool) or not isinstance(count, (int, float)):
            return None
        return [(f"[{i}]", _InstanceScope(scope, index=i)) for i in range(int(count))]
    return [("", _InstanceScope(scope))]


# --------------------------------------------------------------------------- the reader


class _TfReader:
    def __init__(self, root: str) -> None:
        self.root = root
        self.problems: list[Problem] = []
        self.notes: list[Finding] = []
        self.modules: dict[str, _Module] = {}
        self.from_outputs: list[Candidate] = []
        """Records listed in outputs (the generic module's `records`): used where no resource says more."""

    def module(self, directory: str) -> _Module:
        key = os.path.realpath(directory)
        if key not in self.modules:
            self.modules[key] = _read_module(directory, self.problems)
        return self.modules[key]

    def read(self) -> list[Candidate]:
        if not os.path.isdir(self.root):
            what = "does not exist" if not os.path.exists(self.root) else "is not a directory"
            raise InputError([Problem(Location(self.root), f"{what}: --tf takes a directory of .tf files", "unreadable")])
        if not glob.glob(os.path.join(self.root, "*.tf")):
            raise InputError([Problem(Location(self.root), "no .tf files in this directory", "empty-tf")])
        root = self.module(self.root)
        inputs = _tfvars(self.root, self.problems)
        if self.problems:
            raise InputError(self.problems)
        out = self.walk(root, _ModuleScope(root, inputs), "", 0)
        if self.problems:
            raise InputError(self.problems)
        covered = {(c.name, c.type) for c in out}
        for candidate in self.from_outputs:
            if (candidate.name, candidate.type) not in covered:
                covered.add((candidate.name, candidate.type))
                out.append(candidate)
        return out

    def walk(self, module: _Module, scope: _ModuleScope, prefix: str, depth: int) -> list[Candidate]:
        out: list[Candidate] = []
        for block in module.resources:
            if block.kind in RECORD_RESOURCES:
                out.extend(self.resource(block, scope, prefix))
        for call in module.calls:
            out.extend(self.call(call, scope, module, prefix, depth))
        for block in module.outputs:
            self.from_outputs.extend(self.output(block, scope, prefix))
        return out

    def output(self, block: _Block, scope: _ModuleScope, prefix: str) -> list[Candidate]:
        """Record lists in an output (`[{name, type, ttl, values}]`), as the generic module writes."""
        address = f"{prefix + '.' if prefix else ''}output.{block.name}"
        value = evaluate(block.body.get("value"), scope)
        out: list[Candidate] = []
        for items in _record_lists(value):
            for index, item in enumerate(items):
                name, rdtype = item.get("name"), item.get("type")
                if not isinstance(name, str) or not isinstance(rdtype, str):
                    continue
                rdtype = rdtype.upper()
                if rdtype not in RECORD_TYPES:
                    continue
                raw = item.get("values", item.get("value"))
                raw_list = raw if isinstance(raw, list) else [raw]
                values = None if contains_unknown(raw_list) or raw is None else tuple(logical_value(rdtype, _text(v)) for v in raw_list)
                zone = item.get("zone") if isinstance(item.get("zone"), str) else None
                ttl = item.get("ttl")
                out.append(
                    Candidate(
                        name=absolute_name(name, zone),
                        type=rdtype,
                        values=values,
                        action=Action.CREATE,
                        zone=normalize_name(zone) if zone else None,
                        module=prefix,
                        address=f"{address}[{index}]",
                        ttl=int(ttl) if isinstance(ttl, (int, float)) and not isinstance(ttl, bool) else None,
                    )
                )
        return out

    # ----------------------------------------------------------------- record resources

    def resource(self, block: _Block, scope: _ModuleScope, prefix: str) -> list[Candidate]:
        base = f"{prefix + '.' if prefix else ''}{block.kind}.{block.name}"
        instances = _instances(block, scope)
        if instances is None:
            self.notes.append(note("unknown-name", base, f"{base} ({block.path}): count/for_each is not known before apply, so its records are not checked"))
            return []
        out: list[Candidate] = []
        for suffix, instance in instances:
            address = base + suffix
            body = block.body
            if block.kind in rfc2136.RESOURCES:
                out.extend(self._rfc2136(block, instance, address, prefix))
                continue
            if block.kind in AZURE:
                out.extend(self._azure(block, instance, address, prefix))
                continue
            name = evaluate(body.get("name"), instance)
            rdtype = evaluate(body.get("type"), instance)
            if not isinstance(name, str) and isinstance(rdtype, str) and rdtype.upper() == "CNAME":
                pending = self._ses_cname(block, instance, address, prefix)
                if pending is not None:
                    out.append(pending)
                    continue
            if not isinstance(name, str) or not isinstance(rdtype, str):
                what = "name" if not isinstance(name, str) else "type"
                self.notes.append(note("unknown-name", address, f"{address} ({block.path}): the record {what} is not known before apply, so it is not checked"))
                continue
            rdtype = rdtype.upper()
            if rdtype not in RECORD_TYPES:
                continue
            zone_id = evaluate(body.get("zone_id"), instance)
            zone = zone_id.zone if isinstance(zone_id, Unknown) else None
            if needs_zone(name, zone):
                self.notes.append(note("unknown-name", address, f"{address} ({block.path}): the name {name!r} is relative to a zone that is not known here, so it is not checked"))
                continue
            values = self._values(block, instance, rdtype)
            if values is False:
                continue
            strings: tuple[tuple[str, ...], ...] = ()
            if block.kind == ROUTE53 and rdtype == "TXT" and values is not None:
                raw = evaluate(body.get("records"), instance)
                strings = tuple(route53_strings(_text(v)) for v in raw)
            ttl = evaluate(body.get("ttl"), instance)
            proxied = evaluate(body.get("proxied"), instance)
            out.append(
                Candidate(
                    name=absolute_name(name, zone),
                    type=rdtype,
                    values=values,  # type: ignore[arg-type]
                    action=Action.CREATE,
                    zone=zone,
                    module=prefix,
                    address=address,
                    ttl=int(ttl) if isinstance(ttl, (int, float)) and not isinstance(ttl, bool) else None,
                    proxied=proxied if isinstance(proxied, bool) else None,
                    authoritative=block.kind in (ROUTE53, GOOGLE),
                    strings=strings,
                    zone_id=zone_id if isinstance(zone_id, str) and zone_id else None,
                )
            )
        return out

    def _ses_cname(self, block: _Block, instance: _InstanceScope, address: str, prefix: str) -> Candidate | None:
        """An SES Easy DKIM CNAME named by a token SES makes at apply: `<token>._domainkey.<domain>`.

        The name is a template whose first part is an `aws_sesv2_email_identity`'s
        `dkim_signing_attributes` or an `aws_ses_domain_dkim`'s `dkim_tokens` and whose rest
        is `._domainkey.<domain>` (cloudposse/terraform-aws-ses style) or `._domainkey`,
        relative to the zone (trussworks/terraform-aws-ses-domain style). The record is kept,
        unknown, under that domain; anything else stays an `unknown-name` note.
        """
        raw = block.body.get("name")
        if not isinstance(raw, str) or not _SES_TOKEN_REF.search(raw):
            return None
        head, sep, rest = raw.strip().partition("}._domainkey")
        if not sep or not head.startswith('"${') or not rest.endswith('"'):
            return None
        zone_id = evaluate(block.body.get("zone_id"), instance)
        zone = zone_id.zone if isinstance(zone_id, Unknown) else None
        tail = evaluate('"' + rest, instance)
        if tail == "":
            domain = zone
        elif isinstance(tail, str) and tail.startswith("."):
            domain = absolute_name(tail[1:], zone)
        else:
            domain = None
        if not domain:
            return None
        domain = normalize_name(domain)
        ttl = evaluate(block.body.get("ttl"), instance)
        return Candidate(
            name=ses_dkim_pattern(domain),
            type="CNAME",
            values=None,
            action=Action.CREATE,
            zone=zone,
            module=prefix,
            address=address,
            ttl=int(ttl) if isinstance(ttl, (int, float)) and not isinstance(ttl, bool) else None,
            authoritative=block.kind == ROUTE53,
            zone_id=zone_id if isinstance(zone_id, str) and zone_id else None,
            name_known=False,
            domain=domain,
        )

    def _rfc2136(self, block: _Block, instance: _InstanceScope, address: str, prefix: str) -> list[Candidate]:
        """hashicorp/dns: the owner name is `name` + `zone`; TXT values are zone-file text."""
        body = block.body
        fields = {key: evaluate(body.get(key), instance) for key in ("zone", "name", "ttl", rfc2136.VALUE_FIELDS[block.kind])}
        name = rfc2136.absolute_name(fields) if "name" not in body or isinstance(fields["name"], str) else None
        if name is None:
            self.notes.append(note("unknown-name", address, f"{address} ({block.path}): the record name is not known before apply, so it is not checked"))
            return []
        rdtype = rfc2136.RESOURCES[block.kind]
        raw = fields[rfc2136.VALUE_FIELDS[block.kind]]
        raw_list = raw if isinstance(raw, list) else [raw]
        values = None if raw is None or contains_unknown(raw_list) else tuple(logical_value(rdtype, _text(v), txt_style="rfc2136") for v in raw_list)
        ttl = fields["ttl"]
        return [
            Candidate(
                name=name,
                type=rdtype,
                values=values,
                action=Action.CREATE,
                zone=normalize_name(str(fields["zone"])),
                module=prefix,
                address=address,
                ttl=int(ttl) if isinstance(ttl, (int, float)) and not isinstance(ttl, bool) else None,
                authoritative=block.kind == rfc2136.TXT_RESOURCE,
            )
        ]

    def _azure(self, block: _Block, instance: _InstanceScope, address: str, prefix: str) -> list[Candidate]:
        """azurerm: `name` relative to `zone_name` (`@` the apex); TXT `record { value }` blocks."""
        body = block.body
        zone, name, ttl = (evaluate(body.get(k), instance) for k in ("zone_name", "name", "ttl"))
        if not isinstance(zone, str) or not isinstance(name, str):
            self.notes.append(note("unknown-name", address, f"{address} ({block.path}): the record name is not known before apply, so it is not checked"))
            return []
        rdtype = AZURE[block.kind]
        values: tuple[str, ...] | None
        if rdtype == "TXT":
            blocks = body.get("record") or []
            raw = [evaluate(b.get("value"), instance) for b in (blocks if isinstance(blocks, list) else [blocks]) if isinstance(b, dict)]
            values = None if contains_unknown(raw) or not all(isinstance(v, str) for v in raw) else tuple(raw)
        else:
            target = evaluate(body.get("record"), instance)
            values = (logical_value("CNAME", target),) if isinstance(target, str) else None
        return [
            Candidate(
                name=absolute_name(name, zone),
                type=rdtype,
                values=values,
                action=Action.CREATE,
                zone=normalize_name(zone),
                module=prefix,
                address=address,
                ttl=int(ttl) if isinstance(ttl, (int, float)) and not isinstance(ttl, bool) else None,
                authoritative=True,
            )
        ]

    def _values(self, block: _Block, scope: _InstanceScope, rdtype: str) -> tuple[str, ...] | None | bool:
        """The logical values; None when unknown; False when it is not a plain record."""
        body = block.body
        if block.kind == GOOGLE:
            if "routing_policy" in body:
                return False
            rrdatas = evaluate(body.get("rrdatas"), scope)
            if not isinstance(rrdatas, list) or contains_unknown(rrdatas):
                return None if "rrdatas" in body else False
            return tuple(logical_value(rdtype, _text(v), txt_style="quoted") for v in rrdatas)
        if block.kind == ROUTE53:
            if "alias" in body:
                return False
            records = evaluate(body.get("records"), scope)
            if not isinstance(records, list) or contains_unknown(records):
                return None if "records" in body else False
            return tuple(logical_value(rdtype, _text(v), txt_style="route53") for v in records)
        for key in ("content", "value"):
            if key in body and not (block.kind == CLOUDFLARE_V5 and key == "value"):
                value = evaluate(body[key], scope)
                if isinstance(value, str):
                    return (logical_value(rdtype, value, txt_style="quoted"),)
                return None
        return False

    # ----------------------------------------------------------------- module calls

    def call(self, call: _Block, scope: _ModuleScope, caller: _Module, prefix: str, depth: int) -> list[Candidate]:
        base = f"{prefix + '.' if prefix else ''}module.{call.name}"
        source = evaluate(call.body.get("source"), _EMPTY)
        if not isinstance(source, str):
            self.problems.append(Problem(Location(call.path), f"module {call.name!r}: no literal source", "bad-module"))
            return []
        ours = None
        directory = None
        if source.startswith("./") or source.startswith("../"):
            directory = os.path.normpath(os.path.join(caller.directory, source))
            if not os.path.isdir(directory):
                self.problems.append(Problem(Location(call.path), f"module {call.name!r}: source {source!r} is not a directory ({directory})", "bad-module"))
                return []
            ours = self._our_module(directory)
        else:
            match = _OUR_REMOTE.search(source)
            if match:
                ours = match.group(1)
            else:
                self.notes.append(note("module-not-read", base, f"{base} ({call.path}): module source {source!r} is not local, so its records are not checked"))
                return []
        instances = _instances(call, scope)
        if instances is None:
            self.notes.append(note("unknown-name", base, f"{base} ({call.path}): count/for_each is not known before apply, so its records are not checked"))
            return []
        out: list[Candidate] = []
        for suffix, instance in instances:
            address = base + suffix
            inputs = {
                key: evaluate(raw, instance)
                for key, raw in call.body.items()
                if key not in ("source", "version", "count", "for_each", "providers", "depends_on", "__is_block__")
            }
            if ours is not None:
                out.extend(self.our_module(ours, inputs, address, call.path))
            elif depth >= _MAX_DEPTH:
                self.notes.append(note("module-not-read", address, f"{address}: modules nested deeper than {_MAX_DEPTH} are not read"))
            else:
                child = self.module(directory or "")
                out.extend(self.walk(child, _ModuleScope(child, inputs), address, depth + 1))
        return out

    def _our_module(self, directory: str) -> str | None:
        """Which of our modules a directory is: by its place (`.../modules/<name>`) and its inputs."""
        name = os.path.basename(os.path.normpath(directory))
        parent = os.path.basename(os.path.dirname(os.path.normpath(directory)))
        if name in OUR_MODULES and parent == "modules":
            module = self.module(directory)
            if _OUR_VARIABLES <= set(module.variables):
                return name
        return None

    def our_module(self, kind: str, inputs: dict[str, Any], address: str, path: str) -> list[Candidate]:
        """Records of a call of our route53/cloudflare/generic/core module, from its arguments."""
        built = _build_from_inputs(inputs)
        if isinstance(built, str):
            self.notes.append(note("unknown-name", address, f"{address} ({path}): {built}, so its records are not checked"))
            return []
        records, unknown_keys, zone = built
        out: list[Candidate] = []
        for record in records.records:
            values: tuple[str, ...] | None = tuple(record.texts)
            if record.key in unknown_keys:
                values = None
            out.append(
                Candidate(
                    name=record.name,
                    type=record.type.value,
                    values=values,
                    action=Action.CREATE,
                    zone=zone,
                    module=address,
                    address=address,
                    ttl=None if "ttl" in unknown_keys else record.ttl,
                    proxied=False if kind == "cloudflare" else None,
                    authoritative=kind in ("route53", "rfc2136", "google", "azure"),
                )
            )
        return out


def _record_lists(value: Any, depth: int = 0) -> list[list[dict[str, Any]]]:
    """Lists of record objects in an output value (a list, or a map of lists)."""
    if depth > 4:
        return []
    if isinstance(value, list) and value and all(isinstance(x, dict) and "name" in x and "type" in x for x in value):
        return [value]
    inner = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return [found for item in inner for found in _record_lists(item, depth + 1)]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _strings(value: Any, default: tuple[str, ...]) -> tuple[str, ...] | None:
    if value is None:
        return default
    if isinstance(value, list) and all(isinstance(x, str) for x in value):
        return tuple(value)
    return None


def _build_from_inputs(inputs: dict[str, Any]) -> tuple[Any, set, str | None] | str:
    """The record model for our module's arguments: (DomainRecords, unknown keys, zone) or why not."""
    domain = inputs.get("domain")
    if not isinstance(domain, str):
        return "the domain is not known before apply"
    domain = normalize_name(domain)
    tokens = inputs.get("ses_dkim_tokens")
    if not (isinstance(tokens, list) and len(tokens) == 3 and all(isinstance(t, str) for t in tokens)):
        return "the three SES DKIM tokens are not known before apply"
    unknown: set = set()
    apex = (domain, "TXT")

    def pick(key: str, default: Any, kind: type, affects: tuple | None) -> Any:
        value = inputs.get(key, default)
        if value is None:
            return default
        if isinstance(value, kind) and not contains_unknown(value):
            return value
        if affects is not None:
            unknown.add(affects)
        return default

    verification = pick("mandrill_verification", "mandrill_verify.unknown", str, apex).strip()
    if not verification.startswith(MANDRILL_PREFIX):
        verification = MANDRILL_PREFIX + verification
    signing_zone = pick("ses_signing_zone", DEFAULT_SIGNING_ZONE, str, None)
    if isinstance(inputs.get("ses_signing_zone"), Unknown):
        unknown.update((f"{t.lower()}._domainkey.{domain}", "CNAME") for t in tokens)
    mandrill_dkim = pick("mandrill_dkim", True, bool, None)
    include = _strings(inputs.get("spf_include"), (SPOTME_SPF_INCLUDE,))
    keep = _strings(inputs.get("spf_keep"), ())
    extra = _strings(inputs.get("extra_txt"), ())
    if include is None or keep is None or extra is None:
        unknown.add(apex)
    spf_all = pick("spf_all", "-all", str, apex)
    policy = pick("dmarc_policy", "none", str, (f"_dmarc.{domain}", "TXT"))
    tags: list[tuple[str, str]] = []
    for key in ("rua", "ruf"):
        uris = _strings(inputs.get(f"dmarc_{key}"), ())
        if uris is None:
            unknown.add((f"_dmarc.{domain}", "TXT"))
        elif uris:
            tags.append((key, ",".join(uris)))
    ttl = inputs.get("ttl", 3600)
    if isinstance(ttl, bool) or not isinstance(ttl, (int, float)):
        unknown.add("ttl")
        ttl = 3600
    zone = None
    for key in ("zone", "zone_name"):
        if isinstance(inputs.get(key), str):
            zone = normalize_name(inputs[key])
    if zone is None:
        zone = next((v.zone for v in inputs.values() if isinstance(v, Unknown) and v.zone), None)
    spec = DomainSpec(
        domain=domain,
        zone=zone or domain,
        provider=Provider.GENERIC,
        ses=SesSpec((tokens[0].lower(), tokens[1].lower(), tokens[2].lower()), signing_zone.lower()),
        mandrill=MandrillSpec(verification, mandrill_dkim),
        spf=SpfSpec(include=tuple(include or (SPOTME_SPF_INCLUDE,)), keep=tuple(keep or ()), all=spf_all),
        dmarc=DmarcSpec(policy=policy, tags=tuple(tags)),
        ttl=int(ttl),
        keep_txt=tuple(extra or ()),
    )
    return build_records(spec), unknown, zone


def load_tf_dir(directory: str) -> Desired:
    """Desired records of a Terraform directory; InputError (exit 2) for unreadable or bad HCL."""
    reader = _TfReader(directory)
    candidates = reader.read()
    if not candidates:
        why = "".join(f"; {n.message}" for n in reader.notes)
        raise InputError(
            [Problem(Location(directory), f"no DNS records found: no {', '.join(RECORD_RESOURCES)} resource and no call of a spotme-dns module{why}", "empty-tf")]
        )
    return Desired(assemble(candidates), tuple(reader.notes))
