"""Plain metadata in media files: PNG text chunks (Pillow) and MP4 tags (ffmpeg).

Each writer reads ``src`` and writes a new file ``dest``; the caller renames it into
place. PNG chunks are spliced in (Pillow encodes them) without decoding the image, and
MP4 streams are copied untouched (``-codec copy``): only the metadata changes.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

from previz.errors import RenderError
from render._ffmpeg import find_ffmpeg

__all__ = [
    "MP4",
    "PNG",
    "XMP_KEY",
    "media_type",
    "read_mp4_tags",
    "read_png_text",
    "write_mp4_tags",
    "write_png_text",
]

PNG = "image/png"
MP4 = "video/mp4"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
XMP_KEY = "XML:com.adobe.xmp"
"""The iTXt keyword under which PNG files carry an XMP packet."""

_TEXT_CHUNKS = (b"tEXt", b"zTXt", b"iTXt")
_BRAND_TAGS = ("major_brand", "minor_version", "compatible_brands")
"""Container facts ffmpeg reports as tags; blanked so they are not duplicated as tags."""


def media_type(path: Path) -> str | None:
    """``image/png`` or ``video/mp4`` from the file's first bytes; ``None`` otherwise."""
    with path.open("rb") as handle:
        head = handle.read(12)
    if head.startswith(PNG_SIGNATURE):
        return PNG
    if head[4:8] == b"ftyp":
        return MP4
    return None


def write_png_text(src: Path, dest: Path, text: dict[str, str]) -> None:
    """Copy the PNG ``src`` to ``dest`` with ``text`` added as iTXt chunks before its image data.

    The image data and every other chunk are copied byte for byte (nothing is decoded or
    re-compressed); text chunks with a key in ``text`` and a stale C2PA manifest (``caBX``,
    no longer valid once the file changes) are dropped.

    Raises:
        RenderError: ``src`` is not a well-formed PNG.
    """
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    for key, value in text.items():
        info.add_itxt(key, value, zip=len(value) > 1024)
    replaced = {key.encode("latin-1") for key in text}
    data = src.read_bytes()
    with dest.open("wb") as out:
        out.write(PNG_SIGNATURE)
        inserted = False
        for cid, start, end in _png_chunks(data, src):
            body = data[start + 8 : end - 4]
            if cid == b"caBX" or (cid in _TEXT_CHUNKS and body.split(b"\0", 1)[0] in replaced):
                continue
            if cid in (b"IDAT", b"IEND") and not inserted:
                for chunk_id, chunk_data, _ in info.chunks:
                    PngImagePlugin.putchunk(out, chunk_id, chunk_data)
                inserted = True
            out.write(data[start:end])


def read_png_text(path: Path) -> dict[str, str]:
    """The text chunks (tEXt, zTXt, iTXt) of a PNG."""
    from PIL import Image

    with Image.open(path) as image:
        image.load()
        return {key: str(value) for key, value in getattr(image, "text", {}).items()}


def write_mp4_tags(src: Path, dest: Path, tags: dict[str, str]) -> None:
    """Copy the MP4 ``src`` to ``dest`` with ``tags`` set in its container metadata.

    Streams are copied, not re-encoded; existing tags are kept; the index stays at the
    front (``faststart``) for streaming.

    Raises:
        RenderError: ffmpeg is missing or fails (the message ends with its output).
    """
    args = [find_ffmpeg(), "-nostdin", "-v", "error", "-y", "-i", str(src), "-map", "0"]
    args += ["-codec", "copy", "-map_metadata", "0"]
    for key in _BRAND_TAGS:
        args += ["-metadata", f"{key}="]
    for key, value in tags.items():
        args += ["-metadata", f"{key}={value}"]
    args += ["-movflags", "use_metadata_tags+faststart", "-f", "mp4", str(dest)]
    _ffmpeg(args, src)


def read_mp4_tags(path: Path) -> dict[str, str]:
    """The container-level tags of an MP4 (as ffmpeg's ``ffmetadata`` muxer reports them).

    Raises:
        RenderError: ffmpeg is missing or cannot read the file.
    """
    args = [find_ffmpeg(), "-nostdin", "-v", "error", "-i", str(path)]
    args += ["-map_metadata", "0", "-f", "ffmetadata", "-"]
    return _parse_ffmetadata(_ffmpeg(args, path))


def _png_chunks(data: bytes, path: Path) -> Iterator[tuple[bytes, int, int]]:
    """``(type, start, end)`` of each chunk, ``end`` past its CRC, up to ``IEND``."""
    if not data.startswith(PNG_SIGNATURE):
        raise RenderError("not a PNG file", path=path)
    pos = len(PNG_SIGNATURE)
    while pos + 12 <= len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        cid = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > len(data):
            break
        yield cid, pos, end
        if cid == b"IEND":
            return
        pos = end
    raise RenderError("truncated PNG: no IEND chunk", path=path)


def _ffmpeg(args: list[str], path: Path) -> str:
    """Run ffmpeg on ``path`` to the end; its standard output."""
    try:
        done = subprocess.run(args, capture_output=True, check=False)
    except OSError as exc:
        raise RenderError(f"cannot run ffmpeg: {exc}", path=path) from None
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise RenderError(f"ffmpeg failed on the file: {' / '.join(tail)}", path=path)
    return done.stdout.decode("utf-8", "replace")


def _parse_ffmetadata(text: str) -> dict[str, str]:
    """``key=value`` entries up to the first ``[SECTION]``, with backslash escapes undone.

    ffmpeg escapes ``=``, ``;``, ``#``, ``\\`` and newlines in keys and values with a
    backslash, so an entry ends only at an unescaped newline.
    """
    tags: dict[str, str] = {}
    for entry in _entries(text):
        if not entry or entry[0] == (";", False):
            continue
        if entry[0] == ("[", False):
            break
        split = next((i for i, item in enumerate(entry) if item == ("=", False)), len(entry))
        key = "".join(char for char, _ in entry[:split])
        tags[key] = "".join(char for char, _ in entry[split + 1 :])
    return tags


def _entries(text: str) -> list[list[tuple[str, bool]]]:
    """Logical lines as ``(char, escaped)`` pairs."""
    entries: list[list[tuple[str, bool]]] = [[]]
    chars = iter(text)
    for char in chars:
        if char == "\\":
            entries[-1].append((next(chars, ""), True))
        elif char == "\n":
            entries.append([])
        else:
            entries[-1].append((char, False))
    return entries
