"""Screenplay PDFs: the printed page read back into the script model.

A PDF has no element types, only text at positions, so this parser reads the page the way
a reader does: by indent and content in the standard screenplay layout. Nothing assumes
one application's absolute margins; the columns are measured per document:

* The action margin is the leftmost x at which many lines start; headings share it.
  Dialogue is the most common indent about 1 in right of it, and character cues sit
  further right (about 2 in) above dialogue lines. Transitions are capitals set far right
  (right-aligned, or ending in ``TO:``); centred lines are centred on the 6 in text column.
* Page furniture is dropped: printed page numbers (``2.``, kept as the element's page),
  headers and footers repeated on many pages, ``CONTINUED:`` / ``(CONTINUED)`` and
  ``(MORE)``. A speech split over a page break comes back as one dialogue block: the
  ``NAME (CONT'D)`` cue repeated on the new page is merged into the block it continues.
* Scene numbers printed in the margins of a heading line become the heading's number;
  a line with margin scene numbers is a heading even without ``INT.``/``EXT.`` (a forced
  heading).
* Lines are grouped into paragraphs by the blank lines between them; wrapped lines are
  joined with a space, and a line that stops well short of the column (the next word would
  have fitted) keeps its line break.
* Dual dialogue (two cues on one line) is split into its two columns at the widest
  vertical gap between them.
* A page whose text stops in its top half ends with a forced page break.
* A first page with no heading that looks like a title page (centred lines, ``written
  by``) is read as the title page and not counted as a script page. Its lines are grouped
  into centred, left and right blocks and keyed by :mod:`screenplay.titlepage`.

Characters are read with PDFium (``pypdfium2``); a copy of a character drawn over itself
is dropped (Final Draft prints page and scene numbers twice).
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import ClassVar

from previz.errors import EmptyScriptError, NoTextLayerError, ParseError
from screenplay.build import (
    HEADING_PREFIX_RE,
    HeadingMark,
    build_script,
    parse_cue,
    split_title_keys,
)
from screenplay.model import (
    Action,
    Centered,
    Dialogue,
    DialoguePart,
    Element,
    Lyrics,
    PageBreak,
    Script,
    ScriptSource,
    SourceFormat,
    TitlePage,
    Transition,
)
from screenplay.titlepage import (
    CREDIT_RE,
    Alignment,
    TitleBlock,
    is_credit_line,
    read_title_blocks,
)

__all__ = ["MAX_PAGES", "PdfParser"]

MAX_PAGES = 1000
"""More pages than any screenplay has (a feature runs 90 to 180)."""

INCH = 72.0
DEFAULT_PITCH = 7.2
"""Courier 12 pt: ten characters to the inch."""
DEFAULT_LINE_HEIGHT = 12.0
"""Six lines to the inch."""
WORD_GAP = 2.0
"""Points: characters closer than this belong to one word (a space is a full pitch)."""
LINE_TOLERANCE = 2.5
"""Points: words whose tops differ by less are on one line (margin numbers sit 1 pt off)."""
PARAGRAPH_GAP = 1.5
"""Line heights between the tops of two lines that have a blank line between them."""
HEADING_SPACE = 2.5
"""Line heights above a line with two blank lines over it, as scene headings are printed."""
WIDE_GAP = 2.5
"""Pitches: a gap this wide separates margin numbers and dual-dialogue columns from text."""
HARD_BREAK_MARGIN = 2
"""Characters to spare before a short line counts as a deliberate line break."""

ACTION_MIN_SHARE = 0.03
"""Without headings, the action margin is the leftmost indent of at least this share of lines."""
DIALOGUE_OFFSET = 1.0 * INCH
"""Standard dialogue indent, right of the action margin."""
DIALOGUE_RANGE = (0.5 * INCH, 1.45 * INCH)
"""Where the dialogue column may lie, right of the action margin."""
CUE_MIN_AFTER_DIALOGUE = 0.3 * INCH
CUE_MAX_OFFSET = 3.4 * INCH
TEXT_WIDTH = 6.0 * INCH
"""The action column: 1.5 in to 7.5 in on US Letter."""
TRANSITION_OFFSET = 3.5 * INCH
TRANSITION_TO_OFFSET = 1.5 * INCH
RIGHT_NUMBER_OFFSET = 5.0 * INCH
"""A right-margin scene number starts at least this far right of the action margin."""
DUAL_MIN_GAP = 4.0
"""Pitches between the two cues of a dual-dialogue line."""
TITLE_PAGE_MAX_LINES = 45
HEADER_ZONE = 1.2 * INCH
"""Headers and footers lie within this distance of the page's top or bottom edge."""

PAGE_NUMBER_RE = re.compile(
    r"^(?:page\s+)?[-–]?\s*(?P<number>\d{1,4})[A-Z]{0,2}\s*[-–]?\s*\.?(?:\s*(?:of|/)\s*\d{1,4})?$",
    re.IGNORECASE,
)
"""``2.``, ``2``, ``Page 2``, ``- 2 -``, ``2 of 110``, ``12A.`` (a revised page)."""
SCENE_NUMBER_RE = re.compile(r"^(?=\S*\d)[A-Z0-9][A-Z0-9.\-]{0,11}$", re.IGNORECASE)
"""``12``, ``12A``, ``A12``, ``I-1-A``, ``9.``: short, and holding a digit."""
MORE_RE = re.compile(r"^\(\s*MORE\s*\)$", re.IGNORECASE)
CONTINUED_RE = re.compile(
    r"^\(?\s*CONTINUED\s*\)?\s*:?(?:\s*\(\s*\d+\s*\))?$|^CONT['’]D$", re.IGNORECASE
)
"""``CONTINUED:``, ``(CONTINUED)``, ``CONTINUED: (2)`` at a page's top or bottom."""
REVISION_MARK_RE = re.compile(r"^\*+$")
TRANSITION_RE = re.compile(r"^[^a-z]*[A-Z][^a-z]* TO:$")
"""A line of capitals ending in `` TO:`` is a transition wherever it is printed (as in Fountain)."""
TRANSITION_END_RE = re.compile(r"(?:TO:|TO BLACK\.?|OUT\.|IN:)$")
SENTENCE_END_RE = re.compile(r"[.!?:;)\]\"'”’…—–-]$")
SENTENCE_STOP_RE = re.compile(r"[.!?][\"'”’)]?$")
DOUBLE_SPACED_RE = re.compile(r"[.!?][\"'”’)]?  \S")
UNMAPPED_RE = re.compile(r"\(cid:\d+\)|\ufffd")
"""A glyph whose font maps it to no character (pdfminer writes ``(cid:N)``, PDFium U+FFFD)."""
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
"""Control characters: what a font without a Unicode map gives for some glyphs."""
_PAREN_RE = re.compile(r"\([^()]*\)")


class PdfParser:
    """Screenplay PDFs with a text layer, as printed by Final Draft, Fade In, Highland,
    WriterSolo, Celtx and others."""

    format: ClassVar[SourceFormat] = "pdf"
    suffixes: ClassVar[tuple[str, ...]] = ("pdf",)

    def parse(self, data: bytes, source: ScriptSource) -> Script:
        """Parse a screenplay PDF.

        Args:
            data: the whole PDF file.
            source: where it came from.

        Returns:
            The script; ``page_count`` is the number of script pages (title page excluded)
            and every element carries the page it is printed on.

        Raises:
            ParseError: the file is not a readable PDF, needs a password or has too many
                pages.
            NoTextLayerError: no page has any text (a scan or an image), or the fonts map
                their glyphs to no characters.
            EmptyScriptError: the PDF has no pages, or no text beyond page furniture.
        """
        pages = _read_pages(data)
        if not pages:
            raise EmptyScriptError("the PDF has no pages")
        if not any(page.lines for page in pages):
            raise NoTextLayerError(
                "no text layer: this PDF is an image or scan; run OCR first or export the "
                "script as PDF from the writing app"
            )
        if _unmapped_share(pages) > 0.5:
            raise NoTextLayerError(
                "the text of this PDF cannot be read: its fonts carry no character map; run "
                "OCR first or export the script as PDF from the writing app"
            )
        metrics = _measure(pages)
        title_page = TitlePage()
        body_pages = pages
        if len(pages) > 1 and _is_title_page(pages[0], metrics):
            title_page = _read_title_page(pages[0], metrics)
            body_pages = pages[1:]
        warnings: list[str] = []
        _remove_furniture(body_pages, metrics)
        columns = _Columns.measure(body_pages, metrics)
        body = _read_body(body_pages, columns, warnings)
        if not body and title_page == TitlePage():
            raise EmptyScriptError("the PDF holds no screenplay text")
        return build_script(
            source=source,
            title_page=title_page,
            body=body,
            page_count=len(body_pages),
            warnings=warnings,
        )


# --- reading the PDF ----------------------------------------------------------------------


@dataclass(slots=True)
class _Word:
    x0: float
    x1: float
    top: float
    text: str


@dataclass(slots=True)
class _Line:
    """Words printed on one baseline, left to right."""

    words: list[_Word]
    pitch: float = DEFAULT_PITCH
    left_number: str | None = None
    right_number: str | None = None

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return self.words[-1].x1

    @property
    def center(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def text(self) -> str:
        """The words with the spacing they are printed with (two spaces stay two)."""
        pieces = [self.words[0].text]
        for before, word in itertools.pairwise(self.words):
            spaces = max(1, round((word.x0 - before.x1) / self.pitch))
            pieces.append(" " * spaces + word.text)
        return "".join(pieces)

    def segments(self) -> list[_Line]:
        """The line cut wherever words are at least :data:`WIDE_GAP` pitches apart."""
        pieces: list[list[_Word]] = [[self.words[0]]]
        for before, word in itertools.pairwise(self.words):
            if word.x0 - before.x1 >= WIDE_GAP * self.pitch:
                pieces.append([])
            pieces[-1].append(word)
        return [_Line(p, self.pitch) for p in pieces]

    def split_at(self, x: float) -> tuple[_Line | None, _Line | None]:
        """The words left of ``x`` and those right of it."""
        left = [w for w in self.words if w.x0 < x]
        right = [w for w in self.words if w.x0 >= x]
        return (
            _Line(left, self.pitch) if left else None,
            _Line(right, self.pitch) if right else None,
        )


@dataclass(slots=True)
class _Page:
    width: float
    height: float
    lines: list[_Line]
    number: int | None = None
    """The page number printed on it, if any."""


def _read_pages(data: bytes) -> list[_Page]:
    """Every page's text as lines of words; library errors become :class:`ParseError`.

    Characters come from PDFium (``pypdfium2``, which pdfplumber itself depends on): it
    reads a Final Draft print about 25 times faster than pdfminer, with the same glyph
    boxes (its "loose" boxes are the font's advance boxes, as pdfminer's are).
    """
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            raise ParseError(
                "the PDF is password-protected (encrypted); save or print an unprotected copy"
            ) from None
        raise ParseError(f"not a readable PDF: damaged or not a PDF ({_describe(exc)})") from None
    try:
        count = len(document)
        if count > MAX_PAGES:
            raise ParseError(f"the PDF has {count} pages; no screenplay has more than {MAX_PAGES}")
        pages: list[_Page] = []
        for index in range(count):
            page = document[index]
            width, height = page.get_size()
            text_page = page.get_textpage()
            chars = _dedupe(_page_chars(text_page, pdfium_c, float(height)))
            pages.append(_Page(float(width), float(height), _lines(chars)))
            text_page.close()
            page.close()
        return pages
    except ParseError:
        raise
    except Exception as exc:  # PDFium reports damage in several ways
        raise ParseError(f"not a readable PDF: damaged or not a PDF ({_describe(exc)})") from None
    finally:
        document.close()


def _page_chars(text_page: object, pdfium_c: object, height: float) -> Iterator[_Char]:
    """The upright, visible characters of a page, tops measured from the page's top."""
    count = text_page.count_chars()  # type: ignore[attr-defined]
    raw = text_page.raw  # type: ignore[attr-defined]
    get_unicode = pdfium_c.FPDFText_GetUnicode  # type: ignore[attr-defined]
    get_angle = pdfium_c.FPDFText_GetCharAngle  # type: ignore[attr-defined]
    get_box = text_page.get_charbox  # type: ignore[attr-defined]
    for index in range(count):
        code = get_unicode(raw, index)
        if code in _PDFIUM_HYPHENS:
            text = "-"  # PDFium's mark for a hyphen that ends a line
        elif code <= 32 or code == 127 or 0xD800 <= code <= 0xDFFF:
            continue  # spaces, control characters, half surrogate pairs
        else:
            text = chr(code)
            if text.isspace():
                continue
        angle = get_angle(raw, index)
        if angle > 0.01 and abs(angle - 6.283185307179586) > 0.01:
            continue  # rotated text: a watermark, a margin stamp
        left, _bottom, right, top = get_box(index, loose=True)
        yield _Char(text, float(left), float(right), height - float(top))


_PDFIUM_HYPHENS = frozenset({0x02, 0xFFFE})


def _unmapped_share(pages: list[_Page]) -> float:
    """The share of characters whose glyphs map to no character."""
    text = "".join(w.text for page in pages for line in page.lines for w in line.words)
    unmapped = sum(len(m) for m in UNMAPPED_RE.findall(text))
    return unmapped / len(text) if text else 0.0


def _describe(exc: object) -> str:
    message = str(exc).strip()
    name = type(exc).__name__
    return f"{name}: {message[:200]}" if message else name


@dataclass(frozen=True, slots=True)
class _Char:
    text: str
    x0: float
    x1: float
    top: float


def _dedupe(chars: Iterable[_Char]) -> list[_Char]:
    """Characters without the copies drawn over them (Final Draft prints numbers twice)."""
    seen: set[tuple[str, int, int]] = set()
    kept: list[_Char] = []
    for char in chars:
        text, x, top = char.text, round(char.x0), round(char.top)
        if (text, x, top) in seen or _near(seen, text, x, top):
            continue
        seen.add((text, x, top))
        kept.append(char)
    return kept


def _near(seen: set[tuple[str, int, int]], text: str, x: int, top: int) -> bool:
    """Whether a copy of ``text`` was kept within a point of ``(x, top)``."""
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            if (text, x + dx, top + dy) in seen:
                return True
    return False


def _lines(chars: list[_Char]) -> list[_Line]:
    """Characters grouped into lines by their tops and into words by the gaps between them."""
    rows: list[list[_Char]] = []
    for char in sorted(chars, key=lambda c: (c.top, c.x0)):
        if rows and char.top - rows[-1][0].top <= LINE_TOLERANCE:
            rows[-1].append(char)
        else:
            rows.append([char])
    lines: list[_Line] = []
    for row in rows:
        row.sort(key=lambda c: c.x0)
        words: list[_Word] = []
        for char in row:
            last = words[-1] if words else None
            if last is not None and char.x0 - last.x1 <= WORD_GAP:
                last.text += char.text
                last.x1 = max(last.x1, char.x1)
            else:
                words.append(_Word(char.x0, char.x1, char.top, char.text))
        lines.append(_Line(words))
    return lines


# --- measuring the layout -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Metrics:
    pitch: float
    line_height: float


def _measure(pages: list[_Page]) -> _Metrics:
    """The character pitch and line height, measured from the words on the pages."""
    advances: list[float] = []
    heights: list[float] = []
    for page in pages:
        for line in page.lines:
            for before, word in itertools.pairwise(line.words):
                chars = len(before.text) + 1
                if chars >= 3:
                    advances.append((word.x0 - before.x0) / chars)
        for above, below in itertools.pairwise(page.lines):
            heights.append(round(below.top - above.top, 1))
    pitch = DEFAULT_PITCH
    if advances:
        # Single spaces give the pitch; wider gaps only inflate it, so take a low quantile.
        advances.sort()
        pitch = advances[len(advances) // 4]
        if not 3.0 <= pitch <= 12.0:
            pitch = DEFAULT_PITCH
    line_height = DEFAULT_LINE_HEIGHT
    plausible = Counter(round(h * 2) / 2 for h in heights if 6.0 <= h <= 30.0)
    if plausible:
        # The smallest common step: blank lines make multiples of it that can outnumber it.
        floor = max(2, 0.1 * sum(plausible.values()))
        frequent = [h for h, n in plausible.items() if n >= floor]
        line_height = min(frequent) if frequent else plausible.most_common(1)[0][0]
    for page in pages:
        for line in page.lines:
            line.pitch = pitch
    return _Metrics(pitch, line_height)


@dataclass(frozen=True, slots=True)
class _Columns:
    """The layout of one document's body pages."""

    pitch: float
    line_height: float
    action_x: float
    dialogue_x: float
    action_chars: int
    dialogue_chars: int

    @property
    def center(self) -> float:
        return self.action_x + TEXT_WIDTH / 2

    @classmethod
    def measure(cls, pages: list[_Page], metrics: _Metrics) -> _Columns:
        """Find the action margin and the dialogue column in the body pages' lines.

        Scene headings give the action margin outright; without them it is the leftmost
        indent that more than a stray line or two starts at.
        """
        starts: Counter[int] = Counter()
        headings: Counter[int] = Counter()
        for page in pages:
            for line in page.lines:
                for segment in line.segments():
                    text = segment.text
                    if len(segment.words) >= 2 or len(text) >= 8:
                        starts[round(segment.x0)] += 1
                        if _all_caps(text) and HEADING_PREFIX_RE.match(text):
                            headings[round(segment.x0)] += 1
                        break
        clusters = _clusters(starts)
        if headings:
            action_x = max(_clusters(headings), key=lambda c: c[1])[0]
        elif clusters:
            floor = max(2, ACTION_MIN_SHARE * sum(starts.values()))
            frequent = [x for x, n in clusters if n >= floor]
            action_x = min(frequent) if frequent else max(clusters, key=lambda c: c[1])[0]
        else:
            action_x = 1.5 * INCH
        low, high = action_x + DIALOGUE_RANGE[0], action_x + DIALOGUE_RANGE[1]
        dialogue = [(x, n) for x, n in clusters if low <= x <= high]
        dialogue_x = (
            max(dialogue, key=lambda c: c[1])[0] if dialogue else action_x + DIALOGUE_OFFSET
        )
        pitch = metrics.pitch
        widths: dict[str, list[float]] = {"action": [], "dialogue": []}
        for page in pages:
            for line in page.lines:
                if len(line.segments()) > 1:  # margin numbers, dual dialogue
                    continue
                if abs(line.x0 - action_x) <= pitch / 2:
                    widths["action"].append(line.x1 - line.x0)
                elif abs(line.x0 - dialogue_x) <= pitch / 2:
                    widths["dialogue"].append(line.x1 - line.x0)
        action_chars = round(max(widths["action"], default=TEXT_WIDTH) / pitch)
        dialogue_chars = round(max(widths["dialogue"], default=3.5 * INCH) / pitch)
        return cls(pitch, metrics.line_height, action_x, dialogue_x, action_chars, dialogue_chars)

    def at(self, x: float, target: float, pitches: float = 1.0) -> bool:
        return abs(x - target) <= pitches * self.pitch


def _clusters(counts: Counter[int]) -> list[tuple[float, int]]:
    """Nearby x positions (within 2 pt) merged: ``(x of the most common, total count)``."""
    clusters: list[tuple[float, int]] = []
    members: list[list[int]] = []
    for x in sorted(counts):
        if members and x - members[-1][-1] <= 2:
            members[-1].append(x)
        else:
            members.append([x])
    for group in members:
        clusters.append((max(group, key=lambda g: counts[g]), sum(counts[g] for g in group)))
    return clusters


# --- page furniture -----------------------------------------------------------------------


def _remove_furniture(pages: list[_Page], metrics: _Metrics) -> None:
    """Drop page numbers (keeping them on the page), headers, footers and CONTINUEDs.

    Furniture sits at a page's top or bottom edge, apart from the text (a blank line or
    more between them); a header or footer repeats on many pages, digits aside.
    """
    gap = PARAGRAPH_GAP * metrics.line_height
    for page in pages:
        _strip_edges(page, gap, lambda line: PAGE_NUMBER_RE.match(line.text.strip()) is not None)
    repeated = _repeated_edges(pages, gap)
    for page in pages:
        _strip_edges(
            page,
            gap,
            lambda line: (
                _edge_key(line) in repeated or PAGE_NUMBER_RE.match(line.text.strip()) is not None
            ),
        )
    for page in pages:
        for end in (0, -1):
            if page.lines and CONTINUED_RE.match(_core_text(page.lines[end])):
                page.lines.pop(end)


def _edge_lines(page: _Page, gap: float) -> Iterator[tuple[int, _Line]]:
    """The first and last lines of ``page`` where they lie apart from the text, with their end."""
    lines = page.lines
    for end in (0, -1):
        if not lines or (end == -1 and len(lines) == 1):
            continue
        line = lines[end]
        neighbour = None
        if len(lines) > 1:
            neighbour = lines[1] if end == 0 else lines[-2]
        isolated = neighbour is None or abs(neighbour.top - line.top) > gap
        edge = line.top < HEADER_ZONE or line.top > page.height - HEADER_ZONE
        if isolated and edge:
            yield end, line


def _strip_edges(page: _Page, gap: float, is_furniture: Callable[[_Line], bool]) -> None:
    """Remove furniture lines from the page's edges, keeping a printed page number."""
    removed = True
    while removed and page.lines:
        removed = False
        for end, line in list(_edge_lines(page, gap)):
            if line in page.lines and is_furniture(line):
                for segment in reversed(line.segments()):
                    match = PAGE_NUMBER_RE.match(segment.text.strip())
                    if match and page.number is None:
                        page.number = int(match.group("number"))
                        break
                page.lines.pop(end)
                removed = True
                break


def _edge_key(line: _Line) -> tuple[int, str]:
    return round(line.top / 3), re.sub(r"\d+", "#", line.text.strip())


def _repeated_edges(pages: list[_Page], gap: float) -> set[tuple[int, str]]:
    """Headers and footers: edge lines whose text (digits aside) recurs at one place."""
    if len(pages) < 3:
        return set()
    keys: Counter[tuple[int, str]] = Counter()
    for page in pages:
        for _, line in _edge_lines(page, gap):
            keys[_edge_key(line)] += 1
    threshold = max(3, len(pages) // 2)
    return {key for key, count in keys.items() if count >= threshold}


def _core_text(line: _Line) -> str:
    """A line's text without short numbers in either margin."""
    segments = line.segments()
    if len(segments) > 1 and SCENE_NUMBER_RE.match(segments[0].text):
        segments = segments[1:]
    if len(segments) > 1 and SCENE_NUMBER_RE.match(segments[-1].text):
        segments = segments[:-1]
    return " ".join(s.text for s in segments)


def _strip_margins(lines: list[_Line], columns: _Columns) -> list[_Line]:
    """Scene numbers and revision marks out of the margins, kept on the line."""
    result: list[_Line] = []
    for line in lines:
        segments = line.segments()
        left_number = right_number = None
        while segments and segments[0].x1 < columns.action_x - columns.pitch / 2:
            text = segments.pop(0).text
            if left_number is None and SCENE_NUMBER_RE.match(text):
                left_number = text
        if (
            len(segments) > 1
            and REVISION_MARK_RE.match(segments[-1].text)
            and segments[-1].x0 > columns.action_x + RIGHT_NUMBER_OFFSET
        ):
            segments.pop()
        if (
            len(segments) > 1
            and columns.at(segments[0].x0, columns.action_x)
            and segments[-1].x0 >= columns.action_x + RIGHT_NUMBER_OFFSET
            and SCENE_NUMBER_RE.match(segments[-1].text)
            and left_number in (None, segments[-1].text)
        ):
            right_number = segments.pop().text
        if not segments:
            continue
        words = [w for s in segments for w in s.words]
        result.append(_Line(words, line.pitch, left_number, right_number))
    return result


# --- title page ---------------------------------------------------------------------------


def _is_centered(line: _Line, page: _Page, pitch: float) -> bool:
    centres = (page.width / 2, 1.5 * INCH + TEXT_WIDTH / 2)
    return any(abs(line.center - c) <= 2 * pitch for c in centres)


def _is_title_page(page: _Page, metrics: _Metrics) -> bool:
    """No scene heading, few lines, and mostly centred or carrying a ``by`` credit."""
    lines = page.lines
    if not lines or len(lines) > TITLE_PAGE_MAX_LINES:
        return False
    for line in lines:
        text = _core_text(line)
        if _is_caps(text) and HEADING_PREFIX_RE.match(text) and not CREDIT_RE.match(text):
            return False
    centred = sum(_is_centered(line, page, metrics.pitch) for line in lines)
    credit = any(is_credit_line(line.text) for line in lines)
    return credit or centred * 2 >= len(lines)


def _read_title_page(page: _Page, metrics: _Metrics) -> TitlePage:
    """The title page, read by :mod:`screenplay.titlepage`'s layout rules.

    Lines centred on the page are the centred blocks; the rest sit left or right of its
    middle. Lines of one side with no blank line between them are a block. The centred
    blocks are read top to bottom, then the left ones, then the right ones.
    """
    gap = PARAGRAPH_GAP * metrics.line_height
    groups: dict[Alignment, list[list[_Line]]] = {"center": [], "left": [], "right": []}
    for segment in (s for line in page.lines for s in line.segments()):
        side: Alignment
        if _is_centered(segment, page, metrics.pitch):
            side = "center"
        else:
            side = "left" if segment.center < page.width / 2 else "right"
        blocks = groups[side]
        if blocks and segment.top - blocks[-1][-1].top <= gap:
            blocks[-1].append(segment)
        else:
            blocks.append([segment])
    return split_title_keys(
        read_title_blocks(
            TitleBlock(tuple(line.text.strip() for line in block), side)
            for side, blocks in groups.items()
            for block in blocks
        )
    )


# --- the body -----------------------------------------------------------------------------


def _is_caps(text: str) -> bool:
    """Capitals (extensions in brackets aside): at least one letter, mostly upper case."""
    bare = _PAREN_RE.sub("", text)
    letters = [c for c in bare if c.isalpha()]
    if not letters:
        return False
    return sum(c.isupper() for c in letters) >= 0.6 * len(letters) and letters[0].isupper()


def _all_caps(text: str) -> bool:
    return any(c.isalpha() for c in text) and not any(c.islower() for c in text)


def _join(lines: list[_Line], capacity: int) -> str:
    """Wrapped lines as one paragraph; a line that stops short keeps its line break.

    A wrap after a sentence gets two spaces where the paragraph puts two spaces between
    its sentences elsewhere, as typists do.
    """
    texts = [line.text.strip() for line in lines]
    sentence_space = "  " if any(DOUBLE_SPACED_RE.search(t) for t in texts) else " "
    text = texts[0]
    for previous, following in itertools.pairwise(texts):
        first_word = following.split(" ", 1)[0]
        if len(previous) + 1 + len(first_word) <= capacity - HARD_BREAK_MARGIN:
            separator = "\n"
        elif (
            previous.endswith("-")
            and len(previous) > 1
            and previous[-2].isalpha()
            and following[:1].isalpha()
        ):
            separator = ""
        elif SENTENCE_STOP_RE.search(previous):
            separator = sentence_space
        else:
            separator = " "
        text += separator + following
    return text


def _blocks(lines: list[_Line], line_height: float) -> list[tuple[float | None, list[_Line]]]:
    """Lines grouped into paragraphs at the blank lines between them, each with the space
    above it in line heights (``None`` for the first on the page)."""
    blocks: list[tuple[float | None, list[_Line]]] = []
    for line in lines:
        space = (line.top - blocks[-1][1][-1].top) / line_height if blocks else None
        if space is not None and space <= PARAGRAPH_GAP:
            blocks[-1][1].append(line)
        else:
            blocks.append((space, [line]))
    return blocks


@dataclass(slots=True)
class _PageItems:
    """What one page holds, in order, and whether its last speech runs on (``(MORE)``)."""

    items: list[Element | HeadingMark] = field(default_factory=list)
    more: bool = False
    first_line: _Line | None = None
    last_line: _Line | None = None
    full: bool = False
    """Whether the text runs down to the page's last line."""


def _read_body(
    pages: list[_Page], columns: _Columns, warnings: list[str]
) -> list[Element | HeadingMark]:
    body: list[Element | HeadingMark] = []
    previous: _PageItems | None = None
    printed = 0
    bottom = max((page.lines[-1].top for page in pages if page.lines), default=0.0)
    top = min((page.lines[0].top for page in pages if page.lines), default=0.0)
    for number, page in enumerate(pages, start=1):
        printed = page.number if page.number is not None else printed + 1
        lines = _strip_margins(page.lines, columns)
        current = _PageItems()
        if lines:
            current.first_line, current.last_line = lines[0], lines[-1]
            current.full = lines[-1].top >= bottom - PARAGRAPH_GAP * columns.line_height
        for space, block in _blocks(lines, columns.line_height):
            _read_block(block, columns, printed, current, space)
        items = current.items
        if previous is not None and items:
            items = _continue_across(body, items, previous, current, columns, printed, warnings)
        body.extend(items)
        if lines and number < len(pages) and lines[-1].top < (top + bottom) / 2:
            # Text stops in the top half of the page: the writer forced a page break.
            body.append(PageBreak(page=printed))
        previous = current
    return body


def _continue_across(
    body: list[Element | HeadingMark],
    items: list[Element | HeadingMark],
    previous: _PageItems,
    current: _PageItems,
    columns: _Columns,
    page: int,
    warnings: list[str],
) -> list[Element | HeadingMark]:
    """Join a speech or an action paragraph the page break cut in two."""
    last = body[-1] if body else None
    first = items[0]
    if previous.more:
        if isinstance(last, Dialogue) and isinstance(first, Dialogue):
            if parse_cue(first.cue)[0] == parse_cue(last.cue)[0]:
                _merge_dialogue(last, first.parts)
                return items[1:]
            warnings.append(
                f"page {page}: (MORE) on the page before, but {first.cue!r} does not continue "
                f"{last.cue!r}"
            )
        elif isinstance(last, Dialogue) and isinstance(first, Lyrics):
            # No repeated cue: the speech simply goes on at the dialogue indent.
            _merge_dialogue(last, [DialoguePart(kind="speech", text=first.text)])
            return items[1:]
    if (
        isinstance(last, Action)
        and isinstance(first, Action)
        and previous.full
        and previous.last_line is not None
        and current.first_line is not None
        and not SENTENCE_END_RE.search(last.text)
        and "\n" not in _join([previous.last_line, current.first_line], columns.action_chars)
    ):
        last.text = f"{last.text} {first.text}"
        return items[1:]
    return items


def _merge_dialogue(dialogue: Dialogue, parts: list[DialoguePart]) -> None:
    merged = list(dialogue.parts)
    for part in parts:
        if merged and merged[-1].kind == part.kind == "speech":
            merged[-1] = DialoguePart(kind="speech", text=f"{merged[-1].text} {part.text}")
        else:
            merged.append(part)
    dialogue.parts = merged
    dialogue.text = _speech_text(merged)
    dialogue.parenthetical = _first_parenthetical(merged)


def _speech_text(parts: list[DialoguePart]) -> str:
    return "\n".join(p.text for p in parts if p.kind != "parenthetical")


def _first_parenthetical(parts: list[DialoguePart]) -> str | None:
    return next((p.text for p in parts if p.kind == "parenthetical"), None)


def _read_block(
    lines: list[_Line],
    columns: _Columns,
    page: int,
    out: _PageItems,
    space: float | None = None,
) -> None:
    """Classify one paragraph: heading, centred, dialogue, transition, lyrics or action.

    ``space`` is the distance from the line above in line heights: headings are printed
    with two blank lines above them, which tells a forced heading (``SNIPER SCOPE POV``)
    printed without scene numbers from a line of action in capitals.
    """
    lines = [line for line in lines if not _drop_more(line, out)]
    if not lines:
        return
    first = lines[0]
    first_text = first.text.strip()
    number = first.left_number or first.right_number
    at_action = columns.at(first.x0, columns.action_x)
    caps = _all_caps(first_text)
    if at_action and (
        number is not None
        or (caps and HEADING_PREFIX_RE.match(first_text))
        or (caps and space is not None and space >= HEADING_SPACE and len(lines) == 1)
    ):
        # Headings are followed by a blank line: capitals right under one continue it.
        heading = [first]
        while (
            len(heading) < len(lines)
            and columns.at(lines[len(heading)].x0, columns.action_x)
            and not any(c.islower() for c in lines[len(heading)].text)
        ):
            heading.append(lines[len(heading)])
        text = " ".join(line.text.strip() for line in heading)
        out.items.append(
            HeadingMark(
                text=text,
                number=number,
                forced=not HEADING_PREFIX_RE.match(text),
                page=page,
            )
        )
        if len(heading) < len(lines):
            _read_block(lines[len(heading) :], columns, page, out)
        return
    if all(
        columns.at(line.center, columns.center) and line.x0 > columns.action_x + columns.pitch
        for line in lines
    ):
        text = "\n".join(line.text.strip() for line in lines)
        out.items.append(Centered(text=text, page=page))
        return
    dual = _dual_split(lines, columns)
    if dual is not None:
        left, right = (_dialogue(side, _capacity(side, columns.pitch), page) for side in dual)
        left.dual, right.dual = "left", "right"
        out.items.extend((left, right))
        return
    if _is_cue_block(lines, columns):
        out.items.append(_dialogue(lines, columns.dialogue_chars, page))
        return
    text = " ".join(line.text.strip() for line in lines)
    if len(lines) == 1 and TRANSITION_RE.match(text):
        out.items.append(Transition(text=text, page=page))
        return
    if _all_caps(text) and all(
        line.x0 >= columns.action_x + TRANSITION_OFFSET - columns.pitch
        or (
            TRANSITION_END_RE.search(line.text)
            and line.x0 >= columns.action_x + TRANSITION_TO_OFFSET
        )
        for line in lines
    ):
        out.items.append(Transition(text=text, page=page))
        return
    if all(columns.at(line.x0, columns.dialogue_x) for line in lines):
        out.items.append(Lyrics(text=_join(lines, columns.dialogue_chars), page=page))
        return
    out.items.append(Action(text=_join(lines, columns.action_chars), page=page))


def _drop_more(line: _Line, out: _PageItems) -> bool:
    """Whether ``line`` is a ``(MORE)``, noting it; a dual line loses its ``(MORE)`` words."""
    if MORE_RE.match(line.text.strip()):
        out.more = True
        return True
    segments = line.segments()
    kept = [s for s in segments if not MORE_RE.match(s.text.strip())]
    if len(kept) < len(segments):
        out.more = True
        if not kept:
            return True
        line.words = [w for s in kept for w in s.words]
    return False


def _is_cue_block(lines: list[_Line], columns: _Columns) -> bool:
    """A character cue over dialogue: capitals right of the dialogue column, then lines
    starting left of the cue."""
    if len(lines) < 2:
        return False
    cue, following = lines[0], lines[1]
    text = cue.text.strip()
    if not _is_caps(text) or len(text) > 60:
        return False
    if not (
        columns.dialogue_x + CUE_MIN_AFTER_DIALOGUE <= cue.x0 <= columns.action_x + CUE_MAX_OFFSET
    ):
        return False
    return columns.dialogue_x - 1.5 * columns.pitch <= following.x0 < cue.x0 - columns.pitch / 2


def _dual_split(lines: list[_Line], columns: _Columns) -> tuple[list[_Line], list[_Line]] | None:
    """Two cues on the first line: the block's lines cut into the left and right columns."""
    if len(lines) < 2:
        return None
    segments = lines[0].segments()
    if len(segments) != 2:
        return None
    left_cue, right_cue = segments
    if not (_is_caps(left_cue.text) and _is_caps(right_cue.text)):
        return None
    if right_cue.x0 - left_cue.x1 < DUAL_MIN_GAP * columns.pitch:
        return None
    if left_cue.x0 < columns.action_x + 2 * columns.pitch:
        return None
    boundary = _widest_gap(lines, left_cue.x1, right_cue.x0)
    left: list[_Line] = []
    right: list[_Line] = []
    for line in lines:
        left_part, right_part = line.split_at(boundary)
        if left_part is not None:
            left.append(left_part)
        if right_part is not None:
            right.append(right_part)
    if len(left) < 2 or len(right) < 2:
        return None
    return left, right


def _widest_gap(lines: list[_Line], low: float, high: float) -> float:
    """The middle of the widest stretch of ``(low, high)`` that no word covers."""
    spans = sorted(
        (max(w.x0, low), min(w.x1, high))
        for line in lines
        for w in line.words
        if w.x1 > low and w.x0 < high
    )
    best = (0.0, (low + high) / 2)
    cursor = low
    for start, end in spans:
        if start > cursor and start - cursor > best[0]:
            best = (start - cursor, (start + cursor) / 2)
        cursor = max(cursor, end)
    if high > cursor and high - cursor > best[0]:
        best = (high - cursor, (high + cursor) / 2)
    return best[1]


def _dialogue(lines: list[_Line], capacity: int, page: int) -> Dialogue:
    """A cue line and the speech and parentheticals under it."""
    cue = lines[0].text.strip()
    name, extension, contd = parse_cue(cue)
    parts: list[DialoguePart] = []
    speech: list[_Line] = []
    paren: list[str] | None = None

    def flush_speech() -> None:
        if speech:
            parts.append(DialoguePart(kind="speech", text=_join(speech, capacity)))
            speech.clear()

    for line in lines[1:]:
        text = line.text.strip()
        if paren is not None:
            paren.append(text)
            if text.endswith(")"):
                parts.append(DialoguePart(kind="parenthetical", text=_unbracket(paren)))
                paren = None
        elif text.startswith("("):
            flush_speech()
            if text.endswith(")"):
                parts.append(DialoguePart(kind="parenthetical", text=_unbracket([text])))
            else:
                paren = [text]
        else:
            speech.append(line)
    flush_speech()
    if paren is not None:
        parts.append(DialoguePart(kind="parenthetical", text=_unbracket(paren)))
    return Dialogue(
        character=name,
        cue=cue,
        extension=extension,
        contd=contd,
        parenthetical=_first_parenthetical(parts),
        parts=parts,
        text=_speech_text(parts),
        page=page,
    )


def _capacity(lines: list[_Line], pitch: float) -> int:
    """Characters in the longest of ``lines``: a lower bound on their column's width."""
    return round(max(line.x1 - line.x0 for line in lines) / pitch)


def _unbracket(lines: list[str]) -> str:
    text = " ".join(lines).strip()
    if text.startswith("("):
        text = text[1:]
    if text.endswith(")"):
        text = text[:-1]
    return text.strip()
