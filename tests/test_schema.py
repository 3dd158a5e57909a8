"""The JSON Schema and the spec loader judge specs the same way; `spotme-dns schema` prints it."""

from __future__ import annotations

import json
import re
import runpy
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings

from spotme_dns.cli import cli
from spotme_dns.cli.schema import schema_path, schema_text
from spotme_dns.errors import InputError
from spotme_dns.spec import parse_spec_text
from tests.test_records import domain_entries
from tests.test_spec import BAD_SPECS, GOOD_SPECS

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_FILE = ROOT / "generator" / "spotme_dns" / "schema" / "spec.schema.json"
SCHEMA = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

# Bad specs that never become a JSON document the schema could judge: the loader refuses the
# YAML itself (syntax, a second document, tags, aliases that bomb or loop, nesting, and YAML-only
# constructs that PyYAML would silently resolve: duplicate keys, '<<' merge keys, non-string keys).
NOT_A_JSON_DOCUMENT = {
    "yaml-syntax-unclosed-list", "yaml-syntax-tab-indent", "yaml-syntax-bad-indent", "yaml-two-documents",
    "yaml-duplicate-key", "yaml-non-string-key", "yaml-merge-key", "yaml-python-tag", "yaml-set-tag",
    "yaml-undefined-alias", "yaml-recursive-alias", "yaml-billion-laughs", "yaml-deep-nesting",
}

# Rules JSON Schema cannot express: the schema accepts these specs, only the loader refuses them.
LOADER_ONLY = {
    # The names a domain's records live at (<token>._domainkey.<domain>) must fit 253 octets:
    # a sum over two fields.
    "domain-record-names-too-long": "length of token plus domain",
    # IDNA 2008 validity of Unicode labels and of xn-- labels needs the IDNA tables and Punycode.
    "domain-bad-idn": "IDNA 2008 code points",
    "domain-bad-a-label": "Punycode decoding of xn-- labels",
    # The domain must be the zone or below it: comparing two fields' values.
    "zone-outside": "domain inside zone",
    "zone-suffix-not-parent": "domain inside zone (label boundary)",
    "zone-below-domain": "domain inside zone",
    # RFC 7208 §4.6.4: counting DNS-querying terms across every kept string and include.
    "spf-too-many-lookups": "lookup count",
    # Each domain once (after IDNA and case folding): uniqueItems compares whole objects.
    "duplicate-domain": "unique domain values",
    "duplicate-domain-idn": "unique domain values after IDNA",
    # Keys required by the provider, which may come from defaults (merged one level deep).
    "google-missing": "google keys required when the (possibly inherited) provider is google",
    "azure-missing": "azure keys required when the (possibly inherited) provider is azure",
}

BAD_BY_ID = {p.id: p for p in BAD_SPECS}


def schema_error_paths(instance: object) -> set[str]:
    """Dotted paths (`domains[0].ses.dkim_tokens[2]`) of every schema error, nested ones included."""
    paths: set[str] = set()
    pending = list(VALIDATOR.iter_errors(instance))
    while pending:
        error = pending.pop()
        paths.add(_dotted(error.absolute_path))
        pending.extend(error.context or ())
    return paths


def _dotted(path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def loader_paths(text: str) -> set[str]:
    """The `where` of every problem the loader reports (the part of the message before ': ')."""
    with pytest.raises(InputError) as err:
        parse_spec_text(text)
    return {p.message.split(": ", 1)[0] for p in err.value.problems}


def _within(outer: str, inner: str) -> bool:
    """`outer` names `inner` or a mapping/list that holds it."""
    return outer == "" or inner == outer or inner.startswith(outer + ".") or inner.startswith(outer + "[")


def test_schema_is_valid_draft_2020_12() -> None:
    """The schema itself is valid against the draft 2020-12 meta-schema."""
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_schema_file_is_what_build_py_writes(tmp_path: Path) -> None:
    """The committed JSON is exactly the output of schema/build.py (the patterns are composed there)."""
    target = tmp_path / "spec.schema.json"
    build = runpy.run_path(str(SCHEMA_FILE.with_name("build.py")))
    target.write_text(build["render"](), encoding="utf-8")
    assert target.read_text(encoding="utf-8") == SCHEMA_FILE.read_text(encoding="utf-8")


def test_every_key_has_a_description_for_editors() -> None:
    """Every property the schema names carries a description (shown by editors on hover)."""
    missing = []

    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                if "description" not in sub and "$ref" not in sub:
                    missing.append(f"{where}.{name}")
            for key, value in node.items():
                if key not in ("if", "then", "else", "not", "allOf", "contains"):  # conditions, not keys
                    walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}[{i}]")

    walk(SCHEMA, "")
    assert missing == []


def test_classification_lists_name_real_cases() -> None:
    """Every id in the two exception lists is a bad spec of test_spec.py; the lists do not overlap."""
    assert set(LOADER_ONLY) <= set(BAD_BY_ID)
    assert NOT_A_JSON_DOCUMENT <= set(BAD_BY_ID)
    assert not set(LOADER_ONLY) & NOT_A_JSON_DOCUMENT


@pytest.mark.parametrize(("text", "line", "column", "fragment"), BAD_SPECS)
def test_bad_specs_are_judged_alike(request: pytest.FixtureRequest, text: str, line: int, column: int, fragment: str) -> None:
    """Each bad spec: the schema refuses it at the place the loader names, unless listed as loader-only."""
    case_id = request.node.callspec.id
    if case_id in NOT_A_JSON_DOCUMENT:
        # Nothing for a schema to judge; the loader refuses the YAML itself (test_spec.py shows where).
        with pytest.raises(InputError) as err:
            parse_spec_text(text)
        assert any(p.code.startswith("yaml-") or p.code in ("duplicate-key", "bad-key") for p in err.value.problems)
        return
    document = yaml.safe_load(text)
    problems = loader_paths(text)
    if case_id in LOADER_ONLY:
        assert VALIDATOR.is_valid(document), [e.message for e in VALIDATOR.iter_errors(document)]
        return
    errors = schema_error_paths(document)
    assert errors, f"the schema accepts {case_id}, the loader does not: {problems}"
    assert any(_within(e, p) for e in errors for p in problems), (errors, problems)


@pytest.mark.parametrize("text", GOOD_SPECS.values(), ids=GOOD_SPECS.keys())
def test_good_specs_are_accepted_by_both(text: str) -> None:
    """Specs the loader accepts, the schema accepts."""
    assert parse_spec_text(text).domains
    document = yaml.safe_load(text)
    assert VALIDATOR.is_valid(document), [e.message for e in VALIDATOR.iter_errors(document)]


def example_specs() -> list[Path]:
    """The example specs under examples/ (YAML files that hold `domains:`), found at test time."""
    found = []
    for path in sorted((ROOT / "examples").rglob("*.y*ml")):
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError:
            continue
        if isinstance(document, dict) and "domains" in document:
            found.append(path)
    return found


EXAMPLES = example_specs()


def test_there_are_example_specs() -> None:
    """Issue 2 asks for at least three example specs; the agreement test below runs on each."""
    assert len(EXAMPLES) >= 3, EXAMPLES


@pytest.mark.parametrize("path", EXAMPLES, ids=[str(p.relative_to(ROOT / "examples")) for p in EXAMPLES])
def test_examples_are_accepted_by_both(path: Path) -> None:
    """Every example spec loads and validates against the schema."""
    text = path.read_text(encoding="utf-8")
    assert parse_spec_text(text, str(path)).domains
    document = yaml.safe_load(text)
    assert VALIDATOR.is_valid(document), [f"{_dotted(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(document)]


@pytest.mark.parametrize("path", EXAMPLES, ids=[str(p.relative_to(ROOT / "examples")) for p in EXAMPLES])
def test_examples_name_the_schema_for_editors(path: Path) -> None:
    """Each example's first line is `# yaml-language-server: $schema=<relative path>` pointing at the schema."""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert match, f"{path}: first line is {first!r}"
    assert (path.parent / match.group(1)).resolve() == SCHEMA_FILE.resolve()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entry=domain_entries())
def test_generated_good_specs_are_accepted_by_both(entry: dict) -> None:
    """Property: any spec the record-model strategy makes is accepted by the loader and by the schema."""
    text = yaml.safe_dump({"version": 1, "domains": [entry]}, allow_unicode=True)
    assert parse_spec_text(text).domains
    assert VALIDATOR.is_valid(yaml.safe_load(text)), [e.message for e in VALIDATOR.iter_errors(yaml.safe_load(text))]


def test_schema_command_prints_the_packaged_schema() -> None:
    """`spotme-dns schema` prints the committed file byte for byte; the package ships the same file."""
    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0, result.output
    assert result.stdout == SCHEMA_FILE.read_text(encoding="utf-8")
    assert schema_text() == result.stdout
    assert json.loads(schema_path().read_text(encoding="utf-8")) == SCHEMA


def test_schema_command_writes_a_file(tmp_path: Path) -> None:
    """`--output FILE` writes the schema there (and leaves no temporary file behind)."""
    target = tmp_path / "spotme.schema.json"
    result = CliRunner().invoke(cli, ["schema", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") == SCHEMA_FILE.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["spotme.schema.json"]


@pytest.mark.parametrize(
    ("target", "fragment"),
    [("missing-dir/schema.json", "does not exist"), (".", "is a directory")],
    ids=["missing-directory", "a-directory"],
)
def test_schema_command_refuses_a_bad_output(tmp_path: Path, target: str, fragment: str) -> None:
    """An output that cannot be a file is bad input: exit 2 and nothing written."""
    result = CliRunner().invoke(cli, ["schema", "-o", str(tmp_path / target)])
    assert result.exit_code == 2
    assert fragment in result.stderr
    assert list(tmp_path.iterdir()) == []
