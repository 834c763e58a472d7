"""``previz serve``: prints the URL and, on first run, the owner's one-time password."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from typer.testing import CliRunner

from previz.cli import app as cli
from previz.errors import PrevizError
from previz.web.app import app_from_environment
from previz.web.cli_serve import default_workers
from previz.web.db import make_session_factory
from previz.web.services import users
from previz.web.settings import SETTINGS_ENV, WebSettings
from tests.conftest import TINY_FOUNTAIN
from tests.previz.web._http import CSRF_RE


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What ``uvicorn.run`` was called with (the server itself is not started)."""
    calls: list[dict[str, Any]] = []
    monkeypatch.delenv(SETTINGS_ENV, raising=False)  # what serve sets for workers is undone

    def fake_run(app: FastAPI, **kwargs: Any) -> None:
        calls.append({"app": app, **kwargs})

    monkeypatch.setattr(uvicorn, "run", fake_run)
    return calls


def test_first_run_prints_the_url_and_a_working_one_time_password(
    tmp_path: Path, started: list[dict[str, Any]]
) -> None:
    result = CliRunner().invoke(
        cli, ["serve", "--data", str(tmp_path), "--port", "8123", "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8123/" in result.output
    match = re.search(r"one-time password (\S+)", result.output)
    assert match, result.output
    assert started[0]["host"] == "127.0.0.1" and started[0]["port"] == 8123
    assert isinstance(started[0]["app"], FastAPI)
    settings = WebSettings.from_options(data_dir=tmp_path)
    with make_session_factory(settings.database_url)() as db:
        assert users.authenticate(db, "owner", match.group(1)) is not None
    secret = tmp_path / "secret.key"
    assert secret.stat().st_mode & 0o077 == 0, "the secret key is private"

    again = CliRunner().invoke(cli, ["serve", "--data", str(tmp_path)])
    assert again.exit_code == 0
    assert "one-time password" not in again.output


def test_listening_beyond_loopback_warns(tmp_path: Path, started: list[dict[str, Any]]) -> None:
    result = CliRunner().invoke(cli, ["serve", "--data", str(tmp_path), "--host", "0.0.0.0"])
    assert result.exit_code == 0
    assert "beyond loopback" in result.output


def test_bad_database_url_is_a_one_line_error(
    tmp_path: Path, started: list[dict[str, Any]]
) -> None:
    result = CliRunner().invoke(
        cli, ["serve", "--data", str(tmp_path), "--database-url", "nonsense://"]
    )
    assert result.exit_code == 1
    assert "error:" in result.output and "Traceback" not in result.output
    assert started == []


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_broken_secret_key_is_one_line_before_any_worker_starts(
    tmp_path: Path, started: list[dict[str, Any]], workers: str
) -> None:
    (tmp_path / "secret.key").write_text("short\n")
    result = CliRunner().invoke(cli, ["serve", "--data", str(tmp_path), "--workers", workers])
    assert result.exit_code == 1, result.output
    assert "secret key is shorter than 32 characters" in " ".join(result.output.split())
    assert "Traceback" not in result.output and started == []


def test_workers_read_their_settings_from_the_environment(
    tmp_path: Path, started: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    result = CliRunner().invoke(cli, ["serve", "--data", str(tmp_path), "--workers", "3"])
    assert result.exit_code == 0, result.output
    call = started[0]
    assert call["app"] == "previz.web.app:app_from_environment"
    assert call["factory"] is True and call["workers"] == 3
    settings = WebSettings.from_json(os.environ[SETTINGS_ENV])
    assert settings == WebSettings.from_options(data_dir=tmp_path)
    assert isinstance(app_from_environment(), FastAPI)


def test_one_worker_per_core_by_default(
    tmp_path: Path, started: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1, 2}, raising=False)
    result = CliRunner().invoke(cli, ["serve", "--data", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert started[0]["workers"] == 3
    assert "server processes: 3" in " ".join(result.output.split())
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(32)), raising=False)
    assert default_workers() == 4, "at most 4: each process holds its own memory"
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0}, raising=False)
    one = CliRunner().invoke(cli, ["serve", "--data", str(tmp_path)])
    assert isinstance(started[-1]["app"], FastAPI), "one core: one process, no workers"
    assert "server processes: 1" in " ".join(one.output.split())


def test_worker_settings_that_are_not_settings_are_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(SETTINGS_ENV, '{"data_dir": "/tmp/x"}')
    with pytest.raises(PrevizError, match="invalid web settings"):
        app_from_environment()
    monkeypatch.delenv(SETTINGS_ENV)
    with pytest.raises(PrevizError, match="previz serve"):
        app_from_environment()


def test_two_worker_processes_serve_and_one_of_them_runs_the_jobs(tmp_path: Path) -> None:
    """The real thing: ``previz serve --workers 2``; an upload is run by whichever worker
    holds the job lock, and pages answer on connections to either worker."""
    data = tmp_path / "data"
    previz = [sys.executable, "-m", "previz"]
    subprocess.run(
        [*previz, "users", "add", "alice", "--owner", "--password-stdin", "--data", str(data)],
        input="a-long-enough-password\n",
        text=True,
        check=True,
        capture_output=True,
    )
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [*previz, "serve", "--data", str(data), "--port", str(port), "--workers", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/login", server)
        with httpx.Client(base_url=base, timeout=30) as client:
            token = CSRF_RE.search(client.get("/login").text).group(1)  # type: ignore[union-attr]
            form = {"username": "alice", "password": "a-long-enough-password"}
            assert client.post("/login", data=form | {"csrf_token": token}).status_code == 303
            token = CSRF_RE.search(client.get("/").text).group(1)  # type: ignore[union-attr]
            script = TINY_FOUNTAIN.encode()
            answer = client.post(
                "/projects",
                data={"csrf_token": token, "planner": "grammar"},
                files={"script": ("card.fountain", script, "text/plain")},
            )
            assert answer.status_code == 303, answer.text
            project = answer.headers["location"]
            deadline = time.monotonic() + 300
            while (job := client.get(f"{project}/job").json())["state"] not in {"done", "failed"}:
                assert time.monotonic() < deadline, job
                time.sleep(0.5)
            assert job["state"] == "done", job
        for _ in range(6):  # new connections, spread over both workers
            with httpx.Client(base_url=base, cookies=client.cookies, timeout=30) as fresh:
                assert fresh.get(project).status_code == 200
                assert fresh.get(f"{project}/media/animatic.mp4").status_code == 200
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=60)
    assert server.returncode == 0, output
    assert "Traceback" not in output, output


def _wait_for(url: str, process: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[0]
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"no answer from {url}")
