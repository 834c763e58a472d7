"""Panel images for the storyboard: each shot's still (or a clip's middle frame), scaled to
the size it is printed at and saved as a JPEG that reportlab embeds as it is.

Scaling first keeps the PDF small and quick to write: a 1280 px panel printed 3 inches
wide needs 450-600 px, and a JPEG goes into the PDF without being decoded again. The
work runs on a thread pool (Pillow releases the GIL while it decodes, scales and encodes).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from previz.errors import AssemblyError
from render._ffmpeg import find_ffmpeg as _find_ffmpeg
from render.model import ShotRender

__all__ = ["PanelImage", "PanelJob", "prepare_panels"]

JPEG_QUALITY = 86
POSTER_TIMEOUT_S = 60


@dataclass(frozen=True)
class PanelJob:
    """A shot's media and the pixel box it is printed in."""

    shot_id: str
    render: ShotRender
    source: Path
    box_px: tuple[int, int]
    duration_s: float
    """The shot's planned length, for a clip without its own."""


@dataclass(frozen=True)
class PanelImage:
    """A prepared panel: a JPEG (or ``None``: draw a placeholder) and its pixel size."""

    shot_id: str
    path: Path | None
    width: int
    height: int
    note: str | None = None


def find_ffmpeg() -> str | None:
    """The ffmpeg executable (:func:`render._ffmpeg.find_ffmpeg`), or ``None`` without one."""
    try:
        return _find_ffmpeg(AssemblyError)
    except AssemblyError:
        return None


def _poster_bytes(ffmpeg: str, job: PanelJob) -> bytes:
    """The clip's middle frame as PNG bytes (its first frame if seeking gives nothing)."""
    length = job.render.duration_s or job.duration_s
    for start in (length / 2, 0.0):
        command = [
            ffmpeg, "-v", "error", "-nostdin", "-ss", f"{start:.3f}", "-i", str(job.source),
            "-frames:v", "1", "-f", "image2pipe", "-c:v", "png", "-",
        ]  # fmt: skip
        try:
            done = subprocess.run(command, capture_output=True, timeout=POSTER_TIMEOUT_S)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise AssemblyError(
                f"shot {job.shot_id}: cannot take a frame from the clip: {exc}", path=job.source
            ) from None
        if done.returncode == 0 and done.stdout:
            return done.stdout
        error = done.stderr.decode("utf-8", "replace").strip().splitlines()
    detail = error[-1] if error else "no frame decoded"
    raise AssemblyError(
        f"shot {job.shot_id}: cannot take a frame from the clip: {detail}", path=job.source
    )


def _prepare(job: PanelJob, path: Path, ffmpeg: str | None) -> PanelImage:
    from PIL import Image, UnidentifiedImageError

    if job.render.kind == "clip":
        if ffmpeg is None:
            note = f"shot {job.shot_id}: no ffmpeg to take a frame from its clip"
            return PanelImage(job.shot_id, None, *job.box_px, note=note)
        source: Path | BytesIO = BytesIO(_poster_bytes(ffmpeg, job))
        what = "frame of the clip"
    else:
        source = job.source
        what = "still"
    try:
        with Image.open(source) as image:
            image.draft("RGB", job.box_px)  # JPEG sources decode at a reduced size
            image.load()
            if image.mode == "RGB":
                picture = image
            elif image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
                rgba = image.convert("RGBA")
                picture = Image.new("RGB", rgba.size, "white")
                picture.paste(rgba, mask=rgba.getchannel("A"))
            else:
                picture = image.convert("RGB")
            # Scale to the printed size, never up (the page scales up for free): a box
            # filter halves it first, then Lanczos takes it the rest of the way.
            picture.thumbnail(job.box_px, Image.Resampling.LANCZOS, reducing_gap=1.0)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        kind = "not an image" if isinstance(exc, UnidentifiedImageError) else str(exc)
        raise AssemblyError(
            f"shot {job.shot_id}: cannot read the {what}: {kind}", path=job.source
        ) from None
    try:
        picture.save(path, "JPEG", quality=JPEG_QUALITY)
    except OSError as exc:
        raise AssemblyError(f"shot {job.shot_id}: cannot write its panel: {exc}") from None
    return PanelImage(job.shot_id, path, picture.width, picture.height)


def prepare_panels(
    jobs: Sequence[PanelJob], out_dir: Path, *, workers: int
) -> Iterator[PanelImage]:
    """Prepare every panel on ``workers`` threads, yielding them in the order of ``jobs``.

    Raises:
        AssemblyError: a still or clip cannot be read; the message names the shot.
    """
    ffmpeg = find_ffmpeg() if any(job.render.kind == "clip" for job in jobs) else None
    executor = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="panel")
    futures: list[Future[PanelImage]] = []
    try:
        futures = [
            executor.submit(_prepare, job, out_dir / f"panel-{index:05d}.jpg", ffmpeg)
            for index, job in enumerate(jobs)
        ]
        for future in futures:
            yield future.result()
    finally:
        for future in futures:
            future.cancel()
        executor.shutdown(wait=True)
