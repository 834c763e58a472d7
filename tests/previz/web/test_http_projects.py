"""Uploads, the project page, the job JSON, media and downloads, through TestClient."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import DATA, TINY_FOUNTAIN
from tests.previz.web._http import (
    client_for,
    finished_project,
    first_shot_id,
    owner_app,
    post,
    project_id,
    upload,
)

HOSTILE_FDX = b"""<?xml version="1.0"?>
<!DOCTYPE FinalDraft [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<FinalDraft DocumentType="Script"><Content>
<Paragraph Type="Scene Heading"><Text>INT. ROOM - DAY &xxe;</Text></Paragraph>
</Content></FinalDraft>
"""


@pytest.fixture(scope="module")
def done(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, TestClient, str]]:
    """An app with user ann and one finished project made from the tiny script."""
    with owner_app(tmp_path_factory.mktemp("data")) as app:
        client = client_for(app, "ann")
        yield app, client, finished_project(app, client)


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[tuple[FastAPI, TestClient]]:
    with owner_app(tmp_path, max_upload_bytes=200_000) as app:
        yield app, client_for(app, "ann")


def _project_count(app: FastAPI) -> int:
    settings = app.state.settings
    folder = settings.projects_dir
    return len(list(folder.iterdir())) if folder.exists() else 0


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("brick_and_steel.fountain", "text/plain"),
        ("brick_and_steel.fdx", "application/xml"),
        ("big_fish_scene_numbers.pdf", "application/pdf"),
    ],
)
def test_upload_each_format_creates_a_project_with_a_queued_run(
    fresh: tuple[FastAPI, TestClient], name: str, content_type: str
) -> None:
    app, client = fresh
    pid = project_id(upload(client, name, (DATA / name).read_bytes(), content_type))
    page = client.get(f"/projects/{pid}")
    assert page.status_code == 200
    assert 'id="job-status" data-state="queued"' in page.text
    job = client.get(f"/projects/{pid}/job").json()
    assert job["state"] == "queued" and job["kind"] == "run"
    listing = client.get("/")
    assert f'data-project-id="{pid}"' in listing.text
    sources = [p.name for p in (app.state.settings.projects_dir / pid).iterdir()]
    suffix = {"fountain": "fountain", "fdx": "fdx", "pdf": "pdf"}[name.rsplit(".", 1)[1]]
    assert sources == [f"source.{suffix}"], "saved under a generated name, not the upload's"


def test_file_name_is_never_a_path(fresh: tuple[FastAPI, TestClient]) -> None:
    app, client = fresh
    pid = project_id(
        upload(client, "../../../../tmp/evil.fountain", TINY_FOUNTAIN.encode(), "text/plain")
    )
    files = [p.name for p in (app.state.settings.projects_dir / pid).iterdir()]
    assert files == ["source.fountain"]
    assert not Path("/tmp/evil.fountain").exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("photo.fountain", bytes(range(256)) * 40, "binary"),
        ("attack.fdx", HOSTILE_FDX, "DTD"),
        ("empty.fountain", b"   \n\n", "empty"),
    ],
)
def test_binary_hostile_or_empty_upload_shows_the_error_and_creates_nothing(
    fresh: tuple[FastAPI, TestClient], name: str, data: bytes, message: str
) -> None:
    app, client = fresh
    response = upload(client, name, data, title="Should not exist")
    assert response.status_code == 422
    error = re.search(r'<div class="alert error"[^>]*>(.*?)</div>', response.text, re.S)
    assert error, "the error is shown on the page"
    assert message.lower() in error.group(1).lower(), error.group(1)
    assert "Should not exist" in response.text, "the form keeps the values typed"
    assert _project_count(app) == 0
    assert 'data-project-id="' not in client.get("/").text


def test_upload_over_the_cap_is_413_and_creates_nothing(
    fresh: tuple[FastAPI, TestClient],
) -> None:
    app, client = fresh
    big = ("INT. ROOM - DAY\n\nWords.\n\n" * 20_000).encode()
    assert len(big) > 400_000
    response = upload(client, "big.fountain", big, "text/plain")
    assert response.status_code == 413
    assert _project_count(app) == 0


def test_upload_just_over_the_cap_is_413_with_the_message(
    fresh: tuple[FastAPI, TestClient],
) -> None:
    app, client = fresh
    cap = app.state.settings.max_upload_bytes
    script = TINY_FOUNTAIN.encode()
    data = script + b"\n" + b"Words. " * ((cap - len(script)) // 7 + 10)
    assert cap < len(data) < cap + 64 * 1024, "under the body limit, over the script cap"
    response = upload(client, "long.fountain", data, "text/plain")
    assert response.status_code == 413
    assert "the limit is" in response.text
    assert _project_count(app) == 0


def test_upload_without_a_file_or_with_bad_settings_is_422(
    fresh: tuple[FastAPI, TestClient],
) -> None:
    app, client = fresh
    no_file = post(client, "/projects", {"planner": "grammar", "style": "storyboard"})
    assert no_file.status_code == 422
    bad_style = upload(client, "a.fountain", TINY_FOUNTAIN.encode(), style="../../etc")
    assert bad_style.status_code == 422 and "unknown style" in bad_style.text
    bad_duration = upload(client, "a.fountain", TINY_FOUNTAIN.encode(), target_duration="soon")
    assert bad_duration.status_code == 422
    assert _project_count(app) == 0


def test_upload_without_csrf_is_403(fresh: tuple[FastAPI, TestClient]) -> None:
    app, client = fresh
    response = client.post(
        "/projects",
        data={"planner": "grammar"},
        files={"script": ("a.fountain", TINY_FOUNTAIN.encode(), "text/plain")},
    )
    assert response.status_code == 403
    assert _project_count(app) == 0


def test_project_page_after_the_run(done: tuple[FastAPI, TestClient, str]) -> None:
    _, client, pid = done
    page = client.get(f"/projects/{pid}")
    assert page.status_code == 200
    assert 'id="job-status" data-state="done"' in page.text
    assert '<video id="animatic"' in page.text
    shots = re.findall(
        r'<a class="shot" [^>]*data-shot-id="([^"]+)" data-start="([\d.]+)"', page.text
    )
    assert len(shots) >= 2
    starts = [float(start) for _, start in shots]
    assert starts[0] == 0.0 and starts == sorted(starts) and len(set(starts)) == len(starts)
    assert "LIGHTHOUSE" in page.text.upper()
    for name in ("storyboard.pdf", "shotlist.csv", "shotlist.xlsx", "timeline.otio"):
        assert f"/projects/{pid}/media/{name}" in page.text
    assert 'id="approval-summary"' in page.text


def test_job_json(done: tuple[FastAPI, TestClient, str]) -> None:
    _, client, pid = done
    job = client.get(f"/projects/{pid}/job").json()
    assert job["state"] == "done" and job["kind"] == "run"
    assert set(job) >= {"state", "stage", "done", "total", "message", "error"}
    assert job["error"] is None


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("animatic.mp4", "video/mp4"),
        ("storyboard.pdf", "application/pdf"),
        ("shotlist.csv", "text/csv"),
        ("shotlist.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("timeline.otio", "application/json"),
        ("timeline.xml", "application/xml"),
        ("timeline.edl", "text/plain"),
    ],
)
def test_downloads_have_their_content_types(
    done: tuple[FastAPI, TestClient, str], name: str, media_type: str
) -> None:
    app, client, pid = done
    response = client.get(f"/projects/{pid}/media/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert response.content == (app.state.settings.projects_dir / pid / name).read_bytes()


def test_animatic_supports_range_requests(done: tuple[FastAPI, TestClient, str]) -> None:
    _, client, pid = done
    whole = client.get(f"/projects/{pid}/media/animatic.mp4")
    assert whole.headers["accept-ranges"] == "bytes"
    part = client.get(f"/projects/{pid}/media/animatic.mp4", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 100-199/{len(whole.content)}"
    assert part.content == whole.content[100:200]


def test_shot_image_is_a_png(done: tuple[FastAPI, TestClient, str]) -> None:
    _, client, pid = done
    shot_id = first_shot_id(client.get(f"/projects/{pid}").text)
    image = client.get(f"/projects/{pid}/shots/{shot_id}/image")
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")


def test_shot_images_are_revalidated_unless_versioned(
    done: tuple[FastAPI, TestClient, str],
) -> None:
    _, client, pid = done
    shot_id = first_shot_id(client.get(f"/projects/{pid}").text)
    bare = client.get(f"/projects/{pid}/shots/{shot_id}/image")
    assert bare.headers["cache-control"] == "private, no-cache"
    again = client.get(
        f"/projects/{pid}/shots/{shot_id}/image", headers={"if-none-match": bare.headers["etag"]}
    )
    assert again.status_code == 304 and not again.content
    versioned = client.get(f"/projects/{pid}/shots/{shot_id}/image?v=123")
    assert versioned.headers["cache-control"] == "private, max-age=31536000, immutable"
    assert versioned.content == bare.content


@pytest.mark.parametrize(
    "path",
    [
        "/media/source.fountain",
        "/media/script.json",
        "/media/..%2Fsecret.key",
        "/media/%2E%2E%2F%2E%2E%2Fsecret.key",
        "/media/manifest.json",
        "/shots/..%2F..%2Fsecret.key/image",
        "/shots/9-99/image",
        "/shots/9-99",
    ],
)
def test_only_known_media_names_are_served(
    done: tuple[FastAPI, TestClient, str], path: str
) -> None:
    app, client, pid = done
    response = client.get(f"/projects/{pid}{path}")
    assert response.status_code == 404
    assert app.state.settings.secret_key().encode() not in response.content


def test_unknown_project_is_404(done: tuple[FastAPI, TestClient, str]) -> None:
    _, client, _ = done
    assert client.get("/projects/00000000-0000-0000-0000-000000000000").status_code == 404
    assert client.get("/projects/nonsense/job").status_code == 404


def test_review_notes_wait_for_a_plan(fresh: tuple[FastAPI, TestClient]) -> None:
    _, client = fresh
    pid = project_id(upload(client, "lighthouse.fountain", TINY_FOUNTAIN.encode(), "text/plain"))
    assert client.get(f"/projects/{pid}/notes.csv").status_code == 404  # queued, no plan yet
