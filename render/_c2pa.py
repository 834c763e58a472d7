"""C2PA signing with the user's certificate, through c2pa-python (the ``provenance`` extra).

Where the certificate comes from: the environment wins over the config file.
``PREVIZ_C2PA_CERT`` (a PEM certificate chain, leaf first) and ``PREVIZ_C2PA_KEY`` (its
PEM private key) each hold a file path or the PEM text itself; ``PREVIZ_C2PA_ALG``
(``es256`` by default) and ``PREVIZ_C2PA_TSA`` (an RFC 3161 timestamp URL; none by
default, since previz works offline). The file is ``$PREVIZ_C2PA_CONFIG`` or
``~/.config/previz/c2pa.toml`` with the keys ``cert``, ``key`` (paths, relative to the
file's folder), ``alg`` and ``tsa_url``.

c2pa-python is imported only when a certificate is configured, so the base install never
needs it.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from previz.errors import BackendUnavailableError, RenderError

__all__ = [
    "ALGORITHMS",
    "SigningConfig",
    "config_path",
    "import_c2pa",
    "load_signing_config",
    "read_manifest_store",
    "sign",
]

ENV_CERT = "PREVIZ_C2PA_CERT"
ENV_KEY = "PREVIZ_C2PA_KEY"
ENV_ALG = "PREVIZ_C2PA_ALG"
ENV_TSA = "PREVIZ_C2PA_TSA"
ENV_CONFIG = "PREVIZ_C2PA_CONFIG"
ALGORITHMS = ("es256", "es384", "es512", "ps256", "ps384", "ps512", "ed25519")
INSTALL_HINT = "pip install 'previz[provenance]'"

SETTINGS: dict[str, Any] = {
    "builder": {"thumbnail": {"enabled": False}},
    "verify": {"remote_manifest_fetch": False, "ocsp_fetch": False},
}
"""No thumbnails (a still is its own; an animatic cut from 1,500 signed stills would carry
1,500 of them, 50 to 100 KB each), and nothing fetched over the network."""

CERTIFICATE_HINT = (
    "C2PA wants a leaf certificate issued by a CA, with the digitalSignature key usage and an "
    "extended key usage such as emailProtection or documentSigning; self-signed leaves "
    "are refused"
)
_KEY_PROBLEMS = ("private key", "signing credentials", "does not match")


@dataclass(frozen=True)
class SigningConfig:
    """A certificate chain and private key to sign C2PA manifests with."""

    cert_pem: bytes = field(repr=False)
    key_pem: bytes = field(repr=False)
    alg: str = "es256"
    tsa_url: str | None = None
    cert_source: str = ENV_CERT
    """Where the chain came from: a file path or the environment variable's name."""
    key_source: str = ENV_KEY

    @property
    def subject(self) -> str:
        """The signing certificate's subject (``CN=..., O=...``), or its source if unreadable."""
        try:
            from cryptography import x509

            return x509.load_pem_x509_certificates(self.cert_pem)[0].subject.rfc4514_string()
        except (ImportError, ValueError, IndexError):  # a label only; signing checks it
            return self.cert_source


def config_path() -> Path:
    """The config file read when present."""
    if os.environ.get(ENV_CONFIG):
        return Path(os.environ[ENV_CONFIG])
    config_home = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return config_home / "previz" / "c2pa.toml"


def load_signing_config() -> SigningConfig | None:
    """The configured certificate and key, or ``None`` when none is configured.

    Raises:
        RenderError: only one of certificate and key is configured, a file cannot be
            read or holds no PEM data, or the algorithm is unknown (the message names the
            file or variable).
    """
    file = config_path()
    data: dict[str, Any] = {}
    if file.exists():
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise RenderError(f"cannot read the C2PA config: {exc}", path=file) from None
    base = file.parent
    cert = _source(os.environ.get(ENV_CERT), ENV_CERT) or _source(data.get("cert"), base)
    key = _source(os.environ.get(ENV_KEY), ENV_KEY) or _source(data.get("key"), base)
    if cert is None and key is None:
        return None
    if key is None:
        raise RenderError(
            f"a C2PA certificate is configured but no private key: set {ENV_KEY} "
            f"(or 'key' in {file})",
            path=cert[1],  # type: ignore[index]
        )
    if cert is None:
        raise RenderError(
            f"a C2PA private key is configured but no certificate: set {ENV_CERT} "
            f"(or 'cert' in {file})",
            path=key[1],
        )
    alg = str(os.environ.get(ENV_ALG) or data.get("alg") or "es256").lower()
    if alg not in ALGORITHMS:
        raise RenderError(
            f"unknown C2PA signing algorithm {alg!r}: expected one of {', '.join(ALGORITHMS)}",
            path=ENV_ALG if os.environ.get(ENV_ALG) else file,
        )
    tsa = os.environ.get(ENV_TSA) or data.get("tsa_url") or None
    return SigningConfig(
        cert_pem=cert[0],
        key_pem=key[0],
        alg=alg,
        tsa_url=str(tsa) if tsa else None,
        cert_source=cert[1],
        key_source=key[1],
    )


def import_c2pa(needed_for: str) -> ModuleType:
    """The ``c2pa`` module.

    Args:
        needed_for: what needs it, for the error message.

    Raises:
        BackendUnavailableError: c2pa-python is not installed (the message says how to
            install it).
    """
    try:
        import c2pa
    except ImportError:
        raise BackendUnavailableError(
            f"{needed_for} needs c2pa-python, which is not installed: {INSTALL_HINT}"
        ) from None
    return c2pa


def sign(
    src: Path,
    dest: Path,
    media_type: str,
    manifest: dict[str, Any],
    config: SigningConfig,
    *,
    ingredients: Sequence[tuple[Path, str]] = (),
    media_name: str | None = None,
) -> None:
    """Write ``src`` to ``dest`` with a C2PA manifest signed by ``config``'s certificate.

    Args:
        src: the media to sign (PNG or MP4).
        dest: where the signed copy goes (a new file).
        media_type: ``image/png`` or ``video/mp4``.
        manifest: the manifest definition (claim generator, assertions).
        config: certificate, key, algorithm, timestamp URL.
        ingredients: ``(path, media type)`` of the files this one was made from; each is
            recorded as a ``componentOf`` ingredient with its own manifest, if any.
        media_name: the name used in error messages (``src``'s by default).

    Raises:
        RenderError: the certificate or key is unusable or signing failed; the message
            names the media and the problem, the error's path the credential at fault.
    """
    c2pa = import_c2pa(f"the configured C2PA certificate ({config.cert_source})")
    name = media_name or src.name
    try:
        signer = c2pa.Signer.from_info(
            c2pa.C2paSignerInfo(
                config.alg.encode(), config.cert_pem, config.key_pem, config.tsa_url
            )
        )
        context = c2pa.Context.from_dict(SETTINGS)
        with signer, context, c2pa.Builder(manifest, context) as builder:
            for path, kind in ingredients:
                with path.open("rb") as handle:
                    ingredient = {"title": path.name, "relationship": "componentOf"}
                    builder.add_ingredient(ingredient, kind, handle)
            with src.open("rb") as source, dest.open("w+b") as target:
                builder.sign(signer, media_type, source, target)
    except c2pa.C2paError as exc:
        reason = str(exc).strip() or type(exc).__name__
        at_fault = (
            config.key_source
            if any(word in reason.lower() for word in _KEY_PROBLEMS)
            else config.cert_source
        )
        if "certificate is invalid" in reason:
            reason += f" ({CERTIFICATE_HINT})"
        raise RenderError(
            f"cannot sign {name} with the C2PA certificate ({config.cert_source}) and key "
            f"({config.key_source}): {reason}",
            path=at_fault,
        ) from None
    except OSError as exc:
        raise RenderError(f"cannot sign {name}: {exc}", path=exc.filename or src) from None


def read_manifest_store(path: Path, media_type: str) -> dict[str, Any] | None:
    """The C2PA manifest store of a file (``Reader.json()``), or ``None`` if it has none.

    Raises:
        BackendUnavailableError: c2pa-python is not installed.
        RenderError: the file cannot be read or its manifest is malformed.
    """
    import json

    c2pa = import_c2pa("reading C2PA manifests")
    try:
        with (
            path.open("rb") as handle,
            c2pa.Context.from_dict(SETTINGS) as context,
            c2pa.Reader(media_type, handle, context=context) as reader,
        ):
            return json.loads(reader.json())
    except c2pa.C2paError.ManifestNotFound:
        return None
    except c2pa.C2paError as exc:
        raise RenderError(f"cannot read the C2PA manifest: {exc}", path=path) from None
    except OSError as exc:
        raise RenderError(f"cannot read the file: {exc}", path=path) from None


def _source(value: object, origin: str | Path) -> tuple[bytes, str] | None:
    """PEM bytes and where they came from, for an environment value or a config entry.

    ``origin`` is the variable's name (the value is a path or PEM text) or the config
    file's folder (the value is a path relative to it).
    """
    if value is None or value == "":
        return None
    text = str(value)
    if isinstance(origin, str) and "-----BEGIN" in text:
        return text.encode(), origin
    base = origin if isinstance(origin, Path) else Path.cwd()
    path = (base / Path(text).expanduser()).resolve()
    try:
        pem = path.read_bytes()
    except OSError as exc:
        raise RenderError(f"cannot read the C2PA credential: {exc.strerror}", path=path) from None
    if b"-----BEGIN" not in pem:
        raise RenderError(
            "not a PEM file (expected '-----BEGIN ...' blocks: a certificate chain or a "
            "private key)",
            path=path,
        )
    return pem, str(path)
