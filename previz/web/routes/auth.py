"""Sign-in, sign-out, and the reviewer's entry through a share link."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from previz.web.models import User
from previz.web.routes._common import (
    PASSWORD_STAMP,
    db_session,
    form_text,
    page,
    require_user,
    signed_in_user,
)
from previz.web.security import csrf_token
from previz.web.services import WebError, shares, users

router = APIRouter()

Db = Annotated[Session, Depends(db_session)]


def _safe_next(target: str) -> str:
    """Only a local path may be the redirect after sign-in (no open redirect)."""
    parts = urlsplit(target)
    if not target.startswith("/") or target.startswith("//") or parts.scheme or parts.netloc:
        return "/"
    return target


def _client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.get("/login")
async def login_page(request: Request, db: Db, next: str = "/") -> Response:
    """The sign-in form."""
    if signed_in_user(request, db) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return page(request, "login.html", {"next": _safe_next(next)})


@router.post("/login")
async def login(request: Request, db: Db) -> Response:
    """Check a username and password; 429 after too many failures."""
    form = await request.form()
    username = form_text(form, "username", max_length=200)
    password = form.get("password", "")
    target = _safe_next(form_text(form, "next", max_length=2000) or "/")
    limiter = request.app.state.limiter
    address = _client_address(request)
    context = {"username": username, "next": target}
    if limiter.blocked(username, address):
        context["error"] = "Too many failed sign-ins. Wait a minute and try again."
        return page(request, "login.html", context, status_code=429)
    user = (
        # argon2 takes tens of milliseconds of CPU: off the event loop
        await run_in_threadpool(users.authenticate, db, username, password)
        if isinstance(password, str) and username
        else None
    )
    if user is None:
        limiter.failed(username, address)
        context["error"] = "Wrong username or password."
        return page(request, "login.html", context, status_code=401)
    limiter.succeeded(username, address)
    request.session.clear()
    request.session["user_id"] = user.id
    request.session[PASSWORD_STAMP] = users.password_stamp(user)
    csrf_token(request)  # a fresh token for the new session
    return RedirectResponse(target, status_code=303)


@router.get("/account")
async def account_page(request: Request, db: Db, changed: bool = False) -> Response:
    """The signed-in user's account: change the password."""
    user = require_user(request, db)
    notice = "Password changed. Every other session was signed out." if changed else None
    return _account_page(request, user, notice=notice)


def _account_page(
    request: Request, user: User, *, status_code: int = 200, **values: Any
) -> Response:

    context = {"user": user, "min_length": users.MIN_PASSWORD_LENGTH} | values
    return page(request, "account.html", context, status_code=status_code)


@router.post("/account/password")
async def change_password(request: Request, db: Db) -> Response:
    """Check the current password, set the new one, sign out every other session."""
    user = require_user(request, db)
    form = await request.form()
    current, new, again = (form.get(name, "") for name in ("current", "new", "again"))
    limiter = request.app.state.limiter
    address = _client_address(request)

    def refuse(message: str, status: int) -> Response:
        return _account_page(request, user, error=message, status_code=status)

    if not all(isinstance(value, str) for value in (current, new, again)):
        return refuse("The form was not filled in as text.", 422)
    if limiter.blocked(user.username, address):
        return refuse("Too many wrong passwords. Wait a minute and try again.", 429)
    # argon2 takes tens of milliseconds of CPU: off the event loop
    if await run_in_threadpool(users.authenticate, db, user.username, current) is None:
        limiter.failed(user.username, address)
        return refuse("The current password is wrong.", 401)
    if new != again:
        return refuse("The two new passwords differ.", 422)
    try:
        await run_in_threadpool(users.set_password, db, user, new)
    except WebError as exc:
        return refuse(str(exc), 422)
    limiter.succeeded(user.username, address)
    request.session[PASSWORD_STAMP] = users.password_stamp(user)
    return RedirectResponse("/account?changed=1", status_code=303)


@router.post("/logout")
async def logout(request: Request) -> Response:
    """End the session (user and reviewer alike)."""
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/s/{token}")
async def share_entry(request: Request, token: str, db: Db) -> Response:
    """A reviewer opens a share link: remember the token in the session, show the project."""
    share = shares.resolve_share(db, token)
    if share is None:
        return page(
            request,
            "error.html",
            {"heading": "Link not valid", "message": "This review link is unknown or revoked."},
            status_code=404,
        )
    request.session["share"] = token
    return RedirectResponse(f"/projects/{shares.share_project_id(db, share)}", status_code=303)
