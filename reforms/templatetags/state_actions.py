"""``{% load state_actions %}``: what the user may do to a row now, for the pages' buttons."""

from django import template

from reforms import services

register = template.Library()


@register.filter
def actions_for(obj, user) -> frozenset[str]:
    """``{% with actions=measure|actions_for:user %}…{% if "sign_off" in actions %}``.

    For a measure or an extension request the page read through ``restrict(user)`` (the queues,
    the plan): ``services.available_actions`` with ``scoped=True``, so no query per row.
    """
    return services.available_actions(user, obj, scoped=True)
