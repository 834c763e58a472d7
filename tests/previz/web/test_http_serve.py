"""``previz serve``: prints the URL and, on first run, the owner's one-time password."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from typer.testing import CliRunner

from previz.cli import app as cli
from previz.web.db import make_session_factory
from previz.web.services import users
from previz.web.settings import WebSettings


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What ``uvicorn.run`` was called with (the server itself is not started)."""
    calls: list[dict[str, Any]] = []

    def fake_run(app: FastAPI, **kwargs: Any) -> None:
        calls.append({"app": app, **kwargs})

    monkeypatch.setattr(uvicorn, "run", fake_run)
    return calls


def test_first_run_prints_the_url_and_a_working_one_time_password(
    tmp_path: Path, started: list[dict[str, Any]]
) -> None:
    result = CliRunner().invoke(cli, ["serve", "--data", str(tmp_path), "--port", "8123"])
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
