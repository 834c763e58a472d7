"""The review notes CSV: rows in shot order, statuses without comments, orphaned comments."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from previz.pipeline import plan_script
from previz.web.models import Comment, ShotReview
from previz.web.review_notes import NOTES_COLUMNS, review_notes_csv
from screenplay.base import parse_bytes
from shots.model import ShotPlan
from tests.conftest import TINY_FOUNTAIN

WHEN = datetime(2026, 11, 23, 14, 5, tzinfo=UTC)


@pytest.fixture(scope="module")
def plan() -> ShotPlan:
    from previz.config import PrevizConfig

    script = parse_bytes(TINY_FOUNTAIN.encode(), name="lighthouse.fountain")
    return plan_script(script, PrevizConfig(planner="grammar"))


def _rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    assert "\r\n" in text, "CRLF line ends, as RFC 4180 and the shot list"
    return list(csv.DictReader(io.StringIO(text)))


def test_rows_follow_the_plan_and_skip_untouched_shots(plan: ShotPlan) -> None:
    first, second, *rest = [shot.id for shot in plan.shots]
    last = rest[-1]
    statuses = {
        last: ShotReview(shot_id=last, status="approved", by="ann", at=WHEN),
        first: ShotReview(shot_id=first, status="changes_requested", by="Dana", at=WHEN),
    }
    comments = [
        Comment(shot_id=first, author="Dana", body="Tighter.", created=WHEN),
        Comment(shot_id="9Z-99", author="ann", body="From an older version", created=WHEN),
        Comment(shot_id=first, author="ann", body="-1 stop darker", created=WHEN),
    ]
    rows = _rows(review_notes_csv(plan, statuses, comments))
    assert list(rows[0]) == list(NOTES_COLUMNS)
    assert [row["Shot"] for row in rows] == [first, first, last, "9Z-99"]
    assert second not in {row["Shot"] for row in rows}, "no status, no note: no row"
    assert [row["Note"] for row in rows[:2]] == ["Tighter.", "'-1 stop darker"]
    assert rows[0]["Status"] == "changes requested" and rows[0]["Status at (UTC)"] == (
        "2026-11-23 14:05"
    )
    assert rows[2]["Note"] == "" and rows[2]["Status"] == "approved"
    assert rows[3]["Scene"] == "" and rows[3]["Status"] == "pending"
    assert rows[0]["Scene"] == plan.shots[0].scene_id


def test_no_notes_is_just_the_header(plan: ShotPlan) -> None:
    assert _rows(review_notes_csv(plan, {}, [])) == []
