"""E-mail of notifications: a copy of an inbox message, sent to users who asked for it.

Whoever writes `Notification` rows calls `service.promise_mail` in the same transaction: it writes
one `MailMessage` per notification of a user with e-mail on (rendered then, in his language, from
`templates/mail/`) and promises `jobs.send_mail`, dispatched after the commit. The job sends over
SMTP (`core.config.Smtp`) and then marks the row sent — only if it is still queued, so a re-run
never sends a sent mail again. A failed try raises, so RQ retries with `core.jobs.RETRY`'s back-off;
the last try marks the row failed, listed for administrators at /admin/email with "send again".

In demo mode `make run` starts a local SMTP sink (`operations/mail_sink.py`) that keeps what it
receives as .eml files; administrators read them at /admin/mailbox.
"""
