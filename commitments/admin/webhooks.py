"""Webhooks in the admin: a user with `add_webhook` (the Analyst role) registers their own; each
user sees and changes only theirs (a superuser, everyone's), the secret is shown to its owner only.
Deliveries are read-only, listed by state and event type, with the "Replay" action (the same event
id, a new series of attempts); webhooks have "Send a test event"."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..models.webhooks import Webhook, WebhookDelivery, event_choices
from ..notifications import delivery as sending
from ..notifications import events, ssrf


class WebhookForm(forms.ModelForm):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Where the events are sent (POST). HTTPS, on a public address."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[(choice, choice) for choice in event_choices()],
        widget=forms.CheckboxSelectMultiple,
        help_text=_('"*" is every event; "pledge.*" every event of a pledge.'),
    )

    class Meta:
        model = Webhook
        fields = ["url", "description", "events", "active"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            ssrf.check_url(url)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None
        return url


def own(request, queryset, owner_field: str):
    return queryset if request.user.is_superuser else queryset.filter(**{owner_field: request.user.pk})


class DeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    fields = ["created", "event_type", "event_id", "state", "attempts", "last_status_code", "last_error"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    ordering = ["-created", "-id"]
    verbose_name_plural = _("Latest deliveries")

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("-created", "-id")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("commitments.view_webhook")


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    form = WebhookForm
    list_display = ["__str__", "url", "owner", "active", "created"]
    list_filter = ["active"]
    search_fields = ["url", "description"]
    actions = ["send_test_event"]
    inlines = [DeliveryInline]
    # What a user edits; the owner is the user who adds it (save_model), shown read-only after.
    fields = ["url", "description", "events", "active"]

    def get_queryset(self, request):
        return own(request, super().get_queryset(request).select_related("owner"), "owner_id")

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["owner", "signing_secret", "created"]

    def get_fields(self, request, obj=None):
        fields = list(self.fields)
        if obj is None:
            return fields
        # The secret is its owner's alone: another user (a superuser) does not see it.
        return [*fields, "owner", *(["signing_secret"] if request.user.pk == obj.owner_id else []), "created"]

    @admin.display(description=_("Signing secret"))
    def signing_secret(self, obj):
        return obj.secret

    def save_model(self, request, obj, form, change):
        if not change:
            obj.owner = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Send a test event"), permissions=["change"])
    def send_test_event(self, request, queryset):
        with transaction.atomic():
            for webhook in queryset:
                events.send_test(webhook)
        count = queryset.count()
        self.message_user(
            request,
            ngettext(
                "A test event was queued for %(count)d webhook.",
                "A test event was queued for %(count)d webhooks.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["created", "event_type", "webhook", "state", "attempts", "last_status_code", "next_attempt_at"]
    list_filter = ["state", "event_type"]
    search_fields = ["event_id", "webhook__url", "webhook__description"]
    actions = ["replay"]
    readonly_fields = ["webhook", *WebhookDelivery.SHOWN_FIELDS]
    fields = readonly_fields

    def get_queryset(self, request):
        return own(request, super().get_queryset(request).select_related("webhook"), "webhook__owner_id")

    # Deliveries are their webhooks': whoever may view or change webhooks sees and replays theirs.
    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("commitments.view_webhook")

    def has_module_permission(self, request):
        return request.user.has_perm("commitments.view_webhook")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_replay_permission(self, request):
        return request.user.has_perm("commitments.change_webhook")

    @admin.action(description=_("Replay (send again with the same event id)"), permissions=["replay"])
    def replay(self, request, queryset):
        count = 0
        for row in queryset:
            sending.replay(row)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d delivery was queued again.", "%(count)d deliveries were queued again.", count)
            % {"count": count},
            messages.SUCCESS,
        )
