"""Glue shared by the domain packages: configuration, database, errors, i18n, sessions, jobs."""
