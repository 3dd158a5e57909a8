"""spotme_dns.hcl: string escaping and the hand-written formatter, checked against real terraform fmt."""

from __future__ import annotations

import hcl2
import pytest

from spotme_dns import hcl
from spotme_dns.hcl import Attribute, Block, Comment, ListExpr, ObjectExpr, Raw


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("plain", '"plain"', id="plain"),
        pytest.param('say "hi"', '"say \\"hi\\""', id="double-quote"),
        pytest.param("back\\slash", '"back\\\\slash"', id="backslash"),
        pytest.param("${var.x}", '"$${var.x}"', id="interpolation"),
        pytest.param("%{ if x }", '"%%{ if x }"', id="directive"),
        pytest.param("$${x}", '"$$${x}"', id="already-doubled-interpolation"),
        pytest.param("${ open", '"\\u0024{ open"', id="unclosed-interpolation"),
        pytest.param("%{ open", '"\\u0025{ open"', id="unclosed-directive"),
        pytest.param("$${", '"$\\u0024{"', id="unclosed-doubled"),
        pytest.param("100% {x} $ {y}", '"100% {x} $ {y}"', id="sigils-apart-stay"),
        pytest.param("a\nb\tc\rd", '"a\\nb\\tc\\rd"', id="newline-tab-cr"),
        pytest.param("bell\x07del\x7f", '"bell\\u0007del\\u007f"', id="control-characters"),
        pytest.param("café ☕", '"café ☕"', id="non-ascii-kept"),
        pytest.param("", '""', id="empty"),
    ],
)
def test_quote(text: str, expected: str) -> None:
    """quote() escapes exactly what HCL needs and keeps other text readable."""
    assert hcl.quote(text) == expected


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        pytest.param("acme_events_com", True, id="underscores"),
        pytest.param("_x", True, id="leading-underscore"),
        pytest.param("a-b", True, id="hyphen"),
        pytest.param("1abc", False, id="leading-digit"),
        pytest.param("a.b", False, id="dot"),
        pytest.param("", False, id="empty"),
    ],
)
def test_is_identifier(name: str, valid: bool) -> None:
    """is_identifier follows HCL's identifier rule."""
    assert hcl.is_identifier(name) is valid


def test_is_nfc() -> None:
    """is_nfc tells apart text Terraform would change (decomposed accents)."""
    assert hcl.is_nfc("caf\u00e9")
    assert not hcl.is_nfc("cafe\u0301")
    assert hcl.is_nfc("ascii only")


def test_alignment_runs() -> None:
    """Single-line attributes align; blank lines, comments, blocks and multi-line values end a run."""
    doc = hcl.document(
        [
            Block(
                "resource",
                ("aws_route53_record", "x"),
                (
                    Attribute("zone_id", "Z1"),
                    Attribute("ttl", 300),
                    Attribute("records", ListExpr(("a", "b"))),
                    Attribute("z", True),
                    Comment("why"),
                    Attribute("long_name", Raw("var.x")),
                    Attribute("n", 1),
                ),
            )
        ]
    )
    assert doc == (
        'resource "aws_route53_record" "x" {\n'
        '  zone_id = "Z1"\n'
        "  ttl     = 300\n"
        "  records = [\n"
        '    "a",\n'
        '    "b",\n'
        "  ]\n"
        "  z = true\n"
        "  # why\n"
        "  long_name = var.x\n"
        "  n         = 1\n"
        "}\n"
    )


def test_nested_objects_and_lists() -> None:
    """Lists of objects are written one item a line, objects one attribute a line, keys quoted when needed."""
    value = ListExpr((ObjectExpr((("name", "a"), ("values", ListExpr(("x",))))),))
    doc = hcl.document([Block("output", ("o",), (Attribute("value", value),)), Block("locals", (), (Attribute("m", ObjectExpr((("a.b", 1), ("cc", 2)))),))])
    assert doc == (
        'output "o" {\n'
        "  value = [\n"
        "    {\n"
        '      name   = "a"\n'
        '      values = ["x"]\n'
        "    },\n"
        "  ]\n"
        "}\n"
        "locals {\n"
        "  m = {\n"
        '    "a.b" = 1\n'
        "    cc    = 2\n"
        "  }\n"
        "}\n"
    )


def test_empty_block_and_header() -> None:
    """An empty block is `{}` and the header becomes a comment paragraph followed by a blank line."""
    doc = hcl.document([Block("provider", ("cloudflare",))], header="line one\nline two")
    assert doc == '# line one\n# line two\n\nprovider "cloudflare" {}\n'


TRICKY = ["open ${ and %{", 'a "b" \\c', "${x} %{y} $${z} %%{w}", "tab\tnl\ncr\r", "é ☕ 𝄞", "\x01\x7f", "$", "%", "x$", "{}"]


def sample_document() -> str:
    """A document with every shape the renderers use and every kind of tricky string."""
    return hcl.document(
        [
            Block("terraform", (), (Attribute("required_version", ">= 1.0"), hcl.BLANK, Block("required_providers", (), (Attribute("aws", ObjectExpr((("source", "hashicorp/aws"), ("version", ">= 4.0")))),)))),
            hcl.BLANK,
            Block("locals", (), (Attribute("values", ListExpr(tuple(TRICKY))), Attribute("one", ListExpr(("x",))), Attribute("n", 3))),
            hcl.BLANK,
            Block("output", ("records",), (Attribute("description", "d"), Attribute("value", ListExpr((ObjectExpr((("name", "a.example"), ("ttl", 60), ("values", ListExpr(tuple(TRICKY))))),))))),
            hcl.BLANK,
            Block("provider", ("cloudflare",), (Comment("token from the environment"),)),
        ],
        header="Generated for a test.",
    )


def test_sample_parses_with_python_hcl2() -> None:
    """python-hcl2 parses the writer's output, escapes included."""
    parsed = hcl2.loads(sample_document())
    assert {"terraform", "locals", "output", "provider"} <= set(parsed)


def test_sample_is_terraform_fmt_clean(tmp_path, terraform_factory) -> None:
    """Real `terraform fmt -check` finds nothing to change in the writer's output."""
    (tmp_path / "sample.tf").write_text(sample_document(), encoding="utf-8")
    assert terraform_factory(tmp_path).fmt_check() == []
