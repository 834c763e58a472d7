"""Prompts and seeds for image and video models, built from templates in ``templates/prompts``.

Prompts name the style, the shot size and angle in the vocabulary image models were trained
on, the lens, the setting with time-of-day light, and each subject's fixed description from
the character bible, so a character looks the same in every shot.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from jinja2 import Environment, FileSystemLoader, StrictUndefined

import templates
from shots.model import CharacterRef, Shot, Style

__all__ = ["SIZE_WORDS", "build_prompts", "character_seed", "shot_seed"]

SIZE_WORDS = {
    "EWS": "extreme wide shot, tiny figures in a vast landscape",
    "WS": "wide shot, full figures in their surroundings",
    "FS": "full shot, head to toe",
    "MS": "medium shot, waist up",
    "MCU": "medium close-up, chest up",
    "CU": "close-up of the face",
    "ECU": "extreme close-up",
    "INSERT": "insert shot, detail close-up of an object",
}
ANGLE_WORDS = {
    "eye level": "eye-level shot",
    "high": "high angle shot looking down",
    "low": "low angle shot looking up",
    "overhead": "overhead top-down shot",
    "dutch": "dutch angle, tilted frame",
    "POV": "point-of-view shot",
    "OTS": "over-the-shoulder shot",
}
MOVEMENT_WORDS = {
    "static": "",
    "pan": "panning camera",
    "tilt": "tilting camera",
    "push in": "slow push in",
    "pull out": "slow pull out",
    "dolly": "dolly shot",
    "tracking": "tracking shot",
    "handheld": "handheld camera",
    "crane": "crane shot",
    "zoom": "zoom",
}
LIGHT_WORDS = {
    "DAY": "daylight",
    "NIGHT": "night, moonlight and practical lights",
    "DAWN": "dawn, soft cool early light",
    "DUSK": "dusk, warm golden-hour light",
    "MORNING": "morning light",
    "AFTERNOON": "afternoon light",
    "EVENING": "evening light",
}
INT_EXT_WORDS = {"INT": "interior", "EXT": "exterior", "INT/EXT": "", "EST": "establishing view of"}

_ENV = Environment(
    loader=FileSystemLoader(str(templates.path("prompts"))),
    undefined=StrictUndefined,
    autoescape=False,
    keep_trailing_newline=False,
)
_SPACES_RE = re.compile(r"\s+")
_SPACE_BEFORE_PUNCT_RE = re.compile(r"\s+([,.])")
_DOUBLE_PUNCT_RE = re.compile(r"([,.])[,.]+")


def _clean(text: str) -> str:
    text = _SPACES_RE.sub(" ", text).strip()
    text = _SPACE_BEFORE_PUNCT_RE.sub(r"\1", text)
    return _DOUBLE_PUNCT_RE.sub(r"\1", text).strip(" ,")


def _setting(shot: Shot) -> str:
    if not shot.location:
        return ""
    where = INT_EXT_WORDS.get(shot.int_ext or "", "")
    return f"{where} {shot.location.lower()}".strip()


def build_prompts(shot: Shot, style: Style, characters: Iterable[CharacterRef]) -> tuple[str, str]:
    """``(prompt, negative_prompt)`` for ``shot`` in ``style``.

    Args:
        shot: the shot (its size, angle, lens, description, subjects, setting).
        style: the plan's style preset.
        characters: the character bible; subjects are looked up by name.
    """
    bible = {character.name: character for character in characters}
    subjects = [bible.get(name) or CharacterRef(name=name, seed=0) for name in shot.subjects]
    context = {
        "shot": shot,
        "style": style,
        "subjects": subjects,
        "size": SIZE_WORDS[shot.size],
        "angle": ANGLE_WORDS[shot.angle],
        "movement": MOVEMENT_WORDS[shot.movement],
        "setting": _setting(shot),
        "light": LIGHT_WORDS.get(shot.time_of_day or "", ""),
    }
    prompt = _clean(_ENV.get_template("shot.j2").render(context))
    negative = _clean(_ENV.get_template("negative.j2").render(context))
    return prompt, negative


def _seed(*parts: str) -> int:
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def character_seed(script_sha256: str, name: str) -> int:
    """A character's fixed seed: the same in every shot and every run of the same script."""
    return _seed("character", script_sha256, name)


def shot_seed(script_sha256: str, shot_id: str, subjects: Iterable[str] = ()) -> int:
    """A shot's seed, derived from the script, the shot id and who is in it."""
    return _seed("shot", script_sha256, shot_id, *sorted(subjects))
