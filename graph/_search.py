"""Store methods for the search questions (issue 3); Cypher lives in graph/cypher.py.

Full-text queries are built here from search terms only (graph.codec.search_terms: folded
letters and digits), never from the user's text: no operator of RediSearch (FalkorDB) or of
Lucene (Neo4j) can reach an engine. Every word must be found, in the title or the description;
the last one may be the start of a word ("glac" finds "glacier"); a run of ideographs must be
found as written, in that order.
"""

import math
from collections.abc import Sequence
from typing import Any, ClassVar

from graph import cypher
from graph._runner import Runner
from graph.codec import FULLTEXT_BODY, FULLTEXT_TITLE, from_stored, is_ideograph, search_terms
from graph.model import Kind
from graph.records import ReserveDistance, ReserveRecord, SearchHit

_MAX_TERMS = 32  # more words than this in a query add nothing but cost


def _groups(terms: list[str]) -> list[tuple[list[str], bool]]:
    """Consecutive ideographs form one phrase; other terms stand alone. (terms, is_prefix)."""
    groups: list[list[str]] = []
    for term in terms:
        if groups and is_ideograph(term) and is_ideograph(groups[-1][-1]):
            groups[-1].append(term)
        else:
            groups.append([term])
    last = len(groups) - 1
    return [(group, i == last and not is_ideograph(group[0])) for i, group in enumerate(groups)]


def redisearch_query(terms: list[str]) -> str:
    """RediSearch syntax: space means AND, `"a b"` a phrase, `word*` a prefix."""
    parts = []
    for group, prefix in _groups(terms):
        if len(group) > 1:
            parts.append('"' + " ".join(group) + '"')
        else:
            parts.append(group[0] + ("*" if prefix else ""))
    return " ".join(parts)


def lucene_query(terms: list[str]) -> str:
    """Lucene syntax: each word required (`+`) in either field, the title boosted."""
    parts = []
    for group, prefix in _groups(terms):
        word = '"' + " ".join(group) + '"' if len(group) > 1 else group[0] + ("*" if prefix else "")
        parts.append(
            f"+({FULLTEXT_TITLE}:{word}^{cypher.SEARCH_TITLE_WEIGHT} {FULLTEXT_BODY}:{word})"
        )
    return " ".join(parts)


_QUERY_BUILDERS = {
    cypher.Backend.FALKORDB: redisearch_query,
    cypher.Backend.NEO4J: lucene_query,
}


class SearchMixin(Runner):
    backend: ClassVar[str]

    def _search_params(self, text: str, kinds: Sequence[Kind]) -> dict[str, Any] | None:
        """The query and labels for the engine; None when nothing can match."""
        terms = search_terms(text)[:_MAX_TERMS]
        labels = sorted({str(kind) for kind in kinds})
        if not terms or not labels:
            return None
        query = _QUERY_BUILDERS[cypher.Backend(self.backend)](terms)
        return {"query": query, "labels": labels}

    async def search(
        self, text: str, kinds: Sequence[Kind], first: int, offset: int
    ) -> list[SearchHit]:
        params = self._search_params(text, kinds)
        if params is None or first <= 0:
            return []
        statement = cypher.SEARCH_NODES[cypher.Backend(self.backend)]
        rows = await self._read(statement, params | {"offset": offset, "limit": first})
        rows.sort(key=lambda row: (-row["score"], row["kind"], row["props"]["id"]))
        return [
            SearchHit(node=from_stored(Kind(row["kind"]), row["props"]), score=float(row["score"]))
            for row in rows
        ]

    async def count_search(self, text: str, kinds: Sequence[Kind]) -> int:
        params = self._search_params(text, kinds)
        if params is None:
            return 0
        rows = await self._read(cypher.COUNT_SEARCH_NODES[cypher.Backend(self.backend)], params)
        return int(rows[0]["total"]) if rows else 0

    async def reserves_near(
        self, latitude: float, longitude: float, radius_km: float, first: int
    ) -> list[ReserveDistance]:
        if first <= 0:
            return []
        band = math.degrees(radius_km / cypher.EARTH_RADIUS_KM) + 1e-9
        params = {
            "latitude": latitude,
            "longitude": longitude,
            "radius_km": radius_km,
            "band": band,
            "limit": first,
        }
        rows = await self._read(cypher.MATCH_RESERVES_NEAR, params)
        found = []
        for row in rows:
            reserve = from_stored(Kind.RESERVE, row["node"])
            assert isinstance(reserve, ReserveRecord)
            found.append(ReserveDistance(reserve=reserve, distance_km=float(row["distance"])))
        found.sort(key=lambda item: (item.distance_km, item.reserve.id))
        return found
