"""Concurrent reviewers against ``previz serve``, against uvicorn serving one static file.

Run: ``python bench/web_load.py [--reviewers 50] [--seconds 20] [--workers N]
[--database-url URL]``.

Starts ``previz serve --workers N`` (default: one per core, at most 4) on loopback with an
empty data folder, signs in as an account made with ``previz users add``, uploads a script
(Brick & Steel by default) and waits for its job, adds a few comments, then lets
``--reviewers`` simulated reviewers (one aiohttp session with one keep-alive connection
each, in this process) loop with no pause over what a reviewer loads: the project page,
shot thumbnails and shot pages with their comment threads. Reviewers join over two
seconds; then ``--seconds`` are measured. Then the same reviewers, for the same time,
fetch the same thumbnail from a bare uvicorn app that only serves that file (the
baseline: what the machine and the load generator can do at all). Prints requests per
second and p50 / p95 / p99 latency for both, the ratios, and how much CPU the load
generator itself took. Goal: p95 under 100 ms at 50 concurrent reviewers on a 2-core
machine.

Server and load generator share the machine, as they would on a laptop demo; the baseline
carries the same handicap, so the ratio is the figure to compare across machines. With no
pause between requests each reviewer asks far more than a person does (about 10 to 20
requests a second), so this is a stress figure, not a typical day.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_SCRIPT = ROOT / "previz" / "examples" / "brick_and_steel.fountain"
USERNAME, PASSWORD = "bench-reviewer", "a-long-bench-password"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SHOT = re.compile(r'data-shot-id="([^"]+)"')
RAMP_S = 2.0
"""Reviewers join over this many seconds before the measured window starts."""

STATIC_APP = '''
import os
from pathlib import Path

BODY = Path(os.environ["PREVIZ_BENCH_FILE"]).read_bytes()


async def app(scope, receive, send):
    """Serve one PNG, read once: the least any server can do for a thumbnail."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"image/png"),
                            (b"content-length", str(len(BODY)).encode())]})
    await send({"type": "http.response.body", "body": BODY})
'''


@dataclass
class Tally:
    """Latencies (seconds) and failures of one load run."""

    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    seconds: float = 0.0
    client_cpu_share: float = 0.0
    """Cores' worth of CPU the load generator itself used (it shares the machine)."""
    machine_busy: float | None = None
    """Share of the machine's CPU time that was busy during the run (Linux only)."""

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def line(self, name: str) -> str:
        return (
            f"{name:<22} {self.rate:8.1f} req/s   p50 {self.percentile(50) * 1000:6.1f} ms   "
            f"p95 {self.percentile(95) * 1000:6.1f} ms   p99 {self.percentile(99) * 1000:6.1f} ms"
            f"   ({len(self.latencies)} requests, {self.failures} failed; "
            f"load generator {self.client_cpu_share:.0%} of a core"
            + (f", machine {self.machine_busy:.0%} busy)" if self.machine_busy is not None else ")")
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen[str], timeout: float = 60.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}")
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit(f"no answer from {url} within {timeout:.0f} s")


def prepare_project(base: str, username: str, password: str, script: Path) -> tuple[dict, list]:
    """Sign in, upload ``script``, wait for its job; the session cookies and the URLs to load."""
    import httpx

    with httpx.Client(base_url=base, timeout=30.0) as client:
        token = CSRF.search(client.get("/login").text).group(1)
        answer = client.post(
            "/login", data={"username": username, "password": password, "csrf_token": token}
        )
        if answer.status_code != 303:
            raise SystemExit(f"sign-in failed: {answer.status_code}")
        token = CSRF.search(client.get("/").text).group(1)
        answer = client.post(
            "/projects",
            data={"csrf_token": token, "title": "Load test", "planner": "grammar"},
            files={"script": (script.name, script.read_bytes(), "text/plain")},
        )
        if answer.status_code != 303:
            raise SystemExit(f"upload failed: {answer.status_code}: {answer.text[:500]}")
        project = answer.headers["location"]
        start = time.monotonic()
        while True:
            job = client.get(f"{project}/job").json()
            if job["state"] == "done":
                break
            if job["state"] == "failed":
                raise SystemExit(f"the project's job failed: {job['error']}")
            time.sleep(0.5)
        print(f"project ready in {time.monotonic() - start:.1f} s: {project}")
        shots = list(dict.fromkeys(SHOT.findall(client.get(project).text)))
        if not shots:
            raise SystemExit("the project page lists no shots")
        for shot in shots[:5]:
            page = client.get(f"{project}/shots/{shot}").text
            token = CSRF.search(page).group(1)
            for n in range(3):
                client.post(
                    f"{project}/shots/{shot}/comments",
                    data={"csrf_token": token, "body": f"Note {n + 1} on {shot}: tighter framing?"},
                )
        urls = [project]
        for shot in shots[:12]:
            urls += [f"{project}/shots/{shot}/image", f"{project}/shots/{shot}"]
        return dict(client.cookies), urls


async def load(
    base: str,
    urls: list[str],
    cookies: dict,
    reviewers: int,
    seconds: float,
    ramp_s: float = RAMP_S,
) -> Tally:
    """``reviewers`` clients fetching ``urls`` round-robin, measured for ``seconds``.

    They join one by one over ``ramp_s`` (reviewers open the page at different moments,
    not in the same millisecond; a burst of connections lands on whichever server process
    wakes first), then the window of ``seconds`` starts and only its requests count. Each
    reviewer is one aiohttp session with one keep-alive connection, as a browser tab
    holds: aiohttp costs the shared CPU a third of what httpx does per request.
    """
    import aiohttp

    tally = Tally(seconds=seconds)
    window = time.monotonic() + ramp_s
    stop = window + seconds
    timeout = aiohttp.ClientTimeout(total=30.0)

    async def reviewer(offset: int) -> None:
        await asyncio.sleep(ramp_s * offset / reviewers)
        connector = aiohttp.TCPConnector(limit=1)
        async with aiohttp.ClientSession(
            base_url=base, cookies=cookies, connector=connector, timeout=timeout
        ) as client:
            for url in itertools.islice(itertools.cycle(urls), offset, None):
                if time.monotonic() >= stop:
                    return
                counted = time.monotonic() >= window
                began = time.perf_counter()
                try:
                    async with client.get(url, allow_redirects=False) as answer:
                        await answer.read()
                        ok = answer.status == 200
                except (TimeoutError, aiohttp.ClientError):
                    ok = False
                if not counted:
                    continue
                if ok:
                    tally.latencies.append(time.perf_counter() - began)
                else:
                    tally.failures += 1

    began, cpu, machine = time.monotonic(), time.process_time(), cpu_times()
    await asyncio.gather(*(reviewer(i) for i in range(reviewers)))
    tally.client_cpu_share = (time.process_time() - cpu) / (time.monotonic() - began)
    after = cpu_times()
    if machine and after:
        busy, total = after[0] - machine[0], after[1] - machine[1]
        tally.machine_busy = busy / total if total else None
    return tally


def cpu_times() -> tuple[int, int] | None:
    """(busy, total) jiffies of all CPUs from ``/proc/stat``; ``None`` off Linux."""
    try:
        fields = [int(n) for n in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


def main() -> None:
    from previz.web.cli_serve import default_workers

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviewers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--script", type=Path, default=DEFAULT_SCRIPT)
    parser.add_argument(
        "--workers",
        type=int,
        default=default_workers(),
        help="server processes (previz serve --workers; default one per core, at most 4)",
    )
    parser.add_argument(
        "--database-url",
        help="an empty database for the server (default: SQLite in a fresh data folder)",
    )
    args = parser.parse_args()

    previz = [str(Path(sys.executable).with_name("previz"))]
    with tempfile.TemporaryDirectory(prefix="previz-web-load-") as tmp:
        folder = Path(tmp)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1", "COLUMNS": "200"}
        data = str(folder / "data")
        if args.database_url:
            env["PREVIZ_DATABASE_URL"] = args.database_url
        subprocess.run(
            [*previz, "users", "add", USERNAME, "--owner", "--password-stdin", "--data", data],
            input=PASSWORD + "\n",
            text=True,
            check=True,
            capture_output=True,
            env=env,
        )
        server = subprocess.Popen(
            [*previz, "serve", "--data", data, "--port", str(port), "--workers", str(args.workers)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        try:
            threading_drain(server)
            wait_for(f"{base}/login", server)
            cookies, urls = prepare_project(base, USERNAME, PASSWORD, args.script)
            thumbnail = next(u for u in urls if u.endswith("/image"))
            import httpx

            png = httpx.get(base + thumbnail, cookies=cookies).content
            print(
                f"{args.reviewers} reviewers, {args.seconds:.0f} s, {len(urls)} URLs, "
                f"previz serve --workers {args.workers}, {os.cpu_count()} cores, "
                f"{'PostgreSQL' if 'postgres' in (args.database_url or '') else 'SQLite'}"
            )
            app_tally = asyncio.run(load(base, urls, cookies, args.reviewers, args.seconds))
        finally:
            server.terminate()
            server.wait(timeout=30)

        (folder / "thumb.png").write_bytes(png)
        (folder / "static_app.py").write_text(STATIC_APP)
        port = free_port()
        static = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "static_app:app", "--port", str(port),
             "--log-level", "warning", "--no-access-log"],
            cwd=folder,
            env={**env, "PREVIZ_BENCH_FILE": str(folder / "thumb.png")},
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(base, static)
            static_tally = asyncio.run(load(base, ["/"], {}, args.reviewers, args.seconds))
        finally:
            static.terminate()
            static.wait(timeout=30)

    print(app_tally.line("previz serve"))
    print(static_tally.line("uvicorn static file"))
    print(
        f"ratio previz / static: throughput {app_tally.rate / static_tally.rate:.2f}, "
        f"p95 latency {app_tally.percentile(95) / static_tally.percentile(95):.2f}"
    )
    goal = app_tally.percentile(95) < 0.100
    print(f"goal p95 < 100 ms at {args.reviewers} reviewers: {'met' if goal else 'NOT met'}")


def threading_drain(process: subprocess.Popen[str]) -> None:
    """Keep reading the server's output so its pipe never fills and blocks it."""
    import threading

    def drain() -> None:
        assert process.stdout is not None
        for _line in process.stdout:
            pass

    threading.Thread(target=drain, daemon=True).start()


if __name__ == "__main__":
    main()
