"""``previz users``: add accounts and change passwords for the review web app."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from previz.console import console, reports_errors, require_extra
from previz.web.cli_serve import WEB_MODULES

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["users_app"]

users_app = typer.Typer(
    help="Accounts of the review web app ('previz serve').", no_args_is_help=True
)


@users_app.callback()
@reports_errors
def _needs_the_web_extra() -> None:
    require_extra("web", *WEB_MODULES, feature="'previz users'")


_UsernameArgument = Annotated[str, typer.Argument(help="Sign-in name.")]
_DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data",
        help="Data folder (default: $XDG_DATA_HOME/previz or ~/.local/share/previz).",
        show_default=False,
    ),
]
_UrlOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="PREVIZ_DATABASE_URL",
        help="SQLAlchemy URL (default: SQLite in the data folder).",
        show_default=False,
    ),
]
_StdinOption = Annotated[
    bool,
    typer.Option("--password-stdin", help="Read the password from the first line of stdin."),
]


@contextmanager
def _database(data: Path | None, database_url: str | None) -> Iterator[Session]:
    from previz.web.db import upgraded_session
    from previz.web.settings import WebSettings

    settings = WebSettings.from_options(data_dir=data, database_url=database_url)
    with upgraded_session(settings.database_url) as db:
        yield db


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_app.command("add")
@reports_errors
def add(
    username: _UsernameArgument,
    owner: Annotated[bool, typer.Option("--owner", help="Make an owner, not a member.")] = False,
    password_stdin: _StdinOption = False,
    data: _DataOption = None,
    database_url: _UrlOption = None,
) -> None:
    """Add an account; prompts for its password (or reads it with --password-stdin)."""
    from previz.web.services import users

    password = _read_password(password_stdin)
    with _database(data, database_url) as db:
        user = users.create_user(db, username, password, role="owner" if owner else "member")
    console.print(f"added {user.role} [bold]{user.username}[/]")


@users_app.command("passwd")
@reports_errors
def passwd(
    username: _UsernameArgument,
    password_stdin: _StdinOption = False,
    data: _DataOption = None,
    database_url: _UrlOption = None,
) -> None:
    """Set a new password for an account."""
    from previz.web.services import WebError, users

    password = _read_password(password_stdin)
    with _database(data, database_url) as db:
        user = users.get_user_by_name(db, username)
        if user is None:
            raise WebError(f"no account {username!r}")
        users.set_password(db, user, password)
    console.print(f"changed the password of [bold]{username}[/]")


@users_app.command("list")
@reports_errors
def list_(data: _DataOption = None, database_url: _UrlOption = None) -> None:
    """List the accounts."""
    from previz.web.services import users

    with _database(data, database_url) as db:
        accounts = users.list_users(db)
    for user in accounts:
        typer.echo(f"{user.username}\t{user.role}\t{user.created:%Y-%m-%d}")
