"""Who works with whom: `collaborators(personId, theme, via, first, after)`."""

from collections.abc import Awaitable, Callable
from typing import Annotated

import strawberry
from strawberry.types import Info

from graph.model import Kind
from graph.store import CollaborationLink
from schema.context import Context
from schema.errors import BadUserInput
from schema.paging import PageInfo, decode_offset, encode_cursor, page_info, page_size
from schema.query import After, First, ThemeArg, existing
from schema.types import Institution, Person, Project, Reserve, Theme

strawberry.enum(
    CollaborationLink,
    description="What makes two people collaborators: a shared project, institution or reserve.",
)


@strawberry.type(
    description="Why two people are collaborators: how many things of each kind they share."
)
class CollaborationScore:
    projects: int = strawberry.field(description="Projects both take part in.")
    institutions: int = strawberry.field(description="Institutions both are affiliated with.")
    reserves: int = strawberry.field(description="Reserves both work at.")

    @strawberry.field(description="The sum of the three: the ranking key (then projects, then id).")
    def total(self) -> int:
        return self.projects + self.institutions + self.reserves


@strawberry.type(description="A collaborator and what the two share.")
class CollaboratorEdge:
    node: Person = strawberry.field(description="The collaborator.")
    cursor: str
    score: CollaborationScore
    shared_projects: list[Project] = strawberry.field(
        description="Projects both take part in (on the theme asked for, if any), by id."
    )
    shared_themes: list[Theme] = strawberry.field(description="Themes of those projects, by id.")
    shared_institutions: list[Institution] = strawberry.field(
        description="Institutions both are affiliated with (when `via` includes INSTITUTION), by id."
    )
    shared_reserves: list[Reserve] = strawberry.field(
        description="Reserves both work at (when `via` includes RESERVE), by id."
    )

    @strawberry.field(description="How many projects they share.")
    def shared_project_count(self) -> int:
        return len(self.shared_projects)


@strawberry.type(
    description="Collaborators, most shared things first, then most shared projects, then id."
)
class CollaboratorConnection:
    edges: list[CollaboratorEdge]
    page_info: PageInfo
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many collaborators there are in all.")
    async def total_count(self) -> int:
        return await self.count()


@strawberry.type
class CollaborationQuery:
    @strawberry.field(
        description="People who work with this person: by default those sharing a project "
        "(only projects on `theme` if given); `via` adds colleagues at the same institution or "
        "reserve (with `theme`, only colleagues who work on it). Ranked by `score.total`, then "
        "shared projects, then id; each with what they share."
    )
    async def collaborators(
        self,
        info: Info[Context, None],
        person_id: Annotated[
            strawberry.ID, strawberry.argument(description='e.g. "Person:demo-person-000001"')
        ],
        theme: ThemeArg = None,
        via: Annotated[
            list[CollaborationLink] | None,
            strawberry.argument(description="Kinds of link to follow; [PROJECT] when omitted."),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> CollaboratorConnection:
        person = await existing(info, "personId", Kind.PERSON, person_id)
        if person is None:  # pragma: no cover - person_id is required
            raise BadUserInput("personId", "is required")
        theme_key = await existing(info, "theme", Kind.THEME, theme)
        if via is not None and not via:
            raise BadUserInput("via", "name at least one kind of link, or leave it out")
        links = frozenset(via or [CollaborationLink.PROJECT])
        size = page_size(first, info.context.max_page_size)
        offset = decode_offset(after)
        store = info.context.store
        found = (
            await store.collaborators(person, theme_key, links, size + 1, offset) if size else []
        )
        edges = [
            CollaboratorEdge(
                node=c.person,  # type: ignore[arg-type]
                cursor=encode_cursor("o", offset + i),
                score=CollaborationScore(
                    projects=len(c.shared_projects),
                    institutions=len(c.shared_institutions),
                    reserves=len(c.shared_reserves),
                ),
                shared_projects=c.shared_projects,  # type: ignore[arg-type]
                shared_themes=c.shared_themes,  # type: ignore[arg-type]
                shared_institutions=c.shared_institutions,  # type: ignore[arg-type]
                shared_reserves=c.shared_reserves,  # type: ignore[arg-type]
            )
            for i, c in enumerate(found[:size])
        ]

        async def count() -> int:
            return await store.count_collaborators(person, theme_key, links)

        return CollaboratorConnection(
            edges=edges,
            page_info=page_info([e.cursor for e in edges], has_next=len(found) > size, after=after),
            count=count,
        )
