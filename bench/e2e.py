"""Text to every deliverable with the sketch backend, against raw ffmpeg encoding.

Run: ``python bench/e2e.py [--script PATH] [--scenes N] [--long-side PX]``. Runs
``previz run`` (parse, plan, render, animatic, storyboard, shot list, timelines) on a
feature-length script (Big Fish, 122 pages, by default; ``--scenes N`` keeps the first N
scenes for a quicker look) in an empty folder, prints the wall time of each stage, then
times raw ffmpeg encoding the same number of animatic frames (each shot's panel held for
its length, same codec settings) and prints the ratio of the whole run to that encode
(goal <= 1.5). Then times a 30-second spot (Brick & Steel, ``--target-duration 30``) from
text to every deliverable (goal < 10 s).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_SCRIPT = ROOT / "tests" / "data" / "big_fish.fountain"
SPOT_SCRIPT = ROOT / "tests" / "data" / "brick_and_steel.fountain"


def _first_scenes(script_path: Path, scenes: int | None, folder: Path) -> Path:
    """``script_path``, or script JSON holding only its first ``scenes`` scenes."""
    if scenes is None:
        return script_path
    from screenplay.base import parse_file

    script = parse_file(script_path)
    script.scenes = script.scenes[:scenes]
    out = folder / "first-scenes.script.json"
    out.write_text(script.model_dump_json())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--script", type=Path, default=DEFAULT_SCRIPT)
    parser.add_argument("--scenes", type=int, default=None)
    parser.add_argument("--long-side", type=int, default=1280)
    parser.add_argument("--audio", action="store_true", help="include the scratch track")
    args = parser.parse_args()

    from bench.animatic import held_stills, raw_encode
    from previz.config import PrevizConfig
    from previz.pipeline import run
    from render.model import load_render_set
    from shots.model import load_plan

    config = PrevizConfig(planner="grammar", long_side=args.long_side, audio=args.audio)
    with tempfile.TemporaryDirectory(prefix="previz-e2e-") as tmp:
        folder = Path(tmp)
        source = _first_scenes(args.script, args.scenes, folder)
        out = folder / "out"
        start = time.perf_counter()
        manifest = run(source, out, config)
        total = time.perf_counter() - start
        plan = load_plan(out / "plan.json")
        renders = load_render_set(out / "renders.json")
        frames = round(plan.duration_s * plan.fps)
        raw = raw_encode(plan, renders, held_stills(plan, renders, out), folder / "raw.mp4")

    print(
        f"script: {args.script.name}"
        + (f" (first {args.scenes} scenes)" if args.scenes else "")
        + f": {manifest.scenes} scenes, {manifest.shots} shots, "
        f"{manifest.runtime_s / 60:.1f} min, {frames} frames at {renders.width}x{renders.height}"
    )
    for stage, seconds in manifest.stages.items():
        print(f"  {stage:<11} {seconds:8.2f} s")
    print(f"whole run   {total:8.2f} s")
    print(f"raw ffmpeg  {raw:8.2f} s (same frame count and codec, panels held)")
    print(f"ratio run/raw encode: {total / raw:.2f} (goal <= 1.5)")

    spot = PrevizConfig(
        planner="grammar", long_side=args.long_side, audio=args.audio, target_duration_s=30
    )
    with tempfile.TemporaryDirectory(prefix="previz-spot-") as tmp:
        start = time.perf_counter()
        run(SPOT_SCRIPT, Path(tmp), spot)
        spot_s = time.perf_counter() - start
    print(f"30-second spot, text to every deliverable: {spot_s:.2f} s (goal < 10 s)")


if __name__ == "__main__":
    main()
