"""What the render stage hands the assembler: one rendered still or clip per shot."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from previz.errors import RenderError
from previz.versioned import load_versioned

__all__ = ["RENDER_SET_SCHEMA", "MediaKind", "RenderSet", "ShotRender", "load_render_set"]

RENDER_SET_SCHEMA = "RenderSet.1"
MediaKind = Literal["still", "clip"]


class ShotRender(BaseModel):
    """A shot's rendered media."""

    model_config = ConfigDict(extra="forbid")

    shot_id: str
    kind: MediaKind
    path: str
    """Relative to the render set's folder (the run's output folder), POSIX separators."""
    width: int
    height: int
    backend: str
    cache_key: str
    seed: int = 0
    duration_s: float | None = None
    """A clip's own length; ``None`` for stills."""
    fps: float | None = None
    seconds: float = 0.0
    """Time spent rendering it (0 when it came from the cache)."""
    cached: bool = False


class RenderSet(BaseModel):
    """Every shot of a plan, rendered by one backend at one size."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal["RenderSet.1"] = RENDER_SET_SCHEMA
    plan_sha256: str
    backend: str
    backend_settings: dict[str, Any] = Field(default_factory=dict)
    width: int
    height: int
    renders: list[ShotRender] = Field(default_factory=list)

    def for_shot(self, shot_id: str) -> ShotRender:
        """The render of ``shot_id``."""
        for render in self.renders:
            if render.shot_id == shot_id:
                return render
        raise KeyError(shot_id)

    def media_path(self, root: Path, shot_id: str) -> Path:
        """Absolute path of ``shot_id``'s media under ``root`` (the output folder)."""
        return root / self.for_shot(shot_id).path


def load_render_set(path: str | Path) -> RenderSet:
    """Load ``renders.json``; errors name the JSON path."""
    return load_versioned(path, RenderSet, RENDER_SET_SCHEMA, RenderError, "render set")
