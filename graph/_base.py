"""The store methods both engines share: Cypher from graph.cypher, records from graph.codec.

A backend supplies `_read` and `_write` (one round trip each, rows as dicts) and its own
schema setup; everything else, including the shape of every answer, is written once here.
"""

from collections.abc import AsyncIterator, Sequence
from typing import Any, ClassVar, cast

from graph import cypher
from graph._analytics import AnalyticsMixin
from graph._auth import AuthMixin
from graph._insights import InsightsMixin
from graph._membership import MembershipMixin
from graph._paths import PathsMixin
from graph._runner import counts, filter_params
from graph._search import SearchMixin
from graph._writes import WritesMixin
from graph.codec import from_stored, link_from_stored, to_row
from graph.model import RELATIONS, Kind, Relation, global_id
from graph.records import (
    Collaborator,
    LinkPage,
    NodeRecord,
    Page,
    PersonRecord,
    ProjectRecord,
    ThemeRecord,
)
from graph.store import CollaborationLink, Direction, ImportBatch, NodeFilter

_EXPORT_PAGE = 5000


def _via_params(via: frozenset[CollaborationLink]) -> dict[str, bool]:
    return {f"by_{link}": link in via for link in CollaborationLink}


def _records(kind: Kind, rows: list[dict[str, Any]]) -> list[Any]:
    return sorted((from_stored(kind, row) for row in rows), key=lambda record: record.id)


class CypherStore(
    PathsMixin,
    SearchMixin,
    AnalyticsMixin,
    InsightsMixin,
    AuthMixin,
    MembershipMixin,
    WritesMixin,
):
    """Backends subclass this and supply `_read`/`_write` (see graph._runner.Runner)."""

    backend: ClassVar[str]

    async def ping(self) -> None:
        await self._read(cypher.PING, {})

    async def nodes_by_id(self, kind: Kind, ids: Sequence[str]) -> list[NodeRecord | None]:
        if not ids:
            return []
        rows = await self._read(cypher.MATCH_NODES_BY_KEY[kind], {"keys": list(dict.fromkeys(ids))})
        found = {row["key"]: from_stored(kind, row["node"]) for row in rows}
        return [found.get(key) for key in ids]

    def _node_statements(self, kind: Kind, where: NodeFilter) -> tuple[str, str, dict[str, Any]]:
        """The list and count statements for a filter, and their parameters: counted,
        anchored at the node a relationship filter names, or a scan of the label."""
        params = filter_params(where)
        if counts(where):
            return (*self._counted_statements(kind, where), params)
        for name in cypher.NODE_ANCHORS.get(kind, {}):
            if params[name] is not None:
                anchored = (kind, name)
                params |= {"anchor": params[name], name: None}
                list_, count = (
                    cypher.LIST_NODES_ANCHORED[anchored],
                    cypher.COUNT_NODES_ANCHORED[anchored],
                )
                return list_, count, params
        return cypher.LIST_NODES[kind], cypher.COUNT_NODES[kind], params

    async def list_nodes(
        self, kind: Kind, where: NodeFilter, first: int, after: str | None
    ) -> Page:
        statement, _, params = self._node_statements(kind, where)
        rows = await self._read(statement, params | {"after": after, "limit": first + 1})
        items = [from_stored(kind, row["node"]) for row in rows]
        return Page(items=items[:first], has_next=len(items) > first)

    async def count_nodes(self, kind: Kind, where: NodeFilter) -> int:
        _, statement, params = self._node_statements(kind, where)
        rows = await self._read(statement, params)
        return int(rows[0]["total"]) if rows else 0

    async def counts(self) -> dict[Kind, int]:
        rows = await self._read(cypher.COUNT_NODES_BY_KIND, {})
        totals = {kind: 0 for kind in Kind}
        for row in rows:
            if row["kind"] in Kind.__members__.values():
                totals[Kind(row["kind"])] = int(row["total"])
        return totals

    async def links(
        self,
        relation: Relation,
        direction: Direction,
        keys: Sequence[str],
        first: int,
        after: str | None,
    ) -> list[LinkPage]:
        if not keys:
            return []
        end = relation.target if direction is Direction.OUT else relation.source
        params = {"keys": list(dict.fromkeys(keys)), "after": after, "limit": first + 1}
        rows = await self._read(cypher.MATCH_LINKS[relation, direction], params)
        pages: dict[str, LinkPage] = {}
        for row in rows:
            items = [link_from_stored(end, item["node"], item["rel"]) for item in row["page"]]
            items.sort(key=lambda link: link.node.id)
            pages[row["key"]] = LinkPage(
                items=items[:first], has_next=len(items) > first, total=int(row["total"])
            )
        empty = LinkPage(items=[], has_next=False, total=0)
        return [pages.get(key, empty) for key in keys]

    async def collaborators(
        self,
        person: str,
        theme: str | None,
        via: frozenset[CollaborationLink],
        first: int,
        offset: int,
    ) -> list[Collaborator]:
        params = _via_params(via) | {
            "person": person, "theme": theme, "offset": offset, "limit": first,
        }  # fmt: skip
        rows = await self._read(cypher.MATCH_COLLABORATORS, params)
        result = []
        for row in rows:
            projects: list[ProjectRecord] = []
            themes: dict[str, ThemeRecord] = {}
            for item in sorted(row["projects"], key=lambda item: item["project"]["id"]):
                projects.append(cast(ProjectRecord, from_stored(Kind.PROJECT, item["project"])))
                for theme_props in item["themes"]:
                    theme_record = cast(ThemeRecord, from_stored(Kind.THEME, theme_props))
                    themes[theme_record.id] = theme_record
            result.append(
                Collaborator(
                    person=cast(PersonRecord, from_stored(Kind.PERSON, row["person"])),
                    shared_projects=projects,
                    shared_themes=[themes[k] for k in sorted(themes)],
                    shared_institutions=_records(Kind.INSTITUTION, row["institutions"]),
                    shared_reserves=_records(Kind.RESERVE, row["reserves"]),
                )
            )
        return result

    async def count_collaborators(
        self, person: str, theme: str | None, via: frozenset[CollaborationLink]
    ) -> int:
        params = _via_params(via) | {"person": person, "theme": theme}
        rows = await self._read(cypher.COUNT_COLLABORATORS, params)
        return int(rows[0]["total"]) if rows else 0

    async def existing_keys(self, kind: Kind, keys: Sequence[str]) -> set[str]:
        if not keys:
            return set()
        rows = await self._read(cypher.MATCH_EXISTING_KEYS[kind], {"keys": list(set(keys))})
        return {row["key"] for row in rows}

    async def existing_links(
        self, relation: Relation, pairs: Sequence[tuple[str, str]]
    ) -> set[tuple[str, str]]:
        if not pairs:
            return set()
        params = {"pairs": [{"from": a, "to": b} for a, b in set(pairs)]}
        rows = await self._read(cypher.MATCH_EXISTING_LINKS[relation], params)
        return {(row["source"], row["target"]) for row in rows}

    async def write_batch(self, batch: ImportBatch) -> None:
        params: dict[str, Any] = {
            cypher.batch_param(kind): batch.nodes.get(kind, []) for kind in Kind
        }
        for relation in RELATIONS:
            params[cypher.batch_param(relation)] = batch.links.get(relation, [])
        params["changes"] = batch.changes
        await self._write(cypher.WRITE_BATCH, params)

    async def after_bulk_write(self) -> None:
        return None

    async def export_rows(self) -> AsyncIterator[dict[str, Any]]:
        for kind in Kind:
            after: str | None = None
            while True:
                page = await self.list_nodes(kind, NodeFilter(), _EXPORT_PAGE, after)
                for record in page.items:
                    yield to_row(kind, record)
                if not page.has_next:
                    break
                after = page.items[-1].id
        for relation in RELATIONS:
            after_a: str | None = None
            after_b: str | None = None
            while True:
                params = {"after_a": after_a, "after_b": after_b, "limit": _EXPORT_PAGE}
                rows = await self._read(cypher.EXPORT_LINKS[relation], params)
                for row in rows:
                    props = {k: v for k, v in (row["props"] or {}).items() if v not in (None, [])}
                    yield {
                        "rel": str(relation.type),
                        "from": global_id(relation.source, row["source"]),
                        "to": global_id(relation.target, row["target"]),
                        "properties": props,
                    }
                if len(rows) < _EXPORT_PAGE:
                    break
                after_a, after_b = rows[-1]["source"], rows[-1]["target"]

    async def clear(self, *, everything: bool = False) -> None:
        # Domain nodes only, unless asked: API keys, the audit trail and membership applications
        # survive `hub load --replace`.
        labels = None if everything else [str(kind) for kind in Kind]
        while True:
            params = {"limit": 10_000, "labels": labels}
            rows = await self._write(cypher.DELETE_SOME_NODES, params)
            if not rows or int(rows[0]["deleted"]) == 0:
                break
