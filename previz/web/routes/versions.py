"""Plan versions: the list, one version's shots, and restoring one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from previz.web.routes._common import db_session, page, viewer
from previz.web.services import versions

router = APIRouter()

Db = Annotated[Session, Depends(db_session)]


@router.get("/projects/{project_id}/versions")
async def version_list(request: Request, project_id: str, db: Db) -> Response:
    """Every version of the plan, newest first."""
    view = viewer(request, db, project_id)
    context = view.context() | {
        "versions": versions.list_versions(db, view.principal, view.project),
    }
    return page(request, "versions.html", context)


@router.get("/projects/{project_id}/versions/{number}")
async def version_page(request: Request, project_id: str, number: int, db: Db) -> Response:
    """The shots of version ``number``."""
    view = viewer(request, db, project_id)
    plan = versions.get_version(db, view.principal, view.project, number)
    return page(request, "version.html", view.context() | {"number": number, "plan": plan})


@router.post("/projects/{project_id}/versions/{number}/restore")
async def restore_version(request: Request, project_id: str, number: int, db: Db) -> Response:
    """A new version equal to ``number``, and a job re-assembling the deliverables."""
    view = viewer(request, db, project_id, edit=True)
    versions.restore_version(db, view.principal, view.project, number)
    request.app.state.runner.notify()
    return RedirectResponse(f"/projects/{project_id}", status_code=303)
