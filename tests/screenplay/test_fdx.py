"""Tests for the Final Draft (.fdx) parser: the corpus files, dual dialogue, hostile XML."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

from previz.errors import EmptyScriptError, HostileInputError, ParseError
from screenplay.base import parse_bytes
from screenplay.fdx import FdxParser, _refusal
from screenplay.model import (
    Action,
    Centered,
    Dialogue,
    Element,
    Lyrics,
    PageBreak,
    Script,
    ScriptSource,
    Section,
    ShotDirection,
    Synopsis,
    TitlePage,
    Transition,
)

DATA = Path(__file__).resolve().parents[1] / "data"
BIG_FISH = DATA / "big_fish_scene_numbers.fdx"
BRICK = DATA / "brick_and_steel.fdx"
DUAL = DATA / "dual_dialogue_fd_structure.fdx"
EXTRANORMAL = DATA / "extranormal_pilot_excerpt.fdx"
HOSTILE_GUARD_S = 5.0
"""A generous bound: refusals take milliseconds; an expansion would take far longer."""


def parse(data: bytes, name: str = "test.fdx") -> Script:
    source = ScriptSource(
        name=name, format="fdx", sha256=hashlib.sha256(data).hexdigest(), size=len(data)
    )
    return FdxParser().parse(data, source)


def parse_path(path: Path) -> Script:
    return parse(path.read_bytes(), path.name)


def fdx(body: str, *, prolog: str = '<?xml version="1.0" encoding="UTF-8"?>\n') -> bytes:
    """A minimal Final Draft document around ``body`` (the inside of ``<Content>``)."""
    return (
        f'{prolog}<FinalDraft DocumentType="Script" Template="No" Version="4">\n'
        f"<Content>\n{body}\n</Content>\n</FinalDraft>\n"
    ).encode()


def para(kind: str, text: str, **attrs: str) -> str:
    extra = "".join(f' {k}="{v}"' for k, v in attrs.items())
    return f'<Paragraph Type="{kind}"{extra}><Text>{text}</Text></Paragraph>'


def elements(script: Script) -> list[Element]:
    return [e for scene in script.scenes for e in scene.elements]


def dialogues(script: Script) -> list[Dialogue]:
    return [e for e in elements(script) if isinstance(e, Dialogue)]


# --- Big Fish (scene numbers, title page) --------------------------------------------------------


@pytest.fixture(scope="module")
def big_fish() -> Script:
    return parse_path(BIG_FISH)


def test_big_fish_scene_numbers_as_written(big_fish: Script) -> None:
    # The opening (catfish, voice-over) before the first heading is scene "0".
    assert [s.number for s in big_fish.scenes] == [
        "0",
        "1",
        "1A",
        "2",
        "2A",
        "I-1-A",
        "110A",
        "9.",
    ]
    assert [s.numbered for s in big_fish.scenes] == [False] + [True] * 7
    assert big_fish.scenes[0].heading is None


def test_big_fish_headings_keep_spacing(big_fish: Script) -> None:
    assert [s.heading for s in big_fish.scenes[1:]] == [
        "INT.  WILL'S BEDROOM - NIGHT (1973)",
        "EXT.  CAMPFIRE - NIGHT (1977)",
        "INT.  BLOOM FRONT HALL - NIGHT (1987)",
        "INT.  TINY PARIS RESTAURANT (LA RUE 14°) - NIGHT (1998)",
        "EXT.  OUTSIDE LA RUE 14° - NIGHT",
        "INT.  A.P. NEWSROOM (PARIS) - DAY",
        "INT.  BLOOM HOUSE KITCHEN - DAY",
    ]
    bedroom = big_fish.scene("1")
    assert (bedroom.int_ext, bedroom.location, bedroom.time_of_day, bedroom.time_note) == (
        "INT",
        "WILL'S BEDROOM",
        "NIGHT",
        "(1973)",
    )


def test_big_fish_lines_match_the_file(big_fish: Script) -> None:
    lines = BIG_FISH.read_text(encoding="utf-8").splitlines()
    kitchen = big_fish.scene("9.")
    assert kitchen.line is not None
    assert lines[kitchen.line - 1].strip() == '<Paragraph Type="Scene Heading" Number="9.">'
    for element in elements(big_fish):
        if isinstance(element, PageBreak):
            continue
        assert element.line is not None
        assert lines[element.line - 1].lstrip().startswith("<Paragraph"), element
    last = elements(big_fish)[-1]
    assert isinstance(last, Dialogue)
    assert last.line == 376
    assert "True to form" in lines[last.line + 3]


def test_big_fish_title_page(big_fish: Script) -> None:
    page = big_fish.title_page
    assert page.title == "Big Fish"  # stored as typed; AllCaps is display styling
    assert page.credit == "written by"
    assert page.authors == ["John August"]
    assert page.source == "based on the novel by Daniel Wallace"
    assert page.draft_date is None
    assert page.contact is None
    assert big_fish.title == "Big Fish"


def test_big_fish_page_break_and_opening(big_fish: Script) -> None:
    opening = big_fish.scenes[0].elements
    assert isinstance(opening[0], Action)
    assert opening[0].text.startswith("This is a Southern story")
    assert isinstance(opening[1], PageBreak)  # <Paragraph StartsNewPage="Yes">
    assert opening[2] == Action(text="FADE IN:", line=7, page=opening[2].page)
    assert sum(isinstance(e, PageBreak) for e in elements(big_fish)) == 1


def test_big_fish_dialogue_blocks(big_fish: Script) -> None:
    blocks = dialogues(big_fish)
    assert blocks[0].cue == "EDWARD (V.O.)"
    assert (blocks[0].character, blocks[0].extension) == ("EDWARD", "V.O.")
    newsroom = big_fish.scene("110A").elements
    phone = next(e for e in newsroom if isinstance(e, Dialogue))
    assert (phone.extension, phone.parenthetical) == ("ON PHONE", "without pauses")
    assert [p.kind for p in phone.parts] == ["parenthetical", "speech"]
    # Speech around a parenthetical: joined with a line break, parenthetical kept in parts.
    bedroom = [e for e in big_fish.scene("1").elements if isinstance(e, Dialogue)]
    assert len(bedroom) == 1
    assert bedroom[0].text.endswith(
        "no bigger than you.\nAnd on the day you were born, that was the day I finally caught him."
    )
    assert [(p.kind, p.text) for p in bedroom[0].parts][1] == ("parenthetical", "closer")
    # Styled runs (<Text Style="Underline">I</Text>) are concatenated, styles dropped;
    # Final Draft's two spaces after a period are kept.
    outside = [e for e in big_fish.scene("I-1-A").elements if isinstance(e, Dialogue)]
    assert any(
        d.text.startswith(
            "No Dad, they don't.  I do not like the story.  Not anymore, not after a "
            "thousand times."
        )
        for d in outside
    )
    # Trailing spaces are stripped.
    assert all(not e.text.endswith(" ") for e in elements(big_fish))


def test_big_fish_characters(big_fish: Script) -> None:
    names = {c.name for c in big_fish.characters}
    assert {"EDWARD", "WILL", "SANDRA", "LITTLE BRAVE", "WILL'S DATE"} <= names
    edward = big_fish.character("EDWARD")
    assert edward is not None
    assert edward.dialogue_count == 19
    assert edward.aliases == ["EDWARD BLOOM"]


# --- Extranormal (genuine Final Draft 11 save) ----------------------------------------------------


@pytest.fixture(scope="module")
def extranormal() -> Script:
    return parse_path(EXTRANORMAL)


def test_extranormal_scenes_and_acts(extranormal: Script) -> None:
    assert [s.heading for s in extranormal.scenes] == [
        "EXT. SUBURBAN STREET - DAY",
        "COLBY AND BRIAN DRIVING",
        "EXT. LASER TAG PARKING LOT - NIGHT",
    ]
    assert [s.number for s in extranormal.scenes] == ["1", "2", "3"]
    assert not any(s.numbered for s in extranormal.scenes)
    assert [s.section for s in extranormal.scenes] == ["COLD OPEN", "COLD OPEN", "TAG"]
    sections = [e for e in elements(extranormal) if isinstance(e, Section)]
    assert [(s.text, s.level) for s in sections] == [("COLD OPEN", 1), ("TAG", 1)]
    ends = [e.text for e in elements(extranormal) if isinstance(e, Centered)]
    assert ends == ["END ACT ONE", "END OF PILOT"]
    # "New Act" starts a new page by the document's <ElementSettings>: a break before TAG,
    # none before COLD OPEN (the first element).
    flat = elements(extranormal)
    tag = next(i for i, e in enumerate(flat) if isinstance(e, Section) and e.text == "TAG")
    assert isinstance(flat[tag - 1], PageBreak)
    assert not isinstance(flat[0], PageBreak)


def test_extranormal_body_is_top_level_paragraphs_only(extranormal: Script) -> None:
    # 44 top-level paragraphs: 2 New Act, 2 End Of Act, 3 headings, and the rest.
    kinds = [e.kind for e in elements(extranormal)]
    assert kinds.count("dialogue") == 11
    assert len(extranormal.scenes) == 3
    assert extranormal.warnings == []


def test_extranormal_story_beats_are_not_body() -> None:
    # The corpus file's nested beat paragraphs are empty; give one a text and check it
    # stays out of the script.
    data = EXTRANORMAL.read_bytes()
    empty_beat = b'Font="Arial" RevisionID="0" Size="12" Style=""></Text>'
    assert data.count(empty_beat) == 8
    data = data.replace(
        empty_beat, empty_beat.replace(b"></Text>", b">BEAT NOTE: Colby lies</Text>")
    )
    script = parse(data)
    assert all("BEAT NOTE" not in e.text for e in elements(script))
    assert all("BEAT NOTE" not in (s.heading or "") for s in script.scenes)
    assert script.model_dump(exclude={"source"}) == parse_path(EXTRANORMAL).model_dump(
        exclude={"source"}
    )


def test_extranormal_smart_quotes_and_parenthetical(extranormal: Script) -> None:
    texts = [e.text for e in elements(extranormal)]
    assert "Colby looks to camera: “I rest my case.”" in texts
    assert "Okay, well that’s... not true." in texts
    with_paren = [d for d in dialogues(extranormal) if d.parenthetical]
    assert [(d.character, d.parenthetical) for d in with_paren] == [
        ("COLBY", "to camera, re: Brian")
    ]


def test_extranormal_title_page(extranormal: Script) -> None:
    page = extranormal.title_page
    assert page.title == "EXTRANORMAL"
    assert page.credit == "Written by"
    assert page.authors == ["Aaron Brownstein", "Simon Ganz"]
    assert page.draft_date == "September 9, 2022"
    assert page.contact == "Katz/Brooks - CAA\nPerlin/Kanter - Iconoclast/Anonymous Content"
    assert page.extra == {"episode": '"Pilot"'}


def _with_title_page(rows: list[tuple[str, str]]) -> bytes:
    """A document whose title page has one paragraph per ``(alignment, text)`` row."""
    title = "".join(
        f'<Paragraph Alignment="{alignment}"><Text Style="Bold">{text}</Text></Paragraph>'
        for alignment, text in rows
    )
    body = para("Action", "Hi.")
    return (
        '<?xml version="1.0"?>\n<FinalDraft Version="4"><Content>'
        f"{body}</Content><TitlePage><Content>{title}</Content></TitlePage></FinalDraft>"
    ).encode()


def test_title_page_spaced_layout() -> None:
    rows = [
        ("Left", ""),
        ("Center", "BRICK &amp; STEEL"),
        ("Center", "FULL RETIRED"),
        ("Center", ""),
        ("Center", "Screenplay by"),
        ("Center", ""),
        ("Center", "Stu Maschwitz and KTM"),
        ("Center", ""),
        ("Center", "Based on a true story"),
        ("Center", ""),
        ("Center", "FINAL SHOOTING SCRIPT"),
        ("Full", ""),
        ("Left", "Next Level Productions"),
        ("Left", "1588 Mission Dr."),
        ("Left", "Solvang, CA 93463"),
        ("Right", "Revised Draft"),
        ("Right", "1/27/2012"),
        ("Left", ""),
        ("Left", "© 2012 Stu Maschwitz"),
    ]
    page = parse(_with_title_page(rows)).title_page
    assert page.title == "BRICK & STEEL\nFULL RETIRED"
    assert page.credit == "Screenplay by"
    assert page.authors == ["Stu Maschwitz", "KTM"]
    assert page.source == "Based on a true story"
    assert page.contact == "Next Level Productions\n1588 Mission Dr.\nSolvang, CA 93463"
    assert page.draft_date == "Revised Draft\n1/27/2012"
    assert page.extra == {"notes": "FINAL SHOOTING SCRIPT", "copyright": "© 2012 Stu Maschwitz"}


def test_title_page_compact_layout() -> None:
    rows = [
        ("Center", "Big Fish"),
        ("Center", "written by"),
        ("Center", "John August"),
        ("Center", "based on the novel"),
        ("Center", "by Daniel Wallace"),
        ("Center", ""),
        ("Center", "“Pilot”"),
    ]
    page = parse(_with_title_page(rows)).title_page
    assert page.title == "Big Fish"
    assert page.credit == "written by"
    assert page.authors == ["John August"]
    assert page.source == "based on the novel\nby Daniel Wallace"
    assert page.extra == {"notes": "“Pilot”"}  # after the credit: not an episode title
    one_line = parse(_with_title_page([("Center", "Fish"), ("Center", "Written by Jo Doe")]))
    assert (one_line.title_page.credit, one_line.title_page.authors) == ("Written by", ["Jo Doe"])


def _centred(*blocks: str) -> list[tuple[str, str]]:
    """Title-page rows: each block's lines centred, an empty paragraph between blocks."""
    rows: list[tuple[str, str]] = []
    for block in blocks:
        rows.extend(("Center", line) for line in block.split("\n"))
        rows.append(("Center", ""))
    return rows


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # Rules the PDF parser had and this one lacked, now shared (screenplay.titlepage).
        (
            _centred("BIG FISH", "An Original Screenplay by", "Jane Doe"),
            {"title": "BIG FISH", "credit": "An Original Screenplay by", "authors": ["Jane Doe"]},
        ),
        (
            _centred("BIG FISH", "by Jane Doe"),
            {"title": "BIG FISH", "credit": "by", "authors": ["Jane Doe"]},
        ),
        (
            _centred("BIG FISH", "Written by", "Stu Maschwitz", "Story by KTM"),
            {"credit": "Written by", "authors": ["Stu Maschwitz"], "source": "Story by KTM"},
        ),
        (
            _centred("BIG FISH", "written by", "Jane Doe", "suggested by a story"),
            {"authors": ["Jane Doe"], "source": "suggested by a story", "extra": {}},
        ),
        (
            _centred("BIG FISH", "written by", "Jane Doe", "script based on..."),
            {"source": "script based on...", "extra": {}},
        ),
        (
            _centred("BIG FISH", "written by", "Jane Doe", "from the short story by X"),
            {"source": "from the short story by X", "extra": {}},
        ),
        (
            _centred("BIG FISH", "written by", "Jane Doe\n&amp;\nJohn Roe"),
            {"authors": ["Jane Doe", "John Roe"]},
        ),
        (
            _centred(
                "BIG FISH", "written by", "John August", "based on the novel\nby\nDaniel Wallace"
            ),
            {
                "credit": "written by",
                "authors": ["John August"],
                "source": "based on the novel\nby\nDaniel Wallace",
            },
        ),
        (
            _centred("BIG FISH", "based on the novel", "FIRST DRAFT"),
            {"title": "BIG FISH", "extra": {"notes": "FIRST DRAFT"}},
        ),
        (
            _centred("Based on a True Story", "written by", "Jane Doe"),
            {"title": "Based on a True Story", "source": None},
        ),
        (
            _centred("BIG FISH", "Written by Jane Doe, based on her novel"),
            {"credit": None, "source": "Written by Jane Doe, based on her novel"},
        ),
        (
            [("Center", "BIG FISH"), ("Right", "September 2022")],
            {"draft_date": "September 2022", "contact": None},
        ),
        (
            [("Center", "BIG FISH"), ("Right", "Spring 2012")],
            {"draft_date": "Spring 2012", "contact": None},
        ),
    ],
)
def test_title_page_shared_rules(rows: list[tuple[str, str]], expected: dict[str, object]) -> None:
    page = parse(_with_title_page(rows)).title_page
    assert {key: getattr(page, key) for key in expected} == expected


def test_no_title_page() -> None:
    assert parse_path(BRICK).title_page == TitlePage()


# --- dual dialogue ---------------------------------------------------------------------------


def test_dual_dialogue_final_draft_structure() -> None:
    script = parse_path(DUAL)
    flat = elements(script)
    assert [e.kind for e in flat] == ["action", "dialogue", "dialogue", "transition"]
    assert flat[0].text == "The men look at each other."
    left, right = flat[1], flat[2]
    assert isinstance(left, Dialogue) and isinstance(right, Dialogue)
    assert (left.character, left.dual, left.text) == ("STEEL", "left", "Screw retirement.")
    assert (right.character, right.dual, right.text) == ("BRICK", "right", "Screw retirement.")
    assert (left.line, right.line) == (9, 15)
    assert flat[3] == Transition(text="SMASH CUT TO:", line=24, page=flat[3].page)


def test_dual_dialogue_screenplain_structure() -> None:
    script = parse_path(BRICK)
    duals = [d for d in dialogues(script) if d.dual]
    assert [(d.character, d.dual) for d in duals] == [("STEEL", "left"), ("BRICK", "right")]
    assert script.warnings == []
    # Two consecutive Dialogue paragraphs (the second of styled runs) are one run of speech.
    dan = next(d for d in dialogues(script) if d.character == "DAN")
    assert [(p.kind, p.text) for p in dan.parts] == [
        ("speech", "Then let's retire them.\nPermanently.")
    ]


def test_dual_dialogue_with_parenthetical_and_three_speakers() -> None:
    inner = (
        para("Character", "A")
        + para("Parenthetical", "(quietly)")
        + para("Dialogue", "One.")
        + para("Character", "B")
        + para("Dialogue", "Two.")
    )
    script = parse(fdx(f"<Paragraph><DualDialogue>{inner}</DualDialogue></Paragraph>"))
    a, b = dialogues(script)
    assert (a.dual, a.parenthetical, a.text, b.dual) == ("left", "quietly", "One.", "right")
    three = inner + para("Character", "C") + para("Dialogue", "Three.")
    script = parse(fdx(f"<Paragraph><DualDialogue>{three}</DualDialogue></Paragraph>"))
    assert [d.dual for d in dialogues(script)] == [None, None, None]
    assert "3 speakers" in script.warnings[0]


# --- element types ---------------------------------------------------------------------------


def test_every_paragraph_type() -> None:
    body = "\n".join(
        [
            para("New Act", "ACT ONE"),
            para("Outline 2", "The heist"),
            para("Outline Body", "They plan it."),
            para("Scene Heading", "INT. VAULT - NIGHT", Number="12A"),
            para("Action", "Dark."),
            para("General", "THE END", Alignment="Center"),
            para("Shot", "CLOSE ON THE DIAL"),
            para("Lyrics", "Happy birthday to you"),
            para("Lyric", "Happy birthday dear Jo"),
            para("Cast List", "JO, a thief"),
            para("Transition", "CUT TO:"),
            para("End Of Act", "END OF ACT ONE"),
            para("Character", "JO (O.S.) (CONT'D)"),
            para("Parenthetical", "(whispering)"),
            para("Dialogue", "Now."),
            para("Parenthetical", "(beat)"),
            para("Dialogue", "Go."),
            para("Banner", "MYSTERY"),
            para("Dialogue", "Orphan speech."),
            '<Paragraph Type="Action"><Text>   </Text></Paragraph>',
        ]
    )
    script = parse(fdx(body))
    flat = elements(script)
    kinds = [type(e) for e in flat]
    assert kinds == [
        Section,
        Section,
        Synopsis,
        Action,
        Centered,
        ShotDirection,
        Lyrics,
        Lyrics,
        Action,
        Transition,
        Centered,
        Dialogue,
        Action,
        Action,
    ]
    assert [(e.text, e.level) for e in flat[:2] if isinstance(e, Section)] == [
        ("ACT ONE", 1),
        ("The heist", 2),
    ]
    assert script.scenes[0].number == "12A"
    assert script.scenes[0].section_path == ["ACT ONE", "The heist"]
    assert script.scenes[0].synopsis is None  # the outline body comes before the heading
    jo = flat[11]
    assert isinstance(jo, Dialogue)
    assert (jo.character, jo.extension, jo.contd) == ("JO", "O.S.", True)
    assert jo.text == "Now.\nGo."
    assert jo.parenthetical == "whispering"
    assert [(p.kind, p.text) for p in jo.parts] == [
        ("parenthetical", "whispering"),
        ("speech", "Now."),
        ("parenthetical", "beat"),
        ("speech", "Go."),
    ]
    assert len(script.warnings) == 2
    assert "'Banner'" in script.warnings[0] and "line 21" in script.warnings[0]
    assert "no character cue" in script.warnings[1]


def test_text_runs_and_line_breaks() -> None:
    body = (
        '<Paragraph Type="Action">'
        '<Text>One.  Two\t</Text><Text Style="Bold+AllCaps">three</Text>'
        "<Text>\r\nsecond line   \n</Text></Paragraph>"
    )
    (action,) = elements(parse(fdx(body)))
    assert action.text == "One.  Two\tthree\nsecond line"


def test_starts_new_page_not_before_first_element() -> None:
    body = para("Action", "First.", StartsNewPage="Yes") + para(
        "Action", "Second.", StartsNewPage="Yes"
    )
    assert [e.kind for e in elements(parse(fdx(body)))] == ["action", "page_break", "action"]


def test_scene_properties_page() -> None:
    body = (
        '<Paragraph Type="Scene Heading"><SceneProperties Length="2/8" Page="4" Title="">'
        "<SceneArcBeats/></SceneProperties><Text>INT. ROOM - DAY</Text></Paragraph>"
        + para("Action", "Hi.")
    )
    script = parse(fdx(body))
    assert script.scenes[0].heading == "INT. ROOM - DAY"
    assert script.scenes[0].line == 4


# --- errors ------------------------------------------------------------------------------------


def test_malformed_xml_reports_line_and_column() -> None:
    data = fdx(para("Action", "Fine.") + "\n<Paragraph Type='Action'><Text>Broken</Paragraph>")
    with pytest.raises(ParseError) as info:
        parse(data)
    assert not isinstance(info.value, HostileInputError)
    assert info.value.line == 5
    assert info.value.column is not None and info.value.column > 1
    assert "mismatched tag" in info.value.message


def test_wrong_root() -> None:
    with pytest.raises(ParseError) as info:
        parse(b"<?xml version='1.0'?>\n<html><body/></html>")
    assert "expected a Final Draft document <FinalDraft>, found <html>" in str(info.value)
    assert info.value.line == 2


def test_no_content() -> None:
    with pytest.raises(ParseError, match="no <Content>"):
        parse(b"<FinalDraft><TitlePage><Content/></TitlePage></FinalDraft>")


@pytest.mark.parametrize(
    "data",
    [
        fdx(""),
        fdx('<Paragraph Type="Action"><Text></Text></Paragraph>'),
    ],
    ids=["no-paragraphs", "only-empty-paragraphs"],
)
def test_empty_content(data: bytes) -> None:
    with pytest.raises(EmptyScriptError):
        parse(data)


def test_undefined_entity_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="undefined entity") as info:
        parse(fdx(para("Action", "&nbsp;")))
    assert info.value.line == 4


BILLION_LAUGHS = fdx(
    para("Action", "&lol9;"),
    prolog=(
        '<?xml version="1.0"?>\n<!DOCTYPE FinalDraft [\n'
        '<!ENTITY lol "lol">\n'
        + "".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
            for i in range(1, 10)
        )
        + "]>\n"
    ),
)
EXTERNAL_DTD = fdx(
    para("Action", "Hi."),
    prolog='<?xml version="1.0"?>\n<!DOCTYPE FinalDraft SYSTEM "http://example.invalid/fd.dtd">\n',
)
DTD_ONLY = b'<?xml version="1.0"?>\n<!DOCTYPE FinalDraft [<!ELEMENT FinalDraft ANY>]>\n'


def _xxe(secret_path: Path) -> bytes:
    return fdx(
        para("Action", "&xxe;"),
        prolog=(
            '<?xml version="1.0"?>\n'
            f'<!DOCTYPE FinalDraft [<!ENTITY xxe SYSTEM "file://{secret_path}">]>\n'
        ),
    )


def _parameter_entity(secret_path: Path) -> bytes:
    return fdx(
        para("Action", "Hi."),
        prolog=(
            '<?xml version="1.0"?>\n'
            f'<!DOCTYPE FinalDraft [<!ENTITY % pe SYSTEM "file://{secret_path}"> %pe;]>\n'
        ),
    )


def _refused_quickly(data: bytes) -> HostileInputError:
    start = time.perf_counter()
    with pytest.raises(HostileInputError) as info:
        parse(data)
    assert time.perf_counter() - start < HOSTILE_GUARD_S
    return info.value


def test_billion_laughs_refused() -> None:
    error = _refused_quickly(BILLION_LAUGHS)
    assert "DOCTYPE" in error.message and error.line == 2
    assert "lollol" not in error.message  # nothing was expanded


def test_external_dtd_refused() -> None:
    error = _refused_quickly(EXTERNAL_DTD)
    assert "http://example.invalid/fd.dtd" in error.message


def test_dtd_only_refused() -> None:
    _refused_quickly(DTD_ONLY)


@pytest.mark.parametrize("build", [_xxe, _parameter_entity], ids=["xxe", "parameter-entity"])
def test_file_entities_refused_without_reading(tmp_path: Path, build) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-7f3a")
    data = build(secret)
    error = _refused_quickly(data)
    assert "TOP-SECRET" not in str(error)
    with pytest.raises(HostileInputError) as info:
        parse_bytes(data, name="hostile.fdx")
    assert "TOP-SECRET" not in str(info.value)
    assert info.value.path == "hostile.fdx"


def test_refusal_messages_name_the_construct() -> None:
    assert "<!DOCTYPE FinalDraft 'x.dtd'>" in _refusal(DTDForbidden("FinalDraft", "x.dtd", None))
    message = _refusal(EntitiesForbidden("xxe", None, None, "file:///etc/passwd", None, None))
    assert "<!ENTITY xxe SYSTEM 'file:///etc/passwd'>" in message
    message = _refusal(ExternalReferenceForbidden(None, None, "http://x.invalid/e", None))
    assert "http://x.invalid/e" in message


def test_errors_through_parse_bytes_carry_the_path() -> None:
    with pytest.raises(HostileInputError) as hostile:
        parse_bytes(BILLION_LAUGHS, name="laughs.fdx")
    assert str(hostile.value).startswith("laughs.fdx:2:")
    with pytest.raises(ParseError) as malformed:
        parse_bytes(b'<?xml version="1.0"?>\n<FinalDraft><Content>', name="cut.fdx")
    assert malformed.value.path == "cut.fdx"
    assert str(malformed.value).startswith("cut.fdx:2:")
    with pytest.raises(ParseError, match="found <html>") as wrong:
        parse_bytes(b"<?xml version='1.0'?><html/>", name="page.fdx")
    assert wrong.value.path == "page.fdx"


def test_parse_bytes_detects_fdx() -> None:
    script = parse_bytes(DUAL.read_bytes(), name="dual.fdx")
    assert script.source.format == "fdx"
    assert script.source.name == "dual.fdx"


# --- round trip -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [BIG_FISH, BRICK, DUAL, EXTRANORMAL], ids=lambda p: p.stem)
def test_json_round_trip(path: Path) -> None:
    script = parse_path(path)
    assert Script.model_validate_json(script.model_dump_json()) == script


# --- agreement with the Fountain source of the same script --------------------------------------


def _summary(script: Script) -> dict[str, list]:
    return {
        "scenes": [
            (s.number, s.numbered, " ".join((s.heading or "").split())) for s in script.scenes
        ],
        "dialogue": [
            (d.character, d.cue, d.text, d.parenthetical, d.dual) for d in dialogues(script)
        ],
        "characters": sorted(c.name for c in script.characters),
    }


def _parse_fountain(stem: str) -> Script:
    fountain = pytest.importorskip("screenplay.fountain", reason="Fountain parser not present")
    data = (DATA / f"{stem}.fountain").read_bytes()
    source = ScriptSource(
        name=f"{stem}.fountain",
        format="fountain",
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
    )
    return fountain.FountainParser().parse(data, source)


PAIRS = pytest.mark.parametrize(
    "stem", ["big_fish_scene_numbers", "brick_and_steel"], ids=["big-fish", "brick-and-steel"]
)


@PAIRS
def test_agrees_with_fountain_source(stem: str) -> None:
    expected = _summary(_parse_fountain(stem))
    actual = _summary(parse_path(DATA / f"{stem}.fdx"))
    assert actual["scenes"] == expected["scenes"]
    assert actual["dialogue"] == expected["dialogue"]
    assert actual["characters"] == expected["characters"]


@PAIRS
def test_whole_body_agrees_with_fountain_source(stem: str) -> None:
    """Every element, in order: kinds, texts and dialogue parts (page breaks included)."""

    def body(script: Script) -> list[tuple[str, str, list[tuple[str, str]]]]:
        return [
            (e.kind, e.text, [(p.kind, p.text) for p in e.parts] if isinstance(e, Dialogue) else [])
            for e in elements(script)
        ]

    assert body(parse_path(DATA / f"{stem}.fdx")) == body(_parse_fountain(stem))
