"""Membership applications over real HTTP with real API keys: anyone applies, the secretariat
decides. small.jsonl: omana and ordino are members of wnmbr, sierra and yading are not."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from conftest import Hub, hub_settings, loaded_graph, new_falkor_store, ok, run_server

from graph.model import Kind, RelType, find_relation
from graph.store import Direction
from hub.auth import new_api_key
from schema.permissions import Role

APPLY = """mutation($input: MembershipApplicationInput!) {
  applyForMembership(input: $input) { id state reserve { key } network { key } motivation }
}"""
APPLY_WITH_CONTACT = """mutation($input: MembershipApplicationInput!) {
  applyForMembership(input: $input) { id contactEmail }
}"""
APPROVE = """mutation($id: ID!, $since: Date) {
  approveMembership(id: $id, since: $since) { id state since reserve { key } }
}"""
REJECT = """mutation($id: ID!, $reason: String!) {
  rejectMembership(id: $id, reason: $reason) { id state reason }
}"""
LIST = """query($state: ApplicationState, $first: Int, $after: String) {
  membershipApplications(state: $state, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id state contactName contactEmail reserveId }
  }
}"""


def _input(reserve: str = "Reserve:sierra", **changes: Any) -> dict[str, Any]:
    return {
        "reserve": reserve, "contactName": "Marta Ruiz", "contactEmail": "marta@example.org",
        "motivation": "A mountain reserve with a research station",
    } | changes  # fmt: skip


class Client:
    def __init__(self, hub: Hub, header: str | None) -> None:
        self.hub, self.header = hub, header

    async def ask(self, document: str, **variables: Any) -> dict[str, Any]:
        headers = {"Authorization": self.header} if self.header else {}
        response = await self.hub.client.post(
            "/graphql", json={"query": document, "variables": variables}, headers=headers
        )
        return response.json()  # type: ignore[no-any-return]


def codes(answer: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in answer.get("errors", [])]


@pytest.fixture
async def roles(falkordb_endpoint: Any) -> AsyncIterator[dict[str, Any]]:
    """A fresh hub over small.jsonl, a client per role (real keys), and a store on its graph."""
    async with loaded_graph(falkordb_endpoint, "small.jsonl") as graph:
        store = new_falkor_store(falkordb_endpoint, graph)
        headers: dict[str, str | None] = {"anonymous": None}
        for role in (Role.PARTNER, Role.EDITOR, Role.SECRETARIAT):
            scope = {"reserves": ["sierra"]} if role is Role.EDITOR else {}
            made = new_api_key(role, **scope)
            await store.create_api_key(made.record)
            headers[str(role)] = f"Bearer {made.token}"
        try:
            async with run_server(hub_settings(falkordb_endpoint, graph)) as hub:
                clients: dict[str, Any] = {r: Client(hub, h) for r, h in headers.items()}
                yield clients | {"store": store}
        finally:
            await store.close()


async def _member_since(store: Any, reserve: str) -> list[tuple[str, str | None]]:
    relation = find_relation(RelType.MEMBER_OF, Kind.RESERVE, Kind.NETWORK)
    (page,) = await store.links(relation, Direction.OUT, [reserve], 10, None)
    return [(link.node.id, link.since.isoformat() if link.since else None) for link in page.items]


async def test_anyone_may_apply_and_the_secretariat_approves_with_the_date(roles: Any) -> None:
    applied = ok(await roles["anonymous"].ask(APPLY, input=_input()))["applyForMembership"]
    assert applied["state"] == "SUBMITTED" and applied["id"].startswith("Application:")
    assert (applied["reserve"], applied["network"]) == ({"key": "sierra"}, {"key": "wnmbr"})
    approved = ok(await roles["secretariat"].ask(APPROVE, id=applied["id"], since="2025-03-14"))
    assert approved["approveMembership"] == {
        "id": applied["id"], "state": "APPROVED", "since": "2025-03-14", "reserve": {"key": "sierra"},
    }  # fmt: skip
    assert await _member_since(roles["store"], "sierra") == [("wnmbr", "2025-03-14")]


async def test_approval_without_a_date_makes_a_member_since_today(roles: Any) -> None:
    import datetime

    applied = ok(await roles["partner"].ask(APPLY, input=_input()))["applyForMembership"]
    before = datetime.datetime.now(datetime.UTC).date()
    approved = ok(await roles["secretariat"].ask(APPROVE, id=applied["id"]))["approveMembership"]
    after = datetime.datetime.now(datetime.UTC).date()
    assert approved["since"] in {before.isoformat(), after.isoformat()}


async def test_the_secretariat_rejects_with_a_reason_and_a_second_decision_is_a_conflict(
    roles: Any,
) -> None:
    applied = ok(await roles["anonymous"].ask(APPLY, input=_input()))["applyForMembership"]
    rejected = ok(await roles["secretariat"].ask(REJECT, id=applied["id"], reason="Not mountains"))
    assert rejected["rejectMembership"]["state"] == "REJECTED"
    assert rejected["rejectMembership"]["reason"] == "Not mountains"
    again = await roles["secretariat"].ask(APPROVE, id=applied["id"])
    assert codes(again) == ["CONFLICT"]
    assert "REJECTED" in again["errors"][0]["message"]
    assert await _member_since(roles["store"], "sierra") == []


@pytest.mark.parametrize("role", ["anonymous", "partner", "editor"])
async def test_only_the_secretariat_decides_and_lists(roles: Any, role: str) -> None:
    applied = ok(await roles["anonymous"].ask(APPLY, input=_input()))["applyForMembership"]
    expected = "UNAUTHENTICATED" if role == "anonymous" else "FORBIDDEN"
    for document, variables in (
        (APPROVE, {"id": applied["id"]}),
        (REJECT, {"id": applied["id"], "reason": "no"}),
        (LIST, {}),
    ):
        answer = await roles[role].ask(document, **variables)
        assert codes(answer) == [expected], (document, answer)
    listed = ok(await roles["secretariat"].ask(LIST, state="SUBMITTED"))
    assert [n["id"] for n in listed["membershipApplications"]["nodes"]] == [applied["id"]]
    assert await _member_since(roles["store"], "sierra") == []


@pytest.mark.parametrize("role", ["anonymous", "partner", "editor"])
async def test_contact_details_are_for_the_secretariat_only(roles: Any, role: str) -> None:
    answer = await roles[role].ask(APPLY_WITH_CONTACT, input=_input())
    assert answer["data"]["applyForMembership"]["contactEmail"] is None
    expected = "UNAUTHENTICATED" if role == "anonymous" else "FORBIDDEN"
    assert codes(answer) == [expected]
    listed = ok(await roles["secretariat"].ask(LIST))["membershipApplications"]
    assert listed["totalCount"] == 1, "the application was made although a field was refused"
    assert listed["nodes"][0]["contactName"] == "Marta Ruiz"
    assert listed["nodes"][0]["contactEmail"] == "marta@example.org"
    assert listed["nodes"][0]["reserveId"] == "Reserve:sierra"


async def test_every_problem_of_an_application_is_reported_at_once(roles: Any) -> None:
    bad = _input("Country:sierra", contactEmail="not-an-address", motivation="  ")
    answer = await roles["anonymous"].ask(APPLY, input=bad)
    assert codes(answer) == ["BAD_USER_INPUT"]
    problems = answer["errors"][0]["extensions"]["problems"]
    assert [p["path"] for p in problems] == [
        "input.reserve", "input.contactEmail", "input.motivation",
    ]  # fmt: skip
    listed = ok(await roles["secretariat"].ask(LIST))
    assert listed["membershipApplications"]["totalCount"] == 0


async def test_an_unknown_reserve_is_bad_input_and_a_member_cannot_apply(roles: Any) -> None:
    answer = await roles["anonymous"].ask(APPLY, input=_input("Reserve:ghost"))
    assert codes(answer) == ["BAD_USER_INPUT"]
    assert answer["errors"][0]["extensions"]["problems"][0]["path"] == "input.reserve"
    member = await roles["anonymous"].ask(APPLY, input=_input("omana"))
    assert codes(member) == ["CONFLICT"] and "already a member" in member["errors"][0]["message"]


async def test_deciding_an_unknown_or_malformed_id(roles: Any) -> None:
    unknown = await roles["secretariat"].ask(
        APPROVE, id="Application:00000000-0000-4000-8000-000000000000"
    )
    assert codes(unknown) == ["NOT_FOUND"]
    malformed = await roles["secretariat"].ask(REJECT, id="Reserve:sierra", reason="x")
    assert codes(malformed) == ["BAD_USER_INPUT"]


async def test_the_secretariat_pages_through_applications_by_state(roles: Any) -> None:
    made = []
    for reserve in ("sierra", "yading"):
        answer = await roles["anonymous"].ask(APPLY, input=_input(f"Reserve:{reserve}"))
        made.append(ok(answer)["applyForMembership"]["id"])
    ok(await roles["secretariat"].ask(REJECT, id=made[0], reason="incomplete"))
    first = ok(await roles["secretariat"].ask(LIST, first=1))["membershipApplications"]
    assert first["totalCount"] == 2 and first["pageInfo"]["hasNextPage"]
    after = first["pageInfo"]["endCursor"]
    rest = ok(await roles["secretariat"].ask(LIST, first=1, after=after))["membershipApplications"]
    assert [n["id"] for n in first["nodes"] + rest["nodes"]] == made
    assert not rest["pageInfo"]["hasNextPage"]
    waiting = ok(await roles["secretariat"].ask(LIST, state="SUBMITTED"))["membershipApplications"]
    assert [n["id"] for n in waiting["nodes"]] == [made[1]] and waiting["totalCount"] == 1


async def test_a_decision_is_in_the_audit_trail_with_its_actor_and_request(roles: Any) -> None:
    applied = ok(await roles["anonymous"].ask(APPLY, input=_input()))["applyForMembership"]
    secretariat: Client = roles["secretariat"]
    response = await secretariat.hub.client.post(
        "/graphql",
        json={"query": APPROVE, "variables": {"id": applied["id"], "since": "2025-03-14"}},
        headers={"Authorization": secretariat.header or "", "X-Request-ID": "approve-sierra-1"},
    )
    assert "errors" not in response.json()
    key_id = (secretariat.header or "").split("_")[1]
    trail = ok(
        await secretariat.ask(
            '{ changes(nodeId: "Network:wnmbr") { nodes { operation actor requestId nodeId '
            "otherNodeId after } } }"
        )
    )["changes"]["nodes"]
    assert [c for c in trail if c["operation"] == "approveMembership"] == [
        {"operation": "approveMembership", "actor": f"key:{key_id}",
         "requestId": "approve-sierra-1", "nodeId": "Reserve:sierra",
         "otherNodeId": "Network:wnmbr",
         "after": {"relationship": "MEMBER_OF", "properties": {"since": "2025-03-14"}}},
    ]  # fmt: skip
