"""The security module on its own: CSRF, headers, the body cap (the sign-in limiter, which
counts in the database, is tested with the store: tests/previz/web/test_store_users.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import Depends, FastAPI, Request
from fastapi.testclient import TestClient
from starlette.middleware.sessions import SessionMiddleware

from previz.web.security import (
    CONTENT_SECURITY_POLICY,
    BodyLimitMiddleware,
    SecurityHeadersMiddleware,
    csrf_protect,
    csrf_token,
)
from tests.previz.web._http import OWNER, client_for, owner_app


def _app(max_bytes: int = 1000, secure: bool = False) -> FastAPI:
    app = FastAPI(dependencies=[Depends(csrf_protect)])

    @app.get("/token")
    def token(request: Request) -> dict[str, str]:
        return {"token": csrf_token(request)}

    @app.post("/change")
    async def change(request: Request) -> dict[str, int]:
        if "form" in request.headers.get("content-type", ""):
            form = await request.form()  # cached: the CSRF check read it first
            return {"fields": len(form)}
        return {"bytes": len(await request.body())}

    @app.get("/static/x.css")
    def static() -> dict[str, str]:
        return {}

    app.add_middleware(SessionMiddleware, secret_key="test-secret", same_site="lax")
    app.add_middleware(BodyLimitMiddleware, max_bytes=max_bytes)
    app.add_middleware(SecurityHeadersMiddleware, secure_cookies=secure)
    return app


@pytest.fixture
def client() -> TestClient:
    return TestClient(_app())


def test_post_without_csrf_token_is_403(client: TestClient) -> None:
    client.get("/token")
    assert client.post("/change", data={"x": "1"}).status_code == 403


def test_post_with_wrong_token_is_403(client: TestClient) -> None:
    client.get("/token")
    assert client.post("/change", data={"csrf_token": "nope"}).status_code == 403


def test_post_without_session_is_403(client: TestClient) -> None:
    assert client.post("/change", data={"csrf_token": "anything"}).status_code == 403


def test_post_with_the_session_token_passes_as_field_or_header(client: TestClient) -> None:
    token = client.get("/token").json()["token"]
    assert client.post("/change", data={"csrf_token": token}).status_code == 200
    assert client.post("/change", headers={"X-CSRF-Token": token}).status_code == 200
    files = {"f": ("a.txt", b"hello", "text/plain")}
    response = client.post("/change", data={"csrf_token": token}, files=files)
    assert response.json() == {"fields": 2}


def test_token_is_stable_within_a_session_and_differs_between_sessions() -> None:
    first, second = TestClient(_app()), TestClient(_app())
    token = first.get("/token").json()["token"]
    assert first.get("/token").json()["token"] == token
    assert second.get("/token").json()["token"] != token
    other = second.get("/token").json()["token"]
    assert first.post("/change", data={"csrf_token": other}).status_code == 403


def test_security_headers_on_every_response(client: TestClient) -> None:
    response = client.get("/token")
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"
    assert "cache-control" not in client.get("/static/x.css").headers


def test_session_cookie_is_httponly_lax_and_secure_only_over_https() -> None:
    plain = TestClient(_app()).get("/token").headers["set-cookie"].lower()
    assert "httponly" in plain and "samesite=lax" in plain and "secure" not in plain
    https = TestClient(_app(), base_url="https://testserver").get("/token")
    assert "; secure" in https.headers["set-cookie"].lower()
    forced = TestClient(_app(secure=True)).get("/token")
    assert "; secure" in forced.headers["set-cookie"].lower()


def test_body_over_the_cap_is_413_by_content_length(client: TestClient) -> None:
    token = client.get("/token").json()["token"]
    response = client.post("/change", headers={"X-CSRF-Token": token}, content=b"x" * 1001)
    assert response.status_code == 413
    ok = client.post("/change", headers={"X-CSRF-Token": token}, content=b"x" * 1000)
    assert ok.json() == {"bytes": 1000}


def test_browsers_get_the_413_as_a_page(tmp_path: Path) -> None:
    """An upload far over the cap is refused before the app reads it, as a page."""
    with owner_app(tmp_path, max_upload_bytes=1024 * 1024) as app:
        client = client_for(app, OWNER)
        headers = {"accept": "text/html,application/xhtml+xml", "content-length": str(80 << 20)}
        response = client.post("/projects", headers=headers, content=b"")
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>Upload too large</h1>" in response.text
    assert "at most 1 MiB is accepted" in response.text
    assert response.headers["content-security-policy"].startswith("default-src 'self'")


def test_streamed_body_over_the_cap_is_413(client: TestClient) -> None:
    token = client.get("/token").json()["token"]

    def chunks():  # no Content-Length: chunked transfer
        for _ in range(20):
            yield b"y" * 100

    response = client.post("/change", headers={"X-CSRF-Token": token}, content=chunks())
    assert response.status_code == 413
