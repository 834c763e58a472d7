"""Sign-in, sign-out, the rate limit, CSRF on forms, and the headers of real pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from tests.previz.web._http import (
    PASSWORD,
    client_for,
    owner_app,
    post,
    sign_in,
)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[FastAPI]:
    with owner_app(tmp_path) as app:
        yield app


def test_visitors_are_sent_to_the_sign_in_page(app: FastAPI) -> None:
    client = client_for(app)
    response = client.get("/")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/"
    page = client.get("/login")
    assert page.status_code == 200
    assert 'name="username"' in page.text and 'name="password"' in page.text


def test_sign_in_with_the_right_password(app: FastAPI) -> None:
    client = client_for(app)
    response = sign_in(client, "ann", PASSWORD)
    assert response.status_code == 303 and response.headers["location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "ann" in home.text and 'id="new-project"' in home.text


def test_wrong_password_is_refused_with_a_message(app: FastAPI) -> None:
    client = client_for(app)
    response = sign_in(client, "ann", "wrong password")
    assert response.status_code == 401
    assert "Wrong username or password" in response.text
    assert client.get("/").status_code == 303, "still signed out"


def test_unknown_user_is_refused_like_a_wrong_password(app: FastAPI) -> None:
    client = client_for(app)
    response = sign_in(client, "nobody", PASSWORD)
    assert response.status_code == 401
    assert "Wrong username or password" in response.text


def test_sixth_failure_in_a_minute_is_429_even_with_the_right_password(app: FastAPI) -> None:
    client = client_for(app)
    for _ in range(5):
        failed = sign_in(client, "ann", "nope nope")
        assert failed.status_code == 401
    blocked = sign_in(client, "ann")
    assert blocked.status_code == 429
    assert "Too many failed sign-ins" in blocked.text
    other = sign_in(client, "bob", "whatever1")
    assert other.status_code == 401, "the limit is per username"


def test_sign_in_without_csrf_token_is_403(app: FastAPI) -> None:
    client = client_for(app)
    client.get("/login")
    response = client.post("/login", data={"username": "ann", "password": PASSWORD})
    assert response.status_code == 403
    assert client.get("/").status_code == 303


def test_sign_in_redirects_only_to_local_paths(app: FastAPI) -> None:
    client = client_for(app)
    response = sign_in(client, "ann", next="//evil.example/steal")
    assert response.headers["location"] == "/"


def test_sign_out_needs_csrf_and_ends_the_session(app: FastAPI) -> None:
    client = client_for(app, "ann")
    assert client.post("/logout").status_code == 403
    assert client.get("/").status_code == 200
    response = post(client, "/logout")
    assert response.status_code == 303
    assert client.get("/").status_code == 303


def test_pages_carry_security_headers_and_a_safe_cookie(app: FastAPI) -> None:
    client = client_for(app)
    response = client.get("/login")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "<script>" not in response.text, "no inline script (the CSP forbids it)"


def test_static_files_are_served(app: FastAPI) -> None:
    client = client_for(app)
    css = client.get("/static/previz.css")
    js = client.get("/static/previz.js")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    assert "timeupdate" in js.text


def test_unknown_share_link_is_404(app: FastAPI) -> None:
    response = client_for(app).get("/s/not-a-real-token")
    assert response.status_code == 404
    assert "unknown or revoked" in response.text


NEW_PASSWORD = "a-brand-new-password"


def _change(client, current: str, new: str, again: str | None = None):  # type: ignore[no-untyped-def]
    form = {"current": current, "new": new, "again": new if again is None else again}
    return post(client, "/account/password", form)


def test_changing_the_password_signs_out_every_other_session(app: FastAPI) -> None:
    here, elsewhere = client_for(app, "ann"), client_for(app, "ann")
    page = here.get("/account")
    assert page.status_code == 200 and 'id="password-form"' in page.text
    answer = _change(here, PASSWORD, NEW_PASSWORD)
    assert answer.status_code == 303 and answer.headers["location"] == "/account?changed=1"
    assert "Every other session was signed out" in here.get(answer.headers["location"]).text
    assert here.get("/").status_code == 200, "the session that changed it stays in"
    assert elsewhere.get("/").status_code == 303, "another browser is signed out"
    assert sign_in(client_for(app), "ann", PASSWORD).status_code == 401
    assert sign_in(client_for(app), "ann", NEW_PASSWORD).status_code == 303


def test_a_password_set_on_the_command_line_signs_out_the_browser(app: FastAPI) -> None:
    from previz.web.services import users

    client = client_for(app, "ann")
    assert client.get("/").status_code == 200
    with app.state.sessions() as db:
        users.set_password(db, users.get_user_by_name(db, "ann"), NEW_PASSWORD)
    assert client.get("/").status_code == 303


@pytest.mark.parametrize(
    ("current", "new", "again", "status", "message"),
    [
        ("not my password", NEW_PASSWORD, None, 401, "The current password is wrong"),
        (PASSWORD, NEW_PASSWORD, "something-else-entirely", 422, "The two new passwords differ"),
        (PASSWORD, "short", None, 422, "at least 10 characters"),
    ],
)
def test_a_refused_password_change_says_why_and_changes_nothing(
    app: FastAPI, current: str, new: str, again: str | None, status: int, message: str
) -> None:
    client = client_for(app, "ann")
    answer = _change(client, current, new, again)
    assert answer.status_code == status
    assert message in answer.text
    assert sign_in(client_for(app), "ann", PASSWORD).status_code == 303


def test_guessing_the_current_password_is_rate_limited(app: FastAPI) -> None:
    client = client_for(app, "ann")
    for _ in range(5):
        assert _change(client, "guess", NEW_PASSWORD).status_code == 401
    assert _change(client, PASSWORD, NEW_PASSWORD).status_code == 429


def test_the_account_page_needs_a_signed_in_user(app: FastAPI) -> None:
    assert client_for(app).get("/account").status_code == 303
    anonymous = client_for(app)
    token = anonymous.get("/login")  # a session with a CSRF token, but no user
    assert token.status_code == 200
    assert post(anonymous, "/account/password", {"current": "x"}).status_code == 303
