"""Helpers for the HTTP tests: an app on a temporary data folder, users, sign-in, CSRF."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from previz.web.app import create_app
from previz.web.services import users
from previz.web.settings import WebSettings
from tests.conftest import TINY_FOUNTAIN

PASSWORD = "correct horse battery"
OWNER = "ann"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
SHOT_ID_RE = re.compile(r'data-shot-id="([^"]+)"')
SMALL_RUNS = {"long_side": 128, "audio": False, "planner": "grammar"}
"""Every job renders tiny panels without a voice track: the tests stay fast."""


def make_settings(folder: Path, **overrides: object) -> WebSettings:
    """Settings on a fresh data folder with small renders."""
    return WebSettings.from_options(
        data_dir=folder,
        run_overrides=dict(SMALL_RUNS),
        **overrides,  # type: ignore[arg-type]
    )


@contextmanager
def running_app(settings: WebSettings) -> Iterator[FastAPI]:
    """The app with its lifespan run (database upgraded) but no job thread."""
    app = create_app(settings, start_runner=False)
    with TestClient(app):
        yield app


@contextmanager
def owner_app(folder: Path, **overrides: object) -> Iterator[FastAPI]:
    """:func:`running_app` on a fresh data folder, with the owner account :data:`OWNER`."""
    with running_app(make_settings(folder, **overrides)) as app:
        add_user(app, OWNER, role="owner")
        yield app


def add_user(app: FastAPI, username: str, role: str = "member") -> None:
    """An account with :data:`PASSWORD`."""
    with app.state.sessions() as db:
        users.create_user(db, username, PASSWORD, role=role)


def csrf(client: TestClient, path: str = "/login") -> str:
    """The session's CSRF token, read from a page's form."""
    response = client.get(path)
    match = CSRF_RE.search(response.text)
    assert match, f"no CSRF token in {path} ({response.status_code})"
    return match.group(1)


def client_for(app: FastAPI, username: str | None = None) -> TestClient:
    """A browser: signed in as ``username`` when given."""
    client = TestClient(app, follow_redirects=False)
    if username is not None:
        response = sign_in(client, username)
        assert response.status_code == 303, response.text
    return client


def sign_in(
    client: TestClient, username: str, password: str = PASSWORD, **fields: str
) -> httpx.Response:
    """POST the sign-in form with the CSRF token of the sign-in page."""
    form = {"username": username, "password": password, "csrf_token": csrf(client)} | fields
    return client.post("/login", data=form)


def session_token(client: TestClient) -> str:
    """The CSRF token in the client's (signed, not encrypted) session cookie."""
    cookie = client.cookies.get("previz_session")
    if cookie is None:
        return csrf(client)
    payload = json.loads(base64.b64decode(cookie.split(".")[0]))
    return payload.get("csrf_token") or csrf(client)


def post(client: TestClient, path: str, data: dict[str, str] | None = None, **kwargs: object):  # type: ignore[no-untyped-def]
    """POST a form with the session's CSRF token."""
    fields = {"csrf_token": session_token(client)} | (data or {})
    return client.post(path, data=fields, **kwargs)  # type: ignore[arg-type]


def run_jobs(app: FastAPI) -> None:
    """Run every queued job now, in this thread."""
    app.state.runner.run_pending()


def upload(
    client: TestClient,
    name: str,
    data: bytes,
    content_type: str = "application/octet-stream",
    **fields: str,
):  # type: ignore[no-untyped-def]
    """Create a project from ``data`` through the upload form."""
    form = {"planner": "grammar", "style": "storyboard", "aspect": "", "title": ""} | fields
    return post(client, "/projects", form, files={"script": (name, data, content_type)})


def project_id(response) -> str:  # type: ignore[no-untyped-def]
    """The project id from the redirect after an upload."""
    assert response.status_code == 303, response.text[:2000]
    location = response.headers["location"]
    assert location.startswith("/projects/")
    return location.removeprefix("/projects/")


def finished_project(app: FastAPI, client: TestClient) -> str:
    """Upload the tiny two-scene script through ``client`` and run its job: the project id."""
    pid = project_id(upload(client, "lighthouse.fountain", TINY_FOUNTAIN.encode(), "text/plain"))
    run_jobs(app)
    return pid


def first_shot_id(page: str) -> str:
    """The id of the first shot listed on a project page."""
    match = SHOT_ID_RE.search(page)
    assert match, "no shot on the page"
    return match.group(1)
