"""Store contract: people who share projects with a person, ranked, filtered and paged.

From tests/data/README.md: p-glacier (ana, bo, chloe; glacier, water), p-fire (ana, bo, dmitri;
wildfire), p-water (ana, bo; water), p-tourism (dmitri; tourism); eve is in no project.
"""

import pytest

from graph.importing import import_rows
from graph.records import Collaborator, PersonRecord
from graph.store import CollaborationLink, Store

PROJECT_THEMES = {
    "p-glacier": {"glacier", "water"},
    "p-fire": {"wildfire"},
    "p-water": {"water"},
    "p-tourism": {"tourism"},
}

PROJECTS = frozenset({CollaborationLink.PROJECT})


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
    result = await small.collaborators("ana", None, PROJECTS, 10, 0)
    assert _summary(result) == [
        ("bo", ["p-fire", "p-glacier", "p-water"], _themes_of("p-fire", "p-glacier", "p-water")),
        ("chloe", ["p-glacier"], _themes_of("p-glacier")),
        ("dmitri", ["p-fire"], _themes_of("p-fire")),
    ]


async def test_collaborators_seen_from_someone_else(small: Store) -> None:
    assert [c.person.id for c in await small.collaborators("bo", None, PROJECTS, 10, 0)] == [
        "ana",
        "chloe",
        "dmitri",
    ]
    # dmitri shares p-fire with ana and bo, one project each: tie broken by key
    assert _summary(await small.collaborators("dmitri", None, PROJECTS, 10, 0)) == [
        ("ana", ["p-fire"], ["wildfire"]),
        ("bo", ["p-fire"], ["wildfire"]),
    ]


async def test_collaborators_return_the_person_record(small: Store) -> None:
    bo = (await small.collaborators("ana", None, PROJECTS, 1, 0))[0].person
    assert bo == PersonRecord(id="bo", name="张博", country="CN", synthetic=False)


async def test_shared_project_records_are_complete(small: Store) -> None:
    chloe = (await small.collaborators("ana", None, PROJECTS, 10, 0))[1]
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
    result = await small.collaborators("ana", theme, PROJECTS, 10, 0)
    assert [(c.person.id, [p.id for p in c.shared_projects]) for c in result] == expected
    for c in result:
        assert [t.id for t in c.shared_themes] == _themes_of(*(p.id for p in c.shared_projects))
        assert theme in {t.id for t in c.shared_themes}
    assert await small.count_collaborators("ana", theme, PROJECTS) == len(expected)


@pytest.mark.parametrize("first", [1, 2, 3])
async def test_offset_pages_have_no_duplicates_and_no_gaps(small: Store, first: int) -> None:
    everyone = [c.person.id for c in await small.collaborators("ana", None, PROJECTS, 100, 0)]
    paged: list[str] = []
    offset = 0
    while True:
        page = await small.collaborators("ana", None, PROJECTS, first, offset)
        assert len(page) <= first
        paged += [c.person.id for c in page]
        if len(page) < first:
            break
        offset += first
    assert paged == everyone == ["bo", "chloe", "dmitri"]


async def test_a_page_keeps_each_collaborator_whole(small: Store) -> None:
    (bo,) = await small.collaborators("ana", None, PROJECTS, 1, 0)
    assert [p.id for p in bo.shared_projects] == ["p-fire", "p-glacier", "p-water"]
    (dmitri,) = await small.collaborators("ana", None, PROJECTS, 1, 2)
    assert [p.id for p in dmitri.shared_projects] == ["p-fire"]


async def test_an_offset_past_the_end_gives_nothing(small: Store) -> None:
    assert await small.collaborators("ana", None, PROJECTS, 10, 3) == []


async def test_count_collaborators_counts_each_person_once(small: Store) -> None:
    assert await small.count_collaborators("ana", None, PROJECTS) == 3
    assert await small.count_collaborators("bo", None, PROJECTS) == 3
    assert await small.count_collaborators("dmitri", None, PROJECTS) == 2
    assert await small.count_collaborators("chloe", None, PROJECTS) == 2


@pytest.mark.parametrize("person", ["eve", "nobody"])
async def test_a_person_without_shared_projects_has_no_collaborators(
    small: Store, person: str
) -> None:
    assert await small.collaborators(person, None, PROJECTS, 10, 0) == []
    assert await small.count_collaborators(person, None, PROJECTS) == 0
    assert await small.count_collaborators(person, "water", PROJECTS) == 0


async def test_a_person_is_never_their_own_collaborator(small: Store) -> None:
    for person in ["ana", "bo", "chloe", "dmitri"]:
        assert person not in {
            c.person.id for c in await small.collaborators(person, None, PROJECTS, 10, 0)
        }


ALL_LINKS = frozenset(CollaborationLink)


async def test_via_institution_adds_colleagues_and_the_score_counts_each_kind(small: Store) -> None:
    # ana shares 3 projects with bo, p-glacier and uleon with chloe, p-fire with dmitri.
    result = await small.collaborators("ana", None, ALL_LINKS, 10, 0)
    assert [
        (
            c.person.id,
            len(c.shared_projects),
            [i.id for i in c.shared_institutions],
            len(c.shared_reserves),
        )
        for c in result
    ] == [("bo", 3, [], 0), ("chloe", 1, ["uleon"], 0), ("dmitri", 1, [], 0)]
    assert (
        await small.count_collaborators("bo", None, frozenset({CollaborationLink.INSTITUTION})) == 1
    )


async def test_via_institution_alone_ignores_shared_projects(small: Store) -> None:
    (chloe,) = await small.collaborators(
        "bo", None, frozenset({CollaborationLink.INSTITUTION}), 10, 0
    )
    assert (chloe.person.id, chloe.shared_projects, [i.id for i in chloe.shared_institutions]) == (
        "chloe",
        [],
        ["cas"],
    )


async def test_with_a_theme_colleagues_must_work_on_it(small: Store) -> None:
    institution = frozenset({CollaborationLink.INSTITUTION})
    # chloe (uleon, like ana) is in p-glacier, which addresses water but not wildfire.
    assert [c.person.id for c in await small.collaborators("ana", "water", institution, 10, 0)] == [
        "chloe"
    ]
    assert await small.collaborators("ana", "wildfire", institution, 10, 0) == []


async def test_via_reserve_finds_people_working_at_the_same_reserve(small: Store) -> None:
    rows = [
        (
            1,
            {
                "rel": "WORKS_AT",
                "from": "Person:dmitri",
                "to": "Reserve:omana",
                "properties": {"roles": ["ranger"]},
            },
        )
    ]
    assert (await import_rows(small, rows)).rejected == []
    (dmitri,) = await small.collaborators(
        "eve", None, frozenset({CollaborationLink.RESERVE}), 10, 0
    )
    assert (dmitri.person.id, [r.id for r in dmitri.shared_reserves]) == ("dmitri", ["omana"])
    assert await small.collaborators("eve", None, PROJECTS, 10, 0) == []
