"""Search and geography over real HTTP, on tests/data/search.jsonl and search_geo.jsonl.

Known answers are in tests/data/README.md; distances are recomputed here with the haversine
formula from the coordinates in search_geo.jsonl.
"""

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from conftest import Hub, hub_over, ok
from geo_reference import coordinates, haversine_km

from hub.embedded import Endpoint


@pytest.fixture(scope="module")
async def search_hub(falkordb_endpoint: Endpoint) -> AsyncIterator[Hub]:
    """A hub holding both search files. Tests must not write to it."""
    async with hub_over(falkordb_endpoint, "search.jsonl", "search_geo.jsonl") as hub:
        yield hub


def assert_bad_input(answer: dict[str, Any], argument: str) -> None:
    (error,) = answer["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["extensions"]["argument"] == argument, error
    assert error["message"].startswith(f"{argument}: "), error


SEARCH = """
query($text: String!, $kinds: [Kind!], $first: Int, $after: String) {
  search(text: $text, kinds: $kinds, first: $first, after: $after) {
    totalCount
    edges { cursor score node { __typename id key } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""


async def search(hub: Hub, text: str, **variables: Any) -> dict[str, Any]:
    return ok(await hub.graphql(SEARCH, text=text, **variables))["search"]  # type: ignore[no-any-return]


def ids(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["id"] for edge in connection["edges"]]


OMANA = {"Reserve:omana", "Institution:omana-mgmt", "Project:p-basin", "Network:wnmbr"}


# --- search --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("omana", OMANA),
        ("OMAÑA Luna", OMANA - {"Project:p-basin"}),
        ("nunez", {"Person:ana"}),
        ("HELENE lefèvre", {"Person:helene"}),
        ("universite", {"Institution:uga"}),
        ("亚丁", {"Reserve:yading"}),
        ("张博", {"Person:bo"}),
        ("lefev", {"Person:helene"}),  # the start of the last word
    ],
)
async def test_search_finds_names_whatever_the_case_and_accents(
    search_hub: Hub, text: str, expected: set[str]
) -> None:
    connection = await search(search_hub, text, first=50)
    assert set(ids(connection)) == expected
    assert connection["totalCount"] == len(expected)
    for edge in connection["edges"]:
        kind, key = edge["node"]["id"].split(":")
        assert (edge["node"]["__typename"], edge["node"]["key"]) == (kind, key)


async def test_search_returns_the_fields_of_each_kind(search_hub: Hub) -> None:
    query = """{ search(text: "omana", kinds: [RESERVE, PROJECT]) { edges { node {
        ... on Reserve { name country latitude } ... on Project { title description } } } } }"""
    nodes = [edge["node"] for edge in ok(await search_hub.graphql(query))["search"]["edges"]]
    assert {json.dumps(node, ensure_ascii=False, sort_keys=True) for node in nodes} == {
        json.dumps(
            {"name": "Valles de Omaña y Luna", "country": "ES", "latitude": 42.9},
            ensure_ascii=False,
            sort_keys=True,
        ),
        json.dumps(
            {"title": "Water towers", "description": "How glacier melt feeds the rivers of Omaña."},
            ensure_ascii=False,
            sort_keys=True,
        ),
    }


async def test_kinds_restrict_the_search(search_hub: Hub) -> None:
    connection = await search(search_hub, "omana", kinds=["RESERVE", "INSTITUTION"])
    assert set(ids(connection)) == {"Reserve:omana", "Institution:omana-mgmt"}
    assert connection["totalCount"] == 2
    assert ids(await search(search_hub, "omana", kinds=["PERSON"])) == []


async def test_title_matches_rank_above_description_matches(search_hub: Hub) -> None:
    found = ids(await search(search_hub, "glacier", kinds=["PROJECT"]))
    assert found == ["Project:p-glacier", "Project:p-basin"]
    found = ids(await search(search_hub, "glacier", kinds=["THEME"]))
    assert found == ["Theme:glacier", "Theme:freshwater"]


@pytest.mark.parametrize("text", ["glacier", "omana", "snow", "de"])
async def test_edges_come_best_score_first_then_by_kind_then_key(
    search_hub: Hub, text: str
) -> None:
    edges = (await search(search_hub, text, first=100))["edges"]
    assert edges
    order = [(-edge["score"], edge["node"]["__typename"], edge["node"]["key"]) for edge in edges]
    assert order == sorted(order)


async def test_equal_scores_are_ordered_by_key(search_hub: Hub) -> None:
    edges = (await search(search_hub, "snow survey"))["edges"]
    assert [edge["node"]["id"] for edge in edges] == ["Project:p-snow-a", "Project:p-snow-b"]
    assert edges[0]["score"] == edges[1]["score"]


@pytest.mark.parametrize("first", [1, 2, 3])
async def test_search_pages_to_the_end_without_duplicates(search_hub: Hub, first: int) -> None:
    whole = await search(search_hub, "omana", first=100)
    seen: list[str] = []
    after: str | None = None
    for _ in range(10):
        page = await search(search_hub, "omana", first=first, after=after)
        assert page["totalCount"] == len(whole["edges"])
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        seen += ids(page)
        if not page["pageInfo"]["hasNextPage"]:
            break
        assert len(page["edges"]) == first
        after = page["pageInfo"]["endCursor"]
    assert seen == ids(whole)
    assert len(set(seen)) == len(seen) == 4


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-omana", OMANA),
        ('"omana', OMANA),
        ("(omana)*", OMANA),
        ("omana | ordesa", set()),
        ("@search_title:omana", set()),
        ("+omana -luna~ ^2", set()),
        ("*", set()),
        ('\\"*:*', set()),
        ("omana && luna", OMANA - {"Project:p-basin"}),
    ],
)
async def test_query_operators_in_the_text_are_not_errors(
    search_hub: Hub, text: str, expected: set[str]
) -> None:
    connection = await search(search_hub, text)
    assert set(ids(connection)) == expected
    assert connection["totalCount"] == len(expected)


@pytest.mark.parametrize("text", ["", "   ", "\t\n", "\u0301"])
async def test_empty_or_blank_text_is_bad_user_input(search_hub: Hub, text: str) -> None:
    assert_bad_input(await search_hub.graphql(SEARCH, text=text), "text")


@pytest.mark.parametrize(
    ("variables", "argument"),
    [
        ({"text": "omana", "kinds": []}, "kinds"),
        ({"text": "omana", "first": -1}, "first"),
        ({"text": "omana", "first": 101}, "first"),
        ({"text": "omana", "after": "not a cursor"}, "after"),
        ({"text": "x" * 201}, "text"),
        ({"text": "omana\x00"}, "text"),
    ],
)
async def test_bad_search_arguments_are_named(
    search_hub: Hub, variables: dict[str, Any], argument: str
) -> None:
    assert_bad_input(await search_hub.graphql(SEARCH, **variables), argument)


async def test_search_with_its_total_costs_two_round_trips(search_hub: Hub) -> None:
    answer = await search_hub.graphql(SEARCH, text="omana", first=2)
    ok(answer)
    assert answer["extensions"]["roundTrips"] == 2


# --- reservesNear --------------------------------------------------------------------------------
NEAR = """
query($latitude: Float!, $longitude: Float!, $radiusKm: Float!, $first: Int) {
  reservesNear(latitude: $latitude, longitude: $longitude, radiusKm: $radiusKm, first: $first) {
    distanceKm reserve { id key name }
  }
}
"""


@pytest.mark.parametrize(
    ("latitude", "longitude", "radius_km"),
    [(42.9, -5.95, 700.0), (-16.7, 180.0, 100.0), (11.0, 20.0, 500.0), (0.0, 0.0, 20_000.0)],
)
async def test_reserves_near_a_point_nearest_first_with_distances(
    search_hub: Hub, latitude: float, longitude: float, radius_km: float
) -> None:
    answer = await search_hub.graphql(
        NEAR, latitude=latitude, longitude=longitude, radiusKm=radius_km, first=100
    )
    got = ok(answer)["reservesNear"]
    distances = sorted(
        (haversine_km((latitude, longitude), place), key) for key, place in coordinates().items()
    )
    want = [(key, d) for d, key in distances if d <= radius_km]
    assert [item["reserve"]["key"] for item in got] == [key for key, _ in want]
    for item, (key, distance) in zip(got, want, strict=True):
        assert item["distanceKm"] == pytest.approx(distance, abs=1e-6)
        assert item["reserve"]["id"] == f"Reserve:{key}"


async def test_reserves_near_never_lists_reserves_without_coordinates(search_hub: Hub) -> None:
    answer = await search_hub.graphql(NEAR, latitude=30.0, longitude=100.0, radiusKm=20_000.0)
    keys = [item["reserve"]["key"] for item in ok(answer)["reservesNear"]]
    assert "yading" not in keys and "cevennes" not in keys
    assert len(keys) == len(coordinates())


async def test_reserves_near_gives_the_first_nearest(search_hub: Hub) -> None:
    answer = await search_hub.graphql(NEAR, latitude=42.9, longitude=-5.95, radiusKm=5000, first=2)
    assert [item["reserve"]["key"] for item in ok(answer)["reservesNear"]] == ["omana", "ordino"]


@pytest.mark.parametrize(
    ("latitude", "longitude", "radius_km", "argument"),
    [
        (90.5, 0.0, 10.0, "latitude"),
        (-91.0, 0.0, 10.0, "latitude"),
        (0.0, 180.01, 10.0, "longitude"),
        (0.0, -181.0, 10.0, "longitude"),
        (0.0, 0.0, 0.0, "radiusKm"),
        (0.0, 0.0, -5.0, "radiusKm"),
        (0.0, 0.0, 20_000.5, "radiusKm"),
    ],
)
async def test_bad_reserves_near_arguments_are_named(
    search_hub: Hub, latitude: float, longitude: float, radius_km: float, argument: str
) -> None:
    answer = await search_hub.graphql(
        NEAR, latitude=latitude, longitude=longitude, radiusKm=radius_km
    )
    assert_bad_input(answer, argument)


async def test_reserves_near_accepts_the_edges_of_the_ranges(search_hub: Hub) -> None:
    for latitude, longitude in [(90.0, 180.0), (-90.0, -180.0)]:
        answer = await search_hub.graphql(
            NEAR, latitude=latitude, longitude=longitude, radiusKm=20_000.0
        )
        assert len(ok(answer)["reservesNear"]) == len(coordinates())


# --- reserves(within:) ---------------------------------------------------------------------------
WITHIN = """
query($within: BoundingBox, $first: Int, $after: String) {
  reserves(within: $within, first: $first, after: $after) {
    totalCount edges { node { key } } pageInfo { hasNextPage endCursor }
  }
}
"""


@pytest.mark.parametrize(
    ("box", "expected"),
    [
        ({"south": 36, "west": -10, "north": 44, "east": 3}, ["omana", "ordino", "sierra"]),
        ({"south": -20, "west": 175, "north": -10, "east": -175}, ["lau", "taveuni"]),
        ({"south": -20, "west": -175, "north": -10, "east": 175}, ["vanua"]),
        ({"south": 0, "west": 0, "north": 0, "east": 0}, ["null-island"]),
    ],
)
async def test_reserves_within_a_box_by_key(
    search_hub: Hub, box: dict[str, float], expected: list[str]
) -> None:
    connection = ok(await search_hub.graphql(WITHIN, within=box))["reserves"]
    assert [edge["node"]["key"] for edge in connection["edges"]] == expected
    assert connection["totalCount"] == len(expected)


async def test_reserves_within_a_box_page_by_key(search_hub: Hub) -> None:
    box = {"south": -90, "west": -180, "north": 90, "east": 180}
    keys: list[str] = []
    after = None
    for _ in range(20):
        connection = ok(await search_hub.graphql(WITHIN, within=box, first=2, after=after))
        page = connection["reserves"]
        keys += [edge["node"]["key"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert keys == sorted(coordinates())


@pytest.mark.parametrize(
    "box",
    [
        {"south": 10, "west": 0, "north": 5, "east": 1},  # south above north
        {"south": -91, "west": 0, "north": 5, "east": 1},
        {"south": 0, "west": 0, "north": 90.5, "east": 1},
        {"south": 0, "west": -180.5, "north": 5, "east": 1},
        {"south": 0, "west": 0, "north": 5, "east": 181},
    ],
)
async def test_a_bad_box_is_bad_user_input_naming_within(
    search_hub: Hub, box: dict[str, float]
) -> None:
    assert_bad_input(await search_hub.graphql(WITHIN, within=box), "within")
