"""One request to the LLM planner's model, and its reply read strictly but not yet checked.

The model is a langchain chat model, asked through ``with_structured_output``, or a plain
function standing in for one. Either way an :class:`Ask` returns a :class:`Reply`: the text
as written (to quote back in a repair request), the parsed data or why it could not be
parsed, and the token usage.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel

from screenplay.model import Scene
from shots._llm_schema import SCHEMA_NAME, SceneShots, scene_schema
from shots.model import Shot

__all__ = [
    "CUT_OFF",
    "Ask",
    "Reply",
    "SceneFunction",
    "SceneRequest",
    "StructuredMethod",
    "chat_model_asker",
    "function_asker",
]

StructuredMethod = Literal["json_schema", "function_calling", "json_mode"]
"""How structured output is asked for."""

CUT_OFF = "the answer was cut off at the token limit; make it shorter"


@dataclass(slots=True)
class SceneRequest:
    """What an injected planning function receives for one request."""

    scene: Scene
    draft: list[Shot]
    """The grammar planner's shots for the scene."""
    messages: list[dict[str, str]]
    """The chat messages (``role``, ``content``) an endpoint would receive."""
    attempt: int = 0
    """0 for the first request, 1 for the repair request."""


SceneFunction = Callable[[SceneRequest], "SceneShots | Mapping[str, Any] | str | Awaitable[Any]"]
"""A stand-in for a chat model: returns the scene's answer (or awaits to)."""


@dataclass(slots=True)
class Reply:
    """What came back from one request, before checking."""

    text: str
    """The answer as the model wrote it (quoted back in a repair request)."""
    data: Any = None
    error: str | None = None
    """Why the answer could not be read as JSON, if it could not."""
    usage: dict[str, int] = field(default_factory=dict)


class Ask(Protocol):
    """Sends ``messages`` for ``request`` and returns the reply."""

    async def __call__(self, messages: list[dict[str, str]], request: SceneRequest) -> Reply: ...


_FENCE_RE = re.compile(r"^\s*```(?:json)?\s*\n(.*)\n\s*```\s*$", re.DOTALL)


def _read_json(text: str) -> tuple[Any, str | None]:
    """``(data, None)``, or ``(None, why not)``; one surrounding code fence is allowed."""
    match = _FENCE_RE.match(text)
    body = match.group(1) if match else text
    if not body.strip():
        return None, "the answer is empty"
    try:
        return json.loads(body), None
    except json.JSONDecodeError as exc:
        return None, f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"


def _lc_messages(messages: list[dict[str, str]]) -> list[BaseMessage]:
    kinds = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
    return [kinds[message["role"]](content=message["content"]) for message in messages]


def _message_text(message: BaseMessage) -> str:
    calls = getattr(message, "tool_calls", None) or []
    if calls:
        return json.dumps(calls[0].get("args", {}), ensure_ascii=False)
    invalid = getattr(message, "invalid_tool_calls", None) or []
    if invalid:
        return str(invalid[0].get("args") or "")
    content = message.content
    if isinstance(content, str):
        return content
    return "".join(part if isinstance(part, str) else str(part.get("text", "")) for part in content)


def _usage(message: BaseMessage) -> dict[str, int]:
    meta = getattr(message, "usage_metadata", None) or {}
    usage = {
        "prompt_tokens": int(meta.get("input_tokens") or 0),
        "completion_tokens": int(meta.get("output_tokens") or 0),
        "total_tokens": int(meta.get("total_tokens") or 0),
    }
    cached = (meta.get("input_token_details") or {}).get("cache_read")
    if cached:
        usage["cached_prompt_tokens"] = int(cached)
    return usage


def chat_model_asker(model: BaseChatModel, method: StructuredMethod) -> Ask:
    """Ask through ``with_structured_output``; the checking stays ours.

    The schema goes in as a JSON-schema dict rather than the pydantic class, so the OpenAI
    client does not validate the answer itself: a bad answer comes back as text we can quote
    in the repair request, and its token usage is still counted.
    """
    schema = scene_schema()
    if method == "json_schema":
        spec: dict[str, Any] = {"name": SCHEMA_NAME, "schema": schema, "strict": True}
    else:
        spec = {**schema, "title": SCHEMA_NAME}
    structured = model.with_structured_output(spec, method=method, include_raw=True)

    async def ask(messages: list[dict[str, str]], request: SceneRequest) -> Reply:
        out = await structured.ainvoke(_lc_messages(messages))
        raw: BaseMessage = out["raw"]
        reply = Reply(text=_message_text(raw), usage=_usage(raw))
        if (raw.response_metadata or {}).get("finish_reason") == "length":
            reply.error = CUT_OFF
        elif method != "function_calling":
            # langchain's JSON parser completes a truncated answer; read it strictly instead.
            reply.data, reply.error = _read_json(reply.text)
        elif out.get("parsing_error") is not None:
            reply.error = f"not valid JSON: {str(out['parsing_error']).splitlines()[0]}"
        elif getattr(raw, "invalid_tool_calls", None):
            _, problem = _read_json(str(raw.invalid_tool_calls[0].get("args") or ""))
            reply.error = f"the tool call's arguments are {problem or 'unreadable'}"
        elif out.get("parsed") is None:
            reply.error = f"no {SCHEMA_NAME} tool call in the answer"
        else:
            reply.data = out["parsed"]
        return reply

    return ask


def function_asker(function: SceneFunction) -> Ask:
    """Ask a stand-in function; it may return a model, a mapping or JSON text, or await."""

    async def ask(messages: list[dict[str, str]], request: SceneRequest) -> Reply:
        request.messages = messages
        result = function(request)
        if inspect.isawaitable(result):
            result = await result
        if isinstance(result, BaseModel):
            return Reply(text=result.model_dump_json(), data=result.model_dump())
        if isinstance(result, Mapping):
            return Reply(text=json.dumps(result, ensure_ascii=False), data=dict(result))
        text = str(result)
        data, error = _read_json(text)
        return Reply(text=text, data=data, error=error)

    return ask
