"""One shot: its page, its image, editing (new version + re-render), comments, review status."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from previz.errors import PrevizError
from previz.web import _memo as memo
from previz.web.routes._common import (
    STATUS_LABELS,
    Viewer,
    db_session,
    form_text,
    page,
    shot_id_or_404,
    viewer,
)
from previz.web.services import comments, jobs, reviews, versions
from shots.model import ANGLES, MOVEMENTS, SIZES, ShotPlan

router = APIRouter()

Db = Annotated[Session, Depends(db_session)]

EDITABLE = ("size", "angle", "movement", "lens_mm", "duration_s", "description", "prompt")
"""The shot fields the edit form sends (validated by the ``Shot`` model in the service)."""

_IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
}

_CACHE_VERSIONED = "private, max-age=31536000, immutable"


def _plan_or_404(plan: ShotPlan | None, shot_id: str) -> ShotPlan:
    if plan is None or shot_id not in {shot.id for shot in plan.shots}:
        raise HTTPException(status_code=404)
    return plan


@router.get("/projects/{project_id}/shots/{shot_id}")
async def shot_page(request: Request, project_id: str, shot_id: str, db: Db) -> Response:
    """The shot's frame, fields, edit form (owners), review status and comments."""
    return _shot_page(request, db, project_id, shot_id_or_404(shot_id))


def _shot_page(
    request: Request,
    db: Session,
    project_id: str,
    shot_id: str,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:

    view = viewer(request, db, project_id)
    plan = _plan_or_404(view.plan(db), shot_id)
    ids = [shot.id for shot in plan.shots]
    index = ids.index(shot_id)
    history = reviews.history(db, view.principal, view.project, shot_id)
    folder = view.folder(request)
    manifest = folder / "manifest.json"
    context = view.context() | {
        "shot": plan.shot(shot_id),
        "status": history[0].status if history else "pending",
        "history": history,
        "comments": comments.list_comments(db, view.principal, view.project, shot_id),
        "job": jobs.latest_job(db, view.principal, view.project),
        "prev_id": ids[index - 1] if index > 0 else None,
        "next_id": ids[index + 1] if index + 1 < len(ids) else None,
        "sizes": SIZES,
        "angles": ANGLES,
        "movements": MOVEMENTS,
        "media_version": manifest.stat().st_mtime_ns if manifest.is_file() else 0,
        "error": error,
        "status_labels": STATUS_LABELS,
    }
    return page(request, "shot.html", context, status_code=status_code)


@router.get("/projects/{project_id}/shots/{shot_id}/image")
async def shot_image(request: Request, project_id: str, shot_id: str, db: Db) -> Response:
    """The shot's rendered panel, found through ``renders.json``; never a path from the URL."""
    shot_id = shot_id_or_404(shot_id)
    view = viewer(request, db, project_id)
    folder = view.folder(request).resolve()
    try:
        renders = memo.render_set(folder / "renders.json")  # OSError: not rendered yet
        path = renders.media_path(folder, shot_id).resolve()
    except (OSError, KeyError):
        raise HTTPException(status_code=404) from None
    media_type = _IMAGE_TYPES.get(path.suffix.lower())
    if media_type is None or not path.is_relative_to(folder):
        raise HTTPException(status_code=404)
    try:
        stat = path.stat()
    except OSError:
        raise HTTPException(status_code=404) from None
    # A versioned URL (``?v=`` changes whenever the deliverables do) never changes content:
    # browsers keep it; a bare URL is revalidated (ETag, 304).
    versioned = "v" in request.query_params
    headers = {
        "cache-control": _CACHE_VERSIONED if versioned else "private, no-cache",
        "etag": f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"',
    }
    if headers["etag"] in {t.strip() for t in request.headers.get("if-none-match", "").split(",")}:
        return Response(status_code=304, headers=headers)
    # A panel is tens of kilobytes from the page cache: one read here is cheaper than a
    # streamed FileResponse, which hops to a worker thread for every step.
    try:
        body = path.read_bytes()
    except OSError:
        raise HTTPException(status_code=404) from None
    return Response(body, media_type=media_type, headers=headers)


@router.post("/projects/{project_id}/shots/{shot_id}")
async def edit_shot(request: Request, project_id: str, shot_id: str, db: Db) -> Response:
    """Save the edited fields as a new plan version and queue the shot's re-render."""
    shot_id = shot_id_or_404(shot_id)
    view = viewer(request, db, project_id, edit=True)
    form = await request.form()
    changes: dict[str, Any] = {
        name: form_text(form, name, max_length=4000) for name in EDITABLE if name in form
    }
    try:
        versions.edit_shot(db, view.principal, view.project, shot_id, changes)
    except PrevizError as exc:
        return _shot_page(request, db, project_id, shot_id, error=str(exc), status_code=422)
    request.app.state.runner.notify()
    return RedirectResponse(f"/projects/{project_id}/shots/{shot_id}", status_code=303)


async def _shot_form(
    request: Request, db: Session, project_id: str, shot_id: str
) -> tuple[Viewer, str, FormData]:
    """Who posts about which shot of which project, and the form they sent (404s first)."""
    shot_id = shot_id_or_404(shot_id)
    view = viewer(request, db, project_id)
    _plan_or_404(view.plan(db), shot_id)
    return view, shot_id, await request.form()


@router.post("/projects/{project_id}/shots/{shot_id}/comments")
async def add_comment(request: Request, project_id: str, shot_id: str, db: Db) -> Response:
    """Add a comment to the shot's thread (owners and reviewers)."""
    view, shot_id, form = await _shot_form(request, db, project_id, shot_id)
    body = form_text(form, "body", max_length=5000)
    try:
        if not body:
            raise PrevizError("a comment needs some text")
        comments.add_comment(db, view.principal, view.project, shot_id, body)
    except PrevizError as exc:
        return _shot_page(request, db, project_id, shot_id, error=str(exc), status_code=422)
    return RedirectResponse(f"/projects/{project_id}/shots/{shot_id}#comments", status_code=303)


@router.post("/projects/{project_id}/shots/{shot_id}/status")
async def set_status(request: Request, project_id: str, shot_id: str, db: Db) -> Response:
    """Approve, request changes, or reset to pending (owners and reviewers)."""
    view, shot_id, form = await _shot_form(request, db, project_id, shot_id)
    status = form_text(form, "status", max_length=40)
    if status not in STATUS_LABELS:
        return _shot_page(
            request, db, project_id, shot_id, error=f"unknown status {status!r}", status_code=422
        )
    reviews.set_status(db, view.principal, view.project, shot_id, status)
    return RedirectResponse(f"/projects/{project_id}/shots/{shot_id}#review", status_code=303)
