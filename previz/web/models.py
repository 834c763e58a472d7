"""The web app's tables (SQLAlchemy 2 ORM). Changes need an alembic migration.

Display names (``author``, ``by``, ``created_by``) are stored as written at the time, next
to the account or share that acted, so history reads the same after a rename or revoke.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, MappedColumn, mapped_column, relationship

__all__ = [
    "JOB_KINDS",
    "JOB_STATES",
    "REVIEW_STATUSES",
    "REVIEW_STATUS_LABELS",
    "ROLES",
    "Base",
    "Comment",
    "Job",
    "PlanVersion",
    "Project",
    "Share",
    "ShotReview",
    "SignInFailure",
    "User",
    "as_utc",
    "utcnow",
]

ROLES = ("owner", "member")
REVIEW_STATUSES = ("pending", "approved", "changes_requested")
REVIEW_STATUS_LABELS = {
    "pending": "pending",
    "approved": "approved",
    "changes_requested": "changes requested",
}
"""How pages and exports name each review status."""
JOB_KINDS = ("run", "rerender", "assemble")
JOB_STATES = ("queued", "running", "done", "failed")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Now, in UTC, timezone-aware."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """``value`` in UTC, timezone-aware (SQLite hands back naive times, stored as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base with constraint names alembic can diff and drop."""

    metadata = MetaData(naming_convention=NAMING)


_Time = DateTime(timezone=True)


def _set_null_ref(table: str) -> MappedColumn[Any]:
    """A nullable reference to ``<table>.id`` that is cleared when that row goes."""
    return mapped_column(ForeignKey(f"{table}.id", ondelete="SET NULL"), nullable=True)


class User(Base):
    """An account: ``owner`` (made on first run) or ``member``."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="member")
    created: Mapped[datetime] = mapped_column(_Time, default=utcnow)

    def __repr__(self) -> str:
        return f"User(id={self.id}, username={self.username!r}, role={self.role!r})"


class Project(Base):
    """An uploaded script and its run folder ``projects/<public_id>/``."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(
        String(36), unique=True, default=lambda: str(uuid.uuid4())
    )
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    source_format: Mapped[str] = mapped_column(String(16))
    """``fountain``, ``fdx`` or ``pdf``: the script is saved as ``source.<format>``."""
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """:class:`~previz.config.PrevizConfig` fields that differ from the defaults."""
    created: Mapped[datetime] = mapped_column(_Time, default=utcnow)
    current_version: Mapped[int] = mapped_column(Integer, default=0)
    """0 until the first run has planned the shots."""
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)

    owner: Mapped[User] = relationship()

    @property
    def source_name(self) -> str:
        """The generated file name of the uploaded script."""
        return f"source.{self.source_format}"


class PlanVersion(Base):
    """One version of a project's shot plan (``ShotPlan.1`` JSON, kept in the database).

    Versions are written once and never changed or deleted (except with their project),
    so a failed job cannot lose one; the job runner copies the version it works on to the
    run folder's ``plan.json``.
    """

    __tablename__ = "plan_versions"
    __table_args__ = (UniqueConstraint("project_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(200))
    """Display name of who made it (``pipeline`` for the first plan)."""
    created_by_id: Mapped[int | None] = _set_null_ref("users")
    created_at: Mapped[datetime] = mapped_column(_Time, default=utcnow)
    note: Mapped[str] = mapped_column(String(500), default="")
    plan_json: Mapped[str] = mapped_column(Text)


class Comment(Base):
    """A comment on a shot, by a user or a reviewer through a share link."""

    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_project_shot", "project_id", "shot_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    shot_id: Mapped[str] = mapped_column(String(64))
    author: Mapped[str] = mapped_column(String(200))
    author_user_id: Mapped[int | None] = _set_null_ref("users")
    author_share_id: Mapped[int | None] = _set_null_ref("shares")
    body: Mapped[str] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(_Time, default=utcnow)


class ShotReview(Base):
    """A status set on a shot; history is kept and the latest row wins."""

    __tablename__ = "shot_reviews"
    __table_args__ = (Index("ix_shot_reviews_project_shot", "project_id", "shot_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    shot_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32))
    by: Mapped[str] = mapped_column(String(200))
    by_user_id: Mapped[int | None] = _set_null_ref("users")
    by_share_id: Mapped[int | None] = _set_null_ref("shares")
    at: Mapped[datetime] = mapped_column(_Time, default=utcnow)


class Share(Base):
    """A reviewer link; only the token's sha256 is stored."""

    __tablename__ = "shares"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(16), default="reviewer")
    created_by_id: Mapped[int | None] = _set_null_ref("users")
    created: Mapped[datetime] = mapped_column(_Time, default=utcnow)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)

    project: Mapped[Project] = relationship()

    @property
    def display_name(self) -> str:
        """How the reviewer appears in comments and reviews."""
        return f"{self.label} (reviewer)" if self.label else "reviewer"


class Job(Base):
    """A pipeline job: ``run`` (first run), ``rerender`` (edited shots) or ``assemble``."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_state", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default="queued")
    stage: Mapped[str] = mapped_column(String(32), default="")
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    message: Mapped[str] = mapped_column(String(500), default="")
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    plan_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """The plan version the job renders (``None`` for ``run``: it makes version 1)."""
    shot_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    """``rerender``: the shots to render again."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[datetime] = mapped_column(_Time, default=utcnow)
    started: Mapped[datetime | None] = mapped_column(_Time, nullable=True)
    finished: Mapped[datetime | None] = mapped_column(_Time, nullable=True)

    project: Mapped[Project] = relationship()


class SignInFailure(Base):
    """A failed sign-in (or wrong current password), kept while the rate limit counts it.

    In the database, not in memory, so every server process (``--workers``) counts the
    same failures and a restart forgets none.
    """

    __tablename__ = "sign_in_failures"
    __table_args__ = (Index("ix_sign_in_failures_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(320))
    """``username|address``, the username case-folded."""
    at: Mapped[datetime] = mapped_column(_Time, default=utcnow)
