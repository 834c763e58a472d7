"""The schema: migrations from empty, no drift from the models, SQLite set up for threads."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from previz.errors import PrevizError
from previz.web.db import make_engine, upgrade_database
from previz.web.models import Base
from previz.web.settings import WebSettings, default_data_dir


def test_migration_creates_every_table_from_empty(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        assert inspect(engine).get_table_names() == []
        upgrade_database(engine)
        tables = set(inspect(engine).get_table_names())
        assert tables == set(Base.metadata.tables) | {"alembic_version"}
        assert {
            "users",
            "projects",
            "plan_versions",
            "comments",
            "shot_reviews",
            "shares",
            "jobs",
        } <= tables
        upgrade_database(engine)  # at head already: nothing to do, no error
    finally:
        engine.dispose()


def test_models_and_migrations_do_not_differ(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade_database(engine)
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_sqlite_is_set_up_for_a_threaded_server(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        raw = engine.raw_connection()  # made in this thread, used in another (a worker)
        outcome: list[object] = []
        worker = threading.Thread(
            target=lambda: outcome.append(raw.cursor().execute("SELECT 1").fetchone())
        )
        worker.start()
        worker.join()
        raw.close()
        assert outcome == [(1,)]
    finally:
        engine.dispose()


def test_secret_key_is_private_and_stable(settings: WebSettings) -> None:
    key = settings.secret_key()
    path = settings.data_dir / "secret.key"
    assert len(key) == 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert settings.secret_key() == key


def test_default_data_folder_follows_xdg(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("PREVIZ_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_data_dir() == tmp_path / "xdg" / "previz"
    monkeypatch.delenv("PREVIZ_DATABASE_URL", raising=False)
    settings = WebSettings.from_options()
    assert settings.data_dir == (tmp_path / "xdg" / "previz").resolve()
    assert settings.database_url.endswith("/xdg/previz/previz.db")
    assert stat.S_IMODE(os.stat(settings.data_dir).st_mode) == 0o700


def test_bad_database_urls_are_clear_errors() -> None:
    with pytest.raises(PrevizError, match="invalid database URL"):
        make_engine("not a url")
    with pytest.raises(PrevizError, match="cannot upgrade the database") as caught:
        upgrade_database("postgresql+psycopg://previz:secret@127.0.0.1:1/nowhere")
    assert "secret" not in str(caught.value)
