"""Accounts: argon2id password hashes, sign-in, and the first-run owner."""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import NamedTuple

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from previz.web.models import ROLES, User
from previz.web.services._errors import WebError
from previz.web.settings import WebSettings

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "OwnerPassword",
    "authenticate",
    "create_user",
    "ensure_owner",
    "get_user",
    "get_user_by_name",
    "list_users",
    "password_stamp",
    "set_password",
]

MIN_PASSWORD_LENGTH = 10
USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("previz: no such user")


class OwnerPassword(NamedTuple):
    """The owner made on first run and their one-time password (shown once, never stored)."""

    username: str
    password: str


# Built once: every request runs this, and building a statement costs more than
# running it (SQLAlchemy caches the compiled SQL; only the bound values change).
_USER_BY_ID = select(User).where(User.id == bindparam("user_id"))


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WebError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > 1024:
        raise WebError("a password may have at most 1024 characters")


def create_user(db: Session, username: str, password: str, *, role: str = "member") -> User:
    """Add an account; the password is stored only as an argon2id hash.

    Raises:
        WebError: the username is taken or malformed, the password too short, or the role
            is not ``owner`` or ``member``.
    """
    if not USERNAME_RE.match(username):
        raise WebError(f"invalid username {username!r}: 1-64 letters, digits, '.', '_', '-' or '@'")
    if role not in ROLES:
        raise WebError(f"unknown role {role!r}; expected one of: {', '.join(ROLES)}")
    _check_password(password)
    user = User(username=username, password_hash=_HASHER.hash(password), role=role)
    db.add(user)
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        raise WebError(f"the username {username!r} is taken") from None
    return user


def authenticate(db: Session, username: str, password: str) -> User | None:
    """The user whose name and password match, else ``None``.

    Unknown names cost as much as wrong passwords (a dummy hash is checked), and a hash made
    with older argon2 parameters is upgraded on success.
    """
    user = get_user_by_name(db, username)
    stored = user.password_hash if user is not None else _DUMMY_HASH
    try:
        _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None:
        return None
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = _HASHER.hash(password)
        db.commit()
    return user


def get_user(db: Session, user_id: int) -> User | None:
    """The user with id ``user_id``, if any."""
    try:
        return db.scalars(_USER_BY_ID, {"user_id": int(user_id)}).first()
    except (TypeError, ValueError):
        return None


def get_user_by_name(db: Session, username: str) -> User | None:
    """The user called ``username``, if any."""
    return db.scalars(select(User).where(User.username == username)).first()


def list_users(db: Session) -> list[User]:
    """Every account, by name."""
    return list(db.scalars(select(User).order_by(User.username)))


def set_password(db: Session, user: User, password: str) -> None:
    """Replace ``user``'s password.

    Raises:
        WebError: the password is too short or too long.
    """
    _check_password(password)
    user.password_hash = _HASHER.hash(password)
    db.commit()


def password_stamp(user: User) -> str:
    """A short fingerprint of the user's password hash, kept in each signed-in session.

    It changes whenever the password does (in the browser or with ``previz users passwd``),
    so a session made before the change no longer matches and is signed out.
    """
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def ensure_owner(settings: WebSettings, *, username: str = "owner") -> OwnerPassword | None:
    """On first run (no accounts at all), create the owner with a random password.

    Upgrades the database first. Returns the one-time password to print, or ``None`` when
    accounts exist already.
    """
    from previz.web.db import upgraded_session

    with upgraded_session(settings.database_url) as db:
        if db.scalar(select(func.count()).select_from(User)):
            return None
        password = secrets.token_urlsafe(12)
        try:
            create_user(db, username, password, role="owner")
        except WebError:  # another process made it meanwhile
            return None
        return OwnerPassword(username, password)
