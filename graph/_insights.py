"""Store methods for the insights questions (issue 3): collaboration gaps between reserves, the
collaboration edges centrality is computed on, and the count filters of the reserve and
institution lists. Cypher lives in graph/cypher.py.

Gap ranking runs here, in Python, on each reserve's theme set (one round trip) and the groups of
reserves that share a project (one more): expanding every pair of reserves through their themes
in Cypher is quadratic in the reserves per theme (17M rows, 126 s at demo scale 150), while the
exact top `first` needs only the pairs sharing the most themes, which a prefix filter finds
without enumerating the others (see `rank_gaps`).
"""

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from graph import cypher
from graph._runner import Runner
from graph.codec import from_stored
from graph.errors import InvalidInput
from graph.model import Kind
from graph.records import CollaborationEdge, ReserveGap
from graph.store import NodeFilter

# A pair of reserve keys, the smaller first.
Pair = tuple[str, str]


def rank_gaps(
    themes: Mapping[str, frozenset[str]],
    countries: Mapping[str, str | None],
    worked_together: set[Pair],
    country: str | None,
    first: int,
) -> list[tuple[Pair, frozenset[str]]]:
    """The `first` pairs of reserves sharing the most themes, ties by the pair's keys.

    A pair counts when the two share at least one theme and do not appear in `worked_together`;
    with `country`, when at least one of the two is in it. Exact: for s = the largest possible
    overlap down to 1, find every pair sharing at least s themes and stop once there are `first`
    of them (every other pair shares fewer, so ranks below). Pairs sharing at least s themes
    are found with the prefix filter of set-similarity joins: order themes rarest first; two
    sets sharing s themes share one of the first |set| - s + 1 themes of each, so only reserves
    meeting in those short prefix lists are compared.
    """
    if first <= 0 or not themes:
        return []
    frequency = Counter(t for ts in themes.values() for t in ts)
    order = sorted(frequency, key=lambda t: (frequency[t], t))
    bit = {t: 1 << i for i, t in enumerate(order)}
    rank = {t: i for i, t in enumerate(order)}
    masks = {key: sum(bit[t] for t in ts) for key, ts in themes.items()}
    tokens = {key: sorted(rank[t] for t in ts) for key, ts in themes.items()}
    sizes = sorted((len(ts) for ts in themes.values()), reverse=True)
    largest = sizes[1] if len(sizes) > 1 else 0
    found: dict[Pair, int] = {}
    for s in range(largest, 0, -1):
        buckets: dict[int, list[str]] = defaultdict(list)
        for key in sorted(themes):
            size = len(tokens[key])
            if size >= s:
                for token in tokens[key][: size - s + 1]:
                    buckets[token].append(key)
        found = {}
        checked: set[Pair] = set()
        for members in buckets.values():
            if country is None:
                starts = members
            else:
                starts = [m for m in members if countries.get(m) == country]
            for a in starts:
                for b in members:
                    if a == b:
                        continue
                    pair = (a, b) if a < b else (b, a)
                    if pair in checked:
                        continue
                    checked.add(pair)
                    shared = (masks[a] & masks[b]).bit_count()
                    if shared >= s and pair not in worked_together:
                        found[pair] = shared
        if len(found) >= first:
            break
    ranked = sorted(found.items(), key=lambda item: (-item[1], item[0]))[:first]
    return [(pair, themes[pair[0]] & themes[pair[1]]) for pair, _ in ranked]


class InsightsMixin(Runner):
    backend: ClassVar[str]

    async def collaboration_gaps(
        self, theme: str | None, country: str | None, first: int
    ) -> list[ReserveGap]:
        rows = await self._read(cypher.MATCH_RESERVE_THEME_SETS, {"theme": theme})
        themes = {row["key"]: frozenset(row["themes"]) for row in rows}
        countries = {row["key"]: row["country"] for row in rows}
        if len(themes) < 2:
            return []
        worked: set[Pair] = set()
        for row in await self._read(cypher.MATCH_PROJECT_SITE_GROUPS, {}):
            sites = sorted(set(row["sites"]))
            worked.update((a, b) for i, a in enumerate(sites) for b in sites[i + 1 :])
        ranked = rank_gaps(themes, countries, worked, country, first)
        if not ranked:
            return []
        reserve_keys = sorted({key for pair, _ in ranked for key in pair})
        theme_keys = sorted({t for _, shared in ranked for t in shared})
        reserves = await self._records(Kind.RESERVE, reserve_keys)
        theme_records = await self._records(Kind.THEME, theme_keys)
        gaps = []
        for (a, b), shared in ranked:
            if a not in reserves or b not in reserves:  # removed between the two reads
                continue
            gaps.append(
                ReserveGap(
                    reserves=[reserves[a], reserves[b]],
                    shared_themes=[theme_records[t] for t in sorted(shared) if t in theme_records],
                )
            )
        return gaps

    async def _records(self, kind: Kind, keys: Sequence[str]) -> dict[str, Any]:
        rows = await self._read(cypher.MATCH_NODES_BY_KEY[kind], {"keys": list(keys)})
        return {row["key"]: from_stored(kind, row["node"]) for row in rows}

    async def collaboration_edges(self, kind: Kind) -> list[CollaborationEdge]:
        statement = cypher.MATCH_COLLABORATION_EDGES.get(kind)
        if statement is None:
            raise InvalidInput(f"there is no collaboration graph of {kind} nodes")
        return [
            CollaborationEdge(source=row["source"], target=row["target"], weight=int(row["weight"]))
            for row in await self._read(statement, {})
        ]

    # --- count filters ---------------------------------------------------------------------------
    def _counted_statements(self, kind: Kind, where: NodeFilter) -> tuple[str, str]:
        key = (kind, where.partner_abroad is not None)
        backend = cypher.Backend(self.backend)
        if key not in cypher.LIST_NODES_BY_COUNTS[backend]:
            raise InvalidInput(f"{kind} lists have no such count filter")
        return cypher.LIST_NODES_BY_COUNTS[backend][key], cypher.COUNT_NODES_BY_COUNTS[backend][key]
