"""SPF parsing against the RFC 7208 grammar, lookup counting and merging (spotme_dns.spf)."""

from __future__ import annotations

import pytest

from spotme_dns import spf

GOOD_TERMS = {
    # mechanisms, with and without qualifiers
    "all": "all",
    "minus-all": "-all",
    "softfail-all": "~all",
    "neutral-all": "?all",
    "plus-include": "+include:_spf.google.com",
    "include": "include:_spf.spotme.com",
    "include-trailing-dot": "include:spf.example.com.",
    "a-bare": "a",
    "a-domain": "a:mail.example.com",
    "a-ip4-cidr": "a/24",
    "a-ip6-cidr": "a//64",
    "a-dual-cidr": "a/24//64",
    "a-domain-dual-cidr": "a:example.com/24//64",
    "mx-bare": "mx",
    "mx-cidr": "mx/30",
    "mx-domain": "-mx:example.org",
    "ptr-bare": "ptr",
    "ptr-domain": "ptr:example.com",
    "ip4-address": "ip4:192.0.2.1",
    "ip4-network": "ip4:192.0.2.0/24",
    "ip4-zero-prefix": "ip4:0.0.0.0/0",
    "ip6-network": "ip6:2001:db8::/32",
    "ip6-mapped": "ip6:::ffff:192.0.2.1",
    "ip6-full-prefix": "~ip6:2001:db8::1/128",
    "exists-macros": "exists:%{ir}.%{l1r+-}._spf.%{d}",
    # macros (RFC 7208 §7)
    "include-macro-end": "include:%{d}",
    "include-macro-middle": "include:%{i}._spf.%{d}",
    "macro-transformers": "exists:%{i4r}.%{v}._spf.example.com",
    "macro-uppercase-letter": "exists:%{S}.example.com",
    "macro-escapes": "exists:%%.%_.%-.example.com",
    "a-macro-delimiter": "a:%{d/}",
    "mx-macro-cidr": "mx:%{d}/24",
    # modifiers
    "redirect": "redirect=_spf.example.com",
    "exp": "exp=explain._spf.%{d}",
    "unknown-modifier": "foo.bar-1=some%{d}value",
    "toplabel-with-hyphen": "include:spf.123-456",
}

BAD_TERMS = {
    "second-version": ("v=spf1", "a second 'v=spf1'"),
    "second-version-upper": ("V=SPF1", "a second 'v=spf1'"),
    "unknown-mechanism": ("includes:example.com", "unknown SPF mechanism"),
    "double-qualifier": ("-~all", "unknown SPF mechanism"),
    "all-with-argument": ("all:example.com", "'all' takes no argument"),
    "include-no-domain": ("include", "needs a domain"),
    "include-empty": ("include:", "needs a domain"),
    "include-single-label": ("include:localhost", "not a fully qualified domain name"),
    "include-empty-label": ("include:spf..example.com", "not a fully qualified domain name"),
    "include-numeric-toplabel": ("include:spf.example.123", "does not end in a domain name"),
    "include-cidr": ("include:example.com/24", "does not end in a domain name"),
    "include-long-label": ("include:" + "a" * 64 + ".com", "too long"),
    "exists-no-domain": ("exists", "needs a domain"),
    "a-colon-no-domain": ("a:", "needs a domain"),
    "a-slash-domain": ("a/24:example.com", "a domain follows ':', not '/'"),
    "a-prefix-too-long": ("a/33", "out of range 0-32"),
    "a-ip6-prefix-too-long": ("a//129", "out of range 0-128"),
    "a-leading-zero": ("a/024", "no leading zeros"),
    "a-empty-prefix": ("a/", "bad prefix length"),
    "a-triple-slash": ("a///64", "bad prefix length"),
    "ptr-prefix": ("ptr/24", "takes no prefix length"),
    "ip4-no-address": ("ip4", "needs an address"),
    "ip4-bad-address": ("ip4:192.0.2", "bad ip4 address"),
    "ip4-octet-range": ("ip4:192.0.2.256", "bad ip4 address"),
    "ip4-leading-zero": ("ip4:192.0.2.01", "bad ip4 address"),
    "ip4-netmask": ("ip4:192.0.2.0/255.255.255.0", "bad prefix length"),
    "ip4-prefix-range": ("ip4:192.0.2.0/33", "bad prefix length"),
    "ip4-given-ip6": ("ip4:2001:db8::1", "bad ip4 address"),
    "ip6-given-ip4": ("ip6:192.0.2.1", "bad ip6 address"),
    "ip6-zone-index": ("ip6:fe80::1%eth0", "zone index"),
    "ip6-prefix-range": ("ip6:2001:db8::/129", "bad prefix length"),
    "macro-bad-letter": ("exists:%{x}.example.com", "bad macro"),
    "macro-reversed-before-digits": ("exists:%{ir4}.example.com", "bad macro"),
    "macro-unclosed": ("exists:%{d.example.com", "bad macro"),
    "macro-lone-percent": ("include:100%.example.com", "bad macro"),
    "macro-exp-only-letter": ("exists:%{c}.example.com", "only allowed in an explanation"),
    "macro-exp-only-in-exp": ("exp=%{r}.example.com", "only allowed in an explanation"),
    "macro-no-domain-end": ("include:%{d}com", "does not end in a domain name"),
    "redirect-empty": ("redirect=", "needs a domain"),
    "exp-empty": ("exp=", "needs a domain"),
    "redirect-not-domain": ("redirect=localhost", "not a fully qualified domain name"),
    "modifier-bad-char": ("foo=bar baz", "white space"),
    "control-character": ("include:exa\x01mple.com", "not allowed"),
    "empty-term": ("", "empty SPF term"),
}


@pytest.mark.parametrize("text", GOOD_TERMS.values(), ids=GOOD_TERMS.keys())
def test_good_terms_parse(text: str) -> None:
    """Every term the RFC 7208 grammar allows parses and keeps its text."""
    term = spf.parse_term(text)
    assert term.text == text


@pytest.mark.parametrize(("text", "fragment"), BAD_TERMS.values(), ids=BAD_TERMS.keys())
def test_bad_terms_are_refused(text: str, fragment: str) -> None:
    """Terms outside the grammar raise SpfSyntaxError saying what is wrong."""
    with pytest.raises(spf.SpfSyntaxError) as err:
        spf.parse_term(text)
    assert fragment in str(err.value)


def test_term_fields() -> None:
    """A term splits into qualifier, lower-case name and value."""
    term = spf.parse_term("~Include:_SPF.Google.com")
    assert (term.qualifier, term.name, term.value, term.is_modifier) == ("~", "include", "_SPF.Google.com", False)
    assert term.identity == "include:_spf.google.com"
    modifier = spf.parse_term("Redirect=_spf.example.com")
    assert (modifier.qualifier, modifier.name, modifier.is_modifier) == ("", "redirect", True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("v=spf1", True),
        ("v=spf1 -all", True),
        ("V=SPF1 -all", True),
        ("v=spf10 -all", False),
        ("v=spf1-all", False),
        ("spf1 -all", False),
        ("", False),
        ("google-site-verification=abc", False),
    ],
    ids=["bare", "with-terms", "upper-case", "spf10", "no-space", "no-v", "empty", "other-txt"],
)
def test_is_spf(text: str, expected: bool) -> None:
    """RFC 7208 §4.5: only `v=spf1` followed by a space or the end starts an SPF record."""
    assert spf.is_spf(text) is expected


def test_parse_record_keeps_order() -> None:
    """A record parses into its terms in order; extra spaces are fine."""
    record = spf.parse_spf("v=spf1  ip4:192.0.2.0/24 include:_spf.spotme.com  -all ")
    assert [t.text for t in record.terms] == ["ip4:192.0.2.0/24", "include:_spf.spotme.com", "-all"]
    assert record.all_term is not None and record.all_term.text == "-all"
    assert record.text() == "v=spf1 ip4:192.0.2.0/24 include:_spf.spotme.com -all"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("v=spf1 redirect=a.example.com redirect=b.example.com", "'redirect=' appears more than once"),
        ("v=spf1 exp=a.example.com -all exp=b.example.com", "'exp=' appears more than once"),
        ("v=spf1 include:a.example.com v=spf1 -all", "a second 'v=spf1'"),
        ("include:a.example.com -all", "starts with 'v=spf1'"),
        ("v=spf1 include:a.example.com\t-all", "white space"),
    ],
    ids=["redirect-twice", "exp-twice", "second-version", "no-version", "tab"],
)
def test_bad_records(text: str, fragment: str) -> None:
    """Whole-record rules: one version, redirect and exp at most once each (RFC 7208 §6)."""
    with pytest.raises(spf.SpfSyntaxError) as err:
        spf.parse_spf(text)
    assert fragment in str(err.value)


@pytest.mark.parametrize(
    ("text", "counted"),
    [
        ("v=spf1 -all", []),
        ("v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 exp=x.example.com -all", []),
        ("v=spf1 include:a.example.com a mx ptr exists:%{i}.example.com -all",
         ["include:a.example.com", "a", "mx", "ptr", "exists:%{i}.example.com"]),
        ("v=spf1 ~include:a.example.com -mx ?a:b.example.com +ptr -all",
         ["~include:a.example.com", "-mx", "?a:b.example.com", "+ptr"]),
        ("v=spf1 include:a.example.com redirect=b.example.com", ["include:a.example.com", "redirect=b.example.com"]),
        ("v=spf1 include:a.example.com -all redirect=b.example.com", ["include:a.example.com"]),
        ("v=spf1 redirect=b.example.com include:a.example.com ~all", ["include:a.example.com"]),
        ("v=spf1 include:a.example.com ?all include:b.example.com mx", ["include:a.example.com"]),
    ],
    ids=[
        "all-only", "no-dns-terms", "every-lookup-mechanism", "qualifiers-still-count", "redirect-counts",
        "redirect-ignored-with-all", "redirect-ignored-with-all-after", "after-all-never-evaluated",
    ],
)
def test_lookup_terms(text: str, counted: list[str]) -> None:
    """RFC 7208 §4.6.4 counting: qualifier-aware, redirect ignored beside `all`, nothing after `all`."""
    assert [t.text for t in spf.parse_spf(text).lookup_terms] == counted


def test_lookup_limit_constants() -> None:
    """The RFC 7208 §4.6.4 limits and §3.4 sizes are the published numbers."""
    assert (spf.LOOKUP_LIMIT, spf.VOID_LOOKUP_LIMIT, spf.ADVISORY_SIZE, spf.STRING_LIMIT) == (10, 2, 450, 255)


@pytest.mark.parametrize(
    ("keep", "include", "all_term", "expected"),
    [
        ([], ["_spf.spotme.com"], "-all", "v=spf1 include:_spf.spotme.com -all"),
        (["include:_spf.google.com", "ip4:192.0.2.0/24"], ["_spf.spotme.com"], "~all",
         "v=spf1 include:_spf.google.com ip4:192.0.2.0/24 include:_spf.spotme.com ~all"),
        (["include:_spf.spotme.com", "mx"], ["_spf.spotme.com"], "-all", "v=spf1 mx include:_spf.spotme.com -all"),
        (["~include:_SPF.spotme.com", "~include:x.example.com"], ["_spf.spotme.com"], "-all",
         "v=spf1 ~include:x.example.com include:_spf.spotme.com -all"),
        (["+mx", "mx", "-mx"], ["_spf.spotme.com"], "-all", "v=spf1 +mx include:_spf.spotme.com -all"),
        (["mx", "~all", "a"], ["_spf.spotme.com"], "-all", "v=spf1 mx a include:_spf.spotme.com -all"),
        (["exp=why.example.com", "a"], ["_spf.spotme.com", "spf.mandrillapp.com"], "?all",
         "v=spf1 a include:_spf.spotme.com include:spf.mandrillapp.com ?all exp=why.example.com"),
        ([], ["_spf.spotme.com", "_spf.spotme.com"], "-all", "v=spf1 include:_spf.spotme.com -all"),
    ],
    ids=[
        "default", "kept-first-then-includes", "kept-include-replaced", "kept-softfail-include-replaced", "plus-and-repeats",
        "kept-all-dropped", "modifiers-last", "includes-deduplicated",
    ],
)
def test_merge_terms(keep: list[str], include: list[str], all_term: str, expected: str) -> None:
    """Kept mechanisms in order, includes, `all`, kept modifiers; repeats dropped; one v=spf1."""
    merged = spf.merge_terms(keep, include, all_term)
    assert merged == expected
    assert merged.count("v=spf1") == 1
    spf.parse_spf(merged)  # the result is itself a valid record


def test_merge_terms_refuses_a_non_all_final_term() -> None:
    """The last term must be an `all` mechanism."""
    with pytest.raises(spf.SpfSyntaxError, match="'all' mechanism"):
        spf.merge_terms([], ["_spf.spotme.com"], "include:x.example.com")


def test_merge_terms_refuses_bad_kept_term() -> None:
    """A kept term outside the grammar is refused, not copied."""
    with pytest.raises(spf.SpfSyntaxError, match="unknown SPF mechanism"):
        spf.merge_terms(["ip5:1.2.3.4"], ["_spf.spotme.com"], "-all")
