"""The storyboard: a rendered shot plan as a PDF to print, read and mark up.

A cover (title, authors, draft date, style, shot count, running time), then the shots in
a grid of 3 x 2, 2 x 2 or 1 x 3 panels per landscape page. Each scene starts a page under
a header band (``SCENE 3 — EXT. BRICK'S POOL - DAY``); a scene longer than a page goes on
with ``(cont'd)``. Each panel keeps the style's aspect ratio and carries a caption: the
shot id and camera line (``3-05  MCU · low · push in · 50mm · 3.2s``), what we see,
on-screen text and dialogue, cut with an ellipsis where the cell runs out of room.

Text is real text in embedded TrueType fonts, so the PDF is searchable and prints the
same everywhere. Panels are scaled to their printed size and embedded once each as JPEG
(:mod:`previz.assemble._storyboard_media`). Look and geometry come from a TOML template
(``templates/storyboard/default.toml``). The PDF is written to a hidden ``.<name>.part``
beside ``out_path`` and renamed at the end, so a failed run never leaves a partial file.
"""

from __future__ import annotations

import math
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict

from previz.assemble._storyboard_media import PanelImage, PanelJob, prepare_panels
from previz.assemble._storyboard_template import (
    DEFAULT_TEMPLATE,
    Fonts,
    LayoutSpec,
    SheetTemplate,
    load_template,
    register_fonts,
    segments,
    text_width,
)
from previz.assemble._storyboard_text import (
    Line,
    Run,
    caption_lines,
    fit_line,
    format_runtime,
    measure,
    truncate,
    wrap,
)
from previz.config import StoryboardLayout
from previz.errors import AssemblyError
from render.model import RenderSet
from shots.model import Shot, ShotPlan

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

__all__ = [
    "PAPER_SIZES",
    "Paper",
    "SheetPage",
    "StoryboardInfo",
    "assemble_storyboard",
    "paginate",
]

Paper = Literal["letter", "a4"]
PAPER_SIZES: dict[str, tuple[float, float]] = {
    "letter": (11 * 72, 8.5 * 72),
    "a4": (841.89, 595.28),
}
"""Landscape page sizes in points."""

PageProgress = Callable[[int, int], None]
"""Called after each page is laid out with ``(pages done, total pages)``."""


class StoryboardInfo(BaseModel):
    """What :func:`assemble_storyboard` wrote."""

    model_config = ConfigDict(extra="forbid")

    path: Path
    pages: int
    """Pages in all, the cover included."""
    panels: int
    layout: StoryboardLayout
    paper: Paper
    notes: list[str]
    """Anything a user should know: a clip shown as a placeholder."""
    seconds: float
    """Wall time spent assembling."""


@dataclass(frozen=True)
class SheetPage:
    """One board page: some consecutive shots of one scene."""

    scene_number: str
    heading: str | None
    synopsis: str | None
    shots: tuple[Shot, ...]
    continued: bool
    """The scene began on an earlier page."""
    scene_shots: int
    scene_duration_s: float
    script_page: int | None


def paginate(plan: ShotPlan, per_page: int) -> list[SheetPage]:
    """Board pages of ``plan``: each scene starts a page and fills ``per_page`` panels a page.

    Shots keep the plan's order; a run of consecutive shots of one scene is one scene on
    the board. Scenes without shots get no page.

    Args:
        plan: the shot plan.
        per_page: panels a page holds (6 for ``3x2``).

    Returns:
        The pages after the cover, in order.
    """
    runs: list[list[Shot]] = []
    for shot in plan.shots:
        if runs and runs[-1][0].scene_id == shot.scene_id:
            runs[-1].append(shot)
        else:
            runs.append([shot])
    pages: list[SheetPage] = []
    for shots in runs:
        first = shots[0]
        scene = plan.scene(first.scene_id)
        for start in range(0, len(shots), per_page):
            pages.append(
                SheetPage(
                    scene_number=scene.number if scene else first.scene_number,
                    heading=scene.heading if scene else _heading_of(first),
                    synopsis=scene.synopsis if scene else None,
                    shots=tuple(shots[start : start + per_page]),
                    continued=start > 0,
                    scene_shots=len(shots),
                    scene_duration_s=sum(s.duration_s for s in shots),
                    script_page=scene.page if scene else first.page,
                )
            )
    return pages


def _heading_of(shot: Shot) -> str | None:
    """A heading rebuilt from the shot, for a scene the plan does not list."""
    if not shot.location:
        return None
    head = f"{shot.int_ext}. {shot.location}" if shot.int_ext else shot.location
    return f"{head} - {shot.time_of_day}" if shot.time_of_day else head


def _scene_title(number: str, heading: str | None) -> tuple[str, str]:
    """The header's two parts: ``("SCENE 3", "EXT. BRICK'S POOL - DAY")``."""
    if heading is None:
        return ("OPENING", "before the first scene heading")
    return (f"SCENE {number}", " ".join(heading.split()))


# -- geometry -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cell:
    """A panel's place on the page (points, origin bottom left)."""

    box: tuple[float, float, float, float]
    """The panel frame: x, y, width, height."""
    caption: tuple[float, float, float, float]
    """The caption: x, top, width, height."""


@dataclass(frozen=True)
class _Geometry:
    width: float
    height: float
    band_top: float
    grid_top: float
    cells: tuple[_Cell, ...]
    caption_place: str


def _fit(ratio: float, width: float, height: float) -> tuple[float, float]:
    """The largest ``ratio`` rectangle inside ``width`` x ``height``."""
    if width <= 0 or height <= 0:
        return (0.0, 0.0)
    if width / height > ratio:
        return (height * ratio, height)
    return (width, width / ratio)


def _geometry(
    template: SheetTemplate, layout: LayoutSpec, paper: Paper, ratio: float, synopsis: bool
) -> _Geometry:
    page, header = template.page, template.header
    width, height = PAPER_SIZES[paper]
    band_top = height - page.margin_top
    grid_top = band_top - header.height - header.gap
    if synopsis:
        grid_top -= header.synopsis_height
    left, right, bottom = page.margin_left, width - page.margin_right, page.margin_bottom
    cell_w = (right - left - (layout.columns - 1) * layout.gutter_x) / layout.columns
    cell_h = (grid_top - bottom - (layout.rows - 1) * layout.gutter_y) / layout.rows
    gap = layout.caption_gap
    below = _fit(ratio, cell_w, cell_h - layout.caption_min_height - gap)
    beside = _fit(ratio, cell_w - layout.caption_min_width - gap, cell_h)
    place = layout.caption
    if place == "auto":
        place = "right" if beside[0] * beside[1] > below[0] * below[1] * 1.05 else "below"
    box_w, box_h = below if place == "below" else beside
    if box_w < 24 or box_h < 24:
        raise AssemblyError(
            f"storyboard layout leaves no room for panels ({box_w:.0f} x {box_h:.0f} pt): "
            "check the template's margins and caption sizes"
        )
    cells = []
    for row in range(layout.rows):
        for column in range(layout.columns):
            x = left + column * (cell_w + layout.gutter_x)
            top = grid_top - row * (cell_h + layout.gutter_y)
            if place == "below":
                # Centred in the cell, the caption under the panel's own edges (the
                # cell's, for a panel too narrow to write under).
                box_x = x + (cell_w - box_w) / 2
                box = (box_x, top - box_h, box_w, box_h)
                text_x, text_w = (box_x, box_w) if box_w >= cell_w * 0.6 else (x, cell_w)
                caption = (text_x, top - box_h - gap, text_w, cell_h - box_h - gap)
            else:
                box = (x, top - box_h, box_w, box_h)
                caption = (x + box_w + gap, top, cell_w - box_w - gap, cell_h)
            cells.append(_Cell(box, caption))
    return _Geometry(width, height, band_top, grid_top, tuple(cells), place)


# -- drawing ------------------------------------------------------------------------------


class _Sheet:
    """Draws the storyboard's pages on a reportlab canvas."""

    def __init__(
        self,
        canvas: Canvas,
        plan: ShotPlan,
        template: SheetTemplate,
        fonts: Fonts,
        layout: LayoutSpec,
        geometry: _Geometry,
        total_pages: int,
    ) -> None:
        from reportlab.lib.colors import HexColor

        self.c = canvas
        self.plan = plan
        self.t = template
        self.fonts = fonts
        self.layout = layout
        self.g = geometry
        self.total = total_pages
        self.hex = template.colors.model_dump()
        try:
            self.color = {name: HexColor(value) for name, value in self.hex.items()}
        except ValueError as exc:
            raise AssemblyError(f"storyboard template has a bad colour: {exc}") from None
        self.title = " ".join((plan.title or "Untitled").split())

    # Text helpers.

    def _text(
        self,
        x: float,
        y: float,
        text: str,
        font: str,
        size: float,
        color: str,
        *,
        align: Literal["left", "right", "centre"] = "left",
        char_space: float = 0.0,
    ) -> float:
        """Draw ``text`` on the baseline ``y``, its left edge, right edge or centre at ``x``.

        Characters ``font`` lacks are set in the fallback font. Returns the width.
        """
        width = text_width(text, font, size)
        if align == "right":
            x -= width
        elif align == "centre":
            x -= width / 2
        self.c.setFillColor(self.color.get(color, color))
        for name, part in segments(font, text):
            self.c.setFont(name, size)
            self.c.drawString(x, y, part, charSpace=char_space)
            x += text_width(part, name, size) + char_space * len(part)
        return width

    def _line(self, x: float, y: float, line: Line) -> None:
        for run in line:
            x += self._text(x, y, run.text, run.font, run.size, run.color)

    # Cover.

    def cover(self, frames: Sequence[PanelImage]) -> None:
        """The title page: title, byline and draft on the left, a few frames on the right."""
        c, t, plan, g = self.c, self.t.cover, self.plan, self.g
        display = self.fonts.display
        page = self.t.page
        x = page.margin_left + 36
        full_width = g.width - x - page.margin_right - 36
        width = full_width * 0.46 - 12 if frames else full_width
        top = y = g.height - page.margin_top - 64

        self._text(x, y, t.label, display.bold, t.label_size, "accent", char_space=2.2)
        y -= t.label_size + 18

        size, lines = self._title_lines(width)
        for text in lines:
            y -= size
            self._text(x, y, text, display.bold, size, "ink")
            y -= size * 0.22
        y -= 20

        authors = [a.strip() for a in plan.authors if a.strip()]
        if authors:
            self._text(x, y, "written by", display.italic, t.byline_size, "muted")
            y -= t.author_size + 6
            names = " & ".join(authors) if len(authors) == 2 else ", ".join(authors)
            name_lines = wrap(names, width, measure(display.regular, t.author_size))
            if len(name_lines) > 3:
                name_lines[2] = truncate(
                    name_lines[2], width, measure(display.regular, t.author_size), force=True
                )
            for text in name_lines[:3]:
                self._text(x, y, text, display.regular, t.author_size, "ink")
                y -= t.author_size * 1.25
            y -= 6
        if plan.draft_date and plan.draft_date.strip():
            draft = f"Draft: {' '.join(plan.draft_date.split())}"
            self._text(x, y, draft, display.regular, t.byline_size, "text")

        # Facts: label over value, in a row above the bottom margin.
        facts = self._facts()
        fy = page.margin_bottom + 74
        c.setStrokeColor(self.color["muted"])
        c.setLineWidth(0.5)
        rule = fy + t.facts_size * 3.4
        c.line(x, rule, x + full_width, rule)
        column = full_width / len(facts)
        for index, (name, value) in enumerate(facts):
            fx = x + index * column
            label_y = fy + t.facts_size * 1.6
            self._text(fx, label_y, name, display.bold, t.facts_size * 0.78, "muted")
            value = truncate(value, column - 10, measure(display.regular, t.facts_size))
            self._text(fx, fy, value, display.regular, t.facts_size, "ink")

        from previz import __version__

        note = f"Generated by previz {__version__}"
        details = [plan.planner.name and f"{plan.planner.name} planner", f"{plan.fps} fps"]
        note += " · " + " · ".join(d for d in details if d)
        self._text(x, page.footer_baseline, note, display.regular, t.note_size, "muted")
        if frames:
            left = x + width + 24
            self._mosaic(
                frames, (left, rule + 28, x + full_width - left, top + t.label_size - rule - 28)
            )
        c.bookmarkPage("cover")
        c.addOutlineEntry("Cover", "cover", level=0)

    def _mosaic(
        self, frames: Sequence[PanelImage], area: tuple[float, float, float, float]
    ) -> None:
        """``frames`` tiled as large as they fit in ``area`` (x, y, width, height)."""
        x, y, width, height = area
        gap, ratio, count = 8.0, self.plan.style.ratio, len(frames)
        best = (0.0, 1, 1, 0.0, 0.0)
        for columns in range(1, count + 1):
            rows = math.ceil(count / columns)
            tile = _fit(
                ratio, (width - (columns - 1) * gap) / columns, (height - (rows - 1) * gap) / rows
            )
            if tile[0] * tile[1] > best[0]:
                best = (tile[0] * tile[1], columns, rows, *tile)
        _, columns, rows, tile_w, tile_h = best
        if tile_w < 24:
            return
        used_w = columns * tile_w + (columns - 1) * gap
        left, top = x + (width - used_w), y + height
        for index, frame in enumerate(frames):
            row, column = divmod(index, columns)
            box = (
                left + column * (tile_w + gap),
                top - row * (tile_h + gap) - tile_h,
                tile_w,
                tile_h,
            )
            self._picture(box, frame)

    def _title_lines(self, width: float) -> tuple[float, list[str]]:
        t, display = self.t.cover, self.fonts.display
        paragraphs = [" ".join(p.split()) for p in (self.plan.title or "Untitled").splitlines()]
        paragraphs = [p for p in paragraphs if p] or ["Untitled"]
        size = t.title_size
        while True:
            lines = [
                line for p in paragraphs for line in wrap(p, width, measure(display.bold, size))
            ]
            if len(lines) <= t.title_max_lines or size <= t.title_min_size:
                break
            size = max(t.title_min_size, size - 2)
        if len(lines) > t.title_max_lines:
            last = lines[t.title_max_lines - 1]
            cut = truncate(last, width, measure(display.bold, size), force=True)
            lines = [*lines[: t.title_max_lines - 1], cut]
        return size, lines

    def _facts(self) -> list[tuple[str, str]]:
        plan, layout = self.plan, self.layout
        style = plan.style
        scenes = len({shot.scene_id for shot in plan.shots})
        return [
            ("STYLE", style.name),
            ("ASPECT RATIO", style.aspect_ratio),
            ("SHOTS", str(len(plan.shots))),
            ("SCENES", str(scenes)),
            ("RUNNING TIME", format_runtime(plan.duration_s)),
            ("LAYOUT", f"{layout.columns} × {layout.rows} panels"),
        ]

    # Board pages.

    def board(self, number: int, sheet: SheetPage, panels: Sequence[PanelImage]) -> None:
        self._band(sheet, number)
        for cell, shot, panel in zip(self.g.cells, sheet.shots, panels, strict=False):
            self._panel(cell, shot, panel)
        self._footer(number)

    def _band(self, sheet: SheetPage, number: int) -> None:
        c, h, g, page = self.c, self.t.header, self.g, self.t.page
        display = self.fonts.display
        left, right = page.margin_left, g.width - page.margin_right
        bottom = g.band_top - h.height
        c.setFillColor(self.color["band"])
        c.rect(left, bottom, right - left, h.height, stroke=0, fill=1)
        c.setFillColor(self.color["accent"])
        c.rect(left, bottom, 3, h.height, stroke=0, fill=1)

        baseline = bottom + (h.height - h.size * 0.72) / 2
        pad = 10
        info_parts = [
            f"{sheet.scene_shots} shot{'s' if sheet.scene_shots != 1 else ''}",
            format_runtime(sheet.scene_duration_s),
        ]
        if sheet.script_page is not None:
            info_parts.append(f"script p. {sheet.script_page}")
        info = " · ".join(info_parts)
        info_w = self._text(
            right - pad, baseline, info, display.regular, h.info_size, "muted", align="right"
        )

        label, heading = _scene_title(sheet.scene_number, sheet.heading)
        room = right - pad - info_w - 18 - (left + pad + 3)
        tail: Line = ()
        if sheet.continued:
            font = display.italic
            tail = (Run("  (cont'd)", font, h.size * 0.85, self.hex["muted"]),)
            room -= measure(font, h.size * 0.85)(tail[0].text)
        parts = [
            (f"{label} — ", display.bold),
            (heading, display.regular),
        ]
        line = fit_line(parts, room, h.size, h.size * 0.8, self.hex["ink"]) + tail
        self._line(left + pad + 3, baseline, line)

        if sheet.synopsis and sheet.synopsis.strip():
            text = " ".join(sheet.synopsis.split())
            font = display.italic
            text = truncate(text, right - left - 2 * pad, measure(font, h.synopsis_size))
            self._text(
                left + pad + 3, bottom - h.synopsis_size - 3, text, font, h.synopsis_size, "text"
            )

        if not sheet.continued:
            key = f"page-{number}"
            c.bookmarkPage(key)
            title = f"{label} — {heading}" if sheet.heading else label
            c.addOutlineEntry(title, key, level=0)

    def _picture(self, box: tuple[float, float, float, float], panel: PanelImage) -> None:
        """A panel's image letterboxed in ``box`` (x, y, width, height), with a thin frame."""
        c = self.c
        x, y, w, h = box
        if panel.path is None:
            c.setFillColor(self.color["band"])
            c.rect(x, y, w, h, stroke=0, fill=1)
            self._text(
                x + w / 2,
                y + h / 2 - 4,
                "clip",
                self.fonts.display.italic,
                12,
                "muted",
                align="centre",
            )
        else:
            fit_w, fit_h = _fit(panel.width / panel.height, w, h)
            if abs(fit_w - w) > 0.5 or abs(fit_h - h) > 0.5:
                c.setFillColor(self.color["letterbox"])
                c.rect(x, y, w, h, stroke=0, fill=1)
            c.drawImage(str(panel.path), x + (w - fit_w) / 2, y + (h - fit_h) / 2, fit_w, fit_h)
        c.setStrokeColor(self.color["frame"])
        c.setLineWidth(0.6)
        c.rect(x, y, w, h, stroke=1, fill=0)

    def _panel(self, cell: _Cell, shot: Shot, panel: PanelImage) -> None:
        self._picture(cell.box, panel)
        cx, top, cw, ch = cell.caption
        layout = self.layout
        max_lines = max(1, int((ch + layout.leading - layout.size * 1.2) // layout.leading))
        lines = caption_lines(
            shot,
            width=cw,
            max_lines=max_lines,
            family=self.fonts.text,
            size=layout.size,
            colors=self.hex,
        )
        baseline = top - layout.size * 0.95
        for line in lines:
            self._line(cx, baseline, line)
            baseline -= layout.leading

    def _footer(self, number: int) -> None:
        page, g = self.t.page, self.g
        display = self.fonts.display
        left, right = page.margin_left, g.width - page.margin_right
        size = page.footer_size
        self.c.setStrokeColor(self.color["band"])
        self.c.setLineWidth(0.6)
        rule = page.footer_baseline + size + 4
        self.c.line(left, rule, right, rule)
        counter = f"page {number} of {self.total}"
        counter_w = self._text(
            right, page.footer_baseline, counter, display.regular, size, "muted", align="right"
        )
        label = self.title
        if self.plan.draft_date and self.plan.draft_date.strip():
            label += f" · draft {' '.join(self.plan.draft_date.split())}"
        font = display.regular
        room = right - left - counter_w - 24
        self._text(
            left,
            page.footer_baseline,
            truncate(label, room, measure(font, size)),
            font,
            size,
            "muted",
        )


# -- assembly -----------------------------------------------------------------------------


def _cover_frames(pages: Sequence[SheetPage], count: int = 4) -> list[int]:
    """Shot indices shown on the cover: the first shot of the first scenes, then the next."""
    firsts, index = [], 0
    for page in pages:
        if not page.continued:
            firsts.append(index)
        index += len(page.shots)
    chosen = firsts[:count]
    for extra in range(index):
        if len(chosen) >= min(count, index):
            break
        if extra not in chosen:
            chosen.append(extra)
    return sorted(chosen)


def _panel_jobs(
    plan: ShotPlan, renders: RenderSet, root: Path, box: tuple[float, float], dpi: int
) -> list[PanelJob]:
    """Each shot's media, all checked before anything is drawn."""
    box_px = (max(1, math.ceil(box[0] / 72 * dpi)), max(1, math.ceil(box[1] / 72 * dpi)))
    jobs = []
    for shot in plan.shots:
        try:
            render = renders.for_shot(shot.id)
        except KeyError:
            raise AssemblyError(f"shot {shot.id} has no render in the render set") from None
        path = renders.media_path(root, shot.id)
        if not path.is_file():
            raise AssemblyError(f"shot {shot.id}: {render.kind} not found: {path}", path=path)
        jobs.append(PanelJob(shot.id, render, path, box_px, shot.duration_s))
    return jobs


def assemble_storyboard(
    plan: ShotPlan,
    renders: RenderSet,
    root: Path,
    out_path: Path,
    *,
    layout: StoryboardLayout = "3x2",
    paper: Paper = "letter",
    template: str | Path = DEFAULT_TEMPLATE,
    dpi: int = 160,
    workers: int | None = None,
    on_page: PageProgress | None = None,
) -> StoryboardInfo:
    """Lay the rendered shots out as a storyboard PDF.

    Args:
        plan: the shot plan (title page data, scenes, shots and their captions).
        renders: each shot's rendered still or clip (a clip shows its middle frame).
        root: the folder the render set's paths are relative to (the run's output folder).
        out_path: the PDF to write; replaced only once the new one is complete.
        layout: panels per page: ``3x2``, ``2x2`` or ``1x3`` (one wide row per shot).
        paper: ``letter`` or ``a4``, landscape.
        template: a bundled template name or the path of a template ``.toml``.
        dpi: resolution panels are embedded at, for their printed size.
        workers: threads preparing panel images; the CPU count by default.
        on_page: progress callback, ``(pages done, total pages)`` after every page.

    Returns:
        What was written: pages, panels, notes, time spent.

    Raises:
        AssemblyError: the plan has no shots; a shot has no render, or its file is
            missing or unreadable (the message names the shot); the template or its
            fonts cannot be used; the PDF cannot be written.
    """
    started = time.perf_counter()
    if not plan.shots:
        raise AssemblyError("the shot plan has no shots: nothing to lay out")
    if paper not in PAPER_SIZES:
        raise AssemblyError(f"unknown paper {paper!r} (expected one of: letter, a4)")
    if not 36 <= dpi <= 600:
        raise AssemblyError(f"panel resolution must be 36 to 600 dpi, got {dpi}")
    sheet_template = load_template(template)
    spec = sheet_template.layout(layout)
    fonts = register_fonts(sheet_template.fonts)
    synopsis = any(s.synopsis and s.synopsis.strip() for s in plan.scenes)
    geometry = _geometry(sheet_template, spec, paper, plan.style.ratio, synopsis)
    root, out_path = Path(root), Path(out_path)
    jobs = _panel_jobs(plan, renders, root, geometry.cells[0].box[2:], dpi)
    pages = paginate(plan, spec.per_page)
    total = len(pages) + 1

    from reportlab.pdfgen.canvas import Canvas

    from previz import __version__

    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AssemblyError(f"cannot create the output folder: {exc}", path=out_path) from None
    part = out_path.with_name(f".{out_path.name}.part")
    notes: list[str] = []
    try:
        with (
            tempfile.TemporaryDirectory(prefix="previz-storyboard-") as workdir,
            _binary_streams(),
        ):
            canvas = Canvas(
                str(part),
                pagesize=(geometry.width, geometry.height),
                pageCompression=1,
                initialFontName=fonts.text.regular,  # else an unembedded Helvetica is listed
            )
            canvas.setTitle(" ".join((plan.title or "Untitled").split()))
            canvas.setAuthor(", ".join(plan.authors))
            canvas.setSubject(f"Storyboard: {len(plan.shots)} shots")
            canvas.setCreator(f"previz {__version__}")
            sheet = _Sheet(canvas, plan, sheet_template, fonts, spec, geometry, total)
            workers = workers or min(8, os.cpu_count() or 1)
            with closing(prepare_panels(jobs, Path(workdir), workers=workers)) as panels:
                ready: list[PanelImage] = []

                def panel(index: int) -> PanelImage:
                    while len(ready) <= index:
                        ready.append(next(panels))
                    return ready[index]

                sheet.cover([panel(i) for i in _cover_frames(pages)])
                canvas.showPage()
                if on_page is not None:
                    on_page(1, total)
                index = 0
                for number, page in enumerate(pages, start=2):
                    images = [panel(index + i) for i in range(len(page.shots))]
                    index += len(page.shots)
                    notes += [image.note for image in images if image.note]
                    sheet.board(number, page, images)
                    canvas.showPage()
                    if on_page is not None:
                        on_page(number, total)
            try:
                canvas.save()
            except OSError as exc:
                raise AssemblyError(f"cannot write the storyboard: {exc}", path=out_path) from None
        try:
            os.replace(part, out_path)
        except OSError as exc:
            raise AssemblyError(f"cannot write the storyboard: {exc}", path=out_path) from None
    except BaseException:
        _remove_quietly(part)
        raise
    return StoryboardInfo(
        path=out_path,
        pages=total,
        panels=len(plan.shots),
        layout=layout,
        paper=paper,
        notes=notes,
        seconds=time.perf_counter() - started,
    )


_STREAMS_LOCK = threading.Lock()
_streams_users = 0
_streams_saved: int = 1


@contextmanager
def _binary_streams() -> Iterator[None]:
    """Binary PDF streams instead of reportlab's default ASCII85 text.

    Without the optional C accelerator (``rl_accel``) reportlab ASCII85-encodes images in
    pure Python, which costs more than everything else together; binary streams are also
    a fifth smaller. The setting is reportlab-global, so concurrent builds share it and
    the last one out restores it.
    """
    from reportlab import rl_config

    global _streams_users, _streams_saved
    with _STREAMS_LOCK:
        if _streams_users == 0:
            _streams_saved = rl_config.useA85
            rl_config.useA85 = 0
        _streams_users += 1
    try:
        yield
    finally:
        with _STREAMS_LOCK:
            _streams_users -= 1
            if _streams_users == 0:
                rl_config.useA85 = _streams_saved


def _remove_quietly(path: Path) -> None:
    with suppress(FileNotFoundError):
        path.unlink()
