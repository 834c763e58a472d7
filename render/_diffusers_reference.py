"""Per-character reference images for the ``diffusers-image`` backend, through an IP-Adapter.

The adapter (``h94/IP-Adapter``'s ``ip-adapter_sd15.bin`` for the SD 1.5 family,
``ip-adapter_sdxl.bin`` for SDXL and SDXL-Turbo) is loaded from a local folder or the local
Hugging Face cache with diffusers' ``load_ip_adapter``, never from the network. A shot is
conditioned on the reference images of its subjects that the character bible gives: each
image is encoded once (``prepare_ip_adapter_image_embeds``), and a shot with several gets
their embeddings side by side (``num_images`` > 1: each character keeps its own image
tokens, as diffusers does for a list of images given to one adapter; they are not
averaged). Paths are relative to the plan's folder, or absolute.

torch, diffusers and huggingface_hub are imported inside the functions.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from previz.errors import BackendUnavailableError, RenderError
from render.base import RenderRequest

__all__ = [
    "DEFAULT_IP_ADAPTER_SCALE",
    "IP_ADAPTER_REPO",
    "IPAdapterSource",
    "Reference",
    "ReferenceEncoder",
    "is_sdxl",
    "load_ip_adapter",
    "locate_ip_adapter",
    "shot_references",
]

IP_ADAPTER_REPO = "h94/IP-Adapter"
DEFAULT_IP_ADAPTER_SCALE = 0.6
"""How strongly the reference image steers the picture (diffusers' ``set_ip_adapter_scale``);
0.5-0.7 keeps the prompt's framing while the character's look carries over."""
SD15_WEIGHT = "models/ip-adapter_sd15.bin"
SDXL_WEIGHT = "sdxl_models/ip-adapter_sdxl.bin"
_WEIGHT_SUFFIXES = (".bin", ".safetensors")


@dataclass(frozen=True, slots=True)
class IPAdapterSource:
    """Where an IP-Adapter's weight file and image encoder are on this machine."""

    model_id: str
    """The hub id, or the folder's absolute path."""
    folder: Path
    subfolder: str
    weight_name: str
    fingerprint: str
    """Changes when the weights may have: ``id@commit:file`` in the hub cache, the sizes of
    the weight files and the encoder's config for a folder."""


def _split(spec: str) -> tuple[str, str | None]:
    """``PATH_OR_ID[:subfolder/weight_name]`` into its two parts."""
    head, sep, tail = spec.rpartition(":")
    if sep and tail.endswith(_WEIGHT_SUFFIXES) and len(head) > 1:  # not a drive letter
        return head, tail
    return spec, None


def _missing(model: str, why: str) -> BackendUnavailableError:
    return BackendUnavailableError(
        f"IP-Adapter {model!r} is not available offline ({why}); "
        f"fetch it once with: previz models pull {model}"
    )


def locate_ip_adapter(spec: str, *, sdxl: bool) -> IPAdapterSource:
    """Find the IP-Adapter ``spec`` names (``PATH_OR_ID[:subfolder/weight_name]``) on disk.

    Args:
        spec: a folder or hub id, optionally with the weight file's path inside it;
            without one, ``h94/IP-Adapter``'s file for the pipeline's family.
        sdxl: whether the pipeline is SDXL (picks the default weight file).

    Raises:
        BackendUnavailableError: the folder, the cached snapshot, the weight file or its
            image encoder is missing; the message names it and ``previz models pull``.
    """
    model, weight = _split(spec)
    weight = weight or (SDXL_WEIGHT if sdxl else SD15_WEIGHT)
    subfolder, _, weight_name = weight.rpartition("/")
    path = Path(model).expanduser()
    if path.is_dir():
        folder = path.resolve()
        model_id = str(folder)
    else:
        try:
            from huggingface_hub import snapshot_download
        except ImportError:
            raise BackendUnavailableError(
                "huggingface_hub is missing: pip install 'previz[diffusion]'"
            ) from None
        try:
            folder = Path(snapshot_download(model, local_files_only=True))
        except Exception as exc:  # LocalEntryNotFoundError, bad repo id, offline errors
            raise _missing(model, type(exc).__name__) from None
        model_id = model
    weights = folder / weight
    encoder = folder / subfolder / "image_encoder"
    if not weights.is_file():
        raise _missing(model, f"no {weight}")
    if not (encoder / "config.json").is_file():
        raise _missing(model, f"no {encoder.relative_to(folder).as_posix()}/config.json")
    if model_id == model:
        fingerprint = f"{model}@{folder.name}:{weight}"
    else:
        digest = hashlib.sha256((encoder / "config.json").read_bytes())
        for file in sorted([weights, *encoder.iterdir()]):
            digest.update(f"{file.name}:{file.stat().st_size}".encode())
        fingerprint = f"{weight}:{digest.hexdigest()[:16]}"
    return IPAdapterSource(model_id, folder, subfolder, weight_name, fingerprint)


def is_sdxl(pipeline_folder: Path) -> bool:
    """Whether the diffusers pipeline in ``pipeline_folder`` is an SDXL one."""
    try:
        index = json.loads((pipeline_folder / "model_index.json").read_text())
    except (OSError, ValueError):
        return False
    return "XL" in str(index.get("_class_name", ""))


def load_ip_adapter(pipe: Any, source: IPAdapterSource) -> None:
    """Load ``source`` into ``pipe`` (UNet attention, image encoder, feature extractor).

    Raises:
        BackendUnavailableError: the pipeline takes no IP-Adapter, or the files do not fit it.
    """
    if not hasattr(pipe, "load_ip_adapter"):
        raise BackendUnavailableError(
            f"the model ({type(pipe).__name__}) takes no IP-Adapter; reference images need "
            "an SD 1.5 or SDXL family model (SDXL-Turbo with h94/IP-Adapter's "
            f"{SDXL_WEIGHT})"
        )
    try:
        pipe.load_ip_adapter(
            str(source.folder),
            subfolder=source.subfolder,
            weight_name=source.weight_name,
            local_files_only=True,
        )
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise BackendUnavailableError(
            f"cannot load IP-Adapter {source.model_id!r} "
            f"({source.subfolder}/{source.weight_name}) into the model: {exc}. "
            "h94/IP-Adapter has files for SD 1.5 and SDXL models only (SD-Turbo is SD 2.1: "
            "use stabilityai/sdxl-turbo)"
        ) from None


@dataclass(frozen=True, slots=True)
class Reference:
    """A subject's reference image."""

    character: str
    path: Path


def shot_references(request: RenderRequest, root: Path) -> tuple[Reference, ...]:
    """The reference images of the shot's subjects, in subject order (relative to ``root``)."""
    bible = {ref.name: ref for ref in request.characters}
    found: list[Reference] = []
    for name in request.shot.subjects:
        ref = bible.get(name)
        if ref is not None and ref.reference_image:
            path = Path(ref.reference_image).expanduser()
            found.append(Reference(name, path if path.is_absolute() else root / path))
    return tuple(found)


def _unreadable(ref: Reference, why: object) -> RenderError:
    return RenderError(
        f"character {ref.character}: cannot read the reference image ({why})", path=ref.path
    )


class ReferenceEncoder:
    """Reference images' digests (for the cache key) and embeddings, each computed once."""

    def __init__(self) -> None:
        self._digests: dict[Path, str] = {}
        self._embeds: dict[tuple[Path, bool], Any] = {}
        self._blank: dict[bool, Any] = {}

    def digest(self, ref: Reference) -> str:
        """sha256 of the image file.

        Raises:
            RenderError: the file cannot be read (names the character and the file).
        """
        if ref.path not in self._digests:
            try:
                self._digests[ref.path] = hashlib.sha256(ref.path.read_bytes()).hexdigest()
            except OSError as exc:
                raise _unreadable(ref, exc.strerror or exc) from None
        return self._digests[ref.path]

    def embeds(self, pipe: Any, refs: tuple[Reference, ...], guided: bool) -> Any:
        """The shot's image embeddings, ``(1, len(refs), ...)`` (``(2, ...)`` with
        classifier-free guidance: the unconditional half first, as diffusers stacks them).

        Raises:
            RenderError: an image cannot be read or decoded.
        """
        import torch

        parts = [self._embed(pipe, ref, guided) for ref in refs]
        return torch.cat(parts, dim=1)

    def blank(self, pipe: Any, guided: bool) -> Any:
        """Zero embeddings shaped like one reference's (for shots without one, at scale 0)."""
        from PIL import Image

        if guided not in self._blank:
            self._blank[guided] = self._encode(pipe, Image.new("RGB", (64, 64)), guided) * 0
        return self._blank[guided]

    def _embed(self, pipe: Any, ref: Reference, guided: bool) -> Any:
        key = (ref.path, guided)
        if key not in self._embeds:
            from PIL import Image

            try:
                with Image.open(ref.path) as image:
                    rgb = image.convert("RGB")
            except OSError as exc:  # missing, unreadable, or not an image Pillow knows
                raise _unreadable(ref, getattr(exc, "strerror", None) or exc) from None
            self._embeds[key] = self._encode(pipe, rgb, guided)
        return self._embeds[key]

    @staticmethod
    def _encode(pipe: Any, image: Any, guided: bool) -> Any:
        import torch

        with torch.inference_mode():
            (embeds,) = pipe.prepare_ip_adapter_image_embeds([image], None, pipe.device, 1, guided)
        return embeds
