"""A DRF pledge list wired to the streaming CSV as the lead will wire /api/pledges/?format=csv."""

from django.urls import path
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer

from commitments.export_views import CSVRenderer, pledge_csv_response
from commitments.filtersets import PledgeFilterSet
from commitments.models import Pledge


class PledgeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Pledge
        fields = ["slug", "title"]


class PledgeList(generics.ListAPIView):
    queryset = Pledge.objects.all()
    serializer_class = PledgeSerializer
    renderer_classes = [JSONRenderer, CSVRenderer]
    filter_backends = [DjangoFilterBackend]
    filterset_class = PledgeFilterSet
    permission_classes = [AllowAny]
    authentication_classes = []
    # Independent of the API's REST_FRAMEWORK defaults (pagination, throttling).
    pagination_class = None
    throttle_classes = []

    def list(self, request, *args, **kwargs):
        if request.accepted_renderer.format == "csv":
            return pledge_csv_response(request, self.filter_queryset(self.get_queryset()))
        return super().list(request, *args, **kwargs)


urlpatterns = [path("api/pledges/", PledgeList.as_view())]
