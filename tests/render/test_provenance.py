"""Provenance of generated media: PNG text chunks, MP4 tags and C2PA manifests signed with a
throwaway certificate made here, read back with c2pa-python's Reader."""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from previz.errors import BackendUnavailableError, RenderError
from render import _c2pa, provenance
from render._ffmpeg import find_ffmpeg
from render._media_tags import read_mp4_tags, read_png_text
from render.provenance import (
    ASSERTION_LABEL,
    C2PA_SIGNED,
    C2PA_UNSIGNED,
    COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA,
    TRAINED_ALGORITHMIC_MEDIA,
    DerivedInfo,
    GenerationInfo,
    provenance_status,
    read_manifest,
    read_tags,
    stamp_derived,
    stamp_generated,
)
from tests.conftest import TINY_FOUNTAIN

pytest.importorskip("c2pa")
x509 = pytest.importorskip("cryptography.x509")
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID  # noqa: E402

PROMPT = 'Margot climbs the stairs; rain = "heavy" # 雨\nwide shot, 35mm'
NEGATIVE = "blurry, text"


def _info(**changes: Any) -> GenerationInfo:
    fields: dict[str, Any] = dict(
        backend="diffusers-image",
        model_id="tiny/sd-turbo",
        prompt=PROMPT,
        negative_prompt=NEGATIVE,
        seed=1234,
        steps=2,
        width=64,
        height=48,
    )
    return GenerationInfo(**(fields | changes))


# --- a throwaway certificate: a root CA and an ES256 leaf with the EKU c2pa-rs requires ---


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "previz tests"),
        ]
    )


def _usage(*, sign_certs: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not sign_certs,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=sign_certs,
        crl_sign=sign_certs,
        encipher_only=False,
        decipher_only=False,
    )


def _signer_usage() -> list[tuple[x509.ExtensionType, bool]]:
    """A signing leaf's key usages: digitalSignature, and the EKU c2pa-rs requires."""
    return [
        (_usage(sign_certs=False), True),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), False),
    ]


def _certificate(
    subject: str,
    issuer: x509.Name | None,
    key: ec.EllipticCurvePrivateKey,
    signer: ec.EllipticCurvePrivateKey,
    extensions: list[tuple[x509.ExtensionType, bool]],
) -> x509.Certificate:
    """A certificate for ``key`` signed by ``signer``, valid from a day ago to a day ahead.

    Args:
        issuer: the signer's name (``None``: self-issued, the subject's).
        extensions: ``(extension, critical)`` pairs, in order.
    """
    now = datetime.datetime.now(datetime.UTC)
    day = datetime.timedelta(days=1)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer or _name(subject))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - day)
        .not_valid_after(now + day)
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(signer, hashes.SHA256())


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


@pytest.fixture(scope="module")
def credentials(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """``(chain.pem, key.pem)``: a leaf signed by a root CA, valid for a day either side."""
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = _certificate(
        "previz test root",
        None,
        root_key,
        root_key,
        [
            (x509.BasicConstraints(ca=True, path_length=None), True),
            (_usage(sign_certs=True), True),
            (x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), False),
        ],
    )
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = _certificate(
        "previz test signer",
        root.subject,
        leaf_key,
        root_key,
        [
            (x509.BasicConstraints(ca=False, path_length=None), True),
            *_signer_usage(),
            (x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), False),
        ],
    )
    folder = tmp_path_factory.mktemp("c2pa-credentials")
    chain = folder / "chain.pem"
    chain.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (leaf, root)))
    key = folder / "key.pem"
    key.write_bytes(_pem_key(leaf_key))
    return chain, key


@pytest.fixture(autouse=True)
def no_user_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Neither the environment nor ``~/.config`` of whoever runs the tests leaks in."""
    for name in (_c2pa.ENV_CERT, _c2pa.ENV_KEY, _c2pa.ENV_ALG, _c2pa.ENV_TSA):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(_c2pa.ENV_CONFIG, str(tmp_path / "absent" / "c2pa.toml"))


@pytest.fixture
def signing(monkeypatch: pytest.MonkeyPatch, credentials: tuple[Path, Path]) -> None:
    chain, key = credentials
    monkeypatch.setenv(_c2pa.ENV_CERT, str(chain))
    monkeypatch.setenv(_c2pa.ENV_KEY, str(key))


# --- media made here ---


def _png(path: Path, mode: str = "RGB") -> Path:
    rng = np.random.default_rng(7)
    pixels = rng.integers(0, 256, size=(48, 64, 4), dtype=np.uint8)
    image = Image.fromarray(pixels, "RGBA")
    if mode == "P":
        image = image.convert("RGB").quantize(32)
    elif mode == "I;16":
        image = Image.fromarray(pixels[..., 0].astype(np.uint16) * 257)
    else:
        image = image.convert(mode)
    image.save(path)
    return path


@pytest.fixture(scope="module")
def clip_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 1-second 64x64 H.264 clip at 24 fps."""
    path = tmp_path_factory.mktemp("clip") / "clip.mp4"
    args = [find_ffmpeg(), "-nostdin", "-v", "error", "-f", "lavfi", "-i"]
    args += ["testsrc=size=64x64:rate=24:duration=1", "-c:v", "libx264", "-pix_fmt", "yuv420p"]
    subprocess.run([*args, str(path)], check=True)
    return path


@pytest.fixture
def clip(clip_source: Path, tmp_path: Path) -> Path:
    return Path(shutil.copyfile(clip_source, tmp_path / "shot.mp4"))


def _frames_md5(path: Path) -> list[str]:
    """Each decoded video frame's md5 (ffmpeg's framemd5 muxer)."""
    args = [find_ffmpeg(), "-nostdin", "-v", "error", "-i", str(path), "-map", "0:v"]
    out = subprocess.run([*args, "-f", "framemd5", "-"], capture_output=True, check=True)
    return [
        line.split(",")[-1].strip() for line in out.stdout.decode().splitlines() if line[0] != "#"
    ]


def _pixels(path: Path) -> tuple[str, tuple[int, int], bytes]:
    with Image.open(path) as image:
        return image.mode, image.size, image.tobytes()


def _folder(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir())


def _actions(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    found = [a for a in manifest["assertions"] if a["label"].startswith("c2pa.actions")]
    return [action for assertion in found for action in assertion["data"]["actions"]]


def _assertion(manifest: dict[str, Any], label: str) -> dict[str, Any]:
    return next(a["data"] for a in manifest["assertions"] if a["label"] == label)


# --- plain metadata, no certificate ---


def test_png_gets_text_chunks_and_keeps_its_pixels(tmp_path: Path) -> None:
    still = _png(tmp_path / "shot.png")
    before = _pixels(still)
    assert stamp_generated(still, _info()) is False
    text = read_png_text(still)
    assert text["previz:model"] == "tiny/sd-turbo"
    assert text["previz:prompt"] == PROMPT
    assert text["previz:negative_prompt"] == NEGATIVE
    assert text["previz:seed"] == "1234"
    assert text["previz:version"] == provenance.previz_version()
    assert text["previz:digital_source_type"] == TRAINED_ALGORITHMIC_MEDIA
    assert text["parameters"].startswith(PROMPT + "\nNegative prompt: blurry, text\n")
    assert "Steps: 2, Seed: 1234, Size: 64x48, Model: tiny/sd-turbo" in text["parameters"]
    assert "trainedAlgorithmicMedia" in text["XML:com.adobe.xmp"]
    with Image.open(still) as image:
        assert image.getxmp()["xmpmeta"]["RDF"]["Description"]["DigitalSourceType"] == (
            TRAINED_ALGORITHMIC_MEDIA
        )
    assert _pixels(still) == before
    assert read_manifest(still) is None
    assert _folder(still) == ["shot.png"]


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L", "P", "I;16"])
def test_png_pixels_are_bit_identical_in_every_mode(tmp_path: Path, mode: str) -> None:
    still = _png(tmp_path / "shot.png", mode)
    before = _pixels(still)
    stamp_generated(still, _info())
    assert _pixels(still) == before


def test_png_keeps_its_own_text_chunks(tmp_path: Path) -> None:
    from PIL import PngImagePlugin

    still = tmp_path / "shot.png"
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "the backend")
    info.add_text("parameters", "the backend's own summary")
    Image.new("RGB", (8, 8), "red").save(still, pnginfo=info)
    stamp_generated(still, _info())
    text = read_png_text(still)
    assert text["Author"] == "the backend"
    assert text["parameters"].startswith(PROMPT)
    assert still.read_bytes().count(b"parameters\0") == 1  # replaced, not repeated


def test_restamping_a_signed_still_unsigned_drops_the_stale_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, credentials: tuple[Path, Path]
) -> None:
    still = _png(tmp_path / "shot.png")
    monkeypatch.setenv(_c2pa.ENV_CERT, str(credentials[0]))
    monkeypatch.setenv(_c2pa.ENV_KEY, str(credentials[1]))
    stamp_generated(still, _info())
    assert read_manifest(still) is not None
    monkeypatch.delenv(_c2pa.ENV_CERT)
    monkeypatch.delenv(_c2pa.ENV_KEY)
    stamp_generated(still, _info(seed=99))
    assert read_manifest(still) is None
    assert read_png_text(still)["previz:seed"] == "99"


def test_mp4_gets_tags_and_keeps_its_frames(clip: Path) -> None:
    before = _frames_md5(clip)
    info = _info(backend="diffusers-video", frames=24, fps=24.0, steps=None)
    assert stamp_generated(clip, info) is False
    tags = read_mp4_tags(clip)
    assert tags["previz:model"] == "tiny/sd-turbo"
    assert tags["previz:prompt"] == PROMPT  # newline, '=', ';', '#' and CJK survive
    assert tags["previz:seed"] == "1234"
    assert tags["previz:frames"] == "24"
    assert tags["previz:fps"] == "24"
    assert tags["previz:version"] == provenance.previz_version()
    assert tags["previz:digital_source_type"] == TRAINED_ALGORITHMIC_MEDIA
    assert "Frames: 24, FPS: 24" in tags["comment"]
    assert "AI-generated" in tags["description"]
    assert tags["minor_version"] == "512"  # read from the file, not also written as a tag
    assert _frames_md5(clip) == before
    assert read_tags(clip) == tags
    assert _folder(clip) == ["shot.mp4"]


def test_stamped_files_keep_their_permissions(tmp_path: Path) -> None:
    still = _png(tmp_path / "shot.png")
    still.chmod(0o644)
    stamp_generated(still, _info())
    assert still.stat().st_mode & 0o777 == 0o644


def test_unconfigured_status_says_no_certificate() -> None:
    status = provenance_status()
    assert status.signing is False
    assert status.message.startswith(C2PA_UNSIGNED)
    assert "no certificate configured" in status.message
    assert "PREVIZ_C2PA_CERT" in status.message


def test_generative_backends_by_name() -> None:
    assert provenance.is_generative("diffusers-image")
    assert provenance.is_generative("diffusers-video")
    assert not provenance.is_generative("sketch")


def test_not_a_png_or_mp4_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "shot.png"
    path.write_bytes(b"GIF89a not really")
    with pytest.raises(RenderError, match="not a PNG or MP4") as caught:
        stamp_generated(path, _info())
    assert caught.value.path == str(path)


# --- C2PA, signed with the throwaway certificate ---


@pytest.mark.usefixtures("signing")
def test_signed_png_manifest_declares_ai_generation(tmp_path: Path) -> None:
    still = _png(tmp_path / "shot.png")
    before = _pixels(still)
    assert stamp_generated(still, _info()) is True
    manifest = read_manifest(still)
    assert manifest is not None
    assert manifest["validation_state"] == "Valid"  # untrusted root, but intact and signed
    created = _actions(manifest)[0]
    assert created["action"] == "c2pa.created"
    assert created["digitalSourceType"] == TRAINED_ALGORITHMIC_MEDIA
    assert created["softwareAgent"] == {"name": "previz", "version": provenance.previz_version()}
    data = _assertion(manifest, ASSERTION_LABEL)
    assert data["model_id"] == "tiny/sd-turbo"
    assert data["prompt"] == PROMPT
    assert data["seed"] == 1234
    assert manifest["signature_info"]["common_name"] == "previz test signer"
    assert manifest["claim_generator_info"][0]["name"] == "previz"
    assert _pixels(still) == before
    assert read_png_text(still)["previz:seed"] == "1234"  # the tags are covered by the hash
    assert _folder(still) == ["shot.png"]


@pytest.mark.usefixtures("signing")
def test_signed_mp4_manifest_and_tags(clip: Path) -> None:
    before = _frames_md5(clip)
    assert stamp_generated(clip, _info(backend="diffusers-video", frames=24, fps=24.0)) is True
    manifest = read_manifest(clip)
    assert manifest is not None
    assert manifest["validation_state"] == "Valid"
    assert _actions(manifest)[0]["digitalSourceType"] == TRAINED_ALGORITHMIC_MEDIA
    data = _assertion(manifest, ASSERTION_LABEL)
    assert (data["model_id"], data["prompt"], data["seed"]) == ("tiny/sd-turbo", PROMPT, 1234)
    assert read_mp4_tags(clip)["previz:seed"] == "1234"
    assert _frames_md5(clip) == before


@pytest.mark.usefixtures("signing")
def test_derived_animatic_lists_its_signed_shots(tmp_path: Path, clip: Path) -> None:
    stills = [_png(tmp_path / f"{n}.png") for n in ("1-01", "1-02")]
    for n, still in enumerate(stills):
        stamp_generated(still, _info(seed=n))
    os.link(stills[0], tmp_path / "again.png")  # the same cached file under a second name
    info = DerivedInfo(backend="diffusers-image", model_id="tiny/sd-turbo", shots=3)
    assert stamp_derived(clip, [*stills, tmp_path / "again.png"], info) is True
    manifest = read_manifest(clip)
    assert manifest is not None
    assert manifest["validation_state"] == "Valid"
    actions = _actions(manifest)
    assert [a["action"] for a in actions] == ["c2pa.created", "c2pa.edited"]
    assert {a["digitalSourceType"] for a in actions} == {COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA}
    ingredients = manifest["ingredients"]
    assert [i["title"] for i in ingredients] == ["1-01.png", "1-02.png"]
    assert {i["relationship"] for i in ingredients} == {"componentOf"}
    assert all(i.get("active_manifest") for i in ingredients)  # each shot's own manifest
    tags = read_mp4_tags(clip)
    assert tags["previz:digital_source_type"] == COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA
    assert tags["previz:model"] == "tiny/sd-turbo"
    assert "Contains AI-generated media" in tags["comment"]


@pytest.mark.usefixtures("signing")
def test_configured_status_names_the_signer() -> None:
    status = provenance_status()
    assert status.signing is True
    assert status.message.startswith(C2PA_SIGNED)
    assert "previz test signer" in status.message
    assert "es256" in status.message


def test_config_file_with_relative_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, credentials: tuple[Path, Path]
) -> None:
    folder = tmp_path / "config"
    folder.mkdir()
    for source in credentials:
        shutil.copyfile(source, folder / source.name)
    toml = folder / "c2pa.toml"
    toml.write_text('cert = "chain.pem"\nkey = "key.pem"\nalg = "ES256"\n', encoding="utf-8")
    monkeypatch.setenv(_c2pa.ENV_CONFIG, str(toml))
    still = _png(tmp_path / "shot.png")
    assert stamp_generated(still, _info()) is True
    assert read_manifest(still) is not None


def test_pem_text_in_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, credentials: tuple[Path, Path]
) -> None:
    chain, key = credentials
    monkeypatch.setenv(_c2pa.ENV_CERT, chain.read_text())
    monkeypatch.setenv(_c2pa.ENV_KEY, key.read_text())
    still = _png(tmp_path / "shot.png")
    assert stamp_generated(still, _info()) is True


# --- errors leave the file as it was ---


def test_broken_key_is_a_render_error_naming_the_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, credentials: tuple[Path, Path]
) -> None:
    broken = tmp_path / "broken.pem"
    broken.write_text("-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----\n")
    monkeypatch.setenv(_c2pa.ENV_CERT, str(credentials[0]))
    monkeypatch.setenv(_c2pa.ENV_KEY, str(broken))
    still = _png(tmp_path / "shot.png")
    original = still.read_bytes()
    with pytest.raises(RenderError) as caught:
        stamp_generated(still, _info())
    message = str(caught.value)
    assert str(broken) in message
    assert "shot.png" in message
    assert "private key" in message
    assert still.read_bytes() == original
    assert _folder(still) == ["broken.pem", "shot.png"]


def test_key_of_another_certificate_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, credentials: tuple[Path, Path]
) -> None:
    other = tmp_path / "other.pem"
    other.write_bytes(_pem_key(ec.generate_private_key(ec.SECP256R1())))
    monkeypatch.setenv(_c2pa.ENV_CERT, str(credentials[0]))
    monkeypatch.setenv(_c2pa.ENV_KEY, str(other))
    still = _png(tmp_path / "shot.png")
    with pytest.raises(RenderError, match="does not match") as caught:
        stamp_generated(still, _info())
    assert caught.value.path == str(other)
    assert read_manifest(still) is None


def test_certificate_without_key_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, credentials: tuple[Path, Path]
) -> None:
    monkeypatch.setenv(_c2pa.ENV_CERT, str(credentials[0]))
    still = _png(tmp_path / "shot.png")
    with pytest.raises(RenderError, match="PREVIZ_C2PA_KEY"):
        stamp_generated(still, _info())
    assert provenance_status().signing is False


def test_missing_credential_file_names_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(_c2pa.ENV_CERT, str(tmp_path / "nowhere.pem"))
    monkeypatch.setenv(_c2pa.ENV_KEY, str(tmp_path / "nowhere-key.pem"))
    with pytest.raises(RenderError, match="cannot read the C2PA credential") as caught:
        stamp_generated(_png(tmp_path / "shot.png"), _info())
    assert caught.value.path == str(tmp_path / "nowhere.pem")


def test_unknown_algorithm_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(_c2pa.ENV_ALG, "md5")
    monkeypatch.setenv(_c2pa.ENV_CERT, "-----BEGIN CERTIFICATE-----")
    monkeypatch.setenv(_c2pa.ENV_KEY, "-----BEGIN PRIVATE KEY-----")
    with pytest.raises(RenderError, match="unknown C2PA signing algorithm 'md5'"):
        stamp_generated(_png(tmp_path / "shot.png"), _info())


@pytest.mark.usefixtures("signing")
def test_killed_while_signing_leaves_the_original(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def half_written(src: Path, dest: Path, *args: object, **kwargs: object) -> None:
        dest.write_bytes(src.read_bytes()[:100])
        raise KeyboardInterrupt  # what SIGINT raises mid-way

    monkeypatch.setattr(_c2pa, "sign", half_written)
    still = _png(tmp_path / "shot.png")
    original = still.read_bytes()
    with pytest.raises(KeyboardInterrupt):
        stamp_generated(still, _info())
    assert still.read_bytes() == original
    assert _folder(still) == ["shot.png"]


def test_killed_while_tagging_leaves_the_original(
    clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def half_written(src: Path, dest: Path, tags: dict[str, str]) -> None:
        dest.write_bytes(src.read_bytes()[:100])
        raise RuntimeError("killed")

    monkeypatch.setattr(provenance, "write_mp4_tags", half_written)
    original = clip.read_bytes()
    with pytest.raises(RuntimeError):
        stamp_generated(clip, _info())
    assert clip.read_bytes() == original
    assert _folder(clip) == ["shot.mp4"]


@pytest.mark.usefixtures("signing")
def test_without_c2pa_installed_a_configured_certificate_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "c2pa", None)  # import c2pa now raises ImportError
    still = _png(tmp_path / "shot.png")
    original = still.read_bytes()
    with pytest.raises(BackendUnavailableError, match=r"pip install 'previz\[provenance\]'"):
        stamp_generated(still, _info())
    assert still.read_bytes() == original
    assert _folder(still) == ["shot.png"]


# --- through the render cache and the pipeline ---


class _FakeGenerativeBackend:
    """A stand-in for a diffusion backend (test only): noise seeded by the shot, stamped
    the way a real backend stamps ``dest`` before the cache renames it."""

    name = "diffusers-fake"
    kind = "still"
    suffix = ".png"

    def settings(self) -> dict[str, Any]:
        return {"model": "sha256-of-the-weights"}

    def render(self, request: Any, dest: Path) -> None:
        rng = np.random.default_rng(request.shot.seed)
        pixels = rng.integers(0, 256, size=(request.height, request.width, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(dest)
        stamp_generated(
            dest,
            GenerationInfo(
                backend=self.name,
                model_id="tiny/fake-model",
                prompt=request.shot.prompt,
                negative_prompt=request.shot.negative_prompt,
                seed=request.shot.seed,
                steps=1,
                width=request.width,
                height=request.height,
            ),
        )


@pytest.fixture(scope="module")
def tiny_plan() -> Any:
    from previz.config import PrevizConfig
    from previz.pipeline import plan_script
    from screenplay.base import parse_bytes

    script = parse_bytes(TINY_FOUNTAIN.encode(), name="lighthouse.fountain")
    return plan_script(script, PrevizConfig(planner="grammar"))


def _run_generative(plan: Any, out: Path) -> tuple[Any, Any]:
    from previz.config import PrevizConfig
    from previz.pipeline import assemble
    from render.stage import render_plan

    renders = render_plan(plan, _FakeGenerativeBackend(), out, long_side=96)  # type: ignore[arg-type]
    config = PrevizConfig(planner="grammar", long_side=96, audio=False, captions=False)
    return renders, assemble(plan, renders, out, config)


@pytest.mark.usefixtures("signing")
def test_cached_stills_and_the_animatic_carry_provenance(tiny_plan: Any, tmp_path: Path) -> None:
    from rich.console import Console

    from previz.summary import run_summary

    renders, manifest = _run_generative(tiny_plan, tmp_path)
    first = renders.renders[0]
    still = tmp_path / first.path
    assert read_png_text(still)["previz:model"] == "tiny/fake-model"
    signed = read_manifest(still)
    assert signed is not None
    assert _assertion(signed, ASSERTION_LABEL)["seed"] == first.seed

    again, manifest = _run_generative(tiny_plan, tmp_path)  # every shot from the cache now
    assert all(render.cached for render in again.renders)
    assert read_manifest(tmp_path / again.renders[0].path) is not None

    animatic = read_manifest(tmp_path / "animatic.mp4")
    assert animatic is not None
    assert animatic["validation_state"] == "Valid"
    assert _actions(animatic)[0]["digitalSourceType"] == COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA
    assert len(animatic["ingredients"]) == len(tiny_plan.shots)
    assert read_mp4_tags(tmp_path / "animatic.mp4")["previz:model"] == "tiny/fake-model"
    provenance_notes = [note for note in manifest.notes if note.startswith(C2PA_SIGNED)]
    assert len(provenance_notes) == 1
    assert "animatic.mp4" in provenance_notes[0]
    from previz.deliverables import file_sha256

    assert manifest.files["animatic"].sha256 == file_sha256(tmp_path / "animatic.mp4")
    console = Console(width=200, record=True)
    console.print(run_summary(manifest, tmp_path))
    assert "Provenance C2PA: signed animatic.mp4" in console.export_text()


def test_unsigned_run_says_so_in_the_summary(tiny_plan: Any, tmp_path: Path) -> None:
    from rich.console import Console

    from previz.summary import run_summary

    _, manifest = _run_generative(tiny_plan, tmp_path)
    assert read_manifest(tmp_path / "animatic.mp4") is None
    assert read_mp4_tags(tmp_path / "animatic.mp4")["previz:digital_source_type"] == (
        COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA
    )
    console = Console(width=400, record=True)
    console.print(run_summary(manifest, tmp_path))
    assert "Provenance C2PA: not signed: no certificate configured" in console.export_text()


def test_self_signed_leaf_is_refused_with_a_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _certificate("self", None, key, key, _signer_usage())
    (tmp_path / "self.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "self.key").write_bytes(_pem_key(key))
    monkeypatch.setenv(_c2pa.ENV_CERT, str(tmp_path / "self.pem"))
    monkeypatch.setenv(_c2pa.ENV_KEY, str(tmp_path / "self.key"))
    with pytest.raises(RenderError, match="self-signed leaves are refused") as caught:
        stamp_generated(_png(tmp_path / "shot.png"), _info())
    assert caught.value.path == str(tmp_path / "self.pem")


@pytest.mark.usefixtures("signing")
def test_numpy_seeds_and_path_model_ids_are_written_plainly(tmp_path: Path) -> None:
    still = _png(tmp_path / "shot.png")
    stamp_generated(still, _info(seed=np.int64(5), model_id=tmp_path / "my-model"))  # type: ignore[arg-type]
    manifest = read_manifest(still)
    assert manifest is not None
    data = _assertion(manifest, ASSERTION_LABEL)
    assert (data["seed"], data["model_id"]) == (5, str(tmp_path / "my-model"))
