"""``manage.py changepassword``: as Django's, but the password so set is the administrator's, so
its owner must replace it at the next sign-in (as for a password reset in the back office).

``accounts`` is listed before ``django.contrib.auth`` in ``INSTALLED_APPS`` so this command wins.
"""

import getpass

from django.contrib.auth import get_user_model
from django.contrib.auth.management.commands import changepassword


class Command(changepassword.Command):
    help = (
        "Change a user's password for django.contrib.auth; the user must choose their own at "
        "the next sign-in."
    )

    def handle(self, *args, **options):
        message = super().handle(*args, **options)
        user_model = get_user_model()
        username = options["username"] or getpass.getuser()
        user = user_model._default_manager.using(options["database"]).get(
            **{user_model.USERNAME_FIELD: username}
        )
        user.must_change_password = True
        user.save(update_fields=["must_change_password"])
        return message
