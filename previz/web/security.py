"""Request hygiene for the review app: CSRF tokens, sign-in rate limit, headers, upload cap.

Sessions themselves are Starlette's signed cookie (``SessionMiddleware``, secret from the
data folder); this module adds what it lacks: the ``Secure`` flag when the request came
over https, a per-session CSRF token checked on every state-changing request, a limit on
failed sign-ins (counted in the database), the security headers every response carries,
and a cap on request bodies.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from fastapi import HTTPException, Request
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from previz.web.models import SignInFailure, utcnow

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "CSRF_FIELD",
    "BodyLimitMiddleware",
    "LoginRateLimiter",
    "SecurityHeadersMiddleware",
    "csrf_protect",
    "csrf_token",
]

CSRF_FIELD = "csrf_token"
"""Name of the hidden form field (and of the ``X-CSRF-Token`` header's twin) with the token."""
_CSRF_HEADER = "x-csrf-token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
"""No inline script or style anywhere: the pages load one CSS and one JS file."""

_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use (put it in every form)."""
    token = request.session.get(CSRF_FIELD)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_FIELD] = token
    return token


async def csrf_protect(request: Request) -> None:
    """App-wide dependency: a state-changing request must carry the session's token.

    The token comes from the form field ``csrf_token`` or the ``X-CSRF-Token`` header.

    Raises:
        HTTPException: 403 when the token is missing or does not match.
    """
    if request.method in _SAFE_METHODS:
        return
    expected = request.session.get(CSRF_FIELD)
    sent = request.headers.get(_CSRF_HEADER)
    if sent is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not expected or not sent or not hmac.compare_digest(str(expected), sent):
        raise HTTPException(status_code=403, detail="The form expired or came from another site.")


class LoginRateLimiter:
    """At most ``limit`` failed sign-ins per ``window_s`` seconds per username and address.

    Failures are rows in the database (:class:`~previz.web.models.SignInFailure`): every
    server process of ``previz serve --workers N`` counts the same ones, and a restart
    does not wipe the slate. Rows older than the window are deleted as new ones come.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        limit: int = 5,
        window_s: float = 60.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.limit = limit
        self.window_s = window_s
        self._clock = clock

    @staticmethod
    def _key(username: str, address: str) -> str:
        return f"{username.strip().casefold()[:200]}|{address[:100]}"

    def _cutoff(self) -> datetime:
        return self._clock() - timedelta(seconds=self.window_s)

    def blocked(self, username: str, address: str) -> bool:
        """Whether this username from this address must wait before trying again."""
        query = (
            select(func.count())
            .select_from(SignInFailure)
            .where(
                SignInFailure.key == self._key(username, address),
                SignInFailure.at > self._cutoff(),
            )
        )
        with self.sessions() as db:
            return (db.scalar(query) or 0) >= self.limit

    def failed(self, username: str, address: str) -> None:
        """Record a failed sign-in (and forget the ones past the window)."""
        with self.sessions() as db:
            db.execute(delete(SignInFailure).where(SignInFailure.at <= self._cutoff()))
            db.add(SignInFailure(key=self._key(username, address), at=self._clock()))
            db.commit()

    def succeeded(self, username: str, address: str) -> None:
        """Forget the failures of a user who got in."""
        with self.sessions() as db:
            key = self._key(username, address)
            db.execute(delete(SignInFailure).where(SignInFailure.key == key))
            db.commit()


class SecurityHeadersMiddleware:
    """Adds the security headers to every response, ``Secure`` to cookies over https, and
    ``Cache-Control: no-store`` to pages (scripts are confidential; static files excepted)."""

    def __init__(self, app: ASGIApp, *, secure_cookies: bool = False) -> None:
        self.app = app
        self.secure_cookies = secure_cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        secure = self.secure_cookies or scope.get("scheme") == "https"
        static = str(scope.get("path", "")).startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _HEADERS.items():
                    headers.setdefault(name, value)
                if not static:
                    headers.setdefault("cache-control", "no-store")
                if secure:
                    cookies = headers.getlist("set-cookie")
                    if cookies:
                        del headers["set-cookie"]
                        for cookie in cookies:
                            if "secure" not in cookie.lower().split("; "):
                                cookie += "; secure"
                            headers.append("set-cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimitMiddleware:
    """Refuses request bodies over ``max_bytes`` with 413, before the app reads them.

    Checks ``Content-Length`` up front and counts streamed (chunked) bytes as they come.
    Browsers (``Accept: text/html``) get ``page(message)`` when given, others plain text.
    """

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, page: Callable[[str], str] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.page = page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > self.max_bytes
                except ValueError:
                    too_big = True
                if too_big:
                    await self._too_large(scope, send)
                    return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                await self._too_large(scope, send)

    async def _too_large(self, scope: Scope, send: Send) -> None:
        message = (
            f"The upload is too large: at most {self.max_bytes // (1024 * 1024)} MiB is accepted."
        )
        accept = dict(scope.get("headers", [])).get(b"accept", b"")
        if self.page is not None and b"text/html" in accept:
            body, kind = self.page(message).encode(), b"text/html; charset=utf-8"
        else:
            body, kind = f"{message}\n".encode(), b"text/plain; charset=utf-8"
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", kind),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _BodyTooLarge(Exception):
    pass
