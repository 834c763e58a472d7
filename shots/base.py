"""What every shot planner shares: the protocol, the registry, the character bible, the
finishing pass (ids, prompts, seeds, target duration) and the coverage check."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar, Protocol

from previz.errors import PlanError
from previz.registry import Registry
from screenplay.model import SCREEN_KINDS, Script
from shots.model import CharacterRef, PlannerInfo, SceneInfo, Shot, ShotPlan, Style
from shots.prompts import build_prompts, character_seed, shot_seed

__all__ = [
    "MIN_SHOT_S",
    "PLANNERS",
    "Coverage",
    "ShotPlanner",
    "build_bible",
    "check_coverage",
    "finish_plan",
    "fit_to_duration",
]

MIN_SHOT_S = 1.0
"""Shortest shot a planner makes before any ``--target-duration`` scaling."""


class ShotPlanner(Protocol):
    """Breaks a script into shots."""

    name: ClassVar[str]

    def plan(
        self, script: Script, *, style: Style, target_duration_s: float | None = None
    ) -> ShotPlan:
        """Plan every scene of ``script``."""
        ...


PLANNERS: Registry[type[ShotPlanner]] = Registry("planner")
PLANNERS.register_lazy("grammar", "shots.grammar:GrammarPlanner")
PLANNERS.register_lazy("llm", "shots.llm:LLMPlanner")


def build_bible(script: Script) -> list[CharacterRef]:
    """The plan's character bible: one fixed description and seed per character."""
    return [
        CharacterRef(
            name=character.name,
            description=character.description or "",
            seed=character_seed(script.source.sha256, character.name),
        )
        for character in script.characters
    ]


def fit_to_duration(shots: list[Shot], target_s: float, fps: int = 24) -> None:
    """Scale shot durations in place so they total ``target_s`` exactly, in whole frames.

    Every shot keeps at least one frame, and the sum of frames equals
    ``round(target_s * fps)``, so the total is within one frame of the target.
    """
    if not shots:
        return
    target_frames = round(target_s * fps)
    if target_frames < len(shots):
        raise PlanError(
            f"a {target_s:g} s target leaves less than one frame for each of {len(shots)} shots"
        )
    total = sum(shot.duration_s for shot in shots)
    exact = [shot.duration_s / total * target_frames for shot in shots]
    frames = [max(1, int(value)) for value in exact]
    # Hand the leftover frames to the shots that lost most to rounding down.
    leftover = target_frames - sum(frames)
    order = sorted(range(len(shots)), key=lambda i: exact[i] - frames[i], reverse=True)
    step = 1 if leftover > 0 else -1
    index = 0
    while leftover:
        i = order[index % len(order)]
        if step > 0 or frames[i] > 1:
            frames[i] += step
            leftover -= step
        index += 1
    for shot, count in zip(shots, frames, strict=True):
        shot.duration_s = count / fps


def finish_plan(
    script: Script,
    shots: list[Shot],
    *,
    style: Style,
    planner: PlannerInfo,
    target_duration_s: float | None = None,
    fps: int = 24,
    warnings: Iterable[str] = (),
) -> ShotPlan:
    """Give planned shots their ids, seeds and prompts, fit the duration, check coverage.

    Planners produce shots with framing, timing, subjects, ``covers`` and a description;
    this pass is shared so every planner's output reads the same.

    Args:
        script: the script planned.
        shots: the shots in order; ``id``, ``prompt``, ``negative_prompt`` and ``seed`` are
            (re)assigned here.
        style: the plan's style.
        planner: which planner made it.
        target_duration_s: scale the plan to this total (commercials: 15/30/60 s).
        fps: frame rate for the duration fit.
        warnings: problems the planner recovered from.
    """
    bible = build_bible(script)
    per_scene: dict[str, int] = {}
    for shot in shots:
        per_scene[shot.scene_id] = per_scene.get(shot.scene_id, 0) + 1
        shot.id = f"{shot.scene_number}-{per_scene[shot.scene_id]:02d}"
        shot.seed = shot_seed(script.source.sha256, shot.id, shot.subjects)
        shot.prompt, shot.negative_prompt = build_prompts(shot, style, bible)
        shot.duration_s = round(shot.duration_s, 3)
    if target_duration_s is not None:
        fit_to_duration(shots, target_duration_s, fps)
    plan = ShotPlan(
        script_sha256=script.source.sha256,
        title=script.title,
        authors=list(script.title_page.authors),
        draft_date=script.title_page.draft_date,
        scenes=[
            SceneInfo(
                id=scene.id,
                number=scene.number,
                heading=scene.heading,
                location=scene.location,
                int_ext=scene.int_ext,
                time_of_day=scene.time_of_day,
                synopsis=scene.synopsis,
                page=scene.page,
            )
            for scene in script.scenes
        ],
        style=style,
        characters=bible,
        shots=shots,
        planner=planner,
        fps=fps,
        target_duration_s=target_duration_s,
        warnings=list(warnings),
    )
    report = check_coverage(script, plan)
    plan.warnings.extend(f"not covered: {item}" for item in report.missing)
    return plan


@dataclass(slots=True)
class Coverage:
    """Which of the script's screen elements the plan's shots show."""

    total: int = 0
    covered: int = 0
    missing: list[str] = field(default_factory=list)
    """``scene id / element index (kind): text`` for each element no shot covers."""

    @property
    def ratio(self) -> float:
        return self.covered / self.total if self.total else 1.0


def check_coverage(script: Script, plan: ShotPlan) -> Coverage:
    """Every action paragraph, line of dialogue, lyric, centered text and shot direction
    of the script must be covered by at least one shot."""
    covered: set[tuple[str, int]] = {
        (shot.scene_id, index) for shot in plan.shots for index in shot.covers
    }
    report = Coverage()
    for scene in script.scenes:
        for index, element in enumerate(scene.elements):
            if element.kind not in SCREEN_KINDS:
                continue
            report.total += 1
            if (scene.id, index) in covered:
                report.covered += 1
            else:
                text = " ".join(element.text.split())
                report.missing.append(
                    f"{scene.id}/{index} ({element.kind}): {text[:60]}"
                    + ("…" if len(text) > 60 else "")
                )
    return report
