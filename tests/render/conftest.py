"""Tiny diffusion pipelines, built once per test session (importing torch and diffusers
costs seconds) and saved to folders the backends load like any user's model."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def tiny_sd(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A saved tiny Stable Diffusion pipeline (SD-Turbo's family)."""
    from tests.render.tiny_pipelines import build_tiny_sd

    return build_tiny_sd(tmp_path_factory.mktemp("models") / "tiny-sd")


@pytest.fixture(scope="session")
def tiny_ltx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A saved tiny LTX-Video pipeline."""
    from tests.render.tiny_pipelines import build_tiny_ltx

    return build_tiny_ltx(tmp_path_factory.mktemp("models") / "tiny-ltx")


@pytest.fixture(scope="session")
def tiny_ip_adapter(tmp_path_factory: pytest.TempPathFactory, tiny_sd: Path) -> str:
    """A saved random IP-Adapter for ``tiny_sd``, as ``--ip-adapter`` names it."""
    from tests.render.tiny_pipelines import build_tiny_ip_adapter

    folder = build_tiny_ip_adapter(tmp_path_factory.mktemp("models") / "tiny-ip-adapter", tiny_sd)
    return f"{folder}:models/ip-adapter_tiny.bin"
