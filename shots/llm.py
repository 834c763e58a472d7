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

This module runs the plan (concurrency, progress, cache, repair, fallback, usage); the parts
live beside it: the request in ``_llm_prompt``, the answer in ``_llm_schema``, the cache in
``_llm_cache``, talking to the model in ``_llm_chat`` and retrying in ``_llm_retry``. With
them it imports langchain and openai; the registry loads it only when the ``llm`` planner is
asked for.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Protocol

import httpx
from langchain_core.language_models import BaseChatModel

from previz.errors import PlanError, PlannerOutputError
from screenplay.model import Scene, Script
from shots._llm_cache import ResponseCache, cache_key, default_cache_dir
from shots._llm_chat import (
    Ask,
    Reply,
    SceneFunction,
    SceneRequest,
    StructuredMethod,
    chat_model_asker,
    function_asker,
)
from shots._llm_prompt import (
    PROMPT_VERSION,
    SYSTEM_PROMPT,
    repair_messages,
    scene_message,
    scene_messages,
)
from shots._llm_retry import Retrier, Unanswered
from shots._llm_schema import LLMShot, SceneShots, check_answer, screen_indices, to_shots
from shots.base import build_bible, finish_plan
from shots.llm_config import LLMConfig, config_path, load_llm_config
from shots.model import CharacterRef, PlannerInfo, Shot, ShotPlan, Style

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


class _Drafter(Protocol):
    def plan_scene(self, script: Script, scene: Scene) -> list[Shot]: ...


@dataclass(slots=True)
class _Run:
    """State shared by the scene tasks of one plan."""

    script: Script
    bible: list[CharacterRef]
    ask: Ask
    retrier: Retrier
    semaphore: asyncio.Semaphore
    cache: ResponseCache | None
    usage: Counter[str] = field(default_factory=Counter)
    answered: int = 0
    """Requests that got an answer (valid or not) in this run."""
    in_flight: int = 0
    """Requests sent and not yet answered or failed."""
    unanswered: list[str] = field(default_factory=list)
    """Why each scene that got no answer at all got none."""


@dataclass(slots=True)
class _SceneResult:
    shots: list[Shot]
    warning: str | None = None


def _public_url(url: str) -> str:
    """``url`` without user info or query, where a key could hide (``?api-key=``)."""
    parts = urllib.parse.urlsplit(url)
    if not parts.netloc:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, "", ""))


def _checked(scene: Scene, reply: Reply, allowed: set[int]) -> SceneShots:
    """The reply's answer, checked; a reply that could not be read fails as a bad answer."""
    if reply.error is not None:
        raise PlannerOutputError(reply.error)
    return check_answer(scene, reply.data, allowed=allowed)


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
                retrier=self._retrier(),
                semaphore=asyncio.Semaphore(self.concurrency),
                cache=ResponseCache(self.cache_dir) if self.cache_dir else None,
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

    async def _asker(self, stack: contextlib.AsyncExitStack) -> Ask:
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
            return chat_model_asker(model, self.method)
        if isinstance(self.chat_model, BaseChatModel):
            return chat_model_asker(self.chat_model, self.method)
        return function_asker(self.chat_model)

    def _retrier(self) -> Retrier:
        return Retrier(
            endpoint=self.endpoint,
            model=self.model,
            timeout_s=self.config.timeout_s,
            max_retries=self.max_retries,
            backoff_s=self.backoff_s,
            max_backoff_s=self.max_backoff_s,
        )

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

            async def one(i: int) -> None:
                results[i] = await self._plan_scene(run, scenes[i], drafts[i])
                progress.advance(task)

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
        cover = screen_indices(scene)
        if not cover:
            return _SceneResult(draft)
        allowed = set(cover) | {index for shot in draft for index in shot.covers}
        messages = scene_messages(scene, draft, run.bible, cover, method=self.method)
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
            except Unanswered as exc:
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
        reply = await self._reply(run, request, messages)
        try:
            return _checked(request.scene, reply, allowed)
        except PlannerOutputError as exc:
            first_problem = exc.message
        run.usage["repairs"] += 1
        repair = repair_messages(messages, reply.text, first_problem, request.scene.id)
        request.attempt = 1
        reply = await self._reply(run, request, repair)
        try:
            return _checked(request.scene, reply, allowed)
        except PlannerOutputError as exc:
            raise PlannerOutputError(f"first: {first_problem}; then: {exc.message}") from None

    @staticmethod
    async def _reply(run: _Run, request: SceneRequest, messages: list[dict[str, str]]) -> Reply:
        """One reply to ``messages``, retried by the run's retrier and counted in the run."""
        return await run.retrier.reply(lambda: run.ask(messages, request), run)

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
