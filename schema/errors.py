"""Errors clients see, each with a stable `extensions.code`.

    BAD_USER_INPUT   an argument is malformed or out of range (the message names it)
    NOT_FOUND        an id that was asked for does not exist
    CONFLICT         a write clashes with what is stored
    UNAVAILABLE      the database cannot answer now; `unknownOutcome` on writes that may have happened
                     (also when only reading a mutation's result failed: the write ran)
    INTERNAL_SERVER_ERROR   anything else: logged with the request id, masked for the client
    GRAPHQL_VALIDATION_FAILED / GRAPHQL_PARSE_FAILED   the document itself is wrong
                     (also a document over an abuse limit: `extensions.limit` is size, tokens,
                     depth, aliases, directives or cost, with `maximum`, and `actual` or `cost`;
                     see schema/limits.py)
    RATE_LIMITED     over a rate limit or the caller's query cost budget (HTTP 429 with a
                     Retry-After header; `extensions.limit`, `retryAfter` seconds; hub/ratelimit.py)
    TIMEOUT          the request took longer than HUB_REQUEST_TIMEOUT_MS (`timeoutMs`) and was
                     stopped, its database call cancelled (hub/ratelimit.py). Ask for less, or retry

All mapping from exceptions to codes happens in `CodedErrors`, in one place.
"""

import logging
from typing import Any

from graphql.error import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.types.graphql import OperationType

from graph.errors import Conflict, InvalidInput, NotFound, Unavailable

log = logging.getLogger("hub.errors")


class HubError(Exception):
    """A domain error raised by a resolver; its message is shown to the client as is."""

    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions = extensions


class BadUserInput(HubError):
    code = "BAD_USER_INPUT"

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(f"{argument}: {message}", argument=argument)


class NodeNotFound(HubError):
    code = "NOT_FOUND"


_STORE_CODES: dict[type[Exception], str] = {
    NotFound: "NOT_FOUND",
    Conflict: "CONFLICT",
    InvalidInput: "BAD_USER_INPUT",
    Unavailable: "UNAVAILABLE",
}


class CodedErrors(MaskErrors):
    """Give every error a code; mask and log the ones that are not ours."""

    def __init__(self) -> None:
        super().__init__(error_message="Internal server error")

    def _request_id(self) -> str | None:
        context = getattr(self.execution_context, "context", None)
        return getattr(context, "request_id", None)

    def _below_a_mutation(self, error: GraphQLError) -> bool:
        """An error in a field of a mutation's result: the mutation itself ran (its write may
        have happened) and only reading its answer failed, so the client must not take the
        error for a refusal."""
        if len(error.path or ()) < 2:
            return False
        try:
            return self.execution_context.operation_type is OperationType.MUTATION
        except RuntimeError:  # no document (never the case for an error with a path)
            return False

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return [self._coded(error) for error in errors]

    def _coded(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if original is None:
            # Parse and validation errors: the document is at fault; keep the message.
            code = (
                "GRAPHQL_PARSE_FAILED"
                if "Syntax Error" in error.message
                else "GRAPHQL_VALIDATION_FAILED"
            )
            error.extensions = {**(error.extensions or {}), "code": code}
            return error
        if error.path is None:
            # Not raised by a resolver: the request's variables could not be coerced (a bad enum
            # value, a string for an Int...). graphql-core's message names the variable.
            error.extensions = {**(error.extensions or {}), "code": "BAD_USER_INPUT"}
            return error
        if isinstance(original, HubError):
            error.extensions = {"code": original.code, **original.extensions}
            return error
        for kind, code in _STORE_CODES.items():
            if isinstance(original, kind):
                extensions: dict[str, Any] = {"code": code}
                message = str(original)
                if isinstance(original, Unavailable):
                    message = f"The database is unavailable: {original}. Try again shortly."
                    if original.unknown_outcome or self._below_a_mutation(error):
                        extensions["unknownOutcome"] = True
                return GraphQLError(
                    message, nodes=error.nodes, source=error.source, positions=error.positions,
                    path=error.path, original_error=None, extensions=extensions,
                )  # fmt: skip
        request_id = self._request_id()
        log.error(
            "internal error in %s (request %s)", ".".join(map(str, error.path or [])) or "request",
            request_id, exc_info=original,
        )  # fmt: skip
        masked = self.anonymise_error(error)
        masked.extensions = {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
        return masked
