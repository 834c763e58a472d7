"""What the ``diffusers-image`` and ``diffusers-video`` backends share: the pipeline given
or loaded on first use, the settings behind the cache key, loading a model from disk with
the device's dtype and speed settings, and writing a stamped file under a temporary name.

torch and diffusers are imported inside the functions: importing this module costs nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from previz.errors import RenderError
from render._diffusers_load import (
    KNOWN_MODELS,
    KnownModel,
    ModelSource,
    apply_speedups,
    load_pipeline,
    locate_model,
    resolve_device,
    resolve_dtype,
    torch_modules,
)
from render._diffusers_prompt import ShotPrompt
from render.base import RenderRequest

__all__ = ["DiffusersBackend", "LoadPlan", "plan_load", "write_whole"]


@dataclass(frozen=True, slots=True)
class LoadPlan:
    """A model found on disk and how to load it, before any weights are read."""

    source: ModelSource
    known: KnownModel
    """The model's entry, or the default model's for an unknown folder (for defaults)."""
    device: str
    dtype: str
    """The torch dtype's name (``float16``), for the cache key."""
    compile: bool
    load: Callable[[], Any]

    def backend_args(
        self, steps: int | None, guidance: float | None, max_long_side: int | None
    ) -> dict[str, Any]:
        """The constructor arguments every diffusers backend takes (``None``: the model's)."""
        return {
            "loader": self.load,
            "model_id": self.source.model_id,
            "fingerprint": self.source.fingerprint,
            "steps": steps if steps is not None else self.known.steps,
            "guidance": guidance if guidance is not None else self.known.guidance,
            "device": self.device,
            "max_long_side": max_long_side or self.known.max_long_side,
            "dtype": self.dtype,
        }


def plan_load(
    model_id_or_path: str,
    pipeline: str,
    *,
    default_model: str,
    device: str,
    dtype: str,
    compile: bool | None,
    prefer_bf16: bool = False,
    tiling: Callable[[str], bool] = lambda device: False,
) -> LoadPlan:
    """Find a model (a folder or the local HF cache, never the network) and plan its loading.

    Args:
        model_id_or_path: a hub id or a diffusers pipeline folder.
        pipeline: the diffusers class that loads it (``AutoPipelineForText2Image``).
        default_model: whose :data:`KNOWN_MODELS` entry gives an unknown model's defaults.
        device: ``auto`` or a torch device.
        dtype: ``auto`` or a torch dtype name.
        compile: ``torch.compile`` the denoiser; ``None``: when ``PREVIZ_COMPILE`` is set.
        prefer_bf16: ``auto`` picks bfloat16 on a CUDA device that has it.
        tiling: whether the VAE decodes in tiles on the resolved device.

    Returns:
        The plan; its ``load`` reads the weights.

    Raises:
        BackendUnavailableError: torch or diffusers missing, or the model not on disk.
    """
    _, diffusers = torch_modules()
    source = locate_model(model_id_or_path)
    device = resolve_device(device)
    torch_dtype = resolve_dtype(device, dtype, prefer_bf16=prefer_bf16)
    if compile is None:
        compile = os.environ.get("PREVIZ_COMPILE", "") not in ("", "0")

    def load() -> Any:
        pipe = load_pipeline(source, getattr(diffusers, pipeline), device, torch_dtype)
        apply_speedups(pipe, device, compile=compile, tiling=tiling(device))
        return pipe

    return LoadPlan(
        source=source,
        known=source.known or KNOWN_MODELS[default_model],
        device=device,
        dtype=_dtype_name(torch_dtype),
        compile=compile,
        load=load,
    )


@contextmanager
def write_whole(dest: Path) -> Iterator[Path]:
    """A temporary name beside ``dest`` to write (and stamp) the file under: ``dest``
    appears only when the block finishes, and the temporary file never stays."""
    part = dest.with_name(f".{dest.stem}.part{dest.suffix}")
    try:
        yield part
        os.replace(part, dest)
    finally:
        part.unlink(missing_ok=True)


def _dtype_name(dtype: Any) -> str:
    return str(dtype).removeprefix("torch.")


class DiffusersBackend:
    """The base of the diffusers backends: pipeline, settings and provenance stamp.

    Args:
        pipe: a diffusers pipeline.
        loader: instead of ``pipe``, a function that loads it on first use.
        model_id: what the cache key and the provenance record name (hub id or folder).
        fingerprint: changes when the weights may have (defaults to ``model_id``).
        steps: denoising steps.
        guidance: classifier-free guidance scale.
        device: where the pipeline runs (``cpu``, ``cuda``, ``mps``).
        max_long_side: generated frames' long side at most (then resized to the request).
        dtype: the pipeline's dtype name, for the cache key (default: ``pipe.dtype``).

    Raises:
        RenderError: both or neither of ``pipe`` and ``loader``, or fewer than 1 step.
    """

    name: ClassVar[str]
    version: ClassVar[str]
    """Goes into the cache key: bumped when the output changes for the same settings."""
    generative: ClassVar[bool] = True

    def __init__(
        self,
        pipe: Any,
        *,
        loader: Callable[[], Any] | None,
        model_id: str,
        fingerprint: str | None,
        steps: int,
        guidance: float,
        device: str,
        max_long_side: int,
        dtype: str | None,
    ) -> None:
        if (pipe is None) == (loader is None):
            raise RenderError("give a pipeline or a loader, not both or neither")
        if steps < 1:
            raise RenderError(f"steps must be at least 1, got {steps}")
        self._pipe = pipe
        self._load = loader
        self.model_id = model_id
        self.fingerprint = fingerprint or model_id
        self.steps = steps
        self.guidance = guidance
        self.device = device
        self.max_long_side = max_long_side
        self.dtype = dtype or _dtype_name(getattr(pipe, "dtype", "unknown"))

    @property
    def pipe(self) -> Any:
        """The pipeline, loaded on first use."""
        if self._pipe is None:
            assert self._load is not None
            self._pipe = self._load()
            self._load = None
        return self._pipe

    def settings(self) -> dict[str, Any]:
        """Model (id and revision, or folder hash), steps, guidance, dtype, size cap, version."""
        return {
            "model": self.fingerprint,
            "steps": self.steps,
            "guidance": self.guidance,
            "dtype": self.dtype,
            "max_long_side": self.max_long_side,
            "version": self.version,
        }

    def _stamp(
        self,
        path: Path,
        request: RenderRequest,
        prompt: ShotPrompt,
        *,
        negative_prompt: str,
        frames: int | None = None,
        fps: float | None = None,
    ) -> None:
        """Record how ``path`` was made (:func:`render.provenance.stamp_generated`)."""
        from render.provenance import GenerationInfo, stamp_generated

        stamp_generated(
            path,
            GenerationInfo(
                backend=self.name,
                model_id=self.model_id,
                prompt=prompt.prompt,
                negative_prompt=negative_prompt,
                seed=prompt.seed,
                steps=self.steps,
                width=request.width,
                height=request.height,
                frames=frames,
                fps=fps,
            ),
        )
