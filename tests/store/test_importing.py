"""Importing through graph.importing against the real store: counts, rejections, dry runs, files."""

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import new_falkor_store

from graph.importing import ImportFileError, import_rows, read_rows
from graph.model import Kind, RelType, find_relation
from graph.records import ThemeRecord
from graph.store import Direction, NodeFilter, Store

SMALL = Path(__file__).parent.parent / "data" / "small.jsonl"


def _small_rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in SMALL.read_text(encoding="utf-8").splitlines() if line]


def _row_counts() -> dict[str, int]:
    """What importing small.jsonl creates: rows per kind and per relationship type."""
    counts = Counter(row.get("kind") or row["rel"] for row in _small_rows())
    return dict(counts)


def _write_jsonl(path: Path, lines: list[Any]) -> Path:
    """Rows (dicts, or str for a raw line) one a line."""
    text = "\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines)
    path.write_text(text + "\n", encoding="utf-8")
    return path


async def _export(store: Store) -> list[dict[str, Any]]:
    return [row async for row in store.export_rows()]


def _theme(key: str, label: str | None = None) -> dict[str, Any]:
    return {"kind": "Theme", "id": key, "properties": {"label": label or f"Theme {key}"}}


# --- created and updated ------------------------------------------------------------------------
async def test_first_import_creates_every_row_and_updates_nothing(store: Store) -> None:
    report = await import_rows(store, read_rows(SMALL))
    assert report.ok
    assert report.created == _row_counts()
    assert report.updated == {}


async def test_second_import_of_the_same_file_updates_everything_and_duplicates_nothing(
    small: Store,
) -> None:
    counts_before = await small.counts()
    export_before = await _export(small)
    report = await import_rows(small, read_rows(SMALL))
    assert report.ok
    assert report.created == {}
    assert report.updated == _row_counts()
    assert await small.counts() == counts_before
    assert await _export(small) == export_before  # no second relationship between any pair


async def test_an_update_replaces_given_properties_and_keeps_the_others(
    small: Store, tmp_path: Path
) -> None:
    path = _write_jsonl(
        tmp_path / "update.jsonl",
        [{"kind": "Theme", "id": "water", "properties": {"label": "Agua", "sdg_goals": [6, 14]}}],
    )
    report = await import_rows(small, read_rows(path))
    assert report.updated == {"Theme": 1} and report.created == {}
    assert await small.nodes_by_id(Kind.THEME, ["water"]) == [
        ThemeRecord(id="water", label="Agua", sdg_goals=[6, 14])
    ]
    # search text follows the new label
    page = await small.list_nodes(Kind.THEME, NodeFilter(text="agua"), 10, None)
    assert [t.id for t in page.items] == ["water"]


async def test_reimporting_a_relationship_with_other_roles_replaces_them(
    small: Store, tmp_path: Path
) -> None:
    path = _write_jsonl(
        tmp_path / "roles.jsonl",
        [
            {
                "rel": "PARTICIPATES_IN",
                "from": "Person:ana",
                "to": "Project:p-fire",
                "properties": {"roles": ["lead", "field"]},
            }
        ],
    )
    report = await import_rows(small, read_rows(path))
    assert report.updated == {"PARTICIPATES_IN": 1} and report.created == {}
    relation = find_relation(RelType.PARTICIPATES_IN, Kind.PERSON, Kind.PROJECT)
    assert relation is not None
    (page,) = await small.links(relation, Direction.OUT, ["ana"], 10, None)
    assert [(link.node.id, link.roles) for link in page.items] == [
        ("p-fire", ["lead", "field"]),
        ("p-glacier", ["lead"]),
        ("p-water", ["researcher"]),
    ]
    assert page.total == 3


# --- a bad row rejects its whole batch ----------------------------------------------------------
BAD_ROWS: dict[str, tuple[Any, str]] = {
    "bad country": (
        {"kind": "Reserve", "id": "rx", "properties": {"name": "X", "country": "Spain"}},
        "country",
    ),
    "unknown kind": ({"kind": "Mountain", "id": "mx", "properties": {}}, "Mountain"),
    "relationship to a missing node": (
        {"rel": "ADDRESSES", "from": "Reserve:ghost", "to": "Theme:t6", "properties": {}},
        "Reserve:ghost does not exist",
    ),
    "relation that does not join those kinds": (
        {"rel": "SITED_IN", "from": "Theme:t6", "to": "Reserve:omana", "properties": {}},
        "does not join",
    ),
    "not JSON": ('{"kind": "Theme", "id": ', "not valid JSON"),
    "duplicate node in the file": (_theme("t1", "Again"), "line 1"),
    "unknown property": (
        {"kind": "Theme", "id": "t5", "properties": {"label": "T5", "colour": "red"}},
        "colour",
    ),
    "property not allowed on the relation": (
        {
            "rel": "SITED_IN",
            "from": "Project:p-fire",
            "to": "Reserve:ordino",
            "properties": {"roles": ["x"]},
        },
        "roles",
    ),
}


def _file_with_bad_line_5(bad: Any) -> list[Any]:
    """Three batches of three (batch_size=3); the bad row is line 5, in the second batch."""
    return [
        _theme("t1"),  # 1 batch 1
        _theme("t2"),  # 2
        _theme("t3"),  # 3
        _theme("water", "Changed"),  # 4 batch 2: an update that must not land
        bad,  # 5
        _theme("t6"),  # 6
        {"kind": "Reserve", "id": "r7", "properties": {"name": "Réserve", "country": "FR"}},  # 7
        {"rel": "ADDRESSES", "from": "Reserve:r7", "to": "Theme:t1", "properties": {}},  # 8
        {
            "rel": "MEMBER_OF",
            "from": "Reserve:r7",
            "to": "Network:wnmbr",
            "properties": {"since": "2024-01-01"},
        },  # 9
    ]


@pytest.mark.parametrize("name", list(BAD_ROWS))
async def test_a_bad_row_rejects_its_batch_only_and_is_reported_by_line(
    small: Store, tmp_path: Path, name: str
) -> None:
    bad, reason = BAD_ROWS[name]
    before = await small.counts()
    path = _write_jsonl(tmp_path / "bad.jsonl", _file_with_bad_line_5(bad))
    report = await import_rows(small, read_rows(path), batch_size=3)

    assert [r.line for r in report.rejected] == [5]
    assert reason in report.rejected[0].reason
    # batches 1 and 3 written, batch 2 not at all
    assert report.created == {"Theme": 3, "Reserve": 1, "ADDRESSES": 1, "MEMBER_OF": 1}
    assert report.updated == {}
    after = await small.counts()
    assert after[Kind.THEME] == before[Kind.THEME] + 3
    assert after[Kind.RESERVE] == before[Kind.RESERVE] + 1
    assert {k: v for k, v in after.items() if k not in (Kind.THEME, Kind.RESERVE)} == {
        k: v for k, v in before.items() if k not in (Kind.THEME, Kind.RESERVE)
    }
    themes = await small.nodes_by_id(Kind.THEME, ["t1", "t2", "t3", "water", "t5", "t6"])
    assert [t.id if t else None for t in themes] == ["t1", "t2", "t3", "water", None, None]
    assert isinstance(themes[3], ThemeRecord) and themes[3].label == "Water resources"
    assert await small.existing_keys(Kind.RESERVE, ["rx", "ghost", "r7"]) == {"r7"}


async def test_a_batch_with_one_bad_row_writes_nothing(store: Store, tmp_path: Path) -> None:
    path = _write_jsonl(
        tmp_path / "one-batch.jsonl",
        [_theme("a"), _theme("b"), {"kind": "Theme", "id": "c", "properties": {}}],
    )
    report = await import_rows(store, read_rows(path))
    assert [r.line for r in report.rejected] == [3]
    assert "label" in report.rejected[0].reason
    assert report.created == {} and report.updated == {}
    assert await store.counts() == {kind: 0 for kind in Kind}


async def test_every_bad_row_is_reported_with_its_line_across_batches(
    store: Store, tmp_path: Path
) -> None:
    lines: list[Any] = [
        _theme("a"),  # 1 batch 1
        "not json",  # 2
        _theme("b"),  # 3 batch 2: all good
        _theme("c"),  # 4
        {"kind": "Theme", "id": "Bad Key", "properties": {"label": "x"}},  # 5 batch 3
        {"rel": "ADDRESSES", "from": "Theme:b", "to": "Theme:c", "properties": {}},  # 6
        {"rel": "NEIGHBOUR_OF", "from": "Theme:b", "to": "Theme:c"},  # 7 batch 4
        _theme("d"),  # 8
        _theme("e"),  # 9 batch 5: all good
    ]
    path = _write_jsonl(tmp_path / "many.jsonl", lines)
    report = await import_rows(store, read_rows(path), batch_size=2)
    assert [r.line for r in report.rejected] == [2, 5, 6, 7]
    assert report.created == {"Theme": 3}
    assert await store.existing_keys(Kind.THEME, ["a", "b", "c", "d", "e"]) == {"b", "c", "e"}


async def test_a_relationship_may_use_a_node_written_by_an_earlier_batch(
    store: Store, tmp_path: Path
) -> None:
    path = _write_jsonl(
        tmp_path / "later.jsonl",
        [
            _theme("a"),
            {"kind": "Reserve", "id": "r", "properties": {"name": "R", "country": "ES"}},
            {"rel": "ADDRESSES", "from": "Reserve:r", "to": "Theme:a", "properties": {}},
        ],
    )
    report = await import_rows(store, read_rows(path), batch_size=1)
    assert report.ok and report.created == {"Theme": 1, "Reserve": 1, "ADDRESSES": 1}


# --- dry run ------------------------------------------------------------------------------------
@pytest.mark.parametrize("batch_size", [3, 5000])
async def test_dry_run_reports_the_same_counts_and_writes_nothing(
    store: Store, batch_size: int
) -> None:
    dry = await import_rows(store, read_rows(SMALL), batch_size=batch_size, dry_run=True)
    assert dry.ok
    assert await store.counts() == {kind: 0 for kind in Kind}
    assert await _export(store) == []
    real = await import_rows(store, read_rows(SMALL), batch_size=batch_size)
    assert (dry.created, dry.updated, dry.rejected) == (real.created, real.updated, real.rejected)
    assert dry.created == _row_counts()


async def test_dry_run_over_existing_data_reports_updates_and_changes_nothing(
    small: Store, tmp_path: Path
) -> None:
    before = await _export(small)
    path = _write_jsonl(tmp_path / "dry.jsonl", [_theme("water", "Changed"), _theme("new")])
    report = await import_rows(small, read_rows(path), dry_run=True)
    assert report.updated == {"Theme": 1} and report.created == {"Theme": 1}
    assert await _export(small) == before


async def test_dry_run_reports_the_same_rejections(small: Store, tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "bad.jsonl", _file_with_bad_line_5(BAD_ROWS["bad country"][0]))
    dry = await import_rows(small, read_rows(path), batch_size=3, dry_run=True)
    real = await import_rows(small, read_rows(path), batch_size=3)
    assert [r.line for r in dry.rejected] == [r.line for r in real.rejected] == [5]
    assert dry.created == real.created


# --- a JSON document ------------------------------------------------------------------------------
def _line_opening(text: str, marker: str) -> int:
    """The 1-based line of the `{` that opens the object containing the unique `marker`."""
    lines = text.splitlines()
    (at,) = [i for i, line in enumerate(lines) if marker in line]
    while lines[at].strip() not in ("{", "{}"):
        at -= 1
    return at + 1


async def test_a_json_document_is_imported_like_its_rows(store: Store, tmp_path: Path) -> None:
    rows = _small_rows()
    document = {
        "nodes": [r for r in rows if "kind" in r],
        "relationships": [r for r in rows if "rel" in r],
    }
    path = tmp_path / "small.json"
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")
    report = await import_rows(store, read_rows(path))
    assert report.ok and report.created == _row_counts()


async def test_a_json_document_reports_the_line_a_rejected_row_starts_on(
    store: Store, tmp_path: Path
) -> None:
    document = {
        "nodes": [
            _theme("a"),
            {"kind": "Reserve", "id": "bad-country", "properties": {"name": "X", "country": "es"}},
            _theme("b"),
        ],
        "relationships": [
            {"rel": "ADDRESSES", "from": "Reserve:ghost-reserve", "to": "Theme:a"},
        ],
    }
    text = json.dumps(document, indent=2)
    path = tmp_path / "doc.json"
    path.write_text(text, encoding="utf-8")
    report = await import_rows(store, read_rows(path))
    assert [r.line for r in report.rejected] == [
        _line_opening(text, '"bad-country"'),
        _line_opening(text, '"Reserve:ghost-reserve"'),
    ]
    assert report.rejected[0].line > 3  # not the line of the list or of the document
    assert await store.counts() == {kind: 0 for kind in Kind}


async def test_a_json_document_that_is_not_json_is_refused_whole(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "nodes": [\n    {"kind": \n', encoding="utf-8")
    with pytest.raises(ImportFileError, match="line 4"):
        await import_rows(store, read_rows(path))
    assert await store.counts() == {kind: 0 for kind in Kind}


# --- export and import again --------------------------------------------------------------------
async def test_export_covers_every_row_of_the_file(small: Store) -> None:
    exported = await _export(small)
    rows = _small_rows()
    key = lambda row: (row["rel"], row["from"], row["to"])  # noqa: E731
    assert sorted(
        (key(r), json.dumps(r["properties"], sort_keys=True)) for r in exported if "rel" in r
    ) == sorted((key(r), json.dumps(r["properties"], sort_keys=True)) for r in rows if "rel" in r)
    nodes = {(r["kind"], r["id"]): r["properties"] for r in exported if "kind" in r}
    assert len(nodes) == sum(1 for r in exported if "kind" in r)
    for row in rows:
        if "kind" in row:
            given = row["properties"]
            stored = nodes[row["kind"], row["id"]]
            assert {k: stored.get(k) for k in given} == given


async def test_export_then_import_into_a_fresh_graph_gives_identical_rows(
    small: Store, tmp_path: Path, falkordb_endpoint: Any
) -> None:
    first = await _export(small)
    path = _write_jsonl(tmp_path / "export.jsonl", first)
    if small.backend != "falkordb":
        pytest.skip("a second fresh graph is made on FalkorDB only")
    fresh = new_falkor_store(falkordb_endpoint)
    try:
        await fresh.setup()
        report = await import_rows(fresh, read_rows(path), batch_size=7)
        assert report.ok
        assert sum(report.created.values()) == len(first) and report.updated == {}
        assert await _export(fresh) == first
        assert await fresh.counts() == await small.counts()
    finally:
        await fresh.drop()
        await fresh.close()
