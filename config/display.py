"""How every screen shows a value: labels, never codes; one date format; money with its
currency and a thousands separator; badges for states (django-unfold's label look).

Use these from list columns (`@display(description=...)`), templates (the `portfolio_display`
template tags) and detail pages alike, so a date or an overdue count reads the same
everywhere."""

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.html import format_html

DATE_FORMAT = "%-d %b %Y"  # 7 Dec 2026
DATETIME_FORMAT = "%-d %b %Y %H:%M"  # 7 Dec 2026 14:05 (local time)

_BADGE = (
    '<span class="inline-block font-semibold rounded-default text-[11px] uppercase '
    'whitespace-nowrap h-6 leading-6 px-2 {}"{}>{}</span>'
)
_VARIANTS = {
    "danger": "bg-red-100 text-red-700 dark:bg-red-500/20 dark:text-red-400",
    "warning": "bg-orange-100 text-orange-700 dark:bg-orange-500/20 dark:text-orange-400",
    "success": "bg-green-100 text-green-700 dark:bg-green-500/20 dark:text-green-400",
    "info": "bg-blue-100 text-blue-700 dark:bg-blue-500/20 dark:text-blue-400",
    "primary": "bg-primary-100 text-primary-700 dark:bg-primary-500/20 dark:text-primary-400",
    "": "bg-base-500/8 text-base-700 dark:bg-base-500/20 dark:text-base-200",
}
RAG_VARIANTS = {"red": "danger", "amber": "warning", "green": "success"}
EMPTY = "—"


def day(value: date | datetime | None) -> str:
    if value is None:
        return EMPTY
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.strftime(DATE_FORMAT)


def moment(value: datetime | None) -> str:
    if value is None:
        return EMPTY
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime(DATETIME_FORMAT)


def money(amount: Decimal | int | float | None, currency: str = "") -> str:
    """'USD 38,000,000' (pennies shown only when there are any)."""
    if amount is None:
        return EMPTY
    amount = Decimal(amount)
    text = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return f"{currency} {text}".strip()


def hours(value: Decimal | float | None) -> str:
    if value is None:
        return EMPTY
    value = Decimal(value)
    text = f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.1f}"
    return f"{text} h"


def count(number: int, noun: str, plural: str = "") -> str:
    """'1 task', '3 tasks' (never 'task(s)')."""
    return f"{number} {noun if number == 1 else (plural or noun + 's')}"


def badge(text: str, variant: str = "", title: str = ""):
    """A coloured label: variant is danger, warning, success, info, primary or '' (grey)."""
    title_attr = format_html(' title="{}"', title) if title else ""
    return format_html(_BADGE, _VARIANTS.get(variant, _VARIANTS[""]), title_attr, text)


def days_late(days: int, late: str = "overdue", soon: str = "due today"):
    """A red badge with the number of days late, an orange one when due today; '' otherwise."""
    if days > 0:
        return badge(f"{days} day{'s' if days != 1 else ''} {late}", "danger")
    if days == 0:
        return badge(soon, "warning")
    return ""


def rag(value: str | None, label: str | None = None):
    if not value:
        return EMPTY
    return badge(label or value.title(), RAG_VARIANTS.get(value, ""))


def warning(flag: bool, text: str):
    """A boolean that means something bad: a warning badge when true, nothing when false."""
    return badge(text, "warning") if flag else EMPTY
