"""Offers: a case's assignments as the officer who offers it and the expert who answers see them.

`service` reads a case's offers and an expert's open ones (each with its deadline, the pending
OFFER_DEADLINE follow-up's due time) and answers an offer by its id, refusing one that is no longer
the case's open offer with a clear message before anything changes; the moves themselves are
`casework.moving.transition_case` (ASSIGN, ACCEPT_ASSIGNMENT, DECLINE_ASSIGNMENT). `api` is
`/api/v1/cases/{id}/offers` and `/api/v1/me/offers`; the expert's pages are `casework.workspace`.
"""
