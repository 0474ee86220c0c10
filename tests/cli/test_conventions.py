"""What a user expects of any command-line tool: `python -m`, `-` for stdin, completion,
a pre-commit hook, a container image and a licence.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
import uuid
from pathlib import Path

import pytest

from helpers import PINNED_CHECK, ROOT, SAMPLES, python_m

ROUTE = SAMPLES / "route" / "finvoice-3.0.xml"
ERROR = SAMPLES / "error" / "finvoice-3.0-due-date-too-soon.xml"


def _module(
    *args: str, stdin: bytes | None = None, cwd: Path = ROOT
) -> subprocess.CompletedProcess[bytes]:
    """`python -m kassavirta ARGS` (the package, not `kassavirta.cli`): what a user types."""
    return python_m(*args, module="kassavirta", stdin=stdin, cwd=cwd, timeout=120)


# --- python -m kassavirta ------------------------------------------------------------------


def test_python_dash_m_kassavirta_is_the_command() -> None:
    done = _module("check", *PINNED_CHECK, str(ERROR))
    assert done.returncode == 1
    assert done.stdout.decode().startswith(f"ERROR   {ERROR}")
    version = _module("--version")
    assert version.returncode == 0
    assert version.stdout.decode().startswith("kassavirta ")


# --- `-` is standard input -----------------------------------------------------------------


def test_check_dash_reads_one_invoice_from_stdin(tmp_path: Path) -> None:
    done = _module("check", *PINNED_CHECK, "-", stdin=ERROR.read_bytes(), cwd=tmp_path)
    assert done.returncode == 1
    out = done.stdout.decode()
    assert out.startswith("ERROR   -  (finvoice-3.0, invoice 2026-4112,"), out
    assert "-:79: error #13 [due-date-too-soon]" in out
    assert "1 file: 0 route, 0 bypass, 1 error, 0 invalid" in out


def test_check_dash_beside_files_reads_stdin_once_in_path_order(tmp_path: Path) -> None:
    done = _module("check", *PINNED_CHECK, "-O", "jsonl", "-", str(ROUTE), stdin=ERROR.read_bytes())
    results = [json.loads(line) for line in done.stdout.decode().splitlines()[:2]]
    assert [(r["path"], r["decision"]) for r in results] == [("-", "error"), (str(ROUTE), "route")]


def test_check_dash_with_nothing_piped_is_an_invalid_empty_input(tmp_path: Path) -> None:
    done = _module("check", "--no-config", "-", stdin=b"", cwd=tmp_path)
    assert done.returncode == 1
    assert "-: error [not-xml] the file is empty" in done.stdout.decode()


def test_rewrite_dash_reads_stdin_and_writes_stdout(tmp_path: Path) -> None:
    from_file = _module("rewrite", *PINNED_CHECK, str(ROUTE))
    from_stdin = _module("rewrite", *PINNED_CHECK, "-", stdin=ROUTE.read_bytes(), cwd=tmp_path)
    assert from_stdin.returncode == 0, from_stdin.stderr
    assert from_stdin.stdout == from_file.stdout
    assert b"<EpiAccountID" in from_stdin.stdout


def test_preview_dash_reads_stdin(tmp_path: Path) -> None:
    out = tmp_path / "p.html"
    done = _module(
        "preview", *PINNED_CHECK, "-", "-o", str(out), stdin=ROUTE.read_bytes(), cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "2026-4101" in out.read_text(encoding="utf-8")


def test_rewrite_dash_refuses_a_rejected_invoice_from_stdin(tmp_path: Path) -> None:
    done = _module("rewrite", *PINNED_CHECK, "-", stdin=ERROR.read_bytes(), cwd=tmp_path)
    assert done.returncode == 1
    assert "not rewritten: the decision is error (due-date-too-soon)" in done.stderr.decode()


# --- shell completion ----------------------------------------------------------------------


def _completions(script: str, words: list[str], cwd: Path) -> list[str]:
    """What bash offers for `words` (the last one being completed), with this script loaded."""
    probe = (
        f"source {shlex.quote(script)}\n"
        f"COMP_WORDS=({' '.join(shlex.quote(w) for w in words)})\n"
        f"COMP_CWORD={len(words) - 1}\n"
        f"COMP_LINE={shlex.quote(' '.join(words))}\nCOMP_POINT=${{#COMP_LINE}}\n"
        "_shtab_kassavirta kassavirta\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    done = subprocess.run(
        ["bash", "--norc", "-c", probe], capture_output=True, text=True, cwd=cwd, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completion_offers_commands_flags_and_invoice_files(tmp_path: Path) -> None:
    pytest.importorskip("shtab")
    done = _module("completion", "bash")
    assert done.returncode == 0, done.stderr
    script = tmp_path / "kassavirta.bash"
    script.write_bytes(done.stdout)
    (tmp_path / "invoices").mkdir()
    (tmp_path / "invoices" / "a.xml").write_text("<x/>")
    assert sorted(_completions(str(script), ["kassavirta", "re"], tmp_path)) == [
        "references",
        "rewrite",
    ]
    flags = _completions(str(script), ["kassavirta", "check", "--ma"], tmp_path)
    assert flags == ["--manual-assignment"]
    files = _completions(str(script), ["kassavirta", "check", "invoices/"], tmp_path)
    assert files == ["invoices/a.xml"]


def test_zsh_completion_is_a_compdef_for_every_command() -> None:
    pytest.importorskip("shtab")
    done = _module("completion", "zsh")
    assert done.returncode == 0, done.stderr
    script = done.stdout.decode()
    assert script.startswith("#compdef kassavirta")
    from kassavirta.cli import COMMANDS

    for command in COMMANDS:
        assert re.search(rf"^\s+{command}:'", script, re.MULTILINE), command
    if shutil.which("zsh"):
        parsed = subprocess.run(["zsh", "-n"], input=done.stdout, capture_output=True, timeout=60)
        assert parsed.returncode == 0, parsed.stderr


def test_completion_for_an_unknown_shell_is_a_usage_error() -> None:
    done = _module("completion", "fish")
    assert done.returncode == 2
    assert b"invalid choice: 'fish'" in done.stderr


# --- pre-commit ----------------------------------------------------------------------------


def _hooks() -> list[dict[str, object]]:
    yaml = pytest.importorskip("yaml")
    hooks: list[dict[str, object]] = yaml.safe_load(
        (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    )
    return hooks


def test_pre_commit_hook_runs_an_installed_console_script_on_xml_files() -> None:
    (hook,) = _hooks()
    assert hook["id"] == "kassavirta-check"
    assert hook["language"] == "python"  # pre-commit installs this repository to run it
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    program, *args = str(hook["entry"]).split()
    assert program in scripts
    assert args == ["check"]
    files = re.compile(str(hook["files"]))
    assert files.search("invoices/2026/finvoice.xml")
    assert files.search("A.XML")
    assert not files.search("settings.json")
    assert hook.get("require_serial") is True  # one run sees every file: duplicates across files


def test_pre_commit_hook_entry_fails_a_commit_with_a_rejected_invoice() -> None:
    """pre-commit appends the staged files to `entry`: the run's exit status is the verdict."""
    (hook,) = _hooks()
    _, *args = str(hook["entry"]).split()
    passes = _module(*args, *PINNED_CHECK, str(ROUTE))
    fails = _module(*args, *PINNED_CHECK, str(ROUTE), str(ERROR))
    assert (passes.returncode, fails.returncode) == (0, 1)


# --- the container image -------------------------------------------------------------------


def _dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) per instruction, continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def test_dockerfile_is_slim_non_root_and_serves() -> None:
    instructions = _dockerfile()
    (base,) = [args for op, args in instructions if op == "FROM"]
    assert re.fullmatch(r"python:3\.1[1-9]-slim", base)
    users = [args for op, args in instructions if op == "USER"]
    assert users and users[-1] not in ("root", "0")
    (entry,) = [json.loads(args) for op, args in instructions if op == "ENTRYPOINT"]
    assert entry[:2] == ["kassavirta", "serve"]
    assert entry[entry.index("--host") + 1] == "0.0.0.0"  # reachable through a published port


def test_dockerfile_health_check_probes_healthz_of_a_real_server() -> None:
    """The HEALTHCHECK command, run as written against a real server on its port, and on none."""
    pytest.importorskip("fastapi")
    from kassavirta.server.launch import ServerProcess, free_port

    (health,) = [args for op, args in _dockerfile() if op == "HEALTHCHECK"]
    probe = json.loads(health[health.index("CMD") + 3 :].strip())
    assert probe[0] == "python" and "/healthz" in probe[-1]
    (entry,) = [json.loads(args) for op, args in _dockerfile() if op == "ENTRYPOINT"]
    port = entry[entry.index("--port") + 1]
    assert ":" + port + "/healthz" in probe[-1]

    def run_probe(on_port: int) -> int:
        code = probe[-1].replace(f":{port}/", f":{on_port}/")
        return subprocess.run([sys.executable, *probe[1:-1], code], timeout=60).returncode

    with ServerProcess(["--no-config"]) as server:
        assert run_probe(server.port) == 0
    assert run_probe(free_port()) != 0


def _docker_works() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.mark.skipif(not _docker_works(), reason="no Docker daemon to build the image with")
def test_docker_image_builds_runs_as_non_root_and_becomes_healthy() -> None:
    import time
    import urllib.request

    tag = f"kassavirta-test-{uuid.uuid4().hex[:8]}"
    built = subprocess.run(
        ["docker", "build", "-q", "-t", tag, str(ROOT)], capture_output=True, text=True, timeout=900
    )
    assert built.returncode == 0, built.stderr
    container = None
    try:
        user = subprocess.run(
            ["docker", "run", "--rm", "--entrypoint", "id", tag, "-u"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert user.stdout.strip() not in ("", "0")
        started = subprocess.run(
            ["docker", "run", "-d", "-p", "127.0.0.1::8080", tag],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert started.returncode == 0, started.stderr
        container = started.stdout.strip()
        port = (
            subprocess.run(
                ["docker", "port", container, "8080"], capture_output=True, text=True, timeout=60
            )
            .stdout.split(":")[-1]
            .strip()
        )
        deadline = time.monotonic() + 120
        status = ""
        while time.monotonic() < deadline and status != "healthy":
            time.sleep(2)
            status = subprocess.run(
                ["docker", "inspect", "-f", "{{.State.Health.Status}}", container],
                capture_output=True,
                text=True,
                timeout=60,
            ).stdout.strip()
        assert status == "healthy"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as answer:
            assert answer.status == 200
    finally:
        if container:
            subprocess.run(["docker", "rm", "-f", container], capture_output=True, timeout=120)
        subprocess.run(["docker", "rmi", "-f", tag], capture_output=True, timeout=120)


# --- the licence ---------------------------------------------------------------------------


def test_license_file_is_the_mit_licence_pyproject_declares() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"]
    assert declared == {"text": "MIT"}
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n")
    assert "Copyright (c) 2026 The kassavirta-preflight authors" in text
    assert 'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND' in text
