"""Who may do what. Every resolver that writes, or shows a private field, asks here.

Roles, from least to most:
    ANONYMOUS    no credentials: reads public fields
    PARTNER      an API key or token: reads everything except personal contact data
    EDITOR       writes, but only within the reserves and institutions it is granted
    SECRETARIAT  everything, including personal data, audit trail and membership decisions

Missing credentials where some are needed: UNAUTHENTICATED. Credentials that are not enough:
FORBIDDEN. How a request's Viewer is established (API keys, JWTs) is hub/auth.py's business.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from graph.model import Kind
from schema.errors import HubError


class Role(StrEnum):
    ANONYMOUS = "anonymous"
    PARTNER = "partner"
    EDITOR = "editor"
    SECRETARIAT = "secretariat"


@dataclass(frozen=True, slots=True, kw_only=True)
class Viewer:
    """Who is asking: a role, a stable actor name for the audit trail, and an editor's scope."""

    role: Role
    actor: str  # "anonymous", "key:<key id>", "jwt:<subject>"
    reserves: frozenset[str] = field(default_factory=frozenset)
    institutions: frozenset[str] = field(default_factory=frozenset)

    @property
    def authenticated(self) -> bool:
        return self.role is not Role.ANONYMOUS


ANONYMOUS = Viewer(role=Role.ANONYMOUS, actor="anonymous")


class Unauthenticated(HubError):
    code = "UNAUTHENTICATED"


class Forbidden(HubError):
    code = "FORBIDDEN"


def require(viewer: Viewer, *roles: Role) -> Viewer:
    """The viewer, when it holds one of `roles`; UNAUTHENTICATED or FORBIDDEN otherwise."""
    if viewer.role in roles:
        return viewer
    if not viewer.authenticated:
        raise Unauthenticated(
            "this needs credentials: an API key or a token (Authorization: Bearer ...)"
        )
    raise Forbidden(f"the {viewer.role} role may not do this")


def in_scope(viewer: Viewer, nodes: Iterable[tuple[Kind, str]]) -> bool:
    """Whether an editor's grant covers every one of these reserves/institutions directly."""
    for kind, key in nodes:
        if kind is Kind.RESERVE and key in viewer.reserves:
            continue
        if kind is Kind.INSTITUTION and key in viewer.institutions:
            continue
        return False
    return True
