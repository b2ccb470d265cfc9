"""What every store mixin builds on: one round trip to read, one to write, rows as dicts."""

from abc import ABC, abstractmethod
from typing import Any


class Runner(ABC):
    @abstractmethod
    async def _read(self, query: str, params: dict[str, Any]) -> list[dict[str, Any]]: ...

    @abstractmethod
    async def _write(self, query: str, params: dict[str, Any]) -> list[dict[str, Any]]: ...
