"""Signing in by username and password, with no permission from Django's tables.

Every permission is a rule of an app's ``rules.py`` (django-rules' backend answers them). Django's
``ModelBackend`` would also grant whatever rows ``auth_permission`` links to a user or a group:
a second home for access that no page shows or audits, read with two queries on every request
that checks a permission the rules refuse (the menu does, on every page).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class PasswordBackend(ModelBackend):
    """``ModelBackend``'s password check (its active-user test, its equal time for an unknown
    name) and no permission: a row in Django's permission tables grants nothing."""

    def get_user(self, user_id):
        """The session's user with their unit, which the menu's rules and every scope read."""
        user = (
            get_user_model()._default_manager.select_related("org_unit").filter(pk=user_id).first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    async def aget_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    async def aget_group_permissions(self, user_obj, obj=None):
        return set()

    def with_perm(self, perm, is_active=True, include_superusers=True, obj=None):
        return get_user_model()._default_manager.none()
