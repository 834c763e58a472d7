"""The ``diffusers-video`` backend: one clip per shot from a text-to-video diffusion model.

The default is LTX-Video (2B, 24 fps, frame counts 8k+1): it makes 5 s of 768x512 video in
seconds on one GPU. Wan 2.1 T2V 1.3B (16 fps, 4k+1 frames) and other pipelines
``DiffusionPipeline`` loads work too. A clip lasts the shot's duration at the model's frame
rate, snapped up to a frame count the model accepts; a shot longer than the model's
longest clip gets the longest clip and a note (a :class:`ClipNote` warning and
:attr:`DiffusersVideoBackend.notes`): the animatic holds its last frame for the rest.
Clips are H.264 MP4 at exactly the requested size. With a still backend (image-to-video,
LTX-Video), each clip starts from the image model's still of the shot.
"""

from __future__ import annotations

import inspect
import math
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from PIL import Image

from previz.errors import BackendUnavailableError, RenderError
from render._diffusers_backend import DiffusersBackend, plan_load, write_whole
from render._diffusers_batch import run_in_batches
from render._diffusers_load import DEFAULT_VIDEO_MODEL, enable_offload, torch_modules
from render._diffusers_output import write_clip
from render._diffusers_prompt import fit_size, generators, shot_prompt
from render.base import RenderRequest
from render.model import MediaKind

if TYPE_CHECKING:
    from render.diffusers_image import DiffusersImageBackend

__all__ = ["DIFFUSERS_VIDEO_VERSION", "ClipNote", "DiffusersVideoBackend", "clip_frames"]

DIFFUSERS_VIDEO_VERSION = "1"
"""Bump when the backend's output changes for the same model and settings (cache key)."""


class ClipNote(UserWarning):
    """A clip is shorter than its shot (the model's longest clip); the animatic holds it."""


def clip_frames(duration_s: float, fps: int, step: int, max_frames: int) -> tuple[int, bool]:
    """Frames for a clip of ``duration_s``: ``step * k + 1``, covering the shot if it can.

    Returns:
        ``(frames, capped)``: ``capped`` when the shot is longer than ``max_frames`` allow.
    """
    wanted = max(1, round(duration_s * fps))
    frames = max(1, math.ceil((wanted - 1) / step)) * step + 1
    longest = max(1, (max_frames - 1) // step) * step + 1
    return (longest, True) if frames > longest else (frames, False)


class DiffusersVideoBackend(DiffusersBackend):
    """Clips from a text-to-video diffusion pipeline.

    Args:
        pipe: a diffusers text-to-video pipeline.
        fps: the model's frame rate (the clip's).
        max_frames: the longest clip the model makes well.
        still: an image backend (``diffusers-image``) whose still of the shot starts the
            clip (image-to-video, LTX-Video models), so that the still and the clip agree.

    The other arguments are :class:`~render._diffusers_backend.DiffusersBackend`'s.

    Raises:
        RenderError: both or neither of ``pipe`` and ``loader``, or a step count, frame
            rate or frame count below 1.
    """

    name: ClassVar[str] = "diffusers-video"
    kind: ClassVar[MediaKind] = "clip"
    suffix: ClassVar[str] = ".mp4"
    version: ClassVar[str] = DIFFUSERS_VIDEO_VERSION

    def __init__(
        self,
        pipe: Any = None,
        *,
        loader: Callable[[], Any] | None = None,
        model_id: str = "unknown",
        fingerprint: str | None = None,
        steps: int = 30,
        guidance: float = 3.0,
        device: str = "cpu",
        fps: int = 24,
        max_frames: int = 161,
        max_long_side: int = 768,
        dtype: str | None = None,
        still: DiffusersImageBackend | None = None,
    ) -> None:
        super().__init__(
            pipe,
            loader=loader,
            model_id=model_id,
            fingerprint=fingerprint,
            steps=steps,
            guidance=guidance,
            device=device,
            max_long_side=max_long_side,
            dtype=dtype,
        )
        if fps < 1 or max_frames < 1:
            raise RenderError(f"fps and max_frames must be positive, got {fps}, {max_frames}")
        self.fps = fps
        self.max_frames = max_frames
        self.notes: list[str] = []
        self.still = still
        self._fallbacks = 0
        self._i2v: Any = None

    @classmethod
    def from_pretrained(
        cls,
        model_id_or_path: str = DEFAULT_VIDEO_MODEL,
        *,
        device: str = "auto",
        dtype: str = "auto",
        steps: int | None = None,
        guidance: float | None = None,
        fps: int | None = None,
        max_frames: int | None = None,
        max_long_side: int | None = None,
        compile: bool | None = None,
        still_model: str | None = None,
    ) -> DiffusersVideoBackend:
        """Load a text-to-video model from a folder or the local HF cache (never the network).

        Defaults come from the known model's entry (LTX-Video: 30 steps, guidance 3, 24 fps,
        161 frames, 768 px), or LTX-Video's for an unknown folder. With ``still_model`` (an
        image model), each clip starts from that model's still of the shot.

        Raises:
            BackendUnavailableError: torch or diffusers missing, or the model not on disk.
        """
        plan = plan_load(
            model_id_or_path,
            "DiffusionPipeline",
            default_model=DEFAULT_VIDEO_MODEL,
            device=device,
            dtype=dtype,
            compile=compile,
            prefer_bf16=True,
            tiling=_small_gpu,
        )
        still = None
        if still_model:
            still = _still_backend(still_model, plan.device, plan.compile)
        return cls(
            **plan.backend_args(steps, guidance, max_long_side),
            fps=fps or plan.known.fps,
            max_frames=max_frames or plan.known.max_frames,
            still=still,
        )

    @classmethod
    def from_options(
        cls,
        *,
        model: str | None = None,
        device: str = "auto",
        steps: int | None = None,
        guidance: float | None = None,
        compile: bool = False,
        still_model: str | None = None,
        **_: Any,
    ) -> DiffusersVideoBackend:
        """:meth:`from_pretrained` with the run's settings (``None``: the model's default)."""
        return cls.from_pretrained(
            model or DEFAULT_VIDEO_MODEL,
            device=device,
            steps=steps,
            guidance=guidance,
            compile=compile or None,
            still_model=still_model,
        )

    def settings(self) -> dict[str, Any]:
        """Model, steps, guidance, dtype, frame rate, clip and size caps, version (and the
        still's backend settings for image-to-video)."""
        settings = super().settings()
        settings.update(fps=self.fps, max_frames=self.max_frames)
        if self.still is not None:
            settings["still"] = {"backend": self.still.name, **self.still.settings()}
        return settings

    def render(self, request: RenderRequest, dest: Path) -> None:
        """Render the shot's clip into ``dest``: an MP4 of the requested size at the model's fps.

        Raises:
            RenderError: out of memory even with VAE tiling and CPU offload (names the shot).
        """
        frames, capped = clip_frames(
            request.shot.duration_s, self.fps, self._temporal_step(), self.max_frames
        )
        if capped:
            note = (
                f"shot {request.shot.id}: {request.shot.duration_s:g} s is longer than the "
                f"model's {frames / self.fps:.2f} s clip; the animatic holds its last frame"
            )
            self.notes.append(note)
            warnings.warn(note, ClipNote, stacklevel=2)
        run_in_batches(
            [request],
            1,
            lambda batch: self._generate(batch[0], frames, dest),
            offload=self._fall_back,
            label=lambda r: r.shot.id,
        )

    def _temporal_step(self) -> int:
        pipe = self.pipe
        for attr in ("vae_temporal_compression_ratio", "vae_scale_factor_temporal"):
            value = getattr(pipe, attr, None)
            if isinstance(value, int) and value > 0:
                return value
        return 8

    def _multiple(self) -> int:
        pipe = self.pipe
        value = getattr(pipe, "vae_spatial_compression_ratio", None)
        if isinstance(value, int) and value > 0:
            return max(32, value)  # LTX checks for multiples of 32 whatever its VAE
        spatial = getattr(pipe, "vae_scale_factor_spatial", 8)
        return int(spatial) * 2  # Wan, CogVideoX: latents in 2x2 patches

    def _generate(self, request: RenderRequest, frames: int, dest: Path) -> None:
        prompt = shot_prompt(request)
        gen_w, gen_h = fit_size(
            request.width,
            request.height,
            multiple=self._multiple(),
            max_long_side=self.max_long_side,
        )
        kwargs: dict[str, Any] = {
            "prompt": prompt.prompt,
            "negative_prompt": prompt.negative_prompt,
            "width": gen_w,
            "height": gen_h,
            "num_frames": frames,
            "num_inference_steps": self.steps,
            "guidance_scale": self.guidance,
            "generator": generators([prompt.seed])[0],
            "output_type": "pil",
        }
        pipe = self.pipe
        if self.still is not None:
            pipe = self._image_to_video()
            kwargs["image"] = self._still_of(request)
        if "frame_rate" in inspect.signature(pipe.__call__).parameters:
            kwargs["frame_rate"] = self.fps
        video = pipe(**kwargs).frames[0]
        with write_whole(dest) as part:
            written = write_clip(video, request.width, request.height, self.fps, part)
            self._stamp(
                part,
                request,
                prompt,
                negative_prompt=prompt.negative_prompt,
                frames=written,
                fps=self.fps,
            )

    def _still_of(self, request: RenderRequest) -> Image.Image:
        """The image backend's still of the shot (the clip's first frame)."""
        assert self.still is not None
        with tempfile.TemporaryDirectory(prefix="previz-still-") as folder:
            path = Path(folder) / "still.png"
            self.still.render(request, path)
            with Image.open(path) as image:
                return image.convert("RGB")

    def _image_to_video(self) -> Any:
        """The image-to-video pipeline sharing the loaded model's components."""
        if self._i2v is None:
            kind = type(self.pipe).__name__
            if kind != "LTXPipeline":
                raise BackendUnavailableError(
                    f"starting clips from stills needs an LTX-Video model; {self.model_id} "
                    f"loads as {kind}"
                )
            from diffusers import LTXImageToVideoPipeline

            self._i2v = LTXImageToVideoPipeline.from_pipe(self.pipe)
            self._i2v.set_progress_bar_config(disable=True)
        return self._i2v

    def _fall_back(self) -> bool:
        """Out of memory on a clip: first VAE tiling, then model CPU offload."""
        self._fallbacks += 1
        if self._fallbacks == 1:
            vae = getattr(self.pipe, "vae", None)
            if hasattr(vae, "use_tiling"):
                vae.enable_tiling()
                return True
            self._fallbacks += 1
        if self._fallbacks == 2:
            return enable_offload(self.pipe, self.device)
        return False


def _still_backend(model: str, device: str, compile: bool) -> DiffusersImageBackend:
    from render.diffusers_image import DiffusersImageBackend

    return DiffusersImageBackend.from_pretrained(model, device=device, compile=compile)


def _small_gpu(device: str) -> bool:
    """Under 24 GB: decode clips in tiles (a 161-frame 768x512 decode needs more at once)."""
    if not device.startswith("cuda"):
        return False
    torch, _ = torch_modules()
    return torch.cuda.get_device_properties(device).total_memory < 24 * 2**30
