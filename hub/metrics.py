"""Prometheus metrics, served at /metrics (text exposition format).

    hub_http_requests_total{route, method, status}        every HTTP request
    hub_graphql_requests_total{operation_type, outcome}   GraphQL operations: outcome is `ok`
                                                          (no error), `partial` (data and
                                                          errors) or `failed` (no data)
    hub_graphql_errors_total{code}                        errors returned, by extensions.code
    hub_graphql_request_duration_seconds{operation_type}  latency of /graphql requests
    hub_database_round_trips{operation_type}              database calls per operation
    hub_rejected_total{limit}                             requests refused by an abuse limit

Who may read it: with HUB_METRICS_TOKEN set, a client sending `Authorization: Bearer <token>`;
without it, anyone in development and only loopback clients in production (a Prometheus on the
same host; behind a proxy, the client is the address it forwards, see HUB_TRUSTED_PROXIES).

Several workers (HUB_WORKERS > 1): `hub serve` points PROMETHEUS_MULTIPROC_DIR at an emptied
directory under the data directory before the workers start; each worker writes its samples
there and /metrics, whichever worker answers it, adds them all up.
"""

import hmac
import ipaddress
import os
import shutil
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

# Names of the abuse limits, the only values `rejected` should be given (a bounded label).
LIMITS = (
    "depth",
    "aliases",
    "directives",
    "tokens",
    "size",
    "cost",
    "batch",
    "timeout",
    "rate",
    "cost_budget",
    "trusted_documents",
)

HTTP_REQUESTS = Counter(
    "hub_http_requests", "HTTP requests answered.", ["route", "method", "status"]
)
GRAPHQL_REQUESTS = Counter(
    "hub_graphql_requests",
    "GraphQL operations executed, by type and outcome (ok, partial, failed).",
    ["operation_type", "outcome"],
)
GRAPHQL_ERRORS = Counter(
    "hub_graphql_errors", "GraphQL errors returned, by extensions.code.", ["code"]
)
GRAPHQL_DURATION = Histogram(
    "hub_graphql_request_duration_seconds",
    "Time to answer a /graphql request.",
    ["operation_type"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
ROUND_TRIPS = Histogram(
    "hub_database_round_trips",
    "Database calls made by one GraphQL operation.",
    ["operation_type"],
    buckets=(0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89),
)
REJECTED = Counter("hub_rejected", "Requests refused by an abuse limit, by limit.", ["limit"])


def rejected(limit: str) -> None:
    """Count one request refused by `limit` (one of LIMITS)."""
    REJECTED.labels(limit=limit).inc()


def prepare_multiprocess_dir(path: Path) -> None:
    """Make `path` an empty directory and point PROMETHEUS_MULTIPROC_DIR at it, for the
    workers to come (call before they start; stale files from a last run would add up)."""
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    os.environ[MULTIPROC_ENV] = str(path)


def exposition() -> bytes:
    """The metrics in Prometheus' text format: this process's, or every worker's."""
    directory = os.environ.get(MULTIPROC_ENV)
    if directory:
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def _loopback(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def metrics(request: Request) -> Response:
    settings = request.state.hub.settings
    token = str(settings.metrics_token) if settings.metrics_token is not None else None
    if token is not None:
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return PlainTextResponse(
                "metrics need Authorization: Bearer <HUB_METRICS_TOKEN>\n",
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
            )
    elif settings.env == "production" and not _loopback(request):
        return PlainTextResponse(
            "metrics are served to loopback clients only (or set HUB_METRICS_TOKEN)\n",
            status_code=403,
        )
    return Response(exposition(), media_type=CONTENT_TYPE_LATEST)
