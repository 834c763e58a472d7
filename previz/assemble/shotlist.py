"""The shot list: one row per shot, as a CSV and an Excel workbook.

Both files carry the same columns (:data:`SHOTLIST_COLUMNS`) in the same order, so a first
AD, a producer and a spreadsheet script all read the same thing.

- ``shotlist.csv`` is UTF-8 **with a byte-order mark** (``utf-8-sig``), comma separated,
  CRLF line ends, fields quoted where needed (RFC 4180). Excel only reads a CSV as UTF-8
  when it starts with the BOM; without it curly quotes and accents come out as ``â€™``.
  Google Sheets, LibreOffice, Numbers and Python's ``csv`` (with ``encoding="utf-8-sig"``)
  all drop the BOM. A text cell that starts with ``=``, ``+``, ``-`` or ``@`` gets a
  leading apostrophe, so a spreadsheet shows it as text instead of running it as a
  formula (the OWASP advice for CSV files).
- ``shotlist.xlsx`` has one sheet: a bold, frozen header row, fixed column widths,
  wrapped long text, durations as numbers shown ``0.0``, and a total row with the
  running time. Text cells are always written as text, never as formulas.

Start timecodes use the animatic's frame accounting (:func:`frame_boundaries`), so a
shot's timecode here is where it starts in the animatic and the edit timelines.
Each file is written to a hidden temporary file beside it and renamed when complete.
"""

from __future__ import annotations

import csv
import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from previz.assemble.timing import frame_boundaries
from previz.errors import AssemblyError
from shots.model import Shot, ShotPlan

__all__ = [
    "SHOTLIST_COLUMNS",
    "format_timecode",
    "shotlist_rows",
    "spreadsheet_text",
    "write_shotlist",
]

SHOTLIST_COLUMNS: tuple[str, ...] = (
    "Shot",
    "Scene",
    "Scene heading",
    "Size",
    "Angle",
    "Movement",
    "Lens (mm)",
    "Duration (s)",
    "Start TC",
    "Subjects",
    "Description",
    "Dialogue",
    "On-screen text",
    "Transition",
    "Location",
    "INT/EXT",
    "Time of day",
    "Page",
    "Notes",
    "Prompt",
    "Seed",
)
"""The shot list's columns, in order (the header row of both files)."""

_NUMBER_COLUMNS = {"Lens (mm)", "Duration (s)", "Page", "Seed"}
_WIDTHS = {
    "Shot": 9, "Scene": 7, "Scene heading": 30, "Size": 7, "Angle": 10, "Movement": 10,
    "Lens (mm)": 9, "Duration (s)": 11, "Start TC": 12, "Subjects": 18, "Description": 45,
    "Dialogue": 50, "On-screen text": 20, "Transition": 10, "Location": 22, "INT/EXT": 8,
    "Time of day": 11, "Page": 6, "Notes": 30, "Prompt": 60, "Seed": 12,
}  # fmt: skip
_WRAPPED = {
    "Scene heading", "Subjects", "Description", "Dialogue", "On-screen text", "Location",
    "Notes", "Prompt",
}  # fmt: skip
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_XLSX_ILLEGAL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
"""Control characters XML 1.0 cannot hold (a PDF's form feed, say): dropped from xlsx cells."""
_EXCEL_MAX_INT = 10**15
"""Excel keeps 15 significant digits: larger integers (a 64-bit seed) are written as text."""


def format_timecode(frame: int, fps: int) -> str:
    """``HH:MM:SS:FF`` (non-drop-frame) of a frame number.

    Args:
        frame: frames from the start (0 or more).
        fps: whole frames per second.

    Returns:
        The timecode, e.g. ``00:01:02:12``.
    """
    seconds, frames = divmod(frame, fps)
    minutes, secs = divmod(seconds, 60)
    hours, mins = divmod(minutes, 60)
    return f"{hours:02d}:{mins:02d}:{secs:02d}:{frames:02d}"


def _dialogue(shot: Shot) -> str:
    lines = []
    for line in shot.dialogue:
        who = f"{line.character} ({line.extension})" if line.extension else line.character
        text = f"({line.parenthetical}) {line.text}" if line.parenthetical else line.text
        lines.append(f"{who}: {text}")
    return "\n".join(lines)


def shotlist_rows(plan: ShotPlan) -> list[dict[str, Any]]:
    """The shot list as data: one dict per shot, keyed by :data:`SHOTLIST_COLUMNS`.

    Numbers stay numbers (``None`` where the plan has no value); text is text.

    Args:
        plan: the shot plan.

    Returns:
        One row per shot, in plan order.
    """
    fps = plan.fps
    if fps < 1:
        raise AssemblyError(f"frame rate must be at least 1, got {fps}")
    headings = {scene.id: scene.heading or "" for scene in plan.scenes}
    starts = frame_boundaries([shot.duration_s for shot in plan.shots], fps)
    rows = []
    for shot, start in zip(plan.shots, starts, strict=False):
        rows.append(
            {
                "Shot": shot.id,
                "Scene": shot.scene_number,
                "Scene heading": headings.get(shot.scene_id, ""),
                "Size": shot.size,
                "Angle": shot.angle,
                "Movement": shot.movement,
                "Lens (mm)": shot.lens_mm,
                "Duration (s)": shot.duration_s,
                "Start TC": format_timecode(start, fps),
                "Subjects": ", ".join(shot.subjects),
                "Description": shot.description,
                "Dialogue": _dialogue(shot),
                "On-screen text": shot.on_screen_text or "",
                "Transition": shot.transition,
                "Location": shot.location or "",
                "INT/EXT": shot.int_ext or "",
                "Time of day": shot.time_of_day or "",
                "Page": shot.page,
                "Notes": shot.notes,
                "Prompt": shot.prompt,
                "Seed": shot.seed,
            }
        )
    return rows


@contextmanager
def _atomic(path: Path, mode: str, **open_args: Any) -> Iterator[IO[Any]]:
    """Open a hidden temporary file beside ``path``; rename it to ``path`` on success.

    The file is created with ``open(mode="x")``, so it gets the usual permissions (the
    umask's), not ``mkstemp``'s owner-only ones.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
    try:
        with open(tmp, mode.replace("w", "x"), **open_args) as handle:
            yield handle
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def spreadsheet_text(text: str) -> str:
    """``text`` for a CSV cell: an apostrophe before a leading ``= + - @`` (or tab, CR), so
    a spreadsheet shows it as text instead of running it as a formula (OWASP's advice)."""
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def _csv_cell(column: str, value: Any) -> str:
    if value is None:
        return ""
    if column in _NUMBER_COLUMNS:
        return repr(value) if isinstance(value, float) else str(value)
    return spreadsheet_text(str(value))


def _write_csv(rows: list[dict[str, Any]], path: Path) -> None:
    with _atomic(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(SHOTLIST_COLUMNS)
        for row in rows:
            writer.writerow([_csv_cell(column, row[column]) for column in SHOTLIST_COLUMNS])


def _write_xlsx(rows: list[dict[str, Any]], plan: ShotPlan, path: Path) -> None:
    try:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font
        from openpyxl.utils import get_column_letter
    except ImportError as exc:
        raise AssemblyError(
            "the Excel shot list needs openpyxl (pip install openpyxl)", path=path
        ) from exc

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Shot list"
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    formats: dict[str, str] = {"Duration (s)": "0.0", "Lens (mm)": "0", "Seed": "0", "Page": "0"}

    sheet.append(list(SHOTLIST_COLUMNS))
    for cell in sheet[1]:
        cell.font = bold
    for index, column in enumerate(SHOTLIST_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _WIDTHS[column]
    sheet.freeze_panes = "A2"

    def put(row: int, col: int, column: str, value: Any) -> None:
        cell = sheet.cell(row=row, column=col)
        if value is None or value == "":
            cell.alignment = top
            return
        if column in _NUMBER_COLUMNS and not (
            isinstance(value, int) and abs(value) >= _EXCEL_MAX_INT
        ):
            cell.value = value
            cell.number_format = formats[column]
        else:
            cell.value = _XLSX_ILLEGAL_RE.sub("", str(value))
            cell.data_type = "s"  # never a formula, whatever the text starts with
        cell.alignment = wrap if column in _WRAPPED else top

    for r, row in enumerate(rows, start=2):
        for c, column in enumerate(SHOTLIST_COLUMNS, start=1):
            put(r, c, column, row[column])

    # The total row: the running time under the durations, the end timecode under the starts.
    total_row = len(rows) + 2
    end_tc = format_timecode(
        frame_boundaries([shot.duration_s for shot in plan.shots], plan.fps)[-1], plan.fps
    )
    col = {column: index for index, column in enumerate(SHOTLIST_COLUMNS, start=1)}
    totals: list[tuple[str, Any]] = [
        ("Shot", "Total"),
        ("Duration (s)", sum(row["Duration (s)"] for row in rows)),
        ("Start TC", end_tc),
        ("Description", f"{len(rows)} shots, ending at {end_tc}"),
    ]
    for column, value in totals:
        cell = sheet.cell(row=total_row, column=col[column], value=value)
        cell.font = bold
        if column == "Duration (s)":
            cell.number_format = "0.0"
        else:
            cell.data_type = "s"

    with _atomic(path, "wb") as handle:
        workbook.save(handle)


def write_shotlist(plan: ShotPlan, out_csv: Path, out_xlsx: Path | None = None) -> list[Path]:
    """Write the shot list as CSV and, if asked, as an Excel workbook.

    Args:
        plan: the shot plan (one row per shot, start timecodes at ``plan.fps``).
        out_csv: the CSV to write (UTF-8 with BOM; see the module docstring).
        out_xlsx: the ``.xlsx`` to write too; ``None`` writes the CSV only.

    Returns:
        The files written: the CSV, then the workbook if one was asked for.

    Raises:
        AssemblyError: the plan's frame rate is not positive, openpyxl is missing, or a
            file cannot be written.
    """
    rows = shotlist_rows(plan)
    out_csv = Path(out_csv)
    written = [out_csv]
    try:
        _write_csv(rows, out_csv)
    except OSError as exc:
        raise AssemblyError(f"cannot write the shot list: {exc}", path=out_csv) from exc
    if out_xlsx is not None:
        out_xlsx = Path(out_xlsx)
        try:
            _write_xlsx(rows, plan, out_xlsx)
        except OSError as exc:
            raise AssemblyError(f"cannot write the shot list: {exc}", path=out_xlsx) from exc
        written.append(out_xlsx)
    return written
