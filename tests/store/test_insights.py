"""Store contract: collaboration gaps, collaboration edges and centrality, count filters.

Expected answers are derived by hand from tests/data/insights.jsonl (see tests/data/README.md).
"""

import itertools
import random
from fractions import Fraction

import pytest
from conftest import load_file

from graph import centrality
from graph._insights import rank_gaps
from graph.errors import InvalidInput
from graph.importing import import_rows
from graph.model import Kind
from graph.records import CollaborationEdge
from graph.store import NodeFilter, Store, counting_round_trips


@pytest.fixture
async def insights(store: Store) -> Store:
    await load_file(store, "insights.jsonl")
    return store


async def gaps(store: Store, theme: str | None = None, country: str | None = None, first: int = 20):
    found = await store.collaboration_gaps(theme, country, first)
    return [(tuple(r.id for r in gap.reserves), [t.id for t in gap.shared_themes]) for gap in found]


ABC = ["theme-a", "theme-b", "theme-c"]
AB = ["theme-a", "theme-b"]


# --- collaboration gaps ------------------------------------------------------------------------
async def test_gaps_rank_by_shared_themes_then_by_the_pair_ids(insights: Store) -> None:
    assert await gaps(insights) == [
        (("r1", "r4"), ABC),
        (("r2", "r4"), ABC),
        (("r1", "r3"), AB),
        (("r2", "r3"), AB),
        (("r4", "r5"), ["theme-d"]),
    ]


async def test_a_pair_that_shares_a_project_is_never_a_gap(insights: Store) -> None:
    # r1-r2 share 3 themes and project p12; r3-r4 share 2 themes and project p34.
    pairs = [pair for pair, _ in await gaps(insights, first=100)]
    assert ("r1", "r2") not in pairs
    assert ("r3", "r4") not in pairs
    for theme in ABC:
        pairs = [pair for pair, _ in await gaps(insights, theme=theme, first=100)]
        assert ("r1", "r2") not in pairs and ("r3", "r4") not in pairs


async def test_first_cuts_the_ranking(insights: Store) -> None:
    assert await gaps(insights, first=1) == [(("r1", "r4"), ABC)]
    assert [pair for pair, _ in await gaps(insights, first=3)] == [
        ("r1", "r4"),
        ("r2", "r4"),
        ("r1", "r3"),
    ]


async def test_theme_keeps_pairs_that_both_address_it_with_all_their_shared_themes(
    insights: Store,
) -> None:
    assert await gaps(insights, theme="theme-c") == [(("r1", "r4"), ABC), (("r2", "r4"), ABC)]
    assert await gaps(insights, theme="theme-d") == [(("r4", "r5"), ["theme-d"])]
    assert await gaps(insights, theme="no-such-theme") == []


async def test_country_keeps_pairs_with_at_least_one_reserve_there(insights: Store) -> None:
    assert [pair for pair, _ in await gaps(insights, country="ES")] == [
        ("r1", "r4"),
        ("r1", "r3"),
        ("r2", "r3"),
    ]
    assert [pair for pair, _ in await gaps(insights, country="FR")] == [
        ("r2", "r4"),
        ("r2", "r3"),
        ("r4", "r5"),
    ]
    assert await gaps(insights, country="PT") == []  # r6 addresses no theme
    assert await gaps(insights, theme="theme-c", country="FR") == [(("r2", "r4"), ABC)]


async def test_gaps_on_an_empty_graph_are_none(store: Store) -> None:
    assert await store.collaboration_gaps(None, None, 20) == []


async def test_gaps_cost_a_fixed_number_of_round_trips(insights: Store) -> None:
    with counting_round_trips() as one:
        await insights.collaboration_gaps(None, None, 1)
    with counting_round_trips() as many:
        await insights.collaboration_gaps(None, None, 100)
    assert one.count == many.count <= 4


def _brute_force(themes, countries, worked, country, first):  # type: ignore[no-untyped-def]
    pairs = []
    for a, b in itertools.combinations(sorted(themes), 2):
        shared = themes[a] & themes[b]
        if not shared or (a, b) in worked:
            continue
        if country is not None and country not in (countries[a], countries[b]):
            continue
        pairs.append(((a, b), shared))
    pairs.sort(key=lambda item: (-len(item[1]), item[0]))
    return pairs[:first]


def test_the_prefix_filtered_ranking_equals_comparing_every_pair() -> None:
    """rank_gaps skips most pairs; on random graphs it must still give the exact top list."""
    rng = random.Random(11)
    vocabulary = [f"t{i:02d}" for i in range(12)]
    for _ in range(300):
        n = rng.randint(0, 25)
        keys = [f"r{i:02d}" for i in range(n)]
        themes = {
            k: frozenset(rng.sample(vocabulary, rng.randint(1, rng.choice([2, 5, 12]))))
            for k in keys
        }
        countries = {k: rng.choice(["ES", "FR", None]) for k in keys}
        worked = {
            pair
            for pair in itertools.combinations(keys, 2)
            if rng.random() < 0.2  # combinations of sorted keys: smaller key first
        }
        country = rng.choice([None, "ES"])
        first = rng.choice([1, 3, 10, 1000])
        assert rank_gaps(themes, countries, worked, country, first) == _brute_force(
            themes, countries, worked, country, first
        )


# --- collaboration edges and centrality --------------------------------------------------------
async def edge_set(store: Store, kind: Kind) -> set[tuple[str, str, int]]:
    return {(e.source, e.target, e.weight) for e in await store.collaboration_edges(kind)}


async def test_people_are_linked_when_they_share_a_project(insights: Store) -> None:
    cliques = [["a1", "a2", "a3", "x"], ["b1", "b2", "b3", "x"], ["a1", "y"]]
    expected = {(a, b, 1) for group in cliques for a, b in itertools.combinations(group, 2)}
    assert await edge_set(insights, Kind.PERSON) == expected


async def test_institutions_reserves_and_projects_have_their_own_links(insights: Store) -> None:
    assert await edge_set(insights, Kind.INSTITUTION) == {
        ("i1", "i2", 1),
        ("i2", "i3", 1),
        ("i2", "i4", 1),
        ("i3", "i4", 1),
    }
    # a shared project (p12, p34) or a shared manager (i5 manages r2 and r3)
    assert await edge_set(insights, Kind.RESERVE) == {
        ("r1", "r2", 1),
        ("r2", "r3", 1),
        ("r3", "r4", 1),
    }
    # a shared participant: a1 (pa, pc), x (pa, pb)
    assert await edge_set(insights, Kind.PROJECT) == {("pa", "pc", 1), ("pa", "pb", 1)}


async def test_the_weight_counts_what_two_nodes_share(store: Store) -> None:
    await load_file(store, "insights.jsonl")
    # x and a1 now share two projects: pa and pc
    rows = [{"rel": "PARTICIPATES_IN", "from": "Person:x", "to": "Project:pc", "properties": {}}]
    report = await import_rows(store, enumerate(rows, start=1))
    assert report.ok, report.rejected
    weights = {(e.source, e.target): e.weight for e in await store.collaboration_edges(Kind.PERSON)}
    assert weights["a1", "x"] == 2
    assert weights["x", "y"] == 1


async def test_themes_and_networks_have_no_collaboration_graph(insights: Store) -> None:
    for kind in (Kind.THEME, Kind.NETWORK):
        with pytest.raises(InvalidInput):
            await insights.collaboration_edges(kind)


def _ranking(report: centrality.CentralityReport) -> list[tuple[str, int, float]]:
    return [(s.key, s.degree, s.betweenness) for s in report.scores]


def _f(fraction: Fraction) -> float:
    return round(float(fraction), 12)


async def test_the_bridge_person_ranks_first_with_the_betweenness_computed_by_hand(
    insights: Store,
) -> None:
    report = centrality.compute(await insights.collaboration_edges(Kind.PERSON))
    # 8 people in a project with someone (z is in none); pairs of the others: 7*6/2 = 21.
    assert (report.nodes, report.edges, report.approximate) == (8, 13, False)
    assert _ranking(report) == [
        ("x", 6, _f(Fraction(12, 21))),  # the 9 pairs a*-b* and the 3 pairs y-b*
        ("a1", 4, _f(Fraction(6, 21))),  # y to each of the 6 others
        ("a2", 3, 0.0),
        ("a3", 3, 0.0),
        ("b1", 3, 0.0),
        ("b2", 3, 0.0),
        ("b3", 3, 0.0),
        ("y", 1, 0.0),
    ]


async def test_each_kind_ranks_its_bridges_with_ties_by_id(insights: Store) -> None:
    institutions = centrality.compute(await insights.collaboration_edges(Kind.INSTITUTION))
    assert _ranking(institutions) == [
        ("i2", 3, _f(Fraction(2, 3))),  # i1 to i3 and i1 to i4
        ("i3", 2, 0.0),
        ("i4", 2, 0.0),
        ("i1", 1, 0.0),
    ]
    reserves = centrality.compute(await insights.collaboration_edges(Kind.RESERVE))
    assert _ranking(reserves) == [
        ("r2", 2, _f(Fraction(2, 3))),  # a path r1-r2-r3-r4: r2 and r3 tie, by id
        ("r3", 2, _f(Fraction(2, 3))),
        ("r1", 1, 0.0),
        ("r4", 1, 0.0),
    ]
    projects = centrality.compute(await insights.collaboration_edges(Kind.PROJECT))
    assert _ranking(projects) == [("pa", 2, 1.0), ("pb", 1, 0.0), ("pc", 1, 0.0)]


async def test_above_the_exact_limit_betweenness_is_sampled_and_flagged(insights: Store) -> None:
    edges = await insights.collaboration_edges(Kind.PERSON)
    exact = centrality.compute(edges)
    sampled = centrality.compute(edges, exact_max_nodes=2)
    assert sampled.approximate and not exact.approximate
    # 8 nodes and at least MIN_PIVOTS (8) pivots: every node is a pivot, so the estimate is exact
    assert centrality.pivots_for(8, 13) >= 8
    assert _ranking(sampled) == _ranking(exact)
    # and on a graph bigger than the pivots, the seeded sample gives the same answer twice
    ring = [
        CollaborationEdge(source=f"n{i:03d}", target=f"n{(i + 1) % 300:03d}", weight=1)
        for i in range(300)
    ]
    first = centrality.compute(ring, exact_max_nodes=10)
    again = centrality.compute(list(reversed(ring)), exact_max_nodes=10)
    assert first.approximate and _ranking(first) == _ranking(again)


def test_a_pivot_count_keeps_the_work_bounded() -> None:
    assert centrality.pivots_for(100, 200) == 100  # small: every node
    assert centrality.pivots_for(60_000, 270_000) == centrality.MIN_PIVOTS
    k = centrality.pivots_for(5_000, 20_000)
    assert centrality.MIN_PIVOTS < k < 5_000
    assert k * 25_000 <= centrality.WORK_BUDGET


async def test_the_cache_reuses_a_result_until_its_ttl_ends(insights: Store) -> None:
    now = [1000.0]
    calls = []

    async def edges():  # type: ignore[no-untyped-def]
        calls.append(1)
        return await insights.collaboration_edges(Kind.PERSON)

    cache = centrality.CentralityCache(ttl_s=60, clock=lambda: now[0])
    first = await cache.get(Kind.PERSON, edges)
    now[0] += 59
    assert await cache.get(Kind.PERSON, edges) is first
    assert len(calls) == 1
    now[0] += 2  # past the TTL: recomputed
    later = await cache.get(Kind.PERSON, edges)
    assert later is not first and later.computed_at > first.computed_at
    assert len(calls) == 2
    assert _ranking(later) == _ranking(first)


async def test_a_ttl_of_zero_recomputes_every_time(insights: Store) -> None:
    async def edges():  # type: ignore[no-untyped-def]
        return await insights.collaboration_edges(Kind.RESERVE)

    cache = centrality.CentralityCache(ttl_s=0)
    first = await cache.get(Kind.RESERVE, edges)
    second = await cache.get(Kind.RESERVE, edges)
    assert second is not first and second.computed_at > first.computed_at


# --- count filters -----------------------------------------------------------------------------
async def keys(store: Store, kind: Kind, where: NodeFilter, first: int = 100) -> list[str]:
    page = await store.list_nodes(kind, where, first, None)
    return [record.id for record in page.items]


@pytest.mark.parametrize(
    ("kind", "where", "expected"),
    [
        (Kind.RESERVE, NodeFilter(min_projects=0), ["r1", "r2", "r3", "r4", "r5", "r6"]),
        (Kind.RESERVE, NodeFilter(min_projects=1), ["r1", "r2", "r3", "r4", "r5"]),
        (Kind.RESERVE, NodeFilter(min_projects=2), ["r1", "r5"]),
        (Kind.RESERVE, NodeFilter(min_projects=3), []),
        (Kind.RESERVE, NodeFilter(min_projects=2, country="FR"), ["r5"]),
        (Kind.INSTITUTION, NodeFilter(min_projects=1), ["i1", "i2", "i3", "i4"]),
        (Kind.INSTITUTION, NodeFilter(min_projects=2), ["i2"]),
        (Kind.INSTITUTION, NodeFilter(partner_abroad=True), ["i2", "i3"]),
        (Kind.INSTITUTION, NodeFilter(partner_abroad=False), ["i1", "i4", "i5"]),
        (Kind.INSTITUTION, NodeFilter(partner_abroad=False, min_projects=1), ["i1", "i4"]),
        (Kind.INSTITUTION, NodeFilter(partner_abroad=True, country="FR"), ["i3"]),
    ],
)
async def test_count_filters_and_their_totals_agree(
    insights: Store, kind: Kind, where: NodeFilter, expected: list[str]
) -> None:
    assert await keys(insights, kind, where) == expected
    assert await insights.count_nodes(kind, where) == len(expected)


async def test_count_filtered_lists_page_by_key(insights: Store) -> None:
    where = NodeFilter(min_projects=1)
    page = await insights.list_nodes(Kind.RESERVE, where, 2, None)
    assert [r.id for r in page.items] == ["r1", "r2"] and page.has_next
    page = await insights.list_nodes(Kind.RESERVE, where, 2, "r4")
    assert [r.id for r in page.items] == ["r5"] and not page.has_next
