from notifications.models import Notification

from .navigation import menu_for


def navigation(request):
    """The menu and the bell's unread count for the top bar (one query, signed-in users only)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_items": menu_for(request),
        "unread_notifications": Notification.objects.restrict(user).unread().count(),
    }
