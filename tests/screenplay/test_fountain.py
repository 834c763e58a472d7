"""Fountain parser: one case per element as literal lines, then the corpus."""

from __future__ import annotations

import textwrap

import pytest

from previz.errors import EmptyScriptError
from screenplay.base import parse_bytes, parse_file
from screenplay.fountain import strip_emphasis
from screenplay.model import Dialogue, Script
from tests.conftest import DATA


def fountain(text: str) -> Script:
    return parse_bytes(textwrap.dedent(text).lstrip("\n").encode(), name="t.fountain")


def body(script: Script) -> list[tuple[str, str]]:
    return [(e.kind, e.text) for scene in script.scenes for e in scene.elements]


# --- elements, one case each -------------------------------------------------------------


def test_scene_heading_needs_blank_lines_around() -> None:
    script = fountain(
        """
        INT. KITCHEN - NIGHT

        She waits.
        EXT. GARDEN - DAY
        is not a heading: it has text right after it.
        """
    )
    assert [s.heading for s in script.scenes] == ["INT. KITCHEN - NIGHT"]
    (action,) = script.scenes[0].elements
    assert (
        action.text
        == "She waits.\nEXT. GARDEN - DAY\nis not a heading: it has text right after it."
    )


@pytest.mark.parametrize(
    ("line", "int_ext"),
    [
        ("INT. HOUSE - DAY", "INT"),
        ("EXT. HOUSE - DAY", "EXT"),
        ("EST. HOUSE - DAY", "EST"),
        ("INT./EXT. HOUSE - DAY", "INT/EXT"),
        ("INT/EXT HOUSE - DAY", "INT/EXT"),
        ("I/E HOUSE - DAY", "INT/EXT"),
        ("int. house - day", "INT"),
    ],
)
def test_scene_heading_prefixes(line: str, int_ext: str) -> None:
    scene = fountain(f"\n{line}\n\nAction.\n").scenes[0]
    assert scene.heading == line
    assert scene.int_ext == int_ext
    assert scene.location == "HOUSE"
    assert scene.time_of_day == "DAY"


def test_forced_heading_and_scene_numbers() -> None:
    script = fountain(
        """
        .SNIPER SCOPE POV

        INT. HOUSE - DAY #12A#

        .FLASHBACK #I-1-A#

        ...and this ellipsis is action.
        """
    )
    first, second, third = script.scenes
    assert (first.heading, first.forced, first.int_ext, first.number) == (
        "SNIPER SCOPE POV",
        True,
        None,
        "1",
    )
    assert (second.heading, second.number, second.numbered) == ("INT. HOUSE - DAY", "12A", True)
    assert (third.heading, third.number) == ("FLASHBACK", "I-1-A")
    assert third.elements[0].kind == "action"


def test_dialogue_with_extension_parenthetical_and_contd() -> None:
    script = fountain(
        """
        INT. ROOM - DAY

        EDWARD (V.O.)(CONT’D)
        (quietly)
        There are some fish
        that cannot be caught.
        (beat)
        Call it luck.
        """
    )
    (line,) = script.scenes[0].elements
    assert isinstance(line, Dialogue)
    assert (line.character, line.extension, line.contd) == ("EDWARD", "V.O.", True)
    assert line.cue == "EDWARD (V.O.)(CONT’D)"
    assert line.parenthetical == "quietly"
    assert line.text == "There are some fish\nthat cannot be caught.\nCall it luck."
    assert [p.kind for p in line.parts] == ["parenthetical", "speech", "parenthetical", "speech"]


def test_character_needs_text_after_and_blank_before() -> None:
    script = fountain(
        """
        INT. ROOM - DAY

        A RIVER.

        THE END
        """
    )
    assert [e.kind for e in script.scenes[0].elements] == ["action", "action"]
    assert script.characters == []


def test_forced_character_keeps_case_and_names_with_digits() -> None:
    script = fountain(
        """
        INT. ROOM - DAY

        @McCABE
        Hello.

        HERO 1
        Hi.

        O'BRIEN
        Hey.
        """
    )
    assert [c.name for c in script.characters] == ["HERO 1", "McCABE", "O'BRIEN"]


def test_dual_dialogue() -> None:
    script = fountain(
        """
        INT. ROOM - DAY

        STEEL
        Screw retirement.

        BRICK ^
        Screw retirement.

        DAN
        What?
        """
    )
    lines = script.scenes[0].elements
    assert [(e.character, e.dual) for e in lines] == [
        ("STEEL", "left"),
        ("BRICK", "right"),
        ("DAN", None),
    ]


def test_two_space_line_keeps_dialogue_together() -> None:
    data = b"INT. ROOM - DAY\n\nDEALER\nTen.\n  \nTwenty.\n\nAction.\n"
    script = parse_bytes(data, name="two-spaces.fountain")
    first = script.scenes[0].elements[0]
    assert first.kind == "dialogue"
    assert first.text == "Ten.\n\nTwenty."


def test_transitions() -> None:
    script = fountain(
        """
        INT. ROOM - DAY

        He leaves.

        SMASH CUT TO:

        > BURN TO PINK.

        Not a transition TO:
        """
    )
    kinds = body(script)
    assert kinds[1:3] == [("transition", "SMASH CUT TO:"), ("transition", "BURN TO PINK.")]
    assert kinds[3][0] == "action"


def test_centered_lines_merge_and_lose_emphasis() -> None:
    script = fountain(
        """
        INT. ROOM - DAY

        > _**THE END**_ <
        > of part one <
        """
    )
    assert body(script) == [("centered", "THE END\nof part one")]


def test_lyrics_alone_and_sung_in_dialogue() -> None:
    script = fountain(
        """
        INT. ROOM - DAY

        ~Willy Wonka! Willy Wonka!
        ~The amazing chocolatier!

        @McCABE
        ~Happy birthday to you!
        """
    )
    lyrics, sung = script.scenes[0].elements
    assert (lyrics.kind, lyrics.text) == (
        "lyrics",
        "Willy Wonka! Willy Wonka!\nThe amazing chocolatier!",
    )
    assert isinstance(sung, Dialogue)
    assert sung.text == "Happy birthday to you!"
    assert [p.kind for p in sung.parts] == ["lyrics"]


def test_notes_are_kept_apart_and_may_span_blank_lines() -> None:
    script = fountain(
        """
        INT. ROOM - DAY

        He opens the door[[ is it locked?]] and enters.

        [[A long note

        across a blank line]]

        MARGOT
        Hello[[ say it softly]].
        """
    )
    elements = script.scenes[0].elements
    assert [(e.kind, e.text) for e in elements] == [
        ("action", "He opens the door and enters."),
        ("note", "is it locked?"),
        ("note", "A long note across a blank line"),
        ("dialogue", "Hello."),
        ("note", "say it softly"),
    ]
    assert elements[2].line == 5


def test_note_before_title_page() -> None:
    script = fountain(
        """
        [[Script note.]]

        Title: Notes First
        Author: Someone

        INT. ROOM - DAY

        Action.
        """
    )
    assert script.title_page.title == "Notes First"
    assert script.scenes[0].elements[0].kind == "note"


def test_boneyard_nested_inline_and_hiding_a_scene() -> None:
    script = fountain(
        """
        INT. KEPT - DAY

        Keep /*drop*/this /*drop /*nested*/ still dropped */too.

        /*
        INT. CUT SCENE - NIGHT

        Gone. /* nested */
        Still gone.
        */

        After.
        """
    )
    assert [s.heading for s in script.scenes] == ["INT. KEPT - DAY"]
    assert body(script) == [("action", "Keep this too."), ("action", "After.")]
    assert script.scenes[0].elements[1].line == 12


def test_unclosed_boneyard_is_reported() -> None:
    script = fountain("INT. ROOM - DAY\n\nAction.\n\n/* never closed\n\nLost.\n")
    assert any("never closed" in w and "line 5" in w for w in script.warnings)


def test_sections_and_synopses_without_blank_lines() -> None:
    script = fountain(
        """
        # ACT I
        = Two hit men.
        ## Meet Scott
        = And his friend.
        = A second synopsis.

        INT. APARTMENT - DAY
        = The scene's own synopsis.

        Scott paints.
        """
    )
    (scene,) = script.scenes
    assert scene.section == "Meet Scott"
    assert scene.section_path == ["ACT I", "Meet Scott"]
    assert scene.synopsis == "The scene's own synopsis."
    assert [e.kind for e in scene.elements] == [
        "section",
        "synopsis",
        "section",
        "synopsis",
        "synopsis",
        "synopsis",
        "action",
    ]


def test_page_breaks_and_forced_action() -> None:
    script = fountain("INT. ROOM - DAY\n\nOne.\n\n===\n\n!INT. NOT A HEADING\n")
    assert body(script) == [
        ("action", "One."),
        ("page_break", ""),
        ("action", "INT. NOT A HEADING"),
    ]


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        ("*italic* and **bold** and ***both***", "italic and bold and both"),
        ("_underline_ and _*mixed*_ and _**odd_**", "underline and mixed and odd"),
        ("What the f\\*ck! Escape\\_escape", "What the f*ck! Escape_escape"),
        ("5 * 3 = 15 and snake_case", "5 * 3 = 15 and snake_case"),
    ],
)
def test_emphasis_is_removed(raw: str, plain: str) -> None:
    assert strip_emphasis(raw) == plain


def test_title_page_multiline_values_and_other_keys() -> None:
    script = fountain(
        """
        Title:
        \t_**BRICK & STEEL**_
        \t_**FULL RETIRED**_
        Credit: Written by
        Authors: Stu Maschwitz & KTM
        Draft date: 1/27/2012
        Contact:
        \tNext Level Productions
            Solvang, CA 93463
        Revision: Blue

        EXT. PATIO - DAY

        Sun.
        """
    )
    page = script.title_page
    assert page.title == "BRICK & STEEL\nFULL RETIRED"
    assert page.credit == "Written by"
    assert page.authors == ["Stu Maschwitz", "KTM"]
    assert page.draft_date == "1/27/2012"
    assert page.contact == "Next Level Productions\nSolvang, CA 93463"
    assert page.extra == {"revision": "Blue"}


def test_line_endings_crlf_cr_mixed_and_bom() -> None:
    text = "INT. A - DAY\r\n\r\nOne.\n\nEXT. B - NIGHT\r\rTwo.\r\n"
    script = parse_bytes(b"\xef\xbb\xbf" + text.encode(), name="mixed.fountain")
    assert [s.heading for s in script.scenes] == ["INT. A - DAY", "EXT. B - NIGHT"]
    assert [s.line for s in script.scenes] == [1, 5]


def test_utf16_with_bom() -> None:
    data = "INT. ROOM - DAY\n\nMARGOT\nBonjour.\n".encode("utf-16")
    script = parse_bytes(data, name="u16.fountain")
    assert script.characters[0].name == "MARGOT"


def test_only_notes_and_boneyard_is_empty() -> None:
    with pytest.raises(EmptyScriptError, match="no screenplay text"):
        fountain("/* nothing */\n[[ just a note ]]\n")


def test_opening_before_first_heading_is_its_own_scene() -> None:
    script = fountain(
        """
        FADE IN:

        A RIVER.

        EDWARD (V.O.)
        There are some fish that cannot be caught.

        INT. BEDROOM - NIGHT

        Will listens.
        """
    )
    opening, bedroom = script.scenes
    assert (opening.id, opening.number, opening.heading) == ("sc000", "0", None)
    assert [e.kind for e in opening.elements] == ["action", "action", "dialogue"]
    assert (bedroom.id, bedroom.number) == ("sc001", "1")


def test_fade_in_alone_joins_the_first_scene() -> None:
    script = fountain("FADE IN:\n\nINT. BEDROOM - NIGHT\n\nWill listens.\n")
    (scene,) = script.scenes
    assert [e.text for e in scene.elements] == ["FADE IN:", "Will listens."]


# --- the corpus ----------------------------------------------------------------------------


def test_brick_and_steel() -> None:
    script = parse_file(DATA / "brick_and_steel.fountain")
    assert [s.heading for s in script.scenes] == [
        "EXT. BRICK'S PATIO - DAY",
        "INT. TRAILER HOME - DAY",
        "EXT. BRICK'S POOL - DAY",
        "SNIPER SCOPE POV",
        "OPENING TITLES",
        "EXT. WOODEN SHACK - DAY",
        "INT. GARAGE - DAY",
        "EXT. PALATIAL MANSION - DAY",
    ]
    assert [s.int_ext for s in script.scenes][3:5] == [None, None]
    names = {c.name: c for c in script.characters}
    assert set(names) == {"STEEL", "BRICK", "COGNITO", "DAN", "JACK", "MINION", "HANDSOME MAN"}
    assert names["STEEL"].dialogue_count == 9
    assert "DICK STEEL" in names["STEEL"].aliases
    assert names["BRICK"].description == "retired police detective"
    assert names["COGNITO"].description == "the criminal mastermind"
    duals = [
        (e.character, e.dual) for s in script.scenes for e in s.elements if getattr(e, "dual", None)
    ]
    assert duals == [("STEEL", "left"), ("BRICK", "right")]
    jack = next(e for e in script.scenes[1].elements if isinstance(e, Dialogue))
    assert (jack.character, jack.parenthetical) == ("JACK", "in Vietnamese, subtitled")
    assert jack.text == "Did you know Brick and Steel are retired?"
    centered = [e.text for s in script.scenes for e in s.elements if e.kind == "centered"]
    assert centered == ["BRICK BRADDOCK\n& DICK STEEL IN", "BRICK & STEEL\nFULL RETIRED", "THE END"]
    assert [e.text for s in script.scenes for e in s.elements if e.kind == "transition"] == [
        "SMASH CUT TO:",
        "CUT TO:",
        "CUT TO:",
        "SMASH CUT TO:",
        "CUT TO:",
        "CUT TO:",
        "BURN TO PINK.",
    ]


def test_syntax_edge_cases() -> None:
    script = parse_file(DATA / "syntax_edge_cases.fountain")
    headings = [s.heading for s in script.scenes]
    assert len(headings) == 11
    assert "FORCED HEADER" in headings
    assert "WNĘTRZE. FORCED ELEMENTS - NIGHT" in headings
    everything = [e for s in script.scenes for e in s.elements]
    texts = " ".join(e.text for e in everything if e.kind != "note")
    assert "Ignored" not in texts and "/* nested */" not in texts and "*/" not in texts
    assert "[[" not in texts and "multiline note" not in texts
    notes = [e.text for e in everything if e.kind == "note"]
    assert notes[0].startswith("Script note.")
    assert notes[1] == "(inline note)"
    assert notes[2].endswith("...multiline note")  # spans a blank line
    action = next(e for e in everything if e.text.startswith("What the"))
    assert action.text == "What the f*ck! Escape_escape*escape."
    assert any(e.kind == "page_break" for e in everything)
    assert [(e.character, e.dual) for e in everything if isinstance(e, Dialogue) and e.dual] == [
        ("HERO 2", "left")
    ] or [(e.character, e.dual) for e in everything if isinstance(e, Dialogue) and e.dual] == [
        ("HERO 1", "left"),
        ("HERO 2", "right"),
    ]
    mccabe = next(e for e in everything if isinstance(e, Dialogue) and e.character == "McCABE")
    assert mccabe.text == "Happy birthday to you!" and mccabe.parts[0].kind == "lyrics"
    forced = next(e for e in everything if e.text == "INT. ACTION")
    assert forced.kind == "action"
    last = script.scenes[-1]
    assert last.synopsis == "Scene synopsis"
    assert last.section_path == ["Act 4: Misc", "Sections and synopsis", "Subsection"]
    assert script.title_page.title == "Screenplay title\nSecond line"
    assert script.title_page.authors == ["Author 1", "Author 2", "Author 3"]
    assert script.title_page.contact == "e-mail: email@email.com\nphone: +12 34 567 89"
    assert script.title_page.extra["copyright"] == "Licence info"
    assert {c.name for c in script.characters} >= {"HERO 1", "HERO 2", "HERO 3", "POLISH"}


def test_the_last_birthday_card() -> None:
    script = parse_file(DATA / "the_last_birthday_card.fountain")
    assert len(script.scenes) == 48
    forced = [s for s in script.scenes if s.forced]
    assert len(forced) == 23
    assert script.scenes[0].heading == "INT. SAN FRANCISCO APARTMENT, DAY"
    assert script.scenes[0].time_of_day == "DAY"
    assert script.scenes[0].section_path == ["ACT I", "Meet Scott", "Scott's SF Apartment"]
    names = {c.name for c in script.characters}
    assert {"SCOTT", "BAXTER", "NAK", "WOMAN", "SOPHISTICATED WOMAN"} <= names
    sections = [e for s in script.scenes for e in s.elements if e.kind == "section"]
    assert len(sections) == 28
    synopses = [e for s in script.scenes for e in s.elements if e.kind == "synopsis"]
    assert len(synopses) == 7
    transitions = [e.text for s in script.scenes for e in s.elements if e.kind == "transition"]
    assert "HERE WE GO:" in transitions and "INTERCUT WITH:" in transitions


def test_big_fish() -> None:
    script = parse_file(DATA / "big_fish.fountain")
    opening = script.scenes[0]
    assert opening.heading is None and opening.id == "sc000"
    assert (
        opening.elements[0].text
        == "This is a Southern story, full of lies and fabrications, but truer for their inclusion."
    )
    assert script.scenes[1].heading == "INT.  WILL’S BEDROOM - NIGHT (1973)"
    assert (script.scenes[1].location, script.scenes[1].time_of_day) == ("WILL'S BEDROOM", "NIGHT")
    assert script.scenes[1].time_note == "(1973)"
    assert len([s for s in script.scenes if s.heading]) == 192  # 190 INT/EXT + 2 EXT/INT
    edward = script.character("EDWARD")
    assert edward is not None and "EDWARD BLOOM" in edward.aliases
    assert edward.description == "40’s and handsome"
    assert script.character("YOUNG EDWARD") is not None  # a different actor: never merged
    assert script.character("YOUNG EDWARD") is not edward
    assert 110 <= script.page_count <= 135  # the printed script runs 122 pages
    ext = [e for s in script.scenes for e in s.elements if isinstance(e, Dialogue) and e.contd]
    assert ext, "EDWARD (V.O.)(CONT’D) is marked continued"
    assert script.title_page.extra["notes"].startswith("FINAL PRODUCTION DRAFT")


def test_big_fish_scene_numbers() -> None:
    script = parse_file(DATA / "big_fish_scene_numbers.fountain")
    numbered = [(s.number, s.heading) for s in script.scenes if s.numbered]
    assert [n for n, _ in numbered] == ["1", "1A", "2", "2A", "I-1-A", "110A", "9."]
    assert numbered[0][1] == "INT.  WILL'S BEDROOM - NIGHT (1973)"


def test_utf8_bom_before_first_heading() -> None:
    script = parse_file(DATA / "utf8_bom.fountain")
    (scene,) = script.scenes
    assert scene.heading == "EXT. SOMEWHERE - DAY"
    assert (
        scene.elements[1].text == "It's a sunny day.\nSunnier than normal.\nToo sunny to be funny."
    )
    assert [c.name for c in script.characters] == ["GUY", "GURL"]
    assert scene.elements[3].text == "Nothing much.\nJust thinking.\nAnd you?"


def test_japanese_fullwidth_syntax() -> None:
    script = parse_file(DATA / "japanese_fullwidth.fountain")
    assert script.title_page.title == "映画"
    assert script.title_page.authors == ["匿名"]
    headed = [s for s in script.scenes if s.heading]
    assert [s.heading for s in headed] == ["INT。 病院-日"]
    assert headed[0].int_ext == "INT"
    john = next(e for e in headed[0].elements if isinstance(e, Dialogue))
    assert john.parenthetical == "失われた"
    assert john.text == "この場所は何ですか？"


@pytest.mark.parametrize("path", sorted(DATA.glob("*.fountain")), ids=lambda p: p.name)
def test_json_round_trip_is_lossless(path) -> None:
    script = parse_file(path)
    again = Script.model_validate_json(script.model_dump_json())
    assert again == script
    assert again.model_dump_json(exclude_none=True) == script.model_dump_json(exclude_none=True)
