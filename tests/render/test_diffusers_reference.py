"""Per-character reference images through an IP-Adapter, on the tiny SD pipeline and a
tiny random IP-Adapter loaded from saved folders through the backend's own loader."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from previz.errors import BackendUnavailableError, RenderError
from render.diffusers_image import DiffusersImageBackend
from render.stage import get_backend, render_plan
from shots.model import CharacterRef, PlannerInfo, Shot, ShotPlan, Style

STYLE = Style(name="test", negative=["text"], prompt_suffix="storyboard frame")


def bible(margot: str | None = "refs/margot.png", tomas: str | None = None) -> list[CharacterRef]:
    return [
        CharacterRef(name="MARGOT", description="oilskin coat", seed=11, reference_image=margot),
        CharacterRef(name="TOMAS", description="white beard", seed=12, reference_image=tomas),
    ]


def shot(number: int, *subjects: str) -> Shot:
    return Shot(
        id=f"1-{number:02d}",
        scene_id="sc001",
        scene_number="1",
        size="MS",
        duration_s=2.0,
        subjects=list(subjects),
        prompt=f"pencil storyboard, medium shot, on the stairs, beat {number}",
        seed=100 + number,
    )


def plan(shots: list[Shot], characters: list[CharacterRef]) -> ShotPlan:
    return ShotPlan(
        script_sha256="0" * 64,
        style=STYLE,
        characters=characters,
        shots=shots,
        planner=PlannerInfo(name="test"),
    )


def backend(model: Path, root: Path, ip_adapter: str | None, **options: Any) -> Any:
    return get_backend(
        "diffusers-image",
        model=str(model),
        device="cpu",
        steps=2,
        ip_adapter=ip_adapter,
        reference_root=root,
        **options,
    )


def paint(path: Path, colour: tuple[int, int, int]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", (48, 48), colour)
    image.paste((255 - colour[0], colour[1], 255 - colour[2]), (8, 8, 30, 40))
    image.save(path)
    return path


def pixels(folder: Path, shot_id: str) -> np.ndarray:
    with Image.open(folder / "shots" / f"{shot_id}.png") as image:
        return np.asarray(image.convert("RGB"), dtype=np.int16)


def render(folder: Path, shots: list[Shot], chars: list[CharacterRef], backend_: Any) -> Any:
    return render_plan(plan(shots, chars), backend_, folder, long_side=64)


def test_a_reference_changes_its_shots_deterministically(
    tiny_sd: Path, tiny_ip_adapter: str, tmp_path: Path
) -> None:
    paint(tmp_path / "refs" / "margot.png", (200, 40, 40))
    shots = [shot(1, "MARGOT"), shot(2, "TOMAS")]
    plain = render(tmp_path / "plain", shots, bible(), backend(tiny_sd, tmp_path, None))
    first = render(tmp_path / "a", shots, bible(), backend(tiny_sd, tmp_path, tiny_ip_adapter))
    again = render(tmp_path / "b", shots, bible(), backend(tiny_sd, tmp_path, tiny_ip_adapter))

    difference = np.abs(pixels(tmp_path / "a", "1-01") - pixels(tmp_path / "plain", "1-01"))
    assert difference.mean() > 1  # the reference steers Margot's shot
    assert np.array_equal(pixels(tmp_path / "a", "1-01"), pixels(tmp_path / "b", "1-01"))
    # Tomas has no reference: the adapter (at scale 0) leaves his shot and its key alone
    assert np.array_equal(pixels(tmp_path / "a", "1-02"), pixels(tmp_path / "plain", "1-02"))
    keys = {r.shot_id: r.cache_key for r in plain.renders}
    assert first.renders[1].cache_key == keys["1-02"]
    assert first.renders[0].cache_key != keys["1-01"]
    assert [r.cache_key for r in again.renders] == [r.cache_key for r in first.renders]


def test_changing_a_reference_image_rerenders_only_that_characters_shots(
    tiny_sd: Path, tiny_ip_adapter: str, tmp_path: Path
) -> None:
    image = paint(tmp_path / "refs" / "margot.png", (200, 40, 40))
    shots = [shot(1, "MARGOT"), shot(2, "TOMAS"), shot(3, "TOMAS", "MARGOT")]
    chars = bible(tomas=str(paint(tmp_path / "tomas.png", (30, 160, 60))))  # absolute
    first = render(tmp_path, shots, chars, backend(tiny_sd, tmp_path, tiny_ip_adapter))
    before = pixels(tmp_path, "1-01")
    paint(image, (20, 40, 220))
    second = render(tmp_path, shots, chars, backend(tiny_sd, tmp_path, tiny_ip_adapter))

    assert [r.cached for r in second.renders] == [False, True, False]
    assert second.renders[0].cache_key != first.renders[0].cache_key
    assert np.abs(pixels(tmp_path, "1-01") - before).mean() > 1


class Recording:
    """The real pipeline, recording how many prompts each call had."""

    def __init__(self, pipe: Any) -> None:
        self.pipe, self.batches = pipe, []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.pipe, name)

    def __call__(self, **kwargs: Any) -> Any:
        self.batches.append(len(kwargs["prompt"]))
        return self.pipe(**kwargs)


def test_shots_batch_by_reference_images_and_look_as_alone(
    tiny_sd: Path, tiny_ip_adapter: str, tmp_path: Path
) -> None:
    paint(tmp_path / "refs" / "margot.png", (200, 40, 40))
    chars = bible(tomas=str(paint(tmp_path / "tomas.png", (30, 160, 60))))
    shots = [shot(1, "MARGOT"), shot(2), shot(3, "TOMAS"), shot(4, "MARGOT", "TOMAS")]
    shots.append(shot(5, "MARGOT"))
    for guidance in (0.0, 2.0):  # with guidance the unconditional embeddings go first
        batched = backend(tiny_sd, tmp_path, tiny_ip_adapter, batch_size=8, guidance=guidance)
        batched._pipe = recording = Recording(batched.pipe)
        render(tmp_path / f"batch{guidance}", shots, chars, batched)
        assert recording.batches == [2, 1, 1, 1]  # Margot's two shots share a call
        alone = backend(tiny_sd, tmp_path, tiny_ip_adapter, batch_size=1, guidance=guidance)
        render(tmp_path / f"alone{guidance}", shots, chars, alone)
        for one in shots:
            a = pixels(tmp_path / f"batch{guidance}", one.id)
            b = pixels(tmp_path / f"alone{guidance}", one.id)
            assert np.abs(a - b).max() <= 2, (guidance, one.id)
    margot_only = backend(tiny_sd, tmp_path, tiny_ip_adapter)
    render(tmp_path / "one", [shot(4, "MARGOT", "TOMAS")], bible(), margot_only)
    both = pixels(tmp_path / "alone0.0", "1-04")
    assert np.abs(both - pixels(tmp_path / "one", "1-04")).mean() > 1  # Tomas's counts too


def test_an_unreadable_reference_names_the_character_and_the_file(
    tiny_sd: Path, tiny_ip_adapter: str, tmp_path: Path
) -> None:
    backend_ = backend(tiny_sd, tmp_path, tiny_ip_adapter)
    with pytest.raises(RenderError, match="MARGOT") as info:
        render(tmp_path, [shot(1, "MARGOT")], bible("refs/nope.png"), backend_)
    assert "refs/nope.png" in str(info.value)
    (tmp_path / "refs").mkdir()
    (tmp_path / "refs" / "broken.png").write_bytes(b"not a png")
    with pytest.raises(RenderError, match="MARGOT") as info:
        render(tmp_path, [shot(1, "MARGOT")], bible("refs/broken.png"), backend_)
    assert "broken.png" in str(info.value)


def test_references_are_ignored_without_an_adapter(tiny_sd: Path, tmp_path: Path) -> None:
    renders = render(
        tmp_path, [shot(1, "MARGOT")], bible("refs/nope.png"), backend(tiny_sd, tmp_path, None)
    )
    assert not renders.renders[0].cached


def test_missing_ip_adapter_names_it_and_the_pull_command(
    tiny_sd: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))
    with pytest.raises(BackendUnavailableError) as info:
        DiffusersImageBackend.from_pretrained(
            str(tiny_sd), device="cpu", ip_adapter="h94/IP-Adapter"
        )
    assert "previz models pull h94/IP-Adapter" in str(info.value)
    (tmp_path / "adapter" / "models").mkdir(parents=True)
    with pytest.raises(BackendUnavailableError, match=r"models/ip-adapter_sd15\.bin"):
        DiffusersImageBackend.from_pretrained(
            str(tiny_sd), device="cpu", ip_adapter=str(tmp_path / "adapter")
        )


def test_run_settings_reach_the_backend_and_images_resolve_beside_the_plan(
    tiny_sd: Path, tiny_ip_adapter: str, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from previz.cli import app
    from previz.config import PrevizConfig
    from previz.pipeline import render_shots

    project = tmp_path / "project"
    paint(project / "refs" / "margot.png", (200, 40, 40))
    shots = plan([shot(1, "MARGOT")], bible())
    config = PrevizConfig(
        backend="diffusers-image",
        model=str(tiny_sd),
        device="cpu",
        steps=2,
        long_side=64,
        ip_adapter=tiny_ip_adapter,
        ip_adapter_scale=0.8,
    )
    renders = render_shots(shots, tmp_path / "out", config, plan_dir=project)
    assert (tmp_path / "out" / renders.renders[0].path).stat().st_size > 0
    plain = render_shots(shots, tmp_path / "out", config.model_copy(update={"ip_adapter": None}))
    assert plain.renders[0].cache_key != renders.renders[0].cache_key

    (project / "plan.json").write_text(shots.model_dump_json())
    (project / "refs" / "margot.png").unlink()
    args = ["render", str(project / "plan.json"), "-o", str(tmp_path / "out")]
    args += ["-b", "diffusers-image", "-m", str(tiny_sd), "--device", "cpu"]
    result = CliRunner().invoke(app, [*args, "--ip-adapter", tiny_ip_adapter])
    assert result.exit_code == 1
    assert "MARGOT" in result.output
    assert "project/refs/margot.png" in result.output.replace("\n", "")  # beside the plan


def test_an_adapter_in_the_hub_cache_loads_by_id_and_is_listed(
    tiny_sd: Path, tiny_ip_adapter: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import huggingface_hub.constants

    from previz.models import list_models
    from tests.render.test_diffusers_models import COMMIT, cache_model

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    assert not {r.repo_id: r for r in list_models()}["h94/IP-Adapter"].present
    cache_model(tmp_path / "hub", "h94/IP-Adapter", Path(tiny_ip_adapter.rpartition(":")[0]))
    assert {r.repo_id: r for r in list_models()}["h94/IP-Adapter"].present

    paint(tmp_path / "refs" / "margot.png", (200, 40, 40))
    spec = "h94/IP-Adapter:models/ip-adapter_tiny.bin"
    renders = render(tmp_path, [shot(1, "MARGOT")], bible(), backend(tiny_sd, tmp_path, spec))
    assert not renders.renders[0].cached
    assert backend(tiny_sd, tmp_path, spec).ip_adapter.fingerprint == (
        f"h94/IP-Adapter@{COMMIT}:models/ip-adapter_tiny.bin"
    )
