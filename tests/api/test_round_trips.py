"""Database round trips per operation (`extensions.roundTrips`): nested lists are batched.

Each relationship level is one store call for all its parents (schema/loaders.py), so the cost
of a query depends on its shape, not on how many nodes it returns. Expected counts:

    1 for the top-level page
  + 1 for each nested relationship level (a relationship's totalCount comes with its page)
  + 1 when the top-level totalCount is asked for (a separate count query)
"""

from collections.abc import AsyncIterator

import pytest
from conftest import Hub, run_server

from graph.seed.demo import PEOPLE_PER_SCALE


@pytest.fixture(scope="module")
async def demo_hub(demo_hub: Hub) -> AsyncIterator[Hub]:
    """The demo data, served with room for these probes: up to 15 levels deep and costing up
    to 25 million (50 x 20^4 x ...), far past what a dashboard needs (schema/limits.py)."""
    roomy = demo_hub.settings.with_(max_depth=15, max_query_cost=30_000_000)
    async with run_server(roomy) as hub:
        yield hub


LEVEL = "edges {{ roles node {{ key {inner} }} }}"


def nested(top: str, path: list[str], first: int, total: bool) -> str:
    """`top(first:)` with each relationship of `path` nested inside the previous one."""
    inner = ""
    for field in reversed(path):
        inner = f"{field} {{ totalCount {LEVEL.format(inner=inner)} }}"
    count = "totalCount" if total else ""
    return f"{{ {top}(first: {first}) {{ {count} edges {{ node {{ key {inner} }} }} }} }}"


def sizes(answer: dict, top: str, path: list[str]) -> list[int]:  # type: ignore[type-arg]
    """How many nodes the answer holds at each level (to show the lists were not empty)."""
    levels = [[edge["node"] for edge in answer["data"][top]["edges"]]]
    for field in path:
        levels.append([e["node"] for node in levels[-1] for e in node[field]["edges"]])
    return [len(level) for level in levels]


SHAPES = {
    "people": ["projects", "institutions", "reserves"],
    "reserves": ["projects", "institutions", "reserves"],
}


@pytest.mark.parametrize("top", list(SHAPES))
@pytest.mark.parametrize("total", [False, True])
async def test_nested_query_costs_the_same_round_trips_whatever_the_page_size(
    demo_hub: Hub, top: str, total: bool
) -> None:
    path = SHAPES[top]
    expected = 1 + len(path) + (1 if total else 0)  # 4 without totalCount, 5 with it
    measured: dict[int, int] = {}
    for first in (5, 10, 50):
        answer = await demo_hub.graphql(nested(top, path, first, total))
        assert "errors" not in answer, answer["errors"]
        counts = sizes(answer, top, path)
        assert counts[0] == first
        assert all(counts), f"an empty level proves nothing: {counts}"
        measured[first] = answer["extensions"]["roundTrips"]
        print(f"{top} -> {' -> '.join(path)}, first {first}, totalCount {total}: "
              f"{measured[first]} round trips for {counts} nodes per level")  # fmt: skip
    assert set(measured.values()) == {expected}, measured


async def test_the_demo_has_more_people_than_the_largest_page(demo_hub: Hub) -> None:
    answer = await demo_hub.graphql("{ people(first: 0) { totalCount } }")
    assert answer["data"]["people"]["totalCount"] == PEOPLE_PER_SCALE  # scale 1: 400 people
    assert PEOPLE_PER_SCALE > 50
    assert answer["extensions"]["roundTrips"] == 1  # just the count


async def test_a_deeper_query_from_reserves_adds_one_round_trip_per_level(demo_hub: Hub) -> None:
    path = ["people", "projects", "institutions", "reserves"]
    for first in (5, 50):
        answer = await demo_hub.graphql(nested("reserves", path, first, total=False))
        assert "errors" not in answer, answer["errors"]
        print(f"reserves -> {' -> '.join(path)}, first {first}: "
              f"{answer['extensions']['roundTrips']} round trips, {sizes(answer, 'reserves', path)}")  # fmt: skip
        assert answer["extensions"]["roundTrips"] == 1 + len(path)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("{ __typename }", 0),  # no database call at all
        ("{ reserves(first: 3) { edges { node { key } } } }", 1),
        ("{ reserves(first: 3) { totalCount edges { node { key } } } }", 2),
        ('{ node(id: "Reserve:ordino") { id } }', 1),
        # several ids of one kind: one batched lookup
        (
            '{ nodes(ids: ["Reserve:ordino", "Reserve:san-guillermo", "Reserve:nowhere"]) { id } }',
            1,
        ),
        # two kinds: one lookup each
        ('{ nodes(ids: ["Reserve:ordino", "Theme:water", "Reserve:nowhere"]) { id } }', 2),
        ('{ a: node(id: "Reserve:ordino") { id } b: node(id: "Reserve:ordino") { key } }', 1),
    ],
)
async def test_every_response_carries_its_round_trips(
    demo_hub: Hub, query: str, expected: int
) -> None:
    answer = await demo_hub.graphql(query)
    assert answer["extensions"]["roundTrips"] == expected, answer


async def test_an_error_response_carries_its_round_trips(demo_hub: Hub) -> None:
    bad_input = await demo_hub.graphql('{ reserves(country: "Spain") { totalCount } }')
    assert bad_input["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert bad_input["extensions"]["roundTrips"] == 0
    not_found = await demo_hub.graphql('{ node(id: "Reserve:nowhere") { id } }')
    assert not_found["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert not_found["extensions"]["roundTrips"] == 1
    invalid = await demo_hub.graphql("{ nope }")
    assert invalid["extensions"]["roundTrips"] == 0
