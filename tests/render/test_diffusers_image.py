"""The diffusers-image backend on a tiny random Stable Diffusion pipeline, loaded from a
saved folder through the backend's own loader: sizes, seeds, batches, OOM, the cache."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from PIL import Image

from previz.errors import BackendUnavailableError, RenderError
from render._diffusers_load import apply_speedups
from render._diffusers_prompt import fit_size, shot_prompt
from render.base import RenderRequest
from render.diffusers_image import DiffusersImageBackend
from render.stage import get_backend, render_plan
from shots.model import CharacterRef, PlannerInfo, Shot, ShotPlan, Style

STYLE = Style(name="test", negative=["text", "watermark"], prompt_suffix="storyboard frame")
BIBLE = (
    CharacterRef(name="MARGOT", description="40s, oilskin coat, tired eyes", seed=11),
    CharacterRef(name="TOMAS", description="70s, white beard", seed=12),
)


def make_shot(number: int = 1, **fields: Any) -> Shot:
    base: dict[str, Any] = dict(
        id=f"1-{number:02d}",
        scene_id="sc001",
        scene_number="1",
        size="MS",
        duration_s=2.0,
        subjects=["MARGOT"],
        description=f"Margot climbs the stairs, beat {number}.",
        prompt=f"pencil storyboard, medium shot, Margot climbs the stairs, beat {number}",
        seed=100 + number,
    )
    return Shot(**{**base, **fields})


def request(shot: Shot, width: int = 72, height: int = 40) -> RenderRequest:
    return RenderRequest(shot=shot, style=STYLE, width=width, height=height, characters=BIBLE)


def plan(shots: list[Shot]) -> ShotPlan:
    return ShotPlan(
        script_sha256="0" * 64,
        style=STYLE,
        characters=list(BIBLE),
        shots=shots,
        planner=PlannerInfo(name="test"),
    )


def pixels(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"), dtype=np.int16)


def backend(folder: Path, **options: Any) -> DiffusersImageBackend:
    return DiffusersImageBackend.from_pretrained(
        str(folder), device="cpu", steps=2, max_long_side=64, **options
    )


class OomAbove:
    """The real tiny pipeline, whose allocator 'runs out' on batches above ``limit``
    (or on every call from the ``fail_from``-th on, or on prompts with ``fail_on``)."""

    def __init__(self, pipe: Any, limit: int = 99, fail_from: int | None = None) -> None:
        self.pipe, self.limit, self.fail_from = pipe, limit, fail_from
        self.fail_on: str | None = None
        """Also 'out of memory' on any batch with a prompt containing this."""
        self.batches: list[int] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.pipe, name)

    def __call__(self, **kwargs: Any) -> Any:
        size = len(kwargs["prompt"])
        self.batches.append(size)
        doomed = self.fail_on is not None and any(self.fail_on in p for p in kwargs["prompt"])
        if doomed or size > self.limit or (self.fail_from and len(self.batches) >= self.fail_from):
            raise torch.OutOfMemoryError("CUDA out of memory (simulated)")
        return self.pipe(**kwargs)


def test_still_has_exactly_the_requested_size(tiny_sd: Path, tmp_path: Path) -> None:
    dest = tmp_path / "a.png"
    backend(tiny_sd).render(request(make_shot(), 70, 38), dest)
    with Image.open(dest) as image:
        assert image.size == (70, 38)
        assert image.mode == "RGB"
        assert np.asarray(image).std() > 1  # a picture, not a blank frame


def test_fixed_seed_is_deterministic_across_a_reload(tiny_sd: Path, tmp_path: Path) -> None:
    backend(tiny_sd).render(request(make_shot()), tmp_path / "a.png")
    backend(tiny_sd).render(request(make_shot()), tmp_path / "b.png")
    assert np.array_equal(pixels(tmp_path / "a.png"), pixels(tmp_path / "b.png"))


def test_different_seeds_give_different_pictures(tiny_sd: Path, tmp_path: Path) -> None:
    backend_ = backend(tiny_sd)
    backend_.render(request(make_shot(seed=1)), tmp_path / "a.png")
    backend_.render(request(make_shot(seed=2)), tmp_path / "b.png")
    assert np.abs(pixels(tmp_path / "a.png") - pixels(tmp_path / "b.png")).mean() > 2


def test_a_shot_looks_the_same_alone_and_in_a_batch(tiny_sd: Path, tmp_path: Path) -> None:
    shots = [make_shot(n) for n in (1, 2, 3)]
    batched = backend(tiny_sd, batch_size=3)
    wrapped = OomAbove(batched.pipe)
    batched._pipe = wrapped
    batched.render_batch([request(s) for s in shots], [tmp_path / f"b{n}.png" for n in (1, 2, 3)])
    assert wrapped.batches == [3]
    single = backend(tiny_sd)
    for n, shot in zip((1, 2, 3), shots, strict=True):
        single.render(request(shot), tmp_path / f"s{n}.png")
        difference = np.abs(pixels(tmp_path / f"b{n}.png") - pixels(tmp_path / f"s{n}.png"))
        assert difference.max() <= 2, n


def test_out_of_memory_halves_the_batch_and_finishes(tiny_sd: Path, tmp_path: Path) -> None:
    backend_ = backend(tiny_sd, batch_size=4)
    wrapped = OomAbove(backend_.pipe, limit=1)
    backend_._pipe = wrapped
    dests = [tmp_path / f"{n}.png" for n in range(4)]
    backend_.render_batch([request(make_shot(n + 1)) for n in range(4)], dests)
    assert wrapped.batches == [4, 2, 1, 1, 1, 1]
    assert all(dest.stat().st_size > 0 for dest in dests)
    assert backend_.batch_limit(72, 40) == 1  # the next batch starts where memory sufficed


def test_out_of_memory_alone_names_the_shot_and_keeps_finished_shots(
    tiny_sd: Path, tmp_path: Path
) -> None:
    shots = [make_shot(n) for n in (1, 2, 3, 4)]
    failing = backend(tiny_sd, batch_size=1)
    failing._pipe = OomAbove(failing.pipe, fail_from=3)
    with pytest.raises(RenderError, match="1-03"):
        render_plan(plan(shots), failing, tmp_path, long_side=72)
    assert failing.offloaded is False  # nothing to offload to on the CPU
    assert len(list((tmp_path / "cache").glob("*/*.png"))) == 2

    again = backend(tiny_sd, batch_size=1)
    renders = render_plan(plan(shots), again, tmp_path, long_side=72)
    assert [r.cached for r in renders.renders] == [True, True, False, False]


def test_a_failing_batch_keeps_the_shots_it_finished(tiny_sd: Path, tmp_path: Path) -> None:
    shots = [make_shot(n) for n in (1, 2, 3, 4)]
    failing = backend(tiny_sd, batch_size=2)
    wrapped = OomAbove(failing.pipe)
    wrapped.fail_on = "beat 4"
    failing._pipe = wrapped
    with pytest.raises(RenderError, match="1-04"):
        render_plan(plan(shots), failing, tmp_path, long_side=72)
    assert wrapped.batches == [2, 2, 1, 1]  # 1-2 done; 3-4 fails, halved: 3 done, 4 fails
    assert len(list((tmp_path / "cache").glob("*/*.png"))) == 3
    assert not list((tmp_path / "cache").glob(".batch-*"))  # no scratch left behind


def test_rerun_takes_every_shot_from_the_cache_without_loading(
    tiny_sd: Path, tmp_path: Path
) -> None:
    shots = [make_shot(n) for n in (1, 2)]
    first = render_plan(plan(shots), backend(tiny_sd), tmp_path, long_side=72)
    assert not any(r.cached for r in first.renders)
    rerun = backend(tiny_sd)
    second = render_plan(plan(shots), rerun, tmp_path, long_side=72)
    assert all(r.cached for r in second.renders)
    assert rerun._pipe is None  # cached shots never load the weights
    with Image.open(tmp_path / second.renders[0].path) as image:
        assert image.size == (72, 40)


def test_cuda_speed_settings_leave_the_picture_alone(tiny_sd: Path, tmp_path: Path) -> None:
    fast = backend(tiny_sd, batch_size=2)
    apply_speedups(fast.pipe, "cuda")  # channels_last and VAE slicing work on CPU tensors too
    assert fast.pipe.vae.use_slicing
    assert fast.pipe.unet.conv_in.weight.is_contiguous(memory_format=torch.channels_last)
    shots = [make_shot(1), make_shot(2)]
    fast.render_batch([request(s) for s in shots], [tmp_path / "f1.png", tmp_path / "f2.png"])
    plain = backend(tiny_sd)
    for n, shot in zip((1, 2), shots, strict=True):
        plain.render(request(shot), tmp_path / f"p{n}.png")
        assert np.abs(pixels(tmp_path / f"f{n}.png") - pixels(tmp_path / f"p{n}.png")).max() <= 2


def test_settings_follow_model_steps_and_guidance(tiny_sd: Path) -> None:
    base = backend(tiny_sd).settings()
    assert base["model"] and base["dtype"] == "float32" and base["steps"] == 2
    assert backend(tiny_sd).settings() == base
    assert DiffusersImageBackend.from_pretrained(str(tiny_sd), device="cpu").settings() != base
    assert backend(tiny_sd, guidance=2.0).settings() != base


def test_registered_and_built_from_run_options(tiny_sd: Path) -> None:
    built = get_backend("diffusers-image", model=str(tiny_sd), device="cpu", steps=3)
    assert isinstance(built, DiffusersImageBackend)
    assert built.steps == 3
    assert get_backend("sketch", model="ignored").name == "sketch"


def test_missing_model_names_it_and_the_pull_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))
    with pytest.raises(BackendUnavailableError) as info:
        DiffusersImageBackend.from_pretrained("nobody/no-such-model", device="cpu")
    assert "nobody/no-such-model" in str(info.value)
    assert "previz models pull nobody/no-such-model" in str(info.value)
    with pytest.raises(BackendUnavailableError, match=r"model_index\.json"):
        DiffusersImageBackend.from_pretrained(str(tmp_path), device="cpu")


def test_prompt_carries_the_bible_and_the_style() -> None:
    prompt = shot_prompt(request(make_shot(subjects=["MARGOT", "TOMAS"])))
    assert prompt.prompt.startswith("pencil storyboard, medium shot")
    assert "40s, oilskin coat, tired eyes" in prompt.prompt
    assert "Tomas (70s, white beard)" in prompt.prompt
    assert "storyboard frame" in prompt.prompt
    assert "watermark" in prompt.negative_prompt
    assert prompt.seed == 101
    rebuilt = shot_prompt(request(make_shot(prompt="")))
    assert "Margot climbs the stairs" in rebuilt.prompt and "oilskin" in rebuilt.prompt


def test_generation_size_keeps_the_aspect_on_the_model_grid() -> None:
    assert fit_size(1280, 720, multiple=8, max_long_side=768) == (768, 432)
    assert fit_size(1280, 536, multiple=64, max_long_side=768) == (768, 320)
    assert fit_size(20, 10, multiple=32, max_long_side=768) == (32, 32)
