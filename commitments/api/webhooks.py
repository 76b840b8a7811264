"""/api/webhooks/: a client registers its own webhooks (the URL and the events it wants), reads its
deliveries and replays one (docs/notifications.md).

A user sees and changes only their own webhooks (a superuser, everyone's); the secret is shown to
its owner only. Reading needs the `view_webhook` permission, registering `add_webhook`, changing,
replaying and sending a test event `change_webhook`, deleting `delete_webhook` (the Analyst role has
all but the last: an analyst switches a webhook off). A token client needs a read-write token to write."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from ..models.webhooks import DeliveryState, Webhook, WebhookDelivery, event_choices
from ..notifications import delivery as sending
from ..notifications import events, ssrf
from .etags import ConditionalGetMixin
from .permissions import ApiPermission, load_permissions


class WebhookPermission(ApiPermission):
    """Signed in, with the webhook permission the method needs (reading is not the register's
    public read rule: a webhook is its owner's private setting)."""

    def has_permission(self, request, view):
        user = request.user
        if request.method in permissions.SAFE_METHODS:
            if not (user and user.is_authenticated and user.is_active):
                return False
            load_permissions(user)
            return user.has_perm("commitments.view_webhook")
        return super().has_permission(request, view)


class WebhookSerializer(serializers.ModelSerializer):
    """A registered webhook. `secret` (Standard Webhooks, `whsec_…`) signs every delivery: verify
    the `webhook-signature` header with it. Shown to the webhook's owner only."""

    api_url = serializers.HyperlinkedIdentityField(view_name="api:webhook-detail")
    owner = serializers.CharField(source="owner.username", read_only=True)
    secret = serializers.SerializerMethodField(help_text=gettext_lazy("The signing secret; its owner only sees it."))
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=event_choices()),
        allow_empty=False,
        help_text=gettext_lazy('Event types wanted: e.g. "pledge.status_changed", "instrument.*", or "*" for all.'),
    )

    class Meta:
        model = Webhook
        fields = ["api_url", "id", "url", "description", "events", "active", "owner", "secret", "created"]
        read_only_fields = ["id", "owner", "created"]

    def get_secret(self, webhook) -> str | None:
        request = self.context.get("request")
        return webhook.secret if request and request.user.pk == webhook.owner_id else None

    def validate_url(self, value):
        try:
            ssrf.check_url(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
        return value

    def validate_events(self, value):
        return list(dict.fromkeys(value))


class DeliverySerializer(serializers.ModelSerializer):
    """One event sent (or being sent) to a webhook: its outcome, attempt by attempt."""

    class Meta:
        model = WebhookDelivery
        fields = ["id", *WebhookDelivery.SHOWN_FIELDS]
        read_only_fields = fields


class WebhookViewSet(ConditionalGetMixin, viewsets.ModelViewSet):
    serializer_class = WebhookSerializer
    permission_classes = [WebhookPermission]
    queryset = Webhook.objects.select_related("owner")
    required_permissions = {
        "replay": ["commitments.change_webhook"],
        "send_test": ["commitments.change_webhook"],
    }

    def get_queryset(self):
        webhooks = super().get_queryset().order_by("id")
        user = self.request.user
        return webhooks if user.is_superuser else webhooks.filter(owner_id=user.pk)

    def perform_create(self, serializer):
        serializer.save(owner=self.request.user)

    @extend_schema(
        responses=DeliverySerializer(many=True),
        request=None,
        parameters=[
            OpenApiParameter("state", str, enum=DeliveryState.values, description="Only deliveries in this state."),
            OpenApiParameter(
                "event_type",
                str,
                description="Only deliveries of this event type.",
                examples=[OpenApiExample("Status moves", value="pledge.status_changed")],
            ),
        ],
    )
    @action(detail=True, methods=["get"], url_path="deliveries", pagination_class=None)
    def deliveries(self, request, pk=None):
        """The webhook's latest 100 deliveries, newest first (`?state=` and `?event_type=` filter them)."""
        webhook = self.get_object()
        rows = webhook.deliveries.all()
        if state := request.query_params.get("state"):
            if state not in DeliveryState.values:
                raise serializers.ValidationError(
                    {"state": [_("Choose one of: %(states)s.") % {"states": ", ".join(DeliveryState.values)}]}
                )
            rows = rows.filter(state=state)
        if event_type := request.query_params.get("event_type"):
            rows = rows.filter(event_type=event_type)
        return Response(DeliverySerializer(rows[:100], many=True).data)

    @extend_schema(responses={202: DeliverySerializer}, request=None)
    @action(detail=True, methods=["post"], url_path=r"deliveries/(?P<delivery_id>[0-9]+)/replay")
    def replay(self, request, pk=None, delivery_id=None):
        """Send a delivery again, with the same event id (`webhook-id`): a new series of attempts."""
        webhook = self.get_object()
        row = get_object_or_404(WebhookDelivery, pk=delivery_id, webhook=webhook)
        row = sending.replay(row)
        return Response(DeliverySerializer(row).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={202: DeliverySerializer}, request=None)
    @action(detail=True, methods=["post"], url_path="test")
    def send_test(self, request, pk=None):
        """Queue a `webhook.test` event to this webhook (active or not: a test goes anyway)."""
        webhook = self.get_object()
        with transaction.atomic():
            row = events.send_test(webhook)
        return Response(DeliverySerializer(row).data, status=status.HTTP_202_ACCEPTED)
