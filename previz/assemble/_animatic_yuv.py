"""Frames as the encoder stores them: three 8-bit planes, Y' then Cb and Cr at half size.

Working in these planes rather than RGB halves the pixels every operation touches and
leaves ffmpeg no colour conversion to do. The conversion is BT.709, limited range (Y'
16-235, Cb/Cr 16-240), what H.264 players expect when nothing else is signalled.
"""

from __future__ import annotations

from PIL import Image

__all__ = [
    "BT709",
    "Planes",
    "black_planes",
    "blend_planes",
    "copy_planes",
    "full_chroma",
    "planes_from_bytes",
    "planes_to_bytes",
    "rgb_to_planes",
]

Planes = tuple[Image.Image, Image.Image, Image.Image]
"""Y' (width x height), Cb and Cr (half width x half height), all mode ``L``."""

_KR, _KB = 0.2126, 0.0722
_KG = 1 - _KR - _KB
_Y, _C = 219 / 255, 224 / 255
BT709: tuple[float, ...] = (
    _KR * _Y, _KG * _Y, _KB * _Y, 16,
    -_KR / (2 - 2 * _KB) * _C, -_KG / (2 - 2 * _KB) * _C, 0.5 * _C, 128,
    0.5 * _C, -_KG / (2 - 2 * _KR) * _C, -_KB / (2 - 2 * _KR) * _C, 128,
)  # fmt: skip
"""RGB to limited-range Y'CbCr, as a matrix for ``Image.convert("RGB", matrix)``."""


def rgb_to_planes(image: Image.Image) -> Planes:
    """Convert an RGB image (even width and height) to yuv420p planes."""
    y_plane, cb_full, cr_full = image.convert("RGB", BT709).split()
    return y_plane, cb_full.reduce(2), cr_full.reduce(2)


def full_chroma(image: Image.Image) -> Planes:
    """Y', Cb and Cr all at full size (for cropping at odd offsets before subsampling)."""
    y_plane, cb_full, cr_full = image.convert("RGB", BT709).split()
    return y_plane, cb_full, cr_full


def planes_to_bytes(planes: Planes) -> bytes:
    """The raw yuv420p frame."""
    return b"".join(plane.tobytes() for plane in planes)


def planes_from_bytes(data: bytes, width: int, height: int) -> Planes:
    """Split a raw yuv420p frame into planes."""
    luma = width * height
    chroma = luma // 4
    half = (width // 2, height // 2)
    return (
        Image.frombytes("L", (width, height), data[:luma]),
        Image.frombytes("L", half, data[luma : luma + chroma]),
        Image.frombytes("L", half, data[luma + chroma : luma + 2 * chroma]),
    )


def black_planes(width: int, height: int) -> Planes:
    """A black frame."""
    half = (width // 2, height // 2)
    return Image.new("L", (width, height), 16), Image.new("L", half, 128), Image.new("L", half, 128)


def blend_planes(first: Planes, second: Planes, weight: float) -> Planes:
    """``first`` mixed with ``second``: 0 gives ``first``, 1 gives ``second``."""
    return (
        Image.blend(first[0], second[0], weight),
        Image.blend(first[1], second[1], weight),
        Image.blend(first[2], second[2], weight),
    )


def copy_planes(planes: Planes) -> Planes:
    """Copies that may be drawn on."""
    return planes[0].copy(), planes[1].copy(), planes[2].copy()
