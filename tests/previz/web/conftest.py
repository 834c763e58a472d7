"""Fixtures shared by the web tests: a migrated database per test (SQLite, and PostgreSQL
when ``PREVIZ_TEST_POSTGRES_URL`` is set) and Alice's project on it; see ``_store.py``."""

from tests.previz.web._store import database_url, db, owned, planned, sessions, settings

__all__ = ["database_url", "db", "owned", "planned", "sessions", "settings"]
