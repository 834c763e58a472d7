"""Screen direction: where each character stands in frame, and which way they look.

Sides are handed out in order of appearance and kept for the whole scene, so every shot of
a conversation stays on the same side of the line and the eyelines meet across the cut.
"""

from __future__ import annotations

__all__ = ["ScreenDirection"]

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


class ScreenDirection:
    """One scene's sides of the line: who stands where, and the conversation they face."""

    def __init__(self, group: list[str]) -> None:
        self.group = group
        """Who the conversation's master shows: a single looks toward the others in it."""
        self.sides: dict[str, str] = {}

    def side(self, name: str) -> str:
        """``name``'s side of the frame, assigned on first appearance."""
        if name not in self.sides:
            taken = len(self.sides)
            self.sides[name] = SIDES[taken] if taken < len(SIDES) else "background"
        return self.sides[name]

    def by_side(self, names: list[str]) -> list[str]:
        """``names`` from camera left to camera right (assigning sides to newcomers)."""
        for name in names:
            self.side(name)
        return sorted(names, key=lambda name: SCREEN_ORDER.get(self.sides[name], len(SIDES)))

    def sides_note(self, names: list[str]) -> str:
        """``BRICK camera left, STEEL camera right``: the line the coverage keeps."""
        if len(names) < 2:
            return ""
        return ", ".join(f"{name} {self.side(name)}" for name in names)

    def look(self, name: str, others: list[str]) -> str:
        """Which way ``name`` looks to meet the others' eyelines: toward them across the line."""
        mine = SCREEN_ORDER.get(self.side(name), 2)
        theirs = [SCREEN_ORDER.get(self.side(other), 2) for other in others if other != name]
        if not theirs:
            return ""
        average = sum(theirs) / len(theirs)
        if average == mine:
            return "looking camera right" if mine < 2 else "looking camera left"
        return "looking camera right" if average > mine else "looking camera left"

    def single_note(self, name: str) -> str:
        """``STEEL camera right, looking camera left``: a single that keeps the eyeline."""
        look = self.look(name, self.group)
        return f"{name} {self.side(name)}" + (f", {look}" if look else "")
