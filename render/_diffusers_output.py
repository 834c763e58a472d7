"""Writing what a diffusion model made: a PNG or an H.264 MP4 at exactly the requested size.

The model generates at its own multiple of pixels (and at most its native size); the frame
is scaled to cover the request and centre-cropped, as the animatic frames clips.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from pathlib import Path

from PIL import Image, ImageOps

from previz.errors import RenderError
from render._ffmpeg import find_ffmpeg

__all__ = ["fit_frame", "save_still", "write_clip"]


def fit_frame(image: Image.Image, width: int, height: int) -> Image.Image:
    """``image`` scaled to cover ``width`` x ``height`` and centre-cropped to it, in RGB."""
    image = image.convert("RGB")
    if image.size == (width, height):
        return image
    return ImageOps.fit(image, (width, height), Image.Resampling.LANCZOS)


def save_still(image: Image.Image, width: int, height: int, dest: Path) -> None:
    """Write ``image`` to ``dest`` as a ``width`` x ``height`` PNG."""
    try:
        fit_frame(image, width, height).save(dest, format="PNG", compress_level=1)
    except OSError as exc:
        raise RenderError(f"cannot write the still: {exc}", path=dest) from None


def write_clip(frames: Iterable[Image.Image], width: int, height: int, fps: int, dest: Path) -> int:
    """Encode ``frames`` as H.264 (yuv420p, +faststart) at ``width`` x ``height`` and ``fps``.

    Returns:
        The number of frames written.

    Raises:
        RenderError: no ffmpeg, or it failed (its message), or no frames.
    """
    args = [find_ffmpeg(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y"]
    args += ["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}", "-r", str(fps)]
    args += ["-i", "pipe:0", "-an", "-c:v", "libx264", "-preset", "veryfast", "-crf", "18"]
    args += ["-pix_fmt", "yuv420p", "-movflags", "+faststart", "-f", "mp4", str(dest)]
    count = 0
    with subprocess.Popen(args, stdin=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdin is not None and proc.stderr is not None
        try:
            for frame in frames:
                proc.stdin.write(fit_frame(frame, width, height).tobytes())
                count += 1
        except BrokenPipeError:
            pass
        finally:
            proc.stdin.close()
        errors = proc.stderr.read().decode(errors="replace").strip()
        code = proc.wait()
    if code != 0 or count == 0:
        raise RenderError(f"ffmpeg could not write the clip: {errors or 'no frames'}", path=dest)
    return count
