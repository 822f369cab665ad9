"""Users, roles, sessions, API tokens, the access policy and the in-app inbox."""
