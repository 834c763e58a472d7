"""Accounts: argon2 hashes, sign-in, rehashing, the first-run owner, ``previz users``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from previz.cli import app
from previz.web.models import SignInFailure, User
from previz.web.security import LoginRateLimiter
from previz.web.services import WebError, users
from previz.web.settings import WebSettings
from tests.previz.web._store import PASSWORD, add_user


def test_the_password_is_stored_only_as_an_argon2id_hash(db: Session) -> None:
    user = add_user(db)
    stored = db.scalars(select(User.password_hash).where(User.id == user.id)).one()
    assert PASSWORD not in stored
    assert stored.startswith("$argon2id$")
    assert PasswordHasher().verify(stored, PASSWORD)


def test_authenticate_takes_the_right_password_only(db: Session) -> None:
    user = add_user(db)
    assert users.authenticate(db, "alice", PASSWORD).id == user.id  # type: ignore[union-attr]
    assert users.authenticate(db, "alice", PASSWORD + "x") is None
    assert users.authenticate(db, "alice", "") is None
    assert users.authenticate(db, "nobody", PASSWORD) is None
    assert users.get_user(db, user.id) == user
    assert users.get_user(db, "not a number") is None  # type: ignore[arg-type]


def test_a_hash_with_old_parameters_is_upgraded_at_sign_in(db: Session) -> None:
    user = add_user(db)
    weak = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
    user.password_hash = weak
    db.commit()
    assert users.authenticate(db, "alice", PASSWORD) is not None
    db.refresh(user)
    assert user.password_hash != weak
    assert not PasswordHasher().check_needs_rehash(user.password_hash)
    assert users.authenticate(db, "alice", PASSWORD) is not None


@pytest.mark.parametrize(
    ("name", "password", "message"),
    [
        ("alice", "short", "at least 10 characters"),
        ("../etc", PASSWORD, "invalid username"),
        ("", PASSWORD, "invalid username"),
    ],
)
def test_bad_accounts_are_refused(db: Session, name: str, password: str, message: str) -> None:
    with pytest.raises(WebError, match=message):
        users.create_user(db, name, password)
    assert users.list_users(db) == []


def test_usernames_are_unique(db: Session) -> None:
    add_user(db)
    with pytest.raises(WebError, match="taken"):
        users.create_user(db, "alice", PASSWORD)
    assert [u.username for u in users.list_users(db)] == ["alice"]


def test_first_run_makes_the_owner_with_a_one_time_password(
    settings: WebSettings, sessions: sessionmaker[Session]
) -> None:
    made = users.ensure_owner(settings)
    assert made is not None
    assert len(made.password) >= 16
    assert users.ensure_owner(settings) is None  # accounts exist: nothing printed again
    with sessions() as db:
        owner = users.authenticate(db, made.username, made.password)
        assert owner is not None and owner.role == "owner"
        assert made.password not in owner.password_hash


def test_cli_adds_users_with_a_password_from_stdin(
    settings: WebSettings, sessions: sessionmaker[Session]
) -> None:
    runner = CliRunner()
    options = ["--data", str(settings.data_dir), "--database-url", settings.database_url]
    result = runner.invoke(
        app, ["users", "add", "bob", "--owner", "--password-stdin", *options], input=PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output
    assert "added owner bob" in result.output
    again = runner.invoke(
        app, ["users", "add", "bob", "--password-stdin", *options], input=PASSWORD
    )
    assert again.exit_code == 1
    assert "taken" in again.output
    short = runner.invoke(app, ["users", "add", "eve", "--password-stdin", *options], input="abc\n")
    assert short.exit_code == 1
    changed = runner.invoke(
        app, ["users", "passwd", "bob", "--password-stdin", *options], input="another long secret\n"
    )
    assert changed.exit_code == 0, changed.output
    listed = runner.invoke(app, ["users", "list", *options])
    assert "bob\towner" in listed.output
    with sessions() as db:
        assert users.authenticate(db, "bob", PASSWORD) is None
        bob = users.authenticate(db, "bob", "another long secret")
        assert bob is not None and bob.role == "owner"
        assert users.get_user_by_name(db, "eve") is None


def test_cli_prompts_for_the_password_twice(
    settings: WebSettings, sessions: sessionmaker[Session]
) -> None:
    options = ["--data", str(settings.data_dir), "--database-url", settings.database_url]
    result = CliRunner().invoke(
        app, ["users", "add", "carol", *options], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    with sessions() as db:
        carol = users.authenticate(db, "carol", PASSWORD)
        assert carol is not None and carol.role == "member"


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_limiter_blocks_after_five_failures_and_forgets_after_a_minute(
    sessions: sessionmaker[Session],
) -> None:
    clock = FakeClock()
    limiter = LoginRateLimiter(sessions, limit=5, window_s=60, clock=clock)
    for _ in range(4):
        limiter.failed("Ann", "10.0.0.1")
    assert not limiter.blocked("ann", "10.0.0.1")
    limiter.failed("ANN ", "10.0.0.1")
    assert limiter.blocked("ann", "10.0.0.1")
    assert not limiter.blocked("ann", "10.0.0.2"), "another address is another key"
    assert not limiter.blocked("bob", "10.0.0.1"), "another user is another key"
    clock.now += timedelta(seconds=61)
    assert not limiter.blocked("ann", "10.0.0.1")
    limiter.failed("someone", "10.0.0.9")  # a new failure sweeps out the expired ones
    with sessions() as db:
        assert db.scalar(select(func.count()).select_from(SignInFailure)) == 1


def test_limiter_success_clears_the_failures(sessions: sessionmaker[Session]) -> None:
    limiter = LoginRateLimiter(sessions, limit=2, window_s=60, clock=FakeClock())
    limiter.failed("ann", "a")
    limiter.succeeded("ann", "a")
    limiter.failed("ann", "a")
    assert not limiter.blocked("ann", "a")


def test_every_server_process_counts_the_same_failures(sessions: sessionmaker[Session]) -> None:
    """Two limiters on one database stand for two ``--workers`` processes (or a restart)."""
    first, second = LoginRateLimiter(sessions, limit=3), LoginRateLimiter(sessions, limit=3)
    first.failed("ann", "a")
    second.failed("ann", "a")
    assert not first.blocked("ann", "a")
    first.failed("ann", "a")
    assert second.blocked("ann", "a")
