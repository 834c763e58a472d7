"""Where the LLM planner's endpoint comes from, readable without importing langchain.

The environment wins over the config file: ``PREVIZ_LLM_BASE_URL`` (or
``OPENAI_BASE_URL``), ``PREVIZ_LLM_MODEL``, ``PREVIZ_LLM_API_KEY`` (or ``OPENAI_API_KEY``);
the file is ``$PREVIZ_LLM_CONFIG`` or ``~/.config/previz/llm.toml`` with the keys
``base_url``, ``model``, ``api_key``, ``concurrency``, ``timeout_s``, ``max_retries``.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from previz.errors import PlanError

__all__ = ["LLMConfig", "config_path", "llm_configured", "load_llm_config"]


class LLMConfig(BaseModel):
    """An OpenAI-compatible endpoint (OpenAI, Ollama, vLLM, LM Studio)."""

    model_config = ConfigDict(extra="forbid")

    base_url: str | None = None
    model: str | None = None
    api_key: str | None = Field(default=None, repr=False)
    concurrency: int = Field(4, ge=1, le=64)
    timeout_s: float = Field(120.0, gt=0)
    max_retries: int = Field(3, ge=0, le=10)


def config_path() -> Path:
    """The config file read when present."""
    if os.environ.get("PREVIZ_LLM_CONFIG"):
        return Path(os.environ["PREVIZ_LLM_CONFIG"])
    config_home = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return config_home / "previz" / "llm.toml"


def load_llm_config(path: str | Path | None = None) -> LLMConfig:
    """The endpoint settings from the config file, overridden by the environment."""
    file = Path(path) if path is not None else config_path()
    data: dict[str, object] = {}
    if file.exists():
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise PlanError(f"cannot read LLM config: {exc}", path=file) from None
    env = {
        "base_url": os.environ.get("PREVIZ_LLM_BASE_URL") or os.environ.get("OPENAI_BASE_URL"),
        "model": os.environ.get("PREVIZ_LLM_MODEL"),
        "api_key": os.environ.get("PREVIZ_LLM_API_KEY") or os.environ.get("OPENAI_API_KEY"),
    }
    data.update({key: value for key, value in env.items() if value})
    try:
        return LLMConfig.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise PlanError(f"invalid LLM config: {problems}", path=file) from None


def llm_configured() -> bool:
    """Whether an endpoint and a model are configured (so ``--planner auto`` uses the LLM)."""
    config = load_llm_config()
    return bool(config.model and (config.base_url or config.api_key))
