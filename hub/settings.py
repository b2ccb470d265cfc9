"""Settings from HUB_* environment variables, each with a documented default.

| variable                 | default            | meaning                                            |
|--------------------------|--------------------|----------------------------------------------------|
| HUB_ENV                  | development        | development or production                          |
| HUB_HOST                 | 127.0.0.1          | address `hub serve` listens on                     |
| HUB_PORT                 | 8000               | port `hub serve` listens on                        |
| HUB_WORKERS              | 1                  | uvicorn worker processes                           |
| HUB_DATA_DIR             | ./data             | where the embedded database keeps its files        |
| HUB_FALKORDB_URL         | (none)             | an external FalkorDB (redis:// or unix://)         |
| HUB_FALKORDB_PASSWORD    | (none)             | its password                                       |
| HUB_GRAPH                | wnmbr              | graph name inside FalkorDB                         |
| HUB_NEO4J_URI            | (none)             | use Neo4j at this URI instead of FalkorDB          |
| HUB_NEO4J_USER           | neo4j              | Neo4j user                                         |
| HUB_NEO4J_PASSWORD       | (none)             | Neo4j password                                     |
| HUB_NEO4J_DATABASE       | neo4j              | Neo4j database name                                |
| HUB_QUERY_TIMEOUT_MS     | 10000              | limit for one database call                        |
| HUB_MAX_PAGE_SIZE        | 100                | the largest `first` a list accepts                 |
| HUB_DEMO_ON_EMPTY        | true               | load the demo data into an empty embedded store    |
| HUB_GRAPHIQL             | by HUB_ENV         | serve GraphiQL at GET /graphql (development: true, production: false) |
| HUB_WEB_DIR              | <repo>/web         | where npm installed the front-end assets           |
| HUB_MAP_TILE_URL         | (none)             | online map tiles for /explore, {z}/{x}/{y} URL     |
| HUB_CENTRALITY_TTL_S     | 600                | seconds a centrality result is reused (0: never)   |
| HUB_CENTRALITY_EXACT_NODES | 1000             | exact betweenness up to this many nodes, sampled above |
| HUB_LOG_LEVEL            | info               | logging level                                      |
| HUB_LOG_FORMAT           | by HUB_ENV         | json (one object a line, see hub/logs.py) or text (development: text, production: json) |
| HUB_METRICS_TOKEN        | (none)             | /metrics needs `Authorization: Bearer <this>`; unset: open in development, loopback clients only in production |
| HUB_AUTH_CACHE_S         | 30                 | seconds a verified API key is reused before it is looked up again (so a revocation takes effect within this time; 0: every request) |
| HUB_JWT_SECRET           | (none)             | accept HS256 JWTs signed with this shared secret (at least 32 characters) |
| HUB_JWT_PUBLIC_KEY       | (none)             | or accept RS256/ES256 JWTs verified with this PEM public key (RSA or EC P-256; `\n` may stand for line breaks) |
| HUB_JWT_ISSUER           | (none)             | when set, a JWT's `iss` must be this                |
| HUB_JWT_AUDIENCE         | (none)             | when set, a JWT's `aud` must contain this           |
| HUB_INTROSPECTION        | by HUB_ENV         | answer `__schema`/`__type` (development: true, production: false) |
| HUB_CORS_ORIGINS         | (none)             | comma-separated origins (https://host[:port]) browsers may call from |
| HUB_CSRF_CHECK           | by HUB_ENV         | GET runs only with a GraphQL-Require-Preflight header or from a HUB_CORS_ORIGINS origin (development: false, production: true) |
| HUB_TRUSTED_DOCUMENTS    | false              | run only the operations of schema/operations/ (by text or SHA-256, see hub/http_spec.py) |
| HUB_MAX_DEPTH            | 10                 | deepest selection nesting of a document (schema/limits.py) |
| HUB_MAX_ALIASES          | 15                 | aliases in a document                              |
| HUB_MAX_DIRECTIVES       | 50                 | directives in a document                           |
| HUB_MAX_TOKENS           | 1000               | tokens in a document (comments included)           |
| HUB_MAX_DOCUMENT_CHARS   | 15000              | characters in a document, checked before parsing   |
| HUB_MAX_QUERY_COST       | 50000              | cost of an operation: page sizes multiplied through its nesting (schema/limits.py) |
| HUB_MAX_BATCH            | 10                 | operations in one batched request (a JSON array)   |
| HUB_REQUEST_TIMEOUT_MS   | 15000              | time limit of a /graphql request (then TIMEOUT; the database call is cancelled) |
| HUB_RATE_LIMIT_ADDRESS   | 600                | /graphql requests per minute from one client address (0: off; hub/ratelimit.py) |
| HUB_RATE_LIMIT_KEY       | 600                | operations per minute of one API key or token subject (0: off) |
| HUB_COST_BUDGET          | 200000             | query cost per minute of one key (anonymous: of one address) (0: off) |
| HUB_TRUSTED_PROXIES      | 127.0.0.1,::1      | comma-separated proxy addresses/networks whose X-Forwarded-For is believed (`none`: no proxy) |

A bad value stops the hub at start with a message naming the variable. Outside development,
placeholder secrets are refused too (see `_refuse_default_secrets`).
JWT claims (see hub/auth.py): `sub` and `exp` required, `role`, `reserves`, `institutions`.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Self

from starlette.config import Config
from starlette.datastructures import Secret

from schema.limits import DEFAULT_LIMITS

_REPO = Path(__file__).resolve().parent.parent


class SettingsError(ValueError):
    """A HUB_* variable has a value the hub cannot use."""


def _bool(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"HUB_{name} must be true or false, not {value!r}")


def _int(name: str, value: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except ValueError:
        raise SettingsError(f"HUB_{name} must be a whole number, not {value!r}") from None
    if not low <= number <= high:
        raise SettingsError(f"HUB_{name} must be between {low} and {high}, not {number}")
    return number


def jwt_algorithm(pem: str) -> str:
    """RS256 for an RSA public key, ES256 for an EC P-256 one (the key decides, never a token)."""
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    try:
        key = load_pem_public_key(pem.encode())
    except ValueError:
        raise SettingsError(
            "HUB_JWT_PUBLIC_KEY must be a PEM public key (RSA or EC P-256)"
        ) from None
    if isinstance(key, rsa.RSAPublicKey):
        return "RS256"
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        return "ES256"
    raise SettingsError("HUB_JWT_PUBLIC_KEY must be an RSA or EC P-256 public key")


def _jwt_values(text: Callable[[str], str | None]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    secret, public_key = text("JWT_SECRET"), text("JWT_PUBLIC_KEY")
    if secret is not None and public_key is not None:
        raise SettingsError("HUB_JWT_SECRET and HUB_JWT_PUBLIC_KEY: set one of them, not both")
    if secret is not None:
        if len(secret) < 32:  # RFC 7518 3.2: an HS256 key at least as long as the hash
            raise SettingsError("HUB_JWT_SECRET must be at least 32 characters long")
        values["jwt_secret"] = Secret(secret)
    if public_key is not None:
        public_key = public_key.replace("\\n", "\n")
        jwt_algorithm(public_key)
        values["jwt_public_key"] = public_key
    for name in ("JWT_ISSUER", "JWT_AUDIENCE"):
        if (value := text(name)) is not None:
            if secret is None and public_key is None:
                raise SettingsError(
                    f"HUB_{name} needs HUB_JWT_SECRET or HUB_JWT_PUBLIC_KEY to be set"
                )
            values[name.lower()] = value
    return values


def _origins(value: str) -> tuple[str, ...]:
    """HUB_CORS_ORIGINS: origins as browsers send them (scheme://host[:port], no path, no *)."""
    from urllib.parse import urlsplit

    from strawberry.http.websocket_origin import normalize_origin

    origins: list[str] = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        origin = normalize_origin(item)
        parts = urlsplit(item)
        if (
            origin is None
            or not origin.startswith(("http://", "https://"))
            or parts.path not in ("", "/")
            or parts.query
            or parts.fragment
            or parts.username
        ):
            raise SettingsError(
                f"HUB_CORS_ORIGINS must list origins like https://example.org, not {item!r}"
            )
        if origin not in origins:
            origins.append(origin)
    return tuple(origins)


# Well-known placeholder values: never a real secret.
_PLACEHOLDERS = ("changeme", "change-me", "change_me", "secret", "password", "example", "default")


def _weak(secret: str) -> bool:
    lowered = secret.lower()
    return len(set(secret)) < 10 or any(word in lowered for word in _PLACEHOLDERS)


def _refuse_default_secrets(settings: "Settings") -> None:
    """Outside development, refuse secrets that look like defaults or placeholders.

    The hub ships no default secret (the embedded FalkorDB gets a random password or a private
    unix socket; HUB_JWT_SECRET has no default and needs 32 characters everywhere), so this
    catches the ones copied from examples: Neo4j's initial password, placeholder JWT secrets.
    """
    if settings.jwt_secret is not None and _weak(str(settings.jwt_secret)):
        raise SettingsError(
            "HUB_JWT_SECRET looks like a placeholder (a known word or too few distinct "
            "characters): use a random secret, e.g. `python -c 'import secrets; "
            "print(secrets.token_urlsafe(32))'`"
        )
    if settings.neo4j_password is not None and str(settings.neo4j_password).lower() in {
        "neo4j", "password", "changeme", "secret",
    }:  # fmt: skip
        raise SettingsError("HUB_NEO4J_PASSWORD is a default password: set the real one")


# The abuse limits (schema/limits.py, hub/ratelimit.py): name -> (lowest, highest).
LIMIT_RANGES: dict[str, tuple[int, int]] = {
    "MAX_DEPTH": (1, 1000),
    "MAX_ALIASES": (0, 10_000),
    "MAX_DIRECTIVES": (0, 10_000),
    "MAX_TOKENS": (10, 1_000_000),
    "MAX_DOCUMENT_CHARS": (100, 10_000_000),
    "MAX_QUERY_COST": (1, 10**12),
    "MAX_BATCH": (1, 100),  # 100: the schema's batching ceiling (schema/__init__.py)
    "REQUEST_TIMEOUT_MS": (1, 600_000),
    "RATE_LIMIT_ADDRESS": (0, 1_000_000),
    "RATE_LIMIT_KEY": (0, 1_000_000),
    "COST_BUDGET": (0, 10**12),
}


def _limit_values(text: Callable[[str], str | None]) -> dict[str, Any]:
    import ipaddress

    values: dict[str, Any] = {}
    for name, (low, high) in LIMIT_RANGES.items():
        if (value := text(name)) is not None:
            values[name.lower()] = _int(name, value, low, high)
    if (value := text("TRUSTED_PROXIES")) is not None:
        proxies = tuple(part.strip() for part in value.split(",") if part.strip())
        if proxies == ("none",):
            proxies = ()
        for proxy in proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise SettingsError(
                    "HUB_TRUSTED_PROXIES must list IP addresses or networks (10.0.0.0/8), "
                    f"not {proxy!r}"
                ) from None
        values["trusted_proxies"] = proxies
    return values


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    env: str = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    data_dir: Path = Path("data")
    falkordb_url: str | None = None
    falkordb_password: Secret | None = None
    graph: str = "wnmbr"
    neo4j_uri: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_password: Secret | None = field(default=None)
    neo4j_database: str = "neo4j"
    query_timeout_ms: int = 10_000
    max_page_size: int = 100
    demo_on_empty: bool = True
    graphiql: bool | None = None  # None: by env (see serve_graphiql)
    web_dir: Path = _REPO / "web"
    log_level: str = "info"
    log_format: str | None = None  # None: by env (see logs_as)
    metrics_token: Secret | None = None
    centrality_ttl_s: int = 600
    centrality_exact_nodes: int = 1000
    map_tile_url: str = ""
    # who may do what (issue 4, hub/auth.py)
    auth_cache_s: int = 30
    jwt_secret: Secret | None = None
    jwt_public_key: str | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    # the production edge (issue 5, hub/http_spec.py); None: by env
    introspection: bool | None = None
    cors_origins: tuple[str, ...] = ()
    csrf_check: bool | None = None
    trusted_documents: bool = False
    # abuse limits (issue 5, schema/limits.py and hub/ratelimit.py)
    # document limits: defaults are schema/limits.py's, which apply when no settings are given
    max_depth: int = DEFAULT_LIMITS.max_depth
    max_aliases: int = DEFAULT_LIMITS.max_aliases
    max_directives: int = DEFAULT_LIMITS.max_directives
    max_tokens: int = DEFAULT_LIMITS.max_tokens
    max_document_chars: int = DEFAULT_LIMITS.max_document_chars
    max_query_cost: int = DEFAULT_LIMITS.max_cost
    max_batch: int = 10
    request_timeout_ms: int = 15_000
    rate_limit_address: int = 600
    rate_limit_key: int = 600
    cost_budget: int = 200_000
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Self:
        config = Config(environ=environ, env_prefix="HUB_")
        values: dict[str, Any] = {}

        def text(name: str) -> str | None:
            value = config(name, default=None)
            return None if value is None or value == "" else str(value)

        env = text("ENV") or "development"
        if env not in {"development", "production"}:
            raise SettingsError(f"HUB_ENV must be development or production, not {env!r}")
        values["env"] = env
        for name in ("HOST", "GRAPH", "NEO4J_USER", "NEO4J_DATABASE"):
            if (value := text(name)) is not None:
                values[name.lower()] = value
        for name, (low, high) in {
            "PORT": (0, 65535),
            "WORKERS": (1, 64),
            "QUERY_TIMEOUT_MS": (100, 600_000),
            "MAX_PAGE_SIZE": (1, 10_000),
            "CENTRALITY_TTL_S": (0, 86_400),
            "CENTRALITY_EXACT_NODES": (0, 1_000_000),
            "AUTH_CACHE_S": (0, 3600),
        }.items():
            if (value := text(name)) is not None:
                values[name.lower()] = _int(name, value, low, high)
        for name in (
            "DEMO_ON_EMPTY",
            "GRAPHIQL",
            "INTROSPECTION",
            "CSRF_CHECK",
            "TRUSTED_DOCUMENTS",
        ):
            if (value := text(name)) is not None:
                values[name.lower()] = _bool(name, value)
        for name in ("DATA_DIR", "WEB_DIR"):
            if (value := text(name)) is not None:
                values[name.lower()] = Path(value)
        if (value := text("FALKORDB_URL")) is not None:
            if not value.startswith(("redis://", "rediss://", "unix://")):
                raise SettingsError(
                    "HUB_FALKORDB_URL must start with redis://, rediss:// or unix://"
                )
            values["falkordb_url"] = value
        if (value := text("NEO4J_URI")) is not None:
            if not value.startswith(("neo4j://", "neo4j+s://", "neo4j+ssc://", "bolt://", "bolt+s://",
                                     "bolt+ssc://")):  # fmt: skip
                raise SettingsError("HUB_NEO4J_URI must be a neo4j:// or bolt:// URI")
            values["neo4j_uri"] = value
        for name in ("FALKORDB_PASSWORD", "NEO4J_PASSWORD"):
            if (value := text(name)) is not None:
                values[name.lower()] = Secret(value)
        if (value := text("MAP_TILE_URL")) is not None:
            if not value.startswith(("http://", "https://")) or not all(
                part in value for part in ("{z}", "{x}", "{y}")
            ):
                raise SettingsError(
                    "HUB_MAP_TILE_URL must be an http(s) URL with {z}, {x} and {y}, "
                    f"not {value!r}"
                )
            values["map_tile_url"] = value
        values.update(_jwt_values(text))
        values.update(_limit_values(text))
        if (value := text("CORS_ORIGINS")) is not None:
            values["cors_origins"] = _origins(value)
        level = (text("LOG_LEVEL") or "info").lower()
        if level not in {"debug", "info", "warning", "error"}:
            raise SettingsError(
                f"HUB_LOG_LEVEL must be debug, info, warning or error, not {level!r}"
            )
        values["log_level"] = level
        log_format = (text("LOG_FORMAT") or "").lower()
        if log_format:
            if log_format not in {"json", "text"}:
                raise SettingsError(f"HUB_LOG_FORMAT must be json or text, not {log_format!r}")
            values["log_format"] = log_format
        if (value := text("METRICS_TOKEN")) is not None:
            if len(value) < 16:
                raise SettingsError("HUB_METRICS_TOKEN must be at least 16 characters long")
            values["metrics_token"] = Secret(value)
        settings = cls(**values)
        if settings.neo4j_uri and settings.neo4j_password is None:
            raise SettingsError("HUB_NEO4J_PASSWORD is required when HUB_NEO4J_URI is set")
        if settings.env != "development":
            _refuse_default_secrets(settings)
        return settings

    @property
    def development(self) -> bool:
        return self.env == "development"

    @property
    def serve_graphiql(self) -> bool:
        return self.development if self.graphiql is None else self.graphiql

    @property
    def allow_introspection(self) -> bool:
        return self.development if self.introspection is None else self.introspection

    @property
    def check_csrf(self) -> bool:
        return not self.development if self.csrf_check is None else self.csrf_check

    @property
    def logs_as(self) -> str:
        """json or text: HUB_LOG_FORMAT, else text in development and json in production."""
        return self.log_format or ("text" if self.env == "development" else "json")

    @property
    def backend(self) -> str:
        return "neo4j" if self.neo4j_uri else "falkordb"

    @property
    def embedded(self) -> bool:
        """True when the hub runs its own FalkorDB (nothing external configured)."""
        return self.neo4j_uri is None and self.falkordb_url is None

    @property
    def embedded_dir(self) -> Path:
        return (self.data_dir / "falkordb").resolve()

    def with_(self, **changes: Any) -> "Settings":
        return replace(self, **changes)
