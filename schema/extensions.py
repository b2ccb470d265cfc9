"""Schema extensions: count the database round trips of each operation."""

from collections.abc import Iterator
from typing import Any

from strawberry.extensions import SchemaExtension

from graph.store import RoundTrips, counting_round_trips


class RoundTripCounter(SchemaExtension):
    """Report `extensions.roundTrips`: how many database calls the operation made.

    Dashboards and tests use it to see that nested lists are batched (no N+1).
    """

    _counter: RoundTrips | None = None

    def on_operation(self) -> Iterator[None]:
        with counting_round_trips() as counter:
            self._counter = counter
            yield

    def get_results(self) -> dict[str, Any]:
        return {"roundTrips": self._counter.count if self._counter else 0}
