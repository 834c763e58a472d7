"""Burned-in text for the animatic: dialogue captions (film subtitles) and the shot slate.

Text is drawn once per caption card in RGBA with Pillow, then kept as a :class:`Stamp`:
the patch already converted to the video's Y'CbCr planes, with its alpha as a mask, so
putting it on a frame is three small pastes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from previz.assemble._animatic_yuv import Planes, rgb_to_planes
from shots.model import DialogueLine, Shot

__all__ = ["CaptionCard", "Stamp", "TextStyle", "caption_cards", "caption_text", "slate_stamp"]

FONT_DIRS: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/Library/Fonts"),
    Path("C:/Windows/Fonts"),
)
REGULAR_FONTS = ("DejaVuSans.ttf", "Arial.ttf", "arial.ttf")
BOLD_FONTS = ("DejaVuSans-Bold.ttf", "Arial Bold.ttf", "arialbd.ttf")

CAPTION_HEIGHT = 0.046
"""Caption font size as a fraction of the frame height (33 px at 720p)."""
SLATE_HEIGHT = 0.028
MIN_FONT_PX = 9
CAPTION_WIDTH = 0.84
"""Captions wrap at this fraction of the frame width."""
CAPTION_LINES = 2
"""Lines per caption card; longer speeches become several cards in a row."""
CAPTION_BOTTOM = 0.06
"""Gap between the caption box and the frame's bottom, as a fraction of its height."""
BOX_RGBA = (10, 10, 12, 165)
TEXT_RGB = (255, 255, 255)
SPEAKER_RGB = (255, 222, 140)
SLATE_BOX_RGBA = (10, 10, 12, 140)
SLATE_TEXT_RGB = (235, 235, 235)


@lru_cache(maxsize=16)
def _font(bold: bool, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    names = BOLD_FONTS if bold else REGULAR_FONTS
    for folder in FONT_DIRS:
        for name in names:
            path = folder / name
            if path.is_file():
                return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


@dataclass(frozen=True)
class TextStyle:
    """Sizes derived from the frame size."""

    width: int
    height: int

    @property
    def caption_px(self) -> int:
        return max(MIN_FONT_PX, round(self.height * CAPTION_HEIGHT))

    @property
    def slate_px(self) -> int:
        return max(MIN_FONT_PX, round(self.height * SLATE_HEIGHT))


@dataclass(frozen=True)
class Stamp:
    """An RGBA patch converted to Y'CbCr planes plus alpha, at even ``(x, y)`` on the frame."""

    x: int
    y: int
    planes: Planes
    luma_mask: Image.Image
    chroma_mask: Image.Image

    @classmethod
    def from_rgba(cls, patch: Image.Image, x: int, y: int) -> Stamp:
        """Convert ``patch`` (RGBA, even size) placed at ``(x, y)`` (even)."""
        alpha = patch.getchannel("A")
        return cls(
            x=x,
            y=y,
            planes=rgb_to_planes(patch.convert("RGB")),
            luma_mask=alpha,
            chroma_mask=alpha.reduce(2),
        )

    def paste(self, planes: Planes) -> None:
        """Blend the stamp onto ``planes`` in place."""
        y_plane, cb_plane, cr_plane = planes
        y_patch, cb_patch, cr_patch = self.planes
        y_plane.paste(y_patch, (self.x, self.y), self.luma_mask)
        cb_plane.paste(cb_patch, (self.x // 2, self.y // 2), self.chroma_mask)
        cr_plane.paste(cr_patch, (self.x // 2, self.y // 2), self.chroma_mask)


@dataclass(frozen=True)
class CaptionCard:
    """One subtitle as shown: up to two lines, the first maybe led by the speaker."""

    speaker: str
    """``"STEEL (V.O.):"`` on the first card of a line, empty on its continuations."""
    lines: tuple[str, ...]


def caption_text(line: DialogueLine) -> tuple[str, str]:
    """``(speaker, text)`` as a subtitle shows them: ``("STEEL (V.O.):", "Beer's ready!")``."""
    speaker = line.character.strip().upper()
    if line.extension:
        speaker += f" ({line.extension.strip()})"
    return f"{speaker}:", " ".join(line.text.split())


def _even(value: float) -> int:
    return round(value / 2) * 2


def _wrap(
    words: list[str], font: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: float
) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if current and font.getlength(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
        while font.getlength(current) > width and len(current) > 1:
            # A single word wider than the line: break it where it overflows.
            cut = len(current) - 1
            while cut > 1 and font.getlength(current[:cut]) > width:
                cut -= 1
            lines.append(current[:cut])
            current = current[cut:]
    if current:
        lines.append(current)
    return lines


def _balance(
    lines: list[str],
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    width: float,
    keep: int = 1,
) -> list[str]:
    """Two lines re-broken where their lengths are most even, as subtitles are set.

    The first ``keep`` words stay on the first line (the speaker's name).
    """
    if len(lines) != 2:
        return lines
    words = f"{lines[0]} {lines[1]}".split(" ")
    best, best_width = lines, max(font.getlength(line) for line in lines)
    for cut in range(max(keep, 1), len(words)):
        pair = [" ".join(words[:cut]), " ".join(words[cut:])]
        widest = max(font.getlength(line) for line in pair)
        if widest < best_width:
            best, best_width = pair, widest
    return best if best_width <= width else lines


def split_cards(line: DialogueLine, style: TextStyle) -> list[CaptionCard]:
    """A dialogue line as caption cards of at most :data:`CAPTION_LINES` lines each."""
    speaker, text = caption_text(line)
    font = _font(False, style.caption_px)
    # The speaker is drawn in bold: leave room for the difference on every line.
    bold_extra = _font(True, style.caption_px).getlength(speaker) - font.getlength(speaker)
    words = [speaker, *text.split()]
    width = style.width * CAPTION_WIDTH - max(bold_extra, 0)
    wrapped = _wrap(words, font, width)
    cards = []
    for start in range(0, len(wrapped), CAPTION_LINES):
        keep = len(speaker.split()) if start == 0 else 1
        lines = tuple(_balance(wrapped[start : start + CAPTION_LINES], font, width, keep))
        if start == 0:
            first = lines[0]
            rest = first[len(speaker) :].lstrip() if first.startswith(speaker) else first
            cards.append(CaptionCard(speaker=speaker, lines=(rest, *lines[1:])))
        else:
            cards.append(CaptionCard(speaker="", lines=lines))
    return cards


def draw_card(card: CaptionCard, style: TextStyle) -> Stamp:
    """Draw a caption card, centred above the bottom of the frame."""
    size = style.caption_px
    font = _font(False, size)
    speaker_font = _font(True, size)
    stroke = max(1, size // 16)
    pad_x, pad_y = round(size * 0.55), round(size * 0.3)
    line_gap = round(size * 0.22)
    ascent, descent = font.getmetrics()
    line_h = ascent + descent
    lead = f"{card.speaker} " if card.speaker else ""
    widths = []
    for index, text in enumerate(card.lines):
        width = font.getlength(text)
        if index == 0 and lead:
            width += speaker_font.getlength(lead)
        widths.append(width)
    box_w = _even(max(widths) + 2 * pad_x + 2 * stroke)
    box_h = _even(len(card.lines) * line_h + (len(card.lines) - 1) * line_gap + 2 * pad_y)
    box_w = min(box_w, style.width)
    patch = Image.new("RGBA", (box_w, box_h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(patch)
    draw.rounded_rectangle((0, 0, box_w - 1, box_h - 1), radius=round(size * 0.3), fill=BOX_RGBA)
    y = pad_y
    for index, (text, width) in enumerate(zip(card.lines, widths, strict=True)):
        x = (box_w - width) / 2
        if index == 0 and lead:
            draw.text(
                (x, y), lead, font=speaker_font, fill=SPEAKER_RGB,
                stroke_width=stroke, stroke_fill=(0, 0, 0),
            )  # fmt: skip
            x += speaker_font.getlength(lead)
        draw.text(
            (x, y), text, font=font, fill=TEXT_RGB, stroke_width=stroke, stroke_fill=(0, 0, 0)
        )
        y += line_h + line_gap
    left = _even((style.width - box_w) / 2)
    top = _even(style.height * (1 - CAPTION_BOTTOM) - box_h)
    return Stamp.from_rgba(patch, max(left, 0), max(top, 0))


def caption_cards(
    shot: Shot, line_starts_s: list[float], frames: int, fps: int, style: TextStyle
) -> list[tuple[int, Stamp | None]]:
    """When each caption of ``shot`` appears: ``(first local frame, stamp)``, in order.

    Each dialogue line appears at its start time and stays until the next line (the last
    until the shot ends); a line split over several cards shares its time among them by
    length.

    Args:
        shot: the shot, with its dialogue.
        line_starts_s: each line's start, in seconds from the shot's start.
        frames: the shot's length in frames.
        fps: frames per second.
        style: frame-dependent sizes.

    Returns:
        A schedule starting at frame 0 (``None``: no caption shown).
    """
    schedule: list[tuple[int, Stamp | None]] = [(0, None)]
    ends = [*line_starts_s[1:], frames / fps]
    for line, start_s, end_s in zip(shot.dialogue, line_starts_s, ends, strict=True):
        cards = split_cards(line, style)
        weights = [sum(len(text) for text in card.lines) + 1 for card in cards]
        total = sum(weights)
        elapsed = 0
        for card, weight in zip(cards, weights, strict=True):
            t = start_s + (end_s - start_s) * elapsed / total
            elapsed += weight
            first = min(max(round(t * fps), 0), frames - 1)
            schedule.append((first, draw_card(card, style)))
    # Later entries win where two start on the same frame.
    merged: dict[int, Stamp | None] = {}
    for first, stamp in schedule:
        merged[first] = stamp
    return sorted(merged.items(), key=lambda item: item[0])


def slate_stamp(shot: Shot, style: TextStyle) -> Stamp:
    """The slate: scene and shot id in a small box at the top right (``SC 3 · 3-05``)."""
    size = style.slate_px
    font = _font(True, size)
    text = f"SC {shot.scene_number} · {shot.id}" if shot.scene_number else shot.id
    pad_x, pad_y = round(size * 0.5), round(size * 0.28)
    ascent, descent = font.getmetrics()
    box_w = _even(font.getlength(text) + 2 * pad_x)
    box_h = _even(ascent + descent + 2 * pad_y)
    patch = Image.new("RGBA", (box_w, box_h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(patch)
    draw.rounded_rectangle(
        (0, 0, box_w - 1, box_h - 1), radius=round(size * 0.25), fill=SLATE_BOX_RGBA
    )
    draw.text((pad_x, pad_y), text, font=font, fill=SLATE_TEXT_RGB)
    margin = _even(style.height * 0.025)
    # Top right: the sketch panels carry their own label in the top left corner.
    return Stamp.from_rgba(patch, _even(style.width - box_w - margin), margin)
