"""Graceful shutdown and the production logs of `hub serve` as a real process (issue 5, point 7).

SIGTERM while a slow request is in flight: uvicorn stops accepting, the request is finished and
its whole answer delivered, then the hub stops its embedded database and exits 0. The slow
request is a real one: `exportNetwork(format: GRAPHML)` over the demo data at scale 10 (about
14,000 nodes; about 2 s on a 2-core machine).
"""

import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from e2e.served_hub import database_pids, free_port, wait_ready
from e2e.test_cli import HUB, run

EXPORT = "{ exportNetwork(format: GRAPHML) }"


@contextmanager
def serve(data: Path, port: int, log: Path, *flags: str) -> Iterator[subprocess.Popen[str]]:
    """`hub serve` logging JSON to `log`; killed at the end if a test left it running."""
    with log.open("w") as err, subprocess.Popen(
        [*HUB, "serve", "--port", str(port), "--data-dir", str(data), *flags],
        stdout=subprocess.DEVNULL, stderr=err, text=True,
        env={**os.environ, "HUB_LOG_FORMAT": "json"},
    ) as process:  # fmt: skip
        try:
            yield process
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


def post(port: int, query: str) -> httpx.Response:
    return httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": query}, timeout=120)


def json_lines(log: Path) -> list[dict[str, Any]]:
    """Every line the hub wrote to stderr, each of which must be one JSON object."""
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_sigterm_finishes_the_request_in_flight_then_exits_zero(tmp_path: Path) -> None:
    data = tmp_path / "data"
    loaded = run("load", "--demo", "--scale", "10", "--data-dir", str(data), timeout=300)
    assert loaded.returncode == 0, loaded.stderr
    port, log = free_port(), tmp_path / "serve.log"
    with serve(data, port, log) as process:
        wait_ready(f"http://127.0.0.1:{port}", process)
        reference = post(port, EXPORT)  # the whole answer, as a request nobody interrupts
        assert reference.status_code == 200 and "errors" not in reference.json()

        answers: dict[str, Any] = {}

        def slow_request() -> None:
            answers["sent"] = time.monotonic()
            answers["response"] = post(port, EXPORT)
            answers["received"] = time.monotonic()

        worker = threading.Thread(target=slow_request)
        worker.start()
        time.sleep(0.5)  # the request is being answered (it takes seconds)
        process.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        worker.join(timeout=120)
        code = process.wait(timeout=90)
        pid = process.pid

    response: httpx.Response = answers["response"]
    assert answers["received"] > signalled, "the answer should come after SIGTERM"
    assert response.status_code == 200
    assert response.json() == reference.json(), "the answer in flight must arrive whole"
    assert response.json()["data"]["exportNetwork"].rstrip().endswith("</graphml>")
    assert code == 0
    assert not database_pids(data), "the embedded database must stop with the hub"
    lines = json_lines(log)  # in production format every line is JSON, uvicorn's too
    exports = [line for line in lines if line.get("logger") == "hub.requests"]
    assert [line["status"] for line in exports] == [200, 200]
    messages = [line["message"] for line in lines]
    assert messages.index("Shutting down") < messages.index(f"Finished server process [{pid}]")
    print(f"SIGTERM {signalled - answers['sent']:.2f} s into the request; answered "
          f"{answers['received'] - signalled:.2f} s later; exit {code}")  # fmt: skip


def test_with_several_workers_metrics_add_up_every_worker(tmp_path: Path) -> None:
    data = tmp_path / "data"
    port, log = free_port(), tmp_path / "serve.log"
    with serve(data, port, log, "--workers", "2") as process:
        wait_ready(f"http://127.0.0.1:{port}", process)
        for _ in range(20):
            assert post(port, "{ themes { totalCount } }").status_code == 200
        scrapes = [httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10) for _ in range(4)]
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=90)
    wanted = 'hub_graphql_requests_total{operation_type="query",outcome="ok"} 20.0'
    for scrape in scrapes:  # whichever worker answers, it counts the requests of both
        assert scrape.status_code == 200
        assert wanted in scrape.text.splitlines()
    assert list((data / "metrics").iterdir()), "the workers keep their samples there"
    assert code == 0
    json_lines(log)
