"""The film-grammar planner: coverage, the writer's directions, dialogue grammar, timing."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from functools import cache
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screenplay.base import parse_bytes, parse_file
from screenplay.model import Script
from shots.base import MIN_SHOT_S, PLANNERS, check_coverage
from shots.grammar import GrammarPlanner
from shots.model import Shot, ShotPlan
from shots.style import load_style
from tests.conftest import DATA, TINY_FOUNTAIN

CORPUS = sorted(
    [*DATA.glob("*.fountain"), *DATA.glob("*.fdx"), *DATA.glob("*.pdf")], key=lambda p: p.name
)

LENS_RANGES = {
    "EWS": (18, 24),
    "WS": (24, 28),
    "FS": (28, 35),
    "MS": (35, 40),
    "MCU": (45, 55),
    "CU": (65, 85),
    "ECU": (90, 105),
    "INSERT": (85, 100),
}


@cache
def corpus_script(name: str) -> Script:
    return parse_file(DATA / name)


def fountain(text: str) -> Script:
    return parse_bytes(text.encode(), name="t.fountain")


def plan(script: Script, **kwargs: float) -> ShotPlan:
    return GrammarPlanner().plan(script, style=load_style(), **kwargs)


def scene_shots(result: ShotPlan, scene_id: str) -> list[Shot]:
    return [shot for shot in result.shots if shot.scene_id == scene_id]


def covering(result: ShotPlan, scene_id: str, index: int) -> list[Shot]:
    return [s for s in result.shots if s.scene_id == scene_id and index in s.covers]


# --------------------------------------------------------------------------------------
# The whole corpus
# --------------------------------------------------------------------------------------


def test_registered_as_grammar() -> None:
    assert PLANNERS.get("grammar") is GrammarPlanner
    assert GrammarPlanner.name == "grammar"


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_every_screen_element_of_every_corpus_script_is_covered(path: Path) -> None:
    script = corpus_script(path.name)
    result = plan(script)
    report = check_coverage(script, result)
    assert report.ratio == 1.0, report.missing[:5]
    assert not report.missing
    assert not [w for w in result.warnings if w.startswith("not covered")]


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_every_shot_is_well_formed(path: Path) -> None:
    script = corpus_script(path.name)
    result = plan(script)
    scenes = {scene.id: scene for scene in script.scenes}
    for shot in result.shots:
        assert shot.duration_s >= MIN_SHOT_S, shot
        assert shot.description.strip(), shot
        low, high = LENS_RANGES[shot.size]
        if shot.angle == "OTS":
            low, high = 50, 50
        elif shot.angle == "POV":
            low, high = 28, 35
        elif shot.size == "MS" and len(shot.subjects) == 2:
            low = 35
        assert low <= shot.lens_mm <= high, (shot.id, shot.size, shot.angle, shot.lens_mm)
        scene = scenes[shot.scene_id]
        assert shot.scene_number == scene.number
        assert all(0 <= index < len(scene.elements) for index in shot.covers)
        if shot.covers:
            first = scene.elements[min(shot.covers)]
            assert (shot.source_line, shot.page) == (first.line, first.page)
        if scene.int_ext is not None and "intercut:" not in shot.notes:
            assert (shot.location, shot.int_ext) == (scene.location, scene.int_ext)
        known = {c.name for c in script.characters}
        assert set(shot.subjects) <= known, shot.subjects


def test_same_script_gives_byte_identical_plans() -> None:
    script = corpus_script("the_last_birthday_card.fountain")
    first = plan(script).model_dump_json()
    again = plan(corpus_script("the_last_birthday_card.fountain")).model_dump_json()
    fresh = plan(parse_file(DATA / "the_last_birthday_card.fountain")).model_dump_json()
    assert first == again == fresh


def test_plans_do_not_depend_on_the_hash_seed() -> None:
    code = (
        "import hashlib; from screenplay.base import parse_file; "
        "from shots.grammar import GrammarPlanner; from shots.style import load_style; "
        f"p = GrammarPlanner().plan(parse_file({str(DATA / 'brick_and_steel.fountain')!r}), "
        "style=load_style()); print(hashlib.sha256(p.model_dump_json().encode()).hexdigest())"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(digests) == 1


def test_plan_scene_alone_gives_the_shots_the_whole_plan_has() -> None:
    script = corpus_script("brick_and_steel.fountain")
    whole = plan(script)
    planner = GrammarPlanner()
    for scene in script.scenes:
        alone = planner.plan_scene(script, scene)
        expected = scene_shots(whole, scene.id)
        assert [s.id for s in alone] == [s.id for s in expected]
        strip = {"prompt", "negative_prompt", "seed"}
        assert [s.model_dump(exclude=strip) for s in alone] == [
            s.model_dump(exclude=strip) for s in expected
        ]


def test_big_fish_runs_about_a_minute_a_page() -> None:
    script = corpus_script("big_fish.fountain")
    result = plan(script)
    assert script.page_count > 100
    assert 0.75 <= result.duration_s / (script.page_count * 60) <= 1.25
    assert len(result.shots) > 1000


def test_brick_and_steel_runs_about_three_minutes() -> None:
    script = corpus_script("brick_and_steel.fountain")
    minutes = plan(script).duration_s / 60
    assert 0.75 * script.page_count <= minutes <= 1.25 * script.page_count


def test_a_thirty_second_cut_keeps_every_beat_in_whole_frames() -> None:
    script = corpus_script("brick_and_steel.fountain")
    full = plan(script)
    short = plan(script, target_duration_s=30)
    assert round(sum(shot.duration_s for shot in short.shots) * short.fps) == 720
    assert len(short.shots) == len(full.shots)
    assert check_coverage(script, short).ratio == 1.0


# --------------------------------------------------------------------------------------
# The writer's shot directions
# --------------------------------------------------------------------------------------

DIRECTIONS = """\
INT. LIGHTHOUSE - NIGHT

MARGOT VANCE (40s, oilskin coat, tired eyes) waits by the lamp. TOMAS (70s, white beard) climbs in.

EXTREME CLOSE UP - TOMAS'S EYES

CLOSE ON MARGOT

INSERT - THE LETTER

MARGOT
Read it.

TOMAS
Later.

ANGLE ON Tomas. He folds the letter away.
"""


def test_explicit_directions_are_honoured_with_their_subjects() -> None:
    script = fountain(DIRECTIONS)
    result = plan(script)
    scene = script.scenes[0]
    texts = [element.text for element in scene.elements]

    ecu = covering(result, scene.id, texts.index("EXTREME CLOSE UP - TOMAS'S EYES"))
    assert len(ecu) == 1
    assert (ecu[0].size, ecu[0].subjects) == ("ECU", ["TOMAS"])
    assert ecu[0].lens_mm == 100

    close = covering(result, scene.id, texts.index("CLOSE ON MARGOT"))
    assert len(close) == 1
    assert (close[0].size, close[0].subjects) == ("CU", ["MARGOT"])

    insert = covering(result, scene.id, texts.index("INSERT - THE LETTER"))
    assert len(insert) == 1
    assert insert[0].size == "INSERT"
    assert "letter" in insert[0].description.lower()

    angle = covering(result, scene.id, len(texts) - 1)
    assert angle[0].subjects == ["TOMAS"]
    assert "folds the letter" in angle[0].description


def test_a_bare_direction_frames_what_follows_it() -> None:
    script = fountain(
        "INT. HALL - NIGHT\n\nWILL and SANDRA wait. EDWARD talks.\n\n"
        "ON WILL AND SANDRA\n\nWILL\n(low)\nMake him stop.\n\nSANDRA\nHush.\n"
    )
    result = plan(script)
    scene = script.scenes[0]
    on = covering(result, scene.id, 1)
    assert len(on) == 1
    assert on[0].covers == [1, 2]
    assert sorted(on[0].subjects) == ["SANDRA", "WILL"]
    assert [line.text for line in on[0].dialogue] == ["Make him stop."]


def test_a_pov_heading_makes_the_scene_a_pov() -> None:
    script = corpus_script("brick_and_steel.fountain")
    scene = next(s for s in script.scenes if s.heading == "SNIPER SCOPE POV")
    shots = scene_shots(plan(script), scene.id)
    assert shots
    assert {shot.angle for shot in shots} == {"POV"}
    assert all(28 <= shot.lens_mm <= 35 for shot in shots)
    assert "STEEL" in shots[0].subjects
    assert shots[0].size in ("CU", "ECU")  # "Steel's face FILLS the scope"


def test_a_final_draft_shot_paragraph_sets_the_size() -> None:
    fdx = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<FinalDraft DocumentType="Script" Template="No" Version="4"><Content>\n'
        '<Paragraph Type="Scene Heading"><Text>INT. STUDY - NIGHT</Text></Paragraph>\n'
        '<Paragraph Type="Action"><Text>MARGOT reads by the fire.</Text></Paragraph>\n'
        '<Paragraph Type="Shot"><Text>CLOSE ON THE GUN</Text></Paragraph>\n'
        '<Paragraph Type="Action"><Text>It gleams on the mantel.</Text></Paragraph>\n'
        '<Paragraph Type="Shot"><Text>WIDE SHOT</Text></Paragraph>\n'
        "</Content></FinalDraft>\n"
    )
    script = parse_bytes(fdx.encode(), name="t.fdx")
    scene = script.scenes[0]
    kinds = [element.kind for element in scene.elements]
    assert kinds.count("shot") == 2
    result = plan(script)
    close = covering(result, scene.id, kinds.index("shot"))
    assert close[0].size == "CU"
    assert close[0].covers == [1, 2]  # the shot and the action it frames
    wide = covering(result, scene.id, len(kinds) - 1)
    assert wide[0].size == "WS"


# --------------------------------------------------------------------------------------
# Establishing shots
# --------------------------------------------------------------------------------------

KITCHEN = """\
EXT. FARMHOUSE - DAY

Wheat fields roll to the horizon.

INT. KITCHEN - NIGHT

ANNA stirs a pot.

INT. KITCHEN - CONTINUOUS

ANNA tastes the soup.

INT. KITCHEN - DAY

ANNA sleeps at the table.

INT. CELLAR

Nothing but jars.
"""


def test_a_new_location_opens_wide_and_continuity_does_not_reestablish() -> None:
    script = fountain(KITCHEN)
    result = plan(script)
    farm, night, continuous, day, cellar = script.scenes
    first = scene_shots(result, farm.id)[0]
    assert (first.size, first.subjects) == ("EWS", [])
    assert first.covers == [0]  # the wheat fields play in the establishing shot
    assert first.transition == "fade"
    assert scene_shots(result, night.id)[0].size == "WS"
    assert "establishing" in scene_shots(result, night.id)[0].notes
    assert not any("establishing" in s.notes for s in scene_shots(result, continuous.id))
    assert scene_shots(result, continuous.id)[0].size != "EWS"
    assert "re-establishing" in scene_shots(result, day.id)[0].notes
    assert scene_shots(result, cellar.id)[0].size == "WS"


def test_a_heading_alone_still_gets_an_establishing_shot() -> None:
    script = fountain("EXT. DESERT - DAY\n\nEXT. CANYON - DAY\n\nA hawk circles.\n")
    shots = scene_shots(plan(script), script.scenes[0].id)
    assert len(shots) == 1
    assert shots[0].size == "EWS"
    assert shots[0].covers == []
    assert shots[0].duration_s >= 2.5


def test_the_opening_without_a_heading_is_planned_without_a_location() -> None:
    script = corpus_script("big_fish_scene_numbers.fountain")
    opening = script.scenes[0]
    assert opening.id == "sc000" and opening.heading is None
    shots = scene_shots(plan(script), opening.id)
    assert shots
    assert not any("establishing" in shot.notes for shot in shots)
    assert all(shot.location is None for shot in shots)
    # The epigraph before FADE IN: is a card on black; the river fades in after it.
    assert shots[0].on_screen_text and shots[0].transition == "fade"
    fade_in = next(i for i, e in enumerate(opening.elements) if e.text == "FADE IN:")
    assert covering(plan(script), opening.id, fade_in)[0].transition == "fade"


# --------------------------------------------------------------------------------------
# Dialogue
# --------------------------------------------------------------------------------------

CONVERSATION = """\
EXT. PARK - DAY

ANNA and BEN sit on a bench.

ANNA
Did you bring the tickets?

BEN
They're in my coat.

ANNA
Which coat?

BEN
The blue one. The one you gave me.

ANNA
That coat is in Paris.

BEN
(quietly)
Then so are the tickets.

ANNA
You're impossible.
"""


def test_a_conversation_is_a_master_then_reverses_that_keep_the_line() -> None:
    script = fountain(CONVERSATION)
    result = plan(script)
    scene = script.scenes[0]
    lines = [i for i, e in enumerate(scene.elements) if e.kind == "dialogue"]
    shots = [covering(result, scene.id, i) for i in lines]
    assert all(len(s) == 1 for s in shots)
    shots = [s[0] for s in shots]

    # "ANNA and BEN sit on a bench." is already their two-shot: no second master.
    before = scene_shots(result, scene.id)[scene_shots(result, scene.id).index(shots[0]) - 1]
    assert before.size == "MS" and sorted(before.subjects) == ["ANNA", "BEN"]

    speakers = [scene.elements[i].character for i in lines]
    for shot, speaker in zip(shots, speakers, strict=True):
        assert shot.subjects[0] == speaker
        assert shot.dialogue[0].character == speaker
        if shot.angle == "OTS":
            assert len(shot.subjects) == 2 and shot.size == "MS" and shot.lens_mm == 50
    assert [s.angle for s in shots[:3]] == ["OTS", "OTS", "OTS"]
    assert {s.size for s in shots[3:]} <= {"MCU", "CU"}
    reverses = [s.subjects[0] for s in shots]
    assert all(a != b for a, b in pairwise(reverses))
    assert shots[-2].size == "CU"  # "(quietly)"

    sides: dict[str, set[str]] = {}
    for shot in scene_shots(result, scene.id):
        for name, side in re.findall(r"\b(ANNA|BEN) \(?camera (left|right)", shot.notes):
            sides.setdefault(name, set()).add(side)
    assert sides["ANNA"] and sides["BEN"]
    assert len(sides["ANNA"]) == len(sides["BEN"]) == 1
    assert sides["ANNA"] != sides["BEN"]


def test_a_conversation_without_an_opening_two_shot_starts_on_a_master() -> None:
    body = CONVERSATION.replace("ANNA and BEN sit on a bench.\n\n", "")
    script = fountain(body)
    result = plan(script)
    scene = script.scenes[0]
    first_line = next(i for i, e in enumerate(scene.elements) if e.kind == "dialogue")
    master = covering(result, scene.id, first_line)
    assert len(master) == 1
    assert master[0].size == "MS" and master[0].lens_mm == 35
    assert sorted(master[0].subjects) == ["ANNA", "BEN"]
    assert "master" in master[0].notes and "camera left" in master[0].notes
    following = covering(result, scene.id, first_line + 1)[0]
    assert following.angle == "OTS" and following.subjects[0] == "BEN"


def test_a_long_speech_cuts_to_the_listener() -> None:
    speech = " ".join(["I waited for you at the station for hours and hours."] * 6)
    script = fountain(f"INT. CAFE - DAY\n\nANNA sits with BEN.\n\nANNA\n{speech}\n\nBEN\nSorry.\n")
    result = plan(script)
    shots = covering(result, script.scenes[0].id, 1)
    assert len(shots) >= 3
    assert any(shot.subjects == ["BEN"] and "reaction" in shot.notes for shot in shots)
    assert all(shot.dialogue and shot.dialogue[0].character == "ANNA" for shot in shots)


def test_voice_over_plays_over_the_picture_not_the_narrator() -> None:
    script = fountain(
        "EXT. RIVER - DAY\n\nA catfish swims past a dangling hook.\n\n"
        "EDWARD (V.O.)\nThere are some fish that cannot be caught.\n\n"
        "JOSEPHINE wades into the shallows.\n\n"
        "EDWARD (V.O.)\nShe was one of them.\n\nJOSEPHINE\nEdward?\n"
    )
    result = plan(script)
    scene = script.scenes[0]
    for index, element in enumerate(scene.elements):
        if element.kind == "dialogue" and element.extension == "V.O.":
            shots = covering(result, scene.id, index)
            assert shots
            for shot in shots:
                assert "EDWARD" not in shot.subjects
                assert "V.O." in shot.notes
                line = next(d for d in shot.dialogue if d.character == "EDWARD")
                assert line.extension == "V.O."


def test_an_off_screen_line_plays_on_who_is_on_screen() -> None:
    script = fountain(TINY_FOUNTAIN)
    result = plan(script)
    scene = script.scenes[0]
    index = next(i for i, e in enumerate(scene.elements) if getattr(e, "extension", None) == "O.S.")
    shots = covering(result, scene.id, index)
    assert len(shots) == 1
    assert shots[0].subjects == ["MARGOT"]
    assert "TOMAS" not in shots[0].subjects
    assert shots[0].dialogue[0].character == "TOMAS"


def test_dual_dialogue_is_one_shot_of_both() -> None:
    script = corpus_script("brick_and_steel.fountain")
    scene = script.scenes[0]
    duals = [i for i, e in enumerate(scene.elements) if getattr(e, "dual", None)]
    assert len(duals) == 2
    shots = covering(plan(script), scene.id, duals[0])
    assert len(shots) == 1
    assert shots[0].covers[-2:] == duals
    assert sorted(shots[0].subjects) == ["BRICK", "STEEL"]
    assert len(shots[0].dialogue) == 2


def test_intercut_speakers_are_seen_in_their_own_location() -> None:
    script = corpus_script("the_last_birthday_card.fountain")
    scene = next(s for s in script.scenes if s.heading == "INT. SCOTT'S APARTMENT")
    shots = scene_shots(plan(script), scene.id)
    baxter = [shot for shot in shots if shot.subjects == ["BAXTER"]]
    assert baxter
    assert all(shot.location and "BAXTER" in shot.location for shot in baxter)
    assert not any({"SCOTT", "BAXTER"} <= set(shot.subjects) for shot in shots)


# --------------------------------------------------------------------------------------
# Action
# --------------------------------------------------------------------------------------

ACTION = """\
EXT. BATTLEFIELD - DAWN

Hundreds of soldiers march across the valley toward the river.

INT. FARMHOUSE - DAY

A BIRTHDAY CARD lies on the table.

TOMAS runs down the corridor and out the back door.

TOMAS punches the intruder.

MARGOT stares at the card.

MARGOT and TOMAS look at each other.

The door swings open to reveal MARGOT, soaked to the bone.

MARGOT opens the letter. Her hands shake. She reads it twice, then a third time, as the rain \
hammers on the window. Outside, the dogs start barking. Somewhere a truck starts up and pulls \
away down the long gravel drive. She folds the letter and puts it in her pocket.

MARGOT
Hello?

TOMAS
Hello.
"""


@pytest.mark.parametrize(
    ("starts", "size", "movement"),
    [
        ("Hundreds of soldiers", "EWS", "crane"),
        ("A BIRTHDAY CARD", "INSERT", "static"),
        ("TOMAS runs", None, "tracking"),
        ("TOMAS punches", None, "handheld"),
        ("MARGOT stares", "MCU", "static"),
        ("MARGOT and TOMAS", "MS", "static"),
        ("The door swings open", None, "pull out"),
    ],
)
def test_action_is_framed_by_what_the_words_say(
    starts: str, size: str | None, movement: str
) -> None:
    script = fountain(ACTION)
    result = plan(script)
    scene, index = next(
        (scene, i)
        for scene in script.scenes
        for i, e in enumerate(scene.elements)
        if e.text.startswith(starts)
    )
    shots = covering(result, scene.id, index)
    assert shots
    if size is not None:
        assert shots[-1].size == size
    assert shots[-1].movement == movement


def test_action_subjects_are_the_characters_named() -> None:
    script = fountain(ACTION)
    result = plan(script)
    scene = script.scenes[1]
    index = next(i for i, e in enumerate(scene.elements) if e.text.startswith("MARGOT and"))
    assert sorted(covering(result, scene.id, index)[0].subjects) == ["MARGOT", "TOMAS"]
    card = next(i for i, e in enumerate(scene.elements) if e.text.startswith("A BIRTHDAY"))
    assert covering(result, scene.id, card)[0].subjects == []


def test_a_long_paragraph_is_split_into_beats_at_sentences() -> None:
    script = fountain(ACTION)
    result = plan(script)
    scene = script.scenes[1]
    index = next(i for i, e in enumerate(scene.elements) if e.text.startswith("MARGOT opens"))
    shots = covering(result, scene.id, index)
    assert len(shots) >= 3
    assert all(shot.covers == [index] for shot in shots)
    assert "hands shake" in " ".join(shot.description for shot in shots)
    assert "folds the letter" in shots[-1].description
    for shot in shots:
        assert shot.description.count(". ") <= 2


# --------------------------------------------------------------------------------------
# Timing
# --------------------------------------------------------------------------------------


def test_a_thirty_word_line_lasts_ten_to_thirteen_seconds() -> None:
    line = (
        "I have told you a hundred times that the boat leaves at six and we cannot "
        "wait for anyone who is late because the tide will not wait for us"
    )
    assert len(line.split()) == 30
    script = fountain(f"INT. DOCK - NIGHT\n\nMARGOT\n{line}\n")
    shots = covering(plan(script), script.scenes[0].id, 0)
    assert 10.0 <= sum(shot.duration_s for shot in shots) <= 13.0


def test_a_parenthetical_adds_a_beat() -> None:
    plain = fountain("INT. DOCK - NIGHT\n\nMARGOT\nWe leave at six.\n")
    paused = fountain("INT. DOCK - NIGHT\n\nMARGOT\n(a long pause)\nWe leave at six.\n")
    duration = [covering(plan(s), s.scenes[0].id, 0)[0].duration_s for s in (plain, paused)]
    assert duration[1] > duration[0]


def test_establishing_shots_hold_two_and_a_half_to_four_seconds() -> None:
    result = plan(corpus_script("brick_and_steel.fountain"))
    establishing = [shot for shot in result.shots if "establishing" in shot.notes]
    assert establishing
    assert all(2.5 <= shot.duration_s <= 4.0 for shot in establishing if not shot.dialogue)


# --------------------------------------------------------------------------------------
# Titles and transitions
# --------------------------------------------------------------------------------------


def test_super_and_centered_text_become_title_cards() -> None:
    script = fountain(
        'EXT. PARIS - NIGHT\n\nThe city glitters.\n\nSUPER: "Paris, 1998"\n\n> THE END <\n'
    )
    result = plan(script)
    scene = script.scenes[0]
    supered = covering(result, scene.id, 1)
    assert supered[0].on_screen_text == "Paris, 1998"
    assert supered[0].movement == "static"
    end = covering(result, scene.id, 2)
    assert (end[0].size, end[0].on_screen_text) == ("INSERT", "THE END")


def test_opening_titles_scene_is_title_cards() -> None:
    script = corpus_script("brick_and_steel.fountain")
    scene = next(s for s in script.scenes if s.heading == "OPENING TITLES")
    shots = scene_shots(plan(script), scene.id)
    assert [shot.on_screen_text for shot in shots] == [
        "BRICK BRADDOCK\n& DICK STEEL IN",
        "BRICK & STEEL\nFULL RETIRED",
    ]
    assert all(shot.size == "INSERT" and shot.movement == "static" for shot in shots)


def test_transitions_come_from_the_script() -> None:
    script = fountain(
        "EXT. ROOF - DAY\n\nMARGOT looks down.\n\nSMASH CUT TO:\n\n"
        "EXT. STREET - DAY\n\nTOMAS looks up.\n\nDISSOLVE TO:\n\n"
        "INT. BAR - NIGHT\n\nMARGOT drinks.\n\nCUT TO:\n\n"
        "INT. CAR - NIGHT\n\nTOMAS drives.\n\nFADE OUT.\n\n"
        "EXT. BEACH - DAY\n\nThe sea.\n"
    )
    result = plan(script)
    firsts = [scene_shots(result, scene.id)[0].transition for scene in script.scenes]
    assert firsts == ["fade", "smash cut", "dissolve", "cut", "fade"]
    assert all(
        shot.transition == "cut"
        for scene in script.scenes
        for shot in scene_shots(result, scene.id)[1:]
    )


def test_brick_and_steel_transitions() -> None:
    script = corpus_script("brick_and_steel.fountain")
    result = plan(script)
    assert result.shots[0].transition == "fade"
    trailer = next(s for s in script.scenes if s.heading == "INT. TRAILER HOME - DAY")
    assert scene_shots(result, trailer.id)[0].transition == "smash cut"


# --------------------------------------------------------------------------------------
# The character bible, end to end
# --------------------------------------------------------------------------------------


def test_a_characters_description_is_in_every_prompt_they_appear_in() -> None:
    script = fountain(TINY_FOUNTAIN)
    result = plan(script)
    margot = [shot for shot in result.shots if "MARGOT" in shot.subjects]
    tomas = [shot for shot in result.shots if "TOMAS" in shot.subjects]
    assert margot and tomas
    assert all("oilskin coat" in shot.prompt for shot in margot)
    assert all("white beard" in shot.prompt for shot in tomas)
    assert result.planner.name == "grammar" and result.planner.version


# --------------------------------------------------------------------------------------
# Any script
# --------------------------------------------------------------------------------------

PIECES = (
    "INT. KITCHEN - NIGHT",
    "EXT. ROOFTOP - DAY",
    "INT. KITCHEN - CONTINUOUS",
    ".SNIPER SCOPE POV",
    ".BACK IN THE KITCHEN",
    ".OPENING TITLES",
    "MARGOT VANCE (40s) waits. TOMAS runs in.",
    "They look at each other. A long beat.",
    "Hundreds of birds rise over the city.",
    "A LETTER lies on the table.",
    "CLOSE ON MARGOT",
    "EXTREME CLOSE UP - TOMAS'S EYES",
    "INSERT - THE LETTER",
    "ON MARGOT AND TOMAS",
    "ANGLE ON Tomas. He smiles.",
    "SUPER: Paris, 1998",
    "TITLE OVER:",
    "FADE IN:",
    "> THE END <",
    "SMASH CUT TO:",
    "DISSOLVE TO:",
    "MARGOT\nWhere were you?",
    "TOMAS\n(quietly)\nOut.",
    "TOMAS (V.O.)\nShe never forgave me.",
    "MARGOT (O.S.)\nTomas!",
    "TOMAS ^\nNever!",
    "MARGOT\n" + " ".join(["I waited all night for you and you never came home."] * 5),
    "~Happy birthday to you!",
)


@settings(max_examples=40)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=14))
def test_any_script_is_fully_covered_with_sane_shots(pieces: list[str]) -> None:
    text = "MARGOT\nHello.\n\nTOMAS\nHi.\n\n" + "\n\n".join(pieces) + "\n"
    script = fountain(text)
    result = plan(script)
    assert check_coverage(script, result).ratio == 1.0
    assert result.shots and result.shots[0].transition == "fade"
    assert all(shot.duration_s >= MIN_SHOT_S and shot.description for shot in result.shots)
    assert plan(script).model_dump_json() == result.model_dump_json()
