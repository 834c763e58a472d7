"""Loading diffusion pipelines for the diffusers backends: where the weights are (a local
folder or the local Hugging Face cache, never the network), which device and dtype, and
the speed settings diffusers documents (channels_last, VAE slicing and tiling, compile).

torch, diffusers and huggingface_hub are imported inside the functions: importing this
module costs nothing.
"""

from __future__ import annotations

import gc
import hashlib
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from previz.errors import BackendUnavailableError, RenderError

__all__ = [
    "DEFAULT_IMAGE_MODEL",
    "DEFAULT_VIDEO_MODEL",
    "KNOWN_MODELS",
    "KnownModel",
    "ModelSource",
    "apply_speedups",
    "enable_offload",
    "free_memory",
    "is_oom",
    "load_pipeline",
    "locate_model",
    "resolve_device",
    "resolve_dtype",
    "torch_modules",
]


@dataclass(frozen=True, slots=True)
class KnownModel:
    """A model previz knows how to pull and run well."""

    repo_id: str
    kind: str
    """``image``, ``video`` or ``ip-adapter`` (reference images for the image backend)."""
    allow_patterns: tuple[str, ...]
    """What ``previz models pull`` downloads (the diffusers folders, not the single-file
    checkpoints beside them)."""
    variant: str | None = None
    steps: int = 1
    guidance: float = 0.0
    max_long_side: int = 768
    """Pixels on the generated frame's long side (the backend resizes to the request)."""
    fps: int = 24
    max_frames: int = 161
    note: str = ""


DEFAULT_IMAGE_MODEL = "stabilityai/sd-turbo"
DEFAULT_VIDEO_MODEL = "Lightricks/LTX-Video"

_FP16_FILES = ("model_index.json", "*/*.json", "*/*.txt", "*/*.model", "*/*.fp16.safetensors")
"""The configs, tokenizers and fp16 weights (not the fp32 ones or single-file checkpoints)."""
_ALL_FILES = ("model_index.json", "*/*")
"""Every component folder, not the single-file checkpoints at the top level."""
KNOWN_MODELS: dict[str, KnownModel] = {
    model.repo_id: model
    for model in (
        KnownModel(
            DEFAULT_IMAGE_MODEL,
            "image",
            _FP16_FILES,
            variant="fp16",
            steps=1,
            guidance=0.0,
            max_long_side=768,
            note="SD 2.1 distilled to 1 step; 512 px native; 2.6 GB download",
        ),
        KnownModel(
            "stabilityai/sdxl-turbo",
            "image",
            _FP16_FILES,
            variant="fp16",
            steps=2,
            guidance=0.0,
            max_long_side=768,
            note="SDXL distilled; better prompts and faces; 7 GB download",
        ),
        KnownModel(
            DEFAULT_VIDEO_MODEL,
            "video",
            _ALL_FILES,
            steps=30,
            guidance=3.0,
            max_long_side=768,
            fps=24,
            max_frames=161,
            note="LTX-Video 2B, 24 fps, frames 8k+1; diffusers folders only",
        ),
        KnownModel(
            "Wan-AI/Wan2.1-T2V-1.3B-Diffusers",
            "video",
            _ALL_FILES,
            steps=30,
            guidance=5.0,
            max_long_side=832,
            fps=16,
            max_frames=81,
            note="Wan 2.1 1.3B, 16 fps, frames 4k+1",
        ),
        KnownModel(
            "h94/IP-Adapter",
            "ip-adapter",
            tuple(
                f"{folder}/{name}"
                for folder, weight in (
                    ("models", "ip-adapter_sd15.bin"),
                    ("sdxl_models", "ip-adapter_sdxl.bin"),
                )
                for name in (weight, "image_encoder/config.json", "image_encoder/*.safetensors")
            ),
            note="--ip-adapter: characters' reference images (SD 1.5, SDXL); about 7 GB",
        ),
    )
}

_HUB_ID_RE = re.compile(r"^[\w.-]+/[\w.-]+$")
_CONFIG_GLOBS = ("model_index.json", "*/config.json", "*/*_config.json", "*/tokenizer*.json")
_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".ckpt", ".pt")


def torch_modules() -> tuple[Any, Any]:
    """``(torch, diffusers)``, or a :class:`BackendUnavailableError` saying how to get them."""
    try:
        import diffusers
        import torch
    except ImportError as exc:
        raise BackendUnavailableError(
            f"the diffusers backends need torch and diffusers ({exc.name} is missing): "
            "pip install 'previz[diffusion]'"
        ) from None
    return torch, diffusers


def resolve_device(device: str) -> str:
    """``auto`` becomes ``cuda``, ``mps`` or ``cpu``; an unavailable device is an error."""
    torch, _ = torch_modules()
    cuda = torch.cuda.is_available()
    mps = getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    if device == "auto":
        return "cuda" if cuda else "mps" if mps else "cpu"
    name = device.split(":", 1)[0]
    if name not in ("cuda", "mps", "cpu"):
        raise RenderError(f"unknown device {device!r}; expected auto, cuda, mps or cpu")
    if (name == "cuda" and not cuda) or (name == "mps" and not mps):
        raise BackendUnavailableError(f"device {device!r} is not available here; try --device cpu")
    return device


def resolve_dtype(device: str, dtype: str = "auto", *, prefer_bf16: bool = False) -> Any:
    """The torch dtype: float32 on the CPU, float16 (or bfloat16) on an accelerator."""
    torch, _ = torch_modules()
    if dtype != "auto":
        try:
            value = getattr(torch, dtype)
        except AttributeError:
            value = None
        if not isinstance(value, torch.dtype):
            raise RenderError(f"unknown dtype {dtype!r}; expected float32, float16 or bfloat16")
        return value
    if device.startswith("cuda"):
        if prefer_bf16 and torch.cuda.is_bf16_supported():
            return torch.bfloat16
        return torch.float16
    if device.startswith("mps"):
        return torch.float16
    return torch.float32


@dataclass(frozen=True, slots=True)
class ModelSource:
    """Where a model's files are on this machine."""

    model_id: str
    """The hub id, or the folder's absolute path."""
    folder: Path
    fingerprint: str
    """Changes when the weights may have: ``id@commit`` for the hub cache, a hash of the
    config files and weight sizes for a folder."""
    variant: str | None = None
    known: KnownModel | None = field(default=None, compare=False)


def _missing(model: str, why: str) -> BackendUnavailableError:
    return BackendUnavailableError(
        f"model {model!r} is not available offline ({why}); "
        f"fetch it once with: previz models pull {model}"
    )


def locate_model(model: str) -> ModelSource:
    """Find ``model`` (a diffusers folder, or a hub id in the local HF cache) without the network.

    Raises:
        BackendUnavailableError: not a pipeline folder, or not in the cache; the message
            names the model and the ``previz models pull`` command.
    """
    path = Path(model).expanduser()
    if path.is_dir():
        if not (path / "model_index.json").is_file():
            raise BackendUnavailableError(
                "not a diffusers pipeline folder (no model_index.json)", path=path
            )
        folder = path.resolve()
        return ModelSource(str(folder), folder, folder_fingerprint(folder), _variant(folder))
    if not _HUB_ID_RE.match(model):
        raise BackendUnavailableError(
            f"no model folder {model!r}, and it is not a hub id like 'org/name'"
        )
    try:
        from huggingface_hub import snapshot_download
    except ImportError:
        raise BackendUnavailableError(
            "huggingface_hub is missing: pip install 'previz[diffusion]'"
        ) from None
    known = KNOWN_MODELS.get(model)
    try:
        folder = Path(snapshot_download(model, local_files_only=True))
    except Exception as exc:  # LocalEntryNotFoundError, CacheNotFound, offline errors
        raise _missing(model, type(exc).__name__) from None
    if not (folder / "model_index.json").is_file():
        raise _missing(model, "the cached snapshot has no model_index.json")
    variant = known.variant if known is not None else _variant(folder)
    if variant is not None and not any(folder.glob(f"*/*.{variant}.safetensors")):
        variant = None
    return ModelSource(model, folder, f"{model}@{folder.name}", variant, known)


def _variant(folder: Path) -> str | None:
    """``fp16`` when the folder holds only fp16 weight files for some component."""
    for component in folder.iterdir():
        if not component.is_dir():
            continue
        names = [p.name for p in component.iterdir() if p.suffix in _WEIGHT_SUFFIXES]
        if names and all(".fp16." in name for name in names):
            return "fp16"
    return None


def folder_fingerprint(folder: Path) -> str:
    """sha256 of a pipeline folder's config files, and the names and sizes of its weights."""
    digest = hashlib.sha256()
    files: set[Path] = set()
    for pattern in _CONFIG_GLOBS:
        files.update(folder.glob(pattern))
    for path in sorted(files):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    for path in sorted(folder.glob("*/*")):
        if path.suffix in _WEIGHT_SUFFIXES:
            digest.update(f"{path.relative_to(folder).as_posix()}:{path.stat().st_size}".encode())
    return digest.hexdigest()[:16]


def load_pipeline(source: ModelSource, loader: Any, device: str, dtype: Any) -> Any:
    """``loader.from_pretrained`` on the local files only, moved to ``device``.

    Raises:
        BackendUnavailableError: the files are incomplete or not a pipeline ``loader`` takes.
    """
    kwargs: dict[str, Any] = {"torch_dtype": dtype, "local_files_only": True}
    if source.variant is not None:
        kwargs["variant"] = source.variant
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # torch_dtype is renamed dtype in 0.42
            pipe = loader.from_pretrained(str(source.folder), **kwargs)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BackendUnavailableError(
            f"cannot load model {source.model_id!r}: {exc}. If files are missing, fetch them "
            f"with: previz models pull {source.model_id}"
        ) from None
    pipe.set_progress_bar_config(disable=True)
    return pipe.to(device)


def apply_speedups(pipe: Any, device: str, *, compile: bool = False, tiling: bool = False) -> None:
    """The speed settings that help on an accelerator (none change the picture much).

    SDPA attention is torch 2's default in diffusers. On CUDA: channels_last on a UNet,
    VAE slicing (batches decode one image at a time), VAE tiling for big frames, and
    ``torch.compile`` of the denoiser when asked (it pays after a few dozen shots).
    """
    torch, _ = torch_modules()
    vae = getattr(pipe, "vae", None)
    if tiling and hasattr(vae, "use_tiling"):
        vae.enable_tiling()
    if not device.startswith("cuda"):
        return
    unet = getattr(pipe, "unet", None)
    if unet is not None:
        unet.to(memory_format=torch.channels_last)
    if hasattr(vae, "use_slicing"):  # VAEs without it raise NotImplementedError
        vae.enable_slicing()
    if compile:
        denoiser = unet if unet is not None else getattr(pipe, "transformer", None)
        if denoiser is not None:
            denoiser.compile(mode="max-autotune-no-cudagraphs")


def is_oom(exc: BaseException) -> bool:
    """Whether ``exc`` is torch's out-of-memory error (CUDA, MPS or the CPU allocator)."""
    torch, _ = torch_modules()
    oom = getattr(torch, "OutOfMemoryError", None) or torch.cuda.OutOfMemoryError
    return isinstance(exc, oom)


def free_memory() -> None:
    """Give back what a failed step held: Python garbage, then the CUDA cache."""
    torch, _ = torch_modules()
    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


def enable_offload(pipe: Any, device: str) -> bool:
    """Model CPU offload (via accelerate): only the running component sits on the GPU.

    Returns:
        False where there is nothing to offload to (on the CPU), else True.
    """
    if device == "cpu":
        return False
    free_memory()
    try:
        pipe.enable_model_cpu_offload(device=device)
    except (ImportError, RuntimeError, ValueError) as exc:
        raise BackendUnavailableError(f"cannot enable CPU offload: {exc}") from None
    return True
