"""collaborators(via:) over HTTP: the score explains itself, per kind of link (small.jsonl)."""

from conftest import Hub

QUERY = """
query($person: ID!, $via: [CollaborationLink!], $theme: ID) {
  collaborators(personId: $person, via: $via, theme: $theme) {
    totalCount
    edges {
      node { key }
      score { total projects institutions reserves }
      sharedInstitutions { key }
    }
  }
}
"""


async def test_score_counts_each_kind_of_link_and_ranks_by_its_total(small_hub: Hub) -> None:
    answer = await small_hub.graphql(QUERY, person="Person:ana", via=["PROJECT", "INSTITUTION"])
    edges = answer["data"]["collaborators"]["edges"]
    assert [(e["node"]["key"], e["score"]) for e in edges] == [
        ("bo", {"total": 3, "projects": 3, "institutions": 0, "reserves": 0}),
        ("chloe", {"total": 2, "projects": 1, "institutions": 1, "reserves": 0}),
        ("dmitri", {"total": 1, "projects": 1, "institutions": 0, "reserves": 0}),
    ]
    assert edges[1]["sharedInstitutions"] == [{"key": "uleon"}]
    assert answer["data"]["collaborators"]["totalCount"] == 3


async def test_default_via_is_shared_projects_only(small_hub: Hub) -> None:
    answer = await small_hub.graphql(QUERY, person="Person:bo")
    scores = [e["score"]["institutions"] for e in answer["data"]["collaborators"]["edges"]]
    assert scores and set(scores) == {0}


async def test_empty_via_is_refused_naming_it(small_hub: Hub) -> None:
    answer = await small_hub.graphql(QUERY, person="Person:ana", via=[])
    (error,) = answer["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "via"}
