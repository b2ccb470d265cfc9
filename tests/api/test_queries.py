"""Queries over real HTTP against the hand-made graph of tests/data/small.jsonl.

Every expectation below comes from tests/data/README.md and small.jsonl (or is computed through
a second path, e.g. paging through a list and comparing with its totalCount).
"""

from typing import Any

import pytest
from conftest import Hub

# --- what small.jsonl holds, by kind ---------------------------------------------------------------
KEYS = {
    "reserves": ["omana", "ordino", "sierra", "yading"],
    "institutions": ["cas", "omana-mgmt", "uleon"],
    "projects": ["p-fire", "p-glacier", "p-tourism", "p-water"],
    "people": ["ana", "bo", "chloe", "dmitri", "eve"],
    "themes": ["glacier", "tourism", "water", "wildfire"],
    "networks": ["wnmbr"],
}
TYPENAME = {
    "reserves": "Reserve",
    "institutions": "Institution",
    "projects": "Project",
    "people": "Person",
    "themes": "Theme",
    "networks": "Network",
}


def ok(answer: dict[str, Any]) -> dict[str, Any]:
    """The data of an answer that must have no errors."""
    assert "errors" not in answer, answer.get("errors")
    return answer["data"]  # type: ignore[no-any-return]


async def keys_of(hub: Hub, field: str, arguments: str = "", first: int = 100) -> list[str]:
    """The keys a top-level list gives with these arguments (one page, big enough here)."""
    args = f"first: {first}" + (f", {arguments}" if arguments else "")
    data = ok(await hub.graphql(f"{{ {field}({args}) {{ edges {{ node {{ key }} }} }} }}"))
    return [edge["node"]["key"] for edge in data[field]["edges"]]


async def page_through(
    hub: Hub, field: str, first: int, arguments: str = ""
) -> tuple[list[str], list[int]]:
    """Every key of a top-level list, paged `first` at a time; and the totalCount of each page."""
    keys: list[str] = []
    totals: list[int] = []
    after: str | None = None
    extra = f", {arguments}" if arguments else ""
    query = (
        f"query($first: Int, $after: String) {{ {field}(first: $first, after: $after{extra}) {{ "
        "totalCount edges { cursor node { key } } "
        "pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"
    )
    for _ in range(100):
        conn = ok(await hub.graphql(query, first=first, after=after))[field]
        edges = conn["edges"]
        info = conn["pageInfo"]
        totals.append(conn["totalCount"])
        assert len(edges) <= first
        assert info["hasPreviousPage"] is (after is not None)
        if edges:
            assert info["startCursor"] == edges[0]["cursor"]
            assert info["endCursor"] == edges[-1]["cursor"]
        keys += [edge["node"]["key"] for edge in edges]
        if not info["hasNextPage"]:
            return keys, totals
        assert len(edges) == first, "a page that is not the last must be full"
        after = info["endCursor"]
    raise AssertionError(f"{field} did not end after 100 pages")


# --- node(id:) and nodes(ids:) ---------------------------------------------------------------------
NODE_QUERY = """
query($id: ID!) {
  node(id: $id) {
    __typename id key
    ... on Reserve { name reserveCountry: country designationYear latitude longitude mountain
                     provenance { field value note } }
    ... on Institution { name kind country }
    ... on Project { title startYear endYear synthetic }
    ... on Person { name country synthetic }
    ... on Theme { label sdgGoals }
    ... on Network { name founded }
  }
}
"""

NODES = {
    "Reserve:omana": {
        "name": "Valles de Omaña y Luna", "reserveCountry": "ES", "designationYear": 2005,
        "latitude": 42.9, "longitude": -5.95, "mountain": None,
        "provenance": [
            {"field": "latitude/longitude", "value": "42.9, -5.95", "note": "point as given by source"}
        ],
    },
    "Reserve:yading": {
        "name": "稻城亚丁 Yading", "reserveCountry": "CN", "designationYear": 2003, "latitude": None,
        "longitude": None, "mountain": None, "provenance": [],
    },
    "Reserve:sierra": {
        "name": "Sierra Nevada", "reserveCountry": "ES", "designationYear": 1986, "latitude": None,
        "longitude": None, "mountain": True, "provenance": [],
    },
    "Institution:cas": {
        "name": "Chinese Academy of Sciences", "kind": "research_centre", "country": "CN"
    },
    "Project:p-glacier": {
        "title": "Glacier watch", "startYear": 2019, "endYear": 2023, "synthetic": False
    },
    "Project:p-fire": {
        "title": "Fire ecology in Omaña", "startYear": 2021, "endYear": None, "synthetic": False
    },
    "Person:ana": {"name": "Ana Núñez", "country": "ES", "synthetic": False},
    "Person:bo": {"name": "张博", "country": "CN", "synthetic": False},
    "Theme:glacier": {"label": "Glacier retreat", "sdgGoals": [13, 6]},
    "Theme:wildfire": {"label": "Wildfire", "sdgGoals": []},
    "Network:wnmbr": {
        "name": "World Network of Mountain Biosphere Reserves", "founded": "2021-12-07"
    },
}  # fmt: skip


@pytest.mark.parametrize("global_id", list(NODES))
async def test_node_by_id_returns_its_type_and_fields(small_hub: Hub, global_id: str) -> None:
    node = ok(await small_hub.graphql(NODE_QUERY, id=global_id))["node"]
    kind, key = global_id.split(":")
    assert node["__typename"] == kind
    assert node["id"] == global_id
    assert node["key"] == key
    assert {k: v for k, v in node.items() if k not in {"__typename", "id", "key"}} == NODES[
        global_id
    ]


async def test_every_node_listed_is_fetchable_by_its_id(small_hub: Hub) -> None:
    for field, keys in KEYS.items():
        for key in keys:
            node = ok(await small_hub.graphql(NODE_QUERY, id=f"{TYPENAME[field]}:{key}"))["node"]
            assert (node["__typename"], node["id"], node["key"]) == (
                TYPENAME[field],
                f"{TYPENAME[field]}:{key}",
                key,
            )


async def test_nodes_keeps_the_order_given_with_null_for_unknown_ids(small_hub: Hub) -> None:
    ids = ["Theme:water", "Person:nobody", "Reserve:ordino", "Person:ana", "Network:wnmbr",
           "Reserve:ordino", "Project:p-none"]  # fmt: skip
    query = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"
    found = ok(await small_hub.graphql(query, ids=ids))["nodes"]
    assert [n and n["id"] for n in found] == [
        "Theme:water", None, "Reserve:ordino", "Person:ana", "Network:wnmbr", "Reserve:ordino", None
    ]  # fmt: skip
    assert [n and n["__typename"] for n in found] == [
        "Theme",
        None,
        "Reserve",
        "Person",
        "Network",
        "Reserve",
        None,
    ]


async def test_nodes_of_an_empty_list_is_empty(small_hub: Hub) -> None:
    assert ok(await small_hub.graphql("{ nodes(ids: []) { id } }"))["nodes"] == []


# --- top-level connections -----------------------------------------------------------------------
@pytest.mark.parametrize("field", list(KEYS))
@pytest.mark.parametrize("first", [1, 2, 3])
async def test_each_list_pages_to_the_end_without_duplicates_or_gaps(
    small_hub: Hub, field: str, first: int
) -> None:
    keys, totals = await page_through(small_hub, field, first)
    assert keys == KEYS[field]  # ordered by id, each once
    assert len(set(keys)) == len(keys)
    assert set(totals) == {len(keys)}


@pytest.mark.parametrize("field", list(KEYS))
async def test_each_list_node_has_its_kind_and_global_id(small_hub: Hub, field: str) -> None:
    data = ok(await small_hub.graphql(f"{{ {field} {{ nodes {{ __typename id key }} }} }}"))
    nodes = data[field]["nodes"]
    assert [n["key"] for n in nodes] == KEYS[field]
    for node in nodes:
        assert node["__typename"] == TYPENAME[field]
        assert node["id"] == f"{TYPENAME[field]}:{node['key']}"


async def test_first_zero_gives_an_empty_page_with_the_total(small_hub: Hub) -> None:
    conn = ok(
        await small_hub.graphql("{ people(first: 0) { totalCount edges { cursor } pageInfo { hasNextPage endCursor } } }")
    )["people"]  # fmt: skip
    assert conn["edges"] == []
    assert conn["totalCount"] == len(KEYS["people"])
    assert conn["pageInfo"]["endCursor"] is None


async def test_paging_after_the_last_cursor_gives_an_empty_last_page(small_hub: Hub) -> None:
    query = "query($after: String) { themes(first: 100, after: $after) { edges { cursor node { key } } pageInfo { hasNextPage } } }"
    first_page = ok(await small_hub.graphql(query))["themes"]
    last = first_page["edges"][-1]["cursor"]
    rest = ok(await small_hub.graphql(query, after=last))["themes"]
    assert rest["edges"] == []
    assert rest["pageInfo"]["hasNextPage"] is False


# --- filters -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "arguments", "expected"),
    [
        # text: case- and accent-insensitive, in any script
        ("reserves", 'text: "omana"', ["omana"]),
        ("reserves", 'text: "OMAÑA"', ["omana"]),
        ("reserves", 'text: "  Omana  "', ["omana"]),
        ("reserves", 'text: "稻城"', ["yading"]),
        ("reserves", 'text: "nevada"', ["sierra"]),
        ("reserves", 'text: "zzz"', []),
        ("institutions", 'text: "omana"', ["omana-mgmt"]),
        ("institutions", 'text: "leon"', ["uleon"]),
        ("projects", 'text: "omana"', ["p-fire"]),
        ("projects", 'text: "WATER"', ["p-water"]),
        ("people", 'text: "nunez"', ["ana"]),
        ("people", 'text: "alvarez"', ["eve"]),
        ("people", 'text: "chloe"', ["chloe"]),
        ("people", 'text: "张"', ["bo"]),
        ("themes", 'text: "water"', ["water"]),
        ("themes", 'text: "e"', ["glacier", "tourism", "water", "wildfire"]),
        ("networks", 'text: "mountain biosphere"', ["wnmbr"]),
        ("networks", 'text: "andes"', []),
        # country (ISO alpha-2, either case)
        ("reserves", 'country: "ES"', ["omana", "sierra"]),
        ("reserves", 'country: "es"', ["omana", "sierra"]),
        ("reserves", 'country: "AD"', ["ordino"]),
        ("reserves", 'country: "FR"', []),
        ("institutions", 'country: "ES"', ["omana-mgmt", "uleon"]),
        ("institutions", 'country: "CN"', ["cas"]),
        ("people", 'country: "ES"', ["ana", "eve"]),
        ("people", 'country: "RU"', ["dmitri"]),
        # a project's country is that of a reserve it is sited in
        ("projects", 'country: "ES"', ["p-fire", "p-glacier"]),
        ("projects", 'country: "CN"', ["p-glacier", "p-water"]),
        ("projects", 'country: "AD"', ["p-tourism"]),
        # theme, as a global id and as a bare key
        ("reserves", 'theme: "Theme:water"', ["sierra", "yading"]),
        ("reserves", 'theme: "water"', ["sierra", "yading"]),
        ("reserves", 'theme: "tourism"', ["omana", "ordino", "sierra"]),
        ("projects", 'theme: "Theme:water"', ["p-glacier", "p-water"]),
        ("projects", 'theme: "wildfire"', ["p-fire"]),
        ("people", 'theme: "Theme:water"', ["ana", "bo", "chloe"]),
        ("people", 'theme: "wildfire"', ["ana", "bo", "dmitri"]),
        ("people", 'theme: "tourism"', ["dmitri"]),
        # network, as a global id and as a bare key
        ("reserves", 'network: "Network:wnmbr"', ["omana", "ordino"]),
        ("reserves", 'network: "wnmbr"', ["omana", "ordino"]),
        ("institutions", 'network: "wnmbr"', ["uleon"]),
        # institution kind (an enum)
        ("institutions", "kind: UNIVERSITY", ["uleon"]),
        ("institutions", "kind: RESEARCH_CENTRE", ["cas"]),
        ("institutions", "kind: RESERVE_MANAGEMENT", ["omana-mgmt"]),
        ("institutions", "kind: NGO", []),
        # filters combine with AND
        ("reserves", 'country: "ES", theme: "water"', ["sierra"]),
        ("reserves", 'country: "ES", network: "wnmbr"', ["omana"]),
        ("reserves", 'text: "o", country: "AD"', ["ordino"]),
        ("institutions", 'country: "ES", kind: UNIVERSITY', ["uleon"]),
        ("people", 'country: "ES", theme: "water"', ["ana"]),
    ],
)
async def test_filter_gives_the_expected_set(
    small_hub: Hub, field: str, arguments: str, expected: list[str]
) -> None:
    assert await keys_of(small_hub, field, arguments) == expected


async def test_a_filtered_list_pages_and_counts_only_its_matches(small_hub: Hub) -> None:
    keys, totals = await page_through(small_hub, "reserves", 1, 'theme: "Theme:tourism"')
    assert keys == ["omana", "ordino", "sierra"]
    assert set(totals) == {3}


# --- relationships, both ways --------------------------------------------------------------------
# (type, key, field) -> [(neighbour key, roles, since)], ordered by the neighbour's key.
RELATIONSHIPS: dict[tuple[str, str, str], list[tuple[str, list[str], str | None]]] = {
    ("Person", "ana", "institutions"): [("uleon", ["researcher"], "2015-03-01")],
    ("Person", "chloe", "institutions"): [("cas", ["visiting"], None), ("uleon", ["researcher"], None)],
    ("Institution", "uleon", "people"): [("ana", ["researcher"], "2015-03-01"),
                                         ("chloe", ["researcher"], None)],
    ("Institution", "cas", "people"): [("bo", ["director"], None), ("chloe", ["visiting"], None)],
    ("Person", "ana", "projects"): [("p-fire", ["researcher"], None), ("p-glacier", ["lead"], None),
                                    ("p-water", ["researcher"], None)],
    ("Person", "dmitri", "projects"): [("p-fire", ["advisor"], None), ("p-tourism", ["lead"], None)],
    ("Person", "eve", "projects"): [],
    ("Project", "p-glacier", "participants"): [("ana", ["lead"], None), ("bo", ["researcher"], None),
                                               ("chloe", ["advisor"], None)],
    ("Project", "p-fire", "participants"): [("ana", ["researcher"], None), ("bo", ["field"], None),
                                            ("dmitri", ["advisor"], None)],
    ("Person", "eve", "reserves"): [("omana", ["manager"], None)],
    ("Reserve", "omana", "people"): [("eve", ["manager"], None)],
    ("Reserve", "sierra", "people"): [],
    ("Institution", "cas", "projects"): [("p-glacier", ["coordinator"], None),
                                         ("p-water", ["partner", "funder"], None)],
    ("Project", "p-water", "institutions"): [("cas", ["partner", "funder"], None)],
    ("Project", "p-fire", "institutions"): [("uleon", ["coordinator"], None)],
    ("Project", "p-glacier", "reserves"): [("sierra", [], None), ("yading", [], None)],
    ("Reserve", "yading", "projects"): [("p-glacier", [], None), ("p-water", [], None)],
    ("Reserve", "omana", "projects"): [("p-fire", [], None)],
    ("Project", "p-glacier", "themes"): [("glacier", [], None), ("water", [], None)],
    ("Theme", "water", "projects"): [("p-glacier", [], None), ("p-water", [], None)],
    ("Reserve", "omana", "themes"): [("tourism", [], None), ("wildfire", [], None)],
    ("Theme", "tourism", "reserves"): [("omana", [], None), ("ordino", [], None), ("sierra", [], None)],
    ("Theme", "wildfire", "reserves"): [("omana", [], None)],
    ("Institution", "omana-mgmt", "reserves"): [("omana", [], None)],
    ("Reserve", "omana", "institutions"): [("omana-mgmt", [], None)],
    ("Reserve", "yading", "institutions"): [],
    ("Network", "wnmbr", "reserves"): [("omana", [], "2021-12-07"), ("ordino", [], "2022-05-12")],
    ("Reserve", "omana", "networks"): [("wnmbr", [], "2021-12-07")],
    ("Reserve", "sierra", "networks"): [],
    ("Network", "wnmbr", "institutions"): [("uleon", [], "2023-01-01")],
    ("Institution", "uleon", "networks"): [("wnmbr", [], "2023-01-01")],
    ("Institution", "cas", "networks"): [],
}  # fmt: skip


@pytest.mark.parametrize(("typename", "key", "field"), list(RELATIONSHIPS))
async def test_relationship_gives_its_neighbours_with_roles_and_since(
    small_hub: Hub, typename: str, key: str, field: str
) -> None:
    query = f"""query($id: ID!) {{ node(id: $id) {{ ... on {typename} {{
        {field} {{ totalCount edges {{ roles since node {{ __typename id key }} }}
                   pageInfo {{ hasNextPage }} }} }} }} }}"""
    conn = ok(await small_hub.graphql(query, id=f"{typename}:{key}"))["node"][field]
    expected = RELATIONSHIPS[typename, key, field]
    assert [(e["node"]["key"], e["roles"], e["since"]) for e in conn["edges"]] == expected
    assert conn["totalCount"] == len(expected)
    assert conn["pageInfo"]["hasNextPage"] is False
    for edge in conn["edges"]:
        assert edge["node"]["id"] == f"{edge['node']['__typename']}:{edge['node']['key']}"


# Each relationship field, with the field that walks it the other way on the neighbour.
INVERSES = [
    ("reserves", "projects", "reserves"),
    ("reserves", "themes", "reserves"),
    ("reserves", "institutions", "reserves"),
    ("reserves", "people", "reserves"),
    ("reserves", "networks", "reserves"),
    ("institutions", "people", "institutions"),
    ("institutions", "projects", "institutions"),
    ("institutions", "reserves", "institutions"),
    ("institutions", "networks", "institutions"),
    ("projects", "participants", "projects"),
    ("projects", "institutions", "projects"),
    ("projects", "reserves", "projects"),
    ("projects", "themes", "projects"),
    ("people", "institutions", "people"),
    ("people", "projects", "participants"),
    ("people", "reserves", "people"),
    ("themes", "projects", "themes"),
    ("themes", "reserves", "themes"),
    ("networks", "reserves", "networks"),
    ("networks", "institutions", "networks"),
]


@pytest.mark.parametrize(("field", "link", "back"), INVERSES)
async def test_a_relationship_walked_back_gives_the_same_links(
    small_hub: Hub, field: str, link: str, back: str
) -> None:
    """Walking a relationship out from every node and back from every neighbour agree."""
    # Pages of 20 hold all of small.jsonl (at most 5 nodes of a kind, 8 links of a node); three
    # nested pages of 100 would cost more than the hub allows (schema/limits.py).
    query = f"""{{ {field}(first: 20) {{ nodes {{ key
        {link}(first: 20) {{ totalCount edges {{ roles since node {{ key
            {back}(first: 20) {{ edges {{ roles since node {{ key }} }} }} }} }} }} }} }} }}"""
    forward: set[tuple[str, str, tuple[str, ...], str | None]] = set()
    backward: set[tuple[str, str, tuple[str, ...], str | None]] = set()
    for node in ok(await small_hub.graphql(query))[field]["nodes"]:
        edges = node[link]["edges"]
        assert node[link]["totalCount"] == len(edges)
        for edge in edges:
            forward.add((node["key"], edge["node"]["key"], tuple(edge["roles"]), edge["since"]))
            for back_edge in edge["node"][back]["edges"]:
                backward.add(
                    (back_edge["node"]["key"], edge["node"]["key"], tuple(back_edge["roles"]),
                     back_edge["since"])
                )  # fmt: skip
    assert forward  # small.jsonl has links of every relationship
    assert forward == backward


async def test_relationship_pages_by_first_and_after(small_hub: Hub) -> None:
    query = """query($after: String) { node(id: "Person:ana") { ... on Person {
        projects(first: 1, after: $after) { totalCount edges { cursor roles node { key } }
            pageInfo { hasNextPage hasPreviousPage endCursor } } } } }"""
    seen: list[tuple[str, list[str]]] = []
    after = None
    while True:
        conn = ok(await small_hub.graphql(query, after=after))["node"]["projects"]
        assert conn["totalCount"] == 3
        assert len(conn["edges"]) == 1
        assert conn["pageInfo"]["hasPreviousPage"] is (after is not None)
        seen += [(e["node"]["key"], e["roles"]) for e in conn["edges"]]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert seen == [
        ("p-fire", ["researcher"]),
        ("p-glacier", ["lead"]),
        ("p-water", ["researcher"]),
    ]


async def test_relationship_pages_are_per_parent_when_asked_on_a_list(small_hub: Hub) -> None:
    query = """query($after: String) { projects { nodes { key
        participants(first: 2, after: $after) { totalCount edges { node { key } }
            pageInfo { hasNextPage endCursor } } } } }"""
    data = ok(await small_hub.graphql(query))["projects"]["nodes"]
    got = {
        p["key"]: (
            [e["node"]["key"] for e in p["participants"]["edges"]],
            p["participants"]["totalCount"],
            p["participants"]["pageInfo"]["hasNextPage"],
        )
        for p in data
    }
    assert got == {
        "p-fire": (["ana", "bo"], 3, True),
        "p-glacier": (["ana", "bo"], 3, True),
        "p-tourism": (["dmitri"], 1, False),
        "p-water": (["ana", "bo"], 2, False),
    }
    # A cursor is a key: the cursor after "bo" gives each list's participants after "bo".
    cursor = data[0]["participants"]["pageInfo"]["endCursor"]
    rest = ok(await small_hub.graphql(query, after=cursor))["projects"]["nodes"]
    assert {p["key"]: [e["node"]["key"] for e in p["participants"]["edges"]] for p in rest} == {
        "p-fire": ["dmitri"],
        "p-glacier": ["chloe"],
        "p-tourism": ["dmitri"],
        "p-water": [],
    }


async def test_relationship_first_zero_gives_only_the_total(small_hub: Hub) -> None:
    query = '{ node(id: "Theme:tourism") { ... on Theme { reserves(first: 0) { totalCount edges { cursor } } } } }'
    conn = ok(await small_hub.graphql(query))["node"]["reserves"]
    assert conn == {"totalCount": 3, "edges": []}


# --- collaborators -------------------------------------------------------------------------------
COLLABORATORS = """
query($person: ID!, $theme: ID, $first: Int, $after: String) {
  collaborators(personId: $person, theme: $theme, first: $first, after: $after) {
    totalCount
    edges { cursor node { id key } sharedProjectCount
            sharedProjects { key } sharedThemes { key } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}
"""


def summary(conn: dict[str, Any]) -> list[tuple[str, int, list[str], list[str]]]:
    return [
        (
            e["node"]["key"],
            e["sharedProjectCount"],
            [p["key"] for p in e["sharedProjects"]],
            [t["key"] for t in e["sharedThemes"]],
        )
        for e in conn["edges"]
    ]


async def test_collaborators_are_ranked_by_shared_projects_then_by_id(small_hub: Hub) -> None:
    conn = ok(await small_hub.graphql(COLLABORATORS, person="Person:ana"))["collaborators"]
    assert summary(conn) == [
        ("bo", 3, ["p-fire", "p-glacier", "p-water"], ["glacier", "water", "wildfire"]),
        ("chloe", 1, ["p-glacier"], ["glacier", "water"]),
        ("dmitri", 1, ["p-fire"], ["wildfire"]),
    ]
    assert conn["totalCount"] == 3
    assert conn["pageInfo"]["hasNextPage"] is False
    assert [e["node"]["id"] for e in conn["edges"]] == [
        "Person:bo",
        "Person:chloe",
        "Person:dmitri",
    ]


async def test_collaborators_accept_a_bare_person_key(small_hub: Hub) -> None:
    conn = ok(await small_hub.graphql(COLLABORATORS, person="ana"))["collaborators"]
    assert [e["node"]["key"] for e in conn["edges"]] == ["bo", "chloe", "dmitri"]


@pytest.mark.parametrize(
    ("person", "theme", "expected"),
    [
        # p-glacier and p-water address water; ana shares both with bo and p-glacier with chloe.
        ("Person:ana", "Theme:water", [("bo", 2, ["p-glacier", "p-water"], ["glacier", "water"]),
                                       ("chloe", 1, ["p-glacier"], ["glacier", "water"])]),
        ("Person:ana", "wildfire", [("bo", 1, ["p-fire"], ["wildfire"]),
                                    ("dmitri", 1, ["p-fire"], ["wildfire"])]),
        ("Person:ana", "tourism", []),
        ("Person:dmitri", None, [("ana", 1, ["p-fire"], ["wildfire"]),
                                 ("bo", 1, ["p-fire"], ["wildfire"])]),
        ("Person:chloe", None, [("ana", 1, ["p-glacier"], ["glacier", "water"]),
                                ("bo", 1, ["p-glacier"], ["glacier", "water"])]),
        ("Person:eve", None, []),
    ],
)  # fmt: skip
async def test_collaborators_on_a_theme_share_projects_on_that_theme(
    small_hub: Hub, person: str, theme: str | None, expected: list[Any]
) -> None:
    conn = ok(await small_hub.graphql(COLLABORATORS, person=person, theme=theme))["collaborators"]
    assert summary(conn) == expected
    assert conn["totalCount"] == len(expected)


@pytest.mark.parametrize(("person", "theme"), [("Person:ana", None), ("Person:ana", "wildfire"),
                                               ("Person:bo", None)])  # fmt: skip
async def test_collaborators_page_one_at_a_time_to_the_same_ranking(
    small_hub: Hub, person: str, theme: str | None
) -> None:
    whole = ok(await small_hub.graphql(COLLABORATORS, person=person, theme=theme, first=100))
    expected = summary(whole["collaborators"])
    paged: list[Any] = []
    after = None
    for _ in range(20):
        conn = ok(
            await small_hub.graphql(COLLABORATORS, person=person, theme=theme, first=1, after=after)
        )["collaborators"]
        assert conn["totalCount"] == len(expected)
        assert conn["pageInfo"]["hasPreviousPage"] is (after is not None)
        assert len(conn["edges"]) <= 1
        paged += summary(conn)
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert paged == expected
    assert len({row[0] for row in paged}) == len(paged)
    assert len(paged) >= 2  # the paging was exercised


async def test_collaborators_first_zero_gives_only_the_total(small_hub: Hub) -> None:
    conn = ok(await small_hub.graphql(COLLABORATORS, person="Person:ana", first=0))["collaborators"]
    assert conn["edges"] == []
    assert conn["totalCount"] == 3
