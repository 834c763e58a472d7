"""Grammar planner speed on a feature-length script.

Run: ``python bench/plan.py [--repeat N] [--script PATH]``. Prints the median time to plan
every scene of Big Fish (122 pages, ~190 scenes) with the film-grammar planner, shots per
second, and the ratio against parsing the same script in the same run (the stage before
it, as the baseline: planning should cost the same order as reading). The LLM planner's
concurrency is measured by ``bench/plan_llm.py`` against a local server.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SCRIPT = ROOT / "tests" / "data" / "big_fish.fountain"


def _median_s(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--script", type=Path, default=DEFAULT_SCRIPT)
    args = parser.parse_args()

    from screenplay.base import parse_file
    from shots.base import check_coverage
    from shots.grammar import GrammarPlanner
    from shots.style import load_style

    style = load_style()
    script = parse_file(args.script)
    planner = GrammarPlanner()
    plan = planner.plan(script, style=style)
    parse_s = _median_s(lambda: parse_file(args.script), args.repeat)
    plan_s = _median_s(lambda: planner.plan(script, style=style), args.repeat)
    coverage = check_coverage(script, plan)

    print(f"script: {args.script.name}: {len(script.scenes)} scenes, {script.page_count:.0f} pages")
    print(
        f"plan: {len(plan.shots)} shots, {plan.duration_s / 60:.1f} min "
        f"({plan.duration_s / (script.page_count * 60):.2f} x a minute a page), "
        f"coverage {coverage.ratio:.0%}"
    )
    print(f"parse   {parse_s * 1000:8.1f} ms")
    print(f"plan    {plan_s * 1000:8.1f} ms  ({len(plan.shots) / plan_s:,.0f} shots/s)")
    print(f"ratio plan/parse: {plan_s / parse_s:.1f}")


if __name__ == "__main__":
    main()
