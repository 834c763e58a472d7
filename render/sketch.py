"""The sketch backend: a storyboard panel per shot, drawn with Pillow on the CPU.

Everything in a panel comes from the shot's fields:

* the frame has the style's aspect ratio; greyscale styles draw in pencil greys on
  off-white paper, with one muted colour per character;
* the shot size decides how big the subjects are (an ECU is a pair of eyes, a CU a head
  and shoulders, an MS waist-up, a WS full figures in their set, an EWS tiny figures in a
  landscape) and the lens how far the camera stands;
* the angle places a pinhole camera (a low angle sits low and looks up, so the horizon
  drops and verticals converge; a high angle looks down; overhead looks straight down; a
  dutch angle rolls the whole scene) and the set (sky and ground outside, a room inside)
  is projected through it;
* the time of day lights it (night dark with a moon, dusk a warm sky, day bright);
* the camera move is drawn in red storyboard arrows; POV masks the frame; OTS frames the
  subject past a blurred shoulder; inserts show the object; title cards are words on black;
* each character keeps one colour, mark, hair and name tag in every panel (from a hash of
  the name), and the shot id, size, angle and lens sit in the top-left corner.

Rendering is deterministic: the same request gives a byte-identical PNG.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar, NamedTuple

from PIL import Image, ImageFilter

from previz.errors import RenderError
from render._sketch_canvas import Canvas, mix
from render._sketch_figure import EYE, STATURE_M, draw_eyes, draw_from_above, draw_standing
from render._sketch_look import CharacterLook, Palette, character_look, hazed, palette
from render._sketch_marks import (
    Label,
    NameTags,
    apply_pov,
    corner_label,
    draw_move,
    pov_kind,
    set_labels,
)
from render._sketch_props import draw_insert, fit_font_size, title_card
from render._sketch_scene import Camera, draw_exterior, draw_ground_plan, draw_interior
from render.base import RenderRequest
from render.cache import IGNORED_SHOT_FIELDS
from render.model import MediaKind
from shots.model import Shot

__all__ = ["SKETCH_VERSION", "SketchBackend", "draw_panel"]

SKETCH_VERSION = "1"
"""Bump when the drawing changes: it is part of every panel's cache key."""

DUTCH_DEG = 13.0
"""How far a dutch angle rolls the scene."""

# shot size -> (figure height, eye height from the top), both as fractions of the frame height
_FRAMING: dict[str, tuple[float, float]] = {
    "EWS": (0.075, 0.6),
    "WS": (0.4, 0.44),
    "FS": (0.8, 0.17),
    "MS": (1.95, 0.25),
    "MCU": (3.1, 0.3),
    "CU": (5.2, 0.39),
}
# shot size -> metres of ground seen across the frame height from overhead
_OVERHEAD_SPAN = {"EWS": 40.0, "WS": 7.0, "FS": 2.8, "MS": 1.3, "MCU": 0.95, "CU": 0.65}
# shot size -> how far the set behind the subject fades back
_HAZE = {"FS": 0.12, "MS": 0.28, "MCU": 0.36, "CU": 0.45}
_LOW_LOOK = math.radians(16)
_HIGH_LOOK = math.radians(18)
_ARMS = ("down", "down", "down", "pocket", "bent", "hip")


@dataclass(frozen=True, slots=True)
class _Panel:
    """What every drawing step of one panel shares."""

    shot: Shot
    width: int
    height: int
    pal: Palette
    rng: random.Random
    looks: dict[str, CharacterLook]
    interior: bool
    lw: float
    roll: float
    """Degrees the scene is tilted (a dutch angle, a handheld camera's lean)."""

    @property
    def short(self) -> int:
        return min(self.width, self.height)


class SketchBackend:
    """Storyboard panels drawn with Pillow: fast, deterministic, no model needed.

    Args:
        supersample: drawing scale before the final downsample (2 anti-aliases every
            edge; 1 is faster and jagged).
    """

    name: ClassVar[str] = "sketch"
    kind: ClassVar[MediaKind] = "still"
    suffix: ClassVar[str] = ".png"
    cache_ignores: ClassVar[frozenset[str]] = IGNORED_SHOT_FIELDS - {"id"}
    parallel: ClassVar[bool] = True
    """Pure CPU work with no shared state: the render stage runs it on every core."""
    """The shot id is printed in the panel's corner, so a renumbered shot draws again."""

    def __init__(self, *, supersample: int = 2) -> None:
        if supersample not in (1, 2, 3, 4):
            raise RenderError(f"supersample must be 1 to 4, got {supersample}")
        self.supersample = supersample

    def settings(self) -> dict[str, Any]:
        """The drawing's version (and the supersampling when not the default)."""
        settings: dict[str, Any] = {"version": SKETCH_VERSION}
        if self.supersample != 2:
            settings["supersample"] = self.supersample
        return settings

    def render(self, request: RenderRequest, dest: Path) -> None:
        """Draw the panel for ``request.shot`` and write it to ``dest`` as a PNG."""
        image = draw_panel(request, supersample=self.supersample)
        try:
            image.save(dest, format="PNG", optimize=False, compress_level=1)
        except OSError as exc:
            raise RenderError(f"cannot write the panel: {exc}", path=dest) from None


def draw_panel(
    request: RenderRequest, *, supersample: int = 2, stats: Counter[str] | None = None
) -> Image.Image:
    """The storyboard panel of ``request.shot`` as an RGB image of the requested size.

    Args:
        request: the shot, its style, the frame size and the character bible.
        supersample: drawing scale before the final downsample.
        stats: if given, counts of the primitives drawn are added to it (polygon,
            ellipse, line, text), for the benchmark's bare-Pillow baseline.

    Returns:
        A ``request.width`` x ``request.height`` RGB image.
    """
    shot, width, height = request.shot, request.width, request.height
    if width < 16 or height < 16:
        raise RenderError(f"a panel needs at least 16x16 pixels, got {width}x{height}")
    if shot.on_screen_text and shot.size == "INSERT" and not _is_written_insert(shot):
        image, labels = title_card(width, height, shot.on_screen_text)
        labels.append(corner_label(shot, width, height, dim=True))
        texts = set_labels(image, labels)
        if stats is not None:
            stats.update({"polygon": 1, "text": texts})
        return image

    pal = palette(request.style, shot.time_of_day)
    refs = {ref.name: ref for ref in request.characters}
    looks = {name: character_look(name, refs.get(name), pal) for name in shot.subjects}
    rng = random.Random(f"{shot.seed}|{shot.scene_number}|{shot.size}|{shot.angle}")
    short = min(width, height)
    roll = 0.0
    if shot.angle == "dutch":
        roll = DUTCH_DEG if rng.random() < 0.5 else -DUTCH_DEG
    elif shot.movement == "handheld":
        roll = rng.uniform(1.2, 2.4) * (1 if rng.random() < 0.5 else -1)
    panel = _Panel(
        shot=shot,
        width=width,
        height=height,
        pal=pal,
        rng=rng,
        looks=looks,
        interior=_is_interior(shot.int_ext),
        lw=max(1.0, short * 0.0042),
        roll=roll,
    )
    canvas = Canvas(width, height, pal.paper, scale=supersample, roll_deg=roll)
    labels: list[Label] = []
    foreground: _Foreground | None = None

    if shot.size == "INSERT" or (shot.size == "ECU" and not shot.subjects):
        owner = looks[shot.subjects[0]] if shot.subjects else None
        labels += draw_insert(canvas, shot, pal, owner, interior=panel.interior, lw=panel.lw * 1.1)
    elif shot.size == "ECU":
        look = looks[shot.subjects[0]]
        draw_eyes(canvas, look, pal, facing=rng.uniform(-0.4, 0.4), lw=panel.lw)
        labels.append(NameTags(canvas).at(look, width / 2, height * 0.9, above=True))
    elif shot.angle == "overhead":
        labels += _draw_overhead(canvas, panel)
    else:
        scene_labels, foreground = _draw_scene(canvas, panel)
        labels += scene_labels

    direction = 1 if (shot.seed >> 3) % 2 == 0 else -1
    labels += draw_move(canvas, shot.movement, direction, pal)
    image = canvas.finish()
    if foreground is not None:
        _composite_foreground(image, panel, foreground)
    if shot.angle == "POV":
        image = apply_pov(image, pov_kind(shot.description), pal)
    if shot.on_screen_text and shot.size != "INSERT":
        size = fit_font_size(
            shot.on_screen_text, "title", width * 0.8, height * 0.4, round(short * 0.1)
        )
        labels.append(
            Label(
                shot.on_screen_text,
                width / 2,
                height * 0.5,
                size,
                (250, 248, 240),
                "title",
                stroke=(20, 20, 24),
            )
        )
    labels.append(corner_label(shot, width, height, dim=False))
    texts = set_labels(image, labels)
    if stats is not None:
        stats.update(canvas.ops)
        stats["text"] += texts
    return image


# ---- the scene: camera, set, figures -----------------------------------------------------------


def _camera(shot: Shot, width: int, height: int) -> tuple[Camera, float]:
    """The camera the shot's size, angle and lens call for, and the subject's distance."""
    focal = max(width, height) * shot.lens_mm / 36
    body, eye_row = _FRAMING.get(shot.size, _FRAMING["MS"])
    # a tall frame is framed on its width (a vertical close-up shows the same face), and
    # a group shot widens until the group fits across the frame
    scale = min(1.0, width / height / 0.9)
    if len(shot.subjects) > 1 and shot.angle != "OTS":
        need = (len(shot.subjects) * 0.42 + 0.2) * body * height
        scale = min(scale, max(0.7, width / need))
    body *= scale
    distance = focal * STATURE_M / (body * height)
    eye = STATURE_M * (1 - EYE)
    if shot.angle == "low":
        distance *= 0.92
        cam_y = max(0.3, eye - distance * math.tan(_LOW_LOOK))
    elif shot.angle == "high":
        cam_y = eye + distance * math.tan(_HIGH_LOOK)
    else:
        cam_y = eye
    elevation = math.atan2(eye - cam_y, distance)
    pitch = elevation - math.atan((height / 2 - eye_row * height) / focal)
    return Camera(width, height, focal, cam_y, pitch), distance


class _Foreground(NamedTuple):
    """The over-the-shoulder figure, drawn after the rest (it is out of focus)."""

    look: CharacterLook
    cam: Camera
    x: float
    z: float
    side: float


def _draw_scene(canvas: Canvas, panel: _Panel) -> tuple[list[Label], _Foreground | None]:
    """Set, cast shadows, figures and their name tags, seen through the shot's camera."""
    shot, rng, pal = panel.shot, panel.rng, panel.pal
    w, h = panel.width, panel.height
    cam, distance = _camera(shot, w, h)
    detail = {"EWS": 1.0, "WS": 0.9, "FS": 0.7}.get(shot.size, 0.3)
    set_lw = panel.lw * (0.8 if detail > 0.5 else 0.6)
    set_pal = hazed(pal, _HAZE.get(shot.size, 0.0), interior=panel.interior)
    if panel.interior:
        info = draw_interior(
            canvas, cam, set_pal, rng, subject_z=distance, detail=detail, lw=set_lw
        )
    else:
        info = draw_exterior(
            canvas,
            cam,
            set_pal,
            rng,
            shot.location or "",
            subject_z=distance,
            detail=detail,
            lw=set_lw,
        )
    subjects = list(shot.subjects)
    foreground = None
    if shot.angle == "OTS" and len(subjects) >= 2:
        subjects, behind = subjects[:1], subjects[1]
    else:
        behind = None
    side = 1 if rng.random() < 0.5 else -1
    spots = _blocking(len(subjects), shot.size, side, w, rng)
    eye = STATURE_M * (1 - EYE)
    order = sorted(range(len(subjects)), key=lambda i: -spots[i][1])
    labels: list[Label] = []
    tags = NameTags(canvas)
    for i in order:
        name = subjects[i]
        look = panel.looks[name]
        u, depth, facing = spots[i]
        z = distance * depth
        x = (u - w / 2) * cam.depth((0.0, eye, z)) / cam.focal
        if shot.size in ("WS", "FS", "EWS"):
            _cast_shadow(canvas, cam, pal, x, z, info.light_side)
        figure_px = STATURE_M * cam.focal / cam.depth((x, 1.0, z))
        lw = max(0.6, min(panel.lw * 1.1, figure_px * 0.012))
        arms = (rng.choice(_ARMS), rng.choice(_ARMS))
        placed = draw_standing(
            canvas,
            cam,
            look,
            pal,
            x=x,
            z=z,
            facing=facing,
            arms=arms,
            light_side=info.light_side,
            lw=lw,
        )
        labels.append(tags.for_figure(look, placed))
    if behind is not None:
        # over the shoulder: the other character's back, close to the lens, to one side
        u = w / 2 - side * w * (0.34 if w >= h else 0.3)
        z = distance * 0.5
        x = (u - w / 2) * cam.depth((0.0, eye, z)) / cam.focal
        foreground = _Foreground(panel.looks[behind], cam, x, z, float(side))
        labels.append(tags.at(panel.looks[behind], u, h * 0.95, above=True))
    return labels, foreground


def _blocking(
    count: int, size: str, side: int, width: int, rng: random.Random
) -> list[tuple[float, float, float]]:
    """``(screen x, depth factor, facing)`` of each subject: thirds, two-shots, groups."""
    if count == 0:
        return []
    w = width
    if size == "EWS":
        start = w * (0.5 + side * rng.uniform(0.05, 0.2))
        return [
            (start + (i - (count - 1) / 2) * w * 0.035, 1.0 + 0.05 * (i % 2), -side * 0.3)
            for i in range(count)
        ]
    if count == 1:
        offset = 0.12 if size in ("WS", "FS") else 0.1
        return [(w * (0.5 + side * offset), 1.0, -side * 0.35)]
    if count == 2:
        spread = 0.21 if size in ("MS", "MCU", "CU") else 0.18
        return [
            (w * (0.5 - side * spread), 1.0, side * 0.55),
            (w * (0.5 + side * spread), 1.0, -side * 0.55),
        ]
    spots = []
    for i in range(count):
        t = i / (count - 1)
        x = w * (0.18 + 0.64 * t)
        facing = (0.5 - t) * 0.8
        spots.append((x, 1.0 + (0.18 if i % 2 else 0.0), facing))
    return spots


def _cast_shadow(
    canvas: Canvas, cam: Camera, pal: Palette, x: float, z: float, light_side: int
) -> None:
    points = []
    for i in range(16):
        a = i * math.pi / 8
        points.append(
            cam.point((x - light_side * 0.45 + 0.55 * math.cos(a), 0.0, z + 0.28 * math.sin(a)))
        )
    canvas.polygon(points, pal.shadow)


def _composite_foreground(image: Image.Image, panel: _Panel, fg: _Foreground) -> None:
    """Paint the over-the-shoulder figure, out of focus, over the finished frame.

    It is drawn small and enlarged: the enlargement is the defocus, at a fraction of the
    cost of blurring a full-size layer.
    """
    w, h = image.size
    factor = 4
    layer = Canvas(w, h, (0, 0, 0), scale=1 / factor, roll_deg=panel.roll, transparent=True)
    pal = replace(
        panel.pal,
        skin=mix(panel.pal.skin, (0, 0, 0), 0.35),
        cloth=mix(panel.pal.cloth, (0, 0, 0), 0.3),
    )
    draw_standing(
        layer,
        fg.cam,
        fg.look,
        pal,
        x=fg.x,
        z=fg.z,
        facing=fg.side * 0.5,
        arms=("down", "down"),
        light_side=int(-fg.side),
        lw=panel.lw,
        back=True,
    )
    small = layer.image
    box = small.getbbox()
    if box is None:
        return
    pad = 2
    box = (
        max(0, box[0] - pad),
        max(0, box[1] - pad),
        min(small.width, box[2] + pad),
        min(small.height, box[3] + pad),
    )
    soft = small.crop(box).filter(ImageFilter.GaussianBlur(max(0.6, panel.short * 0.008 / factor)))
    target = (box[0] * factor, box[1] * factor, min(w, box[2] * factor), min(h, box[3] * factor))
    soft = soft.resize((target[2] - target[0], target[3] - target[1]), Image.Resampling.BICUBIC)
    region = image.crop(target).convert("RGBA")
    region.alpha_composite(soft)
    image.paste(region.convert("RGB"), target[:2])


def _draw_overhead(canvas: Canvas, panel: _Panel) -> list[Label]:
    shot, rng, pal = panel.shot, panel.rng, panel.pal
    w, h = panel.width, panel.height
    span = _OVERHEAD_SPAN.get(shot.size, 3.0)
    focal = max(w, h) * shot.lens_mm / 36
    cam = Camera(w, h, focal, 1.75 + focal * span / h, -math.pi / 2)
    draw_ground_plan(canvas, cam, pal, rng, interior=panel.interior, lw=panel.lw * 0.7)
    labels = []
    tags = NameTags(canvas)
    count = len(shot.subjects)
    for i, name in enumerate(shot.subjects):
        angle = 2 * math.pi * i / max(1, count) + rng.uniform(-0.3, 0.3)
        radius = 0.0 if count == 1 else max(span * 0.2, 0.45)
        x, z = radius * math.cos(angle), radius * math.sin(angle)
        heading = math.atan2(-z, -x) + math.pi / 2 if count > 1 else rng.uniform(-0.5, 0.5)
        placed = draw_from_above(
            canvas, cam, panel.looks[name], pal, x=x, z=z, heading=heading, lw=panel.lw
        )
        labels.append(tags.for_figure(panel.looks[name], placed))
    return labels


def _is_interior(int_ext: str | None) -> bool:
    return (int_ext or "").upper().replace(".", "") in ("INT", "I")


def _is_written_insert(shot: Shot) -> bool:
    """An insert on a note or a sign (a title card otherwise)."""
    return shot.description.lower().startswith("insert")
