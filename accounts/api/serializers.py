from django.utils.translation import gettext_lazy
from rest_framework import serializers

from accounts.models import OrgUnit, Sector, User
from core.api import ModelSerializer, TextField
from core.domain import max_length_of

# Far above any password a person types; bounds what the hasher is given (and the schema says so).
PASSWORD_MAX_LENGTH = 4096


class OrgUnitSerializer(ModelSerializer):
    posted_to = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    # Read-only choice fields lose ``allow_blank``; say it, so the schema admits "".
    sector = serializers.ChoiceField(choices=Sector.choices, allow_blank=True, read_only=True)

    class Meta:
        model = OrgUnit
        fields = ["id", "name", "kind", "doc_abbr", "sector", "path", "depth", "posted_to"]
        read_only_fields = fields


class TokenRequestSerializer(serializers.Serializer):
    username = TextField(max_length=max_length_of(User, "username"))
    password = TextField(
        style={"input_type": "password"}, trim_whitespace=False, max_length=PASSWORD_MAX_LENGTH
    )
    otp_token = serializers.RegexField(
        r"^\d{6}$",
        max_length=6,
        required=False,
        help_text=gettext_lazy(
            "The 6-digit code of the user's authenticator app, for users who sign in with a "
            "second factor."
        ),
    )


class TokenSerializer(serializers.Serializer):
    token = TextField(
        help_text=gettext_lazy(
            "The new token, shown only this once (only its digest is kept); it replaces the "
            "user's earlier token."
        )
    )
