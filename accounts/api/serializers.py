from rest_framework import serializers

from accounts.models import Notification, OrgUnit, Sector


class OrgUnitSerializer(serializers.ModelSerializer):
    posted_to = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    # Read-only choice fields lose ``allow_blank``; say it, so the schema admits "".
    sector = serializers.ChoiceField(choices=Sector.choices, allow_blank=True, read_only=True)

    class Meta:
        model = OrgUnit
        fields = ["id", "name", "kind", "doc_abbr", "sector", "path", "depth", "posted_to"]
        read_only_fields = fields


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "title", "body", "link", "created_at", "read_at"]
        read_only_fields = fields


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
