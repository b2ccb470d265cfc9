"""What every resolver gets: the store, this request's loaders, its id and its limits.

A new Context (and so new DataLoaders with empty caches) is built for every request.
"""

from dataclasses import dataclass, field

from graph.centrality import CentralityCache
from graph.store import Store
from schema.limits import DEFAULT_LIMITS, CostBudget, Limits
from schema.loaders import Loaders
from schema.permissions import ANONYMOUS, Viewer


@dataclass(slots=True, kw_only=True)
class Context:
    store: Store
    request_id: str
    max_page_size: int = 100
    viewer: Viewer = ANONYMOUS
    # Abuse limits of this request's documents, and the caller's cost budget (schema/limits.py).
    limits: Limits = DEFAULT_LIMITS
    cost_budget: CostBudget | None = None
    # Per process, from the application state; the default caches nothing (TTL 0).
    centrality: CentralityCache = field(default_factory=lambda: CentralityCache(ttl_s=0))
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.store)
