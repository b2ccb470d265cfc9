"""Store methods for the search questions (issue 3); Cypher lives in graph/cypher.py."""

from graph._runner import Runner


class SearchMixin(Runner):
    pass
