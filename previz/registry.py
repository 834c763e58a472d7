"""Plug-ins registered by name and file suffix, looked up lazily (as OTIO's adapters are)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")

__all__ = ["Registry"]


class Registry(Generic[T]):
    """A name -> factory map with optional file suffixes.

    Entries register either an object directly (``@REG.register("name")`` on a class) or a
    lazy loader (``REG.register_lazy("name", "module:attr")``) so importing the registry never
    imports heavy dependencies.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, T | str] = {}
        self._suffixes: dict[str, str] = {}

    def register(self, name: str, *, suffixes: Iterable[str] = ()) -> Callable[[T], T]:
        """Decorator registering ``obj`` under ``name`` (and the given file suffixes)."""

        def decorate(obj: T) -> T:
            self._add(name, obj, suffixes)
            return obj

        return decorate

    def register_lazy(self, name: str, target: str, *, suffixes: Iterable[str] = ()) -> None:
        """Register ``module:attribute`` under ``name``; it is imported on first use."""
        self._add(name, target, suffixes)

    def _add(self, name: str, obj: T | str, suffixes: Iterable[str]) -> None:
        self._entries[name] = obj
        for suffix in suffixes:
            self._suffixes[suffix.lower().lstrip(".")] = name

    def names(self) -> list[str]:
        """The registered names, in registration order."""
        return list(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def get(self, name: str) -> T:
        """The entry registered as ``name``; ``KeyError`` lists what is available."""
        try:
            entry = self._entries[name]
        except KeyError:
            available = ", ".join(self._entries) or "none"
            raise KeyError(f"no {self.kind} named {name!r}; available: {available}") from None
        if isinstance(entry, str):
            module_name, _, attr = entry.partition(":")
            module = __import__(module_name, fromlist=[attr])
            entry = getattr(module, attr)
            self._entries[name] = entry
        return entry  # type: ignore[return-value]

    def name_for_path(self, path: str | Path) -> str | None:
        """The name registered for ``path``'s suffix, or ``None``."""
        suffix = Path(path).suffix.lower().lstrip(".")
        return self._suffixes.get(suffix)
