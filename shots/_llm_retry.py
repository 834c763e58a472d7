"""Getting one reply from the LLM endpoint: what to retry, how long to wait, what is fatal.

Transport failures, timeouts, rate limits and server errors are retried with exponential
backoff (a server's ``retry-after`` is honoured, up to a cap). A refused key, a refused
model or an unknown model is a :class:`~previz.errors.PlanError` for the whole run; any other
rejected request, or running out of tries, is :class:`Unanswered` for that scene. A
completion the OpenAI client refused to parse is an answer, only a bad one.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

import openai

from previz.errors import PlanError
from shots._llm_chat import CUT_OFF, Reply

__all__ = ["FATAL_STATUS", "RETRYABLE", "Retrier", "Tally", "Unanswered"]

RETRYABLE = (
    openai.RateLimitError,
    openai.APIConnectionError,  # includes APITimeoutError
    openai.InternalServerError,
    TimeoutError,
    ConnectionError,
)
FATAL_STATUS = {401: "refused the API key", 403: "refused access", 404: "does not serve it"}


class Unanswered(Exception):
    """A request got no usable reply (transport failures, a rejected request)."""


class Tally(Protocol):
    """The run's counters that every request updates."""

    usage: Counter[str]
    answered: int
    """Requests that got an answer (valid or not)."""
    in_flight: int
    """Requests sent and not yet answered or failed."""


@dataclass(frozen=True, slots=True)
class Retrier:
    """Sends one request until it is answered, retrying with backoff.

    ``endpoint``, ``model`` and ``timeout_s`` only word the errors.
    """

    endpoint: str
    model: str
    timeout_s: float
    max_retries: int
    backoff_s: float
    max_backoff_s: float

    async def reply(self, send: Callable[[], Awaitable[Reply]], tally: Tally) -> Reply:
        """One reply from ``send``, counted in ``tally``.

        Raises:
            PlanError: the endpoint refused the key or the model.
            Unanswered: the request was rejected, or every try failed.
        """
        tries = self.max_retries + 1
        last: BaseException | None = None
        for attempt in range(tries):
            tally.usage["requests"] += 1
            try:
                reply = await _send_counted(send, tally)
            except RETRYABLE as exc:
                last = exc
                if attempt + 1 < tries:
                    tally.usage["retries"] += 1
                    await asyncio.sleep(self.delay(attempt, exc))
                continue
            except openai.APIStatusError as exc:
                if exc.status_code in FATAL_STATUS:
                    raise PlanError(
                        f"the LLM endpoint {self.endpoint} {FATAL_STATUS[exc.status_code]} "
                        f"for model {self.model!r} (HTTP {exc.status_code}): {exc.message}"
                    ) from None
                raise Unanswered(
                    f"the endpoint rejected the request (HTTP {exc.status_code}: {exc.message})"
                ) from None
            except openai.OpenAIError as exc:
                # Cut off at the token limit, filtered, refused: an answer, but a bad one.
                reply = _bad_completion(exc)
            tally.answered += 1
            tally.usage.update(reply.usage)
            return reply
        raise Unanswered(f"no answer after {tries} tries ({self.describe(last)})")

    def delay(self, attempt: int, exc: BaseException) -> float:
        """Seconds to wait after failed try ``attempt`` (0-based)."""
        delay = self.backoff_s * 2**attempt * (1 + random.random() * 0.25)
        hinted = _retry_after(exc)
        if hinted is not None:
            delay = max(delay, hinted)
        return min(delay, self.max_backoff_s)

    def describe(self, exc: BaseException | None) -> str:
        """Why a try failed, in words."""
        if isinstance(exc, openai.APITimeoutError | TimeoutError):
            return f"timed out after {self.timeout_s:g} s"
        if isinstance(exc, openai.APIStatusError):
            return f"HTTP {exc.status_code}: {exc.message}"
        if isinstance(exc, openai.APIConnectionError):
            cause = exc.__cause__ or exc.__context__
            return f"cannot connect to {self.endpoint}: {cause or exc}"
        return f"{type(exc).__name__}: {exc}"


async def _send_counted(send: Callable[[], Awaitable[Reply]], tally: Tally) -> Reply:
    """``send()``, counted in flight until it returns or raises (before any backoff)."""
    tally.in_flight += 1
    try:
        return await send()
    finally:
        tally.in_flight -= 1


def _bad_completion(exc: openai.OpenAIError) -> Reply:
    """The reply for a completion the OpenAI client refused to parse, its usage kept."""
    completion = getattr(exc, "completion", None)
    usage = getattr(completion, "usage", None)
    tokens: dict[str, int] = {}
    if usage is not None:
        tokens = {
            "prompt_tokens": usage.prompt_tokens or 0,
            "completion_tokens": usage.completion_tokens or 0,
            "total_tokens": usage.total_tokens or 0,
        }
    text = ""
    with contextlib.suppress(AttributeError, IndexError, TypeError):
        text = completion.choices[0].message.content or ""  # type: ignore[union-attr]
    if isinstance(exc, openai.LengthFinishReasonError):
        return Reply(text=text, error=CUT_OFF, usage=tokens)
    return Reply(text=text, error=f"{type(exc).__name__}: {exc}", usage=tokens)


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
