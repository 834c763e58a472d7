"""Provenance of generated media: what made a still, a clip or an animatic, inside the file.

Every file a generative backend writes says what it is, in two layers:

* plain metadata any tool can read: PNG text chunks (``previz:model``, ``previz:prompt``,
  ``previz:seed``, ``previz:version``, a ``parameters`` summary and an XMP packet with the
  IPTC digital source type ``trainedAlgorithmicMedia``) and MP4 container tags (the same
  keys plus ``comment`` and ``description``);
* a C2PA manifest (c2pa-python, the ``provenance`` extra) declaring AI generation, with
  the model, prompt and seed in a custom assertion, signed with the certificate the user
  configures (:mod:`render._c2pa` says where it comes from). With no certificate there is
  no manifest, and :func:`provenance_status` says so for the run summary.

Files are stamped in place through temporary siblings and a rename, so a killed run never
leaves half a file. Backends stamp ``dest`` before the cache renames it into place, so
cached media keep their metadata.
"""

from __future__ import annotations

import numbers
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from previz.errors import PrevizError, RenderError
from render import _c2pa
from render._media_tags import (
    PNG,
    XMP_KEY,
    media_type,
    read_mp4_tags,
    read_png_text,
    write_mp4_tags,
    write_png_text,
)
from render.model import RenderSet

__all__ = [
    "ASSERTION_LABEL",
    "C2PA_SIGNED",
    "C2PA_UNSIGNED",
    "COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA",
    "TRAINED_ALGORITHMIC_MEDIA",
    "DerivedInfo",
    "GenerationInfo",
    "ProvenanceStatus",
    "is_generative",
    "previz_version",
    "provenance_status",
    "read_manifest",
    "read_tags",
    "stamp_animatic",
    "stamp_derived",
    "stamp_generated",
]

TRAINED_ALGORITHMIC_MEDIA = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
"""IPTC digital source type of media made by a generative model."""
COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA = (
    "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"
)
"""IPTC digital source type of media cut or composed from generated media."""
ASSERTION_LABEL = "org.previz.generation"
"""The custom C2PA assertion with the model, prompt and seed."""
C2PA_SIGNED = "C2PA: signed"
"""How a provenance note begins when a manifest was signed (see :func:`stamp_animatic`)."""
C2PA_UNSIGNED = "C2PA: not signed"
"""How a provenance note begins when no manifest was made."""
GENERATIVE_PREFIX = "diffusers"
"""Backends whose name starts with this make AI-generated media."""


def previz_version() -> str:
    """The installed previz version (package metadata, else the source tree's)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("previz")
    except PackageNotFoundError:
        from previz import __version__

        return __version__


def is_generative(backend: str) -> bool:
    """Whether the render backend named ``backend`` makes AI-generated media."""
    return backend.startswith(GENERATIVE_PREFIX)


@dataclass(frozen=True, slots=True)
class GenerationInfo:
    """How one still or clip was generated."""

    backend: str
    """The render backend's registry name (``diffusers-image``)."""
    model_id: str
    """The model's Hugging Face id or local folder."""
    prompt: str
    negative_prompt: str | None = None
    seed: int | None = None
    steps: int | None = None
    width: int | None = None
    height: int | None = None
    frames: int | None = None
    """Clips only."""
    fps: float | None = None
    """Clips only."""
    previz_version: str = field(default_factory=previz_version)

    def parameters(self) -> str:
        """A summary in the ``parameters`` style image tools show: prompt, then settings."""
        lines = [self.prompt]
        if self.negative_prompt:
            lines.append(f"Negative prompt: {self.negative_prompt}")
        settings = [
            ("Steps", self.steps),
            ("Seed", self.seed),
            ("Size", f"{self.width}x{self.height}" if self.width and self.height else None),
            ("Frames", self.frames),
            ("FPS", f"{self.fps:g}" if self.fps else None),
            ("Model", self.model_id),
            ("Backend", self.backend),
            ("Version", f"previz {self.previz_version}"),
        ]
        lines.append(", ".join(f"{name}: {value}" for name, value in settings if value is not None))
        return "\n".join(lines)

    def fields(self) -> dict[str, Any]:
        """The set fields by name (the C2PA assertion's data)."""
        values = ((f.name, getattr(self, f.name)) for f in fields(self))
        return {name: _plain(value) for name, value in values if value is not None}

    def tags(self) -> dict[str, str]:
        """The ``previz:*`` metadata keys, ``parameters`` and the digital source type."""
        short = {"model_id": "model", "previz_version": "version"}
        tags = {f"previz:{short.get(k, k)}": _text(v) for k, v in self.fields().items()}
        tags["previz:digital_source_type"] = TRAINED_ALGORITHMIC_MEDIA
        tags["parameters"] = self.parameters()
        return tags

    def description(self) -> str:
        """One sentence saying the media is AI-generated and by what."""
        return (
            f"AI-generated ({TRAINED_ALGORITHMIC_MEDIA.rsplit('/', 1)[1]}) by {self.model_id} "
            f"through previz {self.previz_version} ({self.backend})"
        )


@dataclass(frozen=True, slots=True)
class DerivedInfo:
    """What an animatic (or any cut) made from generated media was made from."""

    backend: str
    model_id: str | None = None
    shots: int = 0
    previz_version: str = field(default_factory=previz_version)

    def description(self) -> str:
        """One sentence saying the media contains AI-generated material."""
        source = f"{self.model_id} ({self.backend})" if self.model_id else self.backend
        return (
            f"Contains AI-generated media "
            f"({COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA.rsplit('/', 1)[1]}): "
            f"{self.shots} shots generated by {source}, cut by previz {self.previz_version}"
        )

    def tags(self) -> dict[str, str]:
        """The ``previz:*`` metadata keys, ``comment`` and ``description``."""
        tags = {"previz:backend": self.backend}
        if self.model_id:
            tags["previz:model"] = self.model_id
        tags["previz:shots"] = str(self.shots)
        tags["previz:version"] = self.previz_version
        tags["previz:digital_source_type"] = COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA
        tags["comment"] = tags["description"] = self.description()
        return tags


@dataclass(frozen=True, slots=True)
class ProvenanceStatus:
    """Whether generated media get a signed C2PA manifest, in words for the run summary."""

    signing: bool
    message: str
    """Begins with :data:`C2PA_SIGNED` or :data:`C2PA_UNSIGNED`."""


def provenance_status() -> ProvenanceStatus:
    """Whether a C2PA certificate is configured, and which; never raises."""
    try:
        config = _c2pa.load_signing_config()
    except PrevizError as exc:
        return ProvenanceStatus(False, f"{C2PA_UNSIGNED}: the certificate is unusable: {exc}")
    if config is None:
        return ProvenanceStatus(False, _unsigned_message())
    return ProvenanceStatus(
        True, f"{C2PA_SIGNED} with {config.subject} ({config.alg}): generated media get a manifest"
    )


def stamp_generated(path: str | Path, info: GenerationInfo) -> bool:
    """Write ``info`` into a generated PNG or MP4, in place, and sign it if configured.

    Args:
        path: the still or clip, as the backend wrote it.
        info: model, prompt, seed and settings.

    Returns:
        Whether a C2PA manifest was signed (``False``: no certificate configured).

    Raises:
        RenderError: the file is not a PNG or MP4, cannot be read or rewritten, or the
            certificate or key is unusable (the message names the file and the problem).
            The file is left as it was.
    """
    path = Path(path)
    kind = _kind(path)
    tags = info.tags()
    if kind == PNG:
        tags["Software"] = f"previz {info.previz_version}"
        tags["Description"] = info.description()
        tags[XMP_KEY] = _xmp(TRAINED_ALGORITHMIC_MEDIA, info.previz_version, info.description())
    else:
        tags["comment"] = info.parameters()
        tags["description"] = info.description()
    manifest = _manifest(
        kind,
        [_action("c2pa.created", TRAINED_ALGORITHMIC_MEDIA, info.previz_version)],
        {"label": ASSERTION_LABEL, "data": info.fields()},
        version=info.previz_version,
    )
    return _stamp(path, kind, tags, manifest, ingredients=())


def stamp_derived(
    path: str | Path, ingredients: Sequence[str | Path] | None, info: DerivedInfo
) -> bool:
    """Mark media cut from generated media (an animatic) as containing AI-generated material.

    Tags the file and, with a certificate configured, signs a manifest with the actions
    ``c2pa.created`` and ``c2pa.edited`` of digital source type
    ``compositeWithTrainedAlgorithmicMedia``, listing ``ingredients`` (each with its own
    manifest, if it has one) as ``componentOf``.

    Args:
        path: the PNG or MP4 to stamp in place.
        ingredients: the generated files it was made from; duplicates (the same file
            under two names) count once.
        info: backend, model and shot count.

    Returns:
        Whether a C2PA manifest was signed.

    Raises:
        RenderError: as :func:`stamp_generated`.
    """
    path = Path(path)
    kind = _kind(path)
    tags = info.tags()
    if kind == PNG:
        tags[XMP_KEY] = _xmp(
            COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA, info.previz_version, info.description()
        )
    created = _action("c2pa.created", COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA, info.previz_version)
    edited = _action("c2pa.edited", COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA, info.previz_version)
    edited["description"] = info.description()
    data: dict[str, Any] = {"backend": info.backend, "shots": info.shots}
    if info.model_id:
        data["model_id"] = info.model_id
    data["previz_version"] = info.previz_version
    manifest = _manifest(
        kind,
        [created, edited],
        {"label": ASSERTION_LABEL, "data": data},
        version=info.previz_version,
        title=path.name,
    )
    return _stamp(path, kind, tags, manifest, ingredients=_unique_media(ingredients or ()))


def stamp_animatic(path: Path, renders: RenderSet, root: Path) -> ProvenanceStatus:
    """Stamp an animatic cut from a generative render set; say what was done.

    Args:
        path: the animatic MP4.
        renders: the render set it was cut from (its media are the ingredients).
        root: the folder the render set's paths are relative to.

    Returns:
        The status for the run's notes: signed (and with what) or why not.
    """
    ingredients = [root / render.path for render in renders.renders]
    settings = renders.backend_settings
    model = _recorded_model(ingredients) or settings.get("model_id") or settings.get("model")
    info = DerivedInfo(
        backend=renders.backend, model_id=str(model) if model else None, shots=len(renders.renders)
    )
    if not stamp_derived(path, ingredients, info):
        return ProvenanceStatus(False, _unsigned_message())
    config = _c2pa.load_signing_config()
    signer = f"{config.subject} ({config.alg})" if config is not None else "the certificate"
    return ProvenanceStatus(
        True,
        f"{C2PA_SIGNED} {path.name} with {signer}: it declares AI-generated content from "
        f"{info.shots} shots",
    )


def read_tags(path: str | Path) -> dict[str, str]:
    """The text metadata of a PNG (text chunks) or MP4 (container tags).

    Raises:
        RenderError: the file is neither, or cannot be read.
    """
    path = Path(path)
    return read_png_text(path) if _kind(path) == PNG else read_mp4_tags(path)


def read_manifest(path: str | Path) -> dict[str, Any] | None:
    """The active C2PA manifest of a PNG or MP4, or ``None`` if it has none.

    The manifest dict (``assertions``, ``ingredients``, ``signature_info``, ...) also gets
    the store's ``validation_state`` (``Valid`` when the signature and hashes check out;
    ``Trusted`` when the certificate is on a trust list as well).

    Raises:
        BackendUnavailableError: c2pa-python is not installed.
        RenderError: the file cannot be read or its manifest is malformed.
    """
    path = Path(path)
    store = _c2pa.read_manifest_store(path, _kind(path))
    if store is None or not store.get("active_manifest"):
        return None
    manifest = dict(store["manifests"][store["active_manifest"]])
    manifest["validation_state"] = store.get("validation_state")
    return manifest


def _recorded_model(paths: Sequence[Path]) -> str | None:
    """The ``previz:model`` tag of the first readable file (the backend's own record)."""
    for path in paths:
        try:
            return read_tags(path).get("previz:model")
        except (RenderError, OSError):
            continue
    return None


def _kind(path: Path) -> str:
    try:
        kind = media_type(path)
    except OSError as exc:
        raise RenderError(f"cannot read the file: {exc.strerror}", path=path) from None
    if kind is None:
        raise RenderError("not a PNG or MP4 file: cannot record its provenance", path=path)
    return kind


def _stamp(
    path: Path,
    kind: str,
    tags: dict[str, str],
    manifest: dict[str, Any],
    *,
    ingredients: Sequence[tuple[Path, str]],
) -> bool:
    """Tag ``path``, sign it if a certificate is configured, and rename the result over it."""
    config = _c2pa.load_signing_config()  # a bad configuration fails before any writing
    tagged = _sibling(path, "tags")
    signed = _sibling(path, "c2pa")
    try:
        (write_png_text if kind == PNG else write_mp4_tags)(path, tagged, tags)
        final = tagged
        if config is not None:
            _c2pa.sign(
                tagged,
                signed,
                kind,
                manifest,
                config,
                ingredients=ingredients,
                media_name=path.name,
            )
            final = signed
        os.chmod(final, path.stat().st_mode & 0o7777)
        os.replace(final, path)
    except OSError as exc:
        raise RenderError(f"cannot record provenance: {exc.strerror}", path=path) from None
    finally:
        tagged.unlink(missing_ok=True)
        signed.unlink(missing_ok=True)
    return config is not None


def _sibling(path: Path, step: str) -> Path:
    """A new empty hidden file beside ``path``, with the same suffix."""
    try:
        fd, name = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=f".{step}{path.suffix}", dir=path.parent
        )
    except OSError as exc:
        raise RenderError(f"cannot write beside the file: {exc.strerror}", path=path) from None
    os.close(fd)
    return Path(name)


def _manifest(
    kind: str,
    actions: list[dict[str, Any]],
    assertion: dict[str, Any],
    *,
    version: str,
    title: str | None = None,
) -> dict[str, Any]:
    manifest: dict[str, Any] = {
        "claim_generator_info": [{"name": "previz", "version": version}],
        "format": kind,
        "assertions": [{"label": "c2pa.actions", "data": {"actions": actions}}, assertion],
    }
    if title:
        manifest["title"] = title
    return manifest


def _action(name: str, source_type: str, version: str) -> dict[str, Any]:
    return {
        "action": name,
        "digitalSourceType": source_type,
        "softwareAgent": {"name": "previz", "version": version},
    }


def _unique_media(paths: Sequence[str | Path]) -> list[tuple[Path, str]]:
    """``(path, media type)`` of each distinct existing PNG or MP4 (hard links count once)."""
    seen: set[tuple[int, int]] = set()
    found: list[tuple[Path, str]] = []
    for item in paths:
        path = Path(item)
        try:
            stat = path.stat()
            kind = media_type(path)
        except OSError:
            continue
        if kind is None or (stat.st_dev, stat.st_ino) in seen:
            continue
        seen.add((stat.st_dev, stat.st_ino))
        found.append((path, kind))
    return found


def _xmp(source_type: str, version: str, description: str) -> str:
    """An XMP packet with the IPTC digital source type, creator tool and description."""
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about=""'
        ' xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"'
        ' xmlns:xmp="http://ns.adobe.com/xap/1.0/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
        f" Iptc4xmpExt:DigitalSourceType={quoteattr(source_type)}"
        f" xmp:CreatorTool={quoteattr(f'previz {version}')}>"
        '<dc:description><rdf:Alt><rdf:li xml:lang="x-default">'
        f"{escape(description)}"
        "</rdf:li></rdf:Alt></dc:description>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    )


def _plain(value: object) -> int | float | str:
    """A JSON-ready value: numpy integers become ``int``, paths become ``str``."""
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    return str(value)


def _text(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _unsigned_message() -> str:
    return (
        f"{C2PA_UNSIGNED}: no certificate configured (set {_c2pa.ENV_CERT} and "
        f"{_c2pa.ENV_KEY}, or {_c2pa.config_path()}): generated media carry metadata tags "
        "but no C2PA manifest"
    )
