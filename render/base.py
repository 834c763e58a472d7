"""The render backend interface and the registry of backends.

A backend turns one shot (plus its style and the character bible) into a still image or a
video clip written to a path it is given. It knows nothing of caching, resuming or
assembly; the render stage (:mod:`render.stage`) and the cache (:mod:`render.cache`) do.
Backends register by name and are imported lazily, so torch and diffusers load only when
a diffusion backend is chosen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol

from previz.registry import Registry
from render.model import MediaKind
from shots.model import CharacterRef, Shot, Style

__all__ = ["BACKENDS", "RenderBackend", "RenderRequest"]


@dataclass(frozen=True, slots=True)
class RenderRequest:
    """Everything a backend may use to render one shot."""

    shot: Shot
    style: Style
    width: int
    height: int
    characters: tuple[CharacterRef, ...] = field(default_factory=tuple)
    """The plan's character bible (fixed descriptions, seeds, colours by name)."""
    fps: int = 24


class RenderBackend(Protocol):
    """Renders shots to media files."""

    name: ClassVar[str]
    kind: ClassVar[MediaKind]
    """``still`` (one image per shot) or ``clip`` (a video per shot)."""
    suffix: ClassVar[str]
    """File suffix of what :meth:`render` writes: ``.png``, ``.mp4``."""

    def settings(self) -> dict[str, Any]:
        """What, besides the shot, determines the output (model id, steps, version).

        Part of the cache key: change it and every shot renders again.
        """
        ...

    def render(self, request: RenderRequest, dest: Path) -> None:
        """Render ``request.shot`` into the file ``dest`` (its suffix is :attr:`suffix`)."""
        ...


BACKENDS: Registry[type[RenderBackend]] = Registry("render backend")
BACKENDS.register_lazy("sketch", "render.sketch:SketchBackend")
BACKENDS.register_lazy("diffusers-image", "render.diffusers_image:DiffusersImageBackend")
BACKENDS.register_lazy("diffusers-video", "render.diffusers_video:DiffusersVideoBackend")
