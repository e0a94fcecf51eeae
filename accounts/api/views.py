from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import permissions, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.filters import NotificationFilter, OrgUnitFilter
from accounts.models import Notification, OrgUnit

from .base import ERROR_RESPONSES, ErrorSerializer, Ordered, ScopedViewSetMixin, read_schemas
from .serializers import (
    NotificationSerializer,
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


@extend_schema_view(**read_schemas(NotificationSerializer))
class NotificationViewSet(Ordered, viewsets.ReadOnlyModelViewSet):
    """The user's own notifications, newest first; nobody sees anyone else's."""

    queryset = Notification.objects.all()
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    ordering_fields = ["created_at", "read_at"]
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return Notification.objects.restrict(self.request.user)

    @extend_schema(request=None, responses={200: NotificationSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark one notification read (a second call changes nothing)."""
        notification = self.get_object()
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
        return Response(self.get_serializer(notification).data)

    @extend_schema(request=None, responses={204: None, **ERROR_RESPONSES})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        """Mark every unread notification of the user read."""
        self.get_queryset().unread().update(read_at=timezone.now())
        return Response(status=status.HTTP_204_NO_CONTENT)


class ObtainTokenView(APIView):
    """Exchange a username and password for the user's API token (the same one until revoked)."""

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
            429: OpenApiResponse(ErrorSerializer, description=gettext_lazy("Too many attempts")),
        },
        auth=[],
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if user is None or not user.is_active:
            raise AuthenticationFailed(_("Wrong username or password."))
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
