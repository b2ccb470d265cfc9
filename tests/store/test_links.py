"""Store contract: neighbours through every relation in both directions, paged per parent.

Expectations are computed from tests/data/small.jsonl, read here, so every relation is covered.
"""

import datetime
import json
from collections import defaultdict
from pathlib import Path

import pytest

from graph.model import RELATIONS, Kind, Relation, RelType, find_relation, parse_global_id
from graph.records import RECORD_TYPES, LinkPage
from graph.store import Direction, Store

SMALL = Path(__file__).parent.parent / "data" / "small.jsonl"

# A neighbour as (key, roles, since), comparable as a set.
Neighbour = tuple[str, tuple[str, ...], datetime.date | None]


def _rows() -> list[dict]:
    return [json.loads(line) for line in SMALL.read_text(encoding="utf-8").splitlines() if line]


def _keys_of(kind: Kind) -> list[str]:
    return sorted(row["id"] for row in _rows() if row.get("kind") == kind)


def _expected(relation: Relation, direction: Direction) -> dict[str, set[Neighbour]]:
    """Start key -> its neighbours through `relation` walked in `direction`, from the file."""
    found: dict[str, set[Neighbour]] = defaultdict(set)
    for row in _rows():
        if "rel" not in row:
            continue
        source_kind, source = parse_global_id(row["from"])  # type: ignore[misc]
        target_kind, target = parse_global_id(row["to"])  # type: ignore[misc]
        if find_relation(RelType(row["rel"]), source_kind, target_kind) != relation:
            continue
        props = row.get("properties", {})
        since = datetime.date.fromisoformat(props["since"]) if "since" in props else None
        roles = tuple(props.get("roles", []))
        if direction is Direction.OUT:
            found[source].add((target, roles, since))
        else:
            found[target].add((source, roles, since))
    return found


def _neighbours(page: LinkPage) -> list[Neighbour]:
    return [(link.node.id, tuple(link.roles), link.since) for link in page.items]


def test_small_data_has_a_link_for_every_relation_both_ways() -> None:
    for relation in RELATIONS:
        for direction in Direction:
            assert _expected(relation, direction), f"small.jsonl has no {relation.name}"


@pytest.mark.parametrize("direction", list(Direction))
@pytest.mark.parametrize("relation", RELATIONS, ids=[r.name for r in RELATIONS])
async def test_links_give_every_neighbour_with_roles_and_since(
    small: Store, relation: Relation, direction: Direction
) -> None:
    start, end = (
        (relation.source, relation.target)
        if direction is Direction.OUT
        else (relation.target, relation.source)
    )
    expected = _expected(relation, direction)
    parents = _keys_of(start)  # every node of the start kind, with neighbours or without
    pages = await small.links(relation, direction, parents, 100, None)
    assert len(pages) == len(parents)
    for parent, page in zip(parents, pages, strict=True):
        want = expected.get(parent, set())
        got = _neighbours(page)
        assert set(got) == want, parent
        assert [key for key, _, _ in got] == sorted(key for key, _, _ in want), parent
        assert page.total == len(want) and page.has_next is False
        assert all(isinstance(link.node, RECORD_TYPES[end]) for link in page.items)


async def test_links_return_the_full_neighbour_record(small: Store) -> None:
    (page,) = await small.links(
        find_relation(RelType.AFFILIATED_WITH, Kind.PERSON, Kind.INSTITUTION),  # type: ignore[arg-type]
        Direction.OUT,
        ["ana"],
        10,
        None,
    )
    (link,) = page.items
    assert link.node.id == "uleon"
    assert link.node.name == "Universidad de León"  # type: ignore[union-attr]
    assert link.roles == ["researcher"] and link.since == datetime.date(2015, 3, 1)


PARTICIPATES_IN = find_relation(RelType.PARTICIPATES_IN, Kind.PERSON, Kind.PROJECT)
assert PARTICIPATES_IN is not None


async def test_links_page_per_parent_by_key_with_after_and_first(small: Store) -> None:
    # ana takes part in p-fire, p-glacier, p-water
    (first,) = await small.links(PARTICIPATES_IN, Direction.OUT, ["ana"], 2, None)
    assert [link.node.id for link in first.items] == ["p-fire", "p-glacier"]
    assert first.has_next is True and first.total == 3
    (rest,) = await small.links(PARTICIPATES_IN, Direction.OUT, ["ana"], 2, "p-glacier")
    assert [link.node.id for link in rest.items] == ["p-water"]
    assert rest.has_next is False and rest.total == 3  # total ignores the page
    (middle,) = await small.links(PARTICIPATES_IN, Direction.OUT, ["ana"], 1, "p-fire")
    assert [link.node.id for link in middle.items] == ["p-glacier"]
    assert middle.has_next is True and middle.total == 3


async def test_links_page_at_the_boundary_has_no_next(small: Store) -> None:
    (page,) = await small.links(PARTICIPATES_IN, Direction.OUT, ["ana"], 3, None)
    assert len(page.items) == 3 and page.has_next is False and page.total == 3


async def test_links_for_several_parents_in_one_call_are_aligned(small: Store) -> None:
    keys = ["dmitri", "eve", "ana", "nobody", "bo", "ana"]
    pages = await small.links(PARTICIPATES_IN, Direction.OUT, keys, 1, None)
    assert [[link.node.id for link in page.items] for page in pages] == [
        ["p-fire"],
        [],
        ["p-fire"],
        [],
        ["p-fire"],
        ["p-fire"],
    ]
    assert [page.total for page in pages] == [2, 0, 3, 0, 3, 3]
    assert [page.has_next for page in pages] == [True, False, True, False, True, True]


async def test_after_applies_to_each_parent_of_a_batch(small: Store) -> None:
    pages = await small.links(PARTICIPATES_IN, Direction.OUT, ["ana", "dmitri"], 10, "p-fire")
    assert [[link.node.id for link in page.items] for page in pages] == [
        ["p-glacier", "p-water"],
        ["p-tourism"],
    ]
    assert [page.total for page in pages] == [3, 2]


async def test_links_inward_are_paged_by_the_neighbour_key(small: Store) -> None:
    # p-glacier has participants ana, bo, chloe
    (page,) = await small.links(PARTICIPATES_IN, Direction.IN, ["p-glacier"], 2, None)
    assert [(link.node.id, link.roles) for link in page.items] == [
        ("ana", ["lead"]),
        ("bo", ["researcher"]),
    ]
    assert page.has_next is True and page.total == 3


async def test_a_parent_with_no_neighbours_gives_an_empty_page_with_total_zero(
    small: Store,
) -> None:
    (page,) = await small.links(PARTICIPATES_IN, Direction.OUT, ["eve"], 10, None)
    assert page.items == [] and page.total == 0 and page.has_next is False


async def test_an_unknown_parent_gives_an_empty_page(small: Store) -> None:
    pages = await small.links(
        PARTICIPATES_IN, Direction.OUT, ["nobody", "Project:p-fire"], 10, None
    )
    for page in pages:
        assert page.items == [] and page.total == 0 and page.has_next is False


async def test_a_parent_of_another_kind_has_no_neighbours_through_the_relation(
    small: Store,
) -> None:
    # p-fire is a project, not a person: nothing is found from it going out of a Person.
    (page,) = await small.links(PARTICIPATES_IN, Direction.OUT, ["p-fire"], 10, None)
    assert page.items == [] and page.total == 0


async def test_links_with_no_parents_is_an_empty_list(small: Store) -> None:
    assert await small.links(PARTICIPATES_IN, Direction.OUT, [], 10, None) == []


async def test_links_on_an_empty_graph_give_empty_pages(store: Store) -> None:
    pages = await store.links(PARTICIPATES_IN, Direction.IN, ["p-fire"], 10, None)
    assert pages == [LinkPage(items=[], has_next=False, total=0)]


async def test_existing_links_names_only_linked_pairs(small: Store) -> None:
    pairs = [("ana", "p-fire"), ("eve", "p-fire"), ("p-fire", "ana"), ("ana", "p-fire")]
    assert await small.existing_links(PARTICIPATES_IN, pairs) == {("ana", "p-fire")}
    assert await small.existing_links(PARTICIPATES_IN, []) == set()
