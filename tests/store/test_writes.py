"""Store contract: audited writes (create, update, delete, link, unlink), an editor's grant and
the audit trail, on the hand-made graph of tests/data/small.jsonl (see tests/data/README.md).

Every write and its `Change` record happen together or not at all, so each failing write is
checked to leave the graph and the audit trail as they were.
"""

import datetime
import json
from typing import Any

import pytest

from graph import cypher
from graph._writes import InvalidProperties
from graph.errors import Conflict, NotFound
from graph.importing import import_rows, numbered
from graph.model import Kind, RelType, find_relation
from graph.records import Audit, ChangeFilter, ChangeRecord, ReserveRecord
from graph.store import Direction, NodeFilter, Store

AUDIT = Audit(actor="key:test", request_id="req-1", operation="createReserve")
WORKS_AT = find_relation(RelType.WORKS_AT, Kind.PERSON, Kind.RESERVE)
AFFILIATED = find_relation(RelType.AFFILIATED_WITH, Kind.PERSON, Kind.INSTITUTION)
assert WORKS_AT is not None and AFFILIATED is not None

NEW_RESERVE = {"name": "Picos de Europa", "country": "ES", "latitude": 43.2, "longitude": -4.85}


def audit(operation: str, actor: str = "key:test") -> Audit:
    return Audit(actor=actor, request_id="req-1", operation=operation)


async def all_changes(store: Store, **where: Any) -> list[ChangeRecord]:
    page = await store.changes(ChangeFilter(**where), 1000, None)
    assert not page.has_next
    return page.items


async def count_changes_nodes(store: Store) -> int:
    """Every Change node in the graph, read without the store's own audit statements."""
    rows = await store._read("MATCH (c:Change) RETURN count(c) AS total", {})  # type: ignore[attr-defined]
    return int(rows[0]["total"])


# --- create ----------------------------------------------------------------------------------------
async def test_create_writes_the_node_and_its_change_record(small: Store) -> None:
    written = await small.create_node(Kind.RESERVE, "picos", NEW_RESERVE, AUDIT)
    assert written.changed
    assert written.node == ReserveRecord(id="picos", **NEW_RESERVE)  # type: ignore[arg-type]
    assert await small.nodes_by_id(Kind.RESERVE, ["picos"]) == [written.node]
    (change,) = await all_changes(small)
    assert (change.actor, change.request_id, change.operation, change.node) == (
        "key:test", "req-1", "createReserve", "Reserve:picos",
    )  # fmt: skip
    assert change.before is None
    after = json.loads(change.after or "")
    assert after == {"id": "picos", **NEW_RESERVE, "provenance": []}  # no search_* helpers
    assert datetime.datetime.fromisoformat(change.at).tzinfo is not None


async def test_a_created_node_is_found_by_name_search(small: Store) -> None:
    await small.create_node(Kind.RESERVE, "picos", NEW_RESERVE, AUDIT)
    page = await small.list_nodes(Kind.RESERVE, NodeFilter(text="picos de"), 10, None)
    assert [r.id for r in page.items] == ["picos"]


async def test_retrying_a_create_with_the_same_values_writes_nothing_more(small: Store) -> None:
    first = await small.create_node(Kind.RESERVE, "picos", NEW_RESERVE, AUDIT)
    again = await small.create_node(Kind.RESERVE, "picos", dict(NEW_RESERVE), AUDIT)
    assert not again.changed and again.node == first.node
    assert await small.count_nodes(Kind.RESERVE, NodeFilter()) == 5  # small.jsonl has 4
    assert len(await all_changes(small)) == 1


async def test_create_over_an_existing_node_with_other_values_is_a_conflict_leaving_nothing(
    small: Store,
) -> None:
    before = await small.nodes_by_id(Kind.RESERVE, ["omana"])
    with pytest.raises(Conflict, match="Reserve:omana already exists"):
        await small.create_node(Kind.RESERVE, "omana", NEW_RESERVE, AUDIT)
    assert await small.nodes_by_id(Kind.RESERVE, ["omana"]) == before
    assert await count_changes_nodes(small) == 0  # the refused statement left no audit record


async def test_create_reports_every_invalid_value_at_once_and_writes_nothing(small: Store) -> None:
    bad = {"name": "", "country": "Spain", "designation_year": 1800, "latitude": 95.0,
           "longitude": 0.0, "source_url": "ftp://x", "colour": "red"}  # fmt: skip
    with pytest.raises(InvalidProperties) as caught:
        await small.create_node(Kind.RESERVE, "Bad Key", bad, AUDIT)
    paths = {problem.path for problem in caught.value.problems}
    assert paths == {
        ("id",), ("name",), ("country",), ("designation_year",), ("latitude",), ("source_url",),
        ("colour",),
    }  # fmt: skip
    assert await count_changes_nodes(small) == 0


async def test_create_checks_values_across_fields(small: Store) -> None:
    with pytest.raises(InvalidProperties, match="end_year is before start_year"):
        await small.create_node(
            Kind.PROJECT, "p-new", {"title": "T", "start_year": 2020, "end_year": 2019}, AUDIT
        )


# --- update ----------------------------------------------------------------------------------------
async def test_update_changes_only_the_given_fields_and_records_before_and_after(
    small: Store,
) -> None:
    (old,) = await small.nodes_by_id(Kind.PROJECT, ["p-glacier"])
    written = await small.update_node(
        Kind.PROJECT, "p-glacier", {"title": "Glacier watch II"}, audit("updateProject")
    )
    assert written.changed
    assert written.node.title == "Glacier watch II"  # type: ignore[union-attr]
    assert (written.node.start_year, written.node.end_year) == (2019, 2023)  # type: ignore[union-attr]
    (change,) = await all_changes(small)
    assert json.loads(change.before or "") == {
        "id": "p-glacier", "title": "Glacier watch", "start_year": 2019, "end_year": 2023,
        "synthetic": False,
    }  # fmt: skip
    assert json.loads(change.after or "")["title"] == "Glacier watch II"
    assert old is not None
    found = await small.list_nodes(Kind.PROJECT, NodeFilter(text="watch ii"), 10, None)
    assert [p.id for p in found.items] == ["p-glacier"]


async def test_update_with_none_clears_an_optional_field(small: Store) -> None:
    written = await small.update_node(Kind.PROJECT, "p-glacier", {"end_year": None}, AUDIT)
    assert written.node.end_year is None  # type: ignore[union-attr]
    (stored,) = await small.nodes_by_id(Kind.PROJECT, ["p-glacier"])
    assert stored is not None and stored.end_year is None  # type: ignore[union-attr]


async def test_update_cannot_clear_a_required_field(small: Store) -> None:
    with pytest.raises(InvalidProperties) as caught:
        await small.update_node(Kind.PROJECT, "p-glacier", {"title": None}, AUDIT)
    assert [p.path for p in caught.value.problems] == [("title",)]
    assert await count_changes_nodes(small) == 0


async def test_update_checks_the_merged_values_against_what_is_stored(small: Store) -> None:
    # p-glacier starts in 2019: an end before it is refused although start_year is not given.
    with pytest.raises(InvalidProperties, match="end_year is before start_year"):
        await small.update_node(Kind.PROJECT, "p-glacier", {"end_year": 2010}, AUDIT)


async def test_an_update_to_the_stored_values_writes_nothing(small: Store) -> None:
    written = await small.update_node(Kind.PROJECT, "p-glacier", {"start_year": 2019}, AUDIT)
    assert not written.changed
    assert await all_changes(small) == []


async def test_update_of_a_missing_node_is_not_found(small: Store) -> None:
    with pytest.raises(NotFound):
        await small.update_node(Kind.PROJECT, "nope", {"title": "X"}, AUDIT)


async def test_an_update_guarded_by_a_stale_revision_writes_nothing(small: Store) -> None:
    await small.update_node(Kind.PROJECT, "p-glacier", {"title": "One"}, AUDIT)  # revision 1
    params = {"key": "p-glacier", "revision": 0, "props": {"title": "Two"},
              "change": {"id": "stale", "node": "Project:p-glacier"}}  # fmt: skip
    rows = await small._write(cypher.UPDATE_NODE_AUDITED[Kind.PROJECT], params)  # type: ignore[attr-defined]
    assert rows == []
    (stored,) = await small.nodes_by_id(Kind.PROJECT, ["p-glacier"])
    assert stored is not None and stored.title == "One"  # type: ignore[union-attr]
    assert [c.id for c in await all_changes(small)] != ["stale"]
    assert await count_changes_nodes(small) == 1


# --- delete ----------------------------------------------------------------------------------------
async def test_delete_removes_the_node_and_its_relationships_but_keeps_the_audit(
    small: Store,
) -> None:
    deleted = await small.delete_node(Kind.RESERVE, "omana", audit("deleteReserve"))
    assert deleted.id == "omana"
    assert await small.nodes_by_id(Kind.RESERVE, ["omana"]) == [None]
    (eve,) = await small.links(WORKS_AT, Direction.OUT, ["eve"], 10, None)
    assert eve.items == []
    (change,) = await all_changes(small, node="Reserve:omana")
    assert change.operation == "deleteReserve" and change.after is None
    assert json.loads(change.before or "")["name"] == "Valles de Omaña y Luna"


async def test_delete_of_a_missing_node_is_not_found_and_records_nothing(small: Store) -> None:
    with pytest.raises(NotFound):
        await small.delete_node(Kind.RESERVE, "nope", AUDIT)
    assert await count_changes_nodes(small) == 0


# --- link and unlink ---------------------------------------------------------------------------------
async def test_link_creates_a_relationship_with_its_properties_and_audits_both_ends(
    small: Store,
) -> None:
    props = {"roles": ["ranger", "guide"]}
    written = await small.link(WORKS_AT, "ana", "omana", props, audit("link"))
    assert (written.source.id, written.target.id, written.roles) == (
        "ana",
        "omana",
        ["ranger", "guide"],
    )
    (page,) = await small.links(WORKS_AT, Direction.OUT, ["ana"], 10, None)
    assert [(link.node.id, link.roles) for link in page.items] == [("omana", ["ranger", "guide"])]
    (change,) = await all_changes(small, node="Reserve:omana")  # found from either end
    assert await all_changes(small, node="Person:ana") == [change]
    assert (change.node, change.other, change.before) == ("Person:ana", "Reserve:omana", None)
    assert json.loads(change.after or "") == {"relationship": "WORKS_AT", "properties": props}


async def test_relinking_sets_the_properties_and_a_retry_changes_nothing(small: Store) -> None:
    since = datetime.date(2015, 3, 1)
    again = await small.link(
        AFFILIATED, "ana", "uleon", {"roles": ["researcher"], "since": since}, AUDIT
    )
    assert not again.changed  # exactly what small.jsonl holds
    changed = await small.link(AFFILIATED, "ana", "uleon", {"roles": ["dean"]}, audit("link"))
    assert changed.changed and changed.roles == ["dean"] and changed.since is None
    (change,) = await all_changes(small)
    assert json.loads(change.before or "")["properties"] == {
        "roles": ["researcher"],
        "since": "2015-03-01",
    }
    assert json.loads(change.after or "")["properties"] == {"roles": ["dean"]}


async def test_link_to_a_missing_node_is_not_found_and_leaves_nothing(small: Store) -> None:
    with pytest.raises(NotFound, match="Reserve:nowhere"):
        await small.link(WORKS_AT, "ana", "nowhere", {}, AUDIT)
    (page,) = await small.links(WORKS_AT, Direction.OUT, ["ana"], 10, None)
    assert page.items == []
    assert await count_changes_nodes(small) == 0


async def test_link_refuses_properties_the_relationship_does_not_have(small: Store) -> None:
    with pytest.raises(InvalidProperties, match="since"):
        await small.link(WORKS_AT, "ana", "omana", {"since": datetime.date(2020, 1, 1)}, AUDIT)


async def test_unlink_removes_the_relationship_and_records_what_it_held(small: Store) -> None:
    removed = await small.unlink(WORKS_AT, "eve", "omana", audit("unlink"))
    assert removed.roles == ["manager"]
    (page,) = await small.links(WORKS_AT, Direction.OUT, ["eve"], 10, None)
    assert page.items == []
    (change,) = await all_changes(small)
    assert json.loads(change.before or "")["properties"] == {"roles": ["manager"]}
    assert change.after is None
    with pytest.raises(NotFound):  # a second unlink finds nothing to remove
        await small.unlink(WORKS_AT, "eve", "omana", AUDIT)
    assert len(await all_changes(small)) == 1


# --- an editor's grant -----------------------------------------------------------------------------
async def test_within_grant_follows_sites_partners_affiliations_and_workplaces(
    small: Store,
) -> None:
    asked = [(Kind.PROJECT, key) for key in ("p-fire", "p-glacier", "p-tourism", "p-water")]
    asked += [(Kind.PERSON, key) for key in ("ana", "bo", "chloe", "dmitri", "eve")]
    asked += [(Kind.RESERVE, "omana"), (Kind.RESERVE, "ordino"), (Kind.INSTITUTION, "cas"),
              (Kind.INSTITUTION, "uleon"), (Kind.THEME, "water")]  # fmt: skip
    found = await small.within_grant(asked, frozenset({"omana"}), frozenset({"cas"}))
    assert found == {
        (Kind.PROJECT, "p-fire"),  # sited in omana
        (Kind.PROJECT, "p-glacier"), (Kind.PROJECT, "p-water"),  # cas is a partner
        (Kind.PERSON, "eve"),  # works at omana
        (Kind.PERSON, "bo"), (Kind.PERSON, "chloe"),  # affiliated with cas
        (Kind.RESERVE, "omana"), (Kind.INSTITUTION, "cas"),
    }  # fmt: skip
    assert await small.within_grant(asked, frozenset(), frozenset()) == set()


# --- the audit trail -------------------------------------------------------------------------------
async def test_changes_are_newest_first_filtered_and_paged_without_gaps(small: Store) -> None:
    for n in range(5):
        actor = "key:a" if n % 2 == 0 else "key:b"
        await small.update_node(Kind.PROJECT, "p-fire", {"start_year": 2000 + n}, audit("u", actor))
    await small.create_node(Kind.RESERVE, "picos", NEW_RESERVE, audit("c", "key:a"))
    everything = await all_changes(small)
    assert len(everything) == 6
    keys = [(c.at, c.id) for c in everything]
    assert keys == sorted(keys, reverse=True)
    assert everything[0].node == "Reserve:picos"
    assert [c.actor for c in await all_changes(small, actor="key:b")] == ["key:b", "key:b"]
    assert len(await all_changes(small, node="Project:p-fire")) == 5
    assert await small.count_changes(ChangeFilter(node="Project:p-fire", actor="key:a")) == 3
    cut = everything[2].at
    assert [c.id for c in await all_changes(small, since=cut)] == [c.id for c in everything[:3]]
    paged: list[str] = []
    after: tuple[str, str] | None = None
    while True:
        page = await small.changes(ChangeFilter(), 2, after)
        paged += [c.id for c in page.items]
        if not page.has_next:
            break
        after = (page.items[-1].at, page.items[-1].id)
    assert paged == [c.id for c in everything]


async def test_export_leaves_out_the_audit_trail_and_reloads_identically(small: Store) -> None:
    await small.create_node(Kind.RESERVE, "picos", NEW_RESERVE, AUDIT)
    await small.update_node(Kind.PROJECT, "p-fire", {"end_year": 2030}, AUDIT)
    await small.link(WORKS_AT, "ana", "picos", {"roles": ["guide"]}, AUDIT)
    exported = [row async for row in small.export_rows()]
    assert await count_changes_nodes(small) == 3
    assert all(row.get("kind") != "Change" for row in exported)
    assert all("revision" not in row.get("properties", {}) for row in exported)
    assert {"kind": "Reserve", "id": "picos", "properties": NEW_RESERVE} in exported
    await small.clear()
    report = await import_rows(small, numbered(exported))
    assert report.rejected == []
    assert [row async for row in small.export_rows()] == exported


async def test_clearing_the_graph_keeps_the_audit_trail_unless_everything_goes(
    small: Store,
) -> None:
    """`hub load --replace` replaces the network's data, not its history (nor its keys)."""
    await small.update_node(Kind.PROJECT, "p-fire", {"end_year": 2030}, AUDIT)
    assert await count_changes_nodes(small) == 1
    await small.clear()
    assert sum((await small.counts()).values()) == 0
    assert await count_changes_nodes(small) == 1
    await small.clear(everything=True)
    assert await count_changes_nodes(small) == 0
