from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from core.admin import (
    ReadOnlyAdmin,
    ReadOnlyInline,
    ScopedAdmin,
    SystemSettingsAdmin,
    transition_action,
)
from core.domain import shanghai_today

from . import calendar, services
from .models import (
    Activity,
    CalendarDay,
    Evidence,
    ExtensionRequest,
    FollowUp,
    Measure,
    MeasureTransition,
    ProgressReport,
    ReconciliationSchedule,
    ReminderPolicy,
    RuleChange,
    UrgingNotice,
)


class OverdueFilter(admin.SimpleListFilter):
    """Overdue against the current due date or the original one: derived, never stored."""

    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [
            ("current", _("Overdue (current due date)")),
            ("original", _("Overdue (original due date)")),
        ]

    def queryset(self, request, queryset):
        if self.value() in {"current", "original"}:
            return queryset.overdue(against_original=self.value() == "original")
        return queryset


class ProgressInline(ReadOnlyInline):
    model = ProgressReport
    fields = ["reported_at", "reported_by", "percent_complete", "content"]


class EvidenceInline(ReadOnlyInline):
    model = Evidence
    fields = ["uploaded_at", "original_name", "size", "sha256", "sm3", "sealed", "description"]


class MeasureTransitionInline(ReadOnlyInline):
    model = MeasureTransition
    fields = ["at", "from_status", "to_status", "actor", "return_reason", "reason"]


@admin.register(Measure)
class MeasureAdmin(ScopedAdmin):
    list_display = ["__str__", "unit", "owner_name", "due_on", "original_due_on", "status"]
    list_filter = [OverdueFilter, "status", "is_standing", "unit__sector", "due_on"]
    search_fields = ["content", "owner_name", "leader_name", "department", "unit__name"]
    list_select_related = ["unit"]
    autocomplete_fields = ["item", "owner", "leader"]
    service_fields = ("status", "signed_off_on", "created_by")
    inlines = [ProgressInline, EvidenceInline, MeasureTransitionInline]
    # No bulk sign-off: 销号 needs each measure's own verification opinion (核查意见), written on
    # the measure's page or in the sign-off queue.
    actions = [
        transition_action(
            services.measure_request_signoff, arg="measure", description=_("Request sign-off")
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if obj is None:
            return (*fields, "original_due_on")
        # Once planned, only what ``measure_update`` changes is edited here, as on the measure
        # page; the item and dates move only through services (extension requests).
        fixed = [
            field.name
            for field in Measure._meta.concrete_fields
            if field.editable
            and not field.primary_key
            and field.name not in {*fields, *services.MEASURE_EDITABLE_FIELDS}
        ]
        return (*fields, *fixed)

    def save_model(self, request, obj, form, change):
        # Planned and edited by the services, which check the permission, the state, the dates
        # and the wording. A refusal is shown as a message (``ScopedAdmin.changeform_view``).
        data = form.cleaned_data
        if change:
            saved = services.measure_update(
                measure=Measure.objects.get(pk=obj.pk),
                actor=request.user,
                **{name: data[name] for name in services.MEASURE_EDITABLE_FIELDS},
            )
        else:
            saved = services.measure_create(
                actor=request.user,
                item=data["item"],
                content=data["content"],
                standard=data["standard"],
                department=data["department"],
                owner_name=data["owner_name"],
                owner=data["owner"],
                leader_name=data["leader_name"],
                leader=data["leader"],
                due_on=data["due_on"],
                is_standing=data["is_standing"],
            )
        obj.pk, obj._state.adding = saved.pk, False
        obj.refresh_from_db()


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ReadOnlyAdmin):
    list_display = [
        "measure",
        "previous_due_on",
        "requested_due_on",
        "status",
        "requested_by",
        "requested_at",
    ]
    list_filter = ["status"]
    search_fields = ["measure__content", "reason", "measure__unit__name"]
    list_select_related = ["measure", "requested_by"]
    actions = [
        transition_action(
            services.extension_request_approve, arg="request", description=_("Approve")
        ),
    ]


@admin.register(MeasureTransition)
class MeasureTransitionAdmin(ReadOnlyAdmin):
    list_display = ["measure", "from_status", "to_status", "return_reason", "actor", "at"]
    list_filter = ["to_status", "return_reason", "at"]
    search_fields = ["measure__content", "reason"]
    list_select_related = ["measure", "actor"]


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyAdmin):
    list_display = ["measure", "percent_complete", "reported_by", "reported_at"]
    search_fields = ["measure__content", "content"]
    list_select_related = ["measure", "reported_by"]


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "measure", "size", "uploaded_by", "uploaded_at"]
    search_fields = ["original_name", "description", "sha256", "sm3", "measure__content"]
    list_select_related = ["measure", "uploaded_by"]


class OutcomeAdmin(ScopedAdmin):
    """Rule changes and activities, written by their services with the checks of the pages and
    the API (kind, dates, head count, scope); the unit follows the measure or the letter."""

    readonly_fields = ["unit", "created_by"]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return fields if obj is None else (*fields, *self.target_fields)

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in self.writable_fields}
        if change:
            current = self.model.objects.get(pk=obj.pk)
            saved = self.update(**{self.record: current}, actor=request.user, **data)
        else:
            targets = {name: form.cleaned_data.get(name) for name in self.target_fields}
            saved = self.create(actor=request.user, **targets, **data)
        obj.pk, obj._state.adding = saved.pk, False
        obj.refresh_from_db()

    def delete_model(self, request, obj):
        self.remove(**{self.record: obj}, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(RuleChange)
class RuleChangeAdmin(OutcomeAdmin):
    list_display = ["title", "kind", "unit", "effective_on"]
    list_filter = ["kind", "unit__sector"]
    search_fields = ["title", "unit__name"]
    list_select_related = ["unit"]
    autocomplete_fields = ["recommendation", "measure"]
    writable_fields = services.RULE_CHANGE_WRITABLE_FIELDS
    target_fields = ("recommendation", "measure")
    record = "rule_change"
    create = staticmethod(services.rule_change_create)
    update = staticmethod(services.rule_change_update)
    remove = staticmethod(services.rule_change_delete)


@admin.register(Activity)
class ActivityAdmin(OutcomeAdmin):
    list_display = ["title", "kind", "unit", "held_on", "participant_count"]
    list_filter = ["kind", "held_on"]
    search_fields = ["title", "notes", "unit__name"]
    list_select_related = ["unit"]
    autocomplete_fields = ["recommendation"]
    writable_fields = services.ACTIVITY_WRITABLE_FIELDS
    target_fields = ("recommendation",)
    record = "activity"
    create = staticmethod(services.activity_create)
    update = staticmethod(services.activity_update)
    remove = staticmethod(services.activity_delete)


@admin.register(FollowUp)
class FollowUpAdmin(ScopedAdmin):
    list_display = ["recommendation", "scheduled_on", "conducted_on", "outcome"]
    list_filter = ["outcome", "scheduled_on"]
    search_fields = ["recommendation__doc_number", "recommendation__title", "findings"]
    list_select_related = ["recommendation"]
    autocomplete_fields = ["recommendation"]
    # The sample and the closing 通报/约谈 are set by the review's services (its page and API).
    readonly_fields = ["created_by", "sample_size", "closing_activity"]


@admin.register(ReconciliationSchedule)
class ReconciliationScheduleAdmin(ScopedAdmin):
    """定期对账: staff choose what is reconciled and how often; the daily job opens the rounds
    (``reconciliation_schedules``) in the name of the staff who made the schedule."""

    list_display = ["__str__", "scope", "frequency", "answer_working_days", "active", "created_by"]
    list_filter = ["active", "frequency", "scope"]
    search_fields = ["recommendation__doc_number", "unit__name"]
    list_select_related = ["recommendation", "unit", "created_by"]
    autocomplete_fields = ["recommendation"]
    fields = [
        "scope",
        "recommendation",
        "unit",
        "sector",
        "frequency",
        "answer_working_days",
        "active",
        "created_by",
    ]
    readonly_fields = ["created_by"]


@admin.register(CalendarDay)
class CalendarDayAdmin(SystemSettingsAdmin):
    """Official holidays and make-up working days: system admins add each year once announced."""

    list_display = ["date", "is_workday", "note"]
    list_filter = ["is_workday"]
    search_fields = ["note"]
    date_hierarchy = "date"
    list_per_page = 100

    def changelist_view(self, request, extra_context=None):
        this_year = shanghai_today().year
        for year in (this_year, this_year + 1):
            if not calendar.year_is_known(year):
                self.message_user(
                    request,
                    _(
                        "The official holidays of %(year)s are not in the calendar: deadlines in "
                        "%(year)s count Monday to Friday. Add the year's holidays and make-up "
                        "working days once the State Council announces them."
                    )
                    % {"year": year},
                    messages.WARNING,
                )
        return super().changelist_view(request, extra_context)


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(SystemSettingsAdmin):
    """The one row of the 三色预警 thresholds."""

    list_display = ["__str__", "green_workdays", "yellow_workdays", "red_repeat_days"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not ReminderPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(UrgingNotice)
class UrgingNoticeAdmin(ReadOnlyAdmin):
    list_display = ["number", "unit", "measure", "recommendation", "days_overdue", "issued_on"]
    list_filter = ["issued_on"]
    search_fields = ["number", "unit__name", "measure__content", "recommendation__doc_number"]
    list_select_related = ["unit", "measure", "recommendation"]
    date_hierarchy = "issued_on"
