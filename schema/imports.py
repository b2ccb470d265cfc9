"""Bulk import over GraphQL: `importGraph`, the secretariat's twin of `hub load`.

The file's text travels in the `file` argument (at most MAX_IMPORT_CHARACTERS characters; larger
files go through `hub load`). Rows are checked and written batch by batch by graph.importing, the
importer `hub load` uses: a batch with any rejected row writes nothing, and a dry run writes
nothing at all but reports the same counts and rejections.
"""

from typing import Annotated

import strawberry
from strawberry.types import Info

from graph.importing import ImportFileError, TextFormat, import_rows, text_rows
from graph.model import Kind, RelType
from graph.records import Audit
from graph.records import ImportReport as ImportReportRecord
from schema.context import Context
from schema.errors import BadUserInput
from schema.permissions import Role, require
from schema.types import NodeKind, RelationshipKind

# `kind` and `relationship` below are these GraphQL enums (the same classes as Kind, RelType).
assert NodeKind is Kind and RelationshipKind is RelType

MAX_IMPORT_CHARACTERS = 5_000_000


ImportFormat = strawberry.enum(
    TextFormat,
    name="ImportFormat",
    description="JSON_LINES: one row a line, as `hub export` writes them; JSON: one document "
    '{"nodes": [...], "relationships": [...]}; CSV: one node kind or relationship type per file '
    "(header = property names; `id` for nodes, `from` and `to` for relationships; lists "
    'separated by ";"; an empty cell is an absent property).',
)


@strawberry.type(description="How many rows of one node kind or relationship type.")
class ImportCount:
    name: str = strawberry.field(description="A node kind (Reserve) or relationship type.")
    count: int


@strawberry.type(description="A row that was refused, by the line it starts on.")
class ImportRejection:
    line: int
    reason: str


@strawberry.type(description="What an import did, or in a dry run would do.")
class ImportReport:
    created: list[ImportCount]
    updated: list[ImportCount]
    rejected: list[ImportRejection] = strawberry.field(
        description="Refused rows; each one's whole batch was not written."
    )
    dry_run: bool

    @strawberry.field(description="Whether no row was refused.")
    def ok(self) -> bool:
        return not self.rejected


def _counts(counts: dict[str, int]) -> list[ImportCount]:
    return [ImportCount(name=name, count=counts[name]) for name in sorted(counts)]


def report_of(report: ImportReportRecord, *, dry_run: bool) -> ImportReport:
    return ImportReport(
        created=_counts(report.created),
        updated=_counts(report.updated),
        rejected=[ImportRejection(line=r.line, reason=r.reason) for r in report.rejected],
        dry_run=dry_run,
    )


@strawberry.type
class ImportMutation:
    @strawberry.mutation(
        description="Import nodes and relationships from a file's text (at most 5,000,000 "
        "characters). Rows are written in batches of 5,000; a batch with any rejected row writes "
        "nothing. With `dryRun`, nothing is written and the report says what would be. A CSV "
        "file holds one node kind (`kind`) or one relationship type (`relationship`). "
        "Secretariat only."
    )
    async def import_graph(
        self,
        info: Info[Context, None],
        file: str,
        format: TextFormat,  # registered as the GraphQL enum ImportFormat above
        dry_run: bool = False,
        kind: Annotated[
            Kind | None,  # the GraphQL enum Kind (schema.types.NodeKind)
            strawberry.argument(description="For CSV: the node kind the file holds."),
        ] = None,
        relationship: Annotated[
            RelType | None,  # the GraphQL enum RelationshipKind
            strawberry.argument(description="For CSV: the relationship type the file holds."),
        ] = None,
    ) -> ImportReport:
        require(info.context.viewer, Role.SECRETARIAT)
        if len(file) > MAX_IMPORT_CHARACTERS:
            raise BadUserInput(
                "file",
                f"is {len(file):,} characters; the limit is {MAX_IMPORT_CHARACTERS:,} "
                "(use `hub load` for larger files)",
            )
        fmt = format
        target: str | None = None
        if fmt is TextFormat.CSV:
            if (kind is None) == (relationship is None):
                raise BadUserInput("kind", "a CSV file needs exactly one of kind or relationship")
            target = str(kind if kind is not None else relationship)
        elif kind is not None or relationship is not None:
            argument = "kind" if kind is not None else "relationship"
            raise BadUserInput(argument, "is for CSV files only")
        try:
            report = await import_rows(
                info.context.store,
                text_rows(file, fmt, target),
                dry_run=dry_run,
                audit=Audit(
                    actor=info.context.viewer.actor,
                    request_id=info.context.request_id,
                    operation="importGraph",
                ),
            )
        except ImportFileError as exc:
            raise BadUserInput("file", str(exc)) from None
        return report_of(report, dry_run=dry_run)
