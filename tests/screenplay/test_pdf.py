"""Tests for the screenplay PDF parser.

The real Final Draft print of Big Fish is checked field by field and against the Fountain
and FDX sources it was printed from. Corpus scripts parsed from Fountain are printed with
the test-support writer and read back, which must give the same scenes, characters and
dialogue. Damaged, encrypted and image-only PDFs must fail with a ``ParseError``.
"""

from __future__ import annotations

import io
import random
import re
import time
from pathlib import Path

import pdfplumber
import pytest
from reportlab.lib.pagesizes import letter
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

import screenplay.pdf as pdf_module
from previz.errors import EmptyScriptError, NoTextLayerError, ParseError
from screenplay.base import PARSERS, detect_format, parse_bytes, parse_file
from screenplay.model import Action, Dialogue, PageBreak, Script, Transition
from screenplay.pdf import PdfParser
from tests.support.screenplay_pdf import write_screenplay_pdf

DATA = Path(__file__).resolve().parents[1] / "data"
BIG_FISH_PDF = DATA / "big_fish_scene_numbers.pdf"
ROUND_TRIP_SCRIPTS = ("brick_and_steel", "the_last_birthday_card", "big_fish")
BAD_PDF_GUARD_S = 10.0
"""A generous bound: a damaged file is refused in milliseconds; a hang would take longer."""
INCH = 72.0

CORPUS_NUMBERS = ["1", "1A", "2", "2A", "I-1-A", "110A", "9."]
CORPUS_HEADINGS = [
    "INT.  WILL'S BEDROOM - NIGHT (1973)",
    "EXT.  CAMPFIRE - NIGHT (1977)",
    "INT.  BLOOM FRONT HALL - NIGHT (1987)",
    "INT.  TINY PARIS RESTAURANT (LA RUE 14°) - NIGHT (1998)",
    "EXT.  OUTSIDE LA RUE 14° - NIGHT",
    "INT.  A.P. NEWSROOM (PARIS) - DAY",
    "INT.  BLOOM HOUSE KITCHEN - DAY",
]
CORPUS_SCENE_PAGES = [1, 2, 3, 3, 4, 6, 7, 7]
"""The printed page of the opening and of each numbered scene (title page not counted)."""
CORPUS_CHARACTERS = {
    "EDWARD": 19,
    "WILL": 10,
    "EDWARD AND WILL": 1,
    "LITTLE BRAVE": 1,
    "SANDRA": 1,
    "WILL'S DATE": 1,
}
FURNITURE_RE = re.compile(r"\(MORE\)|CONT['’]D|CONTINUED|^\d+\.$")


def normalise(text: str) -> str:
    """Whitespace collapsed and curly quotes straightened, for comparing across formats."""
    for curly, straight in (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"')):
        text = text.replace(curly, straight)
    return " ".join(text.split())


def dialogues(script: Script) -> list[Dialogue]:
    return [e for scene in script.scenes for e in scene.elements if isinstance(e, Dialogue)]


def scene_summary(script: Script) -> list[tuple[str, str]]:
    return [(s.number, normalise(s.heading)) for s in script.scenes if s.heading is not None]


def dialogue_summary(script: Script) -> list[tuple[str, str, str | None]]:
    return [(d.character, normalise(d.text), d.dual) for d in dialogues(script)]


def screen_elements(script: Script) -> list[tuple[str, str]]:
    """Every printed element's kind and text (notes, sections and synopses are not printed)."""
    return [
        (e.kind, normalise(e.text))
        for scene in script.scenes
        for e in scene.elements
        if e.kind not in ("note", "section", "synopsis")
    ]


def parse_pdf(path: Path) -> Script:
    return parse_bytes(path.read_bytes(), name=path.name, format="pdf")


@pytest.fixture(scope="module")
def corpus() -> Script:
    return parse_file(BIG_FISH_PDF)


@pytest.fixture(scope="module")
def round_trips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Script, Script]]:
    """Each round-trip script parsed from Fountain, and from its standard-layout print."""
    folder = tmp_path_factory.mktemp("round_trip")
    result: dict[str, tuple[Script, Script]] = {}
    for name in ROUND_TRIP_SCRIPTS:
        fountain = parse_file(DATA / f"{name}.fountain")
        printed = folder / f"{name}.pdf"
        write_screenplay_pdf(fountain, printed)
        result[name] = (fountain, parse_pdf(printed))
    return result


def fountain_script(text: str, name: str = "test.fountain") -> Script:
    return parse_bytes(text.encode(), name=name, format="fountain")


def print_and_read(script: Script, path: Path, *, scene_numbers: bool = True) -> Script:
    write_screenplay_pdf(script, path, scene_numbers=scene_numbers)
    return parse_pdf(path)


def pdf_text(path: Path) -> list[str]:
    with pdfplumber.open(path) as document:
        return [page.extract_text() or "" for page in document.pages]


# --- the Final Draft print of Big Fish ----------------------------------------------------


def test_registered_for_pdf_files() -> None:
    assert PARSERS.get("pdf") is PdfParser
    assert PdfParser.format == "pdf"
    assert PdfParser.suffixes == ("pdf",)
    assert detect_format(BIG_FISH_PDF.read_bytes(), BIG_FISH_PDF.name) == "pdf"


def test_corpus_title_page(corpus: Script) -> None:
    title_page = corpus.title_page
    # Final Draft prints the title in capitals (its AllCaps style); the text is "Big Fish".
    assert title_page.title is not None and title_page.title.casefold() == "big fish"
    assert title_page.credit == "written by"
    assert title_page.authors == ["John August"]
    assert title_page.source == "based on the novel by Daniel Wallace"
    assert corpus.source.format == "pdf"
    assert corpus.source.name == BIG_FISH_PDF.name


def test_corpus_page_count_excludes_the_title_page(corpus: Script) -> None:
    assert corpus.page_count == 8


def test_corpus_scene_numbers_from_the_margins(corpus: Script) -> None:
    numbered = [s for s in corpus.scenes if s.heading is not None]
    assert [s.number for s in numbered] == CORPUS_NUMBERS
    assert all(s.numbered for s in numbered)
    assert corpus.scenes[0].id == "sc000" and corpus.scenes[0].heading is None


def test_corpus_headings_keep_no_scene_number(corpus: Script) -> None:
    headings = [s.heading for s in corpus.scenes if s.heading is not None]
    assert headings == CORPUS_HEADINGS
    paris = corpus.scene("2A")
    assert (paris.int_ext, paris.location, paris.time_of_day, paris.time_note) == (
        "INT",
        "TINY PARIS RESTAURANT (LA RUE 14°)",
        "NIGHT",
        "(1998)",
    )


def test_corpus_scene_pages_are_printed_pages(corpus: Script) -> None:
    assert [s.page for s in corpus.scenes] == CORPUS_SCENE_PAGES
    pages = [e.page for s in corpus.scenes for e in s.elements]
    assert all(page is not None for page in pages)
    assert pages == sorted(pages)  # type: ignore[type-var]
    assert pages[0] == 1 and pages[-1] == 8


def test_corpus_characters_and_dialogue_count(corpus: Script) -> None:
    assert {c.name: c.dialogue_count for c in corpus.characters} == CORPUS_CHARACTERS
    assert len(dialogues(corpus)) == 33


def test_corpus_automatic_contd_cues(corpus: Script) -> None:
    """Final Draft adds (CONT'D) when a speaker resumes after action: same character."""
    contd = [d for d in dialogues(corpus) if d.contd]
    assert len(contd) == 6
    assert {d.cue for d in contd} == {"EDWARD (CONT'D)"}
    assert {d.character for d in contd} == {"EDWARD"}


def test_corpus_parentheticals(corpus: Script) -> None:
    edward = next(d for d in dialogues(corpus) if d.parenthetical == "closer; he holds up his ring")
    assert [p.kind for p in edward.parts] == ["speech", "parenthetical", "speech"]
    assert (
        edward.parts[2].text == "That was the lesson I learned that day, the day my son was born."
    )
    brave = next(d for d in dialogues(corpus) if d.character == "LITTLE BRAVE")
    assert [(p.kind, p.text) for p in brave.parts] == [
        ("parenthetical", "confused"),
        ("speech", "Your finger?"),
    ]
    on_phone = next(d for d in dialogues(corpus) if d.cue == "WILL (ON PHONE)")
    assert (on_phone.character, on_phone.extension) == ("WILL", "ON PHONE")


def test_corpus_opening_and_forced_page_break(corpus: Script) -> None:
    opening = corpus.scenes[0].elements
    assert isinstance(opening[0], Action)
    assert opening[0].text == (
        "This is a Southern story, full of lies and fabrications, but truer for their inclusion."
    )
    assert isinstance(opening[1], PageBreak)
    assert isinstance(opening[2], Action) and opening[2].text == "FADE IN:"


def test_corpus_wrapped_lines_joined(corpus: Script) -> None:
    first = dialogues(corpus)[0]
    assert first.cue == "EDWARD (V.O.)"
    assert "\n" not in first.text
    assert normalise(first.text).startswith("There are some fish that cannot be caught.")
    assert normalise(first.text).endswith("One such fish was The Beast.")
    hyphenated = next(d for d in dialogues(corpus) if "deprive" in d.text)
    assert "soon-to-be-born son" in hyphenated.text


def test_corpus_has_no_page_furniture(corpus: Script) -> None:
    for scene in corpus.scenes:
        for element in scene.elements:
            texts = [element.text]
            if isinstance(element, Dialogue):
                texts += [part.text for part in element.parts]
            for text in texts:
                assert not FURNITURE_RE.search(text), (scene.id, text)
        if scene.heading is not None:
            assert not scene.heading.endswith(scene.number)


@pytest.mark.parametrize("other", ["fountain", "fdx"])
def test_corpus_agrees_with_its_sources(corpus: Script, other: str) -> None:
    source = parse_file(DATA / f"big_fish_scene_numbers.{other}")
    assert scene_summary(corpus) == scene_summary(source)
    assert {c.name: c.dialogue_count for c in corpus.characters} == {
        c.name: c.dialogue_count for c in source.characters
    }
    assert [(c, t) for c, t, _ in dialogue_summary(corpus)] == [
        (c, t) for c, t, _ in dialogue_summary(source)
    ]
    assert [[p.kind for p in d.parts] for d in dialogues(corpus)] == [
        [p.kind for p in d.parts] for d in dialogues(source)
    ]
    assert [s.characters for s in corpus.scenes] == [s.characters for s in source.scenes]
    title, printed = source.title_page, corpus.title_page
    assert (title.title or "").casefold() == (printed.title or "").casefold()
    assert (title.credit, title.authors, title.source) == (
        printed.credit,
        printed.authors,
        printed.source,
    )


def test_corpus_json_round_trip(corpus: Script) -> None:
    assert Script.model_validate_json(corpus.model_dump_json()) == corpus


# --- round trips: Fountain -> standard-layout PDF -> Script --------------------------------


@pytest.mark.parametrize("name", ROUND_TRIP_SCRIPTS)
def test_round_trip_scenes(round_trips: dict[str, tuple[Script, Script]], name: str) -> None:
    fountain, printed = round_trips[name]
    assert len(printed.scenes) == len(fountain.scenes)
    assert scene_summary(printed) == scene_summary(fountain)
    assert [s.forced for s in printed.scenes] == [s.forced for s in fountain.scenes]
    assert all(s.numbered for s in printed.scenes if s.heading is not None)


@pytest.mark.parametrize("name", ROUND_TRIP_SCRIPTS)
def test_round_trip_characters(round_trips: dict[str, tuple[Script, Script]], name: str) -> None:
    fountain, printed = round_trips[name]
    assert [(c.name, c.dialogue_count) for c in printed.characters] == [
        (c.name, c.dialogue_count) for c in fountain.characters
    ]


@pytest.mark.parametrize("name", ROUND_TRIP_SCRIPTS)
def test_round_trip_dialogue(round_trips: dict[str, tuple[Script, Script]], name: str) -> None:
    fountain, printed = round_trips[name]
    assert dialogue_summary(printed) == dialogue_summary(fountain)
    assert [[(p.kind, normalise(p.text)) for p in d.parts] for d in dialogues(printed)] == [
        [(p.kind, normalise(p.text)) for p in d.parts] for d in dialogues(fountain)
    ]


@pytest.mark.parametrize("name", ROUND_TRIP_SCRIPTS)
def test_round_trip_every_element(round_trips: dict[str, tuple[Script, Script]], name: str) -> None:
    fountain, printed = round_trips[name]
    assert screen_elements(printed) == screen_elements(fountain)


@pytest.mark.parametrize("name", ROUND_TRIP_SCRIPTS)
def test_round_trip_title_page(round_trips: dict[str, tuple[Script, Script]], name: str) -> None:
    fountain, printed = round_trips[name]
    expected = fountain.title_page.model_copy(update={"extra": {}})
    assert printed.title_page == expected


def test_round_trip_dual_dialogue(round_trips: dict[str, tuple[Script, Script]]) -> None:
    _, printed = round_trips["brick_and_steel"]
    dual = [(d.character, d.dual, d.text) for d in dialogues(printed) if d.dual]
    assert dual == [
        ("STEEL", "left", "Screw retirement."),
        ("BRICK", "right", "Screw retirement."),
    ]


def test_round_trip_splits_long_speeches(round_trips: dict[str, tuple[Script, Script]]) -> None:
    """Big Fish has speeches the writer breaks across pages; each comes back whole."""
    fountain, printed = round_trips["big_fish"]
    assert printed.page_count > 100
    for dialogue in dialogues(printed):
        for part in dialogue.parts:
            assert "(MORE)" not in part.text and "CONT'D" not in part.text.upper()
    assert len(dialogues(printed)) == len(dialogues(fountain))


def test_round_trip_keeps_deliberate_line_breaks(
    round_trips: dict[str, tuple[Script, Script]],
) -> None:
    """Short lines in a row (a hand-written card) keep their breaks; wrapped lines do not."""
    fountain, printed = round_trips["the_last_birthday_card"]
    card = "Jacob Billups\nPalace Hotel, RM 412\n1:00 pm tomorrow"
    assert card in [e.text for s in fountain.scenes for e in s.elements]
    assert card in [e.text for s in printed.scenes for e in s.elements]
    actions = [e for s in printed.scenes for e in s.elements if isinstance(e, Action)]
    assert sum("\n" not in e.text and len(e.text) > 120 for e in actions) > 20


def test_round_trip_json(round_trips: dict[str, tuple[Script, Script]]) -> None:
    _, printed = round_trips["brick_and_steel"]
    assert Script.model_validate_json(printed.model_dump_json()) == printed


def test_forced_headings_without_scene_numbers(tmp_path: Path) -> None:
    """Without margin numbers, a heading is known by the two blank lines above it."""
    fountain = parse_file(DATA / "brick_and_steel.fountain")
    printed = print_and_read(fountain, tmp_path / "brick.pdf", scene_numbers=False)
    assert [s.heading for s in printed.scenes] == [s.heading for s in fountain.scenes]
    assert [s.forced for s in printed.scenes] == [s.forced for s in fountain.scenes]
    assert not any(s.numbered for s in printed.scenes)
    assert [s.number for s in printed.scenes] == [str(n) for n in range(1, 9)]


LONG_SPEECH = " ".join(
    f"This is sentence number {n} of a speech that will not fit on one page." for n in range(60)
)


def test_speech_across_a_page_break_is_one_block(tmp_path: Path) -> None:
    filler = "\n\n".join(f"Action paragraph {n} takes up a line or so." for n in range(22))
    source = fountain_script(
        f"INT. HALL - DAY\n\n{filler}\n\nHAMLET\n(quietly)\n{LONG_SPEECH}\n\n"
        "Hamlet sits down.\n\nOPHELIA\nWell said.\n"
    )
    path = tmp_path / "split.pdf"
    printed = print_and_read(source, path)
    pages = pdf_text(path)
    assert "(MORE)" in pages[0]
    assert any("HAMLET (CONT'D)" in text for text in pages[1:])
    hamlet = [d for d in dialogues(printed) if d.character == "HAMLET"]
    assert len(hamlet) == 1
    speech = hamlet[0]
    assert speech.cue == "HAMLET" and not speech.contd
    assert speech.parenthetical == "quietly"
    assert [p.kind for p in speech.parts] == ["parenthetical", "speech"]
    assert normalise(speech.text) == normalise(LONG_SPEECH)
    assert speech.page == 1
    after = printed.scenes[0].elements[-2:]
    assert isinstance(after[0], Action) and after[0].text == "Hamlet sits down."
    assert after[0].page is not None and after[0].page > 1
    assert dialogue_summary(printed) == dialogue_summary(source)


def test_speech_longer_than_a_page(tmp_path: Path) -> None:
    speech = " ".join([LONG_SPEECH] * 2)
    source = fountain_script(f"EXT. FIELD - NIGHT\n\nKING (V.O.)\n{speech}\n\nSilence.\n")
    path = tmp_path / "long.pdf"
    printed = print_and_read(source, path)
    assert sum("(MORE)" in text for text in pdf_text(path)) >= 2
    (king,) = dialogues(printed)
    assert (king.character, king.cue, king.extension) == ("KING", "KING (V.O.)", "V.O.")
    assert normalise(king.text) == normalise(speech)
    assert printed.page_count >= 3


def test_transitions_and_centered(round_trips: dict[str, tuple[Script, Script]]) -> None:
    _, printed = round_trips["brick_and_steel"]
    kinds = [(e.kind, e.text) for s in printed.scenes for e in s.elements]
    assert ("transition", "SMASH CUT TO:") in kinds
    assert ("transition", "BURN TO PINK.") in kinds
    assert kinds[-1] == ("centered", "THE END")
    titles = [e.text for e in printed.scene("5").elements if e.kind == "centered"]
    assert titles == ["BRICK BRADDOCK\n& DICK STEEL IN", "BRICK & STEEL\nFULL RETIRED"]


# --- another application's layout ---------------------------------------------------------


def draw_rows(path: Path, pages: list[list[tuple[float, str, str]]], header: str = "") -> None:
    """A PDF of ``(row, x in inches or 'right'/'center', text)`` rows, 6 rows to the inch."""
    document = canvas.Canvas(str(path), pagesize=letter)
    width, height = letter
    for number, rows in enumerate(pages, start=1):
        document.setFont("Courier", 12)
        if header:
            document.drawString(1.0 * INCH, height - 0.5 * INCH, header)
        if number > 1:  # page number at the bottom centre, as some apps print it
            document.drawCentredString(width / 2, 0.5 * INCH, f"- {number} -")
        for row, where, text in rows:
            y = height - 1.2 * INCH - row * 12
            if where == "right":
                document.drawRightString(7.3 * INCH, y, text)
            elif where == "center":
                document.drawCentredString(1.7 * INCH + 3.0 * INCH, y, text)
            else:
                document.drawString(float(where) * INCH, y, text)
        document.showPage()
    document.save()


def test_layout_measured_per_document(tmp_path: Path) -> None:
    """Margins 0.2 in wider than usual, cues at 4.0 in, transitions right-aligned to 7.3 in,
    a repeated header and page numbers at the bottom: the columns are found all the same."""
    action, dialogue, paren, cue = 1.7, 2.7, 3.2, 4.0
    page_one = [
        (0, action, "INT. LABORATORY - NIGHT"),
        (2, action, "Bubbling flasks. DR. KELLER (60s) hunches over a"),
        (3, action, "microscope."),
        (5, cue, "KELLER"),
        (6, paren, "(to himself)"),
        (7, dialogue, "It moves. After all these years,"),
        (8, dialogue, "it finally moves."),
        (10, action, "The door bangs open."),
        (12, cue, "IGOR (O.S.)"),
        (13, dialogue, "Master!"),
        (15, "right", "CUT TO:"),
    ]
    page_two = [
        (0, action, "EXT. CASTLE - CONTINUOUS"),
        (2, action, "Lightning."),
        (4, cue, "IGOR"),
        (5, dialogue, "They're here."),
        (7, "center", "THE END"),
    ]
    page_three = [(0, action, "A last, quiet page.")]
    path = tmp_path / "other_app.pdf"
    draw_rows(path, [page_one, page_two, page_three], header="FRANKENSTEIN - Blue Draft")
    script = parse_pdf(path)
    assert script.page_count == 3
    assert [s.heading for s in script.scenes] == [
        "INT. LABORATORY - NIGHT",
        "EXT. CASTLE - CONTINUOUS",
    ]
    assert [s.page for s in script.scenes] == [1, 2]
    lab = script.scenes[0].elements
    assert [e.kind for e in lab] == ["action", "dialogue", "action", "dialogue", "transition"]
    keller = lab[1]
    assert isinstance(keller, Dialogue)
    assert keller.parenthetical == "to himself"
    assert keller.text == "It moves. After all these years, it finally moves."
    assert isinstance(lab[4], Transition) and lab[4].text == "CUT TO:"
    castle = script.scenes[1].elements
    # Page 2 stops in its top half: read as a forced page break.
    assert [(e.kind, e.text) for e in castle][-3:] == [
        ("centered", "THE END"),
        ("page_break", ""),
        ("action", "A last, quiet page."),
    ]
    assert castle[-1].page == 3
    everything = [e.text for s in script.scenes for e in s.elements]
    assert not any("FRANKENSTEIN" in text or "- 2 -" in text for text in everything)
    assert {c.name: c.dialogue_count for c in script.characters} == {"IGOR": 2, "KELLER": 1}


# --- title pages (rules shared with Final Draft, screenplay.titlepage) ---------------------


def read_title_page(rows: list[tuple[int, str, str]]) -> Script:
    """A title page of ``(row, 'center'/'left'/'right', text)`` rows, then one script page
    (single-spaced, as script pages are: the line height is measured on them)."""
    buffer = io.BytesIO()
    document = canvas.Canvas(buffer, pagesize=letter)
    width, height = letter
    document.setFont("Courier", 12)
    for row, where, text in rows:
        y = height - 3.0 * INCH - row * 12
        if where == "center":
            document.drawCentredString(width / 2, y, text)
        elif where == "right":
            document.drawRightString(7.5 * INCH, y, text)
        else:
            document.drawString(1.5 * INCH, y, text)
    document.showPage()
    document.setFont("Courier", 12)
    document.drawString(1.5 * INCH, height - 1.0 * INCH, "INT. ROOM - DAY")
    for row, text in enumerate(["A quiet room. A clock ticks.", "Rain at the window.", "Nobody."]):
        document.drawString(1.5 * INCH, height - 1.0 * INCH - 24 - row * 12, text)
    document.showPage()
    document.save()
    return parse_bytes(buffer.getvalue(), name="title.pdf", format="pdf")


def centred(*blocks: str) -> list[tuple[int, str, str]]:
    """Centred rows: each block's lines one under another, a blank line between blocks."""
    rows: list[tuple[int, str, str]] = []
    row = 0
    for block in blocks:
        for line in block.split("\n"):
            rows.append((row, "center", line))
            row += 1
        row += 1
    return rows


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # Rules the Final Draft parser had and this one lacked, now shared.
        (
            centred("Big Fish\nwritten by\nJohn August\nbased on the novel\nby Daniel Wallace"),
            {
                "title": "Big Fish",
                "credit": "written by",
                "authors": ["John August"],
                "source": "based on the novel\nby Daniel Wallace",
            },
        ),
        (
            centred("EXTRANORMAL", '"Pilot"', "Teleplay by Ann Bell"),
            {
                "title": "EXTRANORMAL",
                "credit": "Teleplay by",
                "authors": ["Ann Bell"],
                "extra": {"episode": '"Pilot"'},
            },
        ),
        (
            centred("BIG FISH", "Created by", "Sam Lee"),
            {"credit": "Created by", "authors": ["Sam Lee"], "extra": {}},
        ),
        (
            centred("BRICK & STEEL", "FULL RETIRED", "Written by", "Stu Maschwitz"),
            {"title": "BRICK & STEEL\nFULL RETIRED", "authors": ["Stu Maschwitz"], "extra": {}},
        ),
        (
            centred("BIG FISH", "written by", "Jane Doe\n© 2012 Jane Doe"),
            {"authors": ["Jane Doe"], "extra": {"copyright": "© 2012 Jane Doe"}},
        ),
        (
            centred("BIG FISH", "Written by Jane Doe", "FINAL SHOOTING SCRIPT"),
            {"authors": ["Jane Doe"], "extra": {"notes": "FINAL SHOOTING SCRIPT"}},
        ),
        (
            centred("BIG FISH", "based on the novel by X", "Screenplay by", "Jane Doe"),
            {
                "source": "based on the novel by X",
                "credit": "Screenplay by",
                "authors": ["Jane Doe"],
            },
        ),
        (
            centred("BIG FISH", "written by", "Jane", "© 2012 Jane Doe\nAll rights reserved"),
            {"extra": {"copyright": "© 2012 Jane Doe\nAll rights reserved"}},
        ),
        (
            [
                *centred("BIG FISH", "written by", "Jane Doe"),
                (40, "right", "Revised Draft"),
                (41, "right", "Blue Pages"),
                (42, "right", "1/27/2012"),
            ],
            {"draft_date": "Revised Draft\nBlue Pages\n1/27/2012", "contact": None},
        ),
        (
            [
                *centred("BIG FISH", "written by", "Jane Doe"),
                (41, "left", "jane@example.com"),
                (42, "left", "Revised 1/2/2020"),
            ],
            {"draft_date": "jane@example.com\nRevised 1/2/2020", "contact": None},
        ),
    ],
)
def test_title_page_shared_rules(
    rows: list[tuple[int, str, str]], expected: dict[str, object]
) -> None:
    script = read_title_page(rows)
    assert script.page_count == 1
    page = script.title_page
    assert {key: getattr(page, key) for key in expected} == expected


def test_title_page_found_by_a_credit_with_its_author() -> None:
    """Mostly left-aligned, but ``Screenplay by Jane Doe`` makes the first page a title page."""
    rows = [
        (0, "center", "BIG FISH"),
        (2, "left", "Screenplay by Jane Doe"),
        (38, "left", "Next Level Productions"),
        (39, "left", "1588 Mission Dr."),
        (40, "left", "Solvang, CA 93463"),
    ]
    script = read_title_page(rows)
    assert script.page_count == 1
    assert script.title_page.title == "BIG FISH"
    assert [s.heading for s in script.scenes if s.heading] == ["INT. ROOM - DAY"]


# --- files that are not readable screenplay PDFs -------------------------------------------


def image_only_pdf() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    document = canvas.Canvas(buffer, pagesize=letter)
    for _ in range(2):
        document.rect(72, 72, 300, 400, fill=1)
        document.drawImage(ImageReader(Image.new("L", (40, 60), 128)), 100, 500, 80, 120)
        document.showPage()
    document.save()
    return buffer.getvalue()


def test_image_only_pdf_needs_ocr() -> None:
    with pytest.raises(NoTextLayerError) as caught:
        parse_bytes(image_only_pdf(), name="scan.pdf")
    message = str(caught.value)
    assert message.startswith("scan.pdf: ")
    assert "no text layer" in message and "OCR" in message


def test_blank_pages_have_no_text_layer() -> None:
    buffer = io.BytesIO()
    document = canvas.Canvas(buffer, pagesize=letter)
    document.showPage()
    document.save()
    with pytest.raises(NoTextLayerError):
        parse_bytes(buffer.getvalue(), name="blank.pdf")


def damaged_pdfs() -> list[tuple[str, bytes]]:
    real = BIG_FISH_PDF.read_bytes()
    rng = random.Random(20240601)
    return [
        ("first 500 bytes", real[:500]),
        ("first half", real[: len(real) // 2]),
        ("header then random bytes", b"%PDF-1.4\n" + rng.randbytes(4000)),
        ("header then more random bytes", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + rng.randbytes(60000)),
        ("header only", b"%PDF-1.5\n"),
        ("xref table without objects", b"%PDF-1.4\nxref\n0 1\n0000000000 65535 f \ntrailer\n"),
    ]


@pytest.mark.parametrize(("label", "data"), damaged_pdfs(), ids=[d[0] for d in damaged_pdfs()])
def test_damaged_pdf_is_a_parse_error(label: str, data: bytes) -> None:
    started = time.monotonic()
    with pytest.raises(ParseError) as caught:
        parse_bytes(data, name="broken.pdf")
    assert time.monotonic() - started < BAD_PDF_GUARD_S
    assert caught.value.path == "broken.pdf"
    if not isinstance(caught.value, EmptyScriptError | NoTextLayerError):
        assert "not a readable PDF" in caught.value.message


def test_only_page_furniture_is_empty() -> None:
    buffer = io.BytesIO()
    document = canvas.Canvas(buffer, pagesize=letter)
    document.drawRightString(7.5 * INCH, letter[1] - 0.5 * INCH, "1.")
    document.showPage()
    document.save()
    with pytest.raises(EmptyScriptError):
        parse_bytes(buffer.getvalue(), name="numbers.pdf")


def test_password_protected_pdf() -> None:
    buffer = io.BytesIO()
    document = canvas.Canvas(buffer, pagesize=letter, encrypt="secret")
    document.drawString(108, 700, "INT. VAULT - NIGHT")
    document.showPage()
    document.save()
    with pytest.raises(ParseError, match="password-protected"):
        parse_bytes(buffer.getvalue(), name="locked.pdf")


def test_too_many_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_module, "MAX_PAGES", 2)
    buffer = io.BytesIO()
    document = canvas.Canvas(buffer, pagesize=letter)
    for n in range(3):
        document.drawString(108, 700, f"Page {n} of action.")
        document.showPage()
    document.save()
    with pytest.raises(ParseError, match="3 pages"):
        parse_bytes(buffer.getvalue(), name="huge.pdf")
