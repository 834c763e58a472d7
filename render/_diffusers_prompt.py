"""A shot's prompt, negative prompt, seed and frame size for a diffusion model.

The planner already writes ``shot.prompt`` from the style and the character bible
(:func:`shots.prompts.build_prompts`); a hand-edited plan may have emptied it or dropped a
character's description, so the fixed description of every subject and the style's words
are put back where they are missing. The seed is the shot's own (the planner derives it
from the script, the shot id and who is in it), so a re-run, a different batch or another
GPU gives the same starting noise: generators are made on the CPU, one per image.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from render.base import RenderRequest
from shots.prompts import build_prompts

__all__ = ["ShotPrompt", "fit_size", "generators", "shot_prompt"]


@dataclass(frozen=True, slots=True)
class ShotPrompt:
    """What a diffusion model is asked for one shot."""

    prompt: str
    negative_prompt: str
    seed: int


def shot_prompt(request: RenderRequest) -> ShotPrompt:
    """The prompt of ``request.shot`` with every subject's bible description and the style."""
    shot, style = request.shot, request.style
    built, built_negative = build_prompts(shot, style, request.characters)
    prompt = shot.prompt.strip() or built
    lowered = prompt.lower()
    extra: list[str] = []
    bible = {ref.name: ref for ref in request.characters}
    for name in shot.subjects:
        ref = bible.get(name)
        if ref is not None and ref.description and ref.description.lower() not in lowered:
            extra.append(f"{name.title()} ({ref.description}).")
    if style.prompt_suffix and style.prompt_suffix.lower() not in lowered:
        extra.append(style.prompt_suffix)
    if extra:
        prompt = " ".join([prompt.rstrip(), *extra])
    negative = shot.negative_prompt.strip() or built_negative
    missing = [term for term in style.negative if term.lower() not in negative.lower()]
    if missing:
        negative = ", ".join([negative, *missing]) if negative else ", ".join(missing)
    return ShotPrompt(prompt, negative, shot.seed)


def generators(seeds: list[int]) -> list[Any]:
    """One CPU ``torch.Generator`` per image: a shot's noise does not depend on its batch."""
    import torch

    return [torch.Generator("cpu").manual_seed(seed) for seed in seeds]


def fit_size(width: int, height: int, *, multiple: int, max_long_side: int) -> tuple[int, int]:
    """The size to generate at: the request's aspect, the long side at most ``max_long_side``,
    both sides rounded to ``multiple`` (at least one multiple)."""
    scale = min(1.0, max_long_side / max(width, height))

    def snap(value: float) -> int:
        return max(multiple, round(value * scale / multiple) * multiple)

    return snap(width), snap(height)
