"""Small in-process caches for what every page view would otherwise parse again.

A plan version never changes once stored (an edit or a restore is a new version), and a
render set on disk is identified by its path, size and modification time, so both can be
kept parsed between requests; page parts rendered from them are kept by a key naming all
they show. The cached objects are shared: callers treat them as
read-only (pydantic's ``model_copy(update=...)`` makes a changed copy without touching
them).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, Generic, TypeVar

from render.model import RenderSet, load_render_set

__all__ = ["Memo", "fragments", "render_set"]

V = TypeVar("V")


class Memo(Generic[V]):
    """A thread-safe least-recently-used map of at most ``size`` parsed values."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        """The value for ``key``, made (outside the lock) and kept when missing."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_RENDER_SETS: Memo[RenderSet] = Memo(64)
_FRAGMENTS: Memo[Any] = Memo(64)


def render_set(path: Path) -> RenderSet:
    """``renders.json`` at ``path``, parsed once per version of the file on disk.

    Raises:
        OSError: the file is missing.
        RenderError: it is not a valid render set.
    """
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size, stat.st_ino)
    return _RENDER_SETS.get(key, lambda: load_render_set(path))


def fragments(key: Hashable, render: Callable[[], V]) -> V:
    """Rendered page parts for ``key``, which must name everything they show."""
    return _FRAGMENTS.get(key, render)
