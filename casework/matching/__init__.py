"""Matching a case to experts: the facts loader, the ranked list on the case page and API, batch assignment.

`facts` loads the plain facts `experts.matching.rank` works on, in a handful of queries for the whole
pool; `service` ranks and explains them for one case (`ranked_for_case`, `next_expert` for a lapsed
offer); `batch` proposes and confirms the assignment of a district's triaged backlog at once
(`experts.batching` decides, `casework.moving.transition_case` assigns). Pages in `controllers`,
the API in `api`.
"""
