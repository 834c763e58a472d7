"""Loading the versioned JSON files stages hand each other (``Script.1``, ``ShotPlan.1``).

A leaf module like :mod:`previz.errors`: every stage may import it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from previz.errors import PrevizError, SchemaVersionError

__all__ = ["json_path", "load_versioned"]

M = TypeVar("M", bound=BaseModel)


def json_path(location: tuple[int | str, ...]) -> str:
    """A pydantic error location as a JSON path: ``$.shots[3].size``."""
    path = "$"
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def load_versioned(
    path: str | Path, model: type[M], schema: str, error: type[PrevizError], what: str
) -> M:
    """Read ``path`` as a ``model`` whose ``schema_version`` must be ``schema``.

    Args:
        path: the JSON file.
        model: the pydantic model to validate into.
        schema: the expected ``schema_version`` (``"ShotPlan.1"``).
        error: the error family to raise for unreadable or invalid files.
        what: how to name the file in messages (``"shot plan"``).

    Raises:
        SchemaVersionError: the file carries another ``schema_version``.
        error: unreadable, not JSON, or invalid; the message names the JSON path of the
            first problems (``$.shots[1].size: Input should be 'EWS', ...``).
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"cannot read {what}: {exc}", path=path) from None
    except json.JSONDecodeError as exc:
        raise error(f"not valid JSON: {exc.msg}", path=path, line=exc.lineno) from None
    version = data.get("schema_version") if isinstance(data, dict) else None
    if version != schema:
        raise SchemaVersionError(
            f"expected schema_version {schema!r}, found {version!r}", path=path
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{json_path(e['loc'])}: {e['msg']}" for e in exc.errors()[:5])
        more = f" (and {exc.error_count() - 5} more)" if exc.error_count() > 5 else ""
        raise error(f"invalid {what}: {problems}{more}", path=path) from None
