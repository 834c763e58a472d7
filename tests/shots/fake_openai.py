"""A local stand-in for an OpenAI-compatible chat-completions server, for tests and benches.

It listens on 127.0.0.1 (a free port), speaks ``POST /v1/chat/completions`` in the
OpenAI JSON shape (``usage`` included) and answers each request with whatever its
``responder`` returns: an answer for the scene, garbage, an HTTP error, a slow reply. A
plain answer goes in ``message.content`` (``json_schema`` and ``json_mode`` requests); when
the request offers tools (``function_calling``) it goes in a tool call to the first tool. It
records every request so a test can count them, read them, and see how many were in flight
at once.

    with FakeOpenAI(responder) as server:
        ChatOpenAI(base_url=server.base_url, api_key="test", model="fake")
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from screenplay.model import SCREEN_KINDS, Dialogue, Scene

__all__ = ["FakeOpenAI", "RecordedRequest", "Reply", "fake_usage", "valid_answer"]

SCENE_ID_RE = re.compile(r"^Scene id: (\S+)$", re.MULTILINE)
"""How the LLM planner names the scene in its user message."""


@dataclass(slots=True)
class Reply:
    """What the server answers to one request.

    ``content`` is the model's text; ``status`` other than 200 sends an OpenAI error body
    instead (``error_message``); ``delay_s`` waits before answering (a slow server);
    ``headers`` are added (``retry-after``); ``body`` replaces the whole response body.
    """

    content: str = ""
    status: int = 200
    delay_s: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    error_message: str = "scripted failure"
    body: dict[str, Any] | None = None
    finish_reason: str = "stop"


@dataclass(slots=True)
class RecordedRequest:
    """One request as the server received it."""

    index: int
    """0-based arrival order."""
    path: str
    body: dict[str, Any]
    arrived: float
    """``time.monotonic()`` at arrival."""
    status: int = 0
    """What the server answered (0 until it has)."""
    usage: dict[str, int] = field(default_factory=dict)

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", []))

    @property
    def user_text(self) -> str:
        """The first user message: the scene request."""
        for message in self.messages:
            if message.get("role") == "user":
                return str(message.get("content", ""))
        return ""

    @property
    def scene_id(self) -> str | None:
        match = SCENE_ID_RE.search(self.user_text)
        return match.group(1) if match else None

    @property
    def is_repair(self) -> bool:
        """Whether this is a second try: the conversation already holds an answer."""
        return any(message.get("role") == "assistant" for message in self.messages)

    @property
    def mode(self) -> str:
        """``json_schema``, ``json_mode``, ``function_calling`` or ``text``."""
        if self.body.get("tools"):
            return "function_calling"
        kind = (self.body.get("response_format") or {}).get("type")
        return {"json_schema": "json_schema", "json_object": "json_mode"}.get(kind, "text")


Responder = Callable[[RecordedRequest], Reply]


def valid_answer(scene: Scene) -> str:
    """A ``SceneShots`` answer that passes the planner's checks: one shot per screen element.

    Descriptions start with ``llm:`` so a test can tell the model's shots from the grammar
    planner's; speakers are named in title case, as a model might.
    """
    shots = []
    for index, element in enumerate(scene.elements):
        if element.kind not in SCREEN_KINDS:
            continue
        speaker = isinstance(element, Dialogue) and not element.extension
        shots.append(
            {
                "size": "MCU" if speaker else "WS",
                "angle": "eye level",
                "movement": "static",
                "lens_mm": 50 if speaker else 28,
                "duration_s": 2.5,
                "subjects": [element.character.title()] if speaker else [],
                "covers": [index],
                "description": f"llm: element {index} of {scene.id}",
                "on_screen_text": None,
                "transition": "cut",
                "notes": "",
            }
        )
    return json.dumps({"shots": shots})


def fake_usage(request: RecordedRequest, content: str) -> dict[str, int]:
    """Token counts the server reports: a character count over four, like a tokenizer would."""
    prompt = sum(len(str(message.get("content", ""))) for message in request.messages) // 4
    completion = max(1, len(content) // 4)
    total = prompt + completion
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": total}


class FakeOpenAI:
    """A threaded HTTP server on a free local port answering chat completions.

    Args:
        responder: called for every request with the recorded request; returns the
            :class:`Reply`. Can be swapped between runs through the attribute.
        latency_s: extra wait before every answer (benchmarks).
    """

    def __init__(self, responder: Responder | None = None, *, latency_s: float = 0.0) -> None:
        self.responder: Responder = responder or (lambda request: Reply(content="{}"))
        self.latency_s = latency_s
        self.requests: list[RecordedRequest] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    @property
    def count(self) -> int:
        """Requests received so far."""
        with self._lock:
            return len(self.requests)

    def reset(self) -> None:
        """Forget recorded requests and the in-flight maximum."""
        with self._lock:
            self.requests.clear()
            self.max_in_flight = 0

    def start(self) -> FakeOpenAI:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes slow replies
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- request handling ---------------------------------------------------------------

    def _record(self, path: str, body: dict[str, Any]) -> RecordedRequest:
        with self._lock:
            request = RecordedRequest(
                index=len(self.requests), path=path, body=body, arrived=time.monotonic()
            )
            self.requests.append(request)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            return request

    def _done(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def _response(self, request: RecordedRequest, reply: Reply) -> tuple[int, dict[str, Any]]:
        if reply.body is not None:
            return reply.status, reply.body
        if reply.status != 200:
            error = {"message": reply.error_message, "type": "server_error", "code": None}
            return reply.status, {"error": error}
        message: dict[str, Any] = {"role": "assistant", "content": reply.content, "refusal": None}
        finish = reply.finish_reason
        tools = request.body.get("tools") or []
        if tools:
            name = tools[0].get("function", {}).get("name", "tool")
            message["content"] = None
            message["tool_calls"] = [
                {
                    "id": f"call_{request.index}",
                    "type": "function",
                    "function": {"name": name, "arguments": reply.content},
                }
            ]
            finish = "tool_calls" if finish == "stop" else finish
        request.usage = fake_usage(request, reply.content)
        return 200, {
            "id": f"chatcmpl-{request.index}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request.body.get("model", "fake"),
            "choices": [
                {"index": 0, "message": message, "finish_reason": finish, "logprobs": None}
            ],
            "usage": request.usage,
        }

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str]) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout): nothing to answer

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    body = json.loads(self.rfile.read(length) or b"{}")
                except json.JSONDecodeError:
                    self._send(400, {"error": {"message": "request is not JSON"}}, {})
                    return
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._send(404, {"error": {"message": f"no route {self.path}"}}, {})
                    return
                request = fake._record(self.path, body)
                headers: dict[str, str] = {}
                try:
                    reply = fake.responder(request)
                    wait = fake.latency_s + reply.delay_s
                    if wait and fake._stopping.wait(wait):
                        return
                    status, payload = fake._response(request, reply)
                    headers = reply.headers
                except Exception as exc:
                    status = int(HTTPStatus.INTERNAL_SERVER_ERROR)
                    payload = {"error": {"message": f"responder failed: {exc!r}"}}
                finally:
                    # Done before the reply goes out: the client's next request may arrive
                    # the moment it has read this one, and must not count as overlapping.
                    fake._done()
                request.status = status
                self._send(status, payload, headers)

        return Handler
