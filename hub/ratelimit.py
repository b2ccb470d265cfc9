"""Rate limits: requests per client address, operations per caller, query cost per caller.

    HUB_RATE_LIMIT_ADDRESS  600/min   HTTP requests to /graphql from one client address
    HUB_RATE_LIMIT_KEY      600/min   operations run by one API key or token subject
    HUB_COST_BUDGET         200,000/min  query cost (schema/limits.py) one caller may spend

A caller is its API key or token subject (`Viewer.actor`); anonymous callers share their
address's cost budget. A refusal answers `RATE_LIMITED` with HTTP 429 and a `Retry-After`
header (whole seconds), and `extensions.retryAfter` and `extensions.limit` ("address", "key"
or "cost budget"). The address limit is checked first, before the request body is read or its
credential looked up; the cost is computed once, at validation, and charged before execution,
so an operation refused for its cost never runs. 0 turns a limit off.

Each limit is a token bucket holding one minute's worth, refilled continuously: a burst of a
full minute's allowance is accepted, then the steady rate. An operation dearer than the whole
budget runs only from a full bucket and leaves the caller in debt until it refills.

The client address is the socket peer; X-Forwarded-For is believed only when the peer is one
of HUB_TRUSTED_PROXIES (addresses or networks; by default 127.0.0.1 and ::1, a proxy on the same
host, as uvicorn does), and then its rightmost address that is not a trusted proxy is the client
(uvicorn's ProxyHeadersMiddleware, outermost in hub/app.py; `hub serve` turns uvicorn's own
handling off). A
same-host proxy that does not set X-Forwarded-For makes every client one address.

Limitation: the buckets live in the process. With HUB_WORKERS > 1 (or several hub instances)
each enforces its own share, so a client may get up to workers x the limits; a shared store
(Redis) is future work. Buckets of idle clients are forgotten first when more than 100,000 are
held, which at worst gives such a client a fresh allowance.
"""

import asyncio
import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError, OperationType
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.types import ExecutionResult

from hub.http_spec import operation_type
from hub.settings import Settings
from schema.extensions import OperationRecord, record_operation
from schema.limits import Limits
from schema.permissions import Role, Viewer

RATE_LIMITED = "RATE_LIMITED"
TIMEOUT = "TIMEOUT"
_MAX_KEYS = 100_000


class TokenBuckets:
    """One token bucket per key, each holding `per_minute` tokens when full."""

    def __init__(
        self,
        per_minute: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = _MAX_KEYS,
    ) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key: tokens, at

    def take(self, key: str, amount: int = 1) -> float:
        """Take `amount` tokens: 0.0 when taken, else the seconds until they would be there
        (and nothing is taken). More than a full bucket is taken only from a full bucket."""
        if self.capacity <= 0:
            return 0.0  # this limit is off
        now = self._clock()
        tokens, at = self._buckets.pop(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - at) * self.rate)
        needed = min(float(amount), self.capacity)
        wait = 0.0
        if tokens >= needed:
            tokens -= amount
        else:
            wait = (needed - tokens) / self.rate
        self._buckets[key] = (tokens, now)
        while len(self._buckets) > self._max_keys:
            self._buckets.popitem(last=False)  # the least recently seen
        return wait


def retry_after(wait: float) -> int:
    """Whole seconds for a Retry-After header: never 0 for a refusal."""
    return max(1, math.ceil(wait))


def rate_limited_error(message: str, limit: str, wait: float, **more: Any) -> dict[str, Any]:
    """A GraphQL error (as JSON) for a refusal by a rate limit."""
    return {
        "message": message,
        "extensions": {
            "code": RATE_LIMITED, "limit": limit, "retryAfter": retry_after(wait), **more,
        },
    }  # fmt: skip


class _Budget:
    """A caller's cost budget, as schema/limits.py's CostBudget."""

    __slots__ = ("_buckets", "_key")

    def __init__(self, buckets: TokenBuckets, key: str) -> None:
        self._buckets = buckets
        self._key = key

    def charge(self, cost: int) -> float:
        return self._buckets.take(self._key, cost)


@dataclass(frozen=True, slots=True)
class Refusal:
    limit: str
    wait: float


class RateLimiter:
    """The hub's rate limits (one per application; see the module docstring)."""

    def __init__(
        self,
        *,
        per_address: int = 600,
        per_key: int = 600,
        cost_per_key: int = 200_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.addresses = TokenBuckets(per_address, clock=clock)
        self.keys = TokenBuckets(per_key, clock=clock)
        self.costs = TokenBuckets(cost_per_key, clock=clock)

    @classmethod
    def from_settings(cls, settings: Settings) -> "RateLimiter":
        return cls(
            per_address=settings.rate_limit_address,
            per_key=settings.rate_limit_key,
            cost_per_key=settings.cost_budget,
        )

    @staticmethod
    def client_address(scope: Scope) -> str:
        """The client: the socket peer, or what a trusted proxy forwarded for (see `proxied`)."""
        client = scope.get("client")
        return str(client[0]) if client else "unknown"

    def for_address(self, address: str) -> Refusal | None:
        wait = self.addresses.take(address)
        return Refusal("address", wait) if wait > 0 else None

    def for_key(self, actor: str, operations: int) -> Refusal | None:
        wait = self.keys.take(actor, operations)
        return Refusal("key", wait) if wait > 0 else None

    def budget(self, caller: str) -> _Budget:
        return _Budget(self.costs, caller)


class AddressRateLimit:
    """ASGI middleware: refuse /graphql requests over the per-address limit, before anything
    else is done for them, and note the client address for the view (`state.client_address`)."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter, paths: Sequence[str] = ("/graphql",)):
        self.app = app
        self.limiter = limiter
        self.paths = frozenset(paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        address = self.limiter.client_address(scope)
        scope.setdefault("state", {})["client_address"] = address
        refusal = self.limiter.for_address(address)
        if refusal is None:
            await self.app(scope, receive, send)
            return
        seconds = retry_after(refusal.wait)
        response = JSONResponse(
            {
                "errors": [
                    rate_limited_error(
                        f"Too many requests from this address; retry in {seconds} s.",
                        "address",
                        refusal.wait,
                    )
                ]
            },
            status_code=429,
            headers={"Retry-After": str(seconds)},
        )
        await response(scope, receive, send)


def limits_of(settings: Settings) -> Limits:
    """The document limits of schema/limits.py, from the settings."""
    return Limits(
        max_depth=settings.max_depth,
        max_aliases=settings.max_aliases,
        max_directives=settings.max_directives,
        max_tokens=settings.max_tokens,
        max_document_chars=settings.max_document_chars,
        max_cost=settings.max_query_cost,
        introspection=settings.allow_introspection,
    )


def caller(viewer: Viewer, address: str | None) -> str:
    """Whose budget a request spends: its key or token subject, else its address."""
    return viewer.actor if viewer.role is not Role.ANONYMOUS else f"address:{address}"


def _may_write(batch: object) -> bool:
    """Whether any operation of the request is (or might be) a mutation."""
    for item in batch if isinstance(batch, list) else [batch]:
        query = getattr(item, "query", None)
        kind = operation_type(query, getattr(item, "operation_name", None)) if query else None
        if kind is not OperationType.QUERY:
            return True
    return False


def _each(batch: object, result: ExecutionResult) -> Any:
    return [result for _ in batch] if isinstance(batch, list) else result


def _errors(result: Any) -> Iterable[GraphQLError]:
    for one in result if isinstance(result, list) else [result]:
        yield from getattr(one, "errors", None) or ()


def _answer_rate_limited(result: Any, sub_response: Response | None) -> None:
    """HTTP 429 with Retry-After when the operation (every one of a batch) was rate limited;
    Retry-After alone when only some of a batch were."""
    results = result if isinstance(result, list) else [result]
    waits = [
        int((error.extensions or {}).get("retryAfter", 1))
        for error in _errors(result)
        if (error.extensions or {}).get("code") == RATE_LIMITED
    ]
    if not waits or sub_response is None:
        return
    sub_response.headers["Retry-After"] = str(max(waits))
    limited = [
        any(
            (e.extensions or {}).get("code") == RATE_LIMITED
            for e in getattr(r, "errors", None) or ()
        )
        for r in results
    ]
    if all(limited):
        sub_response.status_code = 429


def _settled(work: "asyncio.Future[Any]") -> None:
    """Retrieve what a timed-out operation ended with (asyncio would log it otherwise)."""
    if not work.cancelled():
        work.exception()


async def run_within_limits(
    run: Callable[[], Awaitable[Any]],
    *,
    limiter: RateLimiter,
    timeout_ms: int,
    viewer: Viewer,
    batch: object,
    sub_response: Response | None,
) -> Any:
    """Run a request's operations under the per-key rate limit and the request time limit.

    The operations run in a task of their own. Past HUB_REQUEST_TIMEOUT_MS the answer is
    TIMEOUT, at once, and the task is cancelled: the cancellation reaches the database call in
    flight (redis closes that connection; the Neo4j driver ends its transaction). The server
    side is bounded as well: FalkorDB abandons a statement after HUB_QUERY_TIMEOUT_MS (its
    per-query timeout), Neo4j after its transaction timeout (the same setting), so keep that
    below the request time limit (the defaults are 10 s and 15 s). A cancellation that lands
    where a library holds it up (seen: redis opening a new connection) lets the operation
    finish in the background, each of its statements still bounded by HUB_QUERY_TIMEOUT_MS.
    """
    if viewer.role is not Role.ANONYMOUS:
        operations = len(batch) if isinstance(batch, list) else 1
        refusal = limiter.for_key(viewer.actor, operations)
        if refusal is not None:
            record_operation(OperationRecord(codes=[RATE_LIMITED]))  # counted, though not run
            seconds = retry_after(refusal.wait)
            error = rate_limited_error(
                f"Too many operations for this key; retry in {seconds} s.", "key", refusal.wait
            )
            refused = ExecutionResult(
                data=None,
                errors=[GraphQLError(error["message"], extensions=error["extensions"])],
            )
            result = _each(batch, refused)
            _answer_rate_limited(result, sub_response)
            return result
    work = asyncio.ensure_future(run())
    try:
        done, _ = await asyncio.wait({work}, timeout=timeout_ms / 1000)
    except asyncio.CancelledError:  # the request itself was cancelled (the server stopping)
        work.cancel()
        raise
    if work in done:
        result = work.result()
    else:
        # Cancel it (reaching the database call in flight) and answer now, without waiting for
        # the cancellation to settle: a library on the way may hold it up (a connection being
        # opened, graphql-core gathering fields), and the client is owed its answer.
        work.cancel()
        work.add_done_callback(_settled)
        record_operation(OperationRecord(codes=[TIMEOUT]))
        timed_out = ExecutionResult(
            data=None,
            errors=[
                GraphQLError(
                    f"The request took longer than {timeout_ms} ms, the most this hub allows, "
                    "and was stopped. Ask for less (smaller pages, a narrower filter) or retry "
                    "later.",
                    extensions={"code": TIMEOUT, "timeoutMs": timeout_ms}
                    # A stopped mutation may or may not have written: say so, as UNAVAILABLE does.
                    | ({"unknownOutcome": True} if _may_write(batch) else {}),
                )
            ],
        )
        result = _each(batch, timed_out)
    _answer_rate_limited(result, sub_response)
    return result
