"""GraphQL over HTTP as the current spec says, and the production edge of /graphql.

Strawberry 0.341 answers every result as `application/json` with 200, refuses a mutation over GET
with 400 and any body that is not JSON with 400. HubGraphQL (hub/app.py) fills the gaps with the
pieces here, through the view's hooks:

Media types (the `Accept` header, q-values respected):
    application/graphql-response+json   request errors (the document does not parse or validate,
                                        the variables do not coerce, the credential is refused,
                                        the document is not trusted) answer 4xx without a `data`
                                        entry; execution results (field errors included) 200.
    application/json                    kept for older clients: always 200 with `errors`, as before.
    no Accept, or */*                   application/json.
    nothing we can produce              406.
Requests: POST needs `Content-Type: application/json` (else 415; refusing the "simple" types of
HTML forms is also what makes POST safe from CSRF); a mutation over GET is 405 with `Allow: POST`;
a malformed body or parameter (`query`, `variables`, `extensions`, `operationName` of the wrong
type) 400. Refusals are JSON too: `{"errors": [{"message", "extensions": {"code"}}]}`.

CSRF (HUB_CSRF_CHECK, on by default in production): a GET runs only with a non-empty
`GraphQL-Require-Preflight` (or `Apollo-Require-Preflight`) header, or from an Origin listed in
HUB_CORS_ORIGINS. A browser's simple cross-site GET carries neither, and a page cannot add the
header without a CORS preflight, which only the listed origins pass.

Trusted documents (HUB_TRUSTED_DOCUMENTS): only the operations of schema/operations/ run. A request
names one by its full text, or by hash without the text: `documentId` ("sha256:<hex>" or "<hex>")
or `extensions.persistedQuery.sha256Hash` (Apollo's persisted-query shape). The hash is the
SHA-256 (hex) of the file's text without surrounding whitespace (the same text with one final
newline is accepted too). An unknown hash answers PERSISTED_QUERY_NOT_FOUND, any other text
FORBIDDEN; with application/graphql-response+json these are 400 and 403.
"""

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from cross_web import HTTPException
from graphql import GraphQLError, OperationType, get_operation_ast, parse
from starlette.responses import Response

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
PREFLIGHT_HEADERS = ("graphql-require-preflight", "apollo-require-preflight")

# Status of a request error (no `data`) answered as application/graphql-response+json.
_REQUEST_ERROR_STATUS = {
    "UNAUTHENTICATED": 401,
    "FORBIDDEN": 403,
    "RATE_LIMITED": 429,
    "INTERNAL_SERVER_ERROR": 500,
    "UNAVAILABLE": 503,
}
_HTTP_CODES = {
    400: "BAD_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    415: "UNSUPPORTED_MEDIA_TYPE",
}


class Refusal(HTTPException):
    """A request the hub will not run, answered with a coded JSON error.

    `graphql=True` marks a GraphQL request error (an untrusted document): application/json
    clients get it with 200, as they get parse and validation errors.
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
        graphql: bool = False,
    ) -> None:
        super().__init__(status, message)
        self.code = code
        self.headers = dict(headers or {})
        self.graphql = graphql


def negotiate(accept: str | None) -> str | None:
    """The media type to answer in, for this Accept header; None when we can produce nothing.

    The highest q wins; on a tie an exact media range beats a wildcard, and between two exact
    ones application/graphql-response+json (the spec's preferred type) wins.
    """
    if accept is None or not accept.strip():
        return JSON
    best: dict[str, tuple[int, float]] = {}  # media -> (specificity of its range, q)
    for part in accept.split(","):
        fields = part.split(";")
        media_range = fields[0].strip().lower()
        if not media_range:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        for media in (GRAPHQL_RESPONSE, JSON):
            specificity = _specificity(media_range, media)
            if specificity > best.get(media, (0, 0.0))[0]:
                best[media] = (specificity, q)
    ranked = sorted(
        ((q, specificity, media == GRAPHQL_RESPONSE if specificity == 3 else media == JSON, media)
         for media, (specificity, q) in best.items() if q > 0),
        reverse=True,
    )  # fmt: skip
    return ranked[0][3] if ranked else None


def _specificity(media_range: str, media: str) -> int:
    if media_range == media:
        return 3
    if media_range == "application/*":
        return 2
    if media_range == "*/*":
        return 1
    return 0


def error_body(message: str, code: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


def media_type(media: str) -> str:
    return f"{media}; charset=utf-8"


def refusal_response(exc: HTTPException, media: str) -> Response:
    """A refusal (ours or strawberry's) as a coded GraphQL-shaped JSON error."""
    if isinstance(exc, Refusal):
        code, headers = exc.code, exc.headers
        status = 200 if exc.graphql and media == JSON else exc.status_code
    else:
        code, headers, status = _HTTP_CODES.get(exc.status_code, "BAD_REQUEST"), {}, exc.status_code
    return Response(
        json.dumps(error_body(exc.reason, code)),
        status_code=status,
        media_type=media_type(media),
        headers=headers,
    )


def request_error_status(response_data: Mapping[str, Any]) -> tuple[int, dict[str, str]] | None:
    """For a GraphQL request error (no data, no error with a path: nothing was executed), the
    HTTP status and headers to answer it with as application/graphql-response+json."""
    errors = response_data.get("errors")
    if response_data.get("data") is not None or not errors:
        return None
    if any(isinstance(error, Mapping) and error.get("path") for error in errors):
        return None  # a field error: execution happened
    first = errors[0] if isinstance(errors[0], Mapping) else {}
    code = (first.get("extensions") or {}).get("code")
    status = _REQUEST_ERROR_STATUS.get(code, 400) if isinstance(code, str) else 400
    return status, ({"WWW-Authenticate": "Bearer"} if status == 401 else {})


def operation_type(query: str, operation_name: str | None) -> OperationType | None:
    """The type of the operation a GET would run; None when the document does not say (it does
    not parse, or names no single operation): execution then reports why."""
    try:
        operation = get_operation_ast(parse(query), operation_name)
    except GraphQLError:
        return None
    return operation.operation if operation is not None else None


def preflighted(headers: Mapping[str, str], allowed_origins: Iterable[str]) -> bool:
    """True when a GET cannot be a browser's simple cross-site request (CSRF)."""
    if any(headers.get(name, "").strip() for name in PREFLIGHT_HEADERS):
        return True
    origin = headers.get("origin")
    return origin is not None and origin in set(allowed_origins)


def document_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class TrustedDocuments:
    """The operations allowed to run when HUB_TRUSTED_DOCUMENTS is on, by SHA-256."""

    def __init__(self, documents: Iterable[str]) -> None:
        self._by_hash: dict[str, str] = {}
        for text in documents:
            stripped = text.strip()
            self._by_hash[document_hash(stripped)] = stripped
            self._by_hash[document_hash(stripped + "\n")] = stripped

    def resolve(
        self, query: str | None, extensions: Mapping[str, Any] | None, document_id: object
    ) -> str | None:
        """The text to run; raises Refusal for anything that is not a trusted document."""
        wanted = _wanted_hash(extensions, document_id)
        if wanted is not None:
            text = self._by_hash.get(wanted)
            if text is None:
                raise Refusal(
                    400, "PERSISTED_QUERY_NOT_FOUND",
                    f"no trusted document has the hash {wanted}: this hub runs only the "
                    "operations of schema/operations/", graphql=True,
                )  # fmt: skip
            if query is not None and query.strip() != text:
                raise Refusal(
                    400, "BAD_REQUEST", "the query's text does not match its hash", graphql=True
                )
            return text
        if query is None:
            return None  # nothing asked: strawberry answers 400 "No GraphQL query found"
        text = self._by_hash.get(document_hash(query.strip()))
        if text is None:
            raise Refusal(
                403, "FORBIDDEN",
                "only trusted documents run on this hub (HUB_TRUSTED_DOCUMENTS): this document "
                "is not one of schema/operations/", graphql=True,
            )  # fmt: skip
        return text


def _wanted_hash(extensions: Mapping[str, Any] | None, document_id: object) -> str | None:
    if document_id is not None:
        if not isinstance(document_id, str) or not document_id:
            raise Refusal(400, "BAD_REQUEST", "documentId must be a string")
        algorithm, _, digest = document_id.rpartition(":")
        if algorithm not in ("", "sha256"):
            raise Refusal(400, "BAD_REQUEST", "documentId must be sha256:<hex>")
        return digest.lower()
    persisted = (extensions or {}).get("persistedQuery")
    if persisted is None:
        return None
    sha256 = persisted.get("sha256Hash") if isinstance(persisted, Mapping) else None
    if not isinstance(sha256, str) or not sha256:
        raise Refusal(400, "BAD_REQUEST", "extensions.persistedQuery.sha256Hash must be a string")
    return sha256.lower()
