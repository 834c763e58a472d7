"""Action coverage: the establishing shot, then a shot for each beat of action.

A beat is framed as the writer directed or, failing that, as its words suggest. Directions
(``CLOSE ON``, ``INSERT``, ``SNIPER SCOPE POV``, ``ON WILL AND SANDRA``, Final Draft Shot
paragraphs) are honoured as written, and a bare one opens a shot that the next beat or line
plays in. A beat's names, or the pronouns pointing back to the last shots, choose who is in it.
"""

from __future__ import annotations

import re

from shots._beats import (
    CLOSE_RE,
    DETAIL_RE,
    SPECTACLE_RE,
    VISTA_RE,
    Framing,
    TextCues,
    action_duration,
    parse_direction,
    read_cues,
)
from shots._context import SceneContext, SceneHeading
from shots._describe import SIZE_LEADS, Describer, place_name
from shots._presence import Presence
from shots._screen import ScreenDirection
from shots._shotlist import Planned, ShotList
from shots.model import Angle, Movement, Size

__all__ = ["ActionCoverage"]

ESTABLISHING_S: dict[str, float] = {"EWS": 3.5, "WS": 3.0}
"""How long an establishing shot holds, by size."""
ESTABLISHING_MAX_S = 6.0
"""An establishing shot that also shows the first beat holds no longer than this."""
BARE_DIRECTION_S = 2.5
"""A direction with nothing after it (``CLOSE ON MARGOT``) holds this long."""

PLURAL_RE = re.compile(
    r"\b(?:they|them|their|both|the two|the men|the women|the boys|the girls|the kids|"
    r"the pair|the brothers|the sisters|each other|together)\b",
    re.I,
)
"""Words about several people: the beat shows the group of the shots before."""
SINGULAR_RE = re.compile(r"\b(?:he|she|him|her|his)\b", re.I)
"""Words about one person: a beat that names nobody shows whoever was shown last."""
PAUSE_RE = re.compile(r"\b(?:beat|pause|moment|silence|awkward\w*|tension|stillness)\b", re.I)
"""A beat of time between the characters (``A long beat.``): it stays on them."""
_ABOUT_THINGS_RE = re.compile(
    "|".join(regex.pattern for regex in (DETAIL_RE, VISTA_RE, SPECTACLE_RE, CLOSE_RE)), re.I
)
"""A beat about a thing or a place: it does not inherit the characters of the shot before."""
_PRONOUN_START_RE = re.compile(r"^(?:He|She)\b")


class ActionCoverage:
    """Covers one scene's action beats and shot directions, adding shots to its list."""

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
        self.heading = heading
        self.present = presence.present
        self.shots = shots
        self.screen = screen
        self.describe = describe

    def establishing(self, reason: str, index: int | None = None, beat: str = "") -> None:
        """The shot that shows where the scene is, and what happens there first if ``beat``."""
        setting = self.setting
        size: Size = "EWS" if setting.int_ext in ("EXT", "EST") else "WS"
        duration = ESTABLISHING_S[size]
        where = place_name(setting.location)
        when = f", {setting.time_of_day.lower()}" if setting.time_of_day else ""
        movement: Movement = "static"
        if beat:
            cues = read_cues(beat, [], exterior=setting.exterior)
            if cues.movement in ("crane", "pan", "pull out", "tracking"):
                movement = cues.movement
            duration = _establishing_hold(duration, beat)
            description = f"{SIZE_LEADS[size]} {where}{when}: {self.describe.action(beat)}"
        else:
            description = f"{SIZE_LEADS[size]} {where}{when}, establishing the location."
        shot = self.shots.new_shot(
            size=size,
            covers=[index] if index is not None else [],
            duration=duration,
            movement=movement,
            description=description,
            notes=[reason],
        )
        self.shots.add(shot, "establishing", lead=f"{SIZE_LEADS[size]} {where}")

    def beat(self, index: int, beat: str) -> None:
        """One beat of action: in the shot a bare direction opened, else a shot of its own."""
        framing = parse_direction(beat, self.cast)
        open_shot = self.shots.open_shot
        if framing is None and open_shot is not None:
            self._join(open_shot, index, beat)
            return
        from_heading = False
        if framing is None and self.heading.framing is not None and not self.shots.planned:
            framing, from_heading = self.heading.framing, True
        content = beat
        if framing is not None and not from_heading:
            if not framing.rest.strip():
                self.bare_direction(index, framing)
                return
            content = framing.rest
        if self.heading.prefix and not self.shots.planned and content[:1].islower():
            content = f"{self.heading.prefix} {content}"
            self.shots.heading_lead = None
        self._shot(index, content, framing)

    def shot_direction(self, index: int, text: str) -> None:
        """A shot paragraph (Final Draft Shot, Fountain ``!!``): the shot the writer calls."""
        framing = parse_direction(text, self.cast)
        if framing is None:
            names = self.cast.find_heads(text)
            framing = Framing(subjects=names, label=text.strip(), subject_phrase=text.strip())
        if not framing.rest.strip():
            self.bare_direction(index, framing)
        else:
            self._shot(index, framing.rest, framing)

    def bare_direction(self, index: int | None, framing: Framing) -> None:
        """A direction alone (``CLOSE ON MARGOT``): the shot is open for what follows."""
        subjects = [name for name in framing.subjects if name != framing.pov_owner]
        if len(subjects) >= 2:
            subjects = self.screen.by_side(subjects)
        size = framing.size or _size_for_framing(framing, subjects, None)
        angle: Angle = framing.angle or self.heading.angle or "eye level"
        movement: Movement = framing.movement or "static"
        lead = self.describe.lead(size, angle, movement, subjects, framing)
        notes = [f"as written: {framing.label}"]
        if angle == "POV":
            notes.append(self.describe.pov_note(framing))
        if len(subjects) >= 2:
            notes.append(self.screen.sides_note(subjects))
        shot = self.shots.new_shot(
            size=size,
            covers=[index] if index is not None else [],
            duration=BARE_DIRECTION_S,
            subjects=subjects,
            angle=angle,
            movement=movement,
            description=f"{lead}.",
            notes=notes,
        )
        self.shots.add(shot, "direction", lead=lead, open_=True)

    def _join(self, planned: Planned, index: int, beat: str) -> None:
        """The first beat after a bare direction plays in the shot the writer called."""
        shot = planned.shot
        planned.open = False
        self.shots.attach(shot, [index])
        if not shot.subjects:
            shot.subjects = self._subjects_for(beat, None)
        shot.duration_s = round(max(shot.duration_s, action_duration(beat)), 3)
        shot.description = f"{planned.lead}: {self.describe.action(beat)}"
        if shot.subjects:
            self.shots.last_subjects = list(shot.subjects)

    def _shot(self, index: int, content: str, framing: Framing | None) -> None:
        """One action beat: framed as the writer asked, else as its words suggest."""
        subjects = self._subjects_for(content, framing)
        size, angle, movement, cues = self._framing(content, subjects, framing)
        if (
            not subjects
            and framing is None
            and size in ("EWS", "WS")
            and self._absorb_into_establishing(index, content)
        ):
            return
        last = self.shots.last
        reaction = (
            framing is None
            and size not in ("INSERT", "ECU")
            and len(subjects) == 1
            and subjects[0] != self.shots.last_speaker
            and last is not None
            and last.kind == "dialogue"
        )
        notes = list(cues.notes)
        if framing is not None:
            notes.append(f"as written: {framing.label}")
        if angle == "POV":
            notes.append(self.describe.pov_note(framing))
        if reaction:
            notes.append("reaction")
        introductions = self.cast.introductions
        notes += [f"introduces {n}" for n in subjects if introductions.get(n, "\0") in content]
        if len(subjects) >= 2:
            subjects = self.screen.by_side(subjects)
            notes.append(self.screen.sides_note(subjects))
        lead = self.describe.lead(size, angle, movement, subjects, framing, cues.detail)
        shot = self.shots.new_shot(
            size=size,
            covers=[index],
            duration=action_duration(content),
            subjects=subjects,
            angle=angle,
            movement=movement,
            description=f"{lead}: {self.describe.action(content)}",
            notes=notes,
        )
        self.shots.add(shot, "reaction" if reaction else "action", lead=lead)

    def _framing(
        self, content: str, subjects: list[str], framing: Framing | None
    ) -> tuple[Size, Angle, Movement, TextCues]:
        """Size, angle and movement of a beat: the writer's direction over the words' cues."""
        cues = read_cues(content, subjects, exterior=self.setting.exterior)
        size: Size = cues.size or "WS"
        angle: Angle = cues.angle or "eye level"
        movement: Movement = cues.movement or "static"
        if framing is not None:
            size = framing.size or _size_for_framing(framing, subjects, cues.size)
            angle = framing.angle or angle
            movement = framing.movement or (movement if size != "INSERT" else "static")
        if self.heading.angle is not None and angle == "eye level":
            angle = self.heading.angle
        return size, angle, movement, cues

    def _absorb_into_establishing(self, index: int, content: str) -> bool:
        """A wide beat right after a bare establishing shot plays in it, not a second wide."""
        last = self.shots.last
        if last is None or last.kind != "establishing" or last.shot.covers or last.voice:
            return False
        shot = last.shot
        self.shots.attach(shot, [index])
        shot.duration_s = round(_establishing_hold(shot.duration_s, content), 3)
        shot.description = f"{last.lead}: {self.describe.action(content)}"
        return True

    def _subjects_for(self, text: str, framing: Framing | None) -> list[str]:
        """Who a beat shows: named characters, or whoever the pronouns point back to."""
        last_subjects = self.shots.last_subjects
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
            elif not subjects and SINGULAR_RE.search(text) and last_subjects:
                subjects = last_subjects[:1]
            elif (
                subjects
                and _PRONOUN_START_RE.match(text)
                and last_subjects
                and last_subjects[0] not in subjects
            ):
                subjects = [last_subjects[0], *subjects]
            elif not subjects and PAUSE_RE.search(text) and not _ABOUT_THINGS_RE.search(text):
                subjects = list(self.shots.last_group or last_subjects)
        owner = framing.pov_owner if framing is not None else ""
        if not owner and self.heading.angle == "POV":
            owner = self.heading.pov_owner
        return [name for name in subjects if name != owner]

    def _group_for_plural(self) -> list[str]:
        """Who ``they`` are: the last group shown, else the first few present."""
        if self.shots.last_group:
            return self.shots.last_group
        return self.present[:3] if len(self.present) >= 2 else []


def _establishing_hold(held: float, beat: str) -> float:
    """How long an establishing shot holds once it also shows ``beat``."""
    return min(ESTABLISHING_MAX_S, max(held, action_duration(beat)))


def _size_for_framing(framing: Framing, subjects: list[str], read: Size | None) -> Size:
    """The size of a direction that names no size (``ANGLE ON``, ``ON THE TV``, ``POV``)."""
    if not subjects and framing.subject_phrase and not framing.angle and not framing.movement:
        return "INSERT" if len(framing.subject_phrase.split()) <= 3 else "WS"
    if read is not None and (framing.angle == "POV" or read in ("CU", "ECU", "INSERT")):
        return read
    if not subjects:
        return read or "WS"
    return "MS" if len(subjects) <= 2 else "WS"
