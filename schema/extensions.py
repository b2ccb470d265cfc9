"""Schema extensions: count the database round trips of each operation, and record what each
operation was (name, type, round trips, error codes) for the request log and the metrics."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from graph.store import RoundTrips, counting_round_trips


@dataclass(slots=True)
class OperationRecord:
    """One GraphQL operation of a request, as the request log and /metrics tell it."""

    name: str | None = None
    type: str | None = None  # query, mutation, subscription; None when it did not parse
    round_trips: int = 0
    codes: list[str] = field(default_factory=list)  # extensions.code of each error
    answered: bool = False  # some data came back (false: refused or failed as a whole)
    # Read once the response is sent: CodedErrors gives the errors their codes after us.
    execution: ExecutionContext | None = field(default=None, repr=False)

    def settle(self) -> None:
        """Take the error codes and the data from the finished operation."""
        result = self.execution.result if self.execution is not None else None
        if result is not None:
            self.codes = [
                str((error.extensions or {}).get("code", "INTERNAL_SERVER_ERROR"))
                for error in result.errors or []
            ]
            self.answered = result.data is not None
        self.execution = None


_operations: ContextVar[list[OperationRecord] | None] = ContextVar("operations", default=None)


@contextmanager
def recording_operations() -> Iterator[list[OperationRecord]]:
    """Collect the records of the operations executed inside this block (one HTTP request)."""
    records: list[OperationRecord] = []
    token = _operations.set(records)
    try:
        yield records
    finally:
        _operations.reset(token)


def record_operation(record: OperationRecord) -> None:
    """Add an operation to the current request's records (nothing outside a request)."""
    records = _operations.get()
    if records is not None:
        records.append(record)


class RoundTripCounter(SchemaExtension):
    """Report `extensions.roundTrips`: how many database calls the operation made.

    Dashboards and tests use it to see that nested lists are batched (no N+1).
    """

    _counter: RoundTrips | None = None

    def on_operation(self) -> Iterator[None]:
        with counting_round_trips() as counter:
            self._counter = counter
            yield
        context = self.execution_context
        try:
            kind: str | None = context.operation_type.value
        except RuntimeError:  # no document, or no such operation in it
            kind = None
        name = context.operation_name
        record_operation(
            OperationRecord(name=name, type=kind, round_trips=counter.count, execution=context)
        )

    def get_results(self) -> dict[str, Any]:
        return {"roundTrips": self._counter.count if self._counter else 0}
