"""``create_app(settings)``: the review web app, server-rendered, over the web services.

Routes are thin: they read the request, call :mod:`previz.web.services` with the database
session and the principal (a user, or a reviewer's share), and render a template. Every
state-changing request carries the session's CSRF token; every project, shot and media URL
goes through a service that answers 404 for projects the principal may not see.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

import templates
from previz import __version__
from previz.errors import PrevizError
from previz.web.db import make_session_factory, upgrade_database
from previz.web.jobs import JobRunner
from previz.web.routes import auth, progress, projects, shots, versions
from previz.web.routes._common import TEMPLATES, SignInRequired, page
from previz.web.security import (
    BodyLimitMiddleware,
    LoginRateLimiter,
    SecurityHeadersMiddleware,
    csrf_protect,
)
from previz.web.services import NotFoundError
from previz.web.settings import SETTINGS_ENV, WebSettings

__all__ = ["app_from_environment", "create_app"]

_TITLES = {
    401: "Sign-in required",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    413: "Upload too large",
    422: "Cannot do that",
    429: "Too many attempts",
}


def create_app(settings: WebSettings, *, start_runner: bool = True) -> FastAPI:
    """The review app for ``settings`` (a :class:`previz.web.settings.WebSettings`).

    Args:
        settings: data folder, database URL, secret key, upload cap, cookie flags.
        start_runner: start the background job thread with the app; tests pass ``False``
            and call ``app.state.runner.run_pending()`` to run queued jobs synchronously.

    Returns:
        The FastAPI application; its lifespan upgrades the database and runs the job runner.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        upgrade_database(settings.database_url)
        if start_runner:
            app.state.runner.start()
        try:
            yield
        finally:
            app.state.runner.stop()

    app = FastAPI(
        title="previz",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(csrf_protect)],
    )
    app.state.settings = settings
    app.state.sessions = make_session_factory(settings.database_url)
    app.state.runner = JobRunner(settings, app.state.sessions)
    app.state.limiter = LoginRateLimiter(app.state.sessions)

    app.mount("/static", StaticFiles(directory=templates.path("web", "static")), name="static")
    for module in (auth, projects, progress, shots, versions):
        app.include_router(module.router)
    _add_error_pages(app)

    secret = settings.secret_key()
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret,
        session_cookie="previz_session",
        same_site="lax",
        https_only=settings.secure_cookies,
        max_age=14 * 24 * 3600,
    )
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_upload_bytes + 64 * 1024,
        page=_upload_too_large_page,
    )
    app.add_middleware(SecurityHeadersMiddleware, secure_cookies=settings.secure_cookies)
    return app


def app_from_environment() -> FastAPI:
    """The app for the settings in ``$PREVIZ_WEB_SETTINGS`` (each ``--workers`` process).

    Raises:
        PrevizError: the variable is missing or not settings.
    """
    text = os.environ.get(SETTINGS_ENV)
    if not text:
        raise PrevizError(f"${SETTINGS_ENV} is not set: start the app with 'previz serve'")
    return create_app(WebSettings.from_json(text))


def _upload_too_large_page(message: str) -> str:
    """The error page for a body refused before the app (and its session) saw the request."""
    values = {"heading": _TITLES[413], "message": message, "user": None, "reviewer": None}
    return TEMPLATES.get_template("error.html").render(values | {"asset_version": __version__})


def _wants_json(request: Request) -> bool:
    """Job progress (JSON or events) and JSON clients get errors as JSON, not pages."""
    if request.url.path.endswith(("/job", "/job/events")):
        return True
    return "application/json" in request.headers.get("accept", "")


def _add_error_pages(app: FastAPI) -> None:
    """Errors as pages (JSON for the job endpoint): never a traceback, never a stack."""

    @app.exception_handler(SignInRequired)
    async def sign_in(request: Request, exc: SignInRequired) -> Response:
        if _wants_json(request):
            return JSONResponse({"error": "sign in first"}, status_code=401)
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: NotFoundError) -> Response:
        return _error(request, 404, "There is nothing here, or it is not yours to see.")

    @app.exception_handler(PrevizError)
    async def previz_error(request: Request, exc: PrevizError) -> Response:
        return _error(request, 422, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "The request was refused."
        if exc.status_code == 404:
            message = "There is nothing here, or it is not yours to see."
        return _error(request, exc.status_code, message, headers=exc.headers)


def _error(
    request: Request, status: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": message}, status_code=status, headers=headers)
    heading = _TITLES.get(status, "Error")
    return page(
        request,
        "error.html",
        {"heading": heading, "message": message},
        status_code=status,
    )
