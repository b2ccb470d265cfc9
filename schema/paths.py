"""Paths between nodes and partner suggestions (issue 3): `connection`, `potentialPartners`."""

import asyncio
import datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graph._paths import PARTNER_PATH_HOPS, PARTNER_WEIGHTS, PartnerReason
from graph.model import Kind, RelType
from graph.records import PathRecord
from schema import arguments
from schema.context import Context
from schema.errors import BadUserInput, NodeNotFound
from schema.paging import page_size
from schema.types import Node, Person, RelationshipKind

MAX_HOPS = 10
MAX_PATHS = 10
DEFAULT_PARTNERS = 10

# The one GraphQL enum of RelType (schema/analytics.py uses it too).
PartnerReasonKind = strawberry.enum(
    PartnerReason,
    name="PartnerReasonKind",
    description="What already ties a suggested partner to the person.",
)


@strawberry.type(
    description="One relationship of a path, as stored: `source` -> `target`, whichever way "
    "the path walks it."
)
class PathStep:
    kind: RelationshipKind = strawberry.field(description="The relationship's type.")  # type: ignore[valid-type]
    source: strawberry.ID = strawberry.field(description="Global id of its stored source.")
    target: strawberry.ID = strawberry.field(description="Global id of its stored target.")
    roles: list[str] = strawberry.field(description="Its roles (empty where it has none).")
    since: datetime.date | None = strawberry.field(description="Its start date, if it has one.")


@strawberry.type(
    description="A path: its nodes from the start to the end, and the relationship between "
    "each consecutive pair (`relationships[i]` joins `nodes[i]` and `nodes[i + 1]`)."
)
class Path:
    length: int = strawberry.field(description="How many relationships it walks.")
    nodes: list[Node] = strawberry.field(description="From the start to the end.")
    relationships: list[PathStep] = strawberry.field(description="In walking order.")


def _path(record: PathRecord | None) -> Path | None:
    if record is None:
        return None
    steps = [
        PathStep(
            kind=RelType(step.type),
            source=strawberry.ID(step.source),
            target=strawberry.ID(step.target),
            roles=step.roles,
            since=step.since,
        )
        for step in record.relationships
    ]
    nodes: Any = record.nodes  # records, resolved to their types by is_type_of
    return Path(length=len(steps), nodes=nodes, relationships=steps)


@strawberry.type(
    name="PartnerReason",
    description="One kind of tie between a suggested partner and the person.",
)
class PartnerReasonResult:
    kind: PartnerReasonKind = strawberry.field(description="What is shared.")  # type: ignore[valid-type]
    count: int = strawberry.field(description="How many of them (all, not only those listed).")
    nodes: list[Node] = strawberry.field(
        description="The nodes behind it (collaborators, institutions, reserves or themes): "
        "at most 5, by id."
    )


_WEIGHTS = ", ".join(f"{kind} x{weight:g}" for kind, weight in PARTNER_WEIGHTS.items())


@strawberry.type(description="Someone on the theme the person has never shared a project with.")
class PartnerSuggestion:
    person: Person = strawberry.field(description="The suggested partner.")
    score: float = strawberry.field(
        description=f"How close they already are: the sum over reasons of weight x count "
        f"({_WEIGHTS}); 0 when nothing is shared yet."
    )
    reasons: list[PartnerReasonResult] = strawberry.field(
        description="What they share, in the order COMMON_COLLABORATOR, SHARED_INSTITUTION, "
        "SHARED_RESERVE, SHARED_THEME (only kinds with a count)."
    )
    path: Path | None = strawberry.field(
        description=f"A shortest path from the person to the partner (the first by node ids); "
        f"null if none within {PARTNER_PATH_HOPS} hops."
    )


def _bounded(argument: str, value: int, maximum: int) -> int:
    if not 1 <= value <= maximum:
        raise BadUserInput(argument, f"must be between 1 and {maximum}, got {value}")
    return value


@strawberry.type
class PathsQuery:
    @strawberry.field(
        description="The shortest paths between two nodes of any kinds, through any "
        "relationships walked either way; [] when none is within `maxHops`. `from` equal to "
        "`to` gives one path of length 0. Several paths (`first`) all have the minimal length "
        "and come ordered by their sequence of node global ids."
    )
    async def connection(
        self,
        info: Info[Context, None],
        from_: Annotated[
            strawberry.ID, strawberry.argument(name="from", description='e.g. "Reserve:ordino"')
        ],
        to: Annotated[strawberry.ID, strawberry.argument(description='e.g. "Person:ana"')],
        max_hops: Annotated[
            int | None,
            strawberry.argument(description=f"Longest path looked for: 1 to {MAX_HOPS}."),
        ] = 6,
        first: Annotated[
            int | None,
            strawberry.argument(description=f"How many shortest paths: 1 to {MAX_PATHS}."),
        ] = 1,
    ) -> list[Path]:
        source = arguments.node_id("from", from_)
        target = arguments.node_id("to", to)
        hops = _bounded("maxHops", 6 if max_hops is None else max_hops, MAX_HOPS)
        count = _bounded("first", 1 if first is None else first, MAX_PATHS)
        found = await info.context.store.shortest_paths(source, target, hops, count)
        for argument, value in (("from", from_), ("to", to)):
            if value in found.missing:
                raise NodeNotFound(f"no node with id {value!r}", argument=argument)
        return [path for path in map(_path, found.paths) if path is not None]

    @strawberry.field(
        description="People working on `theme` (in a project that addresses it) who have never "
        "shared a project with the person, closest first (see `score`), ties by id."
    )
    async def potential_partners(
        self,
        info: Info[Context, None],
        person_id: Annotated[
            strawberry.ID, strawberry.argument(description='e.g. "Person:demo-person-000001"')
        ],
        theme: Annotated[
            strawberry.ID, strawberry.argument(description='A theme id, e.g. "Theme:wildfire".')
        ],
        first: Annotated[
            int | None,
            strawberry.argument(
                description=f"How many: {DEFAULT_PARTNERS} when omitted, at most the hub's "
                "maximum (100 by default)."
            ),
        ] = None,
    ) -> list[PartnerSuggestion]:
        person = arguments.key_of("personId", person_id, Kind.PERSON)
        theme_key = arguments.key_of("theme", theme, Kind.THEME)
        size = page_size(DEFAULT_PARTNERS if first is None else first, info.context.max_page_size)
        loaders = info.context.loaders
        found_person, found_theme = await asyncio.gather(
            loaders.nodes[Kind.PERSON].load(person), loaders.nodes[Kind.THEME].load(theme_key)
        )
        if found_person is None:
            raise NodeNotFound(f"no person with id {person_id!r}", argument="personId")
        if found_theme is None:
            raise BadUserInput("theme", f"there is no Theme with id {theme!r}")
        if size == 0:
            return []
        suggestions = await info.context.store.potential_partners(person, theme_key, size)
        return [
            PartnerSuggestion(
                person=s.person,  # type: ignore[arg-type]
                score=s.score,
                reasons=[
                    PartnerReasonResult(
                        kind=PartnerReason(r.kind),
                        count=r.count,
                        nodes=r.nodes,  # type: ignore[arg-type]
                    )
                    for r in s.reasons
                ],
                path=_path(s.path),
            )
            for s in suggestions
        ]
