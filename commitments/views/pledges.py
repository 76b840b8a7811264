"""The pledge list, with the API's filters, and a pledge's page."""

from django import forms
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from ..filtersets import PledgeFilterSet
from ..models import Pledge, Statement
from ..templatetags.content import localised
from .common import NEWEST_STATUS_FIRST, admin_link, public_read, statements

PLEDGES_PER_PAGE = 25

# Long lists of choices read better as checkboxes than as a multiple <select> on a phone.
CHECKBOX_FILTERS = ("state", "category", "status", "condition", "condition_state")
DATE_FILTERS = ("status_changed", "value_date")
# The FilterSet's labels are written for API users; these are the same filters in a reader's words.
READER_LABELS = {
    "q": _lazy("Search"),
    "state": _lazy("Pledged by (alone or jointly)"),
    "category": _lazy("Category"),
    "status": _lazy("Status"),
    "open": _lazy("Open or final"),
    "condition": _lazy("Condition"),
    "condition_state": _lazy("Condition met?"),
    "summit": _lazy("Meeting"),
    "declaration": _lazy("Declaration"),
    "status_changed": _lazy("Current status took effect between"),
    "value_date": _lazy("Money value date between"),
    "updated_since": _lazy("Record changed since (ISO 8601 time)"),
    "top_level": _lazy("Shares of larger pledges"),
    "ordering": _lazy("Order by"),
}
LAID_OUT_FILTERS = frozenset(READER_LABELS)
# Plain values the FilterSet's boolean fields read, whichever boolean field class they use.
YES_NO_CHOICES = {
    "open": [("", _lazy("Open and final")), ("true", _lazy("Open only")), ("false", _lazy("Final only"))],
    "top_level": [("", _lazy("Included")), ("true", _lazy("Left out (as in totals)")), ("false", _lazy("Only shares"))],
}


def _pledge_filter_form(filterset):
    """The API's filter form, dressed for readers: same fields, names and validation."""
    form = filterset.form
    for name, label in READER_LABELS.items():
        if name in form.fields:
            form.fields[name].label = label
    for name in CHECKBOX_FILTERS:
        field = form.fields[name]
        field.widget = forms.CheckboxSelectMultiple()
        field.widget.choices = field.choices
    for name in DATE_FILTERS:
        for widget in form.fields[name].widget.widgets:
            widget.input_type = "date"
    for name, choices in YES_NO_CHOICES.items():
        form.fields[name].widget = forms.Select(choices=choices)
    for field in form.fields.values():
        if isinstance(field, forms.DateField):  # e.g. the API's as_of
            field.widget.input_type = "date"
    ordering = form.fields["ordering"]
    ordering.empty_label = _("Newest status first")
    ordering.choices = [choice for choice in ordering.choices if choice[0]]  # re-adds the empty choice
    form.fields["summit"].empty_label = _("Any meeting")
    form.fields["declaration"].empty_label = _("Any declaration")
    for name in ("summit", "declaration"):  # their titles in the reader's language (docs/i18n.md)
        if hasattr(form.fields[name], "label_from_instance"):
            form.fields[name].label_from_instance = lambda record: localised(record, "title")[0]
    return form


@public_read
def pledge_list(request):
    queryset = Pledge.objects.with_related().order_by(*NEWEST_STATUS_FIRST)
    filterset = PledgeFilterSet(request.GET, queryset=queryset, request=request)
    form = _pledge_filter_form(filterset)
    context = {
        "form": form,
        # Filters the FilterSet gains later (the template lays out the ones it knows) still show.
        "other_fields": [form[name] for name in form.fields if name not in LAID_OUT_FILTERS],
        "page": None,
        "active": any(v for k, v in request.GET.items() if k != "page"),
    }
    if not filterset.is_valid():
        # Same rule as the API: a filter that cannot be understood is an error, never an unfiltered list.
        return render(request, "commitments/pledge_list.html", context, status=400)
    paginator = Paginator(filterset.qs, PLEDGES_PER_PAGE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except PageNotAnInteger:
        context["page_error"] = _("The page number must be a whole number.")
        return render(request, "commitments/pledge_list.html", context, status=400)
    except EmptyPage:
        raise Http404(_("There is no such page of pledges.")) from None
    context["page"] = page
    return render(request, "commitments/pledge_list.html", context)


@public_read
def pledge_detail(request, pk: int):
    pledge = get_object_or_404(
        Pledge.objects.with_related()
        .select_related("contributes_to")
        .prefetch_related(
            "status_changes__source",
            Prefetch("shares", queryset=Pledge.objects.prefetch_related("pledgers")),
        ),
        pk=pk,
    )
    context = {
        "pledge": pledge,
        "statements": statements(Statement.objects.about(pledge)),
        "admin_url": admin_link(request, pledge),
    }
    return render(request, "commitments/pledge_detail.html", context)
