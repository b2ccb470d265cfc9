"""Store contract for shortest paths and partner suggestions, on tests/data/paths*.jsonl.

The expected answers are derived in tests/data/README.md from the hand-made graphs.
"""

import datetime

import pytest
from conftest import load_file

from graph.model import Kind, global_id
from graph.records import PathRecord
from graph.store import Store, counting_round_trips

A = (Kind.PERSON, "a")
Z = (Kind.PERSON, "z")
I4 = (Kind.INSTITUTION, "i4")
LONELY = (Kind.THEME, "lonely")


@pytest.fixture
async def paths(store: Store) -> Store:
    await load_file(store, "paths.jsonl")
    return store


@pytest.fixture
async def partners(store: Store) -> Store:
    await load_file(store, "paths_partners.jsonl")
    return store


def ids(path: PathRecord) -> list[str]:
    return [global_id(node.KIND, node.id) for node in path.nodes]


def steps(path: PathRecord) -> list[tuple[str, str, str]]:
    return [(s.type, s.source, s.target) for s in path.relationships]


async def test_several_shortest_paths_come_all_in_node_id_order(paths: Store) -> None:
    found = await paths.shortest_paths(A, Z, 6, 3)
    assert found.missing == []
    assert [ids(p) for p in found.paths] == [
        ["Person:a", "Institution:i1", "Person:z"],
        ["Person:a", "Project:p1", "Person:z"],
        ["Person:a", "Reserve:r1", "Person:z"],
    ]


async def test_first_takes_the_leading_paths_of_that_order(paths: Store) -> None:
    one = await paths.shortest_paths(A, Z, 6, 1)
    two = await paths.shortest_paths(A, Z, 6, 2)
    ten = await paths.shortest_paths(A, Z, 6, 10)
    assert [ids(p) for p in one.paths] == [ids(p) for p in ten.paths][:1]
    assert [ids(p) for p in two.paths] == [ids(p) for p in ten.paths][:2]
    assert len(ten.paths) == 3


async def test_steps_give_the_stored_direction_and_properties(paths: Store) -> None:
    path = (await paths.shortest_paths(A, Z, 6, 1)).paths[0]
    assert steps(path) == [
        ("AFFILIATED_WITH", "Person:a", "Institution:i1"),
        ("AFFILIATED_WITH", "Person:z", "Institution:i1"),  # walked against its direction
    ]
    assert path.relationships[0].roles == ["researcher"]
    assert path.relationships[0].since == datetime.date(2020, 1, 2)
    assert sorted(path.relationships[1].roles) == ["advisor", "director"]
    assert path.relationships[1].since is None


async def test_a_path_walks_relationships_against_their_direction(paths: Store) -> None:
    found = await paths.shortest_paths(Z, I4, 6, 10)
    assert [ids(p) for p in found.paths] == [
        ["Person:z", "Project:p4", "Theme:t4", "Reserve:r4", "Institution:i4"]
    ]
    assert steps(found.paths[0]) == [
        ("PARTICIPATES_IN", "Person:z", "Project:p4"),
        ("ADDRESSES", "Project:p4", "Theme:t4"),
        ("ADDRESSES", "Reserve:r4", "Theme:t4"),
        ("MANAGES", "Institution:i4", "Reserve:r4"),
    ]
    back = await paths.shortest_paths(I4, Z, 6, 10)
    assert [list(reversed(ids(p))) for p in back.paths] == [ids(p) for p in found.paths]


async def test_nothing_within_max_hops_gives_no_path(paths: Store) -> None:
    assert (await paths.shortest_paths(Z, I4, 3, 1)).paths == []
    assert len((await paths.shortest_paths(Z, I4, 4, 1)).paths) == 1
    assert (await paths.shortest_paths(A, I4, 5, 3)).paths == []
    six = await paths.shortest_paths(A, I4, 6, 3)
    assert [len(p.relationships) for p in six.paths] == [6, 6, 6]
    assert [ids(p)[1] for p in six.paths] == ["Institution:i1", "Project:p1", "Reserve:r1"]


async def test_an_unconnected_node_has_no_path(paths: Store) -> None:
    found = await paths.shortest_paths(A, LONELY, 10, 1)
    assert found.paths == [] and found.missing == []


async def test_a_node_to_itself_is_one_path_of_length_zero(paths: Store) -> None:
    for ref in (A, LONELY):
        found = await paths.shortest_paths(ref, ref, 6, 5)
        assert [ids(p) for p in found.paths] == [[global_id(*ref)]]
        assert found.paths[0].relationships == []


async def test_unknown_ends_are_reported_missing(paths: Store) -> None:
    nobody = (Kind.PERSON, "nobody")
    assert (await paths.shortest_paths(nobody, Z, 6, 1)).missing == ["Person:nobody"]
    assert (await paths.shortest_paths(A, nobody, 6, 1)).missing == ["Person:nobody"]
    assert (await paths.shortest_paths(nobody, nobody, 6, 1)).missing == ["Person:nobody"]
    # same key, other kind: kinds are part of a node's identity
    assert (await paths.shortest_paths(A, (Kind.THEME, "a"), 6, 1)).missing == ["Theme:a"]


@pytest.mark.parametrize("max_hops", [1, 2, 4, 6, 10])
async def test_round_trips_stay_within_max_hops_plus_one(paths: Store, max_hops: int) -> None:
    for source, target in ((A, I4), (A, Z), (A, LONELY), (I4, A)):
        with counting_round_trips() as trips:
            await paths.shortest_paths(source, target, max_hops, 3)
        assert trips.count <= max_hops + 1


# --- potential partners ------------------------------------------------------------------------
RANKING = [
    ("e-collab", 25.0), ("d-inst", 4.0), ("b-site", 3.0), ("c-work", 3.0), ("a-theme", 2.0),
    ("n1", 0.0), ("n2", 0.0),
]  # fmt: skip


async def test_partners_are_ranked_by_score_then_id(partners: Store) -> None:
    found = await partners.potential_partners("me", "focus", 100)
    assert [(s.person.id, s.score) for s in found] == RANKING


async def test_each_reason_is_counted_with_its_nodes(partners: Store) -> None:
    found = {s.person.id: s for s in await partners.potential_partners("me", "focus", 100)}

    def reasons(key: str) -> list[tuple[str, int, list[str]]]:
        return [(r.kind, r.count, [n.id for n in r.nodes]) for r in found[key].reasons]

    assert reasons("e-collab") == [
        ("COMMON_COLLABORATOR", 6, ["col1", "col2", "col3", "col4", "col5"]),  # 5 of 6, by id
        ("SHARED_THEME", 1, ["other1"]),
    ]
    assert reasons("d-inst") == [
        ("SHARED_INSTITUTION", 1, ["inst"]),
        ("SHARED_THEME", 1, ["other1"]),
    ]
    assert reasons("b-site") == [("SHARED_RESERVE", 1, ["site"]), ("SHARED_THEME", 1, ["other1"])]
    assert reasons("c-work") == [("SHARED_RESERVE", 1, ["work"]), ("SHARED_THEME", 1, ["other1"])]
    assert reasons("a-theme") == [("SHARED_THEME", 2, ["other1", "other2"])]
    assert reasons("n1") == [] and reasons("n2") == []


async def test_partners_exclude_the_person_and_their_collaborators(partners: Store) -> None:
    keys = {s.person.id for s in await partners.potential_partners("me", "focus", 100)}
    assert "me" not in keys
    assert not keys & {f"col{i}" for i in range(1, 7)}


async def test_each_partner_comes_with_its_first_shortest_path(partners: Store) -> None:
    found = {s.person.id: s.path for s in await partners.potential_partners("me", "focus", 100)}
    expected = {
        "e-collab": ["Person:me", "Project:f0", "Person:col1", "Project:x1", "Person:e-collab"],
        "d-inst": ["Person:me", "Institution:inst", "Person:d-inst"],
        "b-site": ["Person:me", "Project:f0", "Reserve:site", "Project:x2", "Person:b-site"],
        "c-work": ["Person:me", "Reserve:work", "Person:c-work"],
        "a-theme": ["Person:me", "Project:f0", "Theme:focus", "Project:x5", "Person:a-theme"],
        "n1": ["Person:me", "Project:f0", "Theme:focus", "Project:x6", "Person:n1"],
    }
    for key, want in expected.items():
        path = found[key]
        assert path is not None and ids(path) == want, key


async def test_first_cuts_the_ranking(partners: Store) -> None:
    found = await partners.potential_partners("me", "focus", 3)
    assert [(s.person.id, s.score) for s in found] == RANKING[:3]


async def test_someone_with_no_ties_gets_everyone_on_the_theme_by_id(partners: Store) -> None:
    found = await partners.potential_partners("loner", "focus", 4)
    assert [s.person.id for s in found] == ["a-theme", "b-site", "c-work", "col1"]
    assert all(s.score == 0 and s.reasons == [] and s.path is None for s in found)


async def test_partner_round_trips_do_not_grow_with_the_number_asked(partners: Store) -> None:
    counts = set()
    for first in (1, 3, 7):
        with counting_round_trips() as trips:
            found = await partners.potential_partners("me", "focus", first)
        assert len(found) == first
        counts.add(trips.count)
    assert max(counts) <= 8  # reasons, at most 6 search levels, records
