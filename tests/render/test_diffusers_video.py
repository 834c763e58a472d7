"""The diffusers-video backend on a tiny random LTX-Video pipeline, loaded from a saved
folder through the backend's own loader: frame counts, sizes, seeds, long shots, OOM."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from imageio_ffmpeg import read_frames

from previz.errors import RenderError
from render.base import RenderRequest
from render.diffusers_image import DiffusersImageBackend
from render.diffusers_video import ClipNote, DiffusersVideoBackend, clip_frames
from render.stage import render_plan
from shots.model import PlannerInfo, Shot, ShotPlan, Style

STYLE = Style(name="test")
FPS = 8


def make_shot(duration_s: float = 1.0, seed: int = 5, **fields: Any) -> Shot:
    base: dict[str, Any] = dict(
        id="2-01",
        scene_id="sc002",
        scene_number="2",
        size="WS",
        duration_s=duration_s,
        prompt="a lighthouse in the rain, wide shot",
        seed=seed,
    )
    return Shot(**{**base, **fields})


def request(shot: Shot, width: int = 70, height: int = 38) -> RenderRequest:
    return RenderRequest(shot=shot, style=STYLE, width=width, height=height)


def backend(folder: Path, **options: Any) -> DiffusersVideoBackend:
    defaults: dict[str, Any] = dict(device="cpu", steps=2, fps=FPS, max_frames=17)
    return DiffusersVideoBackend.from_pretrained(str(folder), **{**defaults, **options})


def decode(path: Path) -> tuple[dict[str, Any], np.ndarray]:
    reader = read_frames(str(path))
    meta = next(reader)
    width, height = meta["size"]
    frames = [np.frombuffer(f, np.uint8).reshape(height, width, 3) for f in reader]
    return meta, np.stack(frames).astype(np.int16)


@pytest.mark.parametrize(
    ("duration", "fps", "step", "longest", "expected"),
    [
        (2.0, 24, 8, 257, (49, False)),
        (2.1, 24, 8, 257, (57, False)),
        (0.1, 24, 8, 257, (9, False)),
        (5.0, 16, 4, 81, (81, False)),
        (20.0, 24, 8, 161, (161, True)),
        (20.0, 24, 8, 160, (153, True)),
    ],
)
def test_clip_frames_cover_the_shot_in_the_models_steps(
    duration: float, fps: int, step: int, longest: int, expected: tuple[int, bool]
) -> None:
    assert clip_frames(duration, fps, step, longest) == expected


def test_clip_has_the_requested_size_length_and_rate(tiny_ltx: Path, tmp_path: Path) -> None:
    dest = tmp_path / "a.mp4"
    backend(tiny_ltx).render(request(make_shot(1.0)), dest)
    meta, frames = decode(dest)
    assert meta["size"] == (70, 38)
    assert meta["fps"] == pytest.approx(FPS)
    assert len(frames) == 9  # 1 s at 8 fps, snapped up to 8k+1
    assert frames.std() > 1


def test_fixed_seed_is_deterministic_across_a_reload(tiny_ltx: Path, tmp_path: Path) -> None:
    backend(tiny_ltx).render(request(make_shot()), tmp_path / "a.mp4")
    backend(tiny_ltx).render(request(make_shot()), tmp_path / "b.mp4")
    backend(tiny_ltx).render(request(make_shot(seed=6)), tmp_path / "c.mp4")
    a, b, c = (decode(tmp_path / f"{n}.mp4")[1] for n in "abc")
    assert np.array_equal(a, b)
    assert np.abs(a - c).mean() > 2


def test_long_shot_gets_the_longest_clip_and_a_note(tiny_ltx: Path, tmp_path: Path) -> None:
    backend_ = backend(tiny_ltx)
    with pytest.warns(ClipNote, match="2-01"):
        backend_.render(request(make_shot(5.0)), tmp_path / "a.mp4")
    assert len(decode(tmp_path / "a.mp4")[1]) == 17
    assert "holds its last frame" in backend_.notes[0]


class OomTimes:
    """The real tiny pipeline, 'out of memory' on its first ``times`` calls."""

    def __init__(self, pipe: Any, times: int) -> None:
        self.pipe, self.times, self.calls = pipe, times, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.pipe, name)

    def __call__(self, **kwargs: Any) -> Any:
        self.calls += 1
        if self.calls <= self.times:
            raise torch.OutOfMemoryError("CUDA out of memory (simulated)")
        return self.pipe(**kwargs)


def test_out_of_memory_tiles_the_vae_and_retries(tiny_ltx: Path, tmp_path: Path) -> None:
    backend_ = backend(tiny_ltx)
    backend_._pipe = OomTimes(backend_.pipe, 1)
    backend_.render(request(make_shot()), tmp_path / "a.mp4")
    assert backend_.pipe.vae.use_tiling
    assert decode(tmp_path / "a.mp4")[0]["size"] == (70, 38)


def test_out_of_memory_with_every_fallback_names_the_shot(tiny_ltx: Path, tmp_path: Path) -> None:
    backend_ = backend(tiny_ltx)
    backend_._pipe = OomTimes(backend_.pipe, 99)
    shots = [make_shot(id="2-01"), make_shot(id="2-02")]
    plan = ShotPlan(
        script_sha256="0" * 64, style=STYLE, shots=shots, planner=PlannerInfo(name="test")
    )
    with pytest.raises(RenderError, match="2-01"):
        render_plan(plan, backend_, tmp_path, long_side=70)
    assert not list((tmp_path / "cache").glob("*/*.mp4"))


def test_clips_can_start_from_the_image_backends_still(
    tiny_ltx: Path, tiny_sd: Path, tmp_path: Path
) -> None:
    from_still = backend(tiny_ltx, still_model=str(tiny_sd))
    settings = from_still.settings()
    image_backend = DiffusersImageBackend.from_pretrained(str(tiny_sd), device="cpu")
    assert settings["still"] == {"backend": "diffusers-image", **image_backend.settings()}
    from_still.render(request(make_shot()), tmp_path / "i2v.mp4")
    from_still.render(request(make_shot()), tmp_path / "i2v-again.mp4")
    backend(tiny_ltx).render(request(make_shot()), tmp_path / "t2v.mp4")
    i2v, again, t2v = (decode(tmp_path / f"{n}.mp4")[1] for n in ("i2v", "i2v-again", "t2v"))
    assert i2v.shape == t2v.shape == (9, 38, 70, 3)
    assert np.array_equal(i2v, again)
    assert np.abs(i2v - t2v).mean() > 2  # the still conditions the clip
    assert settings != backend(tiny_ltx).settings()  # so it is in the cache key
