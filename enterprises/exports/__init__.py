"""Long exports of the enterprise list, built by a background job: request, progress, download.

An export of up to `settings.limits.export_inline_rows` rows is answered at once (built off the
event loop); a larger one becomes an `ExportFile`, built by a heavy RQ job with the requester's
reach and masking, written in chunks to a file outside the web root, and downloaded from its page
by the requester alone.

- `rules`: pure: an export's states, the one table of the moves between them, its progress.
- `tables`: the export file's row.
- `service`: what users see and do (start an export, list theirs, read one, download it), and the
  one helper that moves an export by its rules.
- `building`: the job's work: claim the export, query in chunks, write the file, finish or fail.
- `jobs`: the RQ jobs, given an export id only.
- `controllers`: the pages.
"""
