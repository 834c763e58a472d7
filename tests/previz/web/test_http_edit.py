"""Editing a shot re-renders it; versions can be viewed and restored; failures are shown."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from previz.errors import RenderError
from tests.previz.web._http import (
    client_for,
    finished_project,
    first_shot_id,
    owner_app,
    post,
    run_jobs,
)


class Project:
    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.client = client_for(app, "ann")
        self.pid = finished_project(app, self.client)
        self.shot_id = first_shot_id(self.get("").text)

    def get(self, path: str):  # type: ignore[no-untyped-def]
        return self.client.get(f"/projects/{self.pid}{path}")

    def post(self, path: str, data: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        return post(self.client, f"/projects/{self.pid}{path}", data)

    def image(self) -> bytes:
        response = self.get(f"/shots/{self.shot_id}/image")
        assert response.status_code == 200
        return response.content

    def field(self, name: str) -> str:
        page = self.get(f"/shots/{self.shot_id}").text
        match = re.search(rf"<dt>{name}</dt><dd>([^<]*)</dd>", page)
        assert match, name
        return match.group(1)

    def version_count(self) -> int:
        return self.get("/versions").text.count('class="version"')


@pytest.fixture
def project(tmp_path) -> Iterator[Project]:  # type: ignore[no-untyped-def]
    with owner_app(tmp_path) as app:
        yield Project(app)


def test_edit_makes_a_new_version_and_rerenders_the_shot(project: Project) -> None:
    before = project.image()
    assert project.field("Size") != "ECU"
    response = project.post(f"/shots/{project.shot_id}", {"size": "ECU", "angle": "low"})
    assert response.status_code == 303
    assert project.version_count() == 2
    job = project.get("/job").json()
    assert job["kind"] == "rerender" and job["state"] == "queued"
    page = project.get(f"/shots/{project.shot_id}").text
    assert 'data-state="queued"' in page
    run_jobs(project.app)
    assert project.get("/job").json()["state"] == "done"
    assert project.field("Size") == "ECU" and project.field("Angle") == "low"
    after = project.image()
    assert after.startswith(b"\x89PNG") and after != before
    versions = project.get("/versions").text
    assert re.search(r"edited \S+ size, angle", versions)


def test_invalid_edit_is_422_with_the_message_and_no_new_version(project: Project) -> None:
    response = project.post(f"/shots/{project.shot_id}", {"lens_mm": "3"})
    assert response.status_code == 422
    assert project.shot_id in response.text and "lens_mm" in response.text
    bad_size = project.post(f"/shots/{project.shot_id}", {"size": "HUGE"})
    assert bad_size.status_code == 422
    assert project.version_count() == 1


def test_edit_without_csrf_is_403(project: Project) -> None:
    url = f"/projects/{project.pid}/shots/{project.shot_id}"
    assert project.client.post(url, data={"size": "ECU"}).status_code == 403
    assert project.version_count() == 1


def test_view_and_restore_a_version(project: Project) -> None:
    original = project.field("Size")
    project.post(f"/shots/{project.shot_id}", {"size": "ECU"})
    run_jobs(project.app)
    edited_image = project.image()
    v1 = project.get("/versions/1").text
    assert re.search(
        rf'data-shot-id="{project.shot_id}"><td class="mono">[^<]+</td><td>{original}<', v1
    )
    response = project.post("/versions/1/restore")
    assert response.status_code == 303
    assert project.version_count() == 3
    assert project.get("/job").json()["kind"] == "assemble"
    run_jobs(project.app)
    assert project.field("Size") == original
    assert project.image() != edited_image
    assert "restored version 1" in project.get("/versions").text


def test_restoring_the_current_version_is_refused(project: Project) -> None:
    response = project.post("/versions/1/restore")
    assert response.status_code == 422
    assert project.version_count() == 1


def test_unknown_version_is_404(project: Project) -> None:
    assert project.get("/versions/99").status_code == 404
    assert project.post("/versions/99/restore").status_code == 404


def test_failed_job_shows_its_error_and_keeps_earlier_work(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    import previz.pipeline

    animatic = project.get("/media/animatic.mp4").content

    def broken(*args: object, **kwargs: object) -> None:
        raise RenderError(f"shot {project.shot_id}: the backend gave up")

    monkeypatch.setattr(previz.pipeline, "render_shots", broken)
    project.post(f"/shots/{project.shot_id}", {"size": "ECU"})
    run_jobs(project.app)
    job = project.get("/job").json()
    assert job["state"] == "failed" and "the backend gave up" in job["error"]
    page = project.get("").text
    assert 'data-state="failed"' in page
    assert re.search(r'id="job-error">[^<]*the backend gave up', page)
    assert project.version_count() == 2, "the edit's version and the first one remain"
    assert project.get("/versions/1").status_code == 200
    assert project.get("/media/animatic.mp4").content == animatic


def test_comment_thread_and_status_history(project: Project) -> None:
    base = f"/shots/{project.shot_id}"
    assert project.post(f"{base}/comments", {"body": "<b>bold</b> move"}).status_code == 303
    assert project.post(f"{base}/comments", {"body": "   "}).status_code == 422
    assert project.post(f"{base}/status", {"status": "changes_requested"}).status_code == 303
    assert project.post(f"{base}/status", {"status": "approved"}).status_code == 303
    assert project.post(f"{base}/status", {"status": "shipped"}).status_code == 422
    page = project.get(base).text
    assert "&lt;b&gt;bold&lt;/b&gt; move" in page, "comments are escaped"
    assert "<b>bold</b>" not in page
    history = re.findall(r'<li><span class="badge (\w+)">', page)
    assert history == ["approved", "changes_requested"]
    assert re.search(r"by ann · \d{4}-\d\d-\d\d \d\d:\d\d UTC", page)


def test_delete_project(project: Project) -> None:
    assert project.post("/delete").status_code == 303
    assert project.get("").status_code == 404
    assert project.pid not in project.client.get("/").text
    assert not (project.app.state.settings.projects_dir / project.pid).exists()
