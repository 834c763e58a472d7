"""Cross-check the Fountain parser against screenplain on the whole corpus.

previz writes its own parser; screenplain (a well-kept peer) must agree with it on every
scene heading, scene number, cue and line of dialogue, except where screenplain departs
from the Fountain spec or previz reads more than the spec. Those differences are listed
here one by one, each with the reason, and previz's side is asserted separately.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from screenplay.base import decode_text, parse_file
from screenplay.model import Dialogue
from tests.conftest import DATA

screenplain_fountain = pytest.importorskip("screenplain.parsers.fountain")
screenplain_types = pytest.importorskip("screenplain.types")

Headings = list[tuple[str, str | None]]
Lines = list[tuple[str, str]]

# (file, heading previz has and screenplain lacks): why.
EXTRA_HEADINGS = {
    # Final Draft and every writer read EXT/INT as INT/EXT; the spec's list omits it.
    ("big_fish.fountain", "EXT/INT. SORORITY HOUSE - THE DOORWAY"),
    ("big_fish.fountain", "EXT/INT.  SWAMP SHACK - DAY"),
    # Full-width 。 after INT in a Japanese script: previz reads CJK punctuation as syntax.
    ("japanese_fullwidth.fountain", "INT。 病院-日"),
}
EXTRA_LINES = {("japanese_fullwidth.fountain", "ジョン")}
# (file, cue): (screenplain's text, previz's): screenplain leaves the lyric marker in speech.
LYRIC_LINES = {
    ("syntax_edge_cases.fountain", "McCABE"): ("~Happy birthday to you!", "Happy birthday to you!")
}


def _plain(value: object) -> str:
    return value.to_plain() if hasattr(value, "to_plain") else str(value)


def _speech(blocks: list) -> str:
    return " ".join(" ".join(_plain(text) for is_paren, text in blocks if not is_paren).split())


def screenplain_view(path: Path) -> tuple[Headings, Lines]:
    text = decode_text(path.read_bytes())
    headings: Headings = []
    lines: Lines = []
    for paragraph in screenplain_fountain.parse(io.StringIO(text)):
        if isinstance(paragraph, screenplain_types.Slug):
            number = paragraph.scene_number
            headings.append((_plain(paragraph.line), _plain(number) if number else None))
        elif isinstance(paragraph, screenplain_types.DualDialog):
            for side in (paragraph.left, paragraph.right):
                lines.append((_plain(side.character), _speech(side.blocks)))
        elif isinstance(paragraph, screenplain_types.Dialog):
            lines.append((_plain(paragraph.character), _speech(paragraph.blocks)))
    return headings, lines


def previz_view(path: Path) -> tuple[Headings, Lines]:
    script = parse_file(path)
    headings = [
        (scene.heading, scene.number if scene.numbered else None)
        for scene in script.scenes
        if scene.heading is not None
    ]
    lines = [
        (element.cue, " ".join(element.text.split()))
        for scene in script.scenes
        for element in scene.elements
        if isinstance(element, Dialogue)
    ]
    return headings, lines


@pytest.mark.parametrize("path", sorted(DATA.glob("*.fountain")), ids=lambda p: p.name)
def test_previz_agrees_with_screenplain(path: Path) -> None:
    peer_headings, peer_lines = screenplain_view(path)
    our_headings, our_lines = previz_view(path)
    assert our_headings, "every corpus script has scenes"

    kept = [h for h in our_headings if (path.name, h[0]) not in EXTRA_HEADINGS]
    assert kept == peer_headings
    assert len(our_headings) - len(kept) == sum(1 for f, _ in EXTRA_HEADINGS if f == path.name)

    ours = [line for line in our_lines if (path.name, line[0]) not in EXTRA_LINES]
    expected = [
        (cue, LYRIC_LINES[(path.name, cue)][1]) if (path.name, cue) in LYRIC_LINES else (cue, text)
        for cue, text in peer_lines
    ]
    if (path.name, "McCABE") in LYRIC_LINES:
        assert (("McCABE", LYRIC_LINES[(path.name, "McCABE")][0])) in peer_lines
    assert ours == expected
