"""Writing a timeline through the OTIO adapters: ``.otio``, FCP 7 XML, CMX 3600 EDL.

Each adapter writes to a string, which is saved to a hidden temporary file beside the
target and renamed, so an interrupted run never leaves half a file under the final name.
Whatever an adapter raises becomes an :class:`AssemblyError` naming the adapter.

The EDL gets its own copy of the timeline, because of how ``otio-cmx3600-adapter`` 1.0
treats what the other formats keep:

- **Dissolves are written as cuts**, each with a ``* PREVIZ: ...`` comment giving the
  dissolve's length. The adapter's dissolve events repeat the outgoing clip's comments and
  locators under the incoming one; reading them back gives the incoming clip the outgoing
  clip's media and markers, and moves the cut half a dissolve earlier (the clips' lengths
  no longer match the shots'). The FCP XML and the ``.otio`` keep the real transitions.
- **Markers become ``* LOC:`` comments at record timecode**, where Avid puts and reads
  them. The adapter writes a marker's *source* time there instead (OpenTimelineIO issue
  #169), which would pile every locator of a still at the start of the sequence. A
  locator carries the marker's name (its comment has no place in the line); reading the
  EDL back through the adapter gives markers at those record times.
- **Text is folded to ASCII** (curly quotes to straight, dashes to ``-``, accents dropped,
  anything else ``?``): EDL readers such as Avid's expect 7-bit text.
- **More than 999 events** do not fit CMX 3600's three-digit event numbers; the adapter
  writes four digits, which Resolve and Premiere read but strict readers may not, and a
  note says so.
"""

from __future__ import annotations

import os
import secrets
import unicodedata
from pathlib import Path

import opentimelineio as otio

from previz.errors import AssemblyError

__all__ = ["CMX_MAX_EVENTS", "edl_timeline", "to_ascii", "write_text", "write_with_adapter"]

CMX_MAX_EVENTS = 999
_PACKAGES = {
    "otio_json": "opentimelineio",
    "fcp_xml": "otio-fcp-adapter",
    "cmx_3600": "otio-cmx3600-adapter",
}
_ASCII = str.maketrans(
    {
        "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'",
        "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"',
        "–": "-", "—": "-", "―": "-", "‐": "-", "‑": "-", "−": "-",
        "…": "...", "·": "-", "•": "-", "\u00a0": " ", "\u2009": " ", "\u202f": " ",
    }
)  # fmt: skip


def to_ascii(text: str) -> str:
    """``text`` in 7-bit ASCII: typographic quotes and dashes straightened, accents dropped."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_ASCII))
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return kept.encode("ascii", "replace").decode("ascii")


def _locator(marker: otio.schema.Marker, record: otio.opentime.RationalTime) -> str:
    """A ``LOC:`` comment at ``record`` (sequence time), as Avid writes and reads them."""
    timecode = otio.opentime.to_timecode(record, record.rate)
    return f"LOC: {timecode} {marker.color:7} {to_ascii(marker.name)}"


def edl_timeline(timeline: otio.schema.Timeline) -> otio.schema.Timeline:
    """A copy of ``timeline`` the CMX 3600 adapter writes faithfully (see module docstring).

    Args:
        timeline: the built timeline (one video track, starting at frame 0).

    Returns:
        A deep copy with transitions replaced by cuts plus comments, markers replaced by
        ``LOC:`` comments at record timecode, and ASCII text.
    """
    edl = timeline.deepcopy()
    edl.name = to_ascii(edl.name)
    for track in edl.tracks:
        items = list(track)
        record = otio.opentime.RationalTime(0, track.duration().rate)  # where the item starts
        track.clear()
        pending: otio.schema.Transition | None = None
        previous: otio.schema.Clip | None = None
        for item in items:
            if isinstance(item, otio.schema.Transition):
                pending = item  # takes no time on the track
                continue
            if isinstance(item, otio.schema.Clip):
                item.name = to_ascii(item.name)
                comments = [
                    _locator(
                        marker,
                        record + marker.marked_range.start_time - item.source_range.start_time,
                    )
                    for marker in item.markers
                ]
                item.markers.clear()
                if pending is not None:
                    frames = round((pending.in_offset + pending.out_offset).to_frames())
                    how = pending.metadata.get("previz", {}).get("transition", "dissolve")
                    kind = "DIP TO BLACK" if how == "fade" else "DISSOLVE"
                    source = previous.name if previous is not None else "BLACK"
                    comments.append(
                        f"PREVIZ: {kind} {frames} FRAMES FROM {source} WRITTEN AS A CUT"
                    )
                    pending = None
                if comments:
                    cmx = dict(item.metadata.get("cmx_3600", {}))
                    cmx["comments"] = [*cmx.get("comments", []), *comments]
                    item.metadata["cmx_3600"] = cmx
                previous = item
            record += item.duration()
            track.append(item)
    return edl


def write_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to a hidden temporary file beside ``path``, then rename it to ``path``.

    The file is created with ``open(mode="x")``, so it gets the usual permissions (the
    umask's), not ``mkstemp``'s owner-only ones.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
    try:
        with open(tmp, "x", encoding=encoding, newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_with_adapter(
    timeline: otio.schema.Timeline,
    path: Path,
    adapter: str,
    encoding: str = "utf-8",
    **options: object,
) -> None:
    """Write ``timeline`` to ``path`` with the OTIO adapter named ``adapter``.

    Args:
        timeline: what to write (the adapter may change it: pass a copy if that matters).
        path: the file to write, replaced only once the new one is complete.
        adapter: ``otio_json``, ``fcp_xml`` or ``cmx_3600``.
        encoding: the file's text encoding.
        **options: the adapter's own arguments (``rate``, ``style``, ``indent``).

    Raises:
        AssemblyError: the adapter is not installed or fails, or the file cannot be written.
    """
    try:
        text = otio.adapters.write_to_string(timeline, adapter_name=adapter, **options)
    except otio.exceptions.NotSupportedError as exc:
        if adapter not in otio.adapters.available_adapter_names():
            package = _PACKAGES.get(adapter, adapter)
            raise AssemblyError(
                f"the OTIO adapter {adapter!r} is not installed (pip install {package})",
                path=path,
            ) from exc
        raise AssemblyError(f"the {adapter} adapter cannot write this timeline: {exc}") from exc
    except Exception as exc:  # an adapter is third-party code: anything can come out
        raise AssemblyError(
            f"the {adapter} adapter failed: {type(exc).__name__}: {exc}", path=path
        ) from exc
    try:
        write_text(path, text, encoding)
    except (OSError, UnicodeError) as exc:
        raise AssemblyError(f"cannot write the {adapter} timeline: {exc}", path=path) from exc
