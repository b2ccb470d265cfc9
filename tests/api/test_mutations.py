"""Mutations and the audit trail over real HTTP with real API keys (issue 4, points 1 and 3).

Each test gets a fresh graph holding tests/data/small.jsonl (see tests/data/README.md) and keys
made with hub.auth.new_api_key, stored through the store API and sent as `Authorization:
Bearer ...`. The editor is granted Reserve:omana, Reserve:picos (not created yet) and
Institution:cas: within its grant are
p-fire (sited in omana), p-glacier and p-water (cas is a partner), eve (works at omana), bo and
chloe (affiliated with cas); ana, dmitri, p-tourism, ordino and uleon are not.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from conftest import Hub, hub_settings, loaded_graph, new_falkor_store, run_server

from hub.auth import new_api_key
from hub.embedded import Endpoint
from schema.permissions import Role


@dataclass
class Hubs:
    hub: Hub
    tokens: dict[str, str]  # role name -> API key
    actors: dict[str, str]  # role name -> actor in the audit trail

    async def ask(self, role: str | None, query: str, **variables: Any) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}
        response = await self.hub.client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        return response.json()  # type: ignore[no-any-return]


@pytest.fixture
async def hubs(falkordb_endpoint: Endpoint) -> AsyncIterator[Hubs]:
    async with loaded_graph(falkordb_endpoint, "small.jsonl") as graph:
        store = new_falkor_store(falkordb_endpoint, graph)
        tokens, actors = {}, {}
        grants = {
            "secretariat": (Role.SECRETARIAT, {}),
            "partner": (Role.PARTNER, {}),
            "editor": (Role.EDITOR, {"reserves": ["omana", "picos"], "institutions": ["cas"]}),
        }
        for name, (role, scope) in grants.items():
            made = new_api_key(role, name=name, **scope)
            await store.create_api_key(made.record)
            tokens[name], actors[name] = made.token, f"key:{made.record.id}"
        await store.close()
        async with run_server(hub_settings(falkordb_endpoint, graph)) as hub:
            yield Hubs(hub, tokens, actors)


def data(answer: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in answer, answer.get("errors")
    return answer["data"]  # type: ignore[no-any-return]


def code(answer: dict[str, Any]) -> str:
    assert answer.get("errors"), answer
    return str(answer["errors"][0]["extensions"]["code"])


CREATE_RESERVE = """
mutation($input: CreateReserveInput!) {
  createReserve(input: $input) { id key name country latitude longitude designationYear }
}"""
UPDATE_PROJECT = """
mutation($id: ID!, $input: UpdateProjectInput!) {
  updateProject(id: $id, input: $input) { id title startYear endYear }
}"""
UPDATE_PERSON = """
mutation($id: ID!, $input: UpdatePersonInput!) { updatePerson(id: $id, input: $input) { id name } }"""
DELETE_RESERVE = "mutation($id: ID!) { deleteReserve(id: $id) { id } }"
LINK = """
mutation($rel: RelationshipKind!, $from: ID!, $to: ID!, $roles: [String!], $since: Date) {
  link(relationship: $rel, from: $from, to: $to, roles: $roles, since: $since) {
    relationship roles since from { id } to { id }
  }
}"""
UNLINK = """
mutation($rel: RelationshipKind!, $from: ID!, $to: ID!) {
  unlink(relationship: $rel, from: $from, to: $to) { relationship roles from { id } to { id } }
}"""
CHANGES = """
query($nodeId: ID, $since: DateTime, $actor: String, $first: Int, $after: String) {
  changes(nodeId: $nodeId, since: $since, actor: $actor, first: $first, after: $after) {
    totalCount
    edges { cursor node { id at actor requestId operation nodeId otherNodeId before after } }
    pageInfo { hasNextPage endCursor }
  }
}"""
PICOS = {"id": "picos", "name": "Picos de Europa", "country": "ES", "latitude": 43.2,
         "longitude": -4.85}  # fmt: skip


async def test_create_returns_the_node_and_a_retry_duplicates_nothing(hubs: Hubs) -> None:
    created = data(await hubs.ask("secretariat", CREATE_RESERVE, input=PICOS))["createReserve"]
    assert (created["id"], created["name"], created["latitude"]) == (
        "Reserve:picos",
        "Picos de Europa",
        43.2,
    )
    again = data(await hubs.ask("secretariat", CREATE_RESERVE, input=PICOS))["createReserve"]
    assert again == created
    count = data(await hubs.hub.graphql("{ reserves { totalCount } }"))["reserves"]["totalCount"]
    assert count == 5  # small.jsonl has 4
    other = await hubs.ask("secretariat", CREATE_RESERVE, input=PICOS | {"name": "Other"})
    assert code(other) == "CONFLICT"
    trail = data(await hubs.ask("secretariat", CHANGES, nodeId="Reserve:picos"))["changes"]
    assert trail["totalCount"] == 1


async def test_every_invalid_value_is_reported_at_once_with_its_path(hubs: Hubs) -> None:
    bad = {"id": "Bad Key", "name": "", "country": "Spain", "designationYear": 1800,
           "latitude": 95.0, "longitude": 0.0, "sourceUrl": "ftp://x",
           "provenance": [{"field": "name", "value": "x", "sourceUrl": "nope"}]}  # fmt: skip
    answer = await hubs.ask("secretariat", CREATE_RESERVE, input=bad)
    assert code(answer) == "BAD_USER_INPUT"
    problems = answer["errors"][0]["extensions"]["problems"]
    assert {p["path"] for p in problems} == {
        "input.id", "input.name", "input.country", "input.designationYear", "input.latitude",
        "input.sourceUrl", "input.provenance.0.sourceUrl",
    }  # fmt: skip
    assert all(p["message"] for p in problems)
    assert "7 invalid values" in answer["errors"][0]["message"]
    trail = data(await hubs.ask("secretariat", CHANGES))["changes"]
    assert trail["totalCount"] == 0


async def test_update_is_partial_null_clears_and_bad_years_are_refused(hubs: Hubs) -> None:
    updated = data(await hubs.ask("secretariat", UPDATE_PROJECT, id="Project:p-glacier",
                                  input={"title": "Glacier watch II"}))["updateProject"]  # fmt: skip
    assert updated == {"id": "Project:p-glacier", "title": "Glacier watch II", "startYear": 2019,
                       "endYear": 2023}  # fmt: skip
    cleared = data(await hubs.ask("secretariat", UPDATE_PROJECT, id="p-glacier",
                                  input={"endYear": None}))["updateProject"]  # fmt: skip
    assert cleared["endYear"] is None and cleared["startYear"] == 2019
    refused = await hubs.ask("secretariat", UPDATE_PROJECT, id="p-glacier", input={"endYear": 2001})
    assert code(refused) == "BAD_USER_INPUT"
    assert "end_year is before start_year" in refused["errors"][0]["message"]
    missing = await hubs.ask("secretariat", UPDATE_PROJECT, id="p-none", input={"title": "X"})
    assert code(missing) == "NOT_FOUND"


async def test_delete_removes_relationships_and_the_audit_keeps_the_node(hubs: Hubs) -> None:
    deleted = data(await hubs.ask("secretariat", DELETE_RESERVE, id="Reserve:omana"))
    assert deleted["deleteReserve"] == {"id": "Reserve:omana"}
    assert code(await hubs.hub.graphql('{ node(id: "Reserve:omana") { id } }')) == "NOT_FOUND"
    eve = data(
        await hubs.hub.graphql(
            '{ node(id: "Person:eve") { ... on Person { reserves { totalCount } } } }'
        )
    )
    assert eve["node"]["reserves"]["totalCount"] == 0
    (edge,) = data(await hubs.ask("secretariat", CHANGES, nodeId="Reserve:omana"))["changes"][
        "edges"
    ]
    change = edge["node"]
    assert change["operation"] == "deleteReserve" and change["after"] is None
    assert change["before"]["name"] == "Valles de Omaña y Luna"
    assert change["actor"] == hubs.actors["secretariat"]
    assert code(await hubs.ask("secretariat", DELETE_RESERVE, id="Reserve:omana")) == "NOT_FOUND"


async def test_link_and_unlink_with_properties(hubs: Hubs) -> None:
    linked = data(await hubs.ask("secretariat", LINK, rel="AFFILIATED_WITH", **{"from": "Person:dmitri"},
                                 to="Institution:cas", roles=["fellow"], since="2020-02-03"))["link"]  # fmt: skip
    assert linked == {"relationship": "AFFILIATED_WITH", "roles": ["fellow"], "since": "2020-02-03",
                      "from": {"id": "Person:dmitri"}, "to": {"id": "Institution:cas"}}  # fmt: skip
    bad = await hubs.ask("secretariat", LINK, rel="WORKS_AT", **{"from": "Person:ana"},
                         to="Reserve:omana", since="2020-01-01")  # fmt: skip
    assert code(bad) == "BAD_USER_INPUT"
    wrong_way = await hubs.ask("secretariat", LINK, rel="WORKS_AT", **{"from": "Reserve:omana"},
                               to="Person:ana")  # fmt: skip
    assert code(wrong_way) == "BAD_USER_INPUT"
    missing = await hubs.ask("secretariat", LINK, rel="WORKS_AT", **{"from": "Person:ana"},
                             to="Reserve:nowhere")  # fmt: skip
    assert code(missing) == "NOT_FOUND"
    removed = data(await hubs.ask("secretariat", UNLINK, rel="AFFILIATED_WITH",
                                  **{"from": "Person:dmitri"}, to="Institution:cas"))["unlink"]  # fmt: skip
    assert removed["roles"] == ["fellow"]
    trail = data(await hubs.ask("secretariat", CHANGES, nodeId="Institution:cas"))["changes"]
    assert [e["node"]["operation"] for e in trail["edges"]] == ["unlink", "link"]
    assert trail["edges"][1]["node"]["otherNodeId"] == "Institution:cas"


async def test_a_failing_write_leaves_no_node_and_no_audit_record(hubs: Hubs) -> None:
    # The id is taken with other values: the single statement fails whole.
    clash = PICOS | {"id": "omana"}
    assert code(await hubs.ask("secretariat", CREATE_RESERVE, input=clash)) == "CONFLICT"
    omana = data(
        await hubs.hub.graphql('{ node(id: "Reserve:omana") { ... on Reserve { name } } }')
    )
    assert omana["node"]["name"] == "Valles de Omaña y Luna"
    assert data(await hubs.ask("secretariat", CHANGES))["changes"]["totalCount"] == 0


async def test_changes_record_who_when_and_request_and_page_newest_first(hubs: Hubs) -> None:
    for year in (2001, 2002, 2003):
        answer = await hubs.hub.client.post(
            "/graphql",
            json={
                "query": UPDATE_PROJECT,
                "variables": {"id": "p-fire", "input": {"startYear": year}},
            },
            headers={
                "Authorization": f"Bearer {hubs.tokens['secretariat']}",
                "X-Request-ID": f"req-{year}",
            },
        )
        data(answer.json())
    data(await hubs.ask("editor", UPDATE_PROJECT, id="p-fire", input={"title": "Fire II"}))
    everything = data(await hubs.ask("secretariat", CHANGES, first=100))["changes"]
    nodes = [e["node"] for e in everything["edges"]]
    assert everything["totalCount"] == 4
    assert [n["requestId"] for n in nodes[1:]] == ["req-2003", "req-2002", "req-2001"]
    assert nodes[0]["actor"] == hubs.actors["editor"]
    assert [n["after"]["start_year"] for n in nodes[1:]] == [2003, 2002, 2001]
    assert nodes[-1]["before"]["start_year"] == 2021
    assert [n["at"] for n in nodes] == sorted((n["at"] for n in nodes), reverse=True)
    by_editor = data(await hubs.ask("secretariat", CHANGES, actor=hubs.actors["editor"]))["changes"]
    assert [e["node"]["id"] for e in by_editor["edges"]] == [nodes[0]["id"]]
    since = data(await hubs.ask("secretariat", CHANGES, since=nodes[1]["at"]))["changes"]
    assert [e["node"]["id"] for e in since["edges"]] == [n["id"] for n in nodes[:2]]
    paged: list[str] = []
    after = None
    while True:
        page = data(await hubs.ask("secretariat", CHANGES, first=3, after=after))["changes"]
        paged += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert paged == [n["id"] for n in nodes]
    assert (
        code(await hubs.ask("secretariat", CHANGES, after="bm90IGEgY3Vyc29y")) == "BAD_USER_INPUT"
    )


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (None, "UNAUTHENTICATED"),
        ("partner", "FORBIDDEN"),
        ("editor", "FORBIDDEN"),
        ("secretariat", "OK"),
    ],
)
async def test_only_the_secretariat_reads_the_audit_trail(
    hubs: Hubs, role: str | None, expected: str
) -> None:
    answer = await hubs.ask(role, CHANGES)
    assert (code(answer) if answer.get("errors") else "OK") == expected


# --- who may write what: (role, mutation, variables, expected) ------------------------------------
CREATE_THEME = "mutation($input: CreateThemeInput!) { createTheme(input: $input) { id } }"
CREATE_PROJECT = "mutation($input: CreateProjectInput!) { createProject(input: $input) { id } }"
WRITES: list[tuple[str, str, dict[str, Any]]] = [
    ("create a granted reserve key", CREATE_RESERVE, {"input": PICOS}),
    ("create another reserve", CREATE_RESERVE, {"input": PICOS | {"id": "elsewhere"}}),
    ("create a project", CREATE_PROJECT, {"input": {"id": "p-new", "title": "New"}}),
    ("create a theme", CREATE_THEME, {"input": {"id": "snow", "label": "Snow"}}),
    (
        "update a project sited in its reserve",
        UPDATE_PROJECT,
        {"id": "p-fire", "input": {"title": "F"}},
    ),
    (
        "update a project of its institution",
        UPDATE_PROJECT,
        {"id": "p-water", "input": {"title": "W"}},
    ),
    ("update a project outside", UPDATE_PROJECT, {"id": "p-tourism", "input": {"title": "T"}}),
    (
        "update a person working at its reserve",
        UPDATE_PERSON,
        {"id": "eve", "input": {"name": "E"}},
    ),
    ("update a person outside", UPDATE_PERSON, {"id": "ana", "input": {"name": "A"}}),
    (
        "link with no end in its grant",
        LINK,
        {"rel": "WORKS_AT", "from": "Person:ana", "to": "Reserve:ordino"},
    ),
    (
        "link someone else's person to its reserve",  # would bring ana (and her e-mail) in
        LINK,
        {"rel": "WORKS_AT", "from": "Person:ana", "to": "Reserve:omana"},
    ),
    (
        "link a person of its institution to its reserve",  # bo is affiliated with cas
        LINK,
        {"rel": "WORKS_AT", "from": "Person:bo", "to": "Reserve:omana"},
    ),
    (
        "link the project it just created to its reserve",
        LINK,
        {"rel": "SITED_IN", "from": "Project:p-new", "to": "Reserve:omana"},
    ),
    (
        "make its reserve a member of a network",
        LINK,
        {"rel": "MEMBER_OF", "from": "Reserve:omana", "to": "Network:wnmbr"},
    ),
    (
        "unlink within its grant",
        UNLINK,
        {"rel": "WORKS_AT", "from": "Person:eve", "to": "Reserve:omana"},
    ),
    ("delete its reserve", DELETE_RESERVE, {"id": "omana"}),
    ("delete another reserve", DELETE_RESERVE, {"id": "ordino"}),
]
EDITOR_MAY = {
    "create a granted reserve key", "create a project", "update a project sited in its reserve",
    "update a project of its institution", "update a person working at its reserve",
    "delete its reserve", "link a person of its institution to its reserve",
    "link the project it just created to its reserve", "unlink within its grant",
}  # fmt: skip


@pytest.mark.parametrize("role", [None, "partner", "editor", "secretariat"])
async def test_each_role_may_write_exactly_what_its_grant_allows(
    hubs: Hubs, role: str | None
) -> None:
    outcomes = {}
    for name, mutation, variables in WRITES:
        answer = await hubs.ask(role, mutation, **variables)
        outcomes[name] = code(answer) if answer.get("errors") else "OK"
    if role is None:
        expected = {name: "UNAUTHENTICATED" for name, _, _ in WRITES}
    elif role == "partner":
        expected = {name: "FORBIDDEN" for name, _, _ in WRITES}
    elif role == "editor":
        expected = {name: "OK" if name in EDITOR_MAY else "FORBIDDEN" for name, _, _ in WRITES}
    else:
        expected = {name: "OK" for name, _, _ in WRITES}
    assert outcomes == expected
    trail = data(await hubs.ask("secretariat", CHANGES, first=100))["changes"]["edges"]
    actor = hubs.actors.get(role or "", "none")
    assert len([e for e in trail if e["node"]["actor"] == actor]) == list(outcomes.values()).count(
        "OK"
    )
