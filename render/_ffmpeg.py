"""Finding the ffmpeg executable, for the render stage and the assembler alike."""

from __future__ import annotations

import shutil

from previz.errors import PrevizError, RenderError

__all__ = ["find_ffmpeg"]


def find_ffmpeg(error: type[PrevizError] = RenderError) -> str:
    """The ffmpeg executable: imageio-ffmpeg's bundled binary, else one on ``PATH``.

    Args:
        error: what to raise when there is none (the caller's stage's error).

    Raises:
        PrevizError: ``error``, when neither is available.
    """
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError):
        pass
    exe = shutil.which("ffmpeg")
    if exe is None:
        raise error(
            "ffmpeg not found: install imageio-ffmpeg (pip install imageio-ffmpeg) "
            "or put an ffmpeg binary on PATH"
        )
    return exe
