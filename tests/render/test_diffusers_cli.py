"""``previz run --backend diffusers-image`` / ``diffusers-video`` end to end on tiny models,
the lazy imports that keep ``previz --help`` and the sketch path free of torch, and the
option plumbing from the command line to the backend."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from previz.cli import app
from render.model import load_render_set
from tests.conftest import DATA

runner = CliRunner()
SCRIPT = DATA / "utf8_bom.fountain"
"""Six shots in two scenes: the smallest corpus script."""


def run(backend: str, model: Path, out: Path, *extra: str) -> None:
    args = ["run", str(SCRIPT), "-o", str(out), "--backend", backend, "--model", str(model)]
    args += ["--device", "cpu", "--long-side", "64", "--no-audio", "-p", "grammar", "-q", *extra]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output + repr(result.exception)


def test_run_with_the_image_backend_makes_every_deliverable(tiny_sd: Path, tmp_path: Path) -> None:
    run("diffusers-image", tiny_sd, tmp_path)
    for name in ("animatic.mp4", "storyboard.pdf", "shotlist.csv", "timeline.otio"):
        assert (tmp_path / name).stat().st_size > 0, name
    renders = load_render_set(tmp_path / "renders.json")
    assert renders.backend == "diffusers-image"
    assert renders.backend_settings["model"]  # the folder's fingerprint is in the cache key
    assert len(renders.renders) == 6 and all(r.kind == "still" for r in renders.renders)
    with Image.open(tmp_path / renders.renders[0].path) as still:
        assert still.size == (renders.width, renders.height) == (64, 36)
        assert str(tiny_sd.resolve()) in json.dumps(still.text)  # provenance: the model id
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["rendered"] == 6

    run("diffusers-image", tiny_sd, tmp_path)
    assert json.loads((tmp_path / "manifest.json").read_text())["rendered"] == 0


def test_run_with_the_video_backend_makes_clips_and_the_animatic(
    tiny_ltx: Path, tmp_path: Path
) -> None:
    run("diffusers-video", tiny_ltx, tmp_path, "-t", "3", "--steps", "2")
    renders = load_render_set(tmp_path / "renders.json")
    assert renders.backend == "diffusers-video"
    assert all(r.kind == "clip" and r.path.endswith(".mp4") for r in renders.renders)
    for name in ("animatic.mp4", "storyboard.pdf"):
        assert (tmp_path / name).stat().st_size > 0, name


def test_a_missing_model_is_a_one_line_error_with_the_pull_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    for model, expected in (
        ("nobody/absent-model", "previz models pull nobody/absent-model"),
        (str(tmp_path / "nowhere"), "no model folder"),
    ):
        args = ["run", str(SCRIPT), "-o", str(tmp_path), "-b", "diffusers-image"]
        args += ["--model", model, "--device", "cpu", "-q", "--no-audio", "-p", "grammar"]
        result = runner.invoke(app, args)
        assert result.exit_code == 1
        assert expected in result.output
        assert len(result.output.strip().splitlines()) == 1


def test_cli_and_sketch_path_do_not_import_torch() -> None:
    code = (
        "import sys, previz.cli, render.stage, render.base\n"
        "from render.stage import get_backend\n"
        "get_backend('sketch')\n"
        "from render.base import BACKENDS\n"
        "assert {'diffusers-image', 'diffusers-video'} <= set(BACKENDS.names())\n"
        "heavy = sorted(m for m in ('torch', 'diffusers', 'transformers') if m in sys.modules)\n"
        "print(','.join(heavy) or 'none')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "none"
    help_text = subprocess.run(
        [sys.executable, "-m", "previz.cli", "run", "--help"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    assert "--device" in help_text and "--model" in help_text
