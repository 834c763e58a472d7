"""Parse speed: previz's Fountain parser against screenplain on a feature-length script.

Run: ``python bench/parse.py [--repeat N] [--script PATH]``. Prints each parser's median
time over N runs of the same in-memory text and the ratio screenplain / previz (>= 1.0
means previz is at least as fast). previz's time includes everything screenplain does not
do: character reconciliation and introductions, locations, page estimates and the pydantic
model. A bare loop of one regex per line is printed as the floor.
"""

from __future__ import annotations

import argparse
import gc
import io
import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SCRIPT = ROOT / "tests" / "data" / "big_fish.fountain"


def _median_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm up imports and regex caches
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--script", type=Path, default=DEFAULT_SCRIPT)
    args = parser.parse_args()

    from screenplain.parsers import fountain as screenplain_fountain

    from screenplay.base import decode_text
    from screenplay.fountain import FountainParser
    from screenplay.model import ScriptSource

    data = args.script.read_bytes()
    text = decode_text(data, args.script.name)
    source = ScriptSource(name=args.script.name, format="fountain", sha256="-", size=len(data))
    previz = FountainParser()
    script = previz.parse(data, source)
    lines = text.splitlines()
    heading = re.compile(r"^(?:INT|EXT|EST|I/E)[. ]")

    previz_ms = _median_ms(lambda: previz.parse(data, source), args.repeat)
    screenplain_ms = _median_ms(lambda: screenplain_fountain.parse(io.StringIO(text)), args.repeat)
    floor_ms = _median_ms(lambda: [heading.match(line) for line in lines], args.repeat)

    print(f"script: {args.script.name}: {len(lines)} lines, {script.page_count:.0f} pages (est.)")
    print(
        f"previz extracts: {len(script.scenes)} scenes, {len(script.characters)} characters, "
        f"{len(script.locations)} locations"
    )
    print(f"previz      {previz_ms:8.2f} ms")
    print(f"screenplain {screenplain_ms:8.2f} ms")
    print(f"regex floor {floor_ms:8.2f} ms (one regex per line)")
    print(f"ratio screenplain/previz: {screenplain_ms / previz_ms:.2f} (goal >= 1.0)")


if __name__ == "__main__":
    main()
