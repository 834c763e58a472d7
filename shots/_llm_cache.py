"""The LLM planner's response cache on disk: one JSON file per scene request.

The key is a sha256 of everything that decides the answer (endpoint, model, method, request
messages, answer schema), so a killed run picks up where it stopped and a re-run costs no
tokens. Entries are written through a temporary file and a rename; an unreadable entry is
logged and treated as missing, and a failed write is logged and otherwise ignored.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from shots._llm_schema import scene_schema

__all__ = ["ResponseCache", "cache_key", "default_cache_dir"]

logger = logging.getLogger("shots.llm")
"""The planner's logger, so that one name covers all of its warnings."""


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/previz/llm``, else ``~/.cache/previz/llm``."""
    cache_home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache_home / "previz" / "llm"


def cache_key(base_url: str, model: str, method: str, messages: list[dict[str, str]]) -> str:
    """sha256 of everything that decides the answer: endpoint, model, request, schema."""
    material = {
        "base_url": base_url,
        "model": model,
        "method": method,
        "messages": messages,
        "schema": scene_schema(),
    }
    blob = json.dumps(material, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


class ResponseCache:
    """One JSON file per scene request, written through a temporary file and a rename."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        """Where the entry for ``key`` lives."""
        return self.root / f"{key}.json"

    def read(self, key: str) -> dict[str, Any] | None:
        """The entry for ``key``; ``None`` when there is none or it cannot be read."""
        try:
            data = json.loads(self.path(key).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            logger.warning("ignoring unreadable LLM cache entry %s: %s", self.path(key), exc)
            return None
        return data if isinstance(data, dict) else None

    def write(self, key: str, entry: dict[str, Any]) -> None:
        """Store ``entry`` under ``key`` atomically; a failure is logged, not raised."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{key[:16]}.", suffix=".tmp", dir=self.root)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    json.dump(entry, handle, ensure_ascii=False, indent=1)
                os.replace(tmp, self.path(key))
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            logger.warning("cannot write LLM cache entry in %s: %s", self.root, exc)
