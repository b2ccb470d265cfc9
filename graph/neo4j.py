"""The Neo4j 5 backend, over the official async driver.

One driver per process; one session per store call (GraphQL resolves sibling fields
concurrently and a session is not safe to share); reads in `execute_read` (routed to
secondaries on a cluster), writes in `execute_write` (retried on transient errors). A lost
commit is an unknown outcome, never reported as success.
"""

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import neo4j
from neo4j import AsyncGraphDatabase, AsyncManagedTransaction, unit_of_work
from neo4j import exceptions as neo4j_errors

from graph import cypher
from graph._base import CypherStore
from graph.errors import Conflict, Unavailable
from graph.model import Kind
from graph.store import note_round_trip

# Driver 6 raises ConnectionAcquisitionTimeoutError (a ConnectionPoolError, not a ClientError) when
# the pool has no free connection in time; driver 5 raised a ClientError without a server code.
_UNREACHABLE: tuple[type[Exception], ...] = (
    neo4j_errors.ServiceUnavailable,
    neo4j_errors.SessionExpired,
    *(e for e in (getattr(neo4j_errors, "ConnectionPoolError", None),) if e is not None),
)


@contextmanager
def _translate() -> Iterator[None]:
    """Driver errors -> graph.errors (see that module's tree)."""
    try:
        yield
    except neo4j_errors.ConstraintError as exc:
        raise Conflict(exc.message or str(exc)) from exc
    except neo4j_errors.IncompleteCommit as exc:
        raise Unavailable(
            "the write's outcome is unknown (commit lost)", unknown_outcome=True
        ) from exc
    except _UNREACHABLE as exc:
        raise Unavailable(f"Neo4j is not reachable ({type(exc).__name__})") from exc
    except neo4j_errors.ClientError as exc:
        if exc.code and "TransactionTimedOut" in exc.code:
            raise Unavailable("the database query timed out") from exc
        if not exc.code:  # driver 5: no connection free in the pool in time
            raise Unavailable(f"Neo4j is not reachable ({exc.message or exc})") from exc
        raise
    except neo4j_errors.TransientError as exc:
        raise Unavailable(f"Neo4j is busy ({exc.code})") from exc
    except OSError as exc:
        raise Unavailable(f"Neo4j is not reachable ({exc})") from exc


@contextmanager
def _bounded(seconds: float, *, writing: bool) -> Iterator[None]:
    """The driver's retries can outlast the timeout; the caller's deadline is what counts."""
    try:
        yield
    except TimeoutError as exc:
        raise Unavailable(
            f"Neo4j did not answer within {seconds:g} s", unknown_outcome=writing
        ) from exc


async def _collect(
    tx: AsyncManagedTransaction, query: str, params: dict[str, Any]
) -> list[dict[str, Any]]:
    result = await tx.run(query, params)
    return [record.data() async for record in result]


async def _plan(tx: AsyncManagedTransaction, query: str, params: dict[str, Any]) -> str:
    """EXPLAIN returns no records: the plan is in the summary."""
    result = await tx.run(query, params)
    summary = await result.consume()
    return str(summary.plan)


class Neo4jStore(CypherStore):
    backend: ClassVar[str] = cypher.Backend.NEO4J

    def __init__(
        self,
        uri: str,
        *,
        user: str,
        password: str,
        database: str = "neo4j",
        timeout_ms: int = 10_000,
    ) -> None:
        self._driver = AsyncGraphDatabase.driver(
            uri,
            auth=(user, password),
            connection_timeout=min(5.0, timeout_ms / 1000),
            connection_acquisition_timeout=timeout_ms / 1000,
            max_transaction_retry_time=timeout_ms / 1000,
        )
        self._database = database
        # Sessions share bookmarks, so a read that follows a write (e.g. a conflict's re-read)
        # sees it even when a cluster routes the read to a secondary that is behind.
        self._bookmarks = AsyncGraphDatabase.bookmark_manager()
        self._timeout = timeout_ms / 1000
        # The server cancels a transaction that runs longer than this.
        self._work = unit_of_work(timeout=self._timeout)(_collect)
        self._explain = unit_of_work(timeout=self._timeout)(_plan)

    async def close(self) -> None:
        await self._driver.close()

    async def _read(self, query: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        note_round_trip()
        with _translate(), _bounded(self._timeout, writing=False):
            async with asyncio.timeout(self._timeout):
                async with self._driver.session(
                    database=self._database,
                    default_access_mode=neo4j.READ_ACCESS,
                    bookmark_manager=self._bookmarks,
                ) as session:
                    return await session.execute_read(self._work, query, params)

    async def _write(self, query: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        note_round_trip()
        with _translate(), _bounded(self._timeout, writing=True):
            async with asyncio.timeout(self._timeout):
                async with self._driver.session(
                    database=self._database, bookmark_manager=self._bookmarks
                ) as session:
                    return await session.execute_write(self._work, query, params)

    async def ping(self) -> None:
        note_round_trip()
        with _translate():
            await self._driver.verify_connectivity()

    async def setup(self) -> None:
        for kind in Kind:
            await self._write(cypher.CREATE_KEY_INDEX[cypher.Backend.NEO4J][kind], {})
        await self._write(cypher.CREATE_API_KEY_INDEX[cypher.Backend.NEO4J], {})  # API keys
        for statement in cypher.CREATE_CHANGE_INDEXES[cypher.Backend.NEO4J]:
            await self._write(statement, {})  # the audit trail (issue 4)
        for statement in cypher.CREATE_APPLICATION_INDEXES[cypher.Backend.NEO4J]:
            await self._write(statement, {})  # membership applications (issue 4)
        for statement in cypher.CREATE_FULLTEXT_INDEX[cypher.Backend.NEO4J]:
            await self._write(statement, {})  # IF NOT EXISTS (search, issue 3)

    async def explain(self, query: str, params: dict[str, Any]) -> str:
        # A write transaction: EXPLAIN of a write statement must not meet a read-only session.
        # EXPLAIN answers no records (so the rows were always "[]"): the plan is in the summary.
        note_round_trip()
        with _translate(), _bounded(self._timeout, writing=False):
            async with asyncio.timeout(self._timeout):
                async with self._driver.session(database=self._database) as session:
                    plan: str = await session.execute_write(
                        self._explain, "EXPLAIN " + query, params
                    )
                    return plan
