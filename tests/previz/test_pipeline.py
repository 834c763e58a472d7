"""The whole pipeline: every deliverable, resuming from the cache, one-shot re-renders,
and a real process killed mid-render."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from previz.cli import app
from previz.config import PrevizConfig
from previz.pipeline import run
from render.model import load_render_set
from shots.model import load_plan
from tests.conftest import DATA

runner = CliRunner()
DELIVERABLES = (
    "script.json",
    "plan.json",
    "renders.json",
    "manifest.json",
    "animatic.mp4",
    "storyboard.pdf",
    "shotlist.csv",
    "shotlist.xlsx",
    "timeline.otio",
    "timeline.xml",
    "timeline.edl",
)
SMALL = PrevizConfig(long_side=320, audio=False)


@pytest.fixture(scope="module")
def spot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Brick & Steel as a 30-second spot, run once for the module's tests."""
    out = tmp_path_factory.mktemp("spot")
    run(DATA / "brick_and_steel.fountain", out, SMALL.model_copy(update={"target_duration_s": 30}))
    return out


def test_run_writes_every_deliverable(spot: Path) -> None:
    for name in DELIVERABLES:
        assert (spot / name).stat().st_size > 0, name
    manifest = json.loads((spot / "manifest.json").read_text())
    plan = load_plan(spot / "plan.json")
    assert manifest["shots"] == len(plan.shots) == 50
    assert manifest["rendered"] == 50
    assert manifest["runtime_s"] == pytest.approx(30.0, abs=1 / 24)
    assert set(manifest["stages"]) >= {"parse", "plan", "render", "animatic", "storyboard"}
    assert manifest["files"]["animatic"]["path"] == "animatic.mp4"
    assert len(manifest["files"]["animatic"]["sha256"]) == 64
    assert len(list((spot / "shots").glob("*.png"))) == 50


def test_second_run_renders_nothing(spot: Path) -> None:
    manifest = run(
        DATA / "brick_and_steel.fountain", spot, SMALL.model_copy(update={"target_duration_s": 30})
    )
    assert manifest.rendered == 0
    assert all(r.cached for r in load_render_set(spot / "renders.json").renders)


def test_edit_one_shot_render_it_alone_and_reassemble(spot: Path, tmp_path: Path) -> None:
    out = tmp_path / "edited"
    out.mkdir()
    for name in ("plan.json", "renders.json"):
        (out / name).write_bytes((spot / name).read_bytes())
    (out / "cache").symlink_to(spot / "cache", target_is_directory=True)
    data = json.loads((out / "plan.json").read_text())
    data["shots"][4]["size"] = "ECU"
    edited_id = data["shots"][4]["id"]
    (out / "plan.json").write_text(json.dumps(data))

    result = runner.invoke(app, ["render", str(out / "plan.json"), "--shot", edited_id])
    assert result.exit_code == 0, result.output
    assert "rendered 1 shot(s), 49 from the cache" in result.output
    renders = load_render_set(out / "renders.json")
    assert [r.shot_id for r in renders.renders if not r.cached] == [edited_id]

    result = runner.invoke(app, ["assemble", str(out / "plan.json"), "--no-audio"])
    assert result.exit_code == 0, result.output
    assert "0 rendered, 50 from cache" in result.output.replace("\n", " ")
    assert (out / "animatic.mp4").exists() and (out / "storyboard.pdf").exists()


def test_assemble_refuses_a_plan_with_unrendered_shots(spot: Path, tmp_path: Path) -> None:
    from previz.errors import AssemblyError
    from previz.pipeline import assemble

    plan = load_plan(spot / "plan.json")
    renders = load_render_set(spot / "renders.json")
    renders.renders = renders.renders[:-2]
    with pytest.raises(AssemblyError, match=r"shots not rendered yet: 8-06, 8-07"):
        assemble(plan, renders, tmp_path, SMALL)


def _cached_pngs(out: Path) -> list[Path]:
    return sorted(p for p in (out / "cache").rglob("*.png") if not p.name.startswith("."))


def test_killed_run_resumes_rendering_only_what_is_missing(tmp_path: Path) -> None:
    """kill -9 a real ``previz run`` mid-render; the next run renders only the rest."""
    out = tmp_path / "out"
    command = [
        sys.executable, "-m", "previz", "run", str(DATA / "the_last_birthday_card.fountain"),
        "-o", str(out), "-q", "--no-audio", "--target-duration", "20", "--long-side", "480",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while len(_cached_pngs(out)) < 15 and process.poll() is None:
        assert time.monotonic() < deadline, "the run never started rendering"
        time.sleep(0.05)
    assert process.poll() is None, f"finished before it could be killed: {process.stderr.read()}"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    time.sleep(0.5)  # render workers die with the run; let the kernel finish that

    survivors = _cached_pngs(out)
    for png in survivors:  # every file under its final name is whole
        with Image.open(png) as image:
            image.load()
    total = len(load_plan(out / "plan.json").shots)
    assert 15 <= len(survivors) < total
    assert not (out / "animatic.mp4").exists()

    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["rendered"] == total - len(survivors)
    assert len(_cached_pngs(out)) == total
    assert (out / "animatic.mp4").stat().st_size > 0
