"""Sketch backend speed: storyboard panels per second against bare Pillow drawing.

Run: ``python bench/render_sketch.py [--shots N] [--repeat N] [--long-side PX]``. Plans Big
Fish with the film-grammar planner, takes about 200 shots spread over the script and
renders each to a PNG at 1280x720 with the sketch backend. The baseline, in the same run,
draws the same number of polygons, ellipses, lines and text calls per panel with bare
Pillow (random shapes of ordinary sizes, at the panel's final size, no supersampling, no
previz logic) and saves the same kind of PNG. Prints both rates (median of the runs) and
their ratio: how much the panel's composition (camera, sets, figures, 2x anti-aliasing)
costs over drawing its primitives.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SCRIPT = ROOT / "tests" / "data" / "big_fish.fountain"


def _median_s(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds of ``fn`` (CPU time is steadier on a busy machine)."""
    fn()  # warm up fonts and caches
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def _baseline(
    counts: list[Counter[str]], size: tuple[int, int], out: Path | None
) -> Callable[[], None]:
    """Bare Pillow: each panel's primitive counts, drawn as random shapes, saved as PNG."""
    from PIL import Image, ImageDraw, ImageFont

    try:
        font = ImageFont.truetype("DejaVuSans.ttf", 22)
    except OSError:
        font = ImageFont.load_default(size=22)
    width, height = size

    def run() -> None:
        rng = random.Random(1)
        for i, count in enumerate(counts):
            image = Image.new("RGB", size, (244, 241, 234))
            draw = ImageDraw.Draw(image)
            for _ in range(count["polygon"]):
                cx, cy, r = rng.uniform(0, width), rng.uniform(0, height), rng.uniform(8, 160)
                points = [
                    (cx + r * rng.uniform(0.5, 1) * c, cy + r * rng.uniform(0.5, 1) * s)
                    for c, s in (
                        (1, 0),
                        (0.5, 0.87),
                        (-0.5, 0.87),
                        (-1, 0),
                        (-0.5, -0.87),
                        (0.5, -0.87),
                    )
                ]
                draw.polygon(points, fill=(rng.randrange(256), 120, 90))
            for _ in range(count["ellipse"]):
                cx, cy, r = rng.uniform(0, width), rng.uniform(0, height), rng.uniform(2, 80)
                draw.ellipse(
                    [cx - r, cy - r * 0.8, cx + r, cy + r * 0.8], fill=(90, rng.randrange(256), 120)
                )
            for _ in range(count["line"]):
                x, y = rng.uniform(0, width), rng.uniform(0, height)
                points = [
                    (x + rng.uniform(-150, 150), y + rng.uniform(-150, 150)) for _ in range(4)
                ]
                draw.line(points, fill=(40, 38, 36), width=3, joint="curve")
            for _ in range(count["text"]):
                draw.text(
                    (rng.uniform(0, width - 200), rng.uniform(0, height - 30)),
                    "1-05  MS  OTS  50mm",
                    font=font,
                    fill=(30, 30, 30),
                )
            if out is not None:
                image.save(out / f"base{i % 8}.png", format="PNG", optimize=False, compress_level=1)

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--long-side", type=int, default=1280)
    parser.add_argument("--script", type=Path, default=DEFAULT_SCRIPT)
    args = parser.parse_args()

    from render.base import RenderRequest
    from render.sketch import SketchBackend, draw_panel
    from screenplay.base import parse_file
    from shots.grammar import GrammarPlanner
    from shots.style import load_style

    plan = GrammarPlanner().plan(parse_file(args.script), style=load_style())
    step = max(1, len(plan.shots) // args.shots)
    shots = plan.shots[::step][: args.shots]
    width, height = plan.style.frame_size(args.long_side)
    requests = [
        RenderRequest(
            shot=s, style=plan.style, width=width, height=height, characters=tuple(plan.characters)
        )
        for s in shots
    ]
    counts: list[Counter[str]] = []
    for request in requests:
        stats: Counter[str] = Counter()
        draw_panel(request, stats=stats)
        counts.append(stats)
    backend = SketchBackend()

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)

        def sketch() -> None:
            for i, request in enumerate(requests):
                backend.render(request, out / f"panel{i % 8}.png")

        def sketch_draw_only() -> None:
            for request in requests:
                draw_panel(request)

        runs = {
            "sketch": _median_s(sketch, args.repeat),
            "sketch_draw": _median_s(sketch_draw_only, args.repeat),
            "base": _median_s(_baseline(counts, (width, height), out), args.repeat),
            "base_draw": _median_s(_baseline(counts, (width, height), None), args.repeat),
        }

    n = len(requests)
    total = sum(counts, Counter())
    per_panel = ", ".join(
        f"{total[k] / n:.0f} {k}s" for k in ("polygon", "ellipse", "line", "text")
    )
    sizes = Counter(s.size for s in shots)
    print(f"script: {args.script.name}: {len(plan.shots)} shots planned, {n} rendered")
    print(f"frame: {width}x{height}, style {plan.style.name}, median of {args.repeat} runs")
    print(f"shot sizes: {', '.join(f'{k} {v}' for k, v in sizes.most_common())}")
    print(f"primitives per panel: {per_panel}")
    print("                          panels/s   ms/panel (wall)   ms/panel (CPU)")
    rows = (
        ("sketch, drawing", "sketch_draw"),
        ("sketch, drawing + PNG", "sketch"),
        ("baseline, drawing", "base_draw"),
        ("baseline, drawing + PNG", "base"),
    )
    for title, key in rows:
        wall, cpu = runs[key]
        print(f"{title:24}  {n / wall:8.1f}   {wall / n * 1000:15.1f}   {cpu / n * 1000:14.1f}")
    for title, a, b in (
        ("drawing", "sketch_draw", "base_draw"),
        ("drawing + PNG", "sketch", "base"),
    ):
        print(
            f"ratio sketch/baseline, {title}: {runs[b][0] / runs[a][0]:.2f} wall, "
            f"{runs[b][1] / runs[a][1]:.2f} CPU"
        )
    print("(ratio: sketch panels/s over baseline panels/s; 1.0 = as fast as bare Pillow)")


if __name__ == "__main__":
    main()
