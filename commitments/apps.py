from django.apps import AppConfig


class CommitmentsConfig(AppConfig):
    name = "commitments"
    verbose_name = "Security commitments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .api import admin  # noqa: F401 (registers ApiToken; kept apart from admin.py)
        from .notifications import events  # noqa: F401 (connects the webhooks' signal handlers)
