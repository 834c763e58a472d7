"""Shot descriptions in words: the framing's lead, names, quoted lines, clean sentences.

A description is a lead that names the framing (``Close on Margot``, ``Tracking, wide on
the street``) followed by what the shot shows: ``Close on Margot: She smiles.``
"""

from __future__ import annotations

import re

from screenplay.model import Dialogue
from shots._beats import COMPOUND_CUE_RE, Cast, Framing, display_name, readable, shorten
from shots.model import Angle, DialogueLine, Movement, Size

__all__ = [
    "SIZE_LEADS",
    "Describer",
    "lower_first",
    "names",
    "narrates",
    "place_name",
    "quote",
    "says",
    "sentence",
    "speaker",
    "together",
    "with_note",
]

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
"""The size, leading into what the shot is on."""
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

_WORD_CHARS_RE = re.compile(r"[^\W\d_]+")
_POSSESSIVE_CAPS_RE = re.compile(r"(['’])S\b")
_OWNER_PRONOUN_RE = re.compile(r"^(?:his|her|their|its)\b")
_QUOTE_RE = re.compile(r"[\"“”]")


class Describer:
    """Leads for one scene's shots: knows its cast, its place and whose eyes a POV uses."""

    def __init__(self, cast: Cast, location: str | None, heading_framing: Framing | None) -> None:
        self.cast = cast
        self.place = place_name(location)
        self.heading_framing = heading_framing

    def lead(
        self,
        size: Size,
        angle: Angle,
        movement: Movement,
        subjects: list[str],
        framing: Framing | None = None,
        detail: str = "",
    ) -> str:
        """The framing in words: ``Close on Margot``, ``Tracking, wide on the street``."""
        if detail and size in ("INSERT", "CU", "ECU"):
            who = _possessed(readable(detail, self.cast), subjects)
        elif subjects:
            who = names(subjects)
        elif framing is not None and framing.subject_phrase and framing.angle != "POV":
            who = readable(framing.subject_phrase, self.cast).lower()
        elif detail:
            who = lower_first(readable(detail, self.cast))
        elif size in ("MCU", "CU", "ECU", "INSERT"):
            who = "the detail"
        else:
            who = self.place
        if size == "MS" and len(subjects) == 2:
            lead = f"Two-shot of {who}"
        elif who == "the scene":
            lead = SIZE_SHOTS[size]
        else:
            lead = f"{SIZE_LEADS[size]} {who}"
        if angle == "POV":
            owner = self.pov_owner(framing)
            prefix = f"{display_name(owner)} POV" if owner else "POV"
            lead = f"{prefix}, {lower_first(lead)}"
        elif angle in ("high", "low", "overhead", "dutch"):
            lead = f"{angle.capitalize()} angle, {lower_first(lead)}"
        if movement in MOVEMENT_LEADS:
            lead = f"{MOVEMENT_LEADS[movement]}, {lower_first(lead)}"
        return lead

    def pov_owner(self, framing: Framing | None) -> str:
        """Whose point of view a POV shot takes: the direction's, else the heading's."""
        source = framing if framing is not None and framing.angle == "POV" else self.heading_framing
        return source.pov_owner if source is not None else ""

    def pov_note(self, framing: Framing | None) -> str:
        """``POV of JOHN``, or ``POV`` when nobody owns it."""
        owner = self.pov_owner(framing)
        return f"POV of {owner}" if owner else "POV"

    def action(self, text: str) -> str:
        """An action beat as the sentence after a lead: shortened, names as prose writes them."""
        return sentence(readable(shorten(text), self.cast))


def place_name(location: str | None) -> str:
    """``BRICK'S PATIO`` -> ``Brick's Patio``; ``the scene`` when there is no location."""
    if not location:
        return "the scene"
    titled = _WORD_CHARS_RE.sub(lambda m: m.group(0).capitalize(), location.lower())
    return _POSSESSIVE_CAPS_RE.sub(r"\1s", titled)


def names(characters: list[str]) -> str:
    """``Brick``, ``Brick and Steel``, ``Will, Sandra and Edward``."""
    shown = [display_name(name) for name in characters]
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def quote(text: str, words: int = 16) -> str:
    """``text`` shortened for quoting in a description, its double quotes made single."""
    return _QUOTE_RE.sub("'", shorten(" ".join(text.split()), words, 2))


def speaker(character: str) -> tuple[str, bool]:
    """How prose names a cue, and whether it is several people (``EDWARD AND WILL``)."""
    parts = [part for part in COMPOUND_CUE_RE.split(character) if part.strip()]
    return names(parts), len(parts) > 1


def says(line: DialogueLine, *, sung: bool = False) -> str:
    """``Steel (beer raised) says "To retirement."``"""
    quoted = quote(line.text)
    who, plural = speaker(line.character)
    verb = "sing" if sung else "ask" if quoted.endswith("?") else "say"
    verb = verb if plural else verb + "s"
    paren = f" ({line.parenthetical})" if line.parenthetical else ""
    return f'{who}{paren} {verb} "{quoted}"'


def narrates(element: Dialogue, verb: str) -> str:
    """``Edward narrates: "There are some fish..."``"""
    return f'{speaker(element.character)[0]} {verb}: "{quote(element.text)}"'


def together(lines: list[DialogueLine]) -> str:
    """Dual dialogue in words: ``Steel and Brick say "Screw retirement." together``."""
    if len({" ".join(line.text.lower().split()) for line in lines}) == 1:
        who = names([line.character for line in lines])
        return f'{who} say "{quote(lines[0].text)}" together'
    return f"{says(lines[0])} as {says(lines[1])}, at once"


def with_note(*notes: str) -> str:
    """Notes joined with ``; ``, empty ones dropped."""
    return "; ".join(note for note in notes if note)


def lower_first(text: str) -> str:
    """``text`` with its first character in lower case."""
    return text[:1].lower() + text[1:]


def sentence(text: str) -> str:
    """``text`` as a sentence: capitalised, ending in a full stop unless it already ends."""
    text = text.strip().rstrip(":;,-–— ")
    if text and text[-1] not in ".!?…\"'”’)。！？":
        text += "."
    return text[:1].upper() + text[1:]


def _possessed(detail: str, subjects: list[str]) -> str:
    """``his wedding band`` on EDWARD -> ``Edward's wedding band``."""
    if _OWNER_PRONOUN_RE.match(detail.lower()):
        detail = lower_first(detail)
    if subjects:
        owner = display_name(subjects[0]) + "'s"
        return _OWNER_PRONOUN_RE.sub(owner, detail, count=1)
    return _OWNER_PRONOUN_RE.sub("the", detail, count=1)
