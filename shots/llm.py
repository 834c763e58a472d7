"""The LLM shot planner: any OpenAI-compatible chat endpoint refines the film-grammar draft.

One request per scene, run concurrently under a bound. Each request carries the scene's
elements (numbered), the character bible and the grammar planner's draft for the scene, so
the model refines a plan rather than inventing one. The answer is a :class:`SceneShots`
(structured output through ``langchain-openai``), checked against the scene: every screen
element covered, no index outside the scene. A bad answer gets one repair request that
quotes the problem; a second bad answer, or an endpoint that never answers, leaves that scene
to the grammar draft and records a warning in the plan.

Answers that pass are kept on disk, one JSON file per scene request, keyed by a sha256 of
the endpoint, the model, the request messages and the schema, so a run that was killed picks
up where it stopped and a re-run costs no tokens.

This module imports langchain and openai; the registry loads it only when the ``llm``
planner is asked for.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import hashlib
import inspect
import itertools
import json
import logging
import os
import random
import re
import tempfile
import time
import urllib.parse
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal, Protocol

import httpx
import openai
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from previz.errors import PlanError, PlannerOutputError
from screenplay.model import SCREEN_KINDS, Dialogue, Scene, Script
from shots._beats import split_sentences
from shots.base import build_bible, finish_plan
from shots.llm_config import LLMConfig, config_path, load_llm_config
from shots.model import (
    ANGLES,
    MOVEMENTS,
    SIZES,
    TRANSITIONS,
    Angle,
    CharacterRef,
    DialogueLine,
    Movement,
    PlannerInfo,
    Shot,
    ShotPlan,
    Size,
    Style,
    TransitionIn,
)
from shots.prompts import SIZE_WORDS

__all__ = [
    "PROMPT_VERSION",
    "SYSTEM_PROMPT",
    "LLMPlanner",
    "LLMShot",
    "SceneRequest",
    "SceneShots",
    "cache_key",
    "check_answer",
    "default_cache_dir",
    "scene_message",
    "to_shots",
]

logger = logging.getLogger(__name__)

PROMPT_VERSION = "1"
"""Bumped when the prompts or the schema change in a way that should invalidate caches."""

StructuredMethod = Literal["json_schema", "function_calling", "json_mode"]


# --- the answer schema ---------------------------------------------------------------


class LLMShot(BaseModel):
    """One shot of the scene, in the vocabulary of the shot plan."""

    model_config = ConfigDict(extra="forbid")

    size: Size = Field(
        description="Shot size, widest to tightest: EWS, WS, FS, MS, MCU, CU, ECU; "
        "INSERT for a detail of an object."
    )
    angle: Angle = Field(description="Camera angle.")
    movement: Movement = Field(description="Camera movement.")
    lens_mm: int = Field(ge=8, le=600, description="Focal length in mm, full-frame equivalent.")
    duration_s: float = Field(gt=0, le=600, description="Seconds on screen.")
    subjects: list[str] = Field(
        description="Canonical names (from the character list) of the characters in frame."
    )
    covers: list[int] = Field(
        description="Indices of the scene elements this shot shows (action, dialogue, ...)."
    )
    description: str = Field(description="What we see, in one or two concrete sentences.")
    on_screen_text: str | None = Field(
        description="Text shown in frame (a title card, a SUPER), or null."
    )
    transition: TransitionIn = Field(description="How the shot begins: the cut into it.")
    notes: str = Field(description="Why this framing, for the director; may be empty.")


class SceneShots(BaseModel):
    """The shots of one scene, in screen order."""

    model_config = ConfigDict(extra="forbid")

    shots: list[LLMShot] = Field(min_length=1)


SCHEMA_NAME = "SceneShots"


def _scene_schema() -> dict[str, Any]:
    return SceneShots.model_json_schema()


# --- prompts -------------------------------------------------------------------------

_SIZE_LIST = ", ".join(f"{size} ({SIZE_WORDS[size].split(',')[0]})" for size in SIZES)

SYSTEM_PROMPT = f"""\
You are a storyboard artist and first assistant director breaking a screenplay scene into \
shots for a previsualisation. You receive one scene: its numbered elements, the characters \
and a draft shot list made by a rule-based film-grammar planner. Refine the draft: keep what \
works, fix what reads wrong, merge or split shots where the drama calls for it. Do not invent \
story that is not in the scene.

Vocabulary (use these exact words):
- size: {_SIZE_LIST}
- angle: {", ".join(ANGLES)}
- movement: {", ".join(MOVEMENTS)}
- transition (how a shot begins): {", ".join(TRANSITIONS)}

Rules:
1. Honour every explicit shot direction in the scene (elements of kind "shot", and camera \
words in action such as CLOSE ON, ANGLE ON, POV, INSERT): the shot covering it uses that \
framing.
2. Cover every element index listed under "Cover" at least once, and cover no other index. \
"covers" lists the indices a shot shows, in script order; shots follow script order.
3. Dialogue marked V.O., O.S. or O.C. is heard, not seen: never frame the speaker talking; \
show the listener or the action instead, and leave the speaker out of "subjects".
4. Durations come from the text: speech at about 2.5 words a second plus half a second, \
action at about the time it takes to read it aloud, never under one second.
5. "subjects" uses the canonical names from the character list, upper case; empty when no \
character is in frame.
6. "description" says what we see in one or two concrete, visual sentences: who, where, \
doing what, in what light. No camera jargon there; that belongs in the other fields.
7. A speech covered by several shots (a cut to the listener mid-speech) is shared between \
them in order, sentence by sentence.
8. A transition element (CUT TO:, DISSOLVE TO:) is not a shot: it sets how the next shot \
begins. The first shot of a scene begins with a cut unless the script says otherwise.

Answer with the JSON object for the whole scene and nothing else."""

REPAIR_PROMPT = """\
Your answer was rejected: {problem}

Answer again with the whole corrected JSON object for scene {scene_id}, and nothing else."""

_MAX_QUOTE = 4000
"""Longest answer quoted back in a repair request."""


def _element_line(index: int, element: Any) -> str:
    text = " ".join(element.text.split())
    if isinstance(element, Dialogue):
        who = element.character + (f" ({element.extension})" if element.extension else "")
        aside = f" ({element.parenthetical})" if element.parenthetical else ""
        return f"[{index}] dialogue, {who}{aside}: {text}"
    if element.kind == "transition":
        return f"[{index}] transition (not a shot; sets how the next shot begins): {text}"
    return f"[{index}] {element.kind}: {text}"


def _draft_json(draft: Sequence[Shot]) -> str:
    shots = [
        LLMShot.model_construct(
            size=shot.size,
            angle=shot.angle,
            movement=shot.movement,
            lens_mm=shot.lens_mm,
            duration_s=round(shot.duration_s, 2),
            subjects=list(shot.subjects),
            covers=list(shot.covers),
            description=shot.description,
            on_screen_text=shot.on_screen_text,
            transition=shot.transition,
            notes=shot.notes,
        ).model_dump(mode="json")
        for shot in draft
    ]
    return json.dumps({"shots": shots}, ensure_ascii=False, indent=1)


def scene_message(
    scene: Scene, draft: Sequence[Shot], bible: Sequence[CharacterRef], cover: Sequence[int]
) -> str:
    """The user message for one scene: heading, elements, characters, what to cover, draft."""
    lines = [f"Scene id: {scene.id}", f"Scene number: {scene.number}"]
    lines.append(f"Heading: {scene.heading or '(opening, no heading)'}")
    setting = ", ".join(part for part in (scene.int_ext, scene.location, scene.time_of_day) if part)
    if setting:
        lines.append(f"Setting: {setting}")
    names = {name for shot in draft for name in shot.subjects}
    names.update(scene.characters)
    people = [ref for ref in bible if ref.name in names]
    if people:
        lines.append("")
        lines.append("Characters:")
        lines.extend(f"- {ref.name}: {ref.description or 'no description'}" for ref in people)
    lines.append("")
    lines.append("Elements:")
    lines.extend(
        _element_line(index, element)
        for index, element in enumerate(scene.elements)
        if element.kind in SCREEN_KINDS or element.kind == "transition"
    )
    lines.append("")
    lines.append(f"Cover: {', '.join(map(str, cover))}")
    lines.append("")
    lines.append("Draft (JSON):")
    lines.append(_draft_json(draft))
    return "\n".join(lines)


# --- checking and converting answers ------------------------------------------------


def _summarise_validation(exc: ValidationError, limit: int = 6) -> str:
    problems = []
    for error in exc.errors()[:limit]:
        where = ".".join(str(part) for part in error["loc"]) or "answer"
        problems.append(f"{where}: {error['msg']}")
    more = f" (and {exc.error_count() - limit} more)" if exc.error_count() > limit else ""
    return "; ".join(problems) + more


def _screen_indices(scene: Scene) -> list[int]:
    return [i for i, element in enumerate(scene.elements) if element.kind in SCREEN_KINDS]


def _ranges(indices: Sequence[int]) -> str:
    return ", ".join(map(str, indices)) or "none"


def check_answer(scene: Scene, data: Any, *, allowed: set[int]) -> SceneShots:
    """Validate an answer for ``scene``: the schema, then coverage.

    Args:
        scene: the scene asked about.
        data: the parsed answer (a mapping), or a :class:`SceneShots`.
        allowed: element indices a shot may cover (the screen elements, plus any index the
            draft covered).

    Raises:
        PlannerOutputError: the message says what was expected and what came back.
    """
    try:
        answer = SceneShots.model_validate(
            data.model_dump() if isinstance(data, BaseModel) else data
        )
    except ValidationError as exc:
        raise PlannerOutputError(
            f"does not match the SceneShots schema: {_summarise_validation(exc)}"
        ) from None
    problems = []
    for number, shot in enumerate(answer.shots, 1):
        stray = sorted(set(shot.covers) - allowed)
        if stray:
            problems.append(
                f"shot {number} covers {_ranges(stray)}, which "
                f"{'is not an element' if len(stray) == 1 else 'are not elements'} to cover "
                f"(allowed: {_ranges(sorted(allowed))})"
            )
    covered = {index for shot in answer.shots for index in shot.covers}
    missing = [index for index in _screen_indices(scene) if index not in covered]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        problems.append(f"no shot covers element{plural} {_ranges(missing)}")
    if problems:
        raise PlannerOutputError("; ".join(problems))
    return answer


def _canonical(script: Script, name: str) -> str:
    character = script.character(name.strip())
    return character.name if character else name.strip().upper()


def _shared_lines(scene: Scene, answer: SceneShots) -> list[list[DialogueLine]]:
    """Each shot's lines: a speech covered by several shots is split between them, in
    order, at sentence boundaries, so no line is heard twice."""
    lines: list[list[DialogueLine]] = [[] for _ in answer.shots]
    takers: dict[int, list[int]] = {}
    for number, item in enumerate(answer.shots):
        for index in sorted(set(item.covers)):
            if isinstance(scene.elements[index], Dialogue):
                takers.setdefault(index, []).append(number)
    for index in sorted(takers):
        element = scene.elements[index]
        assert isinstance(element, Dialogue)
        shots = takers[index]
        sentences = split_sentences(element.text) if len(shots) > 1 else []
        if len(sentences) < 2:
            pieces = [" ".join(element.text.split())]
        else:
            count = len(sentences)
            bounds = [round(i * count / len(shots)) for i in range(len(shots) + 1)]
            pieces = [" ".join(sentences[a:b]) for a, b in itertools.pairwise(bounds)]
        for order, (number, piece) in enumerate(zip(shots, pieces, strict=False)):
            if piece:
                lines[number].append(
                    DialogueLine(
                        character=element.character,
                        text=piece,
                        extension=element.extension,
                        parenthetical=element.parenthetical if order == 0 else None,
                    )
                )
    return lines


def to_shots(script: Script, scene: Scene, answer: SceneShots) -> list[Shot]:
    """The plan's shots for ``scene`` from a checked answer (ids are assigned later)."""
    shots = []
    for item, dialogue in zip(answer.shots, _shared_lines(scene, answer), strict=True):
        covers = sorted(set(item.covers))
        elements = [scene.elements[i] for i in covers]
        first = next((element for element in elements if element.line is not None), None)
        subjects = list(dict.fromkeys(_canonical(script, name) for name in item.subjects))
        shots.append(
            Shot(
                id=f"{scene.number}-00",
                scene_id=scene.id,
                scene_number=scene.number,
                size=item.size,
                angle=item.angle,
                movement=item.movement,
                lens_mm=item.lens_mm,
                duration_s=item.duration_s,
                subjects=subjects,
                covers=covers,
                dialogue=dialogue,
                description=item.description.strip(),
                on_screen_text=item.on_screen_text or None,
                transition=item.transition,
                notes=item.notes.strip(),
                location=scene.location,
                int_ext=scene.int_ext,
                time_of_day=scene.time_of_day,
                source_line=first.line if first else scene.line,
                page=(elements[0].page if elements and elements[0].page else scene.page),
            )
        )
    return shots


# --- talking to the model -------------------------------------------------------------


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
class _Reply:
    """What came back from one request, before checking."""

    text: str
    """The answer as the model wrote it (quoted back in a repair request)."""
    data: Any = None
    error: str | None = None
    """Why the answer could not be read as JSON, if it could not."""
    usage: dict[str, int] = field(default_factory=dict)


class _Ask(Protocol):
    async def __call__(self, messages: list[dict[str, str]], request: SceneRequest) -> _Reply: ...


class _Unanswered(Exception):
    """A request got no usable reply (transport failures, a rejected request)."""


RETRYABLE = (
    openai.RateLimitError,
    openai.APIConnectionError,  # includes APITimeoutError
    openai.InternalServerError,
    TimeoutError,
    ConnectionError,
)
FATAL_STATUS = {401: "refused the API key", 403: "refused access", 404: "does not serve it"}


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


def _chat_model_asker(model: BaseChatModel, method: StructuredMethod) -> _Ask:
    """Ask through ``with_structured_output``; the checking stays ours.

    The schema goes in as a JSON-schema dict rather than the pydantic class, so the OpenAI
    client does not validate the answer itself: a bad answer comes back as text we can quote
    in the repair request, and its token usage is still counted.
    """
    schema = _scene_schema()
    if method == "json_schema":
        spec: dict[str, Any] = {"name": SCHEMA_NAME, "schema": schema, "strict": True}
    else:
        spec = {**schema, "title": SCHEMA_NAME}
    structured = model.with_structured_output(spec, method=method, include_raw=True)

    async def ask(messages: list[dict[str, str]], request: SceneRequest) -> _Reply:
        out = await structured.ainvoke(_lc_messages(messages))
        raw: BaseMessage = out["raw"]
        reply = _Reply(text=_message_text(raw), usage=_usage(raw))
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


def _function_asker(function: SceneFunction) -> _Ask:
    async def ask(messages: list[dict[str, str]], request: SceneRequest) -> _Reply:
        request.messages = messages
        result = function(request)
        if inspect.isawaitable(result):
            result = await result
        if isinstance(result, BaseModel):
            return _Reply(text=result.model_dump_json(), data=result.model_dump())
        if isinstance(result, Mapping):
            return _Reply(text=json.dumps(result, ensure_ascii=False), data=dict(result))
        text = str(result)
        data, error = _read_json(text)
        return _Reply(text=text, data=data, error=error)

    return ask


CUT_OFF = "the answer was cut off at the token limit; make it shorter"


def _bad_completion(run: _Run, exc: openai.OpenAIError) -> _Reply:
    """The reply for a completion the OpenAI client refused to parse, its usage counted."""
    completion = getattr(exc, "completion", None)
    usage = getattr(completion, "usage", None)
    if usage is not None:
        run.usage.update(
            prompt_tokens=usage.prompt_tokens or 0,
            completion_tokens=usage.completion_tokens or 0,
            total_tokens=usage.total_tokens or 0,
        )
    text = ""
    with contextlib.suppress(AttributeError, IndexError, TypeError):
        text = completion.choices[0].message.content or ""  # type: ignore[union-attr]
    if isinstance(exc, openai.LengthFinishReasonError):
        return _Reply(text=text, error=CUT_OFF)
    return _Reply(text=text, error=f"{type(exc).__name__}: {exc}")


def _retry_after(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    with contextlib.suppress(TypeError, ValueError):
        if headers.get("retry-after-ms") is not None:
            return float(headers["retry-after-ms"]) / 1000
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        when = email.utils.parsedate_to_datetime(value) if value else None
        return max(0.0, when.timestamp() - time.time()) if when else None


def _public_url(url: str) -> str:
    """``url`` without user info or query, where a key could hide (``?api-key=``)."""
    parts = urllib.parse.urlsplit(url)
    if not parts.netloc:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, "", ""))


# --- the response cache --------------------------------------------------------------


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/previz/llm``, else ``~/.cache/previz/llm``."""
    cache_home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache_home / "previz" / "llm"


def cache_key(base_url: str, model: str, method: str, messages: list[dict[str, str]]) -> str:
    """sha256 of everything that decides the answer: endpoint, model, request, schema."""
    material = {
        "base_url": base_url,
        "model": model,
        "method": method,
        "messages": messages,
        "schema": _scene_schema(),
    }
    blob = json.dumps(material, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


class _ResponseCache:
    """One JSON file per scene request, written through a temporary file and a rename."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        return self.root / f"{key}.json"

    def read(self, key: str) -> dict[str, Any] | None:
        try:
            data = json.loads(self.path(key).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            logger.warning("ignoring unreadable LLM cache entry %s: %s", self.path(key), exc)
            return None
        return data if isinstance(data, dict) else None

    def write(self, key: str, entry: dict[str, Any]) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{key[:16]}.", suffix=".tmp", dir=self.root)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    json.dump(entry, handle, ensure_ascii=False, indent=1)
                os.replace(tmp, self.path(key))
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            logger.warning("cannot write LLM cache entry in %s: %s", self.root, exc)


# --- the planner ---------------------------------------------------------------------


class _Drafter(Protocol):
    def plan_scene(self, script: Script, scene: Scene) -> list[Shot]: ...


@dataclass(slots=True)
class _Run:
    """State shared by the scene tasks of one plan."""

    script: Script
    bible: list[CharacterRef]
    ask: _Ask
    semaphore: asyncio.Semaphore
    cache: _ResponseCache | None
    usage: Counter[str] = field(default_factory=Counter)
    answered: int = 0
    """Requests that got an answer (valid or not) in this run."""
    in_flight: int = 0
    """Requests sent and not yet answered or failed."""
    unanswered: list[str] = field(default_factory=list)
    """Why each scene that got no answer at all got none."""
    advance: Callable[[], None] = lambda: None


@dataclass(slots=True)
class _SceneResult:
    shots: list[Shot]
    warning: str | None = None


class LLMPlanner:
    """Plans each scene with a chat model, starting from the film-grammar planner's draft.

    Args:
        chat_model: a langchain chat model, or a function ``(SceneRequest) -> SceneShots``
            (a mapping or JSON text will do; it may be async) standing in for one. ``None``
            builds a ``ChatOpenAI`` from ``config`` for each run.
        config: an :class:`~shots.llm_config.LLMConfig`, or the path of an ``llm.toml``;
            ``None`` reads the environment and ``~/.config/previz/llm.toml``.
        concurrency: requests in flight at once (default: the config's, 4).
        cache_dir: where answers are kept; ``None`` means ``~/.cache/previz/llm`` for an
            endpoint, and no cache for a stand-in function.
        cache: ``False`` turns the response cache off.
        progress: show a progress bar over scenes on stderr.
        method: how structured output is asked for: ``json_schema`` (OpenAI structured
            outputs, vLLM, Ollama, LM Studio), ``function_calling`` or ``json_mode``.
        backoff_s: first wait before retrying a failed request; doubles each retry.
        max_backoff_s: longest wait, also the cap on a server's ``retry-after``.
        drafter: the planner whose per-scene draft the model refines (default:
            :class:`~shots.grammar.GrammarPlanner`).

    Raises:
        PlanError: no model given and none configured.
    """

    name: ClassVar[str] = "llm"

    def __init__(
        self,
        chat_model: BaseChatModel | SceneFunction | None = None,
        *,
        config: LLMConfig | str | Path | None = None,
        concurrency: int | None = None,
        cache_dir: str | Path | None = None,
        cache: bool = True,
        progress: bool = True,
        method: StructuredMethod = "json_schema",
        backoff_s: float = 1.0,
        max_backoff_s: float = 30.0,
        drafter: _Drafter | None = None,
    ) -> None:
        self.config = config if isinstance(config, LLMConfig) else load_llm_config(config)
        if chat_model is None and not (
            self.config.model and (self.config.base_url or self.config.api_key)
        ):
            raise PlanError(
                "no LLM endpoint configured: set PREVIZ_LLM_MODEL and PREVIZ_LLM_BASE_URL "
                "(or OPENAI_BASE_URL; an Ollama, vLLM or LM Studio server's /v1 URL), plus "
                "PREVIZ_LLM_API_KEY (or OPENAI_API_KEY) where the server needs a key; or write "
                f"base_url, model and api_key to {config_path()}"
            )
        self.chat_model = chat_model
        self.concurrency = concurrency or self.config.concurrency
        if self.concurrency < 1:
            raise PlanError(f"concurrency must be at least 1, got {self.concurrency}")
        self.method: StructuredMethod = method
        self.progress = progress
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self.max_retries = self.config.max_retries
        self.drafter = drafter
        self.base_url, self.model = self._identity()
        self.endpoint = _public_url(self.base_url)
        """The base URL as shown in settings and messages: no user info, no query."""
        is_function = chat_model is not None and not isinstance(chat_model, BaseChatModel)
        if not cache or (cache_dir is None and is_function):
            self.cache_dir: Path | None = None
        else:
            self.cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()

    def _identity(self) -> tuple[str, str]:
        """``(base_url, model)``: what the cache key and the plan's settings name."""
        model = self.chat_model
        if model is None:
            return self.config.base_url or "https://api.openai.com/v1", self.config.model or ""
        if isinstance(model, BaseChatModel):
            base_url = getattr(model, "openai_api_base", None) or self.config.base_url or ""
            name = getattr(model, "model_name", None) or getattr(model, "model", None)
            return str(base_url), str(name or type(model).__name__)
        qualname = getattr(model, "__qualname__", type(model).__qualname__)
        return "", f"function:{getattr(model, '__module__', '')}.{qualname}"

    # -- public -------------------------------------------------------------------------

    def plan(
        self, script: Script, *, style: Style, target_duration_s: float | None = None
    ) -> ShotPlan:
        """Plan every scene of ``script`` (blocking; see :meth:`aplan`).

        Args:
            script: the parsed script.
            style: the plan's style preset.
            target_duration_s: scale the finished plan to this many seconds.

        Returns:
            The plan; ``planner.usage`` holds the run's token counts and request tallies,
            ``warnings`` every scene that fell back to the grammar draft and why.

        Raises:
            PlanError: the endpoint refused the key or the model, or never answered at all.
        """
        return asyncio.run(self.aplan(script, style=style, target_duration_s=target_duration_s))

    async def aplan(
        self, script: Script, *, style: Style, target_duration_s: float | None = None
    ) -> ShotPlan:
        """:meth:`plan` for callers already inside an event loop."""
        drafter = self.drafter
        if drafter is None:
            from shots.grammar import GrammarPlanner

            drafter = GrammarPlanner()
        drafts = [drafter.plan_scene(script, scene) for scene in script.scenes]
        async with contextlib.AsyncExitStack() as stack:
            ask = await self._asker(stack)
            run = _Run(
                script=script,
                bible=build_bible(script),
                ask=ask,
                semaphore=asyncio.Semaphore(self.concurrency),
                cache=_ResponseCache(self.cache_dir) if self.cache_dir else None,
            )
            results = await self._plan_scenes(run, drafts)
        if self._dead(run):
            raise self._dead_error(run)
        shots = [shot for result in results for shot in result.shots]
        warnings = [result.warning for result in results if result.warning]
        usage = {
            key: run.usage.get(key, 0)
            for key in (
                "prompt_tokens", "completion_tokens", "total_tokens", "requests", "cached",
                "retries", "repairs", "fallbacks",
            )
        }  # fmt: skip
        if run.usage.get("cached_prompt_tokens"):
            usage["cached_prompt_tokens"] = run.usage["cached_prompt_tokens"]
        info = PlannerInfo(
            name=self.name,
            version=PROMPT_VERSION,
            settings={
                "model": self.model,
                "base_url": self.endpoint,
                "concurrency": self.concurrency,
                "method": self.method,
            },
            usage=usage,
        )
        return finish_plan(
            script,
            shots,
            style=style,
            planner=info,
            target_duration_s=target_duration_s,
            warnings=warnings,
        )

    # -- internals ----------------------------------------------------------------------

    async def _asker(self, stack: contextlib.AsyncExitStack) -> _Ask:
        if self.chat_model is None:
            from langchain_openai import ChatOpenAI

            # A client per run: a pooled client must not outlive the event loop it ran on.
            http = await stack.enter_async_context(
                httpx.AsyncClient(
                    limits=httpx.Limits(max_connections=self.concurrency * 2),
                    timeout=self.config.timeout_s,
                )
            )
            model = ChatOpenAI(
                model=self.config.model,
                base_url=self.config.base_url,
                api_key=self.config.api_key or "not-needed",
                timeout=self.config.timeout_s,
                max_retries=0,  # retried here, with our backoff and tallies
                http_async_client=http,
            )
            return _chat_model_asker(model, self.method)
        if isinstance(self.chat_model, BaseChatModel):
            return _chat_model_asker(self.chat_model, self.method)
        return _function_asker(self.chat_model)

    async def _plan_scenes(self, run: _Run, drafts: list[list[Shot]]) -> list[_SceneResult]:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        scenes = run.script.scenes
        results: list[_SceneResult | None] = [None] * len(scenes)
        with Progress(
            TextColumn("[bold]planning scenes[/] ({task.fields[model]})"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            disable=not self.progress,
            transient=True,
        ) as progress:
            task = progress.add_task("plan", total=len(scenes), model=self.model)
            run.advance = lambda: progress.advance(task)

            async def one(i: int) -> None:
                results[i] = await self._plan_scene(run, scenes[i], drafts[i])
                run.advance()

            try:
                async with asyncio.TaskGroup() as group:
                    for i in range(len(scenes)):
                        group.create_task(one(i))
            except BaseExceptionGroup as group:
                # The first real failure (a refused key, an unreachable endpoint) is the
                # story; scenes already answered are in the cache.
                raise group.exceptions[0] from None
        return [result for result in results if result is not None]

    async def _plan_scene(self, run: _Run, scene: Scene, draft: list[Shot]) -> _SceneResult:
        cover = _screen_indices(scene)
        if not cover:
            return _SceneResult(draft)
        allowed = set(cover) | {index for shot in draft for index in shot.covers}
        messages = [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": scene_message(scene, draft, run.bible, cover)},
        ]
        if self.method == "json_mode":
            messages[0]["content"] += "\n\nJSON schema of the answer:\n" + json.dumps(
                _scene_schema()
            )
        key = cache_key(self.endpoint, self.model, self.method, messages)
        if run.cache is not None:
            entry = run.cache.read(key)
            if entry is not None:
                try:
                    answer = check_answer(scene, entry.get("answer"), allowed=allowed)
                except PlannerOutputError as exc:
                    logger.warning("ignoring LLM cache entry for %s: %s", scene.id, exc)
                else:
                    run.usage["cached"] += 1
                    return _SceneResult(to_shots(run.script, scene, answer))

        request = SceneRequest(scene=scene, draft=draft, messages=messages)
        where = f"scene {scene.number} ({scene.id}, {scene.heading or 'opening'})"
        async with run.semaphore:
            try:
                answer = await self._ask_checked(run, request, messages, allowed)
            except _Unanswered as exc:
                run.unanswered.append(str(exc))
                if self._dead(run):
                    # Nothing has answered and nothing is on its way: stop now rather than
                    # wait out every scene's retries against an endpoint that is down.
                    raise self._dead_error(run) from None
                run.usage["fallbacks"] += 1
                return _SceneResult(
                    draft, f"{where}: {exc}; used the grammar planner's shots instead"
                )
            except PlannerOutputError as exc:
                run.usage["fallbacks"] += 1
                return _SceneResult(
                    draft,
                    f"{where}: the LLM's answer was rejected twice ({exc}); "
                    "used the grammar planner's shots instead",
                )
        if run.cache is not None:
            run.cache.write(
                key,
                {
                    "previz": f"llm-cache.{PROMPT_VERSION}",
                    "scene_id": scene.id,
                    "base_url": self.endpoint,
                    "model": self.model,
                    "answer": answer.model_dump(mode="json"),
                },
            )
        return _SceneResult(to_shots(run.script, scene, answer))

    async def _ask_checked(
        self,
        run: _Run,
        request: SceneRequest,
        messages: list[dict[str, str]],
        allowed: set[int],
    ) -> SceneShots:
        """Ask, check, and on a bad answer ask once more quoting the problem."""
        reply = await self._ask_retrying(run, request, messages)
        try:
            return self._check(request.scene, reply, allowed)
        except PlannerOutputError as exc:
            first_problem = exc.message
        run.usage["repairs"] += 1
        repair = [
            *messages,
            {"role": "assistant", "content": reply.text[:_MAX_QUOTE] or "(empty)"},
            {
                "role": "user",
                "content": REPAIR_PROMPT.format(problem=first_problem, scene_id=request.scene.id),
            },
        ]
        request.attempt = 1
        reply = await self._ask_retrying(run, request, repair)
        try:
            return self._check(request.scene, reply, allowed)
        except PlannerOutputError as exc:
            raise PlannerOutputError(f"first: {first_problem}; then: {exc.message}") from None

    @staticmethod
    def _dead(run: _Run) -> bool:
        """Whether the endpoint has failed every request so far, with none outstanding."""
        return bool(
            run.unanswered and run.answered == 0 and run.in_flight == 0 and run.usage["cached"] == 0
        )

    def _dead_error(self, run: _Run) -> PlanError:
        return PlanError(
            f"the LLM endpoint {self.endpoint or self.model} gave no answer: {run.unanswered[0]}"
        )

    @staticmethod
    def _check(scene: Scene, reply: _Reply, allowed: set[int]) -> SceneShots:
        if reply.error is not None:
            raise PlannerOutputError(reply.error)
        return check_answer(scene, reply.data, allowed=allowed)

    @staticmethod
    async def _ask_once(run: _Run, request: SceneRequest, messages: list[dict[str, str]]) -> _Reply:
        run.in_flight += 1
        try:
            return await run.ask(messages, request)
        finally:
            run.in_flight -= 1

    async def _ask_retrying(
        self, run: _Run, request: SceneRequest, messages: list[dict[str, str]]
    ) -> _Reply:
        """One answer, retrying transport failures and rate limits with backoff."""
        tries = self.max_retries + 1
        last: BaseException | None = None
        for attempt in range(tries):
            run.usage["requests"] += 1
            try:
                reply = await self._ask_once(run, request, messages)
            except RETRYABLE as exc:
                last = exc
                if attempt + 1 < tries:
                    run.usage["retries"] += 1
                    await asyncio.sleep(self._delay(attempt, exc))
                continue
            except openai.APIStatusError as exc:
                if exc.status_code in FATAL_STATUS:
                    raise PlanError(
                        f"the LLM endpoint {self.endpoint} {FATAL_STATUS[exc.status_code]} "
                        f"for model {self.model!r} (HTTP {exc.status_code}): {exc.message}"
                    ) from None
                raise _Unanswered(
                    f"the endpoint rejected the request (HTTP {exc.status_code}: {exc.message})"
                ) from None
            except openai.OpenAIError as exc:
                # Cut off at the token limit, filtered, refused: an answer, but a bad one.
                run.answered += 1
                return _bad_completion(run, exc)
            run.answered += 1
            run.usage.update(reply.usage)
            return reply
        raise _Unanswered(f"no answer after {tries} tries ({self._describe(last)})")

    def _delay(self, attempt: int, exc: BaseException) -> float:
        delay = self.backoff_s * 2**attempt * (1 + random.random() * 0.25)
        hinted = _retry_after(exc)
        if hinted is not None:
            delay = max(delay, hinted)
        return min(delay, self.max_backoff_s)

    def _describe(self, exc: BaseException | None) -> str:
        if isinstance(exc, openai.APITimeoutError | TimeoutError):
            return f"timed out after {self.config.timeout_s:g} s"
        if isinstance(exc, openai.APIStatusError):
            return f"HTTP {exc.status_code}: {exc.message}"
        if isinstance(exc, openai.APIConnectionError):
            cause = exc.__cause__ or exc.__context__
            return f"cannot connect to {self.endpoint}: {cause or exc}"
        return f"{type(exc).__name__}: {exc}"
