"""Who may see and change a project: the one place authorisation is decided."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from previz.web.models import Project, Share, User
from previz.web.services._errors import ForbiddenError, NotFoundError

__all__ = ["Principal", "find_project", "require_editor", "require_viewer", "signed_by"]

Principal = User | Share
"""A signed-in user, or a reviewer through a share link."""


# Built once: every request runs this, and building a statement costs more than
# running it (SQLAlchemy caches the compiled SQL; only the bound values change).
_PROJECT_BY_PUBLIC_ID = (
    select(Project)
    .where(Project.public_id == bindparam("public_id"))
    .execution_options(populate_existing=True)
)


def require_viewer(principal: Principal, project: Project) -> None:
    """Raise :class:`NotFoundError` unless ``principal`` may see ``project``.

    Users see only their own projects; a share sees only its project, until revoked.
    """
    if project.deleted:
        raise NotFoundError(f"no project {project.public_id!r}")
    if isinstance(principal, User) and project.owner_id == principal.id:
        return
    if (
        isinstance(principal, Share)
        and not principal.revoked
        and principal.project_id == project.id
    ):
        return
    raise NotFoundError(f"no project {project.public_id!r}")


def require_editor(principal: Principal, project: Project) -> User:
    """The owning user; a reviewer gets :class:`ForbiddenError`, anyone else NotFound."""
    require_viewer(principal, project)
    if not isinstance(principal, User):
        raise ForbiddenError("reviewers may watch, comment and approve, not change the project")
    return principal


def find_project(db: Session, principal: Principal, public_id: str) -> Project:
    """The project ``public_id`` if ``principal`` may see it, else :class:`NotFoundError`."""
    project = db.scalars(_PROJECT_BY_PUBLIC_ID, {"public_id": str(public_id)}).first()
    if project is None:
        raise NotFoundError(f"no project {public_id!r}")
    require_viewer(principal, project)
    return project


def signed_by(principal: Principal, column: str) -> dict[str, str | int | None]:
    """The columns that record who acts: ``column`` (the display name as written now),
    ``<column>_user_id`` and ``<column>_share_id`` (one of them set)."""
    if isinstance(principal, User):
        name, user_id, share_id = principal.username, principal.id, None
    else:
        name, user_id, share_id = principal.display_name, None, principal.id
    return {column: name, f"{column}_user_id": user_id, f"{column}_share_id": share_id}
