"""The hub without its database: it starts, says why it is not ready, answers UNAVAILABLE
within its query timeout, and recovers by itself once the database is there."""

import asyncio
import socket
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import Hub, run_server
from starlette.datastructures import Secret

from hub.embedded import EmbeddedFalkorDB
from hub.settings import Settings

TIMEOUT_MS = 2000
# A bound, not a benchmark: the store cuts each call at the timeout (the Neo4j driver's own
# retries would otherwise run past it); the margin covers HTTP and scheduling.
MARGIN_S = 1.0
QUERY = "{ reserves { totalCount edges { node { key } } } }"


def closed_port() -> int:
    """A loopback port nothing listens on (bound and released at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def assert_not_ready(hub: Hub) -> dict[str, Any]:
    started = time.monotonic()
    response = await hub.client.get("/readyz")
    elapsed = time.monotonic() - started
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["status"] == "unavailable"
    assert isinstance(body["cause"], str) and body["cause"].strip()
    assert elapsed < TIMEOUT_MS / 1000 + MARGIN_S, elapsed
    return body  # type: ignore[no-any-return]


async def assert_unavailable(hub: Hub) -> float:
    """Ask a query; it must fail with UNAVAILABLE within the timeout. Returns the time taken."""
    started = time.monotonic()
    answer = await hub.graphql(QUERY)
    elapsed = time.monotonic() - started
    assert answer["data"] is None
    codes = {error["extensions"]["code"] for error in answer["errors"]}
    assert codes == {"UNAVAILABLE"}, answer
    assert "unavailable" in answer["errors"][0]["message"].lower()
    assert elapsed < TIMEOUT_MS / 1000 + MARGIN_S, elapsed
    return elapsed


async def test_a_hub_whose_neo4j_is_down_starts_and_answers_unavailable_in_time() -> None:
    settings = Settings(
        neo4j_uri=f"bolt://127.0.0.1:{closed_port()}",
        neo4j_password=Secret("x"),
        query_timeout_ms=TIMEOUT_MS,
    )
    async with run_server(settings) as hub:
        assert (await hub.client.get("/healthz")).status_code == 200  # alive, not ready
        await assert_not_ready(hub)
        elapsed = await assert_unavailable(hub)
        print(f"UNAVAILABLE after {elapsed:.2f} s (timeout {TIMEOUT_MS} ms)")
        node = await hub.graphql('{ node(id: "Reserve:ordino") { id } }')
        assert node["errors"][0]["extensions"]["code"] == "UNAVAILABLE"


async def test_a_hub_whose_falkordb_is_down_at_start_recovers_when_it_comes_up(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    directory: Path = tmp_path_factory.mktemp("fdb")
    sock = directory / "falkordb.sock"  # where EmbeddedFalkorDB(directory) puts its socket
    assert len(str(sock)) <= 100, "too long for a unix socket: the server would use TCP"
    settings = Settings(
        falkordb_url=f"unix://{sock}",
        graph="recovery",
        demo_on_empty=False,
        query_timeout_ms=TIMEOUT_MS,
    )
    async with run_server(settings) as hub:
        body = await assert_not_ready(hub)
        print(f"not ready: {body['cause']}")
        await assert_unavailable(hub)

        server = EmbeddedFalkorDB(directory)
        endpoint = await asyncio.to_thread(server.start)
        try:
            assert endpoint.url == settings.falkordb_url
            deadline = time.monotonic() + 30
            while True:
                response = await hub.client.get("/readyz")
                if response.status_code == 200:
                    break
                assert time.monotonic() < deadline, f"not ready after 30 s: {response.text}"
                await asyncio.sleep(0.2)
            assert response.json() == {"status": "ready", "backend": "falkordb"}
            answer = await hub.graphql(QUERY)
            assert "errors" not in answer, answer
            assert answer["data"] == {"reserves": {"totalCount": 0, "edges": []}}
        finally:
            await asyncio.to_thread(server.stop)
