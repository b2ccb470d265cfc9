"""GraphQL over HTTP (status codes, media types) and the production edge: introspection and
GraphiQL off, masked internal errors, CORS, CSRF on GET, trusted documents, default secrets."""

import hashlib
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from conftest import Hub, hub_over, hub_settings, load_file, new_falkor_store, run_server

from hub.embedded import Endpoint
from hub.graphiql import OPERATIONS_DIR
from hub.http_spec import negotiate
from hub.settings import Settings, SettingsError

GRAPHQL_RESPONSE = "application/graphql-response+json"
MODERN = {"Accept": GRAPHQL_RESPONSE}
LEGACY = {"Accept": "application/json"}
PARTNER = "https://partner.example.org"
NODE = "query($id: ID!) { node(id: $id) { id } }"
TRUSTED_FILE = OPERATIONS_DIR / "01_ReservesInCountry.graphql"
TRUSTED_VARIABLES = {"country": "ES", "theme": None}


async def post(hub: Hub, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return await hub.client.post("/graphql", json=body, headers=headers or {})


def media(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0].strip()


def codes(answer: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in answer.get("errors", [])]


# --- media types and status codes ----------------------------------------------------------------
async def test_graphql_response_json_is_answered_in_kind_with_200(small_hub: Hub) -> None:
    response = await post(small_hub, {"query": "{ __typename }"}, MODERN)
    assert response.status_code == 200
    assert media(response) == GRAPHQL_RESPONSE
    assert "charset=utf-8" in response.headers["content-type"]
    assert response.json()["data"] == {"__typename": "Query"}


@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        ("{ node(id: ", None, "GRAPHQL_PARSE_FAILED"),
        ("{ noSuchField }", None, "GRAPHQL_VALIDATION_FAILED"),
        (NODE, {"id": None}, "BAD_USER_INPUT"),  # variable coercion: nothing runs
    ],
)
async def test_a_request_error_is_400_without_data_in_graphql_response_json(
    small_hub: Hub, query: str, variables: dict[str, Any] | None, code: str
) -> None:
    response = await post(small_hub, {"query": query, "variables": variables}, MODERN)
    assert response.status_code == 400
    assert media(response) == GRAPHQL_RESPONSE
    answer = response.json()
    assert "data" not in answer
    assert codes(answer) == [code]


@pytest.mark.parametrize(
    "query", ["{ node(id: ", "{ noSuchField }", "query($x: Int!) { __typename }"]
)
async def test_a_request_error_is_200_with_errors_in_application_json(
    small_hub: Hub, query: str
) -> None:
    response = await post(small_hub, {"query": query}, LEGACY)
    assert response.status_code == 200
    assert media(response) == "application/json"
    assert response.json()["errors"]


async def test_a_field_error_is_200_with_data_in_graphql_response_json(small_hub: Hub) -> None:
    body = {"query": NODE, "variables": {"id": "Reserve:nowhere"}}
    response = await post(small_hub, body, MODERN)
    assert response.status_code == 200  # execution happened: the error has a path
    answer = response.json()
    assert answer["data"] == {"node": None}
    assert codes(answer) == ["NOT_FOUND"]


async def test_a_refused_credential_is_401_in_graphql_response_json_and_200_in_json(
    small_hub: Hub,
) -> None:
    bad = {"Authorization": "Bearer hub_0000000000000000_" + "x" * 43}
    modern = await post(small_hub, {"query": "{ __typename }"}, {**MODERN, **bad})
    assert modern.status_code == 401
    assert modern.headers["www-authenticate"] == "Bearer"
    assert codes(modern.json()) == ["UNAUTHENTICATED"] and "data" not in modern.json()
    legacy = await post(small_hub, {"query": "{ __typename }"}, {**LEGACY, **bad})
    assert legacy.status_code == 200
    assert codes(legacy.json()) == ["UNAUTHENTICATED"]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("application/*", "application/json"),
        ("application/json", "application/json"),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE}, application/json;q=0.9", GRAPHQL_RESPONSE),
        (f"application/json, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),
        (f"application/json, {GRAPHQL_RESPONSE};q=0.5", "application/json"),
        (f"text/html, {GRAPHQL_RESPONSE};q=0.9, */*;q=0.8", GRAPHQL_RESPONSE),
    ],
)
async def test_the_answer_takes_the_media_type_the_client_prefers(
    small_hub: Hub, accept: str | None, expected: str
) -> None:
    response = await post(
        small_hub, {"query": "{ __typename }"}, {"Accept": accept} if accept else {}
    )
    assert response.status_code == 200
    assert media(response) == expected
    assert negotiate(accept) == expected


@pytest.mark.parametrize(
    "accept", ["text/html", "text/plain", "application/xml", "application/json;q=0"]
)
async def test_an_accept_header_allowing_nothing_we_produce_is_406(
    small_hub: Hub, accept: str
) -> None:
    response = await post(small_hub, {"query": "{ __typename }"}, {"Accept": accept})
    assert response.status_code == 406
    assert codes(response.json()) == ["NOT_ACCEPTABLE"]


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "text/plain;charset=UTF-8",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/graphql",
        "application/json; charset=latin-1",
    ],
)
async def test_a_post_that_is_not_json_is_415(small_hub: Hub, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = await small_hub.client.post(
        "/graphql", content=b'{"query": "{ __typename }"}', headers=headers
    )
    assert response.status_code == 415
    assert codes(response.json()) == ["UNSUPPORTED_MEDIA_TYPE"]
    assert response.headers["accept-post"] == "application/json"


async def test_json_with_a_utf8_charset_is_accepted(small_hub: Hub) -> None:
    response = await small_hub.client.post(
        "/graphql",
        content=b'{"query": "{ __typename }"}',
        headers={"Content-Type": "application/json; charset=UTF-8"},
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b'{"query": "{ __typename }"',
        b'{"notquery": "{ __typename }"}',
        b'{"query": 7}',
        b'{"query": "{ __typename }", "variables": "x"}',
        b'{"query": "{ __typename }", "extensions": [1]}',
        b'{"query": "{ __typename }", "operationName": 7}',
        b'{"query": "{ __typename }", "operationName": {"a": 1}}',
    ],
)
async def test_a_malformed_request_is_400_with_a_coded_error(small_hub: Hub, body: bytes) -> None:
    for accept in (LEGACY, MODERN):
        response = await small_hub.client.post(
            "/graphql", content=body, headers={"Content-Type": "application/json", **accept}
        )
        assert response.status_code == 400, (body, accept)
        assert codes(response.json()) == ["BAD_REQUEST"]


@pytest.mark.parametrize(
    "params",
    [
        {"query": "mutation { __typename }"},
        {"query": "query A { __typename } mutation B { __typename }", "operationName": "B"},
    ],
)
async def test_a_mutation_over_get_is_405_allowing_post(
    small_hub: Hub, params: dict[str, str]
) -> None:
    for accept in (LEGACY, MODERN):
        response = await small_hub.client.get("/graphql", params=params, headers=accept)
        assert response.status_code == 405
        assert response.headers["allow"] == "POST"
        assert codes(response.json()) == ["METHOD_NOT_ALLOWED"]


async def test_a_query_over_get_is_answered_in_graphql_response_json(small_hub: Hub) -> None:
    params = {"query": "query A { __typename } mutation B { __typename }", "operationName": "A"}
    response = await small_hub.client.get("/graphql", params=params, headers=MODERN)
    assert response.status_code == 200
    assert response.json()["data"] == {"__typename": "Query"}


async def test_other_methods_are_405(small_hub: Hub) -> None:
    head = await small_hub.client.head("/graphql", params={"query": "{ __typename }"})
    assert head.status_code == 405
    assert head.headers["allow"] == "GET, POST"
    for method in ("PUT", "DELETE", "PATCH"):
        response = await small_hub.client.request(
            method, "/graphql", json={"query": "{ __typename }"}
        )
        assert response.status_code == 405, method
        assert "POST" in response.headers["allow"]


async def test_development_serves_graphiql_introspection_and_gets_without_a_header(
    small_hub: Hub,
) -> None:
    page = await small_hub.client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and media(page) == "text/html"
    answer = (await post(small_hub, {"query": "{ __schema { queryType { name } } }"})).json()
    assert answer["data"] == {"__schema": {"queryType": {"name": "Query"}}}
    response = await small_hub.client.get("/graphql", params={"query": "{ __typename }"})
    assert response.status_code == 200


# --- production ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
async def production_hub(falkordb_endpoint: Endpoint) -> AsyncIterator[Hub]:
    async with hub_over(
        falkordb_endpoint, "small.jsonl", env="production", cors_origins=(PARTNER,)
    ) as hub:
        yield hub


async def test_production_refuses_introspection_keeping_the_message(production_hub: Hub) -> None:
    for query in ("{ __schema { types { name } } }", '{ __type(name: "Reserve") { name } }'):
        for accept, status in ((LEGACY, 200), (MODERN, 400)):
            response = await post(production_hub, {"query": query}, accept)
            assert response.status_code == status
            errors = response.json()["errors"]
            assert {error["extensions"]["code"] for error in errors} == {
                "GRAPHQL_VALIDATION_FAILED"
            }
            assert "introspection has been disabled" in errors[0]["message"]
    answer = (await post(production_hub, {"query": "{ __typename }"})).json()
    assert answer["data"] == {"__typename": "Query"}  # __typename is not introspection


async def test_production_keeps_validation_and_domain_messages(production_hub: Hub) -> None:
    answer = (await post(production_hub, {"query": "{ reserves { noSuchField } }"})).json()
    (error,) = answer["errors"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "noSuchField" in error["message"]
    answer = (await post(production_hub, {"query": NODE, "variables": {"id": "nope"}})).json()
    (error,) = answer["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith("id:")


async def test_production_serves_no_graphiql(production_hub: Hub) -> None:
    response = await production_hub.client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "graphiql" not in response.text.lower()


async def test_production_masks_an_internal_error_with_the_request_id(
    falkordb_endpoint: Endpoint,
) -> None:
    graph = f"t_{uuid.uuid4().hex}"
    store = new_falkor_store(falkordb_endpoint, graph)
    await store.setup()
    try:
        await load_file(store, "small.jsonl")
        # A value the importer would refuse, written behind its back: reading it fails inside.
        await store._write(  # type: ignore[attr-defined]
            "MATCH (r:Reserve {id: 'ordino'}) SET r.designation_year = 'not a year'", {}
        )
        settings = hub_settings(falkordb_endpoint, graph, env="production")
        async with run_server(settings) as hub:
            query = '{ node(id: "Reserve:ordino") { ... on Reserve { designationYear } } }'
            response = await hub.client.post(
                "/graphql", json={"query": query}, headers={"X-Request-ID": "req-mask-1"}
            )
    finally:
        await store.drop()
        await store.close()
    (error,) = response.json()["errors"]
    assert error["message"] == "Internal server error"
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-mask-1"}
    assert "not a year" not in response.text


async def test_cors_headers_go_to_an_allowed_origin_only(production_hub: Hub) -> None:
    body = {"query": "{ __typename }"}
    allowed = await post(production_hub, body, {"Origin": PARTNER})
    assert allowed.headers["access-control-allow-origin"] == PARTNER
    other = await post(production_hub, body, {"Origin": "https://evil.example.com"})
    assert other.status_code == 200  # not a browser: the answer is there, without CORS headers
    assert "access-control-allow-origin" not in other.headers
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, authorization",
    }
    ok = await production_hub.client.options("/graphql", headers={"Origin": PARTNER, **preflight})
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == PARTNER
    assert "authorization" in ok.headers["access-control-allow-headers"].lower()
    refused = await production_hub.client.options(
        "/graphql", headers={"Origin": "https://evil.example.com", **preflight}
    )
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers


async def test_no_cors_headers_without_configured_origins(small_hub: Hub) -> None:
    response = await post(small_hub, {"query": "{ __typename }"}, {"Origin": PARTNER})
    assert "access-control-allow-origin" not in response.headers


async def test_production_refuses_a_get_without_the_preflight_header(production_hub: Hub) -> None:
    params = {"query": "{ __typename }"}
    for headers in ({}, {"Origin": "https://evil.example.com"}, {"GraphQL-Require-Preflight": ""}):
        response = await production_hub.client.get("/graphql", params=params, headers=headers)
        assert response.status_code == 400, headers
        assert codes(response.json()) == ["CSRF_PREFLIGHT_REQUIRED"]


@pytest.mark.parametrize(
    "headers",
    [{"GraphQL-Require-Preflight": "1"}, {"Apollo-Require-Preflight": "true"}, {"Origin": PARTNER}],
)
async def test_production_runs_a_get_with_the_header_or_from_an_allowed_origin(
    production_hub: Hub, headers: dict[str, str]
) -> None:
    response = await production_hub.client.get(
        "/graphql", params={"query": "{ __typename }"}, headers=headers
    )
    assert response.status_code == 200
    assert response.json()["data"] == {"__typename": "Query"}


async def test_production_answers_a_mutation_over_get_with_405_header_or_not(
    production_hub: Hub,
) -> None:
    for headers in ({}, {"GraphQL-Require-Preflight": "1"}):
        response = await production_hub.client.get(
            "/graphql", params={"query": "mutation { __typename }"}, headers=headers
        )
        assert response.status_code == 405
        assert response.headers["allow"] == "POST"


async def test_production_posts_need_no_preflight_header(production_hub: Hub) -> None:
    response = await post(production_hub, {"query": "{ __typename }"})
    assert response.status_code == 200


async def test_the_csrf_check_can_be_switched_on_in_development(
    falkordb_endpoint: Endpoint,
) -> None:
    async with hub_over(falkordb_endpoint, csrf_check=True) as hub:
        refused = await hub.client.get("/graphql", params={"query": "{ __typename }"})
        assert refused.status_code == 400
        page = await hub.client.get("/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 200  # GraphiQL's page, whose queries are POSTs


# --- trusted documents ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
async def trusted_hub(falkordb_endpoint: Endpoint) -> AsyncIterator[Hub]:
    async with hub_over(
        falkordb_endpoint, "small.jsonl", env="production", trusted_documents=True
    ) as hub:
        yield hub


def _reserve_keys(answer: dict[str, Any]) -> list[str]:
    return sorted(edge["node"]["id"] for edge in answer["data"]["reserves"]["edges"])


async def test_a_trusted_document_runs_by_its_text(trusted_hub: Hub) -> None:
    text = TRUSTED_FILE.read_text(encoding="utf-8")
    for sent in (text, text.strip(), f"\n{text}\n\n"):
        response = await post(trusted_hub, {"query": sent, "variables": TRUSTED_VARIABLES})
        assert response.status_code == 200
        assert _reserve_keys(response.json()) == ["Reserve:omana", "Reserve:sierra"]


async def test_a_trusted_document_runs_by_its_hash_alone(trusted_hub: Hub) -> None:
    digest = hashlib.sha256(TRUSTED_FILE.read_text(encoding="utf-8").strip().encode()).hexdigest()
    for extra in (
        {"documentId": f"sha256:{digest}"},
        {"documentId": digest},
        {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}},
    ):
        answer = (await post(trusted_hub, {"variables": TRUSTED_VARIABLES, **extra})).json()
        assert _reserve_keys(answer) == ["Reserve:omana", "Reserve:sierra"], extra
    params = {"documentId": f"sha256:{digest}", "variables": json.dumps(TRUSTED_VARIABLES)}
    response = await trusted_hub.client.get(
        "/graphql", params=params, headers={"GraphQL-Require-Preflight": "1"}
    )
    assert _reserve_keys(response.json()) == ["Reserve:omana", "Reserve:sierra"]


async def test_any_other_document_is_refused(trusted_hub: Hub) -> None:
    for accept, status in ((LEGACY, 200), (MODERN, 403)):
        response = await post(trusted_hub, {"query": "{ __typename }"}, accept)
        assert response.status_code == status
        answer = response.json()
        assert codes(answer) == ["FORBIDDEN"] and "data" not in answer
        assert "trusted documents" in answer["errors"][0]["message"]


async def test_an_unknown_hash_is_persisted_query_not_found(trusted_hub: Hub) -> None:
    unknown = hashlib.sha256(b"{ __typename }").hexdigest()
    for body in (
        {"documentId": f"sha256:{unknown}"},
        {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": unknown}}},
    ):
        for accept, status in ((LEGACY, 200), (MODERN, 400)):
            response = await post(trusted_hub, body, accept)
            assert response.status_code == status
            assert codes(response.json()) == ["PERSISTED_QUERY_NOT_FOUND"]


async def test_a_hash_with_another_text_is_refused(trusted_hub: Hub) -> None:
    digest = hashlib.sha256(TRUSTED_FILE.read_text(encoding="utf-8").strip().encode()).hexdigest()
    body = {"documentId": digest, "query": "{ __typename }"}
    assert codes((await post(trusted_hub, body)).json()) == ["BAD_REQUEST"]


# --- settings ------------------------------------------------------------------------------------
def test_production_defaults_close_the_edge_and_development_opens_it() -> None:
    production = Settings.from_environ({"HUB_ENV": "production"})
    assert not production.serve_graphiql and not production.allow_introspection
    assert production.check_csrf and not production.trusted_documents
    assert production.cors_origins == ()
    development = Settings.from_environ({})
    assert development.serve_graphiql and development.allow_introspection
    assert not development.check_csrf


def test_each_production_default_can_be_overridden() -> None:
    settings = Settings.from_environ(
        {"HUB_ENV": "production", "HUB_GRAPHIQL": "true", "HUB_INTROSPECTION": "true",
         "HUB_CSRF_CHECK": "false", "HUB_TRUSTED_DOCUMENTS": "true",
         "HUB_CORS_ORIGINS": "https://A.example.org:443, http://localhost:5173/,https://a.example.org"}
    )  # fmt: skip
    assert settings.serve_graphiql and settings.allow_introspection and not settings.check_csrf
    assert settings.trusted_documents
    assert settings.cors_origins == ("https://a.example.org", "http://localhost:5173")


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"HUB_CORS_ORIGINS": "*"}, "HUB_CORS_ORIGINS"),
        ({"HUB_CORS_ORIGINS": "https://a.example.org/app"}, "HUB_CORS_ORIGINS"),
        ({"HUB_CORS_ORIGINS": "partner.example.org"}, "HUB_CORS_ORIGINS"),
        ({"HUB_INTROSPECTION": "sometimes"}, "HUB_INTROSPECTION"),
        ({"HUB_CSRF_CHECK": "2"}, "HUB_CSRF_CHECK"),
        ({"HUB_TRUSTED_DOCUMENTS": "all"}, "HUB_TRUSTED_DOCUMENTS"),
    ],
)
def test_a_bad_edge_setting_is_refused_naming_it(environ: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        Settings.from_environ(environ)


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"HUB_JWT_SECRET": "changeme-changeme-changeme-changeme"}, "HUB_JWT_SECRET"),
        ({"HUB_JWT_SECRET": "x" * 40}, "HUB_JWT_SECRET"),
        ({"HUB_NEO4J_URI": "bolt://db:7687", "HUB_NEO4J_PASSWORD": "neo4j"}, "HUB_NEO4J_PASSWORD"),
    ],
)
def test_production_refuses_placeholder_secrets_that_development_accepts(
    environ: dict[str, str], named: str
) -> None:
    Settings.from_environ(environ)  # development takes them
    with pytest.raises(SettingsError, match=named):
        Settings.from_environ({**environ, "HUB_ENV": "production"})


def test_production_accepts_a_random_secret() -> None:
    secret = "Zx8q-3vLr_Pm9TwK2yNb7HcA4dFgJ6sE1uQo"
    settings = Settings.from_environ({"HUB_ENV": "production", "HUB_JWT_SECRET": secret})
    assert str(settings.jwt_secret) == secret
