"""Render a :class:`~screenplay.model.Script` as a standard-layout screenplay PDF.

Test support only: it lets the PDF parser be checked against scripts parsed from other
formats. The layout is the common US one: Courier 12 pt on US Letter, six lines to the
inch, 55 lines a page; action and headings at 1.5 in, dialogue at 2.5 in (3.5 in wide),
parentheticals at 3.0 in, character cues at 3.7 in, transitions right-aligned to 7.5 in,
scene numbers at 0.75 in and 7.0 in, page numbers ``N.`` top right from page 2. Dialogue
that breaks across a page gets ``(MORE)`` and a ``NAME (CONT'D)`` cue; dual dialogue is
printed side by side in two half-width columns. All text is real text (``drawString``).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import letter
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from screenplay.build import parse_cue
from screenplay.model import Dialogue, DialoguePart, Element, Scene, Script, TitlePage

__all__ = ["write_screenplay_pdf"]

INCH = 72.0
PAGE_WIDTH, PAGE_HEIGHT = letter
FONT_NAME = "Courier"
FONT_SIZE = 12.0
LEADING = 12.0
"""Six lines to the inch."""
TOP_MARGIN = 1.0 * INCH
LINES_PER_PAGE = 55
BASELINE_DROP = 9.0
"""From the top of a 12 pt line to its baseline."""

ACTION_X = 1.5 * INCH
RIGHT_X = 7.5 * INCH
DIALOGUE_X = 2.5 * INCH
PAREN_X = 3.0 * INCH
CUE_X = 3.7 * INCH
CENTER_X = (ACTION_X + RIGHT_X) / 2
SCENE_NUMBER_LEFT_X = 0.75 * INCH
SCENE_NUMBER_RIGHT_X = 7.0 * INCH
PAGE_NUMBER_TOP = 0.5 * INCH

ACTION_CHARS = 60
HEADING_CHARS_NUMBERED = 52
"""Headings stop short of the right scene number."""
DIALOGUE_CHARS = 35
PAREN_CHARS = 25

DUAL_COLUMN_X = (1.5 * INCH, 4.5 * INCH)
DUAL_CHARS = 26
DUAL_PAREN_INDENT = 0.3 * INCH
DUAL_PAREN_CHARS = 21
DUAL_CUE_INDENT = 0.8 * INCH

TITLE_TOP_LINE = 18
"""Line (0-based, from the top margin) the title is printed on."""
MORE = "(MORE)"
CONTD = "(CONT'D)"
UNICODE_FONT_PATH = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")
"""A monospaced font for text Courier (WinAnsi only) cannot print, where installed."""


@dataclass(slots=True)
class _Run:
    x: float
    text: str


_Line = list[_Run]
"""One printed line: runs of text at x positions (empty: a blank line)."""


@dataclass(slots=True)
class _Block:
    """One element laid out: its lines and how it may be paginated."""

    kind: str
    lines: list[_Line]
    space_before: int = 1
    cue: str = ""
    no_break_after: set[int] = field(default_factory=set)
    """Indexes of lines a page may not end after (inside a parenthetical)."""


class _Layout:
    def __init__(self, font: str) -> None:
        self.font = font

    def width(self, text: str) -> float:
        return pdfmetrics.stringWidth(text, self.font, FONT_SIZE)

    def wrap(self, text: str, chars: int) -> list[str]:
        lines: list[str] = []
        for paragraph in text.split("\n"):
            wrapped = textwrap.wrap(paragraph, chars) if paragraph.strip() else []
            lines.extend(wrapped or [""])
        return lines

    def left(self, x: float, texts: list[str]) -> list[_Line]:
        return [[_Run(x, t)] if t else [] for t in texts]

    def right(self, x1: float, text: str) -> _Line:
        return [_Run(x1 - self.width(text), text)]

    def centered(self, center: float, text: str) -> _Line:
        return [_Run(center - self.width(text) / 2, text)] if text else []


def _dialogue_lines(
    layout: _Layout, dialogue: Dialogue, x: float, chars: int, paren_x: float, paren_chars: int
) -> tuple[list[_Line], set[int]]:
    """The lines under a cue, and the indexes a page may not end after."""
    lines: list[_Line] = []
    no_break: set[int] = set()
    parts = dialogue.parts or [DialoguePart(kind="speech", text=dialogue.text)]
    for part in parts:
        if part.kind == "parenthetical":
            wrapped = layout.wrap(f"({part.text})", paren_chars)
            start = len(lines)
            lines.extend(layout.left(paren_x, wrapped))
            no_break.update(range(start, len(lines) - 1))
        else:
            lines.extend(layout.left(x, layout.wrap(part.text, chars)))
    return lines, no_break


def _dialogue_block(layout: _Layout, dialogue: Dialogue) -> _Block:
    body, no_break = _dialogue_lines(
        layout, dialogue, DIALOGUE_X, DIALOGUE_CHARS, PAREN_X, PAREN_CHARS
    )
    lines: list[_Line] = [[_Run(CUE_X, dialogue.cue)], *body]
    return _Block("dialogue", lines, cue=dialogue.cue, no_break_after={i + 1 for i in no_break})


def _dual_block(layout: _Layout, left: Dialogue, right: Dialogue) -> _Block:
    columns: list[list[_Line]] = []
    for dialogue, x in zip((left, right), DUAL_COLUMN_X, strict=True):
        body, _ = _dialogue_lines(
            layout, dialogue, x, DUAL_CHARS, x + DUAL_PAREN_INDENT, DUAL_PAREN_CHARS
        )
        columns.append([[_Run(x + DUAL_CUE_INDENT, dialogue.cue)], *body])
    height = max(len(c) for c in columns)
    lines = [
        [run for column in columns if i < len(column) for run in column[i]] for i in range(height)
    ]
    return _Block("dual", lines)


def _element_blocks(layout: _Layout, elements: list[Element]) -> list[_Block]:
    blocks: list[_Block] = []
    index = 0
    while index < len(elements):
        element = elements[index]
        index += 1
        kind = element.kind
        if isinstance(element, Dialogue):
            following = elements[index] if index < len(elements) else None
            if (
                element.dual == "left"
                and isinstance(following, Dialogue)
                and following.dual == "right"
            ):
                blocks.append(_dual_block(layout, element, following))
                index += 1
            else:
                blocks.append(_dialogue_block(layout, element))
        elif kind in ("action", "shot"):
            blocks.append(
                _Block("action", layout.left(ACTION_X, layout.wrap(element.text, ACTION_CHARS)))
            )
        elif kind == "transition":
            blocks.append(_Block("transition", [layout.right(RIGHT_X, element.text.strip())]))
        elif kind == "centered":
            texts = layout.wrap(element.text, ACTION_CHARS)
            blocks.append(_Block("centered", [layout.centered(CENTER_X, t) for t in texts]))
        elif kind == "lyrics":
            texts = layout.wrap(element.text, DIALOGUE_CHARS)
            blocks.append(_Block("lyrics", layout.left(DIALOGUE_X, texts)))
        elif kind == "page_break":
            blocks.append(_Block("page_break", [], space_before=0))
        # Notes, sections and synopses are never printed.
    return blocks


def _heading_block(layout: _Layout, scene: Scene, scene_numbers: bool) -> _Block:
    heading = scene.heading or ""
    chars = HEADING_CHARS_NUMBERED if scene_numbers else ACTION_CHARS
    lines = layout.left(ACTION_X, layout.wrap(heading, chars))
    if scene_numbers and lines:
        lines[0] = [
            _Run(SCENE_NUMBER_LEFT_X, scene.number),
            *lines[0],
            _Run(SCENE_NUMBER_RIGHT_X, scene.number),
        ]
    return _Block("heading", lines, space_before=2)


class _Paginator:
    """Lays blocks out on 55-line pages, splitting dialogue with (MORE) and (CONT'D)."""

    def __init__(self, layout: _Layout) -> None:
        self.layout = layout
        self.pages: list[list[_Line]] = [[]]

    @property
    def room(self) -> int:
        return LINES_PER_PAGE - len(self.pages[-1])

    def new_page(self) -> None:
        if self.pages[-1]:
            self.pages.append([])

    def add(self, lines: list[_Line], space: int) -> None:
        page = self.pages[-1]
        if page:
            page.extend([] for _ in range(space))
        page.extend(lines)

    def place(self, block: _Block, keep: int = 0) -> None:
        if block.kind == "page_break":
            self.new_page()
            return
        space = block.space_before if self.pages[-1] else 0
        if space + len(block.lines) + keep <= self.room:
            self.add(block.lines, space)
            return
        if block.kind == "dialogue" and self._split_dialogue(block, space):
            return
        if block.kind == "action" and len(block.lines) > LINES_PER_PAGE // 2 and self.room > 4:
            take = self.room - space
            self.add(block.lines[:take], space)
            self.new_page()
            self.place(_Block("action", block.lines[take:], space_before=0))
            return
        if not self.pages[-1]:  # longer than a whole page
            if block.kind == "dialogue" and self._split_dialogue(block, 0):
                return
            self.add(block.lines[: self.room], 0)
            rest = block.lines[LINES_PER_PAGE:]
            if rest:
                self.new_page()
                self.place(_Block(block.kind, rest, space_before=0))
            return
        self.new_page()
        self.place(block, keep=0)

    def _split_dialogue(self, block: _Block, space: int) -> bool:
        available = self.room - space - 2  # the cue and (MORE)
        body = block.lines[1:]
        take = min(available, len(body) - 1)
        while take > 0 and take in block.no_break_after:
            take -= 1
        if take < 2 and self.pages[-1]:
            return False
        take = max(take, 1)
        cue_x = block.lines[0][0].x
        self.add([block.lines[0], *body[:take], [_Run(cue_x, MORE)]], space)
        self.new_page()
        name_cue = block.cue if parse_cue(block.cue)[2] else f"{block.cue} {CONTD}"
        rest = _Block(
            "dialogue",
            [[_Run(cue_x, name_cue)], *body[take:]],
            space_before=0,
            cue=block.cue,
            no_break_after={i - take for i in block.no_break_after if i > take},
        )
        self.place(rest)
        return True


def _title_page_lines(layout: _Layout, title_page: TitlePage) -> list[tuple[int, _Line]]:
    """``(line index, line)`` pairs for the title page."""
    lines: list[tuple[int, _Line]] = []
    row = TITLE_TOP_LINE
    for text in (title_page.title or "").split("\n"):
        if text.strip():
            lines.append((row, layout.centered(PAGE_WIDTH / 2, text.strip())))
            row += 1
    row += 3
    if title_page.credit:
        lines.append((row, layout.centered(PAGE_WIDTH / 2, title_page.credit)))
        row += 2
    for author in title_page.authors:
        lines.append((row, layout.centered(PAGE_WIDTH / 2, author)))
        row += 1
    row += 3
    for text in (title_page.source or "").split("\n"):
        if text.strip():
            lines.append((row, layout.centered(PAGE_WIDTH / 2, text.strip())))
            row += 1
    contact = [t.strip() for t in (title_page.contact or "").split("\n") if t.strip()]
    bottom = LINES_PER_PAGE - 1
    for offset, text in enumerate(contact):
        lines.append((bottom - len(contact) + 1 + offset, [_Run(ACTION_X, text)]))
    if title_page.draft_date:
        dates = [t.strip() for t in title_page.draft_date.split("\n") if t.strip()]
        for offset, text in enumerate(dates):
            lines.append((bottom - len(dates) + 1 + offset, layout.right(RIGHT_X, text)))
    return lines


def _has_title_page(title_page: TitlePage) -> bool:
    return bool(title_page.title or title_page.authors or title_page.credit or title_page.source)


def _font_for(script: Script) -> str:
    """Courier, or a Unicode monospaced font when the script has text WinAnsi cannot print."""
    try:
        script.model_dump_json().encode("cp1252")
    except UnicodeEncodeError:
        if UNICODE_FONT_PATH.exists():
            if "PrevizMono" not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont("PrevizMono", str(UNICODE_FONT_PATH)))
            return "PrevizMono"
    return FONT_NAME


def _draw_line(pdf: canvas.Canvas, row: int, line: _Line) -> None:
    y = PAGE_HEIGHT - TOP_MARGIN - row * LEADING - BASELINE_DROP
    for run in line:
        pdf.drawString(run.x, y, run.text)


def write_screenplay_pdf(script: Script, path: Path, *, scene_numbers: bool = True) -> None:
    """Print ``script`` to ``path`` in the standard screenplay layout.

    Args:
        script: the script to print (its title page, scenes and their elements).
        path: the PDF file to write.
        scene_numbers: print each heading's scene number in both margins.
    """
    layout = _Layout(_font_for(script))
    blocks: list[_Block] = []
    for scene in script.scenes:
        if scene.heading is not None:
            blocks.append(_heading_block(layout, scene, scene_numbers))
        blocks.extend(_element_blocks(layout, scene.elements))

    paginator = _Paginator(layout)
    for index, block in enumerate(blocks):
        keep = 0
        if block.kind == "heading" and index + 1 < len(blocks):
            following = blocks[index + 1]
            keep = following.space_before + min(2, len(following.lines))
        paginator.place(block, keep)

    pdf = canvas.Canvas(str(path), pagesize=letter, pageCompression=0)
    pdf.setTitle(script.title)
    if _has_title_page(script.title_page):
        pdf.setFont(layout.font, FONT_SIZE)
        for row, line in _title_page_lines(layout, script.title_page):
            _draw_line(pdf, row, line)
        pdf.showPage()
    for number, page in enumerate(paginator.pages, start=1):
        pdf.setFont(layout.font, FONT_SIZE)
        if number > 1:
            label = f"{number}."
            y = PAGE_HEIGHT - PAGE_NUMBER_TOP - BASELINE_DROP
            pdf.drawString(RIGHT_X - layout.width(label), y, label)
        for row, line in enumerate(page):
            _draw_line(pdf, row, line)
        pdf.showPage()
    pdf.save()
