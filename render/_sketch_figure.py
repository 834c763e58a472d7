"""Mannequin figures for the sketch backend: standing, from behind, from above, and eyes.

A figure is a flat cut-out standing at a point of the world and facing the camera; every
point of it goes through the camera, so a low angle makes it tower and a high angle
foreshortens it. Body coordinates are fractions of the figure's height: ``x`` to the
right of its centre line, ``y`` down from the top of the head.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from render._sketch_canvas import Canvas, Color, Point, arc_points, capsule_points, mix
from render._sketch_look import CharacterLook, Palette
from render._sketch_scene import Camera

STATURE_M = 1.75
EYE = 0.072
"""Height of the eyes below the top of the head, as a fraction of the figure's height."""

ARM_POSES: dict[str, tuple[Point, Point]] = {
    # (elbow, wrist) for the figure's right arm; the left arm mirrors x
    "down": ((0.118, 0.345), (0.125, 0.48)),
    "bent": ((0.13, 0.345), (0.06, 0.365)),
    "hip": ((0.18, 0.31), (0.095, 0.41)),
    "pocket": ((0.125, 0.34), (0.1, 0.46)),
}
_TORSO = (
    (0.155, 0.04),
    (0.173, 0.08),
    (0.19, 0.102),
    (0.225, 0.105),
    (0.29, 0.096),
    (0.4, 0.078),
    (0.47, 0.088),
)


@dataclass(frozen=True, slots=True)
class Placed:
    """Where a drawn figure ended up on screen (before the roll)."""

    head: Point
    head_r: float
    top: float
    bottom: float
    x: float
    half_width: float


class _Body:
    """Projects a figure's body coordinates through the camera."""

    def __init__(self, cam: Camera, x: float, z: float, height: float) -> None:
        self.cam, self.x, self.z, self.h = cam, x, z, height

    def pt(self, bx: float, by: float) -> Point:
        u, v, _ = self.cam.project((self.x + bx * self.h, (1 - by) * self.h, self.z))
        return u, v

    def pr(self, bx: float, by: float, r: float) -> tuple[Point, float]:
        u, v, k = self.cam.project((self.x + bx * self.h, (1 - by) * self.h, self.z))
        return (u, v), r * self.h * k

    def ellipse(
        self, bx: float, by: float, rx: float, ry: float
    ) -> tuple[float, float, float, float]:
        top = self.pt(bx, by - ry)
        bottom = self.pt(bx, by + ry)
        (u, _), rxp = self.pr(bx, by, rx)
        return u, (top[1] + bottom[1]) / 2, rxp, abs(bottom[1] - top[1]) / 2


def _limb(
    canvas: Canvas,
    body: _Body,
    joints: list[tuple[float, float, float]],
    fill: Color,
    ink: Color,
    lw: float,
) -> None:
    """A limb of tapered segments: all the outlines first, so the joints stay open."""
    points = [body.pr(x, y, r) for x, y, r in joints]
    half = lw / 2
    for (p, rp), (q, rq) in itertools.pairwise(points):
        canvas.polygon(capsule_points(p, rp + half, q, rq + half, 5), ink)
    for (p, rp), (q, rq) in itertools.pairwise(points):
        canvas.polygon(capsule_points(p, max(0.3, rp - half), q, max(0.3, rq - half), 5), fill)


def draw_standing(
    canvas: Canvas,
    cam: Camera,
    look: CharacterLook,
    pal: Palette,
    *,
    x: float,
    z: float,
    facing: float,
    arms: tuple[str, str],
    light_side: int,
    lw: float,
    back: bool = False,
) -> Placed:
    """A full mannequin standing at ``(x, 0, z)``, turned by ``facing`` (-1 left .. 1 right).

    ``back`` draws it from behind (the foreground shoulder of an over-the-shoulder shot).
    """
    body = _Body(cam, x, z, STATURE_M)
    ink = pal.ink
    f = max(-1.0, min(1.0, facing))
    tw = look.build * (1 - 0.22 * abs(f))
    trousers = mix(pal.cloth, look.dark, 0.25)
    trousers_shade = mix(trousers, (0, 0, 0), pal.shade)
    shoe = mix(pal.ink, pal.cloth, 0.25)
    shade_sign = -light_side

    hx, hy, hrx, hry = body.ellipse(0.012 * f, 0.068, 0.056, 0.067)
    # long hair falls behind the shoulders
    if look.hair == "long":
        crown = arc_points(hx, hy, hrx * 1.1, hry * 1.08, math.pi, 2 * math.pi, 12)
        fall = [
            (hx + hrx * 1.16, hy + hry * 0.9),
            (hx + hrx * 1.02, hy + hry * 1.55),
            (hx, hy + hry * 1.62),
            (hx - hrx * 1.02, hy + hry * 1.55),
            (hx - hrx * 1.16, hy + hry * 0.9),
        ]
        canvas.polygon([*crown, *fall], look.hair_color, ink, lw)
    # neck, legs, feet
    _limb(canvas, body, [(0.004 * f, 0.12, 0.027), (0, 0.162, 0.03)], pal.skin, ink, lw)
    stance = 0.044 + 0.008 * look.build
    for side in (-1, 1):
        color = trousers if side != shade_sign else trousers_shade
        _limb(
            canvas,
            body,
            [
                (side * stance, 0.5, 0.046),
                (side * (stance + 0.006), 0.73, 0.036),
                (side * (stance + 0.008), 0.945, 0.028),
            ],
            color,
            ink,
            lw,
        )
        fx, fy, frx, fry = body.ellipse(side * (stance + 0.008) + 0.025 * f, 0.972, 0.036, 0.017)
        canvas.ellipse(fx, fy, frx, fry, shoe, ink, lw * 0.6)
    # hips, torso
    hips = [
        body.pt(-0.088 * tw, 0.45),
        body.pt(0.088 * tw, 0.45),
        body.pt(0.092 * tw, 0.53),
        body.pt(0, 0.545),
        body.pt(-0.092 * tw, 0.53),
    ]
    canvas.polygon(hips, trousers, ink, lw)
    left = [body.pt(-w * tw + 0.008 * f, y) for y, w in _TORSO]
    right = [body.pt(w * tw + 0.008 * f, y) for y, w in _TORSO]
    torso = [*left, *reversed(right)]
    fill = mix(look.fill, (0, 0, 0), 0.25) if back else look.fill
    canvas.polygon(torso, fill, ink, lw)
    shade_edge = right if shade_sign > 0 else left
    inner = [body.pt((w * tw * 0.4 + 0.008 * f) * shade_sign, y) for y, w in _TORSO]
    canvas.polygon([*shade_edge, *reversed(inner)], mix(fill, (0, 0, 0), pal.shade))
    if not back:
        _mark(canvas, body, look, tw, f, lw)
    # arms
    for side, pose in ((-1, arms[0]), (1, arms[1])):
        (ex, ey), (wx, wy) = ARM_POSES[pose]
        sx = side * 0.082 * tw + 0.008 * f
        color = fill if side != shade_sign else mix(fill, (0, 0, 0), pal.shade)
        _limb(
            canvas,
            body,
            [(sx, 0.2, 0.028), (side * ex * tw, ey, 0.024), (side * wx * tw, wy, 0.019)],
            color,
            ink,
            lw,
        )
        dx, dy = wx - ex, wy - ey
        norm = math.hypot(dx, dy) or 1.0
        (hu, hv), hr = body.pr(side * (wx + dx / norm * 0.022) * tw, wy + dy / norm * 0.022, 0.02)
        canvas.circle(hu, hv, hr, pal.skin, ink, lw * 0.8)
    # head
    head_fill = look.hair_color if back and look.hair != "crop" else pal.skin
    canvas.ellipse(hx, hy, hrx, hry, head_fill, ink, lw)
    if back:
        ear = 1 if f >= 0 else -1
        canvas.ellipse(
            hx + ear * hrx * 0.98,
            hy + hry * 0.1,
            hrx * 0.14,
            hry * 0.2,
            pal.skin_shade,
            ink,
            lw * 0.6,
        )
    else:
        _head(canvas, look, pal, hx, hy, hrx, hry, f, shade_sign, lw)
    return Placed(
        head=(hx, hy),
        head_r=hrx,
        top=hy - hry * (1.5 if look.hair == "hat" else 1.0),
        bottom=body.pt(0, 1.0)[1],
        x=body.pt(0, 0.3)[0],
        half_width=abs(body.pt(0.2, 0.3)[0] - body.pt(0, 0.3)[0]),
    )


def _mark(canvas: Canvas, body: _Body, look: CharacterLook, tw: float, f: float, lw: float) -> None:
    """The character's mark on the torso (stripes, a sash, a vest, buttons) and badge."""
    dark = look.dark
    o = 0.008 * f
    if look.mark == "stripes":
        for y in (0.26, 0.31, 0.36):
            w = 0.1 * tw - (y - 0.25) * 0.12
            canvas.line([body.pt(-w + o, y), body.pt(w + o, y)], dark, lw * 1.6)
    elif look.mark == "sash":
        canvas.polygon(
            [
                body.pt(-0.09 * tw + o, 0.19),
                body.pt(-0.055 * tw + o, 0.18),
                body.pt(0.085 * tw + o, 0.43),
                body.pt(0.05 * tw + o, 0.44),
            ],
            dark,
        )
    elif look.mark == "vest":
        canvas.polygon(
            [
                body.pt(-0.06 * tw + o, 0.175),
                body.pt(-0.02 * tw + o, 0.176),
                body.pt(o, 0.3),
                body.pt(0.02 * tw + o, 0.176),
                body.pt(0.06 * tw + o, 0.175),
                body.pt(0.085 * tw + o, 0.45),
                body.pt(-0.085 * tw + o, 0.45),
            ],
            dark,
        )
        canvas.polygon(
            [body.pt(-0.02 * tw + o, 0.176), body.pt(o, 0.3), body.pt(0.02 * tw + o, 0.176)],
            mix(look.fill, (255, 255, 255), 0.5),
        )
    else:
        for y in (0.23, 0.29, 0.35, 0.41):
            (u, v), r = body.pr(o, y, 0.009)
            canvas.circle(u, v, r, dark)
    (u, v), r = body.pr(-0.05 * tw + o if f >= 0 else 0.05 * tw + o, 0.235, 0.015)
    canvas.circle(u, v, r, look.accent, mix(look.accent, (255, 255, 255), 0.7), lw * 0.8)


def _head(
    canvas: Canvas,
    look: CharacterLook,
    pal: Palette,
    cx: float,
    cy: float,
    rx: float,
    ry: float,
    f: float,
    shade_sign: int,
    lw: float,
) -> None:
    """Face, hair and the construction lines of a mannequin head."""
    ink = pal.ink
    turn = f * 0.55
    # shaded cheek
    if rx > 3:
        outer = arc_points(cx, cy, rx * 0.97, ry * 0.97, -1.1, 1.1, 8)
        inner = arc_points(cx + rx * 0.32, cy, rx * 0.62, ry * 0.9, 1.1, -1.1, 8)
        if shade_sign < 0:
            outer = [(2 * cx - x, y) for x, y in outer]
            inner = [(2 * cx - x, y) for x, y in inner]
        canvas.polygon([*outer, *inner], pal.skin_shade)
    if look.beard:
        jaw = arc_points(cx, cy, rx * 0.98, ry * 0.98, 0.15, math.pi - 0.15, 10)
        chin = arc_points(
            cx + turn * rx * 0.3, cy + ry * 0.42, rx * 0.55, ry * 0.2, math.pi - 0.3, 0.3, 6
        )
        canvas.polygon([*jaw, *chin], look.hair_color)
    if rx >= 7:
        soft = mix(ink, pal.skin, 0.55)
        eye_y = cy + ry * 0.12
        mid = cx + rx * turn
        if rx < 22:  # construction lines: the centre line and the eye line
            centre = [
                (cx + rx * turn * math.sqrt(max(0.0, 1 - t * t)), cy + t * ry * 0.95)
                for t in (-0.9, -0.5, 0, 0.5, 0.9)
            ]
            canvas.line(centre, soft, max(0.6, lw * 0.5))
            canvas.line(
                arc_points(cx, eye_y - ry * 0.1, rx * 0.98, ry * 0.12, math.pi - 0.1, 0.1, 8),
                soft,
                max(0.6, lw * 0.5),
            )
        if rx >= 12:
            a0 = math.asin(max(-0.95, min(0.95, turn)))
            for da in (-0.45, 0.45):
                a = a0 + da
                if math.cos(a) < 0.2:
                    continue
                ex = cx + rx * math.sin(a)
                ew = rx * 0.11 * math.cos(a)
                canvas.ellipse(ex, eye_y, ew, rx * 0.07, ink)
                canvas.line(
                    [(ex - ew * 1.4, eye_y - ry * 0.17), (ex + ew * 1.4, eye_y - ry * 0.19)],
                    ink,
                    lw * 0.9,
                )
            canvas.line(
                [
                    (mid, eye_y + ry * 0.02),
                    (mid + turn * rx * 0.22, cy + ry * 0.42),
                    (mid - rx * 0.02, cy + ry * 0.46),
                ],
                soft,
                lw * 0.8,
            )
            mw = rx * 0.2 * (1 - 0.4 * abs(turn))
            canvas.line(
                [(mid - mw, cy + ry * 0.64), (mid + mw, cy + ry * 0.66)],
                mix(ink, pal.skin, 0.3),
                lw * 0.8,
            )
            if look.glasses:
                for da in (-0.45, 0.45):
                    a = a0 + da
                    if math.cos(a) > 0.2:
                        canvas.circle(cx + rx * math.sin(a), eye_y, rx * 0.17, None, ink, lw * 0.7)
            for ear in (-1, 1):
                if ear * turn < 0.25:  # an ear shows unless the head turns towards its side
                    ear_x = cx + ear * rx * (0.99 - 0.2 * abs(turn))
                    canvas.ellipse(
                        ear_x, cy + ry * 0.14, rx * 0.065, ry * 0.15, pal.skin, ink, lw * 0.6
                    )
    _hair(canvas, look, pal, cx, cy, rx, ry, turn, lw)


def _hair(
    canvas: Canvas,
    look: CharacterLook,
    pal: Palette,
    cx: float,
    cy: float,
    rx: float,
    ry: float,
    turn: float,
    lw: float,
) -> None:
    ink = pal.ink
    if look.hair == "hat":
        brim_y = cy - ry * 0.5
        canvas.ellipse(cx, brim_y, rx * 1.45, ry * 0.2, look.dark, ink, lw)
        crown = [
            (cx - rx * 0.85, brim_y),
            *arc_points(cx, brim_y - ry * 0.35, rx * 0.85, ry * 0.7, math.pi, 2 * math.pi, 8),
            (cx + rx * 0.85, brim_y),
        ]
        canvas.polygon(crown, look.dark, ink, lw)
        canvas.line(
            [(cx - rx * 0.84, brim_y - ry * 0.12), (cx + rx * 0.84, brim_y - ry * 0.12)],
            look.accent,
            lw * 1.5,
        )
        return
    if look.hair == "crop":
        cap = [
            *arc_points(cx, cy, rx * 1.01, ry * 1.01, math.pi + 0.35, 2 * math.pi - 0.35, 10),
            *arc_points(cx, cy - ry * 0.2, rx * 0.85, ry * 0.55, -0.4, -math.pi + 0.4, 8),
        ]
        canvas.polygon(cap, mix(look.hair_color, pal.skin, 0.45))
        return
    part = turn * 0.5
    cap = [
        *arc_points(cx, cy, rx * 1.06, ry * 1.06, math.pi + 0.22, 2 * math.pi - 0.22, 12),
        (cx + rx * 0.93, cy - ry * 0.3),
        (cx + rx * (0.35 + part), cy - ry * 0.66),
        (cx + rx * (-0.15 + part), cy - ry * 0.58),
        (cx - rx * 0.93, cy - ry * 0.3),
    ]
    canvas.polygon(cap, look.hair_color, ink, lw)


def draw_from_above(
    canvas: Canvas,
    cam: Camera,
    look: CharacterLook,
    pal: Palette,
    *,
    x: float,
    z: float,
    heading: float,
    lw: float,
) -> Placed:
    """A figure seen from straight overhead: shadow, shoulders, arms, the top of the head."""
    u, v, k = cam.project((x, 1.45, z))
    su, sv, sk = cam.project((x + 0.35, 0, z - 0.25))
    canvas.ellipse(su, sv, 0.32 * sk, 0.22 * sk, pal.shadow)
    c, s = math.cos(heading), math.sin(heading)

    def rot(dx: float, dy: float) -> Point:
        return u + (dx * c - dy * s) * k, v + (dx * s + dy * c) * k

    shoe = mix(pal.ink, pal.cloth, 0.25)
    b = look.build
    for side in (-1, 1):  # toes peeking out in front, then the arms hanging by the sides
        p = rot(side * 0.09, -0.15)
        canvas.ellipse(p[0], p[1], 0.04 * k, 0.04 * k, shoe)
        a, e = rot(side * 0.2 * b, -0.01), rot(side * 0.25 * b, -0.09)
        canvas.capsule(a, 0.05 * k, e, 0.042 * k, look.fill, pal.ink, lw)
        hand = rot(side * 0.255 * b, -0.15)
        canvas.circle(hand[0], hand[1], 0.035 * k, pal.skin, pal.ink, lw * 0.7)
    shoulders = [
        rot(0.23 * b * math.cos(t), 0.11 * math.sin(t))
        for t in (i * math.pi / 12 for i in range(24))
    ]
    canvas.polygon(shoulders, look.fill, pal.ink, lw)
    canvas.line([rot(-0.17 * b, 0.03), rot(0.17 * b, 0.03)], mix(look.fill, pal.ink, 0.4), lw * 0.6)
    badge = rot(-0.11 * b, -0.04)
    canvas.circle(badge[0], badge[1], 0.025 * k, look.accent)
    hk = cam.project((x, 1.72, z))[2]
    head = rot(0.0, -0.02)
    face = rot(0.0, -0.045)
    canvas.circle(face[0], face[1], 0.085 * hk, pal.skin, pal.ink, lw)
    if look.hair == "hat":
        canvas.circle(head[0], head[1], 0.15 * hk, look.dark, pal.ink, lw)
        canvas.circle(
            head[0], head[1], 0.085 * hk, mix(look.dark, (0, 0, 0), 0.2), pal.ink, lw * 0.7
        )
    else:
        crown = rot(0.0, 0.0)
        color = mix(look.hair_color, pal.skin, 0.45) if look.hair == "crop" else look.hair_color
        canvas.circle(crown[0], crown[1], 0.08 * hk, color)
    return Placed(
        head=head,
        head_r=0.1 * hk,
        top=head[1] - 0.3 * k,
        bottom=head[1] + 0.3 * k,
        x=head[0],
        half_width=0.3 * k,
    )


def draw_eyes(
    canvas: Canvas, look: CharacterLook | None, pal: Palette, *, facing: float, lw: float
) -> Placed:
    """An extreme close-up: a band of the face, two eyes filling the frame."""
    w, h = canvas.width, canvas.height
    x0, y0, x1, y1 = canvas.cover
    skin = pal.skin
    canvas.rect(x0, y0, x1, y1, skin)
    hair = look.hair_color if look is not None else pal.cloth
    iris = look.accent if look is not None else pal.cloth
    canvas.polygon([(x0, y0), (x1, y0), (x1, h * 0.06), (w * 0.5, h * 0.02), (x0, h * 0.08)], hair)
    gap = min(w * 0.27, h * 0.55)
    r = min(gap * 0.42, h * 0.3)
    cx0 = w / 2 + facing * w * 0.04
    for side in (-1, 1):
        ex, ey = cx0 + side * gap, h * 0.52
        scale = 1 - 0.15 * side * facing
        rw = r * scale
        canvas.polygon(
            [
                *arc_points(ex, ey - r * 0.42, rw * 1.25, r * 0.5, -math.pi + 0.25, -0.25, 10),
                *arc_points(ex, ey - r * 0.4, rw * 1.25, r * 1.0, 0.25, math.pi - 0.25, 10),
            ],
            mix(skin, (0, 0, 0), 0.12),
        )
        lid_top = arc_points(ex, ey + r * 0.15, rw * 1.15, r * 0.75, -math.pi + 0.05, -0.05, 16)
        lid_bottom = arc_points(ex, ey - r * 0.2, rw * 1.15, r * 0.55, 0.05, math.pi - 0.05, 16)
        canvas.polygon([*lid_top, *lid_bottom], (246, 244, 238))
        shift = facing * rw * 0.25
        canvas.circle(ex + shift, ey, r * 0.42, iris, pal.ink, lw)
        canvas.circle(ex + shift, ey, r * 0.18, (16, 16, 18))
        canvas.circle(ex + shift - r * 0.14, ey - r * 0.14, r * 0.07, (255, 255, 255))
        canvas.polygon([*lid_top, *lid_bottom], None, pal.ink, lw * 1.6)
        canvas.line(lid_top, pal.ink, lw * 3)
        brow = arc_points(ex, ey - r * 0.45, rw * 1.35, r * 0.75, -math.pi + 0.35, -0.3, 10)
        canvas.line(brow, hair, r * 0.2)
        canvas.line(
            arc_points(ex, ey + r * 0.35, rw * 1.0, r * 0.45, 0.5, math.pi - 0.5, 8),
            mix(skin, pal.ink, 0.35),
            lw,
        )
    nose = [(cx0 - gap * 0.18, h * 1.02), (cx0 - gap * 0.08, h * 0.7), (cx0 + gap * 0.02, h * 0.5)]
    canvas.line(nose, mix(skin, pal.ink, 0.45), lw * 1.2)
    return Placed(
        head=(w / 2, h / 2), head_r=w / 2, top=h * 0.1, bottom=h * 0.95, x=w / 2, half_width=w / 2
    )
