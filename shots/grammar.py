"""The film-grammar shot planner: the default, deterministic, no key and no network.

It breaks each scene the way a first assistant director and a storyboard artist would:

* a new location, or a new time of day, opens on an establishing shot (extreme wide
  outside, wide inside); a scene that carries on where and when the last one was does not;
* shot directions the writer gave (``CLOSE ON``, ``INSERT``, ``SNIPER SCOPE POV``,
  ``ON WILL AND SANDRA``, Final Draft Shot paragraphs) are honoured as written;
* action is split into beats at sentence boundaries, one shot a beat, framed by what the
  words say (a crowd goes wide, a ring gets an insert, a chase is tracked, a fight handheld);
* dialogue gets a master or two-shot, then over-the-shoulder reverses and singles that keep
  each speaker on one side of the line; a voice-over plays over the picture, an off-screen
  line over a reaction of whoever is on screen;
* titles, ``SUPER:`` lines and centered text become title cards; written transitions
  become the next shot's transition.

Durations come from the words: dialogue at a speaking pace, action at a reading pace, so a
plan runs about a minute a page. :func:`shots.base.finish_plan` then assigns ids, seeds and
prompts, and fits a target duration.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar, Literal

from screenplay.model import SCREEN_KINDS, Dialogue, Element, Scene, Script
from shots._beats import (
    ACTION_WPS,
    CLOSE_RE,
    DETAIL_RE,
    DIALOGUE_WPS,
    SPECTACLE_RE,
    VISTA_RE,
    Cast,
    Framing,
    TextCues,
    action_duration,
    dialogue_duration,
    display_name,
    is_emotional,
    is_sung,
    opening_titles,
    parse_direction,
    read_cues,
    readable,
    shorten,
    speech_duration,
    split_beats,
    split_sentences,
    title_marker,
    title_text,
    transition_for,
    transition_marker,
    word_count,
    written_insert_cue,
)
from shots.base import MIN_SHOT_S, finish_plan
from shots.model import (
    Angle,
    DialogueLine,
    Movement,
    PlannerInfo,
    Shot,
    ShotPlan,
    Size,
    Style,
    TransitionIn,
)

__all__ = ["GrammarPlanner"]

VERSION = "1.0"

LENS_MM: dict[str, int] = {
    "EWS": 20,
    "WS": 25,
    "FS": 32,
    "MS": 40,
    "MCU": 50,
    "CU": 75,
    "ECU": 100,
    "INSERT": 90,
}
"""Focal length by shot size (35mm full-frame equivalent)."""
TWO_SHOT_LENS_MM = 35
OTS_LENS_MM = 50
POV_LENS_MM = 32

ESTABLISHING_S: dict[str, float] = {"EWS": 3.5, "WS": 3.0}
ESTABLISHING_MAX_S = 6.0
ESTABLISHING_BEAT_WORDS = 30
"""A first beat about the place, up to this long, plays in the establishing shot."""
"""An establishing shot that also shows the first beat holds no longer than this."""
TITLE_CARD_MIN_S = 2.5
TITLE_CARD_MAX_S = 6.0
TITLE_READ_WPS = 2.5
WRITTEN_LINE_WORDS = 4
"""After written text (a card, a note), short or broken lines are more of the writing."""
BARE_DIRECTION_S = 2.5
"""A direction with nothing after it (``CLOSE ON MARGOT``) holds this long."""
VOICE_HOLD_S = 0.5
"""A shot under a voice-over outlasts the line by this much."""
VOICE_PUSH_AFTER_S = 6.0
"""A static shot held longer than this under a voice-over becomes a slow push in."""
LONG_LINE_WORDS = 40
"""A speech longer than this is broken up with reaction shots of the listener."""
LINE_CHUNK_WORDS = 22
OTS_LINES = 3
"""Lines after the master covered in over-the-shoulder reverses before singles."""
REMASTER_EVERY = 8
"""A group scene goes back to its master after this many lines of singles."""
MAX_GROUP = 5

CONTINUITY_TIMES = frozenset(
    {"CONTINUOUS", "SAME", "SAME TIME", "LATER", "MOMENTS LATER", "A MOMENT LATER", "CONTINUED"}
)
"""Times of day that carry on from the scene before: no re-establishing for them."""
SIDES: tuple[str, ...] = ("camera left", "camera right", "center", "center left", "center right")
"""Screen positions, handed out in order of appearance and kept for the whole scene."""
SCREEN_ORDER = {
    "camera left": 0,
    "center left": 1,
    "center": 2,
    "center right": 3,
    "camera right": 4,
}
"""Left-to-right order of the sides, for listing who is in a shot."""

SIZE_LEADS: dict[str, str] = {
    "EWS": "Extreme wide on",
    "WS": "Wide on",
    "FS": "Full shot of",
    "MS": "Medium on",
    "MCU": "Medium close-up on",
    "CU": "Close on",
    "ECU": "Extreme close-up on",
    "INSERT": "Insert on",
}
SIZE_SHOTS: dict[str, str] = {
    "EWS": "Extreme wide shot",
    "WS": "Wide shot",
    "FS": "Full shot",
    "MS": "Medium shot",
    "MCU": "Medium close-up",
    "CU": "Close-up",
    "ECU": "Extreme close-up",
    "INSERT": "Insert",
}
"""The size alone, for shots that have no subject or place to name."""
MOVEMENT_LEADS: dict[str, str] = {
    "pan": "Panning",
    "tilt": "Tilting",
    "push in": "Pushing in",
    "pull out": "Pulling out",
    "dolly": "Dolly",
    "tracking": "Tracking",
    "handheld": "Handheld",
    "crane": "Crane",
    "zoom": "Zooming",
}

VOICE_EXT_RE = re.compile(r"V\.?\s*O\b|V/O|VOICE[- ]OVER|PRELAP|PRE-LAP|NARRAT", re.I)
"""Extensions heard over the picture, never seen speaking."""
OFF_EXT_RE = re.compile(r"O\.?\s*[SC]\b\.?|OFF(?:[- ]?SCREEN|[- ]?CAMERA)?\b", re.I)
"""Extensions spoken off-screen: covered by a reaction of who is on screen."""
DEVICE_EXT_RE = re.compile(r"PHONE|FILTER|RADIO|\bTV\b|SPEAKER|INTERCOM|WALKIE|ON SCREEN", re.I)
"""Extensions heard through a device: seen only if the speaker is in the scene."""
PLURAL_RE = re.compile(
    r"\b(?:they|them|their|both|the two|the men|the women|the boys|the girls|the kids|"
    r"the pair|the brothers|the sisters|each other|together)\b",
    re.I,
)
VOICE_NAME_RE = re.compile(r"\bVOICES?\b|\bNARRATOR\b")
"""Cue names that are only ever heard (``A MAN'S VOICE``, ``NARRATOR``)."""
PHONE_RE = re.compile(r"\b(?:phones?|on the line|receiver|speakerphone|voice)\b", re.I)
"""A scene on the phone: unnamed speakers are the other end of the line."""
PAUSE_RE = re.compile(r"\b(?:beat|pause|moment|silence|awkward\w*|tension|stillness)\b", re.I)
"""A beat of time between the characters (``A long beat.``): it stays on them."""
SINGULAR_RE = re.compile(r"\b(?:he|she|him|her|his)\b", re.I)
_ABOUT_THINGS_RE = re.compile(
    "|".join(regex.pattern for regex in (DETAIL_RE, VISTA_RE, SPECTACLE_RE, CLOSE_RE)), re.I
)
"""A beat about a thing or a place: it does not inherit the characters of the shot before."""
_PRONOUN_START_RE = re.compile(r"^(?:He|She)\b")
_OWNER_PRONOUN_RE = re.compile(r"^(?:his|her|their|its)\b")
_COMPOUND_CUE_RE = re.compile(r"\s+(?:AND|&)\s+")
_FADE_IN_RE = re.compile(r"\bIN\b|イン")
_QUOTE_RE = re.compile(r"[\"“”]")

ShotKind = Literal["establishing", "action", "dialogue", "reaction", "title", "direction"]
Mode = Literal["on", "voice", "off", "remote"]


@dataclass(frozen=True, slots=True)
class _Setting:
    """Where and when shots happen: copied onto each shot."""

    location: str | None = None
    int_ext: str | None = None
    time_of_day: str | None = None

    @property
    def place_key(self) -> tuple[str, str]:
        location = re.sub(r"[^\w]+", " ", (self.location or "").upper()).strip()
        return location, self.int_ext or ""

    @property
    def exterior(self) -> bool:
        """Outdoors, or unknown (an opening without a heading): landscapes may go extreme wide."""
        return self.int_ext in ("EXT", "EST", "INT/EXT") or self.location is None


@dataclass(slots=True)
class _SceneContext:
    """What a scene's plan needs from the rest of the script."""

    script: Script
    scene: Scene
    cast: Cast
    setting: _Setting
    previous: _Setting | None
    """The setting the audience was last shown, before this scene."""
    secondary: bool
    """A heading with neither INT./EXT. nor a time (``INSIDE``, ``NAK``): an angle, not a place."""
    incoming: TransitionIn | None
    first: bool
    """The script's first shots: they fade in."""
    partner: Scene | None = None
    """The scene this one is intercut with."""
    partner_setting: _Setting | None = None


@dataclass(slots=True)
class _Planned:
    """A shot under construction, with what the planner remembers about it."""

    shot: Shot
    kind: ShotKind
    open: bool = False
    """A bare direction (``ON WILL AND SANDRA``) waiting for what it shows."""
    voice: bool = False
    """Already carries a voice-over."""
    lead: str = ""
    """The framing part of the description, e.g. ``Close on Margot``."""


class GrammarPlanner:
    """Rule-based film-grammar planner: the same script always gives the same plan."""

    name: ClassVar[str] = "grammar"

    def plan(
        self, script: Script, *, style: Style, target_duration_s: float | None = None
    ) -> ShotPlan:
        """Plan every scene of ``script``.

        Args:
            script: the parsed screenplay.
            style: the plan's look.
            target_duration_s: scale the plan to this total (commercials: 15, 30, 60 s);
                every beat keeps its shot.

        Returns:
            The finished plan, with ids, prompts and seeds.
        """
        shots: list[Shot] = []
        for scene in script.scenes:
            shots.extend(self.plan_scene(script, scene))
        info = PlannerInfo(
            name=self.name,
            version=VERSION,
            settings={
                "dialogue_wps": DIALOGUE_WPS,
                "action_wps": ACTION_WPS,
                "min_shot_s": MIN_SHOT_S,
                "long_line_words": LONG_LINE_WORDS,
            },
        )
        return finish_plan(
            script, shots, style=style, planner=info, target_duration_s=target_duration_s
        )

    def plan_scene(self, script: Script, scene: Scene) -> list[Shot]:
        """Plan one scene of ``script``.

        The scene is read in the context of the ones before it (is the location new? which
        transition leads in? is it intercut?), so planning it alone gives the same shots as
        planning the whole script.

        Args:
            script: the script the scene belongs to.
            scene: the scene.

        Returns:
            Its shots, in order, with ``<scene number>-NN`` ids (reassigned by
            :func:`shots.base.finish_plan`), ``covers`` naming the scene elements shown.
        """
        return _ScenePlanner(_context(script, scene)).run()


# --------------------------------------------------------------------------------------
# The scene in its script
# --------------------------------------------------------------------------------------


def _located(scene: Scene) -> bool:
    return scene.heading is not None and (
        scene.int_ext is not None or scene.time_of_day is not None
    )


def _has_screen(scene: Scene) -> bool:
    return any(element.kind in SCREEN_KINDS for element in scene.elements)


def _resolved_time(scenes: list[Scene]) -> str | None:
    """The last real time of day (``NIGHT``) among ``scenes``, skipping ``CONTINUOUS``."""
    for scene in reversed(scenes):
        if _located(scene) and scene.time_of_day and scene.time_of_day not in CONTINUITY_TIMES:
            return scene.time_of_day
    return None


def _setting_of(scene: Scene, before: list[Scene]) -> _Setting:
    """A located scene's setting, its ``CONTINUOUS`` time resolved from the scenes before."""
    time = scene.time_of_day
    if time is None or time in CONTINUITY_TIMES:
        time = _resolved_time(before) or time
    return _Setting(scene.location, scene.int_ext, time)


def _last_setting(scenes: list[Scene]) -> _Setting | None:
    for i in range(len(scenes) - 1, -1, -1):
        if _located(scenes[i]):
            return _setting_of(scenes[i], scenes[:i])
    return None


def _incoming(previous: Scene | None) -> tuple[TransitionIn | None, bool]:
    """The transition that ends ``previous`` (if nothing on screen follows it), and
    whether it is an intercut."""
    if previous is None:
        return None, False
    for element in reversed(previous.elements):
        text = element.text.strip()
        if element.kind == "transition" or (element.kind == "action" and transition_marker(text)):
            return transition_for(text), "INTERCUT" in text.upper()
        if element.kind in SCREEN_KINDS:
            break
    return None, False


def _context(script: Script, scene: Scene) -> _SceneContext:
    index = next(
        (i for i, candidate in enumerate(script.scenes) if candidate is scene),
        next((i for i, c in enumerate(script.scenes) if c.id == scene.id), len(script.scenes)),
    )
    before = script.scenes[:index]
    previous = _last_setting(before)
    secondary = scene.heading is not None and not _located(scene)
    if _located(scene):
        setting = _setting_of(scene, before)
    elif secondary and previous is not None:
        setting = previous
    else:
        setting = _Setting(scene.location, scene.int_ext, scene.time_of_day)
    incoming, intercut = _incoming(before[-1] if before else None)
    first = all(s.heading is None and not _has_screen(s) for s in before)
    context = _SceneContext(
        script=script,
        scene=scene,
        cast=Cast.from_script(script),
        setting=setting,
        previous=previous,
        secondary=secondary,
        incoming=incoming,
        first=first,
    )
    if intercut and before:
        context.partner = before[-1]
        context.partner_setting = _last_setting(before) or setting
    return context


# --------------------------------------------------------------------------------------
# Prose
# --------------------------------------------------------------------------------------

_WORD_CHARS_RE = re.compile(r"[^\W\d_]+")
_POSSESSIVE_CAPS_RE = re.compile(r"(['’])S\b")


def _place_name(setting: _Setting) -> str:
    """``BRICK'S PATIO`` -> ``Brick's Patio``; ``the scene`` when there is no location."""
    if not setting.location:
        return "the scene"
    titled = _WORD_CHARS_RE.sub(lambda m: m.group(0).capitalize(), setting.location.lower())
    return _POSSESSIVE_CAPS_RE.sub(r"\1s", titled)


def _names(names: list[str]) -> str:
    """``Brick``, ``Brick and Steel``, ``Will, Sandra and Edward``."""
    shown = [display_name(name) for name in names]
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def _quote(text: str, words: int = 16) -> str:
    return _QUOTE_RE.sub("'", shorten(" ".join(text.split()), words, 2))


def _speaker(character: str) -> tuple[str, bool]:
    """How prose names a cue, and whether it is several people (``EDWARD AND WILL``)."""
    parts = [part for part in _COMPOUND_CUE_RE.split(character) if part.strip()]
    return _names(parts), len(parts) > 1


def _says(line: DialogueLine, *, sung: bool = False) -> str:
    """``Steel (beer raised) says "To retirement."``"""
    quoted = _quote(line.text)
    who, plural = _speaker(line.character)
    verb = "sing" if sung else "ask" if quoted.endswith("?") else "say"
    verb = verb if plural else verb + "s"
    paren = f" ({line.parenthetical})" if line.parenthetical else ""
    return f'{who}{paren} {verb} "{quoted}"'


def _narrates(element: Dialogue, verb: str) -> str:
    """``Edward narrates: "There are some fish..."``"""
    return f'{_speaker(element.character)[0]} {verb}: "{_quote(element.text)}"'


def _together(lines: list[DialogueLine]) -> str:
    """Dual dialogue in words: ``Steel and Brick say "Screw retirement." together``."""
    if len({" ".join(line.text.lower().split()) for line in lines}) == 1:
        who = _names([line.character for line in lines])
        return f'{who} say "{_quote(lines[0].text)}" together'
    return f"{_says(lines[0])} as {_says(lines[1])}, at once"


def _possessed(detail: str, subjects: list[str]) -> str:
    """``his wedding band`` on EDWARD -> ``Edward's wedding band``."""
    if _OWNER_PRONOUN_RE.match(detail.lower()):
        detail = detail[:1].lower() + detail[1:]
    if subjects:
        owner = display_name(subjects[0]) + "'s"
        return _OWNER_PRONOUN_RE.sub(owner, detail, count=1)
    return _OWNER_PRONOUN_RE.sub("the", detail, count=1)


def _with_note(*notes: str) -> str:
    """Notes joined with ``; ``, empty ones dropped."""
    return "; ".join(note for note in notes if note)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _sentence(text: str) -> str:
    text = text.strip().rstrip(":;,-–— ")
    if text and text[-1] not in ".!?…\"'”’)。！？":
        text += "."
    return text[:1].upper() + text[1:]


def _line(element: Dialogue, text: str | None = None, *, first: bool = True) -> DialogueLine:
    return DialogueLine(
        character=element.character,
        text=" ".join((text if text is not None else element.text).split()),
        extension=element.extension,
        parenthetical=element.parenthetical if first else None,
    )


def _chunks(text: str, size: int = LINE_CHUNK_WORDS) -> list[str]:
    """A long speech in pieces of whole sentences, about ``size`` words each."""
    pieces: list[str] = []
    count = 0.0
    for sentence in split_sentences(text):
        words = word_count(sentence)
        if pieces and count < size:
            pieces[-1] += " " + sentence
            count += words
        else:
            pieces.append(sentence)
            count = words
    if len(pieces) > 1 and word_count(pieces[-1]) < size / 3:
        tail = pieces.pop()
        pieces[-1] += " " + tail
    return pieces or [text]


# --------------------------------------------------------------------------------------
# One scene
# --------------------------------------------------------------------------------------


class _ScenePlanner:
    """Walks one scene's elements in order and covers each with shots."""

    def __init__(self, context: _SceneContext) -> None:
        self.ctx = context
        self.scene = context.scene
        self.cast = context.cast
        self.planned: list[_Planned] = []
        self.transition: TransitionIn | None = context.incoming or (
            "fade" if context.first else None
        )
        self.pending: list[int] = []
        """Elements (``FADE IN:``, ``TITLE OVER:``) the next shot covers."""
        self.last_subjects: list[str] = []
        self.last_group: list[str] = []
        self.last_speaker: str | None = None
        self.sides: dict[str, str] = {}
        self.mastered: frozenset[str] = frozenset()
        self.lines_since_master = 0
        self.title_pending = False
        self.title_over_picture = False
        self.writing: Literal["cued", "reading"] | None = None
        """Written text (a card, a note) is on screen: ``cued`` by ``...hand written:``."""
        self.skip_first_beat: int | None = None
        self.heading_framing = self._heading_framing()
        self.heading_prefix = self.scene.heading if context.secondary else None
        self.heading_lead: str | None = None
        """A secondary heading that is a place (``BACK IN THE APARTMENT``), to open the first
        shot's description."""
        self.scene_angle: Angle | None = (
            "POV" if self.heading_framing and self.heading_framing.angle == "POV" else None
        )
        self.titles = self.scene.heading is not None and opening_titles(self.scene.heading)
        if self.heading_prefix and self.heading_framing is None and not self.titles:
            self.heading_lead = _sentence(readable(self.heading_prefix, self.cast).capitalize())
        self.epigraph_until = self._epigraph_end()
        self.modes = self._modes()
        self.remote = self._remote()
        self.present = self._presence()
        self.group = self._group()

    # ---- reading the scene ------------------------------------------------------------

    def _heading_framing(self) -> Framing | None:
        """A secondary heading read as a shot: ``SNIPER SCOPE POV``, ``NAK``, ``ON THE TV``."""
        heading = self.scene.heading
        if heading is None or not self.ctx.secondary:
            return None
        framing = parse_direction(heading, self.cast)
        if framing is not None:
            return framing
        names = self.cast.find_heads(heading, possessive=False)
        if names:
            return Framing(subjects=names, label=heading, subject_phrase=heading)
        return None

    def _epigraph_end(self) -> int:
        """In an opening without a heading, lines before ``FADE IN:`` are cards on black."""
        if self.scene.heading is not None:
            return -1
        for index, element in enumerate(self.scene.elements):
            text = element.text.strip()
            is_fade_in = element.kind == "transition" or (
                element.kind == "action" and transition_marker(text)
            )
            if is_fade_in and _FADE_IN_RE.search(text.upper()):
                return index
        return -1

    def _raw_mode(self, element: Dialogue, heard: set[str]) -> Mode:
        extension = element.extension or ""
        if VOICE_EXT_RE.search(extension):
            return "voice"
        if OFF_EXT_RE.search(extension) or element.character in heard:
            return "off"
        return "on"

    def _modes(self) -> dict[int, Mode]:
        heard = self._heard_only()
        return {
            index: self._raw_mode(element, heard)
            for index, element in enumerate(self.scene.elements)
            if isinstance(element, Dialogue)
        }

    def _heard_only(self) -> set[str]:
        """Speakers heard but never seen: a ``VOICE``, or, in a scene on the phone, a speaker
        the action never names while it names the others."""
        speakers = {e.character for e in self.scene.elements if isinstance(e, Dialogue)}
        heard = {name for name in speakers if VOICE_NAME_RE.search(name)}
        action = " ".join(e.text for e in self.scene.elements if e.kind in ("action", "shot"))
        if PHONE_RE.search(action):
            mentioned = set(self._mentioned())
            if speakers & mentioned:
                heard |= {
                    name
                    for name in speakers
                    if not set(self.cast.expand(name)) & mentioned
                    and name not in self._partner_speakers()
                }
        return heard

    def _partner_speakers(self) -> set[str]:
        """Speakers of the scene this one is intercut with (they are seen there)."""
        partner = self.ctx.partner
        if partner is None:
            return set()
        return {e.character for e in partner.elements if isinstance(e, Dialogue)}

    def _mentioned(self) -> list[str]:
        """Characters the scene's action and heading name, in order."""
        names: dict[str, None] = {}
        if self.ctx.secondary and self.scene.heading:
            for name in self.cast.find_heads(self.scene.heading, possessive=False):
                names.setdefault(name, None)
        for element in self.scene.elements:
            if element.kind in ("action", "shot"):
                for name in self.cast.find(element.text):
                    names.setdefault(name, None)
        return list(names)

    def _remote(self) -> set[str]:
        """In an intercut, speakers seen in the other scene rather than this one."""
        partner = self.ctx.partner
        if partner is None:
            return set()
        mentioned = set(self._mentioned())
        there: set[str] = set()
        for element in partner.elements:
            if isinstance(element, Dialogue):
                there.update(self.cast.expand(element.character))
            elif element.kind in ("action", "shot"):
                there.update(self.cast.find(element.text))
        remote: set[str] = set()
        for index, element in enumerate(self.scene.elements):
            if isinstance(element, Dialogue) and self.modes[index] == "on":
                for name in self.cast.expand(element.character):
                    if name in there and name not in mentioned:
                        remote.add(name)
        return remote

    def _presence(self) -> list[str]:
        """Characters physically in the scene, in order of appearance."""
        present: dict[str, None] = {}
        mentioned = set(self._mentioned())
        if self.ctx.secondary and self.scene.heading:
            for name in self.cast.find_heads(self.scene.heading, possessive=False):
                present.setdefault(name, None)
        for index, element in enumerate(self.scene.elements):
            if element.kind in ("action", "shot"):
                for name in self.cast.find(element.text):
                    present.setdefault(name, None)
            elif isinstance(element, Dialogue) and self.modes[index] == "on":
                device = DEVICE_EXT_RE.search(element.extension or "")
                for name in self.cast.expand(element.character):
                    if name in self.remote or (device and name not in mentioned):
                        continue
                    present.setdefault(name, None)
        return list(present)

    def _group(self) -> list[str]:
        """Who a conversation's master shows: the on-camera speakers, or a speaker and
        the first character listening."""
        speaking: dict[str, None] = {}
        for index, element in enumerate(self.scene.elements):
            if isinstance(element, Dialogue) and self.modes[index] == "on":
                for name in self.cast.expand(element.character):
                    if name in self.present:
                        speaking.setdefault(name, None)
        group = [name for name in self.present if name in speaking]
        if len(group) == 1:
            listeners = [name for name in self.present if name not in speaking]
            group = [name for name in self.present if name in group or name in listeners[:1]]
        return group[:MAX_GROUP] if len(group) > MAX_GROUP else group

    def _mode(self, index: int, speakers: list[str]) -> Mode:
        mode = self.modes.get(index, "on")
        if mode != "on":
            return mode
        if all(name in self.remote for name in speakers):
            return "remote"
        if not any(name in self.present for name in speakers):
            return "off"
        return "on"

    # ---- walking the scene ------------------------------------------------------------

    def run(self) -> list[Shot]:
        """Plan the scene: open it, cover each element in order, close it."""
        self._open()
        elements = self.scene.elements
        index = 0
        while index < len(elements):
            element = elements[index]
            following = elements[index + 1] if index + 1 < len(elements) else None
            if (
                isinstance(element, Dialogue)
                and element.dual == "left"
                and isinstance(following, Dialogue)
                and following.dual == "right"
            ):
                self._dual(index, element, following)
                index += 2
                continue
            self._element(index, element)
            index += 1
        self._close()
        return [planned.shot for planned in self.planned]

    def _element(self, index: int, element: Element) -> None:
        if element.kind not in ("action", "note", "section", "synopsis", "page_break"):
            self.writing = None
        if element.kind == "transition":
            self._transition(index, element.text)
        elif element.kind == "action":
            self._action(index, element.text)
        elif isinstance(element, Dialogue):
            self._dialogue(index, element)
        elif element.kind == "shot":
            self._shot_direction(index, element.text)
        elif element.kind == "centered":
            self._title_card(index, element.text, over_picture=self.title_over_picture)
        elif element.kind == "lyrics":
            self._lyrics(index, element.text)

    def _first_screen(self) -> tuple[int, Element] | None:
        for index, element in enumerate(self.scene.elements):
            if element.kind in SCREEN_KINDS:
                text = element.text.strip()
                if element.kind == "action" and (not text or transition_marker(text)):
                    continue
                return index, element
        return None

    def _needs_establishing(self) -> str | None:
        """Why the scene opens on an establishing shot, or ``None``."""
        if self.scene.heading is None or self.ctx.secondary or self.titles:
            return None
        previous, current = self.ctx.previous, self.ctx.setting
        if previous is None:
            return "establishing: opening location"
        if previous.place_key != current.place_key:
            return "establishing: new location"
        time = self.scene.time_of_day
        if time and time not in CONTINUITY_TIMES and time != previous.time_of_day:
            return f"re-establishing: {previous.time_of_day or 'earlier'} to {time}"
        return None

    def _open(self) -> None:
        reason = self._needs_establishing()
        if reason is None:
            return
        first = self._first_screen()
        if first is not None:
            index, element = first
            text = element.text.strip()
            if element.kind == "shot" or (
                element.kind == "action" and parse_direction(text, self.cast) is not None
            ):
                return  # the writer chose how the scene opens
            if element.kind == "action" and title_text(text) is None and not title_marker(text):
                beats = split_beats(text, self.cast)
                if beats and self._about_place(beats[0]):
                    self.skip_first_beat = index
                    self._establishing(reason, index, beats[0])
                    return
        self._establishing(reason)

    def _about_place(self, beat: str) -> bool:
        """A beat with nobody in it, short enough for the establishing shot to show."""
        if self.cast.find(beat) or word_count(beat) > ESTABLISHING_BEAT_WORDS:
            return False
        read = read_cues(beat, [], exterior=self.ctx.setting.exterior)
        return read.size not in ("INSERT", "CU", "ECU")

    def _close(self) -> None:
        if self.title_pending:
            self._title_card(None, self.ctx.script.title, over_picture=False)
        if not self.planned:
            if self.scene.heading is None and not self.pending:
                return
            if self.scene.heading is None:
                self._black()
                return
            if self.heading_framing is not None:
                self._bare_direction(None, self.heading_framing)
            else:
                reason = self._needs_establishing() or "establishing: heading only"
                self._establishing(reason)
        if self.pending:
            self._attach(self.planned[-1], self.pending)
            self.pending = []

    def _black(self) -> None:
        """An opening that is only a transition (``FADE IN:``): a moment of black."""
        shot = self._new_shot(
            size="WS",
            covers=[],
            duration=MIN_SHOT_S,
            description="Black, then the picture fades in.",
            notes=["transition only"],
        )
        self._add(shot, "title", lead="Black")

    # ---- shots ------------------------------------------------------------------------

    def _new_shot(
        self,
        *,
        size: Size,
        covers: list[int],
        duration: float,
        subjects: list[str] | None = None,
        angle: Angle = "eye level",
        movement: Movement = "static",
        lens: int | None = None,
        description: str,
        notes: list[str] | None = None,
        dialogue: list[DialogueLine] | None = None,
        on_screen_text: str | None = None,
        setting: _Setting | None = None,
    ) -> Shot:
        setting = setting or self.ctx.setting
        return Shot(
            id=f"{self.scene.number}-{len(self.planned) + 1:02d}",
            scene_id=self.scene.id,
            scene_number=self.scene.number,
            size=size,
            angle=angle,
            movement=movement,
            lens_mm=lens or _lens(size, angle, len(subjects or [])),
            duration_s=round(max(MIN_SHOT_S, duration), 3),
            subjects=list(subjects or []),
            covers=sorted(set(covers)),
            dialogue=list(dialogue or []),
            description=description.strip() or "The scene.",
            on_screen_text=on_screen_text,
            notes=_with_note(*(notes or [])),
            location=setting.location,
            int_ext=setting.int_ext,
            time_of_day=setting.time_of_day,
        )

    def _add(self, shot: Shot, kind: ShotKind, *, lead: str = "", open_: bool = False) -> _Planned:
        """Append a shot: it takes the pending transition and pending elements."""
        shot.transition = self.transition or "cut"
        if self.ctx.first and not self.planned:
            shot.transition = "fade"  # the picture always fades in on the first shot
        self.transition = None
        if self.heading_lead and kind != "title":
            shot.description = f"{self.heading_lead} {shot.description}"
            shot.notes = _with_note(f"heading: {self.scene.heading}", shot.notes)
            self.heading_lead = None
        planned = _Planned(shot=shot, kind=kind, open=open_, lead=lead)
        self.planned.append(planned)
        if self.pending:
            self._attach(planned, self.pending)
            self.pending = []
        else:
            self._locate(shot)
        if shot.subjects:
            self.last_subjects = list(shot.subjects)
            if len(shot.subjects) >= 2:
                self.last_group = list(shot.subjects)
        return planned

    def _attach(self, planned: _Planned, indices: list[int]) -> None:
        planned.shot.covers = sorted(set(planned.shot.covers) | set(indices))
        self._locate(planned.shot)

    def _locate(self, shot: Shot) -> None:
        """Source line and page: the first element the shot covers, else the heading."""
        if shot.covers:
            element = self.scene.elements[shot.covers[0]]
            shot.source_line, shot.page = element.line, element.page
        else:
            shot.source_line, shot.page = self.scene.line, self.scene.page

    def _side(self, name: str) -> str:
        if name not in self.sides:
            taken = len(self.sides)
            self.sides[name] = SIDES[taken] if taken < len(SIDES) else "background"
        return self.sides[name]

    def _sides_note(self, names: list[str]) -> str:
        """``BRICK camera left, STEEL camera right``: the line the coverage keeps."""
        if len(names) < 2:
            return ""
        return ", ".join(f"{name} {self._side(name)}" for name in names)

    def _look(self, name: str, others: list[str]) -> str:
        """Which way ``name`` looks to meet the others' eyelines: toward them across the line."""
        mine = SCREEN_ORDER.get(self._side(name), 2)
        theirs = [SCREEN_ORDER.get(self._side(other), 2) for other in others if other != name]
        if not theirs:
            return ""
        average = sum(theirs) / len(theirs)
        if average == mine:
            return "looking camera right" if mine < 2 else "looking camera left"
        return "looking camera right" if average > mine else "looking camera left"

    def _single_note(self, name: str, others: list[str] | None = None) -> str:
        """``STEEL camera right, looking camera left``: a single that keeps the eyeline."""
        others = others if others is not None else [n for n in self.group if n != name]
        look = self._look(name, others)
        return f"{name} {self._side(name)}" + (f", {look}" if look else "")

    def _by_side(self, names: list[str]) -> list[str]:
        """``names`` from camera left to camera right (assigning sides to newcomers)."""
        for name in names:
            self._side(name)
        return sorted(names, key=lambda name: SCREEN_ORDER.get(self.sides[name], len(SIDES)))

    # ---- establishing and titles ------------------------------------------------------

    def _establishing(self, reason: str, index: int | None = None, beat: str = "") -> None:
        setting = self.ctx.setting
        size: Size = "EWS" if setting.int_ext in ("EXT", "EST") else "WS"
        duration = ESTABLISHING_S[size]
        where = _place_name(setting)
        when = f", {setting.time_of_day.lower()}" if setting.time_of_day else ""
        movement: Movement = "static"
        if beat:
            cues = read_cues(beat, [], exterior=setting.exterior)
            if cues.movement in ("crane", "pan", "pull out", "tracking"):
                movement = cues.movement
            duration = min(ESTABLISHING_MAX_S, max(duration, action_duration(beat)))
            description = (
                f"{SIZE_LEADS[size]} {where}{when}: {_sentence(readable(shorten(beat), self.cast))}"
            )
        else:
            description = f"{SIZE_LEADS[size]} {where}{when}, establishing the location."
        shot = self._new_shot(
            size=size,
            covers=[index] if index is not None else [],
            duration=duration,
            movement=movement,
            description=description,
            notes=[reason],
        )
        self._add(shot, "establishing", lead=f"{SIZE_LEADS[size]} {where}")

    def _title_card(self, index: int | None, text: str, *, over_picture: bool) -> None:
        words = "\n".join(line.strip() for line in text.strip().splitlines() if line.strip())
        words = words or self.ctx.script.title
        flat = " ".join(words.split())
        duration = min(
            TITLE_CARD_MAX_S, max(TITLE_CARD_MIN_S, 1.5 + word_count(flat) / TITLE_READ_WPS)
        )
        if over_picture:
            size: Size = "WS"
            where = _place_name(self.ctx.setting)
            description = f'Wide on {where} with the title "{flat}" superimposed.'
            notes = ["title over picture"]
        else:
            size = "INSERT"
            description = f'Title card: "{flat}".'
            notes = ["title card"]
        shot = self._new_shot(
            size=size,
            covers=[index] if index is not None else [],
            duration=duration,
            description=description,
            notes=notes,
            on_screen_text=words,
        )
        self._add(shot, "title", lead="Title card")
        self.title_pending = False
        self.title_over_picture = False

    def _transition(self, index: int, text: str) -> None:
        self.transition = transition_for(text)
        if "INTERCUT" in text.upper() and self.planned:
            shot = self.planned[-1].shot
            shot.notes = _with_note(shot.notes, "intercut with the next scene")

    # ---- action -----------------------------------------------------------------------

    def _action(self, index: int, text: str) -> None:
        text = text.strip()
        if not text:
            self.pending.append(index)
            return
        if transition_marker(text):
            self._transition(index, text)
            if self.planned and not _FADE_IN_RE.search(text.upper()):
                self._attach(self.planned[-1], [index])
            else:
                self.pending.append(index)
            return
        if 0 <= index < self.epigraph_until and parse_direction(text, self.cast) is None:
            self._title_card(index, text, over_picture=False)
            return
        if title_marker(text):
            self.pending.append(index)
            self.title_pending = True
            self.title_over_picture = "OVER" in text.upper() and bool(self.planned)
            return
        if self.title_pending:
            self._title_card(index, text, over_picture=self.title_over_picture)
            return
        words = title_text(text)
        if words:
            self._title_card(index, words, over_picture=True)
            return
        if self.writing == "cued" or (
            self.writing == "reading" and ("\n" in text or word_count(text) <= WRITTEN_LINE_WORDS)
        ):
            self._written_insert(index, text)
            self.writing = "reading"
            return
        beats = split_beats(text, self.cast)
        if index == self.skip_first_beat:
            beats = beats[1:]
            self._attach(self.planned[0], [index])
        for beat in beats:
            self._beat(index, beat)
        self.writing = "cued" if written_insert_cue(text) else None

    def _written_insert(self, index: int, text: str) -> None:
        flat = " ".join(text.split())
        shot = self._new_shot(
            size="INSERT",
            covers=[index],
            duration=max(TITLE_CARD_MIN_S, 1.0 + word_count(flat) / TITLE_READ_WPS),
            description=f'Insert on the writing: "{_quote(flat, 20)}".',
            notes=["written text in frame"],
            on_screen_text=text.strip(),
        )
        self._add(shot, "action", lead="Insert on the writing")

    def _group_for_plural(self) -> list[str]:
        if self.last_group:
            return self.last_group
        return self.present[:3] if len(self.present) >= 2 else []

    def _subjects_for(self, text: str, framing: Framing | None) -> list[str]:
        """Who a beat shows: named characters, or whoever the pronouns point back to."""
        if (
            framing is not None
            and framing.angle != "POV"
            and (framing.subjects or framing.subject_phrase)
        ):
            subjects = list(framing.subjects)
        else:
            subjects = self.cast.find(text)
            group = self._group_for_plural()
            if (
                PLURAL_RE.search(text)
                and len(subjects) <= 1
                and len(group) > len(subjects)
                and set(subjects) <= set(group)
            ):
                subjects = list(group)
            elif not subjects and SINGULAR_RE.search(text) and self.last_subjects:
                subjects = self.last_subjects[:1]
            elif (
                subjects
                and _PRONOUN_START_RE.match(text)
                and self.last_subjects
                and self.last_subjects[0] not in subjects
            ):
                subjects = [self.last_subjects[0], *subjects]
            elif not subjects and PAUSE_RE.search(text) and not _ABOUT_THINGS_RE.search(text):
                subjects = list(self.last_group or self.last_subjects)
        owner = framing.pov_owner if framing is not None else ""
        if not owner and self.scene_angle == "POV" and self.heading_framing is not None:
            owner = self.heading_framing.pov_owner
        return [name for name in subjects if name != owner]

    def _beat(self, index: int, beat: str) -> None:
        framing = parse_direction(beat, self.cast)
        open_shot = self.planned[-1] if self.planned and self.planned[-1].open else None
        if framing is None and open_shot is not None:
            self._join_action(open_shot, index, beat)
            return
        from_heading = False
        if framing is None and self.heading_framing is not None and not self.planned:
            framing, from_heading = self.heading_framing, True
        content = beat
        if framing is not None and not from_heading:
            if not framing.rest.strip():
                self._bare_direction(index, framing)
                return
            content = framing.rest
        if self.heading_prefix and not self.planned and content[:1].islower():
            content = f"{self.heading_prefix} {content}"
            self.heading_lead = None
        self._action_shot(index, content, framing)

    def _action_shot(self, index: int, content: str, framing: Framing | None) -> None:
        """One action beat: framed as the writer asked, else as its words suggest."""
        subjects = self._subjects_for(content, framing)
        size, angle, movement, cues = self._action_framing(content, subjects, framing)
        if (
            not subjects
            and framing is None
            and size in ("EWS", "WS")
            and self._absorb_into_establishing(index, content)
        ):
            return
        reaction = (
            framing is None
            and size not in ("INSERT", "ECU")
            and len(subjects) == 1
            and subjects[0] != self.last_speaker
            and bool(self.planned)
            and self.planned[-1].kind == "dialogue"
        )
        notes = list(cues.notes)
        if framing is not None:
            notes.append(f"as written: {framing.label}")
        if angle == "POV":
            notes.append(self._pov_note(framing))
        if reaction:
            notes.append("reaction")
        introductions = self.cast.introductions
        notes += [f"introduces {n}" for n in subjects if introductions.get(n, "\0") in content]
        if len(subjects) >= 2:
            subjects = self._by_side(subjects)
            notes.append(self._sides_note(subjects))
        lead = self._lead(size, angle, movement, subjects, framing, cues.detail)
        shot = self._new_shot(
            size=size,
            covers=[index],
            duration=action_duration(content),
            subjects=subjects,
            angle=angle,
            movement=movement,
            description=f"{lead}: {_sentence(readable(shorten(content), self.cast))}",
            notes=notes,
        )
        self._add(shot, "reaction" if reaction else "action", lead=lead)

    def _action_framing(
        self, content: str, subjects: list[str], framing: Framing | None
    ) -> tuple[Size, Angle, Movement, TextCues]:
        """Size, angle and movement of a beat: the writer's direction over the words' cues."""
        cues = read_cues(content, subjects, exterior=self.ctx.setting.exterior)
        size: Size = cues.size or "WS"
        angle: Angle = cues.angle or "eye level"
        movement: Movement = cues.movement or "static"
        if framing is not None:
            size = framing.size or self._size_for_framing(framing, subjects, cues.size)
            angle = framing.angle or angle
            movement = framing.movement or (movement if size != "INSERT" else "static")
        if self.scene_angle is not None and angle == "eye level":
            angle = self.scene_angle
        return size, angle, movement, cues

    def _absorb_into_establishing(self, index: int, content: str) -> bool:
        """A wide beat right after a bare establishing shot plays in it, not a second wide."""
        last = self.planned[-1] if self.planned else None
        if last is None or last.kind != "establishing" or last.shot.covers or last.voice:
            return False
        shot = last.shot
        shot.covers = [index]
        self._locate(shot)
        shot.duration_s = round(
            min(ESTABLISHING_MAX_S, max(shot.duration_s, action_duration(content))), 3
        )
        shot.description = f"{last.lead}: {_sentence(readable(shorten(content), self.cast))}"
        return True

    def _size_for_framing(self, framing: Framing, subjects: list[str], read: Size | None) -> Size:
        """The size of a direction that names no size (``ANGLE ON``, ``ON THE TV``, ``POV``)."""
        if not subjects and framing.subject_phrase and not framing.angle and not framing.movement:
            return "INSERT" if len(framing.subject_phrase.split()) <= 3 else "WS"
        if read is not None and (framing.angle == "POV" or read in ("CU", "ECU", "INSERT")):
            return read
        if not subjects:
            return read or "WS"
        return "MS" if len(subjects) <= 2 else "WS"

    def _pov_note(self, framing: Framing | None) -> str:
        source = framing if framing is not None and framing.angle == "POV" else self.heading_framing
        owner = source.pov_owner if source is not None else ""
        return f"POV of {owner}" if owner else "POV"

    def _lead(
        self,
        size: Size,
        angle: Angle,
        movement: Movement,
        subjects: list[str],
        framing: Framing | None,
        detail: str = "",
    ) -> str:
        """The framing in words: ``Close on Margot``, ``Tracking, wide on the street``."""
        if detail and size in ("INSERT", "CU", "ECU"):
            who = _possessed(readable(detail, self.cast), subjects)
        elif subjects:
            who = _names(subjects)
        elif framing is not None and framing.subject_phrase and framing.angle != "POV":
            who = readable(framing.subject_phrase, self.cast).lower()
        elif detail:
            who = readable(detail, self.cast)
            who = who[:1].lower() + who[1:]
        elif size in ("MCU", "CU", "ECU", "INSERT"):
            who = "the detail"
        else:
            who = _place_name(self.ctx.setting)
        if size == "MS" and len(subjects) == 2:
            lead = f"Two-shot of {who}"
        elif who == "the scene":
            lead = SIZE_SHOTS[size]
        else:
            lead = f"{SIZE_LEADS[size]} {who}"
        if angle == "POV":
            source = (
                framing if framing is not None and framing.angle == "POV" else self.heading_framing
            )
            owner = source.pov_owner if source is not None else ""
            prefix = f"{display_name(owner)} POV" if owner else "POV"
            lead = f"{prefix}, {_lower_first(lead)}"
        elif angle in ("high", "low", "overhead", "dutch"):
            lead = f"{angle.capitalize()} angle, {_lower_first(lead)}"
        if movement in MOVEMENT_LEADS:
            lead = f"{MOVEMENT_LEADS[movement]}, {_lower_first(lead)}"
        return lead

    # ---- the writer's directions ------------------------------------------------------

    def _shot_direction(self, index: int, text: str) -> None:
        framing = parse_direction(text, self.cast)
        if framing is None:
            names = self.cast.find_heads(text)
            framing = Framing(subjects=names, label=text.strip(), subject_phrase=text.strip())
            framing.rest = ""
        if not framing.rest.strip():
            self._bare_direction(index, framing)
        else:
            self._action_shot(index, framing.rest, framing)

    def _bare_direction(self, index: int | None, framing: Framing) -> None:
        """A direction alone (``CLOSE ON MARGOT``): the shot is open for what follows."""
        subjects = [name for name in framing.subjects if name != framing.pov_owner]
        if len(subjects) >= 2:
            subjects = self._by_side(subjects)
        size = framing.size or self._size_for_framing(framing, subjects, None)
        angle: Angle = framing.angle or self.scene_angle or "eye level"
        movement: Movement = framing.movement or "static"
        lead = self._lead(size, angle, movement, subjects, framing)
        notes = [f"as written: {framing.label}"]
        if angle == "POV":
            notes.append(self._pov_note(framing))
        if len(subjects) >= 2:
            notes.append(self._sides_note(subjects))
        shot = self._new_shot(
            size=size,
            covers=[index] if index is not None else [],
            duration=BARE_DIRECTION_S,
            subjects=subjects,
            angle=angle,
            movement=movement,
            description=f"{lead}.",
            notes=notes,
        )
        self._add(shot, "direction", lead=lead, open_=True)

    def _join_action(self, planned: _Planned, index: int, beat: str) -> None:
        """The first beat after a bare direction plays in the shot the writer called."""
        shot = planned.shot
        planned.open = False
        shot.covers = sorted(set(shot.covers) | {index})
        if not shot.subjects:
            shot.subjects = self._subjects_for(beat, None)
        shot.duration_s = round(max(shot.duration_s, action_duration(beat)), 3)
        shot.description = f"{planned.lead}: {_sentence(readable(shorten(beat), self.cast))}"
        self._locate(shot)
        if shot.subjects:
            self.last_subjects = list(shot.subjects)

    # ---- dialogue ---------------------------------------------------------------------

    def _dialogue(self, index: int, element: Dialogue) -> None:
        speakers = self.cast.expand(element.character)
        mode = self._mode(index, speakers)
        duration = dialogue_duration(element)
        sung = is_sung(element)
        open_shot = self.planned[-1] if self.planned and self.planned[-1].open else None
        if open_shot is not None:
            self._join_dialogue(open_shot, index, element, speakers, mode, duration, sung)
        elif mode == "voice":
            self._voice_over(index, element, speakers, duration, sung)
        elif mode == "off":
            self._off_screen(index, element, speakers, duration, sung)
        elif mode == "remote":
            self._remote_single(index, element, speakers, duration, sung)
        else:
            self._on_camera(index, element, speakers, duration, sung)
        if mode in ("on", "remote"):
            self.last_speaker = speakers[0]

    def _join_dialogue(
        self,
        planned: _Planned,
        index: int,
        element: Dialogue,
        speakers: list[str],
        mode: Mode,
        duration: float,
        sung: bool,
    ) -> None:
        shot = planned.shot
        planned.open = False
        line = _line(element)
        shot.covers = sorted(set(shot.covers) | {index})
        shot.dialogue.append(line)
        if not shot.subjects and mode == "on" and shot.size != "INSERT":
            shot.subjects = list(speakers)
        shot.duration_s = round(max(shot.duration_s, duration), 3)
        shot.description = f"{planned.lead}: {_says(line, sung=sung)}"
        self._locate(shot)
        if mode == "voice":
            shot.notes = _with_note(shot.notes, f"{element.character} V.O. over picture")
        elif mode == "off":
            shot.notes = _with_note(shot.notes, f"{element.character} off-screen")

    def _dual(self, index: int, left: Dialogue, right: Dialogue) -> None:
        """Dual dialogue: both speak at once, so both are in one shot."""
        speakers = [
            name for element in (left, right) for name in self.cast.expand(element.character)
        ]
        speakers = list(dict.fromkeys(speakers))
        subjects = self._by_side(speakers)
        lines = [_line(left), _line(right)]
        duration = max(dialogue_duration(left), dialogue_duration(right)) + 0.3
        size: Size = "MS" if len(subjects) <= 2 else "WS"
        lead = self._lead(size, "eye level", "static", subjects, None)
        shot = self._new_shot(
            size=size,
            covers=[index, index + 1],
            duration=duration,
            subjects=subjects,
            lens=TWO_SHOT_LENS_MM if len(subjects) == 2 else None,
            description=f"{lead}: {_together(lines)}",
            notes=["dual dialogue: they speak at the same time", self._sides_note(subjects)],
            dialogue=lines,
        )
        self._add(shot, "dialogue", lead=lead)
        self.mastered = frozenset(self.group) if set(subjects) >= set(self.group) else self.mastered
        self.last_speaker = speakers[-1]

    def _on_camera(
        self, index: int, element: Dialogue, speakers: list[str], duration: float, sung: bool
    ) -> None:
        if self.scene_angle == "POV":
            self._pov_single(index, element, speakers, duration, sung)
            return
        group = self.group if speakers[0] in self.group else list(speakers)
        needs_master = len(group) >= 2 and (
            frozenset(group) != self.mastered
            or (len(group) >= 3 and self.lines_since_master >= REMASTER_EVERY)
        )
        if needs_master and self._group_on_screen(group):
            self.mastered, self.lines_since_master, needs_master = frozenset(group), 0, False
        listeners = [name for name in group if name not in speakers]
        pieces = [element.text]
        if word_count(element.text) > LONG_LINE_WORDS:
            pieces = _chunks(element.text)
        words = sum(word_count(piece) for piece in pieces) or 1.0
        for number, piece in enumerate(pieces):
            share = duration * word_count(piece) / words
            text = piece if len(pieces) > 1 else None
            if number == 0 and needs_master:
                self._master(index, element, group, share, sung, text=text)
            elif number % 2 == 1 and listeners:
                self._reaction(index, element, piece, listeners, share)
            else:
                if number == 0:
                    self.lines_since_master += 1
                self._single(
                    index,
                    element,
                    speakers,
                    listeners,
                    share,
                    sung,
                    text=text,
                    first=number == 0,
                    tighter=number >= 2 or (number % 2 == 1 and not listeners),
                )

    def _group_on_screen(self, group: list[str]) -> bool:
        """Whether the shot just before already shows the whole conversation, wide enough."""
        if not self.planned:
            return False
        shot = self.planned[-1].shot
        return (
            set(group) <= set(shot.subjects)
            and shot.size in ("WS", "FS", "MS")
            and shot.angle == "eye level"
        )

    def _master(
        self,
        index: int,
        element: Dialogue,
        group: list[str],
        duration: float,
        sung: bool,
        *,
        text: str | None = None,
    ) -> None:
        """The conversation's master: everyone in it, and the line they keep to."""
        subjects = self._by_side(group)
        size: Size = "MS" if len(subjects) == 2 else "FS" if len(subjects) == 3 else "WS"
        lead = self._lead(size, "eye level", "static", subjects, None)
        if size != "MS":
            lead = f"{lead} (master)"
        line = _line(element, text)
        shot = self._new_shot(
            size=size,
            covers=[index],
            duration=duration,
            subjects=subjects,
            lens=TWO_SHOT_LENS_MM if size == "MS" else None,
            description=f"{lead}: {_says(line, sung=sung)}",
            notes=["master", self._sides_note(subjects) + "; keep this line"],
            dialogue=[line],
        )
        self._add(shot, "dialogue", lead=lead)
        self.mastered = frozenset(group)
        self.lines_since_master = 0

    def _single(
        self,
        index: int,
        element: Dialogue,
        speakers: list[str],
        listeners: list[str],
        duration: float,
        sung: bool,
        *,
        text: str | None = None,
        first: bool = True,
        tighter: bool = False,
    ) -> None:
        """A speaker's shot: an over-the-shoulder reverse early on, a single later, a
        close-up where the delivery calls for it."""
        speaker = speakers[0]
        line = _line(element, text, first=first)
        emotional = is_emotional(element) or tighter
        ots = (
            len(self.group) == 2
            and len(listeners) == 1
            and len(speakers) == 1
            and self.lines_since_master <= OTS_LINES
            and not emotional
        )
        if ots:
            listener = listeners[0]
            subjects = [speaker, listener]
            size: Size = "MS"
            angle: Angle = "OTS"
            lead = f"Over {display_name(listener)}'s shoulder onto {display_name(speaker)}"
            note = (
                f"OTS over {listener} ({self._side(listener)}) onto {speaker} "
                f"({self._side(speaker)}, {self._look(speaker, [listener])})"
            )
        else:
            subjects = self._by_side(list(speakers)) if len(speakers) > 1 else list(speakers)
            conversation = len(self.group) >= 2
            if len(subjects) > 1:
                size = "MS"
            elif emotional:
                size = "CU"
            elif conversation or self.lines_since_master > 1:
                size = "MCU"
            else:
                size = "MS"
            angle = "eye level"
            lead = self._lead(size, angle, "static", subjects, None)
            note = "; ".join(self._single_note(name) for name in subjects) if conversation else ""
        shot = self._new_shot(
            size=size,
            covers=[index],
            duration=duration,
            subjects=subjects,
            angle=angle,
            lens=OTS_LENS_MM if angle == "OTS" else None,
            description=f"{lead}: {_says(line, sung=sung)}",
            notes=[note],
            dialogue=[line],
        )
        self._add(shot, "dialogue", lead=lead)

    def _reaction(
        self,
        index: int,
        element: Dialogue,
        text: str,
        listeners: list[str],
        duration: float,
    ) -> None:
        subjects = listeners[:1] if len(listeners) <= 2 else listeners[:3]
        size: Size = "MCU" if len(subjects) == 1 else "MS"
        lead = f"Reaction, {_lower_first(self._lead(size, 'eye level', 'static', subjects, None))}"
        line = _line(element, text, first=False)
        shot = self._new_shot(
            size=size,
            covers=[index],
            duration=duration,
            subjects=subjects,
            description=f'{lead} as {_speaker(element.character)[0]} goes on: "{_quote(text)}"',
            notes=["reaction", "; ".join(self._single_note(name) for name in subjects)],
            dialogue=[line],
        )
        self._add(shot, "reaction", lead=lead)

    def _pov_single(
        self, index: int, element: Dialogue, speakers: list[str], duration: float, sung: bool
    ) -> None:
        """Dialogue in a POV scene stays in the POV."""
        previous = self.planned[-1].shot.size if self.planned else "MS"
        size: Size = previous if previous in ("CU", "MCU", "MS") else "MS"
        owner = self.heading_framing.pov_owner if self.heading_framing else ""
        subjects = [name for name in speakers if name != owner]
        lead = self._lead(size, "POV", "static", subjects, None)
        line = _line(element)
        shot = self._new_shot(
            size=size,
            covers=[index],
            duration=duration,
            subjects=subjects,
            angle="POV",
            description=f"{lead}: {_says(line, sung=sung)}",
            notes=[self._pov_note(None)],
            dialogue=[line],
        )
        self._add(shot, "dialogue", lead=lead)

    def _remote_single(
        self, index: int, element: Dialogue, speakers: list[str], duration: float, sung: bool
    ) -> None:
        """Intercut: the other end of the call, in their own location."""
        setting = self.ctx.partner_setting or self.ctx.setting
        line = _line(element)
        size: Size = "CU" if is_emotional(element) else "MCU"
        lead = f"{SIZE_LEADS[size]} {_names(speakers)} at {_place_name(setting)}"
        shot = self._new_shot(
            size=size,
            covers=[index],
            duration=duration,
            subjects=speakers,
            description=f"{lead}: {_says(line, sung=sung)}",
            notes=[f"intercut: {', '.join(speakers)} at {setting.location or 'the other end'}"],
            dialogue=[line],
            setting=setting,
        )
        self._add(shot, "dialogue", lead=lead)

    def _voice_over(
        self, index: int, element: Dialogue, speakers: list[str], duration: float, sung: bool
    ) -> None:
        """A voice-over plays over the current picture, or over a shot of the scene."""
        line = _line(element)
        note = f"{element.character} V.O. over picture"
        last = self.planned[-1] if self.planned else None
        picture = (
            last is not None
            and last.kind in ("establishing", "action", "reaction")
            and not last.shot.dialogue
            and not last.open
        )
        if last is not None and picture:
            shot = last.shot
            shot.covers = sorted(set(shot.covers) | {index})
            self._locate(shot)
            shot.dialogue.append(line)
            shot.duration_s = round(max(shot.duration_s, duration + VOICE_HOLD_S), 3)
            shot.notes = _with_note(shot.notes, note)
            if (
                shot.movement == "static"
                and shot.size != "INSERT"
                and shot.duration_s > VOICE_PUSH_AFTER_S
            ):
                shot.movement = "push in"
            last.voice = True
            return
        on_screen = [n for n in self.last_subjects if n in self.present and n not in speakers]
        on_screen = on_screen or [n for n in self.present if n not in speakers][:2]
        if on_screen:
            size: Size = "MS" if len(on_screen) <= 2 else "WS"
        else:
            size = "EWS" if self.ctx.setting.exterior else "WS"
        movement: Movement = "push in" if duration > VOICE_PUSH_AFTER_S else "static"
        lead = self._lead(size, "eye level", movement, on_screen, None)
        shot = self._new_shot(
            size=size,
            covers=[index],
            duration=duration + VOICE_HOLD_S,
            subjects=on_screen,
            movement=movement,
            description=f"{lead} as {_narrates(element, 'narrates')}",
            notes=[note],
            dialogue=[line],
        )
        planned = self._add(shot, "action", lead=lead)
        planned.voice = True

    def _off_screen(
        self, index: int, element: Dialogue, speakers: list[str], duration: float, sung: bool
    ) -> None:
        """An off-screen line: we watch whoever is on screen hear it."""
        line = _line(element)
        on_screen = [n for n in self.last_subjects if n in self.present and n not in speakers]
        on_screen = on_screen or [n for n in self.present if n not in speakers][:2]
        if on_screen:
            size: Size = "MCU" if len(on_screen) == 1 else "MS" if len(on_screen) == 2 else "WS"
            framing = self._lead(size, "eye level", "static", on_screen, None)
            lead = f"Reaction, {_lower_first(framing)}"
            note = f"{element.character} off-screen; reaction on {', '.join(on_screen)}"
        else:
            size = "WS"
            lead = self._lead(size, "eye level", "static", [], None)
            note = f"{element.character} off-screen"
        shot = self._new_shot(
            size=size,
            covers=[index],
            duration=duration,
            subjects=on_screen,
            description=f"{lead} as {_narrates(element, 'speaks off-screen')}",
            notes=[note],
            dialogue=[line],
        )
        self._add(shot, "reaction", lead=lead)

    def _lyrics(self, index: int, text: str) -> None:
        singer = self.last_speaker
        subjects = [singer] if singer and singer in self.present else []
        size: Size = "MS" if subjects else "WS"
        lead = self._lead(size, "eye level", "static", subjects, None)
        lines = [DialogueLine(character=singer, text=" ".join(text.split()))] if singer else []
        who = display_name(singer) if singer else "Someone"
        shot = self._new_shot(
            size=size,
            covers=[index],
            duration=speech_duration(text, sung=True),
            subjects=subjects,
            description=f'{lead}: {who} sings "{_quote(text)}"',
            notes=["sung"],
            dialogue=lines,
        )
        self._add(shot, "dialogue", lead=lead)


def _lens(size: Size, angle: Angle, subjects: int) -> int:
    """Focal length for a framing: by size, with OTS and POV conventions."""
    if angle == "OTS":
        return OTS_LENS_MM
    if angle == "POV":
        return POV_LENS_MM
    if size == "MS" and subjects == 2:
        return TWO_SHOT_LENS_MM
    return LENS_MM[size]
