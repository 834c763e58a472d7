"""Fixtures and helpers of the store tests: a database per test, users, projects, shares.

Every fixture runs on SQLite, and again on PostgreSQL when ``PREVIZ_TEST_POSTGRES_URL``
names a server whose role may create databases (each test gets its own, dropped after).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from previz.web.db import make_engine, make_session_factory, upgrade_database
from previz.web.models import Project, Share, User
from previz.web.services import projects, shares, users, versions
from previz.web.settings import WebSettings, sqlite_url
from tests.conftest import TINY_FOUNTAIN

POSTGRES_ENV = "PREVIZ_TEST_POSTGRES_URL"
PASSWORD = "correct horse battery staple"
RUN_OVERRIDES = {"long_side": 96, "audio": False}
"""Small frames and no speech engine: a tiny script runs to every deliverable in seconds."""

_postgres = pytest.param(
    "postgresql",
    marks=pytest.mark.skipif(
        not os.environ.get(POSTGRES_ENV),
        reason=f"{POSTGRES_ENV} is not set (e.g. "
        "postgresql+psycopg://previz:previz@127.0.0.1:5432/previz_test; see .ci/postgres)",
    ),
)


@pytest.fixture(params=["sqlite", _postgres])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file, or a fresh PostgreSQL database dropped afterwards."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path / "data" / "previz.db")
        return
    admin_url = make_url(os.environ[POSTGRES_ENV])
    name = f"previz_t_{uuid.uuid4().hex[:16]}"
    admin = make_engine(admin_url.render_as_string(hide_password=False)).execution_options(
        isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        # from template0: copying template1 fails while another test's CREATE is reading it
        conn.exec_driver_sql(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> WebSettings:
    """Settings on the test database, data under ``tmp_path/data``, small renders."""
    return WebSettings.from_options(
        data_dir=tmp_path / "data", database_url=database_url, run_overrides=RUN_OVERRIDES
    )


@pytest.fixture
def sessions(settings: WebSettings) -> Iterator[sessionmaker[Session]]:
    """A session factory on the migrated test database."""
    engine = make_engine(settings.database_url)
    upgrade_database(engine)
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()


@pytest.fixture
def db(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """One session on the migrated test database."""
    with sessions() as session:
        yield session


@pytest.fixture
def owned(db: Session, settings: WebSettings) -> tuple[User, Project]:
    """Alice (a member) and her project from the tiny script, its first run queued."""
    alice = add_user(db)
    return alice, add_project(db, settings, alice)


@pytest.fixture
def planned(
    db: Session, settings: WebSettings, owned: tuple[User, Project]
) -> tuple[User, Project]:
    """:func:`owned`, with the script planned as version 1 (not rendered)."""
    plan_now(db, settings, owned[1])
    return owned


def add_user(db: Session, name: str = "alice") -> User:
    """A member called ``name`` with :data:`PASSWORD`."""
    return users.create_user(db, name, PASSWORD)


def add_project(
    db: Session, settings: WebSettings, owner: User, data: bytes | None = None, **kwargs: object
) -> Project:
    """A project from ``data`` (default: the tiny two-scene script), grammar planner."""
    kwargs.setdefault("config", {"planner": "grammar"})
    return projects.create_project(
        db,
        settings,
        owner,
        data=TINY_FOUNTAIN.encode() if data is None else data,
        filename="lighthouse.fountain",
        **kwargs,  # type: ignore[arg-type]
    )


def plan_now(db: Session, settings: WebSettings, project: Project) -> None:
    """Parse and plan the project's script as version 1 without rendering (fast)."""
    from previz.pipeline import plan_script
    from screenplay.base import parse_file

    script = parse_file(projects.project_dir(settings, project) / project.source_name)
    plan = plan_script(script, projects.project_config(settings, project))
    versions.record_version(db, project, plan, created_by="pipeline", note="first plan")
    db.commit()


def add_share(db: Session, owner: User, project: Project, label: str = "Client") -> Share:
    """A live reviewer link on ``project``."""
    share, _ = shares.create_share(db, owner, project, label)
    return share
