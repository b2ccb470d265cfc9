"""Store methods for the paths questions (issue 3); Cypher lives in graph/cypher.py."""

from graph._runner import Runner


class PathsMixin(Runner):
    pass
