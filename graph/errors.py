"""Errors the store raises, whatever the backend.

    StoreError
    ├── NotFound        a node that was asked for by id does not exist
    ├── Conflict        a write broke a uniqueness constraint
    ├── InvalidInput    a value the store cannot accept (checked before any write)
    └── Unavailable     the database cannot be reached, timed out, or a commit's outcome is unknown

Backends translate their drivers' exceptions into these in one context manager each, so the
GraphQL layer maps a short, stable list to `extensions.code`.
"""


class StoreError(Exception):
    """Base class of every error the store raises on purpose."""


class NotFound(StoreError):
    pass


class Conflict(StoreError):
    pass


class InvalidInput(StoreError):
    pass


class Unavailable(StoreError):
    """The database did not answer, or answered that it cannot serve now.

    `unknown_outcome` is set when a write may or may not have been committed.
    """

    def __init__(self, message: str, *, unknown_outcome: bool = False) -> None:
        super().__init__(message)
        self.unknown_outcome = unknown_outcome
