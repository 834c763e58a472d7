"""The LLM planner's request for one scene: the system prompt, the scene message, the repair.

The user message carries the scene's elements (numbered), the characters it involves, the
indices to cover and the grammar planner's draft as JSON, so the model refines a plan rather
than inventing one. A rejected answer is quoted back with the problem in one repair request.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from screenplay.model import SCREEN_KINDS, Dialogue, Scene
from shots._llm_schema import LLMShot, scene_schema
from shots.model import ANGLES, MOVEMENTS, SIZES, TRANSITIONS, CharacterRef, Shot
from shots.prompts import SIZE_WORDS

__all__ = [
    "PROMPT_VERSION",
    "SYSTEM_PROMPT",
    "repair_messages",
    "scene_message",
    "scene_messages",
]

PROMPT_VERSION = "1"
"""Bumped when the prompts or the schema change in a way that should invalidate caches."""

_SIZE_LIST = ", ".join(f"{size} ({SIZE_WORDS[size].split(',')[0]})" for size in SIZES)

SYSTEM_PROMPT = f"""\
You are a storyboard artist and first assistant director breaking a screenplay scene into \
shots for a previsualisation. You receive one scene: its numbered elements, the characters \
and a draft shot list made by a rule-based film-grammar planner. Refine the draft: keep what \
works, fix what reads wrong, merge or split shots where the drama calls for it. Do not invent \
story that is not in the scene.

Vocabulary (use these exact words):
- size: {_SIZE_LIST}
- angle: {", ".join(ANGLES)}
- movement: {", ".join(MOVEMENTS)}
- transition (how a shot begins): {", ".join(TRANSITIONS)}

Rules:
1. Honour every explicit shot direction in the scene (elements of kind "shot", and camera \
words in action such as CLOSE ON, ANGLE ON, POV, INSERT): the shot covering it uses that \
framing.
2. Cover every element index listed under "Cover" at least once, and cover no other index. \
"covers" lists the indices a shot shows, in script order; shots follow script order.
3. Dialogue marked V.O., O.S. or O.C. is heard, not seen: never frame the speaker talking; \
show the listener or the action instead, and leave the speaker out of "subjects".
4. Durations come from the text: speech at about 2.5 words a second plus half a second, \
action at about the time it takes to read it aloud, never under one second.
5. "subjects" uses the canonical names from the character list, upper case; empty when no \
character is in frame.
6. "description" says what we see in one or two concrete, visual sentences: who, where, \
doing what, in what light. No camera jargon there; that belongs in the other fields.
7. A speech covered by several shots (a cut to the listener mid-speech) is shared between \
them in order, sentence by sentence.
8. A transition element (CUT TO:, DISSOLVE TO:) is not a shot: it sets how the next shot \
begins. The first shot of a scene begins with a cut unless the script says otherwise.

Answer with the JSON object for the whole scene and nothing else."""

_REPAIR_PROMPT = """\
Your answer was rejected: {problem}

Answer again with the whole corrected JSON object for scene {scene_id}, and nothing else."""

_MAX_QUOTE = 4000
"""Longest answer quoted back in a repair request."""


def _element_line(index: int, element: Any) -> str:
    text = " ".join(element.text.split())
    if isinstance(element, Dialogue):
        who = element.character + (f" ({element.extension})" if element.extension else "")
        aside = f" ({element.parenthetical})" if element.parenthetical else ""
        return f"[{index}] dialogue, {who}{aside}: {text}"
    if element.kind == "transition":
        return f"[{index}] transition (not a shot; sets how the next shot begins): {text}"
    return f"[{index}] {element.kind}: {text}"


def _draft_json(draft: Sequence[Shot]) -> str:
    shots = [
        LLMShot.model_construct(
            size=shot.size,
            angle=shot.angle,
            movement=shot.movement,
            lens_mm=shot.lens_mm,
            duration_s=round(shot.duration_s, 2),
            subjects=list(shot.subjects),
            covers=list(shot.covers),
            description=shot.description,
            on_screen_text=shot.on_screen_text,
            transition=shot.transition,
            notes=shot.notes,
        ).model_dump(mode="json")
        for shot in draft
    ]
    return json.dumps({"shots": shots}, ensure_ascii=False, indent=1)


def scene_message(
    scene: Scene, draft: Sequence[Shot], bible: Sequence[CharacterRef], cover: Sequence[int]
) -> str:
    """The user message for one scene: heading, elements, characters, what to cover, draft."""
    lines = [f"Scene id: {scene.id}", f"Scene number: {scene.number}"]
    lines.append(f"Heading: {scene.heading or '(opening, no heading)'}")
    setting = ", ".join(part for part in (scene.int_ext, scene.location, scene.time_of_day) if part)
    if setting:
        lines.append(f"Setting: {setting}")
    names = {name for shot in draft for name in shot.subjects}
    names.update(scene.characters)
    people = [ref for ref in bible if ref.name in names]
    if people:
        lines.append("")
        lines.append("Characters:")
        lines.extend(f"- {ref.name}: {ref.description or 'no description'}" for ref in people)
    lines.append("")
    lines.append("Elements:")
    lines.extend(
        _element_line(index, element)
        for index, element in enumerate(scene.elements)
        if element.kind in SCREEN_KINDS or element.kind == "transition"
    )
    lines.append("")
    lines.append(f"Cover: {', '.join(map(str, cover))}")
    lines.append("")
    lines.append("Draft (JSON):")
    lines.append(_draft_json(draft))
    return "\n".join(lines)


def scene_messages(
    scene: Scene,
    draft: Sequence[Shot],
    bible: Sequence[CharacterRef],
    cover: Sequence[int],
    *,
    method: str,
) -> list[dict[str, str]]:
    """The chat messages (``role``, ``content``) of the first request for one scene.

    In ``json_mode`` the endpoint is not told the schema, so the system prompt spells it out.
    """
    system = SYSTEM_PROMPT
    if method == "json_mode":
        system += "\n\nJSON schema of the answer:\n" + json.dumps(scene_schema())
    return [
        {"role": "system", "content": system},
        {"role": "user", "content": scene_message(scene, draft, bible, cover)},
    ]


def repair_messages(
    messages: list[dict[str, str]], answer: str, problem: str, scene_id: str
) -> list[dict[str, str]]:
    """``messages``, then the rejected ``answer`` (shortened) and what was wrong with it."""
    return [
        *messages,
        {"role": "assistant", "content": answer[:_MAX_QUOTE] or "(empty)"},
        {"role": "user", "content": _REPAIR_PROMPT.format(problem=problem, scene_id=scene_id)},
    ]
