"""The sketch backend's sets: a pinhole camera, exterior landscapes and interior rooms.

The camera is placed as the shot says (height and pitch from the angle, focal length from
the lens) and everything is projected through it, so the horizon, the vanishing lines and
the converging verticals of a low or high angle all follow from one model.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass

from render._sketch_canvas import Canvas, Color, Point, mix
from render._sketch_look import Palette

Vec = tuple[float, float, float]

_NEAR = 0.15
"""Metres in front of the lens where geometry is clipped."""

_CITY_RE = re.compile(
    r"STREET|CITY|DISTRICT|AVENUE|DOWNTOWN|ALLEY|PARKING|SQUARE|PLAZA|BOULEVARD|MAIN ST|"
    r"SIDEWALK|BLOCK|TOWN|HOTEL|OFFICE|BANK|STORE|SHOP"
)
_WATER_RE = re.compile(
    r"SEA|OCEAN|BEACH|LAKE|RIVER|HARBOU?R|\bBAY\b|DOCK|PIER|SHORE|SWAMP|CREEK|POND|"
    r"WATERFRONT|MARINA|COAST"
)
_POOL_RE = re.compile(r"\bPOOL\b")
_HOUSE_RE = re.compile(
    r"HOUSE|HOME|SHACK|MANSION|CABIN|FARM|CHURCH|SCHOOL|BARN|COTTAGE|PATIO|PORCH|YARD|"
    r"GARDEN|DRIVEWAY|MOTEL|RANCH|CEMETERY|HOSPITAL"
)
_TREE_RE = re.compile(r"FOREST|WOODS|PARK|TREE|ORCHARD|JUNGLE|GROVE|FIELD|MEADOW|HILL|ROAD")


@dataclass(frozen=True, slots=True)
class Camera:
    """A level-rolled pinhole camera at ``(0, y, 0)`` looking down +Z, pitched by ``pitch``.

    World units are metres, Y up. Screen coordinates are frame pixels before the roll,
    which the canvas applies.
    """

    width: int
    height: int
    focal: float
    """Focal length in pixels."""
    y: float
    pitch: float
    """Radians; positive looks up."""

    @property
    def cx(self) -> float:
        return self.width / 2

    @property
    def cy(self) -> float:
        return self.height / 2

    def view(self, p: Vec) -> Vec:
        """Camera-space ``(right, up, depth)`` of world point ``p``."""
        s, c = math.sin(self.pitch), math.cos(self.pitch)
        dy = p[1] - self.y
        return p[0], dy * c - p[2] * s, dy * s + p[2] * c

    def project(self, p: Vec) -> tuple[float, float, float]:
        """Screen ``(u, v)`` and pixels per metre at ``p`` (which must be in front)."""
        x, y, z = self.view(p)
        z = max(z, _NEAR)
        k = self.focal / z
        return self.cx + x * k, self.cy - y * k, k

    def point(self, p: Vec) -> Point:
        """Screen point of ``p``."""
        u, v, _ = self.project(p)
        return u, v

    def depth(self, p: Vec) -> float:
        """Distance of ``p`` along the view axis."""
        return self.view(p)[2]

    def horizon(self) -> float | None:
        """Screen row of the horizon, or ``None`` when looking straight down or up."""
        c = math.cos(self.pitch)
        if c < 1e-3:
            return None
        return self.cy + self.focal * math.tan(self.pitch)

    def direction(self, azimuth: float, elevation: float) -> Point | None:
        """Screen point of something infinitely far (sun, moon) in that direction."""
        d = (
            math.sin(azimuth) * math.cos(elevation),
            math.sin(elevation) + self.y * 0,
            math.cos(azimuth) * math.cos(elevation),
        )
        s, c = math.sin(self.pitch), math.cos(self.pitch)
        x, y, z = d[0], d[1] * c - d[2] * s, d[1] * s + d[2] * c
        if z <= 0.05:
            return None
        return self.cx + self.focal * x / z, self.cy - self.focal * y / z

    def polygon(self, points: list[Vec]) -> list[Point]:
        """Screen polygon of a world polygon, clipped at the near plane."""
        views = [self.view(p) for p in points]
        clipped: list[Vec] = []
        n = len(views)
        for i in range(n):
            a, b = views[i], views[(i + 1) % n]
            a_in, b_in = a[2] >= _NEAR, b[2] >= _NEAR
            if a_in:
                clipped.append(a)
            if a_in != b_in:
                t = (_NEAR - a[2]) / (b[2] - a[2])
                clipped.append((a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, _NEAR))
        f, cx, cy = self.focal, self.cx, self.cy
        return [(cx + x * f / z, cy - y * f / z) for x, y, z in clipped]

    def segment(self, a: Vec, b: Vec) -> list[Point]:
        """Screen segment of a world segment, clipped at the near plane (maybe empty)."""
        va, vb = self.view(a), self.view(b)
        if va[2] < _NEAR and vb[2] < _NEAR:
            return []
        if va[2] < _NEAR or vb[2] < _NEAR:
            if va[2] < _NEAR:
                va, vb = vb, va
            t = (_NEAR - va[2]) / (vb[2] - va[2])
            vb = (va[0] + (vb[0] - va[0]) * t, va[1] + (vb[1] - va[1]) * t, _NEAR)
        f, cx, cy = self.focal, self.cx, self.cy
        return [(cx + v[0] * f / v[2], cy - v[1] * f / v[2]) for v in (va, vb)]


@dataclass(frozen=True, slots=True)
class SetInfo:
    """What a drawn set tells the rest of the panel."""

    horizon: float | None
    """Screen row of the horizon (before the roll), if in view."""
    light_side: int
    """-1: light from the left, 1: from the right."""


def _bands(
    canvas: Canvas, x0: float, x1: float, y0: float, y1: float, top: Color, bottom: Color, n: int
) -> None:
    """A vertical gradient from ``top`` at ``y0`` to ``bottom`` at ``y1`` in ``n`` bands."""
    if y1 <= y0:
        return
    step = (y1 - y0) / n
    for i in range(n):
        color = mix(top, bottom, (i + 0.5) / n)
        canvas.rect(x0, y0 + i * step - 0.5, x1, y0 + (i + 1) * step + 0.5, color)


def draw_sky(
    canvas: Canvas, cam: Camera, pal: Palette, rng: random.Random, horizon: float, *, big: bool
) -> int:
    """Sky gradient, sun or moon and stars above ``horizon``; returns the light side."""
    x0, y0, x1, y1 = canvas.cover
    bottom = min(horizon, y1)
    if bottom <= y0:
        return 1 if rng.random() < 0.5 else -1
    # the gradient spans the frame's own sky so a tilted panel keeps its colours
    top_row = min(0.0, bottom - 1)
    canvas.rect(x0, y0, x1, top_row + 1, pal.sky_top)
    _bands(canvas, x0, x1, top_row, bottom, pal.sky_top, pal.sky_horizon, 20 if big else 12)
    side = 1 if rng.random() < 0.5 else -1
    if pal.night:
        for _ in range(40):
            x, y = rng.uniform(x0, x1), rng.uniform(y0, bottom)
            canvas.circle(x, y, rng.choice((0.8, 1.0, 1.4)), mix(pal.sky_top, (235, 235, 245), 0.8))
    elevation = {"day": 0.42, "morning": 0.22, "afternoon": 0.3, "dawn": 0.015, "dusk": 0.015}
    elevation |= {"evening": 0.04, "night": 0.32}
    spot = cam.direction(side * rng.uniform(0.15, 0.3), elevation[pal.time])
    if spot is None:
        return side
    u, v = spot
    r = max(6.0, cam.height * 0.045)
    if pal.night:
        canvas.circle(u, v, r * 1.8, mix(pal.sky_top, pal.sky_horizon, 0.6))
        canvas.circle(u, v, r, (226, 228, 214))
        canvas.circle(u + r * 0.45, v - r * 0.25, r * 0.86, mix(pal.sky_top, pal.sky_horizon, 0.3))
    elif pal.time in ("dusk", "dawn", "evening"):
        canvas.circle(u, v, r * 2.2, mix(pal.sky_horizon, pal.sun, 0.35))
        canvas.circle(u, v, r * 1.4, pal.sun)
    else:
        canvas.circle(u, v, r * 1.6, mix(pal.sky_top, pal.sun, 0.5))
        canvas.circle(u, v, r, pal.sun, mix(pal.sun, pal.ink, 0.35), 1.2)
    return side


def _ridge(
    canvas: Canvas,
    cam: Camera,
    rng: random.Random,
    horizon: float,
    color: Color,
    line: Color,
    height: float,
    lw: float,
) -> None:
    x0, _, x1, _ = canvas.cover
    points: list[Point] = [(x0, horizon + 1)]
    phase = rng.uniform(0, 6.28)
    count = 14
    for i in range(count + 1):
        x = x0 + (x1 - x0) * i / count
        bump = 0.5 + 0.35 * math.sin(i * 0.9 + phase) + 0.25 * math.sin(i * 2.3 + phase * 2)
        points.append((x, horizon - height * max(0.1, bump)))
    points.append((x1, horizon + 1))
    canvas.polygon(points, color)
    canvas.line(points[1:-1], line, lw)


def _skyline(
    canvas: Canvas, rng: random.Random, horizon: float, pal: Palette, height: float, lw: float
) -> None:
    x0, _, x1, _ = canvas.cover
    x = x0
    color = mix(pal.hill, pal.ink, 0.08)
    edge = mix(pal.hill, pal.ink, 0.3)
    window = mix(color, (250, 236, 170), 0.6) if pal.night else mix(color, pal.ink, 0.12)
    while x < x1:
        w = height * rng.uniform(0.35, 0.9)
        h = height * rng.uniform(0.35, 1.0)
        canvas.rect(x, horizon - h, x + w, horizon + 1, color, edge, lw)
        if h > 12 and w > 10:
            rows, cols = int(h // 7), max(1, int(w // 7))
            for r in range(1, min(rows, 8)):
                for c in range(cols):
                    if rng.random() < 0.45:
                        wx = x + (c + 0.5) * w / cols
                        canvas.rect(
                            wx - 1.2, horizon - h + r * 7, wx + 1.2, horizon - h + r * 7 + 3, window
                        )
        x += w + rng.uniform(0, height * 0.15)


def _box(
    canvas: Canvas,
    cam: Camera,
    pal: Palette,
    x: float,
    z: float,
    w: float,
    d: float,
    h: float,
    face: Color,
    lw: float,
    *,
    roof: bool,
    windows: int,
    rng: random.Random,
) -> None:
    """A building: a box of width ``w``, depth ``d`` and height ``h`` at ``(x, z)``."""
    ink = mix(face, pal.ink, 0.75)
    side = mix(face, (0, 0, 0), pal.shade)
    lx, rx, fz, bz = x - w / 2, x + w / 2, z, z + d
    if lx > 0:  # its left side faces the camera
        canvas.polygon(
            cam.polygon([(lx, 0, fz), (lx, 0, bz), (lx, h, bz), (lx, h, fz)]), side, ink, lw
        )
    elif rx < 0:
        canvas.polygon(
            cam.polygon([(rx, 0, fz), (rx, 0, bz), (rx, h, bz), (rx, h, fz)]), side, ink, lw
        )
    if cam.y > h:  # seen from above: the roof
        canvas.polygon(
            cam.polygon([(lx, h, fz), (rx, h, fz), (rx, h, bz), (lx, h, bz)]),
            mix(face, pal.ink, 0.15),
            ink,
            lw,
        )
    canvas.polygon(cam.polygon([(lx, 0, fz), (rx, 0, fz), (rx, h, fz), (lx, h, fz)]), face, ink, lw)
    if roof:
        peak = h + w * 0.3
        roof_color = mix(face, pal.ink, 0.35)
        canvas.polygon(
            cam.polygon([(lx - 0.4, h, fz - 0.2), (rx + 0.4, h, fz - 0.2), (x, peak, fz - 0.2)]),
            roof_color,
            ink,
            lw,
        )
        door_w = min(1.1, w * 0.18)
        canvas.polygon(
            cam.polygon(
                [
                    (x - door_w / 2, 0, fz - 0.01),
                    (x + door_w / 2, 0, fz - 0.01),
                    (x + door_w / 2, 2.1, fz - 0.01),
                    (x - door_w / 2, 2.1, fz - 0.01),
                ]
            ),
            mix(face, pal.ink, 0.5),
        )
    glow = (246, 226, 150) if pal.night else mix(pal.window, pal.ink, 0.25)
    floors = max(1, int(h // 3.2))
    for f in range(floors):
        y = 1.0 + f * 3.2
        if y + 1.4 > h:
            break
        for c in range(windows):
            wx = lx + (c + 0.5) * w / windows
            if roof and abs(wx - x) < 1.0:
                continue
            color = glow if (not pal.night or rng.random() < 0.6) else mix(face, pal.ink, 0.4)
            canvas.polygon(
                cam.polygon(
                    [
                        (wx - 0.45, y, fz - 0.01),
                        (wx + 0.45, y, fz - 0.01),
                        (wx + 0.45, y + 1.3, fz - 0.01),
                        (wx - 0.45, y + 1.3, fz - 0.01),
                    ]
                ),
                color,
            )


def _tree(
    canvas: Canvas, cam: Camera, pal: Palette, x: float, z: float, size: float, lw: float
) -> None:
    """A tree: a trunk and one lumpy canopy with its shaded underside."""
    trunk = mix(pal.wood, pal.ink, 0.45)
    if pal.mono:
        leaf = mix(pal.ground_near, pal.hill, 0.35)
    else:
        leaf = mix(pal.lit((104, 136, 88)), pal.hill, 0.25)
    ink = mix(leaf, pal.ink, 0.6)
    bu, bv, k = cam.project((x, 0, z))
    tu, tv, _ = cam.project((x, size * 0.62, z))
    canvas.capsule((bu, bv), 0.05 * size * k, (tu, tv), 0.03 * size * k, trunk, ink, lw)
    cu, cv, ck = cam.project((x, size * 0.68, z))
    radius = 0.34 * size * ck
    phase = (x * 7.3 + z * 3.1) % 6.283
    canopy = []
    shade = []
    for i in range(36):
        a = i * math.pi / 18
        r = radius * (1 + 0.1 * math.sin(6 * a + phase) + 0.05 * math.sin(11 * a + 2 * phase))
        canopy.append((cu + r * math.cos(a), cv + r * 0.9 * math.sin(a)))
        shade.append((cu + r * 0.82 * math.cos(a), cv + radius * 0.22 + r * 0.62 * math.sin(a)))
    canvas.polygon(canopy, leaf, ink, lw)
    canvas.polygon(shade[1:18], mix(leaf, (0, 0, 0), pal.shade * 0.6))


def draw_exterior(
    canvas: Canvas,
    cam: Camera,
    pal: Palette,
    rng: random.Random,
    location: str,
    *,
    subject_z: float,
    detail: float,
    lw: float,
) -> SetInfo:
    """Sky, distant landscape, ground and what the location's name suggests."""
    x0, y0, x1, y1 = canvas.cover
    horizon = cam.horizon()
    place = location.upper()
    soft = mix(pal.ink, pal.ground_far, 0.6)
    if horizon is None:
        canvas.rect(x0, y0, x1, y1, pal.ground_near)
        return SetInfo(None, 1)
    side = draw_sky(canvas, cam, pal, rng, horizon, big=detail > 0.5)
    if horizon < y1:
        hill_h = cam.focal * 0.05
        if _CITY_RE.search(place):
            _skyline(canvas, rng, horizon, pal, cam.focal * 0.09, lw * 0.6)
        elif not _WATER_RE.search(place) or _TREE_RE.search(place):
            _ridge(
                canvas, cam, rng, horizon, pal.hill, mix(pal.hill, pal.ink, 0.35), hill_h, lw * 0.6
            )
        ground_top = max(horizon, y0)
        _bands(canvas, x0, x1, ground_top, y1, pal.ground_far, pal.ground_near, 6)
        if _WATER_RE.search(place):
            depth = max(subject_z * 2.5, 25.0)
            water = cam.polygon(
                [(-400, 0, depth), (400, 0, depth), (400, 0, 4000), (-400, 0, 4000)]
            )
            canvas.polygon(water, pal.water)
            ripple = mix(pal.water, (255, 255, 255), 0.35)
            for _ in range(26):
                z = depth * math.exp(rng.uniform(0.05, 2.5))
                x = rng.uniform(-0.6, 0.6) * z
                seg = cam.segment((x, 0, z), (x + 0.04 * z, 0, z))
                if seg:
                    canvas.line(seg, ripple, max(0.6, lw * 0.5))
        canvas.line([(x0, horizon), (x1, horizon)], mix(pal.ink, pal.sky_horizon, 0.25), lw)
        # a path to the vanishing point and tufts on the ground
        vx = rng.uniform(-3, 3)
        width = 2.0 if not _CITY_RE.search(place) else 7.0
        for edge in (-width, width):
            seg = cam.segment((vx + edge, 0, 0.5), (vx + edge, 0, 600))
            if seg:
                canvas.line(seg, soft, lw * 0.6)
        if _CITY_RE.search(place):
            for z in range(6, 80, 9):
                seg = cam.segment((vx - 0.1, 0, z), (vx + 0.1, 0, z + 3.5))
                if seg:
                    canvas.line(seg, soft, lw * 0.6)
        tuft = mix(pal.ground_near, pal.ink, 0.35)
        for _ in range(int(30 * detail) + 6):
            z = math.exp(
                rng.uniform(math.log(max(1.0, subject_z * 0.4)), math.log(subject_z * 6 + 30))
            )
            x = rng.uniform(-0.9, 0.9) * z * cam.width / cam.focal
            u, v, k = cam.project((x, 0, z))
            if v < horizon + 1:
                continue
            s = min(max(1.5, 0.25 * k), lw * 4)
            canvas.line(
                [(u - s, v), (u - s * 0.3, v - s * 0.8), (u, v), (u + s * 0.5, v - s * 0.7)],
                tuft,
                max(0.5, lw * 0.45),
            )
        if _POOL_RE.search(place):
            z0 = subject_z + 2.5
            pool = cam.polygon(
                [
                    (-3.5 + vx, 0, z0),
                    (4.5 + vx, 0, z0),
                    (4.5 + vx, 0, z0 + 9),
                    (-3.5 + vx, 0, z0 + 9),
                ]
            )
            canvas.polygon(
                pool, mix(pal.water, (255, 255, 255), 0.15), mix(pal.water, pal.ink, 0.6), lw
            )
            for i in range(1, 5):
                seg = cam.segment((-3 + vx, 0, z0 + i * 1.8), (4 + vx, 0, z0 + i * 1.8 + 0.3))
                if seg:
                    canvas.line(seg, mix(pal.water, (255, 255, 255), 0.45), lw * 0.6)
    _props(canvas, cam, pal, rng, place, subject_z, lw)
    return SetInfo(horizon, side)


def _props(
    canvas: Canvas,
    cam: Camera,
    pal: Palette,
    rng: random.Random,
    place: str,
    subject_z: float,
    lw: float,
) -> None:
    """Buildings and trees behind the subject, farthest first."""
    half_view = cam.width / cam.focal
    items: list[tuple[float, str, float]] = []
    if _CITY_RE.search(place):
        for side in (-1, 1):
            z = subject_z + 6
            while z < subject_z + 140:
                items.append((z, "building", side))
                z += rng.uniform(12, 22)
    elif _HOUSE_RE.search(place):
        items.append((subject_z + rng.uniform(10, 16), "house", rng.choice((-1.0, 1.0))))
    if _TREE_RE.search(place) or not (_CITY_RE.search(place) or _WATER_RE.search(place)):
        for _ in range(3):
            z = subject_z + rng.uniform(5, 30)
            items.append((z, "tree", rng.uniform(-1, 1)))
    for z, kind, where in sorted(items, reverse=True):
        if kind == "building":
            w = rng.uniform(10, 16)
            x = where * (9 + w / 2)
            _box(
                canvas,
                cam,
                pal,
                x,
                z,
                w,
                rng.uniform(10, 16),
                rng.uniform(9, 26),
                mix(pal.wall, pal.hill, 0.3),
                lw * 0.8,
                roof=False,
                windows=max(2, int(w // 3)),
                rng=rng,
            )
        elif kind == "house":
            w = rng.uniform(9, 13)
            x = where * rng.uniform(0.1, 0.35) * half_view * z
            _box(
                canvas,
                cam,
                pal,
                x,
                z,
                w,
                8,
                rng.uniform(3.2, 6.4),
                pal.wall,
                lw * 0.8,
                roof=True,
                windows=4,
                rng=rng,
            )
        else:
            x = where * half_view * z * 0.9
            _tree(canvas, cam, pal, x, z, rng.uniform(4, 8), lw * 0.8)


def draw_interior(
    canvas: Canvas,
    cam: Camera,
    pal: Palette,
    rng: random.Random,
    *,
    subject_z: float,
    detail: float,
    lw: float,
) -> SetInfo:
    """A room in one- or two-point perspective: floor, walls, ceiling, a window, a door."""
    x0, y0, x1, y1 = canvas.cover
    ink = mix(pal.ink, pal.wall, 0.25 if detail > 0.5 else 0.45)
    back = subject_z + rng.uniform(2.0, 3.5)
    half = max(3.0, subject_z * cam.width / cam.focal * rng.uniform(0.35, 0.6) + 1.5)
    off = rng.uniform(-0.3, 0.3) * half
    left, right = off - half, off + half
    ceil = rng.uniform(2.7, 3.3)
    canvas.rect(x0, y0, x1, y1, pal.wall)
    faces = (
        ([(left, 0, _NEAR), (right, 0, _NEAR), (right, 0, back), (left, 0, back)], pal.floor),
        (
            [(left, ceil, _NEAR), (right, ceil, _NEAR), (right, ceil, back), (left, ceil, back)],
            pal.ceiling,
        ),
        (
            [(left, 0, _NEAR), (left, 0, back), (left, ceil, back), (left, ceil, _NEAR)],
            pal.wall_side,
        ),
        (
            [(right, 0, _NEAR), (right, 0, back), (right, ceil, back), (right, ceil, _NEAR)],
            mix(pal.wall_side, pal.wall, 0.5),
        ),
    )
    for corners, color in faces:
        canvas.polygon(cam.polygon(corners), color)
    board = mix(pal.floor, pal.ink, 0.25)
    x = left + 0.6
    while x < right:
        seg = cam.segment((x, 0, _NEAR), (x, 0, back))
        if seg:
            canvas.line(seg, board, lw * 0.5)
        x += 0.6
    for a, b in (((left, 0, back), (right, 0, back)), ((left, ceil, back), (right, ceil, back))):
        seg = cam.segment(a, b)
        if seg:
            canvas.line(seg, ink, lw)
    for x in (left, right):
        for y in (0.0, ceil):
            seg = cam.segment((x, y, _NEAR), (x, y, back))
            if seg:
                canvas.line(seg, ink, lw)
        seg = cam.segment((x, 0, back), (x, ceil, back))
        if seg:
            canvas.line(seg, ink, lw)
    # a window on one side wall (or the back wall), a door on the back wall
    frame = mix(pal.wall, pal.ink, 0.55)
    glass = (34, 40, 62) if pal.night else mix(pal.window, (255, 255, 255), 0.25)
    if rng.random() < 0.5:
        wx = off + rng.uniform(-0.45, 0.05) * half
        corners = [
            (wx, 0.9, back - 0.01),
            (wx + 1.6, 0.9, back - 0.01),
            (wx + 1.6, 2.3, back - 0.01),
            (wx, 2.3, back - 0.01),
        ]
        mullion = ((wx + 0.8, 0.9, back - 0.01), (wx + 0.8, 2.3, back - 0.01))
        door_x = wx + 2.4 if wx + 3.4 < right else wx - 1.8
    else:
        wx = rng.choice((left, right))
        z0 = max(_NEAR + 0.5, back - 3.2)
        corners = [(wx, 0.9, z0), (wx, 0.9, z0 + 1.8), (wx, 2.3, z0 + 1.8), (wx, 2.3, z0)]
        mullion = ((wx, 0.9, z0 + 0.9), (wx, 2.3, z0 + 0.9))
        door_x = off + rng.uniform(-0.4, 0.3) * half
    canvas.polygon(cam.polygon(corners), glass, frame, lw * 1.2)
    seg = cam.segment(*mullion)
    if seg:
        canvas.line(seg, frame, lw)
    if pal.night:
        u, v = cam.point(corners[2])
        canvas.circle(u - 4, v + 8, max(3.0, cam.focal * 0.01), (220, 222, 206))
    canvas.polygon(
        cam.polygon(
            [
                (door_x, 0, back - 0.01),
                (door_x + 0.95, 0, back - 0.01),
                (door_x + 0.95, 2.1, back - 0.01),
                (door_x, 2.1, back - 0.01),
            ]
        ),
        mix(pal.wood, pal.wall, 0.3),
        frame,
        lw,
    )
    u, v, k = cam.project((door_x + 0.8, 1.0, back - 0.02))
    canvas.circle(u, v, max(0.8, 0.04 * k), frame)
    seg = cam.segment((left, 0.1, back - 0.005), (right, 0.1, back - 0.005))
    if seg:
        canvas.line(seg, mix(pal.wall, pal.ink, 0.3), lw * 0.6)
    if pal.night:  # a lamp's pool of light on the floor
        lamp = mix(pal.floor, (250, 220, 160), 0.35)
        pool = [
            (off + math.cos(a) * 1.4, 0, subject_z + 1.0 + math.sin(a) * 1.0)
            for a in (i * math.pi / 10 for i in range(20))
        ]
        canvas.polygon(cam.polygon(pool), lamp)
    return SetInfo(cam.horizon(), 1 if rng.random() < 0.5 else -1)


def draw_ground_plan(
    canvas: Canvas, cam: Camera, pal: Palette, rng: random.Random, *, interior: bool, lw: float
) -> None:
    """The floor seen from straight above: boards or tiles inside, grass and a path outside."""
    x0, y0, x1, y1 = canvas.cover
    if interior:
        canvas.rect(x0, y0, x1, y1, pal.floor)
        line = mix(pal.floor, pal.ink, 0.3)
        span = cam.y * cam.width / cam.focal + 4
        x = -span
        while x < span:
            seg = cam.segment((x, 0, -span), (x, 0, span))
            canvas.line(seg, line, lw * 0.6)
            x += 0.5
        rug = [(-1.6, 0.01, -1.0), (1.6, 0.01, -1.0), (1.6, 0.01, 1.2), (-1.6, 0.01, 1.2)]
        canvas.polygon(cam.polygon(rug), mix(pal.floor, pal.paper, 0.4), line, lw)
    else:
        canvas.rect(x0, y0, x1, y1, pal.ground_near)
        span = cam.y * cam.width / cam.focal + 4
        path = [(-1.2, 0, -span), (1.2, 0, -span), (1.6, 0, span), (-0.8, 0, span)]
        canvas.polygon(cam.polygon(path), pal.ground_far, mix(pal.ground_far, pal.ink, 0.4), lw)
        tuft = mix(pal.ground_near, pal.ink, 0.35)
        for _ in range(60):
            u, v = rng.uniform(x0, x1), rng.uniform(y0, y1)
            s = max(2.0, cam.focal / cam.y * 0.05)
            canvas.line([(u - s, v), (u - s * 0.3, v - s * 0.8), (u, v)], tuft, max(0.6, lw * 0.5))
