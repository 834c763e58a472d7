"""A scene's shot list as it is built: numbering, lenses, and what carries onto the next shot.

A written transition, and elements with nothing of their own to show (``FADE IN:``,
``TITLE OVER:``), wait for the next shot; each shot is located at the first element it
covers; and the list remembers who the last shots showed, for pronouns and reactions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from shots._context import SceneContext, SceneHeading, Setting
from shots._describe import with_note
from shots.base import MIN_SHOT_S
from shots.model import Angle, DialogueLine, Movement, Shot, Size, TransitionIn

__all__ = ["Planned", "ShotKind", "ShotList", "lens"]

ShotKind = Literal["establishing", "action", "dialogue", "reaction", "title", "direction"]

LENS_MM: dict[str, int] = {
    "EWS": 20,
    "WS": 25,
    "FS": 32,
    "MS": 40,
    "MCU": 50,
    "CU": 75,
    "ECU": 100,
    "INSERT": 90,
}
"""Focal length by shot size (35mm full-frame equivalent)."""
TWO_SHOT_LENS_MM = 35
OTS_LENS_MM = 50
POV_LENS_MM = 32


@dataclass(slots=True)
class Planned:
    """A shot under construction, with what the planner remembers about it."""

    shot: Shot
    kind: ShotKind
    open: bool = False
    """A bare direction (``ON WILL AND SANDRA``) waiting for what it shows."""
    voice: bool = False
    """Already carries a voice-over."""
    lead: str = ""
    """The framing part of the description, e.g. ``Close on Margot``."""


class ShotList:
    """One scene's shots in order, and what the next shot inherits from the ones before."""

    def __init__(self, context: SceneContext, heading: SceneHeading) -> None:
        self.scene = context.scene
        self.setting = context.setting
        self.first = context.first
        self.planned: list[Planned] = []
        self.transition: TransitionIn | None = context.incoming or (
            "fade" if context.first else None
        )
        """The transition the next shot opens with."""
        self.pending: list[int] = []
        """Elements (``FADE IN:``, ``TITLE OVER:``) the next shot covers."""
        self.heading_lead = heading.lead
        """A secondary heading that is a place, to open the next (first) shot's description."""
        self.last_subjects: list[str] = []
        self.last_group: list[str] = []
        """The last shot that showed two or more characters showed these."""
        self.last_speaker: str | None = None

    @property
    def last(self) -> Planned | None:
        """The latest shot, if any."""
        return self.planned[-1] if self.planned else None

    @property
    def open_shot(self) -> Planned | None:
        """The latest shot if it is a bare direction waiting for what it shows."""
        last = self.last
        return last if last is not None and last.open else None

    def shots(self) -> list[Shot]:
        """The shots, in order."""
        return [planned.shot for planned in self.planned]

    def new_shot(
        self,
        *,
        size: Size,
        covers: list[int],
        duration: float,
        subjects: list[str] | None = None,
        angle: Angle = "eye level",
        movement: Movement = "static",
        description: str,
        notes: list[str] | None = None,
        dialogue: list[DialogueLine] | None = None,
        on_screen_text: str | None = None,
        setting: Setting | None = None,
    ) -> Shot:
        """A shot in the scene's setting (unless given another), numbered as the next one."""
        setting = setting or self.setting
        return Shot(
            id=f"{self.scene.number}-{len(self.planned) + 1:02d}",
            scene_id=self.scene.id,
            scene_number=self.scene.number,
            size=size,
            angle=angle,
            movement=movement,
            lens_mm=lens(size, angle, len(subjects or [])),
            duration_s=round(max(MIN_SHOT_S, duration), 3),
            subjects=list(subjects or []),
            covers=sorted(set(covers)),
            dialogue=list(dialogue or []),
            description=description.strip() or "The scene.",
            on_screen_text=on_screen_text,
            notes=with_note(*(notes or [])),
            location=setting.location,
            int_ext=setting.int_ext,
            time_of_day=setting.time_of_day,
        )

    def add(self, shot: Shot, kind: ShotKind, *, lead: str = "", open_: bool = False) -> Planned:
        """Append a shot: it takes the pending transition and pending elements."""
        shot.transition = self.transition or "cut"
        if self.first and not self.planned:
            shot.transition = "fade"  # the picture always fades in on the first shot
        self.transition = None
        if self.heading_lead and kind != "title":
            shot.description = f"{self.heading_lead} {shot.description}"
            shot.notes = with_note(f"heading: {self.scene.heading}", shot.notes)
            self.heading_lead = None
        planned = Planned(shot=shot, kind=kind, open=open_, lead=lead)
        self.planned.append(planned)
        if self.pending:
            self.attach(shot, self.pending)
            self.pending = []
        else:
            self.locate(shot)
        if shot.subjects:
            self.last_subjects = list(shot.subjects)
            if len(shot.subjects) >= 2:
                self.last_group = list(shot.subjects)
        return planned

    def attach(self, shot: Shot, indices: list[int]) -> None:
        """Let ``shot`` cover the elements at ``indices`` too."""
        shot.covers = sorted(set(shot.covers) | set(indices))
        self.locate(shot)

    def locate(self, shot: Shot) -> None:
        """Source line and page: the first element the shot covers, else the heading."""
        if shot.covers:
            element = self.scene.elements[shot.covers[0]]
            shot.source_line, shot.page = element.line, element.page
        else:
            shot.source_line, shot.page = self.scene.line, self.scene.page


def lens(size: Size, angle: Angle, subjects: int) -> int:
    """Focal length for a framing: by size, with OTS and POV conventions."""
    if angle == "OTS":
        return OTS_LENS_MM
    if angle == "POV":
        return POV_LENS_MM
    if size == "MS" and subjects == 2:
        return TWO_SHOT_LENS_MM
    return LENS_MM[size]
