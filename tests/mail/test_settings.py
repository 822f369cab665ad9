"""Bad SMTP settings stop the process at once, naming the variable; mail templates are translated."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from tests.core.test_config import run_fuchi
from tests.test_translations import untranslated

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("FUCHI_SMTP_PORT", "smtp"),
        ("FUCHI_SMTP_TLS", "tls"),
        ("FUCHI_SMTP_HOST", "mail host"),
        ("FUCHI_MAIL_FROM", "nobody"),
        ("FUCHI_SMTP_USER", "fuchi"),  # without FUCHI_SMTP_PASSWORD
    ],
)
def test_it_names_the_bad_mail_variable(tmp_path: Path, variable: str, value: str) -> None:
    result = run_fuchi(tmp_path, **{variable: value})
    assert result.returncode != 0
    assert variable in result.stderr


@pytest.mark.pure
def test_it_translates_every_message_of_the_mail_templates() -> None:
    found = {
        message[0] if isinstance(message, tuple) else message
        for _f, _l, message, _c, _x in extract_from_dir(ROOT / "templates" / "mail", method_map=[("**.txt", "jinja2")])
    }
    assert len(found) >= 3
    assert untranslated(found) == []
