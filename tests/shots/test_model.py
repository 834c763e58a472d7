"""The shot-plan model, its JSON file, style presets and prompts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from previz.errors import PlanError, SchemaVersionError
from shots.base import fit_to_duration
from shots.model import CharacterRef, PlannerInfo, Shot, ShotPlan, load_plan
from shots.prompts import build_prompts, character_seed, shot_seed
from shots.style import list_styles, load_style


def make_shot(**fields) -> Shot:
    base = dict(id="1-01", scene_id="sc001", scene_number="1", size="WS", duration_s=3.0)
    return Shot(**{**base, **fields})


def make_plan(shots: list[Shot]) -> ShotPlan:
    return ShotPlan(
        script_sha256="0" * 64, style=load_style(), shots=shots, planner=PlannerInfo(name="test")
    )


def test_plan_round_trips_through_json(tmp_path: Path) -> None:
    plan = make_plan([make_shot(subjects=["MARGOT"], covers=[0, 1])])
    path = tmp_path / "plan.json"
    path.write_text(plan.model_dump_json(indent=2))
    assert load_plan(path) == plan


def test_hand_edit_errors_name_the_json_path(tmp_path: Path) -> None:
    data = json.loads(make_plan([make_shot(), make_shot(id="1-02")]).model_dump_json())
    data["shots"][1]["size"] = "MEDIUM"
    data["shots"][0]["duration_s"] = -2
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data))
    with pytest.raises(PlanError) as info:
        load_plan(path)
    message = str(info.value)
    assert message.startswith(f"{path}: invalid shot plan: ")
    assert "$.shots[0].duration_s: Input should be greater than 0" in message
    assert "$.shots[1].size: Input should be 'EWS', 'WS'" in message


def test_not_json_and_wrong_schema(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text('{"schema_version": "ShotPlan.1",\n "shots": [}')
    with pytest.raises(PlanError, match="not valid JSON") as info:
        load_plan(path)
    assert info.value.line == 2
    path.write_text('{"schema_version": "Script.1"}')
    with pytest.raises(SchemaVersionError, match=r"expected schema_version 'ShotPlan\.1'"):
        load_plan(path)


def test_styles_bundled_and_user_added(tmp_path: Path, monkeypatch) -> None:
    assert {"storyboard", "photoreal", "anime", "ink", "noir", "commercial"} <= set(list_styles())
    (tmp_path / "mybrand.toml").write_text(
        'medium = "gouache painting"\naspect_ratio = "1:1"\nnegative = ["text"]\n'
    )
    monkeypatch.setenv("PREVIZ_STYLES", str(tmp_path))
    style = load_style("mybrand")
    assert (style.name, style.medium, style.aspect_ratio) == ("mybrand", "gouache painting", "1:1")
    assert load_style("photoreal", aspect_ratio="2.39").aspect_ratio == "2.39:1"
    assert load_style("storyboard").frame_size(1280) == (1280, 720)
    assert load_style("commercial").frame_size(1280) == (720, 1280)
    with pytest.raises(PlanError, match="unknown style 'nope'; available: anime, commercial"):
        load_style("nope")
    with pytest.raises(PlanError, match="unsupported aspect ratio"):
        load_style("storyboard", aspect_ratio="4:3")
    (tmp_path / "broken.toml").write_text('aspect_ratio = "5:4"\n')
    with pytest.raises(PlanError, match="aspect_ratio"):
        load_style("broken")


def test_prompt_names_style_framing_setting_and_the_characters_fixed_look() -> None:
    shot = make_shot(
        size="MCU",
        angle="low",
        movement="push in",
        lens_mm=50,
        subjects=["MARGOT"],
        description="Margot climbs the lighthouse stairs.",
        location="LIGHTHOUSE",
        int_ext="EXT",
        time_of_day="NIGHT",
    )
    margot = CharacterRef(name="MARGOT", description="40s, oilskin coat, tired eyes", seed=7)
    prompt, negative = build_prompts(shot, load_style("photoreal"), [margot])
    assert prompt.startswith("cinematic film still, medium close-up, chest up, low angle shot")
    assert "50mm lens" in prompt and "slow push in" in prompt
    assert "Margot (40s, oilskin coat, tired eyes)" in prompt
    assert "exterior lighthouse, night" in prompt
    assert "Kodak Vision3 500T" in prompt
    assert "  " not in prompt and ".." not in prompt
    assert negative.startswith("cartoon, illustration")
    _, no_people = build_prompts(make_shot(size="EWS"), load_style(), [])
    assert "people" in no_people and "close-up" in no_people


def test_seeds_are_fixed_per_character_and_derived_per_shot() -> None:
    assert character_seed("abc", "MARGOT") == character_seed("abc", "MARGOT")
    assert character_seed("abc", "MARGOT") != character_seed("abc", "TOMAS")
    assert shot_seed("abc", "1-01", ["B", "A"]) == shot_seed("abc", "1-01", ["A", "B"])
    assert shot_seed("abc", "1-01") != shot_seed("abc", "1-02")
    assert 0 <= shot_seed("abc", "1-01") < 2**31


@pytest.mark.parametrize(("count", "target"), [(7, 30.0), (40, 15.0), (3, 60.0), (200, 30.0)])
def test_fit_to_duration_is_exact_in_frames(count: int, target: float) -> None:
    shots = [make_shot(duration_s=1.0 + (i * 37 % 9)) for i in range(count)]
    fit_to_duration(shots, target, fps=24)
    frames = [round(shot.duration_s * 24) for shot in shots]
    assert sum(frames) == round(target * 24)
    assert min(frames) >= 1
    assert all(abs(shot.duration_s * 24 - f) < 1e-9 for shot, f in zip(shots, frames, strict=True))


def test_fit_to_duration_refuses_less_than_a_frame_a_shot() -> None:
    with pytest.raises(PlanError, match="less than one frame"):
        fit_to_duration([make_shot() for _ in range(30)], 1.0)
