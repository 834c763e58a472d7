"""The shared title-page rules that the Final Draft and PDF parsers both read title pages by."""

from __future__ import annotations

import pytest

from screenplay.build import split_title_keys
from screenplay.model import TitlePage
from screenplay.titlepage import (
    CREDIT_WITH_AUTHOR_RE,
    SOURCE_RE,
    Alignment,
    TitleBlock,
    is_credit_line,
    read_title_blocks,
)

Block = str | tuple[Alignment, str]
"""A centred block as text (lines separated by ``\\n``), or ``(alignment, text)``."""


def blocks(*specs: Block) -> list[TitleBlock]:
    result: list[TitleBlock] = []
    for spec in specs:
        alignment, text = ("center", spec) if isinstance(spec, str) else spec
        result.append(TitleBlock(tuple(text.split("\n")), alignment))
    return result


def read(*specs: Block) -> TitlePage:
    return split_title_keys(read_title_blocks(blocks(*specs)))


# --- credits ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "by",
        "BY",
        "by:",
        "written by",
        "Written By",
        "Screenplay by",
        "Screenplay by:",
        "Teleplay by",
        "Story by",
        "Script by",
        "created by",
        "Adapted by",
        "Written and Directed by",
        "Written & Directed by",
        "An Original Screenplay by",
        "A Screenplay by",
        "original screenplay by",
        "written for the screen by",
    ],
)
def test_credit_lines(line: str) -> None:
    assert is_credit_line(line)
    page = read("BIG FISH", line, "Jane Doe")
    assert (page.title, page.credit, page.authors) == ("BIG FISH", line, ["Jane Doe"])


@pytest.mark.parametrize(
    "line",
    ["Bystander", "Written", "Screenplay", "Standing by", "Goodbye", "Directed by", "Jane Doe"],
)
def test_not_credit_lines(line: str) -> None:
    assert not is_credit_line(line)


@pytest.mark.parametrize(
    ("line", "credit", "author"),
    [
        ("Written by Jane Doe", "Written by", "Jane Doe"),
        ("Screenplay by: Jo Roe", "Screenplay by", "Jo Roe"),
        ("Teleplay by Ann Bell", "Teleplay by", "Ann Bell"),
        ("Created by Sam Lee", "Created by", "Sam Lee"),
        ("written and directed by Jo Roe", "written and directed by", "Jo Roe"),
        ("by Jane Doe", "by", "Jane Doe"),
    ],
)
def test_credit_and_author_on_one_line(line: str, credit: str, author: str) -> None:
    match = CREDIT_WITH_AUTHOR_RE.match(line)
    assert match is not None and (match["credit"], match["author"]) == (credit, author)
    page = read("BIG FISH", line)
    assert (page.title, page.credit, page.authors) == ("BIG FISH", credit, [author])


def test_credit_and_author_in_the_title_block() -> None:
    page = read("Fish\nWritten by Jo Doe")
    assert (page.title, page.credit, page.authors) == ("Fish", "Written by", ["Jo Doe"])


def test_bare_by_in_the_title_block_is_title() -> None:
    """``STAND`` / ``BY ME`` is one title; a bare ``by`` credit starts a block of its own."""
    assert read("STAND\nBY ME").title == "STAND\nBY ME"
    assert read("STAND\nBY ME").credit is None


def test_bare_by_after_a_credit_or_source_is_no_credit() -> None:
    page = read("BIG FISH", "written by", "John August", "by Daniel Wallace")
    assert (page.credit, page.authors) == ("written by", ["John August"])
    assert page.extra == {"notes": "by Daniel Wallace"}
    page = read("BIG FISH", "based on the novel", "by Daniel Wallace")
    assert (page.credit, page.source) == (None, "based on the novel")
    assert page.extra == {"notes": "by Daniel Wallace"}


def test_second_named_credit_joins_the_first() -> None:
    page = read("BIG FISH", "Written by Jane Doe", "Teleplay by Ann Bell")
    assert (page.credit, page.authors) == ("Written by\nTeleplay by", ["Jane Doe", "Ann Bell"])


def test_authors_run_to_the_end_of_the_next_block() -> None:
    page = read("BIG FISH", "Screenplay by", "Stu Maschwitz and KTM\nJohn Roe", "FINAL DRAFT")
    assert page.authors == ["Stu Maschwitz", "KTM", "John Roe"]
    assert page.extra == {"notes": "FINAL DRAFT"}


def test_author_joiners_are_dropped() -> None:
    assert read("BIG FISH", "written by", "Jane Doe\n&\nJohn Roe").authors == [
        "Jane Doe",
        "John Roe",
    ]
    assert read("BIG FISH", "written by\nJane Doe\nand\nJohn Roe").authors == [
        "Jane Doe",
        "John Roe",
    ]


def test_one_line_credit_ends_the_authors() -> None:
    page = read("BIG FISH", "Written by Jane Doe", "FINAL SHOOTING SCRIPT")
    assert page.authors == ["Jane Doe"]
    assert page.extra == {"notes": "FINAL SHOOTING SCRIPT"}


def test_credit_before_the_title() -> None:
    page = read("written by", "Jane Doe", "BIG FISH")
    assert (page.title, page.credit, page.authors) == ("BIG FISH", "written by", ["Jane Doe"])


# --- titles and episodes ----------------------------------------------------------------


@pytest.mark.parametrize(
    "title", ["Based on a True Story", "From the Earth to the Moon", "Copyright Infringement"]
)
def test_first_centred_line_is_the_title(title: str) -> None:
    page = read(title, "written by", "Jane Doe")
    assert (page.title, page.source, page.extra) == (title, None, {})


def test_title_over_several_blocks() -> None:
    assert read("BRICK & STEEL", "FULL RETIRED", "Written by", "Stu").title == (
        "BRICK & STEEL\nFULL RETIRED"
    )


def test_no_title_after_a_source() -> None:
    page = read("BIG FISH", "based on the novel", "FIRST DRAFT")
    assert (page.title, page.source) == ("BIG FISH", "based on the novel")
    assert page.extra == {"notes": "FIRST DRAFT"}


@pytest.mark.parametrize("episode", ['"Pilot"', "“Pilot”", "'Pilot'", "‘The One Where’"])
def test_episode_title_in_quotes(episode: str) -> None:
    page = read("EXTRANORMAL", episode, "Written by", "Aaron Brownstein\nSimon Ganz")
    assert page.title == "EXTRANORMAL"
    assert page.extra == {"episode": episode}
    assert page.authors == ["Aaron Brownstein", "Simon Ganz"]


def test_quoted_line_after_the_credit_is_notes() -> None:
    page = read("Big Fish", "written by", "John August", "“Pilot”")
    assert page.extra == {"notes": "“Pilot”"}


# --- sources ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "based on the novel by Daniel Wallace",
        "Based upon the book",
        "Based on a true story",
        "script based on...",
        "adapted from the play",
        "Inspired by true events",
        "suggested by a story by X",
        "from the short story by X",
        "From the novel",
        "Story by KTM",
    ],
)
def test_source_lines(line: str) -> None:
    assert SOURCE_RE.search(line)
    page = read("BIG FISH", "written by", "John August", line)
    assert (page.authors, page.source) == (["John August"], line)


def test_source_runs_to_the_end_of_its_block() -> None:
    page = read("Big Fish\nwritten by\nJohn August\nbased on the novel\nby Daniel Wallace")
    assert page.title == "Big Fish"
    assert (page.credit, page.authors) == ("written by", ["John August"])
    assert page.source == "based on the novel\nby Daniel Wallace"
    page = read("BIG FISH", "written by", "John August", "based on the novel\nby\nDaniel Wallace")
    assert page.source == "based on the novel\nby\nDaniel Wallace"
    assert page.credit == "written by"


def test_story_by_alone_is_a_credit() -> None:
    page = read("BIG FISH", "Story by", "KTM")
    assert (page.credit, page.authors, page.source) == ("Story by", ["KTM"], None)


def test_source_wins_over_a_credit_on_the_same_line() -> None:
    page = read("BIG FISH", "Written by Jane Doe, based on her novel")
    assert (page.credit, page.source) == (None, "Written by Jane Doe, based on her novel")


def test_named_credit_after_a_source() -> None:
    page = read("BIG FISH", "based on the novel by X", "Screenplay by", "Jane Doe")
    assert page.source == "based on the novel by X"
    assert (page.credit, page.authors) == ("Screenplay by", ["Jane Doe"])
    page = read("BIG FISH", "based on the novel by X\nScreenplay by Jane Doe")
    assert (page.credit, page.authors) == ("Screenplay by", ["Jane Doe"])


# --- copyright, dates and contact blocks -------------------------------------------------


@pytest.mark.parametrize("line", ["© 2012 Stu Maschwitz", "(c) 2003 Columbia", "Copyright 1998"])
def test_copyright(line: str) -> None:
    assert read("BIG FISH", ("left", line)).extra == {"copyright": line}
    assert read("BIG FISH", ("right", line)).extra == {"copyright": line}
    page = read("BIG FISH", "written by", "Jane Doe", f"{line}\nAll rights reserved")
    assert page.extra == {"copyright": f"{line}\nAll rights reserved"}


def test_copyright_in_an_author_block() -> None:
    page = read("BIG FISH", "written by", "Jane Doe\n© 2012 Jane Doe")
    assert page.authors == ["Jane Doe"]
    assert page.extra == {"copyright": "© 2012 Jane Doe"}


@pytest.mark.parametrize(
    "text",
    [
        "September 9, 2022",
        "Sept. 9th, 2022",
        "1/27/2012",
        "27.01.12",
        "2012-01-27",
        "2012",
        "Revised Draft\n1/27/2012",
        "Final Draft",
        "Revisions",
        "Revised Draft\nBlue Pages\n1/27/2012",
        "jane@example.com\nRevised 1/2/2020",
        # In short blocks with no e-mail address, a year or a month is enough.
        "September 2022",
        "Spring 2012",
        "Mar 3",
        "Drafted 2/3",
    ],
)
def test_draft_dates(text: str) -> None:
    assert read("BIG FISH", ("right", text)).draft_date == text


@pytest.mark.parametrize(
    "text",
    [
        "Next Level Productions\n1588 Mission Dr.\nSolvang, CA 93463",
        "PO Box 10031\nSan Rafael CA 94912\nRegistered WGAw No. 701428",
        "Katz/Brooks - CAA\nPerlin/Kanter - Iconoclast/Anonymous Content",
        "jane@example.com\n(555) 555-0100",
        "jane@example.com\nSpring 2012",
        "Jane Doe\nSpring 2012\n555-0100",
    ],
)
def test_contact_blocks(text: str) -> None:
    assert read("BIG FISH", ("left", text)).contact == text


def test_corner_blocks_keep_their_order() -> None:
    page = read(
        ("left", "Next Level Productions"),
        "BIG FISH",
        ("right", "Revised Draft"),
        ("right", "1/27/2012"),
        ("left", "© 2012 Stu"),
        ("left", "Solvang, CA"),
    )
    assert page.title == "BIG FISH"
    assert page.contact == "Next Level Productions\nSolvang, CA"
    assert page.draft_date == "Revised Draft\n1/27/2012"
    assert page.extra == {"copyright": "© 2012 Stu"}


# --- a whole page ---------------------------------------------------------------------------


def test_pairs_in_reading_order() -> None:
    pairs = read_title_blocks(
        blocks(
            "BRICK & STEEL\nFULL RETIRED",
            "Screenplay by",
            "Stu Maschwitz and KTM",
            "Based on a true story",
            "FINAL SHOOTING SCRIPT",
            ("left", "Next Level Productions\n1588 Mission Dr."),
            ("right", "Revised Draft\n1/27/2012"),
            ("left", "© 2012 Stu Maschwitz"),
        )
    )
    assert pairs == [
        ("title", "BRICK & STEEL"),
        ("title", "FULL RETIRED"),
        ("credit", "Screenplay by"),
        ("author", "Stu Maschwitz and KTM"),
        ("source", "Based on a true story"),
        ("notes", "FINAL SHOOTING SCRIPT"),
        ("contact", "Next Level Productions\n1588 Mission Dr."),
        ("draft date", "Revised Draft\n1/27/2012"),
        ("copyright", "© 2012 Stu Maschwitz"),
    ]


def test_empty_page() -> None:
    assert read_title_blocks([]) == []
    assert read() == TitlePage()


@pytest.mark.parametrize(
    ("block", "key"),
    [
        ("CAA\n2000 Avenue of the Stars", "contact"),
        ("May 2012", "draft date"),
        ("Spring 2012", "draft date"),
        ("Blue Revision", "draft date"),
    ],
)
def test_a_street_number_is_not_a_year(block: str, key: str) -> None:
    pairs = read_title_blocks(blocks("TITLE", ("left", block)))
    assert pairs[-1] == (key, block)
