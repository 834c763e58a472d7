"""Text of the storyboard: wrapping to a width, truncating with an ellipsis, panel captions.

Everything here measures text with reportlab's font metrics and returns lines of runs;
nothing draws. A caption is the shot's id and camera line, then what we see, on-screen
text, dialogue and notes, fitted to the lines its cell has room for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from previz.assemble._storyboard_template import FontFamily, text_width
from shots.model import DialogueLine, Shot

__all__ = [
    "ELLIPSIS",
    "Line",
    "Run",
    "caption_lines",
    "fit_line",
    "format_runtime",
    "shot_meta",
    "truncate",
    "wrap",
]

ELLIPSIS = "…"

Measure = Callable[[str], float]
"""Width in points of a string in some font and size."""


@dataclass(frozen=True)
class Run:
    """Text in one font, size and colour."""

    text: str
    font: str
    size: float
    color: str


Line = tuple[Run, ...]


def measure(font: str, size: float) -> Measure:
    """The width function of ``font`` at ``size`` points (fallback font included)."""
    return lambda text: text_width(text, font, size)


def wrap(text: str, width: float, measure: Measure, first_width: float | None = None) -> list[str]:
    """Greedy word wrap; a word wider than the line is broken between characters.

    Args:
        text: the text; runs of whitespace (newlines included) count as one space.
        width: the line width in points.
        measure: the width function of the font.
        first_width: a narrower (or wider) first line, when something precedes it.

    Returns:
        The lines, at least one (possibly empty).
    """
    lines: list[str] = []
    current = ""
    limit = width if first_width is None else first_width
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if measure(candidate) <= limit:
            current = candidate
            continue
        if current or (not lines and measure(word) <= width):
            # A new line (the first may hold only the lead-in when the word won't fit by it).
            lines.append(current)
            limit = width
            current = ""
            if measure(word) <= limit:
                current = word
                continue
        # Too wide for any line: broken between characters.
        for char in word:
            if current and measure(current + char) > limit:
                lines.append(current)
                limit = width
                current = ""
            current += char
    lines.append(current)
    return lines


def truncate(text: str, width: float, measure: Measure, *, force: bool = False) -> str:
    """``text`` cut to ``width`` with an ellipsis; unchanged if it fits and not ``force``."""
    if not force and measure(text) <= width:
        return text
    cut = text.rstrip()
    while cut and measure(cut + ELLIPSIS) > width:
        cut = cut[:-1]
    return cut.rstrip(" ,;:-—·") + ELLIPSIS


def fit_line(
    parts: list[tuple[str, str]], width: float, size: float, min_size: float, color: str
) -> Line:
    """One line of ``(text, font)`` parts: shrunk down to ``min_size``, then truncated."""

    def total(at: float) -> float:
        return sum(text_width(text, font, at) for text, font in parts)

    while size > min_size and total(size) > width:
        size = max(min_size, size - 0.25)
    runs: list[Run] = []
    left = width
    for text, font in parts:
        text = truncate(text, left, measure(font, size))
        runs.append(Run(text, font, size, color))
        left -= text_width(text, font, size)
        if text.endswith(ELLIPSIS) or left <= 0:
            break
    return tuple(runs)


def format_duration(seconds: float) -> str:
    """A shot's length: ``3.2s``, ``12s``."""
    if seconds >= 10:
        return f"{seconds:.0f}s"
    return f"{seconds:.1f}s"


def format_runtime(seconds: float) -> str:
    """A film's length: ``2:27`` or ``2:15:38``."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def shot_meta(shot: Shot) -> list[str]:
    """The camera line after the id, in parts: ``MCU``, ``low``, ``push in``, ``50mm``, ``3.2s``."""
    parts = [shot.size, shot.angle, shot.movement, f"{shot.lens_mm}mm"]
    parts.append(format_duration(shot.duration_s))
    if shot.transition != "cut":
        parts.append("smash cut" if shot.transition == "smash cut" else f"{shot.transition} in")
    return parts


def _head_lines(
    shot: Shot, width: float, family: FontFamily, size: float, color: str
) -> list[Line]:
    """The bold id and the camera line; on one line if it fits, else wrapped between parts."""
    head_id = f"{shot.id}  "
    meta = shot_meta(shot)
    id_font, font = family.bold, family.regular
    single = fit_line(
        [(head_id, id_font), (" · ".join(meta), font)], width, size, size * 0.9, color
    )
    if not single[-1].text.endswith(ELLIPSIS) and len(single) == 2:
        return [single]
    text_width = measure(font, size)
    lines: list[Line] = []
    current, room = "", width - measure(id_font, size)(head_id)
    for part in meta:
        candidate = f"{current} · {part}" if current else part
        if current and text_width(candidate) > room:
            lines.append((Run(current, font, size, color),))
            current, room = part, width
        else:
            current = candidate
    lines.append((Run(truncate(current, room, text_width), font, size, color),))
    lines[0] = (Run(head_id, id_font, size, color), *lines[0])
    return lines


def _speaker(line: DialogueLine) -> str:
    name = line.character.strip()
    if line.extension:
        name += f" ({line.extension.strip('() ')})"
    return f"{name}: "


def _speech(line: DialogueLine) -> str:
    text = " ".join(line.text.split())
    if line.parenthetical:
        text = f"({line.parenthetical.strip('() ')}) {text}"
    return text


@dataclass
class _Block:
    """A wrapped paragraph of the caption, with its lead-in drawn in another font."""

    lines: list[Line]
    ellipsis: Callable[[Line], Line]


def _paragraph(
    lead: str,
    lead_face: str,
    body: str,
    body_face: str,
    family: FontFamily,
    size: float,
    color: str,
    width: float,
) -> _Block:
    lead_font, body_font = getattr(family, lead_face), getattr(family, body_face)
    lead_width = measure(lead_font, size)(lead) if lead else 0.0
    body_measure = measure(body_font, size)
    if lead_width > width * 0.6:  # a very long name: give it a line of its own
        head = [(lead_font, t) for t in wrap(lead, width, measure(lead_font, size))]
        lines: list[Line] = [(Run(t, f, size, color),) for f, t in head]
        lines += [(Run(t, body_font, size, color),) for t in wrap(body, width, body_measure)]
    else:
        wrapped = wrap(body, width, body_measure, first_width=width - lead_width)
        lines = [(Run(t, body_font, size, color),) for t in wrapped]
        if lead:
            lines[0] = (Run(lead, lead_font, size, color), *lines[0])

    def ellipsis(line: Line) -> Line:
        last = line[-1]
        room = width - sum(measure(r.font, r.size)(r.text) for r in line[:-1])
        cut = truncate(last.text, room, measure(last.font, last.size), force=True)
        return (*line[:-1], Run(cut, last.font, last.size, last.color))

    return _Block(lines, ellipsis)


def _take(blocks: list[_Block], budget: int) -> list[Line]:
    """At most ``budget`` lines of ``blocks`` in order; an ellipsis where any are left out."""
    out: list[Line] = []
    for index, block in enumerate(blocks):
        room = budget - len(out)
        if room <= 0:
            break
        out += block.lines[:room]
        if len(block.lines) > room or (len(out) == budget and index < len(blocks) - 1):
            out[-1] = block.ellipsis(out[-1])
            break
    return out


def caption_lines(
    shot: Shot,
    *,
    width: float,
    max_lines: int,
    family: FontFamily,
    size: float,
    colors: dict[str, str],
) -> list[Line]:
    """A panel's caption, at most ``max_lines`` lines of ``width`` points.

    The first line is the bold shot id and the camera line (shrunk a little, then
    wrapped between its parts, to fit).
    The rest share the room: on-screen text (up to two lines), the description (at
    least two lines when there is dialogue too), the dialogue in italics
    (``STEEL: Beer's ready!``), then the planner's notes if room is left. Whatever is
    cut ends in an ellipsis.

    Args:
        shot: the shot.
        width: the caption's width in points.
        max_lines: lines that fit the caption's height (at least 1).
        family: the caption font family.
        size: the font size in points.
        colors: the template's colours by name.
    """
    lines = _head_lines(shot, width, family, size + 0.4, colors["ink"])[:max_lines]
    rest = max(0, max_lines - len(lines))
    if rest == 0:
        return lines

    on_screen = []
    if shot.on_screen_text and shot.on_screen_text.strip():
        text = " / ".join(part.strip() for part in shot.on_screen_text.splitlines() if part.strip())
        on_screen = [
            _paragraph(
                "ON SCREEN: ", "bold", f"“{text}”", "regular", family, size, colors["accent"], width
            )
        ]
    description = []
    if shot.description.strip():
        description = [
            _paragraph(
                "", "regular", shot.description, "regular", family, size, colors["text"], width
            )
        ]
    dialogue = [
        _paragraph(
            _speaker(line),
            "bold_italic",
            _speech(line),
            "italic",
            family,
            size,
            colors["dialogue"],
            width,
        )
        for line in shot.dialogue
    ]
    notes = []
    if shot.notes.strip():
        notes = [
            _paragraph(
                "Note: ",
                "italic",
                shot.notes,
                "regular",
                family,
                size * 0.92,
                colors["muted"],
                width,
            )
        ]

    def count(blocks: list[_Block]) -> int:
        return sum(len(block.lines) for block in blocks)

    n_screen = min(count(on_screen), 2, rest)
    rest -= n_screen
    n_desc, n_dialogue = count(description), count(dialogue)
    if n_desc + n_dialogue > rest:
        floor = min(2, rest) if dialogue else rest
        n_desc = min(n_desc, max(floor, rest - n_dialogue))
        n_dialogue = min(n_dialogue, rest - n_desc)
    rest -= n_desc + n_dialogue
    n_notes = min(count(notes), 2, rest)

    lines += _take(on_screen, n_screen)
    lines += _take(description, n_desc)
    lines += _take(dialogue, n_dialogue)
    lines += _take(notes, n_notes)
    return lines
