"""``Deliverables``: what a run produced, written as ``manifest.json``."""

from __future__ import annotations

import hashlib
import platform
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from previz import __version__

__all__ = ["Deliverable", "Deliverables", "file_sha256", "library_versions"]


class Deliverable(BaseModel):
    """One output file."""

    model_config = ConfigDict(extra="forbid")

    path: str
    """Relative to the output folder."""
    sha256: str
    bytes: int


class Deliverables(BaseModel):
    """The manifest of a run: versions, inputs, settings, timings and output files."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal["Deliverables.1"] = "Deliverables.1"
    previz_version: str = __version__
    python: str = Field(default_factory=platform.python_version)
    libraries: dict[str, str] = Field(default_factory=dict)
    source: dict[str, Any] = Field(default_factory=dict)
    """The script: name, format, sha256."""
    config: dict[str, Any] = Field(default_factory=dict)
    scenes: int = 0
    shots: int = 0
    runtime_s: float = 0.0
    stages: dict[str, float] = Field(default_factory=dict)
    """Wall seconds per stage: parse, plan, render, animatic, storyboard, ..."""
    rendered: int = 0
    """Shots rendered in this run (the others came from the cache)."""
    files: dict[str, Deliverable] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)

    def add_file(self, key: str, path: Path, root: Path) -> None:
        """Record ``path`` (under ``root``) as the deliverable ``key``."""
        self.files[key] = Deliverable(
            path=path.relative_to(root).as_posix(),
            sha256=file_sha256(path),
            bytes=path.stat().st_size,
        )


def file_sha256(path: Path) -> str:
    """sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def library_versions(
    names: tuple[str, ...] = ("pydantic", "pillow", "reportlab"),
) -> dict[str, str]:
    """Installed versions of the libraries that shape the output."""
    from importlib.metadata import PackageNotFoundError, version

    found: dict[str, str] = {}
    for name in names:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found
