"""The scene in its script: where and when it happens, what leads in, what its heading asks.

Everything a scene's shots need from the scenes before it (is the place new? which
transition leads in? is it intercut?) is read here, once, so planning one scene alone gives
the same shots as planning the whole script.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from screenplay.model import SCREEN_KINDS, Element, Scene, Script
from shots._beats import (
    Cast,
    Framing,
    opening_titles,
    parse_direction,
    readable,
    transition_for,
    transition_marker,
)
from shots._describe import sentence
from shots.model import Angle, TransitionIn

__all__ = [
    "CONTINUITY_TIMES",
    "SceneContext",
    "SceneHeading",
    "Setting",
    "is_transition",
    "read_heading",
    "scene_context",
]

CONTINUITY_TIMES = frozenset(
    {"CONTINUOUS", "SAME", "SAME TIME", "LATER", "MOMENTS LATER", "A MOMENT LATER", "CONTINUED"}
)
"""Times of day that carry on from the scene before: no re-establishing for them."""


@dataclass(frozen=True, slots=True)
class Setting:
    """Where and when shots happen: copied onto each shot."""

    location: str | None = None
    int_ext: str | None = None
    time_of_day: str | None = None

    @property
    def place_key(self) -> tuple[str, str]:
        """The place, for comparing settings: location words and INT./EXT."""
        location = re.sub(r"[^\w]+", " ", (self.location or "").upper()).strip()
        return location, self.int_ext or ""

    @property
    def exterior(self) -> bool:
        """Outdoors, or unknown (an opening without a heading): landscapes may go extreme wide."""
        return self.int_ext in ("EXT", "EST", "INT/EXT") or self.location is None


@dataclass(slots=True)
class SceneContext:
    """What a scene's plan needs from the rest of the script."""

    script: Script
    scene: Scene
    cast: Cast
    setting: Setting
    previous: Setting | None
    """The setting the audience was last shown, before this scene."""
    secondary: bool
    """A heading with neither INT./EXT. nor a time (``INSIDE``, ``NAK``): an angle, not a place."""
    incoming: TransitionIn | None
    first: bool
    """The script's first shots: they fade in."""
    partner: Scene | None = None
    """The scene this one is intercut with."""
    partner_setting: Setting | None = None


@dataclass(frozen=True, slots=True)
class SceneHeading:
    """What a secondary heading (``SNIPER SCOPE POV``, ``BACK IN THE APARTMENT``) asks for."""

    framing: Framing | None = None
    """The heading read as a shot: ``SNIPER SCOPE POV``, ``NAK``, ``ON THE TV``."""
    prefix: str | None = None
    """The heading's words, put before a first beat that carries on from them."""
    lead: str | None = None
    """A heading that is a place (``BACK IN THE APARTMENT``), to open the first description."""
    angle: Angle | None = None
    """``POV`` when the whole scene is seen through someone's eyes."""
    titles: bool = False
    """The heading announces a titles sequence: no establishing shot."""

    @property
    def pov_owner(self) -> str:
        """Whose eyes a POV heading looks through; empty when there is none."""
        return self.framing.pov_owner if self.framing is not None else ""


def is_transition(element: Element) -> bool:
    """A transition, or action that is one (``FADE IN:`` written as action)."""
    return element.kind == "transition" or (
        element.kind == "action" and transition_marker(element.text.strip())
    )


def scene_context(script: Script, scene: Scene) -> SceneContext:
    """Read ``scene`` in the context of the scenes before it in ``script``."""
    index = next(
        (i for i, candidate in enumerate(script.scenes) if candidate is scene),
        next((i for i, c in enumerate(script.scenes) if c.id == scene.id), len(script.scenes)),
    )
    before = script.scenes[:index]
    previous = _last_setting(before)
    secondary = scene.heading is not None and not _located(scene)
    if _located(scene):
        setting = _setting_of(scene, before)
    elif secondary and previous is not None:
        setting = previous
    else:
        setting = Setting(scene.location, scene.int_ext, scene.time_of_day)
    incoming, intercut = _incoming(before[-1] if before else None)
    first = all(s.heading is None and not _has_screen(s) for s in before)
    context = SceneContext(
        script=script,
        scene=scene,
        cast=Cast.from_script(script),
        setting=setting,
        previous=previous,
        secondary=secondary,
        incoming=incoming,
        first=first,
    )
    if intercut and before:
        context.partner = before[-1]
        context.partner_setting = previous or setting
    return context


def read_heading(context: SceneContext) -> SceneHeading:
    """What the scene's heading asks of its shots; nothing unless it is a secondary heading."""
    heading = context.scene.heading
    if heading is None or not context.secondary:
        return SceneHeading(titles=heading is not None and opening_titles(heading))
    framing = _heading_framing(heading, context.cast)
    titles = opening_titles(heading)
    lead = None
    if heading and framing is None and not titles:
        lead = sentence(readable(heading, context.cast).capitalize())
    return SceneHeading(
        framing=framing,
        prefix=heading,
        lead=lead,
        angle="POV" if framing is not None and framing.angle == "POV" else None,
        titles=titles,
    )


def _heading_framing(heading: str, cast: Cast) -> Framing | None:
    """A secondary heading read as a shot: a direction, or the characters it names."""
    framing = parse_direction(heading, cast)
    if framing is not None:
        return framing
    names = cast.find_heads(heading, possessive=False)
    if names:
        return Framing(subjects=names, label=heading, subject_phrase=heading)
    return None


def _located(scene: Scene) -> bool:
    return scene.heading is not None and (
        scene.int_ext is not None or scene.time_of_day is not None
    )


def _has_screen(scene: Scene) -> bool:
    return any(element.kind in SCREEN_KINDS for element in scene.elements)


def _resolved_time(scenes: list[Scene]) -> str | None:
    """The last real time of day (``NIGHT``) among ``scenes``, skipping ``CONTINUOUS``."""
    for scene in reversed(scenes):
        if _located(scene) and scene.time_of_day and scene.time_of_day not in CONTINUITY_TIMES:
            return scene.time_of_day
    return None


def _setting_of(scene: Scene, before: list[Scene]) -> Setting:
    """A located scene's setting, its ``CONTINUOUS`` time resolved from the scenes before."""
    time = scene.time_of_day
    if time is None or time in CONTINUITY_TIMES:
        time = _resolved_time(before) or time
    return Setting(scene.location, scene.int_ext, time)


def _last_setting(scenes: list[Scene]) -> Setting | None:
    for i in range(len(scenes) - 1, -1, -1):
        if _located(scenes[i]):
            return _setting_of(scenes[i], scenes[:i])
    return None


def _incoming(previous: Scene | None) -> tuple[TransitionIn | None, bool]:
    """The transition that ends ``previous`` (if nothing on screen follows it), and
    whether it is an intercut."""
    if previous is None:
        return None, False
    for element in reversed(previous.elements):
        if is_transition(element):
            text = element.text.strip()
            return transition_for(text), "INTERCUT" in text.upper()
        if element.kind in SCREEN_KINDS:
            break
    return None, False
