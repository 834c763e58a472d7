"""Who is in a scene, and how each line of dialogue is heard.

Read once, before any shot is planned: who is physically present, in order of appearance;
who is only heard (a voice, the far end of a phone call); who is seen in the intercut scene
instead; who a conversation's master shows; and whether each dialogue block is spoken on
camera, as a voice-over, or off screen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from screenplay.model import Dialogue
from shots._context import SceneContext

__all__ = ["Mode", "Presence", "read_presence"]

Mode = Literal["on", "voice", "off", "remote"]
"""How a line is heard: on camera, over the picture, off screen, or from the intercut scene."""

VOICE_EXT_RE = re.compile(r"V\.?\s*O\b|V/O|VOICE[- ]OVER|PRELAP|PRE-LAP|NARRAT", re.I)
"""Extensions heard over the picture, never seen speaking."""
OFF_EXT_RE = re.compile(r"O\.?\s*[SC]\b\.?|OFF(?:[- ]?SCREEN|[- ]?CAMERA)?\b", re.I)
"""Extensions spoken off-screen: covered by a reaction of who is on screen."""
DEVICE_EXT_RE = re.compile(r"PHONE|FILTER|RADIO|\bTV\b|SPEAKER|INTERCOM|WALKIE|ON SCREEN", re.I)
"""Extensions heard through a device: seen only if the speaker is in the scene."""
VOICE_NAME_RE = re.compile(r"\bVOICES?\b|\bNARRATOR\b")
"""Cue names that are only ever heard (``A MAN'S VOICE``, ``NARRATOR``)."""
PHONE_RE = re.compile(r"\b(?:phones?|on the line|receiver|speakerphone|voice)\b", re.I)
"""A scene on the phone: unnamed speakers are the other end of the line."""
MAX_GROUP = 5
"""A conversation's master shows at most this many characters."""


@dataclass(frozen=True, slots=True)
class Presence:
    """Who is in one scene, and how its lines are heard."""

    modes: dict[int, Mode]
    """How each dialogue block (by element index) is heard, from its cue alone."""
    remote: frozenset[str]
    """In an intercut, speakers seen in the other scene rather than this one."""
    present: list[str]
    """Characters physically in the scene, in order of appearance."""
    group: list[str]
    """Who a conversation's master shows."""

    def mode(self, index: int, speakers: list[str]) -> Mode:
        """How the dialogue block at ``index`` is heard, now that the speakers are placed."""
        mode = self.modes.get(index, "on")
        if mode != "on":
            return mode
        if all(name in self.remote for name in speakers):
            return "remote"
        if not any(name in self.present for name in speakers):
            return "off"
        return "on"


def read_presence(context: SceneContext) -> Presence:
    """Read who is in ``context``'s scene and how each of its lines is heard."""
    mentioned = _mentioned(context)
    heard = _heard_only(context, mentioned)
    modes: dict[int, Mode] = {
        index: _heard_as(element, heard)
        for index, element in enumerate(context.scene.elements)
        if isinstance(element, Dialogue)
    }
    remote = _remote(context, modes, mentioned)
    present = _present(context, modes, remote, mentioned)
    return Presence(modes, remote, present, _group(context, modes, present))


def _heard_as(element: Dialogue, heard: set[str]) -> Mode:
    """How a line is heard from its cue: voice-over, off screen, or on camera."""
    extension = element.extension or ""
    if VOICE_EXT_RE.search(extension):
        return "voice"
    if OFF_EXT_RE.search(extension) or element.character in heard:
        return "off"
    return "on"


def _mentioned(context: SceneContext) -> set[str]:
    """Characters the scene's action and (secondary) heading name."""
    scene, cast = context.scene, context.cast
    names: set[str] = set()
    if context.secondary and scene.heading:
        names.update(cast.find_heads(scene.heading, possessive=False))
    for element in scene.elements:
        if element.kind in ("action", "shot"):
            names.update(cast.find(element.text))
    return names


def _heard_only(context: SceneContext, mentioned: set[str]) -> set[str]:
    """Speakers heard but never seen: a ``VOICE``, or, in a scene on the phone, a speaker
    the action never names while it names the others."""
    scene, cast = context.scene, context.cast
    speakers = {e.character for e in scene.elements if isinstance(e, Dialogue)}
    heard = {name for name in speakers if VOICE_NAME_RE.search(name)}
    action = " ".join(e.text for e in scene.elements if e.kind in ("action", "shot"))
    if PHONE_RE.search(action) and speakers & mentioned:
        seen_there = _partner_speakers(context)
        heard |= {
            name
            for name in speakers
            if not set(cast.expand(name)) & mentioned and name not in seen_there
        }
    return heard


def _partner_speakers(context: SceneContext) -> set[str]:
    """Speakers of the scene this one is intercut with (they are seen there)."""
    if context.partner is None:
        return set()
    return {e.character for e in context.partner.elements if isinstance(e, Dialogue)}


def _remote(context: SceneContext, modes: dict[int, Mode], mentioned: set[str]) -> frozenset[str]:
    """In an intercut, speakers seen in the other scene rather than this one."""
    partner, cast = context.partner, context.cast
    if partner is None:
        return frozenset()
    there: set[str] = set()
    for element in partner.elements:
        if isinstance(element, Dialogue):
            there.update(cast.expand(element.character))
        elif element.kind in ("action", "shot"):
            there.update(cast.find(element.text))
    remote: set[str] = set()
    for index, element in enumerate(context.scene.elements):
        if isinstance(element, Dialogue) and modes[index] == "on":
            for name in cast.expand(element.character):
                if name in there and name not in mentioned:
                    remote.add(name)
    return frozenset(remote)


def _present(
    context: SceneContext,
    modes: dict[int, Mode],
    remote: frozenset[str],
    mentioned: set[str],
) -> list[str]:
    """Characters physically in the scene, in order of appearance."""
    scene, cast = context.scene, context.cast
    present: dict[str, None] = {}
    if context.secondary and scene.heading:
        for name in cast.find_heads(scene.heading, possessive=False):
            present.setdefault(name, None)
    for index, element in enumerate(scene.elements):
        if element.kind in ("action", "shot"):
            for name in cast.find(element.text):
                present.setdefault(name, None)
        elif isinstance(element, Dialogue) and modes[index] == "on":
            device = DEVICE_EXT_RE.search(element.extension or "")
            for name in cast.expand(element.character):
                if name in remote or (device and name not in mentioned):
                    continue
                present.setdefault(name, None)
    return list(present)


def _group(context: SceneContext, modes: dict[int, Mode], present: list[str]) -> list[str]:
    """Who a conversation's master shows: the on-camera speakers, or a speaker and
    the first character listening."""
    speaking: dict[str, None] = {}
    for index, element in enumerate(context.scene.elements):
        if isinstance(element, Dialogue) and modes[index] == "on":
            for name in context.cast.expand(element.character):
                if name in present:
                    speaking.setdefault(name, None)
    group = [name for name in present if name in speaking]
    if len(group) == 1:
        listeners = [name for name in present if name not in speaking]
        group = [name for name in present if name in group or name in listeners[:1]]
    return group[:MAX_GROUP]
