"""Style presets: TOML files in ``templates/styles/`` plus any the user adds.

A user adds a preset by dropping ``NAME.toml`` into ``$PREVIZ_STYLES`` (a folder) or
``~/.config/previz/styles/``, or by passing a path to a ``.toml`` file wherever a style
name is accepted. User presets override bundled ones of the same name.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from pydantic import ValidationError

import templates
from previz.errors import PlanError
from shots.model import Style

__all__ = ["DEFAULT_STYLE", "list_styles", "load_style", "style_dirs"]

DEFAULT_STYLE = "storyboard"


def style_dirs() -> list[Path]:
    """Folders searched for presets, later ones overriding earlier ones."""
    dirs = [templates.path("styles")]
    config_home = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    dirs.append(config_home / "previz" / "styles")
    if os.environ.get("PREVIZ_STYLES"):
        dirs.append(Path(os.environ["PREVIZ_STYLES"]))
    return dirs


def list_styles() -> dict[str, Path]:
    """Every available preset name and the file it comes from."""
    found: dict[str, Path] = {}
    for folder in style_dirs():
        if folder.is_dir():
            for file in sorted(folder.glob("*.toml")):
                found[file.stem] = file
    return found


def _read_style(path: Path) -> Style:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError(f"cannot read style preset: {exc}", path=path) from None
    except tomllib.TOMLDecodeError as exc:
        raise PlanError(f"not valid TOML: {exc}", path=path) from None
    data.setdefault("name", path.stem)
    try:
        return Style.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise PlanError(f"invalid style preset: {problems}", path=path) from None


def load_style(
    name_or_path: str | Path = DEFAULT_STYLE, *, aspect_ratio: str | None = None
) -> Style:
    """The style preset called ``name_or_path`` (or read from that ``.toml`` file).

    Args:
        name_or_path: a preset name (``storyboard``, ``photoreal``, ...) or a TOML file.
        aspect_ratio: overrides the preset's (``2.39:1``, ``1.85:1``, ``16:9``, ``9:16``,
            ``1:1``; ``2.39`` and ``1.85`` are accepted too).

    Raises:
        PlanError: unknown name (the message lists the presets) or an invalid file.
    """
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" and candidate.exists():
        style = _read_style(candidate)
    else:
        presets = list_styles()
        if str(name_or_path) not in presets:
            raise PlanError(
                f"unknown style {str(name_or_path)!r}; available: {', '.join(sorted(presets))}"
            )
        style = _read_style(presets[str(name_or_path)])
    if aspect_ratio is not None:
        style = style.model_copy(update={"aspect_ratio": normalise_aspect(aspect_ratio)})
    return style


_ASPECT_ALIASES = {
    "2.39": "2.39:1",
    "2.35": "2.39:1",
    "1.85": "1.85:1",
    "1.78": "16:9",
    "16x9": "16:9",
    "9x16": "9:16",
    "0.5625": "9:16",
    "1": "1:1",
    "1.0": "1:1",
}


def normalise_aspect(value: str) -> str:
    """``2.39`` -> ``2.39:1``; validated against the supported ratios."""
    from shots.model import ASPECT_RATIOS

    value = _ASPECT_ALIASES.get(value.strip(), value.strip())
    if value not in ASPECT_RATIOS:
        raise PlanError(
            f"unsupported aspect ratio {value!r}; use one of: {', '.join(ASPECT_RATIOS)}"
        )
    return value
