"""Who may see and change a project: the one place authorisation is decided."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from previz.web.models import Project, Share, User
from previz.web.services._errors import ForbiddenError, NotFoundError

__all__ = ["Principal", "author_fields", "find_project", "require_editor", "require_viewer"]

Principal = User | Share
"""A signed-in user, or a reviewer through a share link."""


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
    query = select(Project).where(Project.public_id == str(public_id))
    project = db.scalars(query.execution_options(populate_existing=True)).first()
    if project is None:
        raise NotFoundError(f"no project {public_id!r}")
    require_viewer(principal, project)
    return project


def author_fields(principal: Principal) -> tuple[str, int | None, int | None]:
    """``(display name, user id, share id)`` of whoever acts."""
    if isinstance(principal, User):
        return principal.username, principal.id, None
    return principal.display_name, None, principal.id
