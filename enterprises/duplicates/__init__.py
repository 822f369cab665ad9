"""Duplicate enterprises: warn while a record is typed that it may be registered already, and merge two records.

- `matching`: pure rules: name keys, how alike two names are, why a record may be the one being
  typed, and the matches ranked strongest first.
- `service`: finding the possible duplicates of what is typed or of a registered record, across
  the city and without leaking personal data; holding back a registration until the user
  confirms it is another enterprise.
- `merge_service`: merging a duplicate into the record kept, the confirmation's side-by-side
  preview, and the recorded merges; other domains hand over their way of moving rows on a merge
  through `register_mover`.
- `controllers`: the pages; `api`: the JSON API and its schemas.
"""
