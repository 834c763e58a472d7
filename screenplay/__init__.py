"""Screenplay parsing: Fountain, Final Draft (.fdx) and PDF into one script model."""

from screenplay.base import PARSERS, detect_format, parse_bytes, parse_file
from screenplay.model import (
    Action,
    Centered,
    Character,
    Dialogue,
    Element,
    Location,
    Lyrics,
    Note,
    PageBreak,
    Scene,
    Script,
    Section,
    ShotDirection,
    Synopsis,
    TitlePage,
    Transition,
)

__all__ = [
    "PARSERS",
    "Action",
    "Centered",
    "Character",
    "Dialogue",
    "Element",
    "Location",
    "Lyrics",
    "Note",
    "PageBreak",
    "Scene",
    "Script",
    "Section",
    "ShotDirection",
    "Synopsis",
    "TitlePage",
    "Transition",
    "detect_format",
    "parse_bytes",
    "parse_file",
]
