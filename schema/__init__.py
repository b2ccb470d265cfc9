"""The GraphQL schema. `schema/schema.graphql` is its printed SDL, kept current by a test."""

import strawberry
from graphql import GraphQLError
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from schema.analytics import AnalyticsQuery
from schema.audit import AuditQuery
from schema.collaborators import CollaborationQuery
from schema.errors import CodedErrors
from schema.extensions import RoundTripCounter
from schema.imports import ImportMutation
from schema.insights import InsightsQuery
from schema.limits import MAX_BATCH_CEILING, AbuseLimits
from schema.membership import MembershipMutation, MembershipQuery
from schema.mutations import WRITE_RULES, NodeMutation
from schema.paths import PathsQuery
from schema.query import NodeQuery
from schema.search import SearchQuery
from schema.types import TYPES, NodeKind

# Each module of questions contributes its own root fields; add new ones to this tuple.
Query = merge_types(
    "Query",
    (
        NodeQuery,
        CollaborationQuery,
        SearchQuery,
        PathsQuery,
        AnalyticsQuery,
        InsightsQuery,
        MembershipQuery,
        AuditQuery,
    ),
)
# Each module of writes contributes its own mutations; add new ones to this tuple.
Mutation = merge_types("Mutation", (NodeMutation, MembershipMutation, ImportMutation))
Mutation.__strawberry_definition__.description = WRITE_RULES  # type: ignore[attr-defined]


class HubSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: object = None) -> None:
        """Strawberry logs every error with a traceback; a refused argument or a missing node is
        the client's business. CodedErrors logs the internal ones, with the request id."""


schema = HubSchema(
    query=Query,
    mutation=Mutation,
    types=[*TYPES.values(), NodeKind],
    # AbuseLimits first: its on_operation ends last, after CodedErrors has coded the errors.
    extensions=[AbuseLimits, CodedErrors, RoundTripCounter],
    # Batches (a JSON array of operations): HUB_MAX_BATCH, up to this ceiling, in hub/app.py.
    config=StrawberryConfig(
        auto_camel_case=True, batching_config={"max_operations": MAX_BATCH_CEILING}
    ),
)


def sdl() -> str:
    """The schema as SDL text, as committed in schema/schema.graphql."""
    return schema.as_str() + "\n"
