"""``manage.py issue_api_token <username>``: a new API token for the user, printed this once (only
its digest is kept); it replaces the user's earlier token, which stops working."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts import tokens


class Command(BaseCommand):
    help = (
        "Issue a new API token for a user and print it once; it replaces the user's earlier token."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, **options):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.get(
                **{user_model.USERNAME_FIELD: options["username"]}
            )
        except user_model.DoesNotExist as missing:
            raise CommandError(f"No user {options['username']!r}.") from missing
        self.stdout.write(tokens.issue(user))
