"""Store methods for API keys (issue 4: who may do what); Cypher lives in graph/cypher.py.

Keys are internal `ApiKey` nodes, never a node kind: not in the Node interface, not exported.
The store keeps what it is given; making a key, hashing its secret and checking a presented
key are hub/auth.py's business.
"""

from typing import Any

from graph import cypher
from graph._runner import Runner
from graph.records import ApiKeyRecord


def _key(row: dict[str, Any]) -> ApiKeyRecord:
    stored = row["key"]
    return ApiKeyRecord(
        id=stored["id"],
        name=stored.get("name") or "",
        role=stored["role"],
        reserves=sorted(stored.get("reserves") or []),
        institutions=sorted(stored.get("institutions") or []),
        hash=stored["hash"],
        created_at=stored["created_at"],
        revoked_at=stored.get("revoked_at"),
    )


class AuthMixin(Runner):
    async def create_api_key(self, key: ApiKeyRecord) -> ApiKeyRecord:
        params = {
            "id": key.id,
            "name": key.name,
            "role": key.role,
            "reserves": sorted(set(key.reserves)),
            "institutions": sorted(set(key.institutions)),
            "hash": key.hash,
            "created_at": key.created_at,
        }
        rows = await self._write(cypher.ADD_API_KEY, params)
        return _key(rows[0])

    async def api_key(self, key_id: str) -> ApiKeyRecord | None:
        rows = await self._read(cypher.MATCH_API_KEY, {"id": key_id})
        return _key(rows[0]) if rows else None

    async def api_keys(self) -> list[ApiKeyRecord]:
        return [_key(row) for row in await self._read(cypher.LIST_API_KEYS, {})]

    async def revoke_api_key(self, key_id: str, at: str) -> ApiKeyRecord | None:
        rows = await self._write(cypher.REVOKE_API_KEY, {"id": key_id, "revoked_at": at})
        return _key(rows[0]) if rows else None
