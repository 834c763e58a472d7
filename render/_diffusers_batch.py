"""Batches of shots and what to do when the GPU runs out of memory.

On CUDA the batch size comes from the free memory (``torch.cuda.mem_get_info``) and an
estimate of what one image at the generated size needs; elsewhere it is configured (1 by
default). Out of memory: free (``gc`` and the CUDA cache), halve the batch and retry; at
batch 1, enable model CPU offload once and retry; then a :class:`RenderError` naming the
shot. Every batch that finished was written before the next starts, so the render stage
caches it even when a later one fails.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from previz.errors import RenderError
from render._diffusers_load import free_memory, is_oom, torch_modules

__all__ = ["cuda_batch_size", "run_in_batches"]

T = TypeVar("T")

HEADROOM = 0.8
"""Share of the free GPU memory a batch may plan to use."""


def cuda_batch_size(pixels: int, bytes_per_pixel: int, limit: int) -> int:
    """How many images of ``pixels`` fit in the free CUDA memory (1 to ``limit``).

    Free means free on the device plus what torch's caching allocator holds unused.
    """
    torch, _ = torch_modules()
    free, _total = torch.cuda.mem_get_info()
    free += torch.cuda.memory_reserved() - torch.cuda.memory_allocated()
    return max(1, min(limit, int(free * HEADROOM) // max(1, pixels * bytes_per_pixel)))


def run_in_batches(
    items: Sequence[T],
    size: int,
    run: Callable[[Sequence[T]], None],
    *,
    offload: Callable[[], bool],
    label: Callable[[T], str],
) -> int:
    """Call ``run`` on consecutive batches of ``items``, shrinking them when memory runs out.

    Args:
        items: what to render, in order.
        size: the first batch size.
        run: renders (and writes) one batch.
        offload: enables CPU offload; returns False when it cannot (or already did).
        label: names an item in the error message (its shot id).

    Returns:
        The batch size that worked last, for the next call to start from.

    Raises:
        RenderError: out of memory at batch size 1 with offload on (or impossible).
    """
    size = max(1, size)
    start = 0
    while start < len(items):
        batch = items[start : start + size]
        try:
            run(batch)
        except Exception as exc:
            if not is_oom(exc):
                raise
            del exc  # drop the traceback's hold on the failed step's tensors
            free_memory()
            if size > 1:
                size //= 2
                continue
            if offload():
                continue
            raise RenderError(
                f"out of memory rendering shot {label(batch[0])}, even alone with CPU "
                "offload; try a smaller --long-side, fewer --steps or --device cpu"
            ) from None
        start += len(batch)
    return size
