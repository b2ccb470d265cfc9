"""Store contract: the filtered sub-graph, its drawing, and the dashboard figures.

Every expectation is derived by hand from tests/data/analytics.jsonl (see tests/data/README.md).
"""

import pytest
from conftest import load_file

from graph import _analytics
from graph.model import Kind
from graph.records import GraphFilter, NetworkSlice
from graph.store import Store, counting_round_trips

# Degrees in the whole graph, counted by hand from the file (they add up to 2 x 36).
DEGREE = {
    "Theme:ice": 3, "Theme:fire": 2, "Theme:farm": 4, "Network:net-a": 3, "Network:net-b": 2,
    "Reserve:r-alp": 4, "Reserve:r-ber": 5, "Reserve:r-cas": 2, "Reserve:r-dol": 3,
    "Institution:i-uni": 4, "Institution:i-ngo": 3, "Institution:i-gov": 3,
    "Project:p1": 5, "Project:p2": 5, "Project:p3": 9, "Project:p4": 3,
    "Person:ann": 3, "Person:ben": 3, "Person:cat": 2, "Person:dan": 1, "Person:eli": 1,
    "Person:fay": 2,
}  # fmt: skip

_P1 = {"Project:p1", "Theme:ice", "Reserve:r-alp", "Person:ann", "Person:ben", "Institution:i-uni"}
_P2 = {"Project:p2", "Theme:fire", "Reserve:r-ber", "Person:ben", "Person:cat", "Institution:i-ngo"}
_P3 = {
    "Project:p3", "Theme:farm", "Theme:ice", "Reserve:r-alp", "Reserve:r-ber", "Person:ann",
    "Person:cat", "Person:dan", "Institution:i-uni", "Institution:i-ngo",
}  # fmt: skip
_P4 = {"Project:p4", "Theme:farm", "Reserve:r-ber", "Person:eli"}

# filter -> (nodes of the sub-graph, number of its relationships); the reasoning is in README.md.
CASES: dict[str, tuple[GraphFilter, set[str], int]] = {
    "themes": (GraphFilter(themes=["ice"]), _P1 | _P3, 18),
    "countries": (GraphFilter(countries=["ES"]), _P2 | _P3 | _P4 | {"Reserve:r-cas"}, 23),
    "networks without projects": (
        GraphFilter(networks=["net-b"]),
        {"Reserve:r-cas", "Institution:i-gov", "Network:net-b"},
        2,
    ),
    "networks": (
        GraphFilter(networks=["net-a"]),
        _P1 | _P3 | {"Reserve:r-dol", "Network:net-a"},
        21,
    ),
    "since": (GraphFilter(since=2021), _P2 | _P3, 19),
    "combined": (
        GraphFilter(themes=["farm"], countries=["ES"], since=2022),
        _P3 | {"Reserve:r-cas"},
        13,
    ),
    "two values": (GraphFilter(themes=["fire", "ice"]), _P1 | _P2 | _P3, 24),
}


@pytest.fixture
async def graph(store: Store) -> Store:
    await load_file(store, "analytics.jsonl")
    return store


def ids(found: NetworkSlice) -> set[str]:
    return {f"{n.node.KIND}:{n.node.id}" for n in found.nodes}


def check_degrees(found: NetworkSlice) -> None:
    """Each degree counts the returned relationships touching the node."""
    touching: dict[str, int] = {}
    for r in found.relationships:
        touching[r.source] = touching.get(r.source, 0) + 1
        touching[r.target] = touching.get(r.target, 0) + 1
    for n in found.nodes:
        assert n.degree == touching.get(f"{n.node.KIND}:{n.node.id}", 0)
    assert {r.source for r in found.relationships} <= ids(found)
    assert {r.target for r in found.relationships} <= ids(found)


async def test_no_filter_is_the_whole_graph_with_its_degrees(graph: Store) -> None:
    found = await graph.network(GraphFilter(), 500)
    assert (found.total_nodes, found.total_relationships, found.truncated) == (22, 36, False)
    assert {f"{n.node.KIND}:{n.node.id}": n.degree for n in found.nodes} == DEGREE
    assert len(found.relationships) == 36
    check_degrees(found)


@pytest.mark.parametrize("case", list(CASES))
async def test_each_filter_selects_its_sub_graph(graph: Store, case: str) -> None:
    where, nodes, relationships = CASES[case]
    found = await graph.network(where, 500)
    assert ids(found) == nodes
    assert found.total_nodes == len(nodes) and found.total_relationships == relationships
    assert len(found.relationships) == relationships and not found.truncated
    check_degrees(found)


async def test_relationships_of_the_themes_sub_graph_stay_inside_it(graph: Store) -> None:
    found = await graph.network(GraphFilter(themes=["ice"]), 500)
    pairs = {(r.source, r.type, r.target) for r in found.relationships}
    assert ("Reserve:r-ber", "ADDRESSES", "Theme:farm") in pairs
    assert ("Person:ben", "AFFILIATED_WITH", "Institution:i-ngo") in pairs
    # fire and p2 are outside: ben's part in p2 and r-ber's theme fire do not show
    assert ("Person:ben", "PARTICIPATES_IN", "Project:p2") not in pairs
    assert ("Reserve:r-ber", "ADDRESSES", "Theme:fire") not in pairs


async def test_weight_is_the_number_of_roles_or_one(graph: Store) -> None:
    found = await graph.network(GraphFilter(), 500)
    weight = {(r.source, r.target): r.weight for r in found.relationships}
    assert weight["Person:ann", "Project:p1"] == 2.0
    assert weight["Institution:i-ngo", "Project:p2"] == 2.0
    assert weight["Person:ben", "Project:p1"] == 1.0
    assert weight["Project:p1", "Reserve:r-alp"] == 1.0  # no roles at all


async def test_kinds_restrict_the_nodes_returned_not_the_scope(graph: Store) -> None:
    found = await graph.network(GraphFilter(kinds=[Kind.PROJECT, Kind.RESERVE]), 500)
    assert ids(found) == {
        "Project:p1", "Project:p2", "Project:p3", "Project:p4",
        "Reserve:r-alp", "Reserve:r-ber", "Reserve:r-cas", "Reserve:r-dol",
    }  # fmt: skip
    assert {r.type for r in found.relationships} == {"SITED_IN"}
    assert (found.total_nodes, found.total_relationships) == (8, 5)
    degrees = {n.node.id: n.degree for n in found.nodes}
    assert degrees == {"p1": 1, "p2": 1, "p3": 2, "p4": 1, "r-alp": 2, "r-ber": 3,
                       "r-cas": 0, "r-dol": 0}  # fmt: skip
    filtered = await graph.network(GraphFilter(themes=["ice"], kinds=[Kind.PERSON]), 500)
    assert ids(filtered) == {"Person:ann", "Person:ben", "Person:cat", "Person:dan"}
    assert filtered.relationships == [] and filtered.total_relationships == 0


async def test_limit_keeps_the_highest_degree_nodes_ties_by_id(graph: Store) -> None:
    found = await graph.network(GraphFilter(), 4)
    # p3 (9), then degree 5: p1, p2, r-ber by global id
    assert ids(found) == {"Project:p3", "Project:p1", "Project:p2", "Reserve:r-ber"}
    assert found.truncated and (found.total_nodes, found.total_relationships) == (22, 36)
    assert {(r.source, r.target) for r in found.relationships} == {
        ("Project:p2", "Reserve:r-ber"),
        ("Project:p3", "Reserve:r-ber"),
    }
    check_degrees(found)
    seven = await graph.network(GraphFilter(), 7)  # + degree 4 by id: i-uni, r-alp, farm
    assert ids(seven) == ids(found) | {"Institution:i-uni", "Reserve:r-alp", "Theme:farm"}
    assert len(seven.relationships) == 8
    check_degrees(seven)
    assert not (await graph.network(GraphFilter(), 22)).truncated


async def test_limit_ranks_by_degree_in_the_filtered_sub_graph(graph: Store) -> None:
    # in the themes sub-graph ice has p1, p3, r-alp (3); r-ber has p3 and farm (2)
    found = await graph.network(GraphFilter(themes=["ice"]), 3)
    assert ids(found) == {"Project:p3", "Project:p1", "Institution:i-uni"}
    assert found.truncated and found.total_nodes == 12


@pytest.mark.parametrize("limit", [1, 4, 7, 21, 22, None])
@pytest.mark.parametrize("kinds", [None, [Kind.PROJECT, Kind.RESERVE], [Kind.PERSON]])
async def test_whole_graph_ranked_in_the_database_gives_the_same_drawing(
    graph: Store, monkeypatch: pytest.MonkeyPatch, limit: int | None, kinds: list[Kind] | None
) -> None:
    fetched = await graph.network(GraphFilter(kinds=kinds), limit)
    monkeypatch.setattr(_analytics, "WHOLE_GRAPH_IN_DATABASE", 0)
    ranked = await graph.network(GraphFilter(kinds=kinds), limit)
    assert ranked == fetched


async def test_all_or_nothing_gives_no_nodes_when_the_sub_graph_is_larger(graph: Store) -> None:
    found = await graph.network(GraphFilter(), 21, all_or_nothing=True)
    assert found.nodes == [] and found.truncated and found.total_nodes == 22
    assert len((await graph.network(GraphFilter(), 22, all_or_nothing=True)).nodes) == 22


async def test_network_costs_two_round_trips_whatever_the_filter(graph: Store) -> None:
    for where, _, _ in CASES.values():
        with counting_round_trips() as trips:
            await graph.network(where, 500)
        assert trips.count == 2


async def test_an_empty_graph_has_an_empty_drawing(store: Store) -> None:
    found = await store.network(GraphFilter(themes=["ice"]), 10)
    assert (found.nodes, found.relationships, found.total_nodes) == ([], [], 0)


def counts(items: list) -> list[tuple[str, int]]:  # type: ignore[type-arg]
    return [(item.key, item.count) for item in items]


async def test_stats_of_the_whole_graph(graph: Store) -> None:
    stats = await graph.graph_stats(GraphFilter())
    assert stats.counts == {
        Kind.RESERVE: 4, Kind.INSTITUTION: 3, Kind.PROJECT: 4, Kind.PERSON: 6, Kind.THEME: 3,
        Kind.NETWORK: 2,
    }  # fmt: skip
    assert counts(stats.projects_per_theme) == [("farm", 2), ("ice", 2), ("fire", 1)]
    assert [i.label for i in stats.projects_per_theme] == ["Farming", "Ice", "Fire"]
    # farm: p3 (ann, cat, dan) + p4 (eli); ice: p1 (ann, ben) + p3; fire: p2 (ben, cat)
    assert counts(stats.people_per_theme) == [("farm", 4), ("ice", 4), ("fire", 2)]
    # p1 AT; p2 ES; p3 AT and ES; p4 ES
    assert counts(stats.projects_per_country) == [("ES", 3), ("AT", 2)]
    # participants: ann AT, ben ES, cat ES, dan IT, eli (no country); fay takes part in nothing
    assert counts(stats.people_per_country) == [("ES", 2), ("AT", 1), ("IT", 1)]
    assert counts(stats.projects_per_year) == [("2018", 1), ("2021", 1), ("2022", 1)]
    assert [(r.node.id, r.count) for r in stats.top_reserves] == [("r-ber", 3), ("r-alp", 2)]
    assert [(r.node.id, r.count) for r in stats.top_institutions] == [("i-ngo", 2), ("i-uni", 2)]
    # 5 participants; pairs ann-ben, ben-cat, ann-cat, ann-dan, cat-dan
    assert (stats.people, stats.collaboration_pairs) == (5, 5)


async def test_stats_of_a_theme(graph: Store) -> None:
    stats = await graph.graph_stats(GraphFilter(themes=["ice"]))  # p1 and p3
    assert stats.counts == {
        Kind.RESERVE: 2, Kind.INSTITUTION: 2, Kind.PROJECT: 2, Kind.PERSON: 4, Kind.THEME: 2,
        Kind.NETWORK: 0,
    }  # fmt: skip
    assert counts(stats.projects_per_theme) == [("ice", 2), ("farm", 1)]
    assert counts(stats.people_per_theme) == [("ice", 4), ("farm", 3)]
    assert counts(stats.projects_per_country) == [("AT", 2), ("ES", 1)]
    assert counts(stats.people_per_country) == [("ES", 2), ("AT", 1), ("IT", 1)]
    assert counts(stats.projects_per_year) == [("2018", 1), ("2022", 1)]
    assert [(r.node.id, r.count) for r in stats.top_reserves] == [("r-alp", 2), ("r-ber", 1)]
    assert [(r.node.id, r.count) for r in stats.top_institutions] == [("i-uni", 2), ("i-ngo", 1)]
    # ann, ben, cat, dan; pairs ann-ben (p1), ann-cat, ann-dan, cat-dan (p3): 4 of 6
    assert (stats.people, stats.collaboration_pairs) == (4, 4)


async def test_stats_of_a_country_count_the_sub_graph(graph: Store) -> None:
    stats = await graph.graph_stats(GraphFilter(countries=["ES"]))  # p2, p3, p4
    network = await graph.network(GraphFilter(countries=["ES"]), 500)
    by_kind: dict[Kind, int] = {}
    for n in network.nodes:
        by_kind[n.node.KIND] = by_kind.get(n.node.KIND, 0) + 1
    assert stats.counts == {kind: by_kind.get(kind, 0) for kind in Kind}
    assert counts(stats.projects_per_theme) == [("farm", 2), ("fire", 1), ("ice", 1)]
    assert counts(stats.people_per_theme) == [("farm", 4), ("ice", 3), ("fire", 2)]
    assert counts(stats.projects_per_country) == [("ES", 3), ("AT", 1)]
    assert counts(stats.projects_per_year) == [("2021", 1), ("2022", 1)]  # p4 has no year
    assert (stats.people, stats.collaboration_pairs) == (5, 4)


@pytest.mark.parametrize("case", list(CASES))
async def test_stats_counts_match_the_sub_graph_of_every_filter(graph: Store, case: str) -> None:
    where, nodes, _ = CASES[case]
    stats = await graph.graph_stats(where)
    assert stats.counts == {
        kind: sum(1 for n in nodes if n.startswith(f"{kind}:")) for kind in Kind
    }


async def test_stats_with_nothing_in_scope_are_empty(graph: Store) -> None:
    stats = await graph.graph_stats(GraphFilter(networks=["net-b"]))
    assert stats.projects_per_theme == stats.projects_per_year == stats.top_reserves == []
    assert (stats.people, stats.collaboration_pairs) == (0, 0)
    assert stats.counts[Kind.RESERVE] == 1 and stats.counts[Kind.NETWORK] == 1


async def test_stats_kinds_limit_counts_and_node_lists(graph: Store) -> None:
    stats = await graph.graph_stats(GraphFilter(kinds=[Kind.RESERVE]))
    assert stats.counts == {Kind.RESERVE: 4}
    assert stats.top_institutions == [] and len(stats.top_reserves) == 2
    assert counts(stats.projects_per_country) == [("ES", 3), ("AT", 2)]  # figures unaffected


async def test_stats_cost_a_constant_number_of_round_trips(graph: Store) -> None:
    for where in (GraphFilter(), GraphFilter(themes=["ice"], countries=["ES"], since=2000)):
        with counting_round_trips() as trips:
            await graph.graph_stats(where)
        assert trips.count == 8


@pytest.mark.parametrize(
    ("where", "reserves", "institutions"),
    [
        (GraphFilter(), ["r-cas", "r-dol"], ["i-gov"]),
        (GraphFilter(countries=["ES"]), ["r-cas"], []),
        (GraphFilter(networks=["net-b"]), ["r-cas"], ["i-gov"]),
        (GraphFilter(networks=["net-a"]), ["r-dol"], []),
        (GraphFilter(themes=["farm"]), ["r-cas"], []),  # institutions address no theme
        (GraphFilter(themes=["ice"]), [], []),
        (GraphFilter(since=2000), [], []),  # `since` matches no reserve directly
        (GraphFilter(countries=["ES"], networks=["net-a"]), [], []),
    ],
)
async def test_isolated_reserves_and_institutions(
    graph: Store, where: GraphFilter, reserves: list[str], institutions: list[str]
) -> None:
    page = await graph.isolated(Kind.RESERVE, where, 10, None)
    assert [r.id for r in page.items] == reserves and not page.has_next
    assert await graph.count_isolated(Kind.RESERVE, where) == len(reserves)
    page = await graph.isolated(Kind.INSTITUTION, where, 10, None)
    assert [r.id for r in page.items] == institutions
    assert await graph.count_isolated(Kind.INSTITUTION, where) == len(institutions)


async def test_isolated_pages_by_key(graph: Store) -> None:
    first = await graph.isolated(Kind.RESERVE, GraphFilter(), 1, None)
    assert [r.id for r in first.items] == ["r-cas"] and first.has_next
    rest = await graph.isolated(Kind.RESERVE, GraphFilter(), 1, "r-cas")
    assert [r.id for r in rest.items] == ["r-dol"] and not rest.has_next
    hidden = await graph.isolated(Kind.RESERVE, GraphFilter(kinds=[Kind.PERSON]), 10, None)
    assert hidden.items == []
