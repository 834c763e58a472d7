"""Pipeline jobs in the database: queueing, claiming, progress and outcome.

The runner (:mod:`previz.web.jobs`) claims one job at a time; routes only read them.
"""

from __future__ import annotations

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from previz.web.models import JOB_KINDS, Job, Project, utcnow
from previz.web.services._access import Principal, require_viewer
from previz.web.services._errors import WebError

__all__ = [
    "MAX_ATTEMPTS",
    "claim_next",
    "enqueue",
    "finish_job",
    "latest_job",
    "requeue_interrupted",
]


# Built once: pages run these on every view, and building a statement costs more than
# running it (SQLAlchemy caches the compiled SQL; only the bound values change).
_LATEST_JOB = (
    select(Job)
    .where(Job.project_id == bindparam("project_id"))
    .order_by(Job.id.desc())
    .limit(1)
    .execution_options(populate_existing=True)  # progress changes under a long session
)


def latest_job(db: Session, principal: Principal, project: Project) -> Job | None:
    """The project's newest job (what the progress bar shows), if any.

    Raises:
        NotFoundError: ``principal`` may not see the project.
    """
    require_viewer(principal, project)
    return db.scalars(_LATEST_JOB, {"project_id": project.id}).first()


def enqueue(
    db: Session,
    project: Project,
    kind: str,
    *,
    plan_version: int | None = None,
    shot_ids: list[str] | None = None,
) -> Job:
    """Queue a job (the caller commits).

    Args:
        db: the database session.
        project: the project.
        kind: ``run``, ``rerender`` or ``assemble``.
        plan_version: the plan version to render and assemble (not for ``run``).
        shot_ids: ``rerender``: the shots to render again.

    Raises:
        WebError: ``kind`` is not one of :data:`~previz.web.models.JOB_KINDS`.
    """
    if kind not in JOB_KINDS:
        raise WebError(f"unknown job kind {kind!r}; expected one of: {', '.join(JOB_KINDS)}")
    job = Job(
        project_id=project.id,
        kind=kind,
        plan_version=plan_version,
        shot_ids=list(shot_ids or []),
        message="waiting to start",
    )
    db.add(job)
    return job


def claim_next(db: Session) -> Job | None:
    """Mark the oldest queued job ``running`` and return it; ``None`` when none is queued.

    The update is conditional on the job still being queued, so two runners sharing a
    database never take the same job.
    """
    while True:
        job_id = db.scalar(select(Job.id).where(Job.state == "queued").order_by(Job.id).limit(1))
        if job_id is None:
            return None
        claimed = db.execute(
            update(Job)
            .where(Job.id == job_id, Job.state == "queued")
            .values(
                state="running",
                started=utcnow(),
                attempts=Job.attempts + 1,
                message="starting",
                error=None,
            )
        )
        db.commit()
        if claimed.rowcount == 1:
            job = db.get(Job, job_id)
            if job is not None:
                db.refresh(job)
            return job


MAX_ATTEMPTS = 3
"""A job interrupted this many times (it may be what kills the server) is failed, not retried."""


def requeue_interrupted(db: Session) -> int:
    """Put jobs left ``running`` by a dead server back in the queue; returns how many.

    A job that was already started :data:`MAX_ATTEMPTS` times is marked failed instead.
    """
    db.execute(
        update(Job)
        .where(Job.state == "running", Job.attempts >= MAX_ATTEMPTS)
        .values(
            state="failed",
            message="failed",
            error=f"interrupted {MAX_ATTEMPTS} times (the server stopped during the job)",
            finished=utcnow(),
        )
    )
    result = db.execute(
        update(Job)
        .where(Job.state == "running")
        .values(state="queued", message="resuming after a restart")
    )
    db.commit()
    return result.rowcount or 0


def finish_job(db: Session, job: Job, *, error: str | None = None) -> None:
    """Record the outcome: ``done``, or ``failed`` with the error message."""
    job.state = "failed" if error else "done"
    job.error = error
    job.message = "failed" if error else "finished"
    job.finished = utcnow()
    db.commit()
