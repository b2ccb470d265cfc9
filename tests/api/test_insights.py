"""`collaborationGaps`, `centrality` and the count filters over real HTTP, on tests/data/insights.jsonl.

Expected answers are derived by hand in tests/data/README.md.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from fractions import Fraction
from typing import Any

import pytest
from conftest import Hub, hub_settings, loaded_graph, ok, run_server

from hub.embedded import Endpoint

GAPS = """
query($theme: ID, $country: String, $first: Int) {
  collaborationGaps(theme: $theme, country: $country, first: $first) {
    reserves { id name }
    sharedThemes { id }
    sharedThemeCount
  }
}
"""

CENTRALITY = """
query($kind: Kind!, $first: Int) {
  centrality(kind: $kind, first: $first) {
    scores { node { __typename id } degree betweenness rank }
    computedAt approximate nodes edges
  }
}
"""


@pytest.fixture(scope="module")
async def insights_graph(falkordb_endpoint: Endpoint) -> AsyncIterator[str]:
    async with loaded_graph(falkordb_endpoint, "insights.jsonl") as graph:
        yield graph


@asynccontextmanager
async def serving(endpoint: Endpoint, graph: str, **settings: Any) -> AsyncIterator[Hub]:
    async with run_server(hub_settings(endpoint, graph, **settings)) as hub:
        yield hub


@pytest.fixture(scope="module")
async def insights_hub(falkordb_endpoint: Endpoint, insights_graph: str) -> AsyncIterator[Hub]:
    """The hub over insights.jsonl with the default settings (centrality cached 600 s). Read-only."""
    async with serving(falkordb_endpoint, insights_graph) as hub:
        yield hub


def bad_input(answer: dict[str, Any], argument: str) -> str:
    (error,) = answer["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["extensions"]["argument"] == argument
    assert argument in error["message"]
    return error["message"]  # type: ignore[no-any-return]


async def gap_pairs(hub: Hub, **variables: Any) -> list[tuple[str, ...]]:
    gaps = ok(await hub.graphql(GAPS, **variables))["collaborationGaps"]
    for gap in gaps:
        assert gap["sharedThemeCount"] == len(gap["sharedThemes"])
    return [tuple(r["id"].removeprefix("Reserve:") for r in gap["reserves"]) for gap in gaps]


# --- collaborationGaps ---------------------------------------------------------------------------
async def test_gaps_are_ranked_by_shared_themes_then_by_the_pair(insights_hub: Hub) -> None:
    gaps = ok(await insights_hub.graphql(GAPS))["collaborationGaps"]
    assert [
        (
            [r["id"] for r in gap["reserves"]],
            [t["id"] for t in gap["sharedThemes"]],
            gap["sharedThemeCount"],
        )
        for gap in gaps
    ] == [
        (["Reserve:r1", "Reserve:r4"], ["Theme:theme-a", "Theme:theme-b", "Theme:theme-c"], 3),
        (["Reserve:r2", "Reserve:r4"], ["Theme:theme-a", "Theme:theme-b", "Theme:theme-c"], 3),
        (["Reserve:r1", "Reserve:r3"], ["Theme:theme-a", "Theme:theme-b"], 2),
        (["Reserve:r2", "Reserve:r3"], ["Theme:theme-a", "Theme:theme-b"], 2),
        (["Reserve:r4", "Reserve:r5"], ["Theme:theme-d"], 1),
    ]
    assert gaps[0]["reserves"][0]["name"] == "Reserve one"


async def test_reserves_sharing_a_project_never_appear_as_a_gap(insights_hub: Hub) -> None:
    pairs = await gap_pairs(insights_hub, first=100)
    assert ("r1", "r2") not in pairs and ("r3", "r4") not in pairs
    assert await gap_pairs(insights_hub, theme="Theme:theme-c") == [("r1", "r4"), ("r2", "r4")]


async def test_gaps_filter_by_theme_and_by_country(insights_hub: Hub) -> None:
    assert await gap_pairs(insights_hub, theme="theme-d") == [("r4", "r5")]
    assert await gap_pairs(insights_hub, country="es") == [("r1", "r4"), ("r1", "r3"), ("r2", "r3")]
    assert await gap_pairs(insights_hub, country="FR", theme="Theme:theme-c") == [("r2", "r4")]
    assert await gap_pairs(insights_hub, first=2) == [("r1", "r4"), ("r2", "r4")]


async def test_gap_arguments_are_checked(insights_hub: Hub) -> None:
    message = bad_input(await insights_hub.graphql(GAPS, theme="Theme:nowhere"), "theme")
    assert "nowhere" in message
    bad_input(await insights_hub.graphql(GAPS, theme="Reserve:r1"), "theme")
    bad_input(await insights_hub.graphql(GAPS, country="Spain"), "country")
    bad_input(await insights_hub.graphql(GAPS, first=0), "first")
    bad_input(await insights_hub.graphql(GAPS, first=101), "first")


# --- centrality ----------------------------------------------------------------------------------
def ranking(result: dict[str, Any]) -> list[tuple[str, int, float, int]]:
    return [(s["node"]["id"], s["degree"], s["betweenness"], s["rank"]) for s in result["scores"]]


def close(value: float, fraction: Fraction) -> bool:
    return abs(value - float(fraction)) < 1e-9


async def test_the_bridge_person_ranks_first(insights_hub: Hub) -> None:
    result = ok(await insights_hub.graphql(CENTRALITY, kind="PERSON"))["centrality"]
    assert (result["nodes"], result["edges"], result["approximate"]) == (8, 13, False)
    rows = ranking(result)
    assert [row[0] for row in rows] == [
        "Person:x", "Person:a1", "Person:a2", "Person:a3",
        "Person:b1", "Person:b2", "Person:b3", "Person:y",
    ]  # fmt: skip
    assert [row[3] for row in rows] == list(range(1, 9))
    assert [row[1] for row in rows] == [6, 4, 3, 3, 3, 3, 3, 1]
    assert close(rows[0][2], Fraction(12, 21)) and close(rows[1][2], Fraction(6, 21))
    assert all(row[2] == 0 for row in rows[2:])
    assert {s["node"]["__typename"] for s in result["scores"]} == {"Person"}


async def test_each_kind_has_its_collaboration_graph(insights_hub: Hub) -> None:
    async def of(kind: str) -> list[tuple[str, int, float, int]]:
        return ranking(ok(await insights_hub.graphql(CENTRALITY, kind=kind))["centrality"])

    institutions = await of("INSTITUTION")
    assert [(r[0], r[1]) for r in institutions] == [
        ("Institution:i2", 3), ("Institution:i3", 2), ("Institution:i4", 2), ("Institution:i1", 1),
    ]  # fmt: skip
    assert close(institutions[0][2], Fraction(2, 3))
    reserves = await of("RESERVE")
    assert [r[0] for r in reserves] == ["Reserve:r2", "Reserve:r3", "Reserve:r1", "Reserve:r4"]
    assert close(reserves[0][2], Fraction(2, 3)) and reserves[0][2] == reserves[1][2]
    projects = await of("PROJECT")
    assert [(r[0], r[1], r[2]) for r in projects] == [
        ("Project:pa", 2, 1.0), ("Project:pb", 1, 0.0), ("Project:pc", 1, 0.0),
    ]  # fmt: skip


async def test_first_limits_the_scores_but_not_the_graph(insights_hub: Hub) -> None:
    result = ok(await insights_hub.graphql(CENTRALITY, kind="PERSON", first=2))["centrality"]
    assert [row[0] for row in ranking(result)] == ["Person:x", "Person:a1"]
    assert result["nodes"] == 8


async def test_kinds_without_a_collaboration_graph_are_refused(insights_hub: Hub) -> None:
    for kind in ("THEME", "NETWORK"):
        message = bad_input(await insights_hub.graphql(CENTRALITY, kind=kind), "kind")
        assert kind in message
    bad_input(await insights_hub.graphql(CENTRALITY, kind="PERSON", first=0), "first")


async def test_a_second_call_within_the_ttl_reuses_the_result(insights_hub: Hub) -> None:
    first = ok(await insights_hub.graphql(CENTRALITY, kind="RESERVE"))["centrality"]
    again = ok(await insights_hub.graphql(CENTRALITY, kind="RESERVE", first=1))["centrality"]
    assert again["computedAt"] == first["computedAt"]
    assert ranking(again) == ranking(first)[:1]


async def test_with_a_ttl_of_zero_every_call_recomputes(
    falkordb_endpoint: Endpoint, insights_graph: str
) -> None:
    async with serving(falkordb_endpoint, insights_graph, centrality_ttl_s=0) as hub:
        first = ok(await hub.graphql(CENTRALITY, kind="RESERVE"))["centrality"]
        again = ok(await hub.graphql(CENTRALITY, kind="RESERVE"))["centrality"]
    assert again["computedAt"] > first["computedAt"]
    assert ranking(again) == ranking(first)


async def test_a_low_exact_limit_switches_to_the_sampled_estimate(
    falkordb_endpoint: Endpoint, insights_graph: str
) -> None:
    async with serving(falkordb_endpoint, insights_graph, centrality_exact_nodes=3) as hub:
        result = ok(await hub.graphql(CENTRALITY, kind="PERSON"))["centrality"]
    assert result["approximate"] is True
    # 8 nodes, at least 8 pivots: the sample is every node, so the ranking is the exact one
    assert [row[0] for row in ranking(result)][:2] == ["Person:x", "Person:a1"]
    assert close(ranking(result)[0][2], Fraction(12, 21))


# --- count filters -------------------------------------------------------------------------------
LIST = """
query($first: Int, $after: String, $min: Int, $abroad: Boolean) {
  reserves(first: $first, after: $after, minProjects: $min) {
    totalCount edges { node { key } } pageInfo { hasNextPage endCursor }
  }
  institutions(first: $first, after: $after, minProjects: $min, partnerAbroad: $abroad) {
    totalCount edges { node { key } } pageInfo { hasNextPage endCursor }
  }
}
"""


async def lists(hub: Hub, **variables: Any) -> dict[str, tuple[list[str], int]]:
    data = ok(await hub.graphql(LIST, first=100, **variables))
    return {
        field: ([e["node"]["key"] for e in data[field]["edges"]], data[field]["totalCount"])
        for field in ("reserves", "institutions")
    }


async def test_min_projects_filters_reserves_and_institutions_with_matching_totals(
    insights_hub: Hub,
) -> None:
    assert await lists(insights_hub, min=2) == {
        "reserves": (["r1", "r5"], 2),
        "institutions": (["i2"], 1),
    }
    assert await lists(insights_hub, min=1) == {
        "reserves": (["r1", "r2", "r3", "r4", "r5"], 5),
        "institutions": (["i1", "i2", "i3", "i4"], 4),
    }
    everything = await lists(insights_hub, min=0)
    assert everything == await lists(insights_hub)
    assert everything["reserves"][1] == 6 and everything["institutions"][1] == 5


async def test_partner_abroad_splits_the_institutions(insights_hub: Hub) -> None:
    abroad = (await lists(insights_hub, abroad=True))["institutions"]
    home = (await lists(insights_hub, abroad=False))["institutions"]
    assert abroad == (["i2", "i3"], 2)
    assert home == (["i1", "i4", "i5"], 3)
    assert (await lists(insights_hub, abroad=False, min=1))["institutions"] == (["i1", "i4"], 2)


async def test_count_filtered_lists_page_through_with_the_same_total(insights_hub: Hub) -> None:
    keys: list[str] = []
    after = None
    while True:
        data = ok(await insights_hub.graphql(LIST, first=2, after=after, min=1))["reserves"]
        assert data["totalCount"] == 5
        keys += [e["node"]["key"] for e in data["edges"]]
        if not data["pageInfo"]["hasNextPage"]:
            break
        after = data["pageInfo"]["endCursor"]
    assert keys == ["r1", "r2", "r3", "r4", "r5"]


async def test_a_negative_min_projects_is_refused(insights_hub: Hub) -> None:
    answer = await insights_hub.graphql(
        "query($min: Int) { reserves(minProjects: $min) { totalCount } }", min=-1
    )
    bad_input(answer, "minProjects")
    answer = await insights_hub.graphql(
        "query($min: Int) { institutions(minProjects: $min) { totalCount } }", min=-3
    )
    bad_input(answer, "minProjects")
