"""The ``previz`` command line: a thin typed layer over the library.

Every command turns a :class:`~previz.errors.PrevizError` into a one-line message on
stderr and exit code 1; nothing previz expects ends in a traceback.
"""

from __future__ import annotations

import functools
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from previz import __version__
from previz.errors import PrevizError

app = typer.Typer(
    name="previz",
    help="Local-first previsualisation: screenplay in, shot plan, storyboard and animatic out.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


def _reports_errors(command: F) -> F:
    """Turn previz errors into a one-line message and exit code 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except PrevizError as exc:
            err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _version(value: bool) -> None:
    if value:
        console.print(f"previz {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """previz: see a script before anyone shoots it."""


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@app.command()
@_reports_errors
def parse(
    script: Annotated[
        Path,
        typer.Argument(help="Screenplay: Fountain (.fountain, .txt), Final Draft (.fdx) or PDF."),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Where to write the script JSON ('-' for stdout).",
            show_default=False,
        ),
    ] = None,
    format: Annotated[
        str | None,
        typer.Option(
            "--format", "-f", help="fountain, fdx or pdf; detected from the content if omitted."
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print no summary.")] = False,
) -> None:
    """Parse a screenplay into script JSON (scenes, characters, locations, dialogue)."""
    from screenplay.base import PARSERS, parse_file

    if format is not None and format not in PARSERS:
        raise PrevizError(f"unknown format {format!r}; available: {', '.join(PARSERS.names())}")
    parsed = parse_file(script, format=format)  # type: ignore[arg-type]
    payload = parsed.model_dump_json(indent=2, exclude_none=True)
    if output is not None and str(output) == "-":
        sys.stdout.write(payload + "\n")
        return
    target = output or Path(f"{script.stem}.script.json")
    try:
        write_atomically(target, payload + "\n")
    except OSError as exc:
        raise PrevizError(f"cannot write: {exc.strerror or exc}", path=target) from None
    if not quiet:
        from previz.summary import script_summary

        console.print(script_summary(parsed))
    console.print(f"[green]wrote[/] {target}")


if __name__ == "__main__":  # pragma: no cover
    app()
