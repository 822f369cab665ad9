"""Amounts of money as people read them: ¥1,256,000.00 on every page (the API keeps the plain number)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


def format_yuan(amount: Decimal | float | int | str | None) -> str:
    """¥ with thousands separators and two decimals (¥1,256,000.00); "" for no amount, the text for a non-number."""
    if amount is None or amount == "":
        return ""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    if not value.is_finite():
        return str(amount)
    sign = "-" if value < 0 else ""
    return f"{sign}¥{abs(value):,.2f}"
