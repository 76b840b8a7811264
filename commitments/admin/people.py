"""People, the posts they hold, and what was said: statements with their speaker, party, meeting
and what they are about."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import Person, Post, Statement
from ..models.statements import ABOUT, ABOUT_NOTHING
from .base import TrackerAdmin, TrackerForm, TrackerInline

# The rule check_data also checks (commitments/integrity.py): a statement is about something.


class PostInline(TrackerInline):
    model = Post
    fields = ["slug", "state", "title", "role", "start_date", "start_precision", "end_date", "source", "quote"]
    autocomplete_fields = ["state", "source"]
    verbose_name_plural = _("posts (what they are, as the reports word it)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("state", "source")


@admin.register(Person)
class PersonAdmin(TrackerAdmin):
    list_display = ["name", "slug", "post_titles"]
    search_fields = ["name", "slug", "posts__title"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at", "updated_at"]
    inlines = [PostInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("posts__state")

    @admin.display(description=_("posts"))
    def post_titles(self, obj):
        return "; ".join(f"{post.title} ({post.state.code})" for post in obj.posts.all()) or "—"


@admin.register(Post)
class PostAdmin(TrackerAdmin):
    list_display = ["title", "state", "person", "role", "start_date", "end_date"]
    list_filter = ["role", ("state", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["state", "person"]
    search_fields = ["title", "slug", "person__name", "state__name", "=state__code"]
    search_help_text = _("The post's title, its holder's name, or the party's name or code (GB).")
    autocomplete_fields = ["person", "state", "source"]
    readonly_fields = ["created_at", "updated_at"]

    def get_queryset(self, request):
        # The post's name in lists and autocomplete reads its party and holder.
        return super().get_queryset(request).select_related("state", "person")


class StatementForm(TrackerForm):
    def clean(self):
        cleaned = super().clean()
        # Checked only when every "about" field was read: a field with an error of its own says so.
        if all(name in cleaned for name in ABOUT) and not any(cleaned[name] for name in ABOUT):
            raise ValidationError(ABOUT_NOTHING)
        return cleaned


@admin.register(Statement)
class StatementAdmin(TrackerAdmin):
    form = StatementForm
    list_display = ["__str__", "speaker", "state", "made_on", "stance", "about_count"]
    list_filter = ["stance", ("state", admin.RelatedOnlyFieldListFilter), "made_precision"]
    list_select_related = ["speaker", "state"]
    search_fields = ["quote", "slug", "summary", "speaker__name", "state__name", "=state__code", "source__title"]
    search_help_text = _("The quoted words, the summary, the speaker's or party's name, or the source's title.")
    date_hierarchy = "made_on"
    autocomplete_fields = ["speaker", "state", "summit", "source", *ABOUT]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["slug", "speaker", "state", ("made_on", "made_precision"), "summit", "stance"]}),
        (_("What was said"), {"fields": ["quote", "attribution", "source", "summary"]}),
        (_("What it is about (at least one)"), {"fields": list(ABOUT)}),
        (_("Record"), {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(*ABOUT)

    @admin.display(description=_("about"))
    def about_count(self, obj):
        parts = []
        for name in ABOUT:
            count = len(getattr(obj, name).all())
            if count:
                opts = Statement._meta.get_field(name).related_model._meta
                noun = opts.verbose_name if count == 1 else opts.verbose_name_plural
                parts.append(gettext("%(count)d %(records)s") % {"count": count, "records": noun})
        return ", ".join(parts) or gettext("nothing")
