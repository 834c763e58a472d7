"""The render stage: every shot of a plan through one backend, via the shot cache."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from pathlib import Path

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


def get_backend(name: str) -> RenderBackend:
    """An instance of the backend registered as ``name``."""
    try:
        return BACKENDS.get(name)()
    except KeyError as exc:
        raise RenderError(str(exc.args[0])) from None


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
    wanted = set(only) if only is not None else None
    unknown = (wanted or set()) - {shot.id for shot in plan.shots}
    if unknown:
        raise RenderError(f"no shot {', '.join(sorted(unknown))} in the plan")
    renders: list[ShotRender] = []
    for shot in plan.shots:
        request = RenderRequest(
            shot=shot,
            style=plan.style,
            width=width,
            height=height,
            characters=tuple(plan.characters),
            fps=plan.fps,
        )
        key = cache_key(backend.name, settings, request, backend.kind, ignored)
        cached = cache.get(key, backend.suffix)
        seconds = 0.0
        if cached is None:
            if wanted is not None and shot.id not in wanted:
                continue
            start = time.perf_counter()
            try:
                cached = cache.put(
                    key, backend.suffix, lambda dest, r=request: backend.render(r, dest)
                )
            except RenderError as exc:
                exc.message = f"shot {shot.id}: {exc.message}"
                exc.args = (exc.message,)
                raise
            except MemoryError:
                raise RenderError(f"shot {shot.id}: out of memory") from None
            seconds = time.perf_counter() - start
        media = out_dir / "shots" / f"{shot.id}{backend.suffix}"
        link_into(cached, media)
        renders.append(
            ShotRender(
                shot_id=shot.id,
                kind=backend.kind,
                path=media.relative_to(out_dir).as_posix(),
                width=width,
                height=height,
                backend=backend.name,
                cache_key=key,
                seed=shot.seed,
                duration_s=shot.duration_s if backend.kind == "clip" else None,
                fps=plan.fps if backend.kind == "clip" else None,
                seconds=round(seconds, 4),
                cached=seconds == 0.0,
            )
        )
        if on_shot is not None:
            on_shot(shot.id, seconds == 0.0)
    return RenderSet(
        plan_sha256=plan_sha256(plan),
        backend=backend.name,
        backend_settings=settings,
        width=width,
        height=height,
        renders=renders,
    )
