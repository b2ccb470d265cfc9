"""Store methods for the analytics questions (issue 3); Cypher lives in graph/cypher.py."""

from graph._runner import Runner


class AnalyticsMixin(Runner):
    pass
