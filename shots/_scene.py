"""One scene's shots: open it, cover each element in order, close it.

The walker decides what belongs to the scene as a whole (whether it opens on an
establishing shot, title cards and written text on screen, transitions, what an action
paragraph really is) and hands each beat of action and each line of dialogue to the
coverage for it.
"""

from __future__ import annotations

import re
from typing import Literal

from screenplay.model import SCREEN_KINDS, Dialogue, Element
from shots._action import ActionCoverage
from shots._beats import (
    parse_direction,
    read_cues,
    split_beats,
    title_marker,
    title_text,
    transition_for,
    transition_marker,
    word_count,
    written_insert_cue,
)
from shots._context import CONTINUITY_TIMES, SceneContext, is_transition, read_heading
from shots._describe import Describer, place_name, quote, with_note
from shots._dialogue import DialogueCoverage
from shots._presence import read_presence
from shots._screen import ScreenDirection
from shots._shotlist import ShotList
from shots.base import MIN_SHOT_S
from shots.model import Shot, Size

__all__ = ["ScenePlanner"]

ESTABLISHING_BEAT_WORDS = 30
"""A first beat about the place, up to this long, plays in the establishing shot."""
TITLE_CARD_MIN_S = 2.5
"""A title card, or written text in frame, holds at least this long..."""
TITLE_CARD_MAX_S = 6.0
"""...and a title card at most this long."""
TITLE_READ_WPS = 2.5
"""On-screen words are read at about this many a second."""
WRITTEN_LINE_WORDS = 4
"""After written text (a card, a note), short or broken lines are more of the writing."""

_FADE_IN_RE = re.compile(r"\bIN\b|イン")


class ScenePlanner:
    """Walks one scene's elements in order and covers each with shots."""

    def __init__(self, context: SceneContext) -> None:
        self.ctx = context
        self.scene = context.scene
        self.cast = context.cast
        self.heading = read_heading(context)
        presence = read_presence(context)
        describe = Describer(context.cast, context.setting.location, self.heading.framing)
        self.shots = ShotList(context, self.heading)
        screen = ScreenDirection(presence.group)
        self.action = ActionCoverage(context, self.heading, presence, self.shots, screen, describe)
        self.dialogue = DialogueCoverage(
            context, self.heading, presence, self.shots, screen, describe
        )
        self.title_pending = False
        self.title_over_picture = False
        self.writing: Literal["cued", "reading"] | None = None
        """Written text (a card, a note) is on screen: ``cued`` by ``...hand written:``."""
        self.skip_first_beat: int | None = None
        """The paragraph whose first beat the establishing shot already shows."""
        self.epigraph_until = self._epigraph_end()

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
                self.dialogue.dual(index, element, following)
                index += 2
                continue
            self._element(index, element)
            index += 1
        self._close()
        return self.shots.shots()

    def _epigraph_end(self) -> int:
        """In an opening without a heading, lines before ``FADE IN:`` are cards on black."""
        if self.scene.heading is not None:
            return -1
        for index, element in enumerate(self.scene.elements):
            if is_transition(element) and _FADE_IN_RE.search(element.text.strip().upper()):
                return index
        return -1

    def _element(self, index: int, element: Element) -> None:
        if element.kind not in ("action", "note", "section", "synopsis", "page_break"):
            self.writing = None
        if element.kind == "transition":
            self._transition(element.text)
        elif element.kind == "action":
            self._action(index, element.text)
        elif isinstance(element, Dialogue):
            self.dialogue.cover(index, element)
        elif element.kind == "shot":
            self.action.shot_direction(index, element.text)
        elif element.kind == "centered":
            self._title_card(index, element.text, over_picture=self.title_over_picture)
        elif element.kind == "lyrics":
            self.dialogue.lyrics(index, element.text)

    # ---- opening and closing ----------------------------------------------------------

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
                    self.action.establishing(reason, index, beats[0])
                    return
        self.action.establishing(reason)

    def _needs_establishing(self) -> str | None:
        """Why the scene opens on an establishing shot, or ``None``."""
        if self.scene.heading is None or self.ctx.secondary or self.heading.titles:
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

    def _first_screen(self) -> tuple[int, Element] | None:
        """The first element with something to show, skipping blank and transition lines."""
        for index, element in enumerate(self.scene.elements):
            if element.kind in SCREEN_KINDS:
                text = element.text.strip()
                if element.kind == "action" and (not text or transition_marker(text)):
                    continue
                return index, element
        return None

    def _about_place(self, beat: str) -> bool:
        """A beat with nobody in it, short enough for the establishing shot to show."""
        if self.cast.find(beat) or word_count(beat) > ESTABLISHING_BEAT_WORDS:
            return False
        read = read_cues(beat, [], exterior=self.ctx.setting.exterior)
        return read.size not in ("INSERT", "CU", "ECU")

    def _close(self) -> None:
        shots = self.shots
        if self.title_pending:
            self._title_card(None, self.ctx.script.title, over_picture=False)
        if not shots.planned:
            if self.scene.heading is None and not shots.pending:
                return
            if self.scene.heading is None:
                self._black()
                return
            if self.heading.framing is not None:
                self.action.bare_direction(None, self.heading.framing)
            else:
                reason = self._needs_establishing() or "establishing: heading only"
                self.action.establishing(reason)
        if shots.pending:
            shots.attach(shots.planned[-1].shot, shots.pending)
            shots.pending = []

    def _black(self) -> None:
        """An opening that is only a transition (``FADE IN:``): a moment of black."""
        shot = self.shots.new_shot(
            size="WS",
            covers=[],
            duration=MIN_SHOT_S,
            description="Black, then the picture fades in.",
            notes=["transition only"],
        )
        self.shots.add(shot, "title", lead="Black")

    # ---- action paragraphs, titles and transitions ------------------------------------

    def _action(self, index: int, text: str) -> None:
        """An action paragraph: a transition, a title, written text, or beats of action."""
        shots = self.shots
        text = text.strip()
        if not text:
            shots.pending.append(index)
            return
        if transition_marker(text):
            self._transition(text)
            if shots.planned and not _FADE_IN_RE.search(text.upper()):
                shots.attach(shots.planned[-1].shot, [index])
            else:
                shots.pending.append(index)
            return
        if 0 <= index < self.epigraph_until and parse_direction(text, self.cast) is None:
            self._title_card(index, text, over_picture=False)
            return
        if title_marker(text):
            shots.pending.append(index)
            self.title_pending = True
            self.title_over_picture = "OVER" in text.upper() and bool(shots.planned)
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
            shots.attach(shots.planned[0].shot, [index])
        for beat in beats:
            self.action.beat(index, beat)
        self.writing = "cued" if written_insert_cue(text) else None

    def _transition(self, text: str) -> None:
        self.shots.transition = transition_for(text)
        last = self.shots.last
        if "INTERCUT" in text.upper() and last is not None:
            last.shot.notes = with_note(last.shot.notes, "intercut with the next scene")

    def _title_card(self, index: int | None, text: str, *, over_picture: bool) -> None:
        words = "\n".join(line.strip() for line in text.strip().splitlines() if line.strip())
        words = words or self.ctx.script.title
        flat = " ".join(words.split())
        duration = min(
            TITLE_CARD_MAX_S, max(TITLE_CARD_MIN_S, 1.5 + word_count(flat) / TITLE_READ_WPS)
        )
        if over_picture:
            size: Size = "WS"
            where = place_name(self.ctx.setting.location)
            description = f'Wide on {where} with the title "{flat}" superimposed.'
            notes = ["title over picture"]
        else:
            size = "INSERT"
            description = f'Title card: "{flat}".'
            notes = ["title card"]
        shot = self.shots.new_shot(
            size=size,
            covers=[index] if index is not None else [],
            duration=duration,
            description=description,
            notes=notes,
            on_screen_text=words,
        )
        self.shots.add(shot, "title", lead="Title card")
        self.title_pending = False
        self.title_over_picture = False

    def _written_insert(self, index: int, text: str) -> None:
        """Written text in frame (a note, a card's inside): an insert to read it."""
        flat = " ".join(text.split())
        shot = self.shots.new_shot(
            size="INSERT",
            covers=[index],
            duration=max(TITLE_CARD_MIN_S, 1.0 + word_count(flat) / TITLE_READ_WPS),
            description=f'Insert on the writing: "{quote(flat, 20)}".',
            notes=["written text in frame"],
            on_screen_text=text.strip(),
        )
        self.shots.add(shot, "action", lead="Insert on the writing")
