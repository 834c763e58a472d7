"""The animatic: a rendered shot plan as an MP4 with camera moves, transitions and captions.

One ffmpeg process encodes H.264 (yuv420p, +faststart) from raw frames on its stdin; the
frames are made shot by shot (:mod:`previz.assemble._animatic_frames`), so the film is
never held in memory. Each shot lasts exactly its planned duration: shot ``i`` covers
frames ``round(t_i * fps)`` to ``round(t_(i+1) * fps)`` of the cumulative times ``t``, so
rounding never drifts. Where a speech engine is installed the dialogue is voiced on a
scratch track (:mod:`previz.assemble._audio`).

The MP4 is written to a hidden ``.<name>.part`` beside ``out_path`` and renamed at the
end: an interrupted run never leaves a half-written file under the final name.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from previz.assemble._animatic_ffmpeg import (
    Encoder,
    clip_reader,
    encoder_args,
    find_ffmpeg,
    remove_quietly,
)
from previz.assemble._animatic_frames import (
    FrameSequencer,
    ShotTrack,
    Source,
    StreamSource,
    camera_move,
    load_still,
    open_still,
    plan_edges,
    prefetch,
)
from previz.assemble._animatic_text import Stamp, TextStyle, caption_cards, slate_stamp
from previz.assemble._audio import (
    ScratchTrack,
    build_scratch_track,
    speech_engine,
)
from previz.assemble.timing import estimated_line_starts, frame_boundaries
from previz.errors import AssemblyError
from render.model import RenderSet, ShotRender
from shots.model import Shot, ShotPlan

__all__ = ["AnimaticInfo", "FrameProgress", "ShotMarker", "assemble_animatic"]

PREFETCH_BYTES = 192 << 20
"""New frames made ahead of the encoder, at most (140 at 720p: about 6 s of moves)."""

FrameProgress = Callable[[int, int], None]
"""Called after each frame is sent to the encoder with ``(frames done, total frames)``."""


class ShotMarker(BaseModel):
    """Where a shot sits in the animatic (for a player's shot list and seeking)."""

    model_config = ConfigDict(extra="forbid")

    shot_id: str
    start_frame: int
    frames: int
    start_s: float
    """``start_frame / fps``: a keyframe is forced here, so seeking lands exactly."""


class AnimaticInfo(BaseModel):
    """What :func:`assemble_animatic` wrote."""

    model_config = ConfigDict(extra="forbid")

    path: Path
    frames: int
    fps: int
    duration_s: float
    width: int
    height: int
    has_audio: bool
    notes: list[str]
    """Anything a user should know: no speech engine, a line not voiced, a shot too short."""
    seconds: float
    """Wall time spent assembling."""
    markers: list[ShotMarker]

    @property
    def shot_starts(self) -> list[tuple[str, float]]:
        """``(shot id, start in seconds)`` for each shot, in order."""
        return [(marker.shot_id, marker.start_s) for marker in self.markers]


def _frame_size(plan: ShotPlan, renders: RenderSet, long_side: int | None) -> tuple[int, int]:
    side = long_side or max(renders.width, renders.height)
    if side < 16:
        raise AssemblyError(f"frame size too small: long side {side} px (expected at least 16)")
    return plan.style.frame_size(side)


def _media(plan: ShotPlan, renders: RenderSet, root: Path) -> dict[str, tuple[ShotRender, Path]]:
    """Each shot's render and media file, all checked before anything is encoded."""
    media = {}
    for shot in plan.shots:
        try:
            render = renders.for_shot(shot.id)
        except KeyError:
            raise AssemblyError(f"shot {shot.id} has no render in the render set") from None
        path = renders.media_path(root, shot.id)
        if not path.is_file():
            raise AssemblyError(f"shot {shot.id}: {render.kind} not found: {path}", path=path)
        media[shot.id] = (render, path)
    return media


def _open_source(
    ffmpeg: str,
    shot: Shot,
    render: ShotRender,
    path: Path,
    frames: int,
    handle: int,
    size: tuple[int, int],
    fps: int,
) -> Callable[[], Source]:
    width, height = size

    def open_source() -> Source:
        if render.kind == "clip":
            # Decode on into the frames a dissolve out of the shot still shows.
            reader = clip_reader(ffmpeg, path, width, height, fps, frames + handle, shot.id)
            return StreamSource(reader, width, height)
        try:
            image = load_still(path)
        except (OSError, ValueError) as exc:
            raise AssemblyError(f"shot {shot.id}: cannot read the still: {exc}", path=path) from exc
        move = camera_move(shot.movement, shot.id)
        return open_still(image, width, height, frames, fps, move)

    return open_source


def _overlays(
    shot: Shot,
    frames: int,
    fps: int,
    style: TextStyle,
    *,
    captions: bool,
    slate: bool,
    scratch: ScratchTrack | None,
) -> Callable[[], list[tuple[int, list[Stamp]]]]:
    def overlays() -> list[tuple[int, list[Stamp]]]:
        fixed = [slate_stamp(shot, style)] if slate else []
        if not (captions and shot.dialogue):
            return [(0, fixed)]
        if scratch is not None and shot.id in scratch.starts:
            starts = scratch.starts[shot.id]
        else:
            starts = estimated_line_starts(shot)
        schedule = caption_cards(shot, starts, frames, fps, style)
        return [(first, [*fixed, stamp] if stamp else fixed) for first, stamp in schedule]

    return overlays


def assemble_animatic(
    plan: ShotPlan,
    renders: RenderSet,
    root: Path,
    out_path: Path,
    *,
    captions: bool = True,
    slate: bool = True,
    audio: bool = True,
    on_frame: FrameProgress | None = None,
    long_side: int | None = None,
) -> AnimaticInfo:
    """Cut the rendered shots into an animatic MP4.

    Stills get their shot's camera move simulated (push in, pull out, pan, tilt, tracking,
    dolly, crane, zoom, a handheld shake); clips play, trimmed or held to the shot's
    length. Shots begin with their planned transition (cut, smash cut, a 12-frame
    dissolve, a fade through black); the film fades in from black and out to black.

    Args:
        plan: the shot plan (durations, moves, transitions, dialogue, frame rate).
        renders: each shot's rendered still or clip.
        root: the folder the render set's paths are relative to (the run's output folder).
        out_path: the MP4 to write; replaced only once the new one is complete.
        captions: burn in each shot's dialogue as subtitles (``STEEL: Beer's ready!``).
        slate: burn in scene and shot id at the top left (``SC 3 · 3-05``).
        audio: voice the dialogue on a scratch track if a speech engine is installed.
        on_frame: progress callback, ``(frames done, total frames)`` after every frame.
        long_side: frame size on the long side; the render set's size by default. The
            plan's aspect ratio gives the other side.

    Returns:
        What was written: size, frame count, audio, shot markers, notes, time spent.

    Raises:
        AssemblyError: a shot has no render or its file is missing or unreadable;
            ffmpeg is missing or fails (the message ends with ffmpeg's last lines).
    """
    started = time.perf_counter()
    if not plan.shots:
        raise AssemblyError("the shot plan has no shots: nothing to assemble")
    if plan.fps < 1:
        raise AssemblyError(f"frame rate must be at least 1, got {plan.fps}")
    fps = plan.fps
    width, height = _frame_size(plan, renders, long_side)
    media = _media(plan, renders, Path(root))
    ffmpeg = find_ffmpeg()
    out_path = Path(out_path)
    bounds = frame_boundaries([shot.duration_s for shot in plan.shots], fps)
    total = bounds[-1]
    if total == 0:
        raise AssemblyError(f"the shots add up to {plan.duration_s:.3f} s: less than one frame")
    notes: list[str] = []
    markers = [
        ShotMarker(shot_id=shot.id, start_frame=start, frames=end - start, start_s=start / fps)
        for shot, start, end in zip(plan.shots, bounds, bounds[1:], strict=False)
    ]
    notes += [
        f"shot {marker.shot_id} is shorter than one frame and is not shown"
        for marker in markers
        if marker.frames == 0
    ]
    out_path.parent.mkdir(parents=True, exist_ok=True)
    part = out_path.with_name(f".{out_path.name}.part")
    style = TextStyle(width, height)

    with tempfile.TemporaryDirectory(prefix="previz-animatic-") as workdir:
        scratch: ScratchTrack | None = None
        if audio:
            engine = speech_engine()
            if engine is None:
                notes.append("no speech engine (espeak-ng) installed: the animatic is silent")
            else:
                starts_s = [start / fps for start in bounds[:-1]]
                scratch = build_scratch_track(
                    engine, plan.shots, starts_s, total / fps, Path(workdir)
                )
                notes += scratch.notes

        shown = [(s, m) for s, m in zip(plan.shots, markers, strict=True) if m.frames > 0]
        edges = plan_edges([m.frames for _, m in shown], [shot.transition for shot, _ in shown])
        tracks = []
        for (shot, marker), edge in zip(shown, edges, strict=True):
            render, path = media[shot.id]
            n = marker.frames
            tracks.append(
                ShotTrack(
                    shot.id,
                    marker.start_frame,
                    n,
                    edge,
                    open_source=_open_source(
                        ffmpeg, shot, render, path, n, edge.dissolve_out, (width, height), fps
                    ),
                    overlays=_overlays(
                        shot, n, fps, style, captions=captions, slate=slate, scratch=scratch
                    ),
                )
            )
        sequencer = FrameSequencer(tracks, width, height)

        wav = scratch.path if scratch is not None else None
        args = encoder_args(
            ffmpeg, width, height, fps, part, audio=wav,
            keyframes_s=[track.start / fps for track in tracks],
        )  # fmt: skip
        encoder = Encoder(args)
        made = prefetch(sequencer.frames(), PREFETCH_BYTES)
        try:
            for done, data in enumerate(made, start=1):
                encoder.write(data)
                if on_frame is not None:
                    on_frame(done, total)
            encoder.close()
            os.replace(part, out_path)
        except BaseException:
            encoder.abort()
            remove_quietly(part)
            raise
        finally:
            made.close()  # stops the frame thread at once, even with a traceback holding it

    return AnimaticInfo(
        path=out_path,
        frames=total,
        fps=fps,
        duration_s=total / fps,
        width=width,
        height=height,
        has_audio=wav is not None,
        notes=notes,
        seconds=time.perf_counter() - started,
        markers=markers,
    )
