"""``run``: script to every deliverable. Orders the stages; holds no format logic.

Each stage writes its model as JSON in the output folder (``script.json``, ``plan.json``,
``renders.json``) before the next starts, so a run can stop after any stage, be edited by
hand and carry on (``previz render``, ``previz assemble``). Rendered shots live in a
content-addressed cache in the same folder: a killed run renders only what is missing.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel

from previz.config import PrevizConfig
from previz.deliverables import Deliverables, library_versions
from previz.errors import AssemblyError, PrevizError
from previz.fileio import write_atomically
from render.model import RenderSet
from screenplay.model import Script
from shots.model import ShotPlan

__all__ = ["Reporter", "assemble", "plan_script", "render_shots", "run"]


class Reporter(Protocol):
    """Progress of a run, stage by stage (the CLI draws rich progress bars)."""

    def start(self, stage: str, total: int | None = None) -> None:
        """A stage begins; ``total`` steps when known."""

    def advance(self, stage: str, steps: int = 1) -> None:
        """Steps of the stage are done."""

    def finish(self, stage: str) -> None:
        """The stage is done."""


class _Quiet:
    def start(self, stage: str, total: int | None = None) -> None:
        pass

    def advance(self, stage: str, steps: int = 1) -> None:
        pass

    def finish(self, stage: str) -> None:
        pass


@contextmanager
def _stage(
    name: str, manifest: Deliverables, reporter: Reporter, total: int | None = None
) -> Iterator[None]:
    reporter.start(name, total)
    start = time.perf_counter()
    try:
        yield
    finally:
        manifest.stages[name] = round(time.perf_counter() - start, 3)
        reporter.finish(name)


def _save(model: BaseModel, path: Path) -> None:
    write_atomically(path, model.model_dump_json(indent=2, exclude_none=True) + "\n")


def plan_script(script: Script, config: PrevizConfig) -> ShotPlan:
    """The shot plan of ``script`` with the configured planner and style."""
    from shots.base import PLANNERS
    from shots.llm_config import llm_configured
    from shots.style import load_style

    style = load_style(config.style, aspect_ratio=config.aspect)
    name = config.planner
    if name == "auto":
        name = "llm" if llm_configured() else "grammar"
    try:
        planner = PLANNERS.get(name)()
    except KeyError as exc:
        raise PrevizError(str(exc.args[0])) from None
    return planner.plan(script, style=style, target_duration_s=config.target_duration_s)


def render_shots(
    plan: ShotPlan,
    out_dir: Path,
    config: PrevizConfig,
    *,
    reporter: Reporter | None = None,
    only: Iterable[str] | None = None,
    plan_dir: Path | None = None,
) -> RenderSet:
    """Render the plan's shots (through the cache) and write ``renders.json``.

    With ``only``, just those shots are rendered; the rest are reused from the cache (and
    from the previous ``renders.json``). Relative reference image paths in the character
    bible start from ``plan_dir`` (default: ``out_dir``, where ``run`` writes the plan).
    """
    from render.stage import get_backend, render_plan

    reporter = reporter or _Quiet()
    backend = get_backend(
        config.backend,
        model=config.model,
        device=config.device,
        steps=config.steps,
        guidance=config.guidance,
        batch_size=config.batch_size,
        compile=config.compile,
        still_model=config.still_model,
        ip_adapter=config.ip_adapter,
        ip_adapter_scale=config.ip_adapter_scale,
        reference_root=plan_dir or out_dir,
    )
    wanted = list(only) if only is not None else None
    reporter.start("render", len(wanted) if wanted is not None else len(plan.shots))
    try:
        renders = render_plan(
            plan,
            backend,
            out_dir,
            long_side=config.long_side,
            only=wanted,
            on_shot=lambda shot_id, cached: reporter.advance("render"),
        )
    finally:
        reporter.finish("render")
    _save(renders, out_dir / "renders.json")
    return renders


def assemble(
    plan: ShotPlan,
    renders: RenderSet,
    out_dir: Path,
    config: PrevizConfig,
    *,
    reporter: Reporter | None = None,
    manifest: Deliverables | None = None,
) -> Deliverables:
    """Build the animatic, the PDF storyboard, the shot list and the timelines.

    Raises:
        AssemblyError: a shot has no rendered media (the message names it), or a writer
            failed. Deliverables finished before stay on disk.
    """
    from previz.assemble.animatic import assemble_animatic
    from previz.assemble.shotlist import write_shotlist
    from previz.assemble.storyboard import assemble_storyboard
    from previz.assemble.timeline import write_timelines
    from render.provenance import is_generative, stamp_animatic

    reporter = reporter or _Quiet()
    manifest = manifest or Deliverables()
    _check_complete(plan, renders)
    frames = round(plan.duration_s * plan.fps)
    with _stage("animatic", manifest, reporter, frames):
        animatic = assemble_animatic(
            plan,
            renders,
            out_dir,
            out_dir / "animatic.mp4",
            captions=config.captions,
            slate=config.slate,
            audio=config.audio,
            on_frame=_frame_counter(reporter),
        )
        if is_generative(renders.backend):  # C2PA manifest + tags: contains AI-generated media
            status = stamp_animatic(out_dir / "animatic.mp4", renders, out_dir)
            manifest.notes.append(status.message)
        manifest.add_file("animatic", out_dir / "animatic.mp4", out_dir)
        manifest.notes.extend(animatic.notes)
    with _stage("storyboard", manifest, reporter):
        assemble_storyboard(
            plan, renders, out_dir, out_dir / "storyboard.pdf", layout=config.layout
        )
        manifest.add_file("storyboard", out_dir / "storyboard.pdf", out_dir)
    with _stage("shotlist", manifest, reporter):
        for path in write_shotlist(plan, out_dir / "shotlist.csv", out_dir / "shotlist.xlsx"):
            manifest.add_file(path.name, path, out_dir)
    with _stage("timeline", manifest, reporter):
        timelines = write_timelines(plan, renders, out_dir, out_dir)
        for path in timelines.paths:
            manifest.add_file(path.name, path, out_dir)
        manifest.notes.extend(timelines.notes)
    manifest.shots = len(plan.shots)
    manifest.scenes = len(plan.scenes)
    manifest.runtime_s = round(plan.duration_s, 3)
    manifest.libraries = library_versions()
    _save(manifest, out_dir / "manifest.json")
    return manifest


def _frame_counter(reporter: Reporter):  # type: ignore[no-untyped-def]
    """An ``on_frame(done, total)`` callback advancing the animatic's bar."""
    last = 0

    def on_frame(done: int, total: int) -> None:
        nonlocal last
        reporter.advance("animatic", done - last)
        last = done

    return on_frame


def _check_complete(plan: ShotPlan, renders: RenderSet) -> None:
    rendered = {render.shot_id for render in renders.renders}
    missing = [shot.id for shot in plan.shots if shot.id not in rendered]
    if missing:
        shown = ", ".join(missing[:8]) + (
            f" and {len(missing) - 8} more" if len(missing) > 8 else ""
        )
        raise AssemblyError(f"shots not rendered yet: {shown}; run 'previz render' first")


def run(
    source: Path,
    out_dir: Path,
    config: PrevizConfig | None = None,
    *,
    reporter: Reporter | None = None,
) -> Deliverables:
    """Script to every deliverable: parse, plan, render, assemble.

    Args:
        source: a screenplay (Fountain, FDX, PDF) or a ``script.json``.
        out_dir: the output folder; created if needed, reused (and resumed) if present.
        config: the run's settings.
        reporter: progress callbacks.

    Returns:
        The manifest, also written as ``out_dir/manifest.json``.
    """
    from screenplay.base import load_script_or_parse

    config = config or PrevizConfig()
    reporter = reporter or _Quiet()
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = Deliverables(config=config.model_dump(mode="json"))
    with _stage("parse", manifest, reporter):
        script = load_script_or_parse(source)
        _save(script, out_dir / "script.json")
    manifest.source = script.source.model_dump(mode="json")
    with _stage("plan", manifest, reporter):
        plan = plan_script(script, config)
        _save(plan, out_dir / "plan.json")
    manifest.add_file("script", out_dir / "script.json", out_dir)
    manifest.add_file("plan", out_dir / "plan.json", out_dir)
    start = time.perf_counter()
    renders = render_shots(plan, out_dir, config, reporter=reporter)
    manifest.stages["render"] = round(time.perf_counter() - start, 3)
    manifest.rendered = sum(1 for render in renders.renders if not render.cached)
    return assemble(plan, renders, out_dir, config, reporter=reporter, manifest=manifest)
