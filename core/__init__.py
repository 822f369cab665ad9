"""The ground floor: configuration, database, errors, i18n, web glue, sessions, jobs, reach; it knows no domain."""
