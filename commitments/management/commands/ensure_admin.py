"""Make sure a newcomer can log into the admin of a local database, without a fixed password."""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create a superuser 'admin' with a random password if none exists (or --reset it), and print it."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--reset", action="store_true", help="Give the account a new random password.")
        parser.add_argument(
            "--url",
            default="http://127.0.0.1:8000/admin/",
            help="Where the admin is served, as printed (`make run` passes its own HOST and PORT).",
        )

    def handle(self, *args, username, reset, url, **options):
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None and User.objects.filter(is_superuser=True).exists() and not reset:
            self.stdout.write("A superuser exists already; `make admin-password` gives 'admin' a new password.")
            return
        if user is not None and not reset:
            self.stdout.write(
                f"Log into {url} as '{username}' with the password printed when it was "
                "created; `make admin-password` prints a new one."
            )
            return
        password = secrets.token_urlsafe(12)
        if user is None:
            User.objects.create_superuser(username=username, email="", password=password)
        else:
            user.set_password(password)
            user.is_superuser = user.is_staff = user.is_active = True
            user.save()
        self.stdout.write(self.style.SUCCESS(f"Admin login: {url}  user: {username}  password: {password}"))
