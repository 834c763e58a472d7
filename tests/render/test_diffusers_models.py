"""Model weights on disk: ``previz models pull`` / ``list`` and loading a hub id from the local
Hugging Face cache, against a cache folder laid out as huggingface_hub lays it out (no network)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from previz.cli import app
from previz.models import list_models, pull_model
from render._diffusers_load import DEFAULT_IMAGE_MODEL, KNOWN_MODELS, locate_model
from render.diffusers_image import DiffusersImageBackend

runner = CliRunner()
COMMIT = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty HF cache folder that huggingface_hub uses for the test."""
    import huggingface_hub.constants

    cache = tmp_path / "hub"
    cache.mkdir()
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(cache))
    return cache


def cache_model(hub: Path, repo_id: str, folder: Path) -> Path:
    """Put ``folder`` into the cache as ``repo_id`` at :data:`COMMIT` (blobs + symlinks)."""
    repo = hub / f"models--{repo_id.replace('/', '--')}"
    snapshot = repo / "snapshots" / COMMIT
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            blob = repo / "blobs" / f"{abs(hash(path.relative_to(folder).as_posix())):x}"
            blob.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, blob)
            link = snapshot / path.relative_to(folder)
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(blob)
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(COMMIT)
    return snapshot


def test_a_hub_id_loads_from_the_local_cache(hub: Path, tiny_sd: Path, tmp_path: Path) -> None:
    snapshot = cache_model(hub, "previz-test/tiny-sd", tiny_sd)
    source = locate_model("previz-test/tiny-sd")
    assert source.folder == snapshot
    assert source.fingerprint == f"previz-test/tiny-sd@{COMMIT}"
    backend = DiffusersImageBackend.from_pretrained("previz-test/tiny-sd", device="cpu")
    assert backend.settings()["model"] == f"previz-test/tiny-sd@{COMMIT}"
    from render.base import RenderRequest
    from shots.model import Shot, Style

    shot = Shot(id="1-01", scene_id="s", scene_number="1", size="WS", duration_s=1, prompt="sea")
    dest = tmp_path / "a.png"
    backend.render(RenderRequest(shot=shot, style=Style(name="t"), width=40, height=24), dest)
    assert dest.stat().st_size > 0


def test_list_says_which_known_models_are_present(hub: Path, tiny_sd: Path) -> None:
    cache_model(hub, DEFAULT_IMAGE_MODEL, tiny_sd)
    cache_model(hub, "someone/other-pipeline", tiny_sd)
    rows = {row.repo_id: row for row in list_models()}
    assert set(KNOWN_MODELS) <= set(rows)
    assert rows[DEFAULT_IMAGE_MODEL].present and rows[DEFAULT_IMAGE_MODEL].default
    assert rows[DEFAULT_IMAGE_MODEL].size_bytes > 0
    assert not rows["Lightricks/LTX-Video"].present
    assert rows["someone/other-pipeline"].present and rows["someone/other-pipeline"].kind == "?"
    result = runner.invoke(app, ["models", "list"])
    assert result.exit_code == 0
    assert "previz models pull Lightricks/LTX-Video" in " ".join(result.output.split())


def test_list_with_no_cache_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "absent"))
    assert not any(row.present for row in list_models())


def test_pull_downloads_only_the_diffusers_folders(
    hub: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import huggingface_hub

    calls: list[dict[str, Any]] = []

    def fake_download(repo_id: str, **kwargs: Any) -> str:
        calls.append({"repo_id": repo_id, **kwargs})
        return str(hub / "snapshot")

    monkeypatch.setattr(huggingface_hub, "snapshot_download", fake_download)
    assert pull_model("Lightricks/LTX-Video") == hub / "snapshot"
    patterns = calls[0]["allow_patterns"]
    assert "model_index.json" in patterns and "*/*" in patterns
    assert "ltx-video-2b-v0.9.safetensors" not in [p for p in patterns if "*" not in p]

    result = runner.invoke(app, ["models", "pull", "org/any-model"])
    assert result.exit_code == 0, result.output
    assert calls[1] == {"repo_id": "org/any-model", "revision": None, "allow_patterns": None}


def test_pull_failure_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub

    def offline(repo_id: str, **kwargs: Any) -> str:
        raise OSError("network is unreachable")

    monkeypatch.setattr(huggingface_hub, "snapshot_download", offline)
    result = runner.invoke(app, ["models", "pull", "stabilityai/sd-turbo"])
    assert result.exit_code == 1
    assert "cannot download 'stabilityai/sd-turbo'" in result.output
    assert "network is unreachable" in result.output
