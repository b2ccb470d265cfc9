"""Abuse limits over real HTTP: document limits (schema/limits.py), batches, the request time
limit, and the rate limits and cost budgets of hub/ratelimit.py.

Each document limit is tested at its default on the shared hub (exactly at the limit runs, one
over is refused with GRAPHQL_VALIDATION_FAILED and `extensions.limit`); the rate limits on hubs
of their own with small limits (the session hubs run with rate limits off, see conftest).
"""

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from conftest import Hub, hub_over, new_falkor_store, ok, run_server

from hub.auth import new_api_key
from hub.embedded import Endpoint
from hub.ratelimit import TokenBuckets
from hub.settings import Settings, SettingsError
from schema.permissions import Role

VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
DEFAULTS = Settings()


def only_error(answer: dict[str, Any]) -> dict[str, Any]:
    assert answer.get("data") is None, answer
    assert len(answer["errors"]) == 1, answer["errors"]
    return answer["errors"][0]  # type: ignore[no-any-return]


def refused_for(answer: dict[str, Any], limit: str, maximum: int) -> dict[str, Any]:
    error = only_error(answer)
    assert error["extensions"]["code"] == VALIDATION_FAILED, error
    assert error["extensions"]["limit"] == limit, error
    assert error["extensions"]["maximum"] == maximum, error
    return error


# --- depth -----------------------------------------------------------------------------------------
# Reserve -> networks -> Network -> reserves -> ...: each of these fields adds one level.
_CHAIN = ["reserves(first: 1)", "nodes", "networks(first: 1)", "nodes"]


def deep(depth: int) -> str:
    """A query exactly `depth` levels deep (graphql-depth-limit's count: `{ a { b } }` is 1)."""
    fields = [_CHAIN[i % len(_CHAIN)] for i in range(depth)]
    leaf = "id" if fields[-1] == "nodes" else "totalCount"
    return "{ " + " { ".join(fields) + " { " + leaf + " }" * (depth + 1)


async def test_a_query_as_deep_as_the_limit_runs_and_one_level_more_is_refused(
    small_hub: Hub,
) -> None:
    limit = DEFAULTS.max_depth
    ok(await small_hub.graphql(deep(limit)))
    error = refused_for(await small_hub.graphql(deep(limit + 1)), "depth", limit)
    assert error["extensions"]["actual"] == limit + 1
    assert error["message"] == (
        f"The operation is {limit + 1} levels deep; at most {limit} are allowed."
    )


async def test_depth_counts_through_fragments(small_hub: Hub) -> None:
    limit = DEFAULTS.max_depth
    inner = deep(limit + 1)[1:-1]  # the selection without the outer braces
    query = f"query Deep {{ ...Inner }} fragment Inner on Query {{ {inner} }}"
    error = refused_for(await small_hub.graphql(query), "depth", limit)
    assert error["message"].startswith("The operation Deep is")


async def test_the_explorer_and_the_example_operations_fit_in_the_default_limits(
    small_hub: Hub,
) -> None:
    from hub.graphiql import load_operations

    for name, text in load_operations().items():
        answer = await small_hub.graphql(text)
        limit_errors = [e for e in answer.get("errors", []) if "limit" in e.get("extensions", {})]
        assert limit_errors == [], name
        assert answer["extensions"]["cost"] <= DEFAULTS.max_query_cost


# --- aliases and directives --------------------------------------------------------------------------
async def test_as_many_aliases_as_the_limit_run_and_one_more_is_refused(small_hub: Hub) -> None:
    limit = DEFAULTS.max_aliases

    def aliases(n: int) -> str:
        return "{ " + " ".join(f"a{i}: __typename" for i in range(n)) + " }"

    answer = ok(await small_hub.graphql(aliases(limit)))
    assert len(answer) == limit
    error = refused_for(await small_hub.graphql(aliases(limit + 1)), "aliases", limit)
    assert error["extensions"]["actual"] == limit + 1
    assert (
        error["message"] == f"The operation uses {limit + 1} aliases; at most {limit} are allowed."
    )


async def test_as_many_directives_as_the_limit_run_and_one_more_is_refused(small_hub: Hub) -> None:
    limit = DEFAULTS.max_directives

    def directives(n: int) -> str:
        return "{ " + "__typename @skip(if: false) " * n + "}"

    assert ok(await small_hub.graphql(directives(limit))) == {"__typename": "Query"}
    error = refused_for(await small_hub.graphql(directives(limit + 1)), "directives", limit)
    assert error["extensions"]["actual"] == limit + 1
    assert "directives" in error["message"]


async def test_nested_fragments_are_measured_without_expanding_every_spread(
    small_hub: Hub,
) -> None:
    # 30 fragments, each spreading the next twice: 2^30 aliases once expanded. Walking every
    # spread (as strawberry's limiters do) would take hours; each fragment is measured once.
    n = 30
    fragments = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(n))
    query = f"{{ ...F0 }} {fragments} fragment F{n} on Query {{ a: __typename }}"
    started = time.monotonic()
    error = refused_for(await small_hub.graphql(query), "aliases", DEFAULTS.max_aliases)
    assert error["extensions"]["actual"] == 2**n
    assert time.monotonic() - started < 10  # a behaviour bound, not a benchmark


# --- tokens and size -----------------------------------------------------------------------------------
def tokens(n: int) -> str:
    """A document of exactly n tokens: 500 of a query ({, }, and 498 field names), the rest
    comments (which count: they are read and kept as tokens too). Not 1,000 field names:
    graphql-core's validation gives up on that many fields of one name ("Validation aborted")."""
    return "#\n" * (n - 500) + "{ " + "__typename " * 498 + "}"


async def test_a_document_of_as_many_tokens_as_the_limit_runs_and_one_more_is_refused(
    small_hub: Hub,
) -> None:
    limit = DEFAULTS.max_tokens
    assert len(tokens(limit + 1)) < DEFAULTS.max_document_chars  # the size limit is not the cause
    assert ok(await small_hub.graphql(tokens(limit))) == {"__typename": "Query"}
    error = refused_for(await small_hub.graphql(tokens(limit + 1)), "tokens", limit)
    assert error["message"] == (
        f"The document has more than {limit} tokens; at most {limit} are allowed."
    )


async def test_comments_count_as_tokens(small_hub: Hub) -> None:
    limit = DEFAULTS.max_tokens
    query = "# a comment\n" * limit + "{ __typename }"
    assert "errors" not in await small_hub.graphql("# a comment\n" * 10 + "{ __typename }")
    refused_for(await small_hub.graphql(query), "tokens", limit)


async def test_a_document_as_long_as_the_limit_runs_and_one_character_more_is_refused(
    small_hub: Hub,
) -> None:
    limit = DEFAULTS.max_document_chars

    def sized(n: int) -> str:
        text = "{ __typename }"
        return text[:-1] + " " * (n - len(text)) + "}"

    assert len(sized(limit)) == limit
    assert ok(await small_hub.graphql(sized(limit))) == {"__typename": "Query"}
    error = refused_for(await small_hub.graphql(sized(limit + 1)), "size", limit)
    assert error["extensions"]["actual"] == limit + 1
    assert error["message"] == (
        f"The document has {limit + 1} characters; at most {limit} are allowed."
    )


# --- cost ----------------------------------------------------------------------------------------------
# 100 reserves x (1 + their nodes object: 1 + 98 people pages of one totalCount each) = 10,000
TEN_THOUSAND = "reserves(first: 100) { nodes { people(first: 98) { totalCount } } }"


async def test_a_query_costing_the_limit_runs_and_one_more_is_refused_with_its_cost(
    small_hub: Hub,
) -> None:
    assert DEFAULTS.max_query_cost == 50_000  # the documents below are built for this
    five = " ".join(f"r{i}: {TEN_THOUSAND}" for i in range(5))
    answer = await small_hub.graphql(f"{{ {five} }}")
    assert "errors" not in answer, answer["errors"]
    assert answer["extensions"]["cost"] == 50_000
    # one more object: themes(first: 1) costs 1 x (1 + 0)
    over = await small_hub.graphql(f"{{ {five} themes(first: 1) {{ totalCount }} }}")
    error = refused_for(over, "cost", 50_000)
    assert error["extensions"]["cost"] == 50_001
    assert "costs 50001" in error["message"]


async def test_the_cost_follows_page_sizes_given_as_variables(small_hub: Hub) -> None:
    query = "query($n: Int, $m: Int = 3) { reserves(first: $n) { nodes { people(first: $m) { totalCount } } } }"
    answer = await small_hub.graphql(query, n=10)
    assert answer["extensions"]["cost"] == 10 * (1 + (1 + 3))
    answer = await small_hub.graphql(query, n=10, m=5)
    assert answer["extensions"]["cost"] == 10 * (1 + (1 + 5))
    # no `first`: the default page size, 20
    answer = await small_hub.graphql("{ reserves { totalCount } }")
    assert answer["extensions"]["cost"] == 20


async def test_a_refused_first_is_a_bad_input_not_a_cost(small_hub: Hub) -> None:
    # `first` above the hub maximum is costed at the maximum: the field refuses it by name.
    answer = await small_hub.graphql("{ reserves(first: 100000) { totalCount } }")
    error = only_error(answer)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["argument"] == "first"


# --- batches -------------------------------------------------------------------------------------------
async def test_a_batch_of_as_many_operations_as_the_limit_runs_and_one_more_is_refused(
    small_hub: Hub,
) -> None:
    limit = DEFAULTS.max_batch
    batch = [{"query": "query($i: Int) { reserves(first: $i) { totalCount } }", "variables": {"i": i}}
             for i in range(limit + 1)]  # fmt: skip
    response = await small_hub.client.post("/graphql", json=batch[:limit])
    assert response.status_code == 200
    answers = response.json()
    assert len(answers) == limit
    assert all("errors" not in answer for answer in answers), answers
    response = await small_hub.client.post("/graphql", json=batch)
    assert response.status_code == 400
    assert f"at most {limit} operations" in response.text


async def test_the_batch_limit_is_a_setting(falkordb_endpoint: Endpoint) -> None:
    async with hub_over(falkordb_endpoint, "small.jsonl", max_batch=2) as hub:
        two = [{"query": "{ __typename }"}] * 2
        assert (await hub.client.post("/graphql", json=two)).status_code == 200
        response = await hub.client.post("/graphql", json=[*two, {"query": "{ __typename }"}])
        assert response.status_code == 400
        assert "at most 2 operations" in response.text


# --- time limit ----------------------------------------------------------------------------------------
async def test_a_request_over_the_time_limit_is_stopped_with_timeout(
    demo_hub: Hub, falkordb_endpoint: Endpoint
) -> None:
    heavy = "{ network(limit: 5000) { totalNodes nodes { id degree } relationships { source } } }"
    async with run_server(demo_hub.settings.with_(request_timeout_ms=1)) as hub:
        started = time.monotonic()
        error = only_error(await hub.graphql(heavy))
        assert time.monotonic() - started < 5
        assert error["extensions"] == {"code": "TIMEOUT", "timeoutMs": 1}
        assert "longer than 1 ms" in error["message"]
    # The database is not left busy with it: the same query, given time, still runs.
    answer = ok(await demo_hub.graphql(heavy))
    assert answer["network"]["totalNodes"] > 0


# --- rate limits ---------------------------------------------------------------------------------------
@pytest.fixture
async def keyed(falkordb_endpoint: Endpoint) -> AsyncIterator[tuple[str, Any]]:
    """A graph holding small.jsonl, and a function making API keys in it."""
    async with hub_over(falkordb_endpoint, "small.jsonl") as hub:
        store = new_falkor_store(falkordb_endpoint, hub.settings.graph)

        async def make_key() -> str:
            made = new_api_key(Role.PARTNER, name="limits test")
            await store.create_api_key(made.record)
            return f"Bearer {made.token}"

        try:
            yield hub.settings.graph, make_key
        finally:
            await store.close()


async def ask(
    hub: Hub, query: str, authorization: str | None = None, forwarded_for: str | None = None
) -> httpx.Response:
    headers = {}
    if authorization is not None:
        headers["Authorization"] = authorization
    if forwarded_for is not None:
        headers["X-Forwarded-For"] = forwarded_for
    return await hub.client.post("/graphql", json={"query": query}, headers=headers)


def assert_rate_limited(response: httpx.Response, limit: str) -> int:
    """The refusal's Retry-After, in seconds."""
    assert response.status_code == 429, response.text
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "RATE_LIMITED", error
    assert error["extensions"]["limit"] == limit, error
    seconds = int(response.headers["retry-after"])
    assert seconds >= 1
    assert error["extensions"]["retryAfter"] == seconds
    return seconds


async def test_an_address_over_its_rate_is_refused_with_retry_after_and_recovers(
    falkordb_endpoint: Endpoint,
) -> None:
    # 30 a minute: a full bucket of 30, then one every 2 s.
    async with hub_over(falkordb_endpoint, "small.jsonl", rate_limit_address=30) as hub:
        for _ in range(30):
            assert (await ask(hub, "{ __typename }")).status_code == 200
        refused = await ask(hub, "{ __typename }")
        seconds = assert_rate_limited(refused, "address")
        assert seconds <= 2
        await asyncio.sleep(seconds)
        assert (await ask(hub, "{ __typename }")).status_code == 200


async def test_forwarded_addresses_count_only_behind_a_trusted_proxy(
    falkordb_endpoint: Endpoint,
) -> None:
    # by default a proxy on the same host (127.0.0.1, ::1) is trusted
    async with hub_over(falkordb_endpoint, "small.jsonl", rate_limit_address=2) as hub:
        for _ in range(2):
            assert (
                await ask(hub, "{ __typename }", forwarded_for="203.0.113.5")
            ).status_code == 200
        refused = await ask(hub, "{ __typename }", forwarded_for="198.51.100.1, 203.0.113.5")
        assert_rate_limited(refused, "address")  # the proxy's own hop is the client
        assert (await ask(hub, "{ __typename }", forwarded_for="203.0.113.6")).status_code == 200
    async with hub_over(
        falkordb_endpoint, "small.jsonl", rate_limit_address=2, trusted_proxies=()
    ) as hub:
        for forwarded in ("203.0.113.5", "203.0.113.6"):
            assert (await ask(hub, "{ __typename }", forwarded_for=forwarded)).status_code == 200
        # no trusted proxy: the header is ignored, all three come from 127.0.0.1
        refused = await ask(hub, "{ __typename }", forwarded_for="203.0.113.7")
        assert_rate_limited(refused, "address")


async def test_a_key_over_its_rate_is_refused_and_other_keys_are_not(
    falkordb_endpoint: Endpoint, keyed: tuple[str, Any]
) -> None:
    graph, make_key = keyed
    first, second = await make_key(), await make_key()
    settings = Settings(falkordb_url=falkordb_endpoint.url, graph=graph, demo_on_empty=False,
                        rate_limit_key=30, rate_limit_address=1000)  # fmt: skip
    async with run_server(settings) as hub:
        for _ in range(30):
            assert (await ask(hub, "{ __typename }", first)).status_code == 200
        assert_rate_limited(await ask(hub, "{ __typename }", first), "key")
        assert (await ask(hub, "{ __typename }", second)).status_code == 200
        # a batch counts each of its operations: 1 + 10 + 10 taken, 9 left for 10
        batch = [{"query": "{ __typename }"}] * 10
        for _ in range(2):
            response = await hub.client.post(
                "/graphql", json=batch, headers={"Authorization": second}
            )
            assert response.status_code == 200
        response = await hub.client.post("/graphql", json=batch, headers={"Authorization": second})
        assert response.status_code == 429
        assert int(response.headers["retry-after"]) >= 1
        assert all(a["errors"][0]["extensions"]["code"] == "RATE_LIMITED" for a in response.json())


async def test_a_key_that_spends_its_cost_budget_waits_and_another_key_does_not(
    falkordb_endpoint: Endpoint, keyed: tuple[str, Any]
) -> None:
    graph, make_key = keyed
    spender, other = await make_key(), await make_key()
    # 1,000 a minute (17 a second); each query below costs 2 x 100 x (1 + 1) = 400.
    settings = Settings(falkordb_url=falkordb_endpoint.url, graph=graph, demo_on_empty=False,
                        cost_budget=1000)  # fmt: skip
    query = "{ a: reserves(first: 100) { nodes { id } } b: people(first: 100) { nodes { id } } }"
    async with run_server(settings) as hub:
        for _ in range(2):
            response = await ask(hub, query, spender)
            assert response.status_code == 200
            assert response.json()["extensions"]["cost"] == 400
        refused = await ask(hub, query, spender)
        seconds = assert_rate_limited(refused, "cost budget")
        answer = refused.json()
        assert answer["errors"][0]["extensions"]["cost"] == 400
        assert answer["extensions"]["roundTrips"] == 0  # refused before it ran
        # the other key has its own budget
        assert (await ask(hub, query, other)).status_code == 200
        # a cheap query still fits in what the spender has left
        assert (await ask(hub, "{ __typename }", spender)).status_code == 200
        await asyncio.sleep(seconds)
        assert (await ask(hub, query, spender)).status_code == 200


async def test_anonymous_callers_spend_their_address_budget(falkordb_endpoint: Endpoint) -> None:
    query = "{ reserves(first: 100) { nodes { id } } }"  # 200
    async with hub_over(falkordb_endpoint, "small.jsonl", cost_budget=300) as hub:
        assert (await ask(hub, query)).status_code == 200
        assert_rate_limited(await ask(hub, query), "cost budget")


# --- introspection and suggestions -----------------------------------------------------------------
async def test_suggestions_are_hidden_when_introspection_is_off(
    small_hub: Hub, falkordb_endpoint: Endpoint
) -> None:
    typo = "{ reserve(first: 1) { totalCount } }"
    enum_typo = "query($k: Kind!) { centrality(kind: $k, first: 1) { nodes } }"
    shown = only_error(await small_hub.graphql(typo))
    assert "Did you mean" in shown["message"]
    assert (
        "Did you mean" in only_error(await small_hub.graphql(enum_typo, k="INSTITUTIO"))["message"]
    )
    async with hub_over(falkordb_endpoint, "small.jsonl", introspection=False) as hub:
        hidden = only_error(await hub.graphql(typo))
        assert hidden["message"] == "Cannot query field 'reserve' on type 'Query'."
        assert hidden["extensions"]["code"] == VALIDATION_FAILED
        enum_error = only_error(await hub.graphql(enum_typo, k="INSTITUTIO"))
        assert "INSTITUTIO" in enum_error["message"]
        assert "Did you mean" not in enum_error["message"]
        assert "errors" in await hub.graphql("{ __schema { queryType { name } } }")


# --- settings ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("HUB_MAX_DEPTH", "0"),
        ("HUB_MAX_QUERY_COST", "lots"),
        ("HUB_MAX_BATCH", "101"),
        ("HUB_REQUEST_TIMEOUT_MS", "0"),
        ("HUB_RATE_LIMIT_ADDRESS", "-1"),
        ("HUB_TRUSTED_PROXIES", "10.0.0.0/8, proxy.example"),
    ],
)
def test_a_bad_limit_setting_names_its_variable(variable: str, value: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        Settings.from_environ({variable: value})


def test_limit_settings_are_read_from_the_environment() -> None:
    settings = Settings.from_environ(
        {"HUB_MAX_DEPTH": "7", "HUB_COST_BUDGET": "0", "HUB_TRUSTED_PROXIES": "10.0.0.1, fd00::/8"}
    )
    assert settings.max_depth == 7
    assert settings.cost_budget == 0
    assert settings.trusted_proxies == ("10.0.0.1", "fd00::/8")
    assert Settings.from_environ({"HUB_TRUSTED_PROXIES": "none"}).trusted_proxies == ()
    assert Settings.from_environ({}).max_query_cost == DEFAULTS.max_query_cost


# --- the buckets themselves (a clock of our own) ------------------------------------------------------
class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_gives_a_minute_at_once_then_its_steady_rate() -> None:
    clock = Clock()
    buckets = TokenBuckets(60, clock=clock)  # one a second
    assert all(buckets.take("a") == 0 for _ in range(60))
    assert buckets.take("a") == pytest.approx(1.0)  # the 61st waits a second
    assert buckets.take("b") == 0  # another key is not touched
    clock.now = 1.0
    assert buckets.take("a") == 0
    assert buckets.take("a") == pytest.approx(1.0)


def test_more_than_a_full_bucket_runs_only_from_a_full_one_and_leaves_a_debt() -> None:
    clock = Clock()
    buckets = TokenBuckets(60, clock=clock)
    assert buckets.take("a", 10) == 0
    assert buckets.take("a", 100) == pytest.approx(10.0)  # refused until the bucket is full
    clock.now = 10.0
    assert buckets.take("a", 100) == 0  # taken: 40 in debt
    assert buckets.take("a") == pytest.approx(41.0)


def test_a_limit_of_zero_is_off() -> None:
    buckets = TokenBuckets(0, clock=Clock())
    assert all(buckets.take("a", 1000) == 0 for _ in range(100))


def test_idle_buckets_are_forgotten_first_beyond_the_maximum() -> None:
    clock = Clock()
    buckets = TokenBuckets(1, clock=clock, max_keys=2)
    buckets.take("old")
    buckets.take("kept")
    buckets.take("kept")  # refused, but seen last
    buckets.take("new")  # a third key: "old" is forgotten
    assert buckets.take("kept") > 0  # "kept" is remembered: still empty
    assert buckets.take("old") == 0  # "old" got a fresh bucket
