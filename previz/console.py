"""The terminal: where output and errors go, and how a previz error is shown."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.text import Text

from previz.errors import MissingExtraError, PrevizError

__all__ = ["console", "err_console", "print_error", "reports_errors", "require_extra"]

console = Console()
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


def print_error(exc: BaseException) -> None:
    """``error: <message>`` on stderr; the message is text, never read as rich markup."""
    err_console.print(Text.assemble(("error: ", "bold red"), str(exc)), soft_wrap=True)


def reports_errors(command: F) -> F:
    """Turn previz errors into a one-line message and exit code 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except PrevizError as exc:
            print_error(exc)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def require_extra(extra: str, *modules: str, feature: str) -> None:
    """Check that an optional extra's modules import.

    Raises:
        MissingExtraError: one is missing; the message names ``feature`` and the
            ``pip install 'previz[<extra>]'`` that brings it.
    """
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            missing = exc.name or name
            raise MissingExtraError(
                f"{feature} needs {missing!r}, which is not installed: "
                f"pip install 'previz[{extra}]'"
            ) from None
