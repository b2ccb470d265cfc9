"""CSV files as import rows: one file per kind or relationship type, through graph.importing."""

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import new_falkor_store

from graph.csvrows import Located, csv_target, directory_rows, write_csv
from graph.importing import ImportFileError, import_rows, read_rows
from graph.model import Kind, RelType, find_relation
from graph.records import NetworkRecord, ReserveRecord, ThemeRecord
from graph.store import Direction, Store


def _csv_names(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.glob("*.csv"))


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "target"),
    [("reserves", Kind.RESERVE), ("Reserve", Kind.RESERVE), ("people", Kind.PERSON),
     ("THEME", Kind.THEME), ("MEMBER_OF", RelType.MEMBER_OF), ("member_of", RelType.MEMBER_OF),
     ("mountains", None)],
)  # fmt: skip
def test_the_kind_of_a_file_comes_from_its_name(name: str, target: object) -> None:
    assert csv_target(name) == target


async def test_a_node_file_imports_typed_values_lists_and_absent_cells(
    store: Store, tmp_path: Path
) -> None:
    themes = _write(
        tmp_path / "themes.csv",
        "id,label,sdg_goals,definition\n"
        "glacier,Glacier retreat,13;6,\n"
        'water,"Water, rivers and lakes",6,"Fresh water;\nsecond line"\n'
        "fire,Wildfire,,\n",
    )
    reserves = _write(
        tmp_path / "reserves.csv",
        "\ufeffid,name,country,designation_year,latitude,longitude,mountain\n"
        "ordino,Ordino,AD,2020,42.6,1.5,true\n"
        "omana,Valles de Omaña y Luna,ES,,,,\n",
    )
    report = await import_rows(store, [*read_rows(themes), *read_rows(reserves)])
    assert report.ok and report.created == {"Theme": 3, "Reserve": 2}
    assert await store.nodes_by_id(Kind.THEME, ["glacier", "water", "fire"]) == [
        ThemeRecord(id="glacier", label="Glacier retreat", sdg_goals=[13, 6]),
        ThemeRecord(id="water", label="Water, rivers and lakes", sdg_goals=[6],
                    definition="Fresh water;\nsecond line"),
        ThemeRecord(id="fire", label="Wildfire"),
    ]  # fmt: skip
    assert await store.nodes_by_id(Kind.RESERVE, ["ordino", "omana"]) == [
        ReserveRecord(id="ordino", name="Ordino", country="AD", designation_year=2020,
                      latitude=42.6, longitude=1.5, mountain=True),
        ReserveRecord(id="omana", name="Valles de Omaña y Luna", country="ES"),
    ]  # fmt: skip


async def test_a_relationship_file_takes_global_ids_or_keys_of_its_only_kind(
    store: Store, tmp_path: Path
) -> None:
    nodes = _write(
        tmp_path / "nodes.jsonl",
        '{"kind": "Network", "id": "wnmbr", "properties": {"name": "WNMBR"}}\n'
        '{"kind": "Reserve", "id": "ordino", "properties": {"name": "Ordino", "country": "AD"}}\n'
        '{"kind": "Institution", "id": "uleon", "properties": {"name": "U", "kind": "university"}}\n',
    )
    links = _write(
        tmp_path / "MEMBER_OF.csv",
        "from,to,since\nReserve:ordino,wnmbr,2022-05-12\nInstitution:uleon,Network:wnmbr,\n",
    )
    report = await import_rows(store, [*read_rows(nodes), *read_rows(links)])
    assert report.ok and report.created["MEMBER_OF"] == 2
    relation = find_relation(RelType.MEMBER_OF, Kind.RESERVE, Kind.NETWORK)
    assert relation is not None
    (page,) = await store.links(relation, Direction.OUT, ["ordino"], 10, None)
    assert [(link.node.id, link.since) for link in page.items] == [
        ("wnmbr", datetime.date(2022, 5, 12))
    ]
    assert isinstance(page.items[0].node, NetworkRecord)


async def test_roles_are_a_list_separated_by_semicolons(store: Store, tmp_path: Path) -> None:
    nodes = _write(
        tmp_path / "n.jsonl",
        '{"kind": "Person", "id": "ana", "properties": {"name": "Ana"}}\n'
        '{"kind": "Project", "id": "p1", "properties": {"title": "P1"}}\n',
    )
    links = _write(tmp_path / "participates_in.csv", "from,to,roles\nana,p1,lead; field\n")
    report = await import_rows(store, [*read_rows(nodes), *read_rows(links)])
    assert report.ok
    relation = find_relation(RelType.PARTICIPATES_IN, Kind.PERSON, Kind.PROJECT)
    assert relation is not None
    (page,) = await store.links(relation, Direction.OUT, ["ana"], 10, None)
    assert page.items[0].roles == ["lead", "field"]


async def test_rejected_rows_are_reported_by_their_file_line_and_reject_their_batch(
    store: Store, tmp_path: Path
) -> None:
    path = _write(
        tmp_path / "reserves.csv",
        "id,name,country\n"  # line 1
        "a,A,ES\n"  # 2
        "b,B,Spain\n"  # 3: bad country
        "\n"  # 4: blank, skipped
        'c,"C\nwith a newline",FR\n'  # 5-6: one row over two lines
        "d,D\n"  # 7: too few cells
        "e,E,IT,extra\n"  # 8: too many cells
        ",F,PT\n"  # 9: no id
        "g,G,DE\n",  # 10
    )
    report = await import_rows(store, read_rows(path))
    assert [(r.line) for r in report.rejected] == [3, 7, 8, 9]
    reasons = [r.reason for r in report.rejected]
    assert "country" in reasons[0]
    assert "expected 3 cells" in reasons[1] and "got 2" in reasons[1]
    assert "got 4" in reasons[2]
    assert "id must match" in reasons[3]
    assert report.created == {} and report.updated == {}
    assert await store.existing_keys(Kind.RESERVE, ["a", "c", "g"]) == set()


async def test_a_dry_run_of_a_csv_file_counts_and_writes_nothing(
    store: Store, tmp_path: Path
) -> None:
    path = _write(tmp_path / "themes.csv", "id,label\na,A\nb,B\n")
    dry = await import_rows(store, read_rows(path), dry_run=True)
    assert dry.ok and dry.created == {"Theme": 2}
    assert await store.existing_keys(Kind.THEME, ["a", "b"]) == set()


@pytest.mark.parametrize(
    ("header", "message"),
    [("name,country", "needs the column(s) id"),
     ("id,name,colour", "unknown column(s) 'colour'"),
     ("id,name,name", "given twice: name")],
)  # fmt: skip
async def test_an_unusable_header_refuses_the_whole_file(
    store: Store, tmp_path: Path, header: str, message: str
) -> None:
    path = _write(tmp_path / "reserves.csv", f"{header}\nx,y,z\n")
    with pytest.raises(ImportFileError, match=re.escape(message)):
        await import_rows(store, read_rows(path))
    assert await store.counts() == {kind: 0 for kind in Kind}


async def test_a_file_whose_name_names_no_kind_needs_the_kind_given(
    store: Store, tmp_path: Path
) -> None:
    path = _write(tmp_path / "mountains.csv", "id,label\na,A\n")
    with pytest.raises(ImportFileError, match=r"mountains\.csv"):
        await import_rows(store, read_rows(path))
    report = await import_rows(store, read_rows(path, kind="Theme"))
    assert report.ok and report.created == {"Theme": 1}


async def test_a_provenance_cell_holds_json(store: Store, tmp_path: Path) -> None:
    path = _write(
        tmp_path / "reserves.csv",
        "id,name,country,provenance\n"
        'a,A,ES,"[{""field"": ""country"", ""value"": ""ES""}]"\n'
        "b,B,ES,[not json\n",
    )
    report = await import_rows(store, read_rows(path), batch_size=1)
    assert [(r.line, r.reason.split(":")[0]) for r in report.rejected] == [(3, "provenance")]
    (a,) = await store.nodes_by_id(Kind.RESERVE, ["a"])
    assert isinstance(a, ReserveRecord) and [p.field for p in a.provenance] == ["country"]


# --- a directory of CSV files: export and import again ---------------------------------------------
async def test_csv_export_then_import_into_a_fresh_graph_gives_identical_rows(
    small: Store, tmp_path: Path, falkordb_endpoint: Any
) -> None:
    first = [row async for row in small.export_rows()]
    counts = await write_csv(small.export_rows(), tmp_path)
    assert _csv_names(tmp_path) == sorted(f"{name}.csv" for name in counts)
    assert sum(counts.values()) == len(first)
    if small.backend != "falkordb":
        pytest.skip("a second fresh graph is made on FalkorDB only")
    fresh = new_falkor_store(falkordb_endpoint)
    try:
        await fresh.setup()
        rows, _ = directory_rows(tmp_path)
        report = await import_rows(fresh, rows, batch_size=7)
        assert report.ok and report.updated == {}
        assert sum(report.created.values()) == len(first)
        assert [row async for row in fresh.export_rows()] == first
    finally:
        await fresh.drop()
        await fresh.close()


async def test_a_rejection_in_a_directory_is_located_in_its_file(
    store: Store, tmp_path: Path
) -> None:
    _write(tmp_path / "themes.csv", "id,label\na,A\nb,B\n")
    _write(tmp_path / "reserves.csv", "id,name,country\nr,R,ES\n")
    _write(tmp_path / "ADDRESSES.csv", "from,to\nReserve:r,Theme:a\nReserve:r,Theme:zz\n")
    rows, locate = directory_rows(tmp_path)
    report = await import_rows(store, rows)
    (rejected,) = report.rejected
    assert locate(rejected.line) == Located(file="ADDRESSES.csv", line=3)
    assert "Theme:zz does not exist" in rejected.reason
