from django.apps import AppConfig


class CommitmentsConfig(AppConfig):
    name = "commitments"
    verbose_name = "Security commitments"
    default_auto_field = "django.db.models.BigAutoField"
