"""Projects: upload sniffing, refusals that create nothing, authorisation, deletion."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from previz.errors import (
    EmptyScriptError,
    HostileInputError,
    InputTooLargeError,
    PrevizError,
    UnsupportedFormatError,
)
from previz.web.models import Job, Project, User
from previz.web.services import (
    ForbiddenError,
    NotFoundError,
    WebError,
    comments,
    jobs,
    projects,
    reviews,
    versions,
)
from previz.web.settings import WebSettings
from tests.conftest import DATA
from tests.previz.web._store import add_project, add_share, add_user, plan_now

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE FinalDraft [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<FinalDraft DocumentType="Script" Version="5">
  <Content><Paragraph Type="Action"><Text>&lol3;</Text></Paragraph></Content>
</FinalDraft>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE FinalDraft [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<FinalDraft DocumentType="Script" Version="5">
  <Content><Paragraph Type="Action"><Text>&xxe;</Text></Paragraph></Content>
</FinalDraft>
"""


def _nothing_created(db: Session, settings: WebSettings) -> None:
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Project)) == 0
    assert db.scalar(select(func.count()).select_from(Job)) == 0
    folder = settings.projects_dir
    assert not folder.exists() or list(folder.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "expected_format"),
    [
        ("brick_and_steel.fountain", "fountain"),
        ("brick_and_steel.fdx", "fdx"),
        ("big_fish_scene_numbers.pdf", "pdf"),
    ],
)
def test_a_project_from_each_format(
    db: Session, settings: WebSettings, name: str, expected_format: str
) -> None:
    user = add_user(db)
    data = (DATA / name).read_bytes()
    project = projects.create_project(
        db, settings, user, data=data, filename=f"../../{name}", config={"style": "storyboard"}
    )
    folder = projects.project_dir(settings, project)
    assert project.source_format == expected_format
    assert folder == settings.projects_dir / project.public_id
    assert sorted(p.name for p in folder.iterdir()) == [f"source.{expected_format}"]
    assert (folder / f"source.{expected_format}").read_bytes() == data
    assert project.title
    assert project.current_version == 0
    job = jobs.latest_job(db, user, project)
    assert job is not None and (job.kind, job.state) == ("run", "queued")
    assert projects.list_projects(db, user) == [project]


def test_content_decides_the_format_not_the_name(db: Session, settings: WebSettings) -> None:
    user = add_user(db)
    data = (DATA / "brick_and_steel.fdx").read_bytes()
    project = projects.create_project(db, settings, user, data=data, filename="notes.txt")
    assert project.source_format == "fdx"
    assert (projects.project_dir(settings, project) / "source.fdx").is_file()


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        (BILLION_LAUGHS, HostileInputError, "DTD|entit|document type"),
        (EXTERNAL_ENTITY, HostileInputError, "DTD|entit|document type|external"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, UnsupportedFormatError, "not a screenplay"),
        (b"   \n\n", EmptyScriptError, "empty"),
    ],
)
def test_hostile_or_bad_uploads_are_refused_and_create_nothing(
    db: Session, settings: WebSettings, data: bytes, error: type[Exception], message: str
) -> None:
    user = add_user(db)
    with pytest.raises(error, match=f"(?i){message}") as caught:
        projects.create_project(db, settings, user, data=data, filename="evil.fdx")
    assert "evil.fdx" in str(caught.value)
    _nothing_created(db, settings)


def test_uploads_over_the_cap_are_refused(db: Session, settings: WebSettings) -> None:
    user = add_user(db)
    small = WebSettings(
        data_dir=settings.data_dir, database_url=settings.database_url, max_upload_bytes=1000
    )
    data = (DATA / "brick_and_steel.fountain").read_bytes()
    assert len(data) > 1000
    with pytest.raises(InputTooLargeError, match="the limit is"):
        projects.create_project(db, small, user, data=data, filename="big.fountain")
    _nothing_created(db, settings)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"style": "/etc/passwd.toml"}, "unknown style"),
        ({"planner": "telepathy"}, "unknown planner"),
        ({"aspect": "7:3"}, "unsupported aspect"),
        ({"target_duration_s": -5}, "target_duration_s"),
    ],
)
def test_bad_settings_are_refused(
    db: Session, settings: WebSettings, config: dict[str, object], message: str
) -> None:
    user = add_user(db)
    with pytest.raises(WebError, match=message):
        add_project(db, settings, user, config=config)
    _nothing_created(db, settings)


def test_settings_are_kept_and_the_server_overrides_win(db: Session, settings: WebSettings) -> None:
    user = add_user(db)
    project = add_project(
        db, settings, user, config={"planner": "grammar", "aspect": "2.39", "backend": "sd-video"}
    )
    assert project.config == {
        "planner": "grammar",
        "style": "storyboard",
        "aspect": "2.39:1",
        "target_duration_s": None,
    }
    config = projects.project_config(settings, project)
    assert (config.backend, config.long_side, config.aspect) == ("sketch", 96, "2.39:1")


def test_user_b_cannot_reach_user_a_project(db: Session, settings: WebSettings) -> None:
    alice, bob = add_user(db, "alice"), add_user(db, "bob")
    project = add_project(db, settings, alice)
    plan_now(db, settings, project)
    shot_id = versions.current_plan(db, alice, project).shots[0].id  # type: ignore[union-attr]
    assert projects.list_projects(db, bob) == []
    with pytest.raises(NotFoundError):
        projects.get_project(db, bob, project.public_id)
    with pytest.raises(NotFoundError):
        projects.get_project(db, bob, "00000000-0000-0000-0000-000000000000")
    reads = [
        lambda: versions.current_plan(db, bob, project),
        lambda: versions.list_versions(db, bob, project),
        lambda: versions.get_version(db, bob, project, 1),
        lambda: comments.list_comments(db, bob, project, shot_id),
        lambda: comments.add_comment(db, bob, project, shot_id, "mine now"),
        lambda: reviews.set_status(db, bob, project, shot_id, "approved"),
        lambda: reviews.latest_statuses(db, bob, project),
        lambda: jobs.latest_job(db, bob, project),
        lambda: versions.edit_shot(db, bob, project, shot_id, {"size": "CU"}),
        lambda: versions.restore_version(db, bob, project, 1),
        lambda: projects.delete_project(db, bob, project, settings),
    ]
    for read in reads:
        with pytest.raises(NotFoundError) as caught:
            read()
        assert not isinstance(caught.value, ForbiddenError)
    assert comments.list_comments(db, alice, project, shot_id) == []
    assert projects.get_project(db, alice, project.public_id) == project


def test_a_reviewer_cannot_delete_or_create(
    db: Session, settings: WebSettings, owned: tuple[User, Project]
) -> None:
    alice, project = owned
    share = add_share(db, alice, project)
    assert projects.get_project(db, share, project.public_id) == project
    with pytest.raises(ForbiddenError):
        projects.delete_project(db, share, project, settings)
    with pytest.raises(ForbiddenError):
        add_project(db, settings, share)  # type: ignore[arg-type]
    assert projects.list_projects(db, share) == []
    assert projects.project_dir(settings, project).is_dir()


def test_delete_hides_the_project_cancels_its_jobs_and_removes_its_files(
    db: Session, settings: WebSettings, owned: tuple[User, Project]
) -> None:
    alice, project = owned
    share = add_share(db, alice, project)
    folder = projects.project_dir(settings, project)
    projects.delete_project(db, alice, project, settings)
    assert not folder.exists()
    assert projects.list_projects(db, alice) == []
    with pytest.raises(NotFoundError):
        projects.get_project(db, alice, project.public_id)
    with pytest.raises(NotFoundError):
        projects.get_project(db, share, project.public_id)
    job = db.scalars(select(Job).where(Job.project_id == project.id)).one()
    assert job.state == "failed"


def test_a_failed_write_leaves_no_project(
    db: Session, settings: WebSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = add_user(db)

    def refuse(self: Path, data: bytes) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", refuse)
    with pytest.raises(PrevizError, match="cannot store the script: No space left"):
        add_project(db, settings, user)
    monkeypatch.undo()
    _nothing_created(db, settings)
