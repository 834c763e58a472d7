"""The review app in a real browser: Debian's Chromium driven by Playwright.

One reviewer's session, as a producer would click it: sign in, upload a script, wait for
the pipeline, play the animatic, click a shot to seek, comment, approve, edit a shot's
size and see its new thumbnail after the re-render. The server is the real app (uvicorn,
the background job runner, SQLite) on a loopback port. Screenshots of each page are kept
in ``$PREVIZ_ARTIFACTS`` (default ``test-artifacts/``) as the test's artefacts.

Skipped where Chromium or Playwright is missing (``.ci/run`` installs Chromium).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = Path(os.environ.get("PREVIZ_ARTIFACTS", ROOT / "test-artifacts")) / "browser"
SCRIPT = ROOT / "tests" / "data" / "brick_and_steel.fountain"
TIMEOUT_MS = 180_000
"""Upper bound for a job on a loaded 2-core CI machine; a pass takes a few seconds."""

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason="Debian's chromium is not installed (apt-get install chromium)",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """The review app served by uvicorn on a thread, as ``previz serve`` serves it."""

    def __init__(self, data_dir: Path) -> None:
        import uvicorn

        from previz.web.app import create_app
        from previz.web.services.users import ensure_owner
        from previz.web.settings import WebSettings

        self.settings = WebSettings.from_options(
            data_dir=data_dir, run_overrides={"long_side": 480, "audio": False}
        )
        owner = ensure_owner(self.settings)
        assert owner is not None
        self.username, self.password = owner.username, owner.password
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            create_app(self.settings), host="127.0.0.1", port=self.port, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with LiveServer(tmp_path_factory.mktemp("web-data")) as live:
        yield live


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--autoplay-policy=no-user-gesture-required",
            ],
        )
        yield chromium
        chromium.close()


def _shot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _sign_in(page: object, server: LiveServer) -> None:
    page.goto(f"{server.url}/login")
    page.fill("input[name=username]", server.username)
    page.fill("input[name=password]", server.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/")


def _wait_for_job(page: object) -> None:
    """Wait until the page's job box says done (the page reloads itself when it finishes)."""
    page.wait_for_selector("#job-status[data-state=done]", timeout=TIMEOUT_MS)
    failed = page.query_selector("#job-error")
    assert failed is None, failed.inner_text()


def _video_state(page: object) -> dict[str, float]:
    return page.evaluate(
        "() => { const v = document.getElementById('animatic');"
        " return {time: v.currentTime, duration: v.duration, paused: v.paused,"
        " error: v.error ? v.error.code : 0, ready: v.readyState}; }"
    )


def test_review_session_in_chromium(server: LiveServer, browser: object) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    console_errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and console_errors.append(msg.text))
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.set_default_timeout(30_000)

    # Sign in and upload a script with the form.
    _sign_in(page, server)
    _shot(page, "01-projects")
    page.set_input_files("input[name=script]", str(SCRIPT))
    page.fill("input[name=title]", "Brick & Steel")
    page.select_option("select[name=planner]", "grammar")
    page.click("#new-project button[type=submit]")
    page.wait_for_url(f"{server.url}/projects/*")
    project_url = page.url.split("?")[0]
    _shot(page, "02-job-running")

    # The job runs in the background; the page follows it and reloads when it is done.
    _wait_for_job(page)
    assert any(url.endswith("/job/events") for url in requested), "progress by SSE"
    assert not any(url.endswith("/job") for url in requested), "no fallback to polling"
    page.wait_for_selector("#animatic")
    page.wait_for_function(
        "() => document.getElementById('animatic').readyState >= 1", timeout=30_000
    )
    _shot(page, "03-project")
    cards = page.query_selector_all(".shot-grid .shot[data-shot-id]")
    assert len(cards) > 10
    downloads = {a.inner_text().strip() for a in page.query_selector_all("#downloads a")}
    assert len(downloads) >= 6, downloads

    # Play: the animatic advances.
    page.evaluate("() => { const v = document.getElementById('animatic'); v.muted = true; }")
    page.evaluate("() => document.getElementById('animatic').play()")
    page.wait_for_function(
        "() => document.getElementById('animatic').currentTime > 0.5", timeout=30_000
    )
    state = _video_state(page)
    assert state["error"] == 0 and state["duration"] > 10

    # Click a shot thumbnail: the player seeks to it and highlights it.
    target = cards[6]
    shot_id = target.get_attribute("data-shot-id")
    start = float(target.get_attribute("data-start"))
    assert start > 1.0
    target.click()
    page.wait_for_function(
        f"() => Math.abs(document.getElementById('animatic').currentTime - {start}) < 1.5",
        timeout=30_000,
    )
    page.wait_for_selector(f".shot.playing[data-shot-id='{shot_id}']", timeout=10_000)
    page.evaluate("() => document.getElementById('animatic').pause()")
    _shot(page, "04-seeked")

    # Open the shot: comment and approve.
    page.goto(f"{project_url}/shots/{shot_id}")
    before = _image_digest(page, context)
    page.fill("#comment-form textarea[name=body]", "Can we go wider here? The room needs air.")
    page.click("#comment-form button[type=submit]")
    page.wait_for_selector(".comment:has-text('The room needs air')")
    page.click("#status-form button[value=approved]")
    page.wait_for_selector("#shot-status.approved")
    history = page.inner_text("#review-history")
    assert "approved" in history.lower() and server.username in history
    _shot(page, "05-shot-reviewed")

    # Edit the size and re-render: a new version, and a new thumbnail.
    current = page.eval_on_selector("#size", "el => el.value")
    new_size = "EWS" if current != "EWS" else "CU"
    page.select_option("#size", new_size)
    page.click("#edit-form button[type=submit]")
    page.wait_for_load_state()
    _wait_for_job(page)
    page.goto(f"{project_url}/shots/{shot_id}")
    assert page.eval_on_selector("#size", "el => el.value") == new_size
    after = _image_digest(page, context)
    assert after != before, "the thumbnail did not change after the re-render"
    _shot(page, "06-shot-edited")

    page.goto(f"{project_url}/versions")
    assert page.query_selector_all("text=/edited|Version 2|v2/i"), page.content()[:2000]
    _shot(page, "07-versions")

    page.goto(project_url)
    card = page.wait_for_selector(f"#card-{shot_id} .badge.approved")
    assert card is not None

    # The approval counts filter the grid: only the approved shot, and its scene.
    total = len(page.query_selector_all(".shot-card"))
    page.click(".status-filter[data-status=approved]")
    visible = page.query_selector_all(".shot-card:not([hidden])")
    assert [el.get_attribute("id") for el in visible] == [f"card-{shot_id}"]
    assert len(page.query_selector_all("section.scene:not([hidden])")) == 1
    assert page.evaluate("window.location.hash") == "#status=approved"
    _shot(page, "08-filtered")
    page.click(".status-filter[data-status='']")
    assert len(page.query_selector_all(".shot-card:not([hidden])")) == total
    assert not console_errors, console_errors
    context.close()


def _image_digest(page: object, context: object) -> str:
    """sha256 of the shot page's image as the browser's session fetches it."""
    src = page.get_attribute("#shot-image", "src")
    answer = context.request.get(page.url.split("/projects/")[0] + src)
    assert answer.ok, answer.status
    return hashlib.sha256(answer.body()).hexdigest()
