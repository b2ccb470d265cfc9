"""The explorer page at /explore: the network, a map and figures, over the public GraphQL API.

Its own files live in ``web/explore/`` (plain ES modules, no bundler); the front-end packages
it uses come from ``web/node_modules`` (installed by ``npm ci`` in ``web/``, exact versions in
``web/package.json``) and are served under ``/explore/vendor/<package>@<version>/<path>``, so
their URLs carry the version and can be cached for a long time. Only the files listed here are
served; anything else is a 404. Nothing is fetched from another host at run time: the map
shows country outlines from ``world-atlas`` and uses online tiles only when
``HUB_MAP_TILE_URL`` is set.
"""

import json
import pathlib
from html import escape

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

__all__ = ["EXPLORE_FILES", "EXPLORE_VENDOR_FILES", "explore_routes"]

# URL path under /explore/vendor/ -> path relative to web/node_modules. The versions must match
# web/package.json (tests/unit/test_operations.py checks they do).
EXPLORE_VENDOR_FILES: dict[str, str] = {
    "cytoscape@3.35.0/dist/cytoscape.esm.min.mjs": "cytoscape/dist/cytoscape.esm.min.mjs",
    "leaflet@1.9.4/dist/leaflet-src.esm.js": "leaflet/dist/leaflet-src.esm.js",
    "leaflet@1.9.4/dist/leaflet.css": "leaflet/dist/leaflet.css",
    "topojson-client@3.1.0/dist/topojson-client.min.js": (
        "topojson-client/dist/topojson-client.min.js"
    ),
    "world-atlas@2.0.2/countries-110m.json": "world-atlas/countries-110m.json",
}

# The explorer's own files (web/explore/<name>). They change with the hub, so browsers revalidate.
EXPLORE_FILES: tuple[str, ...] = (
    "app.js",
    "api.js",
    "network.js",
    "map.js",
    "charts.js",
    "explore.css",
)

_VENDOR_CACHE = "public, max-age=31536000, immutable"
_OWN_CACHE = "no-cache"
_MEDIA_TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
}
_CONFIG_MARK = "__EXPLORE_CONFIG__"
NOT_INSTALLED_MESSAGE = "explorer assets are not installed: run `npm ci` in web/"


def _not_found(message: str = "Not Found") -> Response:
    return PlainTextResponse(message, status_code=404)


def _file(path: pathlib.Path, cache: str) -> Response:
    return FileResponse(
        path,
        media_type=_MEDIA_TYPES.get(path.suffix, "application/octet-stream"),
        headers={"Cache-Control": cache, "X-Content-Type-Options": "nosniff"},
    )


def explore_routes(web_dir: pathlib.Path, *, map_tile_url: str = "") -> list[BaseRoute]:
    """/explore (the page), /explore/<own file>, /explore/vendor/<package file>; 404 otherwise.

    The page carries its configuration (the map tile URL) as JSON in a data attribute.
    Files are looked up on each request, so the hub starts without node_modules.
    """
    own_dir = web_dir / "explore"
    node_modules = web_dir / "node_modules"
    config = escape(json.dumps({"mapTileUrl": map_tile_url, "graphql": "/graphql"}), quote=True)

    async def page(_: Request) -> Response:
        path = own_dir / "index.html"
        if not path.is_file():
            return _not_found("the explorer page is missing from web/explore/")
        html = path.read_text(encoding="utf-8").replace(_CONFIG_MARK, config)
        return HTMLResponse(
            html, headers={"Cache-Control": _OWN_CACHE, "X-Content-Type-Options": "nosniff"}
        )

    async def own_file(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in EXPLORE_FILES:
            return _not_found()
        path = own_dir / name
        return _file(path, _OWN_CACHE) if path.is_file() else _not_found()

    async def vendor_file(request: Request) -> Response:
        rel = EXPLORE_VENDOR_FILES.get(request.path_params["path"])
        if rel is None:
            return _not_found()
        path = node_modules / rel
        return _file(path, _VENDOR_CACHE) if path.is_file() else _not_found(NOT_INSTALLED_MESSAGE)

    return [
        Route("/explore", page, methods=["GET", "HEAD"], name="explore"),
        Route(
            "/explore/vendor/{path:path}",
            vendor_file,
            methods=["GET", "HEAD"],
            name="explore_vendor",
        ),
        Route("/explore/{name}", own_file, methods=["GET", "HEAD"], name="explore_file"),
    ]
