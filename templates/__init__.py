"""Data files previz ships: style presets, prompt templates, PDF and HTML templates."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent
"""The folder holding the templates (installed as package data)."""


def path(*parts: str) -> Path:
    """The path of a bundled template file or folder, e.g. ``path("styles")``."""
    return ROOT.joinpath(*parts)
