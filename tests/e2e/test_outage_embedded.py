"""The embedded database killed under a serving hub (issue 5, point 5).

`hub serve` (a real process, two workers) owns its embedded FalkorDB. SIGKILL the database, as
the OOM killer would: the supervisor in the hub process (hub/embedded.py) starts it again, and
the workers' connection pools reconnect by themselves. Meanwhile every query answers
UNAVAILABLE within the query timeout, never an internal error; the hub process is never
restarted.

Below the hub, the store tells a write cut by the kill (its outcome unknown) from one refused
before it was sent (certainly not written), which is what clients are told (test_lost_writes.py).
"""

import asyncio
import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from e2e.served_hub import database_pids, kill_database, serve

from graph.errors import Unavailable
from graph.falkordb import FalkorStore
from graph.importing import import_rows, numbered
from graph.model import Kind
from graph.records import Audit
from hub.embedded import EmbeddedFalkorDB, Endpoint

TIMEOUT_MS = 2000
MARGIN_S = 1.0  # HTTP and scheduling on top of the store's own bound
RECOVERY_BOUND_S = 30.0  # a bound, not a benchmark (measured: well under a second)
QUERY = "{ themes(first: 5) { totalCount nodes { id } } }"


async def ask(client: httpx.AsyncClient) -> tuple[dict[str, Any], float]:
    started = time.monotonic()
    response = await client.post("/graphql", json={"query": QUERY})
    elapsed = time.monotonic() - started
    assert response.status_code == 200, response.text
    return response.json(), elapsed


async def test_a_killed_embedded_database_comes_back_and_the_hub_answers_again_by_itself(
    tmp_path: Path,
) -> None:
    env = {"HUB_DEMO_ON_EMPTY": "false", "HUB_QUERY_TIMEOUT_MS": str(TIMEOUT_MS)}
    with serve(tmp_path, env) as hub:
        info = json.loads((hub.data / "falkordb" / "server.json").read_text())
        assert info["pid"] == hub.process.pid, "the hub process itself supervises the database"
        async with httpx.AsyncClient(base_url=hub.url, timeout=30) as client:
            before, _ = await ask(client)
            assert "errors" not in before, before

            killed = kill_database(hub.data)
            killed_at = time.monotonic()
            outage: list[float] = []
            while True:
                answer, elapsed = await ask(client)
                if "errors" not in answer:
                    break
                codes = {error["extensions"]["code"] for error in answer["errors"]}
                assert codes == {"UNAVAILABLE"}, answer  # never INTERNAL_SERVER_ERROR
                assert elapsed < TIMEOUT_MS / 1000 + MARGIN_S, elapsed
                outage.append(elapsed)
                assert time.monotonic() - killed_at < RECOVERY_BOUND_S, "no recovery"
                await asyncio.sleep(0.02)
            recovered = time.monotonic() - killed_at
            print(
                f"first successful query {recovered:.2f} s after the SIGKILL; "
                f"{len(outage)} UNAVAILABLE answers meanwhile (slowest {max(outage, default=0):.3f} s)"
            )
            assert answer["data"] == before["data"]

            # Every worker's pool is back, not just the one that answered first.
            for _ in range(20):
                again, _ = await ask(client)
                assert again == before, again
            assert (await client.get("/readyz")).status_code == 200

        assert hub.process.poll() is None, "the hub itself was not restarted"
        restarted = database_pids(hub.data)
        assert restarted and killed not in restarted, restarted
        log = hub.log.read_text()
        assert "embedded database exited with -9; restarting it" in log
        assert "embedded database is back (restart 1)" in log


BIG_BATCH = 50_000  # themes written by one statement: long enough to be killed in the middle


def wait_for_a_running_write(endpoint: Endpoint, timeout: float = 60) -> None:
    """Until the server is executing a GRAPH.QUERY (a blocked client running it)."""
    spy = redis.Redis.from_url(endpoint.url, password=endpoint.password, decode_responses=True)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            for client in spy.client_list():
                if client["cmd"].lower() == "graph.query" and "b" in client["flags"]:
                    return
            time.sleep(0.002)
    finally:
        spy.close()
    raise AssertionError("the write never started")


async def wait_back(store: FalkorStore) -> dict[Kind, int]:
    deadline = time.monotonic() + RECOVERY_BOUND_S
    while True:
        try:
            return await store.counts()
        except Unavailable:
            assert time.monotonic() < deadline, "the database never came back"
            await asyncio.sleep(0.05)


async def test_a_write_cut_by_the_kill_is_unknown_and_one_refused_before_sending_is_not(
    tmp_path: Path,
) -> None:
    server = EmbeddedFalkorDB(tmp_path / "db")
    endpoint = await asyncio.to_thread(server.start)
    store = FalkorStore(endpoint.url, password=endpoint.password, graph="outcomes")
    audit = Audit(actor="test", request_id=None, operation="createTheme")
    try:
        await store.setup()
        rows = [{"kind": "Theme", "id": f"t{n}", "properties": {"label": f"Theme {n}"}}
                for n in range(BIG_BATCH)]  # fmt: skip
        writing = asyncio.create_task(import_rows(store, numbered(rows), batch_size=BIG_BATCH))
        await asyncio.to_thread(wait_for_a_running_write, endpoint)
        assert server.pid is not None
        os.kill(server.pid, signal.SIGKILL)
        with pytest.raises(Unavailable) as cut:
            await writing
        assert cut.value.unknown_outcome, "the write was sent: its outcome is unknown"
        counts = await wait_back(store)  # the supervisor restarted it; the pool reconnects
        assert counts[Kind.THEME] in (0, BIG_BATCH), "one statement: all of it or nothing"
        print(f"the cut write of {BIG_BATCH} themes had {'' if counts[Kind.THEME] else 'not '}"
              "been applied")  # fmt: skip

        await asyncio.to_thread(server.stop)  # down for good: nothing listens
        with pytest.raises(Unavailable) as refused:
            await store.create_node(Kind.THEME, "never", {"label": "Never"}, audit)
        assert not refused.value.unknown_outcome, "no connection: the write was never sent"
        await asyncio.to_thread(server.start)
        assert await store.nodes_by_id(Kind.THEME, ["never"]) == [None]
    finally:
        await store.close()
        await asyncio.to_thread(server.stop)
