"""Reading a screenplay file: size and sanity checks, format detection, the parser registry."""

from __future__ import annotations

import codecs
import hashlib
from pathlib import Path
from typing import ClassVar, Protocol

from previz.errors import (
    EmptyScriptError,
    InputTooLargeError,
    ParseError,
    ScriptError,
    UnsupportedFormatError,
)
from previz.registry import Registry
from previz.versioned import load_versioned
from screenplay.model import SCRIPT_SCHEMA, Script, ScriptSource, SourceFormat

__all__ = [
    "MAX_SCRIPT_BYTES",
    "PARSERS",
    "ScriptParser",
    "decode_text",
    "detect_format",
    "load_script",
    "load_script_or_parse",
    "parse_bytes",
    "parse_file",
]

MAX_SCRIPT_BYTES = 20 * 1024 * 1024
"""Larger than any real screenplay (a 300-page FDX is about 2 MB, a PDF with fonts 5 MB)."""


class ScriptParser(Protocol):
    """A screenplay format: bytes in, :class:`Script` out."""

    format: ClassVar[SourceFormat]
    suffixes: ClassVar[tuple[str, ...]]

    def parse(self, data: bytes, source: ScriptSource) -> Script:
        """Parse ``data`` (the whole file) into a script; raise :class:`ParseError` subclasses."""
        ...


PARSERS: Registry[type[ScriptParser]] = Registry("script format")
PARSERS.register_lazy(
    "fountain", "screenplay.fountain:FountainParser", suffixes=("fountain", "spmd", "txt")
)
PARSERS.register_lazy("fdx", "screenplay.fdx:FdxParser", suffixes=("fdx",))
PARSERS.register_lazy("pdf", "screenplay.pdf:PdfParser", suffixes=("pdf",))


def detect_format(data: bytes, name: str = "") -> SourceFormat:
    """The format of ``data``, judged from its content first and its suffix second.

    A ``.txt`` Fountain file and a Final Draft file saved as ``.xml`` or ``.txt`` are
    recognised; a binary file that is none of the formats raises
    :class:`UnsupportedFormatError`.
    """
    head = data[:4096]
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"%PDF-") or b"%PDF-" in head[:1024]:
        return "pdf"
    text_head = _head_text(head)
    if text_head is not None:
        lowered = text_head.lstrip().lower()
        if lowered.startswith("<") and (
            "<finaldraft" in lowered
            or (lowered.startswith("<?xml") and name.lower().endswith(".fdx"))
        ):
            return "fdx"
        if lowered.startswith("<?xml") or lowered.startswith("<!doctype"):
            # XML that is not Final Draft: let the FDX parser explain what it found.
            return "fdx"
        if not _looks_binary(text_head):
            return "fountain"
    suffix_format = PARSERS.name_for_path(name)
    available = ", ".join(PARSERS.names())
    what = f"a .{Path(name).suffix.lstrip('.')} file" if suffix_format else "this file"
    raise UnsupportedFormatError(
        f"{what} is binary data, not a screenplay; expected one of: {available}", path=name or None
    )


def _head_text(head: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return head[len(bom) :].decode(encoding, errors="ignore")
    if _utf16_without_bom(head):
        return head.decode("utf-16-le" if head[1:2] == b"\x00" else "utf-16-be", errors="ignore")
    return head.decode("utf-8", errors="ignore") if b"\x00" not in head else None


def _looks_binary(text: str) -> bool:
    if not text:
        return False
    control = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
    replacement = text.count("\ufffd")
    return control + replacement > max(2, len(text) // 50)


_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _utf16_without_bom(head: bytes) -> bool:
    """ASCII text in UTF-16 has a NUL in every other byte."""
    sample = head[:512]
    if len(sample) < 4:
        return False
    even, odd = sample[0::2], sample[1::2]
    return (odd.count(0) > len(odd) * 0.4 and even.count(0) == 0) or (
        even.count(0) > len(even) * 0.4 and odd.count(0) == 0
    )


def decode_text(data: bytes, path: str | None = None) -> str:
    """Decode a text screenplay: UTF-8 (with or without BOM) or UTF-16/32 with a BOM.

    Raises:
        ParseError: naming the line and column of the first byte that is not valid.
    """
    encoding = "utf-8"
    body = data
    for bom, bom_encoding in _BOMS:
        if data.startswith(bom):
            encoding, body = bom_encoding, data[len(bom) :]
            break
    else:
        if _utf16_without_bom(data):
            encoding = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        good = body[: exc.start].decode(encoding, errors="replace")
        line = good.count("\n") + 1
        column = len(good) - (good.rfind("\n") + 1) + 1
        raise ParseError(
            f"not valid {encoding.upper()} text (byte 0x{body[exc.start]:02x} at offset "
            f"{exc.start}); save the script as UTF-8",
            path=path,
            line=line,
            column=column,
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ParseError("binary data (NUL character) in a text screenplay", path=path, line=line)
    return text


def _check_size(size: int, path: str | Path) -> None:
    if size > MAX_SCRIPT_BYTES:
        raise InputTooLargeError(
            f"file is {size / 1e6:.1f} MB; no screenplay is larger than "
            f"{MAX_SCRIPT_BYTES / 1e6:.0f} MB",
            path=path,
        )


def parse_bytes(data: bytes, *, name: str, format: SourceFormat | None = None) -> Script:
    """Parse a screenplay held in memory.

    Args:
        data: the whole file.
        name: its file name, used in errors and kept in ``Script.source``.
        format: ``fountain``, ``fdx`` or ``pdf``; detected from the content when ``None``.

    Returns:
        The parsed script.
    """
    _check_size(len(data), name)
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xfe\xff"):
        raise EmptyScriptError("file is empty", path=name)
    if format is None:
        format = detect_format(data, name)
    try:
        parser_cls = PARSERS.get(format)
    except KeyError as exc:
        raise UnsupportedFormatError(str(exc.args[0]), path=name) from None
    source = ScriptSource(
        name=Path(name).name, format=format, sha256=hashlib.sha256(data).hexdigest(), size=len(data)
    )
    try:
        return parser_cls().parse(data, source)
    except ScriptError as exc:
        if exc.path is None:
            exc.path = name
        raise
    except RecursionError:
        raise ParseError("structure nested too deeply", path=name) from None


def parse_file(path: str | Path, *, format: SourceFormat | None = None) -> Script:
    """Parse the screenplay at ``path`` (Fountain, Final Draft ``.fdx`` or PDF).

    Raises:
        ScriptError: the file cannot be read or is not a screenplay; the message names the
            file and, where known, the line or page.
    """
    path = Path(path)
    try:
        _check_size(path.stat().st_size, path)
        if path.is_dir():
            raise ScriptError("is a directory, not a screenplay file", path=path)
        data = path.read_bytes()
    except OSError as exc:
        raise ScriptError(exc.strerror or str(exc), path=path) from None
    return parse_bytes(data, name=str(path), format=format)


def load_script(path: str | Path) -> Script:
    """Load script JSON written by ``previz parse`` (possibly edited by hand).

    Raises:
        SchemaVersionError: the file is not a ``Script.1``.
        ScriptError: unreadable, not JSON, or not a valid script (naming the JSON path).
    """
    return load_versioned(path, Script, SCRIPT_SCHEMA, ScriptError, "script JSON")


def load_script_or_parse(path: str | Path) -> Script:
    """Script JSON from ``previz parse`` when ``path`` is one, else parse the screenplay."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        return load_script(path)
    return parse_file(path)
