"""The requests the scenarios send to the real app as a signed-in user: pages with the session cookie,
the enterprise search form with its CSRF cookie and token, the API with a bearer token."""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlencode

from bench.measure import Target
from bench.servers import Server, api_token, csrf_for, sign_in
from core.sessions import SESSION_COOKIE

HOST = "127.0.0.1"


@dataclass(frozen=True)
class SignedIn:
    port: int
    session: str
    token: str
    csrf_cookie_name: str
    csrf_cookie: str
    csrf_token: str

    def page(self, path: str) -> Target:
        return Target(HOST, self.port, path, (("Cookie", f"{SESSION_COOKIE}={self.session}"),))

    def form(self, fields: dict[str, str]) -> Target:
        """A POST of the enterprise search form."""
        body = urlencode({"_csrf_token": self.csrf_token, **fields}).encode()
        headers = (
            ("Cookie", f"{SESSION_COOKIE}={self.session}; {self.csrf_cookie_name}={self.csrf_cookie}"),
            ("Content-Type", "application/x-www-form-urlencoded"),
        )
        return Target(HOST, self.port, "/enterprises", headers, "POST", body)

    def api(self, path: str, json_body: dict[str, str] | None = None) -> Target:
        """A GET, or with a body a POST of it as JSON."""
        bearer = (("Authorization", f"Bearer {self.token}"),)
        if json_body is None:
            return Target(HOST, self.port, path, bearer)
        body = json.dumps(json_body).encode()
        headers = (*bearer, ("Content-Type", "application/json"))
        return Target(HOST, self.port, path, headers, "POST", body)


def signed_in(server: Server, username: str, password: str, csrf_cookie_name: str) -> SignedIn:
    """Sign in to the running server through its login form, ask for an API token, and fetch the search form's
    CSRF pair."""
    session = sign_in(server.url, username, password)
    token = api_token(server.url, username, password)
    csrf_cookie, csrf_token = csrf_for(server.url, session, csrf_cookie_name)
    return SignedIn(server.port, session, token, csrf_cookie_name, csrf_cookie, csrf_token)
