"""Money as people read it: ``{{ case.amount|yuan }}`` → 1,250,000.00.

The one home of how an amount shows on pages and in PDFs (Excel keeps the number itself). Django's
``floatformat:"2g"`` groups by the active locale, and Simplified Chinese has no thousands
separator there, so 1250000.00 came out unreadable; grouping by thousands with commas is how
Chinese financial documents write amounts.
"""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@register.filter
def yuan(value) -> str:
    """An amount in yuan with thousands separators and two decimals: 1,250,000.00."""
    amount = _decimal(value)
    return "" if amount is None else f"{amount:,.2f}"
