"""What every store mixin builds on: one round trip to read, one to write, rows as dicts."""

from abc import ABC, abstractmethod
from dataclasses import asdict
from typing import Any

from graph.codec import fold
from graph.store import NodeFilter


def filter_params(where: NodeFilter) -> dict[str, Any]:
    """The parameters of NODE_FILTER (and the count-filter statements) for a filter."""
    params = asdict(where)
    if where.text is not None:
        # NodeFilter promises case- and accent-insensitive text: match the folded copy.
        params["text"] = fold(where.text)
    return params


def counts(where: NodeFilter) -> bool:
    """Whether the filter asks for connection counts (these need their own statements)."""
    return where.min_projects is not None or where.partner_abroad is not None


class Runner(ABC):
    @abstractmethod
    async def _read(self, query: str, params: dict[str, Any]) -> list[dict[str, Any]]: ...

    @abstractmethod
    async def _write(self, query: str, params: dict[str, Any]) -> list[dict[str, Any]]: ...

    def _counted_statements(self, kind: Any, where: NodeFilter) -> tuple[str, str]:
        """The list and count statements for a filter with connection counts (InsightsMixin)."""
        raise NotImplementedError
