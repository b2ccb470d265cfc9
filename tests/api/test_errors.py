"""Errors over real HTTP: each with a stable `extensions.code`, bad arguments named.

Expectations follow schema/errors.py's table of codes and tests/data/small.jsonl.
"""

import base64
import json
from typing import Any

import pytest
from conftest import Hub, run_server
from graphql import parse, validate

from schema import schema


def only_error(answer: dict[str, Any]) -> dict[str, Any]:
    """The one error of an answer."""
    errors = answer.get("errors")
    assert errors is not None and len(errors) == 1, answer
    return errors[0]  # type: ignore[no-any-return]


def assert_bad_input(answer: dict[str, Any], argument: str) -> dict[str, Any]:
    error = only_error(answer)
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["extensions"]["argument"] == argument, error
    assert error["message"].startswith(f"{argument}: "), error
    return error


def cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


NODE = "query($id: ID!) { node(id: $id) { id } }"
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"


# --- ids -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("global_id", ["Reserve:nowhere", "Person:zed", "Theme:snow", "Network:x"])
async def test_an_unknown_id_is_not_found(small_hub: Hub, global_id: str) -> None:
    answer = await small_hub.graphql(NODE, id=global_id)
    error = only_error(answer)
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert error["path"] == ["node"]
    assert global_id in error["message"]
    assert answer["data"] == {"node": None}


async def test_a_key_of_another_kind_is_not_found(small_hub: Hub) -> None:
    # "omana" is a reserve, and an institution's key is "omana-mgmt": no Institution:omana.
    error = only_error(await small_hub.graphql(NODE, id="Institution:omana"))
    assert error["extensions"]["code"] == "NOT_FOUND"


MALFORMED_IDS = ["nope", "Planet:x", "Reserve:", "Reserve:Bad Key", ":omana", "reserve:omana",
                 "Reserve: omana", "Reserve:OMANA", ""]  # fmt: skip


@pytest.mark.parametrize("global_id", MALFORMED_IDS)
async def test_a_malformed_id_is_bad_user_input(small_hub: Hub, global_id: str) -> None:
    error = assert_bad_input(await small_hub.graphql(NODE, id=global_id), "id")
    assert error["path"] == ["node"]


@pytest.mark.parametrize("global_id", MALFORMED_IDS)
async def test_a_malformed_id_among_several_is_bad_user_input(
    small_hub: Hub, global_id: str
) -> None:
    assert_bad_input(await small_hub.graphql(NODES, ids=["Reserve:omana", global_id]), "ids")


async def test_more_ids_than_the_page_maximum_is_bad_user_input(small_hub: Hub) -> None:
    maximum = small_hub.settings.max_page_size
    ids = [f"Person:p{i}" for i in range(maximum + 1)]
    assert_bad_input(await small_hub.graphql(NODES, ids=ids), "ids")
    answer = await small_hub.graphql(NODES, ids=ids[:maximum])
    assert "errors" not in answer
    assert answer["data"]["nodes"] == [None] * maximum


# --- page sizes ----------------------------------------------------------------------------------
PAGED = {
    "list": "query($first: Int) { reserves(first: $first) { totalCount } }",
    "relationship": 'query($first: Int) { node(id: "Person:ana") { ... on Person { projects(first: $first) { totalCount } } } }',
    "collaborators": 'query($first: Int) { collaborators(personId: "Person:ana", first: $first) { totalCount } }',
}


@pytest.mark.parametrize("where", list(PAGED))
@pytest.mark.parametrize("first", [-1, -100, "max+1", 10_000])
async def test_first_out_of_range_is_bad_user_input(
    small_hub: Hub, where: str, first: int | str
) -> None:
    if first == "max+1":
        first = small_hub.settings.max_page_size + 1
    error = assert_bad_input(await small_hub.graphql(PAGED[where], first=first), "first")
    assert str(small_hub.settings.max_page_size) in error["message"]


@pytest.mark.parametrize("where", list(PAGED))
async def test_first_at_the_maximum_is_accepted(small_hub: Hub, where: str) -> None:
    answer = await small_hub.graphql(PAGED[where], first=small_hub.settings.max_page_size)
    assert "errors" not in answer, answer


# --- filters -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "argument"),
    [
        ('{ reserves(theme: "Theme:snow") { totalCount } }', "theme"),
        ('{ reserves(theme: "snow") { totalCount } }', "theme"),
        ('{ projects(theme: "snow") { totalCount } }', "theme"),
        ('{ people(theme: "Theme:snow") { totalCount } }', "theme"),
        ('{ reserves(network: "Network:andes") { totalCount } }', "network"),
        ('{ institutions(network: "andes") { totalCount } }', "network"),
        ('{ collaborators(personId: "Person:ana", theme: "snow") { totalCount } }', "theme"),
        ('{ collaborators(personId: "Person:zed") { totalCount } }', "personId"),
        ('{ collaborators(personId: "zed") { totalCount } }', "personId"),
    ],
)
async def test_an_unknown_theme_network_or_person_argument_is_bad_user_input(
    small_hub: Hub, query: str, argument: str
) -> None:
    assert_bad_input(await small_hub.graphql(query), argument)


@pytest.mark.parametrize(
    ("query", "argument"),
    [
        ('{ reserves(theme: "Reserve:omana") { totalCount } }', "theme"),
        ('{ people(theme: "Network:wnmbr") { totalCount } }', "theme"),
        ('{ reserves(network: "Theme:water") { totalCount } }', "network"),
        ('{ collaborators(personId: "Reserve:omana") { totalCount } }', "personId"),
        ('{ reserves(theme: "Planet:water") { totalCount } }', "theme"),
        ('{ reserves(theme: "Water Resources") { totalCount } }', "theme"),
        ('{ reserves(network: "") { totalCount } }', "network"),
    ],
)
async def test_an_id_of_the_wrong_kind_or_form_is_bad_user_input(
    small_hub: Hub, query: str, argument: str
) -> None:
    assert_bad_input(await small_hub.graphql(query), argument)


@pytest.mark.parametrize("country", ["Spain", "ESP", "E", "", "E1", "é s"])
@pytest.mark.parametrize("field", ["reserves", "institutions", "projects", "people"])
async def test_a_country_that_is_not_an_iso_code_is_bad_user_input(
    small_hub: Hub, field: str, country: str
) -> None:
    query = f"query($c: String) {{ {field}(country: $c) {{ totalCount }} }}"
    assert_bad_input(await small_hub.graphql(query, c=country), "country")


@pytest.mark.parametrize("text", ["x" * 201, "a\x00b", "\ud800", "omana\udfff"])
async def test_a_text_the_database_cannot_take_is_bad_user_input(small_hub: Hub, text: str) -> None:
    query = "query($t: String) { reserves(text: $t) { totalCount } }"
    # json.dumps escapes a lone surrogate as \ud800, which is valid JSON; httpx would not encode it.
    body = json.dumps({"query": query, "variables": {"t": text}})
    response = await small_hub.client.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert_bad_input(response.json(), "text")


# --- cursors -------------------------------------------------------------------------------------
BAD_CURSORS = [
    "garbage!!",
    "%%%",
    cursor("x:omana"),  # another prefix
    cursor("k:"),  # no key
    cursor("omana"),  # no prefix
    cursor("k:a\x00b"),  # not a key
    cursor("k:Omaña"),  # not a key
    base64.urlsafe_b64encode(b"k:\xff\xfe").decode(),  # not UTF-8
]


@pytest.mark.parametrize("after", BAD_CURSORS)
async def test_a_bad_cursor_on_a_list_is_bad_user_input(small_hub: Hub, after: str) -> None:
    query = "query($after: String) { reserves(after: $after) { totalCount } }"
    assert_bad_input(await small_hub.graphql(query, after=after), "after")


@pytest.mark.parametrize("after", BAD_CURSORS)
async def test_a_bad_cursor_on_a_relationship_is_bad_user_input(small_hub: Hub, after: str) -> None:
    query = 'query($after: String) { node(id: "Person:ana") { ... on Person { projects(after: $after) { totalCount } } } }'
    assert_bad_input(await small_hub.graphql(query, after=after), "after")


@pytest.mark.parametrize("after", [*BAD_CURSORS, cursor("o:x"), cursor("o:-1"), cursor("k:bo")])
async def test_a_bad_cursor_on_collaborators_is_bad_user_input(small_hub: Hub, after: str) -> None:
    query = 'query($after: String) { collaborators(personId: "Person:ana", after: $after) { totalCount } }'
    assert_bad_input(await small_hub.graphql(query, after=after), "after")


async def test_a_collaborators_cursor_is_not_a_list_cursor(small_hub: Hub) -> None:
    answer = await small_hub.graphql(
        '{ collaborators(personId: "Person:ana", first: 1) { pageInfo { endCursor } } }'
    )
    end = answer["data"]["collaborators"]["pageInfo"]["endCursor"]
    query = "query($after: String) { people(after: $after) { totalCount } }"
    assert_bad_input(await small_hub.graphql(query, after=end), "after")


# --- the document itself -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "query",
    [
        "{ reserves { edges { node { nope } } } }",
        "{ institutions(kind: PLANET) { totalCount } }",
        "{ reserves(first: 3000000000) { totalCount } }",
        "{ node { id } }",
        "{ reserves(planet: 1) { totalCount } }",
        "{ reserves { totalCount } reserves { totalCount: edges { cursor } } }",
    ],
)
async def test_a_validation_error_keeps_its_message(small_hub: Hub, query: str) -> None:
    # The message graphql-core's validation gives the same document, without the hub.
    expected = [e.message for e in validate(schema._schema, parse(query))]
    assert len(expected) == 1
    answer = await small_hub.graphql(query)
    error = only_error(answer)
    assert error["message"] == expected[0]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "locations" in error
    assert answer["data"] is None


async def test_a_syntax_error_is_a_parse_failure(small_hub: Hub) -> None:
    error = only_error(await small_hub.graphql("{ reserves "))
    assert error["message"].startswith("Syntax Error")
    assert error["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


async def test_errors_in_sibling_fields_are_each_reported(small_hub: Hub) -> None:
    answer = await small_hub.graphql(
        '{ a: node(id: "Reserve:nowhere") { id } b: node(id: "nope") { id } '
        'c: node(id: "Reserve:omana") { id } }'
    )
    codes = {e["path"][0]: e["extensions"]["code"] for e in answer["errors"]}
    assert codes == {"a": "NOT_FOUND", "b": "BAD_USER_INPUT"}
    assert answer["data"] == {"a": None, "b": None, "c": {"id": "Reserve:omana"}}


# --- personal data -------------------------------------------------------------------------------
async def test_email_is_refused_without_credentials(small_hub: Hub) -> None:
    """Person.email exists behind an access rule (tests/api/test_permissions.py has the roles)."""
    answer = await small_hub.graphql('{ node(id: "Person:ana") { ... on Person { name email } } }')
    assert answer["data"]["node"] == {"name": "Ana Núñez", "email": None}
    error = only_error(answer)
    assert error["path"] == ["node", "email"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "ana@example.org" not in json.dumps(answer)
    fields = await small_hub.graphql('{ __type(name: "Person") { fields { name } } }')
    names = {f["name"] for f in fields["data"]["__type"]["fields"]}
    assert "name" in names
    assert {n for n in names if "mail" in n.lower() or "phone" in n.lower()} == {"email"}


# Fields behind an access rule: asking for them anonymously is an error by design (see above).
_RULED = {"email"}


async def _selection(hub: Hub, type_name: str, depth: int) -> str:
    """Every field of a type (scalars, and connections down to `depth` levels), as a selection."""
    answer = await hub.graphql(
        """query($name: String!) { __type(name: $name) { fields { name
            type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }""",
        name=type_name,
    )
    parts = []
    for field in answer["data"]["__type"]["fields"]:
        t = field["type"]
        while t["kind"] in {"NON_NULL", "LIST"}:
            t = t["ofType"]
        if field["name"] in _RULED:
            continue
        if t["kind"] in {"SCALAR", "ENUM"}:
            parts.append(field["name"])
        elif t["kind"] == "OBJECT" and depth > 0:
            parts.append(f"{field['name']} {{ {await _selection(hub, t['name'], depth - 1)} }}")
    return " ".join(parts)


async def test_no_response_about_people_carries_an_email_address(small_hub: Hub) -> None:
    person = await _selection(small_hub, "Person", 4)  # Person -> connection -> edge -> node
    assert "email" not in person
    queries = [
        f'{{ node(id: "Person:ana") {{ ... on Person {{ {person} }} }} }}',
        f'{{ nodes(ids: ["Person:ana", "Person:bo"]) {{ ... on Person {{ {person} }} }} }}',
        f"{{ people(first: 100) {{ nodes {{ {person} }} }} }}",
        f'{{ people(text: "ana") {{ edges {{ node {{ {person} }} }} }} }}',
        f'{{ collaborators(personId: "Person:bo") {{ edges {{ node {{ {person} }} }} }} }}',
        f'{{ node(id: "Institution:uleon") {{ ... on Institution {{ people {{ nodes {{ {person} }} }} }} }} }}',
        f'{{ node(id: "Project:p-glacier") {{ ... on Project {{ participants {{ nodes {{ {person} }} }} }} }} }}',
    ]
    # Every field and connection, four levels down: far dearer than the hub's default cost limit
    # allows (schema/limits.py), so served by a hub over the same graph with room for it.
    async with run_server(small_hub.settings.with_(max_query_cost=10**9)) as roomy:
        answers = [await roomy.client.post("/graphql", json={"query": q}) for q in queries]
    for response in answers:
        assert response.status_code == 200
        assert "errors" not in response.json(), response.text
        assert '"Person:ana"' in response.text  # ana, who has an address, is in every answer
        assert "ana@example.org" not in response.text
        assert "example.org" not in response.text
        assert "mail" not in response.text.lower()


async def test_a_variable_of_the_wrong_type_is_bad_user_input_naming_it(small_hub: Hub) -> None:
    query = (
        "query($k: InstitutionKind, $n: Int) { institutions(kind: $k, first: $n) { totalCount } }"
    )
    for variables in ({"k": "university"}, {"n": "ten"}):
        answer = await small_hub.graphql(query, **variables)
        (error,) = answer["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", error
        assert f"${next(iter(variables))}" in error["message"]
