"""Shot review statuses (pending, approved, changes requested) with their history."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from previz.web.models import REVIEW_STATUSES, Project, ShotReview
from previz.web.services._access import Principal, require_viewer, signed_by
from previz.web.services._errors import WebError

__all__ = ["approval_summary", "count_statuses", "history", "latest_statuses", "set_status"]


# Built once: pages run these on every view, and building a statement costs more than
# running it (SQLAlchemy caches the compiled SQL; only the bound values change).
_HISTORY = (
    select(ShotReview)
    .where(
        ShotReview.project_id == bindparam("project_id"),
        ShotReview.shot_id == bindparam("shot_id"),
    )
    .order_by(ShotReview.id.desc())
)
_REVIEWS = (
    select(ShotReview)
    .where(ShotReview.project_id == bindparam("project_id"))
    .order_by(ShotReview.id)
)


def set_status(
    db: Session, principal: Principal, project: Project, shot_id: str, status: str
) -> ShotReview:
    """Record a status for ``shot_id``; earlier ones are kept as history.

    Raises:
        NotFoundError: ``principal`` may not see the project.
        WebError: ``status`` is not one of pending, approved, changes_requested.
    """
    require_viewer(principal, project)
    if status not in REVIEW_STATUSES:
        raise WebError(
            f"unknown status {status!r} for shot {shot_id!r}; "
            f"expected one of: {', '.join(REVIEW_STATUSES)}"
        )
    review = ShotReview(
        project_id=project.id, shot_id=shot_id, status=status, **signed_by(principal, "by")
    )
    db.add(review)
    db.commit()
    return review


def history(db: Session, principal: Principal, project: Project, shot_id: str) -> list[ShotReview]:
    """Every status set on ``shot_id``, newest first."""
    require_viewer(principal, project)
    return list(db.scalars(_HISTORY, {"project_id": project.id, "shot_id": shot_id}))


def latest_statuses(db: Session, principal: Principal, project: Project) -> dict[str, ShotReview]:
    """The latest review of each reviewed shot, by shot id (unreviewed shots are absent)."""
    require_viewer(principal, project)
    reviews = db.scalars(_REVIEWS, {"project_id": project.id})
    return {review.shot_id: review for review in reviews}


def approval_summary(
    db: Session, principal: Principal, project: Project, shot_ids: list[str]
) -> dict[str, int]:
    """How many of ``shot_ids`` (the plan's shots) are in each status; unreviewed: pending."""
    latest = latest_statuses(db, principal, project)
    return count_statuses({s: review.status for s, review in latest.items()}, shot_ids)


def count_statuses(statuses: dict[str, str], shot_ids: list[str]) -> dict[str, int]:
    """How many of ``shot_ids`` have each status in ``statuses`` (missing: pending)."""
    counts = Counter(statuses.get(s, "pending") for s in shot_ids)
    return {status: counts.get(status, 0) for status in REVIEW_STATUSES}
