"""Every shell command in README.md runs as written, in README order, against the stand-ins.

The ```sh blocks of the README are read (continuation lines joined) and each command runs with
bash in a scratch copy of the parts of the checkout the commands name (Makefile, examples/,
tools/, pyproject.toml; `.venv/bin` is the checkout's own). The world they see is the one a
customer who has already published the records would see:

- live DNS is the test BIND: the commands that ask DNS (`validate`, `verify`, `check`,
  `generate --discover`) get `--nameserver <BIND> --resolver <BIND>` inserted after the command name, and the
  Makefile targets get it through `ARGS` in the environment. It serves acme-events.com with
  every record of examples/route53-single plus the README's example SES tokens, and the
  include/DKIM targets (spotme.com, amazonses.com, mandrillapp.com);
- AWS is moto (AWS_ENDPOINT_URL): the acme-events.com hosted zone holding the same records,
  and an SES identity in eu-west-1 with Easy DKIM tokens;
- Terraform is the real binary with the aws provider from the filesystem mirror
  (TF_CLI_CONFIG_FILE), which is how a machine without registry access runs `make plan`.

The files the README names as the user's own (`spec.yaml`, `acme.yaml`, `customers/*.yaml`,
`plan.json`) are made before the command that reads them. Exit codes: 0 everywhere, except
`check`, whose README tokens are examples (it may say 1, problems found); never 2 or 70.

Not run, each for its reason (SKIP below): `make test` is this test suite itself.
"""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from spotme_dns.inputs import load_specs
from tests.support.aws import aws_settings
from tests.support.bind import zone_text
from tests.test_aws import ses_identity
from tests.test_validate_cli import KEY, WORLD

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
EXAMPLE = REPO / "examples" / "route53-single" / "spec.yaml"

SKIP = {
    "make test": "the whole test suite, of which this test is a part",
}

# Commands whose README example values are placeholders of the right form, not the world's.
MAY_FIND_PROBLEMS = ("spotme-dns check ",)

DNS_COMMANDS = re.compile(r"\bspotme-dns (validate|verify|check)\b|\bspotme-dns generate (?=.*--discover)")

# The interactive `init`: its questions answered in order (Enter keeps a default).
INIT_ANSWERS = [
    "acme-events.com", "", "route53",
    "ujzde8gxd6ncf10epf91dhodzdoc9is0", "j8ht9lgmxg9edn581u33xtplpft75v2s", "eh60kvj50ce9uvw53efr4edt2sywb3wk",
    "AbC123xyz", "", "none", "",
]  # fmt: skip


def readme_commands() -> list[str]:
    """The commands of the README's ```sh blocks, one per line, continuations joined."""
    commands: list[str] = []
    for block in re.findall(r"^```sh\n(.*?)^```", README.read_text(encoding="utf-8"), re.S | re.M):
        joined = re.sub(r"\\\n\s*", "", block)
        commands += [line.strip() for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return commands


def readme_tokens() -> list[str]:
    """The SES tokens the README's examples use."""
    return sorted(set(re.findall(r"--ses-token ([a-z0-9]{16,63})", README.read_text(encoding="utf-8"))))


def route53_value(record_type: str, value: str) -> str:
    if record_type == "TXT":
        return " ".join('"' + value[i : i + 255].replace("\\", "\\\\").replace('"', '\\"') + '"' for i in range(0, len(value), 255))
    return value + "."


def world_zone(spec: Path, tokens: list[str]) -> tuple[list[str], list[tuple[str, str, int, list[str]]]]:
    """The example's records (zone-file lines for BIND, record sets for Route53), README tokens added."""
    [domain] = load_specs([str(spec)]).domains
    lines, sets = [], []
    for record in domain.records:
        relative = record.name[: -len(domain.zone) - 1] if record.name != domain.zone else "@"
        values = [route53_value(record.type, v) for v in record.values or ()]
        lines += [f"{relative} {record.type} {v}" for v in values]
        sets.append((record.name, record.type, record.ttl or 3600, values))
    for token in tokens:
        target = f"{token}.dkim.amazonses.com."
        lines.append(f"{token}._domainkey CNAME {target}")
        sets.append((f"{token}._domainkey.acme-events.com", "CNAME", 3600, [target]))
    return lines, sets


def run_interactive(command: str, cwd: Path, env: dict[str, str], answers: list[str], timeout: float = 60) -> tuple[int, str]:
    """Run `command` on a pseudo-terminal, typing `answers` (one line each)."""
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.chdir(cwd)
            os.execvpe("bash", ["bash", "-c", command], env)
        finally:
            os._exit(127)
    os.write(fd, "".join(a + "\n" for a in answers).encode())
    out = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], deadline - time.monotonic())
        if not ready:
            break
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    done, status = os.waitpid(pid, os.WNOHANG)
    if done == 0:  # still asking after the deadline: a question nobody answered
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), out.decode(errors="replace")


@pytest.mark.terraform
@pytest.mark.bind
def test_every_readme_command_runs_as_written(bind, moto_clean, tf_cli_config, tf_aws_mirror, tmp_path: Path) -> None:
    commands = readme_commands()
    assert len(commands) > 15, commands
    box = tmp_path / "work"
    box.mkdir()
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy2(REPO / name, box / name)
    for name in ("examples", "tools"):
        shutil.copytree(REPO / name, box / name, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    (box / ".venv").mkdir()
    (box / ".venv" / "bin").symlink_to(REPO / ".venv" / "bin")
    (box / ".venv" / ".installed").touch()  # newer than the copied pyproject.toml: `make setup` is done

    # The world: DNS (BIND) and AWS (moto) already hold the published records.
    tokens = readme_tokens()
    assert len(tokens) == 3, tokens
    lines, sets = world_zone(EXAMPLE, tokens)
    example_tokens = re.findall(r"^\s+- ([0-9a-f]{32})$", EXAMPLE.read_text(encoding="utf-8"), re.M)
    assert len(example_tokens) == 3, example_tokens
    dkim_keys = [f'{t}.dkim TXT "v=DKIM1; k=rsa; p={KEY}"' for t in (*example_tokens, *tokens)]
    world = {zone: zone_text(zone, records) for zone, records in WORLD.items()}
    world["amazonses.com"] = zone_text("amazonses.com", [*WORLD["amazonses.com"], *dkim_keys])
    world["acme-events.com"] = zone_text("acme-events.com", lines)
    bind.set_zones(world)
    route53 = moto_clean.client("route53")
    zone_id = route53.create_hosted_zone(Name="acme-events.com", CallerReference="readme")["HostedZone"]["Id"]
    route53.change_resource_record_sets(
        HostedZoneId=zone_id,
        ChangeBatch={"Changes": [
            {"Action": "CREATE", "ResourceRecordSet": {"Name": name, "Type": rtype, "TTL": ttl,
                                                       "ResourceRecords": [{"Value": v} for v in values]}}
            for name, rtype, ttl, values in sets
        ]},
    )  # fmt: skip
    ses_identity(moto_clean, "acme-events.com", region="eu-west-1", Tokens=tokens, Status="SUCCESS",
                 SigningHostedZone="dkim.amazonses.com")  # fmt: skip

    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "ARGS", "SPEC", "OUT", "NO_COLOR")}
    env.update({k: v for k, v in aws_settings(moto_clean.url).items() if v is not None})
    for k, v in aws_settings(moto_clean.url).items():
        if v is None:
            env.pop(k, None)
    env["PATH"] = f"{REPO / '.venv' / 'bin'}{os.pathsep}{env['PATH']}"
    env["TF_CLI_CONFIG_FILE"] = str(tf_cli_config)
    env["TF_IN_AUTOMATION"] = "1"
    env["CHECKPOINT_DISABLE"] = "1"
    nameserver = f"--nameserver {bind.address} --resolver {bind.address}"

    shutil.copy2(EXAMPLE, box / "spec.yaml")  # the user's own spec, as the README calls it
    failures: list[str] = []
    ran = 0
    for command in commands:
        if command.split("#")[0].strip() in SKIP:
            continue
        prepare(command, box)
        run_env = dict(env)
        line = DNS_COMMANDS.sub(lambda m: f"{m.group(0).rstrip()} {nameserver} ", command)
        if re.search(r"\bmake\b.*\b(validate|verify|check|generate)\b", command):
            run_env["ARGS"] = nameserver
            # ARGS given on the command line wins over the environment's: the test BIND goes in there.
            line = re.sub(r'ARGS="([^"]*)"', lambda m: f'ARGS="{nameserver} {m.group(1)}"', line)
        # The README's documentation addresses (RFC 5737 TEST-NET-1) stand for the user's servers.
        line = re.sub(r"\b192\.0\.2\.\d+\b", bind.address, line)
        if command.split("#")[0].strip() == "spotme-dns init":
            code, output = run_interactive(line, box, run_env, INIT_ANSWERS)
        else:
            proc = subprocess.run(["bash", "-c", f"set -eo pipefail\n{line}"], cwd=box, env=run_env,
                                  capture_output=True, text=True, timeout=900, check=False)  # fmt: skip
            code, output = proc.returncode, proc.stdout[-2500:] + proc.stderr[-2500:]
        ran += 1
        allowed = (0, 1) if command.startswith(MAY_FIND_PROBLEMS) else (0,)
        if code not in allowed:
            failures.append(f"$ {command}\n(ran: {line})\nexit {code}\n{output}")
    assert not failures, "\n\n".join(failures)
    assert ran == len(commands) - len(SKIP)


def prepare(command: str, box: Path) -> None:
    """The user's own files a command names, made just before it runs."""
    if "customers/" in command:
        (box / "customers").mkdir(exist_ok=True)
        shutil.copy2(EXAMPLE, box / "customers" / "acme.yaml")
        shutil.copy2(REPO / "examples" / "cloudflare-keep-spf" / "spec.yaml", box / "customers" / "cloudflare.yaml")
    if "--plan plan.json" in command and not (box / "plan.json").exists():
        show = subprocess.run(["terraform", "-chdir=out", "show", "-json", "tfplan"], cwd=box,
                              capture_output=True, text=True, check=True)  # fmt: skip
        (box / "plan.json").write_text(show.stdout, encoding="utf-8")
    if "SPEC=acme.yaml" in command and (box / "acme.yaml").exists():
        # `init` wrote acme.yaml for the README's example tokens; the world holds the example's.
        shutil.copy2(EXAMPLE, box / "acme.yaml")
