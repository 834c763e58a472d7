"""Building the edit timeline: a shot plan and its renders as one OpenTimelineIO track.

The only module besides :mod:`previz.assemble._timeline_write` that imports
``opentimelineio`` (up to half a second to import), and it is imported only when a
timeline is written.

What goes where, and why:

- One video track, one clip per shot, cut exactly as the animatic: shot ``i`` spans
  ``round(t_i * fps)`` to ``round(t_(i+1) * fps)`` of the cumulative times
  (:func:`previz.assemble.timing.frame_boundaries`, the animatic's own). A shot
  shorter than one frame has no clip (the animatic does not show it either) and a note.
- Media are absolute ``file://`` URLs (``Path.as_uri()``: percent-encoded, so spaces and
  accents survive). An FCP 7 XML ``pathurl`` is a file URL, which has no relative form,
  and Premiere and Resolve look for the file exactly there; a relative path would leave
  every clip offline even before the folder moves. When it moves, both offer to relink by
  file name (find one file, the rest follow), which works because every render has its
  own file name. Each clip's ``previz.media`` metadata also
  holds the path relative to the timeline's folder, for scripted relinking.
- A still has no length of its own: its ``available_range`` is an hour (or longer if the
  shot needs it), so an editor can trim and slip freely. A rendered clip's is its real
  length; where the shot needs more the note says so (the animatic holds the last frame,
  an NLE shows the rest as missing media).
- Markers live on clips, since the EDL adapter drops timeline-level markers: the first
  clip of each scene gets a green scene marker (``SC 3: INT. BAR - NIGHT``), and each
  dialogue line a yellow marker on the clip that speaks it, placed where the animatic's
  caption for it starts. A marker's ``comment`` (and, for the FCP XML, ``<comment>``)
  holds the full text, with the parenthetical. Markers are in the clip's source time, as
  OTIO and FCP 7 want; the EDL gets them at record time (see ``_timeline_write``).
- Dissolves and fades are :class:`Transition` objects as long as the animatic's (a
  centred 12-frame dissolve, a dip through black of 12 frames each side, never more than
  half of either shot). A clip after a transition starts its source range at the
  transition's ``in_offset``, so the media the transition needs before the cut exists.
- Each clip's ``cmx_3600.reel`` is its shot id made EDL-safe (:func:`reel_for_shot`),
  so the EDL adapter neither invents nor truncates reel names.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import opentimelineio as otio
from opentimelineio.opentime import RationalTime, TimeRange

from previz.assemble.timeline import reel_for_shot
from previz.assemble.timing import (
    estimated_line_starts,
    frame_boundaries,
    transition_halves,
)
from previz.errors import AssemblyError
from render.model import RenderSet, ShotRender
from shots.model import DialogueLine, SceneInfo, Shot, ShotPlan

__all__ = [
    "STILL_AVAILABLE_S",
    "BuiltTimeline",
    "attach_shot_metadata",
    "build_timeline",
    "clean_text",
]

STILL_AVAILABLE_S = 3600
"""A still's available range, in seconds: long enough for any trim or slip."""
SCENE_COLOR = otio.schema.MarkerColor.GREEN
DIALOGUE_COLOR = otio.schema.MarkerColor.YELLOW

_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]+")
_SPACES_RE = re.compile(r"\s+")

_DISSOLVE_EFFECT = {
    "name": "Cross Dissolve",
    "effectid": "Cross Dissolve",
    "effectcategory": "Dissolve",
    "effecttype": "transition",
    "mediatype": "video",
}
_DIP_EFFECT = {
    "name": "Dip to Color Dissolve",
    "effectid": "Dip to Color Dissolve",
    "effectcategory": "Dissolve",
    "effecttype": "transition",
    "mediatype": "video",
    "parameter": {
        "parameterid": "dipcolor",
        "name": "Color",
        "value": {"alpha": "255", "red": "0", "green": "0", "blue": "0"},
    },
}


@dataclass
class BuiltTimeline:
    """The timeline and what the caller should know about it."""

    timeline: otio.schema.Timeline
    frames: int
    clips: int
    shot_metadata: list[dict[str, Any]]
    """Each clip's ``previz`` metadata, in order (see :func:`attach_shot_metadata`)."""
    notes: list[str] = field(default_factory=list)


def clean_text(text: str) -> str:
    """One line of text: control characters and runs of whitespace become one space."""
    return _SPACES_RE.sub(" ", _CONTROL_RE.sub(" ", unicodedata.normalize("NFC", text))).strip()


def _rt(frames: int, fps: int) -> RationalTime:
    return RationalTime(frames, fps)


def _speaker(line: DialogueLine) -> str:
    return f"{line.character} ({line.extension})" if line.extension else line.character


def _scene_marker(scene: SceneInfo | None, shot: Shot, at: int, fps: int) -> otio.schema.Marker:
    number = scene.number if scene else shot.scene_number
    heading = clean_text(scene.heading or "") if scene else ""
    name = f"SC {number}: {heading}" if heading else f"SC {number}"
    comment = clean_text(scene.synopsis or "") if scene else ""
    metadata: dict[str, Any] = {
        "previz": {"kind": "scene", "scene_id": shot.scene_id, "scene_number": number}
    }
    if comment:
        metadata["fcp_xml"] = {"comment": comment}
    return otio.schema.Marker(
        name=name,
        marked_range=TimeRange(_rt(at, fps), _rt(0, fps)),
        color=SCENE_COLOR,
        comment=comment,
        metadata=metadata,
    )


def _dialogue_markers(shot: Shot, first: int, frames: int, fps: int) -> list[otio.schema.Marker]:
    markers = []
    starts = estimated_line_starts(shot)
    for line, start_s in zip(shot.dialogue, starts, strict=True):
        offset = min(max(round(start_s * fps), 0), frames - 1)
        text = clean_text(line.text)
        name = f"{clean_text(_speaker(line))}: {text}"
        paren = clean_text(line.parenthetical or "")
        comment = f"{clean_text(_speaker(line))}: ({paren}) {text}" if paren else name
        markers.append(
            otio.schema.Marker(
                name=name,
                marked_range=TimeRange(_rt(first + offset, fps), _rt(0, fps)),
                color=DIALOGUE_COLOR,
                comment=comment,
                metadata={
                    "previz": {"kind": "dialogue", "character": line.character},
                    "fcp_xml": {"comment": comment},
                },
            )
        )
    return markers


def _transition(kind: str, half: int, fps: int) -> otio.schema.Transition:
    fade = kind == "fade"
    return otio.schema.Transition(
        name="Dip to Black" if fade else "Cross Dissolve",
        transition_type=(
            otio.schema.TransitionTypes.Custom
            if fade
            else otio.schema.TransitionTypes.SMPTE_Dissolve
        ),
        in_offset=_rt(half, fps),
        out_offset=_rt(half, fps),
        metadata={
            "previz": {"transition": kind, "frames": 2 * half},
            "fcp_xml": {"effect": dict(_DIP_EFFECT if fade else _DISSOLVE_EFFECT)},
        },
    )


def _media(plan: ShotPlan, renders: RenderSet, root: Path) -> dict[str, tuple[ShotRender, Path]]:
    """Each shot's render and media file (absolute), all checked before anything is built."""
    by_id = {render.shot_id: render for render in renders.renders}
    media = {}
    for shot in plan.shots:
        render = by_id.get(shot.id)
        if render is None:
            raise AssemblyError(f"shot {shot.id} has no render in the render set")
        path = (root / render.path).resolve()  # RenderSet.media_path, without its linear search
        if not path.is_file():
            raise AssemblyError(f"shot {shot.id}: {render.kind} not found: {path}", path=path)
        media[shot.id] = (render, path)
    return media


def _reference(
    render: ShotRender, path: Path, needed: int, fps: int, notes: list[str]
) -> otio.schema.ExternalReference:
    if render.kind == "still":
        available = max(STILL_AVAILABLE_S * fps, needed)
    elif render.duration_s:
        available = max(round(render.duration_s * fps), 1)
        if available < needed:
            notes.append(
                f"shot {render.shot_id}: its clip lasts {available} frames but the timeline "
                f"uses {needed}: an editor sees the rest as missing media"
            )
    else:
        available = needed
    reference = otio.schema.ExternalReference(
        target_url=path.as_uri(),
        available_range=TimeRange(_rt(0, fps), _rt(available, fps)),
        metadata={
            "fcp_xml": {
                "media": {
                    "video": {
                        "samplecharacteristics": {
                            "width": str(render.width),
                            "height": str(render.height),
                        }
                    }
                }
            }
        },
    )
    reference.name = path.name  # the file's own name (the URL's is percent-encoded)
    return reference


def _relative(path: Path, folder: Path) -> str:
    """``path`` relative to ``folder``, POSIX style; absolute where none exists (other drive)."""
    try:
        return Path(os.path.relpath(path, folder)).as_posix()
    except ValueError:
        return path.as_posix()


def build_timeline(plan: ShotPlan, renders: RenderSet, root: Path, out_dir: Path) -> BuiltTimeline:
    """The plan as an OTIO timeline (see the module docstring for the choices made).

    Args:
        plan: the shot plan.
        renders: each shot's rendered still or clip.
        root: the folder the render set's paths are relative to.
        out_dir: the folder the timeline files go to (for ``previz.media`` paths).

    Returns:
        The timeline, its length in frames, its clip count and notes.

    Raises:
        AssemblyError: no shots, a bad frame rate, a shot without a render or media file.
    """
    if not plan.shots:
        raise AssemblyError("the shot plan has no shots: nothing to assemble")
    if plan.fps < 1:
        raise AssemblyError(f"frame rate must be at least 1, got {plan.fps}")
    fps = plan.fps
    media = _media(plan, renders, Path(root))
    bounds = frame_boundaries([shot.duration_s for shot in plan.shots], fps)
    total = bounds[-1]
    if total == 0:
        raise AssemblyError(f"the shots add up to {plan.duration_s:.3f} s: less than one frame")
    notes: list[str] = []
    scenes = {scene.id: scene for scene in plan.scenes}

    spans = list(zip(plan.shots, bounds, bounds[1:], strict=False))
    shown = [(shot, start, end - start) for shot, start, end in spans if end > start]
    notes += [
        f"shot {shot.id} is shorter than one frame and has no clip"
        for shot, start, end in spans
        if end == start
    ]
    halves = transition_halves([n for _, _, n in shown], [shot.transition for shot, _, _ in shown])

    width, height = plan.style.frame_size(max(renders.width, renders.height, 16))
    timeline = otio.schema.Timeline(
        name=clean_text(plan.title) or "previz",
        global_start_time=_rt(0, fps),
        metadata={
            "previz": {
                "title": plan.title,
                "fps": fps,
                "style": plan.style.name,
                "shots": len(plan.shots),
                "frames": total,
                "width": width,
                "height": height,
            },
            "fcp_xml": {
                "media": {
                    "video": {
                        "format": {
                            "samplecharacteristics": {
                                "width": str(width),
                                "height": str(height),
                                "pixelaspectratio": "square",
                                "anamorphic": "FALSE",
                                "fielddominance": "none",
                            }
                        }
                    }
                }
            },
        },
    )
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    timeline.tracks.append(track)

    reels: dict[str, str] = {}
    shot_metadata: list[dict[str, Any]] = []
    previous_scene: str | None = None
    out_dir = Path(out_dir).resolve()
    for index, (shot, start, frames) in enumerate(shown):
        half_in = halves[index]
        half_out = halves[index + 1] if index + 1 < len(shown) else 0
        render, path = media[shot.id]
        reel = reel_for_shot(shot.id)
        if reel in reels:
            other, suffix = reels[reel], 2
            while f"{reel}_{suffix}" in reels:
                suffix += 1
            notes.append(f"shots {other} and {shot.id} share reel {reel}: {shot.id} gets _{suffix}")
            reel = f"{reel}_{suffix}"
        reels[reel] = shot.id
        reference = _reference(render, path, half_in + frames + half_out, fps, notes)
        scene = scenes.get(shot.scene_id)
        clip = otio.schema.Clip(
            name=f"{clean_text(shot.id)} {shot.size}",
            media_reference=reference,
            source_range=TimeRange(_rt(half_in, fps), _rt(frames, fps)),
            metadata={"cmx_3600": {"reel": reel}},
        )
        shot_metadata.append(
            {
                "shot": shot.model_dump(mode="json"),
                "scene_heading": scene.heading if scene else None,
                "start_frame": start,
                "frames": frames,
                "media": _relative(path, out_dir),
                "media_kind": render.kind,
            }
        )
        if shot.scene_id != previous_scene:
            clip.markers.append(_scene_marker(scene, shot, half_in, fps))
            previous_scene = shot.scene_id
        clip.markers.extend(_dialogue_markers(shot, half_in, frames, fps))
        if half_in:
            track.append(_transition(shot.transition, half_in, fps))
        track.append(clip)
    long_reels = [reel for reel in reels if len(reel) > 8]
    if long_reels:
        notes.append(
            f"{len(long_reels)} reel names are longer than CMX 3600's 8 characters "
            f"({', '.join(long_reels[:3])}{', ...' if len(long_reels) > 3 else ''}): "
            "Avid, Resolve and Premiere read them, strict EDL readers cut them"
        )
    return BuiltTimeline(
        timeline=timeline,
        frames=total,
        clips=len(shown),
        shot_metadata=shot_metadata,
        notes=notes,
    )


def attach_shot_metadata(built: BuiltTimeline) -> None:
    """Put each shot's plan fields in its clip's ``metadata["previz"]``.

    Kept apart from :func:`build_timeline` because the FCP XML and EDL adapters never
    write it, and the FCP adapter serialises every clip to JSON to tell them apart: the
    copies they get are about twice as fast to write without it.
    """
    clips = list(built.timeline.find_clips())
    for clip, metadata in zip(clips, built.shot_metadata, strict=True):
        clip.metadata["previz"] = metadata
