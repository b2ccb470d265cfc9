"""DataLoaders: every node and relationship field is fetched in batches per request.

A relationship field asked for on 50 parents becomes one store call, so the number of
database round trips depends on the shape of the query, not on the length of the lists.
"""

from collections import defaultdict
from collections.abc import Sequence
from typing import NamedTuple

from strawberry.dataloader import DataLoader

from graph.model import Kind, Relation
from graph.records import LinkPage, NodeRecord
from graph.store import Direction, Store


class LinkKey(NamedTuple):
    relation: Relation
    direction: Direction
    first: int
    after: str | None
    key: str


class Loaders:
    def __init__(self, store: Store) -> None:
        self._store = store
        self.nodes: dict[Kind, DataLoader[str, NodeRecord | None]] = {
            kind: DataLoader(load_fn=self._node_loader(kind)) for kind in Kind
        }
        self.links: DataLoader[LinkKey, LinkPage] = DataLoader(load_fn=self._load_links)

    def _node_loader(self, kind: Kind):  # type: ignore[no-untyped-def]
        async def load(keys: Sequence[str]) -> list[NodeRecord | None]:
            return await self._store.nodes_by_id(kind, keys)

        return load

    async def _load_links(self, keys: Sequence[LinkKey]) -> list[LinkPage]:
        # Parents asking for the same relationship with the same page arguments share a call.
        groups: dict[tuple[Relation, Direction, int, str | None], list[str]] = defaultdict(list)
        for k in keys:
            groups[k.relation, k.direction, k.first, k.after].append(k.key)
        pages: dict[LinkKey, LinkPage] = {}
        for (relation, direction, first, after), parents in groups.items():
            results = await self._store.links(relation, direction, parents, first, after)
            for parent, page in zip(parents, results, strict=True):
                pages[LinkKey(relation, direction, first, after, parent)] = page
        return [pages[k] for k in keys]
