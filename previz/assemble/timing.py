"""Frame accounting shared by every deliverable: where shots cut, how long transitions
last, when each line of dialogue starts.

The animatic, its scratch track, the edit timelines and the shot list all cut on the same
frames because they all ask this module.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from shots.model import DialogueLine, Shot

__all__ = [
    "CHARS_PER_S",
    "DISSOLVE_FRAMES",
    "FADE_FRAMES",
    "LINE_GAP_S",
    "estimate_line_s",
    "estimated_line_starts",
    "frame_boundaries",
    "line_starts",
    "transition_halves",
]

DISSOLVE_FRAMES = 12
"""A dissolve's length, centred on the cut (half before, half after)."""
FADE_FRAMES = 12
"""Each half of a fade through black: out over the last frames, in over the first."""
LINE_GAP_S = 0.15
"""Silence between two lines spoken in one shot."""
CHARS_PER_S = 14.0
"""Speaking rate for estimating a line's length from its text."""


def frame_boundaries(durations_s: Sequence[float], fps: int) -> list[int]:
    """First frame of each shot plus the total: ``round(t_i * fps)`` of the cumulative times.

    Rounding the cumulative time, not each duration, means the cuts never drift: the total
    is within half a frame of the plan's.

    Args:
        durations_s: the shots' durations.
        fps: frames per second.

    Returns:
        ``len(durations_s) + 1`` non-decreasing frame numbers, starting at 0.
    """
    bounds, elapsed = [0], 0.0
    for duration in durations_s:
        elapsed += duration
        bounds.append(math.floor(elapsed * fps + 0.5))
    return bounds


def transition_halves(frames: Sequence[int], kinds: Sequence[str]) -> list[int]:
    """Frames each side of the cut of the transition into each shot (0: a cut).

    A dissolve is :data:`DISSOLVE_FRAMES` centred on the cut, a fade goes out to black over
    :data:`FADE_FRAMES` and in over as many; neither takes more than half of either shot.
    The first shot has none (the animatic's fade in from black is not an edit).

    Args:
        frames: each shot's length in frames (all positive).
        kinds: each shot's transition in: ``cut``, ``smash cut``, ``dissolve``, ``fade``.
    """
    halves = [0] * len(frames)
    for index in range(1, len(frames)):
        limit = min(frames[index - 1], frames[index]) // 2
        if kinds[index] == "dissolve":
            halves[index] = min(DISSOLVE_FRAMES // 2, limit)
        elif kinds[index] == "fade":
            halves[index] = min(FADE_FRAMES, limit)
    return halves


def line_starts(durations_s: Sequence[float], shot_s: float) -> list[float]:
    """When each line of a shot starts (seconds from the shot's start).

    Lines follow each other with a short gap; if they add up to more than the shot, the
    starts are squeezed so every line begins inside it.
    """
    starts, t = [], 0.0
    for duration in durations_s:
        starts.append(t)
        t += duration + LINE_GAP_S
    total = t - LINE_GAP_S if durations_s else 0.0
    if total > shot_s > 0:
        starts = [start * shot_s / total for start in starts]
    return starts


def estimate_line_s(line: DialogueLine) -> float:
    """A line's spoken length estimated from its text."""
    return len(line.text) / CHARS_PER_S + 0.3


def estimated_line_starts(shot: Shot) -> list[float]:
    """Line starts from the text's length alone, for captions when nothing is voiced."""
    return line_starts([estimate_line_s(line) for line in shot.dialogue], shot.duration_s)
