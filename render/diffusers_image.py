"""The ``diffusers-image`` backend: one still per shot from a text-to-image diffusion model.

Any model ``AutoPipelineForText2Image`` loads works, from a local folder or the local
Hugging Face cache (``previz models pull`` fetches one). The default is SD-Turbo: one step
at 512-768 px, 3 GB of VRAM, and a CPU can run it. Shots are batched (the batch size comes
from the free GPU memory), each with its own seeded generator, so a shot's picture does not
depend on which shots share its batch. With an IP-Adapter (``ip_adapter``), shots whose
subjects have a ``reference_image`` in the character bible are conditioned on those images
(:mod:`render._diffusers_reference`); the others render at adapter scale 0, exactly as
without it. torch and diffusers load only when this backend is constructed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from previz.errors import RenderError
from render._diffusers_backend import DiffusersBackend, plan_load, write_whole
from render._diffusers_batch import cuda_batch_size, run_in_batches
from render._diffusers_load import DEFAULT_IMAGE_MODEL, enable_offload
from render._diffusers_output import save_still
from render._diffusers_prompt import ShotPrompt, fit_size, generators, shot_prompt
from render._diffusers_reference import (
    DEFAULT_IP_ADAPTER_SCALE,
    IPAdapterSource,
    Reference,
    ReferenceEncoder,
    is_sdxl,
    load_ip_adapter,
    locate_ip_adapter,
    shot_references,
)
from render.base import RenderRequest
from render.model import MediaKind

__all__ = ["DIFFUSERS_IMAGE_VERSION", "DiffusersImageBackend"]

DIFFUSERS_IMAGE_VERSION = "1"
"""Bump when the backend's output changes for the same model and settings (cache key)."""

BYTES_PER_PIXEL = 4000
"""Rough GPU memory one image needs per output pixel in half precision (UNet activations,
VAE decode with slicing), for choosing the batch size; OOM fallback covers a bad guess."""

MAX_BATCH = 16


@dataclass(frozen=True, slots=True)
class _Item:
    request: RenderRequest
    dest: Path
    prompt: ShotPrompt
    references: tuple[Reference, ...] = ()


class DiffusersImageBackend(DiffusersBackend):
    """Stills from a text-to-image diffusion pipeline.

    Args:
        pipe: a diffusers text-to-image pipeline.
        guidance: classifier-free guidance scale (0 for distilled turbo models).
        batch_size: shots per batch; ``None``: from free memory on CUDA, 1 elsewhere.
        ip_adapter: an IP-Adapter to load into the pipeline: subjects' reference images
            then condition their shots.
        ip_adapter_scale: how strongly a reference image steers the picture.
        reference_root: the folder relative reference image paths start from (the plan's;
            ``None``: the working folder).

    The other arguments are :class:`~render._diffusers_backend.DiffusersBackend`'s.

    Raises:
        RenderError: both or neither of ``pipe`` and ``loader``, a step or batch size
            below 1, or a negative adapter scale.
        BackendUnavailableError: ``pipe`` takes no IP-Adapter.
    """

    name: ClassVar[str] = "diffusers-image"
    kind: ClassVar[MediaKind] = "still"
    suffix: ClassVar[str] = ".png"
    version: ClassVar[str] = DIFFUSERS_IMAGE_VERSION

    def __init__(
        self,
        pipe: Any = None,
        *,
        loader: Callable[[], Any] | None = None,
        model_id: str = "unknown",
        fingerprint: str | None = None,
        steps: int = 1,
        guidance: float = 0.0,
        device: str = "cpu",
        max_long_side: int = 768,
        batch_size: int | None = None,
        dtype: str | None = None,
        ip_adapter: IPAdapterSource | None = None,
        ip_adapter_scale: float = DEFAULT_IP_ADAPTER_SCALE,
        reference_root: Path | None = None,
    ) -> None:
        if ip_adapter_scale < 0:
            raise RenderError(f"IP-Adapter scale must be at least 0, got {ip_adapter_scale}")
        if ip_adapter is not None and pipe is not None:
            load_ip_adapter(pipe, ip_adapter)
        elif ip_adapter is not None and loader is not None:
            loader = _adapted(loader, ip_adapter)
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
        if batch_size is not None and batch_size < 1:
            raise RenderError(f"batch size must be at least 1, got {batch_size}")
        self.batch_size = batch_size
        self.offloaded = False
        self._cap = MAX_BATCH
        """Largest batch that has not run out of memory."""
        self.ip_adapter = ip_adapter
        self.ip_adapter_scale = ip_adapter_scale
        self.reference_root = reference_root or Path()
        self._references = ReferenceEncoder()

    @classmethod
    def from_pretrained(
        cls,
        model_id_or_path: str = DEFAULT_IMAGE_MODEL,
        *,
        device: str = "auto",
        dtype: str = "auto",
        steps: int | None = None,
        guidance: float | None = None,
        batch_size: int | None = None,
        max_long_side: int | None = None,
        compile: bool | None = None,
        ip_adapter: str | None = None,
        ip_adapter_scale: float = DEFAULT_IP_ADAPTER_SCALE,
        reference_root: Path | None = None,
    ) -> DiffusersImageBackend:
        """Load a text-to-image model from a folder or the local HF cache (never the network).

        The weights load on the first shot that is not in the cache. Defaults for steps,
        guidance and size come from the known model's entry (SD-Turbo: 1 step, no guidance).
        ``compile=None`` compiles when ``PREVIZ_COMPILE`` is set. ``ip_adapter`` is
        ``PATH_OR_ID[:subfolder/weight_name]`` (default file: ``h94/IP-Adapter``'s for the
        model's family), found on disk now and loaded with the model.

        Raises:
            BackendUnavailableError: torch or diffusers missing, or the model or the
                IP-Adapter not on disk (the message gives the ``previz models pull`` command).
        """
        plan = plan_load(
            model_id_or_path,
            "AutoPipelineForText2Image",
            default_model=DEFAULT_IMAGE_MODEL,
            device=device,
            dtype=dtype,
            compile=compile,
        )
        adapter = None
        if ip_adapter:
            adapter = locate_ip_adapter(ip_adapter, sdxl=is_sdxl(plan.source.folder))
        return cls(
            **plan.backend_args(steps, guidance, max_long_side),
            batch_size=batch_size,
            ip_adapter=adapter,
            ip_adapter_scale=ip_adapter_scale,
            reference_root=reference_root,
        )

    @classmethod
    def from_options(
        cls,
        *,
        model: str | None = None,
        device: str = "auto",
        steps: int | None = None,
        guidance: float | None = None,
        batch_size: int | None = None,
        compile: bool = False,
        ip_adapter: str | None = None,
        ip_adapter_scale: float = DEFAULT_IP_ADAPTER_SCALE,
        reference_root: Path | None = None,
        **_: Any,
    ) -> DiffusersImageBackend:
        """:meth:`from_pretrained` with the run's settings (``None``: the model's default)."""
        return cls.from_pretrained(
            model or DEFAULT_IMAGE_MODEL,
            device=device,
            steps=steps,
            guidance=guidance,
            batch_size=batch_size,
            compile=compile or None,
            ip_adapter=ip_adapter,
            ip_adapter_scale=ip_adapter_scale,
            reference_root=reference_root,
        )

    def shot_settings(self, request: RenderRequest) -> dict[str, Any] | None:
        """What besides :meth:`settings` determines this shot's still: the IP-Adapter, its
        scale and the content of the reference images, for a shot that has any (the others
        render exactly as without the adapter, so their cache keys stay as they were).

        Raises:
            RenderError: a reference image cannot be read (names the character and file).
        """
        references = self._shot_references(request)
        if not references:
            return None
        assert self.ip_adapter is not None
        return {
            "ip_adapter": self.ip_adapter.fingerprint,
            "ip_adapter_scale": self.ip_adapter_scale,
            "references": [self._references.digest(ref) for ref in references],
        }

    def batch_limit(self, width: int, height: int) -> int:
        """Shots per batch at ``width`` x ``height``: configured, or from free CUDA memory."""
        if self.batch_size is not None:
            return min(self.batch_size, self._cap)
        if not self.device.startswith("cuda"):
            return 1
        gen_w, gen_h = self._generation_size(width, height)
        return cuda_batch_size(gen_w * gen_h, BYTES_PER_PIXEL, self._cap)

    def render(self, request: RenderRequest, dest: Path) -> None:
        """Render one shot's still into ``dest`` (a PNG of the requested size)."""
        self.render_batch([request], [dest])

    def render_batch(self, requests: Sequence[RenderRequest], dests: Sequence[Path]) -> None:
        """Render ``requests`` into ``dests``, batched; each file is finished when its batch is.

        Raises:
            RenderError: out of memory at batch size 1 even with offload (names the shot).
        """
        if len(requests) != len(dests):
            raise RenderError(f"{len(requests)} requests but {len(dests)} destinations")
        items = [
            _Item(r, d, shot_prompt(r), self._shot_references(r))
            for r, d in zip(requests, dests, strict=True)
        ]
        groups: dict[tuple[int, int, tuple[Path, ...]], list[_Item]] = {}
        for item in items:  # a batch shares its size and its reference images
            paths = tuple(ref.path for ref in item.references)
            groups.setdefault((item.request.width, item.request.height, paths), []).append(item)
        for (width, height, _), group in groups.items():
            first = self.batch_limit(width, height)
            size = run_in_batches(
                group,
                first,
                self._generate,
                offload=self._offload,
                label=lambda item: item.request.shot.id,
            )
            if size < first:
                self._cap = size  # a size that ran out of memory is not tried again

    def _shot_references(self, request: RenderRequest) -> tuple[Reference, ...]:
        if self.ip_adapter is None:
            return ()
        return shot_references(request, self.reference_root)

    def _generation_size(self, width: int, height: int) -> tuple[int, int]:
        pipe = self.pipe
        multiple = int(getattr(pipe, "vae_scale_factor", 8))
        if hasattr(pipe, "transformer"):
            multiple *= 2  # latent patches of 2 (FLUX, SD3, Sana)
        return fit_size(width, height, multiple=max(8, multiple), max_long_side=self.max_long_side)

    def _generate(self, batch: Sequence[_Item]) -> None:
        request = batch[0].request
        gen_w, gen_h = self._generation_size(request.width, request.height)
        kwargs: dict[str, Any] = {
            "prompt": [item.prompt.prompt for item in batch],
            "num_inference_steps": self.steps,
            "guidance_scale": self.guidance,
            "width": gen_w,
            "height": gen_h,
            "generator": generators([item.prompt.seed for item in batch]),
        }
        if self.guidance > 1.0:  # without guidance the negative prompt is never used
            kwargs["negative_prompt"] = [item.prompt.negative_prompt for item in batch]
        if self.ip_adapter is not None:
            kwargs["ip_adapter_image_embeds"] = [self._image_embeds(batch)]
        images = self.pipe(**kwargs).images
        for item, image in zip(batch, images, strict=True):
            with write_whole(item.dest) as part:
                save_still(image, item.request.width, item.request.height, part)
                self._stamp(
                    part,
                    item.request,
                    item.prompt,
                    negative_prompt=item.prompt.negative_prompt if self.guidance > 1.0 else "",
                )

    def _image_embeds(self, batch: Sequence[_Item]) -> Any:
        """The batch's IP-Adapter embeddings: its shots' shared reference images, or blank
        ones at scale 0 (the adapter's attention is then skipped entirely).

        diffusers repeats the given embeddings for every prompt of the call (they cannot
        differ within a batch), so :meth:`render_batch` batches shots by reference images.
        """
        pipe, guided = self.pipe, self.guidance > 1.0
        if batch[0].references:
            pipe.set_ip_adapter_scale(self.ip_adapter_scale)
            return self._references.embeds(pipe, batch[0].references, guided)
        pipe.set_ip_adapter_scale(0.0)
        return self._references.blank(pipe, guided)

    def _offload(self) -> bool:
        if self.offloaded:
            return False
        self.offloaded = enable_offload(self.pipe, self.device)
        return self.offloaded


def _adapted(loader: Callable[[], Any], adapter: IPAdapterSource) -> Callable[[], Any]:
    """``loader`` followed by loading ``adapter`` into the pipeline it returns."""

    def load() -> Any:
        pipe = loader()
        load_ip_adapter(pipe, adapter)
        return pipe

    return load
