"""CSV files as another source of import rows: one file per node kind or relationship type.

A node file's header names properties of its kind and must include `id`:

    id,name,country,designation_year,mountain
    ordino,Ordino,AD,2020,true

A relationship file has the columns `from` and `to` (global ids such as `Reserve:ordino`, or bare
keys where the type joins only one kind at that end) and the relationship's properties:

    from,to,since
    Reserve:ordino,Network:wnmbr,2022-05-12

Cells are text; the importer's validation turns them into numbers, booleans and dates exactly as
it does for JSON (so `2020`, `true`, `2022-05-12` work). An empty cell is an absent property.
List properties (`sdg_goals`, `roles`) hold their items separated by `;`; `provenance` holds its
JSON list. Each row becomes one import row of graph.importing with the line it starts on (the
header is line 1), so rejections, batches and dry runs behave exactly as for JSON files. A
header that is not usable (no `id`, an unknown or repeated column) refuses the whole file.
"""

import bisect
import csv
import json
import typing
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from graph.importing import ImportFileError, UnreadableRow
from graph.model import RELATIONS, Kind, RelType, global_id
from graph.validation import NODE_MODELS

LIST_SEPARATOR: Final = ";"
JSON_COLUMNS: Final = frozenset({"provenance"})

# The file names (without .csv) that name each kind, besides the kind itself in any case.
_PLURALS: Final[dict[str, Kind]] = {
    "reserves": Kind.RESERVE,
    "institutions": Kind.INSTITUTION,
    "projects": Kind.PROJECT,
    "people": Kind.PERSON,
    "persons": Kind.PERSON,
    "themes": Kind.THEME,
    "networks": Kind.NETWORK,
}

Target = Kind | RelType


def csv_target(name: str) -> Target | None:
    """A node kind or relationship type from a name such as Reserve, reserves, MEMBER_OF, member_of."""
    lowered = name.strip().lower()
    for kind in Kind:
        if lowered == kind.lower():
            return kind
    if lowered in _PLURALS:
        return _PLURALS[lowered]
    for rel_type in RelType:
        if lowered == rel_type.lower():
            return rel_type
    return None


def target_of(path: Path, given: str | None) -> Target:
    """The kind a CSV file holds: `given` (--kind), else its file name (reserves.csv)."""
    name = given if given is not None else path.stem
    target = csv_target(name)
    if target is None:
        where = f"--kind {given!r}" if given is not None else f"the file name {path.name!r}"
        choices = ", ".join([*Kind, *RelType])
        raise ImportFileError(
            f"{where} names no node kind or relationship type (one of {choices}); "
            "name the file after one (reserves.csv, MEMBER_OF.csv) or give --kind"
        )
    return target


def _list_columns(kind: Kind) -> frozenset[str]:
    fields = NODE_MODELS[kind].model_fields
    return frozenset(
        name
        for name, info in fields.items()
        if typing.get_origin(info.annotation) is list and name not in JSON_COLUMNS
    )


def node_columns(kind: Kind) -> list[str]:
    """The columns a file of this kind may have, `id` first, in the record's order."""
    return ["id", *NODE_MODELS[kind].model_fields]


def relationship_columns(rel_type: RelType) -> list[str]:
    properties: list[str] = []
    for relation in RELATIONS:
        if relation.type is rel_type:
            properties += [p for p in relation.properties if p not in properties]
    return ["from", "to", *properties]


def _end(value: str, kinds: set[Kind]) -> str:
    """A bare key is taken as a key of the only kind this end can be, where there is one."""
    if value and ":" not in value and len(kinds) == 1:
        return global_id(next(iter(kinds)), value)
    return value


def _check_header(
    header: list[str], allowed: list[str], required: tuple[str, ...], what: str
) -> None:
    names = [name.strip() for name in header]
    unknown = [name for name in names if name not in allowed]
    if unknown:
        raise ImportFileError(
            f"line 1: unknown column(s) {', '.join(repr(n) for n in unknown)} for {what} "
            f"(columns: {', '.join(allowed)})"
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ImportFileError(f"line 1: column(s) given twice: {', '.join(repeated)}")
    missing = [name for name in required if name not in names]
    if missing:
        raise ImportFileError(f"line 1: a {what} file needs the column(s) {', '.join(missing)}")


def csv_rows(lines: Iterable[str], target: Target) -> Iterator[tuple[int, Any]]:
    """(line, import row) pairs from CSV text (a file opened with newline="", or lines)."""
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise ImportFileError(f"line 1: not a CSV header ({exc})") from None
    header = [name.strip() for name in header]
    if isinstance(target, Kind):
        _check_header(header, node_columns(target), ("id",), str(target))
        lists = _list_columns(target)
    else:
        _check_header(header, relationship_columns(target), ("from", "to"), str(target))
        lists = frozenset({"roles"})
        sources = {r.source for r in RELATIONS if r.type is target}
        targets = {r.target for r in RELATIONS if r.type is target}
    last = reader.line_num
    while True:
        start = last + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            last = reader.line_num
            yield start, UnreadableRow(f"not valid CSV ({exc})")
            continue
        last = reader.line_num
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            continue  # a blank line
        if len(cells) != len(header):
            yield (
                start,
                UnreadableRow(f"expected {len(header)} cells as in the header, got {len(cells)}"),
            )
            continue
        values = dict(zip(header, cells, strict=True))
        props: dict[str, Any] = {}
        problem = None
        for name, cell in values.items():
            if name in ("id", "from", "to") or not cell.strip():
                continue
            if name in lists:
                props[name] = [item.strip() for item in cell.split(LIST_SEPARATOR) if item.strip()]
            elif name in JSON_COLUMNS:
                try:
                    props[name] = json.loads(cell)
                except json.JSONDecodeError as exc:
                    problem = f"{name}: not valid JSON ({exc.msg})"
                    break
            else:
                props[name] = cell
        if problem is not None:
            yield start, UnreadableRow(problem)
        elif isinstance(target, Kind):
            yield start, {"kind": str(target), "id": values["id"].strip(), "properties": props}
        else:
            yield (
                start,
                {
                    "rel": str(target),
                    "from": _end(values["from"].strip(), sources),
                    "to": _end(values["to"].strip(), targets),
                    "properties": props,
                },
            )


def csv_file_rows(path: Path, given: str | None = None) -> Iterator[tuple[int, Any]]:
    """The rows of a CSV file; its kind from `given` (--kind) or from its name."""
    target = target_of(path, given)
    with path.open(encoding="utf-8-sig", newline="") as lines:
        yield from csv_rows(lines, target)


# --- a directory of CSV files: `hub export --format csv DIR` and `hub load DIR` -----------------
def _cell(name: str, value: Any) -> str:
    if name in JSON_COLUMNS:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, list):
        items = [str(item) for item in value]
        if any(LIST_SEPARATOR in item for item in items):
            raise ValueError(f"{name}: the item {value!r} holds {LIST_SEPARATOR!r}; use JSON")
        return LIST_SEPARATOR.join(items)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


async def write_csv(rows: AsyncIterator[dict[str, Any]], directory: Path) -> dict[str, int]:
    """Export rows as one file per node kind (`Reserve.csv`) and relationship type
    (`MEMBER_OF.csv`) in `directory` (which must exist); rows written per file. ValueError when
    a value cannot be a CSV cell (a list item holding the separator)."""
    files: dict[str, Any] = {}
    writers: dict[str, Any] = {}
    counts: dict[str, int] = {}
    try:
        async for row in rows:
            name = row.get("kind") or row["rel"]
            if name not in writers:
                header = (
                    node_columns(Kind(name))
                    if "kind" in row
                    else relationship_columns(RelType(name))
                )
                files[name] = (directory / f"{name}.csv").open("w", encoding="utf-8", newline="")
                writers[name] = (csv.writer(files[name], lineterminator="\n"), header)
                writers[name][0].writerow(header)
            writer, header = writers[name]
            values = dict(row["properties"])
            values.update({k: row[k] for k in ("id", "from", "to") if k in row})
            writer.writerow(["" if values.get(c) is None else _cell(c, values[c]) for c in header])
            counts[name] = counts.get(name, 0) + 1
    finally:
        for handle in files.values():
            handle.close()
    return counts


@dataclass(frozen=True, slots=True)
class Located:
    """Where a line of several files read as one stream is: its file and line there."""

    file: str
    line: int


def directory_rows(directory: Path) -> tuple[Iterator[tuple[int, Any]], Callable[[int], Located]]:
    """The rows of every .csv file in `directory` (node kinds first, then relationship types, so
    a relationship may use a node of an earlier file), numbered as one stream, and a function
    that turns such a number back into (file, line) once the rows have been read."""
    order = [*Kind, *RelType]
    found = sorted((order.index(target_of(path, None)), path) for path in directory.glob("*.csv"))
    if not found:
        raise ImportFileError(f"{directory} holds no .csv file")
    starts: list[tuple[int, str]] = []

    def rows() -> Iterator[tuple[int, Any]]:
        offset = 0
        for _, path in found:
            starts.append((offset, path.name))
            for line, row in csv_file_rows(path):
                yield offset + line, row
            with path.open(encoding="utf-8-sig", newline="") as text:
                offset += sum(1 for _ in text)

    def locate(line: int) -> Located:
        index = bisect.bisect_right([start for start, _ in starts], line - 1) - 1
        start, name = starts[index]
        return Located(file=name, line=line - start)

    return rows(), locate
