"""The animatic: the MP4 is read back with the bundled ffmpeg and checked frame by frame.

Stills are made here with Pillow (one solid colour per shot plus a big label) so a frame
tells which shot it shows; clips are made with ffmpeg. Frames are small (320x180) and
shots short so the whole file runs in seconds.
"""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
import textwrap
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageStat

from previz.assemble import _audio
from previz.assemble._animatic_ffmpeg import find_ffmpeg
from previz.assemble.animatic import AnimaticInfo, assemble_animatic
from previz.assemble.timing import frame_boundaries
from previz.errors import AssemblyError
from render.model import RenderSet, ShotRender
from shots.model import DialogueLine, PlannerInfo, Shot, ShotPlan, Style

W, H = 320, 180
FPS = 24
FFMPEG = find_ffmpeg()
HAS_SPEECH = _audio.speech_engine() is not None

COLOURS = {
    "1-01": (200, 40, 40),
    "1-02": (40, 170, 60),
    "1-03": (40, 70, 210),
    "2-01": (220, 190, 40),
    "2-02": (160, 60, 180),
    "2-03": (30, 180, 180),
}
# (movement, transition in, duration, dialogue)
SHOTS = {
    "1-01": ("static", "cut", 1.25, [DialogueLine(character="STEEL", text="Beer's ready!")]),
    "1-02": ("push in", "cut", 1.5, []),
    "1-03": ("pan", "dissolve", 1.2, [
        DialogueLine(character="BRICK", text="About time.", extension="V.O."),
        DialogueLine(character="STEEL", text="Cheers.", extension="O.S."),
    ]),
    "2-01": ("handheld", "fade", 1.1, []),
    "2-02": ("crane", "smash cut", 1.05, [
        DialogueLine(character="BRICK", text="You coming in or not?"),
    ]),
    "2-03": ("tracking", "cut", 1.3, []),
}  # fmt: skip


def _still(path: Path, shot_id: str, colour: tuple[int, int, int]) -> None:
    image = Image.new("RGB", (W, H), colour)
    draw = ImageDraw.Draw(image)
    if shot_id == "1-02":
        # Structure for the push-in check: a grid and a box around the centre.
        for x in range(0, W, 20):
            draw.line((x, 0, x, H), fill=(255, 255, 255), width=1)
        for y in range(0, H, 20):
            draw.line((0, y, W, y), fill=(0, 0, 0), width=1)
        draw.rectangle(
            (W // 2 - 30, H // 2 - 20, W // 2 + 30, H // 2 + 20), outline=(0, 0, 0), width=3
        )
    draw.text((W * 0.35, H * 0.3), shot_id, fill=(0, 0, 0), font_size=36)
    image.save(path)


def _project(
    root: Path, shots: dict[str, tuple] | None = None, *, clips: dict[str, Path] | None = None
) -> tuple[ShotPlan, RenderSet]:
    shots = shots or SHOTS
    (root / "shots").mkdir(parents=True, exist_ok=True)
    plan_shots, renders = [], []
    for shot_id, (movement, transition, duration, dialogue) in shots.items():
        scene = shot_id.split("-")[0]
        plan_shots.append(
            Shot(
                id=shot_id,
                scene_id=f"sc{scene}",
                scene_number=scene,
                size="MS",
                movement=movement,
                transition=transition,
                duration_s=duration,
                dialogue=dialogue,
            )
        )
        if clips and shot_id in clips:
            render = ShotRender(
                shot_id=shot_id,
                kind="clip",
                path=clips[shot_id].relative_to(root).as_posix(),
                width=W,
                height=H,
                backend="test",
                cache_key=shot_id,
                duration_s=1.0,
                fps=FPS,
            )
        else:
            _still(root / "shots" / f"{shot_id}.png", shot_id, COLOURS[shot_id])
            render = ShotRender(
                shot_id=shot_id,
                kind="still",
                path=f"shots/{shot_id}.png",
                width=W,
                height=H,
                backend="test",
                cache_key=shot_id,
            )
        renders.append(render)
    plan = ShotPlan(
        script_sha256="test", style=Style(name="test"), shots=plan_shots,
        planner=PlannerInfo(name="test"), fps=FPS,
    )  # fmt: skip
    render_set = RenderSet(plan_sha256="test", backend="test", width=W, height=H, renders=renders)
    return plan, render_set


def _probe(path: Path) -> str:
    """``ffmpeg -i``'s description of the file (imageio-ffmpeg bundles no ffprobe)."""
    result = subprocess.run([FFMPEG, "-hide_banner", "-i", str(path)], capture_output=True)
    return result.stderr.decode()


def _frames(path: Path) -> list[Image.Image]:
    """Every video frame, decoded to RGB."""
    raw = subprocess.run(
        [FFMPEG, "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True,
        check=True,
    ).stdout
    size = W * H * 3
    assert len(raw) % size == 0
    return [Image.frombytes("RGB", (W, H), raw[i : i + size]) for i in range(0, len(raw), size)]


def _mean(image: Image.Image, box: tuple[float, float, float, float]) -> tuple[float, ...]:
    """Mean colour of a region given in fractions of the frame."""
    region = image.crop((int(box[0] * W), int(box[1] * H), int(box[2] * W), int(box[3] * H)))
    return tuple(ImageStat.Stat(region).mean)


CLEAR = (0.72, 0.3, 0.95, 0.55)
"""A patch right of centre: away from the label, the slate and the captions."""


def _close(colour: tuple[float, ...], expected: tuple[int, ...], tolerance: float = 14) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected, strict=True))


def _diff(a: Image.Image, b: Image.Image) -> float:
    return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3


def _top_level_boxes(path: Path) -> list[str]:
    data = path.read_bytes()
    boxes, offset = [], 0
    while offset + 8 <= len(data):
        size = int.from_bytes(data[offset : offset + 4], "big")
        kind = data[offset + 4 : offset + 8].decode("latin-1")
        if size == 1:
            size = int.from_bytes(data[offset + 8 : offset + 16], "big")
        boxes.append(kind)
        if size < 8:
            break
        offset += size
    return boxes


@pytest.fixture(scope="module")
def animatic(tmp_path_factory: pytest.TempPathFactory) -> tuple[ShotPlan, AnimaticInfo]:
    root = tmp_path_factory.mktemp("animatic")
    plan, renders = _project(root)
    info = assemble_animatic(plan, renders, root, root / "out" / "animatic.mp4", audio=False)
    return plan, info


@pytest.fixture(scope="module")
def frames(animatic: tuple[ShotPlan, AnimaticInfo]) -> list[Image.Image]:
    return _frames(animatic[1].path)


def test_frame_boundaries_never_drift() -> None:
    bounds = frame_boundaries([1 / 3] * 100, 24)
    assert bounds[-1] == 800
    assert {b - a for a, b in itertools.pairwise(bounds)} == {8}
    bounds = frame_boundaries([1.01, 2.02, 0.5], 24)
    assert bounds == [0, round(1.01 * 24), round(3.03 * 24), round(3.53 * 24)]


def test_stream_is_h264_yuv420p_faststart_at_plan_rate(
    animatic: tuple[ShotPlan, AnimaticInfo], frames: list[Image.Image]
) -> None:
    plan, info = animatic
    probe = _probe(info.path)
    video = re.search(
        r"Stream #\S+.*Video: (\w+).*?, (yuv\w+)\(.*?, (\d+)x(\d+).*?, ([\d.]+) fps", probe
    )
    assert video, probe
    assert video.group(1) == "h264"
    assert video.group(2) == "yuv420p"
    assert (int(video.group(3)), int(video.group(4))) == (W, H)
    assert float(video.group(5)) == FPS
    assert "Audio:" not in probe
    boxes = _top_level_boxes(info.path)
    assert boxes.index("moov") < boxes.index("mdat"), boxes

    expected = sum(m.frames for m in info.markers)
    assert len(frames) == info.frames == expected == round(plan.duration_s * FPS)
    assert abs(info.duration_s - plan.duration_s) <= 1 / FPS
    assert (info.width, info.height, info.fps, info.has_audio) == (W, H, FPS, False)
    assert [m.shot_id for m in info.markers] == list(SHOTS)
    assert [m.start_s for m in info.markers] == [m.start_frame / FPS for m in info.markers]
    assert not list(info.path.parent.glob(".*.part"))


def test_each_shot_shows_its_still_at_its_middle(
    animatic: tuple[ShotPlan, AnimaticInfo], frames: list[Image.Image]
) -> None:
    for marker in animatic[1].markers:
        middle = frames[marker.start_frame + marker.frames // 2]
        colour = _mean(middle, CLEAR)
        assert _close(colour, COLOURS[marker.shot_id]), (marker.shot_id, colour)


def test_dissolve_mixes_both_shots(
    animatic: tuple[ShotPlan, AnimaticInfo], frames: list[Image.Image]
) -> None:
    marker = next(m for m in animatic[1].markers if m.shot_id == "1-03")
    colour = _mean(frames[marker.start_frame], CLEAR)
    before, after = COLOURS["1-02"], COLOURS["1-03"]
    assert not _close(colour, before, 20) and not _close(colour, after, 20), colour
    for channel, a, b in zip(colour, before, after, strict=True):
        assert min(a, b) - 8 <= channel <= max(a, b) + 8, (colour, before, after)


def test_fades_start_and_end_black(
    animatic: tuple[ShotPlan, AnimaticInfo], frames: list[Image.Image]
) -> None:
    info = animatic[1]
    fade = next(m for m in info.markers if m.shot_id == "2-01")
    for frame in (frames[0], frames[fade.start_frame], frames[fade.start_frame - 1], frames[-1]):
        assert max(_mean(frame, CLEAR)) < 24
    # Half way through the fade in, the picture is coming up.
    half = _mean(frames[fade.start_frame + 6], CLEAR)
    assert 40 < max(half) < max(COLOURS["2-01"]) - 20


def test_push_in_ends_on_a_crop_of_its_start(tmp_path: Path) -> None:
    shots = {k: SHOTS[k] for k in ("1-01", "1-02", "1-03")}
    shots["1-03"] = ("static", "cut", 1.0, [])
    plan, renders = _project(tmp_path, shots)
    info = assemble_animatic(
        plan, renders, tmp_path, tmp_path / "a.mp4", captions=False, slate=False, audio=False
    )
    marker = info.markers[1]
    frames = _frames(info.path)
    first, last = frames[marker.start_frame], frames[marker.start_frame + marker.frames - 1]

    def crop_error(zoom: float) -> float:
        w, h = W / zoom, H / zoom
        box = ((W - w) / 2, (H - h) / 2, (W + w) / 2, (H + h) / 2)
        return _diff(first.resize((W, H), Image.Resampling.BILINEAR, box=box), last)

    errors = {zoom / 100: crop_error(zoom / 100) for zoom in range(100, 131)}
    best = min(errors, key=errors.__getitem__)
    assert best >= 1.08, errors
    assert errors[best] < 0.5 * errors[1.0], errors


def test_captions_change_only_the_bottom_band(tmp_path: Path) -> None:
    plan, renders = _project(tmp_path, {"1-01": SHOTS["1-01"], "1-02": ("static", "cut", 1.0, [])})
    with_text = assemble_animatic(
        plan, renders, tmp_path, tmp_path / "on.mp4", slate=False, audio=False
    )
    without = assemble_animatic(
        plan, renders, tmp_path, tmp_path / "off.mp4", captions=False, slate=False, audio=False
    )
    middle = with_text.markers[0].frames // 2
    on, off = _frames(with_text.path)[middle], _frames(without.path)[middle]
    band = int(H * 0.7)
    assert _diff(on.crop((0, 0, W, band)), off.crop((0, 0, W, band))) < 1.0
    assert _diff(on.crop((0, band, W, H)), off.crop((0, band, W, H))) > 4


def test_slate_sits_top_right(tmp_path: Path) -> None:
    """Top right: the sketch panels print their own label in the top left corner."""
    plan, renders = _project(tmp_path, {"1-02": ("static", "cut", 1.0, [])})
    on = assemble_animatic(plan, renders, tmp_path, tmp_path / "on.mp4", audio=False)
    off = assemble_animatic(plan, renders, tmp_path, tmp_path / "off.mp4", slate=False, audio=False)
    a, b = _frames(on.path)[12], _frames(off.path)[12]
    corner = (W - W // 3, 0, W, H // 5)
    assert _diff(a.crop(corner), b.crop(corner)) > 8
    rest = (0, 0, W - W // 3, H)
    assert _diff(a.crop(rest), b.crop(rest)) < 1.0


def test_clip_plays_and_holds_its_last_frame(tmp_path: Path) -> None:
    clip = tmp_path / "shots" / "2-02.mp4"
    clip.parent.mkdir(parents=True)
    # Half a second of blue then half a second of orange, at another size and rate.
    subprocess.run(
        [
            FFMPEG, "-v", "error", "-f", "lavfi", "-i", "color=c=0x2040d0:s=640x360:r=30:d=0.5",
            "-f", "lavfi", "-i", "color=c=0xe08020:s=640x360:r=30:d=0.5",
            "-filter_complex", "[0:v][1:v]concat=n=2:v=1", "-pix_fmt", "yuv420p", str(clip),
        ],
        check=True,
    )  # fmt: skip
    shots = {"2-01": ("static", "cut", 1.0, []), "2-02": ("static", "cut", 2.0, [])}
    plan, renders = _project(tmp_path, shots, clips={"2-02": clip})
    info = assemble_animatic(plan, renders, tmp_path, tmp_path / "a.mp4", audio=False)
    frames = _frames(info.path)
    assert len(frames) == info.frames == 72
    start = info.markers[1].start_frame
    assert _close(_mean(frames[start + 5], CLEAR), (0x20, 0x40, 0xD0), 18)
    assert _close(_mean(frames[start + 18], CLEAR), (0xE0, 0x80, 0x20), 18)
    # The clip ran out after a second: its last frame holds until the shot ends.
    assert _close(_mean(frames[start + 36], CLEAR), (0xE0, 0x80, 0x20), 18)


def test_progress_reports_every_frame(tmp_path: Path) -> None:
    plan, renders = _project(tmp_path, {"1-01": ("static", "cut", 0.5, [])})
    calls: list[tuple[int, int]] = []
    info = assemble_animatic(
        plan, renders, tmp_path, tmp_path / "a.mp4", audio=False,
        on_frame=lambda done, total: calls.append((done, total)),
    )  # fmt: skip
    assert calls == [(i, info.frames) for i in range(1, info.frames + 1)]


@pytest.mark.skipif(not HAS_SPEECH, reason="no speech engine: apt-get install espeak-ng")
def test_scratch_track_voices_the_dialogue(tmp_path: Path) -> None:
    plan, renders = _project(tmp_path)
    info = assemble_animatic(plan, renders, tmp_path, tmp_path / "a.mp4", captions=False)
    assert info.has_audio
    assert "Audio: aac" in _probe(info.path)
    pcm = subprocess.run(
        [FFMPEG, "-v", "error", "-i", str(info.path), "-map", "0:a", "-ac", "1", "-ar", "8000",
         "-f", "s16le", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    assert abs(len(pcm) / 2 / 8000 - info.duration_s) < 0.1
    # Sound where the first line is spoken, silence in the dialogue-free push in.
    samples = memoryview(pcm).cast("h")
    first = info.markers[0]
    spoken = samples[int(first.start_s * 8000) : int((first.start_s + 0.8) * 8000)]
    push = info.markers[1]
    quiet = samples[int((push.start_s + 0.2) * 8000) : int((push.start_s + 1.2) * 8000)]
    assert max(abs(s) for s in spoken) > 1000
    assert max(abs(s) for s in quiet) < 200


def test_voices_are_stable_per_character() -> None:
    assert _audio.voice_for("STEEL") == _audio.voice_for("steel ")
    assert len({_audio.voice_for(name) for name in ("STEEL", "BRICK", "MARGOT", "TOMAS")}) == 4


def test_silent_with_a_note_without_speech_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("previz.assemble.animatic.speech_engine", lambda: None)
    plan, renders = _project(tmp_path, {"1-01": SHOTS["1-01"]})
    info = assemble_animatic(plan, renders, tmp_path, tmp_path / "a.mp4")
    assert not info.has_audio
    assert "Audio:" not in _probe(info.path)
    assert any("espeak-ng" in note for note in info.notes)


def test_missing_still_names_the_shot(tmp_path: Path) -> None:
    plan, renders = _project(tmp_path)
    (tmp_path / "shots" / "2-01.png").unlink()
    with pytest.raises(AssemblyError, match="2-01") as caught:
        assemble_animatic(plan, renders, tmp_path, tmp_path / "a.mp4", audio=False)
    assert caught.value.path and caught.value.path.endswith("2-01.png")
    assert not (tmp_path / "a.mp4").exists()


def test_shot_without_render_is_an_error(tmp_path: Path) -> None:
    plan, renders = _project(tmp_path)
    renders = renders.model_copy(update={"renders": renders.renders[:-1]})
    with pytest.raises(AssemblyError, match="2-03"):
        assemble_animatic(plan, renders, tmp_path, tmp_path / "a.mp4", audio=False)


def test_unreadable_still_names_the_shot(tmp_path: Path) -> None:
    plan, renders = _project(tmp_path)
    (tmp_path / "shots" / "1-03.png").write_bytes(b"not a png")
    with pytest.raises(AssemblyError, match="1-03"):
        assemble_animatic(plan, renders, tmp_path, tmp_path / "a.mp4", audio=False)
    assert not (tmp_path / "a.mp4").exists()
    assert not list(tmp_path.glob(".*.part"))


def test_ffmpeg_failure_quotes_its_stderr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from previz.assemble import _animatic_ffmpeg

    args = list(_animatic_ffmpeg.VIDEO_CODEC_ARGS)
    args[args.index("libx264")] = "no-such-encoder"
    monkeypatch.setattr(_animatic_ffmpeg, "VIDEO_CODEC_ARGS", tuple(args))
    plan, renders = _project(tmp_path, {"1-01": ("static", "cut", 0.5, [])})
    with pytest.raises(AssemblyError, match="no-such-encoder"):
        assemble_animatic(plan, renders, tmp_path, tmp_path / "a.mp4", audio=False)
    assert not (tmp_path / "a.mp4").exists()


def test_missing_ffmpeg_is_an_assembly_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import imageio_ffmpeg

    def missing() -> str:
        raise RuntimeError("no ffmpeg")

    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", missing)
    monkeypatch.setenv("PATH", str(tmp_path))
    plan, renders = _project(tmp_path, {"1-01": ("static", "cut", 0.5, [])})
    with pytest.raises(AssemblyError, match="ffmpeg not found"):
        assemble_animatic(plan, renders, tmp_path, tmp_path / "a.mp4", audio=False)


def test_interrupted_run_keeps_no_partial_file(tmp_path: Path) -> None:
    plan, renders = _project(tmp_path)
    out = tmp_path / "a.mp4"

    def stop(done: int, total: int) -> None:
        if done == 40:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        assemble_animatic(plan, renders, tmp_path, out, audio=False, on_frame=stop)
    assert not out.exists()
    assert not list(tmp_path.glob(".*.part"))


def test_killed_run_leaves_the_previous_file_alone(tmp_path: Path) -> None:
    plan, renders = _project(tmp_path)
    (tmp_path / "plan.json").write_text(plan.model_dump_json())
    (tmp_path / "renders.json").write_text(renders.model_dump_json())
    out = tmp_path / "a.mp4"
    out.write_bytes(b"the previous animatic")
    script = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        from previz.assemble.animatic import assemble_animatic
        from render.model import RenderSet
        from shots.model import ShotPlan

        root = Path({str(tmp_path)!r})
        plan = ShotPlan.model_validate_json((root / "plan.json").read_text())
        renders = RenderSet.model_validate_json((root / "renders.json").read_text())

        def die(done, total):
            if done == 60:
                os.kill(os.getpid(), signal.SIGKILL)

        assemble_animatic(plan, renders, root, root / "a.mp4", audio=False, on_frame=die)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert result.returncode == -9, result.stderr.decode()
    assert out.read_bytes() == b"the previous animatic"


@pytest.mark.skipif(not HAS_SPEECH, reason="no speech engine: apt-get install espeak-ng")
def test_lines_that_overrun_their_shot_are_spoken_faster(tmp_path: Path) -> None:
    engine = _audio.speech_engine()
    assert engine is not None
    line = DialogueLine(character="NARRATOR", text="Nobody in town remembered the winter.")
    normal = _audio._speak(engine, line, 1.0, tmp_path / "normal.wav").seconds
    shot_s = normal * 0.85
    shot = Shot(
        id="1-01", scene_id="s", scene_number="1", size="MS", duration_s=shot_s, dialogue=[line]
    )
    track = _audio.build_scratch_track(engine, [shot], [0.0], shot_s + 1.0, tmp_path)
    assert track.path is not None and track.starts == {"1-01": [0.0]}
    with wave.open(str(track.path)) as wav:
        rate = wav.getframerate()
        samples = memoryview(wav.readframes(wav.getnframes())).cast("h")
    voiced_end = max(i for i in range(0, len(samples), 64) if abs(samples[i]) > 300) / rate
    assert voiced_end < normal - 0.1


def test_prefetch_runs_ahead_only_so_far() -> None:
    from previz.assemble._animatic_frames import prefetch

    made: list[int] = []

    def frames() -> Iterator[bytes]:
        for i in range(1000):
            made.append(i)
            yield bytes([i % 256]) * 100

    stream = prefetch(frames(), max_bytes=1000)
    assert next(stream) == bytes(100)
    time.sleep(0.2)
    assert len(made) <= 12  # ten frames' worth of bytes ahead, one taken, one in hand
    stream.close()
    assert len(made) <= 12
