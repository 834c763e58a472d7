"""Frame accounting shared with the animatic: where shots cut, how long transitions last.

The timelines and the shot list must cut where the animatic cuts, frame for frame. The
few lines that decide it are copied here from the animatic's modules (marked
``# Copied from``) rather than imported, so the edit deliverables build whatever state
the animatic's private modules are in; ``tests/previz/assemble/test_timeline.py`` checks
that the copies still agree with the originals.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from shots.model import DialogueLine, Shot

__all__ = [
    "DISSOLVE_FRAMES",
    "FADE_FRAMES",
    "estimated_line_starts",
    "frame_boundaries",
    "transition_halves",
]

# Copied from previz.assemble._animatic_frames
DISSOLVE_FRAMES = 12
"""A dissolve's length, centred on the cut (half before, half after)."""
FADE_FRAMES = 12
"""Each half of a fade through black: out over the last frames, in over the first."""

# Copied from previz.assemble._audio
LINE_GAP_S = 0.15
CHARS_PER_S = 14.0


# Copied from previz.assemble.animatic.frame_boundaries
def frame_boundaries(durations_s: Sequence[float], fps: int) -> list[int]:
    """First frame of each shot plus the total: ``round(t_i * fps)`` of the cumulative times.

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

    The animatic's lengths (:func:`previz.assemble._animatic_frames.plan_edges`): a
    dissolve is :data:`DISSOLVE_FRAMES` centred on the cut, a fade goes out to black over
    :data:`FADE_FRAMES` and in over as many; neither takes more than half of either shot.
    The first shot has none (the animatic's fade in from black is not an edit).

    Args:
        frames: each shot's length in frames (all positive).
        kinds: each shot's transition in: ``cut``, ``smash cut``, ``dissolve``, ``fade``.

    Returns:
        One count per shot.
    """
    halves = [0] * len(frames)
    for index in range(1, len(frames)):
        limit = min(frames[index - 1], frames[index]) // 2
        if kinds[index] == "dissolve":
            halves[index] = min(DISSOLVE_FRAMES // 2, limit)
        elif kinds[index] == "fade":
            halves[index] = min(FADE_FRAMES, limit)
    return halves


# Copied from previz.assemble._audio._estimate_s
def _estimate_s(line: DialogueLine) -> float:
    return len(line.text) / CHARS_PER_S + 0.3


# Copied from previz.assemble._audio.estimated_line_starts and line_starts
def estimated_line_starts(shot: Shot) -> list[float]:
    """When each line of a shot starts (seconds from the shot's start), from its length.

    Lines follow each other with a short gap; if they add up to more than the shot, the
    starts are squeezed so every line begins inside it. The animatic's captions use the
    same estimate when no speech engine voices the lines.
    """
    durations_s = [_estimate_s(line) for line in shot.dialogue]
    starts, t = [], 0.0
    for duration in durations_s:
        starts.append(t)
        t += duration + LINE_GAP_S
    total = t - LINE_GAP_S if durations_s else 0.0
    if total > shot.duration_s > 0:
        starts = [start * shot.duration_s / total for start in starts]
    return starts
