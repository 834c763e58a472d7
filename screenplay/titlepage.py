"""Printed title pages: the layout rules that turn a title page's text into keyed values.

This module's one job is to read a title page that a format gives only as printed text
(Final Draft's ``<TitlePage>``, the first page of a PDF) and say what each part is: title,
credit, authors, source, episode, notes, copyright, contact or draft date. Each parser
extracts its :class:`TitleBlock` list from its own format and calls
:func:`read_title_blocks`; :func:`screenplay.build.split_title_keys` turns the pairs into a
:class:`~screenplay.model.TitlePage`.

The layout read is the usual one. Centred, top to bottom: the title, a credit (``written
by``), the authors, a source (``based on ...``); a quoted line under a TV title is the
episode, other centred text after the credit is kept as notes. Bottom left and right:
contact details, the draft date, a copyright line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "COPYRIGHT_RE",
    "CREDIT_RE",
    "CREDIT_WITH_AUTHOR_RE",
    "DATE_RE",
    "LOOSE_DATE_RE",
    "QUOTED_RE",
    "SOURCE_RE",
    "Alignment",
    "TitleBlock",
    "is_credit_line",
    "read_title_blocks",
]

Alignment = Literal["center", "left", "right"]

CREDIT_RE = re.compile(
    r"^(?:(?:(?:an?\s+)?(?:original\s+)?"
    r"(?:written|screenplay|teleplay|story|script|created|adapted)"
    r"(?:\s+(?:and|&)\s+directed)?\s+)?by|written\s+for\s+the\s+screen\s+by):?$",
    re.IGNORECASE,
)
"""A credit line on its own: ``written by``, ``Screenplay by``, ``An Original Screenplay by``,
``by``."""
BARE_BY_RE = re.compile(r"^by:?$", re.IGNORECASE)
"""The bare credit ``by``: under a source line it continues the source, not a credit."""
CREDIT_WITH_AUTHOR_RE = re.compile(
    r"^(?P<credit>(?:(?P<role>written|screenplay|teleplay|story|script|created)"
    r"(?:\s+and\s+directed)?\s+)?by):?\s+(?P<author>\S.*)$",
    re.IGNORECASE | re.DOTALL,
)
"""A credit and its author on one line: ``Written by Jane Doe``, ``by Jane Doe``; ``role``
is empty for a bare ``by``."""
SOURCE_RE = re.compile(
    r"^(?:story\s+by|from\s+the)\b|\b(?:based\s+(?:on|upon)|adapted\s+from|inspired\s+by"
    r"|suggested\s+by)\b",
    re.IGNORECASE,
)
"""A source line: ``based on the novel by ...``, ``Story by KTM``, ``from the play``."""
COPYRIGHT_RE = re.compile(r"^(?:©|\(c\)|copyright\b)", re.IGNORECASE)
"""A copyright line: ``© 2012 Stu Maschwitz``, ``(c) 2003``, ``Copyright 1998``."""
DATE_RE = re.compile(
    r"\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\s+\d{1,2}(?:st|nd|rd|th)?"
    r",?\s+\d{4}\b"
    r"|\b\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}\b"
    r"|\b\d{4}-\d{2}-\d{2}\b"
    r"|^\s*(?:19|20)\d{2}\s*$"
    r"|\b(?:draft|revised|revision|revisions)\b",
    re.IGNORECASE | re.MULTILINE,
)
"""A draft date or draft label: ``September 9, 2022``, ``1/27/2012``, ``Final Draft``."""
LOOSE_DATE_RE = re.compile(
    r"\b(?:\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}|(?:19|20)\d{2}(?!\s*[A-Za-z])|draft|revision|revised"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d)",
    re.IGNORECASE,
)
"""A hint of a date (a year, ``Mar 3``): enough in a short block with no e-mail address.

A year followed by a word is a street number (``2000 Avenue of the Stars``), not a date."""
LOOSE_DATE_MAX_LINES = 2
QUOTED_RE = re.compile(r"^[\"“'‘].*[\"”'’]$", re.DOTALL)
"""A quoted centred line under a TV title is the episode title: ``"Pilot"``."""
AUTHOR_JOINERS = frozenset({"&", "and"})
"""Lines between authors that are no author: ``Jane Doe`` / ``&`` / ``John Roe``."""


@dataclass(frozen=True, slots=True)
class TitleBlock:
    """Title-page lines printed together (no blank line between them), with one alignment."""

    lines: tuple[str, ...]
    alignment: Alignment


def is_credit_line(line: str) -> bool:
    """Whether ``line`` is a credit, alone (``written by``) or with its author."""
    return bool(CREDIT_RE.match(line) or CREDIT_WITH_AUTHOR_RE.match(line))


def read_title_blocks(blocks: Iterable[TitleBlock]) -> list[tuple[str, str]]:
    """Key every part of a printed title page.

    Args:
        blocks: the page's blocks in the order their values are to be joined: centred
            blocks top to bottom; left and right blocks anywhere among them.

    Returns:
        ``(key, value)`` pairs for :func:`screenplay.build.split_title_keys`; a key that
        recurs (a title on two lines) is joined there.
    """
    pairs: list[tuple[str, str]] = []
    reader = _CentredReader()
    for block in blocks:
        if block.alignment == "center":
            pairs.extend(reader.block(block.lines))
        else:
            text = "\n".join(block.lines)
            pairs.append((_corner_key(block.lines, text), text))
    return pairs


def _corner_key(lines: tuple[str, ...], text: str) -> str:
    """``copyright``, ``draft date`` or ``contact`` for a left or right block."""
    if COPYRIGHT_RE.match(text):
        return "copyright"
    if DATE_RE.search(text) or (
        len(lines) <= LOOSE_DATE_MAX_LINES
        and "@" not in text
        and LOOSE_DATE_RE.search(text) is not None
    ):
        return "draft date"
    return "contact"


@dataclass(slots=True)
class _CentredReader:
    """Keys for centred lines, block by block, in reading order."""

    have_title: bool = False
    have_credit: bool = False
    have_source: bool = False
    past_title: bool = False
    """Whether anything but the title and the episode has been read: no more title after it."""
    expect_author: bool = False
    """After a credit line: the following lines, to the end of the next block, are authors."""

    def block(self, lines: Iterable[str]) -> list[tuple[str, str]]:
        """The pairs for one centred block."""
        pairs: list[tuple[str, str]] = []
        current: str | None = None  # the key the previous line of this block took
        for line in lines:
            current = self._line(line, current, pairs)
        if any(key == "author" for key, _ in pairs):
            self.expect_author = False
        return pairs

    def _line(self, line: str, current: str | None, pairs: list[tuple[str, str]]) -> str | None:
        """Add the pairs for ``line`` to ``pairs``; return the key the next line continues."""
        credit_and_author = CREDIT_WITH_AUTHOR_RE.match(line)
        continued = current if current in ("source", "copyright") else None
        if CREDIT_RE.match(line) and not (continued and BARE_BY_RE.match(line)):
            self.have_credit = self.expect_author = self.past_title = True
            pairs.append(("credit", line))
            return None
        if not (self.have_title or self.expect_author):
            key = "title"  # the first centred line is the title, whatever it says
        elif SOURCE_RE.search(line):
            key = "source"
            self.have_source = True
        elif COPYRIGHT_RE.match(line):
            key = "copyright"
        elif credit_and_author is not None and (
            credit_and_author.group("role")
            or not (continued or self.have_credit or self.have_source or current == "title")
        ):
            self.have_credit = self.past_title = True
            pairs.append(("credit", credit_and_author.group("credit")))
            pairs.append(("author", credit_and_author.group("author")))
            return "author"
        elif continued is not None:
            key = continued  # "based on the novel" / "by Daniel Wallace": one source
        elif self.expect_author:
            key = "author"
        elif current is None and not self.have_title:
            key = "title"  # a title printed under its credit and authors
        elif current is None and not self.past_title:
            key = "episode" if QUOTED_RE.match(line) else "title"
        else:
            key = current or "notes"
        self.have_title = self.have_title or key == "title"
        self.past_title = self.past_title or key not in ("title", "episode")
        if not (key == "author" and line.strip() in AUTHOR_JOINERS):
            pairs.append((key, line))
        return key
