"""Open the store the settings ask for: Neo4j, an external FalkorDB, or the embedded one."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from graph.falkordb import FalkorStore
from graph.importing import import_rows, numbered
from graph.neo4j import Neo4jStore
from graph.records import ImportReport
from graph.seed.demo import demo_rows
from graph.store import Store
from hub.embedded import EmbeddedFalkorDB
from hub.settings import Settings

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Opened:
    store: Store
    embedded: EmbeddedFalkorDB | None


def make_store(settings: Settings, *, url: str | None = None, password: str | None = None) -> Store:
    if settings.neo4j_uri:
        assert settings.neo4j_password is not None  # checked by Settings
        return Neo4jStore(
            settings.neo4j_uri,
            user=settings.neo4j_user,
            password=str(settings.neo4j_password),
            database=settings.neo4j_database,
            timeout_ms=settings.query_timeout_ms,
        )
    if url is None:
        url = settings.falkordb_url
        password = str(settings.falkordb_password) if settings.falkordb_password else None
    assert url is not None
    return FalkorStore(
        url,
        graph=settings.graph,
        password=password,
        timeout_ms=settings.query_timeout_ms,
        rewrite_log=settings.falkordb_url is None,
    )


@asynccontextmanager
async def open_store(settings: Settings) -> AsyncIterator[Opened]:
    """The store, with the embedded database started first when nothing external is set."""
    embedded: EmbeddedFalkorDB | None = None
    if settings.embedded:
        embedded = EmbeddedFalkorDB(settings.embedded_dir)
        endpoint = await asyncio.to_thread(embedded.start)
        store = make_store(settings, url=endpoint.url, password=endpoint.password)
    else:
        store = make_store(settings)
    try:
        yield Opened(store, embedded)
    finally:
        await store.close()
        if embedded is not None:
            await asyncio.to_thread(embedded.stop)


async def load_demo_if_empty(store: Store, *, scale: int = 1, seed: int = 7) -> ImportReport | None:
    """Load the demo data when the graph holds no node at all (a fresh machine)."""
    counts = await store.counts()
    if any(counts.values()):
        return None
    log.info("the graph is empty: loading the demo data (scale %d, seed %d)", scale, seed)
    report = await import_rows(store, numbered(demo_rows(scale=scale, seed=seed)))
    if report.rejected:
        raise RuntimeError(f"the demo data was rejected: {report.rejected[:3]}")
    return report
