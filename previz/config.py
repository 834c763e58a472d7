"""``PrevizConfig``: every choice a run makes, and the only home of their defaults."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["PrevizConfig", "StoryboardLayout"]

StoryboardLayout = Literal["3x2", "2x2", "1x3"]


class PrevizConfig(BaseModel):
    """Settings of ``previz run`` (and of the web app's jobs)."""

    model_config = ConfigDict(extra="forbid")

    planner: str = "auto"
    """``grammar``, ``llm``, or ``auto`` (llm when an endpoint is configured)."""
    style: str = "storyboard"
    aspect: str | None = None
    """Overrides the style's aspect ratio."""
    target_duration_s: float | None = Field(default=None, gt=0)
    backend: str = "sketch"
    model: str | None = None
    """Diffusion backends: a hub id (in the local HF cache) or a folder; ``None``: the
    backend's default (SD-Turbo for stills, LTX-Video for clips)."""
    device: str = "auto"
    """Diffusion backends: ``auto``, ``cuda``, ``mps`` or ``cpu``."""
    steps: int | None = Field(default=None, ge=1)
    """Diffusion backends: denoising steps (``None``: the model's default)."""
    guidance: float | None = Field(default=None, ge=0)
    batch_size: int | None = Field(default=None, ge=1)
    """Diffusion image backend: shots per batch (``None``: from free GPU memory, 1 on CPU)."""
    ip_adapter: str | None = None
    """Diffusion image backend: an IP-Adapter (``PATH_OR_ID[:subfolder/weight_name]``, in the
    local HF cache or a folder) that conditions shots on their characters' reference images."""
    ip_adapter_scale: float = Field(default=0.6, ge=0)
    """How strongly a reference image steers the picture (IP-Adapter scale)."""
    still_model: str | None = None
    """Diffusion video backend: start each clip from this image model's still of the shot
    (image-to-video; LTX-Video models)."""
    compile: bool = False
    """Diffusion backends: ``torch.compile`` the denoiser (pays on long runs; also
    ``PREVIZ_COMPILE=1``)."""
    long_side: int = Field(default=1280, ge=64, le=8192)
    """Pixels on the long side of rendered panels and of the animatic."""
    captions: bool = True
    slate: bool = True
    audio: bool = True
    """Scratch dialogue track, where a speech engine (espeak-ng) is installed."""
    layout: StoryboardLayout = "3x2"
    """Storyboard PDF panels per page: 3 x 2, 2 x 2 or 1 x 3 (wide)."""
