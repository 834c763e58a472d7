"""The sketch backend's colours: the style's paper and inks, the light of the time of day,
and each character's colour and marks, derived from the name so they never change.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace

from render._sketch_canvas import Color, hsv, mix, tint
from shots.model import CharacterRef, Style

Light = tuple[float, float, float]

_MONO_RE = re.compile(r"grey|gray|monochrome|black and white|b&w|black ink|noir|pencil|charcoal")
_CONTRAST_RE = re.compile(r"high contrast|deep blacks|low-key|noir")

# time of day -> (light on the set, sky at the top, sky at the horizon) for mono and colour
_DAYLIGHT: dict[str, tuple[Light, Color, Color, Color, Color]] = {
    "day": ((1.0, 1.0, 1.0), (188, 202, 216), (228, 232, 232), (108, 162, 216), (206, 226, 240)),
    "morning": (
        (1.0, 0.98, 0.94),
        (205, 212, 222),
        (244, 234, 218),
        (140, 180, 225),
        (250, 226, 192),
    ),
    "afternoon": (
        (1.0, 0.97, 0.92),
        (198, 206, 214),
        (240, 232, 214),
        (100, 155, 210),
        (236, 220, 190),
    ),
    "dawn": ((0.86, 0.84, 0.9), (132, 146, 178), (236, 200, 184), (90, 110, 170), (250, 190, 160)),
    "dusk": ((0.92, 0.78, 0.66), (96, 92, 124), (234, 166, 116), (70, 60, 120), (250, 150, 80)),
    "evening": ((0.66, 0.58, 0.6), (62, 64, 96), (178, 118, 100), (40, 40, 90), (200, 100, 80)),
    "night": ((0.34, 0.38, 0.5), (22, 26, 40), (48, 56, 78), (10, 14, 32), (30, 40, 70)),
}
_TIME_WORDS = (
    ("night", ("NIGHT", "MIDNIGHT")),
    ("dusk", ("DUSK", "SUNSET", "TWILIGHT", "MAGIC HOUR", "GOLDEN HOUR")),
    ("dawn", ("DAWN", "SUNRISE", "DAYBREAK", "FIRST LIGHT")),
    ("evening", ("EVENING",)),
    ("morning", ("MORNING",)),
    ("afternoon", ("AFTERNOON", "NOON")),
)

ACCENT: Color = (212, 46, 38)
"""Camera-move arrows: the red pencil of storyboard notation."""


def time_key(time_of_day: str | None) -> str:
    """``NIGHT``, ``LATE NIGHT`` -> ``night``; unknown or ``CONTINUOUS`` -> ``day``."""
    text = (time_of_day or "").upper()
    for key, words in _TIME_WORDS:
        if any(word in text for word in words):
            return key
    return "day"


def is_mono(style: Style) -> bool:
    """Whether the style draws in greys (pencil, ink, noir), with colour only for accents."""
    return bool(_MONO_RE.search(f"{style.palette} {style.medium}".lower()))


@dataclass(frozen=True, slots=True)
class Palette:
    """Every colour a panel uses, already lit for its time of day."""

    mono: bool
    time: str
    night: bool
    light: Light
    paper: Color
    ink: Color
    sky_top: Color
    sky_horizon: Color
    hill: Color
    ground_far: Color
    ground_near: Color
    shadow: Color
    wall: Color
    wall_side: Color
    floor: Color
    ceiling: Color
    window: Color
    skin: Color
    skin_shade: Color
    cloth: Color
    cloth_shade: Color
    water: Color
    wood: Color
    prop: Color
    prop_shade: Color
    sun: Color
    shade: float
    """How much darker a shaded side is (0..1)."""

    def lit(self, color: Color) -> Color:
        """``color`` under this panel's light."""
        return tint(color, self.light)


def palette(style: Style, time_of_day: str | None) -> Palette:
    """The colours of a panel in ``style`` at ``time_of_day``."""
    mono = is_mono(style)
    time = time_key(time_of_day)
    light, m_top, m_hor, c_top, c_hor = _DAYLIGHT[time]
    contrast = bool(_CONTRAST_RE.search(f"{style.palette} {style.lighting} {style.look}".lower()))
    if mono:
        sky_top, sky_horizon = m_top, m_hor
        base = {
            "paper": (244, 241, 234),
            "hill": (204, 207, 208),
            "ground_far": (214, 211, 203),
            "ground_near": (190, 186, 177),
            "wall": (212, 208, 200),
            "wall_side": (192, 188, 180),
            "floor": (176, 170, 160),
            "ceiling": (228, 225, 218),
            "skin": (234, 214, 192),
            "cloth": (150, 148, 146),
            "water": (186, 196, 204),
            "wood": (196, 188, 176),
            "prop": (230, 226, 218),
        }
    else:
        sky_top, sky_horizon = c_top, c_hor
        base = {
            "paper": (246, 243, 236),
            "hill": (140, 160, 168),
            "ground_far": (176, 184, 146),
            "ground_near": (142, 152, 108),
            "wall": (228, 216, 194),
            "wall_side": (206, 192, 170),
            "floor": (172, 138, 104),
            "ceiling": (240, 234, 222),
            "skin": (234, 198, 170),
            "cloth": (84, 90, 104),
            "water": (96, 154, 192),
            "wood": (160, 118, 82),
            "prop": (236, 230, 216),
        }
    if contrast:
        base["ground_near"] = mix(base["ground_near"], (0, 0, 0), 0.3)
        base["floor"] = mix(base["floor"], (0, 0, 0), 0.3)
        base["cloth"] = mix(base["cloth"], (0, 0, 0), 0.4)
    shade = 0.3 if contrast else 0.2
    lit = {key: tint(value, light) for key, value in base.items()}
    hill = mix(lit["hill"], sky_horizon, 0.45)
    night = time == "night"
    return Palette(
        mono=mono,
        time=time,
        night=night,
        light=light,
        paper=base["paper"],
        ink=(22, 24, 32) if night else (40, 38, 36),
        sky_top=sky_top,
        sky_horizon=sky_horizon,
        hill=hill,
        ground_far=mix(lit["ground_far"], sky_horizon, 0.2),
        ground_near=lit["ground_near"],
        shadow=mix(lit["ground_near"], (0, 0, 0), 0.28),
        wall=lit["wall"],
        wall_side=lit["wall_side"],
        floor=lit["floor"],
        ceiling=lit["ceiling"],
        window=mix(sky_top, sky_horizon, 0.6),
        skin=lit["skin"],
        skin_shade=mix(lit["skin"], (0, 0, 0), shade),
        cloth=lit["cloth"],
        cloth_shade=mix(lit["cloth"], (0, 0, 0), shade),
        water=lit["water"],
        wood=lit["wood"],
        prop=lit["prop"],
        prop_shade=mix(lit["prop"], (0, 0, 0), shade),
        sun=(250, 246, 228) if time in ("day", "morning", "afternoon") else (250, 200, 140),
        shade=shade,
    )


_SET_FIELDS = (
    "hill", "ground_far", "ground_near", "shadow", "wall", "wall_side", "floor", "ceiling",
    "water", "wood", "prop", "prop_shade",
)  # fmt: skip


def hazed(pal: Palette, amount: float, *, interior: bool) -> Palette:
    """``pal`` with the set's colours and lines faded towards the air (or the room's wall):
    a background kept back behind a close subject, as an artist leaves it looser."""
    if amount <= 0:
        return pal
    air = pal.wall if interior else pal.sky_horizon
    changes = {name: mix(getattr(pal, name), air, amount) for name in _SET_FIELDS}
    return replace(pal, ink=mix(pal.ink, air, min(0.8, amount * 1.3)), **changes)


# ---- characters -------------------------------------------------------------------------

HAIR_STYLES = ("short", "long", "hat", "crop")
MARKS = ("stripes", "sash", "vest", "buttons")
_HUES = (25, 45, 75, 100, 135, 165, 188, 205, 225, 250, 275, 300, 325)
"""Muted hues a character may get (no pure red: that is the camera-move arrows')."""
_TONES = ((0.6, 0.76), (0.5, 0.56), (0.38, 0.66))
_HAIR_MONO = ((70, 66, 62), (120, 114, 106), (168, 160, 148))
_HAIR_COLOUR = ((58, 44, 36), (112, 78, 46), (196, 160, 96))


@dataclass(frozen=True, slots=True)
class CharacterLook:
    """How one character is drawn in every panel: colour, mark, hair and build."""

    name: str
    initial: str
    accent: Color
    """The character's colour: name tag, badge, marks."""
    fill: Color
    """Torso colour."""
    dark: Color
    hair: str
    hair_color: Color
    mark: str
    build: float
    """Shoulder width factor (about 0.9 to 1.1)."""
    beard: bool
    glasses: bool


def character_look(name: str, ref: CharacterRef | None, pal: Palette) -> CharacterLook:
    """A character's look from a hash of the name (and a few words of the bible entry).

    Same name, same look: the colour, mark and hair survive any re-plan, and two names
    almost never share a colour.
    """
    key = " ".join(name.upper().split())
    digest = hashlib.sha256(key.encode()).digest()
    hue = _HUES[digest[0] % len(_HUES)]
    saturation, value = _TONES[digest[1] % len(_TONES)]
    accent = hsv(hue, saturation, value)
    fill = mix(accent, (238, 234, 226), 0.42) if pal.mono else mix(accent, (238, 234, 226), 0.15)
    words = (ref.description if ref is not None else "").lower()
    hair = HAIR_STYLES[digest[2] % len(HAIR_STYLES)]
    if re.search(r"\b(bald|shaved head|shaven)\b", words):
        hair = "crop"
    elif re.search(r"\b(hat|cap|fedora|helmet|stetson)\b", words):
        hair = "hat"
    hair_colors = _HAIR_MONO if pal.mono else _HAIR_COLOUR
    if re.search(r"\b(white|gr[ae]y)[- ](hair|haired|beard)|\bold\b|\b[789]0s\b", words):
        hair_color = (214, 212, 206)
    else:
        hair_color = hair_colors[digest[3] % len(hair_colors)]
    initial = next((ch for ch in key if ch.isalnum()), "?")
    return CharacterLook(
        name=key,
        initial=initial,
        accent=pal.lit(accent),
        fill=pal.lit(fill),
        dark=pal.lit(mix(accent, (0, 0, 0), 0.35)),
        hair=hair,
        hair_color=pal.lit(hair_color),
        mark=MARKS[digest[4] % len(MARKS)],
        build=0.9 + (digest[5] % 21) / 100,
        beard=bool(re.search(r"\bbeard", words)) or digest[6] % 7 == 0,
        glasses=bool(re.search(r"\b(glasses|spectacles|bespectacled)\b", words)),
    )
