"""What every route shares: the database session, who is asking, page rendering, errors.

Routes are ``async`` and run their database work on the event loop: a query on the
app's small tables takes a fraction of a millisecond, less than handing it to a worker
thread and back would cost (a sync route took about 25 thread hops a request). What is
slow is sent to the thread pool explicitly: password hashing, parsing an upload, streaming
a large file.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse

import templates
from previz import __version__
from previz.assemble.timing import frame_boundaries
from previz.web.models import REVIEW_STATUS_LABELS, Project, User, as_utc
from previz.web.security import csrf_token
from previz.web.services import NotFoundError, Principal, projects, shares, users, versions
from shots.model import ShotPlan

__all__ = [
    "PASSWORD_STAMP",
    "SHOT_ID_RE",
    "STATUS_LABELS",
    "TEMPLATES",
    "SignInRequired",
    "Viewer",
    "db_session",
    "form_text",
    "page",
    "project_view",
    "require_user",
    "shot_id_or_404",
    "shot_views",
    "signed_in_user",
    "viewer",
]

TEMPLATES = Jinja2Templates(directory=str(templates.path("web")))
"""The page templates (``templates/web``); autoescaping is on for ``.html``."""

JOB_KINDS = {"run": "Pipeline run", "rerender": "Re-render", "assemble": "Re-assembly"}
"""How the pages name the kinds of job."""

PASSWORD_STAMP = "pw"
"""Session key of :func:`~previz.web.services.users.password_stamp` at sign-in."""

SHOT_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
"""What a shot id in a URL may look like (``3-05``, ``12A-02``); anything else is a 404."""


def _when(value: datetime | None) -> str:
    """``2026-11-23 14:05 UTC``: dates as the pages show them."""
    if value is None:
        return ""
    return as_utc(value).strftime("%Y-%m-%d %H:%M UTC")


TEMPLATES.env.filters["when"] = _when


class SignInRequired(Exception):
    """Raised by routes for visitors without a session; answered with a redirect to /login."""


async def db_session(request: Request) -> AsyncIterator[Session]:
    """A database session for one request (closed afterwards), opened on the event loop."""
    session: Session = request.app.state.sessions()
    try:
        yield session
    finally:
        session.close()


def signed_in_user(request: Request, db: Session) -> User | None:
    """The signed-in user, or ``None``."""
    user_id = request.session.get("user_id")
    if user_id is None:
        return None
    user = users.get_user(db, user_id)
    if user is None or request.session.get(PASSWORD_STAMP) != users.password_stamp(user):
        # gone, or the password changed since this session signed in: sign it out
        request.session.pop("user_id", None)
        request.session.pop(PASSWORD_STAMP, None)
        return None
    return user


def page(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    """Render a page template with the values every page needs (CSRF token, user)."""
    values: dict[str, Any] = {
        "user": None,
        "reviewer": None,
        "error": None,
        "notice": None,
        "job_kinds": JOB_KINDS,
        "asset_version": __version__,
    }
    values.update(context or {})
    values["csrf"] = csrf_token(request)
    return TEMPLATES.TemplateResponse(request, name, values, status_code=status_code)


def form_text(form: Any, name: str, *, max_length: int = 10_000) -> str:
    """A text field of a submitted form, stripped; 422 when it is a file or far too long."""
    value = form.get(name, "")
    if not isinstance(value, str):
        raise HTTPException(status_code=422, detail=f"{name} must be text")
    if len(value) > max_length:
        raise HTTPException(
            status_code=422, detail=f"{name} is longer than {max_length} characters"
        )
    return value.strip()


def require_user(request: Request, db: Session) -> User:
    """The signed-in user; visitors are sent to the sign-in page."""
    user = signed_in_user(request, db)
    if user is None:
        raise SignInRequired
    return user


STATUS_LABELS = REVIEW_STATUS_LABELS


@dataclass
class Viewer:
    """Who looks at which project: a signed-in user, or a reviewer through a share link."""

    project: Project
    principal: Principal
    user: User | None
    reviewer: str | None
    """The reviewer's display name when the principal is a share link."""

    @property
    def can_edit(self) -> bool:
        """Whether the principal may edit, restore, share and delete (not reviewers)."""
        return self.user is not None and self.principal is self.user

    def plan(self, db: Session) -> ShotPlan | None:
        """The project's current shot plan, if the pipeline got that far."""
        return versions.current_plan(db, self.principal, self.project)

    def folder(self, request: Request) -> Path:
        """The project's output folder (media are served from it by fixed names only)."""
        return projects.project_dir(request.app.state.settings, self.project)

    def context(self) -> dict[str, Any]:
        """Template values about the viewer and the project."""
        return {
            "project": project_view(self.project),
            "user": self.user,
            "reviewer": self.reviewer,
            "can_edit": self.can_edit,
            "status_labels": STATUS_LABELS,
        }


def viewer(request: Request, db: Session, project_id: str, *, edit: bool = False) -> Viewer:
    """The project ``project_id`` as the requester may see it.

    Tries the signed-in user first, then the reviewer link remembered in the session.

    Raises:
        NotFoundError: neither may see the project, or ``edit`` is asked of a reviewer
            (reviewers never learn whether editing exists: 404, not 403).
        SignInRequired: no user and no reviewer link at all.
    """
    user = signed_in_user(request, db)
    if user is not None:
        try:
            return Viewer(projects.get_project(db, user, project_id), user, user, None)
        except NotFoundError:
            pass
    token = request.session.get("share")
    share = shares.resolve_share(db, token) if isinstance(token, str) else None
    if share is not None and not edit:
        project = projects.get_project(db, share, project_id)
        return Viewer(project, share, user, share.display_name)
    if user is None and share is None:
        raise SignInRequired
    raise NotFoundError(f"no project {project_id!r}")


def project_view(project: Project) -> dict[str, Any]:
    """A project as the templates read it."""
    config = project.config or {}
    return {
        "id": project.public_id,
        "title": project.title,
        "version": project.current_version,
        "created": project.created,
        "config": {
            "planner": config.get("planner", "auto"),
            "style": config.get("style", "storyboard"),
            "aspect": config.get("aspect"),
            "target_duration_s": config.get("target_duration_s"),
        },
    }


def shot_views(
    plan: ShotPlan, statuses: dict[str, str], comment_counts: dict[str, int] | None = None
) -> list[dict[str, Any]]:
    """The plan's shots with their start in the animatic, review status and comment count."""
    bounds = frame_boundaries([shot.duration_s for shot in plan.shots], plan.fps)
    views = []
    for shot, start in zip(plan.shots, bounds, strict=False):
        status = statuses.get(shot.id, "pending")
        views.append(
            shot.model_dump()
            | {
                "start": start / plan.fps,
                "status": status,
                "status_label": STATUS_LABELS.get(status, status),
                "comment_count": (comment_counts or {}).get(shot.id, 0),
            }
        )
    return views


def shot_id_or_404(shot_id: str) -> str:
    """A shot id from a URL, or a 404 for anything that does not look like one."""
    if not SHOT_ID_RE.match(shot_id):
        raise HTTPException(status_code=404)
    return shot_id
