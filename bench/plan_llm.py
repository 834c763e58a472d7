"""LLM planner throughput: one request per scene, sequential against concurrent.

Run: ``python bench/plan_llm.py [--scenes N] [--latency S] [--concurrency C]``. Starts the
local fake OpenAI server of the tests (``tests/shots/fake_openai.py``) on 127.0.0.1 with a
fixed latency per request, standing in for a model's think time, and plans the script
(Big Fish by default, ~190 scenes; ``--scenes N`` takes the first N) twice: with
concurrency 1 and with concurrency C (default 4). Each run gets an empty cache folder, so
every scene is a request. Prints both wall times and their ratio, which approaches C when
the latency dominates. Nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SCRIPT = ROOT / "tests" / "data" / "big_fish.fountain"
sys.path.insert(0, str(ROOT))  # for tests.shots.fake_openai


def _run(script, server, concurrency: int, style) -> tuple[float, object]:
    from shots.llm import LLMPlanner
    from shots.llm_config import LLMConfig

    config = LLMConfig(base_url=server.base_url, model="bench-model", api_key="bench", timeout_s=30)
    with tempfile.TemporaryDirectory(prefix="previz-llm-bench-") as cache_dir:
        planner = LLMPlanner(
            config=config, concurrency=concurrency, cache_dir=cache_dir, progress=False
        )
        server.reset()
        start = time.perf_counter()
        plan = planner.plan(script, style=style)
        return time.perf_counter() - start, plan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--script", type=Path, default=DEFAULT_SCRIPT)
    parser.add_argument("--scenes", type=int, default=None, help="plan only the first N scenes")
    parser.add_argument("--latency", type=float, default=0.3, help="seconds per request")
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()

    from screenplay.base import parse_file
    from shots.base import check_coverage
    from shots.grammar import GrammarPlanner
    from shots.style import load_style
    from tests.shots.fake_openai import FakeOpenAI, Reply, valid_answer

    script = parse_file(args.script)
    if args.scenes is not None:
        script = script.model_copy(update={"scenes": script.scenes[: args.scenes]})
    style = load_style()

    start = time.perf_counter()
    grammar = GrammarPlanner()
    for scene in script.scenes:
        grammar.plan_scene(script, scene)
    draft_s = time.perf_counter() - start

    def responder(request):
        return Reply(content=valid_answer(script.scene(request.scene_id)))

    with FakeOpenAI(responder, latency_s=args.latency) as server:
        sequential_s, _ = _run(script, server, 1, style)
        sequential_requests, sequential_peak = server.count, server.max_in_flight
        concurrent_s, plan = _run(script, server, args.concurrency, style)
        concurrent_requests, concurrent_peak = server.count, server.max_in_flight

    coverage = check_coverage(script, plan)
    usage = plan.planner.usage
    print(f"script: {args.script.name}: {len(script.scenes)} scenes, latency {args.latency:g} s")
    print(f"grammar drafts (in both runs): {draft_s * 1000:.0f} ms")
    print(
        f"concurrency 1: {sequential_s:7.2f} s  "
        f"({sequential_requests} requests, peak {sequential_peak} in flight)"
    )
    print(
        f"concurrency {args.concurrency}: {concurrent_s:7.2f} s  "
        f"({concurrent_requests} requests, peak {concurrent_peak} in flight)"
    )
    print(f"speed-up: {sequential_s / concurrent_s:.2f}x (bound {args.concurrency})")
    print(
        f"plan: {len(plan.shots)} shots, coverage {coverage.ratio:.1%}, "
        f"{usage['total_tokens']} tokens, {len(plan.warnings)} warnings"
    )


if __name__ == "__main__":
    main()
