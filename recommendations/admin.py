from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from core.admin import (
    ChooseLabelMixin,
    ReadOnlyAdmin,
    ReadOnlyInline,
    ScopedAdmin,
    SystemSettingsAdmin,
    transition_action,
)

from . import services
from .models import (
    Evaluation,
    EvaluationIndicator,
    EvaluationTemplate,
    Recommendation,
    RecommendationItem,
    RecommendationTransition,
    Reply,
)


class ItemInline(ReadOnlyInline):
    model = RecommendationItem
    fields = ["number", "content"]


class TransitionInline(ReadOnlyInline):
    model = RecommendationTransition
    fields = ["at", "from_status", "to_status", "actor", "reason"]


class ReplyInline(ReadOnlyInline):
    model = Reply
    fields = ["submitted_at", "submitted_by", "content"]


@admin.register(Recommendation)
class RecommendationAdmin(ScopedAdmin):
    list_display = [
        "doc_number",
        "title",
        "kind",
        "recipient_unit",
        "status",
        "issued_on",
        "reply_due_on",
    ]
    list_filter = ["status", "kind", "issued_on", "recipient_unit__sector"]
    search_fields = ["doc_number", "title", "recipient_unit__name", "items__content"]
    list_select_related = ["recipient_unit"]
    autocomplete_fields = ["issuer", "recipient_unit", "cases"]
    service_fields = ("status", "doc_number", "issued_on", "created_by")
    exclude = ["doc_year", "doc_serial"]
    inlines = [ItemInline, ReplyInline, TransitionInline]
    actions = [
        transition_action(
            services.recommendation_issue, arg="recommendation", description=_("Issue")
        ),
        transition_action(
            services.recommendation_acknowledge,
            arg="recommendation",
            description=_("Acknowledge receipt"),
        ),
        transition_action(
            services.recommendation_start_rectification,
            arg="recommendation",
            description=_("Start rectification"),
        ),
        transition_action(
            services.recommendation_close, arg="recommendation", description=_("Close")
        ),
    ]

    def save_model(self, request, obj, form, change):
        # New drafts and edits are written by the services, which check the permission, that the
        # letter is still a draft, the issuer, recipient and cases, and the items' citations. A
        # refusal is shown as a message (``ScopedAdmin.changeform_view``) and nothing is saved.
        fields = {name: form.cleaned_data[name] for name in services.DRAFT_FIELDS}
        if change:
            saved = services.recommendation_update(
                recommendation=Recommendation.objects.get(pk=obj.pk),
                actor=request.user,
                **fields,
            )
        else:
            saved = services.recommendation_create(actor=request.user, **fields)
        obj.pk, obj._state.adding = saved.pk, False
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        # The service set the cases; the inlines are read-only.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(RecommendationTransition)
class RecommendationTransitionAdmin(ReadOnlyAdmin):
    list_display = ["recommendation", "from_status", "to_status", "actor", "at"]
    list_filter = ["to_status", "at"]
    search_fields = ["recommendation__doc_number", "recommendation__title", "reason"]
    list_select_related = ["recommendation", "actor"]


@admin.register(Reply)
class ReplyAdmin(ReadOnlyAdmin):
    list_display = ["recommendation", "submitted_by", "submitted_at"]
    search_fields = ["recommendation__doc_number", "content"]
    list_select_related = ["recommendation", "submitted_by"]


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = ["recommendation", "method", "score", "rating", "evaluated_on"]
    list_filter = ["method", "rating"]
    search_fields = ["recommendation__doc_number", "comments"]
    list_select_related = ["recommendation"]


@admin.register(RecommendationItem)
class RecommendationItemAdmin(ScopedAdmin):
    """Items are drafted with their recommendation; listed here to be found and cited."""

    list_display = ["__str__", "recommendation"]
    search_fields = ["content", "recommendation__doc_number", "recommendation__title"]
    list_select_related = ["recommendation"]
    filter_horizontal = ["problems"]
    readonly_fields = ["recommendation", "number"]

    def has_add_permission(self, request):
        return False


class IndicatorInline(ChooseLabelMixin, admin.TabularInline):
    """A template's indicators, edited with it by the system administrator."""

    model = EvaluationIndicator
    extra = 0
    fields = ["position", "group", "name", "guidance", "weight", "max_score", "metric"]

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("accounts.view_system_settings")

    def _edits(self, request, obj):
        return request.user.has_perm("accounts.change_system_settings") and not (
            obj is not None and obj.in_use
        )

    def has_add_permission(self, request, obj=None):
        return self._edits(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._edits(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._edits(request, obj)


class IndicatorFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        total = sum(row.get("weight") or 0 for row in kept)
        if kept and total != 100:
            raise ValidationError(
                _("The weights add up to %(total)d: make them add up to 100.") % {"total": total}
            )


IndicatorInline.formset = IndicatorFormSet


@admin.register(EvaluationTemplate)
class EvaluationTemplateAdmin(SystemSettingsAdmin):
    """评估指标体系: the system administrator keeps them; a template a session has used is frozen
    (its indicators and name read-only, it may still be switched off), so a concluded evaluation
    always reads as it was scored — copy it to change it ("Copy" action)."""

    list_display = ["name", "is_active", "indicator_count", "in_use"]
    inlines = [IndicatorInline]
    actions = ["copy_templates"]

    @admin.display(description=_("indicators"))
    def indicator_count(self, obj):
        return obj.indicators.count()

    @admin.display(boolean=True, description=_("in use"))
    def in_use(self, obj):
        return obj.in_use

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.in_use:
            return ["name", "description"]
        return []

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj is not None and obj.in_use)

    @admin.action(description=_("Copy the chosen templates"))
    def copy_templates(self, request, queryset):
        if not self.edits(request):
            return
        for template in queryset.prefetch_related("indicators"):
            indicators = list(template.indicators.all())
            name = f"{template.name}（副本）"
            while EvaluationTemplate.objects.filter(name=name).exists():
                name += "（副本）"
            copy = EvaluationTemplate.objects.create(
                name=name[:100], description=template.description, is_active=False
            )
            for indicator in indicators:
                indicator.pk = None
                indicator.template = copy
                indicator.save()
        self.message_user(request, _("Copied: the copies are not active until you switch them on."))
