"""Store contract: nodes by id, pages of nodes by key, every filter, counts, text kept as given.

Expected answers come from tests/data/README.md (the description of small.jsonl).
"""

import datetime
import json
from collections import Counter
from pathlib import Path

import pytest

from graph.model import Kind
from graph.records import (
    NetworkRecord,
    PersonRecord,
    Provenance,
    ReserveRecord,
    ThemeRecord,
)
from graph.store import SUPPORTED_FILTERS, BoundingBox, NodeFilter, Store

SMALL = Path(__file__).parent.parent / "data" / "small.jsonl"

# Every node key of small.jsonl per kind, as the README lists them.
RESERVES = ["omana", "ordino", "sierra", "yading"]
PEOPLE = ["ana", "bo", "chloe", "dmitri", "eve"]
IBERIA = {"omana", "ordino"}  # the reserves of small.jsonl with coordinates

# (kind, filter, the keys it finds): each filter of SUPPORTED_FILTERS on each kind offering it.
FILTER_CASES: list[tuple[Kind, NodeFilter, set[str]]] = [
    # text: case- and accent-insensitive, any script
    (Kind.RESERVE, NodeFilter(text="omana"), {"omana"}),
    (Kind.RESERVE, NodeFilter(text="OMAÑA"), {"omana"}),
    (Kind.RESERVE, NodeFilter(text="稻城"), {"yading"}),
    (Kind.RESERVE, NodeFilter(text="nevada"), {"sierra"}),
    (Kind.RESERVE, NodeFilter(text="no such reserve"), set()),
    (Kind.INSTITUTION, NodeFilter(text="omaña"), {"omana-mgmt"}),
    (Kind.INSTITUTION, NodeFilter(text="LEON"), {"uleon"}),
    (Kind.PROJECT, NodeFilter(text="Omana"), {"p-fire"}),
    (Kind.PROJECT, NodeFilter(text="water"), {"p-water"}),
    (Kind.PERSON, NodeFilter(text="nunez"), {"ana"}),
    (Kind.PERSON, NodeFilter(text="ÁLVAREZ"), {"eve"}),
    (Kind.PERSON, NodeFilter(text="张"), {"bo"}),
    (Kind.THEME, NodeFilter(text="WATER"), {"water"}),
    (Kind.THEME, NodeFilter(text="touris"), {"tourism"}),
    (Kind.NETWORK, NodeFilter(text="mountain biosphere"), {"wnmbr"}),
    (Kind.NETWORK, NodeFilter(text="desert"), set()),
    # country
    (Kind.RESERVE, NodeFilter(country="ES"), {"omana", "sierra"}),
    (Kind.RESERVE, NodeFilter(country="AD"), {"ordino"}),
    (Kind.RESERVE, NodeFilter(country="FR"), set()),
    (Kind.INSTITUTION, NodeFilter(country="ES"), {"uleon", "omana-mgmt"}),
    (Kind.INSTITUTION, NodeFilter(country="CN"), {"cas"}),
    (Kind.PERSON, NodeFilter(country="ES"), {"ana", "eve"}),
    (Kind.PERSON, NodeFilter(country="RU"), {"dmitri"}),
    # a project's country is the country of its reserves
    (Kind.PROJECT, NodeFilter(country="ES"), {"p-glacier", "p-fire"}),
    (Kind.PROJECT, NodeFilter(country="CN"), {"p-glacier", "p-water"}),
    (Kind.PROJECT, NodeFilter(country="AD"), {"p-tourism"}),
    (Kind.PROJECT, NodeFilter(country="FR"), set()),
    # theme
    (Kind.RESERVE, NodeFilter(theme="glacier"), {"yading", "sierra"}),
    (Kind.RESERVE, NodeFilter(theme="tourism"), {"omana", "ordino", "sierra"}),
    (Kind.PROJECT, NodeFilter(theme="water"), {"p-glacier", "p-water"}),
    (Kind.PROJECT, NodeFilter(theme="wildfire"), {"p-fire"}),
    # a person's themes are the themes of their projects (each person once)
    (Kind.PERSON, NodeFilter(theme="water"), {"ana", "bo", "chloe"}),
    (Kind.PERSON, NodeFilter(theme="wildfire"), {"ana", "bo", "dmitri"}),
    (Kind.PERSON, NodeFilter(theme="tourism"), {"dmitri"}),
    (Kind.PERSON, NodeFilter(theme="no-such-theme"), set()),
    # network
    (Kind.RESERVE, NodeFilter(network="wnmbr"), {"omana", "ordino"}),
    (Kind.INSTITUTION, NodeFilter(network="wnmbr"), {"uleon"}),
    (Kind.RESERVE, NodeFilter(network="other"), set()),
    # institution kind
    (Kind.INSTITUTION, NodeFilter(institution_kind="university"), {"uleon"}),
    (Kind.INSTITUTION, NodeFilter(institution_kind="research_centre"), {"cas"}),
    (Kind.INSTITUTION, NodeFilter(institution_kind="reserve_management"), {"omana-mgmt"}),
    (Kind.INSTITUTION, NodeFilter(institution_kind="ngo"), set()),
    # bounding box (search, issue 3): only omana (42.9, -5.95) and ordino (42.6, 1.5) have points
    (Kind.RESERVE, NodeFilter(within=BoundingBox(south=42, west=-10, north=44, east=3)), IBERIA),
    # connection counts: yading hosts p-glacier and p-water; every reserve hosts a project;
    # cas partners in two projects, uleon in one; no project has partners from two countries
    (Kind.RESERVE, NodeFilter(min_projects=1), set(RESERVES)),
    (Kind.RESERVE, NodeFilter(min_projects=2), {"yading"}),
    (Kind.INSTITUTION, NodeFilter(min_projects=1), {"uleon", "cas"}),
    (Kind.INSTITUTION, NodeFilter(min_projects=2), {"cas"}),
    (Kind.INSTITUTION, NodeFilter(partner_abroad=True), set()),
    (Kind.INSTITUTION, NodeFilter(partner_abroad=False), {"uleon", "cas", "omana-mgmt"}),
    (Kind.RESERVE, NodeFilter(within=BoundingBox(south=42, west=0, north=44, east=3)), {"ordino"}),
    (Kind.RESERVE, NodeFilter(within=BoundingBox(south=-90, west=3, north=90, east=-10)), set()),
    # filters combine with AND
    (Kind.RESERVE, NodeFilter(country="ES", theme="glacier"), {"sierra"}),
    (Kind.PERSON, NodeFilter(country="ES", theme="wildfire"), {"ana"}),
    (Kind.INSTITUTION, NodeFilter(country="ES", network="wnmbr"), {"uleon"}),
]


def _case_id(case: tuple[Kind, NodeFilter, set[str]]) -> str:
    kind, where, _ = case
    used = {k: v for k, v in vars_of(where).items() if v is not None}
    return f"{kind}-" + ",".join(f"{k}={v}" for k, v in used.items())


def vars_of(where: NodeFilter) -> dict[str, str | None]:
    return {name: getattr(where, name) for name in NodeFilter.__dataclass_fields__}


def test_filter_cases_cover_every_supported_filter() -> None:
    covered = {
        (kind, name)
        for kind, where, _ in FILTER_CASES
        for name, value in vars_of(where).items()
        if value is not None
    }
    wanted = {(kind, name) for kind, names in SUPPORTED_FILTERS.items() for name in names}
    assert wanted <= covered
    # and no case uses a filter its kind does not support
    assert covered <= wanted


async def _all_pages(store: Store, kind: Kind, where: NodeFilter, first: int) -> list[str]:
    keys: list[str] = []
    after = None
    while True:
        page = await store.list_nodes(kind, where, first, after)
        keys += [record.id for record in page.items]
        if not page.has_next:
            return keys
        assert page.items, "has_next with an empty page would loop forever"
        after = page.items[-1].id


# --- nodes_by_id --------------------------------------------------------------------------------
async def test_nodes_by_id_is_aligned_to_the_ids_asked(small: Store) -> None:
    ids = ["ordino", "nowhere", "omana", "ordino", "ana"]
    records = await small.nodes_by_id(Kind.RESERVE, ids)
    assert [r.id if r else None for r in records] == ["ordino", None, "omana", "ordino", None]
    assert all(isinstance(r, ReserveRecord) for r in records if r is not None)


async def test_nodes_by_id_with_no_ids_is_empty(small: Store) -> None:
    assert await small.nodes_by_id(Kind.PERSON, []) == []


async def test_nodes_by_id_on_an_empty_graph_gives_none_for_each(store: Store) -> None:
    assert await store.nodes_by_id(Kind.THEME, ["water", "water"]) == [None, None]


# --- list_nodes paging --------------------------------------------------------------------------
async def test_list_nodes_pages_by_key_with_after_and_first(small: Store) -> None:
    first = await small.list_nodes(Kind.RESERVE, NodeFilter(), 2, None)
    assert [r.id for r in first.items] == RESERVES[:2]
    assert first.has_next is True
    second = await small.list_nodes(Kind.RESERVE, NodeFilter(), 2, first.items[-1].id)
    assert [r.id for r in second.items] == RESERVES[2:]
    assert second.has_next is False  # exactly at the boundary: nothing follows


@pytest.mark.parametrize("first", [1, 2, 3, 4, 5, 100])
async def test_paging_through_people_gives_every_key_once_in_order(
    small: Store, first: int
) -> None:
    assert await _all_pages(small, Kind.PERSON, NodeFilter(), first) == PEOPLE


async def test_has_next_is_true_one_short_of_the_end_and_false_at_it(small: Store) -> None:
    three = await small.list_nodes(Kind.RESERVE, NodeFilter(), 3, None)
    assert [r.id for r in three.items] == RESERVES[:3] and three.has_next is True
    four = await small.list_nodes(Kind.RESERVE, NodeFilter(), 4, None)
    assert [r.id for r in four.items] == RESERVES and four.has_next is False


async def test_after_is_exclusive_and_need_not_be_an_existing_key(small: Store) -> None:
    page = await small.list_nodes(Kind.PERSON, NodeFilter(), 10, "bo")
    assert [r.id for r in page.items] == ["chloe", "dmitri", "eve"]
    page = await small.list_nodes(Kind.PERSON, NodeFilter(), 10, "c")
    assert [r.id for r in page.items] == ["chloe", "dmitri", "eve"]


async def test_after_the_last_key_gives_an_empty_last_page(small: Store) -> None:
    page = await small.list_nodes(Kind.PERSON, NodeFilter(), 10, "eve")
    assert page.items == [] and page.has_next is False


async def test_first_zero_gives_no_items_but_says_whether_any_follow(small: Store) -> None:
    page = await small.list_nodes(Kind.RESERVE, NodeFilter(), 0, None)
    assert page.items == [] and page.has_next is True
    page = await small.list_nodes(Kind.RESERVE, NodeFilter(), 0, "yading")
    assert page.items == [] and page.has_next is False


async def test_list_nodes_on_an_empty_graph_is_an_empty_page(store: Store) -> None:
    page = await store.list_nodes(Kind.RESERVE, NodeFilter(), 10, None)
    assert page.items == [] and page.has_next is False
    assert await store.count_nodes(Kind.RESERVE, NodeFilter()) == 0


# --- filters ------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", FILTER_CASES, ids=[_case_id(c) for c in FILTER_CASES])
async def test_filter_finds_the_nodes_the_data_describes(
    small: Store, case: tuple[Kind, NodeFilter, set[str]]
) -> None:
    kind, where, expected = case
    page = await small.list_nodes(kind, where, 100, None)
    keys = [record.id for record in page.items]
    assert set(keys) == expected
    assert keys == sorted(keys)  # ordered by key, each node once
    assert page.has_next is False


@pytest.mark.parametrize("case", FILTER_CASES, ids=[_case_id(c) for c in FILTER_CASES])
async def test_count_nodes_agrees_with_list_nodes_for_the_filter(
    small: Store, case: tuple[Kind, NodeFilter, set[str]]
) -> None:
    kind, where, expected = case
    assert await small.count_nodes(kind, where) == len(expected)
    assert len(await _all_pages(small, kind, where, 1)) == len(expected)


async def test_a_filter_pages_by_key_like_the_whole_list(small: Store) -> None:
    where = NodeFilter(theme="wildfire")
    first = await small.list_nodes(Kind.PERSON, where, 2, None)
    assert [r.id for r in first.items] == ["ana", "bo"] and first.has_next is True
    rest = await small.list_nodes(Kind.PERSON, where, 2, "bo")
    assert [r.id for r in rest.items] == ["dmitri"] and rest.has_next is False


@pytest.mark.parametrize("kind", list(Kind))
async def test_count_nodes_without_a_filter_counts_every_node_of_the_kind(
    small: Store, kind: Kind
) -> None:
    expected = _kinds_in_small()[kind]
    assert await small.count_nodes(kind, NodeFilter()) == expected
    assert len(await _all_pages(small, kind, NodeFilter(), 2)) == expected


# --- counts -------------------------------------------------------------------------------------
def _kinds_in_small() -> Counter[Kind]:
    rows = [json.loads(line) for line in SMALL.read_text(encoding="utf-8").splitlines() if line]
    return Counter(Kind(row["kind"]) for row in rows if "kind" in row)


async def test_counts_per_kind_equal_the_rows_of_the_file(small: Store) -> None:
    expected = _kinds_in_small()
    assert await small.counts() == {kind: expected[kind] for kind in Kind}


async def test_counts_of_an_empty_graph_are_zero_for_every_kind(store: Store) -> None:
    assert await store.counts() == {kind: 0 for kind in Kind}


# --- text and values as given ---------------------------------------------------------------------
async def test_names_round_trip_with_accents_and_cjk_intact(small: Store) -> None:
    reserves = await small.nodes_by_id(Kind.RESERVE, ["omana", "yading"])
    assert [r.name for r in reserves if isinstance(r, ReserveRecord)] == [
        "Valles de Omaña y Luna",
        "稻城亚丁 Yading",
    ]
    people = await small.nodes_by_id(Kind.PERSON, ["ana", "bo", "chloe", "eve"])
    assert [p.name for p in people if isinstance(p, PersonRecord)] == [
        "Ana Núñez",
        "张博",
        "Chloé Martin",
        "Eve Álvarez",
    ]


async def test_a_filtered_list_returns_the_text_unfolded(small: Store) -> None:
    page = await small.list_nodes(Kind.RESERVE, NodeFilter(text="omana"), 10, None)
    assert [r.name for r in page.items if isinstance(r, ReserveRecord)] == [
        "Valles de Omaña y Luna"
    ]


async def test_person_email_is_stored_and_returned_in_the_record(small: Store) -> None:
    ana, bo = await small.nodes_by_id(Kind.PERSON, ["ana", "bo"])
    assert isinstance(ana, PersonRecord) and isinstance(bo, PersonRecord)
    assert ana == PersonRecord(
        id="ana", name="Ana Núñez", country="ES", email="ana@example.org", synthetic=False
    )
    assert bo.email is None


async def test_reserve_values_round_trip_with_their_types(small: Store) -> None:
    omana, sierra = await small.nodes_by_id(Kind.RESERVE, ["omana", "sierra"])
    assert omana == ReserveRecord(
        id="omana",
        name="Valles de Omaña y Luna",
        country="ES",
        designation_year=2005,
        latitude=42.9,
        longitude=-5.95,
        provenance=[
            Provenance(
                field="latitude/longitude", value="42.9, -5.95", note="point as given by source"
            )
        ],
    )
    assert isinstance(sierra, ReserveRecord)
    assert sierra.mountain is True and sierra.latitude is None and sierra.provenance == []


async def test_theme_lists_and_network_dates_round_trip(small: Store) -> None:
    glacier, wildfire = await small.nodes_by_id(Kind.THEME, ["glacier", "wildfire"])
    assert glacier == ThemeRecord(id="glacier", label="Glacier retreat", sdg_goals=[13, 6])
    assert wildfire == ThemeRecord(id="wildfire", label="Wildfire", sdg_goals=[])
    (network,) = await small.nodes_by_id(Kind.NETWORK, ["wnmbr"])
    assert isinstance(network, NetworkRecord)
    assert network.founded == datetime.date(2021, 12, 7)
    assert network.name == "World Network of Mountain Biosphere Reserves"


async def test_existing_keys_names_only_the_keys_present_for_that_kind(small: Store) -> None:
    assert await small.existing_keys(Kind.PERSON, ["ana", "omana", "zed", "ana"]) == {"ana"}
    assert await small.existing_keys(Kind.RESERVE, ["omana", "ana"]) == {"omana"}
    assert await small.existing_keys(Kind.RESERVE, []) == set()
