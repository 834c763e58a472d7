"""Making the animatic's frames: camera moves on stills, clips, transitions, overlays.

The costs decide the shapes here. A held still is composed once and its bytes are sent
again for every frame; a move that only translates (pan, tilt, tracking, handheld) is an
integer crop of a still scaled once; only zooms (push in, pull out, zoom, dolly, crane)
resample every frame. All of it works on the yuv420p planes the encoder takes, half the
pixels of RGB and no colour conversion per frame.
"""

from __future__ import annotations

import hashlib
import math
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from previz.assemble._animatic_ffmpeg import FrameReader
from previz.assemble._animatic_text import Stamp
from previz.assemble._animatic_yuv import (
    Planes,
    black_planes,
    blend_planes,
    copy_planes,
    full_chroma,
    planes_from_bytes,
    planes_to_bytes,
    rgb_to_planes,
)
from previz.assemble.timing import DISSOLVE_FRAMES, FADE_FRAMES

__all__ = [
    "CameraMove",
    "Edges",
    "FrameSequencer",
    "HeldSource",
    "PanSource",
    "Ramp",
    "ShotTrack",
    "Source",
    "StreamSource",
    "ZoomSource",
    "camera_move",
    "fit_still",
    "load_still",
    "open_still",
    "plan_edges",
    "prefetch",
]


@dataclass(frozen=True)
class Ramp:
    """A value going from ``start`` to ``end`` over the shot, eased in and out or linear."""

    start: float
    end: float
    eased: bool = True

    def at(self, t: float) -> float:
        """The value at progress ``t`` (0..1)."""
        if self.eased:
            t = t * t * (3 - 2 * t)
        return self.start + (self.end - self.start) * t


@dataclass(frozen=True)
class CameraMove:
    """A simulated move: the view's zoom and offset over the shot.

    ``zoom`` is relative to the whole still (1 shows it all); ``dx`` and ``dy`` place the
    view within the margin that zoom leaves: -1 at the left (top) edge, 1 at the right
    (bottom). ``shake`` adds a handheld wobble to the offsets.
    """

    zoom: Ramp
    dx: Ramp = Ramp(0.0, 0.0)
    dy: Ramp = Ramp(0.0, 0.0)
    shake: bytes | None = None
    """Seed of the handheld wobble, or ``None``."""

    @property
    def max_zoom(self) -> float:
        return max(self.zoom.start, self.zoom.end)

    @property
    def translates_only(self) -> bool:
        """The zoom never changes: each frame is a crop of one scaled still."""
        return self.zoom.start == self.zoom.end

    def view(self, t: float, seconds: float) -> tuple[float, float, float]:
        """``(zoom, dx, dy)`` at progress ``t``, ``seconds`` into the shot."""
        dx, dy = self.dx.at(t), self.dy.at(t)
        if self.shake is not None:
            # A few slow sines per axis with seeded phases: breathing, not noise.
            phases = [self.shake[i] / 255 * 2 * math.pi for i in range(6)]
            for i, freq in enumerate(SHAKE_HZ):
                dx += SHAKE / 3 * math.sin(2 * math.pi * freq * seconds + phases[i])
                dy += SHAKE / 3 * math.sin(2 * math.pi * freq * 1.3 * seconds + phases[3 + i])
        return self.zoom.at(t), dx, dy


PUSH_IN_ZOOM = 1.15
ZOOM_ZOOM = 1.25
DOLLY_ZOOM = 1.10
PAN_ZOOM = 1.12
TRACK_ZOOM = 1.10
HANDHELD_ZOOM = 1.06
CRANE_ZOOM = (1.14, 1.04)
SHAKE = 0.28
"""Handheld wobble, as a share of the margin the handheld zoom leaves."""
SHAKE_HZ = (0.31, 0.57, 1.13)


def camera_move(movement: str, key: str) -> CameraMove | None:
    """The simulated move for a shot's ``movement`` (``None`` for static).

    Args:
        movement: one of the plan's movements.
        key: a stable key (the shot id) that picks directions and the handheld shake.

    Returns:
        The move, or ``None`` when the frame holds still.
    """
    seed = hashlib.sha256(key.encode()).digest()
    side = 1.0 if seed[7] % 2 == 0 else -1.0
    moves = {
        "push in": CameraMove(Ramp(1.0, PUSH_IN_ZOOM)),
        "zoom": CameraMove(Ramp(1.0, ZOOM_ZOOM)),
        "pull out": CameraMove(Ramp(PUSH_IN_ZOOM, 1.0)),
        "dolly": CameraMove(Ramp(1.0, DOLLY_ZOOM), dx=Ramp(0.0, side * 0.5)),
        # The camera rises: the view climbs from the bottom of the still, widening a little.
        "crane": CameraMove(Ramp(*CRANE_ZOOM), dy=Ramp(1.0, -1.0)),
        "pan": CameraMove(Ramp(PAN_ZOOM, PAN_ZOOM), dx=Ramp(-side, side)),
        "tilt": CameraMove(Ramp(PAN_ZOOM, PAN_ZOOM), dy=Ramp(-side, side)),
        "tracking": CameraMove(Ramp(TRACK_ZOOM, TRACK_ZOOM), dx=Ramp(-side, side, eased=False)),
        "handheld": CameraMove(Ramp(HANDHELD_ZOOM, HANDHELD_ZOOM), shake=seed),
    }
    return moves.get(movement)


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)


def _cover_box(size: tuple[int, int], aspect: float) -> tuple[float, float, float, float]:
    """The centred region of ``size`` with ``aspect``: the still cropped to fill the frame."""
    width, height = size
    if width / height > aspect:
        inner = height * aspect
        return ((width - inner) / 2, 0.0, (width + inner) / 2, float(height))
    inner = width / aspect
    return (0.0, (height - inner) / 2, float(width), (height + inner) / 2)


def fit_still(image: Image.Image, width: int, height: int) -> Image.Image:
    """The still cropped to the frame's aspect (centred) and scaled to ``width x height``."""
    image = image.convert("RGB")
    if image.size == (width, height):
        return image
    box = _cover_box(image.size, width / height)
    return image.resize((width, height), Image.Resampling.LANCZOS, box=box)


class HeldSource:
    """A still held for the whole shot: converted once, the same planes every frame."""

    static = True

    def __init__(self, image: Image.Image, width: int, height: int) -> None:
        self._planes = rgb_to_planes(fit_still(image, width, height))

    def planes(self, k: int) -> Planes:
        """The picture (the same for every ``k``); do not draw on it."""
        return self._planes

    def close(self) -> None:
        """Nothing to release."""


class PanSource:
    """A still moved without zooming (pan, tilt, tracking, handheld): integer crops.

    The still is scaled once to the move's zoom; each frame crops the frame size from
    it, so a frame costs a copy, not a resampling.
    """

    static = False

    def __init__(
        self, image: Image.Image, width: int, height: int, frames: int, fps: int, move: CameraMove
    ) -> None:
        self.width, self.height = width, height
        self.frames, self.fps, self.move = frames, fps, move
        self._src_w = _even(width * move.max_zoom)
        self._src_h = _even(height * move.max_zoom)
        luma, cb_full, cr_full = full_chroma(fit_still(image, self._src_w, self._src_h))
        self._luma = luma
        # Chroma subsampled for each parity of the crop's offset, so that any integer
        # offset is a plain crop of every plane.
        self._chroma = {
            (px, py): (
                cb_full.crop((px, py, self._src_w - px, self._src_h - py)).reduce(2),
                cr_full.crop((px, py, self._src_w - px, self._src_h - py)).reduce(2),
            )
            for px in (0, 1)
            for py in (0, 1)
        }

    def planes(self, k: int) -> Planes:
        """The picture at local frame ``k`` (clamped to the shot)."""
        k = min(max(k, 0), self.frames - 1)
        t = k / (self.frames - 1) if self.frames > 1 else 0.0
        _zoom, dx, dy = self.move.view(t, k / self.fps)
        margin_x, margin_y = self._src_w - self.width, self._src_h - self.height
        x = round(margin_x / 2 * (1 + min(max(dx, -1.0), 1.0)))
        y = round(margin_y / 2 * (1 + min(max(dy, -1.0), 1.0)))
        cb, cr = self._chroma[(x % 2, y % 2)]
        cx, cy = x // 2, y // 2
        half_w, half_h = self.width // 2, self.height // 2
        return (
            self._luma.crop((x, y, x + self.width, y + self.height)),
            cb.crop((cx, cy, cx + half_w, cy + half_h)),
            cr.crop((cx, cy, cx + half_w, cy + half_h)),
        )

    def close(self) -> None:
        """Nothing to release."""


class ZoomSource:
    """A still zoomed (push in, pull out, zoom, dolly, crane): resampled every frame.

    Each frame resamples its view box of the still, at fractional coordinates so the move
    glides rather than steps: bilinear on Y', nearest on the half-size chroma (a third of
    the cost of bilinear there, and invisible at half resolution in a slow move). This is
    the one costly kind of frame, so the lower half of Y' is resampled on a second thread
    (Pillow lets go of the GIL): while a zoom plays, the encoder waits on frames and
    leaves a core free.
    """

    static = False

    def __init__(
        self, image: Image.Image, width: int, height: int, frames: int, fps: int, move: CameraMove
    ) -> None:
        self.width, self.height = width, height
        self.frames, self.fps, self.move = frames, fps, move
        self._planes = rgb_to_planes(fit_still(image, width, height))
        cores = os.cpu_count() or 1
        self._pool = (
            ThreadPoolExecutor(1, thread_name_prefix="animatic-zoom") if cores > 1 else None
        )

    def planes(self, k: int) -> Planes:
        """The picture at local frame ``k`` (clamped to the shot)."""
        k = min(max(k, 0), self.frames - 1)
        t = k / (self.frames - 1) if self.frames > 1 else 0.0
        zoom, dx, dy = self.move.view(t, k / self.fps)
        zoom = min(max(zoom, 1.0), self.move.max_zoom)
        box_w, box_h = self.width / zoom, self.height / zoom
        left = (self.width - box_w) / 2 * (1 + min(max(dx, -1.0), 1.0))
        top = (self.height - box_h) / 2 * (1 + min(max(dy, -1.0), 1.0))
        box = (left, top, left + box_w, top + box_h)
        half = (self.width // 2, self.height // 2)
        luma, cb, cr = self._planes
        chroma_box = (box[0] / 2, box[1] / 2, box[2] / 2, box[3] / 2)
        nearest = Image.Resampling.NEAREST
        chroma = (
            cb.resize(half, nearest, box=chroma_box),
            cr.resize(half, nearest, box=chroma_box),
        )
        bilinear = Image.Resampling.BILINEAR
        if self._pool is None:
            return (luma.resize((self.width, self.height), bilinear, box=box), *chroma)
        # Two bands of rows, each from its share of the box: the same pixels as one call.
        rows = self.height // 2
        middle = top + box_h * rows / self.height
        lower = self._pool.submit(
            luma.resize,
            (self.width, self.height - rows),
            bilinear,
            box=(box[0], middle, box[2], box[3]),
        )
        upper = luma.resize((self.width, rows), bilinear, box=(box[0], box[1], box[2], middle))
        out = Image.new("L", (self.width, self.height))
        out.paste(upper, (0, 0))
        out.paste(lower.result(), (0, rows))
        return (out, *chroma)

    def close(self) -> None:
        """Stop the helper thread."""
        if self._pool is not None:
            self._pool.shutdown()


class StreamSource:
    """Frames from an ffmpeg process: a rendered clip."""

    static = False

    def __init__(self, reader: FrameReader, width: int, height: int) -> None:
        self._reader = reader
        self.width, self.height = width, height

    def planes(self, k: int) -> Planes:
        """Frame ``k`` (before the start: the first; past the end: the last)."""
        return planes_from_bytes(self._reader.frame(k), self.width, self.height)

    def close(self) -> None:
        """Stop ffmpeg."""
        self._reader.close()


def open_still(
    image: Image.Image, width: int, height: int, frames: int, fps: int, move: CameraMove | None
) -> Source:
    """A still as a source of frames, by the cheapest means its move allows.

    Args:
        image: the still.
        width: frame width.
        height: frame height.
        frames: the shot's length in frames (the move spans them).
        fps: frames per second (for the handheld wobble).
        move: the camera move, ``None`` to hold.

    Returns:
        A :class:`HeldSource`, :class:`PanSource` or :class:`ZoomSource`.
    """
    if move is None:
        return HeldSource(image, width, height)
    if move.translates_only:
        return PanSource(image, width, height, frames, fps, move)
    return ZoomSource(image, width, height, frames, fps, move)


Source = HeldSource | PanSource | ZoomSource | StreamSource


@dataclass
class Edges:
    """How a shot begins and ends, in frames (0: a cut)."""

    fade_in: int = 0
    """Frames of fade from black at the start."""
    fade_out: int = 0
    """Frames of fade to black at the end."""
    dissolve_in: int = 0
    """Half-length of a dissolve from the previous shot, centred on this shot's start."""
    dissolve_out: int = 0
    """Half-length of the dissolve into the next shot."""


def plan_edges(frames: list[int], kinds: list[str]) -> list[Edges]:
    """Each shot's fades and dissolves, from the plan's transitions (how shots begin).

    The film fades in from black and out to black at the end. A transition never takes
    more than half of either shot, so a shot's two ends never overlap.

    Args:
        frames: each shot's length in frames (all positive).
        kinds: each shot's transition in: ``cut``, ``smash cut``, ``dissolve``, ``fade``.

    Returns:
        One :class:`Edges` per shot.
    """
    edges = [Edges() for _ in frames]
    for index, kind in enumerate(kinds):
        if index == 0:
            edges[0].fade_in = min(FADE_FRAMES, frames[0] // 2)
            continue
        limit = min(frames[index - 1], frames[index]) // 2
        if kind == "dissolve":
            half = min(DISSOLVE_FRAMES // 2, limit)
            edges[index - 1].dissolve_out = edges[index].dissolve_in = half
        elif kind == "fade":
            length = min(FADE_FRAMES, limit)
            edges[index - 1].fade_out = edges[index].fade_in = length
    edges[-1].fade_out = min(FADE_FRAMES, frames[-1] // 2)
    return edges


@dataclass
class ShotTrack:
    """One shot on the timeline, with what the sequencer needs to draw it."""

    shot_id: str
    start: int
    """First frame (global)."""
    frames: int
    edges: Edges
    open_source: Callable[[], Source]
    """Opens the shot's media when its first frame (or a dissolve into it) is due."""
    overlays: Callable[[], list[tuple[int, list[Stamp]]]]
    """``(first local frame, stamps)`` in order, from frame 0: what text is on screen when."""

    @property
    def end(self) -> int:
        return self.start + self.frames


class FrameSequencer:
    """Yields the film's raw frames in order, keeping at most two shots' media open."""

    def __init__(self, tracks: list[ShotTrack], width: int, height: int) -> None:
        self.tracks = [track for track in tracks if track.frames > 0]
        self.width, self.height = width, height
        self._black = black_planes(width, height)
        self._sources: dict[int, Source] = {}
        self._overlays: dict[int, list[tuple[int, list[Stamp]]]] = {}

    def _source(self, index: int) -> Source:
        if index not in self._sources:
            self._sources[index] = self.tracks[index].open_source()
        return self._sources[index]

    def _release_before(self, index: int) -> None:
        for old in [i for i in self._sources if i < index]:
            self._sources.pop(old).close()
        for old in [i for i in self._overlays if i < index]:
            del self._overlays[old]

    def _stamps(self, index: int, k: int) -> tuple[int, list[Stamp]]:
        if index not in self._overlays:
            self._overlays[index] = self.tracks[index].overlays()
        schedule = self._overlays[index]
        chosen = 0
        for position, (first, _stamps) in enumerate(schedule):
            if first <= k:
                chosen = position
            else:
                break
        return chosen, schedule[chosen][1]

    def _picture(self, index: int, k: int) -> tuple[Planes, bool]:
        """The picture of track ``index`` at local frame ``k``, and whether it is a held still."""
        track = self.tracks[index]
        source = self._source(index)
        planes = source.planes(k)
        held = source.static
        if k < track.edges.dissolve_in:
            half = track.edges.dissolve_in
            outgoing = self._source(index - 1).planes(self.tracks[index - 1].frames + k)
            planes = blend_planes(outgoing, planes, (k + half + 0.5) / (2 * half))
            held = False
        elif k < track.edges.fade_in:
            planes = blend_planes(self._black, planes, k / track.edges.fade_in)
            held = False
        remaining = track.frames - k
        if remaining <= track.edges.dissolve_out:
            half = track.edges.dissolve_out
            incoming = self._source(index + 1).planes(-remaining)
            planes = blend_planes(planes, incoming, (half - remaining + 0.5) / (2 * half))
            held = False
        elif remaining <= track.edges.fade_out:
            planes = blend_planes(self._black, planes, (remaining - 1) / track.edges.fade_out)
            held = False
        return planes, held

    def frames(self) -> Iterator[bytes]:
        """Every frame of the film as raw yuv420p bytes."""
        try:
            for index, track in enumerate(self.tracks):
                self._release_before(index - 1 if track.edges.dissolve_in else index)
                cached_key: tuple[int, int] | None = None
                cached = b""
                for k in range(track.frames):
                    if index and k == track.edges.dissolve_in:
                        self._release_before(index)
                    card, stamps = self._stamps(index, k)
                    planes, held = self._picture(index, k)
                    if held and cached_key == (index, card):
                        yield cached
                        continue
                    if stamps:
                        planes = copy_planes(planes)
                        for stamp in stamps:
                            stamp.paste(planes)
                    data = planes_to_bytes(planes)
                    if held:
                        cached_key, cached = (index, card), data
                    yield data
        finally:
            self._release_before(len(self.tracks))


MAX_AHEAD_FRAMES = 24 * 120
"""However cheap the frames, the producer stays at most this many ahead (2 min at 24 fps)."""


def prefetch(frames: Iterator[bytes], max_bytes: int) -> Iterator[bytes]:
    """Make ``frames`` in a thread, ahead of the consumer by up to ``max_bytes`` of new frames.

    This is what lets frame making and encoding overlap on few cores. Held stills cost
    the encoder time but the producer none (the same bytes object again), so during them
    the thread runs on into the next moves, which cost the producer time and the encoder
    little. Only new frames count against ``max_bytes``: a repeat of the previous frame
    is the same object. Pillow releases the GIL while it resamples, and so does the pipe
    write. An error in the thread is raised here; a consumer that stops early stops it.
    """
    cond = threading.Condition()
    items: deque[tuple[object, int]] = deque()
    budget = [max_bytes]
    stopped = [False]
    done = object()

    def produce() -> None:
        last: bytes | None = None
        end: object = done
        try:
            for data in frames:
                cost = 0 if data is last else len(data)
                last = data
                with cond:
                    while not stopped[0] and (
                        (cost and budget[0] < cost) or len(items) >= MAX_AHEAD_FRAMES
                    ):
                        cond.wait()
                    if stopped[0]:
                        return
                    budget[0] -= cost
                    items.append((data, cost))
                    cond.notify_all()
        except BaseException as exc:  # handed to the consumer, raised there
            end = exc
        finally:
            close = getattr(frames, "close", None)
            if close is not None:
                close()
        with cond:
            items.append((end, 0))
            cond.notify_all()

    worker = threading.Thread(target=produce, name="animatic-frames", daemon=True)
    worker.start()
    try:
        while True:
            with cond:
                while not items:
                    cond.wait()
                item, cost = items.popleft()
                budget[0] += cost
                cond.notify_all()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        with cond:
            stopped[0] = True
            cond.notify_all()
        worker.join()


def load_still(path: Path) -> Image.Image:
    """Open a still fully (so the file is closed at once)."""
    with Image.open(path) as image:
        image.load()
        return image.convert("RGB")
