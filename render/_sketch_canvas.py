"""Drawing surface of the sketch backend: supersampled shapes, colours and fonts.

Shapes are drawn at ``scale`` times the frame size and reduced with a box filter at the
end, which anti-aliases every edge for the cost of one downsample. Coordinates are in
frame pixels (the final image's); the canvas multiplies them by the scale and, for the
scene (not for annotations), applies the shot's roll (a dutch tilt) about the frame
centre, so a tilted panel needs no image rotation.
"""

from __future__ import annotations

import colorsys
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

Color = tuple[int, int, int]
Point = tuple[float, float]

_FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/Library/Fonts"),
    Path("C:/Windows/Fonts"),
)
_FONT_FILES = {
    "sans": "DejaVuSans.ttf",
    "bold": "DejaVuSansCondensed-Bold.ttf",
    "title": "DejaVuSans-Bold.ttf",
    "hand": "DejaVuSerif-Italic.ttf",
}


def mix(a: Color, b: Color, t: float) -> Color:
    """``a`` moved a fraction ``t`` of the way to ``b``."""
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def tint(c: Color, mult: tuple[float, float, float]) -> Color:
    """``c`` lit by a light of colour ``mult`` (per-channel factors)."""
    return (
        min(255, round(c[0] * mult[0])),
        min(255, round(c[1] * mult[1])),
        min(255, round(c[2] * mult[2])),
    )


def hsv(h: float, s: float, v: float) -> Color:
    """An sRGB colour from hue (degrees), saturation and value in 0..1."""
    r, g, b = colorsys.hsv_to_rgb((h % 360) / 360, s, v)
    return round(r * 255), round(g * 255), round(b * 255)


def luma(c: Color) -> float:
    """Rec. 601 luminance of ``c`` (0..255)."""
    return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]


@lru_cache(maxsize=64)
def font(size: int, kind: str = "sans") -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A TrueType font of ``size`` px: DejaVu where installed, else Pillow's own.

    Pillow >= 10.1 ships a scalable default font, so labels stay readable on a machine
    without any fonts installed.
    """
    name = _FONT_FILES.get(kind, _FONT_FILES["sans"])
    for folder in _FONT_DIRS:
        path = folder / name
        if path.is_file():
            return ImageFont.truetype(str(path), size)
    try:
        return ImageFont.truetype(name, size)
    except OSError:
        return ImageFont.load_default(size=size)


def text_size(text: str, fnt: ImageFont.FreeTypeFont | ImageFont.ImageFont) -> tuple[int, int]:
    """Width and height of ``text`` set in ``fnt`` (one line)."""
    left, top, right, bottom = fnt.getbbox(text)
    return int(right - left), int(bottom - top)


def ellipse_points(cx: float, cy: float, rx: float, ry: float, n: int = 28) -> list[Point]:
    """``n`` points around an axis-aligned ellipse."""
    step = 2 * math.pi / n
    return [(cx + rx * math.cos(i * step), cy + ry * math.sin(i * step)) for i in range(n)]


def arc_points(
    cx: float, cy: float, rx: float, ry: float, start: float, end: float, n: int = 12
) -> list[Point]:
    """Points along an elliptical arc from ``start`` to ``end`` (radians, y down)."""
    return [
        (
            cx + rx * math.cos(start + (end - start) * i / n),
            cy + ry * math.sin(start + (end - start) * i / n),
        )
        for i in range(n + 1)
    ]


def capsule_points(p: Point, rp: float, q: Point, rq: float, n: int = 6) -> list[Point]:
    """Outline of a tapered capsule: circles of radius ``rp`` at ``p`` and ``rq`` at ``q``."""
    dx, dy = q[0] - p[0], q[1] - p[1]
    length = math.hypot(dx, dy)
    if length < 1e-6:
        return ellipse_points(p[0], p[1], max(rp, rq), max(rp, rq), 2 * n)
    angle = math.atan2(dy, dx)
    # the tangent lines of two circles meet the radii at this angle off the axis
    offset = math.acos(max(-1.0, min(1.0, (rp - rq) / length)))
    points: list[Point] = []
    for i in range(n + 1):  # the far cap, around q
        a = angle - offset + (2 * offset) * i / n
        points.append((q[0] + rq * math.cos(a), q[1] + rq * math.sin(a)))
    for i in range(n + 1):  # the near cap, around p
        a = angle + offset + (2 * math.pi - 2 * offset) * i / n
        points.append((p[0] + rp * math.cos(a), p[1] + rp * math.sin(a)))
    return points


class Canvas:
    """A supersampled RGB drawing surface in frame coordinates.

    Args:
        width: frame width in pixels (of the final image).
        height: frame height in pixels.
        background: the colour the canvas starts with.
        scale: supersampling factor (1 draws directly, without anti-aliasing; below 1
            draws a small, soft layer to be enlarged).
        roll_deg: clockwise tilt of the scene about the frame centre (a dutch angle).
        transparent: start as a clear RGBA layer instead of ``background``.
    """

    def __init__(
        self,
        width: int,
        height: int,
        background: Color,
        *,
        scale: float = 2,
        roll_deg: float = 0.0,
        transparent: bool = False,
    ) -> None:
        self.width = width
        self.height = height
        self.scale = scale
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        if transparent:
            self.image = Image.new("RGBA", size, (0, 0, 0, 0))
        else:
            self.image = Image.new("RGB", size, background)
        self._draw = ImageDraw.Draw(self.image)
        self._cx = width / 2
        self._cy = height / 2
        self._roll = math.radians(roll_deg)
        self._cos = math.cos(self._roll)
        self._sin = math.sin(self._roll)
        self._rolled = abs(roll_deg) > 1e-6
        self.ops: Counter[str] = Counter()
        """How many primitives of each kind were drawn (for the benchmark's baseline)."""

    # ---- transforms -------------------------------------------------------------------

    @contextmanager
    def unrolled(self) -> Iterator[None]:
        """Draw in plain frame coordinates (annotations stay level on a dutch panel)."""
        saved = self._rolled
        self._rolled = False
        try:
            yield
        finally:
            self._rolled = saved

    def to_frame(self, x: float, y: float) -> Point:
        """Where the scene point ``(x, y)`` lands in the final frame (after the roll)."""
        if not self._rolled:
            return x, y
        dx, dy = x - self._cx, y - self._cy
        return (
            self._cx + dx * self._cos - dy * self._sin,
            self._cy + dx * self._sin + dy * self._cos,
        )

    def _px(self, points: Iterable[Point]) -> list[Point]:
        s = self.scale
        if not self._rolled:
            return [(x * s, y * s) for x, y in points]
        cx, cy, c, k = self._cx, self._cy, self._cos, self._sin
        return [
            ((cx + (x - cx) * c - (y - cy) * k) * s, (cy + (x - cx) * k + (y - cy) * c) * s)
            for x, y in points
        ]

    @property
    def cover(self) -> tuple[float, float, float, float]:
        """A scene rectangle that covers the whole frame whatever the roll."""
        if not self._rolled:
            return 0.0, 0.0, float(self.width), float(self.height)
        r = math.hypot(self.width, self.height) / 2 + 2
        return self._cx - r, self._cy - r, self._cx + r, self._cy + r

    # ---- primitives -------------------------------------------------------------------

    def polygon(
        self,
        points: Sequence[Point],
        fill: Color | None,
        outline: Color | None = None,
        width: float = 0.0,
    ) -> None:
        """A filled polygon with an optional outline centred on its edge."""
        if len(points) < 3:
            return
        xy = self._px(points)
        if fill is not None:
            self._draw.polygon(xy, fill=fill)
            self.ops["polygon"] += 1
        if outline is not None and width > 0:
            self._draw.line([*xy, xy[0], xy[1]], fill=outline, width=self._w(width), joint="curve")
            self.ops["line"] += 1

    def ellipse(
        self,
        cx: float,
        cy: float,
        rx: float,
        ry: float,
        fill: Color | None,
        outline: Color | None = None,
        width: float = 0.0,
    ) -> None:
        """An axis-aligned ellipse (rotated with the scene); outline centred on its edge."""
        if rx <= 0 or ry <= 0:
            return
        if self._rolled and abs(rx - ry) > 0.5:
            n = max(16, min(48, int((rx + ry) / 4)))
            self.polygon(ellipse_points(cx, cy, rx, ry, n), fill, outline, width)
            return
        (x, y), s = self._px([(cx, cy)])[0], self.scale
        if outline is not None and width > 0:
            w = width / 2
            box = [x - (rx + w) * s, y - (ry + w) * s, x + (rx + w) * s, y + (ry + w) * s]
            self._draw.ellipse(box, fill=outline)
            self.ops["ellipse"] += 1
            rx, ry = rx - w, ry - w
            if rx <= 0 or ry <= 0:
                return
        if fill is not None:
            self._draw.ellipse([x - rx * s, y - ry * s, x + rx * s, y + ry * s], fill=fill)
            self.ops["ellipse"] += 1

    def circle(
        self,
        cx: float,
        cy: float,
        r: float,
        fill: Color | None,
        outline: Color | None = None,
        width: float = 0.0,
    ) -> None:
        """A circle; outline centred on its edge."""
        self.ellipse(cx, cy, r, r, fill, outline, width)

    def line(
        self, points: Sequence[Point], fill: Color, width: float, *, round_ends: bool = False
    ) -> None:
        """A polyline with rounded joints (and, optionally, rounded ends)."""
        if len(points) < 2:
            return
        xy = self._px(points)
        w = self._w(width)
        self._draw.line(xy, fill=fill, width=w, joint="curve" if len(xy) > 2 else None)
        self.ops["line"] += 1
        if round_ends and w > 2:
            for x, y in (xy[0], xy[-1]):
                self._draw.ellipse([x - w / 2, y - w / 2, x + w / 2, y + w / 2], fill=fill)
            self.ops["ellipse"] += 2

    def capsule(
        self,
        p: Point,
        rp: float,
        q: Point,
        rq: float,
        fill: Color,
        outline: Color | None = None,
        width: float = 0.0,
    ) -> None:
        """A tapered limb between two round ends, outline drawn as an inflated capsule."""
        n = 3 if max(rp, rq) < 3 else 6
        if outline is not None and width > 0:
            w = width / 2
            self.polygon(capsule_points(p, rp + w, q, rq + w, n), outline)
            rp, rq = max(0.3, rp - w), max(0.3, rq - w)
        self.polygon(capsule_points(p, rp, q, rq, n), fill)

    def rect(
        self,
        x0: float,
        y0: float,
        x1: float,
        y1: float,
        fill: Color | None,
        outline: Color | None = None,
        width: float = 0.0,
    ) -> None:
        """A rectangle (a polygon, so it tilts with the scene)."""
        self.polygon([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], fill, outline, width)

    def _w(self, width: float) -> int:
        return max(1, round(width * self.scale))

    def finish(self) -> Image.Image:
        """The frame-size image: the supersampled drawing reduced with a box filter."""
        if self.scale == 1:
            return self.image
        return self.image.reduce(int(self.scale))
