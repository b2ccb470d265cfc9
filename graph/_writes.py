"""Audited writes: create, update, delete, link and unlink, an editor's grant, the audit trail.

Each write is one statement that also creates its `Change` record, so the write and its audit
happen together or not at all. Values are checked with the pydantic models of graph.validation
(the same checks as bulk import) and every problem is reported at once (`InvalidProperties`).
A write that changes nothing (a retried create, an update or link to the values already stored)
writes nothing and records nothing.
"""

import datetime
import json
import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from pydantic import ValidationError

from graph import cypher
from graph._runner import Runner
from graph.codec import FULLTEXT_BODY, FULLTEXT_TITLE, from_stored, to_row, to_stored
from graph.errors import Conflict, InvalidInput, NotFound
from graph.model import SEARCH_PROPERTY, Kind, Relation, global_id
from graph.records import (
    Audit,
    ChangeFilter,
    ChangePage,
    ChangeRecord,
    LinkWrite,
    NodeRecord,
    NodeWrite,
)
from graph.validation import KEY_PATTERN, validate_link, validate_node

# Stored properties that are not the node's values: left out of audit records and comparisons.
HELPER_PROPERTIES: Final = frozenset(
    {SEARCH_PROPERTY, FULLTEXT_TITLE, FULLTEXT_BODY, cypher.REVISION_PROPERTY}
)
_CHANGE_FIELDS: Final = frozenset(ChangeRecord.__dataclass_fields__)


@dataclass(frozen=True, slots=True)
class Problem:
    """One invalid value: where (field names and list indexes, as in the input) and why."""

    path: tuple[str | int, ...]
    message: str


class InvalidProperties(InvalidInput):
    """Values that cannot be written, every problem listed."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(
            "; ".join(f"{'.'.join(map(str, p.path)) or 'input'}: {p.message}" for p in problems)
        )


def now() -> str:
    """The current time as the audit trail stores it: ISO 8601, UTC, microseconds, sortable
    (the same form as graph._membership's audit records)."""
    return stored_time(datetime.datetime.now(datetime.UTC))


def stored_time(at: datetime.datetime) -> str:
    """A time as audit records hold it ("2025-01-31T12:00:00.000000+00:00"); naive is UTC."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=datetime.UTC)
    return at.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def _text_problems(value: Any, path: tuple[str | int, ...] = ()) -> list[Problem]:
    """Text the databases cannot store (NUL, unpaired surrogates), anywhere in a value."""
    if isinstance(value, str):
        if "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value):
            return [Problem(path, "contains a NUL character or an unpaired surrogate")]
        return []
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _text_problems(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _text_problems(v, (*path, i))]
    return []


def _pydantic_problems(error: ValidationError) -> list[Problem]:
    return [
        Problem(tuple(item["loc"]), item["msg"].removeprefix("Value error, "))
        for item in error.errors(include_url=False)
    ]


def check_key(key: str) -> list[Problem]:
    if KEY_PATTERN.match(key):
        return []
    return [Problem(("id",), f"must match {KEY_PATTERN.pattern} (lower case, digits, . _ -)")]


def check_node(kind: Kind, values: dict[str, Any]) -> dict[str, Any]:
    """The values checked as bulk import checks them, with defaults; InvalidProperties."""
    problems = _text_problems(values)
    checked: dict[str, Any] = {}
    if not problems:
        try:
            checked = validate_node(kind, values)
        except ValidationError as exc:
            problems = _pydantic_problems(exc)
    if problems:
        raise InvalidProperties(problems)
    return checked


def check_link(relation: Relation, props: dict[str, Any]) -> dict[str, Any]:
    """A relationship's properties in stored form (roles list, since as an ISO date)."""
    problems = _text_problems(props)
    if not problems:
        try:
            return validate_link(relation.properties, props)
        except ValidationError as exc:
            problems = _pydantic_problems(exc)
        except ValueError as exc:
            problems = [Problem((), str(exc))]
    raise InvalidProperties(problems)


def _values(props: dict[str, Any]) -> dict[str, Any]:
    """Stored properties without the helpers (what audit records show and creates compare);
    a reserve's provenance (stored as one JSON text) as the list it holds."""
    values = {k: v for k, v in props.items() if k not in HELPER_PROPERTIES}
    if isinstance(values.get("provenance"), str):
        values["provenance"] = json.loads(values["provenance"])
    return values


def _same(a: Any, b: Any) -> bool:
    """Equal as stored values. FalkorDB answers doubles with 15 significant digits, so floats
    compare to 1e-12 relative."""
    if isinstance(a, float) or isinstance(b, float):
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
        return False
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _json(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def change_record(
    audit: Audit,
    node: str | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    other: str | None = None,
) -> dict[str, Any]:
    change = {
        "id": str(uuid.uuid4()),
        "at": now(),
        "actor": audit.actor,
        "request_id": audit.request_id,
        "operation": audit.operation,
        "node": node,
        "other": other,
        "before": _json(before),
        "after": _json(after),
    }
    return {k: v for k, v in change.items() if v is not None}


def _link_props(relation: Relation, stored: dict[str, Any] | None) -> dict[str, Any]:
    """A relationship's properties as compared and audited: roles always a list where allowed."""
    stored = stored or {}
    props: dict[str, Any] = {}
    if "roles" in relation.properties:
        props["roles"] = list(stored.get("roles") or [])
    if "since" in relation.properties and stored.get("since") is not None:
        props["since"] = stored["since"]
    return props


def _link_state(relation: Relation, props: dict[str, Any] | None) -> dict[str, Any]:
    return {"relationship": str(relation.type), "properties": _link_props(relation, props)}


def _link_write(
    relation: Relation, row: dict[str, Any], rel: dict[str, Any], *, changed: bool
) -> LinkWrite:
    since = rel.get("since")
    return LinkWrite(
        type=str(relation.type),
        source=from_stored(relation.source, row["source"]),
        target=from_stored(relation.target, row["target"]),
        roles=list(rel.get("roles") or []),
        since=datetime.date.fromisoformat(since) if since else None,
        changed=changed,
    )


class WritesMixin(Runner):
    async def _stored(self, kind: Kind, key: str) -> dict[str, Any] | None:
        rows = await self._read(cypher.MATCH_STORED_NODE[kind], {"key": key})
        props = rows[0]["props"] if rows else None
        return dict(props) if props is not None else None

    async def create_node(
        self, kind: Kind, key: str, values: dict[str, Any], audit: Audit
    ) -> NodeWrite:
        problems = check_key(key)
        try:
            checked = check_node(kind, values)
        except InvalidProperties as exc:
            problems += exc.problems
        if problems:
            raise InvalidProperties(problems)
        stored = {"id": key, **to_stored(kind, checked)}
        node = global_id(kind, key)
        change = change_record(audit, node, None, _values(stored))
        try:
            rows = await self._write(
                cypher.CREATE_NODE_AUDITED[kind], {"props": stored, "change": change}
            )
        except Conflict:
            # The id is taken (the uniqueness constraint refused the whole statement): a retry
            # of the same create is answered with the node; other values are a conflict.
            existing = await self._stored(kind, key)
            if existing is None:
                raise
            if _same(_values(existing), _values(stored)):
                return NodeWrite(node=from_stored(kind, existing), changed=False)
            raise Conflict(
                f"{node} already exists with other values (an update changes them)"
            ) from None
        return NodeWrite(node=from_stored(kind, rows[0]["props"]), changed=True)

    async def update_node(
        self, kind: Kind, key: str, changes: dict[str, Any], audit: Audit
    ) -> NodeWrite:
        existing = await self._stored(kind, key)
        node = global_id(kind, key)
        if existing is None:
            raise NotFound(f"no node with id {node!r}")
        values = to_row(kind, from_stored(kind, existing))["properties"]
        for name, value in changes.items():
            if value is None:
                values.pop(name, None)
            else:
                values[name] = value
        stored = {"id": key, **to_stored(kind, check_node(kind, values))}
        old = {k: v for k, v in existing.items() if k != cypher.REVISION_PROPERTY}
        props = {k: v for k, v in stored.items() if k not in old or not _same(old[k], v)}
        props |= {k: None for k in old if k not in stored}  # cleared: removed by SET +=
        if not props:
            return NodeWrite(node=from_stored(kind, existing), changed=False)
        params = {
            "key": key,
            "revision": existing.get(cypher.REVISION_PROPERTY, 0),
            "props": props,
            "change": change_record(audit, node, _values(old), _values(stored)),
        }
        rows = await self._write(cypher.UPDATE_NODE_AUDITED[kind], params)
        if not rows:
            raise Conflict(f"{node} was changed or deleted while this update was made; try again")
        return NodeWrite(node=from_stored(kind, rows[0]["props"]), changed=True)

    async def delete_node(self, kind: Kind, key: str, audit: Audit) -> NodeRecord:
        existing = await self._stored(kind, key)
        node = global_id(kind, key)
        if existing is None:
            raise NotFound(f"no node with id {node!r}")
        params = {
            "key": key,
            "revision": existing.get(cypher.REVISION_PROPERTY, 0),
            "change": change_record(audit, node, _values(existing), None),
        }
        if not await self._write(cypher.DELETE_NODE_AUDITED[kind], params):
            raise Conflict(f"{node} was changed or deleted while this delete was made; try again")
        return from_stored(kind, existing)

    async def _link_state_row(self, relation: Relation, source: str, target: str) -> dict[str, Any]:
        params = {"source": source, "target": target}
        rows = await self._read(cypher.MATCH_LINK_STATE[relation], params)
        row = rows[0] if rows else {"source": None, "target": None, "rel": None}
        missing = [
            global_id(kind, key)
            for kind, key, found in (
                (relation.source, source, row["source"]),
                (relation.target, target, row["target"]),
            )
            if found is None
        ]
        if missing:
            raise NotFound(f"no node with id {' or '.join(repr(m) for m in missing)}")
        return row

    def _guard(self, relation: Relation, rel: dict[str, Any] | None) -> dict[str, Any]:
        return {
            "existed": rel is not None,
            "old_roles": list((rel or {}).get("roles") or []),
            "old_since": (rel or {}).get("since") or "",
        }

    async def link(
        self, relation: Relation, source: str, target: str, props: dict[str, Any], audit: Audit
    ) -> LinkWrite:
        wanted = _link_props(relation, check_link(relation, props))
        row = await self._link_state_row(relation, source, target)
        old = row["rel"]
        if old is not None and _link_props(relation, old) == wanted:
            return _link_write(relation, row, old, changed=False)
        source_id = global_id(relation.source, source)
        target_id = global_id(relation.target, target)
        before = _link_state(relation, old) if old is not None else None
        change = change_record(audit, source_id, before, _link_state(relation, wanted), target_id)
        params = {
            "source": source, "target": target, "props": wanted, "change": change,
            **self._guard(relation, old),
        }  # fmt: skip
        rows = await self._write(cypher.LINK_AUDITED[relation], params)
        if not rows:
            raise Conflict(
                f"{source_id} or {target_id} changed while this link was made; try again"
            )
        return _link_write(relation, rows[0], rows[0]["rel"] or {}, changed=True)

    async def unlink(self, relation: Relation, source: str, target: str, audit: Audit) -> LinkWrite:
        row = await self._link_state_row(relation, source, target)
        old = row["rel"]
        source_id = global_id(relation.source, source)
        target_id = global_id(relation.target, target)
        if old is None:
            raise NotFound(f"{source_id} has no {relation.type} relationship to {target_id}")
        change = change_record(audit, source_id, _link_state(relation, old), None, target_id)
        params = {
            "source": source, "target": target, "change": change, **self._guard(relation, old),
        }  # fmt: skip
        if not await self._write(cypher.UNLINK_AUDITED[relation], params):
            raise Conflict(f"this {relation.type} relationship changed meanwhile; try again")
        return _link_write(relation, row, old, changed=True)

    async def within_grant(
        self,
        nodes: Sequence[tuple[Kind, str]],
        reserves: frozenset[str],
        institutions: frozenset[str],
    ) -> set[tuple[Kind, str]]:
        found: set[tuple[Kind, str]] = {
            (kind, key)
            for kind, key in nodes
            if (kind is Kind.RESERVE and key in reserves)
            or (kind is Kind.INSTITUTION and key in institutions)
        }
        projects = sorted({key for kind, key in nodes if kind is Kind.PROJECT})
        people = sorted({key for kind, key in nodes if kind is Kind.PERSON})
        if (projects or people) and (reserves or institutions):
            params = {
                "grant_projects": projects,
                "grant_people": people,
                "grant_reserves": sorted(reserves),
                "grant_institutions": sorted(institutions),
            }
            rows = await self._read(cypher.MATCH_WITHIN_GRANT, params)
            found |= {(Kind(row["kind"]), row["key"]) for row in rows}
        return found

    async def unlinked(self, nodes: Sequence[tuple[Kind, str]]) -> set[tuple[Kind, str]]:
        found: set[tuple[Kind, str]] = set()
        for kind in sorted({kind for kind, _ in nodes}):
            keys = sorted({key for k, key in nodes if k is kind})
            rows = await self._read(cypher.MATCH_UNLINKED[kind], {"keys": keys})
            found |= {(kind, row["key"]) for row in rows}
        return found

    @staticmethod
    def _change_params(where: ChangeFilter) -> dict[str, Any]:
        return {"change_node": where.node, "change_since": where.since, "change_actor": where.actor}

    async def changes(
        self, where: ChangeFilter, first: int, after: tuple[str, str] | None
    ) -> ChangePage:
        statement = cypher.LIST_CHANGES if where.node is None else cypher.LIST_NODE_CHANGES
        after_at, after_id = after if after is not None else (None, None)
        params = self._change_params(where) | {
            "after_at": after_at, "after_id": after_id, "limit": first + 1,
        }  # fmt: skip
        rows = await self._read(statement, params)
        items = [
            ChangeRecord(**{k: v for k, v in row["change"].items() if k in _CHANGE_FIELDS})
            for row in rows
        ]
        return ChangePage(items=items[:first], has_next=len(items) > first)

    async def count_changes(self, where: ChangeFilter) -> int:
        statement = cypher.COUNT_CHANGES if where.node is None else cypher.COUNT_NODE_CHANGES
        rows = await self._read(statement, self._change_params(where))
        return int(rows[0]["total"]) if rows else 0
