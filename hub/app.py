"""The Starlette application: /graphql (with offline GraphiQL), /healthz, /readyz.

Nothing connects at import: `create_app` builds routes and a lifespan, and the lifespan opens
the store. With an external database (Neo4j or FalkorDB) configured but unreachable the hub
still starts; /readyz says why it is not ready, queries answer UNAVAILABLE, and schema setup is
retried until the database answers.
"""

import asyncio
import contextlib
import functools
import json
import logging
import os
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, cast

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError
from graphql import OperationType as GraphQLOperationType
from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from graph.centrality import CentralityCache
from graph.errors import StoreError
from graph.store import Store
from hub.auth import Authenticator
from hub.explore import explore_routes
from hub.graphiql import graphiql_html, load_operations, vendor_routes
from hub.http_spec import (
    GRAPHQL_RESPONSE,
    JSON,
    PREFLIGHT_HEADERS,
    Refusal,
    TrustedDocuments,
    media_type,
    negotiate,
    operation_type,
    preflighted,
    refusal_response,
    request_error_status,
)
from hub.metrics import metrics
from hub.observability import Observe
from hub.ratelimit import (
    AddressRateLimit,
    RateLimiter,
    caller,
    limits_of,
    run_within_limits,
)
from hub.settings import Settings
from hub.stores import load_demo_if_empty, open_store
from schema import schema
from schema.context import Context
from schema.extensions import OperationRecord, record_operation
from schema.permissions import ANONYMOUS, Unauthenticated

log = logging.getLogger("hub")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


@dataclass(slots=True)
class HubState:
    settings: Settings
    store: Store
    centrality: CentralityCache = field(default_factory=CentralityCache)
    auth: Authenticator = field(default_factory=Authenticator)  # holds the verified-key cache
    limiter: RateLimiter = field(default_factory=RateLimiter)  # its buckets (hub/ratelimit.py)
    setup_error: str | None = None
    setup_task: asyncio.Task[None] | None = field(default=None, repr=False)


class RequestId:
    """Give each request an id (the client's X-Request-ID if sane), echoed in the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Any) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        await self.app(scope, receive, send_with_id)


class _SubResponse(Response):
    """Strawberry's per-request sub-response, knowing the media type the client accepts."""

    media = JSON


class HubGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with our per-request context and the offline GraphiQL page,
    speaking GraphQL over HTTP as the spec says (hub/http_spec.py)."""

    # The example operations (schema/operations/*.graphql), one GraphiQL tab each.
    examples: dict[str, str] | None = None
    # The production edge, set by create_app from the settings (hub/http_spec.py).
    csrf_check: bool = False
    trusted: TrustedDocuments | None = None
    max_batch: int = 10  # HUB_MAX_BATCH

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Negotiate the media type and refuse what must not run before anything is read or
        looked up; every refusal is a coded JSON error."""
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        media = negotiate(request.headers.get("accept"))
        request.state.media = media or JSON
        try:
            self._precheck(request, media)
            response = await self.run(request)
        except HTTPException as exc:
            response = refusal_response(exc, request.state.media)
        await response(scope, receive, send)

    def should_render_graphql_ide(self, request: Any) -> bool:
        # A GET naming a trusted document by hash has no `query`, and is no page request.
        named = any(request.query_params.get(name) for name in ("documentId", "extensions"))
        return not named and super().should_render_graphql_ide(request)

    def _precheck(self, request: Request, media: str | None) -> None:
        if self.should_render_graphql_ide(self.request_adapter_class(request)):
            return  # GraphiQL's page (404 when it is off)
        if media is None:
            raise Refusal(
                406, "NOT_ACCEPTABLE",
                f"/graphql answers {GRAPHQL_RESPONSE} or {JSON}: the Accept header allows neither",
            )  # fmt: skip
        if request.method not in ("GET", "POST"):  # HEAD: Starlette routes it with GET
            raise Refusal(
                405, "METHOD_NOT_ALLOWED", "/graphql takes GET and POST",
                headers={"Allow": "GET, POST"},
            )  # fmt: skip
        if request.method == "POST":
            content_type, params = parse_content_type(request.headers.get("content-type", ""))
            if content_type.lower() != JSON or params.get("charset", "utf-8").lower() != "utf-8":
                raise Refusal(
                    415, "UNSUPPORTED_MEDIA_TYPE",
                    "POST /graphql needs Content-Type: application/json (UTF-8)",
                    headers={"Accept-Post": JSON},
                )  # fmt: skip
        elif request.method == "GET":
            query = request.query_params.get("query")
            kind = (
                operation_type(query, request.query_params.get("operationName")) if query else None
            )
            if kind in (GraphQLOperationType.MUTATION, GraphQLOperationType.SUBSCRIPTION):
                raise _mutation_over_get()
            if self.csrf_check and not preflighted(request.headers, self.allowed_origins):
                raise Refusal(
                    400, "CSRF_PREFLIGHT_REQUIRED",
                    f"GET /graphql needs a {PREFLIGHT_HEADERS[0]} header (any non-empty value) "
                    "or an allowed Origin (HUB_CORS_ORIGINS); or POST with Content-Type: "
                    "application/json",
                )  # fmt: skip

    async def get_sub_response(self, request: Any) -> Response:
        sub_response = _SubResponse()
        sub_response.status_code = None  # type: ignore[assignment]
        del sub_response.headers["content-length"]
        sub_response.media = getattr(request.state, "media", JSON)
        return sub_response

    async def parse_http_body(
        self, request_adapter: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        data = await super().parse_http_body(request_adapter)
        if isinstance(data, list) and len(data) > self.max_batch:
            raise HTTPException(
                400, f"A batch holds at most {self.max_batch} operations, not {len(data)}"
            )
        items = data if isinstance(data, list) else [data]
        for item in items:
            if not isinstance(item.operation_name, str | None):
                raise HTTPException(
                    400, "The GraphQL operation's `operationName` must be a string or null."
                )
        if self.trusted is not None:
            document_ids = await _document_ids(request_adapter, len(items))
            for item, document_id in zip(items, document_ids, strict=True):
                item.query = self.trusted.resolve(item.query, item.extensions, document_id)
        return data

    async def execute_single(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        try:
            return await super().execute_single(*args, **kwargs)
        except HTTPException as exc:
            if isinstance(exc.__cause__, InvalidOperationTypeError):
                raise _mutation_over_get() from exc  # only GET restricts operation types
            raise

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        media = sub_response.media if isinstance(sub_response, _SubResponse) else JSON
        status, headers = 200, dict[str, str]()
        if media == GRAPHQL_RESPONSE and isinstance(response_data, dict):
            request_error = request_error_status(response_data)
            if request_error is not None:  # nothing ran: 4xx, and no `data` entry
                status, headers = request_error
                response_data = cast(
                    GraphQLHTTPResponse, {k: v for k, v in response_data.items() if k != "data"}
                )
        response = super().create_response(response_data, sub_response)
        response.status_code = sub_response.status_code or status
        response.headers["content-type"] = media_type(media)
        response.headers.update(headers)
        return response

    async def get_context(self, request: Any, response: Any = None) -> Context:
        hub: HubState = request.state.hub
        # Who is asking (hub/auth.py). A refused credential fails the whole request in
        # execute_operation below: never serve it as anonymous.
        viewer = ANONYMOUS
        try:
            viewer = await hub.auth.viewer(hub.store, request.headers.get("authorization"))
        except Unauthenticated as exc:
            request.state.refused = ("UNAUTHENTICATED", exc.message)
        except StoreError:
            request.state.refused = ("UNAVAILABLE", "the database cannot check credentials now")
        return Context(
            store=hub.store,
            request_id=request.state.request_id,
            max_page_size=hub.settings.max_page_size,
            centrality=hub.centrality,
            viewer=viewer,
            limits=limits_of(hub.settings),
            cost_budget=hub.limiter.budget(
                caller(viewer, getattr(request.state, "client_address", None))
            ),
        )

    async def execute_operation(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        refused: tuple[str, str] | None = getattr(request.state, "refused", None)
        if refused is None:
            hub: HubState = request.state.hub
            return await run_within_limits(
                functools.partial(super().execute_operation, request, *args, **kwargs),
                limiter=hub.limiter,
                timeout_ms=hub.settings.request_timeout_ms,
                viewer=kwargs["context"].viewer,
                batch=kwargs.get("request_data"),
                sub_response=kwargs.get("sub_response"),
            )
        code, message = refused
        record_operation(OperationRecord(codes=[code]))  # counted in /metrics, though not run
        result = ExecutionResult(
            data=None, errors=[GraphQLError(message, extensions={"code": code})]
        )
        batch = kwargs.get("request_data")
        return [result for _ in batch] if isinstance(batch, list) else result

    async def render_graphql_ide(self, request: Request) -> Response:
        hub: HubState = request.state.hub
        return HTMLResponse(graphiql_html(hub.settings.web_dir, examples=self.examples))


def _mutation_over_get() -> Refusal:
    return Refusal(
        405, "METHOD_NOT_ALLOWED", "mutations run only over POST", headers={"Allow": "POST"}
    )


async def _document_ids(request: AsyncHTTPRequestAdapter, count: int) -> list[object]:
    """Each operation's `documentId` (trusted documents named by hash, hub/http_spec.py)."""
    if request.method == "GET":
        return [request.query_params.get("documentId")]
    raw = json.loads(await request.get_body())  # parsed before, so valid JSON
    items = raw if isinstance(raw, list) else [raw]
    ids = [item.get("documentId") if isinstance(item, dict) else None for item in items]
    return ids if len(ids) == count else [None] * count


async def _setup_until_ready(hub: HubState) -> None:
    """Run schema setup, retrying while the database is unreachable."""
    delay = 0.5
    while True:
        try:
            await hub.store.setup()
            hub.setup_error = None
            return
        except StoreError as exc:
            hub.setup_error = str(exc)
            log.warning("database not ready (%s); retrying in %.1f s", exc, delay)
        await asyncio.sleep(delay)
        delay = min(delay * 2, 10.0)


async def healthz(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    hub: HubState = request.state.hub
    try:
        await asyncio.wait_for(hub.store.ping(), timeout=hub.settings.query_timeout_ms / 1000)
    except (StoreError, TimeoutError) as exc:
        cause = str(exc) or "the database did not answer in time"
        return JSONResponse({"status": "unavailable", "cause": cause}, status_code=503)
    if hub.setup_error is not None or (hub.setup_task is not None and not hub.setup_task.done()):
        cause = f"schema setup has not finished: {hub.setup_error or 'in progress'}"
        return JSONResponse({"status": "unavailable", "cause": cause}, status_code=503)
    return JSONResponse({"status": "ready", "backend": hub.store.backend})


async def home(_: Request) -> Response:
    return RedirectResponse("/graphql")


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_environ(os.environ)

    # One per application: centrality results outlive requests (see graph.centrality).
    centrality = CentralityCache(
        ttl_s=settings.centrality_ttl_s, exact_max_nodes=settings.centrality_exact_nodes
    )
    auth = Authenticator.from_settings(settings)  # one per application: its key cache too
    limiter = RateLimiter.from_settings(settings)  # one per application: its buckets too

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[dict[str, Any]]:
        async with open_store(settings) as opened:
            hub = HubState(
                settings=settings, store=opened.store, centrality=centrality, auth=auth,
                limiter=limiter,
            )  # fmt: skip
            if opened.embedded is None:  # an external database may not be up yet
                hub.setup_task = asyncio.create_task(_setup_until_ready(hub))
            else:
                await opened.store.setup()
                if opened.embedded is not None and settings.demo_on_empty:
                    report = await load_demo_if_empty(opened.store)
                    if report is not None:
                        log.info("demo data loaded: %s", report.created)
            try:
                yield {"hub": hub}
            finally:
                if hub.setup_task is not None:
                    hub.setup_task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await hub.setup_task

    graphql = HubGraphQL(
        schema,  # introspection off (HUB_INTROSPECTION): schema/limits.py, per request
        graphql_ide="graphiql" if settings.serve_graphiql else None,
        allowed_origins=settings.cors_origins,
    )
    graphql.examples = load_operations()
    graphql.csrf_check = settings.check_csrf
    graphql.max_batch = settings.max_batch
    if settings.trusted_documents:
        graphql.trusted = TrustedDocuments(graphql.examples.values())
    routes: list[BaseRoute] = [
        Route("/", home),
        Route("/graphql", graphql, methods=["GET", "POST"]),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics),
        *vendor_routes(settings.web_dir),
        *explore_routes(settings.web_dir, map_tile_url=settings.map_tile_url),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.add_middleware(AddressRateLimit, limiter=limiter)  # inside CORS: a 429 is readable
    if settings.cors_origins:  # inside RequestId: preflight answers carry a request id too
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID", *PREFLIGHT_HEADERS],
            expose_headers=["X-Request-ID", "Retry-After"],
            max_age=600,
        )
    app.add_middleware(Observe)  # logs and counts every request, with RequestId's id
    app.add_middleware(RequestId)
    if settings.trusted_proxies:  # outermost: all see the client a trusted proxy forwarded for
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies))
    return app
