"""Forms of the admin pages that are not a model's own change form."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget, AutocompleteSelect

from ..choices import DatePrecision, Status
from ..models import MAX_QUOTE_WORDS, Source, StatusChange

# change_status reports errors under the StatusChange field names; the form names some differently.
ERROR_FIELDS = {"to_status": "status", "effective_precision": "precision", "pledge": None, "sequence": None}


class StatusChangeForm(forms.Form):
    """What a status change needs: the new status, when it took effect (and how precisely that
    is known), why, and the source that says so. Used for one pledge and for a selection."""

    status = forms.ChoiceField(label="New status", choices=Status.choices)
    effective_date = forms.DateField(
        widget=AdminDateWidget, help_text="When the change took effect in the world (not today's date)."
    )
    precision = forms.ChoiceField(
        choices=DatePrecision.choices,
        initial=DatePrecision.DAY,
        help_text="How much of that date the source gives: 'earlier this month' is month precision, "
        "stored as the first day of the month.",
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Why the status changed.")
    source = forms.ModelChoiceField(
        queryset=Source.objects.all(),
        widget=AutocompleteSelect(StatusChange._meta.get_field("source"), admin.site),
        help_text="The document that reports the change.",
    )
    quote = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=f"Optional: the source's phrase, verbatim, at most {MAX_QUOTE_WORDS} words.",
    )
    attribution = forms.CharField(required=False, max_length=200, help_text="Optional: who the source says said it.")

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
        """Put the errors `Pledge.change_status` raised next to the fields they are about."""
        for name, messages in error.message_dict.items():
            target = ERROR_FIELDS.get(name, name)
            for message in messages:
                self.add_error(target if target in self.fields else None, message)
