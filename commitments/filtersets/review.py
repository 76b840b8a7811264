"""The FilterSet of the review queue (revisions): shared by the API and the admin's filters' names."""

import django_filters

from .. import models
from .core import TrackerFilterSet


class RevisionFilterSet(TrackerFilterSet):
    state = django_filters.ChoiceFilter(choices=models.RevisionState.choices, label="Pending, approved, returned…")
    action = django_filters.ChoiceFilter(choices=models.RevisionAction.choices, label="Create, change, delete, status")
    author = django_filters.CharFilter(field_name="author__username", label="Proposed by (user name)")
    model = django_filters.CharFilter(field_name="content_type__model", label="Kind of record (pledge, summit, …)")

    class Meta:
        model = models.Revision
        fields = ["state", "action", "author", "model"]
