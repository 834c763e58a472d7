"""Authorisation on every route: other users get 404, reviewers may watch, comment, approve."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import TINY_FOUNTAIN
from tests.previz.web._http import (
    add_user,
    client_for,
    finished_project,
    first_shot_id,
    owner_app,
    post,
    project_id,
    upload,
)


def new_share_link(client: TestClient, pid: str, label: str) -> str:
    """Make a reviewer link: the POST redirects to the share page, which shows it once."""
    made = post(client, f"/projects/{pid}/share", {"label": label})
    assert made.status_code == 303 and made.headers["location"] == f"/projects/{pid}/share"
    shown = client.get(made.headers["location"])
    link = re.search(r'id="share-link">([^<]+)<', shown.text)
    assert link, "the share page shows the new link"
    again = client.get(made.headers["location"]).text
    assert 'id="share-link"' not in again, "shown once: a reload makes and shows no other link"
    return link.group(1)


class World:
    """Ann owns a finished project; Bob is another user; a reviewer has Ann's share link."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.ann = client_for(app, "ann")
        self.bob = client_for(app, "bob")
        self.pid = finished_project(app, self.ann)
        self.shot_id = first_shot_id(self.ann.get(f"/projects/{self.pid}").text)
        link = new_share_link(self.ann, self.pid, "Dana")
        self.share_path = "/s/" + link.rsplit("/s/", 1)[1]
        self.reviewer = client_for(app)
        entered = self.reviewer.get(self.share_path)
        assert entered.status_code == 303
        assert entered.headers["location"] == f"/projects/{self.pid}"

    def comments(self) -> str:
        return self.ann.get(f"/projects/{self.pid}/shots/{self.shot_id}").text


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with owner_app(tmp_path_factory.mktemp("data")) as app:
        add_user(app, "bob")
        yield World(app)


READ_PATHS = [
    "",
    "/job",
    "/shots/{shot}",
    "/shots/{shot}/image",
    "/media/animatic.mp4",
    "/media/storyboard.pdf",
    "/media/shotlist.csv",
    "/media/shotlist.xlsx",
    "/media/timeline.otio",
    "/media/timeline.xml",
    "/media/timeline.edl",
    "/media/plan.json",
    "/versions",
    "/versions/1",
    "/share",
]


@pytest.mark.parametrize("path", READ_PATHS)
def test_owner_can_read_everything(world: World, path: str) -> None:
    url = f"/projects/{world.pid}{path.format(shot=world.shot_id)}"
    assert world.ann.get(url).status_code == 200


@pytest.mark.parametrize("path", READ_PATHS)
def test_other_user_gets_404_for_every_page_and_media(world: World, path: str) -> None:
    url = f"/projects/{world.pid}{path.format(shot=world.shot_id)}"
    response = world.bob.get(url)
    assert response.status_code == 404
    assert b"ftyp" not in response.content[:16], "no MP4 bytes"
    assert b"%PDF" not in response.content[:8]


def test_other_user_does_not_see_the_project_in_the_list(world: World) -> None:
    assert world.pid not in world.bob.get("/").text
    assert world.pid in world.ann.get("/").text


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/shots/{shot}", {"size": "CU"}),
        ("/shots/{shot}/comments", {"body": "sneaky"}),
        ("/shots/{shot}/status", {"status": "approved"}),
        ("/versions/1/restore", {}),
        ("/share", {"label": "me"}),
        ("/share/1/revoke", {}),
        ("/delete", {}),
    ],
)
def test_other_user_gets_404_for_every_change(world: World, path: str, data: dict) -> None:
    url = f"/projects/{world.pid}{path.format(shot=world.shot_id)}"
    assert post(world.bob, url, data).status_code == 404
    assert world.ann.get(f"/projects/{world.pid}").status_code == 200, "still there"
    assert "sneaky" not in world.comments()


def test_signed_out_visitor_is_sent_to_sign_in(world: World) -> None:
    visitor = client_for(world.app)
    response = visitor.get(f"/projects/{world.pid}")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
    assert visitor.get(f"/projects/{world.pid}/job").status_code == 401
    assert visitor.get(f"/projects/{world.pid}/media/animatic.mp4").status_code == 303


@pytest.mark.parametrize(
    "path",
    ["", "/job", "/shots/{shot}", "/shots/{shot}/image", "/media/animatic.mp4", "/versions"],
)
def test_reviewer_can_watch(world: World, path: str) -> None:
    url = f"/projects/{world.pid}{path.format(shot=world.shot_id)}"
    assert world.reviewer.get(url).status_code == 200


def test_reviewer_page_has_no_edit_controls(world: World) -> None:
    page = world.reviewer.get(f"/projects/{world.pid}").text
    assert "Reviewing as Dana" in page
    assert f"/projects/{world.pid}/delete" not in page
    shot = world.reviewer.get(f"/projects/{world.pid}/shots/{world.shot_id}").text
    assert 'id="edit-form"' not in shot and 'id="comment-form"' in shot


def test_reviewer_can_comment_and_approve(world: World) -> None:
    base = f"/projects/{world.pid}/shots/{world.shot_id}"
    assert post(world.reviewer, f"{base}/comments", {"body": "Hold it longer"}).status_code == 303
    assert post(world.reviewer, f"{base}/status", {"status": "approved"}).status_code == 303
    page = world.comments()
    assert "Hold it longer" in page and "Dana (reviewer)" in page
    assert re.search(r'id="shot-status">approved<', page)
    summary = world.ann.get(f"/projects/{world.pid}").text
    assert re.search(r'<span class="badge approved">1</span> approved', summary)


def test_shot_grid_follows_status_changes(world: World) -> None:
    """The grid is rendered once and kept: a new status must still show on the next view."""
    base = f"/projects/{world.pid}/shots/{world.shot_id}"
    card = re.compile(rf'id="card-{re.escape(world.shot_id)}".*?<span class="badge (\w+)">', re.S)
    for status in ("changes_requested", "approved", "pending", "approved"):
        assert post(world.reviewer, f"{base}/status", {"status": status}).status_code == 303
        page = world.ann.get(f"/projects/{world.pid}").text
        assert card.search(page).group(1) == status


def test_shot_grid_counts_each_shots_comments(world: World) -> None:
    base = f"/projects/{world.pid}/shots/{world.shot_id}"
    note = re.compile(rf'shots/{re.escape(world.shot_id)}#comments"[^>]*>(\d+) notes?<')

    def shown() -> int:
        match = note.search(world.ann.get(f"/projects/{world.pid}").text)
        return int(match.group(1)) if match else 0

    before = shown()
    assert post(world.reviewer, f"{base}/comments", {"body": "Wider?"}).status_code == 303
    assert shown() == before + 1
    assert post(world.ann, f"{base}/comments", {"body": "Agreed."}).status_code == 303
    assert shown() == before + 2


def test_review_notes_csv_has_every_status_and_comment(world: World) -> None:
    import csv
    import io

    base = f"/projects/{world.pid}/shots/{world.shot_id}"
    hostile = '=HYPERLINK("http://evil.example","click")'
    assert (
        post(world.reviewer, f"{base}/comments", {"body": "Slower push-in, «please»"}).status_code
        == 303
    )
    assert post(world.reviewer, f"{base}/comments", {"body": hostile}).status_code == 303
    assert (
        post(world.reviewer, f"{base}/status", {"status": "changes_requested"}).status_code == 303
    )
    answer = world.reviewer.get(f"/projects/{world.pid}/notes.csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert "review-notes.csv" in answer.headers["content-disposition"]
    assert answer.content.startswith(b"\xef\xbb\xbf"), "a BOM, so Excel reads UTF-8"
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    mine = [row for row in rows if row["Shot"] == world.shot_id]
    notes = [row["Note"] for row in mine]
    assert "Slower push-in, «please»" in notes
    assert "'" + hostile in notes, "a formula is kept as text"
    assert {row["Status"] for row in mine} == {"changes requested"}
    assert {row["Status by"] for row in mine} == {"Dana (reviewer)"}
    assert all(row["Note by"] == "Dana (reviewer)" for row in mine if "please" in row["Note"])
    assert (
        'href="/projects/' + world.pid + '/notes.csv"'
        in world.ann.get(f"/projects/{world.pid}").text
    )
    assert world.bob.get(f"/projects/{world.pid}/notes.csv").status_code == 404


def test_reviewer_comment_without_csrf_is_403(world: World) -> None:
    base = f"/projects/{world.pid}/shots/{world.shot_id}"
    response = world.reviewer.post(f"{base}/comments", data={"body": "forged"})
    assert response.status_code == 403
    assert "forged" not in world.comments()


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("post", "/shots/{shot}", {"size": "ECU"}),
        ("post", "/versions/1/restore", {}),
        ("post", "/delete", {}),
        ("post", "/share", {"label": "more"}),
        ("post", "/share/1/revoke", {}),
        ("get", "/share", {}),
    ],
)
def test_reviewer_cannot_edit_restore_delete_or_share(
    world: World, method: str, path: str, data: dict
) -> None:
    url = f"/projects/{world.pid}{path.format(shot=world.shot_id)}"
    response = post(world.reviewer, url, data) if method == "post" else world.reviewer.get(url)
    assert response.status_code == 404
    versions = world.ann.get(f"/projects/{world.pid}/versions").text
    assert versions.count('class="version"') == 1, "no new version"
    assert world.ann.get(f"/projects/{world.pid}").status_code == 200


def test_reviewer_sees_only_the_shared_project(world: World) -> None:
    other = project_id(upload(world.ann, "second.fountain", TINY_FOUNTAIN.encode(), "text/plain"))
    assert world.reviewer.get(f"/projects/{other}").status_code == 404
    assert world.reviewer.get("/").status_code == 303, "reviewers have no project list"


def test_revoked_link_stops_working(world: World) -> None:
    link = new_share_link(world.ann, world.pid, "Temp")
    temp = client_for(world.app)
    assert temp.get("/s/" + link.rsplit("/s/", 1)[1]).status_code == 303
    assert temp.get(f"/projects/{world.pid}").status_code == 200
    share_ids = re.findall(
        r"/share/(\d+)/revoke", world.ann.get(f"/projects/{world.pid}/share").text
    )
    newest = max(int(i) for i in share_ids)
    assert post(world.ann, f"/projects/{world.pid}/share/{newest}/revoke").status_code == 303
    assert temp.get(f"/projects/{world.pid}").status_code in (303, 404)
    assert temp.get(f"/projects/{world.pid}/media/animatic.mp4").status_code in (303, 404)
    assert world.reviewer.get(f"/projects/{world.pid}").status_code == 200, "Dana's link lives"


def test_share_token_is_not_stored_raw(world: World) -> None:
    token = world.share_path.removeprefix("/s/")
    data_dir = world.app.state.settings.data_dir
    stored = b"".join(path.read_bytes() for path in data_dir.glob("previz.db*"))
    assert hashlib.sha256(token.encode()).hexdigest().encode() in stored, "the hash is there"
    assert token.encode() not in stored
