"""Store contract: full-text search, reserves near a point, and the bounding-box filter.

Answers come from tests/data/search.jsonl and search_geo.jsonl (see tests/data/README.md);
distances are recomputed here with the haversine formula from the coordinates in the file.
"""

import pytest
from conftest import load_file
from geo_reference import coordinates, haversine_km

from graph.codec import search_terms
from graph.importing import import_rows, numbered
from graph.model import Kind
from graph.records import ReserveRecord, SearchHit
from graph.store import BoundingBox, NodeFilter, Store

ALL = list(Kind)


@pytest.fixture
async def words(store: Store) -> Store:
    await load_file(store, "search.jsonl")
    return store


@pytest.fixture
async def geo(store: Store) -> Store:
    await load_file(store, "search_geo.jsonl")
    return store


def found(hits: list[SearchHit]) -> list[tuple[str, str]]:
    return [(str(hit.node.KIND), hit.node.id) for hit in hits]


async def everything(store: Store, text: str, kinds: list[Kind] = ALL) -> list[SearchHit]:
    return await store.search(text, kinds, 100, 0)


# --- matching ------------------------------------------------------------------------------------
OMANA = {
    ("Reserve", "omana"),  # in its name
    ("Institution", "omana-mgmt"),  # in its name
    ("Project", "p-basin"),  # only in its description
    ("Network", "wnmbr"),  # only in its description
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Spanish
        ("omana", OMANA),
        ("OMAÑA", OMANA),
        ("Omaña luna", OMANA - {("Project", "p-basin")}),  # p-basin has no "luna"
        ("nunez", {("Person", "ana")}),
        ("ANA NÚÑEZ", {("Person", "ana")}),
        ("vinamala", {("Reserve", "ordesa")}),
        # French
        ("cevennes", {("Reserve", "cevennes")}),
        ("universite GRENOBLE", {("Institution", "uga")}),
        ("helene lefevre", {("Person", "helene")}),
        ("Hélène", {("Person", "helene")}),
        ("chloe", {("Person", "chloe")}),
        # Chinese: each ideograph is a word, and a run of them must appear as written
        ("张博", {("Person", "bo")}),
        ("张", {("Person", "bo")}),
        ("稻城亚丁", {("Reserve", "yading")}),
        ("亚丁", {("Reserve", "yading")}),
        ("丁亚", set()),  # the same characters in another order
        ("科学院", {("Institution", "cas")}),
        ("中国 academy", {("Institution", "cas")}),
    ],
)
async def test_search_is_case_and_accent_insensitive_in_every_script(
    words: Store, text: str, expected: set[tuple[str, str]]
) -> None:
    assert set(found(await everything(words, text))) == expected


async def test_every_word_must_be_found_in_the_title_or_the_description(words: Store) -> None:
    # "glacier" and "melt" are both only in p-basin's description and in freshwater's definition.
    assert set(found(await everything(words, "glacier melt"))) == {
        ("Project", "p-basin"),
        ("Theme", "freshwater"),
    }
    assert found(await everything(words, "glacier omana luna")) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "glac",
            {
                ("Project", "p-glacier"),
                ("Project", "p-basin"),
                ("Theme", "glacier"),
                ("Theme", "freshwater"),
            },
        ),
        ("lefev", {("Person", "helene")}),
        ("ordesa vina", {("Reserve", "ordesa")}),
        # "watch" and "water" start with "wat"
        (
            "glacier wat",
            {("Project", "p-glacier"), ("Project", "p-basin"), ("Theme", "freshwater")},
        ),
    ],
)
async def test_the_last_word_may_be_the_start_of_a_word(
    words: Store, text: str, expected: set[tuple[str, str]]
) -> None:
    assert set(found(await everything(words, text))) == expected


async def test_only_the_last_word_is_a_prefix(words: Store) -> None:
    assert found(await everything(words, "glac watch")) == []


async def test_kinds_restrict_the_answer_to_those_kinds(words: Store) -> None:
    assert set(found(await everything(words, "omana", [Kind.RESERVE, Kind.INSTITUTION]))) == {
        ("Reserve", "omana"),
        ("Institution", "omana-mgmt"),
    }
    assert found(await everything(words, "omana", [Kind.PROJECT])) == [("Project", "p-basin")]
    assert found(await everything(words, "omana", [Kind.PERSON])) == []
    assert await words.count_search("omana", [Kind.RESERVE, Kind.NETWORK]) == 2


async def test_hits_are_whole_records_of_their_kind(words: Store) -> None:
    (hit,) = await everything(words, "omana", [Kind.RESERVE])
    assert isinstance(hit.node, ReserveRecord)
    assert (hit.node.name, hit.node.country, hit.node.latitude) == (
        "Valles de Omaña y Luna",
        "ES",
        42.9,
    )
    assert hit.score > 0


# --- ranking -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "in_title", "in_description"),
    [
        (Kind.PROJECT, "p-glacier", "p-basin"),  # "Glacier watch" / "...How glacier melt..."
        (Kind.THEME, "glacier", "freshwater"),  # "Glacier retreat" / "...snow and glacier melt..."
    ],
)
async def test_a_word_in_the_title_ranks_above_the_same_word_in_the_description(
    words: Store, kind: Kind, in_title: str, in_description: str
) -> None:
    hits = await everything(words, "glacier", [kind])
    assert [hit.node.id for hit in hits] == [in_title, in_description]
    assert hits[0].score > hits[1].score


async def test_equal_scores_are_ordered_by_key(words: Store) -> None:
    # p-snow-a and p-snow-b have the same title and no description (b was imported first).
    hits = await everything(words, "snow survey")
    assert found(hits) == [("Project", "p-snow-a"), ("Project", "p-snow-b")]
    assert hits[0].score == hits[1].score


async def test_equal_scores_are_ordered_by_kind_name_then_key(store: Store) -> None:
    rows = [
        {"kind": kind, "id": key, "properties": {"name": "Alpine Snow Observatory", **extra}}
        for kind, key, extra in [
            ("Network", "a-net", {}),
            ("Institution", "z-inst", {"kind": "ngo"}),
            ("Institution", "b-inst", {"kind": "ngo"}),
        ]
    ]
    report = await import_rows(store, numbered(rows))
    assert report.rejected == []
    hits = await everything(store, "alpine snow observatory")
    assert len({hit.score for hit in hits}) == 1, [hit.score for hit in hits]
    assert found(hits) == [
        ("Institution", "b-inst"),
        ("Institution", "z-inst"),
        ("Network", "a-net"),
    ]


@pytest.mark.parametrize("text", ["omana", "glacier", "snow", "glac", "de"])
async def test_hits_come_best_score_first_then_by_kind_then_key(words: Store, text: str) -> None:
    hits = await everything(words, text)
    assert hits
    order = [(-hit.score, str(hit.node.KIND), hit.node.id) for hit in hits]
    assert order == sorted(order)


# --- what the user types cannot change the query -------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-omana", OMANA),  # not "without omana"
        ("omana*", OMANA),
        ("(omana)", OMANA),
        ('"omana', OMANA),
        ("omana~", OMANA),
        ("omana~2", set()),  # the words "omana" and "2"
        ("omana^2", set()),
        ("%omana%", OMANA),
        ("$omana", OMANA),
        ("'omana'", OMANA),
        ("omana:", OMANA),
        ("name:omana", set()),  # not a field: the words "name" and "omana"
        ("@search_title:omana", set()),
        ("search_title:omana", set()),
        ("omana | ordesa", set()),  # not "or": no node has both words
        ("omana OR ordesa", set()),
        ("omana || ordesa", set()),
        ("omana && luna", OMANA - {("Project", "p-basin")}),
        ("omana AND NOT luna", set()),
        ("+omana -luna", OMANA - {("Project", "p-basin")}),
        ("[a TO z]", set()),
        ("{omana}", OMANA),
        ("omana\\", OMANA),
        ("omana/luna", OMANA - {("Project", "p-basin")}),
        ("omana?", OMANA),
        ("om?na", set()),
        ("!omana", OMANA),
        ("omana;", OMANA),
        ("omana=>{$weight: 2}", set()),
    ],
)
async def test_operators_of_either_engine_are_plain_separators(
    words: Store, text: str, expected: set[tuple[str, str]]
) -> None:
    hits = await everything(words, text)
    assert set(found(hits)) == expected
    assert await words.count_search(text, ALL) == len(expected)
    # the same answer as for the words alone
    assert found(hits) == found(await everything(words, " ".join(search_terms(text))))


@pytest.mark.parametrize("text", ["*", "-", "()", '"', "~", "|", "@", ":", "*:*", "\\", "..."])
async def test_text_without_any_word_finds_nothing(words: Store, text: str) -> None:
    assert await everything(words, text) == []
    assert await words.count_search(text, ALL) == 0


async def test_text_filter_of_lists_still_matches_names_only(words: Store) -> None:
    # p-basin mentions Omaña only in its description.
    page = await words.list_nodes(Kind.PROJECT, NodeFilter(text="omana"), 10, None)
    assert page.items == []
    page = await words.list_nodes(Kind.RESERVE, NodeFilter(text="omana"), 10, None)
    assert [record.id for record in page.items] == ["omana"]


# --- paging --------------------------------------------------------------------------------------
@pytest.mark.parametrize("first", [1, 2, 3])
async def test_pages_by_offset_give_every_hit_once_in_order(words: Store, first: int) -> None:
    whole = found(await everything(words, "omana"))
    assert len(whole) == 4
    pages: list[tuple[str, str]] = []
    offset = 0
    while True:
        page = await words.search("omana", ALL, first, offset)
        pages += found(page)
        offset += first
        if len(page) < first:
            break
    assert pages == whole
    assert await words.count_search("omana", ALL) == len(whole)


async def test_a_page_past_the_end_is_empty(words: Store) -> None:
    assert await words.search("omana", ALL, 10, 4) == []
    assert await words.search("omana", ALL, 0, 0) == []


# --- the index follows writes, and survives setup ------------------------------------------------
async def test_search_follows_an_update_of_the_title(words: Store) -> None:
    row = {"kind": "Person", "id": "dmitri", "properties": {"name": "Dmitri Sokolov"}}
    report = await import_rows(words, numbered([row]))
    assert report.rejected == []
    assert found(await everything(words, "sokolov")) == [("Person", "dmitri")]
    assert found(await everything(words, "ivanov")) == []


async def test_setup_again_keeps_the_indexes_and_what_they_hold(words: Store) -> None:
    await words.setup()  # runs at every start: idempotent
    assert set(found(await everything(words, "omana"))) == OMANA
    row = {"kind": "Theme", "id": "snowpack", "properties": {"label": "Snowpack"}}
    assert (await import_rows(words, numbered([row]))).rejected == []
    assert found(await everything(words, "snowpack")) == [("Theme", "snowpack")]


async def test_search_on_an_empty_graph_finds_nothing(store: Store) -> None:
    assert await everything(store, "omana") == []
    assert await store.count_search("omana", ALL) == 0


# --- reserves near a point -----------------------------------------------------------------------
def expected_near(point: tuple[float, float], radius_km: float) -> list[tuple[str, float]]:
    within = [(haversine_km(point, place), key) for key, place in coordinates().items()]
    return [(key, d) for d, key in sorted(within) if d <= radius_km]


# Distances are computed in double precision on both engines (not with FalkorDB's float32
# point()/distance(), which is off by 1 to 7 m): a millimetre is tolerance enough.
TOLERANCE_KM = 1e-6


@pytest.mark.parametrize(
    ("point", "radius_km"),
    [
        ((42.9, -5.95), 1.0),  # omana itself, at distance 0
        ((42.9, -5.95), 600.0),  # ordino is 611.8 km away: outside
        ((42.9, -5.95), 620.0),  # ordino inside, sierra (688.5 km) outside
        ((40.0, -2.0), 1500.0),  # the three Iberian ones
        ((-16.7, 180.0), 100.0),  # taveuni and lau, on either side of the antimeridian
        ((-16.7, -180.0), 100.0),  # the same point
        ((10.0, 20.0), 0.001),  # the twins, at the same point: by key
        ((0.0, 0.0), 20_000.0),  # every reserve with coordinates
        ((89.9, 0.0), 20_000.0),
    ],
)
async def test_reserves_near_are_those_within_the_radius_nearest_first(
    geo: Store, point: tuple[float, float], radius_km: float
) -> None:
    got = await geo.reserves_near(point[0], point[1], radius_km, 100)
    want = expected_near(point, radius_km)
    assert [item.reserve.id for item in got] == [key for key, _ in want]
    for item, (_, distance) in zip(got, want, strict=True):
        assert item.distance_km == pytest.approx(distance, abs=TOLERANCE_KM)
        assert isinstance(item.reserve, ReserveRecord)


async def test_reserves_near_across_the_antimeridian_are_near(geo: Store) -> None:
    got = await geo.reserves_near(-16.85, 179.95, 100.0, 10)
    assert [item.reserve.id for item in got] == ["taveuni", "lau"]
    assert got[1].distance_km == pytest.approx(47.157, abs=0.001)


async def test_reserves_near_ties_are_ordered_by_key(geo: Store) -> None:
    got = await geo.reserves_near(11.0, 20.0, 500.0, 10)
    assert [item.reserve.id for item in got] == ["twin-a", "twin-b"]
    assert got[0].distance_km == got[1].distance_km


async def test_reserves_near_gives_at_most_first_nearest(geo: Store) -> None:
    everything_near = await geo.reserves_near(42.9, -5.95, 20_000.0, 100)
    assert len(everything_near) == len(coordinates())  # yading has no coordinates
    assert "yading" not in {item.reserve.id for item in everything_near}
    two = await geo.reserves_near(42.9, -5.95, 20_000.0, 2)
    assert [item.reserve.id for item in two] == ["omana", "ordino"]
    assert await geo.reserves_near(42.9, -5.95, 20_000.0, 0) == []


# --- the bounding box ----------------------------------------------------------------------------
async def _in_box(store: Store, box: BoundingBox, text: str | None = None) -> list[str]:
    where = NodeFilter(within=box, text=text)
    page = await store.list_nodes(Kind.RESERVE, where, 100, None)
    assert await store.count_nodes(Kind.RESERVE, where) == len(page.items)
    return [record.id for record in page.items]


@pytest.mark.parametrize(
    ("box", "expected"),
    [
        (BoundingBox(south=36, west=-10, north=44, east=3), ["omana", "ordino", "sierra"]),
        (BoundingBox(south=42, west=-10, north=44, east=0), ["omana"]),
        # west > east: the box crosses the antimeridian, from 175 E to 175 W
        (BoundingBox(south=-20, west=175, north=-10, east=-175), ["lau", "taveuni"]),
        # the same numbers the other way round: almost the whole world, but not 175..180
        (BoundingBox(south=-20, west=-175, north=-10, east=175), ["vanua"]),
        # edges are included
        (BoundingBox(south=0, west=0, north=0, east=0), ["null-island"]),
        (BoundingBox(south=10, west=20, north=10, east=20), ["twin-a", "twin-b"]),
        (BoundingBox(south=-90, west=-180, north=90, east=180), sorted(coordinates())),
        (BoundingBox(south=50, west=-10, north=60, east=3), []),
    ],
)
async def test_reserves_within_a_box_keep_the_order_by_key(
    geo: Store, box: BoundingBox, expected: list[str]
) -> None:
    assert await _in_box(geo, box) == expected


async def test_a_box_combines_with_the_other_filters(geo: Store) -> None:
    box = BoundingBox(south=36, west=-10, north=44, east=3)
    assert await _in_box(geo, box, text="sierra") == ["sierra"]
    page = await geo.list_nodes(Kind.RESERVE, NodeFilter(within=box, country="ES"), 1, None)
    assert [r.id for r in page.items] == ["omana"] and page.has_next is True
    page = await geo.list_nodes(Kind.RESERVE, NodeFilter(within=box, country="ES"), 1, "omana")
    assert [r.id for r in page.items] == ["sierra"] and page.has_next is False
