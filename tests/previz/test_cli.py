"""The command line, driven through typer's CliRunner and as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from previz.cli import app
from screenplay.model import Script
from shots.model import load_plan
from tests.conftest import DATA

runner = CliRunner()


def test_parse_writes_json_and_prints_a_summary(tmp_path: Path) -> None:
    out = tmp_path / "out" / "script.json"
    result = runner.invoke(app, ["parse", str(DATA / "brick_and_steel.fountain"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    script = Script.model_validate_json(out.read_text())
    assert len(script.scenes) == 8
    assert "BRICK & STEEL FULL RETIRED" in result.output
    assert "Scenes" in result.output and "Est. runtime" in result.output
    assert "STEEL" in result.output and "retired police detective" in result.output
    assert f"wrote {out}" in result.output.replace("\n", "")


def test_parse_to_stdout_is_json_only() -> None:
    result = runner.invoke(app, ["parse", str(DATA / "utf8_bom.fountain"), "-o", "-"])
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert payload["schema_version"] == "Script.1"
    assert payload["scenes"][0]["heading"] == "EXT. SOMEWHERE - DAY"


def test_default_output_is_named_after_the_script(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["parse", str(DATA / "brick_and_steel.fdx"), "-q"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "brick_and_steel.script.json").exists()


def test_bad_input_is_one_line_and_exit_1(tmp_path: Path) -> None:
    empty = tmp_path / "empty.fountain"
    empty.write_bytes(b"")
    result = runner.invoke(app, ["parse", str(empty)])
    assert result.exit_code == 1
    assert result.output.strip() == f"error: {empty}: file is empty"


def test_unknown_format_lists_the_available_ones() -> None:
    result = runner.invoke(app, ["parse", str(DATA / "utf8_bom.fountain"), "-f", "docx"])
    assert result.exit_code == 1
    assert "unknown format 'docx'; available: fountain, fdx, pdf" in result.output


def test_hostile_fdx_from_a_real_process_has_no_traceback(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.fdx"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        "<FinalDraft><Content><Paragraph><Text>&lol2;</Text></Paragraph></Content></FinalDraft>"
    )
    done = subprocess.run(
        [sys.executable, "-m", "previz", "parse", str(bomb)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith(f"error: {bomb}")
    assert len(done.stderr.strip().splitlines()) == 1


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("previz ")


def test_plan_from_script_json_and_from_a_screenplay(tmp_path: Path) -> None:
    script_json = tmp_path / "script.json"
    assert (
        runner.invoke(
            app, ["parse", str(DATA / "brick_and_steel.fountain"), "-o", str(script_json)]
        ).exit_code
        == 0
    )
    from_json = tmp_path / "a.plan.json"
    result = runner.invoke(app, ["plan", str(script_json), "-o", str(from_json), "-p", "grammar"])
    assert result.exit_code == 0, result.output
    assert "Coverage 43/43 (100%)" in result.output
    from_fountain = tmp_path / "b.plan.json"
    result = runner.invoke(
        app, ["plan", str(DATA / "brick_and_steel.fountain"), "-o", str(from_fountain), "-q"]
    )
    assert result.exit_code == 0, result.output
    assert from_json.read_text() == from_fountain.read_text()  # same script, same plan
    plan = load_plan(from_fountain)
    assert plan.planner.name == "grammar"  # auto with no endpoint configured
    assert plan.shots[0].id == "1-01" and plan.shots[0].transition == "fade"


def test_plan_for_a_30_second_spot(tmp_path: Path) -> None:
    out = tmp_path / "spot.plan.json"
    result = runner.invoke(
        app,
        ["plan", str(DATA / "brick_and_steel.fountain"), "-o", str(out), "-t", "30",
         "--style", "commercial", "--aspect", "1:1"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    plan = load_plan(out)
    assert sum(round(shot.duration_s * plan.fps) for shot in plan.shots) == 30 * 24
    assert f"{plan.duration_s:.1f}" == "30.0"
    assert (plan.style.name, plan.style.aspect_ratio) == ("commercial", "1:1")
    assert "Runtime 30s (30.0 s)" in result.output


def test_plan_refusals_are_one_line(tmp_path: Path, monkeypatch) -> None:
    for var in ("PREVIZ_LLM_BASE_URL", "OPENAI_BASE_URL", "PREVIZ_LLM_MODEL", "OPENAI_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PREVIZ_LLM_CONFIG", str(tmp_path / "none.toml"))
    script = str(DATA / "utf8_bom.fountain")
    result = runner.invoke(app, ["plan", script, "-p", "llm", "-o", str(tmp_path / "x.json")])
    assert result.exit_code == 1 and "PREVIZ_LLM_MODEL" in result.output
    result = runner.invoke(app, ["plan", script, "--style", "nope"])
    assert result.exit_code == 1 and "unknown style 'nope'" in result.output
    result = runner.invoke(app, ["plan", script, "-p", "magic"])
    assert result.exit_code == 1 and "no planner named 'magic'" in result.output
    broken = tmp_path / "script.json"
    broken.write_text('{"schema_version": "Script.1", "scenes": 3}')
    result = runner.invoke(app, ["plan", str(broken)])
    assert result.exit_code == 1 and "invalid script JSON" in result.output
