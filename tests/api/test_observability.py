"""Observability over real HTTP (issue 5, point 7): the request log and /metrics.

The request log is read as `hub serve` writes it: through hub.logs.JsonFormatter, one JSON
object a line. Metrics are read from /metrics and parsed with prometheus_client's own parser;
tests compare before and after, since the counters are per process (other hubs of the session
count into them too, never while a test here runs).
"""

import io
import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from conftest import Hub, hub_over
from prometheus_client.parser import text_string_to_metric_families
from starlette.datastructures import Secret

from hub.embedded import Endpoint
from hub.logs import JsonFormatter, TextFormatter
from hub.metrics import rejected
from hub.settings import Settings, SettingsError

TOKEN = "metrics-token-for-the-tests-0123"


@pytest.fixture
def request_log() -> Iterator[io.StringIO]:
    """What the `hub.requests` logger writes, formatted as JSON lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("hub.requests")
    level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def lines_of(stream: io.StringIO, request_id: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    return [line for line in lines if line.get("requestId") == request_id]


async def post(hub: Hub, request_id: str, query: str, **variables: Any) -> dict[str, Any]:
    response = await hub.client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"X-Request-ID": request_id},
    )
    return response.json()  # type: ignore[no-any-return]


async def samples(hub: Hub, **headers: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of /metrics: (name, labels) -> value."""
    response = await hub.client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(
    metrics: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    return metrics.get((name, frozenset(labels.items())), 0.0)


REQUESTS = "hub_graphql_requests_total"
ERRORS = "hub_graphql_errors_total"
DURATION_COUNT = "hub_graphql_request_duration_seconds_count"
ROUND_TRIPS_SUM = "hub_database_round_trips_sum"
ROUND_TRIPS_COUNT = "hub_database_round_trips_count"


@pytest.fixture
async def hub(falkordb_endpoint: Endpoint) -> AsyncIterator[Hub]:
    async with hub_over(falkordb_endpoint, "small.jsonl") as served:
        yield served


async def test_a_graphql_request_logs_one_json_line_with_id_operation_duration_and_round_trips(
    hub: Hub, request_log: io.StringIO
) -> None:
    answer = await post(
        hub,
        "obs-query-1",
        "query ReserveList { reserves(first: 2) { totalCount edges { node { id } } } }",
    )
    assert "errors" not in answer
    [line] = lines_of(request_log, "obs-query-1")
    assert line["operationName"] == "ReserveList"
    assert line["operationType"] == "query"
    assert line["roundTrips"] == answer["extensions"]["roundTrips"] > 0
    assert line["errorCodes"] == []
    assert line["status"] == 200 and line["method"] == "POST" and line["path"] == "/graphql"
    assert isinstance(line["durationMs"], int | float) and line["durationMs"] > 0
    assert line["level"] == "info" and line["logger"] == "hub.requests" and line["time"]
    assert line["client"] == "127.0.0.1"


async def test_the_log_line_carries_the_error_codes_the_client_saw(
    hub: Hub, request_log: io.StringIO
) -> None:
    bad = await post(hub, "obs-bad-1", "query Negative { reserves(first: -1) { totalCount } }")
    invalid = await post(hub, "obs-invalid-1", "{ reserves { noSuchField } }")
    [negative] = lines_of(request_log, "obs-bad-1")
    [refused] = lines_of(request_log, "obs-invalid-1")
    assert [error["extensions"]["code"] for error in bad["errors"]] == ["BAD_USER_INPUT"]
    assert negative["errorCodes"] == ["BAD_USER_INPUT"]
    assert negative["operationName"] == "Negative"
    assert refused["errorCodes"] == ["GRAPHQL_VALIDATION_FAILED"]
    assert [e["extensions"]["code"] for e in invalid["errors"]] == ["GRAPHQL_VALIDATION_FAILED"]
    assert refused["operationName"] is None


async def test_every_http_request_is_logged_with_its_status(
    hub: Hub, request_log: io.StringIO
) -> None:
    response = await hub.client.get("/no/such/page", headers={"X-Request-ID": "obs-404"})
    assert response.status_code == 404
    [line] = lines_of(request_log, "obs-404")
    assert line["status"] == 404 and line["path"] == "/no/such/page"
    assert "operationName" not in line


async def test_metrics_count_requests_latency_and_round_trips_by_operation_type(hub: Hub) -> None:
    before = await samples(hub)
    answers = [
        await post(hub, f"obs-metrics-{n}", "{ reserves(first: 3) { edges { node { id } } } }")
        for n in range(3)
    ]
    after = await samples(hub)
    trips = sum(answer["extensions"]["roundTrips"] for answer in answers)
    ok = {"operation_type": "query", "outcome": "ok"}
    assert value(after, REQUESTS, **ok) - value(before, REQUESTS, **ok) == 3
    assert (
        value(after, DURATION_COUNT, operation_type="query")
        - value(before, DURATION_COUNT, operation_type="query")
        == 3
    )
    assert (
        value(after, ROUND_TRIPS_COUNT, operation_type="query")
        - value(before, ROUND_TRIPS_COUNT, operation_type="query")
        == 3
    )
    assert (
        value(after, ROUND_TRIPS_SUM, operation_type="query")
        - value(before, ROUND_TRIPS_SUM, operation_type="query")
        == trips
    )
    http = {"route": "/graphql", "method": "POST", "status": "200"}
    assert (
        value(after, "hub_http_requests_total", **http)
        - value(before, "hub_http_requests_total", **http)
        == 3
    )


async def test_metrics_count_errors_by_code_and_failed_operations(hub: Hub) -> None:
    before = await samples(hub)
    await post(hub, "obs-e1", "{ reserves { noSuchField } }")
    await post(hub, "obs-e2", "{ reserves(first: -1) { totalCount } }")
    await post(hub, "obs-e3", "{ reserves(first: -5) { totalCount } }")
    after = await samples(hub)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved(ERRORS, code="GRAPHQL_VALIDATION_FAILED") == 1
    assert moved(ERRORS, code="BAD_USER_INPUT") == 2
    assert moved(REQUESTS, operation_type="query", outcome="failed") == 3
    assert moved(REQUESTS, operation_type="query", outcome="ok") == 0


async def test_refusals_by_a_limit_are_counted_by_limit(hub: Hub) -> None:
    before = await samples(hub)
    rejected("depth")
    rejected("depth")
    rejected("rate")
    after = await samples(hub)
    name = "hub_rejected_total"
    assert value(after, name, limit="depth") - value(before, name, limit="depth") == 2
    assert value(after, name, limit="rate") - value(before, name, limit="rate") == 1


async def test_in_production_metrics_are_served_to_loopback_clients_only(
    falkordb_endpoint: Endpoint,
) -> None:
    async with hub_over(falkordb_endpoint, env="production") as served:
        assert (await served.client.get("/metrics")).status_code == 200
        # X-Forwarded-For from 127.0.0.1 is believed: this is how a proxied client looks.
        proxied = await served.client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.7"})
        assert proxied.status_code == 403
        assert "HUB_METRICS_TOKEN" in proxied.text


async def test_with_a_metrics_token_metrics_need_it(falkordb_endpoint: Endpoint) -> None:
    async with hub_over(falkordb_endpoint, metrics_token=Secret(TOKEN)) as served:
        assert (await served.client.get("/metrics")).status_code == 401
        wrong = {"Authorization": "Bearer not-the-token-at-all"}
        assert (await served.client.get("/metrics", headers=wrong)).status_code == 401
        right = await samples(served, Authorization=f"Bearer {TOKEN}")
        refused = {"route": "/metrics", "method": "GET", "status": "401"}
        assert value(right, "hub_http_requests_total", **refused) >= 2


def test_log_format_defaults_to_text_in_development_and_json_in_production() -> None:
    assert Settings.from_environ({}).logs_as == "text"
    assert Settings.from_environ({"HUB_ENV": "production"}).logs_as == "json"
    assert Settings.from_environ({"HUB_LOG_FORMAT": "json"}).logs_as == "json"
    with pytest.raises(SettingsError, match="HUB_LOG_FORMAT must be json or text"):
        Settings.from_environ({"HUB_LOG_FORMAT": "xml"})
    with pytest.raises(SettingsError, match="HUB_METRICS_TOKEN must be at least 16"):
        Settings.from_environ({"HUB_METRICS_TOKEN": "short"})


def test_text_log_lines_carry_the_same_fields_as_key_values() -> None:
    record = logging.LogRecord("hub.requests", logging.INFO, __file__, 1, "POST /graphql 200",
                               None, None)  # fmt: skip
    record.fields = {"requestId": "abc", "errorCodes": [], "roundTrips": 2}
    text = TextFormatter().format(record)
    assert text.endswith("POST /graphql 200 requestId=abc errorCodes=- roundTrips=2")
    line = json.loads(JsonFormatter().format(record))
    assert line["requestId"] == "abc" and line["roundTrips"] == 2 and line["errorCodes"] == []
