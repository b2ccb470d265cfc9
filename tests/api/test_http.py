"""The HTTP surface: health, readiness, request ids, GraphiQL served offline, GET queries."""

import asyncio
import base64
import hashlib
import re
import time
from html.parser import HTMLParser

from conftest import Hub

HEX_ID = re.compile(r"^[0-9a-f]{32}$")


async def test_healthz_answers_ok(small_hub: Hub) -> None:
    response = await small_hub.client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_answers_ready_with_the_backend(small_hub: Hub) -> None:
    # An external database's schema setup runs in the background at start (hub/app.py), so
    # /readyz may say "in progress" for a moment; it must turn ready promptly.
    deadline = time.monotonic() + 10
    while (response := await small_hub.client.get("/readyz")).status_code != 200:
        assert response.status_code == 503
        assert "in progress" in response.json()["cause"], response.text
        assert time.monotonic() < deadline, response.text
        await asyncio.sleep(0.05)
    assert response.json() == {"status": "ready", "backend": "falkordb"}


async def test_a_sane_request_id_is_echoed(small_hub: Hub) -> None:
    for given in ["abc-123", "trace.2026_11_27", "x" * 64]:
        response = await small_hub.client.get("/healthz", headers={"X-Request-ID": given})
        assert response.headers["x-request-id"] == given


async def test_a_request_id_is_generated_when_none_is_given(small_hub: Hub) -> None:
    first = (await small_hub.client.get("/healthz")).headers["x-request-id"]
    second = (await small_hub.client.get("/healthz")).headers["x-request-id"]
    assert HEX_ID.match(first) and HEX_ID.match(second)
    assert first != second


async def test_an_unsafe_request_id_is_replaced(small_hub: Hub) -> None:
    for given in ["has space", "x" * 65, "semi;colon", "new\\nline"]:
        response = await small_hub.client.get("/healthz", headers={"X-Request-ID": given})
        assert HEX_ID.match(response.headers["x-request-id"]), given


async def test_graphql_responses_carry_the_request_id(small_hub: Hub) -> None:
    response = await small_hub.client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"X-Request-ID": "req-42"}
    )
    assert response.headers["x-request-id"] == "req-42"
    assert response.json()["data"] == {"__typename": "Query"}


async def test_get_graphql_with_a_query_answers_it(small_hub: Hub) -> None:
    response = await small_hub.client.get("/graphql", params={"query": "{__typename}"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["data"] == {"__typename": "Query"}


async def test_get_graphql_answers_a_query_with_variables(small_hub: Hub) -> None:
    response = await small_hub.client.get(
        "/graphql",
        params={
            "query": "query($id: ID!) { node(id: $id) { key } }",
            "variables": '{"id": "Reserve:ordino"}',
        },
    )
    assert response.status_code == 200
    assert response.json()["data"] == {"node": {"key": "ordino"}}


async def test_the_root_redirects_to_graphql(small_hub: Hub) -> None:
    response = await small_hub.client.get("/")
    assert response.is_redirect
    assert response.headers["location"] == "/graphql"
    followed = await small_hub.client.get(
        "/", follow_redirects=True, headers={"Accept": "text/html"}
    )
    assert followed.status_code == 200
    assert followed.url.path == "/graphql"


# --- GraphiQL, offline ---------------------------------------------------------------------------
class _Assets(HTMLParser):
    """The URLs of a page's scripts and links, with their integrity attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[tuple[str, str | None]] = []
        self.stylesheets: list[tuple[str, str | None]] = []
        self.links: list[str] = []
        self.inline_scripts: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script":
            if attributes.get("src"):
                self.scripts.append((attributes["src"] or "", attributes.get("integrity")))
            else:
                self._in_inline_script = True
                self.inline_scripts.append("")
        elif tag == "link":
            href = attributes.get("href") or ""
            self.links.append(href)
            if attributes.get("rel") == "stylesheet":
                self.stylesheets.append((href, attributes.get("integrity")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_inline_script = False

    def handle_data(self, data: str) -> None:
        if self._in_inline_script:
            self.inline_scripts[-1] += data


async def _graphiql_assets(hub: Hub) -> _Assets:
    response = await hub.client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "GraphiQL unavailable" not in response.text, response.text  # web/ needs `npm ci`
    assets = _Assets()
    assets.feed(response.text)
    return assets


async def test_graphiql_page_loads_scripts_and_styles_only_from_vendor(small_hub: Hub) -> None:
    assets = await _graphiql_assets(small_hub)
    urls = [url for url, _ in assets.scripts + assets.stylesheets]
    assert len(assets.scripts) >= 3 and len(assets.stylesheets) >= 1  # react, graphiql, ...
    for url in urls:
        assert url.startswith("/vendor/"), url
    for href in assets.links:
        assert not re.match(r"^(https?:)?//", href), href
    for script in assets.inline_scripts:
        assert "unpkg.com" not in script
        assert not re.search(r"""(src|href)\s*=\s*["']https?://""", script)


async def test_every_vendor_asset_is_served_and_matches_its_integrity(small_hub: Hub) -> None:
    assets = await _graphiql_assets(small_hub)
    for url, integrity in assets.scripts + assets.stylesheets:
        response = await small_hub.client.get(url)
        assert response.status_code == 200, url
        media = response.headers["content-type"].split(";")[0]
        expected = "text/css" if url.endswith(".css") else "text/javascript"
        assert media == expected, (url, media)
        assert response.content, url
        if integrity:  # the browser refuses a file whose hash differs: check as it would
            algorithm, _, digest = integrity.partition("-")
            actual = base64.b64encode(hashlib.new(algorithm, response.content).digest()).decode()
            assert actual == digest, url


async def test_an_unknown_vendor_path_is_not_found(small_hub: Hub) -> None:
    for path in ["/vendor/nope.js", "/vendor/react@18.2.0/package.json", "/vendor/../hub/app.py"]:
        response = await small_hub.client.get(path)
        assert response.status_code == 404, path
