"""Plan versions: every edit of a shot plan is a new version; old ones can be restored."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from previz.errors import PlanError
from previz.web._memo import Memo
from previz.web.models import Job, PlanVersion, Project
from previz.web.services import jobs as _jobs
from previz.web.services._access import Principal, require_editor, require_viewer
from previz.web.services._errors import NotFoundError, WebError
from shots.model import Shot, ShotPlan

__all__ = [
    "EDITABLE_FIELDS",
    "current_plan",
    "edit_shot",
    "get_version",
    "list_versions",
    "load_version",
    "record_version",
    "restore_version",
]

EDITABLE_FIELDS = ("size", "angle", "movement", "lens_mm", "duration_s", "description", "prompt")
"""The shot fields a user may edit in the browser."""


def _row(db: Session, project: Project, number: int) -> PlanVersion | None:
    query = select(PlanVersion).where(
        PlanVersion.project_id == project.id, PlanVersion.number == number
    )
    return db.scalars(query).first()


def load_version(db: Session, project: Project, number: int) -> ShotPlan:
    """Version ``number`` of the project's plan, without authorisation (the runner's view).

    Raises:
        NotFoundError: no such version.
        PlanError: the stored plan is not a valid ``ShotPlan.1``.
    """
    row = _row(db, project, number)
    if row is None:
        raise NotFoundError(f"no version {number} of project {project.public_id!r}")
    try:
        return ShotPlan.model_validate_json(row.plan_json)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise PlanError(
            f"project {project.public_id!r}: stored plan version {number} is invalid: "
            f"{first['msg']}"
        ) from None


_PLANS: Memo[ShotPlan] = Memo(32)
"""Parsed plan versions by (project public id, number): a stored version never changes."""


def _viewed_version(db: Session, project: Project, number: int) -> ShotPlan:
    """Version ``number``, parsed once per process: for pages, which only read it."""
    return _PLANS.get((project.public_id, number), lambda: load_version(db, project, number))


def current_plan(db: Session, principal: Principal, project: Project) -> ShotPlan | None:
    """The project's current shot plan; ``None`` until the first run has planned it.

    The plan may be shared with other requests: read it, or change a copy
    (``model_copy(update=...)``).

    Raises:
        NotFoundError: ``principal`` may not see the project.
    """
    require_viewer(principal, project)
    if not project.current_version:
        return None
    return _viewed_version(db, project, project.current_version)


def list_versions(db: Session, principal: Principal, project: Project) -> list[PlanVersion]:
    """The project's plan versions, newest first."""
    require_viewer(principal, project)
    query = (
        select(PlanVersion)
        .where(PlanVersion.project_id == project.id)
        .order_by(PlanVersion.number.desc())
    )
    return list(db.scalars(query))


def get_version(db: Session, principal: Principal, project: Project, number: int) -> ShotPlan:
    """Version ``number`` of the project's plan.

    Raises:
        NotFoundError: the principal may not see the project, or no such version.
    """
    require_viewer(principal, project)
    return _viewed_version(db, project, number)


def record_version(
    db: Session,
    project: Project,
    plan: ShotPlan,
    *,
    created_by: str,
    created_by_id: int | None = None,
    note: str = "",
) -> PlanVersion:
    """Store ``plan`` as the project's next version and make it current (the caller commits).

    Raises:
        WebError: another version was saved at the same moment (try again).
    """
    latest = db.scalar(
        select(func.max(PlanVersion.number)).where(PlanVersion.project_id == project.id)
    )
    version = PlanVersion(
        project_id=project.id,
        number=(latest or 0) + 1,
        created_by=created_by,
        created_by_id=created_by_id,
        note=note[:500],
        plan_json=plan.model_dump_json(exclude_none=True),
    )
    db.add(version)
    try:
        db.flush()
    except IntegrityError:
        db.rollback()
        raise WebError("another version was saved at the same moment; try again") from None
    project.current_version = version.number
    return version


def _edited_shot(shot: Shot, changes: dict[str, Any]) -> tuple[Shot, list[str]]:
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise WebError(
            f"shot {shot.id}: cannot edit {', '.join(unknown)}; "
            f"editable: {', '.join(EDITABLE_FIELDS)}"
        )
    values = {k: v.strip() if isinstance(v, str) else v for k, v in changes.items()}
    try:
        edited = Shot.model_validate(shot.model_dump() | values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}"
            for error in exc.errors()[:3]
        )
        raise WebError(f"shot {shot.id}: {problems}") from None
    changed = [name for name in EDITABLE_FIELDS if getattr(edited, name) != getattr(shot, name)]
    return edited, changed


def edit_shot(
    db: Session,
    principal: Principal,
    project: Project,
    shot_id: str,
    changes: dict[str, Any],
) -> tuple[PlanVersion, Job | None]:
    """Change some fields of one shot: a new plan version and a re-render of that shot.

    Args:
        db: the database session.
        principal: the owning user (reviewers may not edit).
        project: the project.
        shot_id: the shot, e.g. ``3-05``.
        changes: field name to new value (strings from a form are converted), among
            :data:`EDITABLE_FIELDS`.

    Returns:
        The new version and its queued ``rerender`` job; when nothing changed, the current
        version and ``None``.

    Raises:
        WebError: an unknown field or an invalid value (the message names shot and field),
            or the plan does not exist yet.
        NotFoundError: no such shot, or not the principal's project.
        ForbiddenError: a reviewer.
    """
    user = require_editor(principal, project)
    plan = current_plan(db, principal, project)
    if plan is None:
        raise WebError(
            f"the shots of project {project.public_id!r} are not planned yet; "
            "wait for the first run"
        )
    try:
        shot = plan.shot(shot_id)
    except KeyError:
        raise NotFoundError(f"no shot {shot_id!r} in project {project.public_id!r}") from None
    edited, changed = _edited_shot(shot, changes)
    if not changed:
        row = _row(db, project, project.current_version)
        assert row is not None
        return row, None
    shots = [edited if s.id == shot_id else s for s in plan.shots]
    new_plan = plan.model_copy(update={"shots": shots})
    version = record_version(
        db,
        project,
        new_plan,
        created_by=user.username,
        created_by_id=user.id,
        note=f"edited {shot_id} {', '.join(changed)}",
    )
    job = _jobs.enqueue(db, project, "rerender", plan_version=version.number, shot_ids=[shot_id])
    db.commit()
    return version, job


def restore_version(
    db: Session, principal: Principal, project: Project, number: int
) -> tuple[PlanVersion, Job]:
    """Make version ``number`` current again: a new version with its content, re-assembled.

    Raises:
        NotFoundError: no such version, or not the principal's project.
        ForbiddenError: a reviewer.
        WebError: ``number`` is the current version already.
    """
    user = require_editor(principal, project)
    plan = load_version(db, project, number)
    if number == project.current_version:
        raise WebError(f"version {number} is the current version already")
    version = record_version(
        db,
        project,
        plan,
        created_by=user.username,
        created_by_id=user.id,
        note=f"restored version {number}",
    )
    job = _jobs.enqueue(db, project, "assemble", plan_version=version.number)
    db.commit()
    return version, job
