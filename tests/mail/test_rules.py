"""The pure rules of notification e-mail, as tables."""

from __future__ import annotations

import pytest

from accounts.mail.rules import (
    ADDRESS_NEEDED,
    BAD_ADDRESS,
    address_problem,
    error_summary,
    gives_up,
    mail_job_id,
    normalise_address,
    number_of,
    wants_mail,
)

pytestmark = pytest.mark.pure


@pytest.mark.parametrize(
    ("address", "email_on", "problem"),
    [
        ("olga@example.com", True, None),
        ("o.l+ga@mail.example.com.cn", True, None),
        ("", False, None),  # e-mail off, no address: nothing to say
        ("", True, ADDRESS_NEEDED),
        ("olga.example.com", False, BAD_ADDRESS),  # a wrong address is refused even when e-mail is off
        ("olga@example", True, BAD_ADDRESS),
        ("olga@@example.com", True, BAD_ADDRESS),
        ("olga @example.com", True, BAD_ADDRESS),
        ("olga@example.com\nBcc: eve@example.com", True, BAD_ADDRESS),
        ("<olga@example.com>", True, BAD_ADDRESS),
        ("奥尔加@example.com", True, BAD_ADDRESS),  # SMTPUTF8 is not asked of the server
        ("a" * 250 + "@example.com", True, BAD_ADDRESS),
    ],
)
def test_it_checks_an_address(address: str, email_on: bool, problem: str | None) -> None:
    assert address_problem(address, email_on) == problem


@pytest.mark.parametrize(
    ("typed", "stored"),
    [(" Olga@Example.COM ", "Olga@example.com"), ("olga", "olga"), ("", "")],
)
def test_it_normalises_an_address(typed: str, stored: str) -> None:
    assert normalise_address(typed) == stored


@pytest.mark.parametrize(
    ("email_on", "address", "wanted"),
    [(True, "olga@example.com", True), (False, "olga@example.com", False), (True, "", False)],
)
def test_it_mails_only_users_who_turned_it_on_with_an_address(email_on: bool, address: str, wanted: bool) -> None:
    assert wants_mail(email_on, address) is wanted


@pytest.mark.parametrize(("attempts", "last"), [(1, False), (5, False), (6, True), (7, True)])
def test_it_gives_up_after_the_first_try_and_every_retry(attempts: int, last: bool) -> None:
    assert gives_up(attempts, max_retries=5) is last


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda: number_of("/cases/12"), "12"),
        (lambda: number_of("/cases/12/"), "12"),
        (lambda: number_of(""), ""),
        (lambda: error_summary("SMTPDataError", 550), "SMTPDataError 550"),
        (lambda: error_summary("ConnectionRefusedError", None), "ConnectionRefusedError"),
        (lambda: mail_job_id(7, 0), "mail-7"),
        (lambda: mail_job_id(7, 2), "mail-7-again-2"),
    ],
)
def test_it_reads_numbers_and_names_jobs_and_errors(call: object, expected: str) -> None:
    assert callable(call) and call() == expected
