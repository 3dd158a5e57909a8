"""DMARC records: RFC 7489 tags, RFC 9989 additions, ordering, URIs (spotme_dns.dmarc)."""

from __future__ import annotations

import pytest

from spotme_dns import dmarc

GOOD_RECORDS = {
    "minimal": "v=DMARC1; p=none;",
    "no-trailing-semicolon": "v=DMARC1; p=reject",
    "spaces-around-equals": "v = DMARC1 ; p = quarantine ;",
    "every-rfc7489-tag": (
        "v=DMARC1; p=reject; sp=quarantine; rua=mailto:a@example.com; ruf=mailto:f@example.com; "
        "adkim=s; aspf=r; pct=50; fo=0:1:d:s; rf=afrf; ri=86400"
    ),
    "rfc9989-np-psd-t": "v=DMARC1; p=reject; np=reject; psd=n; t=y",
    "rfc9989-without-p": "v=DMARC1; rua=mailto:a@example.com",
    "rfc9989-any-order-after-v": "v=DMARC1; rua=mailto:a@example.com; p=none",
    "reporting-authorisation-only": "v=DMARC1;",
    "rua-with-size": "v=DMARC1; p=none; rua=mailto:a@example.com!10m,mailto:b@example.net!500",
    "rua-https": "v=DMARC1; p=none; rua=https://reports.example.com/dmarc",
    "unknown-tag-ignored": "v=DMARC1; p=none; future=thing",
    "upper-case-values": "v=DMARC1; p=REJECT; adkim=S",
    "upper-case-v-and-tag-names": "V=DMARC1; P=reject; ADKIM=s",
    "tabs-around-equals-and-semicolons": "v\t=\tDMARC1\t;\tp\t=\treject\t;\t",
    "rfc9989-version-alone": "v=DMARC1",
    "rfc9989-historic-pct-out-of-range": "v=DMARC1; p=none; pct=101",
    "rfc9989-historic-rf-other-format": "v=DMARC1; p=none; rf=iodef",
    "rfc9989-historic-ri-not-a-number": "v=DMARC1; p=none; ri=daily",
    "rua-spaces-around-comma": "v=DMARC1; p=none; rua=mailto:a@example.com , mailto:b@example.net",
    "fo-spaces-around-colon": "v=DMARC1; p=none; fo=0 : 1 : d",
}

BAD_RECORDS = {
    "no-version": ("p=none", "the first tag must be v=DMARC1"),
    "version-not-first": ("p=none; v=DMARC1", "the first tag must be v=DMARC1"),
    "version-lower-case": ("v=dmarc1; p=none", "v must be exactly DMARC1"),
    "version-2": ("v=DMARC2; p=none", "v must be exactly DMARC1"),
    "duplicate-p": ("v=DMARC1; p=none; p=reject", "tag 'p' appears more than once"),
    "duplicate-rua": ("v=DMARC1; p=none; rua=mailto:a@x.com; rua=mailto:b@x.com", "tag 'rua' appears more than once"),
    "bad-policy": ("v=DMARC1; p=block", "p='block': expected one of none, quarantine, reject"),
    "bad-sp": ("v=DMARC1; p=none; sp=all", "sp='all'"),
    "bad-np": ("v=DMARC1; p=none; np=maybe", "np='maybe'"),
    "bad-adkim": ("v=DMARC1; p=none; adkim=x", "expected r (relaxed) or s (strict)"),
    "bad-aspf": ("v=DMARC1; p=none; aspf=relaxed", "aspf='relaxed'"),
    "bad-fo": ("v=DMARC1; p=none; fo=2", "fo='2'"),
    "bad-t": ("v=DMARC1; p=reject; t=true", "t='true': expected y or n"),
    "bad-psd": ("v=DMARC1; p=reject; psd=yes", "psd='yes': expected y, n or u"),
    "rua-no-scheme": ("v=DMARC1; p=none; rua=a@example.com", "has no scheme"),
    "rua-no-at": ("v=DMARC1; p=none; rua=mailto:example.com", "expected mailto:user@domain"),
    "rua-bad-host": ("v=DMARC1; p=none; rua=mailto:a@-x.example.com", "expected mailto:user@domain"),
    "rua-empty-size": ("v=DMARC1; p=none; rua=mailto:a@example.com!", "not a valid report URI"),
    "rua-bad-size-unit": ("v=DMARC1; p=none; rua=mailto:a@example.com!10x", "not a valid report URI"),
    "rua-non-ascii": ("v=DMARC1; p=none; rua=mailto:dmarc@bücher.de", "printable ASCII only"),
    "rua-empty-item": ("v=DMARC1; p=none; rua=mailto:a@example.com,", "empty report URI"),
    "not-a-pair": ("v=DMARC1; p=none; reject", "'reject' is not a tag=value pair"),
    "double-semicolon": ("v=DMARC1;; p=none", "empty tag"),
    "missing-separator": ("v=DMARC1 p=none", "v must be exactly DMARC1"),
    "version-with-suffix": ("v=DMARC12; p=none", "v must be exactly DMARC1"),
    "leading-space": (" v=DMARC1; p=none", "v must be exactly DMARC1"),
    "newline-is-not-wsp": ("v=DMARC1;\np=none", "is not a tag=value pair"),
    "empty-value": ("v=DMARC1; p=", "tag 'p' has no value"),
    "tag-name-not-letters": ("v=DMARC1; p=none; sp-none", "is not a tag=value pair"),
    "fo-with-colon-not-equals": ("v=DMARC1; p=none; fo:0", "is not a tag=value pair"),
    "non-ascii-value": ("v=DMARC1; p=none; x=caf\u00e9", "printable ASCII only"),
    "rua-size-over-64-bit": ("v=DMARC1; p=none; rua=mailto:a@example.com!99999999999999999999", "64-bit"),
    "rua-bad-percent": ("v=DMARC1; p=none; rua=mailto:a%zz@example.com", "RFC 3986"),
}


@pytest.mark.parametrize("text", GOOD_RECORDS.values(), ids=GOOD_RECORDS.keys())
def test_good_records_parse(text: str) -> None:
    """Records within RFC 7489 / RFC 9989 parse without problems."""
    record = dmarc.parse_dmarc(text)
    assert record.tags[0] == ("v", "DMARC1")


@pytest.mark.parametrize(("text", "fragment"), BAD_RECORDS.values(), ids=BAD_RECORDS.keys())
def test_bad_records_are_refused(text: str, fragment: str) -> None:
    """Each bad record raises DmarcSyntaxError naming the problem."""
    with pytest.raises(dmarc.DmarcSyntaxError) as err:
        dmarc.parse_dmarc(text)
    assert any(fragment in p for p in err.value.problems), err.value.problems


def test_every_problem_is_reported() -> None:
    """All problems of a record come back at once, not just the first."""
    with pytest.raises(dmarc.DmarcSyntaxError) as err:
        dmarc.parse_dmarc("v=DMARC1; p=block; adkim=x; sp=all")
    assert len(err.value.problems) == 3


def test_record_accessors() -> None:
    """Tags keep their order; policy defaults to none (RFC 9989); URIs split on commas."""
    record = dmarc.parse_dmarc("v=DMARC1; RUA=mailto:a@example.com, mailto:b@example.com!1m; sp=reject")
    assert [name for name, _ in record.tags] == ["v", "rua", "sp"]
    assert record.policy == "none"
    assert record.get("sp") == "reject"
    assert record.get("ruf") is None
    assert record.uris("rua") == ("mailto:a@example.com", "mailto:b@example.com!1m")
    assert dmarc.parse_dmarc("v=DMARC1; p=Quarantine").policy == "quarantine"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("v=DMARC1; p=none", True),
        ("v=DMARC1", True),
        ("v = DMARC1 ;p=none", True),
        ("V\t=\tDMARC1\t;p=none", True),
        ("  v=DMARC1; p=none", False),
        ("v=dmarc1; p=none", False),
        ("v=DMARC12; p=none", False),
        ("v=DMARC1p=none", False),
        ("v=spf1 -all", False),
        ("p=none; v=DMARC1", False),
    ],
    ids=["plain", "bare", "spaces", "tabs-upper-v", "leading-space", "lower-case-version", "version-12", "glued", "spf", "version-later"],
)
def test_is_dmarc(text: str, expected: bool) -> None:
    """A TXT value is a DMARC record when it starts with the v=DMARC1 tag (RFC 9989 ABNF:
    "v" in any case, WSP around "=", DMARC1 exactly, nothing before it)."""
    assert dmarc.is_dmarc(text) is expected


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("p", "none", None),
        ("np", "Reject", None),
        ("psd", "u", None),
        ("t", "n", None),
        ("pct", "0", None),
        ("fo", "1:D", None),
        ("future", "anything", None),
        ("sp", "", "expected one of"),
        ("rua", "mailto:a@example.com,mailto:b@", "rua: 'mailto:b@'"),
    ],
    ids=["p", "np-case", "psd-u", "t-n", "pct-zero", "fo-list", "unknown-tag", "sp-empty", "rua-second-bad"],
)
def test_check_tag(name: str, value: str, fragment: str | None) -> None:
    """check_tag returns None for good values and the reason for bad ones."""
    problem = dmarc.check_tag(name, value)
    if fragment is None:
        assert problem is None
    else:
        assert problem is not None and fragment in problem


def test_report_host() -> None:
    """The mailto destination host (for RFC 7489 §7.1 authorisation), size suffix ignored."""
    assert dmarc.report_host("mailto:dmarc@Reports.Example.NET!10m") == "reports.example.net"
    assert dmarc.report_host("https://example.com/r") is None


def test_build_dmarc_orders_v_then_p() -> None:
    """The built record starts v=DMARC1; p=...; then the other tags in the order given, and parses."""
    text = dmarc.build_dmarc("quarantine", [("rua", "mailto:a@example.com!10m"), ("np", "reject"), ("t", "y")])
    assert text == "v=DMARC1; p=quarantine; rua=mailto:a@example.com!10m; np=reject; t=y;"
    assert dmarc.parse_dmarc(text).policy == "quarantine"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [("reject", "none", True), ("reject", "quarantine", True), ("none", "reject", False), ("quarantine", "quarantine", False)],
    ids=["reject-to-none", "reject-to-quarantine", "none-to-reject", "same"],
)
def test_weakens(old: str, new: str, expected: bool) -> None:
    """reject > quarantine > none: only a move down weakens."""
    assert dmarc.weakens(old, new) is expected


# --------------------------------------------------------------------------- meaning, tree walk (issue 8)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("v=DMARC1; p=none; rua=mailto:a@x.example", "v=DMARC1;p=none;rua=mailto:a@x.example;", True),
        ("v=DMARC1; p=none; sp=reject", "v=DMARC1; sp=REJECT; p=None", True),
        ("v=DMARC1; p=none", "v=DMARC1; p=reject", False),
        ("v=DMARC1; p=none; rua=mailto:A@x.example", "v=DMARC1; p=none; rua=mailto:a@x.example", False),
    ],
)
def test_same_meaning(a: str, b: str, same: bool) -> None:
    assert dmarc.same_meaning(a, b) is same


def test_effective_policy_tags() -> None:
    """sp falls back to p; np to sp, then p (RFC 7489 §6.3, RFC 9989)."""
    record = dmarc.parse_dmarc("v=DMARC1; p=reject; sp=none")
    assert (dmarc.effective(record, "p"), dmarc.effective(record, "sp"), dmarc.effective(record, "np")) == ("reject", "none", "none")
    assert dmarc.effective(dmarc.parse_dmarc("v=DMARC1; p=quarantine"), "np") == "quarantine"


def test_tree_walk_names() -> None:
    """RFC 9989 §4.10: nearest parent first, at most 8 names in all (long names shortened to 7
    labels first), the top-level domain left out."""
    assert dmarc.tree_walk_names("a.mail.example.com") == ("mail.example.com", "example.com")
    assert dmarc.tree_walk_names("example.com") == ()
    long = "a.b.c.d.e.f.g.h.i.j.mail.example.com"
    assert dmarc.tree_walk_names(long) == (
        "g.h.i.j.mail.example.com", "h.i.j.mail.example.com", "i.j.mail.example.com", "j.mail.example.com",
        "mail.example.com", "example.com",
    )


@pytest.mark.parametrize(
    ("found", "expected"),
    [
        pytest.param([("mail.example.com", ()), ("example.com", ("v=DMARC1; p=reject",))], ("example.com", "p", "reject"), id="org-p"),
        pytest.param([("example.com", ("v=DMARC1; p=reject; sp=quarantine",))], ("example.com", "sp", "quarantine"), id="org-sp"),
        pytest.param(
            [("mail.example.com", ("v=DMARC1; p=none",)), ("example.com", ("v=DMARC1; p=reject",))],
            ("example.com", "p", "reject"), id="fewest-labels-wins",
        ),
        pytest.param(
            [("mail.example.com", ("v=DMARC1; p=none; psd=n",)), ("example.com", ("v=DMARC1; p=reject",))],
            ("mail.example.com", "p", "none"), id="psd-n-stops",
        ),
        pytest.param([("example.com", ("v=DMARC1; p=reject; psd=y",))], None, id="psd-y-is-no-parent"),
        pytest.param([("example.com", ("v=DMARC1; p=reject", "v=DMARC1; p=none"))], None, id="two-records-discarded"),
        pytest.param([("example.com", ("hello", "v=DMARC1; p=quarantine"))], ("example.com", "p", "quarantine"), id="other-txt-ignored"),
    ],
)
def test_inherited_policy(found, expected) -> None:
    walk = dmarc.inherited_policy("x.mail.example.com", found)
    got = (walk.parent.domain, walk.parent.tag, walk.parent.policy) if walk.parent else None
    assert got == expected


def test_inherited_policy_names_what_could_not_be_read() -> None:
    walk = dmarc.inherited_policy("mail.example.com", [("example.com", None)])
    assert walk.parent is None and walk.unread == ("_dmarc.example.com",)


@pytest.mark.parametrize(
    ("text", "policy"),
    [
        ("v=DMARC1; p=reject", "reject"),
        ("v=DMARC1; p=reject; fo:1", "reject"),
        ("v=DMARC1; P = Quarantine ; pct=200", "quarantine"),
        ("v=DMARC1; p=block", "none"),
        ("v=DMARC1; rua=mailto:a@example.com", "none"),
        ("v=dmarc1; p=reject", None),
        ("v=spf1 -all", None),
    ],
    ids=["plain", "broken-tag-after", "case-and-historic", "invalid-p", "no-p", "not-dmarc", "spf"],
)
def test_receiver_policy(text: str, policy: str | None) -> None:
    """The p a receiver applies: broken tags discarded, missing or invalid p is none (RFC 9989)."""
    assert dmarc.receiver_policy(text) == policy
