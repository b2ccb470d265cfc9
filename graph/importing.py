"""Bulk import of nodes and relationships: read, check every row, write batch by batch.

Rows (one JSON object each):
    {"kind": "Reserve", "id": "ordino", "properties": {"name": "Ordino", "country": "AD"}}
    {"rel": "SITED_IN", "from": "Project:p1", "to": "Reserve:ordino", "properties": {}}

Files are JSON Lines (`.jsonl`, one row a line, what `hub export` writes) or one JSON
document `{"nodes": [...], "relationships": [...]}`; either way a rejected row is reported with
its line. Rows are checked in batches; a batch with any rejected row writes nothing, and a
batch is written in one transaction, so an import never leaves half a batch behind.
"""

import bisect
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from graph._writes import change_record
from graph.codec import to_stored
from graph.model import Kind, Relation, RelType, find_relation, parse_global_id
from graph.records import Audit, ImportReport, Rejection
from graph.store import ImportBatch, Store
from graph.validation import KEY_PATTERN, describe, validate_link, validate_node

DEFAULT_BATCH = 5000


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not JSON, wrong top level)."""


# --- reading ---------------------------------------------------------------------------------
def _line_of(offset: int, starts: list[int]) -> int:
    return bisect.bisect_right(starts, offset)


def _skip_ws(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


def _document_rows(text: str) -> Iterator[tuple[int, Any]]:
    """Items of the "nodes" and "relationships" arrays, with the line each starts on."""
    decoder = json.JSONDecoder()
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(f"line {exc.lineno}: not valid JSON ({exc.msg})") from None
    i = _skip_ws(text, 0)
    if i >= len(text) or text[i] != "{":
        raise ImportFileError('expected a JSON object {"nodes": [...], "relationships": [...]}')
    i = _skip_ws(text, i + 1)
    sections: dict[str, list[tuple[int, Any]]] = {"nodes": [], "relationships": []}
    while text[i] != "}":
        key, i = decoder.raw_decode(text, i)
        i = _skip_ws(text, _skip_ws(text, i) + 1)  # past the colon
        if key in sections and text[i] == "[":
            i = _skip_ws(text, i + 1)
            while text[i] != "]":
                item, end = decoder.raw_decode(text, i)
                sections[key].append((_line_of(i, starts), item))
                i = _skip_ws(text, end)
                if text[i] == ",":
                    i = _skip_ws(text, i + 1)
            i = _skip_ws(text, i + 1)
        else:
            if key not in sections:
                raise ImportFileError(
                    f'unknown top-level key {key!r} (expected "nodes", "relationships")'
                )
            raise ImportFileError(f"{key!r} must be a list")
        if text[i] == ",":
            i = _skip_ws(text, i + 1)
    yield from sections["nodes"]
    yield from sections["relationships"]


def _jsonl_rows(lines: Iterable[str]) -> Iterator[tuple[int, Any]]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, InvalidJSON(exc.msg)


def read_rows(path: Path, *, kind: str | None = None) -> Iterator[tuple[int, Any]]:
    """(line, parsed row) pairs; a line that is not JSON yields an `InvalidJSON` marker.

    `.csv` files are one node kind or relationship type each (see graph.csvrows): `kind` names
    it, or else the file name does (reserves.csv, MEMBER_OF.csv).
    """
    if path.suffix == ".json":
        yield from _document_rows(path.read_text(encoding="utf-8"))
        return
    if path.suffix.lower() == ".csv":
        from graph.csvrows import csv_file_rows  # csvrows builds on this module

        yield from csv_file_rows(path, kind)
        return
    with path.open(encoding="utf-8") as lines:
        yield from _jsonl_rows(lines)


class TextFormat(StrEnum):
    JSON_LINES = "jsonl"
    JSON = "json"
    CSV = "csv"


def text_rows(text: str, fmt: TextFormat, kind: str | None = None) -> Iterator[tuple[int, Any]]:
    """The rows of a file given as text (the importGraph mutation); CSV needs `kind`."""
    if fmt is TextFormat.JSON:
        yield from _document_rows(text)
    elif fmt is TextFormat.CSV:
        from graph.csvrows import csv_rows, csv_target

        target = csv_target(kind or "")
        if target is None:
            raise ImportFileError("a CSV file needs its node kind or relationship type")
        yield from csv_rows(io.StringIO(text, newline=""), target)
    else:
        yield from _jsonl_rows(text.splitlines())


@dataclass(frozen=True, slots=True)
class InvalidJSON:
    message: str


@dataclass(frozen=True, slots=True)
class UnreadableRow:
    """A row a reader could not turn into an import row (e.g. a CSV row of the wrong width)."""

    reason: str


# --- checking ------------------------------------------------------------------------------
@dataclass(slots=True)
class _Node:
    line: int
    kind: Kind
    key: str
    props: dict[str, Any]


@dataclass(slots=True)
class _Link:
    line: int
    relation: Relation
    source: str
    target: str
    props: dict[str, Any]


class _Rejected(Exception):
    pass


def _check(row: Any) -> _Node | _Link:
    if isinstance(row, InvalidJSON):
        raise _Rejected(f"not valid JSON ({row.message})")
    if isinstance(row, UnreadableRow):
        raise _Rejected(row.reason)
    if not isinstance(row, dict):
        raise _Rejected("a row must be a JSON object")
    props = row.get("properties", {})
    if not isinstance(props, dict):
        raise _Rejected("properties must be an object")
    if "kind" in row:
        extra = set(row) - {"kind", "id", "properties"}
        if extra:
            raise _Rejected(f"unknown field(s) {', '.join(sorted(extra))}")
        try:
            kind = Kind(row["kind"])
        except ValueError:
            raise _Rejected(f"unknown kind {row['kind']!r}") from None
        key = row.get("id")
        if not isinstance(key, str) or not KEY_PATTERN.match(key):
            raise _Rejected(f"id must match {KEY_PATTERN.pattern}, not {key!r}")
        try:
            checked = validate_node(kind, props)
        except ValidationError as exc:
            raise _Rejected(f"{kind}:{key}: {describe(exc)}") from None
        return _Node(0, kind, key, checked)
    if "rel" in row:
        extra = set(row) - {"rel", "from", "to", "properties"}
        if extra:
            raise _Rejected(f"unknown field(s) {', '.join(sorted(extra))}")
        try:
            rel_type = RelType(row["rel"])
        except ValueError:
            raise _Rejected(f"unknown relationship type {row['rel']!r}") from None
        ends = []
        for end in ("from", "to"):
            value = row.get(end)
            parsed = parse_global_id(value) if isinstance(value, str) else None
            if parsed is None:
                raise _Rejected(f"{end} must be Kind:id, not {row.get(end)!r}")
            ends.append(parsed)
        (source_kind, source), (target_kind, target) = ends
        relation = find_relation(rel_type, source_kind, target_kind)
        if relation is None:
            raise _Rejected(f"{rel_type} does not join {source_kind} to {target_kind}")
        try:
            checked = validate_link(relation.properties, props)
        except ValidationError as exc:
            raise _Rejected(describe(exc)) from None
        except ValueError as exc:
            raise _Rejected(str(exc)) from None
        return _Link(0, relation, source, target, checked)
    raise _Rejected('a row needs "kind" (a node) or "rel" (a relationship)')


@dataclass(slots=True)
class _Importer:
    store: Store
    dry_run: bool
    report: ImportReport = field(default_factory=ImportReport)
    # Nodes accepted in earlier batches of this import (written, or would be in a dry run).
    known: set[tuple[Kind, str]] = field(default_factory=set)
    seen_nodes: dict[tuple[Kind, str], int] = field(default_factory=dict)
    seen_links: dict[tuple[Relation, str, str], int] = field(default_factory=dict)
    wrote: bool = False
    audit: Audit | None = None

    async def batch(self, rows: list[tuple[int, Any]]) -> None:
        nodes: list[_Node] = []
        links: list[_Link] = []
        rejected: list[Rejection] = []
        for line, row in rows:
            try:
                item = _check(row)
            except _Rejected as exc:
                rejected.append(Rejection(line=line, reason=str(exc)))
                continue
            item.line = line
            if isinstance(item, _Node):
                ident = (item.kind, item.key)
                if ident in self.seen_nodes:
                    rejected.append(
                        Rejection(
                            line=line,
                            reason=(
                                f"{item.kind}:{item.key} is already given on line {self.seen_nodes[ident]}"
                            ),
                        )
                    )
                    continue
                self.seen_nodes[ident] = line
                nodes.append(item)
            else:
                link_ident = (item.relation, item.source, item.target)
                if link_ident in self.seen_links:
                    rejected.append(
                        Rejection(
                            line=line,
                            reason=(
                                f"this relationship is already given on line {self.seen_links[link_ident]}"
                            ),
                        )
                    )
                    continue
                self.seen_links[link_ident] = line
                links.append(item)

        in_batch = {(n.kind, n.key) for n in nodes}
        wanted: dict[Kind, set[str]] = {}
        for link in links:
            for kind, key in (
                (link.relation.source, link.source),
                (link.relation.target, link.target),
            ):
                if (kind, key) not in in_batch and (kind, key) not in self.known:
                    wanted.setdefault(kind, set()).add(key)
        for node in nodes:
            wanted.setdefault(node.kind, set()).add(node.key)
        existing: dict[Kind, set[str]] = {
            kind: await self.store.existing_keys(kind, sorted(keys))
            for kind, keys in wanted.items()
        }
        for link in links:
            for kind, key in (
                (link.relation.source, link.source),
                (link.relation.target, link.target),
            ):
                present = (kind, key) in in_batch or (kind, key) in self.known
                if not present and key not in existing.get(kind, set()):
                    rejected.append(
                        Rejection(line=link.line, reason=f"{kind}:{key} does not exist")
                    )
                    break

        if rejected:
            self.report.rejected.extend(sorted(rejected, key=lambda r: r.line))
            return

        batch = ImportBatch()
        for node in nodes:
            bucket = "updated" if node.key in existing.get(node.kind, set()) else "created"
            counts = getattr(self.report, bucket)
            counts[str(node.kind)] = counts.get(str(node.kind), 0) + 1
            batch.nodes.setdefault(node.kind, []).append(
                {"id": node.key, "props": to_stored(node.kind, node.props)}
            )
        by_relation: dict[Relation, list[_Link]] = {}
        for link in links:
            by_relation.setdefault(link.relation, []).append(link)
        for relation, group in by_relation.items():
            linked = await self.store.existing_links(
                relation, [(each.source, each.target) for each in group]
            )
            for link in group:
                bucket = "updated" if (link.source, link.target) in linked else "created"
                counts = getattr(self.report, bucket)
                counts[str(relation.type)] = counts.get(str(relation.type), 0) + 1
                batch.links.setdefault(relation, []).append(
                    {"from": link.source, "to": link.target, "props": link.props}
                )
        if not self.dry_run and (batch.nodes or batch.links):
            if self.audit is not None:
                # One audit record per batch, written in the batch's own transaction.
                written = {str(kind): len(items) for kind, items in batch.nodes.items()}
                for relation, items in batch.links.items():
                    written[str(relation.type)] = written.get(str(relation.type), 0) + len(items)
                summary = {"lines": [rows[0][0], rows[-1][0]], "written": written}
                batch.changes.append(change_record(self.audit, None, None, summary))
            await self.store.write_batch(batch)
            self.wrote = True
        self.known |= in_batch


async def import_rows(
    store: Store,
    rows: Iterable[tuple[int, Any]],
    *,
    batch_size: int = DEFAULT_BATCH,
    dry_run: bool = False,
    audit: Audit | None = None,
) -> ImportReport:
    """Check and write rows batch by batch; see the module docstring for the guarantees.

    With `audit`, each written batch also records a Change (who, when, which lines, how many
    of each kind) in the same transaction.
    """
    importer = _Importer(store, dry_run, audit=audit)
    pending: list[tuple[int, Any]] = []
    for item in rows:
        pending.append(item)
        if len(pending) >= batch_size:
            await importer.batch(pending)
            pending = []
    if pending:
        await importer.batch(pending)
    if importer.wrote:
        await store.after_bulk_write()
    return importer.report


def numbered(rows: Iterable[dict[str, Any]]) -> Iterator[tuple[int, Any]]:
    """Rows from a generator (the demo data), numbered as lines of the equivalent file."""
    return enumerate(rows, start=1)
