"""Diffusion model weights on this machine: ``previz models pull`` and ``previz models list``.

Rendering never downloads: the diffusion backends load from a folder or the local Hugging
Face cache only. ``pull`` is the one place previz goes to the network (through
``huggingface_hub.snapshot_download``), and only for the diffusers folders a known model
needs. ``list`` scans the cache (``huggingface_hub.scan_cache_dir``) and says which of the
known models are present. huggingface_hub is imported inside the functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from previz.console import console, reports_errors, require_extra
from previz.errors import PrevizError
from render._diffusers_load import DEFAULT_IMAGE_MODEL, DEFAULT_VIDEO_MODEL, KNOWN_MODELS

__all__ = ["LocalModel", "list_models", "models_app", "pull_model"]


@dataclass(frozen=True, slots=True)
class LocalModel:
    """A model known to previz or found in the local cache."""

    repo_id: str
    kind: str
    """``image``, ``video`` or ``?`` (a cached pipeline previz has no entry for)."""
    present: bool
    size_bytes: int = 0
    default: bool = False
    note: str = ""


def pull_model(model_id: str, *, revision: str | None = None) -> Path:
    """Download ``model_id`` into the local Hugging Face cache; the diffusers folders only
    for a known model (not the single-file checkpoints beside them).

    Returns:
        The snapshot folder.

    Raises:
        PrevizError: the download failed (no network, unknown repo, gated model).
    """
    require_extra("diffusion", "huggingface_hub", feature="pulling models")
    from huggingface_hub import snapshot_download

    known = KNOWN_MODELS.get(model_id)
    patterns = list(known.allow_patterns) if known is not None else None
    try:
        folder = snapshot_download(model_id, revision=revision, allow_patterns=patterns)
    except Exception as exc:  # HfHubHTTPError, offline mode, OSError: all mean "not fetched"
        raise PrevizError(f"cannot download {model_id!r}: {type(exc).__name__}: {exc}") from None
    return Path(folder)


def list_models() -> list[LocalModel]:
    """The known models (present or not) and every other cached diffusers pipeline."""
    require_extra("diffusion", "huggingface_hub", feature="listing models")
    from huggingface_hub import constants, scan_cache_dir

    cached: dict[str, tuple[int, bool]] = {}
    try:
        info = scan_cache_dir(constants.HF_HUB_CACHE)  # read now (HF_HUB_CACHE may change)
    except Exception:  # CacheNotFound: nothing pulled yet
        info = None
    if info is not None:
        for repo in info.repos:
            if repo.repo_type != "model":
                continue
            pipeline = any(
                file.file_name == "model_index.json"
                for revision in repo.revisions
                for file in revision.files
            )
            cached[repo.repo_id] = (repo.size_on_disk, pipeline)
    defaults = {DEFAULT_IMAGE_MODEL, DEFAULT_VIDEO_MODEL}
    rows = []
    for repo_id, known in KNOWN_MODELS.items():
        size, pipeline = cached.pop(repo_id, (0, False))
        present = pipeline or (known.kind == "ip-adapter" and size > 0)  # no model_index.json
        rows.append(LocalModel(repo_id, known.kind, present, size, repo_id in defaults, known.note))
    for repo_id, (size, pipeline) in sorted(cached.items()):
        if pipeline:
            rows.append(LocalModel(repo_id, "?", True, size))
    return rows


models_app = typer.Typer(
    help="Diffusion model weights: pull them once, render offline.", no_args_is_help=True
)


@models_app.command("pull")
@reports_errors
def pull(
    model: Annotated[str, typer.Argument(help="Hub id, e.g. stabilityai/sd-turbo.")],
    revision: Annotated[
        str | None, typer.Option("--revision", help="Branch, tag or commit.")
    ] = None,
) -> None:
    """Download a model into the local Hugging Face cache (the only command that downloads)."""
    folder = pull_model(model, revision=revision)
    console.print(Text.assemble(("pulled ", "green"), f"{model} → {folder}"))


@models_app.command("list")
@reports_errors
def list_() -> None:
    """Show the known models and the diffusers pipelines in the local cache."""
    rows = list_models()
    table = Table("model", "kind", "present", "size", "note")
    for row in rows:
        name = f"{row.repo_id} (default)" if row.default else row.repo_id
        size = f"{row.size_bytes / 1e9:.1f} GB" if row.present else ""
        present = "[green]yes[/]" if row.present else "[yellow]no[/]"
        table.add_row(name, row.kind, present, size, row.note)
    console.print(table)
    missing = [row.repo_id for row in rows if row.default and not row.present]
    if missing:
        console.print(
            "pull a default with: " + "; ".join(f"previz models pull {m}" for m in missing)
        )
