"""API tokens in the admin: issue (the key is shown once), see when last used, revoke by deleting."""

from django.contrib import admin, messages
from django.utils.translation import gettext

from ..models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "can_write", "created", "last_used"]
    list_filter = ["can_write"]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = ["prefix", "created", "last_used"]
    autocomplete_fields = ["user"]
    fields = ["name", "user", "can_write", "prefix", "created", "last_used"]

    def save_model(self, request, obj, form, change):
        key = obj.assign_key() if not change else None
        super().save_model(request, obj, form, change)
        if key:
            messages.warning(
                request,
                gettext(
                    "The key of “%(name)s” is %(key)s — copy it now: it is stored only as a hash and "
                    "cannot be shown again."
                )
                % {"name": obj.name, "key": key},
            )
