"""Fixtures: a real embedded FalkorDB for the session, a fresh graph per test, real HTTP.

The `store` fixture runs each contract test on every backend present: FalkorDB always, Neo4j
when HUB_TEST_NEO4J_URI (and HUB_TEST_NEO4J_PASSWORD) point at a server.
"""

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from graph.falkordb import FalkorStore
from graph.importing import import_rows, numbered, read_rows
from graph.neo4j import Neo4jStore
from graph.seed.demo import demo_rows
from graph.store import Store
from hub.app import create_app
from hub.embedded import EmbeddedFalkorDB, Endpoint
from hub.settings import Settings

DATA = Path(__file__).parent / "data"
NEO4J_URI = os.environ.get("HUB_TEST_NEO4J_URI")
NEO4J_SKIP = "Neo4j contract tests skipped: set HUB_TEST_NEO4J_URI (and HUB_TEST_NEO4J_PASSWORD)"


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """Where tests leave artefacts to look at (screenshots): test-output/, or HUB_TEST_OUTPUT."""
    path = Path(os.environ.get("HUB_TEST_OUTPUT", Path(__file__).parents[1] / "test-output"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(autouse=True)
def _isolate_hub_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests build their own Settings; a developer's HUB_* variables must not leak in."""
    for name in list(os.environ):
        if name.startswith("HUB_") and not name.startswith("HUB_TEST_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def falkordb_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedFalkorDB]:
    server = EmbeddedFalkorDB(tmp_path_factory.mktemp("falkordb"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def falkordb_endpoint(falkordb_server: EmbeddedFalkorDB) -> Endpoint:
    assert falkordb_server.endpoint is not None
    return falkordb_server.endpoint


def new_falkor_store(endpoint: Endpoint, graph: str | None = None) -> FalkorStore:
    return FalkorStore(
        endpoint.url, password=endpoint.password, graph=graph or f"t_{uuid.uuid4().hex}"
    )


def new_neo4j_store() -> Neo4jStore:
    assert NEO4J_URI is not None
    return Neo4jStore(
        NEO4J_URI,
        user=os.environ.get("HUB_TEST_NEO4J_USER", "neo4j"),
        password=os.environ.get("HUB_TEST_NEO4J_PASSWORD", ""),
        database=os.environ.get("HUB_TEST_NEO4J_DATABASE", "neo4j"),
    )


@pytest.fixture(
    params=[
        "falkordb",
        pytest.param(
            "neo4j", marks=[pytest.mark.neo4j, pytest.mark.skipif(not NEO4J_URI, reason=NEO4J_SKIP)]
        ),
    ]
)
async def store(
    request: pytest.FixtureRequest, falkordb_endpoint: Endpoint
) -> AsyncIterator[Store]:
    """An empty graph with its schema set up, on one backend; removed afterwards."""
    if request.param == "falkordb":
        falkor = new_falkor_store(falkordb_endpoint)
        await falkor.setup()
        try:
            yield falkor
        finally:
            await falkor.drop()
            await falkor.close()
    else:
        neo = new_neo4j_store()
        await neo.clear(everything=True)
        await neo.setup()
        try:
            yield neo
        finally:
            await neo.clear(everything=True)
            await neo.close()


async def load_file(store: Store, name: str) -> None:
    report = await import_rows(store, read_rows(DATA / name))
    assert report.rejected == [], report.rejected


@pytest.fixture
async def small(store: Store) -> Store:
    """The hand-made graph of tests/data/small.jsonl, whose answers are known (see that file)."""
    await load_file(store, "small.jsonl")
    return store


# --- real HTTP -----------------------------------------------------------------------------------
@dataclass
class Hub:
    url: str
    client: httpx.AsyncClient
    settings: Settings

    async def graphql(self, query: str, **variables: Any) -> dict[str, Any]:
        """POST a query with its variables; the parsed JSON answer (data, errors, extensions)."""
        response = await self.client.post("/graphql", json={"query": query, "variables": variables})
        assert response.headers["content-type"].startswith("application/"), response.text
        return response.json()  # type: ignore[no-any-return]


@asynccontextmanager
async def run_server(settings: Settings) -> AsyncIterator[Hub]:
    """The hub app served by uvicorn on 127.0.0.1 at a free port, in this event loop."""
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=0, lifespan="on", log_level="warning",
        proxy_headers=False,  # as `hub serve`: X-Forwarded-For is the hub's to judge
    )  # fmt: skip
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("the server stopped during start-up")
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            yield Hub(url, client, settings)
    finally:
        server.should_exit = True
        await task


def hub_settings(endpoint: Endpoint, graph: str, **changes: Any) -> Settings:
    # Many tests share one hub from one address: its rate limits are off unless a test sets
    # them (tests/api/test_limits.py); the document limits stay at their defaults.
    relaxed = {"rate_limit_address": 0, "rate_limit_key": 0, "cost_budget": 0}
    return Settings(
        falkordb_url=endpoint.url, graph=graph, demo_on_empty=False, **{**relaxed, **changes}
    )


@asynccontextmanager
async def loaded_graph(endpoint: Endpoint, *files: str) -> AsyncIterator[str]:
    """A fresh FalkorDB graph holding these tests/data files; deleted afterwards."""
    graph = f"t_{uuid.uuid4().hex}"
    loader = new_falkor_store(endpoint, graph)
    await loader.setup()
    try:
        for name in files:
            await load_file(loader, name)
        yield graph
    finally:
        await loader.drop()
        await loader.close()


@asynccontextmanager
async def hub_over(endpoint: Endpoint, *files: str, **settings: Any) -> AsyncIterator[Hub]:
    """A hub over real HTTP on a fresh graph holding these tests/data files."""
    async with (
        loaded_graph(endpoint, *files) as graph,
        run_server(hub_settings(endpoint, graph, **settings)) as hub,
    ):
        yield hub


def ok(answer: dict[str, Any]) -> dict[str, Any]:
    """The data of an answer that must have no errors."""
    assert "errors" not in answer, answer.get("errors")
    return answer["data"]  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
async def demo_hub(falkordb_endpoint: Endpoint) -> AsyncIterator[Hub]:
    """A hub over real HTTP with the demo data (scale 1, seed 7). Tests must not write to it."""
    graph = f"demo_{uuid.uuid4().hex}"
    loader = new_falkor_store(falkordb_endpoint, graph)
    await loader.setup()
    report = await import_rows(loader, numbered(demo_rows()))
    assert report.rejected == []
    try:
        async with run_server(hub_settings(falkordb_endpoint, graph)) as hub:
            yield hub
    finally:
        await loader.drop()
        await loader.close()


@pytest.fixture(scope="session")
async def small_hub(falkordb_endpoint: Endpoint) -> AsyncIterator[Hub]:
    """A hub over real HTTP holding tests/data/small.jsonl. Tests must not write to it."""
    async with hub_over(falkordb_endpoint, "small.jsonl") as hub:
        yield hub


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say once, clearly, when the Neo4j half of the contract suite did not run."""
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if "neo4j" in r.keywords]
    if skipped:
        terminalreporter.write_line(f"{len(skipped)} tests skipped: {NEO4J_SKIP}", yellow=True)
