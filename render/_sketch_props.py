"""Inserts and title cards for the sketch backend: the objects a detail shot shows (a hand,
feet, a clock, a phone, a gun, a note...) and words on black.
"""

from __future__ import annotations

import math
import re

from PIL import Image, ImageDraw

from render._sketch_canvas import Canvas, arc_points, font, mix, text_size
from render._sketch_look import ACCENT, CharacterLook, Palette
from render._sketch_marks import HALO, Label
from shots.model import Shot

# ---- inserts and title cards -----------------------------------------------------------------

_OBJECTS = (
    ("ring", r"\b(ring|wedding band|band)\b"),
    ("hand", r"\b(hands?|fingers?|fist|palm|thumb)\b"),
    ("feet", r"\b(feet|foot|shoes?|boots?|toes?)\b"),
    ("clock", r"\b(clock|watch|wristwatch|time)\b"),
    ("phone", r"\b(phone|cell|cellphone|mobile|speakerphone|receiver)\b"),
    ("screen", r"\b(tv|television|screen|monitor|computer|laptop|projector|news)\b"),
    ("key", r"\bkeys?\b"),
    ("gun", r"\b(gun|pistol|beretta|glock|revolver|rifle|handgun|weapon)\b"),
    ("blade", r"\b(sword|knife|blade|machete|dagger|katana)\b"),
    ("glass", r"\b(glass|beer|bottle|drink|cup|mug|wine|whiskey|coffee)\b"),
    ("sign", r"\b(signs?|billboard|poster|placard)\b"),
    (
        "paper",
        r"\b(letter|card|note|paper|envelope|writing|book|photos?|article|newspaper|map|file|document|page|menu|list|encyclopedia)\b",
    ),
)


def insert_subject(description: str) -> tuple[str, str]:
    """``(kind, words)``: what an insert shows, from ``Insert on <words>: ...``."""
    match = re.search(r"\binsert on ([^:.]+)", description, re.IGNORECASE)
    words = match.group(1).strip() if match else description.split(":")[0].strip()
    for text in (words, description):
        for kind, pattern in _OBJECTS:
            if re.search(pattern, text, re.IGNORECASE):
                return kind, words
    return "thing", words


def draw_surface(canvas: Canvas, pal: Palette, interior: bool, lw: float) -> None:
    """The table top (inside) or the ground (outside) an insert lies on."""
    x0, y0, x1, y1 = canvas.cover
    w, h = canvas.width, canvas.height
    if interior:
        canvas.rect(x0, y0, x1, y1, pal.wood)
        canvas.rect(x0, y0, x1, h * 0.14, mix(pal.wall, pal.wood, 0.25))
        canvas.line([(x0, h * 0.14), (x1, h * 0.14)], mix(pal.wood, pal.ink, 0.5), lw)
        grain = mix(pal.wood, pal.ink, 0.15)
        for i in range(7):
            y = h * (0.22 + i * 0.12)
            canvas.line(
                [(x0, y), (w * 0.3, y + h * 0.01), (w * 0.7, y - h * 0.008), (x1, y + h * 0.004)],
                grain,
                lw * 0.5,
            )
    else:
        canvas.rect(x0, y0, x1, y1, pal.ground_near)
        canvas.rect(x0, y0, x1, h * 0.12, mix(pal.ground_far, pal.sky_horizon, 0.4))
        grit = mix(pal.ground_near, pal.ink, 0.3)
        for i in range(40):
            gx = (i * 0.6180339 % 1) * w
            gy = h * 0.15 + ((i * 0.41421 + 0.3) % 1) * h * 0.85
            canvas.circle(gx, gy, max(1.0, lw * 0.5), grit)


def draw_object(
    canvas: Canvas, kind: str, pal: Palette, owner: CharacterLook | None, lw: float, phase: float
) -> tuple[float, float, float, float]:
    """The insert's object, centred; returns its bounding box (scene coordinates)."""
    w, h = canvas.width, canvas.height
    s = min(w, h)
    cx, cy = w / 2, h * 0.52
    ink = pal.ink
    shadow = mix(pal.wood, (0, 0, 0), 0.3)
    sleeve = owner.fill if owner is not None else pal.cloth
    if kind in ("hand", "ring"):
        # forearm from the bottom-left, palm down, fingers to the right
        canvas.capsule(
            (w * 0.02, h * 1.08), s * 0.14, (cx - s * 0.3, cy + s * 0.12), s * 0.12, sleeve, ink, lw
        )
        if owner is not None:
            canvas.line([(w * 0.05, h * 0.86), (cx - s * 0.33, cy + s * 0.02)], owner.dark, lw * 2)
        palm = [
            (cx - s * 0.3, cy - s * 0.02),
            (cx + s * 0.05, cy - s * 0.09),
            (cx + s * 0.12, cy + s * 0.03),
            (cx + s * 0.06, cy + s * 0.17),
            (cx - s * 0.3, cy + s * 0.22),
        ]
        for i, (dy, length) in enumerate(((-0.07, 0.3), (0.0, 0.33), (0.065, 0.31), (0.125, 0.25))):
            a = (cx + s * 0.05, cy + s * dy)
            b = (cx + s * (0.05 + length), cy + s * (dy + 0.01 * i))
            canvas.capsule(a, s * 0.037, b, s * 0.031, pal.skin, ink, lw)
            if kind == "ring" and i == 2:
                rx = a[0] + (b[0] - a[0]) * 0.45
                ry = a[1] + (b[1] - a[1]) * 0.45
                canvas.ellipse(
                    rx,
                    ry,
                    s * 0.018,
                    s * 0.045,
                    (226, 190, 92) if not pal.mono else (206, 204, 198),
                    ink,
                    lw,
                )
        canvas.polygon(palm, pal.skin, ink, lw)
        canvas.capsule(
            (cx - s * 0.12, cy - s * 0.04),
            s * 0.045,
            (cx + s * 0.02, cy - s * 0.2),
            s * 0.034,
            pal.skin,
            ink,
            lw,
        )
        for dy in (0.0, 0.065):
            canvas.line(
                arc_points(cx + s * 0.02, cy + s * (dy + 0.005), s * 0.03, s * 0.02, -1.2, 1.2, 5),
                pal.skin_shade,
                lw * 0.7,
            )
        return cx - s * 0.45, cy - s * 0.25, cx + s * 0.45, cy + s * 0.3
    if kind == "feet":
        leather = mix(pal.ink, pal.cloth, 0.35)
        trousers = pal.cloth if owner is None else mix(pal.cloth, owner.dark, 0.3)
        for side in (-1, 1):
            x = cx + side * s * 0.17
            canvas.ellipse(x + side * s * 0.03, cy + s * 0.33, s * 0.17, s * 0.05, shadow)
            toe = arc_points(x, cy + s * 0.2, s * 0.105, s * 0.13, math.pi, 0, 12)
            shoe = [(x - s * 0.085, cy - s * 0.04), *toe, (x + s * 0.085, cy - s * 0.04)]
            canvas.polygon(shoe, leather, ink, lw)
            sole = arc_points(
                x, cy + s * 0.2, s * 0.105, s * 0.13, math.pi * 0.85, math.pi * 0.15, 8
            )
            canvas.line(sole, mix(leather, (0, 0, 0), 0.4), lw * 2)
            for i in range(3):
                y = cy + s * (0.03 + i * 0.04)
                canvas.line([(x - s * 0.04, y), (x + s * 0.04, y + s * 0.01)], HALO, lw * 0.6)
            leg = [
                (x - s * 0.105, -h * 0.05),
                (x + s * 0.105, -h * 0.05),
                (x + s * 0.115, cy + s * 0.01),
                (x - s * 0.115, cy + s * 0.01),
            ]
            canvas.polygon(leg, trousers, ink, lw)
            canvas.line(
                [(x - s * 0.113, cy - s * 0.03), (x + s * 0.113, cy - s * 0.03)],
                mix(trousers, ink, 0.4),
                lw * 0.7,
            )
        return cx - s * 0.3, 0, cx + s * 0.3, cy + s * 0.35
    if kind == "clock":
        r = s * 0.3
        if owner is not None:
            canvas.rect(
                cx - r * 0.55,
                -h * 0.05,
                cx + r * 0.55,
                h * 1.05,
                mix(pal.cloth, pal.ink, 0.3),
                ink,
                lw,
            )
        canvas.circle(cx + s * 0.03, cy + s * 0.03, r, shadow)
        canvas.circle(cx, cy, r, pal.prop, ink, lw * 2)
        for i in range(12):
            a = i * math.pi / 6
            canvas.line(
                [
                    (cx + r * 0.78 * math.cos(a), cy + r * 0.78 * math.sin(a)),
                    (cx + r * 0.9 * math.cos(a), cy + r * 0.9 * math.sin(a)),
                ],
                ink,
                lw * (1.6 if i % 3 == 0 else 0.8),
            )
        hour, minute = phase * 2 * math.pi, phase * 24 * math.pi
        canvas.line(
            [(cx, cy), (cx + r * 0.45 * math.sin(hour), cy - r * 0.45 * math.cos(hour))],
            ink,
            lw * 2.2,
            round_ends=True,
        )
        canvas.line(
            [(cx, cy), (cx + r * 0.72 * math.sin(minute), cy - r * 0.72 * math.cos(minute))],
            ink,
            lw * 1.3,
            round_ends=True,
        )
        canvas.circle(cx, cy, lw * 1.6, ACCENT)
        return cx - r, cy - r, cx + r, cy + r
    if kind in ("phone", "screen"):
        if kind == "phone":
            bw, bh = s * 0.22, s * 0.42
        else:
            bw, bh = s * 0.52, s * 0.34
        canvas.rect(
            cx - bw + s * 0.03, cy - bh + s * 0.03, cx + bw + s * 0.03, cy + bh + s * 0.03, shadow
        )
        canvas.rect(cx - bw, cy - bh, cx + bw, cy + bh, mix(pal.ink, pal.cloth, 0.3), ink, lw)
        glow = (40, 52, 70) if kind == "phone" else mix(pal.window, (255, 255, 255), 0.2)
        m = s * 0.025
        canvas.rect(cx - bw + m, cy - bh + m * 2.4, cx + bw - m, cy + bh - m * 2.4, glow)
        if kind == "screen":
            canvas.rect(
                cx - s * 0.06,
                cy + bh,
                cx + s * 0.06,
                cy + bh + s * 0.08,
                mix(pal.ink, pal.cloth, 0.3),
                ink,
                lw,
            )
            for i in range(3):
                canvas.line(
                    [
                        (cx - bw * 0.7, cy + bh * (0.2 + i * 0.2)),
                        (cx + bw * (0.1 - i * 0.15), cy + bh * (0.2 + i * 0.2)),
                    ],
                    mix(glow, pal.ink, 0.3),
                    lw,
                )
            canvas.circle(cx - bw * 0.35, cy - bh * 0.25, bh * 0.28, mix(glow, pal.ink, 0.25))
        return cx - bw, cy - bh, cx + bw, cy + bh
    if kind == "key":
        canvas.circle(cx - s * 0.2, cy, s * 0.12, pal.prop, ink, lw * 1.5)
        canvas.circle(cx - s * 0.2, cy, s * 0.045, pal.wood, ink, lw)
        canvas.rect(
            cx - s * 0.09, cy - s * 0.03, cx + s * 0.32, cy + s * 0.03, pal.prop, ink, lw * 1.5
        )
        for i, depth in enumerate((0.08, 0.05, 0.09)):
            x = cx + s * (0.16 + i * 0.05)
            canvas.rect(x, cy + s * 0.02, x + s * 0.035, cy + s * depth, pal.prop, ink, lw)
        return cx - s * 0.35, cy - s * 0.15, cx + s * 0.35, cy + s * 0.15
    if kind == "gun":
        metal = mix(pal.ink, pal.cloth, 0.35)
        canvas.polygon(
            [
                (cx - s * 0.35, cy - s * 0.12),
                (cx + s * 0.35, cy - s * 0.12),
                (cx + s * 0.35, cy),
                (cx - s * 0.12, cy),
                (cx - s * 0.2, cy + s * 0.3),
                (cx - s * 0.36, cy + s * 0.28),
                (cx - s * 0.3, cy),
            ],
            metal,
            ink,
            lw,
        )
        canvas.line(
            arc_points(cx - s * 0.1, cy, s * 0.07, s * 0.08, 0.2, math.pi - 0.2, 6), ink, lw * 1.2
        )
        return cx - s * 0.36, cy - s * 0.12, cx + s * 0.35, cy + s * 0.3
    if kind == "blade":
        steel = mix(pal.prop, pal.sky_top, 0.3)
        canvas.polygon(
            [
                (cx - s * 0.25, cy + s * 0.04),
                (cx + s * 0.55, cy - s * 0.04),
                (cx + s * 0.62, cy - s * 0.1),
                (cx - s * 0.25, cy - s * 0.04),
            ],
            steel,
            ink,
            lw,
        )
        canvas.rect(
            cx - s * 0.28,
            cy - s * 0.1,
            cx - s * 0.25,
            cy + s * 0.1,
            mix(pal.ink, pal.wood, 0.3),
            ink,
            lw,
        )
        canvas.capsule(
            (cx - s * 0.6, cy + s * 0.02),
            s * 0.035,
            (cx - s * 0.28, cy),
            s * 0.035,
            mix(pal.ink, pal.cloth, 0.3),
            ink,
            lw,
        )
        return cx - s * 0.6, cy - s * 0.1, cx + s * 0.62, cy + s * 0.1
    if kind == "glass":
        for i, dx in enumerate((-0.14, 0.16)):
            gx = cx + s * dx
            top, bottom = cy - s * (0.3 - i * 0.06), cy + s * 0.25
            canvas.ellipse(gx + s * 0.04, bottom, s * 0.12, s * 0.03, shadow)
            glass = mix(pal.prop, pal.sky_top, 0.35)
            canvas.polygon(
                [
                    (gx - s * 0.1, top),
                    (gx + s * 0.1, top),
                    (gx + s * 0.08, bottom),
                    (gx - s * 0.08, bottom),
                ],
                glass,
                ink,
                lw,
            )
            liquid = (216, 168, 72) if not pal.mono else mix(pal.prop, pal.ink, 0.2)
            canvas.polygon(
                [
                    (gx - s * 0.094, top + s * 0.12),
                    (gx + s * 0.094, top + s * 0.12),
                    (gx + s * 0.08, bottom - s * 0.01),
                    (gx - s * 0.08, bottom - s * 0.01),
                ],
                liquid,
            )
            canvas.line(
                [(gx - s * 0.06, top + s * 0.05), (gx - s * 0.05, bottom - s * 0.05)], HALO, lw
            )
        return cx - s * 0.28, cy - s * 0.3, cx + s * 0.28, cy + s * 0.28
    if kind == "sign":
        canvas.rect(cx - s * 0.025, cy, cx + s * 0.025, h * 1.05, pal.wood, ink, lw)
        canvas.polygon(
            [
                (cx - s * 0.42, cy - s * 0.3),
                (cx + s * 0.42, cy - s * 0.27),
                (cx + s * 0.4, cy + s * 0.12),
                (cx - s * 0.4, cy + s * 0.1),
            ],
            pal.prop,
            ink,
            lw * 1.5,
        )
        return cx - s * 0.42, cy - s * 0.3, cx + s * 0.42, cy + s * 0.12
    if kind == "paper":
        pw, ph = s * 0.42, s * 0.32
        canvas.rect(
            cx - pw + s * 0.025, cy - ph + s * 0.03, cx + pw + s * 0.025, cy + ph + s * 0.03, shadow
        )
        canvas.polygon(
            [
                (cx - pw, cy - ph),
                (cx + pw - s * 0.07, cy - ph),
                (cx + pw, cy - ph + s * 0.07),
                (cx + pw, cy + ph),
                (cx - pw, cy + ph),
            ],
            pal.prop,
            ink,
            lw,
        )
        canvas.polygon(
            [
                (cx + pw - s * 0.07, cy - ph),
                (cx + pw - s * 0.07, cy - ph + s * 0.07),
                (cx + pw, cy - ph + s * 0.07),
            ],
            pal.prop_shade,
            ink,
            lw * 0.7,
        )
        return cx - pw, cy - ph, cx + pw, cy + ph
    # anything else: a parcel with its name on a tag
    canvas.polygon(
        [
            (cx - s * 0.3, cy - s * 0.05),
            (cx, cy - s * 0.18),
            (cx + s * 0.3, cy - s * 0.05),
            (cx, cy + s * 0.08),
        ],
        pal.prop,
        ink,
        lw,
    )
    canvas.polygon(
        [
            (cx - s * 0.3, cy - s * 0.05),
            (cx, cy + s * 0.08),
            (cx, cy + s * 0.32),
            (cx - s * 0.3, cy + s * 0.19),
        ],
        pal.prop_shade,
        ink,
        lw,
    )
    canvas.polygon(
        [
            (cx + s * 0.3, cy - s * 0.05),
            (cx, cy + s * 0.08),
            (cx, cy + s * 0.32),
            (cx + s * 0.3, cy + s * 0.19),
        ],
        mix(pal.prop_shade, (0, 0, 0), 0.15),
        ink,
        lw,
    )
    return cx - s * 0.3, cy - s * 0.18, cx + s * 0.3, cy + s * 0.32


def scribble_lines(
    canvas: Canvas, box: tuple[float, float, float, float], pal: Palette, lw: float
) -> None:
    """Illegible handwriting on a paper: wavy lines."""
    x0, y0, x1, y1 = box
    ink = mix(pal.ink, (40, 60, 120), 0.3)
    rows = 5
    for r in range(rows):
        y = y0 + (y1 - y0) * (r + 1) / (rows + 1)
        end = x1 - (x1 - x0) * (0.12 + 0.3 * ((r * 0.37) % 1))
        pts = [
            (x0 + (x1 - x0) * 0.1 + i * (end - x0) / 16, y + math.sin(i * 1.9 + r) * lw * 1.2)
            for i in range(15)
        ]
        canvas.line(pts, ink, lw * 0.8)


def fit_font_size(text: str, kind: str, max_w: float, max_h: float, start: int) -> int:
    """The largest size not above ``start`` at which ``text`` fits the box."""
    size = start
    lines = text.splitlines() or [text]
    while size > 8:
        fnt = font(size, kind)
        widths = [text_size(line, fnt)[0] for line in lines]
        height = len(lines) * size * 1.25
        if max(widths) <= max_w and height <= max_h:
            return size
        size = int(size * 0.9)
    return size


def title_card(width: int, height: int, text: str) -> tuple[Image.Image, list[Label]]:
    """A black card with the words centred in large letters."""
    image = Image.new("RGB", (width, height), (14, 14, 16))
    draw = ImageDraw.Draw(image)
    m = round(min(width, height) * 0.04)
    draw.rectangle([m, m, width - 1 - m, height - 1 - m], outline=(58, 58, 62), width=1)
    words = "\n".join(line.strip() for line in text.strip().splitlines() if line.strip()) or " "
    size = fit_font_size(
        words, "title", width * 0.78, height * 0.6, round(min(width, height) * 0.12)
    )
    return image, [Label(words, width / 2, height / 2, size, (240, 238, 230), kind="title")]


# ---- inserts -----------------------------------------------------------------------------------


def draw_insert(
    canvas: Canvas,
    shot: Shot,
    pal: Palette,
    owner: CharacterLook | None,
    *,
    interior: bool,
    lw: float,
) -> list[Label]:
    """An insert: the object the description names (or the writing) on a table or ground.

    Args:
        canvas: the panel's canvas.
        shot: the insert shot.
        pal: the panel's colours.
        owner: the character whose hand, feet or belongings these are, if any.
        interior: a table top inside, the ground outside.
        lw: line width.

    Returns:
        The labels to set once the canvas is finished.
    """
    w, h = canvas.width, canvas.height
    short = min(w, h)
    draw_surface(canvas, pal, interior, lw)
    labels: list[Label] = []
    if shot.on_screen_text:
        kind, words = "paper", "the writing"
    else:
        kind, words = insert_subject(shot.description)
    phase = (shot.seed % 1000) / 1000
    box = draw_object(canvas, kind, pal, owner, lw, phase)
    if kind == "paper":
        x0, y0, x1, y1 = box
        if shot.on_screen_text:
            text = shot.on_screen_text.strip()
            size = fit_font_size(
                text, "hand", (x1 - x0) * 0.8, (y1 - y0) * 0.8, round(short * 0.09)
            )
            cx, cy = canvas.to_frame((x0 + x1) / 2, (y0 + y1) / 2)
            labels.append(Label(text, cx, cy, size, mix(pal.ink, (40, 60, 120), 0.35), "hand"))
        else:
            scribble_lines(canvas, box, pal, lw)
    elif kind == "sign":
        x0, y0, x1, y1 = box
        cx, cy = canvas.to_frame((x0 + x1) / 2, (y0 + y1) / 2)
        labels.append(Label("SIGN", cx, cy, round(short * 0.08), pal.ink, "title"))
    caption = f"INSERT: {words}" if words else "INSERT"
    labels.append(
        Label(
            caption.upper()[:48],
            w / 2,
            h - short * 0.05,
            max(11, round(short * 0.026)),
            pal.ink,
            box=HALO,
            border=mix(pal.ink, HALO, 0.5),
        )
    )
    return labels
