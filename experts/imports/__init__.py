"""Importing experts from a spreadsheet through the enterprises' import machinery (dry run, row report, progress).

- `rows`: pure: the headers the pool's list uses, and one row to the profile's values, every bad value named.
- `template`: pure: the XLSX template offered for download (the pool's spec for `enterprises.imports.template_builder`).
- `kind`: the `enterprises.imports.kinds.RowKind` of experts: checking and applying rows.
- `jobs`: the RQ jobs, which hand the kind to the machinery's dry run and import.
- `controllers`: the pages (/experts/import): `enterprises.imports.presentation`'s steps and templates/imports/.
"""
