"""The in-process caches: bounded, and a changed file is parsed again."""

from __future__ import annotations

import os
from pathlib import Path

from previz.web._memo import Memo, render_set
from render.model import RenderSet, ShotRender


def test_memo_makes_each_value_once_and_forgets_the_oldest() -> None:
    made: list[str] = []
    memo: Memo[str] = Memo(2)

    def maker(key: str):
        return lambda: made.append(key) or key.upper()

    assert memo.get("a", maker("a")) == "A"
    assert memo.get("a", maker("a")) == "A"
    memo.get("b", maker("b"))
    memo.get("c", maker("c"))  # evicts "a"
    memo.get("a", maker("a"))
    assert made == ["a", "b", "c", "a"]


def _write(path: Path, shot_path: str) -> None:
    renders = RenderSet(
        plan_sha256="0" * 64,
        backend="sketch",
        width=64,
        height=36,
        renders=[
            ShotRender(
                shot_id="1-01", kind="still", path=shot_path, width=64, height=36,
                backend="sketch", cache_key="k",
            )
        ],
    )  # fmt: skip
    path.write_text(renders.model_dump_json())


def test_a_rewritten_render_set_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "renders.json"
    _write(path, "shots/1-01.png")
    first = render_set(path)
    assert render_set(path) is first  # parsed once
    _write(path, "shots/1-01-new.png")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert render_set(path).for_shot("1-01").path == "shots/1-01-new.png"
