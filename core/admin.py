"""What every back-office page shares: scoped rows, scoped choices, rules permissions, services.

The admin is a window onto the same rules as the web pages and the API: rows come from
``Model.objects.restrict(user)``, permissions from each app's ``rules.py``, and state changes from
the transition services, whose refusals are shown as messages.
"""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.utils.translation import ngettext
from rules.contrib.admin import (
    ObjectPermissionsModelAdmin,
    ObjectPermissionsStackedInline,
    ObjectPermissionsTabularInline,
)

from .domain import DomainError
from .forms import CHOOSE, relabel_blank_choices


def _restricted(queryset, user):
    """The queryset cut to the user's jurisdiction, for models that know how."""
    restrict = getattr(queryset, "restrict", None)
    return restrict(user) if restrict else queryset


class ChooseLabelMixin:
    """Selects with nothing chosen read "Choose…" (请选择) in the back office too, as in the pages
    (``core.forms``): the blank choice of single-choice fields and of the actions menu."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None:
            relabel_blank_choices({db_field.name: field})
        return field

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        field = super().formfield_for_choice_field(db_field, request, **kwargs)
        relabel_blank_choices({db_field.name: field})
        return field

    def get_action_choices(self, request, default_choices=None):
        return super().get_action_choices(request, default_choices=[("", CHOOSE)])


class ScopedChoicesMixin(ChooseLabelMixin):
    """Foreign-key and many-to-many choices limited to what the user may see."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None:
            field.queryset = _restricted(field.queryset, request.user)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None:
            field.queryset = _restricted(field.queryset, request.user)
        return field


class ScopedAdmin(ScopedChoicesMixin, ObjectPermissionsModelAdmin):
    """Rows, related choices and permissions scoped to the user; ``created_by`` filled in."""

    list_per_page = 50
    # Fields written only by transition services: shown, never edited here.
    service_fields: tuple[str, ...] = ()

    def get_queryset(self, request):
        return _restricted(super().get_queryset(request), request.user)

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), *self.service_fields)

    def save_model(self, request, obj, form, change):
        if not change and hasattr(obj, "created_by_id") and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The whole view runs in one transaction, so a refusal from a service leaves nothing.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as refusal:
            self.message_user(request, refusal.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class ReadOnlyAdmin(ScopedAdmin):
    """Records written only by transitions (history, reports, evidence): readable, never edited."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SystemSettingsAdmin(ChooseLabelMixin, admin.ModelAdmin):
    """Settings that are not case content (the calendar, the reminder policy, the outbox): system
    admins edit them; every other role with a home page may read them.

    The apps' module permissions exclude the separated admins, so these two permissions
    (``accounts/rules.py``) answer for every settings model instead.
    """

    @staticmethod
    def edits(request) -> bool:
        return request.user.has_perm("accounts.change_system_settings")

    def has_module_permission(self, request):
        return request.user.has_perm("accounts.view_system_settings")

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self.edits(request)

    def has_change_permission(self, request, obj=None):
        return self.edits(request)

    def has_delete_permission(self, request, obj=None):
        return self.edits(request)


class ScopedTabularInline(ScopedChoicesMixin, ObjectPermissionsTabularInline):
    extra = 0


class ScopedStackedInline(ScopedChoicesMixin, ObjectPermissionsStackedInline):
    extra = 0


class ReadOnlyInline(admin.TabularInline):
    """A transition history or similar list shown under its parent, never edited."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.fields or [f.name for f in self.model._meta.fields]


def transition_action(service, *, arg: str, description):
    """An admin action applying a transition service to each selected object.

    Each object moves in its own transaction (the service's); refusals are reported one by one.
    """

    def action(modeladmin, request, queryset):
        done = 0
        for obj in queryset:
            try:
                service(**{arg: obj, "actor": request.user})
            except DomainError as refusal:
                modeladmin.message_user(request, f"{obj}: {refusal.message}", messages.ERROR)
            else:
                done += 1
        if done:
            modeladmin.message_user(
                request,
                ngettext("%(count)d record updated.", "%(count)d records updated.", done)
                % {"count": done},
                messages.SUCCESS,
            )

    action.__name__ = service.__name__
    return admin.action(description=description)(action)
