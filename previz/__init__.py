"""previz: local-first script-to-storyboard previsualisation.

Public API. Heavy stages are imported on first use so ``import previz`` stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "parse_file": "screenplay.base",
    "parse_bytes": "screenplay.base",
    "Script": "screenplay.model",
    "PrevizError": "previz.errors",
}

__all__ = ["PrevizError", "Script", "__version__", "parse_bytes", "parse_file"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'previz' has no attribute {name!r}")
