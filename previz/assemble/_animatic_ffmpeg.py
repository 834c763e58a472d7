"""ffmpeg for the animatic: finding the binary, the encoder process, clip decoders.

Frames travel as raw ``yuv420p`` (BT.709, limited range), the format the encoder stores,
so ffmpeg converts nothing and the pipe carries half the bytes of RGB.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from previz.errors import AssemblyError
from render._ffmpeg import find_ffmpeg as _find_ffmpeg

__all__ = [
    "Encoder",
    "FrameReader",
    "clip_reader",
    "encoder_args",
    "find_ffmpeg",
    "frame_bytes",
    "remove_quietly",
]

VIDEO_CODEC_ARGS: tuple[str, ...] = (
    "-vf", "setparams=range=tv:colorspace=bt709:color_primaries=bt709:color_trc=bt709",
    "-c:v", "libx264", "-preset", "ultrafast", "-crf", "20", "-pix_fmt", "yuv420p",
)  # fmt: skip
"""H.264 for every browser; ``ultrafast`` because the encoder is most of an animatic's cost."""
AUDIO_CODEC_ARGS: tuple[str, ...] = ("-c:a", "aac", "-b:a", "64k", "-ar", "24000")
"""A scratch track: mono speech, AAC at 24 kHz (half the work of 48 kHz)."""
STDERR_TAIL_LINES = 12
_F_SETPIPE_SZ = 1031  # Linux: grow a pipe's buffer so frame making runs ahead of the encoder
PIPE_BUFFER_BYTES = 1 << 20


def find_ffmpeg() -> str:
    """The ffmpeg executable: imageio-ffmpeg's bundled binary, else one on ``PATH``.

    Raises:
        AssemblyError: neither is available.
    """
    return _find_ffmpeg(AssemblyError)


def frame_bytes(width: int, height: int) -> int:
    """Bytes in one yuv420p frame."""
    return width * height * 3 // 2


def encoder_args(
    ffmpeg: str,
    width: int,
    height: int,
    fps: int,
    out: Path,
    *,
    audio: Path | None = None,
    keyframes_s: Sequence[float] = (),
) -> list[str]:
    """The encoder's command line: raw yuv420p frames on stdin, MP4 (+faststart) to ``out``.

    Args:
        ffmpeg: the ffmpeg executable.
        width: frame width.
        height: frame height.
        fps: frames per second.
        out: the MP4 to write (any name: the format is given explicitly).
        audio: a WAV to encode as AAC alongside, if any.
        keyframes_s: times to force keyframes at (shot starts, so a player seeks exactly).

    Returns:
        The argument list for ``subprocess``.
    """
    args = [ffmpeg, "-hide_banner", "-loglevel", "error", "-y"]
    args += ["-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{width}x{height}", "-r", str(fps)]
    args += ["-i", "pipe:0"]
    if audio is not None:
        args += ["-i", str(audio)]
    args += ["-map", "0:v:0"]
    if audio is not None:
        args += ["-map", "1:a:0"]
    args += VIDEO_CODEC_ARGS
    if keyframes_s:
        args += ["-force_key_frames", ",".join(f"{t:.6f}" for t in keyframes_s)]
    if audio is not None:
        args += AUDIO_CODEC_ARGS
    args += ["-movflags", "+faststart", "-f", "mp4", str(out)]
    return args


def _stderr_tail(stream: IO[bytes]) -> str:
    stream.seek(0)
    lines = stream.read().decode("utf-8", "replace").strip().splitlines()
    return "\n".join(lines[-STDERR_TAIL_LINES:])


class Encoder:
    """One ffmpeg process that encodes the frames written to it.

    Its stderr goes to a temporary file (no pipe to drain, no deadlock), read back only
    when ffmpeg fails.
    """

    def __init__(self, args: list[str]) -> None:
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close/abort)
        try:
            self._proc = subprocess.Popen(
                args, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._stderr
            )
        except OSError as exc:
            self._stderr.close()
            raise AssemblyError(f"could not start ffmpeg ({args[0]}): {exc}") from exc
        assert self._proc.stdin is not None
        self._stdin = self._proc.stdin
        with contextlib.suppress(OSError):
            import fcntl

            fcntl.fcntl(self._stdin.fileno(), _F_SETPIPE_SZ, PIPE_BUFFER_BYTES)

    def write(self, data: bytes) -> None:
        """Send one frame's bytes.

        Raises:
            AssemblyError: ffmpeg has stopped reading (it failed).
        """
        try:
            self._stdin.write(data)
        except (BrokenPipeError, ValueError):
            self._proc.wait()
            self._fail("ffmpeg stopped reading frames")

    def close(self) -> None:
        """Signal the end of the frames and wait for ffmpeg to finish the file.

        Raises:
            AssemblyError: ffmpeg exited with an error.
        """
        with contextlib.suppress(BrokenPipeError):
            self._stdin.close()
        code = self._proc.wait()
        if code != 0:
            self._fail(f"ffmpeg exited with status {code}")
        self._stderr.close()

    def abort(self) -> None:
        """Kill ffmpeg (after an error or an interrupt); never raises."""
        with contextlib.suppress(OSError, ValueError):
            self._stdin.close()
        with contextlib.suppress(OSError):
            self._proc.kill()
        self._proc.wait()
        self._stderr.close()

    def _fail(self, what: str) -> None:
        tail = _stderr_tail(self._stderr)
        self._stderr.close()
        raise AssemblyError(f"{what}:\n{tail}" if tail else what)


class FrameReader:
    """Raw yuv420p frames from an ffmpeg process, read in order and held at the end.

    Frame ``k`` past the last one produced repeats the last (a short clip holds); a
    reader never goes back, so only the last two frames are kept.
    """

    def __init__(
        self,
        args: list[str],
        width: int,
        height: int,
        label: str,
        *,
        path: Path | None = None,
    ) -> None:
        self.label = label
        self.path = path
        self._size = frame_bytes(width, height)
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        try:
            self._proc = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
            )
        except OSError as exc:
            self._stderr.close()
            raise AssemblyError(f"shot {label}: could not start ffmpeg: {exc}", path=path) from exc
        self._recent: list[bytes] = []
        self._count = 0
        self._done = False

    def frame(self, index: int) -> bytes:
        """Frame ``index``, clamped to what ffmpeg produced; indices never go back.

        Raises:
            AssemblyError: ffmpeg produced no frame at all.
        """
        index = max(index, 0)
        while self._count <= index and not self._done:
            self._read_one()
        if index >= self._count:
            return self._recent[-1]
        return self._recent[index - self._count]

    def _read_one(self) -> None:
        assert self._proc.stdout is not None
        data = self._proc.stdout.read(self._size)
        if len(data) < self._size:
            code = self._proc.wait()
            if self._count == 0:
                tail = _stderr_tail(self._stderr)
                self.close()
                raise AssemblyError(
                    f"shot {self.label}: ffmpeg produced no frame (status {code}):\n{tail}",
                    path=self.path,
                )
            self.close()
            return
        self._recent = [*self._recent[-1:], data]
        self._count += 1

    def close(self) -> None:
        """Stop ffmpeg; the frames already read stay available."""
        if self._done:
            return
        self._done = True
        if self._proc.poll() is None:
            with contextlib.suppress(OSError):
                self._proc.kill()
        self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        self._stderr.close()


def clip_reader(
    ffmpeg: str, path: Path, width: int, height: int, fps: int, frames: int, label: str
) -> FrameReader:
    """A rendered clip at the frame size and rate: scaled to cover, centre-cropped.

    Args:
        ffmpeg: the ffmpeg executable.
        path: the clip.
        width: frame width.
        height: frame height.
        fps: frames per second.
        frames: frames wanted (the rest of the clip is never decoded).
        label: the shot id, for messages.
    """
    vf = (
        f"scale={width}:{height}:force_original_aspect_ratio=increase:out_range=tv,"
        f"crop={width}:{height},fps={fps},format=yuv420p"
    )
    args = [ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-i", str(path)]
    args += ["-an", "-vf", vf, "-frames:v", str(max(frames, 1))]
    args += ["-f", "rawvideo", "-pix_fmt", "yuv420p", "pipe:1"]
    return FrameReader(args, width, height, label, path=path)


def remove_quietly(path: Path) -> None:
    """Delete ``path`` if it exists."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
