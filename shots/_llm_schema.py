"""The LLM planner's answer for one scene: its schema, its checks, and its conversion to shots.

An answer is a :class:`SceneShots`. :func:`check_answer` validates it against the schema and
then against the scene (every screen element covered, no index outside the scene), and
:func:`to_shots` turns a checked answer into the plan's :class:`~shots.model.Shot` objects,
sharing a speech covered by several shots between them. No langchain here.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from previz.errors import PlannerOutputError
from screenplay.model import SCREEN_KINDS, Dialogue, Scene, Script
from shots._beats import split_sentences
from shots.model import Angle, DialogueLine, Movement, Shot, Size, TransitionIn

__all__ = [
    "SCHEMA_NAME",
    "LLMShot",
    "SceneShots",
    "check_answer",
    "scene_schema",
    "screen_indices",
    "to_shots",
]


class LLMShot(BaseModel):
    """One shot of the scene, in the vocabulary of the shot plan."""

    model_config = ConfigDict(extra="forbid")

    size: Size = Field(
        description="Shot size, widest to tightest: EWS, WS, FS, MS, MCU, CU, ECU; "
        "INSERT for a detail of an object."
    )
    angle: Angle = Field(description="Camera angle.")
    movement: Movement = Field(description="Camera movement.")
    lens_mm: int = Field(ge=8, le=600, description="Focal length in mm, full-frame equivalent.")
    duration_s: float = Field(gt=0, le=600, description="Seconds on screen.")
    subjects: list[str] = Field(
        description="Canonical names (from the character list) of the characters in frame."
    )
    covers: list[int] = Field(
        description="Indices of the scene elements this shot shows (action, dialogue, ...)."
    )
    description: str = Field(description="What we see, in one or two concrete sentences.")
    on_screen_text: str | None = Field(
        description="Text shown in frame (a title card, a SUPER), or null."
    )
    transition: TransitionIn = Field(description="How the shot begins: the cut into it.")
    notes: str = Field(description="Why this framing, for the director; may be empty.")


class SceneShots(BaseModel):
    """The shots of one scene, in screen order."""

    model_config = ConfigDict(extra="forbid")

    shots: list[LLMShot] = Field(min_length=1)


SCHEMA_NAME = "SceneShots"
"""The schema's name in a structured-output request."""


def scene_schema() -> dict[str, Any]:
    """The JSON schema of :class:`SceneShots`, as sent to the endpoint."""
    return SceneShots.model_json_schema()


def screen_indices(scene: Scene) -> list[int]:
    """Indices of the scene's elements that must be on screen."""
    return [i for i, element in enumerate(scene.elements) if element.kind in SCREEN_KINDS]


# --- checking -------------------------------------------------------------------------


def _summarise_validation(exc: ValidationError, limit: int = 6) -> str:
    problems = []
    for error in exc.errors()[:limit]:
        where = ".".join(str(part) for part in error["loc"]) or "answer"
        problems.append(f"{where}: {error['msg']}")
    more = f" (and {exc.error_count() - limit} more)" if exc.error_count() > limit else ""
    return "; ".join(problems) + more


def _index_list(indices: Sequence[int]) -> str:
    return ", ".join(map(str, indices)) or "none"


def check_answer(scene: Scene, data: Any, *, allowed: set[int]) -> SceneShots:
    """Validate an answer for ``scene``: the schema, then coverage.

    Args:
        scene: the scene asked about.
        data: the parsed answer (a mapping), or a :class:`SceneShots`.
        allowed: element indices a shot may cover (the screen elements, plus any index the
            draft covered).

    Raises:
        PlannerOutputError: the message says what was expected and what came back.
    """
    try:
        answer = SceneShots.model_validate(
            data.model_dump() if isinstance(data, BaseModel) else data
        )
    except ValidationError as exc:
        raise PlannerOutputError(
            f"does not match the SceneShots schema: {_summarise_validation(exc)}"
        ) from None
    problems = []
    for number, shot in enumerate(answer.shots, 1):
        stray = sorted(set(shot.covers) - allowed)
        if stray:
            problems.append(
                f"shot {number} covers {_index_list(stray)}, which "
                f"{'is not an element' if len(stray) == 1 else 'are not elements'} to cover "
                f"(allowed: {_index_list(sorted(allowed))})"
            )
    covered = {index for shot in answer.shots for index in shot.covers}
    missing = [index for index in screen_indices(scene) if index not in covered]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        problems.append(f"no shot covers element{plural} {_index_list(missing)}")
    if problems:
        raise PlannerOutputError("; ".join(problems))
    return answer


# --- converting -----------------------------------------------------------------------


def _canonical(script: Script, name: str) -> str:
    character = script.character(name.strip())
    return character.name if character else name.strip().upper()


def _shared_lines(scene: Scene, answer: SceneShots) -> list[list[DialogueLine]]:
    """Each shot's lines: a speech covered by several shots is split between them, in
    order, at sentence boundaries, so no line is heard twice."""
    lines: list[list[DialogueLine]] = [[] for _ in answer.shots]
    takers: dict[int, list[int]] = {}
    for number, item in enumerate(answer.shots):
        for index in sorted(set(item.covers)):
            if isinstance(scene.elements[index], Dialogue):
                takers.setdefault(index, []).append(number)
    for index in sorted(takers):
        element = scene.elements[index]
        assert isinstance(element, Dialogue)
        shots = takers[index]
        sentences = split_sentences(element.text) if len(shots) > 1 else []
        if len(sentences) < 2:
            pieces = [" ".join(element.text.split())]
        else:
            count = len(sentences)
            bounds = [round(i * count / len(shots)) for i in range(len(shots) + 1)]
            pieces = [" ".join(sentences[a:b]) for a, b in itertools.pairwise(bounds)]
        for order, (number, piece) in enumerate(zip(shots, pieces, strict=False)):
            if piece:
                lines[number].append(
                    DialogueLine(
                        character=element.character,
                        text=piece,
                        extension=element.extension,
                        parenthetical=element.parenthetical if order == 0 else None,
                    )
                )
    return lines


def to_shots(script: Script, scene: Scene, answer: SceneShots) -> list[Shot]:
    """The plan's shots for ``scene`` from a checked answer (ids are assigned later)."""
    shots = []
    for item, dialogue in zip(answer.shots, _shared_lines(scene, answer), strict=True):
        covers = sorted(set(item.covers))
        elements = [scene.elements[i] for i in covers]
        first = next((element for element in elements if element.line is not None), None)
        subjects = list(dict.fromkeys(_canonical(script, name) for name in item.subjects))
        shots.append(
            Shot(
                id=f"{scene.number}-00",
                scene_id=scene.id,
                scene_number=scene.number,
                size=item.size,
                angle=item.angle,
                movement=item.movement,
                lens_mm=item.lens_mm,
                duration_s=item.duration_s,
                subjects=subjects,
                covers=covers,
                dialogue=dialogue,
                description=item.description.strip(),
                on_screen_text=item.on_screen_text or None,
                transition=item.transition,
                notes=item.notes.strip(),
                location=scene.location,
                int_ext=scene.int_ext,
                time_of_day=scene.time_of_day,
                source_line=first.line if first else scene.line,
                page=(elements[0].page if elements and elements[0].page else scene.page),
            )
        )
    return shots
