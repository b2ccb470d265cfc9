"""What each HTTP request did: one line in the request log (`hub.requests`, see hub/logs.py for
its fields) and its counts in /metrics (see hub/metrics.py)."""

import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub import metrics
from hub.logs import FIELDS
from schema.extensions import OperationRecord, recording_operations

requests_log = logging.getLogger("hub.requests")

_QUIET = frozenset({"/healthz", "/readyz", "/metrics"})  # probes and scrapes: debug level
_ROUTES = frozenset({"/", "/graphql", "/healthz", "/readyz", "/metrics"})


def _route(path: str, status: int) -> str:
    """A bounded label for a path: the route, or its first segment (/explore/...)."""
    if path in _ROUTES:
        return path
    if status == 404:
        return "unmatched"
    return "/" + path.lstrip("/").split("/", 1)[0]


class Observe:
    """Log one line per HTTP request (fields: hub/logs.py) and count it in /metrics.

    Sits inside RequestId (which gives the id) and around everything else, so that requests
    refused early (limits, CORS) are logged and counted too.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # unless a response starts

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        with recording_operations() as operations:
            try:
                await self.app(scope, receive, send_status)
            finally:
                _finish(scope, status, time.perf_counter() - started, operations)


def _finish(scope: Scope, status: int, seconds: float, operations: list[OperationRecord]) -> None:
    path: str = scope.get("path", "")
    method: str = scope.get("method", "")
    route = _route(path, status)
    metrics.HTTP_REQUESTS.labels(route=route, method=method, status=str(status)).inc()
    client = scope.get("client")
    fields: dict[str, Any] = {
        "requestId": scope.get("state", {}).get("request_id"),
        "method": method,
        "path": path[:200],
        "status": status,
        "durationMs": round(seconds * 1000, 1),
        "client": client[0] if client else None,
    }
    for operation in operations:
        operation.settle()
        kind = operation.type or "none"
        outcome = "ok" if not operation.codes else "partial" if operation.answered else "failed"
        metrics.GRAPHQL_REQUESTS.labels(operation_type=kind, outcome=outcome).inc()
        metrics.ROUND_TRIPS.labels(operation_type=kind).observe(operation.round_trips)
        for code in operation.codes:
            metrics.GRAPHQL_ERRORS.labels(code=code).inc()
    if operations or route == "/graphql":
        first = operations[0].type if operations else None
        metrics.GRAPHQL_DURATION.labels(operation_type=first or "none").observe(seconds)
    if operations:
        names = [op.name[:100] if op.name else None for op in operations]
        kinds = [op.type for op in operations]
        single = len(operations) == 1
        fields["operationName"] = names[0] if single else names
        fields["operationType"] = kinds[0] if single else kinds
        fields["roundTrips"] = sum(op.round_trips for op in operations)
        fields["errorCodes"] = [code for op in operations for code in op.codes]
    level = (
        logging.DEBUG
        if path in _QUIET and status < 500
        else logging.ERROR
        if status >= 500
        else logging.INFO
    )
    requests_log.log(level, "%s %s %d", method, path[:200], status, extra={FIELDS: fields})
