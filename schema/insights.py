"""Insights (issue 3): reserves that should meet, who bridges the network, lists by counts."""

import datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graph import centrality
from graph.model import Kind
from graph.records import ReserveGap as ReserveGapRecord
from schema import arguments
from schema.context import Context
from schema.errors import BadUserInput
from schema.paging import (
    DEFAULT_PAGE_SIZE,
)
from schema.types import Node, Reserve, Theme

# The kinds that have a collaboration graph, and what links two of them.
CENTRALITY_KINDS = (Kind.PERSON, Kind.INSTITUTION, Kind.RESERVE, Kind.PROJECT)


def _first(first: int | None, maximum: int) -> int:
    """A ranking's length: 1 to the hub maximum, 20 when omitted."""
    if first is None:
        return min(DEFAULT_PAGE_SIZE, maximum)
    if not 1 <= first <= maximum:
        raise BadUserInput("first", f"must be between 1 and {maximum}, got {first}")
    return first


async def _theme_key(info: Info[Context, None], value: str | None) -> str | None:
    if value is None:
        return None
    key = arguments.key_of("theme", value, Kind.THEME)
    if await info.context.loaders.nodes[Kind.THEME].load(key) is None:
        raise BadUserInput("theme", f"there is no Theme with id {value!r}")
    return key


def min_projects(value: int | None) -> int | None:
    """The `minProjects` argument of the reserve and institution lists."""
    if value is not None and value < 0:
        raise BadUserInput("minProjects", f"must be 0 or more, got {value}")
    return value


@strawberry.type(
    description="Two reserves that address the same themes but share no project: an exchange "
    "worth brokering."
)
class ReserveGap:
    reserves: list[Reserve] = strawberry.field(description="The two reserves, by id.")
    shared_themes: list[Theme] = strawberry.field(
        description="Every theme both address, by id (the ranking key is how many)."
    )

    @strawberry.field(description="How many themes the two share.")
    def shared_theme_count(self) -> int:
        return len(self.shared_themes)


@strawberry.type(description="How much one node bridges its collaboration graph.")
class CentralityScore:
    node: Node = strawberry.field(description="The person, institution, reserve or project.")
    degree: int = strawberry.field(description="How many others it collaborates with.")
    betweenness: float = strawberry.field(
        description="Share of shortest paths between two others that pass through it, "
        "normalised to 0..1 (divided by (n-1)(n-2)/2)."
    )
    rank: int = strawberry.field(
        description="1-based position: betweenness desc, then degree desc, then id."
    )


@strawberry.type(description="Centrality over one kind's collaboration graph.")
class CentralityResult:
    scores: list[CentralityScore] = strawberry.field(description="The first ranks, in order.")
    computed_at: datetime.datetime = strawberry.field(
        description="When this was computed (UTC); a result is reused for HUB_CENTRALITY_TTL_S "
        "seconds, per hub process."
    )
    approximate: bool = strawberry.field(
        description="True when betweenness was estimated from sampled (seeded) pivots because "
        "the graph has more than HUB_CENTRALITY_EXACT_NODES nodes."
    )
    nodes: int = strawberry.field(
        description="Nodes in the graph: those with at least one collaboration."
    )
    edges: int = strawberry.field(description="Collaborating pairs in the graph.")


def _gap(record: ReserveGapRecord) -> ReserveGap:
    return ReserveGap(
        reserves=record.reserves,  # type: ignore[arg-type]
        shared_themes=record.shared_themes,  # type: ignore[arg-type]
    )


@strawberry.type
class InsightsQuery:
    @strawberry.field(
        description="Pairs of reserves that address the same themes but share no project (no "
        "project sited in both), ranked by the number of shared themes (most first), ties by the "
        "pair's ids. `theme`: only pairs both addressing it; `country`: only pairs with at least "
        "one reserve in that country. Each pair once."
    )
    async def collaboration_gaps(
        self,
        info: Info[Context, None],
        theme: Annotated[
            strawberry.ID | None,
            strawberry.argument(description='A theme id ("Theme:wildfire" or "wildfire").'),
        ] = None,
        country: Annotated[
            str | None,
            strawberry.argument(description="ISO 3166-1 alpha-2 code, e.g. ES."),
        ] = None,
        first: Annotated[
            int | None,
            strawberry.argument(description="How many pairs: 1 to the hub maximum, 20 if omitted."),
        ] = None,
    ) -> list[ReserveGap]:
        size = _first(first, info.context.max_page_size)
        where_country = arguments.country("country", country)
        theme_key = await _theme_key(info, theme)
        gaps = await info.context.store.collaboration_gaps(theme_key, where_country, size)
        return [_gap(gap) for gap in gaps]

    @strawberry.field(
        description="Who bridges the network: degree and betweenness over the collaboration graph "
        "of a kind. PERSON: people linked when they share a project; INSTITUTION: partners in a "
        "common project; RESERVE: a project sited in both or an institution managing both; "
        "PROJECT: a person taking part in both. Ranked by betweenness, then degree (both "
        "descending), then id."
    )
    async def centrality(
        self,
        info: Info[Context, None],
        kind: Kind,
        first: Annotated[
            int | None,
            strawberry.argument(description="How many ranks: 1 to the hub maximum, 20 if omitted."),
        ] = None,
    ) -> CentralityResult:
        chosen = Kind(kind)
        if chosen not in CENTRALITY_KINDS:
            names = ", ".join(k.name for k in CENTRALITY_KINDS)
            raise BadUserInput("kind", f"has no collaboration graph for {chosen.name}; use {names}")
        size = _first(first, info.context.max_page_size)
        store = info.context.store

        async def edges() -> Any:
            return await store.collaboration_edges(chosen)

        report: centrality.CentralityReport = await info.context.centrality.get(chosen, edges)
        top = report.scores[:size]
        records = await info.context.loaders.nodes[chosen].load_many([s.key for s in top])
        scores = [
            CentralityScore(
                node=record,  # type: ignore[arg-type]
                degree=score.degree,
                betweenness=score.betweenness,
                rank=rank,
            )
            for rank, (score, record) in enumerate(zip(top, records, strict=True), start=1)
            if record is not None  # removed since the result was computed
        ]
        return CentralityResult(
            scores=scores,
            computed_at=report.computed_at,
            approximate=report.approximate,
            nodes=report.nodes,
            edges=report.edges,
        )


MinProjects = Annotated[
    int | None,
    strawberry.argument(
        description="Only those with at least this many distinct projects (reserves: sited in "
        "them; institutions: partner in them)."
    ),
]
PartnerAbroad = Annotated[
    bool | None,
    strawberry.argument(
        description="true: only institutions with a co-partner abroad (another partner of a "
        "shared project whose known country differs from theirs); false: only those with none "
        "(an institution of unknown country has none)."
    ),
]
