"""Shared fixtures: the corpus folder and a tiny script built in code."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

DATA = Path(__file__).parent / "data"
"""Sample screenplays copied from ../shared/scripts (see data/SOURCES.md for attribution)."""

settings.register_profile("ci", max_examples=150, deadline=None, print_blob=True)
settings.register_profile("dev", max_examples=60, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

TINY_FOUNTAIN = """\
Title: The Lighthouse
Author: Test Writer

EXT. LIGHTHOUSE - NIGHT

Rain lashes the rocks. MARGOT VANCE (40s, oilskin coat, tired eyes) climbs the stairs.

MARGOT
Is anyone there?

TOMAS (O.S.)
Up here!

CUT TO:

INT. LAMP ROOM - CONTINUOUS

TOMAS (70s, white beard) polishes the great lens.

TOMAS
You came.

MARGOT
(breathless)
I always do.
"""


@pytest.fixture
def tiny_fountain() -> str:
    """A two-scene script with a character introduction, O.S. and a parenthetical."""
    return TINY_FOUNTAIN
