from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import ERROR_RESPONSES, WRITE_ERRORS, Ordered, read_schemas, validated
from notifications import preferences
from notifications.filters import NotificationFilter
from notifications.models import Notification

from .serializers import DigestKindsSerializer, NotificationSerializer


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

    @extend_schema(
        methods=["get"], request=None, responses={200: DigestKindsSerializer, **ERROR_RESPONSES}
    )
    @extend_schema(
        methods=["put"],
        request=DigestKindsSerializer,
        responses={200: DigestKindsSerializer, **WRITE_ERRORS},
    )
    @action(
        detail=False,
        methods=["get", "put"],
        url_path="digest",
        serializer_class=DigestKindsSerializer,
    )
    def digest(self, request):
        """The kinds of notification that also go into the daily digest; PUT replaces the
        choice (the kinds left out stay in the inbox only)."""
        if request.method == "PUT":
            data = validated(DigestKindsSerializer, self)
            preferences.digest_kinds_set(user=request.user, digest_kinds=data["digest_kinds"])
        return Response(self.get_serializer(self.get_object()).data)

    def get_object(self):
        # The one record found without an id (``…/digest/``): the user's own digest choice.
        # OPTIONS reads it too (DRF's metadata, as ``action == "metadata"``) before describing
        # what PUT takes.
        if not self.detail:
            return {
                "digest_kinds": preferences.digest_kinds_of(self.request.user),
                "choosable_kinds": preferences.choosable_kinds(self.request.user),
            }
        return super().get_object()
