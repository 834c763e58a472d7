"""Storyboard notation for the sketch backend: camera-move arrows, POV masks, inserts,
title cards and the text of a panel (labels, name tags, captions).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter

from render._sketch_canvas import Canvas, Color, Point, font, mix, text_size
from render._sketch_figure import Placed
from render._sketch_look import ACCENT, CharacterLook, Palette
from shots.model import Shot

HALO: Color = (250, 248, 242)


@dataclass(frozen=True, slots=True)
class Label:
    """Text to set on the finished frame (anchored as Pillow anchors are: ``mm``, ``la``)."""

    text: str
    x: float
    y: float
    size: int
    fill: Color
    kind: str = "bold"
    anchor: str = "mm"
    box: Color | None = None
    """Background box colour, if any."""
    border: Color | None = None
    stroke: Color | None = None
    """Halo around the letters, for text over the picture."""
    align: str = "center"


def set_labels(image: Image.Image, labels: list[Label]) -> int:
    """Draw ``labels`` on ``image``; returns how many text calls it made."""
    draw = ImageDraw.Draw(image)
    for label in labels:
        fnt = font(label.size, label.kind)
        pad = max(3, label.size // 4)
        if label.box is not None:
            left, top, right, bottom = draw.multiline_textbbox(
                (label.x, label.y),
                label.text,
                font=fnt,
                anchor=label.anchor,
                align=label.align,
                spacing=max(2, label.size // 4),
            )
            draw.rectangle(
                [
                    round(left - pad),
                    round(top - pad * 0.8),
                    round(right + pad),
                    round(bottom + pad * 0.8),
                ],
                fill=label.box,
                outline=label.border,
            )
        stroke = max(1, label.size // 8) if label.stroke is not None else 0
        draw.multiline_text(
            (label.x, label.y),
            label.text,
            font=fnt,
            fill=label.fill,
            anchor=label.anchor,
            align=label.align,
            stroke_width=stroke,
            stroke_fill=label.stroke,
            spacing=max(2, label.size // 4),
        )
    return len(labels)


# ---- camera moves ------------------------------------------------------------------------

_MOVE_WORDS = {
    "pan": "PAN",
    "tilt": "TILT",
    "push in": "PUSH IN",
    "pull out": "PULL OUT",
    "dolly": "DOLLY",
    "tracking": "TRACK",
    "handheld": "HANDHELD",
    "crane": "CRANE UP",
    "zoom": "ZOOM",
}


def _arrow(canvas: Canvas, points: list[Point], width: float, color: Color = ACCENT) -> None:
    """A thick polyline ending in an arrow head, with a light halo so it reads on any tone."""
    bx, by = points[-1]
    head_l, head_w = width * 3.2, width * 2.2
    shaft = [p for p in points[:-1] if math.hypot(p[0] - bx, p[1] - by) > head_l * 1.2]
    ax, ay = shaft[-1] if shaft else points[0]
    length = math.hypot(bx - ax, by - ay) or 1.0
    dx, dy = (bx - ax) / length, (by - ay) / length
    base = (bx - dx * head_l, by - dy * head_l)
    head = [
        (bx, by),
        (base[0] - dy * head_w, base[1] + dx * head_w),
        (base[0] + dy * head_w, base[1] - dx * head_w),
    ]
    shaft = [*(shaft or points[:1]), base]
    halo = width * 0.45
    canvas.line(shaft, HALO, width + 2 * halo, round_ends=True)
    canvas.polygon(head, HALO, HALO, 2 * halo)
    canvas.line(shaft, color, width, round_ends=True)
    canvas.polygon(head, color)


def _dashed_rect(
    canvas: Canvas, x0: float, y0: float, x1: float, y1: float, width: float, color: Color = ACCENT
) -> None:
    dash = max(6.0, width * 4)
    for (ax, ay), (bx, by) in (
        ((x0, y0), (x1, y0)),
        ((x1, y0), (x1, y1)),
        ((x1, y1), (x0, y1)),
        ((x0, y1), (x0, y0)),
    ):
        length = math.hypot(bx - ax, by - ay)
        n = max(1, int(length / (2 * dash)))
        for i in range(n):
            t0, t1 = i / n, (i + 0.55) / n
            canvas.line(
                [
                    (ax + (bx - ax) * t0, ay + (by - ay) * t0),
                    (ax + (bx - ax) * t1, ay + (by - ay) * t1),
                ],
                color,
                width,
            )


def draw_move(canvas: Canvas, movement: str, direction: int, pal: Palette) -> list[Label]:
    """The camera move as storyboard arrows (in frame space, never tilted); its labels."""
    if movement == "static":
        return []
    w, h = canvas.width, canvas.height
    s = min(w, h)
    lw = max(2.0, s * 0.011)
    size = max(11, round(s * 0.028))
    word = _MOVE_WORDS.get(movement, movement.upper())
    labels: list[Label] = []
    with canvas.unrolled():
        if movement == "pan":
            y = h * 0.1
            xs = (w * 0.6, w * 0.92) if direction > 0 else (w * 0.92, w * 0.6)
            _arrow(canvas, [(xs[0], y), (xs[1], y)], lw)
            labels.append(
                Label(
                    word,
                    xs[0] - direction * 8,
                    y,
                    size,
                    ACCENT,
                    anchor="rm" if direction > 0 else "lm",
                    stroke=HALO,
                )
            )
        elif movement == "tilt":
            x = w * 0.93
            ys = (h * 0.66, h * 0.3) if direction > 0 else (h * 0.3, h * 0.66)
            _arrow(canvas, [(x, ys[0]), (x, ys[1])], lw)
            labels.append(
                Label(
                    word,
                    x,
                    ys[0] + direction * 6,
                    size,
                    ACCENT,
                    anchor="ma" if direction > 0 else "md",
                    stroke=HALO,
                )
            )
        elif movement in ("push in", "pull out", "zoom"):
            inset = 0.24
            ix0, iy0, ix1, iy1 = w * inset, h * inset, w * (1 - inset), h * (1 - inset)
            if movement == "zoom":
                _dashed_rect(canvas, w * 0.12, h * 0.12, w * 0.88, h * 0.88, lw * 0.5)
            _dashed_rect(canvas, ix0, iy0, ix1, iy1, lw * 0.6)
            outer = (
                (w * 0.05, h * 0.07),
                (w * 0.95, h * 0.07),
                (w * 0.95, h * 0.93),
                (w * 0.05, h * 0.93),
            )
            inner = (
                (ix0 - lw, iy0 - lw),
                (ix1 + lw, iy0 - lw),
                (ix1 + lw, iy1 + lw),
                (ix0 - lw, iy1 + lw),
            )
            for (ox, oy), (jx, jy) in zip(outer, inner, strict=True):
                a, b = ((ox, oy), (jx, jy)) if movement != "pull out" else ((jx, jy), (ox, oy))
                _arrow(canvas, [a, b], lw * 0.8)
            labels.append(
                Label(word, w / 2, iy1 + size * 0.9, size, ACCENT, anchor="mm", stroke=HALO)
            )
        elif movement in ("tracking", "dolly"):
            y = h * 0.93
            xs = (w * 0.3, w * 0.72) if direction > 0 else (w * 0.72, w * 0.3)
            for rail in (-1, 1):
                canvas.line(
                    [(w * 0.28, y + rail * lw * 1.6), (w * 0.74, y + rail * lw * 1.6)],
                    mix(ACCENT, HALO, 0.45),
                    lw * 0.35,
                )
            for i in range(9):
                x = w * 0.29 + i * (w * 0.44) / 8
                canvas.line(
                    [(x, y - lw * 2.2), (x, y + lw * 2.2)], mix(ACCENT, HALO, 0.45), lw * 0.35
                )
            _arrow(canvas, [(xs[0], y), (xs[1], y)], lw)
            labels.append(
                Label(
                    word,
                    xs[0] - direction * 10,
                    y,
                    size,
                    ACCENT,
                    anchor="rm" if direction > 0 else "lm",
                    stroke=HALO,
                )
            )
        elif movement == "crane":
            x0 = w * 0.84 if direction > 0 else w * 0.16
            pts = [
                (
                    x0 - direction * w * 0.12 * (1 - math.cos(t * math.pi / 2)),
                    h * 0.82 - h * 0.6 * math.sin(t * math.pi / 2),
                )
                for t in (i / 12 for i in range(13))
            ]
            _arrow(canvas, pts, lw)
            labels.append(
                Label(word, pts[0][0], pts[0][1] + 6, size, ACCENT, anchor="ma", stroke=HALO)
            )
        elif movement == "handheld":
            x0, y0 = w * 0.72, h * 0.1
            pts = [(x0 + i * w * 0.012, y0 + math.sin(i * 1.3) * s * 0.018) for i in range(17)]
            canvas.line(pts, HALO, lw + 3)
            canvas.line(pts, ACCENT, lw * 0.8)
            labels.append(
                Label(word, x0 + w * 0.1, y0 + s * 0.05, size, ACCENT, anchor="ma", stroke=HALO)
            )
    return labels


# ---- POV ------------------------------------------------------------------------------------


def pov_kind(description: str) -> str:
    """What the point of view looks through, from the shot's description."""
    text = description.lower()
    if re.search(r"scope|sniper|cross-?hair|rifle sight", text):
        return "scope"
    if re.search(r"binocular|field glass", text):
        return "binoculars"
    if re.search(r"peep ?hole|keyhole|spy ?hole", text):
        return "peephole"
    return "eyes"


def apply_pov(image: Image.Image, kind: str, pal: Palette) -> Image.Image:
    """Mask the finished frame as seen through a scope, binoculars, a peephole or eyes."""
    w, h = image.size
    mask = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(mask)
    cx, cy = w / 2, h / 2
    dark = (10, 10, 12)
    if kind == "eyes":
        # a soft iris: drawn small, blurred, enlarged (smooth, and cheap)
        small = Image.new("L", (max(8, w // 8), max(8, h // 8)), 0)
        sw, sh = small.size
        ImageDraw.Draw(small).ellipse([-sw * 0.04, -sh * 0.02, sw * 1.04, sh * 1.02], fill=255)
        mask = small.filter(ImageFilter.GaussianBlur(min(sw, sh) * 0.07)).resize(
            (w, h), Image.Resampling.BILINEAR
        )
        shaded = Image.blend(image, Image.new("RGB", (w, h), mix(pal.ink, (0, 0, 0), 0.5)), 0.75)
        return Image.composite(image, shaded, mask)
    if kind == "binoculars":
        r = min(h * 0.46, w * 0.27)
        for sx in (-0.78, 0.78):
            draw.ellipse([cx + sx * r - r, cy - r, cx + sx * r + r, cy + r], fill=255)
    else:
        r = min(w, h) * (0.46 if kind == "scope" else 0.3)
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=255)
    mask = mask.filter(ImageFilter.BoxBlur(1))
    out = Image.composite(image, Image.new("RGB", (w, h), dark), mask)
    if kind == "scope":
        lines = ImageDraw.Draw(out)
        lw = max(1, round(min(w, h) * 0.003))
        lines.line([(cx - r, cy), (cx - r * 0.12, cy)], fill=dark, width=lw)
        lines.line([(cx + r * 0.12, cy), (cx + r, cy)], fill=dark, width=lw)
        lines.line([(cx, cy - r), (cx, cy - r * 0.12)], fill=dark, width=lw)
        lines.line([(cx, cy + r * 0.12), (cx, cy + r)], fill=dark, width=lw)
        lines.line([(cx - r * 0.1, cy), (cx + r * 0.1, cy)], fill=dark, width=1)
        lines.line([(cx, cy - r * 0.1), (cx, cy + r * 0.1)], fill=dark, width=1)
        for i in range(1, 5):
            t = r * i / 5
            for sx, sy in ((t, 0), (-t, 0), (0, t), (0, -t)):
                tick = r * 0.025
                if sy == 0:
                    lines.line([(cx + sx, cy - tick), (cx + sx, cy + tick)], fill=dark, width=1)
                else:
                    lines.line([(cx - tick, cy + sy), (cx + tick, cy + sy)], fill=dark, width=1)
    return out


# ---- labels ------------------------------------------------------------------------------------


def corner_label(shot: Shot, width: int, height: int, *, dim: bool) -> Label:
    """``3-05  MCU  low  50mm`` over the place and time, in the top-left corner."""
    short = min(width, height)
    head = f"{shot.id}  {shot.size}  {shot.angle}  {shot.lens_mm}mm"
    slug = " ".join(p for p in (shot.int_ext, shot.location, shot.time_of_day) if p)
    size = max(10, round(short * 0.03))
    text = head
    if slug:
        limit = max(12, int(width * 0.55 / (size * 0.55)))
        text = f"{head}\n{slug[:limit]}"
    m = short * 0.03
    if dim:
        return Label(text, m, m, size, (120, 120, 126), "bold", anchor="la", align="left")
    return Label(
        text,
        m,
        m,
        size,
        (34, 34, 36),
        "bold",
        anchor="la",
        box=(250, 248, 242),
        border=(90, 90, 96),
        align="left",
    )


class NameTags:
    """Name tags of one panel, each in its character's colour, kept clear of each other."""

    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas
        self.width, self.height = canvas.width, canvas.height
        self.size = max(10, round(min(self.width, self.height) * 0.024))
        self.taken: list[tuple[float, float, float, float]] = []

    def at(self, look: CharacterLook, x: float, y: float, *, above: bool) -> Label:
        """A tag for ``look`` at scene point ``(x, y)``: its bottom there if ``above``."""
        fx, fy = self.canvas.to_frame(x, y)
        size = self.size
        text = look.name.title()
        tw, _ = text_size(text, font(size, "bold"))
        half, tall = tw / 2 + size * 0.4, size * 1.5
        fx = min(max(fx, half + 2), self.width - half - 2)
        fy = min(max(fy, tall), self.height - tall)
        step = -tall if above else tall
        for _ in range(6):
            top = fy - tall if above else fy
            box = (fx - half, top, fx + half, top + tall)
            if not any(
                b[0] < box[2] and box[0] < b[2] and b[1] < box[3] and box[1] < b[3]
                for b in self.taken
            ):
                break
            fy += step
        top = fy - tall if above else fy
        self.taken.append((fx - half, top, fx + half, top + tall))
        return Label(
            text,
            fx,
            fy,
            size,
            (255, 255, 255),
            "bold",
            anchor="md" if above else "ma",
            box=look.accent,
            border=mix(look.accent, (0, 0, 0), 0.5),
        )

    def for_figure(self, look: CharacterLook, placed: Placed) -> Label:
        """A tag above the figure's head when there is room, else low on its body."""
        corner = min(self.width, self.height) * 0.15
        if placed.top - self.size * 2.2 > corner:
            return self.at(look, placed.x, placed.top - self.size * 0.7, above=True)
        y = min(placed.bottom, self.height) - self.size * 1.9
        return self.at(look, placed.x, y, above=False)
