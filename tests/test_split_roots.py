"""`generate --split-roots N`: one Terraform root per N domains, planned with a real terraform.

Generic roots need no provider: each is planned and applied, and its `records` output equals
the Python record model for its domains. Route53 roots are planned against moto. `make plan`
runs every root.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from spotme_dns.cli.app import cli
from spotme_dns.records import build_records
from spotme_dns.spec import load_spec
from tests.support.aws import aws_client, aws_provider_env

REPO = Path(__file__).resolve().parents[1]


def tokens(i: int) -> list[str]:
    return [f"{letter * 31}{i}" for letter in "abc"]


def fleet_spec(domains: list[str], provider: str) -> str:
    lines = ["version: 1", "defaults:", f"  provider: {provider}", "domains:"]
    for i, domain in enumerate(domains):
        lines += [
            f"  - domain: {domain}",
            "    ses:",
            f"      dkim_tokens: [{', '.join(tokens(i))}]",
            "    mandrill:",
            f"      verification: mandrill_verify.Key{i:06d}",
        ]
    return "\n".join(lines) + "\n"


GENERIC_DOMAINS = [f"d{i}.fleet.test" for i in range(1, 6)]


def generate(spec: Path, out: Path, *flags: str):
    return CliRunner().invoke(cli, ["generate", str(spec), "-o", str(out), *flags])


def module_sources(main_tf: str) -> list[str]:
    return [line.split('"')[1] for line in main_tf.splitlines() if line.strip().startswith("source")]


@pytest.fixture(scope="module")
def generic_fleet(tmp_path_factory):
    """Five generic domains generated twice: as one root and split two per root."""
    base = tmp_path_factory.mktemp("split")
    spec = base / "spec.yaml"
    spec.write_text(fleet_spec(GENERIC_DOMAINS, "generic"))
    one, split = base / "one", base / "split"
    assert generate(spec, one).exit_code == 0
    result = generate(spec, split, "--split-roots", "2")
    assert result.exit_code == 0, result.output
    return spec, one, split, result.output


def test_roots_in_spec_order(generic_fleet):
    """root-001..003 call the domains two at a time, in spec order, from ../<domain>."""
    _, _, split, output = generic_fleet
    roots = sorted(p.name for p in split.iterdir() if p.name.startswith("root-"))
    assert roots == ["root-001", "root-002", "root-003"]
    called = [module_sources((split / r / "main.tf").read_text()) for r in roots]
    assert called == [["../d1.fleet.test", "../d2.fleet.test"], ["../d3.fleet.test", "../d4.fleet.test"], ["../d5.fleet.test"]]
    assert not (split / "main.tf").exists() and not (split / "versions.tf").exists()
    assert "3 roots of at most 2 domains" in output and f"next: make plan OUT={split}" in output


def test_domain_folders_do_not_change(generic_fleet):
    """Splitting changes only the roots: every domain folder is byte for byte the same."""
    _, one, split, _ = generic_fleet
    for domain in GENERIC_DOMAINS:
        files = sorted(p.name for p in (one / domain).iterdir())
        assert files == sorted(p.name for p in (split / domain).iterdir())
        for name in files:
            assert (one / domain / name).read_bytes() == (split / domain / name).read_bytes()


def test_manifest_lists_every_root_file(generic_fleet):
    """The manifest owns the roots' files, so a later run can replace or remove them."""
    _, _, split, _ = generic_fleet
    files = json.loads((split / ".spotme-dns.json").read_text())["files"]
    on_disk = sorted(p.relative_to(split).as_posix() for p in split.rglob("*") if p.is_file() and p.name != ".spotme-dns.json")
    assert sorted(files) == on_disk


@pytest.mark.terraform
def test_generic_roots_plan_and_apply(generic_fleet, terraform_factory, tmp_path):
    """Each root plans and applies with no provider; its records are exactly its domains' records."""
    spec, _, split, _ = generic_fleet
    work = tmp_path / "split"
    shutil.copytree(split, work)
    expected = {d.domain: build_records(d) for d in load_spec([str(spec)]).domains}
    seen: list[str] = []
    for root in ("root-001", "root-002", "root-003"):
        tf = terraform_factory(work / root)
        tf.init()
        assert tf.plan_has_changes()
        tf.apply()
        records = tf.outputs()["records"]
        for domain, sets in records.items():
            want = expected[domain]
            assert [(r["name"], r["type"], r["ttl"], r["values"]) for r in sets] == [
                (r.name, r.type.value, r.ttl, list(r.texts)) for r in want.records
            ]
        seen += list(records)
    assert seen == GENERIC_DOMAINS


@pytest.mark.terraform
def test_make_plan_runs_every_root(generic_fleet, terraform_env, tmp_path):
    """`make plan OUT=DIR` inits and plans each root-NNN (one tfplan per root)."""
    if shutil.which("make") is None:
        pytest.fail("make is not installed", pytrace=False)
    _, _, split, _ = generic_fleet
    work = tmp_path / "split"
    shutil.copytree(split, work)
    env = {**os.environ, **terraform_env}
    done = subprocess.run(["make", "-s", "plan", f"OUT={work}"], cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.parent.name for p in work.glob("root-*/tfplan")) == ["root-001", "root-002", "root-003"]


def test_split_roots_get_their_own_state(tmp_path):
    """With a backend, every root keeps its state under its own key."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(fleet_spec(GENERIC_DOMAINS[:3], "generic"))
    result = generate(
        spec, tmp_path / "out", "--split-roots", "2", "--backend", "s3", "--backend-bucket", "acme-state", "--backend-region", "eu-west-1"
    )
    assert result.exit_code == 0, result.output
    keys = [
        next(line.split('"')[1] for line in (tmp_path / "out" / r / "backend.tf").read_text().splitlines() if line.strip().startswith("key"))
        for r in ("root-001", "root-002")
    ]
    assert keys == ["spotme-dns/root-001/terraform.tfstate", "spotme-dns/root-002/terraform.tfstate"]
    assert "state: S3 s3://acme-state/spotme-dns/root-NNN/terraform.tfstate (eu-west-1), locked with a lock file, one per root" in result.output


def test_switching_to_split_roots_replaces_the_root(tmp_path):
    """Regenerating an existing single-root DIR with --split-roots removes the old root files."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(fleet_spec(GENERIC_DOMAINS[:3], "generic"))
    out = tmp_path / "out"
    assert generate(spec, out).exit_code == 0
    result = generate(spec, out, "--split-roots", "2")
    assert result.exit_code == 0, result.output
    assert not (out / "main.tf").exists()
    assert f"removed {out / 'main.tf'}" in result.output
    assert (out / "root-002" / "main.tf").is_file()


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--split-roots", "0"], "--split-roots"),
        (["--split-roots", "2", "--discover"], "--split-roots and --discover together are not supported"),
    ],
    ids=["zero", "with-discover"],
)
def test_bad_split_roots(tmp_path, flags, message):
    """Refused with exit 2 and nothing written."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(fleet_spec(GENERIC_DOMAINS[:2], "generic"))
    result = generate(spec, tmp_path / "out", *flags)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- route53 against moto

ROUTE53_DOMAINS = ["alpha-split.test", "beta-split.test", "gamma-split.test"]


@pytest.mark.terraform
def test_route53_roots_plan_against_moto(tmp_path, terraform_factory, moto_server, tf_aws_mirror):
    """Route53 roots (two domains, then one) each plan their own domains' record sets against moto."""
    route53 = aws_client(moto_server, "route53")
    zone_ids = []
    for i, domain in enumerate(ROUTE53_DOMAINS):
        zone = route53.create_hosted_zone(Name=domain, CallerReference=f"split-{domain}-{os.getpid()}-{i}")
        zone_ids.append(zone["HostedZone"]["Id"])
    try:
        spec = tmp_path / "spec.yaml"
        spec.write_text(fleet_spec(ROUTE53_DOMAINS, "route53"))
        out = tmp_path / "out"
        result = generate(spec, out, "--split-roots", "2")
        assert result.exit_code == 0, result.output
        planned: dict[str, set[str]] = {}
        for root in ("root-001", "root-002"):
            tf = terraform_factory(out / root, env=aws_provider_env(moto_server))
            tf.init()
            plan = tf.show_json(tf.plan())
            changes = [c for c in plan["resource_changes"] if c["mode"] == "managed"]
            assert all(c["change"]["actions"] == ["create"] for c in changes)
            planned[root] = {c["change"]["after"]["name"].rstrip(".") for c in changes}
        expected = {d.domain: {r.name for r in build_records(d).records} for d in load_spec([str(spec)]).domains}
        assert planned["root-001"] == expected["alpha-split.test"] | expected["beta-split.test"]
        assert planned["root-002"] == expected["gamma-split.test"]
    finally:
        for zone_id in zone_ids:
            route53.delete_hosted_zone(Id=zone_id)
