"""GraphiQL served without internet access.

Strawberry's GraphiQL page loads React, js-cookie, GraphiQL and the explorer plugin
from unpkg. The hub serves the same pinned files from ``web/node_modules`` (installed
by ``npm ci`` in ``web/``, versions pinned in ``web/package.json``) under ``/vendor/``,
and rewrites the page to point there. The page's ``integrity`` attributes are kept, so
the browser still checks that the local files are byte-for-byte the published ones.

URLs under ``/vendor/`` mirror unpkg's (``/vendor/graphiql@3.8.3/graphiql.min.js``), so
they carry the package version and can be cached for a long time.

Wiring, in the app::

    class HubGraphQL(strawberry.asgi.GraphQL[Context, None]):
        async def render_graphql_ide(self, request: Request) -> Response:
            return HTMLResponse(graphiql_html(WEB_DIR))

    routes = [*vendor_routes(WEB_DIR), Route("/graphql", HubGraphQL(schema)), ...]
"""

from __future__ import annotations

import json
import logging
import pathlib
import re
from html import escape

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from strawberry.http.ides import get_graphql_ide_html

__all__ = [
    "CACHE_CONTROL",
    "OPERATIONS_DIR",
    "VENDOR_FILES",
    "VENDOR_PREFIX",
    "graphiql_html",
    "load_operations",
    "missing_vendor_files",
    "vendor_routes",
]

logger = logging.getLogger(__name__)

VENDOR_PREFIX = "/vendor/"
UNPKG_PREFIX = "https://unpkg.com/"

# URL path under /vendor/ (the same as the path under https://unpkg.com/ in Strawberry's
# page) -> path relative to web/node_modules. Versions must match web/package.json.
VENDOR_FILES: dict[str, str] = {
    "react@18.2.0/umd/react.production.min.js": "react/umd/react.production.min.js",
    "react-dom@18.2.0/umd/react-dom.production.min.js": (
        "react-dom/umd/react-dom.production.min.js"
    ),
    "js-cookie@3.0.5/dist/js.cookie.min.js": "js-cookie/dist/js.cookie.min.js",
    "graphiql@3.8.3/graphiql.min.css": "graphiql/graphiql.min.css",
    "graphiql@3.8.3/graphiql.min.js": "graphiql/graphiql.min.js",
    "@graphiql/plugin-explorer@1.0.2/dist/style.css": "@graphiql/plugin-explorer/dist/style.css",
    "@graphiql/plugin-explorer@1.0.2/dist/index.umd.js": (
        "@graphiql/plugin-explorer/dist/index.umd.js"
    ),
}

# The files are versioned by their URL, so they never change under the same URL.
CACHE_CONTROL = "public, max-age=31536000, immutable"

_MEDIA_TYPES = {".js": "text/javascript", ".css": "text/css"}

_UNPKG_URL = re.compile(re.escape(UNPKG_PREFIX) + r"""([^"'\s<>]+)""")
_EXAMPLE_QUERY = re.compile(r"const EXAMPLE_QUERY = `.*?`;", re.DOTALL)
_TOOLS_PROP = "defaultEditorToolsVisibility: true,"

# The example operations developers run from GraphiQL, one named operation per file.
OPERATIONS_DIR = pathlib.Path(__file__).resolve().parent.parent / "schema" / "operations"

NOT_INSTALLED_MESSAGE = "GraphiQL assets are not installed: run `npm ci` in web/"


def _node_modules(web_dir: pathlib.Path) -> pathlib.Path:
    return web_dir / "node_modules"


def missing_vendor_files(web_dir: pathlib.Path) -> list[str]:
    """The VENDOR_FILES keys whose file is absent from web_dir/node_modules."""
    node_modules = _node_modules(web_dir)
    return [url for url, rel in VENDOR_FILES.items() if not (node_modules / rel).is_file()]


def vendor_routes(web_dir: pathlib.Path) -> list[BaseRoute]:
    """Routes serving exactly the VENDOR_FILES at /vendor/<key>; 404 for anything else.

    Files are looked up on each request, so the hub starts (and serves only 404s
    here) when node_modules is missing, and picks the files up once `npm ci` has run.
    """
    node_modules = _node_modules(web_dir)

    async def vendor_file(request: Request) -> Response:
        rel = VENDOR_FILES.get(request.path_params["path"])
        if rel is None:
            return PlainTextResponse("Not Found", status_code=404)
        path = node_modules / rel
        if not path.is_file():
            return PlainTextResponse(NOT_INSTALLED_MESSAGE, status_code=404)
        return FileResponse(
            path,
            media_type=_MEDIA_TYPES.get(path.suffix, "application/octet-stream"),
            headers={"Cache-Control": CACHE_CONTROL, "X-Content-Type-Options": "nosniff"},
        )

    return [
        Route(
            VENDOR_PREFIX + "{path:path}",
            vendor_file,
            methods=["GET", "HEAD"],
            name="graphiql_vendor",
        )
    ]


def _js_string(text: str) -> str:
    """A JavaScript string literal for text, safe inside an inline <script>."""
    return _js_string_json(text)


def _js_string_json(value: object) -> str:
    """A JSON value as JavaScript, safe inside an inline <script>."""
    return (
        json.dumps(value, ensure_ascii=True)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )


def _error_page(message: str, details: list[str]) -> str:
    items = "".join(f"<li><code>{escape(d)}</code></li>" for d in details)
    return (
        '<!doctype html>\n<html>\n<head><meta charset="utf-8">'
        "<title>GraphiQL unavailable</title></head>\n<body>\n"
        f"<h1>GraphiQL unavailable</h1>\n<p>{escape(message)}</p>\n"
        + (f"<ul>{items}</ul>\n" if items else "")
        + "<p>The GraphQL endpoint itself still answers POST requests.</p>\n"
        "</body>\n</html>\n"
    )


def load_operations(directory: pathlib.Path = OPERATIONS_DIR) -> dict[str, str]:
    """The example operations of ``directory``: file stem -> text, in file-name order."""
    if not directory.is_dir():
        return {}
    return {
        path.stem: path.read_text(encoding="utf-8").strip() + "\n"
        for path in sorted(directory.glob("*.graphql"))
    }


def graphiql_html(web_dir: pathlib.Path, *, examples: dict[str, str] | None = None) -> str:
    """Strawberry's GraphiQL page with its unpkg assets served from /vendor/.

    ``examples`` maps operation names to operation text: each becomes a GraphiQL tab (the
    ``defaultTabs`` prop, used while the browser has no saved tabs) and the first one the
    default query. When the vendor files are missing, a short page says so.
    """
    # Strawberry 0.341's template has no placeholders: get_graphql_ide_html only reads
    # strawberry/static/graphiql.html from the installed package. Using it keeps the page
    # identical to what strawberry.asgi.GraphQL would serve.
    template = get_graphql_ide_html(graphql_ide="graphiql")

    unknown = sorted({u for u in _UNPKG_URL.findall(template) if u not in VENDOR_FILES})
    if unknown:
        # Strawberry was upgraded and its page wants other versions: web/package.json and
        # VENDOR_FILES must follow.
        return _error_page(
            "Strawberry's GraphiQL page needs assets this hub does not vendor: "
            "update web/package.json and hub/graphiql.py VENDOR_FILES.",
            [UNPKG_PREFIX + u for u in unknown],
        )
    missing = missing_vendor_files(web_dir)
    if missing:
        return _error_page(
            NOT_INSTALLED_MESSAGE,
            [f"node_modules/{VENDOR_FILES[u]}" for u in missing],
        )

    html = _UNPKG_URL.sub(lambda m: VENDOR_PREFIX + m.group(1), template)

    if examples:
        default_query = next(iter(examples.values()))
        html, count = _EXAMPLE_QUERY.subn(
            lambda _m: f"const EXAMPLE_QUERY = {_js_string(default_query)};", html, count=1
        )
        if count != 1:
            logger.warning("GraphiQL template has no EXAMPLE_QUERY; default query not set")
        tabs = [{"query": text} for text in examples.values()]
        if _TOOLS_PROP in html:
            html = html.replace(
                _TOOLS_PROP, f"{_TOOLS_PROP}\n          defaultTabs: {_js_string_json(tabs)},", 1
            )
        else:
            logger.warning("GraphiQL template changed; example tabs not added")
    return html
