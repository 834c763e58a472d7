"""The review notes of a project as a CSV: every shot's status and comments, in shot order.

What a producer hands on after a review round: one row per comment (a shot with a status
and no comment gets one row), with the shot's latest status and who set it when. Same
conventions as the shot list (:mod:`previz.assemble.shotlist`): UTF-8 with a byte-order
mark so Excel reads accents, CRLF line ends, and comment text that starts like a formula
kept as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime

from previz.assemble.shotlist import spreadsheet_text
from previz.web.models import REVIEW_STATUS_LABELS, Comment, ShotReview, as_utc
from shots.model import ShotPlan

__all__ = ["NOTES_COLUMNS", "review_notes_csv"]

NOTES_COLUMNS = (
    "Shot",
    "Scene",
    "Status",
    "Status by",
    "Status at (UTC)",
    "Note by",
    "Note at (UTC)",
    "Note",
)


def _utc(value: datetime) -> str:
    return as_utc(value).strftime("%Y-%m-%d %H:%M")


def review_notes_csv(
    plan: ShotPlan, statuses: dict[str, ShotReview], comments: Iterable[Comment]
) -> bytes:
    """The notes of ``plan``'s shots: latest ``statuses`` by shot id, ``comments`` oldest first.

    Shots with neither a status nor a comment are left out; comments on shots the plan no
    longer has (a restored older version) come last, under their shot id.
    """
    threads: dict[str, list[Comment]] = {}
    for comment in comments:
        threads.setdefault(comment.shot_id, []).append(comment)
    scenes = {shot.id: shot.scene_id for shot in plan.shots}
    order = [shot.id for shot in plan.shots]
    order += sorted(set(threads) - set(scenes))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(NOTES_COLUMNS)
    for shot_id in order:
        review = statuses.get(shot_id)
        if review is None and shot_id not in threads:
            continue
        status = (
            [REVIEW_STATUS_LABELS.get(review.status, review.status), review.by, _utc(review.at)]
            if review is not None
            else ["pending", "", ""]
        )
        lead = [shot_id, scenes.get(shot_id, ""), *status]
        for comment in threads.get(shot_id) or [None]:
            note = (
                [comment.author, _utc(comment.created), comment.body]
                if comment is not None
                else ["", "", ""]
            )
            writer.writerow([spreadsheet_text(str(cell)) for cell in [*lead, *note]])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
