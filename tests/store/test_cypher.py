"""Every statement of graph.cypher is accepted by each engine present (planned, not run)."""

import re
from typing import Any

import pytest

from graph import cypher
from graph.store import Store

STATEMENTS = cypher.all_statements()
_PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def _value(name: str) -> Any:
    """A made-up value of the shape each statement expects for `$name`."""
    if name == "keys":
        return ["a", "b"]
    if name == "pairs":
        return [{"from": "a", "to": "b"}]
    if name.startswith("nodes_"):
        return [{"id": "a", "props": {"name": "A"}}]
    if name.startswith("links_"):
        return [{"from": "a", "to": "b", "props": {"roles": ["r"]}}]
    if name in ("limit", "offset"):
        return 1 if name == "limit" else 0
    if name in ("after", "after_a", "after_b", "person"):
        return "a"
    if name == "labels":  # search: Kind values
        return ["Reserve", "Person"]
    if name == "query":  # search: a full-text query built from words
        return "omana luna*"
    if name in ("latitude", "longitude", "radius_km", "band"):  # reservesNear
        return 1.5
    if name.startswith(("frontier_", "path_nodes_")):  # paths: keys of one kind
        return ["a", "b"]
    if name.startswith("path_links_"):  # paths: stored (from, to) pairs of one relation
        return [{"from": "a", "to": "b"}]
    if name in ("themes", "countries", "networks", "kinds") or name.startswith("keys_"):
        return ["a"]  # analytics: the lists of a GraphFilter, the keys of a sub-graph
    if name in ("since", "all"):
        return 2000 if name == "since" else False
    if name in (
        "app_reserve",
        "app_network",
        "app_id",
        "app_state",
        "app_after_at",
        "app_after_id",
    ):
        return "a"  # membership applications (issue 4)
    if name == "app_ids":
        return ["a"]
    if name == "application":
        return {"id": "a", "state": "SUBMITTED", "reserve": "r", "network": "n"}
    if name == "decision":
        return {"at": "2024-01-01T00:00:00+00:00", "by": "x", "since": "2024-01-01", "reason": "r"}
    if name == "audit":
        return [{"id": "c", "at": "t", "actor": "x", "request_id": "q", "operation": "o",
                 "node": "Application:a", "before": None, "after": "{}"}]  # fmt: skip
    if name in ("props", "change"):  # mutations and the audit trail (issue 4)
        return {"id": "a", "name": "A"}
    if name in ("key", "source", "target", "old_since", "after_at", "after_id", "change_node"):
        return "a"
    if name in ("revision", "existed", "old_roles"):
        return {"revision": 0, "existed": True, "old_roles": ["r"]}[name]
    if name.startswith("grant_"):
        return ["a"]
    return None  # optional filters: text, country, theme, network, institution_kind


def _params(text: str) -> dict[str, Any]:
    return {name: _value(name) for name in _PARAMETER.findall(text)}


@pytest.mark.parametrize("name", list(STATEMENTS), ids=list(STATEMENTS))
async def test_statement_is_accepted_by_the_engine(store: Store, name: str) -> None:
    backend, text = STATEMENTS[name]
    if backend is not None and backend != store.backend:
        pytest.skip(f"{name} is the {backend} variant")
    plan = await store.explain(text, _params(text))  # type: ignore[attr-defined]
    assert isinstance(plan, str) and plan


async def test_an_invalid_statement_is_refused_by_explain(store: Store) -> None:
    """The check above means something: explain does reject bad Cypher."""
    with pytest.raises(Exception):  # noqa: B017 - each engine raises its own driver error
        await store.explain("MATCH (n RETURN n", {})  # type: ignore[attr-defined]
