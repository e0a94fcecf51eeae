"""Negative lists (负面清单) over REST: scoped reads, every write one call to
``negativelists.services`` (the same rules, refusals and notifications as the pages)."""

from drf_spectacular.utils import extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cases.models import Case
from core.api import (
    DELETED,
    Ordered,
    ScopedViewSetMixin,
    changed_fields,
    detail_or_created,
    read_schemas,
    transition_schema,
    validated,
    write_schemas,
)
from core.domain import require_perm

from .. import services
from ..filters import NegativeListFilter
from ..models import NegativeList, NegativeListCheck, NegativeListEntry
from . import serializers as s


@extend_schema_view(
    **read_schemas(s.NegativeListSerializer),
    **write_schemas(
        s.NegativeListSerializer,
        create=s.NegativeListCreateSerializer,
        update=s.NegativeListUpdateSerializer,
    ),
    destroy=DELETED,
)
class NegativeListViewSet(Ordered, ScopedViewSetMixin, viewsets.ModelViewSet):
    """负面清单: a unit's officer or the staff in scope draft a list for one tier of cadres, add
    its entries (``…/{id}/entries/``), publish it (the unit's published list of that tier is
    withdrawn) and withdraw it; the staff record supervision checks (``…/{id}/checks/``)."""

    queryset = NegativeList.objects.select_related("unit").prefetch_related("entries")
    serializer_class = s.NegativeListSerializer
    filterset_class = NegativeListFilter
    ordering_fields = ["created_at", "published_on", "title"]
    scoped_relations = {"source_cases": Case}

    def create(self, request, *args, **kwargs):
        # The role's right first (the rule the service checks): a 403, not a 400 on ids.
        require_perm(request.user, services.PERMS["create"])
        data = dict(validated(s.NegativeListCreateSerializer, self))
        data.setdefault("source_cases", ())
        negative_list = services.list_create(actor=request.user, **data)
        return detail_or_created(
            s.NegativeListSerializer, self.fresh(negative_list), self, created=True
        )

    def update(self, request, *args, **kwargs):
        """Edit a draft (PATCH: only the fields sent)."""
        negative_list = self.get_object()
        current = {
            "tier": negative_list.tier,
            "title": negative_list.title,
            "measure": negative_list.measure,
            "source_cases": None,
        }
        data = changed_fields(s.NegativeListUpdateSerializer, self, partial=kwargs.get("partial"))
        services.list_update(negative_list=negative_list, actor=request.user, **current | data)
        return detail_or_created(s.NegativeListSerializer, self.fresh(negative_list), self)

    def destroy(self, request, *args, **kwargs):
        """Delete a draft with its entries."""
        services.list_delete(negative_list=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @transition_schema(s.NegativeListEntrySerializer, created=True, request=s.EntryWriteSerializer)
    @action(detail=True, methods=["post"])
    def entries(self, request, pk=None):
        """Add the next numbered entry to a draft."""
        entry = services.entry_add(
            negative_list=self.get_object(),
            actor=request.user,
            **validated(s.EntryWriteSerializer, self),
        )
        return detail_or_created(s.NegativeListEntrySerializer, entry, self, created=True)

    @transition_schema(s.NegativeListSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish a draft with at least one entry; the staff covering the unit are told."""
        negative_list = self.get_object()
        services.list_publish(negative_list=negative_list, actor=request.user)
        return detail_or_created(s.NegativeListSerializer, self.fresh(negative_list), self)

    @transition_schema(s.NegativeListSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw a published list that no longer applies; its checks stay on record."""
        negative_list = self.get_object()
        services.list_withdraw(negative_list=negative_list, actor=request.user)
        return detail_or_created(s.NegativeListSerializer, self.fresh(negative_list), self)

    @transition_schema(s.NegativeListCheckSerializer, created=True, request=s.CheckWriteSerializer)
    @action(detail=True, methods=["post"])
    def checks(self, request, pk=None):
        """Staff record a supervision check of a published list; breaches tell the unit."""
        check = services.check_record(
            negative_list=self.get_object(),
            actor=request.user,
            **validated(s.CheckWriteSerializer, self),
        )
        return detail_or_created(s.NegativeListCheckSerializer, check, self, created=True)


@extend_schema_view(
    **read_schemas(s.NegativeListEntrySerializer),
    **write_schemas(s.NegativeListEntrySerializer, update=s.EntryWriteSerializer),
    destroy=DELETED,
)
class NegativeListEntryViewSet(
    Ordered,
    ScopedViewSetMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """A list's entries, edited or deleted while it is a draft (the entries after a deleted one
    move up one number). New entries are added with ``POST /negative-lists/{id}/entries/``."""

    queryset = NegativeListEntry.objects.all()
    serializer_class = s.NegativeListEntrySerializer
    filterset_fields = ["negative_list", "kind"]
    ordering_fields = ["negative_list", "number"]

    def update(self, request, *args, **kwargs):
        entry = self.get_object()
        current = {name: getattr(entry, name) for name in s.ENTRY_FIELDS}
        data = changed_fields(s.EntryWriteSerializer, self, partial=kwargs.get("partial"))
        services.entry_update(entry=entry, actor=request.user, **current | data)
        return detail_or_created(s.NegativeListEntrySerializer, self.fresh(entry), self)

    def destroy(self, request, *args, **kwargs):
        services.entry_delete(entry=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(**read_schemas(s.NegativeListCheckSerializer))
class NegativeListCheckViewSet(Ordered, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Supervision checks (监督检查) of published lists. Staff record one with
    ``POST /negative-lists/{id}/checks/``."""

    queryset = NegativeListCheck.objects.all()
    serializer_class = s.NegativeListCheckSerializer
    filterset_fields = ["negative_list"]
    ordering_fields = ["checked_on", "created_at"]
