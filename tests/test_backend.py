"""State backends (`generate --backend s3|remote`, a spec's `backend:`), checked with real Terraform.

s3 and remote blocks pass `terraform init -backend=false` and `terraform validate`; the s3
block is also initialised for real against moto (bucket and DynamoDB lock table) and a root's
state lands in the bucket, locked through the table.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import hcl2
import pytest
from click.testing import CliRunner

from spotme_dns.backend import (
    BackendKind,
    BackendOptions,
    RemoteBackend,
    S3Backend,
    describe_backend,
    for_root,
    render_backend,
    resolve_backend,
    split_into_roots,
)
from spotme_dns.cli.app import cli
from spotme_dns.errors import InputError
from spotme_dns.spec import load_spec, parse_spec_text
from tests.support.aws import aws_client, aws_provider_env

TOKENS = ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa2", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa3")
BUCKET = "acme-terraform-state"
TABLE = "terraform-locks"


def spec_text(backend: str = "", domain: str = "acme.test") -> str:
    return (
        "version: 1\n"
        f"{backend}"
        "domains:\n"
        f"  - domain: {domain}\n"
        "    provider: generic\n"
        "    ses:\n"
        f"      dkim_tokens: [{', '.join(TOKENS)}]\n"
        "    mandrill:\n"
        "      verification: mandrill_verify.Key123456\n"
    )


def plain(value):
    """python-hcl2's output without its quotes, comments and block markers."""
    if isinstance(value, dict):
        return {k.strip('"'): plain(v) for k, v in value.items() if not k.startswith("__")}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value.strip('"') if isinstance(value, str) else value


def backend_block(text: str) -> dict:
    return plain(hcl2.loads(text))["terraform"][0]["backend"][0]


S3_SPEC = "backend:\n  type: s3\n  bucket: acme-terraform-state\n  region: eu-west-1\n  dynamodb_table: terraform-locks\n"


# --------------------------------------------------------------------------- the blocks


def test_s3_block():
    """bucket, key, region, lock table and encryption, aligned as terraform fmt writes them."""
    text = render_backend(S3Backend(bucket=BUCKET, region="eu-west-1", key="dns/state.tfstate", dynamodb_table=TABLE))
    block = backend_block(text)["s3"]
    assert block == {"bucket": BUCKET, "key": "dns/state.tfstate", "region": "eu-west-1", "dynamodb_table": TABLE,
                     "encrypt": True, "use_lockfile": True}  # fmt: skip
    assert '    dynamodb_table = "terraform-locks"\n' in text


def test_s3_locks_with_a_lockfile_and_dynamodb_only_when_asked():
    """Default: use_lockfile = true and no dynamodb_table (Terraform 1.10 deprecated it)."""
    block = backend_block(render_backend(S3Backend(bucket=BUCKET, region="eu-west-1")))["s3"]
    assert block["use_lockfile"] is True and "dynamodb_table" not in block
    spec = parse_spec_text(spec_text("backend:\n  type: s3\n  bucket: b-state\n  region: eu-west-1\n  use_lockfile: false\n"), "spec.yaml")
    resolved = resolve_backend(BackendOptions(), spec.backend)
    assert resolved.use_lockfile is False
    assert "use_lockfile" not in backend_block(render_backend(resolved))["s3"]


def test_cloud_block():
    """--backend cloud: the `cloud` block with one named workspace; a prefix is refused."""
    backend = resolve_backend(BackendOptions(kind=BackendKind.CLOUD, organization="acme", workspace="spotme-dns"))
    text = render_backend(backend)
    cloud = plain(hcl2.loads(text))["terraform"][0]["cloud"][0]
    assert cloud["organization"] == "acme" and cloud["hostname"] == "app.terraform.io"
    assert cloud["workspaces"][0]["name"] == "spotme-dns"
    assert "token" not in {k.lower() for k in cloud}
    assert "HCP Terraform" in describe_backend(backend)
    with pytest.raises(InputError, match="not a prefix"):
        resolve_backend(BackendOptions(kind=BackendKind.CLOUD, organization="acme", workspace_prefix="dns-"))


def test_remote_block_has_no_token():
    """organization and one workspace; the token is never written."""
    text = render_backend(RemoteBackend(organization="acme", workspace="spotme-dns"))
    block = backend_block(text)["remote"]
    assert block["organization"] == "acme" and block["hostname"] == "app.terraform.io"
    assert block["workspaces"] == [{"name": "spotme-dns"}]
    assert "token" not in {k for k in block}
    prefixed = backend_block(render_backend(RemoteBackend(organization="acme", workspace_prefix="dns-")))
    assert prefixed["remote"]["workspaces"] == [{"prefix": "dns-"}]


@pytest.mark.parametrize(
    ("backend", "root", "expected"),
    [
        (S3Backend(bucket=BUCKET, region="eu-west-1"), "root-002", "spotme-dns/root-002/terraform.tfstate"),
        (S3Backend(bucket=BUCKET, region="eu-west-1", key="state.tfstate"), "root-001", "root-001/state.tfstate"),
        (RemoteBackend(organization="acme", workspace="dns"), "root-003", "dns-root-003"),
        (RemoteBackend(organization="acme", workspace_prefix="dns-"), "root-001", "dns-root-001-"),
    ],
    ids=["s3-default-key", "s3-flat-key", "remote-name", "remote-prefix"],
)
def test_each_split_root_has_its_own_state(backend, root, expected):
    """Split roots never share a state: a key or workspace per root."""
    got = for_root(backend, root)
    assert (got.key if isinstance(got, S3Backend) else got.workspace or got.workspace_prefix) == expected


def test_split_into_roots_in_order():
    """N per root, in the order given, the last one shorter."""
    assert split_into_roots(list("abcde"), 2) == [("root-001", ["a", "b"]), ("root-002", ["c", "d"]), ("root-003", ["e"])]
    assert split_into_roots([], 3) == []
    with pytest.raises(ValueError):
        split_into_roots(["a"], 0)


# --------------------------------------------------------------------------- flags and spec


def test_flags_override_spec():
    """The spec's backend with flags over it; --backend local drops it."""
    spec = parse_spec_text(spec_text(S3_SPEC), "spec.yaml")
    got = resolve_backend(BackendOptions(key="other/state.tfstate"), spec.backend)
    assert got == S3Backend(bucket=BUCKET, region="eu-west-1", key="other/state.tfstate", dynamodb_table=TABLE)
    assert resolve_backend(BackendOptions(kind=BackendKind.LOCAL), spec.backend) is None
    assert resolve_backend(BackendOptions(), None) is None


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (BackendOptions(kind=BackendKind.S3, region="eu-west-1"), "needs --backend-bucket"),
        (BackendOptions(kind=BackendKind.S3, bucket=BUCKET), "needs --backend-region"),
        (BackendOptions(kind=BackendKind.S3, bucket="Bad_Bucket", region="eu-west-1"), "is not an S3 bucket name"),
        (BackendOptions(kind=BackendKind.S3, bucket=BUCKET, region="europe"), "is not an AWS region"),
        (BackendOptions(kind=BackendKind.S3, bucket=BUCKET, region="eu-west-1", key="/abs"), "is not a state key"),
        (BackendOptions(kind=BackendKind.S3, bucket=BUCKET, region="eu-west-1", organization="acme"), "options of --backend remote"),
        (BackendOptions(kind=BackendKind.REMOTE, workspace="w"), "needs --backend-organization"),
        (BackendOptions(kind=BackendKind.REMOTE, organization="acme"), "--backend-workspace NAME or --backend-workspace-prefix"),
        (BackendOptions(kind=BackendKind.REMOTE, organization="acme", workspace="a", workspace_prefix="b"), "not both"),
        (BackendOptions(kind=BackendKind.REMOTE, organization="a b", workspace="w"), "organization name"),
        (BackendOptions(bucket=BUCKET), "given without --backend s3"),
    ],
    ids=["no-bucket", "no-region", "bad-bucket", "bad-region", "bad-key", "remote-flag-on-s3", "no-org",
         "no-workspace", "both-workspaces", "bad-org", "flag-without-backend"],
)
def test_bad_flags(options, message):
    """Missing or malformed backend options: InputError naming the flag."""
    with pytest.raises(InputError) as err:
        resolve_backend(options, None)
    assert message in str(err.value)


@pytest.mark.parametrize(
    ("backend", "where", "message"),
    [
        ("backend:\n  type: s3\n  bukket: x\n", "4:3", "did you mean 'bucket'?"),
        ("backend:\n  bucket: acme-terraform-state\n", "3:3", "backend.type: missing"),
        ("backend:\n  type: gcs\n", "3:9", "expected one of s3, remote, cloud, local"),
        ("backend:\n  type: S3\n", "3:9", "did you mean 's3'?"),
        ("backend:\n  type: s3\n  bucket: UPPER\n", "4:11", "is not an S3 bucket name"),
        ("backend:\n  type: remote\n  organization: acme\n  workspace: a\n  workspace_prefix: b\n", "6:21", "not both"),
        ("backend:\n  type: s3\n  encrypt: 'yes'\n", "4:12", "expected true or false"),
        ("backend: [s3]\n", "2:10", "expected a mapping"),
    ],
    ids=["unknown-key", "no-type", "bad-type", "type-spelling", "bad-bucket", "both-workspaces", "bad-encrypt", "not-mapping"],
)
def test_bad_spec_backend(backend, where, message):
    """A bad `backend:` mapping: a SpecError at the exact line:column."""
    with pytest.raises(InputError) as err:
        parse_spec_text(spec_text(backend), "spec.yaml")
    assert any(str(p).startswith(f"spec.yaml:{where}: ") and message in str(p) for p in err.value.problems), err.value


def test_two_specs_must_agree_on_the_backend(tmp_path):
    """Two spec files with different backends: refused, naming both places."""
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text(spec_text(S3_SPEC, "a.test"))
    second.write_text(spec_text(S3_SPEC.replace("eu-west-1", "us-east-1"), "b.test"))
    with pytest.raises(InputError) as err:
        load_spec([str(first), str(second)])
    assert "differs from the one at" in str(err.value)
    second.write_text(spec_text(S3_SPEC, "b.test"))
    assert load_spec([str(first), str(second)]).backend.get("bucket") == BUCKET


def test_generate_writes_backend_tf(tmp_path):
    """generate --backend s3 writes backend.tf in the root and says where the state goes."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text())
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        ["generate", str(spec), "-o", str(out), "--backend", "s3", "--backend-bucket", BUCKET,
         "--backend-region", "eu-west-1", "--backend-lock-table", TABLE],
    )
    assert result.exit_code == 0, result.output
    assert "state: S3 s3://acme-terraform-state/spotme-dns/terraform.tfstate (eu-west-1), locked with a lock file and DynamoDB table terraform-locks" in result.output
    text = (out / "backend.tf").read_text()
    assert text.startswith("# Generated by spotme-dns from ")
    assert "backend.tf" in json.loads((out / ".spotme-dns.json").read_text())["files"]


def test_generate_bad_backend_writes_nothing(tmp_path):
    """A bad backend flag: exit 2, the message names the flag, no directory written."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text())
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["generate", str(spec), "-o", str(out), "--backend", "s3", "--backend-bucket", BUCKET])
    assert result.exit_code == 2
    assert "error: command line: the s3 backend needs --backend-region" in result.output
    assert not out.exists()


def test_spec_backend_and_local_override(tmp_path):
    """The spec's backend: is written; --backend local writes none."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text(S3_SPEC))
    result = CliRunner().invoke(cli, ["generate", str(spec), "-o", str(tmp_path / "a")])
    assert result.exit_code == 0, result.output
    assert 'bucket         = "acme-terraform-state"' in (tmp_path / "a" / "backend.tf").read_text()
    result = CliRunner().invoke(cli, ["generate", str(spec), "-o", str(tmp_path / "b"), "--backend", "local"])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "b" / "backend.tf").exists()


# --------------------------------------------------------------------------- real terraform


def _generate(out: Path, spec: Path, *flags: str) -> None:
    result = CliRunner().invoke(cli, ["-q", "generate", str(spec), "-o", str(out), *flags])
    assert result.exit_code == 0, result.output


REMOTE_FLAGS = ("--backend", "remote", "--backend-organization", "acme", "--backend-workspace", "spotme-dns")
CLOUD_FLAGS = ("--backend", "cloud", "--backend-organization", "acme", "--backend-workspace", "spotme-dns")
S3_FLAGS = ("--backend", "s3", "--backend-bucket", BUCKET, "--backend-region", "us-east-1", "--backend-lock-table", TABLE)


@pytest.mark.terraform
@pytest.mark.parametrize("flags", [S3_FLAGS, REMOTE_FLAGS, S3_FLAGS[:6], CLOUD_FLAGS], ids=["s3", "remote", "s3-lockfile-only", "cloud"])
def test_backend_validates(tmp_path, terraform_factory, flags):
    """terraform init -backend=false and terraform validate accept the generated root with its backend."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text())
    _generate(tmp_path / "out", spec, *flags)
    tf = terraform_factory(tmp_path / "out")
    tf.init("-backend=false")
    assert "The configuration is valid" in tf.validate().stdout
    assert tf.fmt_check() == []


@pytest.mark.terraform
def test_s3_backend_keeps_state_in_moto(tmp_path, terraform_factory, moto_server):
    """A real `terraform init` with the s3 block: the state lands in the bucket, locked via DynamoDB."""
    s3 = aws_client(moto_server, "s3")
    s3.create_bucket(Bucket=BUCKET)
    dynamodb = aws_client(moto_server, "dynamodb")
    dynamodb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    try:
        spec = tmp_path / "spec.yaml"
        spec.write_text(spec_text())
        _generate(tmp_path / "out", spec, *S3_FLAGS)
        tf = terraform_factory(tmp_path / "out", env=aws_provider_env(moto_server))
        # moto serves buckets by path, not as <bucket>.<host>: a partial backend config at init
        # says so, and the generated block stays as it would be for real S3.
        tf.init("-backend-config=use_path_style=true")
        tf.apply()
        state = json.loads(s3.get_object(Bucket=BUCKET, Key="spotme-dns/terraform.tfstate")["Body"].read())
        assert "records" in state["outputs"] and "acme.test" in state["outputs"]["records"]["value"]
        items = dynamodb.scan(TableName=TABLE)["Items"]
        assert any(re.fullmatch(rf"{BUCKET}/spotme-dns/terraform\.tfstate-md5", i["LockID"]["S"]) for i in items)
    finally:
        for obj in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):
            s3.delete_object(Bucket=BUCKET, Key=obj["Key"])
        s3.delete_bucket(Bucket=BUCKET)
        dynamodb.delete_table(TableName=TABLE)
