"""Job progress as server-sent events: one event per change, the stream ends with the job."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from previz.web.jobs import JobReporter
from previz.web.services import jobs
from tests.conftest import TINY_FOUNTAIN
from tests.previz.web._http import (
    add_user,
    client_for,
    finished_project,
    owner_app,
    project_id,
    upload,
)

STEP_S = 1.2
"""Between two progress writes: over twice the stream's half-second tick."""


@pytest.fixture
def app(tmp_path: Path) -> Iterator[FastAPI]:
    with owner_app(tmp_path) as app:
        add_user(app, "bob")
        yield app


def _events(client: TestClient, url: str) -> list[dict]:
    """Every ``job`` event of the stream at ``url``, read until the server ends it."""
    events = []
    with client.stream("GET", url) as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert stream.headers["cache-control"] == "no-store"
        kind = None
        for line in stream.iter_lines():
            if line.startswith("event: "):
                kind = line.removeprefix("event: ")
            elif line.startswith("data: ") and kind == "job":
                events.append(json.loads(line.removeprefix("data: ")))
    return events


def test_a_finished_job_is_one_event_and_the_end(app: FastAPI) -> None:
    ann = client_for(app, "ann")
    pid = finished_project(app, ann)
    events = _events(ann, f"/projects/{pid}/job/events")
    assert [event["state"] for event in events] == ["done"]
    assert events[0] == ann.get(f"/projects/{pid}/job").json(), "the same view as the JSON"


def test_the_stream_follows_a_running_job_to_its_end(app: FastAPI) -> None:
    """The job's row moves as the runner's reporter writes it, slower than the stream's
    tick, so every step is seen; the stream ends by itself when the job is done."""
    ann = client_for(app, "ann")
    pid = project_id(upload(ann, "lighthouse.fountain", TINY_FOUNTAIN.encode(), "text/plain"))
    sessions = app.state.sessions

    def run_slowly() -> None:
        time.sleep(STEP_S)
        with sessions() as db:
            job = jobs.claim_next(db)
            assert job is not None
            reporter = JobReporter(sessions, job.id)
            reporter.start("render", 3)
            for _ in range(3):
                time.sleep(STEP_S)
                reporter.advance("render")
            time.sleep(STEP_S)
            jobs.finish_job(db, job)

    runner = threading.Thread(target=run_slowly)
    runner.start()
    try:
        events = _events(ann, f"/projects/{pid}/job/events")
    finally:
        runner.join(timeout=60)
    states = [event["state"] for event in events]
    assert states[0] == "queued" and states[-1] == "done", states
    running = [event["done"] for event in events if event["state"] == "running"]
    assert running == sorted(running) and len(running) >= 3, running
    assert len({json.dumps(event, sort_keys=True) for event in events}) == len(events), (
        "an event only when something changed"
    )


def test_refusals_come_before_the_stream(app: FastAPI) -> None:
    ann = client_for(app, "ann")
    pid = finished_project(app, ann)
    url = f"/projects/{pid}/job/events"
    assert client_for(app, "bob").get(url).status_code == 404
    visitor = client_for(app).get(url)
    assert visitor.status_code == 401 and visitor.json() == {"error": "sign in first"}


def test_an_open_stream_holds_no_database_connection(app: FastAPI) -> None:
    """Streams stay open for as long as a job runs: each must not keep a pooled
    connection, or a few watching browsers would starve every other request."""
    ann = client_for(app, "ann")
    pid = project_id(upload(ann, "lighthouse.fountain", TINY_FOUNTAIN.encode(), "text/plain"))
    pool = app.state.sessions.kw["bind"].pool
    with ann.stream("GET", f"/projects/{pid}/job/events") as stream:
        lines = stream.iter_lines()
        assert next(lines) == "event: job" and '"queued"' in next(lines)
        assert pool.checkedout() == 0
        assert ann.get(f"/projects/{pid}").status_code == 200
