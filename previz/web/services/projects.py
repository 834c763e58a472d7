"""Projects: an uploaded screenplay, its run settings and its run folder."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from previz.config import PrevizConfig
from previz.errors import InputTooLargeError, PrevizError
from previz.web.models import Job, Project, User
from previz.web.services import jobs as _jobs
from previz.web.services._access import Principal, find_project, require_editor
from previz.web.services._errors import ForbiddenError, WebError
from previz.web.settings import WebSettings

__all__ = [
    "WEB_CONFIG_FIELDS",
    "create_project",
    "delete_project",
    "get_project",
    "list_projects",
    "project_config",
    "project_dir",
    "web_config",
]

WEB_CONFIG_FIELDS = ("planner", "style", "aspect", "target_duration_s")
"""The run settings a web user chooses; the rest come from the server's settings."""


def web_config(config: PrevizConfig | Mapping[str, Any] | None) -> dict[str, Any]:
    """The web-choosable fields of ``config``, validated (preset styles only, no paths).

    Raises:
        WebError: an unknown planner, style or aspect ratio, or a bad target duration.
    """
    from shots.base import PLANNERS
    from shots.style import list_styles, normalise_aspect

    if config is None:
        config = PrevizConfig()
    elif not isinstance(config, PrevizConfig):
        values = {name: config[name] for name in WEB_CONFIG_FIELDS if name in config}
        try:
            config = PrevizConfig.model_validate(values)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first["loc"])
            raise WebError(f"{field}: {first['msg']}") from None
    planners = ["auto", *PLANNERS.names()]
    if config.planner not in planners:
        raise WebError(
            f"unknown planner {config.planner!r}; expected one of: {', '.join(planners)}"
        )
    styles = sorted(list_styles())
    if config.style not in styles:
        raise WebError(f"unknown style {config.style!r}; expected one of: {', '.join(styles)}")
    try:
        aspect = normalise_aspect(config.aspect) if config.aspect else None
    except PrevizError as exc:
        raise WebError(exc.message) from None
    return {
        "planner": config.planner,
        "style": config.style,
        "aspect": aspect,
        "target_duration_s": config.target_duration_s,
    }


def project_config(settings: WebSettings, project: Project) -> PrevizConfig:
    """The full run settings of ``project``: its choices plus the server's overrides."""
    values = {k: v for k, v in (project.config or {}).items() if k in WEB_CONFIG_FIELDS}
    return PrevizConfig.model_validate(values | settings.run_overrides)


def project_dir(settings: WebSettings, project: Project) -> Path:
    """The project's run folder ``data_dir/projects/<public uuid>/`` (may not exist yet)."""
    return settings.projects_dir / project.public_id


def _display_name(filename: str) -> str:
    """The uploaded file's base name, for messages and titles only (never used as a path)."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:200] or "upload"


def create_project(
    db: Session,
    settings: WebSettings,
    owner: Principal,
    *,
    data: bytes,
    filename: str,
    title: str | None = None,
    config: PrevizConfig | Mapping[str, Any] | None = None,
) -> Project:
    """Create a project from an uploaded screenplay and queue its first run.

    The bytes are checked against the upload cap, sniffed and parsed before anything is
    stored; the script is saved as ``source.<format>`` in a new folder named by the
    project's uuid. On any error nothing is created.

    Args:
        db: the database session.
        settings: the app settings (data folder, upload cap).
        owner: the signed-in user (reviewers may not create projects).
        data: the whole uploaded file.
        filename: its name as the browser sent it (messages and default title only).
        title: the project's title; default the script's title or the file name.
        config: planner, style, aspect, target duration (other fields are ignored).

    Returns:
        The new project, with a queued ``run`` job.

    Raises:
        InputTooLargeError: the upload is larger than ``settings.max_upload_bytes``.
        ScriptError: not a screenplay, malformed, hostile XML, empty (from the parser).
        WebError: invalid settings.
        ForbiddenError: ``owner`` is a reviewer.
    """
    from screenplay.base import parse_bytes

    if not isinstance(owner, User):
        raise ForbiddenError("reviewers may not create projects")
    name = _display_name(filename)
    if len(data) > settings.max_upload_bytes:
        raise InputTooLargeError(
            f"upload is {len(data) / 1e6:.1f} MB; the limit is "
            f"{settings.max_upload_bytes / 1e6:.1f} MB",
            path=name,
        )
    fields = web_config(config)
    script = parse_bytes(data, name=name)
    chosen = (title or "").strip()[:200]
    project = Project(
        owner_id=owner.id,
        title=chosen or script.title_page.title or Path(name).stem or "Untitled",
        source_format=script.source.format,
        config=fields,
    )
    db.add(project)
    folder: Path | None = None
    try:
        db.flush()
        folder = project_dir(settings, project)
        folder.mkdir(mode=0o700, parents=True)
        (folder / project.source_name).write_bytes(data)
        _jobs.enqueue(db, project, "run")
        db.commit()
    except BaseException as exc:
        db.rollback()
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        if isinstance(exc, OSError):
            raise PrevizError(f"cannot store the script: {exc.strerror}", path=name) from None
        raise
    return project


def list_projects(db: Session, user: Principal) -> list[Project]:
    """The user's own projects, newest first (reviewers list nothing)."""
    if not isinstance(user, User):
        return []
    query = (
        select(Project)
        .where(Project.owner_id == user.id, Project.deleted.is_(False))
        .order_by(Project.created.desc(), Project.id.desc())
    )
    return list(db.scalars(query))


def get_project(db: Session, principal: Principal, public_id: str) -> Project:
    """The project ``public_id`` as ``principal`` may see it.

    Raises:
        NotFoundError: no such project, deleted, or not the principal's.
    """
    return find_project(db, principal, public_id)


def delete_project(
    db: Session, principal: Principal, project: Project, settings: WebSettings | None = None
) -> None:
    """Delete a project: hidden at once, its queued jobs cancelled, its folder removed.

    Args:
        db: the database session.
        principal: the owning user.
        project: the project.
        settings: where the run folder lies; without it the folder stays on disk.

    Raises:
        NotFoundError / ForbiddenError: not the principal's project / a reviewer.
    """
    require_editor(principal, project)
    project.deleted = True
    db.execute(
        update(Job)
        .where(Job.project_id == project.id, Job.state == "queued")
        .values(state="failed", error="the project was deleted", message="cancelled")
    )
    db.commit()
    if settings is not None:
        shutil.rmtree(project_dir(settings, project), ignore_errors=True)
