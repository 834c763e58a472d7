"""The shot plan: what a director or an agency creative reads, edits and approves.

Versioned pydantic models, JSON in and out. A plan carries everything later stages need
(style, character bible, per-shot framing, timing, prompts and seeds), so the render and
assembly stages never need the script itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from previz.errors import PlanError
from previz.versioned import load_versioned

__all__ = [
    "ANGLES",
    "ASPECT_RATIOS",
    "MOVEMENTS",
    "SHOT_PLAN_SCHEMA",
    "SIZES",
    "TRANSITIONS",
    "CharacterRef",
    "DialogueLine",
    "PlannerInfo",
    "SceneInfo",
    "Shot",
    "ShotPlan",
    "Style",
    "load_plan",
]

SHOT_PLAN_SCHEMA = "ShotPlan.1"

Size = Literal["EWS", "WS", "FS", "MS", "MCU", "CU", "ECU", "INSERT"]
Angle = Literal["eye level", "high", "low", "overhead", "dutch", "POV", "OTS"]
Movement = Literal[
    "static", "pan", "tilt", "push in", "pull out", "dolly", "tracking", "handheld", "crane", "zoom"
]
TransitionIn = Literal["cut", "dissolve", "fade", "smash cut"]
AspectRatio = Literal["2.39:1", "1.85:1", "16:9", "9:16", "1:1"]

SIZES: tuple[str, ...] = ("EWS", "WS", "FS", "MS", "MCU", "CU", "ECU", "INSERT")
"""Shot sizes from widest to tightest (INSERT: a detail of an object)."""
ANGLES: tuple[str, ...] = ("eye level", "high", "low", "overhead", "dutch", "POV", "OTS")
MOVEMENTS: tuple[str, ...] = (
    "static", "pan", "tilt", "push in", "pull out", "dolly", "tracking", "handheld", "crane", "zoom"
)  # fmt: skip
TRANSITIONS: tuple[str, ...] = ("cut", "dissolve", "fade", "smash cut")
ASPECT_RATIOS: dict[str, float] = {
    "2.39:1": 2.39,
    "1.85:1": 1.85,
    "16:9": 16 / 9,
    "9:16": 9 / 16,
    "1:1": 1.0,
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Style(_Model):
    """A look: a preset's name plus the metadata prompts and renderers use."""

    name: str
    medium: str = "pencil storyboard"
    """pencil storyboard, ink, photoreal, anime, ..."""
    palette: str = "greyscale"
    lighting: str = "natural"
    aspect_ratio: AspectRatio = "16:9"
    look: str = ""
    """Film stock or look, e.g. ``35mm Kodak Vision3 500T, shallow depth of field``."""
    prompt_suffix: str = ""
    """Words added to every prompt of this style."""
    negative: list[str] = Field(default_factory=list)
    """Terms every negative prompt of this style carries."""

    @property
    def ratio(self) -> float:
        """Width over height."""
        return ASPECT_RATIOS[self.aspect_ratio]

    def frame_size(self, long_side: int) -> tuple[int, int]:
        """``(width, height)`` at this aspect ratio, both even, the longer side ``long_side``."""
        if self.ratio >= 1:
            width, height = long_side, long_side / self.ratio
        else:
            width, height = long_side * self.ratio, long_side
        return int(round(width / 2) * 2), int(round(height / 2) * 2)


class CharacterRef(_Model):
    """A character as every shot shows them: one fixed description and seed."""

    name: str
    description: str = ""
    """Fixed visual description used in every prompt (``40s, oilskin coat, tired eyes``)."""
    seed: int
    reference_image: str | None = None
    """Optional path to a reference image, for models that take one."""


class DialogueLine(_Model):
    """A line spoken (or sung) in a shot."""

    character: str
    text: str
    extension: str | None = None
    """``V.O.``, ``O.S.``: heard, not seen speaking."""
    parenthetical: str | None = None


class Shot(_Model):
    """One shot: framing, timing, what it covers and how to render it."""

    id: str
    """Stable and readable: ``<scene number>-<shot in scene>``, e.g. ``3-05``, ``12A-02``."""
    scene_id: str
    scene_number: str
    size: Size
    angle: Angle = "eye level"
    movement: Movement = "static"
    lens_mm: int = Field(35, ge=8, le=600)
    duration_s: float = Field(gt=0)
    subjects: list[str] = Field(default_factory=list)
    """Canonical names of the characters in frame."""
    covers: list[int] = Field(default_factory=list)
    """Indices into the scene's ``elements`` that the shot shows (action, dialogue, ...)."""
    dialogue: list[DialogueLine] = Field(default_factory=list)
    description: str = ""
    """What we see, in one or two sentences."""
    on_screen_text: str | None = None
    """Text shown in frame: a title card, a SUPER."""
    prompt: str = ""
    negative_prompt: str = ""
    seed: int = 0
    transition: TransitionIn = "cut"
    """How the shot begins: the transition from the previous shot."""
    notes: str = ""
    location: str | None = None
    int_ext: str | None = None
    time_of_day: str | None = None
    source_line: int | None = None
    """Line in the script of the first element the shot covers."""
    page: int | None = None

    @field_validator("subjects")
    @classmethod
    def _upper_subjects(cls, value: list[str]) -> list[str]:
        return [name.strip() for name in value if name.strip()]


class SceneInfo(_Model):
    """A scene as the plan's readers need it: storyboard headers, timeline markers."""

    id: str
    number: str
    heading: str | None = None
    """As written; ``None`` for the opening before the first heading."""
    location: str | None = None
    int_ext: str | None = None
    time_of_day: str | None = None
    synopsis: str | None = None
    page: int | None = None


class PlannerInfo(_Model):
    """Which planner made the plan, with what settings, at what cost."""

    name: str
    version: str = ""
    settings: dict[str, Any] = Field(default_factory=dict)
    usage: dict[str, int] = Field(default_factory=dict)
    """Token usage for LLM planners: prompt, completion, total, cached requests."""


class ShotPlan(_Model):
    """A script broken into shots."""

    schema_version: Literal["ShotPlan.1"] = SHOT_PLAN_SCHEMA
    script_sha256: str
    title: str = ""
    authors: list[str] = Field(default_factory=list)
    draft_date: str | None = None
    style: Style
    characters: list[CharacterRef] = Field(default_factory=list)
    scenes: list[SceneInfo] = Field(default_factory=list)
    """Every scene of the script, in order (with or without shots)."""
    shots: list[Shot] = Field(default_factory=list)
    planner: PlannerInfo
    fps: int = 24
    target_duration_s: float | None = None
    warnings: list[str] = Field(default_factory=list)

    @property
    def duration_s(self) -> float:
        """Total running time of all shots."""
        return sum(shot.duration_s for shot in self.shots)

    def shot(self, shot_id: str) -> Shot:
        """The shot with id ``shot_id``."""
        for shot in self.shots:
            if shot.id == shot_id:
                return shot
        raise KeyError(shot_id)

    def scene(self, scene_id: str) -> SceneInfo | None:
        """The scene with id ``scene_id``, if the plan lists it."""
        for scene in self.scenes:
            if scene.id == scene_id:
                return scene
        return None

    def character(self, name: str) -> CharacterRef | None:
        """The bible entry for ``name``, if any."""
        for character in self.characters:
            if character.name == name:
                return character
        return None


def load_plan(path: str | Path) -> ShotPlan:
    """Load a shot plan, with validation errors naming the JSON path and the problem.

    Raises:
        SchemaVersionError: the file is not a ``ShotPlan.1``.
        PlanError: unreadable, not JSON, or not a valid plan.
    """
    return load_versioned(path, ShotPlan, SHOT_PLAN_SCHEMA, PlanError, "shot plan")
