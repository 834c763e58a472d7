"""The shot cache: rendered media stored under a key of everything that determines it.

Files are written to a temporary name in the cache folder and renamed into place, so a
run killed at any moment (even ``kill -9``) leaves only complete files, and the next run
renders only what is missing.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from previz.errors import CacheError
from render.base import RenderRequest

__all__ = ["IGNORED_SHOT_FIELDS", "ShotCache", "cache_key", "link_into"]

IGNORED_SHOT_FIELDS = frozenset(
    {"id", "notes", "transition", "covers", "source_line", "page", "dialogue"}
)
"""Shot fields that change nothing in a generated picture: its place in the plan's
numbering, notes, how it is cut to, which script lines it covers. A backend that draws
one of them (the sketch prints the shot id) lists the fields it ignores itself as
``cache_ignores``."""


def cache_key(
    backend: str,
    settings: dict[str, Any],
    request: RenderRequest,
    kind: str,
    ignored_fields: frozenset[str] = IGNORED_SHOT_FIELDS,
    *,
    extra: dict[str, Any] | None = None,
) -> str:
    """sha256 of the backend, its settings, the style, the frame size and the shot.

    A still ignores the shot's duration (holding it longer needs no new picture); a clip
    does not. ``extra`` is what else the backend says this one shot depends on (its
    reference images); without it the key is as it always was.
    """
    ignored = set(ignored_fields)
    if kind == "still":
        ignored.add("duration_s")
    subjects = set(request.shot.subjects)
    payload = {
        "backend": backend,
        "settings": settings,
        "style": request.style.model_dump(mode="json"),
        "size": [request.width, request.height],
        "fps": request.fps if kind == "clip" else None,
        "shot": request.shot.model_dump(mode="json", exclude=ignored),
        "characters": [c.model_dump(mode="json") for c in request.characters if c.name in subjects],
    }
    if extra:
        payload["extra"] = extra
    blob = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()


class ShotCache:
    """Content-addressed media files in ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str, suffix: str) -> Path:
        """Where the media for ``key`` lives (whether or not it exists yet)."""
        return self.root / key[:2] / f"{key}{suffix}"

    def get(self, key: str, suffix: str) -> Path | None:
        """The cached file for ``key``, or ``None``."""
        path = self.path(key, suffix)
        try:
            return path if path.stat().st_size > 0 else None
        except OSError:
            return None

    def put(self, key: str, suffix: str, write: Callable[[Path], None]) -> Path:
        """Run ``write(tmp)`` and move its file into the cache atomically.

        The temporary file has the final suffix, so writers that pick a format from the
        name (Pillow, ffmpeg) work. If ``write`` fails, nothing is left behind.
        """
        final = self.path(key, suffix)
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CacheError(f"cannot create the cache folder: {exc}", path=final.parent) from None
        tmp = final.with_name(f".{key}.{os.getpid()}.tmp{suffix}")
        try:
            write(tmp)
            if not tmp.exists() or tmp.stat().st_size == 0:
                raise CacheError("the backend wrote no file", path=tmp)
            os.replace(tmp, final)
        finally:
            tmp.unlink(missing_ok=True)
        return final


def link_into(source: Path, dest: Path) -> None:
    """Make ``dest`` the same file as ``source`` (hard link, else copy), atomically."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        try:
            os.link(source, tmp)
        except OSError:
            shutil.copyfile(source, tmp)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
