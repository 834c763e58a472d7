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
import os
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from PIL import Image

from previz.errors import BackendUnavailableError, RenderError
from render._diffusers_batch import run_in_batches
from render._diffusers_load import (
    DEFAULT_VIDEO_MODEL,
    KNOWN_MODELS,
    apply_speedups,
    enable_offload,
    load_pipeline,
    locate_model,
    resolve_device,
    resolve_dtype,
    torch_modules,
)
from render._diffusers_output import write_clip
from render._diffusers_prompt import ShotPrompt, fit_size, generators, shot_prompt
from render.base import RenderRequest
from render.model import MediaKind

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


class DiffusersVideoBackend:
    """Clips from a text-to-video diffusion pipeline.

    Args:
        pipe: a diffusers text-to-video pipeline.
        loader: instead of ``pipe``, a function that loads it on first use.
        model_id: what the cache key and the provenance record name.
        fingerprint: changes when the weights may have (defaults to ``model_id``).
        steps: denoising steps.
        guidance: classifier-free guidance scale.
        device: where the pipeline runs.
        fps: the model's frame rate (the clip's).
        max_frames: the longest clip the model makes well.
        max_long_side: generated frames' long side at most (then resized to the request).
        dtype: the pipeline's dtype name, for the cache key (default: ``pipe.dtype``).
        still: an image backend (``diffusers-image``) whose still of the shot starts the
            clip (image-to-video, LTX-Video models), so that the still and the clip agree.
    """

    name: ClassVar[str] = "diffusers-video"
    kind: ClassVar[MediaKind] = "clip"
    suffix: ClassVar[str] = ".mp4"
    generative: ClassVar[bool] = True

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
        still: Any = None,
    ) -> None:
        if (pipe is None) == (loader is None):
            raise RenderError("give a pipeline or a loader, not both or neither")
        if steps < 1 or fps < 1 or max_frames < 1:
            raise RenderError(
                f"steps, fps and max_frames must be positive, got {steps}, {fps}, {max_frames}"
            )
        self._pipe = pipe
        self._load = loader
        self.model_id = model_id
        self.fingerprint = fingerprint or model_id
        self.steps = steps
        self.guidance = guidance
        self.device = device
        self.fps = fps
        self.max_frames = max_frames
        self.max_long_side = max_long_side
        self.dtype = dtype or str(getattr(pipe, "dtype", "unknown")).removeprefix("torch.")
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
        torch_modules()
        source = locate_model(model_id_or_path)
        device = resolve_device(device)
        torch_dtype = resolve_dtype(device, dtype, prefer_bf16=True)
        known = source.known or KNOWN_MODELS[DEFAULT_VIDEO_MODEL]
        if compile is None:
            compile = os.environ.get("PREVIZ_COMPILE", "") not in ("", "0")

        def load() -> Any:
            from diffusers import DiffusionPipeline

            pipe = load_pipeline(source, DiffusionPipeline, device, torch_dtype)
            apply_speedups(pipe, device, compile=compile, tiling=_small_gpu(device))
            return pipe

        return cls(
            loader=load,
            model_id=source.model_id,
            fingerprint=source.fingerprint,
            steps=steps if steps is not None else known.steps,
            guidance=guidance if guidance is not None else known.guidance,
            device=device,
            fps=fps or known.fps,
            max_frames=max_frames or known.max_frames,
            max_long_side=max_long_side or known.max_long_side,
            dtype=str(torch_dtype).removeprefix("torch."),
            still=_still_backend(still_model, device, compile) if still_model else None,
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

    @property
    def pipe(self) -> Any:
        """The pipeline, loaded on first use."""
        if self._pipe is None:
            assert self._load is not None
            self._pipe = self._load()
            self._load = None
        return self._pipe

    def settings(self) -> dict[str, Any]:
        """Model, steps, guidance, dtype, frame rate, clip and size caps, version (and the
        still's backend settings for image-to-video)."""
        settings: dict[str, Any] = {
            "model": self.fingerprint,
            "steps": self.steps,
            "guidance": self.guidance,
            "dtype": self.dtype,
            "fps": self.fps,
            "max_frames": self.max_frames,
            "max_long_side": self.max_long_side,
            "version": DIFFUSERS_VIDEO_VERSION,
        }
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
        # written and stamped under a temporary name: ``dest`` appears only when whole
        part = dest.with_name(f".{dest.stem}.part{dest.suffix}")
        try:
            written = write_clip(video, request.width, request.height, self.fps, part)
            self._stamp(prompt, request, written, part)
            os.replace(part, dest)
        finally:
            part.unlink(missing_ok=True)

    def _stamp(self, prompt: ShotPrompt, request: RenderRequest, frames: int, path: Path) -> None:
        from render.provenance import GenerationInfo, stamp_generated

        stamp_generated(
            path,
            GenerationInfo(
                backend=self.name,
                model_id=self.model_id,
                prompt=prompt.prompt,
                negative_prompt=prompt.negative_prompt,
                seed=prompt.seed,
                steps=self.steps,
                width=request.width,
                height=request.height,
                frames=frames,
                fps=self.fps,
            ),
        )

    def _still_of(self, request: RenderRequest) -> Image.Image:
        """The image backend's still of the shot (the clip's first frame)."""
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


def _still_backend(model: str, device: str, compile: bool) -> Any:
    from render.diffusers_image import DiffusersImageBackend

    return DiffusersImageBackend.from_pretrained(model, device=device, compile=compile)


def _small_gpu(device: str) -> bool:
    """Under 24 GB: decode clips in tiles (a 161-frame 768x512 decode needs more at once)."""
    if not device.startswith("cuda"):
        return False
    torch, _ = torch_modules()
    return torch.cuda.get_device_properties(device).total_memory < 24 * 2**30
