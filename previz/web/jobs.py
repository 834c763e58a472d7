"""The job runner: one background thread running queued pipeline jobs, one at a time.

Jobs live in the database (:mod:`previz.web.services.jobs`), so a restart loses none: at
start-up jobs left ``running`` by a dead server are queued again, and the shot cache in the
run folder makes the re-run cheap. Progress goes into the job's row through the pipeline's
:class:`~previz.pipeline.Reporter` protocol.

Every server process (``previz serve --workers N``) has a runner, but only the one holding
the data folder's ``jobs.lock`` runs jobs; the others stand by and take over when it goes
away. Holding the lock is also what makes re-queueing ``running`` jobs safe: nobody else
can be running them.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from previz.config import PrevizConfig
from previz.deliverables import Deliverables
from previz.errors import PrevizError
from previz.fileio import write_atomically
from previz.progress import STAGE_LABELS
from previz.web.models import Job, Project
from previz.web.services import jobs as job_store
from previz.web.services.projects import project_config, project_dir
from previz.web.services.versions import load_version, record_version
from previz.web.settings import WebSettings
from shots.model import ShotPlan

__all__ = ["JobReporter", "JobRunner"]

log = logging.getLogger(__name__)

_WRITE_EVERY_S = 0.25
"""Progress is written at most this often (plus at every stage's start and end)."""


class JobReporter:
    """A pipeline :class:`~previz.pipeline.Reporter` that writes progress into a job's row."""

    def __init__(self, sessions: sessionmaker[Session], job_id: int) -> None:
        self.sessions = sessions
        self.job_id = job_id
        self.done = 0
        self.total: int | None = None
        self._written = 0.0

    def _write(self, **values: object) -> None:
        with self.sessions() as db:
            db.execute(update(Job).where(Job.id == self.job_id).values(**values))
            db.commit()
        self._written = time.monotonic()

    def start(self, stage: str, total: int | None = None) -> None:
        """A stage begins."""
        self.done, self.total = 0, total
        label = STAGE_LABELS.get(stage, stage)
        self._write(stage=stage, done=0, total=total, message=label)

    def advance(self, stage: str, steps: int = 1) -> None:
        """Steps of the stage are done (written at most every quarter second)."""
        self.done += steps
        if time.monotonic() - self._written >= _WRITE_EVERY_S:
            self._write(done=self.done)

    def finish(self, stage: str) -> None:
        """The stage is done."""
        done = self.total if self.total is not None else self.done
        self._write(done=done)


class _PlanRecorder(JobReporter):
    """Also stores ``plan.json`` as version 1 the moment the planning stage has written it."""

    def __init__(self, sessions: sessionmaker[Session], job_id: int, folder: Path) -> None:
        super().__init__(sessions, job_id)
        self.folder = folder

    def finish(self, stage: str) -> None:
        super().finish(stage)
        if stage != "plan" or not (self.folder / "plan.json").is_file():
            return
        from shots.model import load_plan

        plan = load_plan(self.folder / "plan.json")
        with self.sessions() as db:
            job = db.get(Job, self.job_id)
            if job is None or job.project.current_version:
                return
            record_version(db, job.project, plan, created_by="pipeline", note="first plan")
            db.commit()


class JobRunner:
    """Runs queued jobs in a background thread (``start``) or synchronously (``run_pending``).

    Args:
        settings: the app settings (data folder, run overrides).
        sessions: a session factory on the app's database.
        poll_s: how often the idle thread looks for new jobs (and a standby runner for
            the lock).
    """

    def __init__(
        self, settings: WebSettings, sessions: sessionmaker[Session], *, poll_s: float = 1.0
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.poll_s = poll_s
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = FileLock(settings.data_dir / "jobs.lock", thread_local=False)

    @property
    def active(self) -> bool:
        """Whether this runner holds the data folder's job lock (and so runs the jobs)."""
        return self._lock.is_locked

    def recover(self) -> int:
        """Queue again the jobs a dead server left ``running``; returns how many."""
        with self.sessions() as db:
            count = job_store.requeue_interrupted(db)
        if count:
            log.info("re-queued %d interrupted job(s)", count)
        return count

    def start(self) -> None:
        """Start the worker thread (a daemon); if no other process runs jobs for this data
        folder, take the job lock and re-queue interrupted jobs first."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._try_activate()
        self._thread = threading.Thread(target=self._loop, name="previz-jobs", daemon=True)
        self._thread.start()

    def _try_activate(self) -> bool:
        """Take the job lock if it is free; the first time, re-queue interrupted jobs."""
        if self._lock.is_locked:
            return True
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            return False
        log.info("this process runs the jobs of %s", self.settings.data_dir)
        try:
            self.recover()
        except Exception:
            self._lock.release(force=True)  # try again, recovery included, next time
            raise
        return True

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the thread to stop after its current job; wait up to ``timeout`` seconds.

        A job still running then is left ``running`` (the lock is kept until the process
        ends) and re-queued by the next runner to take the lock.
        """
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                return
            self._thread = None
        if self._lock.is_locked:
            self._lock.release(force=True)

    def notify(self) -> None:
        """Wake the idle thread now (after queueing a job)."""
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                ran = self._try_activate() and self.run_next()
            except Exception:  # the database went away: keep the thread alive
                log.exception("job runner: cannot reach the database")
                ran = False
            if not ran:
                self._wake.wait(self.poll_s)
                self._wake.clear()

    def run_pending(self) -> int:
        """Run queued jobs until none is left, in this thread; returns how many ran."""
        count = 0
        while self.run_next():
            count += 1
        return count

    def run_next(self) -> bool:
        """Claim and run the oldest queued job; ``False`` when none is queued."""
        with self.sessions() as db:
            job = job_store.claim_next(db)
            if job is None:
                return False
            log.info("job %d (%s) of project %s started", job.id, job.kind, job.project.public_id)
            try:
                self._execute(db, job, job.project)
            except PrevizError as exc:
                db.rollback()
                log.warning("job %d failed: %s", job.id, exc)
                job_store.finish_job(db, job, error=str(exc))
            except Exception as exc:
                db.rollback()
                log.exception("job %d crashed", job.id)
                job_store.finish_job(
                    db, job, error=f"internal error ({exc.__class__.__name__}); see the server log"
                )
            else:
                job_store.finish_job(db, job)
            return True

    def _execute(self, db: Session, job: Job, project: Project) -> None:
        from previz import pipeline

        if project.deleted:
            raise PrevizError(f"project {project.public_id!r} was deleted")
        folder = project_dir(self.settings, project)
        config = project_config(self.settings, project)
        db.refresh(project)
        if job.kind == "run" and not project.current_version:
            source = folder / project.source_name
            db.commit()  # no transaction stays open while the pipeline runs
            reporter = _PlanRecorder(self.sessions, job.id, folder)
            pipeline.run(source, folder, config, reporter=reporter)
            return
        # An edit, a restore, or a first run resumed after its plan was stored: render the
        # version through the cache (unchanged shots cost nothing) and assemble.
        plan = load_version(db, project, job.plan_version or project.current_version)
        db.commit()
        self._render_and_assemble(plan, folder, config, JobReporter(self.sessions, job.id))

    @staticmethod
    def _render_and_assemble(
        plan: ShotPlan, folder: Path, config: PrevizConfig, reporter: JobReporter
    ) -> None:
        from previz import pipeline

        write_atomically(folder / "plan.json", plan.model_dump_json(indent=2, exclude_none=True))
        renders = pipeline.render_shots(plan, folder, config, reporter=reporter)
        manifest = Deliverables(config=config.model_dump(mode="json"))
        manifest.rendered = sum(1 for render in renders.renders if not render.cached)
        pipeline.assemble(plan, renders, folder, config, reporter=reporter, manifest=manifest)
