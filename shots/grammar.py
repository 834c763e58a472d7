"""The film-grammar shot planner: the default, deterministic, no key and no network.

It breaks each scene the way a first assistant director and a storyboard artist would:

* a new location, or a new time of day, opens on an establishing shot (extreme wide
  outside, wide inside); a scene that carries on where and when the last one was does not;
* shot directions the writer gave (``CLOSE ON``, ``INSERT``, ``SNIPER SCOPE POV``,
  ``ON WILL AND SANDRA``, Final Draft Shot paragraphs) are honoured as written;
* action is split into beats at sentence boundaries, one shot a beat, framed by what the
  words say (a crowd goes wide, a ring gets an insert, a chase is tracked, a fight handheld);
* dialogue gets a master or two-shot, then over-the-shoulder reverses and singles that keep
  each speaker on one side of the line; a voice-over plays over the picture, an off-screen
  line over a reaction of whoever is on screen;
* titles, ``SUPER:`` lines and centered text become title cards; written transitions
  become the next shot's transition.

Durations come from the words: dialogue at a speaking pace, action at a reading pace, so a
plan runs about a minute a page. :func:`shots.base.finish_plan` then assigns ids, seeds and
prompts, and fits a target duration.

The planner is built from private modules, one job each: :mod:`shots._context` (the scene
in its script), :mod:`shots._presence` (who is in it, how lines are heard),
:mod:`shots._scene` (walking one scene), :mod:`shots._action` and :mod:`shots._dialogue`
(coverage), :mod:`shots._shotlist`, :mod:`shots._screen` and :mod:`shots._describe` (the
shots themselves, screen direction, descriptions), on :mod:`shots._beats` (reading text).
"""

from __future__ import annotations

from typing import ClassVar

from screenplay.model import Scene, Script
from shots._beats import ACTION_WPS, DIALOGUE_WPS
from shots._context import scene_context
from shots._dialogue import LONG_LINE_WORDS
from shots._scene import ScenePlanner
from shots.base import MIN_SHOT_S, finish_plan
from shots.model import PlannerInfo, Shot, ShotPlan, Style

__all__ = ["GrammarPlanner"]

VERSION = "1.0"


class GrammarPlanner:
    """Rule-based film-grammar planner: the same script always gives the same plan."""

    name: ClassVar[str] = "grammar"

    def plan(
        self, script: Script, *, style: Style, target_duration_s: float | None = None
    ) -> ShotPlan:
        """Plan every scene of ``script``.

        Args:
            script: the parsed screenplay.
            style: the plan's look.
            target_duration_s: scale the plan to this total (commercials: 15, 30, 60 s);
                every beat keeps its shot.

        Returns:
            The finished plan, with ids, prompts and seeds.
        """
        shots: list[Shot] = []
        for scene in script.scenes:
            shots.extend(self.plan_scene(script, scene))
        info = PlannerInfo(
            name=self.name,
            version=VERSION,
            settings={
                "dialogue_wps": DIALOGUE_WPS,
                "action_wps": ACTION_WPS,
                "min_shot_s": MIN_SHOT_S,
                "long_line_words": LONG_LINE_WORDS,
            },
        )
        return finish_plan(
            script, shots, style=style, planner=info, target_duration_s=target_duration_s
        )

    def plan_scene(self, script: Script, scene: Scene) -> list[Shot]:
        """Plan one scene of ``script``.

        The scene is read in the context of the ones before it (is the location new? which
        transition leads in? is it intercut?), so planning it alone gives the same shots as
        planning the whole script.

        Args:
            script: the script the scene belongs to.
            scene: the scene.

        Returns:
            Its shots, in order, with ``<scene number>-NN`` ids (reassigned by
            :func:`shots.base.finish_plan`), ``covers`` naming the scene elements shown.
        """
        return ScenePlanner(scene_context(script, scene)).run()
