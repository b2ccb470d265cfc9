"""network, exportNetwork and stats over real HTTP, on tests/data/analytics.jsonl.

Expected figures are derived by hand in tests/data/README.md; exports are parsed back (GraphML
with xml.etree, JSON and GeoJSON with json) and compared with `network` over the same filter.
"""

import json
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from typing import Any

import pytest
from conftest import Hub, hub_over, ok

from hub.embedded import Endpoint
from schema import analytics

NETWORK = """query($filter: GraphFilter, $limit: Int) {
  network(filter: $filter, limit: $limit) {
    nodes { id kind label degree }
    relationships { source target kind weight }
    totalNodes totalRelationships truncated
  }
}"""
EXPORT = "query($format: ExportFormat!, $filter: GraphFilter) { exportNetwork(format: $format, filter: $filter) }"
STATS = """query($filter: GraphFilter, $first: Int, $after: String) {
  stats(filter: $filter) {
    counts { kind count }
    projectsPerTheme { key label count }
    peoplePerTheme { key label count }
    projectsPerCountry { key label count }
    peoplePerCountry { key count }
    projectsPerYear { key count }
    topInstitutions { node { id name } count }
    topReserves { node { id name } count }
    collaborationDensity
    isolatedReserves(first: $first, after: $after) {
      totalCount nodes { id } pageInfo { hasNextPage endCursor }
    }
    isolatedInstitutions { totalCount nodes { id } }
  }
}"""
GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"


@pytest.fixture(scope="module")
async def hub(falkordb_endpoint: Endpoint) -> AsyncIterator[Hub]:
    async with hub_over(falkordb_endpoint, "analytics.jsonl") as server:
        yield server


def bad_input(answer: dict[str, Any], argument: str) -> str:
    (error,) = answer["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["message"].startswith(f"{argument}:"), error["message"]
    return str(error["message"])


async def test_network_of_a_theme(hub: Hub) -> None:
    answer = await hub.graphql(NETWORK, filter={"themes": ["Theme:ice"]})
    found = ok(answer)["network"]
    assert {n["id"] for n in found["nodes"]} == {
        "Project:p1", "Project:p3", "Theme:ice", "Theme:farm", "Reserve:r-alp", "Reserve:r-ber",
        "Person:ann", "Person:ben", "Person:cat", "Person:dan", "Institution:i-uni",
        "Institution:i-ngo",
    }  # fmt: skip
    assert (found["totalNodes"], found["totalRelationships"], found["truncated"]) == (12, 18, False)
    assert len(found["relationships"]) == 18
    node = next(n for n in found["nodes"] if n["id"] == "Project:p3")
    assert node == {"id": "Project:p3", "kind": "PROJECT", "label": "Farm and ice", "degree": 9}
    edge = next(r for r in found["relationships"] if r["source"] == "Person:ann"
                and r["target"] == "Project:p1")  # fmt: skip
    assert edge == {"source": "Person:ann", "target": "Project:p1", "kind": "PARTICIPATES_IN",
                    "weight": 2.0}  # fmt: skip
    assert answer["extensions"]["roundTrips"] <= 4  # 2 for the sub-graph, 1 to check the theme


async def test_network_with_a_limit_keeps_the_top_degree_nodes(hub: Hub) -> None:
    found = ok(await hub.graphql(NETWORK, limit=4))["network"]
    assert [n["id"] for n in found["nodes"]] == [
        "Project:p1", "Project:p2", "Project:p3", "Reserve:r-ber",
    ]  # fmt: skip
    assert found["truncated"] and (found["totalNodes"], found["totalRelationships"]) == (22, 36)
    assert sum(n["degree"] for n in found["nodes"]) == 2 * len(found["relationships"]) == 4


async def test_network_kinds_and_combined_conditions(hub: Hub) -> None:
    where = {"themes": ["farm"], "countries": ["es"], "since": 2022, "kinds": ["RESERVE"]}
    found = ok(await hub.graphql(NETWORK, filter=where))["network"]
    assert [n["id"] for n in found["nodes"]] == ["Reserve:r-alp", "Reserve:r-ber", "Reserve:r-cas"]
    assert found["relationships"] == [] and found["totalNodes"] == 3


@pytest.mark.parametrize("limit", [0, -1, 5001])
async def test_network_limit_out_of_range_is_bad_input(hub: Hub, limit: int) -> None:
    bad_input(await hub.graphql(NETWORK, limit=limit), "limit")


@pytest.mark.parametrize(
    ("where", "argument"),
    [
        ({"themes": ["nope"]}, "filter.themes"),
        ({"themes": ["Network:net-a"]}, "filter.themes"),
        ({"themes": []}, "filter.themes"),
        ({"networks": ["Network:nope"]}, "filter.networks"),
        ({"countries": ["Spain"]}, "filter.countries"),
        ({"countries": []}, "filter.countries"),
        ({"since": -5}, "filter.since"),
        ({"since": 10000}, "filter.since"),
        ({"kinds": []}, "filter.kinds"),
    ],
)
async def test_a_bad_filter_is_bad_input_naming_the_field(
    hub: Hub, where: dict[str, Any], argument: str
) -> None:
    for query, variables in (
        (NETWORK, {}),
        (STATS, {}),
        (EXPORT, {"format": "JSON"}),
    ):
        bad_input(await hub.graphql(query, filter=where, **variables), argument)


async def test_graphml_export_parses_with_the_same_counts_and_escapes_names(hub: Hub) -> None:
    text = ok(await hub.graphql(EXPORT, format="GRAPHML"))["exportNetwork"]
    root = ET.fromstring(text)  # noqa: S314 - our own output, parsed to check it
    graph = root.find(f"{GRAPHML}graph")
    assert graph is not None and graph.get("edgedefault") == "directed"
    nodes = graph.findall(f"{GRAPHML}node")
    edges = graph.findall(f"{GRAPHML}edge")
    network = ok(await hub.graphql(NETWORK, limit=5000))["network"]
    assert len(nodes) == network["totalNodes"] == 22
    assert len(edges) == network["totalRelationships"] == 36
    keys = {k.get("id"): k for k in root.findall(f"{GRAPHML}key")}
    assert {"kind", "label", "degree", "country", "latitude", "institution_kind"} <= set(keys)
    assert keys["latitude"].get("attr.type") == "double"
    for element in nodes + edges:  # every data element refers to a declared key
        assert all(d.get("key") in keys for d in element.findall(f"{GRAPHML}data"))
    berg = next(n for n in nodes if n.get("id") == "Reserve:r-ber")
    data = {d.get("key"): d.text for d in berg.findall(f"{GRAPHML}data")}
    assert data["label"] == data["name"] == "Berg <\"Süd\"> & 'Nord'"
    assert data["kind"] == "Reserve" and data["country"] == "ES"
    assert '<"Süd">' not in text  # escaped, not pasted
    ids = {n.get("id") for n in nodes}
    assert all(e.get("source") in ids and e.get("target") in ids for e in edges)


async def test_json_export_is_cytoscape_elements_like_network(hub: Hub) -> None:
    where = {"countries": ["ES"]}
    text = ok(await hub.graphql(EXPORT, format="JSON", filter=where))["exportNetwork"]
    elements = json.loads(text)["elements"]
    network = ok(await hub.graphql(NETWORK, filter=where, limit=5000))["network"]
    assert {n["data"]["id"] for n in elements["nodes"]} == {n["id"] for n in network["nodes"]}
    assert len(elements["edges"]) == len(network["relationships"]) == 23
    assert {
        (e["data"]["source"], e["data"]["target"], e["data"]["kind"]) for e in elements["edges"]
    } == {(r["source"], r["target"], r["kind"]) for r in network["relationships"]}
    berg = next(n["data"] for n in elements["nodes"] if n["data"]["id"] == "Reserve:r-ber")
    assert berg["label"] == "Berg <\"Süd\"> & 'Nord'" and berg["kind"] == "Reserve"


async def test_geojson_export_has_the_reserves_in_scope_with_coordinates(hub: Hub) -> None:
    text = ok(await hub.graphql(EXPORT, format="GEOJSON"))["exportNetwork"]
    collection = json.loads(text)
    assert collection["type"] == "FeatureCollection"
    features = {f["id"]: f for f in collection["features"]}
    assert set(features) == {"Reserve:r-alp", "Reserve:r-ber", "Reserve:r-dol"}  # r-cas: none
    alp = features["Reserve:r-alp"]
    assert alp["type"] == "Feature"
    assert alp["geometry"] == {"type": "Point", "coordinates": [11.0, 47.0]}  # [lon, lat]
    assert alp["properties"]["name"] == "Alp" and alp["properties"]["designation_year"] == 1990
    spanish = json.loads(
        ok(await hub.graphql(EXPORT, format="GEOJSON", filter={"countries": ["ES"]}))[
            "exportNetwork"
        ]
    )
    assert {f["id"] for f in spanish["features"]} == {"Reserve:r-alp", "Reserve:r-ber"}
    none = json.loads(
        ok(await hub.graphql(EXPORT, format="GEOJSON", filter={"kinds": ["PROJECT"]}))[
            "exportNetwork"
        ]
    )
    assert none == {"type": "FeatureCollection", "features": []}


async def test_an_export_larger_than_the_maximum_is_refused(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(analytics, "MAX_EXPORT_NODES", 21)  # the whole graph has 22
    message = bad_input(await hub.graphql(EXPORT, format="GRAPHML"), "filter")
    assert "22" in message and "21" in message
    ok(await hub.graphql(EXPORT, format="GRAPHML", filter={"themes": ["ice"]}))  # 12 nodes


async def test_stats_of_a_theme(hub: Hub) -> None:
    answer = await hub.graphql(STATS, filter={"themes": ["ice"]})
    stats = ok(answer)["stats"]
    assert {c["kind"]: c["count"] for c in stats["counts"]} == {
        "RESERVE": 2, "INSTITUTION": 2, "PROJECT": 2, "PERSON": 4, "THEME": 2, "NETWORK": 0,
    }  # fmt: skip
    assert stats["projectsPerTheme"] == [
        {"key": "Theme:ice", "label": "Ice", "count": 2},
        {"key": "Theme:farm", "label": "Farming", "count": 1},
    ]
    assert [(c["key"], c["count"]) for c in stats["peoplePerTheme"]] == [
        ("Theme:ice", 4), ("Theme:farm", 3),
    ]  # fmt: skip
    assert stats["projectsPerCountry"] == [
        {"key": "AT", "label": None, "count": 2},
        {"key": "ES", "label": None, "count": 1},
    ]
    assert [(c["key"], c["count"]) for c in stats["peoplePerCountry"]] == [
        ("ES", 2), ("AT", 1), ("IT", 1),
    ]  # fmt: skip
    assert [(c["key"], c["count"]) for c in stats["projectsPerYear"]] == [("2018", 1), ("2022", 1)]
    assert [(t["node"]["id"], t["count"]) for t in stats["topReserves"]] == [
        ("Reserve:r-alp", 2), ("Reserve:r-ber", 1),
    ]  # fmt: skip
    assert [(t["node"]["id"], t["count"]) for t in stats["topInstitutions"]] == [
        ("Institution:i-uni", 2), ("Institution:i-ngo", 1),
    ]  # fmt: skip
    assert stats["collaborationDensity"] == pytest.approx(4 / 6)
    assert stats["isolatedReserves"]["nodes"] == [] and stats["isolatedReserves"]["totalCount"] == 0
    assert answer["extensions"]["roundTrips"] == 8 + 4 + 1  # figures, isolated lists, theme id


async def test_stats_isolated_lists_page_by_id(hub: Hub) -> None:
    stats = ok(await hub.graphql(STATS, first=1))["stats"]
    first = stats["isolatedReserves"]
    assert [n["id"] for n in first["nodes"]] == ["Reserve:r-cas"] and first["totalCount"] == 2
    assert first["pageInfo"]["hasNextPage"]
    assert [n["id"] for n in stats["isolatedInstitutions"]["nodes"]] == ["Institution:i-gov"]
    after = first["pageInfo"]["endCursor"]
    rest = ok(await hub.graphql(STATS, first=1, after=after))["stats"]["isolatedReserves"]
    assert [n["id"] for n in rest["nodes"]] == ["Reserve:r-dol"]
    assert not rest["pageInfo"]["hasNextPage"]
    # whole graph: 5 participants, 5 pairs of 10
    assert stats["collaborationDensity"] == pytest.approx(0.5)


async def test_stats_round_trips_do_not_grow_with_the_scope(hub: Hub) -> None:
    small = await hub.graphql(STATS, filter={"networks": ["net-b"]})
    whole = await hub.graphql(STATS)
    ok(small), ok(whole)
    # 8 for the figures, 2 per isolated list (page and count), 1 to check the network id
    assert small["extensions"]["roundTrips"] == 8 + 4 + 1
    assert whole["extensions"]["roundTrips"] == 8 + 4
