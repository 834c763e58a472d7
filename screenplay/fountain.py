"""Fountain 1.1 parser.

The whole syntax (https://fountain.io/syntax): title page with multi-line values, scene
headings (``INT``/``EXT``/``EST``/``I/E`` and forced ``.``), scene numbers ``#12A#``,
action and forced action ``!``, characters (forced ``@``, extensions), dialogue,
parentheticals, dual dialogue ``^``, lyrics ``~``, transitions (``TO:`` and forced ``>``),
centered ``> <``, emphasis, notes ``[[ ]]``, boneyard ``/* */`` (nested too), sections
``#``, synopses ``=``, page breaks ``===``, CRLF, CR and BOM.

Before any line is classified, boneyard and notes are cut out of the text with their line
breaks kept, so every element keeps its true source line and notes can span blank lines.
Lines are then read by an ordered chain of recognisers with action as the fallback, as
screenplain does. Full-width ``：``, ``。`` and ``（ ）`` (CJK scripts) are read as their ASCII
forms where they mark syntax.
"""

from __future__ import annotations

import bisect
import re
from typing import ClassVar, Literal

from previz.errors import EmptyScriptError
from screenplay.base import decode_text
from screenplay.build import HeadingMark, build_script, parse_cue, split_title_keys
from screenplay.model import (
    Action,
    Centered,
    Dialogue,
    DialoguePart,
    Element,
    Lyrics,
    Note,
    PageBreak,
    Script,
    ScriptSource,
    Section,
    Synopsis,
    TitlePage,
    Transition,
)

__all__ = ["FountainParser", "strip_emphasis"]

BONEYARD_TOKEN_RE = re.compile(r"/\*|\*/")
NOTE_RE = re.compile(r"\[\[(.*?)\]\]", re.DOTALL)
TITLE_KEY_RE = re.compile(r"^([A-Za-z][A-Za-z0-9 _\-]*?)[ \t]*[:：][ \t]*(.*)$")
TITLE_CONTINUATION_RE = re.compile(r"^(?:\t| {2,})\S")
TITLE_KEYS = frozenset(
    "title credit author authors source draft date contact notes copyright revision "
    "episode writer writers written".split()
)
"""Keys that mark a title page (Fountain allows any key; one of these must appear)."""
SCENE_HEADING_RE = re.compile(
    r"^(?:INT\.?\s*/\s*EXT|EXT\.?\s*/\s*INT|I\s*/\s*E|INT|EXT|EST)(?:[.。]|\s)",
    re.IGNORECASE,
)
SCENE_NUMBER_RE = re.compile(r"\s*#([\w.\-]+)#\s*$")
FORCED_HEADING_RE = re.compile(r"^\.(?=[^\W_])")
TRANSITION_RE = re.compile(r"^[^a-z]*TO:$")
PAGE_BREAK_RE = re.compile(r"^={3,}$")
SECTION_RE = re.compile(r"^(#+)\s*(.*?)\s*$")
SYNOPSIS_RE = re.compile(r"^=(?!=)\s*(.*?)\s*$")
CENTERED_RE = re.compile(r"^>\s*(.*?)\s*<$")
FORCED_TRANSITION_RE = re.compile(r"^>\s*(.*?)\s*$")
PARENTHETICAL_RE = re.compile(r"^[(（].*[)）]$")
CUE_EXTENSION_RE = re.compile(r"\(.*?\)")

_ESCAPED_STAR = "\ue000"
_ESCAPED_UNDERSCORE = "\ue001"
_EMPHASIS_RES = (
    re.compile(r"(\*{1,3})(?=\S)(.+?)(?<=\S)\1"),
    re.compile(r"_(?=\S)(.+?)(?<=\S)_"),
)
PartKind = Literal["speech", "parenthetical", "lyrics"]
_FULLWIDTH = str.maketrans({"（": "(", "）": ")", "：": ":", "。": "."})
_FULLWIDTH_RE = re.compile("[（）：。]")
_MARKUP_FIRST = frozenset("!=#>~")


def _normalise(line: str) -> str:
    """``line`` with full-width syntax characters (CJK scripts) read as ASCII."""
    return line.translate(_FULLWIDTH) if _FULLWIDTH_RE.search(line) else line


def strip_emphasis(text: str) -> str:
    """Remove Fountain emphasis (``*``, ``**``, ``***``, ``_``), honouring ``\\*`` and ``\\_``."""
    if "\\" in text:
        text = text.replace("\\*", _ESCAPED_STAR).replace("\\_", _ESCAPED_UNDERSCORE)
    if "*" in text or "_" in text:
        for _ in range(4):  # nested emphasis: _**bold underline**_
            before = text
            for regex in _EMPHASIS_RES:
                text = regex.sub(_inner, text)
            if text == before:
                break
    return text.replace(_ESCAPED_STAR, "*").replace(_ESCAPED_UNDERSCORE, "_")


def _inner(match: re.Match[str]) -> str:
    return match.group(match.lastindex or 1)


def _blank_out(text: str, start: int, end: int) -> str:
    """``text`` with ``[start:end]`` removed but its line breaks kept."""
    return text[:start] + "\n" * text.count("\n", start, end) + text[end:]


def _remove_boneyard(text: str, warnings: list[str]) -> str:
    """Cut ``/* ... */`` (nesting allowed) out of ``text``, keeping line breaks."""
    if "/*" not in text:
        return text
    pieces: list[str] = []
    depth = 0
    position = 0
    opened_at = 0
    for match in BONEYARD_TOKEN_RE.finditer(text):
        token = match.group()
        if token == "/*":
            if depth == 0:
                pieces.append(text[position : match.start()])
                opened_at = match.start()
            depth += 1
        elif depth > 0:
            depth -= 1
            if depth == 0:
                pieces.append("\n" * text.count("\n", opened_at, match.end()))
                position = match.end()
    if depth > 0:
        line = text.count("\n", 0, opened_at) + 1
        warnings.append(
            f"line {line}: boneyard /* is never closed; the rest of the file is ignored"
        )
        pieces.append("\n" * text.count("\n", opened_at))
    else:
        pieces.append(text[position:])
    return "".join(pieces)


def _extract_notes(text: str) -> tuple[str, list[Note]]:
    """Cut ``[[notes]]`` out of ``text`` (they may span blank lines) and return them."""
    if "[[" not in text:
        return text, []
    notes: list[Note] = []
    pieces: list[str] = []
    position = 0
    line = 1
    for match in NOTE_RE.finditer(text):
        line += text.count("\n", position, match.start())
        body = " ".join(match.group(1).split())
        if body:
            notes.append(Note(text=body, line=line))
        pieces.append(text[position : match.start()])
        pieces.append("\n" * match.group(0).count("\n"))
        line += match.group(0).count("\n")
        position = match.end()
    pieces.append(text[position:])
    return "".join(pieces), notes


def _read_title_page(lines: list[str]) -> tuple[TitlePage | None, int]:
    """The title page at the top of ``lines`` and the index of the first body line."""
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start == len(lines) or not TITLE_KEY_RE.match(lines[start]):
        return None, 0
    pairs: list[tuple[str, list[str]]] = []
    index = start
    while index < len(lines) and lines[index].strip():
        line = lines[index]
        key_match = TITLE_KEY_RE.match(line)
        if TITLE_CONTINUATION_RE.match(line) and pairs:
            pairs[-1][1].append(line.strip())
        elif key_match:
            value = key_match.group(2).strip()
            pairs.append((key_match.group(1), [value] if value else []))
        else:
            return None, 0  # not a title page after all: a line that is neither key nor value
        index += 1
    if not any(_title_key(key) for key, _ in pairs):
        return None, 0  # "FADE IN:" is a transition-like line, not a title page
    title_page = split_title_keys(
        [(key, "\n".join(strip_emphasis(v) for v in values)) for key, values in pairs]
    )
    return title_page, index


def _title_key(key: str) -> bool:
    words = key.lower().replace("_", " ").split()
    return bool(words) and (" ".join(words) in TITLE_KEYS or words[0] in TITLE_KEYS)


class _Reader:
    """Classifies the body lines of a Fountain script into elements."""

    def __init__(self, lines: list[str], first: int, warnings: list[str]) -> None:
        self.lines = lines
        self.index = first
        self.body: list[Element | HeadingMark] = []
        self.warnings = warnings

    # -- helpers ---------------------------------------------------------------------------

    def _blank(self, index: int) -> bool:
        return index < 0 or index >= len(self.lines) or not self.lines[index].strip()

    def _next_is_blank(self) -> bool:
        return self._blank(self.index + 1)

    def _heading_may_end(self) -> bool:
        """A heading needs a blank line after it, or its synopsis right under it."""
        if self._next_is_blank():
            return True
        following = self.lines[self.index + 1].lstrip()
        return following.startswith("=") and not following.startswith("==")

    def _prev_is_blank(self) -> bool:
        return self._blank(self.index - 1)

    def _emit(self, element: Element | HeadingMark) -> None:
        self.body.append(element)

    # -- the chain -----------------------------------------------------------------------------

    def read(self) -> list[Element | HeadingMark]:
        lines = self.lines
        while self.index < len(lines):
            stripped = lines[self.index].strip()
            if not stripped:
                self.index += 1
                continue
            line_no = self.index + 1
            normalised = _normalise(stripped)
            first = stripped[0]
            if first in _MARKUP_FIRST and self._markup(first, stripped, line_no):
                continue
            if (
                self._heading(stripped, normalised, line_no)
                or self._transition(stripped, line_no)
                or self._dialogue(stripped, normalised, line_no)
            ):
                continue
            self._action(line_no)
        return self.body

    def _markup(self, first: str, stripped: str, line_no: int) -> bool:
        """Elements marked by their first character: ``! = # > ~``."""
        if first == "!":
            return self._forced_action(stripped, line_no)
        if first == "=":
            return self._page_break(stripped, line_no) or self._synopsis(stripped, line_no)
        if first == "#":
            return self._section(stripped, line_no)
        if first == ">":
            return self._centered(stripped, line_no) or self._forced_transition(stripped, line_no)
        return self._lyrics(stripped, line_no)

    def _forced_action(self, stripped: str, line_no: int) -> bool:
        if not stripped.startswith("!"):
            return False
        self._action(line_no)
        return True

    def _page_break(self, stripped: str, line_no: int) -> bool:
        if not PAGE_BREAK_RE.match(stripped):
            return False
        self._emit(PageBreak(line=line_no))
        self.index += 1
        return True

    def _section(self, stripped: str, line_no: int) -> bool:
        match = SECTION_RE.match(stripped) if stripped.startswith("#") else None
        if not match:
            return False
        self._emit(
            Section(text=strip_emphasis(match.group(2)), level=len(match.group(1)), line=line_no)
        )
        self.index += 1
        return True

    def _synopsis(self, stripped: str, line_no: int) -> bool:
        match = SYNOPSIS_RE.match(stripped) if stripped.startswith("=") else None
        if not match:
            return False
        self._emit(Synopsis(text=strip_emphasis(match.group(1)), line=line_no))
        self.index += 1
        return True

    def _centered(self, stripped: str, line_no: int) -> bool:
        if not (stripped.startswith(">") and stripped.endswith("<") and len(stripped) > 1):
            return False
        texts: list[str] = []
        while self.index < len(self.lines):
            match = CENTERED_RE.match(self.lines[self.index].strip())
            if not match:
                break
            texts.append(strip_emphasis(match.group(1)))
            self.index += 1
        self._emit(Centered(text="\n".join(texts), line=line_no))
        return True

    def _forced_transition(self, stripped: str, line_no: int) -> bool:
        if not stripped.startswith(">"):
            return False
        match = FORCED_TRANSITION_RE.match(stripped)
        assert match is not None
        self._emit(Transition(text=strip_emphasis(match.group(1)), line=line_no))
        self.index += 1
        return True

    def _lyrics(self, stripped: str, line_no: int) -> bool:
        if not stripped.startswith("~"):
            return False
        texts: list[str] = []
        while self.index < len(self.lines):
            line = self.lines[self.index].strip()
            if not line.startswith("~"):
                break
            texts.append(strip_emphasis(line[1:].strip()))
            self.index += 1
        self._emit(Lyrics(text="\n".join(texts), line=line_no))
        return True

    def _heading(self, stripped: str, normalised: str, line_no: int) -> bool:
        forced = stripped[0] == "." and bool(FORCED_HEADING_RE.match(stripped))
        if not forced and not (
            stripped[0] in "IiEe"
            and SCENE_HEADING_RE.match(normalised)
            and self._prev_is_blank()
            and self._heading_may_end()
        ):
            return False
        if forced and not self._prev_is_blank():
            return False
        text = stripped[1:] if forced else stripped
        number = None
        number_match = SCENE_NUMBER_RE.search(text)
        if number_match:
            number = number_match.group(1)
            text = text[: number_match.start()]
        self._emit(
            HeadingMark(
                text=strip_emphasis(text.strip()), number=number, forced=forced, line=line_no
            )
        )
        self.index += 1
        return True

    def _transition(self, stripped: str, line_no: int) -> bool:
        if not (
            stripped.endswith("TO:")
            and self._prev_is_blank()
            and self._next_is_blank()
            and TRANSITION_RE.match(stripped)
        ):
            return False
        self._emit(Transition(text=strip_emphasis(stripped), line=line_no))
        self.index += 1
        return True

    def _is_cue(self, stripped: str, normalised: str) -> bool:
        if stripped.startswith("@"):
            return len(stripped) > 1
        name = CUE_EXTENSION_RE.sub("", normalised).rstrip("^ \t")
        return name.upper() == name and any(ch.isalpha() for ch in name) and not name.endswith(":")

    def _dialogue(self, stripped: str, normalised: str, line_no: int) -> bool:
        if not (self._is_cue(stripped, normalised) and self._prev_is_blank()):
            return False
        if self._next_is_blank():
            return False
        forced = normalised.startswith("@")
        cue = normalised[1:] if forced else normalised
        dual = cue.endswith("^")
        cue = strip_emphasis(cue.rstrip("^").strip())
        name, extension, contd = parse_cue(cue)
        if forced:  # @McCABE: a forced name keeps the case it was written in
            name = " ".join(CUE_EXTENSION_RE.sub(" ", cue).split())
        self.index += 1
        parts = self._dialogue_parts()
        dialogue = Dialogue(
            character=name,
            cue=cue,
            extension=extension,
            contd=contd,
            parenthetical=next((text for kind, text in parts if kind == "parenthetical"), None),
            parts=[DialoguePart(kind=kind, text=text) for kind, text in parts],
            text="\n".join(text for kind, text in parts if kind != "parenthetical"),
            line=line_no,
        )
        if dual:
            previous = self.body[-1] if self.body else None
            if isinstance(previous, Dialogue):
                previous.dual = "left"
                dialogue.dual = "right"
            else:
                self.warnings.append(
                    f"line {line_no}: dual dialogue ^ on {cue!r} has no dialogue right before it"
                )
        self._emit(dialogue)
        return True

    def _dialogue_parts(self) -> list[tuple[PartKind, str]]:
        """Speech, parentheticals and lyrics after a cue, up to the next blank line.

        A line of exactly two spaces is a deliberate blank inside the speech; a
        parenthetical may wrap over several lines.
        """
        parts: list[tuple[PartKind, str]] = []
        open_paren: list[str] | None = None
        lines = self.lines
        while self.index < len(lines):
            raw = lines[self.index]
            text = raw.strip()
            if not text and raw != "  ":
                break
            self.index += 1
            norm = _normalise(text)
            if open_paren is not None:
                closing = norm.endswith(")")
                open_paren.append(norm[:-1] if closing else norm)
                if closing:
                    parts.append(("parenthetical", strip_emphasis(" ".join(open_paren).strip())))
                    open_paren = None
            elif norm.startswith("("):
                if PARENTHETICAL_RE.match(norm):
                    parts.append(("parenthetical", strip_emphasis(norm[1:-1].strip())))
                else:
                    open_paren = [norm[1:]]
            elif text.startswith("~"):
                _append_part(parts, "lyrics", strip_emphasis(text[1:].strip()))
            else:
                _append_part(parts, "speech", strip_emphasis(text))
        if open_paren is not None:  # never closed: keep what was written
            parts.append(("parenthetical", strip_emphasis(" ".join(open_paren).strip())))
        return parts

    def _action(self, line_no: int) -> None:
        """Action, the fallback: runs to the next blank line or a line starting its own element."""
        texts: list[str] = []
        lines = self.lines
        while self.index < len(lines):
            raw = lines[self.index]
            stripped = raw.strip()
            if not stripped:
                if raw == "  " and texts:  # two spaces: a deliberate blank line inside action
                    texts.append("")
                    self.index += 1
                    continue
                break
            if texts and (
                stripped[0] in "#=~"
                and (
                    SECTION_RE.match(stripped)
                    or SYNOPSIS_RE.match(stripped)
                    or stripped[0] == "~"
                    or PAGE_BREAK_RE.match(stripped)
                )
            ):
                break
            if stripped.startswith("!"):
                raw = raw.replace("!", "", 1)
            texts.append(strip_emphasis(raw.rstrip().expandtabs(4)))
            self.index += 1
        text = _dedent("\n".join(texts))
        if text.strip():
            self._emit(Action(text=text, line=line_no))


def _append_part(parts: list[tuple[PartKind, str]], kind: PartKind, text: str) -> None:
    """Add a line of speech or lyrics, joining it to the previous line of the same kind."""
    if parts and parts[-1][0] == kind:
        parts[-1] = (kind, f"{parts[-1][1]}\n{text}")
    else:
        parts.append((kind, text))


def _dedent(text: str) -> str:
    """Strip the first line's leading spaces and the indentation all lines share."""
    lines = text.split("\n")
    indents = [len(line) - len(line.lstrip(" ")) for line in lines if line.strip()]
    common = min(indents) if indents else 0
    if common:
        lines = [line[common:] for line in lines]
    lines[0] = lines[0].lstrip()
    return "\n".join(lines).rstrip()


class FountainParser:
    """Reads Fountain 1.1 (``.fountain``, ``.spmd``, ``.txt``)."""

    format: ClassVar = "fountain"
    suffixes: ClassVar = ("fountain", "spmd", "txt")

    def parse(self, data: bytes, source: ScriptSource) -> Script:
        """Parse a whole Fountain file."""
        return self.parse_text(decode_text(data), source)

    def parse_text(self, text: str, source: ScriptSource) -> Script:
        """Parse decoded Fountain text."""
        warnings: list[str] = []
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        text = text.lstrip("\ufeff")
        text = _remove_boneyard(text, warnings)
        text, notes = _extract_notes(text)
        lines = text.split("\n")
        title_page, first = _read_title_page(lines)
        body = _Reader(lines, first, warnings).read()
        if notes:
            body = _merge_by_line(body, notes)
        if all(isinstance(item, Note) for item in body) and title_page is None:
            raise EmptyScriptError("no screenplay text (only whitespace, notes or boneyard)")
        return build_script(
            source=source, title_page=title_page or TitlePage(), body=body, warnings=warnings
        )


def _merge_by_line(
    body: list[Element | HeadingMark], notes: list[Note]
) -> list[Element | HeadingMark]:
    """Insert ``notes`` into ``body`` after the last item that starts on or before their line."""
    merged = list(body)
    keys = [item.line or 0 for item in merged]
    for note in notes:
        position = bisect.bisect_right(keys, note.line or 0)
        merged.insert(position, note)
        keys.insert(position, note.line or 0)
    return merged
