"""Plan versions: an edit makes a new version and queues the shot; restore makes another."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from previz.web.models import Project, User
from previz.web.services import ForbiddenError, NotFoundError, WebError, jobs, versions
from tests.previz.web._store import add_share, add_user


def test_an_edit_is_a_new_version_and_queues_that_shot(db: Session, planned) -> None:  # type: ignore[no-untyped-def]
    alice, project = planned
    before = versions.current_plan(db, alice, project)
    assert before is not None
    shot = before.shots[1]
    new_size = "ECU" if shot.size != "ECU" else "WS"
    version, job = versions.edit_shot(
        db,
        alice,
        project,
        shot.id,
        {"size": new_size, "lens_mm": " 85 ", "duration_s": "2.5", "description": "Closer."},
    )
    assert (version.number, project.current_version) == (2, 2)
    assert version.created_by == "alice"
    assert version.note == f"edited {shot.id} size, lens_mm, duration_s, description"
    assert job is not None and (job.kind, job.state, job.shot_ids) == (
        "rerender",
        "queued",
        [shot.id],
    )
    assert job.plan_version == 2
    after = versions.current_plan(db, alice, project)
    edited = after.shot(shot.id)  # type: ignore[union-attr]
    assert (edited.size, edited.lens_mm, edited.duration_s, edited.description) == (
        new_size,
        85,
        2.5,
        "Closer.",
    )
    assert after.shots[0] == before.shots[0]  # type: ignore[union-attr]
    assert versions.get_version(db, alice, project, 1) == before
    assert [v.number for v in versions.list_versions(db, alice, project)] == [2, 1]
    assert jobs.latest_job(db, alice, project) == job


def test_an_edit_that_changes_nothing_makes_no_version(db: Session, planned) -> None:  # type: ignore[no-untyped-def]
    alice, project = planned
    shot = versions.current_plan(db, alice, project).shots[0]  # type: ignore[union-attr]
    version, job = versions.edit_shot(db, alice, project, shot.id, {"size": shot.size})
    assert (version.number, job) == (1, None)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"size": "HUGE"}, "size: Input should be"),
        ({"lens_mm": "2"}, "lens_mm: Input should be greater than or equal to 8"),
        ({"lens_mm": ""}, "lens_mm"),
        ({"duration_s": "-1"}, "duration_s: Input should be greater than 0"),
        ({"seed": "7"}, "cannot edit seed"),
        ({"id": "9-99"}, "cannot edit id"),
    ],
)
def test_invalid_edits_are_refused_naming_shot_and_field(
    db: Session,
    planned,
    changes: dict[str, str],
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    alice, project = planned
    shot_id = versions.current_plan(db, alice, project).shots[0].id  # type: ignore[union-attr]
    with pytest.raises(WebError, match=message) as caught:
        versions.edit_shot(db, alice, project, shot_id, changes)
    assert f"shot {shot_id}" in str(caught.value)
    assert [v.number for v in versions.list_versions(db, alice, project)] == [1]
    assert jobs.latest_job(db, alice, project).kind == "run"  # type: ignore[union-attr]


def test_restore_makes_a_new_version_equal_to_the_old_one(db: Session, planned) -> None:  # type: ignore[no-untyped-def]
    alice, project = planned
    original = versions.current_plan(db, alice, project)
    shot_id = original.shots[0].id  # type: ignore[union-attr]
    versions.edit_shot(db, alice, project, shot_id, {"description": "First edit."})
    versions.edit_shot(db, alice, project, shot_id, {"description": "Second edit."})
    version, job = versions.restore_version(db, alice, project, 1)
    assert (version.number, version.note, project.current_version) == (4, "restored version 1", 4)
    assert (job.kind, job.plan_version) == ("assemble", 4)
    assert versions.current_plan(db, alice, project) == original
    assert versions.get_version(db, alice, project, 3).shot(shot_id).description == "Second edit."
    with pytest.raises(WebError, match="current version already"):
        versions.restore_version(db, alice, project, 4)
    with pytest.raises(NotFoundError, match="no version 9"):
        versions.restore_version(db, alice, project, 9)
    with pytest.raises(NotFoundError):
        versions.get_version(db, alice, project, 0)


def test_reviewers_and_strangers_cannot_edit_or_restore(db: Session, planned) -> None:  # type: ignore[no-untyped-def]
    alice, project = planned
    share = add_share(db, alice, project)
    bob = add_user(db, "bob")
    shot_id = versions.current_plan(db, share, project).shots[0].id  # type: ignore[union-attr]
    with pytest.raises(ForbiddenError):
        versions.edit_shot(db, share, project, shot_id, {"size": "CU"})
    with pytest.raises(ForbiddenError):
        versions.restore_version(db, share, project, 1)
    with pytest.raises(NotFoundError):
        versions.edit_shot(db, bob, project, shot_id, {"size": "CU"})
    with pytest.raises(NotFoundError, match="no shot"):
        versions.edit_shot(db, alice, project, "99-99", {"size": "CU"})
    assert [v.number for v in versions.list_versions(db, share, project)] == [1]


def test_editing_before_the_plan_exists_is_refused(
    db: Session, owned: tuple[User, Project]
) -> None:
    alice, project = owned
    assert versions.current_plan(db, alice, project) is None
    with pytest.raises(WebError, match="not planned yet"):
        versions.edit_shot(db, alice, project, "1-01", {"size": "CU"})
