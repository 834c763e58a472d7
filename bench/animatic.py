"""Animatic speed against the encoder alone.

Run: ``python bench/animatic.py [--repeat N] [--seconds S] [--mix planner|heavy]
[--no-audio]``. Builds a plan of a minute at 1280x720 from generated stills (held shots
and moves in the proportions the grammar planner gives Big Fish, or twice as many moves
with ``--mix heavy``; dissolves, a fade, dialogue on half the shots), times
``assemble_animatic`` on it, and in the same run times raw ffmpeg encoding the same number
of frames with the same codec settings from ready-made yuv420p frames piped from memory:

* ``raw, same frames``: the animatic's own frames, made once beforehand (held frames
  shared, moving ones kept: a few hundred MB). The difference is what making the frames
  costs, the thing this module is built to keep small.
* ``raw, held stills``: each shot's still held for its length. Moving frames cost the
  encoder more than held ones, so this stricter baseline also charges the moves' encoding.

Runs alternate so all see the same load; the best and the median runs are compared (goal:
animatic / raw <= 1.3), and so is CPU time, which other load on the machine disturbs less.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent

MIXES: dict[str, tuple[str, ...]] = {
    # As the grammar planner moves Big Fish: 83% of the running time static, push ins the
    # commonest move (8%), then tracking (4%), handheld and pull outs (1.4% each).
    "planner": (
        "static", "push in", "static", "static", "tracking", "static", "static",
        "static", "handheld", "static", "static", "static", "static", "static",
    ),
    # Twice the planner's share of moves, most of them zooms (the costly kind).
    "heavy": (
        "static", "push in", "static", "static", "tracking", "static", "handheld",
        "static", "pull out", "static", "static", "crane", "static", "static",
    ),
}  # fmt: skip
TRANSITIONS = (
    "cut", "cut", "dissolve", "cut", "smash cut", "cut", "dissolve", "cut",
    "fade", "cut", "cut", "dissolve", "cut", "cut",
)  # fmt: skip
LINES = (
    ("STEEL", "Beer's ready!", None),
    ("BRICK", "About time. I've been out there since dawn and the truck still won't start.", None),
    ("NARRATOR", "Nobody in town remembered the winter the river froze.", "V.O."),
    ("STEEL", "You coming in or not?", "O.S."),
)


def _still(path: Path, size: tuple[int, int], index: int) -> None:
    """A sketch-like panel: a tinted ground, a horizon, a few figures and a big number."""
    width, height = size
    tint = (index * 47 % 90 + 150, index * 29 % 70 + 160, index * 61 % 80 + 150)
    image = Image.new("RGB", size, tint)
    draw = ImageDraw.Draw(image)
    horizon = height * (0.45 + 0.2 * (index % 3) / 3)
    draw.rectangle((0, horizon, width, height), fill=tuple(c - 50 for c in tint))
    for figure in range(3):
        x = width * (0.2 + 0.3 * figure) + index * 7
        draw.ellipse((x - 30, horizon - 190, x + 30, horizon - 130), outline=(30, 30, 30), width=4)
        draw.line((x, horizon - 130, x, horizon - 20), fill=(30, 30, 30), width=5)
        draw.line((x - 50, horizon - 100, x + 50, horizon - 80), fill=(30, 30, 30), width=4)
    for stroke in range(0, width, 23):
        draw.line((stroke, horizon, stroke + 40, height), fill=tuple(c - 80 for c in tint), width=1)
    font = ImageFont.load_default(size=height // 5)
    draw.text(
        (width * 0.82, height * 0.2), str(index + 1), font=font, fill=(20, 20, 20), anchor="mm"
    )
    image.save(path)


def build(folder: Path, seconds: float, size: tuple[int, int], mix: str = "planner"):  # type: ignore[no-untyped-def]
    from render.model import RenderSet, ShotRender
    from shots.model import DialogueLine, PlannerInfo, Shot, ShotPlan, Style

    (folder / "shots").mkdir(parents=True, exist_ok=True)
    count = round(seconds / 4.3)
    shots, renders = [], []
    for index in range(count):
        shot_id = f"{index // 4 + 1}-{index % 4 + 1:02d}"
        _still(folder / "shots" / f"{shot_id}.png", size, index)
        dialogue = []
        if index % 2 == 0:
            who, text, ext = LINES[index // 2 % len(LINES)]
            dialogue.append(DialogueLine(character=who, text=text, extension=ext))
        shots.append(
            Shot(
                id=shot_id,
                scene_id=f"sc{index // 4 + 1:03d}",
                scene_number=str(index // 4 + 1),
                size="MS",
                movement=MIXES[mix][index % len(MIXES[mix])],
                transition=TRANSITIONS[index % len(TRANSITIONS)],
                duration_s=seconds / count,
                dialogue=dialogue,
            )
        )
        renders.append(
            ShotRender(
                shot_id=shot_id,
                kind="still",
                path=f"shots/{shot_id}.png",
                width=size[0],
                height=size[1],
                backend="bench",
                cache_key=shot_id,
            )
        )
    plan = ShotPlan(
        script_sha256="bench", style=Style(name="bench"), shots=shots,
        planner=PlannerInfo(name="bench"),
    )  # fmt: skip
    render_set = RenderSet(
        plan_sha256="bench", backend="bench", width=size[0], height=size[1], renders=renders
    )
    return plan, render_set


Runs = list[tuple[bytes, int]]
"""Frames as runs of one frame repeated: held shots cost no memory."""


def held_stills(plan, render_set, folder: Path) -> Runs:  # type: ignore[no-untyped-def]
    """Each shot's still as a ready-made yuv420p frame, held for the shot's length."""
    from previz.assemble._animatic_yuv import planes_to_bytes, rgb_to_planes
    from previz.assemble.timing import frame_boundaries

    bounds = frame_boundaries([shot.duration_s for shot in plan.shots], plan.fps)
    return [
        (
            planes_to_bytes(rgb_to_planes(Image.open(folder / render.path).convert("RGB"))),
            bounds[index + 1] - bounds[index],
        )
        for index, render in enumerate(render_set.renders)
    ]


def animatic_frames(plan, render_set, folder: Path) -> Runs:  # type: ignore[no-untyped-def]
    """The animatic's own frames, as made for the encoder (moves and fades included)."""
    import previz.assemble.animatic as animatic

    runs: Runs = []

    class Recorder:
        def __init__(self, args: list[str]) -> None:
            self.out = Path(args[-1])

        def write(self, data: bytes) -> None:
            if runs and runs[-1][0] is data:
                runs[-1] = (data, runs[-1][1] + 1)
            else:
                runs.append((data, 1))

        def close(self) -> None:
            self.out.write_bytes(b"")

        def abort(self) -> None:
            pass

    real = animatic.Encoder
    animatic.Encoder = Recorder  # type: ignore[assignment,misc]
    try:
        animatic.assemble_animatic(plan, render_set, folder, folder / "rec.mp4", audio=False)
    finally:
        animatic.Encoder = real  # type: ignore[misc]
    return runs


def raw_encode(plan, render_set, frames: Runs, out: Path) -> float:  # type: ignore[no-untyped-def]
    """Seconds for ffmpeg to encode the plan's frame count from ready-made frames."""
    from previz.assemble._animatic_ffmpeg import encoder_args, find_ffmpeg
    from previz.assemble.timing import frame_boundaries

    bounds = frame_boundaries([shot.duration_s for shot in plan.shots], plan.fps)
    keyframes = [start / plan.fps for start in bounds[:-1]]
    args = encoder_args(
        find_ffmpeg(), render_set.width, render_set.height, plan.fps, out, keyframes_s=keyframes
    )
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdin=subprocess.PIPE)
    assert proc.stdin is not None
    for data, count in frames:
        for _ in range(count):
            proc.stdin.write(data)
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("ffmpeg failed")
    return time.perf_counter() - start


def _cpu() -> float:
    """CPU seconds used so far by this process and its finished children (ffmpeg)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--long-side", type=int, default=1280)
    parser.add_argument("--no-audio", action="store_true", help="leave out the scratch track")
    parser.add_argument("--mix", choices=sorted(MIXES), default="planner", help="camera moves")
    args = parser.parse_args()

    from previz.assemble._audio import speech_engine
    from previz.assemble.animatic import assemble_animatic

    size = (args.long_side, args.long_side * 9 // 16 // 2 * 2)
    load_before = os.getloadavg()[0]
    names = ("animatic", "raw, same frames", "raw, held stills")
    wall: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    with tempfile.TemporaryDirectory(prefix="previz-bench-") as tmp:
        folder = Path(tmp)
        plan, render_set = build(folder, args.seconds, size, args.mix)
        baselines = {
            "raw, same frames": animatic_frames(plan, render_set, folder),
            "raw, held stills": held_stills(plan, render_set, folder),
        }
        for _ in range(args.repeat):  # alternate, so all see the same load
            before = _cpu()
            info = assemble_animatic(
                plan, render_set, folder, folder / "animatic.mp4", audio=not args.no_audio
            )
            cpu["animatic"].append(_cpu() - before)
            wall["animatic"].append(info.seconds)
            for name, frames in baselines.items():
                before = _cpu()
                wall[name].append(raw_encode(plan, render_set, frames, folder / "raw.mp4"))
                cpu[name].append(_cpu() - before)
        moving = sum(
            m.frames
            for m, s in zip(info.markers, plan.shots, strict=True)
            if s.movement != "static"
        )
        mb = (folder / "animatic.mp4").stat().st_size / 1e6
    print(
        f"plan ({args.mix} mix): {len(plan.shots)} shots, {info.duration_s:.1f} s, "
        f"{info.frames} frames at {info.width}x{info.height}, {moving / info.frames:.0%} of "
        f"frames moving; audio: {'yes' if info.has_audio else 'no'} "
        f"(speech engine: {speech_engine() or 'none'}); {args.repeat} runs each"
    )
    print(f"load average before/after: {load_before:.1f}/{os.getloadavg()[0]:.1f}")
    for name in names:
        best, mid = min(wall[name]), statistics.median(wall[name])
        print(
            f"{name:17s} best {best:6.2f} s ({info.frames / best:4.0f} frames/s), median "
            f"{mid:6.2f} s, CPU median {statistics.median(cpu[name]):6.2f} s"
        )
    print(f"animatic file: {mb:.1f} MB")
    for name in names[1:]:
        best = min(wall["animatic"]) / min(wall[name])
        mid = statistics.median(wall["animatic"]) / statistics.median(wall[name])
        cpu_ratio = statistics.median(cpu["animatic"]) / statistics.median(cpu[name])
        print(f"ratio to {name}: best {best:.2f}, median {mid:.2f}, CPU {cpu_ratio:.2f}")
    print("goal: <= 1.3")


if __name__ == "__main__":
    main()
