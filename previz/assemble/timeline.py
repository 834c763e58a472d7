"""Edit timelines: the shot plan and its renders as a cut an editor can open.

:func:`write_timelines` writes three files from one OpenTimelineIO timeline:

- ``timeline.otio``: the full cut (OTIO JSON) with every shot's plan fields in
  ``metadata["previz"]``; Resolve (18.5 and later) imports it directly.
- ``timeline.xml``: FCP 7 XML through ``otio-fcp-adapter``, for Premiere, Resolve and
  Final Cut Pro 7 (FCP X through a converter).
- ``timeline.edl``: CMX 3600 through ``otio-cmx3600-adapter``, for Avid and anything else.

One video track, one clip per shot, cut exactly where the animatic cuts, so all three
and the animatic have the same number of frames. Clips point at the rendered media by
absolute ``file://`` URL; scenes and dialogue are clip markers; dissolves and fades are
transitions (cuts with a comment in the EDL). The reasons for each choice are in
:mod:`previz.assemble._timeline_build` and :mod:`previz.assemble._timeline_write`.

``opentimelineio`` is imported only when a timeline is written, so importing this
module (and ``previz --help``) stays fast.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from previz.errors import AssemblyError
from render.model import RenderSet
from shots.model import ShotPlan

__all__ = ["TIMELINE_FILES", "TimelineInfo", "reel_for_shot", "write_timelines"]

TIMELINE_FILES = {"otio": "timeline.otio", "fcp_xml": "timeline.xml", "edl": "timeline.edl"}
"""The file each format is written to, inside ``out_dir``."""

_REEL_RE = re.compile(r"[^A-Z0-9_]")


class TimelineInfo(BaseModel):
    """What :func:`write_timelines` wrote."""

    model_config = ConfigDict(extra="forbid")

    otio_path: Path
    fcp_xml_path: Path
    edl_path: Path
    clips: int
    """Clips on the track: one per shot at least one frame long."""
    frames: int
    """Length of the cut in frames (equal to the animatic's)."""
    fps: int
    duration_s: float
    transitions: int
    """Dissolves and fades in the ``.otio`` and the XML (cuts in the EDL)."""
    notes: list[str]
    """What a user should know: shots without a clip, short media, EDL limits."""
    seconds: float
    """Wall time spent building and writing."""

    @property
    def paths(self) -> list[Path]:
        """The files written: ``.otio``, ``.xml``, ``.edl``."""
        return [self.otio_path, self.fcp_xml_path, self.edl_path]


def reel_for_shot(shot_id: str) -> str:
    """The EDL reel name of a shot: its id in capitals, ``_`` for anything but A-Z and 0-9.

    ``3-05`` becomes ``3_05``; ``12a-02`` becomes ``12A_02``. Ids of up to 8 characters
    give reels every CMX 3600 reader accepts; longer ones are kept whole (Avid's
    ``File_32`` EDLs, Resolve and Premiere read them). Two shots whose ids give the same
    reel (``3-05``, ``3.05``) are told apart with a suffix, and a note says so.

    Args:
        shot_id: the plan's shot id.

    Returns:
        The reel name, never empty.
    """
    return _REEL_RE.sub("_", shot_id.upper()) or "SHOT"


def write_timelines(plan: ShotPlan, renders: RenderSet, root: Path, out_dir: Path) -> TimelineInfo:
    """Write the cut as ``timeline.otio``, ``timeline.xml`` (FCP 7) and ``timeline.edl``.

    Args:
        plan: the shot plan (durations, frame rate, scenes, dialogue, transitions).
        renders: each shot's rendered still or clip.
        root: the folder the render set's paths are relative to (the run's output folder).
        out_dir: the folder to write the three files to (created if needed).

    Returns:
        The paths written, clip count, total frames, transitions and notes.

    Raises:
        AssemblyError: no shots or frames; a shot without a render or media file;
            ``opentimelineio`` or an adapter missing; an adapter failing (the message
            names it); a file that cannot be written.
    """
    started = time.perf_counter()
    try:
        import opentimelineio  # noqa: F401
    except ImportError as exc:
        raise AssemblyError(
            "edit timelines need OpenTimelineIO: pip install opentimelineio "
            "otio-fcp-adapter otio-cmx3600-adapter"
        ) from exc
    from previz.assemble._timeline_build import attach_shot_metadata, build_timeline
    from previz.assemble._timeline_write import (
        CMX_MAX_EVENTS,
        edl_timeline,
        write_with_adapter,
    )

    out_dir = Path(out_dir)
    built = build_timeline(plan, renders, Path(root), out_dir)
    timeline, fps = built.timeline, plan.fps
    notes = list(built.notes)
    transitions = sum(
        1 for track in timeline.tracks for item in track if item.schema_name() == "Transition"
    )
    if built.clips > CMX_MAX_EVENTS:
        notes.append(
            f"the EDL has {built.clips} events, more than the {CMX_MAX_EVENTS} CMX 3600 "
            "allows: Resolve and Premiere read it, strict EDL readers may not (use the XML)"
        )
    if transitions:
        notes.append(
            f"{transitions} dissolves and fades are transitions in the .otio and the XML; "
            "the EDL cuts there and says so in a comment"
        )

    paths = {key: out_dir / name for key, name in TIMELINE_FILES.items()}
    # Both adapters may change what they are given: each gets its own copy.
    write_with_adapter(timeline.deepcopy(), paths["fcp_xml"], "fcp_xml")
    write_with_adapter(
        edl_timeline(timeline), paths["edl"], "cmx_3600", encoding="ascii",
        rate=fps, style="avid",
    )  # fmt: skip
    attach_shot_metadata(built)
    write_with_adapter(timeline, paths["otio"], "otio_json", indent=2)

    return TimelineInfo(
        otio_path=paths["otio"],
        fcp_xml_path=paths["fcp_xml"],
        edl_path=paths["edl"],
        clips=built.clips,
        frames=built.frames,
        fps=fps,
        duration_s=built.frames / fps,
        transitions=transitions,
        notes=notes,
        seconds=time.perf_counter() - started,
    )
