"""Store contract: people who share projects with a person, ranked, filtered and paged.

From tests/data/README.md: p-glacier (ana, bo, chloe; glacier, water), p-fire (ana, bo, dmitri;
wildfire), p-water (ana, bo; water), p-tourism (dmitri; tourism); eve is in no project.
"""

import pytest

from graph.records import Collaborator, PersonRecord
from graph.store import Store

PROJECT_THEMES = {
    "p-glacier": {"glacier", "water"},
    "p-fire": {"wildfire"},
    "p-water": {"water"},
    "p-tourism": {"tourism"},
}


def _summary(collaborators: list[Collaborator]) -> list[tuple[str, list[str], list[str]]]:
    return [
        (
            c.person.id,
            [p.id for p in c.shared_projects],
            [t.id for t in c.shared_themes],
        )
        for c in collaborators
    ]


def _themes_of(*projects: str) -> list[str]:
    return sorted(set().union(*(PROJECT_THEMES[p] for p in projects)))


async def test_collaborators_rank_by_shared_projects_then_key(small: Store) -> None:
    result = await small.collaborators("ana", None, 10, 0)
    assert _summary(result) == [
        ("bo", ["p-fire", "p-glacier", "p-water"], _themes_of("p-fire", "p-glacier", "p-water")),
        ("chloe", ["p-glacier"], _themes_of("p-glacier")),
        ("dmitri", ["p-fire"], _themes_of("p-fire")),
    ]


async def test_collaborators_seen_from_someone_else(small: Store) -> None:
    assert [c.person.id for c in await small.collaborators("bo", None, 10, 0)] == [
        "ana",
        "chloe",
        "dmitri",
    ]
    # dmitri shares p-fire with ana and bo, one project each: tie broken by key
    assert _summary(await small.collaborators("dmitri", None, 10, 0)) == [
        ("ana", ["p-fire"], ["wildfire"]),
        ("bo", ["p-fire"], ["wildfire"]),
    ]


async def test_collaborators_return_the_person_record(small: Store) -> None:
    bo = (await small.collaborators("ana", None, 1, 0))[0].person
    assert bo == PersonRecord(id="bo", name="张博", country="CN", synthetic=False)


async def test_shared_project_records_are_complete(small: Store) -> None:
    chloe = (await small.collaborators("ana", None, 10, 0))[1]
    (project,) = chloe.shared_projects
    assert (project.id, project.title, project.start_year, project.end_year) == (
        "p-glacier",
        "Glacier watch",
        2019,
        2023,
    )
    assert [(t.id, t.label) for t in chloe.shared_themes] == [
        ("glacier", "Glacier retreat"),
        ("water", "Water resources"),
    ]


@pytest.mark.parametrize(
    ("theme", "expected"),
    [
        # p-glacier addresses water too, so chloe shares one water project with ana
        ("water", [("bo", ["p-glacier", "p-water"]), ("chloe", ["p-glacier"])]),
        ("wildfire", [("bo", ["p-fire"]), ("dmitri", ["p-fire"])]),
        ("glacier", [("bo", ["p-glacier"]), ("chloe", ["p-glacier"])]),
        ("tourism", []),
        ("no-such-theme", []),
    ],
)
async def test_theme_filter_counts_only_projects_on_that_theme(
    small: Store, theme: str, expected: list[tuple[str, list[str]]]
) -> None:
    result = await small.collaborators("ana", theme, 10, 0)
    assert [(c.person.id, [p.id for p in c.shared_projects]) for c in result] == expected
    for c in result:
        assert [t.id for t in c.shared_themes] == _themes_of(*(p.id for p in c.shared_projects))
        assert theme in {t.id for t in c.shared_themes}
    assert await small.count_collaborators("ana", theme) == len(expected)


@pytest.mark.parametrize("first", [1, 2, 3])
async def test_offset_pages_have_no_duplicates_and_no_gaps(small: Store, first: int) -> None:
    everyone = [c.person.id for c in await small.collaborators("ana", None, 100, 0)]
    paged: list[str] = []
    offset = 0
    while True:
        page = await small.collaborators("ana", None, first, offset)
        assert len(page) <= first
        paged += [c.person.id for c in page]
        if len(page) < first:
            break
        offset += first
    assert paged == everyone == ["bo", "chloe", "dmitri"]


async def test_a_page_keeps_each_collaborator_whole(small: Store) -> None:
    (bo,) = await small.collaborators("ana", None, 1, 0)
    assert [p.id for p in bo.shared_projects] == ["p-fire", "p-glacier", "p-water"]
    (dmitri,) = await small.collaborators("ana", None, 1, 2)
    assert [p.id for p in dmitri.shared_projects] == ["p-fire"]


async def test_an_offset_past_the_end_gives_nothing(small: Store) -> None:
    assert await small.collaborators("ana", None, 10, 3) == []


async def test_count_collaborators_counts_each_person_once(small: Store) -> None:
    assert await small.count_collaborators("ana", None) == 3
    assert await small.count_collaborators("bo", None) == 3
    assert await small.count_collaborators("dmitri", None) == 2
    assert await small.count_collaborators("chloe", None) == 2


@pytest.mark.parametrize("person", ["eve", "nobody"])
async def test_a_person_without_shared_projects_has_no_collaborators(
    small: Store, person: str
) -> None:
    assert await small.collaborators(person, None, 10, 0) == []
    assert await small.count_collaborators(person, None) == 0
    assert await small.count_collaborators(person, "water") == 0


async def test_a_person_is_never_their_own_collaborator(small: Store) -> None:
    for person in ["ana", "bo", "chloe", "dmitri"]:
        assert person not in {c.person.id for c in await small.collaborators(person, None, 10, 0)}
