"""The FalkorDB backend: the embedded default, over redis' async client.

Each statement is one GRAPH.QUERY (reads as GRAPH.RO_QUERY), which FalkorDB runs atomically.
We build the redis client ourselves and wrap it in falkordb's AsyncGraph: the falkordb
`FalkorDB(...)` constructor makes a blocking cluster probe (DESIGN.md).
"""

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ClassVar

import redis.asyncio as aioredis
from falkordb.asyncio.graph import AsyncGraph
from redis import exceptions as redis_errors
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from graph import cypher
from graph._base import CypherStore
from graph.errors import Conflict, Unavailable
from graph.model import Kind
from graph.store import note_round_trip

log = logging.getLogger(__name__)

_EMPTY_KEY = "empty key"


# How many connections were handed out during the statement being run (set by `_run`, counted
# by `_Pool`). Zero: nothing can have reached the server. One: the statement's own command
# may have been sent. More: the statement went out and a follow-up (falkordb's schema lookup
# while parsing the result) failed, so a write may have happened whatever that error says.
_SENT: ContextVar[list[int] | None] = ContextVar("falkordb_sent", default=None)


class _Pool(aioredis.BlockingConnectionPool):
    """redis' pool, noting when a statement gets a connection (its command may then be sent).

    A failure to get one (connection refused, no socket, no free connection in time) happens
    before anything is written to a socket: the command certainly did not run.
    """

    async def get_connection(self, *args: Any, **kwargs: Any) -> Any:
        connection = await super().get_connection(*args, **kwargs)  # type: ignore[no-untyped-call]
        sent = _SENT.get()
        if sent is not None:
            sent[0] += 1
        return connection


@contextmanager
def _translate(*, writing: bool) -> Iterator[None]:
    """FalkorDB/redis errors -> graph.errors (see that module's tree)."""
    sent = _SENT.get()
    try:
        yield
    except redis_errors.BusyLoadingError as exc:
        # The server answered LOADING (it is replaying its log after a restart): refused, not run.
        raise Unavailable(
            "the database is loading its data",
            unknown_outcome=writing and (sent is None or sent[0] > 1),
        ) from exc
    except redis_errors.ResponseError as exc:
        text = str(exc)
        if "unique constraint violation" in text:
            raise Conflict(text) from exc
        if "timed out" in text.lower():
            raise Unavailable("the database query timed out") from exc
        if "loading" in text.lower():
            raise Unavailable("the database is loading its data") from exc
        raise
    except (redis_errors.ConnectionError, redis_errors.TimeoutError, OSError) as exc:
        # A write whose command may have been sent (a connection was handed out for it) may or
        # may not have been applied; one that never got a connection was not.
        raise Unavailable(
            f"the embedded database is not reachable ({type(exc).__name__})",
            unknown_outcome=writing and (sent is None or sent[0] > 0),
        ) from exc


class FalkorStore(CypherStore):
    backend: ClassVar[str] = cypher.Backend.FALKORDB

    def __init__(
        self,
        url: str,
        *,
        graph: str = "wnmbr",
        password: str | None = None,
        timeout_ms: int = 10_000,
        max_connections: int = 32,
        rewrite_log: bool = True,
    ) -> None:
        self._pool = _Pool.from_url(
            url,
            password=password,
            max_connections=max_connections,
            timeout=timeout_ms / 1000,
            socket_connect_timeout=2,
            decode_responses=True,
        )
        # No hidden retries: a caller must learn that a write's outcome is unknown.
        self._client = aioredis.Redis(connection_pool=self._pool, retry=Retry(NoBackoff(), 0))
        self._graph = AsyncGraph(self._client, graph)
        self._graph_name = graph
        self._timeout_ms = timeout_ms
        self._rewrite_log = rewrite_log

    @property
    def graph_name(self) -> str:
        return self._graph_name

    async def close(self) -> None:
        await self._client.aclose()
        await self._pool.aclose()

    async def _run(
        self, query: str, params: dict[str, Any], *, read_only: bool
    ) -> list[dict[str, Any]]:
        note_round_trip()
        token = _SENT.set([0])
        try:
            return await self._statement(query, params, read_only=read_only)
        finally:
            _SENT.reset(token)

    async def _statement(
        self, query: str, params: dict[str, Any], *, read_only: bool
    ) -> list[dict[str, Any]]:
        with _translate(writing=not read_only):
            try:
                if read_only:
                    result = await self._graph.ro_query(query, params, timeout=self._timeout_ms)
                else:
                    result = await self._graph.query(query, params, timeout=self._timeout_ms)
            except redis_errors.ResponseError as exc:
                if read_only and _EMPTY_KEY in str(exc):
                    return []  # the graph has not been created yet: nothing to read
                raise
        names = [column[1] for column in result.header]
        return [dict(zip(names, row, strict=True)) for row in result.result_set]

    async def _read(self, query: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        return await self._run(query, params, read_only=True)

    async def _write(self, query: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        return await self._run(query, params, read_only=False)

    async def _command(self, *args: Any) -> Any:
        note_round_trip()
        with _translate(writing=False):
            return await self._client.execute_command(*args)  # type: ignore[no-untyped-call]

    async def ping(self) -> None:
        await self._command("PING")

    async def setup(self) -> None:
        created = False
        for kind in Kind:
            try:
                await self._write(cypher.CREATE_KEY_INDEX[cypher.Backend.FALKORDB][kind], {})
                created = True
            except redis_errors.ResponseError as exc:
                if "already indexed" not in str(exc):
                    raise
            try:
                await self._command(
                    "GRAPH.CONSTRAINT", "CREATE", self._graph_name,
                    "UNIQUE", "NODE", str(kind), "PROPERTIES", "1", "id",
                )  # fmt: skip
                created = True
            except redis_errors.ResponseError as exc:
                if "already exists" not in str(exc):
                    raise
        try:  # API keys (issue 4): an internal label, unique by id like the kinds
            await self._write(cypher.CREATE_API_KEY_INDEX[cypher.Backend.FALKORDB], {})
            created = True
        except redis_errors.ResponseError as exc:
            if "already indexed" not in str(exc):
                raise
        try:
            await self._command(
                "GRAPH.CONSTRAINT", "CREATE", self._graph_name,
                "UNIQUE", "NODE", "ApiKey", "PROPERTIES", "1", "id",
            )  # fmt: skip
            created = True
        except redis_errors.ResponseError as exc:
            if "already exists" not in str(exc):
                raise
        for statement in cypher.CREATE_CHANGE_INDEXES[cypher.Backend.FALKORDB]:
            try:  # the audit trail (issue 4): changes by node, other end and time
                await self._write(statement, {})
                created = True
            except redis_errors.ResponseError as exc:
                if "already indexed" not in str(exc):
                    raise
        for statement in cypher.CREATE_APPLICATION_INDEXES[cypher.Backend.FALKORDB]:
            try:  # membership applications (issue 4): an internal label
                await self._write(statement, {})
                created = True
            except redis_errors.ResponseError as exc:
                if "already indexed" not in str(exc):
                    raise
        for statement in cypher.CREATE_FULLTEXT_INDEX[cypher.Backend.FALKORDB]:
            try:  # one full-text index per label (search, issue 3)
                await self._write(statement, {})
                created = True
            except redis_errors.ResponseError as exc:
                if "already indexed" not in str(exc):
                    raise
        if created:
            await self.after_bulk_write()

    async def explain(self, query: str, params: dict[str, Any]) -> str:
        """The engine's plan for a statement (used by the syntax test)."""
        note_round_trip()
        plan = await self._graph.explain(query, params)
        return str(plan)

    async def after_bulk_write(self) -> None:
        """Rewrite the append-only file so that a restart reads a snapshot, not a replay."""
        if not self._rewrite_log:
            return
        try:
            await self._command("BGREWRITEAOF")
        except redis_errors.ResponseError as exc:
            if "already in progress" not in str(exc):
                raise
        for _ in range(600):
            info = await self._client.info("persistence")
            if not info.get("aof_rewrite_in_progress") and not info.get("aof_rewrite_scheduled"):
                return
            await asyncio.sleep(0.05)
        log.warning("append-only file rewrite still running after 30 s")

    async def drop(self) -> None:
        """Delete the whole graph key (tests use a fresh graph each)."""
        try:
            await self._command("GRAPH.DELETE", self._graph_name)
        except redis_errors.ResponseError as exc:
            if _EMPTY_KEY not in str(exc) and "not found" not in str(exc).lower():
                raise
