"""Comment threads on shots, by users and by reviewers through share links."""

from __future__ import annotations

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from previz.web.models import Comment, Project
from previz.web.services._access import Principal, require_viewer, signed_by
from previz.web.services._errors import WebError

__all__ = [
    "MAX_COMMENT_CHARS",
    "add_comment",
    "all_comments",
    "comment_counts",
    "list_comments",
]

MAX_COMMENT_CHARS = 5000


# Built once: pages run these on every view, and building a statement costs more than
# running it (SQLAlchemy caches the compiled SQL; only the bound values change).
_THREAD = (
    select(Comment)
    .where(Comment.project_id == bindparam("project_id"), Comment.shot_id == bindparam("shot_id"))
    .order_by(Comment.created, Comment.id)
)

_COUNTS = (
    select(Comment.shot_id, func.count())
    .where(Comment.project_id == bindparam("project_id"))
    .group_by(Comment.shot_id)
)


def add_comment(
    db: Session, principal: Principal, project: Project, shot_id: str, body: str
) -> Comment:
    """Add ``body`` to the thread of ``shot_id``.

    Raises:
        NotFoundError: ``principal`` may not see the project.
        WebError: an empty or over-long comment.
    """
    require_viewer(principal, project)
    body = body.strip()
    if not body:
        raise WebError(f"a comment on shot {shot_id!r} needs some text")
    if len(body) > MAX_COMMENT_CHARS:
        raise WebError(
            f"a comment on shot {shot_id!r} may have at most {MAX_COMMENT_CHARS} characters"
        )
    comment = Comment(
        project_id=project.id, shot_id=shot_id, body=body, **signed_by(principal, "author")
    )
    db.add(comment)
    db.commit()
    return comment


def list_comments(
    db: Session, principal: Principal, project: Project, shot_id: str
) -> list[Comment]:
    """The thread of ``shot_id``, oldest first."""
    require_viewer(principal, project)
    return list(db.scalars(_THREAD, {"project_id": project.id, "shot_id": shot_id}))


def all_comments(db: Session, principal: Principal, project: Project) -> list[Comment]:
    """Every comment of the project, oldest first (for the review notes export)."""
    require_viewer(principal, project)
    query = (
        select(Comment)
        .where(Comment.project_id == project.id)
        .order_by(Comment.created, Comment.id)
    )
    return list(db.scalars(query))


def comment_counts(db: Session, principal: Principal, project: Project) -> dict[str, int]:
    """Comments per shot id, for the project page's grid."""
    require_viewer(principal, project)
    rows = db.execute(_COUNTS, {"project_id": project.id})
    return {shot_id: count for shot_id, count in rows}
