"""The project list, project creation, the project page, its job, media and sharing."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from previz.errors import InputTooLargeError, PrevizError
from previz.web import _memo as memo
from previz.web.models import Project, User
from previz.web.review_notes import review_notes_csv
from previz.web.routes._common import (
    TEMPLATES,
    Viewer,
    db_session,
    form_text,
    page,
    project_view,
    require_user,
    shot_views,
    viewer,
)
from previz.web.services import comments, jobs, projects, reviews, shares
from shots.base import PLANNERS
from shots.model import ShotPlan
from shots.style import list_styles

router = APIRouter()

Db = Annotated[Session, Depends(db_session)]

PLANNER_LABELS = {"auto": "Auto", "grammar": "Film grammar", "llm": "LLM"}
ASPECTS = [
    ("", "Style default"),
    ("2.39:1", "2.39:1 scope"),
    ("1.85:1", "1.85:1 flat"),
    ("16:9", "16:9"),
    ("9:16", "9:16 vertical"),
    ("1:1", "1:1 square"),
]

MEDIA: dict[str, tuple[str, str]] = {
    "animatic.mp4": ("video/mp4", "Animatic MP4"),
    "storyboard.pdf": ("application/pdf", "Storyboard PDF"),
    "shotlist.csv": ("text/csv; charset=utf-8", "Shot list CSV"),
    "shotlist.xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Shot list XLSX",
    ),
    "timeline.otio": ("application/json", "OTIO timeline"),
    "timeline.xml": ("application/xml", "FCP XML"),
    "timeline.edl": ("text/plain; charset=utf-8", "EDL"),
    "plan.json": ("application/json", "Plan JSON"),
}
"""The only files of a project folder the app serves, with their types: never a user's name."""


def _styles() -> list[str]:

    return sorted(list_styles())


def _planners() -> list[tuple[str, str]]:

    return [(name, PLANNER_LABELS.get(name, name)) for name in ["auto", *PLANNERS.names()]]


def _listed(db: Session, user: User, project: Project) -> dict[str, Any]:

    job = jobs.latest_job(db, user, project)
    return project_view(project) | {"job_state": job.state if job else None}


def _list_context(request: Request, db: Session, user: User) -> dict[str, Any]:

    settings = request.app.state.settings
    return {
        "user": user,
        "projects": [_listed(db, user, project) for project in projects.list_projects(db, user)],
        "planners": _planners(),
        "styles": _styles(),
        "aspects": ASPECTS,
        "max_upload_mib": settings.max_upload_bytes // (1024 * 1024),
        "form": {"planner": "auto", "style": "storyboard", "aspect": ""},
    }


@router.get("/")
async def project_list(request: Request, db: Db) -> Response:
    """The signed-in user's projects and the new-project form."""
    user = require_user(request, db)
    return page(request, "projects.html", _list_context(request, db, user))


@router.post("/projects")
async def create_project(request: Request, db: Db) -> Response:
    """Upload a script: sniffed and parsed by the service, then a run job is queued.

    A file that is not a screenplay (binary, hostile XML, empty) shows the error on the
    list page with status 422, and nothing is created.
    """
    user = require_user(request, db)
    form = await request.form()
    upload = form.get("script")
    values = {
        "title": form_text(form, "title", max_length=200),
        "planner": form_text(form, "planner", max_length=40) or "auto",
        "style": form_text(form, "style", max_length=80) or "storyboard",
        "aspect": form_text(form, "aspect", max_length=10),
        "target_duration": form_text(form, "target_duration", max_length=20),
    }
    try:
        if upload is None or isinstance(upload, str):
            raise PrevizError("choose a screenplay file to upload")
        data = await upload.read()
        config = _config(values)
        project = await run_in_threadpool(  # sniffing and parsing a PDF takes a while
            projects.create_project,
            db,
            request.app.state.settings,
            user,
            data=data,
            filename=upload.filename or "",
            title=values["title"] or None,
            config=config,
        )
    except PrevizError as exc:
        context = _list_context(request, db, user)
        context["form"] = values
        context["error"] = str(exc)
        status = 413 if isinstance(exc, InputTooLargeError) else 422
        return page(request, "projects.html", context, status_code=status)
    request.app.state.runner.notify()
    return RedirectResponse(f"/projects/{project.public_id}", status_code=303)


def _config(values: dict[str, str]) -> dict[str, Any]:
    """The run settings chosen in the form (the service validates them)."""
    duration: float | None = None
    if values["target_duration"]:
        try:
            duration = float(values["target_duration"])
        except ValueError:
            raise PrevizError("the target duration must be a number of seconds") from None
    return {
        "planner": values["planner"],
        "style": values["style"],
        "aspect": values["aspect"] or None,
        "target_duration_s": duration,
    }


@router.get("/projects/{project_id}")
async def project_page(request: Request, project_id: str, db: Db) -> Response:
    """Job progress, the animatic with shot markers, downloads, approvals, the shot grid."""
    view = viewer(request, db, project_id)
    plan = view.plan(db)
    folder = view.folder(request)
    latest = reviews.latest_statuses(db, view.principal, view.project)
    statuses = {shot_id: review.status for shot_id, review in latest.items()}
    notes = comments.comment_counts(db, view.principal, view.project)
    shot_ids = [shot.id for shot in plan.shots] if plan else []
    summary = reviews.count_statuses(statuses, shot_ids)
    summary["total"] = len(shot_ids)
    media_version = _media_version(folder)
    context = view.context() | {
        "job": jobs.latest_job(db, view.principal, view.project),
        "plan": plan,
        "first_shot_id": shot_ids[0] if shot_ids else None,
        "shot_count": len(shot_ids),
        "runtime_s": plan.duration_s if plan else 0.0,
        "has_animatic": (folder / "animatic.mp4").is_file(),
        "downloads": [
            (name, label) for name, (_, label) in MEDIA.items() if (folder / name).is_file()
        ],
        "summary": summary,
        "media_version": media_version,
        "fragments": _shot_fragments(view.project, plan, statuses, notes, media_version),
    }
    return page(request, "project.html", context)


def _shot_fragments(
    project: Project,
    plan: ShotPlan | None,
    statuses: dict[str, str],
    notes: dict[str, int],
    media_version: str,
) -> dict[str, Markup]:
    """The marker strip and the scene-by-scene shot grid, as HTML.

    They are most of the page and depend only on the plan version, the deliverables, the
    review statuses and the comment counts, so they are rendered once per combination of
    those (a 50-shot grid took 7 ms of Jinja on every view; a feature's thousand shots,
    far more).
    """
    if plan is None:
        return {"markers": Markup(), "grid": Markup()}
    key = (
        project.public_id,
        project.current_version,
        media_version,
        tuple(sorted(statuses.items())),
        tuple(sorted(notes.items())),
    )
    render = partial(_render_shot_fragments, project, plan, statuses, notes, media_version)
    return memo.fragments(key, render)


def _render_shot_fragments(
    project: Project,
    plan: ShotPlan,
    statuses: dict[str, str],
    notes: dict[str, int],
    media_version: str,
) -> dict[str, Markup]:

    shots = shot_views(plan, statuses, notes)
    by_scene: dict[str, list[dict[str, Any]]] = {}
    for shot in shots:
        by_scene.setdefault(shot["scene_id"], []).append(shot)
    scenes = [
        {"id": s.id, "number": s.number, "heading": s.heading, "shots": by_scene[s.id]}
        for s in plan.scenes
        if s.id in by_scene
    ]
    frame_w, frame_h = plan.style.frame_size(320)
    values = {
        "project": project_view(project),
        "shots": shots,
        "scenes": scenes,
        "media_version": media_version,
        "frame_w": frame_w,
        "frame_h": frame_h,
    }
    return {
        "markers": Markup(TEMPLATES.get_template("_shot_markers.html").render(values)),
        "grid": Markup(TEMPLATES.get_template("_shot_grid.html").render(values)),
    }


def _media_version(folder: Any) -> str:
    """Changes whenever the deliverables do, so browsers fetch new thumbnails and MP4."""
    manifest = folder / "manifest.json"
    try:
        return str(manifest.stat().st_mtime_ns)
    except OSError:
        return "0"


@router.get("/projects/{project_id}/media/{name}")
def project_media(request: Request, project_id: str, name: str, db: Db) -> Response:
    """A deliverable by its fixed name, with HTTP Range support (seeking in the MP4)."""
    if name not in MEDIA:
        raise HTTPException(status_code=404)
    view = viewer(request, db, project_id)
    path = view.folder(request) / name
    if not path.is_file():
        raise HTTPException(status_code=404)
    media_type, _ = MEDIA[name]
    disposition = "inline" if name.endswith((".mp4", ".pdf")) else "attachment"
    filename = f"{_file_stem(view)}-{name}"
    db.close()  # the file may stream for minutes to a slow player: give the connection back
    return FileResponse(
        path,
        media_type=media_type,
        filename=filename,
        content_disposition_type=disposition,
        headers={"cache-control": "private, no-cache"},
    )


@router.get("/projects/{project_id}/notes.csv")
async def review_notes(request: Request, project_id: str, db: Db) -> Response:
    """Every shot's status and comments as a CSV (owners and reviewers)."""
    view = viewer(request, db, project_id)
    plan = view.plan(db)
    if plan is None:
        raise HTTPException(status_code=404)
    body = review_notes_csv(
        plan,
        reviews.latest_statuses(db, view.principal, view.project),
        comments.all_comments(db, view.principal, view.project),
    )
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={
            "content-disposition": f'attachment; filename="{_file_stem(view)}-review-notes.csv"',
            "cache-control": "private, no-cache",
        },
    )


def _file_stem(view: Viewer) -> str:
    """The project title as a file name: letters and digits, the rest dashes."""
    stem = "".join(c if c.isalnum() else "-" for c in view.project.title)[:60].strip("-")
    return stem or "previz"


@router.post("/projects/{project_id}/delete")
async def delete_project(request: Request, project_id: str, db: Db) -> Response:
    """Delete a project (owner only; reviewers get 404)."""
    view = viewer(request, db, project_id, edit=True)
    await run_in_threadpool(  # removes the project's media folder
        projects.delete_project, db, view.principal, view.project, request.app.state.settings
    )
    return RedirectResponse("/", status_code=303)


_NEW_LINK = "new_share_link"
"""Session key holding a just-made reviewer link until the share page has shown it once."""


@router.get("/projects/{project_id}/share")
async def share_page(request: Request, project_id: str, db: Db) -> Response:
    """Reviewer links of a project (owner only); a link just made is shown this once."""
    view = viewer(request, db, project_id, edit=True)
    new = request.session.pop(_NEW_LINK, None)
    link = new.get("link") if isinstance(new, dict) and new.get("project") == project_id else None
    context = view.context() | {
        "shares": shares.list_shares(db, view.principal, view.project),
        "link": link,
    }
    return page(request, "share.html", context)


@router.post("/projects/{project_id}/share")
async def create_share(request: Request, project_id: str, db: Db) -> Response:
    """A new reviewer link, then the share page showing it (a reload makes no second one)."""
    view = viewer(request, db, project_id, edit=True)
    form = await request.form()
    label = form_text(form, "label", max_length=120) or "Reviewer"
    _, token = shares.create_share(db, view.principal, view.project, label=label)
    link = str(request.url_for("share_entry", token=token))
    request.session[_NEW_LINK] = {"project": project_id, "link": link}
    return RedirectResponse(f"/projects/{project_id}/share", status_code=303)


@router.post("/projects/{project_id}/share/{share_id}/revoke")
async def revoke_share(request: Request, project_id: str, share_id: int, db: Db) -> Response:
    """Revoke a reviewer link."""
    view = viewer(request, db, project_id, edit=True)
    shares.revoke_share(db, view.principal, view.project, share_id)
    return RedirectResponse(f"/projects/{project_id}/share", status_code=303)
