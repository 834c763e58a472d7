"""The shared script builder: headings, cues, the character bible, locations, pages."""

from __future__ import annotations

import pytest

from screenplay.base import parse_bytes
from screenplay.build import parse_cue, parse_heading
from screenplay.model import Script


def parse(text: str) -> Script:
    return parse_bytes(text.encode(), name="t.fountain")


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("INT.  WILL'S BEDROOM - NIGHT (1973)", ("INT", "WILL'S BEDROOM", "NIGHT", "(1973)")),
        ("INT. SAN FRANCISCO APARTMENT, DAY", ("INT", "SAN FRANCISCO APARTMENT", "DAY", None)),
        (
            "INT. HALLWAY, SCOTT'S APARTMENT BUILDING, A MOMENT LATER",
            ("INT", "HALLWAY, SCOTT'S APARTMENT BUILDING", "LATER", None),
        ),
        ("EXT. HIGHWAY - MOVING - DUSK", ("EXT", "HIGHWAY - MOVING", "DUSK", None)),
        ("I/E CAR - NIGHT", ("INT/EXT", "CAR", "NIGHT", None)),
        ("EXT/INT. SWAMP SHACK - DAY", ("INT/EXT", "SWAMP SHACK", "DAY", None)),
        ("INT. LAMP ROOM - CONTINUOUS", ("INT", "LAMP ROOM", "CONTINUOUS", None)),
        ("EXT. BEACH – MAGIC HOUR", ("EXT", "BEACH", "DUSK", None)),
        ("INT. DAYCARE CENTER", ("INT", "DAYCARE CENTER", None, None)),
        ("SNIPER SCOPE POV", (None, "SNIPER SCOPE POV", None, None)),
        (
            "INT. SAUSALITO HOME, THE NEXT MORNING",
            ("INT", "SAUSALITO HOME", "MORNING", "THE NEXT MORNING"),
        ),
        (
            "INT. HALF-DARK PARIS APARTMENT - (PRESENT) DAY",
            ("INT", "HALF-DARK PARIS APARTMENT", "DAY", "(PRESENT)"),
        ),
        ("INT. HOUSE - LATER THAT NIGHT", ("INT", "HOUSE", "NIGHT", "LATER THAT NIGHT")),
        ("EXT. DAY CARE CENTER - DAY", ("EXT", "DAY CARE CENTER", "DAY", None)),
        ("EXT. SAME OLD STREET", ("EXT", "SAME OLD STREET", None, None)),
        ("INT。 病院-日", ("INT", "病院-日", None, None)),
    ],
)
def test_parse_heading(heading: str, expected: tuple) -> None:
    assert parse_heading(heading) == expected


@pytest.mark.parametrize(
    ("cue", "expected"),
    [
        ("EDWARD (V.O.)(CONT’D)", ("EDWARD", "V.O.", True)),
        ("MARY (O.S.) (cont'd)", ("MARY", "O.S.", True)),
        ("TOMAS (ON PHONE)", ("TOMAS", "ON PHONE", False)),
        ("HERO 1", ("HERO 1", None, False)),
        ("O’BRIEN", ("O'BRIEN", None, False)),
    ],
)
def test_parse_cue(cue: str, expected: tuple) -> None:
    assert parse_cue(cue) == expected


def test_character_bible_from_the_tiny_script(tiny_fountain: str) -> None:
    script = parse(tiny_fountain)
    margot = script.character("MARGOT")
    assert margot is not None
    assert margot.name == "MARGOT"
    assert margot.aliases == ["MARGOT VANCE"]
    assert margot.description == "40s, oilskin coat, tired eyes"
    assert margot.introduction.startswith("MARGOT VANCE (40s, oilskin coat, tired eyes) climbs")
    assert margot.scenes == ["sc001", "sc002"]
    assert margot.dialogue_count == 2
    tomas = script.character("TOMAS")
    assert tomas.description == "70s, white beard"
    assert tomas.scenes == ["sc001", "sc002"]
    assert script.character("margot vance") is margot


def test_full_name_cue_and_first_name_cue_are_one_character() -> None:
    script = parse("INT. A - DAY\n\nMARGOT VANCE\nHello.\n\nMARGOT\nAgain.\n\nMARGOT\nAnd again.\n")
    assert [(c.name, c.aliases, c.dialogue_count) for c in script.characters] == [
        ("MARGOT", ["MARGOT VANCE"], 3)
    ]
    assert {e.character for e in script.scenes[0].elements} == {"MARGOT"}


@pytest.mark.parametrize(
    "names",
    [
        ("EDWARD", "YOUNG EDWARD"),  # a different actor
        ("WOMAN", "SOPHISTICATED WOMAN"),  # a role noun names many people
        ("HERO 1", "HERO 2"),
        ("WILL", "EDWARD AND WILL"),  # a group cue
        ("MARGOT", "MARGOT VANCE", "MARGOT LEE"),  # ambiguous: the script does not say which
    ],
)
def test_names_that_are_not_merged(names: tuple[str, ...]) -> None:
    text = "INT. A - DAY\n\n" + "".join(f"{name}\nLine.\n\n" for name in names)
    script = parse(text)
    assert sorted(c.name for c in script.characters) == sorted(names)


def test_appositive_and_dash_descriptions() -> None:
    script = parse(
        "EXT. PATIO - DAY\n\n"
        "BRICK BRADDOCK, retired police detective, is sitting quietly.\n\n"
        "His mother SANDRA -- from whom he gets his looks -- stands by.\n\n"
        "BRICK\nBeer?\n\nSANDRA\nNo.\n"
    )
    assert script.character("BRICK").description == "retired police detective"
    assert script.character("BRICK").aliases == ["BRICK BRADDOCK"]
    assert script.character("SANDRA").description == "from whom he gets his looks"


def test_locations_gather_scenes_and_times() -> None:
    script = parse(
        "INT. HOUSE - DAY\n\nA.\n\nEXT. HOUSE - NIGHT\n\nB.\n\nINT. HOUSE - NIGHT\n\nC.\n"
    )
    (house,) = script.locations
    assert house.name == "HOUSE"
    assert house.int_ext == ["INT", "EXT"]
    assert house.times_of_day == ["DAY", "NIGHT"]
    assert house.scenes == ["sc001", "sc002", "sc003"]


def test_page_estimates_follow_the_standard_layout() -> None:
    # A heading and 50 one-line action paragraphs, each with its blank line: 102 lines at
    # 55 a page.
    text = "INT. A - DAY\n\n" + "".join(f"Beat {i}.\n\n" for i in range(50))
    script = parse(text)
    assert script.page_count == pytest.approx(102 / 55, abs=0.01)
    elements = script.scenes[0].elements
    assert [e.page for e in elements].index(2) == 27  # line 56 opens page 2
    assert elements[-1].page == 2
    assert script.scenes[0].length_eighths == 15
    assert script.estimated_runtime_s == pytest.approx(script.page_count * 60)


def test_forced_page_break_moves_to_the_next_page() -> None:
    script = parse("INT. A - DAY\n\nOne.\n\n===\n\nTwo.\n")
    one, _, two = script.scenes[0].elements
    assert (one.page, two.page) == (1, 2)


def test_titles_and_middle_names_are_the_same_person() -> None:
    script = parse(
        "INT. LAB - NIGHT\n\nDR. JULIUS KELLER (60s) hunches over a microscope.\n\n"
        "KELLER\nIt moves.\n\nDR. KELLER\nIt finally moves.\n"
    )
    (keller,) = script.characters
    assert keller.name in ("KELLER", "DR. KELLER")
    assert keller.dialogue_count == 2
    assert keller.description == "60s"


def test_silent_characters_introduced_with_an_age_join_the_bible() -> None:
    script = parse(
        "EXT. YARD - DAY\n\nJENNY (8) hides behind her father BEAMEN.\n\nBEAMEN\nSay hello.\n"
    )
    jenny = script.character("JENNY")
    assert jenny is not None and jenny.dialogue_count == 0
    assert jenny.description == "age 8"
    assert jenny.scenes == ["sc001"]


@pytest.mark.parametrize(
    ("name", "action", "description"),
    [
        ("MAYOR", "The MAYOR, and ZACKY PRICE wave.", None),
        ("CASHIER", "At the till, the CASHIER, Sandra hands over her coupons.", None),
        ("RUTHIE", "RUTHIE, 8, skips rope.", "age 8"),
        ("WILL", "WILL, now 17 with braces, is fuming.", "now 17 with braces"),
    ],
)
def test_only_real_descriptions_are_kept(name: str, action: str, description: str | None) -> None:
    script = parse(f"INT. A - DAY\n\n{action}\n\n{name}\nHi.\n")
    assert script.character(name).description == description
