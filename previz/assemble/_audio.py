"""The scratch dialogue track: every line voiced by a speech engine at its shot's time.

espeak-ng is found on ``PATH``; without it the animatic is silent and says so. Each
character gets one voice (an espeak-ng variant, pitch and speed picked from a hash of the
name, so the same character sounds the same in every run). A shot's lines follow each
other from the shot's start; lines that would overrun the shot are spoken faster. The
lines are mixed into one mono WAV with the standard library alone.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import wave
from array import array
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from previz.assemble.timing import LINE_GAP_S, estimate_line_s, line_starts
from shots.model import DialogueLine, Shot

__all__ = [
    "ScratchTrack",
    "Voice",
    "build_scratch_track",
    "speech_engine",
    "voice_for",
]

ENGINES = ("espeak-ng", "espeak")
LANGUAGE = "en-us"
VARIANTS = ("m1", "f2", "m3", "f4", "m7", "f1", "m2", "f3", "m4", "f5", "m5", "m6")
"""espeak-ng voice variants to give characters, men and women alternating."""
BASE_WPM = 165
MAX_SPEEDUP = 1.4
"""Lines that overrun their shot are spoken up to this much faster."""
ENGINE_TIMEOUT_S = 60

Job = tuple[int, int]
"""(shot index, line index)."""


def speech_engine() -> str | None:
    """The speech engine's executable, or ``None`` when none is installed."""
    for name in ENGINES:
        exe = shutil.which(name)
        if exe:
            return exe
    return None


@dataclass(frozen=True)
class Voice:
    """How one character sounds."""

    name: str
    """espeak-ng voice: language plus variant, e.g. ``en-us+m3``."""
    pitch: int
    """0-99, 50 is the voice's own."""
    wpm: int


def voice_for(character: str) -> Voice:
    """The voice of ``character``: the same name always gets the same voice."""
    digest = hashlib.sha256(character.strip().upper().encode()).digest()
    variant = VARIANTS[digest[0] % len(VARIANTS)]
    return Voice(f"{LANGUAGE}+{variant}", pitch=35 + digest[1] % 31, wpm=BASE_WPM + digest[2] % 16)


@dataclass
class ScratchTrack:
    """The mixed dialogue and when each line starts."""

    path: Path | None
    """The mono WAV, ``None`` when nothing was voiced."""
    starts: dict[str, list[float]] = field(default_factory=dict)
    """Shot id to its lines' starts, seconds from the shot's start."""
    notes: list[str] = field(default_factory=list)


@dataclass
class _Clip:
    rate: int
    samples: array[int]

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate


def _speak(engine: str, line: DialogueLine, speedup: float, out: Path) -> _Clip:
    voice = voice_for(line.character)
    args = [engine, "-v", voice.name, "-p", str(voice.pitch), "-s", str(round(voice.wpm * speedup))]
    args += ["-w", str(out), "--stdin"]
    subprocess.run(
        args,
        input=" ".join(line.text.split()).encode(),
        capture_output=True,
        check=True,
        timeout=ENGINE_TIMEOUT_S,
    )
    with wave.open(str(out), "rb") as wav:
        if wav.getsampwidth() != 2 or wav.getnchannels() != 1:
            raise ValueError(f"{engine} wrote {wav.getnchannels()} x {wav.getsampwidth() * 8} bit")
        samples = array("h")
        samples.frombytes(wav.readframes(wav.getnframes()))
        return _Clip(wav.getframerate(), samples)


def _mix(placed: list[tuple[float, _Clip]], rate: int, total_s: float) -> array[int]:
    length = round(total_s * rate)
    track = array("h", bytes(2 * length))
    written_to = 0
    for start_s, clip in sorted(placed, key=lambda item: item[0]):
        start = round(start_s * rate)
        samples = clip.samples[: max(length - start, 0)]
        end = start + len(samples)
        overlap = max(min(end, written_to) - start, 0)
        # Where an earlier line still sounds, add sample by sample; elsewhere copy.
        for offset in range(overlap):
            mixed = track[start + offset] + samples[offset]
            track[start + offset] = max(-32768, min(32767, mixed))
        track[start + overlap : end] = samples[overlap:]
        written_to = max(written_to, end)
    return track


def build_scratch_track(
    engine: str,
    shots: Sequence[Shot],
    shot_starts_s: Sequence[float],
    total_s: float,
    workdir: Path,
) -> ScratchTrack:
    """Voice every shot's dialogue and mix it into one WAV of ``total_s`` seconds.

    Args:
        engine: the speech engine (from :func:`speech_engine`).
        shots: the plan's shots.
        shot_starts_s: each shot's start in the film, seconds.
        total_s: the film's length.
        workdir: a folder for the line WAVs and the mix.

    Returns:
        The track; a line the engine fails on is left out, with a note.
    """
    result = ScratchTrack(path=None)
    jobs = [(s, j) for s, shot in enumerate(shots) for j in range(len(shot.dialogue))]
    if not jobs:
        result.notes.append("no dialogue: the animatic has no audio")
        return result
    workers = max(1, min(4, os.cpu_count() or 1))

    def speak_all(todo: list[Job], speedups: dict[int, float]) -> dict[Job, _Clip | str]:
        def one(job: Job) -> tuple[Job, _Clip | str]:
            s, j = job
            out = workdir / f"line-{s:05d}-{j:03d}.wav"
            try:
                return job, _speak(engine, shots[s].dialogue[j], speedups.get(s, 1.0), out)
            except (OSError, ValueError, wave.Error, subprocess.SubprocessError) as exc:
                detail = getattr(exc, "stderr", b"") or b""
                reason = detail.decode("utf-8", "replace").strip() or str(exc)
                who = shots[s].dialogue[j].character
                return (
                    job,
                    f"shot {shots[s].id}: {Path(engine).name} failed on {who}'s line: {reason}",
                )

        with ThreadPoolExecutor(workers) as pool:
            return dict(pool.map(one, todo))

    clips = speak_all(jobs, {})
    # A shot whose lines overrun it is voiced again, faster.
    speedups: dict[int, float] = {}
    for s, shot in enumerate(shots):
        spoken = [clips[(s, j)] for j in range(len(shot.dialogue))]
        needed = sum(c.seconds for c in spoken if isinstance(c, _Clip)) + LINE_GAP_S * (
            len(spoken) - 1
        )
        if spoken and needed > shot.duration_s * 1.02:
            speedups[s] = min(MAX_SPEEDUP, needed / shot.duration_s)
    if speedups:
        clips.update(speak_all([job for job in jobs if job[0] in speedups], speedups))

    rate = next((c.rate for c in clips.values() if isinstance(c, _Clip)), 0)
    placed: list[tuple[float, _Clip]] = []
    for s, shot in enumerate(shots):
        if not shot.dialogue:
            continue
        spoken = [clips[(s, j)] for j in range(len(shot.dialogue))]
        durations = []
        for line, clip in zip(shot.dialogue, spoken, strict=True):
            if isinstance(clip, str):
                result.notes.append(clip)
                durations.append(estimate_line_s(line))
            elif clip.rate != rate:
                result.notes.append(
                    f"shot {shot.id}: a line came out at {clip.rate} Hz, not {rate}"
                )
                durations.append(estimate_line_s(line))
            else:
                durations.append(clip.seconds)
        starts = line_starts(durations, shot.duration_s)
        result.starts[shot.id] = starts
        for clip, start in zip(spoken, starts, strict=True):
            if isinstance(clip, _Clip) and clip.rate == rate:
                placed.append((shot_starts_s[s] + start, clip))
    if not placed:
        result.notes.append("the speech engine voiced no line: the animatic has no audio")
        return result
    track = _mix(placed, rate, total_s)
    result.path = workdir / "scratch.wav"
    with wave.open(str(result.path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(track.tobytes())
    return result
