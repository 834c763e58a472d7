"""The render stage: every shot of a plan through one backend, via the shot cache."""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from previz.errors import RenderError
from render.base import BACKENDS, RenderBackend, RenderRequest
from render.cache import IGNORED_SHOT_FIELDS, ShotCache, cache_key, link_into
from render.model import RenderSet, ShotRender
from shots.model import ShotPlan

__all__ = ["DEFAULT_LONG_SIDE", "get_backend", "plan_sha256", "render_plan"]

DEFAULT_LONG_SIDE = 1280
"""Panels are 1280 px on their long side (1280x720 at 16:9)."""

Progress = Callable[[str, bool], None]
"""Called after each shot with its id and whether it came from the cache."""


def get_backend(name: str, **options: Any) -> RenderBackend:
    """An instance of the backend registered as ``name``.

    ``options`` (model, device, steps...) go to the class's ``from_options`` where it has
    one (the diffusion backends); backends without it take none.
    """
    try:
        factory = BACKENDS.get(name)
    except KeyError as exc:
        raise RenderError(str(exc.args[0])) from None
    from_options = getattr(factory, "from_options", None)
    return from_options(**options) if from_options is not None else factory()


def plan_sha256(plan: ShotPlan) -> str:
    """A fingerprint of the plan's content."""
    return hashlib.sha256(plan.model_dump_json().encode()).hexdigest()


def render_plan(
    plan: ShotPlan,
    backend: RenderBackend,
    out_dir: Path,
    *,
    long_side: int = DEFAULT_LONG_SIDE,
    only: Iterable[str] | None = None,
    on_shot: Progress | None = None,
) -> RenderSet:
    """Render every shot of ``plan`` that the cache does not already hold.

    Media go to ``out_dir/cache/`` under their content key and are linked as
    ``out_dir/shots/<shot id><suffix>``. A killed run loses at most the shot in progress.

    Args:
        plan: the shot plan.
        backend: the render backend.
        out_dir: the run's output folder.
        long_side: pixels on the frame's long side; the style gives the aspect ratio.
        only: render just these shot ids (after a hand edit); the others are taken from
            the cache when there and left out of the render set when not.
        on_shot: progress callback.

    Raises:
        RenderError: a shot failed; the message names it. Shots done before stay cached.
    """
    width, height = plan.style.frame_size(long_side)
    cache = ShotCache(out_dir / "cache")
    settings = backend.settings()
    ignored = getattr(backend, "cache_ignores", IGNORED_SHOT_FIELDS)
    shot_settings = getattr(backend, "shot_settings", None)  # per shot (reference images)
    wanted = set(only) if only is not None else None
    unknown = (wanted or set()) - {shot.id for shot in plan.shots}
    if unknown:
        raise RenderError(f"no shot {', '.join(sorted(unknown))} in the plan")

    jobs: list[_Job] = []
    for shot in plan.shots:
        request = RenderRequest(
            shot=shot,
            style=plan.style,
            width=width,
            height=height,
            characters=tuple(plan.characters),
            fps=plan.fps,
        )
        extra = shot_settings(request) if shot_settings is not None else None
        key = cache_key(backend.name, settings, request, backend.kind, ignored, extra=extra)
        cached = cache.get(key, backend.suffix)
        if cached is None and wanted is not None and shot.id not in wanted:
            continue  # not asked for and not rendered before: left out
        jobs.append(_Job(shot.id, request, key, cached))

    renders: dict[str, ShotRender] = {}

    def done(job: _Job, path: Path, seconds: float) -> None:
        media = out_dir / "shots" / f"{job.shot_id}{backend.suffix}"
        link_into(path, media)
        renders[job.shot_id] = ShotRender(
            shot_id=job.shot_id,
            kind=backend.kind,
            path=media.relative_to(out_dir).as_posix(),
            width=width,
            height=height,
            backend=backend.name,
            cache_key=job.key,
            seed=job.request.shot.seed,
            duration_s=job.request.shot.duration_s if backend.kind == "clip" else None,
            fps=plan.fps if backend.kind == "clip" else None,
            seconds=round(seconds, 4),
            cached=job.cached is not None,
        )
        if on_shot is not None:
            on_shot(job.shot_id, job.cached is not None)

    for job in jobs:
        if job.cached is not None:
            done(job, job.cached, 0.0)
    missing = [job for job in jobs if job.cached is None]
    workers = _workers(backend, len(missing))
    if missing and hasattr(backend, "render_batch"):
        _render_in_batches(backend, missing, cache, done)
    elif workers > 1:
        _render_in_processes(backend, missing, cache, workers, done)
    else:
        for job in missing:
            path, seconds = _render_one(backend, job, cache)
            done(job, path, seconds)

    return RenderSet(
        plan_sha256=plan_sha256(plan),
        backend=backend.name,
        backend_settings=settings,
        width=width,
        height=height,
        renders=[renders[job.shot_id] for job in jobs],
    )


@dataclass(frozen=True, slots=True)
class _Job:
    shot_id: str
    request: RenderRequest
    key: str
    cached: Path | None


def _workers(backend: RenderBackend, count: int) -> int:
    """Processes for ``count`` shots: every core for CPU backends that allow it."""
    if not getattr(backend, "parallel", False) or count < 8:
        return 1
    return max(1, min(os.cpu_count() or 1, count // 4))


def _render_one(backend: RenderBackend, job: _Job, cache: ShotCache) -> tuple[Path, float]:
    """Render ``job`` into the cache; errors name the shot."""
    start = time.perf_counter()
    try:
        path = cache.put(job.key, backend.suffix, lambda dest: backend.render(job.request, dest))
    except RenderError as exc:
        exc.message = f"shot {job.shot_id}: {exc.message}"
        exc.args = (exc.message,)
        raise
    except MemoryError:
        raise RenderError(f"shot {job.shot_id}: out of memory") from None
    return path, time.perf_counter() - start


def _render_in_batches(
    backend: RenderBackend,
    jobs: list[_Job],
    cache: ShotCache,
    done: Callable[[_Job, Path, float], None],
) -> None:
    """Render ``jobs`` through ``backend.render_batch`` (GPU batches of shots).

    Each batch writes to a scratch folder inside the cache; every file it finished moves
    into the cache one by one (atomically) before an error from a later shot is raised, so
    a failed or killed run keeps the shots already done.
    """
    limit = getattr(backend, "batch_limit", lambda width, height: 1)
    cache.root.mkdir(parents=True, exist_ok=True)
    start = 0
    while start < len(jobs):
        first = jobs[start].request
        batch = jobs[start : start + max(1, limit(first.width, first.height))]
        start += len(batch)
        with tempfile.TemporaryDirectory(dir=cache.root, prefix=".batch-") as scratch:
            dests = [Path(scratch) / f"{i}{backend.suffix}" for i in range(len(batch))]
            began = time.perf_counter()
            try:
                backend.render_batch([job.request for job in batch], dests)  # type: ignore[attr-defined]
            except MemoryError:
                raise RenderError(
                    f"out of memory in the batch from shot {batch[0].shot_id}"
                ) from None
            finally:
                finished = [(j, d) for j, d in zip(batch, dests, strict=True) if d.exists()]
                seconds = (time.perf_counter() - began) / max(1, len(finished))
                for job, dest in finished:
                    path = cache.put(job.key, backend.suffix, partial(os.replace, dest))
                    done(job, path, seconds)


def _render_in_process(name: str, job: _Job, cache_root: Path) -> tuple[Path, float]:
    """Worker side of :func:`_render_in_processes`: one backend instance per process."""
    backend = _WORKER_BACKENDS.get(name)
    if backend is None:
        backend = _WORKER_BACKENDS[name] = get_backend(name)
    return _render_one(backend, job, ShotCache(cache_root))


_WORKER_BACKENDS: dict[str, RenderBackend] = {}


def _render_in_processes(
    backend: RenderBackend,
    jobs: list[_Job],
    cache: ShotCache,
    workers: int,
    done: Callable[[_Job, Path, float], None],
) -> None:
    """Render ``jobs`` on ``workers`` processes, reporting each as it finishes.

    Every file still reaches the cache through a temporary name and a rename, so a killed
    run leaves only whole files, as the sequential path does.
    """
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=_spawn_safe_context(), initializer=_die_with_parent
    ) as pool:
        futures = {
            pool.submit(_render_in_process, backend.name, job, cache.root): job for job in jobs
        }
        try:
            for future in as_completed(futures):
                path, seconds = future.result()
                done(futures[future], path, seconds)
        except BaseException:
            for future in futures:
                future.cancel()
            raise


def _die_with_parent() -> None:
    """On Linux, ask the kernel to kill this worker when the run is killed (``kill -9``)."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):
        pass  # elsewhere a worker finishes its shot (atomically) and then exits


def _spawn_safe_context():  # type: ignore[no-untyped-def]
    """``fork`` where available (fast, the parent's imports are reused), else ``spawn``."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")
