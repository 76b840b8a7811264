"""Forms of the admin pages that are not a model's own change form."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget, AutocompleteSelect, RelatedFieldWidgetWrapper
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .. import services
from ..choices import DatePrecision
from ..models import MAX_QUOTE_WORDS, Source


class StatusChangeForm(forms.Form):
    """What a status change needs: the new status, when it took effect (and how precisely that
    is known), why, and the source that says so. Used for one record and for a selection, of any
    model with a status history (`model`: Pledge, Instrument), whose statuses it offers."""

    status = forms.ChoiceField(label=_("New status"))
    effective_date = forms.DateField(
        label=_("Effective date"),
        widget=AdminDateWidget,
        help_text=_("When the change took effect in the world (not today's date)."),
    )
    precision = forms.ChoiceField(
        choices=DatePrecision.choices,
        initial=DatePrecision.DAY,
        label=_("Precision"),
        help_text=_(
            "How much of that date the source gives: 'earlier this month' is month precision, "
            "stored as the first day of the month."
        ),
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), help_text=_("Why the status changed.")
    )
    source = forms.ModelChoiceField(
        label=_("Source"), queryset=Source.objects.all(), help_text=_("The document that reports the change.")
    )
    quote = forms.CharField(
        required=False,
        label=_("Quote"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=format_lazy(
            _("Optional: the source's phrase, verbatim, at most {words} words."), words=MAX_QUOTE_WORDS
        ),
    )
    attribution = forms.CharField(
        required=False,
        max_length=200,
        label=_("Attribution"),
        help_text=_("Optional: who the source says said it."),
    )

    def __init__(self, *args, model, can_add_source=False, **kwargs):
        super().__init__(*args, **kwargs)
        # No status chosen for the analyst unless one is plausible (the page's `initial`): a blank
        # first choice, never "Not yet assessable" by default.
        self.fields["status"].choices = [("", "---------"), *model._meta.get_field("status").choices]
        # Sources are searched, as on every admin form; the widget asks for the history's own field.
        # The add (+) button opens the source form in a popup, as on the record's own form.
        relation = model.STATUS_CHANGE._meta.get_field("source")
        self.fields["source"].widget = RelatedFieldWidgetWrapper(
            AutocompleteSelect(relation, admin.site, choices=self.fields["source"].choices),
            relation.remote_field,
            admin.site,
            can_add_related=can_add_source,
            can_change_related=False,
            can_view_related=False,
        )

    def change_kwargs(self, user) -> dict:
        data = self.cleaned_data
        return {
            "effective_date": data["effective_date"],
            "precision": data["precision"],
            "note": data["note"],
            "source": data["source"],
            "quote": data["quote"],
            "attribution": data["attribution"],
            "user": user,
        }

    def add_change_errors(self, error) -> None:
        """Put the errors the record's `change_status` raised next to the fields they are about."""
        for name, messages in services.renamed(error).items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
