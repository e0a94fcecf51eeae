from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import match_token, user_has_device
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, permissions, status, viewsets
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts import tokens
from accounts.filters import OrgUnitFilter
from accounts.lockout import lockout_message
from accounts.models import OrgUnit
from accounts.two_factor import asks_for_second_factor
from core.api import (
    ERROR_RESPONSES,
    WRITE_ERRORS,
    ErrorSerializer,
    Ordered,
    ScopedViewSetMixin,
    read_schemas,
)

from .authentication import refuse_initial_password
from .serializers import (
    OrgUnitSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)


@extend_schema_view(**read_schemas(OrgUnitSerializer))
class OrgUnitViewSet(Ordered, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The organisation tree as far as the user's jurisdiction reaches, in tree order."""

    queryset = OrgUnit.objects.prefetch_related("posted_to")
    serializer_class = OrgUnitSerializer
    filterset_class = OrgUnitFilter
    ordering_fields = ["path", "name", "kind"]


class LockedOut(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"


class SecondFactorRequired(exceptions.PermissionDenied):
    default_code = "second_factor_required"


def check_second_factor(user, otp_token: str | None) -> None:
    """A user who signs in with a second factor gives the current code of their app too."""
    if not asks_for_second_factor(user):
        return
    if not user_has_device(user):
        raise SecondFactorRequired(
            _("Set up two-factor authentication on the web before using the API.")
        )
    if not otp_token:
        raise SecondFactorRequired(_("Give otp_token: the 6-digit code of your authenticator app."))
    if match_token(user, otp_token) is None:
        raise SecondFactorRequired(_("The code is wrong or has expired: enter the current one."))


class ObtainTokenView(APIView):
    """Exchange a username and password (and, with a second factor, ``otp_token``) for a new API
    token, shown this once: only its digest is kept. It replaces the user's earlier token, which
    stops working. Failures count towards the sign-in lockout."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    # Password guessing is slowed down per client address (rate in settings, scope "token").
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    def get_authenticate_header(self, request):
        return "Token"

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: ERROR_RESPONSES[400],
            401: ERROR_RESPONSES[401],
            403: OpenApiResponse(
                ErrorSerializer,
                description=gettext_lazy("A new password or a second-factor code is needed"),
            ),
            414: ERROR_RESPONSES[414],
            415: WRITE_ERRORS[415],
            429: OpenApiResponse(
                ErrorSerializer, description=gettext_lazy("Too many attempts, or locked out")
            ),
        },
        auth=[],
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        username = data.validated_data["username"]
        user = authenticate(request, username=username, password=data.validated_data["password"])
        if getattr(request, "axes_locked_out", False):
            raise LockedOut(lockout_message(request, username))
        if user is None or not user.is_active:
            raise AuthenticationFailed(_("Wrong username or password."))
        refuse_initial_password(user)
        check_second_factor(user, data.validated_data.get("otp_token"))
        return Response({"token": tokens.issue(user)})
