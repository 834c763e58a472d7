"""The job runner runs the real pipeline: first run, re-render, restore, resume, failure."""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from previz.deliverables import file_sha256
from previz.web.jobs import JobReporter, JobRunner
from previz.web.models import Job, Project, User
from previz.web.services import jobs, projects, versions
from previz.web.settings import WebSettings

DELIVERABLES = (
    "animatic.mp4",
    "storyboard.pdf",
    "shotlist.csv",
    "shotlist.xlsx",
    "timeline.otio",
    "timeline.xml",
    "timeline.edl",
    "manifest.json",
)


class _ServerKilled(BaseException):
    """Stands in for the process dying mid-job (not an error the runner may catch)."""


def _renders(folder: Path) -> dict[str, bool]:
    data = json.loads((folder / "renders.json").read_text(encoding="utf-8"))
    return {render["shot_id"]: render["cached"] for render in data["renders"]}


def _job(sessions: sessionmaker[Session], job_id: int) -> Job:
    with sessions() as db:
        job = db.get(Job, job_id)
        assert job is not None
        return job


@pytest.fixture
def done(db: Session, settings: WebSettings, sessions: sessionmaker[Session], owned):  # type: ignore[no-untyped-def]
    """Alice's tiny project after its first run: (user, project, folder, runner)."""
    alice, project = owned
    runner = JobRunner(settings, sessions)
    assert runner.run_pending() == 1
    db.refresh(project)
    return alice, project, projects.project_dir(settings, project), runner


def test_the_first_run_makes_every_deliverable_and_version_1(db: Session, done) -> None:  # type: ignore[no-untyped-def]
    alice, project, folder, _ = done
    job = jobs.latest_job(db, alice, project)
    assert job is not None
    assert (job.kind, job.state, job.error, job.attempts) == ("run", "done", None, 1)
    assert job.stage == "timeline" and job.finished is not None
    for name in DELIVERABLES:
        assert (folder / name).stat().st_size > 0, name
    plan = versions.current_plan(db, alice, project)
    assert plan is not None and project.current_version == 1
    assert [(v.number, v.created_by) for v in versions.list_versions(db, alice, project)] == [
        (1, "pipeline")
    ]
    assert set(_renders(folder)) == {shot.id for shot in plan.shots}
    for shot in plan.shots:
        assert (folder / "shots" / f"{shot.id}.png").is_file()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["shots"] == len(plan.shots) and manifest["rendered"] == len(plan.shots)


def test_an_edit_rerenders_only_that_shot_and_reassembles(db: Session, done) -> None:  # type: ignore[no-untyped-def]
    alice, project, folder, runner = done
    plan = versions.current_plan(db, alice, project)
    shot = plan.shots[1]  # type: ignore[union-attr]
    image = folder / "shots" / f"{shot.id}.png"
    old_image, old_animatic = file_sha256(image), file_sha256(folder / "animatic.mp4")
    _, job = versions.edit_shot(db, alice, project, shot.id, {"size": "ECU", "angle": "low"})
    assert runner.run_pending() == 1
    job = jobs.latest_job(db, alice, project)
    assert (job.kind, job.state, job.error) == ("rerender", "done", None)  # type: ignore[union-attr]
    assert _renders(folder) == {s.id: s.id != shot.id for s in plan.shots}  # type: ignore[union-attr]
    assert file_sha256(image) != old_image
    assert file_sha256(folder / "animatic.mp4") != old_animatic
    on_disk = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    assert [s["size"] for s in on_disk["shots"] if s["id"] == shot.id] == ["ECU"]


def test_restore_reassembles_the_old_version_from_the_cache(db: Session, done) -> None:  # type: ignore[no-untyped-def]
    alice, project, folder, runner = done
    shot_id = versions.current_plan(db, alice, project).shots[0].id  # type: ignore[union-attr]
    image = folder / "shots" / f"{shot_id}.png"
    original = file_sha256(image)
    versions.edit_shot(db, alice, project, shot_id, {"size": "INSERT"})
    runner.run_pending()
    assert file_sha256(image) != original
    versions.restore_version(db, alice, project, 1)
    assert runner.run_pending() == 1
    job = jobs.latest_job(db, alice, project)
    assert (job.kind, job.state) == ("assemble", "done")  # type: ignore[union-attr]
    assert all(_renders(folder).values())  # every shot from the cache
    assert file_sha256(image) == original
    assert json.loads((folder / "plan.json").read_text(encoding="utf-8")) == json.loads(
        versions.get_version(db, alice, project, 1).model_dump_json(exclude_none=True)
    )


def test_a_job_left_running_is_requeued_and_finishes_from_the_cache(
    db: Session,
    settings: WebSettings,
    sessions: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
    owned: tuple[User, Project],
) -> None:
    from previz import pipeline

    alice, project = owned
    folder = projects.project_dir(settings, project)

    def killed(*args: object, **kwargs: object) -> None:
        raise _ServerKilled

    monkeypatch.setattr(pipeline, "assemble", killed)
    with pytest.raises(_ServerKilled):
        JobRunner(settings, sessions).run_pending()
    monkeypatch.undo()
    job = jobs.latest_job(db, alice, project)
    assert job is not None and job.state == "running"  # the server died with it
    assert not (folder / "animatic.mp4").exists()
    rendered = _renders(folder)
    assert rendered and not any(rendered.values())

    restarted = JobRunner(settings, sessions)
    assert restarted.recover() == 1
    assert restarted.run_pending() == 1
    job = _job(sessions, job.id)
    assert (job.state, job.error, job.attempts) == ("done", None, 2)
    assert all(_renders(folder).values())  # nothing rendered twice
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["rendered"] == 0
    db.refresh(project)
    assert project.current_version == 1
    assert [v.number for v in versions.list_versions(db, alice, project)] == [1]


def test_a_failing_job_records_its_error_and_loses_nothing(
    db: Session,
    settings: WebSettings,
    sessions: sessionmaker[Session],
    done,  # type: ignore[no-untyped-def]
) -> None:
    alice, project, folder, runner = done
    shot_id = versions.current_plan(db, alice, project).shots[0].id  # type: ignore[union-attr]
    before = {name: file_sha256(folder / name) for name in DELIVERABLES}
    versions.edit_shot(db, alice, project, shot_id, {"size": "CU"})
    broken = dataclasses.replace(settings, run_overrides={"backend": "no-such-backend"})
    assert JobRunner(broken, sessions).run_pending() == 1
    job = jobs.latest_job(db, alice, project)
    assert job is not None and job.state == "failed"
    assert "no-such-backend" in (job.error or "")
    assert [v.number for v in versions.list_versions(db, alice, project)] == [2, 1]
    assert versions.get_version(db, alice, project, 1) is not None
    assert {name: file_sha256(folder / name) for name in DELIVERABLES} == before
    versions.restore_version(db, alice, project, 1)  # the earlier version still works
    assert runner.run_pending() == 1
    assert jobs.latest_job(db, alice, project).state == "done"  # type: ignore[union-attr]


def test_progress_is_written_into_the_job_row(
    db: Session, sessions: sessionmaker[Session], owned: tuple[User, Project]
) -> None:
    alice, project = owned
    job = jobs.latest_job(db, alice, project)
    reporter = JobReporter(sessions, job.id)  # type: ignore[union-attr]
    reporter.start("render", 3)
    row = _job(sessions, job.id)  # type: ignore[union-attr]
    assert (row.stage, row.done, row.total, row.message) == ("render", 0, 3, "Rendering shots")
    for _ in range(3):
        reporter.advance("render")
    reporter.finish("render")
    row = _job(sessions, job.id)  # type: ignore[union-attr]
    assert (row.stage, row.done, row.total) == ("render", 3, 3)


def test_the_background_thread_runs_queued_jobs(
    settings: WebSettings, sessions: sessionmaker[Session], owned: tuple[User, Project]
) -> None:
    _, project = owned
    runner = JobRunner(settings, sessions, poll_s=0.05)
    runner.start()
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            with sessions() as check:
                state = check.scalar(select(Job.state).where(Job.project_id == project.id))
            if state in {"done", "failed"}:
                break
            time.sleep(0.1)
    finally:
        runner.stop(timeout=300)
    assert state == "done"
    with sessions() as check:
        assert check.scalar(select(Project.current_version).where(Project.id == project.id)) == 1


def test_a_deleted_project_job_is_not_run(
    db: Session, settings: WebSettings, sessions, owned: tuple[User, Project]
) -> None:  # type: ignore[no-untyped-def]
    alice, project = owned
    projects.delete_project(db, alice, project, settings)
    assert JobRunner(settings, sessions).run_pending() == 0
    assert not projects.project_dir(settings, project).exists()


def test_a_job_interrupted_too_often_is_failed_not_retried(
    db: Session, settings: WebSettings, sessions: sessionmaker[Session], owned: tuple[User, Project]
) -> None:
    alice, project = owned
    job = jobs.latest_job(db, alice, project)
    assert job is not None
    job.state, job.attempts = "running", jobs.MAX_ATTEMPTS
    db.commit()
    runner = JobRunner(settings, sessions)
    assert runner.recover() == 0
    assert runner.run_pending() == 0
    row = _job(sessions, job.id)
    assert row.state == "failed" and "interrupted 3 times" in (row.error or "")


def test_only_the_runner_holding_the_job_lock_runs_jobs(
    db: Session, settings: WebSettings, sessions: sessionmaker[Session], owned: tuple[User, Project]
) -> None:
    """``previz serve --workers N``: each process has a runner, the lock holder runs jobs;
    when it goes away, a standby runner takes the lock and re-queues what it left running."""
    from filelock import FileLock

    alice, project = owned
    job = jobs.latest_job(db, alice, project)
    assert job is not None
    other_process = FileLock(settings.data_dir / "jobs.lock", thread_local=False)
    other_process.acquire()
    job.state, job.attempts = "running", 1  # the other process is running it
    db.commit()
    runner = JobRunner(settings, sessions, poll_s=0.05)
    runner.start()
    try:
        time.sleep(0.5)
        assert not runner.active
        assert _job(sessions, job.id).state == "running", "a standby runner must not touch it"
        other_process.release()  # the other process died mid-job
        deadline = time.monotonic() + 300
        while _job(sessions, job.id).state not in {"done", "failed"}:
            assert time.monotonic() < deadline, "the standby runner never took over"
            time.sleep(0.1)
        assert runner.active
    finally:
        runner.stop(timeout=300)
    row = _job(sessions, job.id)
    assert (row.state, row.attempts) == ("done", 2)
    assert not runner.active, "stop() gives the lock back"


def test_an_unknown_job_kind_is_refused(db: Session, owned: tuple[User, Project]) -> None:
    from previz.web.services import WebError

    _, project = owned
    with pytest.raises(WebError, match="unknown job kind 'render'"):
        jobs.enqueue(db, project, "render")
