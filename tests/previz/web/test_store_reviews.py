"""Comments, review statuses with history, and reviewer links (tokens hashed at rest)."""

from __future__ import annotations

import hashlib
import threading

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from previz.web.models import Base, Project, User
from previz.web.services import (
    ForbiddenError,
    NotFoundError,
    WebError,
    comments,
    reviews,
    shares,
    versions,
)
from previz.web.settings import WebSettings
from tests.previz.web._store import add_project, add_share, add_user


@pytest.fixture
def shots(db: Session, planned: tuple[User, Project]):  # type: ignore[no-untyped-def]
    """Alice's project, planned (version 1), and its shot ids (at least two)."""
    alice, project = planned
    plan = versions.current_plan(db, alice, project)
    assert plan is not None and len(plan.shots) >= 2
    return alice, project, [shot.id for shot in plan.shots]


def test_comments_by_users_and_reviewers_in_order(db: Session, shots) -> None:  # type: ignore[no-untyped-def]
    alice, project, shot_ids = shots
    share = add_share(db, alice, project, "Agency")
    comments.add_comment(db, alice, project, shot_ids[0], "  Tighter, please.  ")
    comments.add_comment(db, share, project, shot_ids[0], "Agreed.")
    comments.add_comment(db, share, project, shot_ids[1], "Love it.")
    thread = comments.list_comments(db, share, project, shot_ids[0])
    assert [(c.author, c.body) for c in thread] == [
        ("alice", "Tighter, please."),
        ("Agency (reviewer)", "Agreed."),
    ]
    assert thread[1].author_share_id == share.id and thread[1].author_user_id is None
    assert comments.comment_counts(db, alice, project) == {shot_ids[0]: 2, shot_ids[1]: 1}
    with pytest.raises(WebError, match="needs some text"):
        comments.add_comment(db, alice, project, shot_ids[0], "   ")
    with pytest.raises(WebError, match="at most"):
        comments.add_comment(db, alice, project, shot_ids[0], "x" * 5001)
    assert len(comments.list_comments(db, alice, project, shot_ids[0])) == 2


def test_statuses_keep_history_and_the_latest_wins(db: Session, shots) -> None:  # type: ignore[no-untyped-def]
    alice, project, shot_ids = shots
    share = add_share(db, alice, project, "Client")
    reviews.set_status(db, share, project, shot_ids[0], "changes_requested")
    reviews.set_status(db, alice, project, shot_ids[0], "approved")
    reviews.set_status(db, share, project, shot_ids[1], "approved")
    history = reviews.history(db, alice, project, shot_ids[0])
    assert [(r.status, r.by) for r in history] == [
        ("approved", "alice"),
        ("changes_requested", "Client (reviewer)"),
    ]
    assert history[0].at is not None
    latest = reviews.latest_statuses(db, share, project)
    assert {k: v.status for k, v in latest.items()} == {
        shot_ids[0]: "approved",
        shot_ids[1]: "approved",
    }
    summary = reviews.approval_summary(db, alice, project, shot_ids)
    assert summary == {
        "pending": len(shot_ids) - 2,
        "approved": 2,
        "changes_requested": 0,
    }
    with pytest.raises(WebError, match="unknown status"):
        reviews.set_status(db, alice, project, shot_ids[0], "rejected")
    assert len(reviews.history(db, alice, project, shot_ids[0])) == 2


def test_share_tokens_are_stored_only_as_sha256(db: Session, owned: tuple[User, Project]) -> None:
    alice, project = owned
    share, token = shares.create_share(db, alice, project, "Client")
    assert len(token) >= 40
    assert share.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    for table in Base.metadata.sorted_tables:
        for row in db.execute(text(f"SELECT * FROM {table.name}")):
            assert token not in " ".join(str(value) for value in row)
    assert shares.resolve_share(db, token) == share
    assert shares.share_project_id(db, share) == project.public_id
    assert shares.resolve_share(db, token[:-1]) is None
    assert shares.resolve_share(db, share.token_sha256) is None
    assert shares.resolve_share(db, "") is None


def test_a_revoked_token_is_refused(db: Session, owned: tuple[User, Project]) -> None:
    alice, project = owned
    share, token = shares.create_share(db, alice, project, "Client")
    other, other_token = shares.create_share(db, alice, project, "Other")
    shares.revoke_share(db, alice, project, share.id)
    assert shares.resolve_share(db, token) is None
    assert shares.resolve_share(db, other_token) == other
    db.refresh(share)
    with pytest.raises(NotFoundError):
        comments.list_comments(db, share, project, "1-01")
    assert [(s.label, s.revoked) for s in shares.list_shares(db, alice, project)] == [
        ("Other", False),
        ("Client", True),
    ]


def test_a_share_opens_only_its_own_project_and_cannot_manage(
    db: Session, settings: WebSettings
) -> None:
    alice, bob = add_user(db, "alice"), add_user(db, "bob")
    mine = add_project(db, settings, alice)
    other = add_project(db, settings, alice)
    bobs = add_project(db, settings, bob)
    share = add_share(db, alice, mine)
    for project in (other, bobs):
        with pytest.raises(NotFoundError):
            comments.list_comments(db, share, project, "1-01")
    with pytest.raises(ForbiddenError):
        shares.create_share(db, share, mine, "more")
    with pytest.raises(ForbiddenError):
        shares.list_shares(db, share, mine)
    with pytest.raises(ForbiddenError):
        shares.revoke_share(db, share, mine, share.id)
    with pytest.raises(NotFoundError):
        shares.create_share(db, bob, mine, "steal")
    with pytest.raises(NotFoundError):
        shares.revoke_share(db, bob, mine, share.id)
    bob_share = add_share(db, bob, bobs)
    with pytest.raises(NotFoundError):
        shares.revoke_share(db, alice, mine, bob_share.id)  # not a share of this project
    assert shares.resolve_share(db, "x" * 300) is None


def test_concurrent_writers_from_threads_all_land(
    db: Session,
    sessions: sessionmaker[Session],
    shots,  # type: ignore[no-untyped-def]
) -> None:
    alice, project, shot_ids = shots
    failures: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            with sessions() as session:
                for n in range(15):
                    comments.add_comment(session, alice, project, shot_ids[0], f"{worker}-{n}")
                    reviews.set_status(session, alice, project, shot_ids[1], "approved")
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(comments.list_comments(db, alice, project, shot_ids[0])) == 60
    assert len(reviews.history(db, alice, project, shot_ids[1])) == 60
