"""The previz exception hierarchy.

Every error previz raises on purpose derives from :class:`PrevizError`. Its ``str()``
reads ``file:line: message`` (or ``file:page N: message`` for PDFs) so a user sees at
once which file and where. Errors from lower libraries are translated where they enter.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "AssemblyError",
    "BackendUnavailableError",
    "CacheError",
    "EmptyScriptError",
    "HostileInputError",
    "InputTooLargeError",
    "MissingExtraError",
    "NoTextLayerError",
    "ParseError",
    "PlanError",
    "PlannerOutputError",
    "PrevizError",
    "RenderError",
    "SchemaVersionError",
    "ScriptError",
    "UnsupportedFormatError",
]


class PrevizError(Exception):
    """Base class of every error previz raises on purpose."""

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
        page: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.column = column
        self.page = page

    @property
    def location(self) -> str:
        """``file:line:col`` or ``file:page N``, as much of it as is known."""
        parts: list[str] = []
        if self.path:
            parts.append(self.path)
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        elif self.page is not None:
            parts.append(f"page {self.page}")
        return ":".join(parts)

    def __str__(self) -> str:
        where = self.location
        return f"{where}: {self.message}" if where else self.message


class MissingExtraError(PrevizError):
    """An optional extra (``previz[web]``, ``previz[diffusion]``...) is not installed."""


class ScriptError(PrevizError):
    """A screenplay could not be read."""


class ParseError(ScriptError):
    """A screenplay's content is malformed for its format."""


class EmptyScriptError(ParseError):
    """The file holds no screenplay text at all."""


class HostileInputError(ParseError):
    """The file uses constructs previz refuses for safety (DTDs, entities, external references)."""


class InputTooLargeError(ScriptError):
    """The file is larger than any screenplay previz accepts."""


class NoTextLayerError(ParseError):
    """A PDF has no extractable text (a scan or an image): it needs OCR first."""


class UnsupportedFormatError(ScriptError):
    """No parser recognises the file; the message lists the formats available."""


class PlanError(PrevizError):
    """A shot plan could not be made or loaded."""


class PlannerOutputError(PlanError):
    """A planner (such as an LLM) answered something that is not a valid shot plan."""


class RenderError(PrevizError):
    """A shot could not be rendered."""


class BackendUnavailableError(RenderError):
    """A render backend is unknown or its dependencies are not installed."""


class CacheError(RenderError):
    """The shot cache could not be read or written."""


class AssemblyError(PrevizError):
    """A deliverable (animatic, PDF, timeline) could not be assembled."""


class SchemaVersionError(PrevizError):
    """A JSON file was written by an unknown or newer version of a previz model."""
