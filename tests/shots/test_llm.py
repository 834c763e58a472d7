"""The LLM planner against a real HTTP server on 127.0.0.1 that plays an OpenAI endpoint.

Every test talks to :class:`~tests.shots.fake_openai.FakeOpenAI` through ``ChatOpenAI``
and the OpenAI client, so retries, timeouts, structured-output modes and the cache are
exercised over real sockets. Nothing leaves the machine.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import signal
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from previz.errors import PlanError
from screenplay.base import parse_file
from screenplay.model import SCREEN_KINDS, Scene, Script
from shots.base import check_coverage
from shots.grammar import GrammarPlanner
from shots.llm import LLMPlanner, SceneRequest, SceneShots
from shots.llm_config import LLMConfig
from shots.model import ShotPlan
from shots.style import load_style
from tests.conftest import DATA
from tests.shots.fake_openai import FakeOpenAI, RecordedRequest, Reply, valid_answer

SECRET = "sk-test-do-not-leak"


# --- fixtures and helpers ------------------------------------------------------------


@pytest.fixture(autouse=True)
def _hermetic(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No proxies, no user config, no tracing: requests go to 127.0.0.1 and nowhere else."""
    for name in (
        "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy",
        "OPENAI_API_KEY", "OPENAI_BASE_URL", "PREVIZ_LLM_API_KEY", "PREVIZ_LLM_BASE_URL",
        "PREVIZ_LLM_MODEL", "LANGSMITH_TRACING", "LANGCHAIN_TRACING_V2", "LANGSMITH_API_KEY",
    ):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("PREVIZ_LLM_CONFIG", str(tmp_path / "no-such-llm.toml"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


@pytest.fixture(scope="module")
def script() -> Script:
    return parse_file(DATA / "brick_and_steel.fountain")


@pytest.fixture
def server():
    with FakeOpenAI() as fake:
        yield fake


def screen_indices(scene: Scene) -> list[int]:
    return [i for i, element in enumerate(scene.elements) if element.kind in SCREEN_KINDS]


class Scripted:
    """A responder: a valid answer for every scene, unless scripted otherwise.

    ``replies[scene_id]`` lists what that scene's 1st, 2nd, ... request gets (``None``
    for a valid answer); later requests get valid answers.
    """

    def __init__(self, script: Script, replies: dict[str, list[Reply | None]] | None = None):
        self.script = script
        self.replies = replies or {}
        self.seen: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __call__(self, request: RecordedRequest) -> Reply:
        scene_id = request.scene_id
        assert scene_id is not None, "the planner's request names no scene"
        with self._lock:
            n = self.seen[scene_id]
            self.seen[scene_id] += 1
        queue = self.replies.get(scene_id, [])
        if n < len(queue) and queue[n] is not None:
            return queue[n]  # type: ignore[return-value]
        return Reply(content=valid_answer(self.script.scene(scene_id)))


def make_planner(server: FakeOpenAI, tmp_path: Path, **options) -> LLMPlanner:
    """A planner for ``server``: 5 s timeouts, 2 retries, tiny backoff, no progress bar.

    Tests of timeouts set their own short timeout against replies that take far longer,
    and check only that the run did not wait for those replies: no upper bounds on time
    that a loaded CI machine could miss.

    ``config`` may be an :class:`LLMConfig` or a dict of settings to change.
    """
    config = options.pop("config", {})
    if not isinstance(config, LLMConfig):
        settings = {
            "base_url": server.base_url, "model": "fake-model", "api_key": SECRET,
            "timeout_s": 5.0, "max_retries": 2, **config,
        }  # fmt: skip
        config = LLMConfig(**settings)
    defaults = dict(
        config=config,
        cache_dir=tmp_path / "cache",
        progress=False,
        backoff_s=0.001,
    )
    return LLMPlanner(**{**defaults, **options})


def is_llm(plan: ShotPlan, scene_id: str) -> bool:
    shots = [shot for shot in plan.shots if shot.scene_id == scene_id]
    return bool(shots) and all(shot.description.startswith("llm:") for shot in shots)


def requests_for(server: FakeOpenAI, scene_id: str) -> list[RecordedRequest]:
    return [request for request in server.requests if request.scene_id == scene_id]


# --- a clean run ---------------------------------------------------------------------


def test_every_scene_planned_by_the_llm(server: FakeOpenAI, script: Script, tmp_path: Path):
    server.responder = Scripted(script)
    plan = make_planner(server, tmp_path).plan(script, style=load_style())

    assert server.count == len(script.scenes) == 8
    assert all(is_llm(plan, scene.id) for scene in script.scenes)
    assert check_coverage(script, plan).ratio == 1.0
    assert plan.warnings == []
    # Shots carry what the scene knows: setting, ids, source lines, dialogue.
    patio = [shot for shot in plan.shots if shot.scene_id == "sc001"]
    assert [shot.id for shot in patio[:3]] == ["1-01", "1-02", "1-03"]
    assert {shot.location for shot in patio} == {"BRICK'S PATIO"}
    assert all(shot.source_line for shot in patio)
    beer = next(shot for shot in patio if shot.covers == [2])
    assert [(line.character, line.text) for line in beer.dialogue] == [("STEEL", "Beer's ready!")]
    assert beer.subjects == ["STEEL"]  # "Steel" from the model, canonical in the plan
    assert beer.prompt and beer.seed
    # Usage: the sum of what the server reported, per run.
    usage = plan.planner.usage
    reported = [request.usage for request in server.requests]
    assert usage["prompt_tokens"] == sum(u["prompt_tokens"] for u in reported) > 0
    assert usage["completion_tokens"] == sum(u["completion_tokens"] for u in reported) > 0
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert usage["requests"] == 8 and usage["cached"] == 0 and usage["fallbacks"] == 0
    # Settings name the endpoint and model, never the key.
    settings = plan.planner.settings
    assert settings["model"] == "fake-model" and settings["base_url"] == server.base_url
    assert settings["concurrency"] == 4
    assert SECRET not in plan.model_dump_json()


def test_request_carries_scene_draft_and_bible(server: FakeOpenAI, script: Script, tmp_path: Path):
    server.responder = Scripted(script)
    make_planner(server, tmp_path).plan(script, style=load_style())
    request = requests_for(server, "sc001")[0]
    assert request.mode == "json_schema"
    schema = request.body["response_format"]["json_schema"]
    assert schema["name"] == "SceneShots" and schema["strict"] is True
    system, user = request.messages
    assert system["role"] == "system" and "V.O." in system["content"]
    text = user["content"]
    assert "Heading: EXT. BRICK'S PATIO - DAY" in text
    assert "[2] dialogue, STEEL: Beer's ready!" in text
    assert f"Cover: {', '.join(map(str, screen_indices(script.scene('sc001'))))}" in text
    assert "Draft (JSON):" in text and '"covers"' in text
    assert "- STEEL:" in text  # the character bible
    assert request.body["model"] == "fake-model"


@pytest.mark.parametrize("method", ["function_calling", "json_mode"])
def test_other_structured_output_methods(
    server: FakeOpenAI, script: Script, tmp_path: Path, method: str
):
    server.responder = Scripted(script)
    plan = make_planner(server, tmp_path, method=method).plan(script, style=load_style())
    assert {request.mode for request in server.requests} == {method}
    assert all(is_llm(plan, scene.id) for scene in script.scenes)
    assert plan.warnings == []


def test_target_duration_is_fitted(server: FakeOpenAI, script: Script, tmp_path: Path):
    server.responder = Scripted(script)
    plan = make_planner(server, tmp_path).plan(script, style=load_style(), target_duration_s=30)
    assert plan.duration_s == pytest.approx(30, abs=1 / 24)


# --- bad answers: one repair, then the grammar draft ----------------------------------

SCENE_3 = "sc003"


def _answer(scene: Scene, **changes) -> str:
    data = json.loads(valid_answer(scene))
    data["shots"][0].update(changes)
    return json.dumps(data)


BAD_ANSWERS = {
    "garbage": (lambda scene: "Sure! Here is a great shot list for you.", "not valid JSON"),
    "invalid json": (lambda scene: '{"shots": [{"size": "MS",', "not valid JSON"),
    "missing field": (
        lambda scene: json.dumps({"shots": [{"size": "MS", "covers": screen_indices(scene)}]}),
        "shots.0.angle: Field required",
    ),
    "bad enum": (lambda scene: _answer(scene, size="MEDIUM"), "shots.0.size: Input should be"),
    "stray index": (lambda scene: _answer(scene, covers=[0, 99]), "shot 1 covers 99"),
    "missed element": (
        lambda scene: json.dumps({"shots": json.loads(valid_answer(scene))["shots"][:1]}),
        "no shot covers element 1",
    ),
}


@pytest.mark.parametrize("kind", list(BAD_ANSWERS))
def test_bad_answer_gets_one_repair(server: FakeOpenAI, script: Script, tmp_path: Path, kind: str):
    bad, problem = BAD_ANSWERS[kind]
    server.responder = Scripted(script, {SCENE_3: [Reply(content=bad(script.scene(SCENE_3)))]})
    plan = make_planner(server, tmp_path).plan(script, style=load_style())

    first, repair = requests_for(server, SCENE_3)
    assert not first.is_repair and repair.is_repair
    quoted, complaint = repair.messages[-2:]
    assert quoted["role"] == "assistant" and complaint["role"] == "user"
    assert problem in complaint["content"]
    assert is_llm(plan, SCENE_3) and plan.warnings == []
    assert plan.planner.usage["repairs"] == 1
    # The bad answer's tokens were spent, so they are counted.
    assert plan.planner.usage["total_tokens"] == sum(
        r.usage["total_tokens"] for r in server.requests
    )


@pytest.mark.parametrize("method", ["json_schema", "json_mode"])
def test_answer_cut_off_gets_one_repair(
    server: FakeOpenAI, script: Script, tmp_path: Path, method: str
):
    cut = Reply(content='{"shots": [{"size": "MS"', finish_reason="length")
    server.responder = Scripted(script, {SCENE_3: [cut]})
    plan = make_planner(server, tmp_path, method=method).plan(script, style=load_style())
    _, repair = requests_for(server, SCENE_3)
    assert "cut off at the token limit" in repair.messages[-1]["content"]
    assert repair.messages[-2]["content"] == '{"shots": [{"size": "MS"'
    assert is_llm(plan, SCENE_3)
    usage = plan.planner.usage
    assert usage["total_tokens"] == sum(r.usage["total_tokens"] for r in server.requests)


def test_bad_tool_call_gets_one_repair(server: FakeOpenAI, script: Script, tmp_path: Path):
    server.responder = Scripted(script, {SCENE_3: [Reply(content='{"shots": [')]})
    plan = make_planner(server, tmp_path, method="function_calling").plan(
        script, style=load_style()
    )
    repair = requests_for(server, SCENE_3)[-1]
    assert "arguments are not valid JSON" in repair.messages[-1]["content"]
    assert is_llm(plan, SCENE_3) and plan.planner.usage["repairs"] == 1


def test_bad_answer_twice_falls_back_to_grammar(server: FakeOpenAI, script: Script, tmp_path: Path):
    server.responder = Scripted(
        script, {SCENE_3: [Reply(content="no idea"), Reply(content='{"shots": []}')]}
    )
    plan = make_planner(server, tmp_path).plan(script, style=load_style())

    assert len(requests_for(server, SCENE_3)) == 2  # one repair, no more
    draft = GrammarPlanner().plan_scene(script, script.scene(SCENE_3))
    fallback = [shot for shot in plan.shots if shot.scene_id == SCENE_3]
    assert [(s.size, s.covers, s.description) for s in fallback] == [
        (s.size, s.covers, s.description) for s in draft
    ]
    assert all(is_llm(plan, scene.id) for scene in script.scenes if scene.id != SCENE_3)
    [warning] = [w for w in plan.warnings if not w.startswith("not covered")]
    assert "sc003" in warning and "EXT. BRICK'S POOL" in warning
    assert "not valid JSON" in warning and "List should have at least 1 item" in warning
    assert plan.planner.usage["fallbacks"] == 1


# --- transport: retries, rate limits, timeouts ----------------------------------------


def test_server_error_is_retried(server: FakeOpenAI, script: Script, tmp_path: Path):
    server.responder = Scripted(script, {SCENE_3: [Reply(status=500), Reply(status=503)]})
    plan = make_planner(server, tmp_path).plan(script, style=load_style())
    assert [r.status for r in requests_for(server, SCENE_3)] == [500, 503, 200]
    assert is_llm(plan, SCENE_3) and plan.warnings == []
    assert plan.planner.usage["retries"] == 2


def test_rate_limit_waits_for_retry_after(server: FakeOpenAI, script: Script, tmp_path: Path):
    limited = Reply(status=429, headers={"retry-after": "0.3"}, error_message="slow down")
    server.responder = Scripted(script, {SCENE_3: [limited]})
    plan = make_planner(server, tmp_path).plan(script, style=load_style())
    first, second = requests_for(server, SCENE_3)
    assert (first.status, second.status) == (429, 200)
    assert second.arrived - first.arrived >= 0.3  # the server's hint beats the tiny backoff
    assert is_llm(plan, SCENE_3) and plan.planner.usage["retries"] == 1


def test_backoff_doubles_and_is_capped(server: FakeOpenAI, script: Script, tmp_path: Path):
    server.responder = Scripted(script, {SCENE_3: [Reply(status=500)] * 3})
    planner = make_planner(
        server, tmp_path, backoff_s=0.1, max_backoff_s=0.15, config={"max_retries": 3}
    )
    plan = planner.plan(script, style=load_style())
    arrivals = [r.arrived for r in requests_for(server, SCENE_3)]
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    assert len(gaps) == 3 and gaps[0] >= 0.1 and gaps[1] >= 0.15 and gaps[2] >= 0.15
    assert is_llm(plan, SCENE_3)
    # The cap itself, without a clock: the delay never exceeds max_backoff_s.
    retrier = planner._retrier()
    assert [retrier.delay(attempt, RuntimeError()) <= 0.15 for attempt in range(8)] == [True] * 8


def test_slow_reply_times_out_and_is_retried(server: FakeOpenAI, script: Script, tmp_path: Path):
    server.responder = Scripted(script, {SCENE_3: [Reply(delay_s=60)]})
    start = time.monotonic()
    plan = make_planner(server, tmp_path, config={"timeout_s": 0.5}).plan(
        script, style=load_style()
    )
    assert time.monotonic() - start < 30  # did not wait for the 60 s reply
    assert len(requests_for(server, SCENE_3)) == 2
    assert is_llm(plan, SCENE_3) and plan.warnings == []


def test_endpoint_that_never_answers_a_scene_falls_back(
    server: FakeOpenAI, script: Script, tmp_path: Path
):
    server.responder = Scripted(script, {SCENE_3: [Reply(delay_s=60)] * 2})
    start = time.monotonic()
    plan = make_planner(server, tmp_path, config={"max_retries": 1, "timeout_s": 0.5}).plan(
        script, style=load_style()
    )
    assert time.monotonic() - start < 30  # did not wait for the 60 s replies
    [warning] = [w for w in plan.warnings if not w.startswith("not covered")]
    assert "sc003" in warning and "timed out after 0.5 s" in warning
    assert all(is_llm(plan, scene.id) for scene in script.scenes if scene.id != SCENE_3)


def test_unreachable_endpoint_is_a_plan_error(script: Script, tmp_path: Path):
    with FakeOpenAI() as gone:
        url = gone.base_url  # a port that was just free and now is closed again
    config = LLMConfig(base_url=url, model="fake-model", timeout_s=0.5, max_retries=1)
    planner = LLMPlanner(config=config, cache_dir=tmp_path, progress=False, backoff_s=0.001)
    with pytest.raises(PlanError, match=r"gave no answer.*cannot connect"):
        planner.plan(script, style=load_style())


def test_refused_key_is_a_plan_error(server: FakeOpenAI, script: Script, tmp_path: Path):
    server.responder = lambda request: Reply(status=401, error_message="Incorrect API key")
    with pytest.raises(PlanError, match=r"refused the API key.*Incorrect API key") as info:
        make_planner(server, tmp_path).plan(script, style=load_style())
    assert SECRET not in str(info.value)


# --- concurrency ---------------------------------------------------------------------


def test_requests_overlap_up_to_the_bound(server: FakeOpenAI, script: Script, tmp_path: Path):
    server.responder = Scripted(script)
    server.latency_s = 0.2
    make_planner(server, tmp_path, concurrency=4).plan(script, style=load_style())
    assert server.count == 8
    assert 2 <= server.max_in_flight <= 4


def test_concurrency_one_is_sequential(server: FakeOpenAI, script: Script, tmp_path: Path):
    server.responder = Scripted(script)
    server.latency_s = 0.02
    make_planner(server, tmp_path, concurrency=1).plan(script, style=load_style())
    assert server.count == 8 and server.max_in_flight == 1


# --- the response cache ----------------------------------------------------------------


def test_second_run_costs_no_requests(server: FakeOpenAI, script: Script, tmp_path: Path):
    server.responder = Scripted(script)
    first = make_planner(server, tmp_path).plan(script, style=load_style())
    assert server.count == 8
    assert len(list((tmp_path / "cache").glob("*.json"))) == 8
    assert not list((tmp_path / "cache").glob("*.tmp"))

    server.reset()
    second = make_planner(server, tmp_path).plan(script, style=load_style())
    assert server.count == 0
    assert second.shots == first.shots
    usage = second.planner.usage
    assert usage["cached"] == 8 and usage["requests"] == 0 and usage["total_tokens"] == 0


def test_killed_run_resumes_from_the_cache(server: FakeOpenAI, script: Script, tmp_path: Path):
    answered = 0
    lock = threading.Lock()
    healthy = Scripted(script)

    def dies_after_three(request: RecordedRequest) -> Reply:
        nonlocal answered
        with lock:
            answered += 1
            alive = answered <= 3
        return healthy(request) if alive else Reply(status=500, error_message="gone")

    server.responder = dies_after_three
    first = make_planner(server, tmp_path, config={"max_retries": 1}).plan(
        script, style=load_style()
    )
    failed = {scene.id for scene in script.scenes if not is_llm(first, scene.id)}
    assert len(failed) == 5 and first.planner.usage["fallbacks"] == 5
    assert all(any(scene_id in w for w in first.warnings) for scene_id in failed)

    server.reset()
    server.responder = Scripted(script)
    second = make_planner(server, tmp_path).plan(script, style=load_style())
    assert sorted(request.scene_id for request in server.requests) == sorted(failed)
    assert all(is_llm(second, scene.id) for scene in script.scenes)
    assert second.planner.usage["cached"] == 3 and second.warnings == []


def test_interrupted_run_keeps_what_it_planned(script: Script, tmp_path: Path):
    calls: list[str] = []
    interrupt_at = [4]

    async def model(request: SceneRequest) -> str:
        calls.append(request.scene.id)
        if len(calls) == interrupt_at[0]:
            signal.raise_signal(signal.SIGINT)  # Ctrl-C while this request is in flight
        await asyncio.sleep(0.01)
        return valid_answer(request.scene)

    def planner() -> LLMPlanner:
        return LLMPlanner(model, cache_dir=tmp_path / "cache", concurrency=1, progress=False)

    # Python's own Ctrl-C handler, which asyncio.run turns into cancelling the run (a shell
    # may start the test runner with SIGINT ignored).
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            planner().plan(script, style=load_style())
    finally:
        signal.signal(signal.SIGINT, previous)
    assert len(list((tmp_path / "cache").glob("*.json"))) == 3
    calls.clear()
    interrupt_at[0] = 0
    plan = planner().plan(script, style=load_style())
    assert calls == [scene.id for scene in script.scenes[3:]]
    assert all(is_llm(plan, scene.id) for scene in script.scenes)
    assert plan.planner.usage["cached"] == 3


def test_cache_key_depends_on_model_and_ignores_key(
    server: FakeOpenAI, script: Script, tmp_path: Path
):
    server.responder = Scripted(script)
    make_planner(server, tmp_path).plan(script, style=load_style())
    server.reset()
    other_key = LLMConfig(base_url=server.base_url, model="fake-model", api_key="sk-other")
    make_planner(server, tmp_path, config=other_key).plan(script, style=load_style())
    assert server.count == 0  # a new key is not a new answer
    other_model = LLMConfig(base_url=server.base_url, model="bigger-model", api_key=SECRET)
    make_planner(server, tmp_path, config=other_model).plan(script, style=load_style())
    assert server.count == 8
    for file in (tmp_path / "cache").glob("*.json"):
        assert SECRET not in file.read_text()


def test_damaged_cache_entry_is_asked_again(server: FakeOpenAI, script: Script, tmp_path: Path):
    server.responder = Scripted(script)
    make_planner(server, tmp_path).plan(script, style=load_style())
    files = sorted((tmp_path / "cache").glob("*.json"))
    files[0].write_text('{"answer": {"shots": "no"')
    files[1].write_text(json.dumps({"answer": {"shots": []}}))
    server.reset()
    plan = make_planner(server, tmp_path).plan(script, style=load_style())
    assert server.count == 2 and plan.planner.usage["cached"] == 6
    assert plan.warnings == []


def test_cache_off(server: FakeOpenAI, script: Script, tmp_path: Path):
    server.responder = Scripted(script)
    make_planner(server, tmp_path, cache=False).plan(script, style=load_style())
    make_planner(server, tmp_path, cache=False).plan(script, style=load_style())
    assert server.count == 16 and not (tmp_path / "cache").exists()


# --- configuration -----------------------------------------------------------------------


def test_nothing_configured_says_what_to_set():
    with pytest.raises(PlanError) as info:
        LLMPlanner(progress=False)
    message = str(info.value)
    assert "PREVIZ_LLM_BASE_URL" in message and "PREVIZ_LLM_MODEL" in message
    assert "llm.toml" in message


def test_endpoint_from_environment(
    server: FakeOpenAI, script: Script, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("PREVIZ_LLM_BASE_URL", server.base_url)
    monkeypatch.setenv("PREVIZ_LLM_MODEL", "env-model")
    server.responder = Scripted(script)
    plan = LLMPlanner(progress=False).plan(script, style=load_style())
    assert {request.body["model"] for request in server.requests} == {"env-model"}
    assert plan.planner.settings["base_url"] == server.base_url
    # The default cache lives under $XDG_CACHE_HOME/previz/llm.
    assert len(list((tmp_path / "xdg-cache" / "previz" / "llm").glob("*.json"))) == 8


def test_credentials_in_the_url_stay_out_of_the_plan(
    server: FakeOpenAI, script: Script, tmp_path: Path
):
    host = server.base_url.removeprefix("http://")
    url = f"http://user:{SECRET}@{host}"
    config = LLMConfig(base_url=url, model="fake-model", timeout_s=0.5, max_retries=0)
    server.responder = Scripted(script)
    plan = make_planner(server, tmp_path, config=config).plan(script, style=load_style())
    assert plan.planner.settings["base_url"] == server.base_url
    assert SECRET not in plan.model_dump_json()


def test_endpoint_from_config_file(server: FakeOpenAI, script: Script, tmp_path: Path):
    path = tmp_path / "llm.toml"
    path.write_text(
        f'base_url = "{server.base_url}"\nmodel = "file-model"\napi_key = "{SECRET}"\n'
        "concurrency = 2\ntimeout_s = 5\nmax_retries = 1\n"
    )
    server.responder = Scripted(script)
    planner = LLMPlanner(config=path, cache_dir=tmp_path / "c", progress=False)
    assert planner.concurrency == 2 and planner.max_retries == 1
    plan = planner.plan(script, style=load_style())
    assert {request.body["model"] for request in server.requests} == {"file-model"}
    assert plan.planner.settings["concurrency"] == 2
    assert SECRET not in plan.model_dump_json()


# --- an injected model ---------------------------------------------------------------------


def test_injected_function_stands_in_for_the_model(script: Script):
    seen: list[str] = []

    def fixed(request: SceneRequest) -> SceneShots:
        seen.append(request.scene.id)
        assert request.draft and request.messages[0]["role"] == "system"
        return SceneShots.model_validate_json(valid_answer(request.scene))

    plan = LLMPlanner(fixed, progress=False).plan(script, style=load_style())
    assert sorted(seen) == [scene.id for scene in script.scenes]
    assert all(is_llm(plan, scene.id) for scene in script.scenes)
    assert plan.planner.settings["model"].startswith("function:")
    assert plan.planner.usage["total_tokens"] == 0


def test_injected_async_function_gets_the_repair(script: Script):
    async def once_wrong(request: SceneRequest) -> str:
        if request.scene.id == SCENE_3 and request.attempt == 0:
            return "not json"
        return valid_answer(request.scene)

    plan = LLMPlanner(once_wrong, progress=False).plan(script, style=load_style())
    assert is_llm(plan, SCENE_3) and plan.planner.usage["repairs"] == 1


def test_speech_covered_twice_is_heard_once(script: Script):
    def reverse_mid_speech(request: SceneRequest) -> str:
        answer = json.loads(valid_answer(request.scene))
        if request.scene.id == "sc002":  # [2] DAN: "Then let's retire them.\nPermanently."
            reaction = {**answer["shots"][2], "subjects": ["JACK"], "description": "llm: Jack"}
            answer["shots"].insert(3, reaction)
        return json.dumps(answer)

    plan = LLMPlanner(reverse_mid_speech, progress=False).plan(script, style=load_style())
    speech = [shot for shot in plan.shots if shot.scene_id == "sc002" and 2 in shot.covers]
    assert [[(line.character, line.text) for line in shot.dialogue] for shot in speech] == [
        [("DAN", "Then let's retire them.")],
        [("DAN", "Permanently.")],
    ]


def test_progress_bar_does_not_break_the_run(server: FakeOpenAI, script: Script, tmp_path: Path):
    server.responder = Scripted(script)
    plan = make_planner(server, tmp_path, progress=True).plan(script, style=load_style())
    assert len({shot.scene_id for shot in plan.shots}) == 8
