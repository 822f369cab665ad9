"""The registry's labels: every field of an enterprise record has one, the form's and the history's."""

from __future__ import annotations

import pytest

from enterprises.intake import ENTERPRISE_FIELDS
from enterprises.presentation import FIELD_LABELS, field_label


def test_it_labels_every_field_of_the_record() -> None:
    # Every field of the form, and the division read from the industry (history names it too).
    assert set(FIELD_LABELS) == {*ENTERPRISE_FIELDS, "industry_division"}


@pytest.mark.parametrize(
    ("name", "label"), [("employees", "Employees"), ("founder_phone", "Founder's phone"), ("gone_field", "gone_field")]
)
def test_it_names_a_field_by_its_label_and_an_unknown_one_by_its_key(name: str, label: str) -> None:
    assert field_label(name) == label
