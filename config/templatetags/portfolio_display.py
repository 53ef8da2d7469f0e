"""The display rules (config.display) for templates: {% load portfolio_display %}."""

from django import template

from config import display

register = template.Library()

register.filter("day", display.day)
register.filter("moment", display.moment)
register.filter("hours", display.hours)
register.filter("rag", display.rag)


@register.filter
def money(amount, currency=""):
    return display.money(amount, currency)


@register.simple_tag
def badge(text, variant=""):
    return display.badge(text, variant)


@register.filter
def days_late(days):
    return display.days_late(days) if days is not None else ""
