"""From a parser's flat body to a :class:`~screenplay.model.Script`.

Every parser emits the same thing: a title page and a flat list of elements with
:class:`HeadingMark` where scenes start. :func:`build_script` does the rest for all
formats alike: it splits scenes, reads headings (INT/EXT, location, time of day), numbers
scenes, resolves character names and their introductions, gathers locations and estimates
page lengths in the standard screenplay layout.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from screenplay.model import (
    Action,
    Character,
    Dialogue,
    Element,
    IntExt,
    Location,
    Scene,
    Script,
    ScriptSource,
    Section,
    Synopsis,
    TitlePage,
)

__all__ = [
    "HeadingMark",
    "build_script",
    "estimate_lines",
    "parse_cue",
    "parse_heading",
    "split_title_keys",
]


@dataclass(slots=True)
class HeadingMark:
    """Where a parser found a scene heading."""

    text: str
    number: str | None = None
    forced: bool = False
    line: int | None = None
    page: int | None = None


Body = list["Element | HeadingMark"]

# --- headings -----------------------------------------------------------------------------

HEADING_PREFIX_RE = re.compile(
    r"^(?P<ie>INT\.?\s*/\s*EXT|EXT\.?\s*/\s*INT|INT\.?-EXT|I\s*/\s*E|INT|EXT|EST)"
    r"(?:\.|\b)\s*",
    re.IGNORECASE,
)
"""INT., EXT., INT./EXT., I/E, EST. at the start of a heading (Fountain 1.1's list)."""

_INT_EXT_CANON: dict[str, IntExt] = {"INT": "INT", "EXT": "EXT", "EST": "EST"}

TIME_WORDS: dict[str, str] = {
    "DAY": "DAY",
    "NIGHT": "NIGHT",
    "DAWN": "DAWN",
    "PRE-DAWN": "DAWN",
    "SUNRISE": "DAWN",
    "DUSK": "DUSK",
    "SUNSET": "DUSK",
    "TWILIGHT": "DUSK",
    "MAGIC HOUR": "DUSK",
    "MORNING": "MORNING",
    "EARLY MORNING": "MORNING",
    "NOON": "DAY",
    "MIDDAY": "DAY",
    "AFTERNOON": "AFTERNOON",
    "LATE AFTERNOON": "AFTERNOON",
    "EVENING": "EVENING",
    "LATE NIGHT": "NIGHT",
    "MIDNIGHT": "NIGHT",
    "CONTINUOUS": "CONTINUOUS",
    "CONT'D": "CONTINUOUS",
    "LATER": "LATER",
    "MOMENTS LATER": "LATER",
    "A MOMENT LATER": "LATER",
    "MOMENTS BEFORE": "LATER",
    "SAME": "SAME",
    "SAME TIME": "SAME",
    "SAME DAY": "DAY",
}
_TIME_PHRASES = sorted((tuple(w.split()) for w in TIME_WORDS), key=len, reverse=True)
TIME_QUALIFIERS = frozenset(
    "THE NEXT SAME THAT FOLLOWING EARLY LATE LATER VERY ONE A FEW DAYS WEEKS YEARS MONTHS "
    "HOURS MINUTES BEFORE AFTER DURING PRESENT".split()
)
"""Words that may stand around a time of day: THE NEXT MORNING, LATER THAT NIGHT."""
_PAREN_NOTE_RE = re.compile(r"\([^()]*\)")
_SEGMENT_SPLIT_RE = re.compile(r"\s+(?:-{1,2}|–|—)\s+|\s*,\s+")


def parse_heading(text: str) -> tuple[IntExt | None, str | None, str | None, str | None]:
    """Read a scene heading.

    Args:
        text: the heading as written, e.g. ``INT.  WILL'S BEDROOM - NIGHT (1973)``.

    Returns:
        ``(int_ext, location, time_of_day, time_note)``; ``int_ext`` is ``None`` for
        headings without a prefix (forced headings such as ``.SNIPER SCOPE POV``).
    """
    heading = " ".join(text.replace("’", "'").replace("。", ". ").split())
    upper = heading.upper()
    int_ext: IntExt | None = None
    match = HEADING_PREFIX_RE.match(upper)
    rest = upper
    if match:
        token = re.sub(r"[.\s]", "", match.group("ie"))
        int_ext = _INT_EXT_CANON.get(token, "INT/EXT")
        rest = upper[match.end() :]
    time_of_day = time_note = None
    # The time of day is the last segment after " - " (or ", ") when it names a time.
    pieces = _SEGMENT_SPLIT_RE.split(rest)
    seps = _SEGMENT_SPLIT_RE.findall(rest)
    if len(pieces) > 1:
        found = _read_time(pieces[-1].strip())
        if found:
            time_of_day, time_note = found
            pieces = pieces[:-1]
            seps = seps[: len(pieces) - 1]
    location = pieces[0]
    for sep, piece in zip(seps, pieces[1:], strict=False):
        location += sep + piece
    location = location.strip(" .-–—") or None
    if int_ext is None and time_of_day is None:
        location = heading.strip(" .") or None
    return int_ext, location, time_of_day, time_note


def _read_time(segment: str) -> tuple[str, str | None] | None:
    """``(time_of_day, time_note)`` when ``segment`` names a time, e.g. ``NIGHT (1973)``,
    ``THE NEXT MORNING``, ``(PRESENT) DAY``; ``None`` when it is part of the location."""
    notes = _PAREN_NOTE_RE.findall(segment)
    words = _PAREN_NOTE_RE.sub(" ", segment).split()
    for phrase in _TIME_PHRASES:
        size = len(phrase)
        for start in range(len(words) - size + 1):
            if tuple(words[start : start + size]) != phrase:
                continue
            others = words[:start] + words[start + size :]
            if all(word.strip(".,") in TIME_QUALIFIERS for word in others):
                note = segment if others else " ".join(notes)
                return TIME_WORDS[" ".join(phrase)], note or None
    return None


# --- cues ------------------------------------------------------------------------------------

_CUE_EXT_RE = re.compile(r"\(([^()]*)\)")
_CONTD_RE = re.compile(r"^CONT['’]?D$|^CONTINUED$|^CONT\.?$", re.IGNORECASE)


def parse_cue(cue: str) -> tuple[str, str | None, bool]:
    """Split a character cue into name, extension and whether it is marked CONT'D.

    >>> parse_cue("EDWARD (V.O.)(CONT’D)")
    ('EDWARD', 'V.O.', True)
    """
    name = _CUE_EXT_RE.sub(" ", cue)
    name = " ".join(name.replace("’", "'").split()).upper()
    extensions: list[str] = []
    contd = False
    for raw in _CUE_EXT_RE.findall(cue):
        ext = " ".join(raw.replace("’", "'").split()).upper()
        if not ext:
            continue
        if _CONTD_RE.match(ext):
            contd = True
        else:
            extensions.append(ext)
    return name, ", ".join(extensions) or None, contd


# --- page estimates --------------------------------------------------------------------------

LINES_PER_PAGE = 55
"""Printable lines on a US Letter screenplay page in 12 pt Courier."""
_WIDTHS = {"action": 61, "dialogue": 35, "parenthetical": 25, "centered": 61, "lyrics": 35}


def _wrapped(text: str, width: int) -> int:
    """Lines ``text`` takes when wrapped at ``width`` characters.

    Word wrap wastes about three characters a line on average; counting that way is within
    a line of a real wrap on screenplay prose and costs nothing.
    """
    lines = 0
    for paragraph in text.split("\n"):
        size = len(paragraph)
        lines += 1 if size <= width else -(-size // (width - 3))
    return lines


def estimate_lines(element: Element | HeadingMark) -> int:
    """Printed lines (with the blank line before) ``element`` takes in the standard layout."""
    if isinstance(element, HeadingMark):
        return 1 + _wrapped(element.text, 61)
    kind = element.kind
    if kind == "dialogue":
        assert isinstance(element, Dialogue)
        lines = 2  # blank line + cue
        for part in element.parts:
            width = _WIDTHS["parenthetical" if part.kind == "parenthetical" else "dialogue"]
            lines += _wrapped(part.text, width)
        return lines
    if kind in ("note", "section", "synopsis"):
        return 0
    if kind == "page_break":
        return 0
    return 1 + _wrapped(element.text, _WIDTHS.get(kind, 61))


# --- characters -------------------------------------------------------------------------------

QUALIFIERS = frozenset(
    "YOUNG YOUNGER OLD OLDER LITTLE BIG ADULT TEEN TEENAGE BABY KID CHILD ELDERLY "
    "FATHER MOTHER SISTER BROTHER SON DAUGHTER THE A AN HANDSOME".split()
)
"""Words that make a different character of a name (YOUNG EDWARD is not EDWARD).

Titles are not among them: DR. KELLER is KELLER, OFFICER JONES is JONES."""

GENERIC_ROLES = frozenset(
    [
        "MAN",
        "WOMAN",
        "GIRL",
        "BOY",
        "GUY",
        "LADY",
        "KID",
        "CHILD",
        "BABY",
        "COP",
        "GUARD",
        "OFFICER",
        "DOCTOR",
        "NURSE",
        "WAITER",
        "WAITRESS",
        "DRIVER",
        "VOICE",
        "VOICES",
        "SOLDIER",
        "PRIEST",
        "CLERK",
        "STRANGER",
        "FRIEND",
        "CROWD",
        "ALL",
        "BOTH",
        "TEACHER",
        "STUDENT",
        "REPORTER",
        "ANNOUNCER",
        "NARRATOR",
        "BARTENDER",
        "SECRETARY",
        "ASSISTANT",
        "AGENT",
        "PILOT",
        "CAPTAIN",
        "MOTHER",
        "FATHER",
        "MOM",
        "DAD",
        "SON",
        "DAUGHTER",
        "WIFE",
        "HUSBAND",
    ]
)
"""Role nouns that name many people: WOMAN is never merged into SOPHISTICATED WOMAN."""

_CONNECTOR_RE = re.compile(
    r"\s+(?:AND|OR|AKA|A\.K\.A\.|&|WITH|TO|AS|THE|OF|IN|AT|ON)\s+|^(?:AKA|AND)\s+"
)
"""Words that join two names in a caps phrase (EDWARD AND WILL) or precede one (AKA DAN)."""

_CAPS_NAME_RE = re.compile(
    r"(?<![\w'’])([A-Z][A-Z0-9'’.\-]*(?:[ \t]+[A-Z][A-Z0-9'’.\-]*)*)(?![\w'’])"
)
_INTRO_PAREN_RE = re.compile(r"\s*\(([^()]{1,120})\)")
_INTRO_DASHES_RE = re.compile(r"\s*(?:--|—|–)\s*([^.;!?]{2,100}?)\s*(?:--|—|–)")
_INTRO_APPOSITIVE_RE = re.compile(r"\s*,\s*([^,.;:!?()]{2,100}?)\s*(?:,|\.|;|$)")
_SENTENCE_RE = re.compile(r"[^.!?]*(?:[.!?]+|$)")
_POSSESSIVE_RE = re.compile(r"['’]S?$")


def _words(name: str) -> list[str]:
    return name.split()


def _name_variant_of(long: str, short: str) -> bool:
    """Whether ``short`` names the same person as ``long`` (first or last name of it)."""
    lw, sw = _words(long), _words(short)
    if len(lw) <= len(sw) or short in GENERIC_ROLES:
        return False
    if any(ch.isdigit() for ch in long) or _CONNECTOR_RE.search(long):
        return False
    if lw[: len(sw)] == sw:
        extra = lw[len(sw) :]
    elif lw[-len(sw) :] == sw:
        extra = lw[: -len(sw)]
    elif len(sw) == 2 and (lw[0], lw[-1]) == (sw[0], sw[-1]):
        extra = lw[1:-1]  # a middle name: DR. JULIUS BENNETT is DR. BENNETT
    else:
        return False
    return not any(w.strip(".") in QUALIFIERS or w in QUALIFIERS for w in extra)


def _canonical_names(cue_counts: Counter[str]) -> dict[str, str]:
    """Map every cue name to its canonical name, reconciling first/last-name forms.

    ``MARGOT`` and ``MARGOT VANCE`` become one character when no other cue also starts or
    ends with ``MARGOT``; the form used most in cues is canonical (ties go to the shorter).
    """
    names = list(cue_counts)
    by_edge_word: dict[str, list[str]] = {}
    for name in names:
        words = name.split()
        if len(words) > 1:
            for word in {words[0], words[-1]}:
                by_edge_word.setdefault(word, []).append(name)
    canon = {name: name for name in names}
    for short in names:
        words = short.split()
        if not words:
            continue
        candidates = {
            long
            for word in {words[0], words[-1]}
            for long in by_edge_word.get(word, ())
            if _name_variant_of(long, short)
        }
        if len(candidates) == 1:
            (long,) = candidates
            if cue_counts[short] >= cue_counts[long]:
                canon[long] = short
            else:
                canon[short] = long

    def root(name: str) -> str:
        seen: set[str] = set()
        while canon[name] != name and name not in seen:
            seen.add(name)
            name = canon[name]
        return name

    return {name: root(name) for name in names}


_DESCRIPTION_OPENERS = frozenset("AGE MID EARLY LATE".split())
_NOT_DESCRIPTION_OPENERS = frozenset("and or but then as while when who which is are was".split())
_SHOUTED_WORD_RE = re.compile(r"\b[A-Z][A-Z'’]+\b")


def _is_description(candidate: str) -> bool:
    """Whether an appositive after a name describes the person.

    ``retired police detective``, ``40's and handsome``, ``AGE 3``, ``now 17 with braces``
    describe; ``and ZACKY PRICE`` (another name) or ``Sandra hands over her coupons`` (the
    next clause) do not.
    """
    words = candidate.split()
    if not words:
        return False
    first = words[0]
    opens_well = first[0].islower() or first[0].isdigit() or first in _DESCRIPTION_OPENERS
    if not opens_well or re.split(r"['’]", first.lower())[0] in _NOT_DESCRIPTION_OPENERS:
        return False
    shouted = [w for w in _SHOUTED_WORD_RE.findall(candidate) if w not in _DESCRIPTION_OPENERS]
    return not shouted


def _describe(text: str, start: int, end: int) -> tuple[str | None, str]:
    """The description following a caps name at ``text[start:end]`` and its sentence."""
    description = None
    tail = text[end:]
    paren = _INTRO_PAREN_RE.match(tail) or _INTRO_DASHES_RE.match(tail)
    if paren:
        description = paren.group(1).strip()
        if description.isdigit():
            description = f"age {description}"  # JENNY (8)
    else:
        appositive = _INTRO_APPOSITIVE_RE.match(tail)
        if appositive:
            candidate = appositive.group(1).strip()
            if _is_description(candidate):
                description = f"age {candidate}" if candidate.isdigit() else candidate
    sentence = text[start:end]
    for match in _SENTENCE_RE.finditer(text):
        if match.start() <= start < match.end():
            sentence = match.group(0).strip()
            break
    return description, " ".join(sentence.split())


@dataclass(slots=True)
class _CharacterBuild:
    name: str
    aliases: set[str]
    dialogue_count: int = 0
    word_count: int = 0
    scenes: dict[str, None] | None = None
    description: str | None = None
    introduction: str | None = None


class _NameIndex:
    """Finds the character a caps phrase in action names, by exact name or first/last name."""

    def __init__(self, by_name: dict[str, _CharacterBuild]) -> None:
        self.by_name = by_name
        self.by_word: dict[str, list[str]] = {}
        for name in by_name:
            words = name.split()
            for word in {words[0], words[-1]}:
                self.by_word.setdefault(word, []).append(name)
        titles = {name.title(): build for name, build in by_name.items() if len(name) > 2}
        self.by_title = titles
        self.title_re = (
            re.compile(
                r"(?<!\w)("
                + "|".join(map(re.escape, sorted(titles, key=len, reverse=True)))
                + r")(?!\w)"
            )
            if titles
            else None
        )

    def match(self, phrase: str) -> tuple[_CharacterBuild, str] | None:
        """The character ``phrase`` names and the cleaned phrase, or ``None``."""
        phrase = _POSSESSIVE_RE.sub("", phrase.replace("’", "'")).strip(" .-")
        build = self.by_name.get(phrase)
        if build is not None:
            return build, phrase
        words = phrase.split()
        if len(words) < 2:
            return None
        candidates = {
            id(self.by_name[name]): self.by_name[name]
            for word in {words[0], words[-1]}
            for name in self.by_word.get(word, ())
            if _name_variant_of(phrase, name)
        }
        if len(candidates) == 1:
            return next(iter(candidates.values())), phrase
        return None


def _build_characters(scenes: list[Scene]) -> list[Character]:
    cue_counts: Counter[str] = Counter()
    for scene in scenes:
        for element in scene.elements:
            if isinstance(element, Dialogue) and element.character:
                cue_counts[element.character] += 1
    canon = _canonical_names(cue_counts)
    builds: dict[str, _CharacterBuild] = {}
    for name in cue_counts:
        target = canon[name]
        build = builds.setdefault(target, _CharacterBuild(target, set(), scenes={}))
        if name != target:
            build.aliases.add(name)
    by_name: dict[str, _CharacterBuild] = {}
    for build in builds.values():
        by_name[build.name] = build
        for alias in build.aliases:
            by_name[alias] = build
    for name in _silent_characters(scenes, _NameIndex(by_name)):
        builds[name] = by_name[name] = _CharacterBuild(name, set(), scenes={})
    index = _NameIndex(by_name)

    for scene in scenes:
        for element in scene.elements:
            if isinstance(element, Dialogue):
                build = by_name.get(element.character)
                if build is None:
                    continue
                element.character = build.name
                build.dialogue_count += 1
                build.word_count += len(element.text.split())
                assert build.scenes is not None
                build.scenes.setdefault(scene.id, None)
            elif isinstance(element, Action) and by_name:
                _scan_action(element.text, scene.id, index)
    order = {scene.id: i for i, scene in enumerate(scenes)}
    characters = [
        Character(
            name=b.name,
            aliases=sorted(b.aliases),
            description=b.description,
            introduction=b.introduction,
            scenes=_in_script_order(b.scenes or {}, order),
            dialogue_count=b.dialogue_count,
            word_count=b.word_count,
        )
        for b in builds.values()
    ]
    characters.sort(key=lambda c: (-c.dialogue_count, c.name))
    return characters


_SILENT_INTRO_RE = re.compile(
    r"(?<![\w'’])([A-Z][A-Z'’.\-]+(?:[ ][A-Z][A-Z'’.\-]+){0,3})"
    r"\s*\((\d{1,2}s?|(?:early|mid|late)[ -]\d0s|\d0s[^()]{0,80}|\d{1,2},[^()]{0,80})\)"
)
"""A character introduced in capitals with an age, who never speaks: ``ZACKY (10)``."""


def _silent_characters(scenes: list[Scene], index: _NameIndex) -> list[str]:
    """Characters introduced in action with an age who have no dialogue, in script order.

    They belong in the bible: a shot may show them, and they must look the same each time.
    """
    found: dict[str, None] = {}
    for scene in scenes:
        for element in scene.elements:
            if not isinstance(element, Action) or "(" not in element.text:
                continue
            for match in _SILENT_INTRO_RE.finditer(element.text):
                name = _POSSESSIVE_RE.sub("", match.group(1)).strip(" .-")
                words = name.split()
                if (
                    len(name) > 1
                    and index.match(name) is None
                    and not any(w in QUALIFIERS or w in GENERIC_ROLES for w in words[-1:])
                    and not HEADING_PREFIX_RE.match(name)
                ):
                    found.setdefault(name, None)
    return list(found)


def _scan_action(text: str, scene_id: str, index: _NameIndex) -> None:
    """Note characters introduced or mentioned in an action paragraph."""
    for match in _CAPS_NAME_RE.finditer(text):
        start = match.start()
        for piece in _CONNECTOR_RE.split(match.group(1)):
            if not piece:
                continue
            found = index.match(piece)
            if found is None:
                continue
            build, cleaned = found
            assert build.scenes is not None
            build.scenes.setdefault(scene_id, None)
            if build.introduction is None:
                piece_start = text.find(piece, start)
                build.description, build.introduction = _describe(
                    text, piece_start, piece_start + len(piece)
                )
                if cleaned != build.name:
                    build.aliases.add(cleaned)
    # Mentions in Title Case ("Edward slips his ring off") count as appearing in the scene.
    if index.title_re is not None:
        for title in set(index.title_re.findall(text)):
            scenes = index.by_title[title].scenes
            assert scenes is not None
            scenes.setdefault(scene_id, None)


def _in_script_order(ids: dict[str, None], order: dict[str, int]) -> list[str]:
    return sorted(ids, key=lambda i: order.get(i, 0))


def _build_locations(scenes: list[Scene]) -> list[Location]:
    locations: dict[str, Location] = {}
    for scene in scenes:
        if not scene.location or scene.int_ext is None:
            continue
        location = locations.setdefault(scene.location, Location(name=scene.location))
        if scene.int_ext not in location.int_ext:
            location.int_ext.append(scene.int_ext)
        if scene.time_of_day and scene.time_of_day not in location.times_of_day:
            location.times_of_day.append(scene.time_of_day)
        location.scenes.append(scene.id)
    return list(locations.values())


# --- title page ------------------------------------------------------------------------------

_TITLE_KEYS = {
    "title": "title",
    "credit": "credit",
    "author": "authors",
    "authors": "authors",
    "writer": "authors",
    "writers": "authors",
    "written by": "authors",
    "source": "source",
    "draft date": "draft_date",
    "draft": "draft_date",
    "date": "draft_date",
    "contact": "contact",
    "contact info": "contact",
}
_AUTHOR_SPLIT_RE = re.compile(r"\s*(?:\n|,\s*(?=\S)|\s+&\s+|\s+and\s+)\s*")


def split_title_keys(pairs: list[tuple[str, str]]) -> TitlePage:
    """Build a :class:`TitlePage` from ``(key, value)`` pairs, keeping unknown keys."""
    page = TitlePage()
    for raw_key, value in pairs:
        key = " ".join(raw_key.lower().replace("_", " ").split())
        value = value.strip()
        field = _TITLE_KEYS.get(key)
        if field == "authors":
            page.authors.extend(
                a.strip(" ,") for a in _AUTHOR_SPLIT_RE.split(value) if a.strip(" ,")
            )
        elif field is not None and getattr(page, field) is None:
            setattr(page, field, value)
        elif field is not None:
            setattr(page, field, f"{getattr(page, field)}\n{value}")
        elif value:
            page.extra[key] = f"{page.extra[key]}\n{value}" if key in page.extra else value
    return page


# --- assembly --------------------------------------------------------------------------------

_SCREEN = frozenset({"action", "dialogue", "shot", "centered", "lyrics"})
_FADE_IN_RE = re.compile(r"^\s*FADE IN\s*[:.]?\s*$", re.IGNORECASE)


def _is_fade_in(element: Element) -> bool:
    """``FADE IN:``: written as action in Fountain and Final Draft, but a transition."""
    return element.kind == "action" and bool(_FADE_IN_RE.match(element.text))


def build_script(
    *,
    source: ScriptSource,
    title_page: TitlePage,
    body: list[Element | HeadingMark],
    page_count: float | None = None,
    warnings: list[str] | None = None,
) -> Script:
    """Assemble a :class:`Script` from a parser's flat body.

    Args:
        source: the file the body came from.
        title_page: the parsed title page.
        body: elements in script order, with a :class:`HeadingMark` where each scene starts.
        page_count: printed pages where the format knows them (PDF); estimated otherwise.
        warnings: problems the parser recovered from, kept in the script.

    Returns:
        The script with scenes, characters and locations.
    """
    scenes: list[Scene] = []
    opening: list[Element] = []
    current: Scene | None = None
    section_stack: list[tuple[int, str]] = []
    total_lines = 0
    ordinal = 0
    estimate_pages = page_count is None
    scene_lines: dict[str, int] = {}
    last_was_heading = False

    for item in body:
        lines = estimate_lines(item)
        if isinstance(item, HeadingMark):
            ordinal += 1
            int_ext, location, time_of_day, time_note = parse_heading(item.text)
            page = item.page if not estimate_pages else 1 + total_lines // LINES_PER_PAGE
            current = Scene(
                id=f"sc{ordinal:03d}",
                number=item.number or str(ordinal),
                numbered=item.number is not None,
                heading=item.text,
                forced=item.forced,
                int_ext=int_ext,
                location=location,
                time_of_day=time_of_day,
                time_note=time_note,
                section=section_stack[-1][1] if section_stack else None,
                section_path=[title for _, title in section_stack],
                line=item.line,
                page=page,
            )
            scenes.append(current)
            total_lines += lines
            scene_lines[current.id] = lines
            last_was_heading = True
            continue
        if estimate_pages:
            # Trusted int on a model the parser just built: skip pydantic's setattr machinery.
            item.__dict__["page"] = 1 + total_lines // LINES_PER_PAGE
            if item.kind == "page_break" and total_lines % LINES_PER_PAGE:
                total_lines += LINES_PER_PAGE - total_lines % LINES_PER_PAGE
        total_lines += lines
        if isinstance(item, Section):
            section_stack = [s for s in section_stack if s[0] < item.level]
            section_stack.append((item.level, item.text))
        if isinstance(item, Synopsis) and current is not None and last_was_heading:
            current.synopsis = f"{current.synopsis}\n{item.text}" if current.synopsis else item.text
        elif not isinstance(item, Synopsis):
            last_was_heading = False
        if current is None:
            opening.append(item)
        else:
            current.elements.append(item)
            scene_lines[current.id] += lines

    if any(e.kind in _SCREEN and not _is_fade_in(e) for e in opening) or (opening and not scenes):
        first_page = opening[0].page if opening and opening[0].page else 1
        scenes.insert(
            0,
            Scene(
                id="sc000",
                number="0",
                heading=None,
                elements=opening,
                page=first_page,
            ),
        )
        scene_lines["sc000"] = sum(estimate_lines(e) for e in opening)
    elif opening and scenes:
        # FADE IN:, a section or a note before the first heading belongs to the first scene.
        scenes[0].elements[:0] = opening

    for scene in scenes:
        scene.length_eighths = max(1, round(scene_lines[scene.id] * 8 / LINES_PER_PAGE))

    if page_count is None:
        page_count = round(max(total_lines, 1) / LINES_PER_PAGE, 2)

    return Script(
        source=source,
        title_page=title_page,
        scenes=scenes,
        characters=_build_characters(scenes),
        locations=_build_locations(scenes),
        page_count=page_count,
        warnings=warnings or [],
    )
