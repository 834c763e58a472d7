"""``previz serve``: the review web app on loopback, with data in a per-user folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from previz.console import console, reports_errors, require_extra

__all__ = ["WEB_MODULES", "default_workers", "serve"]

WEB_MODULES = (
    "fastapi",
    "uvicorn",
    "sqlalchemy",
    "alembic",
    "argon2",
    "python_multipart",
    "filelock",
)
"""What the ``web`` extra brings; checked before the app is imported."""


def default_workers() -> int:
    """One server process per CPU core available to us, at most 4 (about 90 MB each)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


@reports_errors
def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (loopback by default).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            help="Data folder: database, secret key, projects "
            "(default: $XDG_DATA_HOME/previz or ~/.local/share/previz).",
            show_default=False,
        ),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            envvar="PREVIZ_DATABASE_URL",
            help="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db (default: SQLite "
            "in the data folder).",
            show_default=False,
        ),
    ] = None,
    secure_cookies: Annotated[
        bool,
        typer.Option(
            "--secure-cookies",
            help="Mark session cookies Secure (behind an https proxy); https requests "
            "get it anyway.",
        ),
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            help="Server processes, so that many reviewers are served at once (one of them "
            "runs the pipeline jobs). Default: one per CPU core, at most 4.",
            show_default=False,
        ),
    ] = None,
    access_log: Annotated[
        bool,
        typer.Option(
            "--access-log",
            help="Log every request on the console (off by default: it costs a tenth of "
            "the server's time under load).",
        ),
    ] = False,
) -> None:
    """Start the review web app: upload scripts, watch animatics, comment, approve, edit."""
    require_extra("web", *WEB_MODULES, feature="the review web app")
    import uvicorn

    from previz.web.app import create_app
    from previz.web.services.users import ensure_owner
    from previz.web.settings import SETTINGS_ENV, WebSettings

    settings = WebSettings.from_options(
        data_dir=data, database_url=database_url, secure_cookies=secure_cookies
    )
    password = ensure_owner(settings)
    shown_host = f"[{host}]" if ":" in host else host
    console.print(f"previz review app: [bold]http://{shown_host}:{port}/[/]")
    workers = workers or default_workers()
    console.print(Text(f"data folder: {settings.data_dir}"))
    console.print(Text(f"server processes: {workers}"))
    if password is not None:
        console.print(
            f"first run: created the account [bold]{password.username}[/] with the one-time "
            f"password [bold]{password.password}[/] (change it on the account page, /account, "
            "or with 'previz users passwd')"
        )
    if host not in {"127.0.0.1", "localhost", "::1"}:
        console.print(
            "[yellow]warning:[/] listening beyond loopback; put it behind https "
            "and pass --secure-cookies"
        )
    options = {
        "host": host,
        "port": port,
        "log_level": "info",
        "access_log": access_log,
        "proxy_headers": False,
        "server_header": False,
        # open progress streams (server-sent events) must not hold a stopping server
        "timeout_graceful_shutdown": 5,
    }
    if workers == 1:
        uvicorn.run(create_app(settings), **options)
        return
    # Worker processes import the app by name and read the settings from the environment;
    # what could stop them is checked here first, to fail once with a clear message.
    settings.secret_key()
    os.environ[SETTINGS_ENV] = settings.to_json()
    uvicorn.run("previz.web.app:app_from_environment", factory=True, workers=workers, **options)
