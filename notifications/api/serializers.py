from rest_framework import serializers

from core.api import ModelSerializer
from notifications.models import DIGEST_OPTIONAL_KINDS, Notification


class NotificationSerializer(ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "title", "body", "link", "created_at", "read_at"]
        read_only_fields = fields


_KIND_LABELS = dict(Notification.Kind.choices)
# Named once in the schema (settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).
DIGEST_KIND_CHOICES = [(kind, _KIND_LABELS[kind]) for kind in DIGEST_OPTIONAL_KINDS]


class DigestKindsSerializer(serializers.Serializer):
    """The kinds of notification that also go into the user's daily digest (email, webhook);
    the in-app inbox shows every kind whatever is chosen."""

    digest_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=DIGEST_KIND_CHOICES),
        allow_empty=True,
        help_text="Kinds also sent in the daily digest; the others stay in the inbox only.",
    )
    choosable_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=DIGEST_KIND_CHOICES),
        read_only=True,
        help_text="The kinds this user receives and may choose (the weekly report: supervisors).",
    )
