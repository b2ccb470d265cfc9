"""The Starlette application: /graphql (with offline GraphiQL), /healthz, /readyz.

Nothing connects at import: `create_app` builds routes and a lifespan, and the lifespan opens
the store. With an external database (Neo4j or FalkorDB) configured but unreachable the hub
still starts; /readyz says why it is not ready, queries answer UNAVAILABLE, and schema setup is
retried until the database answers.
"""

import asyncio
import contextlib
import logging
import os
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.types import ExecutionResult

from graph.centrality import CentralityCache
from graph.errors import StoreError
from graph.store import Store
from hub.auth import Authenticator
from hub.explore import explore_routes
from hub.graphiql import graphiql_html, load_operations, vendor_routes
from hub.settings import Settings
from hub.stores import load_demo_if_empty, open_store
from schema import schema
from schema.context import Context
from schema.permissions import ANONYMOUS, Unauthenticated

log = logging.getLogger("hub")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


@dataclass(slots=True)
class HubState:
    settings: Settings
    store: Store
    centrality: CentralityCache = field(default_factory=CentralityCache)
    auth: Authenticator = field(default_factory=Authenticator)  # holds the verified-key cache
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


class HubGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with our per-request context and the offline GraphiQL page."""

    # The example operations (schema/operations/*.graphql), one GraphiQL tab each.
    examples: dict[str, str] | None = None

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
        )

    async def execute_operation(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        refused: tuple[str, str] | None = getattr(request.state, "refused", None)
        if refused is None:
            return await super().execute_operation(request, *args, **kwargs)
        code, message = refused
        result = ExecutionResult(
            data=None, errors=[GraphQLError(message, extensions={"code": code})]
        )
        batch = kwargs.get("request_data")
        return [result for _ in batch] if isinstance(batch, list) else result

    async def render_graphql_ide(self, request: Request) -> Response:
        hub: HubState = request.state.hub
        return HTMLResponse(graphiql_html(hub.settings.web_dir, examples=self.examples))


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

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[dict[str, Any]]:
        async with open_store(settings) as opened:
            hub = HubState(settings=settings, store=opened.store, centrality=centrality, auth=auth)
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

    graphql = HubGraphQL(schema, graphql_ide="graphiql" if settings.graphiql else None)
    graphql.examples = load_operations()
    routes: list[BaseRoute] = [
        Route("/", home),
        Route("/graphql", graphql, methods=["GET", "POST"]),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        *vendor_routes(settings.web_dir),
        *explore_routes(settings.web_dir, map_tile_url=settings.map_tile_url),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.add_middleware(RequestId)
    return app
