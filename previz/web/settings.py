"""``WebSettings``: where the web app keeps its data and how it is configured."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from previz.errors import PrevizError
from screenplay.base import MAX_SCRIPT_BYTES

__all__ = [
    "DATABASE_URL_ENV",
    "DATA_DIR_ENV",
    "SETTINGS_ENV",
    "WebSettings",
    "default_data_dir",
]

DATA_DIR_ENV = "PREVIZ_DATA_DIR"
DATABASE_URL_ENV = "PREVIZ_DATABASE_URL"
SETTINGS_ENV = "PREVIZ_WEB_SETTINGS"
"""How ``previz serve --workers N`` hands its settings to the worker processes (JSON)."""


def default_data_dir() -> Path:
    """``$PREVIZ_DATA_DIR``, else ``$XDG_DATA_HOME/previz``, else ``~/.local/share/previz``."""
    if os.environ.get(DATA_DIR_ENV):
        return Path(os.environ[DATA_DIR_ENV]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base).expanduser() / "previz"


@dataclass(frozen=True)
class WebSettings:
    """The web app's configuration.

    Attributes:
        data_dir: holds ``previz.db`` (the SQLite default), ``secret.key`` and
            ``projects/<project uuid>/`` (one previz run folder per project).
        database_url: a SQLAlchemy URL; SQLite in the data folder unless configured.
        max_upload_bytes: the largest script accepted on upload.
        secure_cookies: mark session cookies ``Secure`` (behind an https proxy).
        run_overrides: :class:`~previz.config.PrevizConfig` fields forced on every job
            (tests and small machines: ``{"long_side": 128, "audio": False}``).
    """

    data_dir: Path
    database_url: str
    max_upload_bytes: int = MAX_SCRIPT_BYTES
    secure_cookies: bool = False
    run_overrides: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_options(
        cls,
        *,
        data_dir: Path | None = None,
        database_url: str | None = None,
        secure_cookies: bool = False,
        max_upload_bytes: int | None = None,
        run_overrides: dict[str, Any] | None = None,
    ) -> WebSettings:
        """Settings from command-line options, the environment and the defaults.

        Creates the data folder (mode 0700) if needed.

        Args:
            data_dir: ``--data``; default :func:`default_data_dir`.
            database_url: ``--database-url``; else ``$PREVIZ_DATABASE_URL``; else SQLite at
                ``data_dir/previz.db``.
            secure_cookies: ``--secure-cookies``.
            max_upload_bytes: the upload cap; default the screenplay parser's own cap.
            run_overrides: config fields forced on every job.

        Raises:
            PrevizError: the data folder cannot be created.
        """
        folder = Path(data_dir).expanduser() if data_dir is not None else default_data_dir()
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise PrevizError(
                f"cannot create the data folder: {exc.strerror}", path=folder
            ) from None
        url = database_url or os.environ.get(DATABASE_URL_ENV) or sqlite_url(folder / "previz.db")
        return cls(
            data_dir=folder.resolve(),
            database_url=url,
            max_upload_bytes=min(max_upload_bytes or MAX_SCRIPT_BYTES, MAX_SCRIPT_BYTES),
            secure_cookies=secure_cookies,
            run_overrides=dict(run_overrides or {}),
        )

    def to_json(self) -> str:
        """The settings as JSON, for :meth:`from_json` in another process."""
        return json.dumps(asdict(self) | {"data_dir": str(self.data_dir)})

    @classmethod
    def from_json(cls, text: str) -> WebSettings:
        """Settings written by :meth:`to_json`.

        Raises:
            PrevizError: the text is not such settings.
        """
        try:
            values = json.loads(text)
            return cls(**(values | {"data_dir": Path(values["data_dir"])}))
        except (ValueError, TypeError, KeyError) as exc:
            raise PrevizError(f"invalid web settings in ${SETTINGS_ENV}: {exc}") from None

    @property
    def projects_dir(self) -> Path:
        """``data_dir/projects``: one folder per project, named by its public uuid."""
        return self.data_dir / "projects"

    def secret_key(self) -> str:
        """The session-signing key from ``data_dir/secret.key``, created (0600) on first use.

        Raises:
            PrevizError: the key file cannot be read or written.
        """
        path = self.data_dir / "secret.key"
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        except OSError as exc:
            raise PrevizError(f"cannot create the secret key: {exc.strerror}", path=path) from None
        else:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(secrets.token_hex(32) + "\n")
        try:
            key = path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise PrevizError(f"cannot read the secret key: {exc}", path=path) from None
        if len(key) < 32:
            raise PrevizError("the secret key is shorter than 32 characters", path=path)
        return key


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite:///{Path(path).resolve()}"
