"""A project's job progress: the latest job as JSON, or as a stream of server-sent events.

The project page listens to the stream (``EventSource``) and falls back to polling the JSON
when it cannot. The stream re-reads the job twice a second in a fresh database session,
re-checks that the asker may still see the project each time (a revoked link stops it),
sends an event only when something changed and a comment line every 15 s to keep proxies
from closing it, and ends when the job does (or after an hour; browsers reconnect).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from sqlalchemy.orm import Session

from previz.web.models import Job
from previz.web.routes._common import SignInRequired, db_session, viewer
from previz.web.services import NotFoundError, jobs

__all__ = ["ACTIVE_STATES", "job_view", "router"]

router = APIRouter()

Db = Annotated[Session, Depends(db_session)]

ACTIVE_STATES = frozenset({"queued", "running"})
"""States after which a job's progress can still change."""

_TICK_S = 0.5
_KEEPALIVE_S = 15.0
_MAX_STREAM_S = 3600.0


def job_view(job: Job | None) -> dict[str, Any]:
    """The job as the page reads it: state, stage, done, total, message, error."""
    if job is None:
        return {"state": "none"}
    return {
        "id": job.id,
        "kind": job.kind,
        "state": job.state,
        "stage": job.stage,
        "done": job.done,
        "total": job.total,
        "message": job.message,
        "error": job.error,
    }


@router.get("/projects/{project_id}/job")
async def project_job(request: Request, project_id: str, db: Db) -> Response:
    """The latest job as JSON (see :func:`job_view`)."""
    view = viewer(request, db, project_id)
    return JSONResponse(job_view(jobs.latest_job(db, view.principal, view.project)))


@router.get("/projects/{project_id}/job/events")
async def project_job_events(request: Request, project_id: str) -> Response:
    """The latest job as server-sent events (``event: job``), until it is over.

    No request-long database session: a stream may stay open for an hour, and must not
    hold one of the pool's connections (or an SQLite read transaction) all that time.
    """
    with request.app.state.sessions() as db:
        viewer(request, db, project_id)  # refusals answer before the stream starts
    return StreamingResponse(
        _job_events(request, project_id),
        media_type="text/event-stream",
        headers={"cache-control": "no-store", "x-accel-buffering": "no"},
    )


async def _job_events(request: Request, project_id: str) -> AsyncIterator[str]:
    sessions = request.app.state.sessions
    last: dict[str, Any] | None = None
    started = sent = time.monotonic()
    while time.monotonic() - started < _MAX_STREAM_S:
        with sessions() as db:
            try:
                view = viewer(request, db, project_id)
            except (NotFoundError, SignInRequired):
                return
            current = job_view(jobs.latest_job(db, view.principal, view.project))
        if current != last:
            yield f"event: job\ndata: {json.dumps(current)}\n\n"
            last, sent = current, time.monotonic()
        elif time.monotonic() - sent >= _KEEPALIVE_S:
            yield ": still here\n\n"
            sent = time.monotonic()
        if current["state"] not in ACTIVE_STATES:
            return
        await asyncio.sleep(_TICK_S)
