"""Importing enterprises from a broker's spreadsheet: upload, dry run, confirmation, import.

A broker uploads the list he keeps (XLSX or CSV, Chinese headers). A background job reads it,
checks every row as the registration form would, and matches it against the registry: the dry
run. The uploader reads the row report and confirms; a second job imports the valid rows in one
transaction, all or none.

- `reading`: pure: a file's bytes to rows of text, the file's limits and why a file is refused.
- `headers`: pure: the headers brokers write, and the form field each names.
- `columns`: pure: which column of a file holds which field, and the warnings about the others.
- `values`: pure: the words brokers write for legal forms, districts, industries … as the form's values.
- `rows`: pure: one row to the intake form, duplicates within a file, a cleaned row kept between
  the dry run and the import.
- `template`: pure: the XLSX template offered for download; `template_builder`: pure: builds the template
  of any kind of row from its headers, example row and notes.
- `rules`: pure: a batch's states and the one table of the moves between them.
- `tables`: the batch and its rows.
- `service`: what users see and do (list, show, upload, confirm, cancel), and the one helper that
  moves a batch by its rules.
- `checking`, `applying`: the jobs' work: the dry run and the import.
- `progress`: how far an import is, told to the progress bar through Redis.
- `jobs`: the RQ jobs, given a batch id only.
- `presentation`: what the pages of every kind share: labels, the progress text and each page's steps
  (templates/imports/); `controllers`: the pages; `api`: the JSON API and its schemas.
"""
