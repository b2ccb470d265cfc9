"""The importGraph mutation over real HTTP with real API keys: secretariat only, the report,
dry runs that write nothing, CSV files of one kind, and the size limit."""

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from conftest import Hub, hub_settings, loaded_graph, new_falkor_store, ok, run_server

from graph.model import Kind
from hub.auth import new_api_key
from schema.imports import MAX_IMPORT_CHARACTERS
from schema.permissions import Role

IMPORT = """mutation($file: String!, $format: ImportFormat!, $dryRun: Boolean,
                     $kind: Kind, $relationship: RelationshipKind) {
  importGraph(file: $file, format: $format, dryRun: $dryRun, kind: $kind,
              relationship: $relationship) {
    created { name count } updated { name count } rejected { line reason } dryRun ok
  }
}"""

THEMES_JSONL = "\n".join(
    json.dumps({"kind": "Theme", "id": key, "properties": {"label": label}})
    for key, label in (("snow", "Snow"), ("water", "Water again"))
)


@pytest.fixture
async def served(falkordb_endpoint: Any) -> AsyncIterator[dict[str, Any]]:
    async with loaded_graph(falkordb_endpoint, "small.jsonl") as graph:
        store = new_falkor_store(falkordb_endpoint, graph)
        headers: dict[str, dict[str, str]] = {"anonymous": {}}
        for role in (Role.PARTNER, Role.EDITOR, Role.SECRETARIAT):
            scope = {"reserves": ["sierra"]} if role is Role.EDITOR else {}
            made = new_api_key(role, **scope)
            await store.create_api_key(made.record)
            headers[str(role)] = {"Authorization": f"Bearer {made.token}"}
        try:
            async with run_server(hub_settings(falkordb_endpoint, graph)) as hub:
                yield {"hub": hub, "headers": headers, "store": store}
        finally:
            await store.close()


async def _import(served: dict[str, Any], role: str = "secretariat", **variables: Any) -> Any:
    hub: Hub = served["hub"]
    response = await hub.client.post(
        "/graphql", json={"query": IMPORT, "variables": variables}, headers=served["headers"][role]
    )
    return response.json()


async def test_the_report_counts_created_and_updated_per_kind(served: dict[str, Any]) -> None:
    report = ok(await _import(served, file=THEMES_JSONL, format="JSON_LINES"))["importGraph"]
    assert report == {
        "created": [{"name": "Theme", "count": 1}], "updated": [{"name": "Theme", "count": 1}],
        "rejected": [], "dryRun": False, "ok": True,
    }  # fmt: skip
    (snow, water) = await served["store"].nodes_by_id(Kind.THEME, ["snow", "water"])
    assert snow.label == "Snow" and water.label == "Water again"


async def test_a_dry_run_reports_the_same_and_writes_nothing(served: dict[str, Any]) -> None:
    before = [row async for row in served["store"].export_rows()]
    report = ok(await _import(served, file=THEMES_JSONL, format="JSON_LINES", dryRun=True))
    assert report["importGraph"]["dryRun"] is True
    assert report["importGraph"]["created"] == [{"name": "Theme", "count": 1}]
    assert [row async for row in served["store"].export_rows()] == before


async def test_a_rejected_row_is_reported_by_line_and_its_batch_writes_nothing(
    served: dict[str, Any],
) -> None:
    text = "id,name,country\nnew-a,A,ES\nnew-b,B,Spain\n"
    report = ok(await _import(served, file=text, format="CSV", kind="RESERVE"))["importGraph"]
    assert report["ok"] is False and report["created"] == []
    assert [r["line"] for r in report["rejected"]] == [3]
    assert "country" in report["rejected"][0]["reason"]
    assert await served["store"].existing_keys(Kind.RESERVE, ["new-a", "new-b"]) == set()


async def test_a_csv_relationship_file_is_imported(served: dict[str, Any]) -> None:
    text = "from,to,since\nReserve:sierra,Network:wnmbr,2025-01-02\n"
    answer = await _import(served, file=text, format="CSV", relationship="MEMBER_OF")
    assert ok(answer)["importGraph"]["created"] == [{"name": "MEMBER_OF", "count": 1}]


async def test_a_json_document_is_imported(served: dict[str, Any]) -> None:
    document = {"nodes": [{"kind": "Theme", "id": "ice", "properties": {"label": "Ice"}}]}
    answer = await _import(served, file=json.dumps(document), format="JSON")
    assert ok(answer)["importGraph"]["created"] == [{"name": "Theme", "count": 1}]


@pytest.mark.parametrize("role", ["anonymous", "partner", "editor"])
async def test_only_the_secretariat_imports(served: dict[str, Any], role: str) -> None:
    answer = await _import(served, role, file=THEMES_JSONL, format="JSON_LINES")
    expected = "UNAUTHENTICATED" if role == "anonymous" else "FORBIDDEN"
    assert [e["extensions"]["code"] for e in answer["errors"]] == [expected]
    assert await served["store"].existing_keys(Kind.THEME, ["snow"]) == set()


@pytest.mark.parametrize(
    ("variables", "argument"),
    [({"format": "CSV"}, "kind"),
     ({"format": "CSV", "kind": "THEME", "relationship": "ADDRESSES"}, "kind"),
     ({"format": "JSON_LINES", "kind": "THEME"}, "kind"),
     ({"format": "JSON", "file": "[1, 2]"}, "file"),
     ({"format": "CSV", "kind": "THEME", "file": "id,colour\na,red\n"}, "file")],
)  # fmt: skip
async def test_unusable_arguments_are_bad_user_input_naming_them(
    served: dict[str, Any], variables: dict[str, Any], argument: str
) -> None:
    answer = await _import(served, **({"file": "id,label\na,A\n"} | variables))
    (error,) = answer["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["argument"] == argument


async def test_a_file_over_the_limit_is_refused_before_reading(served: dict[str, Any]) -> None:
    text = "\n" * (MAX_IMPORT_CHARACTERS + 1)
    answer = await _import(served, file=text, format="JSON_LINES")
    (error,) = answer["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "file"}
    assert "limit" in error["message"]


CHANGES = "{ changes(first: 10) { edges { node { operation actor after } } } }"


async def test_an_import_is_in_the_audit_trail_and_a_dry_run_is_not(served: dict[str, Any]) -> None:
    hub: Hub = served["hub"]
    secretariat = served["headers"]["secretariat"]

    async def imports() -> list[dict[str, Any]]:
        response = await hub.client.post("/graphql", json={"query": CHANGES}, headers=secretariat)
        edges = ok(response.json())["changes"]["edges"]
        return [e["node"] for e in edges if e["node"]["operation"] == "importGraph"]

    ok(await _import(served, file=THEMES_JSONL, format="JSON_LINES", dryRun=True))
    assert await imports() == []
    ok(await _import(served, file=THEMES_JSONL, format="JSON_LINES"))
    (change,) = await imports()
    assert change["actor"].startswith("key:")
    assert change["after"] == {"lines": [1, 2], "written": {"Theme": 2}}
