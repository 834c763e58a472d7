"""The storyboard template: page geometry, colours, fonts and layouts, read from TOML.

``templates/storyboard/default.toml`` is the only home of the values; this module gives
them types, finds the font files and registers them with reportlab.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

import templates
from previz.errors import AssemblyError

__all__ = [
    "DEFAULT_TEMPLATE",
    "FontFamily",
    "Fonts",
    "LayoutSpec",
    "SheetTemplate",
    "load_template",
    "register_fonts",
    "segments",
    "text_width",
]

DEFAULT_TEMPLATE = "default"
"""``templates/storyboard/default.toml``."""

CaptionPlace = Literal["below", "right", "auto"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PageSpec(_Model):
    margin_top: float = Field(ge=0)
    margin_right: float = Field(ge=0)
    margin_bottom: float = Field(ge=0)
    margin_left: float = Field(ge=0)
    footer_baseline: float = Field(ge=0)
    footer_size: float = Field(gt=0)


class ColorSpec(_Model):
    ink: str
    text: str
    muted: str
    dialogue: str
    accent: str
    band: str
    frame: str
    letterbox: str


class FamilySpec(_Model):
    regular: str
    bold: str
    italic: str
    bold_italic: str


class FontSpec(_Model):
    dirs: list[str] = Field(default_factory=list)
    fallback: list[str] = Field(default_factory=list)
    display: list[FamilySpec] = Field(min_length=1)
    text: list[FamilySpec] = Field(min_length=1)


class CoverSpec(_Model):
    label: str
    label_size: float = Field(gt=0)
    title_size: float = Field(gt=0)
    title_min_size: float = Field(gt=0)
    title_max_lines: int = Field(ge=1)
    byline_size: float = Field(gt=0)
    author_size: float = Field(gt=0)
    facts_size: float = Field(gt=0)
    note_size: float = Field(gt=0)


class HeaderSpec(_Model):
    height: float = Field(gt=0)
    size: float = Field(gt=0)
    info_size: float = Field(gt=0)
    synopsis_size: float = Field(gt=0)
    synopsis_height: float = Field(ge=0)
    gap: float = Field(ge=0)


class LayoutSpec(_Model):
    """One panel grid: ``columns`` x ``rows`` cells, each a panel and its caption."""

    columns: int = Field(ge=1, le=12)
    rows: int = Field(ge=1, le=12)
    gutter_x: float = Field(ge=0)
    gutter_y: float = Field(ge=0)
    caption: CaptionPlace
    caption_min_height: float = Field(ge=0)
    caption_min_width: float = Field(ge=0)
    caption_gap: float = Field(ge=0)
    size: float = Field(gt=0)
    leading: float = Field(gt=0)

    @property
    def per_page(self) -> int:
        return self.columns * self.rows


class SheetTemplate(_Model):
    """A whole storyboard template."""

    page: PageSpec
    colors: ColorSpec
    fonts: FontSpec
    cover: CoverSpec
    header: HeaderSpec
    layouts: dict[str, LayoutSpec]

    def layout(self, name: str) -> LayoutSpec:
        """The layout called ``name`` (``3x2``, ``2x2``, ``1x3``)."""
        try:
            return self.layouts[name]
        except KeyError:
            known = ", ".join(sorted(self.layouts))
            raise AssemblyError(
                f"unknown storyboard layout {name!r} (expected one of: {known})"
            ) from None


def load_template(name_or_path: str | Path = DEFAULT_TEMPLATE) -> SheetTemplate:
    """Read a storyboard template: a bundled name or a path to a ``.toml`` file.

    Raises:
        AssemblyError: the file is missing, not TOML, or not a valid template.
    """
    text = str(name_or_path)
    if isinstance(name_or_path, Path) or text.endswith(".toml") or "/" in text:
        path = Path(name_or_path)
    else:
        path = templates.path("storyboard", f"{text}.toml")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AssemblyError("storyboard template not found", path=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AssemblyError(f"cannot read storyboard template: {exc}", path=path) from None
    except tomllib.TOMLDecodeError as exc:
        raise AssemblyError(f"storyboard template is not valid TOML: {exc}", path=path) from None
    try:
        return SheetTemplate.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise AssemblyError(f"invalid storyboard template: {problems}", path=path) from None


@dataclass(frozen=True)
class FontFamily:
    """reportlab names of one registered family's four faces."""

    regular: str
    bold: str
    italic: str
    bold_italic: str


@dataclass(frozen=True)
class Fonts:
    display: FontFamily
    text: FontFamily


def _resolve(name: str, dirs: list[str]) -> Path | None:
    if name.startswith("reportlab:"):
        import reportlab

        path = Path(reportlab.__file__).parent / "fonts" / name.removeprefix("reportlab:")
        return path if path.is_file() else None
    candidate = Path(name).expanduser()
    if candidate.is_absolute():
        return candidate if candidate.is_file() else None
    for folder in dirs:
        path = Path(folder).expanduser() / name
        if path.is_file():
            return path
    return None


def _register(path: Path) -> str:
    """Register the TrueType file ``path`` (once per process) and return its font name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    name = "pv-" + hashlib.sha1(str(path).encode()).hexdigest()[:10]
    if name not in pdfmetrics.getRegisteredFontNames():
        try:
            pdfmetrics.registerFont(TTFont(name, str(path)))
        except (TTFError, OSError) as exc:
            raise AssemblyError(f"cannot use font: {exc}", path=path) from None
    return name


def _family(role: str, specs: list[FamilySpec], dirs: list[str], fallback: str | None):
    """The first family of ``specs`` with all four faces, registered, with ``fallback``."""
    tried: list[str] = []
    for spec in specs:
        faces = spec.model_dump()
        paths = {face: _resolve(file, dirs) for face, file in faces.items()}
        if all(paths.values()):
            names = {face: _register(path) for face, path in paths.items() if path}
            for name in names.values():
                _FALLBACKS[name] = fallback
            return FontFamily(**names)
        tried.append(spec.regular)
    raise AssemblyError(
        f"no {role} font found for the storyboard (tried {', '.join(tried)} in "
        f"{', '.join(dirs) or 'no folders'})"
    )


def register_fonts(spec: FontSpec) -> Fonts:
    """Find and register the template's fonts.

    Raises:
        AssemblyError: no family of a role has all four files, or a file is not a
            usable TrueType font.
    """
    fallback = None
    for name in spec.fallback:
        path = _resolve(name, spec.dirs)
        if path is not None:
            try:
                fallback = _register(path)
            except AssemblyError:
                continue
            break
    return Fonts(
        display=_family("display", spec.display, spec.dirs, fallback),
        text=_family("text", spec.text, spec.dirs, fallback),
    )


_FALLBACKS: dict[str, str | None] = {}
"""Each registered face's fallback font, for characters it has no glyph for."""


def segments(font: str, text: str) -> list[tuple[str, str]]:
    """``text`` as ``(font, text)`` runs: ``font`` where it has the glyphs, else its fallback.

    Characters neither font has stay in ``font`` (they print as its missing-glyph box).
    """
    fallback = _FALLBACKS.get(font)
    if fallback is None or text.isascii():
        return [(font, text)]
    from reportlab.pdfbase import pdfmetrics

    primary = pdfmetrics.getFont(font).face.charToGlyph
    secondary = pdfmetrics.getFont(fallback).face.charToGlyph
    runs: list[tuple[str, str]] = []
    for char in text:
        code = ord(char)
        use = fallback if code not in primary and code in secondary else font
        if runs and runs[-1][0] == use:
            runs[-1] = (use, runs[-1][1] + char)
        else:
            runs.append((use, char))
    return runs


def text_width(text: str, font: str, size: float) -> float:
    """Width of ``text`` in points as :func:`segments` sets it."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return sum(stringWidth(part, name, size) for name, part in segments(font, text))
