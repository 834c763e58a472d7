"""Reading screenplay text for the grammar planner: names, beats, cues and timing.

Everything here is a pure function of text (and of the script's cast), so the planner built
on it is deterministic. The vocabulary tables are module-level constants: a keyword, or the
writer's own camera language, maps to a shot size, angle or movement. Recognisers run in
order and the first that answers wins; each reading has an explicit fallback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from screenplay.model import Dialogue, Script
from shots.model import Angle, Movement, Size, TransitionIn

__all__ = [
    "COMPOUND_CUE_RE",
    "Cast",
    "Framing",
    "TextCues",
    "action_duration",
    "dialogue_duration",
    "display_name",
    "is_emotional",
    "is_sung",
    "opening_titles",
    "parse_direction",
    "read_cues",
    "readable",
    "shorten",
    "speech_duration",
    "split_beats",
    "split_sentences",
    "title_marker",
    "title_text",
    "transition_for",
    "transition_marker",
    "word_count",
    "written_insert_cue",
]

# --------------------------------------------------------------------------------------
# Timing
# --------------------------------------------------------------------------------------

DIALOGUE_WPS = 2.8
"""Natural speaking rate, words per second."""
SUNG_WPS = 1.8
"""Lyrics are sung slower than speech."""
ACTION_WPS = 4.0
"""Action plays at about this many words of description per second..."""
ACTION_BEAT_S = 0.5
"""...plus a moment for the shot to register."""
LINE_BREATH_S = 0.3
"""A breath before a line: the cut lands on it a moment early."""
PARENTHETICAL_BEAT_S = 0.6
"""A parenthetical (``(pause)``, ``(beer raised)``) costs a beat of performance."""
MIN_ACTION_S = 2.0
MIN_DIALOGUE_S = 1.2
CJK_CHARS_PER_WORD = 2.5
"""Japanese and Chinese have no spaces: count characters, about this many to a word."""

_WORD_RE = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*")
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def word_count(text: str) -> float:
    """Words in ``text``; CJK characters count as a fraction of a word each."""
    cjk = len(_CJK_RE.findall(text))
    latin = len(_WORD_RE.findall(_CJK_RE.sub(" ", text)))
    return latin + cjk / CJK_CHARS_PER_WORD


def speech_duration(text: str, *, sung: bool = False) -> float:
    """Seconds to say (or sing) ``text`` at a natural rate, with a breath before it."""
    return LINE_BREATH_S + word_count(text) / (SUNG_WPS if sung else DIALOGUE_WPS)


def dialogue_duration(element: Dialogue) -> float:
    """Seconds a dialogue block takes on screen: its words, plus a beat per parenthetical.

    Args:
        element: the dialogue block.

    Returns:
        Seconds, at least :data:`MIN_DIALOGUE_S`.
    """
    pauses = sum(1 for part in element.parts if part.kind == "parenthetical")
    if not element.parts and element.parenthetical:
        pauses = 1
    seconds = speech_duration(element.text, sung=is_sung(element)) + pauses * PARENTHETICAL_BEAT_S
    return max(MIN_DIALOGUE_S, seconds)


def is_sung(element: Dialogue) -> bool:
    """Whether a dialogue block is all lyrics (``~Happy birthday to you!``)."""
    spoken = [part for part in element.parts if part.kind != "parenthetical"]
    return bool(spoken) and all(part.kind == "lyrics" for part in spoken)


def action_duration(text: str, minimum: float = MIN_ACTION_S) -> float:
    """Seconds an action beat plays: its length at reading pace, never less than ``minimum``."""
    return max(minimum, ACTION_BEAT_S + word_count(text) / ACTION_WPS)


# --------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------

GENERIC_NAMES = frozenset(
    "VOICE MAN WOMAN GIRL BOY KID SON DAUGHTER MOTHER FATHER MOM DAD NURSE DOCTOR GUARD "
    "DRIVER WAITER WAITRESS STUDENT TEACHER OFFICER COP CROWD ALL EVERYONE BOTH NARRATOR "
    "HUSBAND WIFE BABY".split()
)
"""Single-word character names that are also common words: matched in capitals only."""
COMPOUND_CUE_RE = re.compile(r"\s+(?:AND|&)\s+")
"""Joins the names of a cue spoken by several characters (``EDWARD AND WILL``)."""
_POSSESSIVE = r"(?:['’][sS]|['’])?"
_CONTRACTION_TAILS = frozenset({"S", "T", "LL", "RE", "VE", "D"})


def display_name(name: str) -> str:
    """A canonical character name as prose writes it: ``WILL'S DATE`` -> ``Will's Date``.

    Names already in mixed case (``McCABE``) are kept.
    """
    if any(ch.islower() for ch in name):
        return name

    def word(token: str) -> str:
        pieces = re.split(r"(['’-])", token)
        out = []
        for i, piece in enumerate(pieces):
            if i % 2:
                out.append(piece)
            elif i and pieces[i - 1] in "'’" and piece.upper() in _CONTRACTION_TAILS:
                out.append(piece.lower())
            else:
                out.append(piece[:1].upper() + piece[1:].lower())
        return "".join(out)

    return " ".join(word(token) for token in name.split(" "))


@dataclass(frozen=True)
class Cast:
    """The script's characters, found in text by name or alias (``BRICK BRADDOCK``, ``Brick``).

    Names match in capitals or as prose writes them, with or without a possessive
    (``TOMAS'S``, ``Edward’s``), never in lower case (``will`` is not ``WILL``).
    """

    names: tuple[str, ...]
    introductions: dict[str, str] = field(default_factory=dict)
    _variants: dict[str, str] = field(default_factory=dict)
    _pattern: re.Pattern[str] | None = None

    @classmethod
    def from_script(cls, script: Script) -> Cast:
        """The cast of ``script`` (built once per distinct character bible)."""
        key = tuple((c.name, tuple(c.aliases), c.introduction or "") for c in script.characters)
        return _cast_for(key)

    def find(self, text: str) -> list[str]:
        """Canonical names of the characters named in ``text``, in order of first mention."""
        if self._pattern is None or not text:
            return []
        found: dict[str, None] = {}
        for match in self._pattern.finditer(text):
            name = self._variants.get(match.group("name").upper())
            if name:
                found.setdefault(name, None)
        return list(found)

    @property
    def name_words(self) -> frozenset[str]:
        """Every word of every name and alias, in capitals (``BRICK``, ``BRADDOCK``)."""
        return frozenset(
            word
            for variant in self._variants
            for word in variant.split()
            if word not in GENERIC_NAMES and word not in COMMON_SHORT_WORDS and len(word) > 1
        )

    def find_heads(self, phrase: str, *, possessive: bool = True) -> list[str]:
        """Who a phrase is about: ``Will's mother Sandra`` is SANDRA, ``TOMAS'S EYES`` TOMAS.

        A possessive name followed by another name is dropped, and with
        ``possessive=False`` every possessive is (``BAXTER'S KITCHEN`` is a place);
        otherwise as :meth:`find`.
        """
        if self._pattern is None:
            return []
        matches = list(self._pattern.finditer(phrase))
        heads: dict[str, None] = {}
        for i, match in enumerate(matches):
            owner = match.end() > match.end("name")
            if owner and (not possessive or i + 1 < len(matches)):
                continue
            name = self._variants.get(match.group("name").upper())
            if name:
                heads.setdefault(name, None)
        return list(heads)

    def expand(self, speaker: str) -> list[str]:
        """The characters behind a cue: ``EDWARD AND WILL`` speaks as ``EDWARD`` and ``WILL``."""
        parts = COMPOUND_CUE_RE.split(speaker)
        if len(parts) > 1:
            resolved = [self._variants.get(part.strip().upper()) for part in parts]
            if all(resolved):
                return list(dict.fromkeys(name for name in resolved if name))
        return [speaker]


@lru_cache(maxsize=16)
def _cast_for(key: tuple[tuple[str, tuple[str, ...], str], ...]) -> Cast:
    variants: dict[str, str] = {}
    for name, aliases, _ in key:
        if COMPOUND_CUE_RE.search(name):
            continue
        for variant in (name, *aliases):
            variants.setdefault(variant.upper(), name)
    forms: set[str] = set()
    for variant in variants:
        forms.add(variant)
        if variant not in GENERIC_NAMES:
            forms.add(display_name(variant))
    pattern = None
    if forms:
        alternation = "|".join(
            re.escape(form) for form in sorted(forms, key=lambda f: (-len(f), f))
        )
        pattern = re.compile(rf"(?<![\w'’])(?P<name>{alternation}){_POSSESSIVE}(?![\w])")
    return Cast(
        names=tuple(name for name, _, _ in key),
        introductions={name: intro for name, _, intro in key if intro},
        _variants=variants,
        _pattern=pattern,
    )


# --------------------------------------------------------------------------------------
# Sentences and beats
# --------------------------------------------------------------------------------------

_SENTENCE_BREAK_RE = re.compile(
    r"(?P<end>[.!?…]+[\"'”’)\]]*)\s+(?=[\"'“‘(\[]*[A-Z0-9À-ÖØ-Þ])|(?P<cjk>[。！？]+)"
)
_ABBREVIATION_RE = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Mt|Lt|Sgt|Capt|Col|Gen|Prof|Rev|vs|No|Fig)|\b[A-Z])\.$"
)
BEAT_MAX_WORDS = 24
"""A beat grows sentence by sentence up to about this many words."""
BEAT_MIN_WORDS = 5
"""A shorter trailing beat joins the one before it."""


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``; line breaks always end a sentence.

    ``Dr. Bennett`` and initials do not end one, and Japanese ``。`` does.
    """
    sentences: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        start = 0
        for match in _SENTENCE_BREAK_RE.finditer(line):
            end = match.end("end") if match.group("end") else match.end("cjk")
            head = line[start:end].strip()
            if match.group("end") and _ABBREVIATION_RE.search(head):
                continue
            if head:
                sentences.append(head)
            start = match.end()
        tail = line[start:].strip()
        if tail:
            sentences.append(tail)
    return sentences


def split_beats(text: str, cast: Cast) -> list[str]:
    """Split an action paragraph into beats: one shot each.

    Sentences join until a beat reaches :data:`BEAT_MAX_WORDS`; a new beat starts where the
    writer calls a shot (``ANGLE ON``, ``We PULL BACK``), and where description of the
    place gives way to the first character (``A gorgeous day. | But BRICK sits...``).
    A very short last beat joins the one before.

    Args:
        text: the paragraph.
        cast: the script's characters.

    Returns:
        The beats, each one or more whole sentences.
    """
    beats: list[list[str]] = []
    words: list[float] = []
    named: list[bool] = []
    for sentence in split_sentences(text):
        count = word_count(sentence)
        has_names = bool(cast.find(sentence)) or CLOSE_RE.search(sentence) is not None
        new_beat = (
            not beats
            or words[-1] + count > BEAT_MAX_WORDS
            or parse_direction(sentence, cast) is not None
            or _CAMERA_START_RE.match(sentence) is not None
            or (not named[-1] and has_names and words[-1] >= 3)
        )
        if new_beat:
            beats.append([sentence])
            words.append(count)
            named.append(has_names)
        else:
            beats[-1].append(sentence)
            words[-1] += count
            named[-1] = named[-1] or has_names
    if (
        len(beats) > 1
        and words[-1] < BEAT_MIN_WORDS
        and words[-2] + words[-1] <= BEAT_MAX_WORDS + 8
    ):
        last = beats.pop()
        if parse_direction(last[0], cast) is None:
            beats[-1].extend(last)
        else:
            beats.append(last)
    return [" ".join(beat) for beat in beats]


# --------------------------------------------------------------------------------------
# The writer's shot directions
# --------------------------------------------------------------------------------------


@dataclass(slots=True)
class Framing:
    """A framing the writer asked for, or the planner read from the text.

    ``None`` fields are left to the planner's defaults.
    """

    size: Size | None = None
    angle: Angle | None = None
    movement: Movement | None = None
    subjects: list[str] = field(default_factory=list)
    label: str = ""
    """The writer's words for the shot, e.g. ``CLOSE ON MARGOT``."""
    subject_phrase: str = ""
    """What the shot is on, as written: ``TOMAS'S EYES``, ``THE LETTER``."""
    rest: str = ""
    """Text after the direction: what happens in the shot."""
    pov_owner: str = ""
    """Whose point of view (``SNIPER SCOPE``, ``JOHN``), for POV shots."""


# fmt: off
SHOT_DIRECTIONS: tuple[tuple[str, Size | None, Angle | None, Movement | None], ...] = (
    (r"EXTREME CLOSE[- ]?UPS?(?: ON)?|EXTREME CLOSE ON|XCU|ECU|E\.C\.U\.", "ECU", None, None),
    (r"MEDIUM CLOSE[- ]?UPS?(?: ON)?|MCU", "MCU", None, None),
    (r"CLOSE[- ]?UPS?(?: ON)?|CLOSE ON|CLOSE SHOT(?: ON)?|TIGHT(?: SHOT)? ON|CU|C\.U\.",
     "CU", None, None),
    (r"INSERT(?: SHOT)?(?: ON| OF)?", "INSERT", None, None),
    (r"EXTREME WIDE(?: SHOT)?(?: ON| OF)?|EXTREME LONG SHOT|EWS|ELS|ESTABLISHING(?: SHOT)?",
     "EWS", None, None),
    (r"AERIAL(?: SHOT| VIEW)?(?: ON| OF)?", "EWS", "high", "crane"),
    (r"WIDE(?: SHOT| ANGLE)?(?: ON| OF)?|LONG SHOT|WS", "WS", None, None),
    (r"FULL SHOT(?: ON| OF)?|FS", "FS", None, None),
    (r"MEDIUM(?: SHOT)?(?: ON| OF)?|MID[- ]SHOT|MS", "MS", None, None),
    (r"TWO[- ]SHOT(?: ON| OF)?|2[- ]SHOT", "MS", None, None),
    (r"OVER(?: THE)? SHOULDER(?: SHOT)?(?: ON)?|OTS", None, "OTS", None),
    (r"(?:BIRD['’]?S[- ]EYE|OVERHEAD|TOP[- ]DOWN)(?: SHOT| VIEW| ANGLE)?(?: ON| OF)?",
     None, "overhead", None),
    (r"HIGH ANGLE(?: ON| OF)?", None, "high", None),
    (r"LOW ANGLE(?: ON| OF)?", None, "low", None),
    (r"DUTCH(?: ANGLE| TILT)?(?: ON)?", None, "dutch", None),
    (r"TRACKING(?: SHOT)?(?: WITH| ON)?|TRACK WITH|MOVING WITH|MOVING(?: SHOT)?|FOLLOWING",
     None, None, "tracking"),
    (r"HANDHELD(?: SHOT)?(?: ON)?", None, None, "handheld"),
    (r"CRANE(?: SHOT| UP| DOWN)?(?: ON| TO)?", None, None, "crane"),
    (r"DOLLY(?: SHOT| IN| OUT)?(?: ON| TO)?", None, None, "dolly"),
    (r"PUSH(?:ING)? IN(?: ON| TO)?|MOVE IN(?: ON)?|RUSH IN(?: ON)?", None, None, "push in"),
    (r"PULL(?:ING)? (?:BACK|OUT)(?: TO REVEAL)?", "WS", None, "pull out"),
    (r"PAN(?:NING)?(?: TO| WITH| ACROSS| ON)?", None, None, "pan"),
    (r"ZOOM(?: IN| OUT)?(?: ON| TO)?", None, None, "zoom"),
    (r"BACK TO (?:THE )?SCENE|RESUME SCENE", "WS", None, None),
    (r"(?:NEW |ANOTHER |REVERSE )?ANGLE(?: ON)?|REVERSE(?: ON)?|BACK ON|FAVOU?RING",
     None, None, None),
    (r"ON", None, None, None),
)
# fmt: on
"""The writer's camera language at the start of a paragraph or sentence, in the order
tried: pattern (upper case, as written), size, angle, movement; ``None`` leaves it open."""

_DIRECTION_RES = tuple(
    (
        re.compile(rf"^(?P<kw>{pattern})(?![\w'’.])(?P<sep>\s*(?:--|[–—:,])\s*|\s+-+\s+|\s+|$)"),
        size,
        angle,
        move,
    )
    for pattern, size, angle, move in SHOT_DIRECTIONS
)
_POV_RE = re.compile(
    r"^(?:(?P<owner>[A-Z0-9][A-Z0-9 .'’&-]*?)(?:['’]S)?\s+)?(?:POV|P\.O\.V\.?|POINT OF VIEW)"
    r"(?![\w])(?:\s*(?:--|[-–—:,.])\s*(?P<rest>.*))?$",
    re.DOTALL,
)
_PHRASE_END_RE = re.compile(r"\s*(?:--|[,;:.!?—–]|\s-\s)")
_MAX_PHRASE_WORDS = 8


def _subject_phrase(rest: str) -> tuple[str, str]:
    """Split what follows a direction into the thing it is on and the remaining text."""
    first_line, _, more = rest.partition("\n")
    if not any(ch.islower() for ch in first_line):
        return first_line.strip(" .:-–—"), more.strip()
    match = _PHRASE_END_RE.search(rest)
    if match is None:
        return rest.strip(), ""
    return rest[: match.start()].strip(), rest[match.start() :].lstrip(" ,;:.-–—").strip()


def parse_direction(text: str, cast: Cast) -> Framing | None:
    """The shot the writer calls at the start of ``text``, if any.

    ``EXTREME CLOSE UP - TOMAS'S EYES`` is an ECU on TOMAS; ``INSERT - THE LETTER`` an insert;
    ``SNIPER SCOPE POV`` a POV; ``ON WILL AND SANDRA`` a shot of the two of them. Keywords
    count only in capitals, so ``On his desk...`` is plain action.

    Args:
        text: an action paragraph or sentence, a Shot paragraph or a scene heading.
        cast: the script's characters, to resolve who the shot is on.

    Returns:
        The framing, or ``None`` when ``text`` does not start with a shot direction.
    """
    text = text.strip()
    head = text.split("\n", 1)[0]
    pov = _POV_RE.match(head)
    if pov is not None:
        owner = (pov.group("owner") or "").strip()
        rest = ((pov.group("rest") or "") + "\n" + text[len(head) :]).strip()
        owners = cast.find(owner)
        return Framing(
            angle="POV",
            label=head.strip(),
            subject_phrase=owner,
            rest=rest,
            pov_owner=owners[0] if owners else owner,
        )
    for regex, size, angle, movement in _DIRECTION_RES:
        match = regex.match(text)
        if match is None:
            continue
        rest = text[match.end() :]
        phrase, remainder = _subject_phrase(rest)
        if match.group("kw") == "ON" and (
            not phrase
            or any(ch.islower() for ch in phrase)
            or len(phrase.split()) > _MAX_PHRASE_WORDS
        ):
            return None
        if len(phrase.split()) > _MAX_PHRASE_WORDS:
            phrase, remainder = "", rest.strip()
        on_phrase = movement is None or match.group("kw").endswith((" ON", " WITH", " OF"))
        return Framing(
            size=size,
            angle=angle,
            movement=movement,
            subjects=cast.find_heads(phrase),
            label=(text[: match.end()].rstrip(" ,:") + (" " + phrase if phrase else "")).strip(),
            subject_phrase=phrase if on_phrase else "",
            rest=remainder,
        )
    return None


# --------------------------------------------------------------------------------------
# Transitions and on-screen text
# --------------------------------------------------------------------------------------

TRANSITION_RULES: tuple[tuple[re.Pattern[str], TransitionIn], ...] = (
    (re.compile(r"SMASH", re.I), "smash cut"),
    (re.compile(r"DISSOLVE|MIX|CROSS[- ]?FADE|RIPPLE|MELT|MORPH", re.I), "dissolve"),
    (re.compile(r"FADE|IRIS|BURN|TO BLACK|TO WHITE|WIPE|フェード", re.I), "fade"),
)
"""How a written transition begins the next shot; anything else (``CUT TO:``) is a cut."""

_TRANSITION_ACTION_RE = re.compile(
    r"^(?:FADE (?:IN|OUT|UP|TO [A-Z ]+|FROM [A-Z ]+)|(?:[A-Z]+ )*(?:CUT|DISSOLVE|FADE|WIPE) TO"
    r"(?: [A-Z]+)?|(?:[A-Z]+ )*CUT TO|CUT TO BLACK|SMASH CUT|DISSOLVE|INTERCUT(?: WITH)?"
    r"|フェード(?:イン|アウト))\s*[.:：。]?$"
)


def transition_for(text: str) -> TransitionIn:
    """The transition a written ``... TO:`` line gives the next shot (``cut`` by default)."""
    for regex, transition in TRANSITION_RULES:
        if regex.search(text):
            return transition
    return "cut"


def transition_marker(text: str) -> bool:
    """Whether an action paragraph is really a transition (``FADE IN:`` written as action)."""
    return bool(_TRANSITION_ACTION_RE.match(text.strip()))


_TITLE_RE = re.compile(
    r"^(?:SUPER(?:IMPOSED?)?|TITLE CARD|TITLES?|MAIN TITLES?|CHYRON|CARD|INTERTITLE|SUBTITLES?"
    r"|CAPTION|LOWER THIRD|ON[- ]SCREEN(?: TEXT)?|TEXT ON SCREEN|TEXT)"
    r"(?:\s+(?:OVER|IN|ON SCREEN|CARD))?\s*[:\-–—]\s*(?P<text>.*)$",
    re.DOTALL,
)
_OPENING_TITLES_RE = re.compile(
    r"^(?:OPENING|MAIN|END|CLOSING) (?:TITLES?|CREDITS)(?: (?:OVER|BEGIN|SEQUENCE))?\W*$"
)
_QUOTES = "\"'“”‘’"


def title_text(text: str) -> str | None:
    """The on-screen words of ``SUPER: "Paris, 1998"`` and friends; ``None`` if not a title.

    A bare ``TITLE OVER:`` returns ``""``: the words follow in the next element.
    """
    match = _TITLE_RE.match(text.strip())
    if match is None:
        return None
    return match.group("text").strip().strip(_QUOTES).strip()


def title_marker(text: str) -> bool:
    """``TITLE OVER:``, ``OPENING TITLES``: the title's words follow (or are the script's title)."""
    stripped = text.strip()
    return title_text(stripped) == "" or bool(_OPENING_TITLES_RE.match(stripped))


def opening_titles(text: str) -> bool:
    """Whether a heading or line announces a titles sequence."""
    return bool(_OPENING_TITLES_RE.match(text.strip()))


_WRITTEN_RE = re.compile(
    r"\b(?:reads?|written|writes|handwritten|hand written|scrawled|printed|inscription|says)\b"
    r"[^.!?]*:\s*$",
    re.I,
)


def written_insert_cue(text: str) -> bool:
    """Whether an action line introduces written text (``...inside of which is hand written:``)."""
    return bool(_WRITTEN_RE.search(text.strip()))


# --------------------------------------------------------------------------------------
# What the text says about the picture
# --------------------------------------------------------------------------------------


def _words(alternation: str, flags: int = re.I) -> re.Pattern[str]:
    """A whole-word regex from ``a|b|c`` alternatives (case-insensitive by default)."""
    return re.compile(rf"\b(?:{alternation})\b", flags)


CAMERA_CUES: tuple[tuple[str, Movement, Size | None, Angle | None], ...] = (
    (r"PUSH(?:ES|ING)? IN|RUSH(?:ES|ING)? IN|MOVES? IN|MOVING IN|DOLLY IN|CREEP(?:S|ING)? IN",
     "push in", None, None),
    (r"PULL(?:S|ING)? (?:BACK|OUT)|WIDEN(?:S|ING)?|DOLLY OUT", "pull out", "WS", None),
    (r"TRACK(?:S|ING)?|FOLLOW(?:S|ING)?|MOVING (?:UP|WITH|ALONG|THROUGH|DOWN)",
     "tracking", None, None),
    (r"PAN(?:S|NING)?", "pan", None, None),
    (r"LOOK(?:S|ING)? DOWN", "tilt", None, "high"),
    (r"LOOK(?:S|ING)? UP", "tilt", None, "low"),
    (r"TILT(?:S|ING)?", "tilt", None, None),
    (r"CRANE(?:S|ING)?|RISES? (?:UP|ABOVE)|RISING ABOVE|BOOMS? UP", "crane", None, None),
    (r"ZOOM(?:S|ING)?", "zoom", None, None),
    (r"HOLD(?:S|ING)? ON|FREEZE FRAME", "static", None, None),
)  # fmt: skip
"""Camera verbs inside action: written in capitals (``We PULL BACK``) or after ``we`` or
``the camera`` in any case. Each gives a movement and, where it implies one, a size and angle."""

_CAMERA_RES = tuple(
    (
        _words(pattern, 0),
        _words(rf"(?:we|camera)\s+(?:slowly\s+|then\s+|now\s+)?(?:{pattern})"),
        movement,
        size,
        angle,
    )
    for pattern, movement, size, angle in CAMERA_CUES
)
_CAMERA_START_RE = re.compile(
    r"^(?:We|WE|The camera|CAMERA)\s+(?:slowly\s+|then\s+|now\s+|finally\s+)?"
    r"(?:PUSH|RUSH|MOVE|PULL|TRACK|FOLLOW|PAN|TILT|CRANE|RISE|ZOOM|HOLD|LOOK|BOOM|CREEP|DOLLY)",
    re.I,
)

REVEAL_RE = _words(r"reveal(?:s|ing|ed)?|we discover|we find|to discover")
"""A reveal: pull out to show what was hidden."""
WE_SEE_RE = _words(r"we (?:can )?(?:see|spot|notice|glimpse|catch sight of)")
"""The camera finds something: pan to it."""
FIGHT_RE = _words(
    r"fights?|fighting|punch(?:es|ed|ing)?|smack(?:s|ed|ing)?|slap(?:s|ped)?|slam(?:s|med|ming)?|"
    r"kick(?:s|ed|ing)?|stab(?:s|bed|bing)?|shoot(?:s|ing)?|fires? (?:at|twice|again|a shot)|"
    r"gunfire|gunshots?|struggl(?:e|es|ing)|wrestl(?:e|es|ing)|grappl(?:e|es|ing)|"
    r"tackl(?:e|es|ed)|scuffle|brawl|attack(?:s|ed|ing)?|explod(?:e|es|ing)|explosions?|erupts?|"
    r"smash(?:es|ed)|crash(?:es|ed|ing)?|blood|shatter(?:s|ed)?|roughing up"
)
"""Violence: handheld."""
CHASE_RE = _words(
    r"chas(?:e|es|ed|ing)|runs?|running|ran|rac(?:e|es|ing)|sprint(?:s|ing)?|fle(?:e|es|eing)|"
    r"bolts?|dash(?:es)?|speeds? (?:off|away)|barrel(?:s|ing|led)?|gallop(?:s|ing)?|"
    r"pursu(?:e|es|ing)|careen(?:s|ing)?|hurtl(?:e|es|ing)"
)
"""Pursuit and running: tracking."""
APPROACH_RE = _words(
    r"approach(?:es|ing)?|towards? (?:the )?camera|towards? us|comes? toward|closer and closer|"
    r"advanc(?:e|es|ing) on"
)
"""A figure coming at us: push in."""
WALK_RE = _words(
    r"walk(?:s|ing)?|stroll(?:s|ing)?|strides?|wander(?:s|ing)?|march(?:es|ing)|"
    r"heads? (?:down|up|for|to|toward|towards|back|out)|climbs?|drives?|driving|cruises?|rides?|"
    r"swims?"
)
"""A figure on the move: tracking."""
SPECTACLE_RE = _words(
    r"dozens|hundreds|thousands|millions|army|armies|hordes?|fleet|multitude|battlefield|stadium|"
    r"skyline|cityscape|panorama|as far as the eye|vast|sprawling|the whole town"
)
"""Spectacle: the widest shot, on a crane."""
VISTA_RE = _words(
    r"crowds?|crowded|landscape|horizon|valley|mountains?|ocean|sea|desert|forest|countryside|"
    r"river|lake|fields?|sky|town|city|streets?|bridge|the room|everyone|guests|passersby|swamp|"
    r"woods"
)
"""A place or a crowd: wide."""
DETAIL_RE = _words(
    r"letters?|envelopes?|cards?|notes?|photo(?:graph)?s?|pictures?|rings?|wedding band|clock|"
    r"keys?|phone|remote|buttons?|screen|monitor|tv|television|signs?|newspaper|headline|labels?|"
    r"map|tickets?|documents?|calculator|lock|doorknob|trigger|badge|wallet|coins?|scope|lure|"
    r"hook|eye patch|glass eye|bottle|sword"
)
"""Objects that get an insert when nobody is named with them."""
POSSESSED_DETAIL_RE = re.compile(
    r"\b(?:his|her|their|its|[A-Z][\w]*['’]s)\s+(?:[a-z]+\s+)?"
    r"(?P<what>rings?|wedding band|watch|hands?|fingers?|feet|foot|fists?|letters?|cards?|phone|"
    r"gun|pistol|keys?|wallet|badge|face|eyes|lips|mouth|tears)\b"
)
"""A character's hand, ring or face: the detail, not the character, is the shot."""
SOUND_RE = _words(
    r"hears?|sounds?|music|noise|laughter|silence|scream\w*|shout\w*|whisper\w*|thunder|"
    r"crash(?:es)?|bang|echo(?:es)?|hum|buzz\w*"
)
"""A beat about what we hear, not an object to cut to (``over the MUSIC``)."""
FACE_WORDS = frozenset({"face", "eyes", "lips", "mouth", "tears"})
CLOSE_RE = _words(
    r"inches away|fills? the (?:frame|screen|scope|lens)|close enough to touch|right in front of"
)
"""Things so close they fill the frame: close-up."""
INTROSPECT_RE = _words(
    r"stares?|staring|gazes?|smiles?|smiling|grins?|frowns?|cries|weeps?|sobs?|tears up|sighs?|"
    r"thinks?|contemplat\w*|regards?|watches|listens?|nods?|winces?|fuming|beams?|glares?|"
    r"blinks?|swallows?|realiz\w*|dumbstruck|transfixed|looks (?:at|into|to)|eyes (?:him|her)"
)
"""Inner life, read on a face: medium close-up."""
FULL_BODY_RE = _words(
    r"enters?|exits?|danc(?:e|es|ing)|jumps?|falls?|kneels?|crawls?|collaps(?:e|es)|stumbles?|"
    r"leaps?|dives?|stands up|gets up|rises|emerges?"
)
"""Whole-body action: full shot."""
ANGLE_CUES: tuple[tuple[re.Pattern[str], Angle], ...] = (
    (_words(r"overhead|bird['’]s[- ]eye|top[- ]down|directly above"), "overhead"),
    (_words(r"towers? over|towering|looms?|looming|from below|looking up at|giant"), "low"),
    (_words(r"looking down at|from above|far below|tiny figure"), "high"),
    (_words(r"dizzy|disoriented|woozy|delirious|hallucinat\w*|nightmarish"), "dutch"),
)
"""Angles the words imply, in the order tried; eye level otherwise."""
NOTE_CUES: tuple[tuple[re.Pattern[str], str], ...] = (
    (_words(r"freeze frame"), "freeze frame"),
    (_words(r"slow motion|slo-mo"), "slow motion"),
    (_words(r"intercut"), "intercut"),
    (_words(r"split screen"), "split screen"),
)
"""Editorial effects worth noting on the shot."""
EMOTION_RE = _words(
    r"closer|quietly|whisper\w*|softly|tearful\w*|crying|low|breaking|choked|furious|screaming|"
    r"shouting|pleading|desperate\w*|trembling|oh crap|oh shit|stunned|intense\w*"
)
"""Parentheticals and delivery that call for a close-up."""

_CAPS_PROP_RE = re.compile(
    r"\b(?:a|an|the|his|her|their|its)\s+(?:[A-Z][A-Z'’-]+\s+)*[A-Z]{3,}[A-Z'’-]*\b"
)
INSERT_MAX_WORDS = 16
DETAIL_MAX_WORDS = 20
"""A hand or a ring is the shot only in a short beat; in a longer one it is a detail of it."""
"""Only a short beat about an object is an insert; a longer one describes a place."""


@dataclass(slots=True)
class TextCues:
    """What an action beat's words say about its shot."""

    size: Size | None = None
    movement: Movement | None = None
    angle: Angle | None = None
    detail: str = ""
    """The object or body part an insert or close-up is on."""
    notes: list[str] = field(default_factory=list)


def _camera_cue(text: str) -> tuple[Movement, Size | None, Angle | None] | None:
    for caps_re, any_case_re, movement, size, angle in _CAMERA_RES:
        if caps_re.search(text) or any_case_re.search(text):
            return movement, size, angle
    return None


def _size_for(text: str, subjects: list[str], exterior: bool, cues: TextCues) -> Size:
    """Ordered size recognisers for an action beat, falling back on the subject count."""
    count = word_count(text)
    if CLOSE_RE.search(text):
        return "CU"
    possessed = POSSESSED_DETAIL_RE.search(text)
    if possessed is not None and count <= DETAIL_MAX_WORDS:
        cues.detail = possessed.group(0)
        return "CU" if possessed.group("what") in FACE_WORDS else "INSERT"
    if not subjects and count <= INSERT_MAX_WORDS and not SOUND_RE.search(text):
        detail = DETAIL_RE.search(text) or _CAPS_PROP_RE.search(text)
        if detail is not None:
            cues.detail = detail.group(0)
            return "INSERT"
    if SPECTACLE_RE.search(text):
        return "EWS" if exterior else "WS"
    if not subjects:
        return "EWS" if exterior and VISTA_RE.search(text) else "WS"
    if len(subjects) == 1:
        if FULL_BODY_RE.search(text):
            return "FS"
        return "MCU" if INTROSPECT_RE.search(text) else "MS"
    if len(subjects) == 2:
        return "MS"
    return "FS" if len(subjects) == 3 else "WS"


def _movement_for(text: str, size: Size) -> Movement:
    """Ordered movement recognisers for an action beat; ``static`` when none answers."""
    if size == "INSERT":
        return "static"
    if SPECTACLE_RE.search(text):
        return "crane"
    if FIGHT_RE.search(text):
        return "handheld"
    if CHASE_RE.search(text):
        return "tracking"
    if APPROACH_RE.search(text):
        return "push in"
    if REVEAL_RE.search(text):
        return "pull out"
    if WE_SEE_RE.search(text):
        return "pan"
    if WALK_RE.search(text) and size in ("FS", "MS", "WS"):
        return "tracking"
    return "static"


def _angle_for(text: str) -> Angle | None:
    for regex, angle in ANGLE_CUES:
        if regex.search(text):
            return angle
    return None


def read_cues(text: str, subjects: list[str], *, exterior: bool) -> TextCues:
    """Size, movement and angle an action beat's words call for.

    Args:
        text: the beat.
        subjects: the characters in it.
        exterior: whether the scene is outdoors (landscapes go extreme wide).

    Returns:
        The cues; camera verbs the writer used (``We PULL BACK``) take precedence.
    """
    cues = TextCues()
    camera = _camera_cue(text)
    cues.size = _size_for(text, subjects, exterior, cues)
    if camera is not None:
        movement, size, angle = camera
        cues.movement = movement
        if size is not None and cues.size not in ("EWS",):
            cues.size = size
        cues.angle = angle
        if movement == "push in" and cues.size in ("WS", "FS", "MS") and subjects:
            cues.size = "MCU"
    else:
        cues.movement = _movement_for(text, cues.size)
    cues.angle = cues.angle or _angle_for(text)
    cues.notes = [note for regex, note in NOTE_CUES if regex.search(text)]
    return cues


def is_emotional(element: Dialogue) -> bool:
    """Whether a line's delivery calls for a close-up (``(closer)``, ``(whispering)``, ``!!``)."""
    parenthetical = " ".join(p.text for p in element.parts if p.kind == "parenthetical")
    parenthetical = parenthetical or element.parenthetical or ""
    return bool(EMOTION_RE.search(parenthetical)) or element.text.count("!") >= 2


# --------------------------------------------------------------------------------------
# Prose for descriptions
# --------------------------------------------------------------------------------------

_CAPS_WORD_RE = re.compile(r"\b[A-Z][A-Z'’-]*[A-Z]\b")
_POSSESSIVE_TAIL_RE = re.compile(r"['’]S?$")
_SPACES_RE = re.compile(r"\s+")
_KEEP_CAPS_MAX = 3
"""Capitalised words this short (``TV``, ``VW``, ``FBI``) are acronyms and stay."""
COMMON_SHORT_WORDS = frozenset(
    "THE AND AN OF TO IN ON AT FOR BUT OR HIS HER ITS OUT OFF ALL ONE TWO BIG BAD OLD NEW HOT "
    "RED WE HE SHE HIM YOU NOT NO YES UP BY AS IS IT OH GO DIE END TOO WAY NOW BOX CAR DOG CAT "
    "GUN POP BAM HIT RUN SEE AGE".split()
)
"""Short words written in capitals for emphasis or sound, not acronyms: lowered."""
DESCRIPTION_MAX_WORDS = 32


def readable(text: str, cast: Cast) -> str:
    """``text`` as plain prose: names as prose writes them, emphasis capitals lowered.

    ``COGNITO, the criminal mastermind, is SLAMMED against the wall`` reads
    ``Cognito, the criminal mastermind, is slammed against the wall``.
    """
    text = _SPACES_RE.sub(" ", text).strip()
    if cast._pattern is not None:
        text = cast._pattern.sub(
            lambda m: display_name(m.group(0)) if m.group(0).isupper() else m.group(0), text
        )
    name_words = cast.name_words

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        bare = _POSSESSIVE_TAIL_RE.sub("", word)
        if bare in name_words:
            return display_name(word)
        if len(bare) <= _KEEP_CAPS_MAX and bare not in GENERIC_NAMES | COMMON_SHORT_WORDS:
            return word
        before = text[: match.start()].rstrip(' "“‘(')
        lowered = word.lower()
        if not before or before[-1] in ".!?:":
            return lowered[:1].upper() + lowered[1:]
        return lowered

    return _CAPS_WORD_RE.sub(fix, text)


def shorten(text: str, max_words: int = DESCRIPTION_MAX_WORDS, max_sentences: int = 2) -> str:
    """The first sentence or two of ``text``, cut at a word with ``…`` when too long."""
    sentences = split_sentences(text) or [text.strip()]
    kept: list[str] = []
    total = 0.0
    for sentence in sentences[:max_sentences]:
        count = word_count(sentence)
        if kept and total + count > max_words:
            break
        kept.append(sentence)
        total += count
    result = " ".join(kept)
    words = result.split()
    if len(words) > max_words:
        result = " ".join(words[:max_words]).rstrip(",;:-–—") + "…"
    return result
