"""Dialogue coverage: masters, over-the-shoulder reverses, singles and reactions.

A conversation opens on a master (or two-shot) that sets the line, cuts to
over-the-shoulder reverses, then to singles, tighter where the delivery calls for it; a
long speech is broken up with reactions of the listener. A voice-over plays over the
picture, an off-screen line over a reaction of whoever is on screen, the far end of an
intercut call in its own location, dual dialogue in one shot, and a POV scene stays in
the POV.
"""

from __future__ import annotations

from screenplay.model import Dialogue
from shots._beats import (
    dialogue_duration,
    display_name,
    is_emotional,
    is_sung,
    speech_duration,
    split_sentences,
    word_count,
)
from shots._context import SceneContext, SceneHeading
from shots._describe import (
    SIZE_LEADS,
    Describer,
    lower_first,
    names,
    narrates,
    place_name,
    quote,
    says,
    speaker,
    together,
    with_note,
)
from shots._presence import Mode, Presence
from shots._screen import ScreenDirection
from shots._shotlist import Planned, ShotList
from shots.model import Angle, DialogueLine, Movement, Size

__all__ = ["LONG_LINE_WORDS", "DialogueCoverage"]

LONG_LINE_WORDS = 40
"""A speech longer than this is broken up with reaction shots of the listener."""
LINE_CHUNK_WORDS = 22
"""A long speech is cut into pieces of about this many words."""
OTS_LINES = 3
"""Lines after the master covered in over-the-shoulder reverses before singles."""
REMASTER_EVERY = 8
"""A group scene goes back to its master after this many lines of singles."""
DUAL_HOLD_S = 0.3
"""Dual dialogue holds this much longer than the longer of its two lines."""
VOICE_HOLD_S = 0.5
"""A shot under a voice-over outlasts the line by this much."""
VOICE_PUSH_AFTER_S = 6.0
"""A static shot held longer than this under a voice-over becomes a slow push in."""


class DialogueCoverage:
    """Covers one scene's dialogue, adding shots to its list and keeping to its line."""

    def __init__(
        self,
        context: SceneContext,
        heading: SceneHeading,
        presence: Presence,
        shots: ShotList,
        screen: ScreenDirection,
        describe: Describer,
    ) -> None:
        self.cast = context.cast
        self.setting = context.setting
        self.partner_setting = context.partner_setting
        self.heading = heading
        self.presence = presence
        self.present = presence.present
        self.group = presence.group
        self.shots = shots
        self.screen = screen
        self.describe = describe
        self.mastered: frozenset[str] = frozenset()
        """The group the last master showed."""
        self.lines_since_master = 0

    def cover(self, index: int, element: Dialogue) -> None:
        """One dialogue block, covered as it is heard: on camera, voice-over, off screen."""
        speakers = self.cast.expand(element.character)
        mode = self.presence.mode(index, speakers)
        duration = dialogue_duration(element)
        sung = is_sung(element)
        open_shot = self.shots.open_shot
        if open_shot is not None:
            self._join(open_shot, index, element, speakers, mode, duration, sung)
        elif mode == "voice":
            self._voice_over(index, element, speakers, duration)
        elif mode == "off":
            self._off_screen(index, element, speakers, duration)
        elif mode == "remote":
            self._remote_single(index, element, speakers, duration, sung)
        else:
            self._on_camera(index, element, speakers, duration, sung)
        if mode in ("on", "remote"):
            self.shots.last_speaker = speakers[0]

    def dual(self, index: int, left: Dialogue, right: Dialogue) -> None:
        """Dual dialogue: both speak at once, so both are in one shot."""
        speakers = [
            name for element in (left, right) for name in self.cast.expand(element.character)
        ]
        speakers = list(dict.fromkeys(speakers))
        subjects = self.screen.by_side(speakers)
        lines = [dialogue_line(left), dialogue_line(right)]
        duration = max(dialogue_duration(left), dialogue_duration(right)) + DUAL_HOLD_S
        size: Size = "MS" if len(subjects) <= 2 else "WS"
        lead = self.describe.lead(size, "eye level", "static", subjects)
        shot = self.shots.new_shot(
            size=size,
            covers=[index, index + 1],
            duration=duration,
            subjects=subjects,
            description=f"{lead}: {together(lines)}",
            notes=["dual dialogue: they speak at the same time", self.screen.sides_note(subjects)],
            dialogue=lines,
        )
        self.shots.add(shot, "dialogue", lead=lead)
        if set(subjects) >= set(self.group):
            self.mastered = frozenset(self.group)
        self.shots.last_speaker = speakers[-1]

    def lyrics(self, index: int, text: str) -> None:
        """Lyrics on their own: the last speaker sings them."""
        singer = self.shots.last_speaker
        subjects = [singer] if singer and singer in self.present else []
        size: Size = "MS" if subjects else "WS"
        lead = self.describe.lead(size, "eye level", "static", subjects)
        lines = [DialogueLine(character=singer, text=" ".join(text.split()))] if singer else []
        who = display_name(singer) if singer else "Someone"
        shot = self.shots.new_shot(
            size=size,
            covers=[index],
            duration=speech_duration(text, sung=True),
            subjects=subjects,
            description=f'{lead}: {who} sings "{quote(text)}"',
            notes=["sung"],
            dialogue=lines,
        )
        self.shots.add(shot, "dialogue", lead=lead)

    # ---- how the line is heard --------------------------------------------------------

    def _join(
        self,
        planned: Planned,
        index: int,
        element: Dialogue,
        speakers: list[str],
        mode: Mode,
        duration: float,
        sung: bool,
    ) -> None:
        """The first line after a bare direction plays in the shot the writer called."""
        shot = planned.shot
        planned.open = False
        line = dialogue_line(element)
        self.shots.attach(shot, [index])
        shot.dialogue.append(line)
        if not shot.subjects and mode == "on" and shot.size != "INSERT":
            shot.subjects = list(speakers)
        shot.duration_s = round(max(shot.duration_s, duration), 3)
        shot.description = f"{planned.lead}: {says(line, sung=sung)}"
        if mode == "voice":
            shot.notes = with_note(shot.notes, f"{element.character} V.O. over picture")
        elif mode == "off":
            shot.notes = with_note(shot.notes, f"{element.character} off-screen")

    def _voice_over(
        self, index: int, element: Dialogue, speakers: list[str], duration: float
    ) -> None:
        """A voice-over plays over the current picture, or over a shot of the scene."""
        line = dialogue_line(element)
        note = f"{element.character} V.O. over picture"
        last = self.shots.last
        if (
            last is not None
            and last.kind in ("establishing", "action", "reaction")
            and not last.shot.dialogue
            and not last.open
        ):
            shot = last.shot
            self.shots.attach(shot, [index])
            shot.dialogue.append(line)
            shot.duration_s = round(max(shot.duration_s, duration + VOICE_HOLD_S), 3)
            shot.notes = with_note(shot.notes, note)
            if (
                shot.movement == "static"
                and shot.size != "INSERT"
                and shot.duration_s > VOICE_PUSH_AFTER_S
            ):
                shot.movement = "push in"
            last.voice = True
            return
        on_screen = self._on_screen(speakers)
        if on_screen:
            size: Size = "MS" if len(on_screen) <= 2 else "WS"
        else:
            size = "EWS" if self.setting.exterior else "WS"
        movement: Movement = "push in" if duration > VOICE_PUSH_AFTER_S else "static"
        lead = self.describe.lead(size, "eye level", movement, on_screen)
        shot = self.shots.new_shot(
            size=size,
            covers=[index],
            duration=duration + VOICE_HOLD_S,
            subjects=on_screen,
            movement=movement,
            description=f"{lead} as {narrates(element, 'narrates')}",
            notes=[note],
            dialogue=[line],
        )
        planned = self.shots.add(shot, "action", lead=lead)
        planned.voice = True

    def _off_screen(
        self, index: int, element: Dialogue, speakers: list[str], duration: float
    ) -> None:
        """An off-screen line: we watch whoever is on screen hear it."""
        on_screen = self._on_screen(speakers)
        if on_screen:
            size: Size = "MCU" if len(on_screen) == 1 else "MS" if len(on_screen) == 2 else "WS"
            framing = self.describe.lead(size, "eye level", "static", on_screen)
            lead = f"Reaction, {lower_first(framing)}"
            note = f"{element.character} off-screen; reaction on {', '.join(on_screen)}"
        else:
            size = "WS"
            lead = self.describe.lead(size, "eye level", "static", [])
            note = f"{element.character} off-screen"
        shot = self.shots.new_shot(
            size=size,
            covers=[index],
            duration=duration,
            subjects=on_screen,
            description=f"{lead} as {narrates(element, 'speaks off-screen')}",
            notes=[note],
            dialogue=[dialogue_line(element)],
        )
        self.shots.add(shot, "reaction", lead=lead)

    def _on_screen(self, speakers: list[str]) -> list[str]:
        """Who we watch while someone unseen speaks: the last shown, else the first present."""
        on_screen = [n for n in self.shots.last_subjects if n in self.present and n not in speakers]
        return on_screen or [n for n in self.present if n not in speakers][:2]

    def _remote_single(
        self, index: int, element: Dialogue, speakers: list[str], duration: float, sung: bool
    ) -> None:
        """Intercut: the other end of the call, in their own location."""
        setting = self.partner_setting or self.setting
        line = dialogue_line(element)
        size: Size = "CU" if is_emotional(element) else "MCU"
        lead = f"{SIZE_LEADS[size]} {names(speakers)} at {place_name(setting.location)}"
        shot = self.shots.new_shot(
            size=size,
            covers=[index],
            duration=duration,
            subjects=speakers,
            description=f"{lead}: {says(line, sung=sung)}",
            notes=[f"intercut: {', '.join(speakers)} at {setting.location or 'the other end'}"],
            dialogue=[line],
            setting=setting,
        )
        self.shots.add(shot, "dialogue", lead=lead)

    # ---- on camera --------------------------------------------------------------------

    def _on_camera(
        self, index: int, element: Dialogue, speakers: list[str], duration: float, sung: bool
    ) -> None:
        """A line seen spoken: the master when the conversation needs one, else a single,
        a long speech cut with reactions of the listeners."""
        if self.heading.angle == "POV":
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
        last = self.shots.last
        if last is None:
            return False
        shot = last.shot
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
        subjects = self.screen.by_side(group)
        size: Size = "MS" if len(subjects) == 2 else "FS" if len(subjects) == 3 else "WS"
        lead = self.describe.lead(size, "eye level", "static", subjects)
        if size != "MS":
            lead = f"{lead} (master)"
        line = dialogue_line(element, text)
        shot = self.shots.new_shot(
            size=size,
            covers=[index],
            duration=duration,
            subjects=subjects,
            description=f"{lead}: {says(line, sung=sung)}",
            notes=["master", self.screen.sides_note(subjects) + "; keep this line"],
            dialogue=[line],
        )
        self.shots.add(shot, "dialogue", lead=lead)
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
        line = dialogue_line(element, text, first=first)
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
            screen = self.screen
            note = (
                f"OTS over {listener} ({screen.side(listener)}) onto {speaker} "
                f"({screen.side(speaker)}, {screen.look(speaker, [listener])})"
            )
        else:
            subjects = self.screen.by_side(list(speakers)) if len(speakers) > 1 else list(speakers)
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
            lead = self.describe.lead(size, angle, "static", subjects)
            note = (
                "; ".join(self.screen.single_note(name) for name in subjects)
                if conversation
                else ""
            )
        shot = self.shots.new_shot(
            size=size,
            covers=[index],
            duration=duration,
            subjects=subjects,
            angle=angle,
            description=f"{lead}: {says(line, sung=sung)}",
            notes=[note],
            dialogue=[line],
        )
        self.shots.add(shot, "dialogue", lead=lead)

    def _reaction(
        self,
        index: int,
        element: Dialogue,
        text: str,
        listeners: list[str],
        duration: float,
    ) -> None:
        """A listener's reaction, cut into a long speech."""
        subjects = listeners[:1] if len(listeners) <= 2 else listeners[:3]
        size: Size = "MCU" if len(subjects) == 1 else "MS"
        lead = f"Reaction, {lower_first(self.describe.lead(size, 'eye level', 'static', subjects))}"
        shot = self.shots.new_shot(
            size=size,
            covers=[index],
            duration=duration,
            subjects=subjects,
            description=f'{lead} as {speaker(element.character)[0]} goes on: "{quote(text)}"',
            notes=["reaction", "; ".join(self.screen.single_note(name) for name in subjects)],
            dialogue=[dialogue_line(element, text, first=False)],
        )
        self.shots.add(shot, "reaction", lead=lead)

    def _pov_single(
        self, index: int, element: Dialogue, speakers: list[str], duration: float, sung: bool
    ) -> None:
        """Dialogue in a POV scene stays in the POV."""
        last = self.shots.last
        previous = last.shot.size if last is not None else "MS"
        size: Size = previous if previous in ("CU", "MCU", "MS") else "MS"
        subjects = [name for name in speakers if name != self.heading.pov_owner]
        lead = self.describe.lead(size, "POV", "static", subjects)
        line = dialogue_line(element)
        shot = self.shots.new_shot(
            size=size,
            covers=[index],
            duration=duration,
            subjects=subjects,
            angle="POV",
            description=f"{lead}: {says(line, sung=sung)}",
            notes=[self.describe.pov_note(None)],
            dialogue=[line],
        )
        self.shots.add(shot, "dialogue", lead=lead)


def dialogue_line(
    element: Dialogue, text: str | None = None, *, first: bool = True
) -> DialogueLine:
    """A dialogue block (or ``text``, a piece of it) as a shot's line; the parenthetical
    goes with the ``first`` piece only."""
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
