"""The shot list: CSV and Excel, read back with the csv module and openpyxl."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from previz.assemble.shotlist import (
    SHOTLIST_COLUMNS,
    format_timecode,
    shotlist_rows,
    write_shotlist,
)
from previz.assemble.timing import frame_boundaries
from previz.errors import AssemblyError
from screenplay.base import parse_file
from shots.grammar import GrammarPlanner
from shots.model import DialogueLine, ShotPlan
from shots.style import load_style
from tests.conftest import DATA

openpyxl = pytest.importorskip("openpyxl")

CURLY = "“Don’t,” she said — ‘twice’…"


@pytest.fixture(scope="module")
def brick_plan() -> ShotPlan:
    return GrammarPlanner().plan(parse_file(DATA / "brick_and_steel.fountain"), style=load_style())


@pytest.fixture(scope="module")
def plan(brick_plan: ShotPlan) -> ShotPlan:
    """brick_and_steel with curly quotes, formula-like text and a control character."""
    shots = list(brick_plan.shots)
    shots[0] = shots[0].model_copy(
        update={
            "description": f"Wide: {CURLY}",
            "dialogue": [
                DialogueLine(character="STEEL", text=CURLY, extension="V.O."),
                DialogueLine(character="BRICK", text="Fine.", parenthetical="beat"),
            ],
        }
    )
    shots[1] = shots[1].model_copy(update={"description": '=HYPERLINK("x")', "notes": "-1 take"})
    shots[2] = shots[2].model_copy(update={"description": "Page\x0cbreak", "notes": "@home"})
    return brick_plan.model_copy(update={"shots": shots})


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_format_timecode() -> None:
    assert format_timecode(0, 24) == "00:00:00:00"
    assert format_timecode(24 * 3600 + 24 * 61 + 5, 24) == "01:01:01:05"
    assert format_timecode(29, 30) == "00:00:00:29"


def test_csv_has_one_row_per_shot_with_every_column(plan: ShotPlan, tmp_path: Path) -> None:
    out = tmp_path / "shotlist.csv"
    assert write_shotlist(plan, out) == [out]
    assert not (tmp_path / "shotlist.xlsx").exists()
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    rows = _read_csv(out)
    assert len(rows) == len(plan.shots)
    assert tuple(rows[0]) == SHOTLIST_COLUMNS
    assert [row["Shot"] for row in rows] == [shot.id for shot in plan.shots]
    headings = {scene.id: scene.heading for scene in plan.scenes}
    for row, shot in zip(rows, plan.shots, strict=True):
        assert row["Scene"] == shot.scene_number
        assert row["Scene heading"] == headings[shot.scene_id]
        assert row["Size"] == shot.size and row["Movement"] == shot.movement
        assert int(row["Lens (mm)"]) == shot.lens_mm
        assert float(row["Duration (s)"]) == shot.duration_s
        assert int(row["Seed"]) == shot.seed
        assert row["Prompt"] == shot.prompt


def test_csv_keeps_curly_quotes_and_joins_dialogue(plan: ShotPlan, tmp_path: Path) -> None:
    out = tmp_path / "shotlist.csv"
    write_shotlist(plan, out)
    first = _read_csv(out)[0]
    assert first["Description"] == f"Wide: {CURLY}"
    assert first["Dialogue"] == f"STEEL (V.O.): {CURLY}\nBRICK: (beat) Fine."


def test_csv_text_that_looks_like_a_formula_is_quoted(plan: ShotPlan, tmp_path: Path) -> None:
    out = tmp_path / "shotlist.csv"
    write_shotlist(plan, out)
    rows = _read_csv(out)
    assert rows[1]["Description"] == '\'=HYPERLINK("x")'
    assert rows[1]["Notes"] == "'-1 take"
    assert rows[2]["Notes"] == "'@home"
    assert rows[1]["Shot"] == plan.shots[1].id  # ids like 1-02 start with a digit: untouched


def test_csv_durations_and_timecodes_follow_the_animatic(plan: ShotPlan, tmp_path: Path) -> None:
    out = tmp_path / "shotlist.csv"
    write_shotlist(plan, out)
    rows = _read_csv(out)
    total = math.fsum(float(row["Duration (s)"]) for row in rows)
    assert total == pytest.approx(plan.duration_s, abs=1e-9)
    bounds = frame_boundaries([shot.duration_s for shot in plan.shots], plan.fps)
    assert [row["Start TC"] for row in rows] == [format_timecode(b, plan.fps) for b in bounds[:-1]]
    assert rows[0]["Start TC"] == "00:00:00:00"


def test_xlsx_has_the_same_rows_as_the_csv(plan: ShotPlan, tmp_path: Path) -> None:
    out_csv, out_xlsx = tmp_path / "shotlist.csv", tmp_path / "shotlist.xlsx"
    assert write_shotlist(plan, out_csv, out_xlsx) == [out_csv, out_xlsx]
    book = openpyxl.load_workbook(out_xlsx)
    assert len(book.worksheets) == 1
    sheet = book.active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == SHOTLIST_COLUMNS
    body, total = values[1:-1], values[-1]
    assert len(body) == len(plan.shots)
    expected = shotlist_rows(plan)
    for got, want in zip(body, expected, strict=True):
        for column, value in zip(SHOTLIST_COLUMNS, got, strict=True):
            want_value = want[column]
            if column == "Description" and isinstance(want_value, str):
                want_value = want_value.replace("\x0c", "")
            assert value == (want_value if want_value != "" else None), column
    csv_rows = _read_csv(out_csv)
    assert [row[1] for row in body] == [row["Scene"] for row in csv_rows]
    column = {name: index for index, name in enumerate(SHOTLIST_COLUMNS)}
    assert total[column["Shot"]] == "Total"
    assert total[column["Duration (s)"]] == pytest.approx(plan.duration_s)
    bounds = frame_boundaries([shot.duration_s for shot in plan.shots], plan.fps)
    assert total[column["Start TC"]] == format_timecode(bounds[-1], plan.fps)


def test_xlsx_formatting(plan: ShotPlan, tmp_path: Path) -> None:
    out_xlsx = tmp_path / "shotlist.xlsx"
    write_shotlist(plan, tmp_path / "shotlist.csv", out_xlsx)
    sheet = openpyxl.load_workbook(out_xlsx).active
    col = {name: index for index, name in enumerate(SHOTLIST_COLUMNS, start=1)}
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    duration = sheet.cell(row=2, column=col["Duration (s)"])
    assert isinstance(duration.value, float) and duration.number_format == "0.0"
    assert isinstance(sheet.cell(row=2, column=col["Lens (mm)"]).value, int)
    assert sheet.cell(row=2, column=col["Description"]).alignment.wrap_text
    assert sheet.cell(row=2, column=col["Dialogue"]).alignment.wrap_text
    assert sheet.column_dimensions["K"].width == 45  # Description
    total = sheet.cell(row=len(plan.shots) + 2, column=col["Duration (s)"])
    assert total.number_format == "0.0" and total.font.bold
    # Text that looks like a formula is text in the workbook, not a formula.
    formula_like = sheet.cell(row=3, column=col["Description"])
    assert formula_like.value == '=HYPERLINK("x")' and formula_like.data_type == "s"


def test_files_are_replaced_atomically(plan: ShotPlan, tmp_path: Path) -> None:
    out_csv, out_xlsx = tmp_path / "deep" / "shotlist.csv", tmp_path / "deep" / "shotlist.xlsx"
    out_csv.parent.mkdir()
    out_csv.write_text("old")
    write_shotlist(plan, out_csv, out_xlsx)
    assert len(_read_csv(out_csv)) == len(plan.shots)
    assert sorted(p.name for p in out_csv.parent.iterdir()) == ["shotlist.csv", "shotlist.xlsx"]


def test_unwritable_target_is_an_assembly_error(plan: ShotPlan, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(AssemblyError, match="cannot write the shot list"):
        write_shotlist(plan, blocker / "shotlist.csv")


def test_bad_frame_rate_is_an_assembly_error(plan: ShotPlan, tmp_path: Path) -> None:
    with pytest.raises(AssemblyError, match="frame rate"):
        write_shotlist(plan.model_copy(update={"fps": 0}), tmp_path / "shotlist.csv")
