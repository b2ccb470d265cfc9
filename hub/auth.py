"""Who is asking: a request's Viewer, from its `Authorization: Bearer <credential>` header.

Two kinds of credential:
    API key   `hub_<id>_<secret>`, made by `hub keys create` (shown once). The graph keeps the
              key's id, role, scope and the SHA-256 of its secret (a 256-bit random secret needs
              no slow hash), compared in constant time. Actor in the audit trail: `key:<id>`.
    JWT       signed by an external identity provider, accepted when HUB_JWT_SECRET (HS256) or
              HUB_JWT_PUBLIC_KEY (RS256 for an RSA key, ES256 for an EC P-256 key; the key
              decides, never the token's header) is set. Claims: `sub` (required; actor
              `jwt:<sub>`), `exp` (required), `iss`/`aud` (checked when HUB_JWT_ISSUER /
              HUB_JWT_AUDIENCE are set), `role` (partner, editor or secretariat), and for an editor
              `reserves` and `institutions`: lists of keys ("ordino" or "Reserve:ordino").
              30 seconds of clock skew are tolerated.

No header (or an empty one): ANONYMOUS. Any other problem (not `Bearer ...`, a malformed, unknown or revoked key, a
token that is expired, badly signed, for another issuer or audience, or with a bad claim) fails
the whole request with UNAUTHENTICATED: HTTP 200 with `{"data": null, "errors": [...]}`, as the
hub answers every GraphQL error (GraphQL over HTTP, application/json). A client must never be
served as anonymous when the credential it sent was refused.

Verified keys are cached in this process for HUB_AUTH_CACHE_S (30 s by default), so a key costs
one database lookup per half-minute rather than one per request; a revocation therefore takes
effect within that time on every hub instance. Credentials are never logged.

Transport is the deployment's business: a bearer credential is only as safe as the connection
it travels on, so put the hub behind TLS (a reverse proxy) anywhere but on loopback.
"""

import datetime
import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import jwt

from graph.model import Kind, parse_global_id
from graph.records import ApiKeyRecord
from graph.store import Store
from graph.validation import KEY_PATTERN
from hub.settings import Settings, jwt_algorithm
from schema.permissions import ANONYMOUS, Role, Unauthenticated, Viewer

KEY_PREFIX = "hub_"
_API_KEY = re.compile(r"^hub_([0-9a-f]{16})_([A-Za-z0-9_-]{43})\Z")
_JWT_SHAPE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\Z")
_CACHE_MAX = 10_000  # keys held at once; the oldest go first
_LEEWAY_S = 30
GRANTABLE = (Role.PARTNER, Role.EDITOR, Role.SECRETARIAT)


def utc_now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def scope_keys(kind: Kind, values: Iterable[str]) -> list[str]:
    """Keys of reserves or institutions, given bare or as global ids; ValueError names a bad one."""
    keys = set()
    for value in values:
        key = value
        if ":" in value:
            parsed = parse_global_id(value)
            if parsed is None or parsed[0] is not kind:
                raise ValueError(f"{value!r} is not a {kind} key")
            key = parsed[1]
        if not KEY_PATTERN.match(key):
            raise ValueError(f"{value!r} is not a {kind} key")
        keys.add(key)
    return sorted(keys)


@dataclass(frozen=True, slots=True)
class NewKey:
    """A key just made: the record to store, and the credential to show once."""

    record: ApiKeyRecord
    token: str


def new_api_key(
    role: Role,
    *,
    name: str = "",
    reserves: Iterable[str] = (),
    institutions: Iterable[str] = (),
) -> NewKey:
    if role not in GRANTABLE:
        raise ValueError(f"a key's role is one of {', '.join(GRANTABLE)}, not {role}")
    reserve_keys = scope_keys(Kind.RESERVE, reserves)
    institution_keys = scope_keys(Kind.INSTITUTION, institutions)
    if role is not Role.EDITOR and (reserve_keys or institution_keys):
        raise ValueError("reserves and institutions are granted to editors only")
    key_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    record = ApiKeyRecord(
        id=key_id,
        name=name,
        role=str(role),
        reserves=reserve_keys,
        institutions=institution_keys,
        hash=hash_secret(secret),
        created_at=utc_now(),
    )
    return NewKey(record=record, token=f"{KEY_PREFIX}{key_id}_{secret}")


def _refused(why: str) -> Unauthenticated:
    return Unauthenticated(f"the credential was refused: {why}")


class Authenticator:
    """Turns a request's Authorization header into a Viewer. One per application (it holds the
    cache of verified keys); safe to share between concurrent requests of one event loop."""

    def __init__(
        self,
        *,
        cache_s: float = 30,
        jwt_key: str | None = None,
        jwt_algorithm: str | None = None,
        issuer: str | None = None,
        audience: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._cache_s = cache_s
        self._cache: dict[str, tuple[float, ApiKeyRecord]] = {}
        self._jwt_key = jwt_key
        self._jwt_algorithm = jwt_algorithm
        self._issuer = issuer
        self._audience = audience
        self._clock = clock

    @classmethod
    def from_settings(cls, settings: Settings) -> "Authenticator":
        key: str | None = None
        algorithm: str | None = None
        if settings.jwt_secret is not None:
            key, algorithm = str(settings.jwt_secret), "HS256"
        elif settings.jwt_public_key is not None:
            key, algorithm = settings.jwt_public_key, jwt_algorithm(settings.jwt_public_key)
        return cls(
            cache_s=settings.auth_cache_s,
            jwt_key=key,
            jwt_algorithm=algorithm,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
        )

    async def viewer(self, store: Store, authorization: str | None) -> Viewer:
        """The Viewer for this header value; raises Unauthenticated when it is refused."""
        if authorization is None or not authorization.strip():
            return ANONYMOUS  # no header, or an empty one (some clients send that)
        scheme, _, credential = authorization.strip().partition(" ")
        credential = credential.strip()
        if scheme.lower() != "bearer" or not credential:
            raise _refused('the Authorization header must be "Bearer <API key or token>"')
        if credential.startswith(KEY_PREFIX):
            return await self._key_viewer(store, credential)
        if _JWT_SHAPE.match(credential):
            return self._token_viewer(credential)
        raise _refused("it is neither an API key (hub_...) nor a token")

    # --- API keys --------------------------------------------------------------------------------
    async def _key_viewer(self, store: Store, credential: str) -> Viewer:
        match = _API_KEY.match(credential)
        if match is None:
            raise _refused("malformed API key")
        key_id, secret = match.groups()
        key = await self._key(store, key_id)
        if key is None or not hmac.compare_digest(key.hash, hash_secret(secret)):
            raise _refused("unknown API key")
        if key.revoked_at is not None:
            raise _refused("this API key was revoked")
        try:
            role = Role(key.role)
        except ValueError:
            raise _refused("this API key has no valid role") from None
        if role not in GRANTABLE:
            raise _refused("this API key has no valid role")
        return Viewer(
            role=role,
            actor=f"key:{key.id}",
            reserves=frozenset(key.reserves),
            institutions=frozenset(key.institutions),
        )

    async def _key(self, store: Store, key_id: str) -> ApiKeyRecord | None:
        now = self._clock()
        cached = self._cache.get(key_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        key = await store.api_key(key_id)
        if key is None:
            self._cache.pop(key_id, None)
            return None  # unknown ids are not cached: nobody can fill the cache with guesses
        if self._cache_s > 0:
            self._cache.pop(key_id, None)
            while len(self._cache) >= _CACHE_MAX:
                del self._cache[next(iter(self._cache))]
            self._cache[key_id] = (now + self._cache_s, key)
        return key

    # --- JWTs ------------------------------------------------------------------------------------
    def _token_viewer(self, credential: str) -> Viewer:
        if self._jwt_key is None or self._jwt_algorithm is None:
            raise _refused("this hub accepts no tokens (HUB_JWT_SECRET / HUB_JWT_PUBLIC_KEY)")
        try:
            claims: dict[str, Any] = jwt.decode(
                credential,
                self._jwt_key,
                algorithms=[self._jwt_algorithm],
                issuer=self._issuer,
                audience=self._audience,
                leeway=_LEEWAY_S,
                options={
                    "require": ["exp", "sub"],
                    "verify_aud": self._audience is not None,
                },
            )
        except jwt.ExpiredSignatureError:
            raise _refused("the token has expired") from None
        except jwt.PyJWTError as exc:
            raise _refused(f"invalid token ({exc})") from None
        subject, role_claim = claims.get("sub"), claims.get("role")
        if not isinstance(subject, str) or not subject:
            raise _refused("the token's sub claim must be a non-empty string")
        if not isinstance(role_claim, str) or role_claim not in GRANTABLE:
            raise _refused(f"the token's role claim must be one of {', '.join(GRANTABLE)}")
        role = Role(role_claim)
        scope: dict[Kind, list[str]] = {}
        for kind, claim in ((Kind.RESERVE, "reserves"), (Kind.INSTITUTION, "institutions")):
            values = claims.get(claim, [])
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise _refused(f"the token's {claim} claim must be a list of keys")
            try:
                scope[kind] = scope_keys(kind, values) if role is Role.EDITOR else []
            except ValueError as exc:
                raise _refused(f"the token's {claim} claim: {exc}") from None
        return Viewer(
            role=role,
            actor=f"jwt:{subject}",
            reserves=frozenset(scope[Kind.RESERVE]),
            institutions=frozenset(scope[Kind.INSTITUTION]),
        )
