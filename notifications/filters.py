import django_filters
from django.utils.translation import gettext_lazy as _

from core.forms import YesNoFilter

from .models import Notification


class NotificationFilter(django_filters.FilterSet):
    unread = YesNoFilter(field_name="read_at", lookup_expr="isnull", label=_("Unread"))

    class Meta:
        model = Notification
        fields = []
