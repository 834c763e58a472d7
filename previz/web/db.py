"""Engines, sessions and schema upgrades for the web app's database.

SQLite (the default) is set up for a threaded server: connections may cross threads,
the journal is WAL (readers never block the writer) and a busy writer is waited for.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from previz.errors import PrevizError

__all__ = [
    "MIGRATIONS",
    "alembic_config",
    "make_engine",
    "make_session_factory",
    "upgrade_database",
    "upgraded_session",
]

MIGRATIONS = Path(__file__).parent / "migrations"
"""The alembic script folder (``env.py`` and ``versions/``)."""

_BUSY_TIMEOUT_MS = 30_000


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, a busy timeout, foreign keys and threads.

    Raises:
        PrevizError: the URL is malformed or names a driver that is not installed.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise PrevizError(f"invalid database URL: {exc}") from None
    kwargs: dict[str, Any] = {"pool_pre_ping": True}
    sqlite = parsed.get_backend_name() == "sqlite"
    if sqlite:
        kwargs = {"connect_args": {"check_same_thread": False, "timeout": _BUSY_TIMEOUT_MS / 1000}}
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(parsed, **kwargs)
    except (ArgumentError, ImportError) as exc:
        raise PrevizError(f"cannot use database {parsed.render_as_string()}: {exc}") from None
    if sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _engine(url_or_engine: str | Engine) -> Engine:
    return make_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine


def make_session_factory(url_or_engine: str | Engine) -> sessionmaker[Session]:
    """Sessions on a database URL (a new engine) or an existing engine.

    Objects stay readable after commit (``expire_on_commit=False``), so services may return
    them to templates after their session commits.
    """
    return sessionmaker(bind=_engine(url_or_engine), expire_on_commit=False)


def alembic_config(url: str) -> Any:
    """An alembic ``Config`` for ``url`` pointing at :data:`MIGRATIONS` (no ini file)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_database(url_or_engine: str | Engine) -> None:
    """Create or upgrade the schema to the newest migration (run at app start).

    Raises:
        PrevizError: the database cannot be reached or a migration failed.
    """
    from alembic import command

    engine = _engine(url_or_engine)
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except SQLAlchemyError as exc:
        where = engine.url.render_as_string(hide_password=True)
        raise PrevizError(
            f"cannot upgrade the database {where}: {exc.__class__.__name__}: "
            f"{getattr(exc, 'orig', exc)}"
        ) from None
    finally:
        if isinstance(url_or_engine, str):
            engine.dispose()


@contextmanager
def upgraded_session(url: str) -> Iterator[Session]:
    """One session on ``url`` after upgrading its schema (for commands, not the server).

    Raises:
        PrevizError: the URL is unusable, or the database cannot be reached or upgraded.
    """
    engine = make_engine(url)
    try:
        upgrade_database(engine)
        with make_session_factory(engine)() as db:
            yield db
    finally:
        engine.dispose()
