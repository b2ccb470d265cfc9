"""`connection` and `potentialPartners` over real HTTP, on tests/data/paths*.jsonl and the demo.

Expected answers are derived in tests/data/README.md; on the demo data the path is checked
against the graph itself (each step really links its nodes, and no shorter path exists).
"""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from conftest import Hub, hub_over, ok

from hub.embedded import Endpoint

CONNECTION = """
query($from: ID!, $to: ID!, $maxHops: Int, $first: Int) {
  connection(from: $from, to: $to, maxHops: $maxHops, first: $first) {
    length
    nodes { __typename id }
    relationships { kind source target roles since }
  }
}
"""

PARTNERS = """
query($person: ID!, $theme: ID!, $first: Int) {
  potentialPartners(personId: $person, theme: $theme, first: $first) {
    person { id name }
    score
    reasons { kind count nodes { id } }
    path { length nodes { id } relationships { kind source target } }
  }
}
"""


@pytest.fixture(scope="session")
async def paths_hub(falkordb_endpoint: Endpoint) -> AsyncIterator[Hub]:
    """Both hand-made graphs (disjoint keys) in one graph, served over HTTP. Read-only."""
    async with hub_over(falkordb_endpoint, "paths.jsonl", "paths_partners.jsonl") as hub:
        yield hub


def node_ids(path: dict[str, Any]) -> list[str]:
    return [node["id"] for node in path["nodes"]]


async def connection(hub: Hub, **variables: Any) -> tuple[list[dict[str, Any]], int]:
    answer = await hub.graphql(CONNECTION, **variables)
    return ok(answer)["connection"], answer["extensions"]["roundTrips"]


async def test_first_three_gives_every_shortest_path_in_id_order(paths_hub: Hub) -> None:
    paths, trips = await connection(paths_hub, **{"from": "Person:a", "to": "Person:z", "first": 3})
    assert [node_ids(p) for p in paths] == [
        ["Person:a", "Institution:i1", "Person:z"],
        ["Person:a", "Project:p1", "Person:z"],
        ["Person:a", "Reserve:r1", "Person:z"],
    ]
    assert [p["length"] for p in paths] == [2, 2, 2]
    assert [n["__typename"] for n in paths[0]["nodes"]] == ["Person", "Institution", "Person"]
    assert paths[0]["relationships"] == [
        {"kind": "AFFILIATED_WITH", "source": "Person:a", "target": "Institution:i1",
         "roles": ["researcher"], "since": "2020-01-02"},
        {"kind": "AFFILIATED_WITH", "source": "Person:z", "target": "Institution:i1",
         "roles": ["director", "advisor"], "since": None},
    ]  # fmt: skip
    assert trips <= 6 + 2


async def test_default_is_one_path(paths_hub: Hub) -> None:
    paths, _ = await connection(paths_hub, **{"from": "Person:a", "to": "Person:z"})
    assert [node_ids(p) for p in paths] == [["Person:a", "Institution:i1", "Person:z"]]


async def test_path_against_stored_directions(paths_hub: Hub) -> None:
    paths, _ = await connection(paths_hub, **{"from": "Institution:i4", "to": "Person:z"})
    assert [node_ids(p) for p in paths] == [
        ["Institution:i4", "Reserve:r4", "Theme:t4", "Project:p4", "Person:z"]
    ]
    assert [(r["kind"], r["source"], r["target"]) for r in paths[0]["relationships"]] == [
        ("MANAGES", "Institution:i4", "Reserve:r4"),
        ("ADDRESSES", "Reserve:r4", "Theme:t4"),
        ("ADDRESSES", "Project:p4", "Theme:t4"),
        ("PARTICIPATES_IN", "Person:z", "Project:p4"),
    ]


@pytest.mark.parametrize(("max_hops", "count"), [(5, 0), (6, 3), (10, 3)])
async def test_max_hops_bounds_the_search(paths_hub: Hub, max_hops: int, count: int) -> None:
    variables = {"from": "Person:a", "to": "Institution:i4", "maxHops": max_hops, "first": 10}
    paths, trips = await connection(paths_hub, **variables)
    assert len(paths) == count and all(p["length"] == 6 for p in paths)
    assert trips <= max_hops + 2


async def test_unreachable_node_gives_an_empty_list(paths_hub: Hub) -> None:
    paths, trips = await connection(paths_hub, **{"from": "Person:a", "to": "Theme:lonely"})
    assert paths == [] and trips <= 6 + 2


async def test_from_equal_to_is_one_path_of_length_zero(paths_hub: Hub) -> None:
    paths, trips = await connection(paths_hub, **{"from": "Person:a", "to": "Person:a", "first": 5})
    assert paths == [
        {"length": 0, "nodes": [{"__typename": "Person", "id": "Person:a"}], "relationships": []}
    ]
    assert trips == 1


@pytest.mark.parametrize(
    ("variables", "code", "argument"),
    [
        ({"from": "nonsense", "to": "Person:a"}, "BAD_USER_INPUT", "from"),
        ({"from": "Person:a", "to": "Planet:mars"}, "BAD_USER_INPUT", "to"),
        ({"from": "Person:a", "to": "Person:BAD KEY"}, "BAD_USER_INPUT", "to"),
        ({"from": "Person:nobody", "to": "Person:a"}, "NOT_FOUND", "from"),
        ({"from": "Person:a", "to": "Reserve:nowhere"}, "NOT_FOUND", "to"),
        ({"from": "Person:a", "to": "Person:z", "maxHops": 0}, "BAD_USER_INPUT", "maxHops"),
        ({"from": "Person:a", "to": "Person:z", "maxHops": 11}, "BAD_USER_INPUT", "maxHops"),
        ({"from": "Person:a", "to": "Person:z", "first": 0}, "BAD_USER_INPUT", "first"),
        ({"from": "Person:a", "to": "Person:z", "first": 11}, "BAD_USER_INPUT", "first"),
    ],
)
async def test_connection_refuses_bad_arguments(
    paths_hub: Hub, variables: dict[str, Any], code: str, argument: str
) -> None:
    answer = await paths_hub.graphql(CONNECTION, **variables)
    assert answer["data"] is None
    [error] = answer["errors"]
    assert error["extensions"]["code"] == code
    assert error["extensions"]["argument"] == argument
    if code == "BAD_USER_INPUT":
        assert argument in error["message"]


# --- potentialPartners ---------------------------------------------------------------------------
async def test_partners_are_ranked_with_reasons_and_paths(paths_hub: Hub) -> None:
    answer = await paths_hub.graphql(PARTNERS, person="Person:me", theme="Theme:focus")
    found = ok(answer)["potentialPartners"]
    assert [(s["person"]["id"], s["score"]) for s in found] == [
        ("Person:e-collab", 25.0), ("Person:d-inst", 4.0), ("Person:b-site", 3.0),
        ("Person:c-work", 3.0), ("Person:a-theme", 2.0), ("Person:n1", 0.0), ("Person:n2", 0.0),
    ]  # fmt: skip
    top = found[0]
    assert top["reasons"] == [
        {"kind": "COMMON_COLLABORATOR", "count": 6,
         "nodes": [{"id": f"Person:col{i}"} for i in range(1, 6)]},
        {"kind": "SHARED_THEME", "count": 1, "nodes": [{"id": "Theme:other1"}]},
    ]  # fmt: skip
    assert node_ids(top["path"]) == [
        "Person:me", "Project:f0", "Person:col1", "Project:x1", "Person:e-collab"
    ]  # fmt: skip
    assert top["path"]["length"] == 4
    assert [r["kind"] for r in found[1]["reasons"]] == ["SHARED_INSTITUTION", "SHARED_THEME"]
    assert [r["kind"] for r in found[2]["reasons"]] == ["SHARED_RESERVE", "SHARED_THEME"]
    assert answer["extensions"]["roundTrips"] <= 2 + 8


async def test_partner_round_trips_do_not_depend_on_first(paths_hub: Hub) -> None:
    trips = set()
    for first in (1, 4, 7):
        answer = await paths_hub.graphql(PARTNERS, person="Person:me", theme="focus", first=first)
        assert len(ok(answer)["potentialPartners"]) == first
        trips.add(answer["extensions"]["roundTrips"])
    assert max(trips) <= 10


async def test_first_zero_gives_no_partners(paths_hub: Hub) -> None:
    answer = await paths_hub.graphql(PARTNERS, person="Person:me", theme="focus", first=0)
    assert ok(answer)["potentialPartners"] == []


@pytest.mark.parametrize(
    ("variables", "code", "argument"),
    [
        ({"person": "Person:nobody", "theme": "focus"}, "NOT_FOUND", "personId"),
        ({"person": "Theme:focus", "theme": "focus"}, "BAD_USER_INPUT", "personId"),
        ({"person": "Person:me", "theme": "Theme:nothing"}, "BAD_USER_INPUT", "theme"),
        ({"person": "Person:me", "theme": "Person:me"}, "BAD_USER_INPUT", "theme"),
        ({"person": "Person:me", "theme": "focus", "first": -1}, "BAD_USER_INPUT", "first"),
        ({"person": "Person:me", "theme": "focus", "first": 101}, "BAD_USER_INPUT", "first"),
    ],
)
async def test_partners_refuse_bad_arguments(
    paths_hub: Hub, variables: dict[str, Any], code: str, argument: str
) -> None:
    answer = await paths_hub.graphql(PARTNERS, **variables)
    assert answer["data"] is None
    [error] = answer["errors"]
    assert error["extensions"]["code"] == code
    assert error["extensions"]["argument"] == argument


# --- the demo data -------------------------------------------------------------------------------
RESERVES = """
{ reserves(first: 100) { nodes { id country } } }
"""

NEIGHBOURS = """
query($id: ID!) { node(id: $id) { id
  ... on Reserve { projects(first: 100) { nodes { id } } themes(first: 100) { nodes { id } }
                   institutions(first: 100) { nodes { id } } people(first: 100) { nodes { id } }
                   networks(first: 100) { nodes { id } } }
  ... on Network { reserves(first: 100) { nodes { id } } institutions(first: 100) { nodes { id } } }
  ... on Theme { projects(first: 100) { nodes { id } } reserves(first: 100) { nodes { id } } }
  ... on Project { participants(first: 100) { nodes { id } } institutions(first: 100) { nodes { id } }
                   reserves(first: 100) { nodes { id } } themes(first: 100) { nodes { id } } }
  ... on Institution { people(first: 100) { nodes { id } } projects(first: 100) { nodes { id } }
                       reserves(first: 100) { nodes { id } } networks(first: 100) { nodes { id } } }
  ... on Person { institutions(first: 100) { nodes { id } } projects(first: 100) { nodes { id } }
                  reserves(first: 100) { nodes { id } } }
} }
"""


async def _linked(hub: Hub, source: str, target: str) -> bool:
    """Whether the hub's relationship fields show `source` and `target` as neighbours."""
    node = ok(await hub.graphql(NEIGHBOURS, id=source))["node"]
    seen = {n["id"] for field, value in node.items() if field != "id" for n in value["nodes"]}
    return target in seen


async def test_demo_reserves_in_different_regions_are_joined_by_a_minimal_valid_path(
    demo_hub: Hub,
) -> None:
    reserves = ok(await demo_hub.graphql(RESERVES))["reserves"]["nodes"]
    # A Spanish and a Chinese reserve (different regions) when the page has both.
    first = next((r for r in reserves if r["country"] == "ES"), reserves[0])
    other = next(
        (r for r in reserves if r["country"] == "CN"),
        next(r for r in reserves if r["country"] != first["country"]),
    )
    variables = {"from": first["id"], "to": other["id"], "maxHops": 10}
    paths, trips = await connection(demo_hub, **variables)
    assert trips <= 10 + 2
    [path] = paths
    ids = node_ids(path)
    assert ids[0] == first["id"] and ids[-1] == other["id"]
    assert path["length"] == len(path["relationships"]) == len(ids) - 1 >= 1
    for a, b, step in zip(ids[:-1], ids[1:], path["relationships"], strict=True):
        assert {step["source"], step["target"]} == {a, b}
        assert await _linked(demo_hub, a, b), (a, b)
    assert path["length"] >= 2  # no relation joins two reserves directly
    shorter, _ = await connection(demo_hub, **(variables | {"maxHops": path["length"] - 1}))
    assert shorter == []
