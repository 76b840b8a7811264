"""The review queue in the admin (docs/review.md): revisions, pending first, each with its field
diff (base, proposed, published now), the other pending revisions of the same record, and the
buttons of the decision: Approve and Send back (a comment required) for a reviewer who is not the
author, Withdraw for the author."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import review
from ..models import Revision, RevisionState


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "state",
        "action",
        "content_type",
        "summary",
        "author",
        "created_at",
        "reviewer",
        "conflicts",
    ]
    list_display_links = ["number", "summary"]
    list_filter = ["state", "action", "content_type", "author"]
    list_select_related = ["author", "reviewer", "content_type"]
    search_fields = ["summary", "comment", "author__username"]
    fields = [
        "number",
        "state",
        "action",
        "record_link",
        "author",
        "created_at",
        "diff_table",
        "conflicts",
        "reviewer",
        "reviewed_at",
        "comment",
    ]
    readonly_fields = fields
    change_form_template = "admin/commitments/revision/change_form.html"

    def get_queryset(self, request):
        pending_first = Case(
            When(state=RevisionState.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        rows = self.model._default_manager.get_queryset().annotate(pending_first=pending_first)
        return rows.order_by(*self.get_ordering(request))

    def get_ordering(self, request):
        return ["pending_first", "-created_at", "-id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # -- columns and fields --------------------------------------------------------------------

    @admin.display(description=_("revision"), ordering="id")
    def number(self, obj):
        return f"#{obj.pk}"

    @admin.display(description=_("also pending"))
    def conflicts(self, obj):
        others = review.also_pending(obj)
        if not others:
            return "—"
        return format_html_join(
            ", ",
            gettext('<a href="{}">also pending: #{}</a>'),
            ((reverse("admin:commitments_revision_change", args=[pk]), pk) for pk in others),
        )

    @admin.display(description=_("record"))
    def record_link(self, obj):
        model = obj.model
        if obj.object_id is None or model is None:
            return gettext("new %(model)s: %(summary)s") % {"model": obj.content_type.name, "summary": obj.summary}
        if not model._default_manager.filter(pk=obj.object_id).exists():
            return gettext("%(summary)s (deleted)") % {"summary": obj.summary}
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.object_id])
        return format_html('<a href="{}">{}</a>', url, obj.summary or f"#{obj.object_id}")

    @admin.display(description=_("changes"))
    def diff_table(self, obj):
        rows = review.diff(obj)
        body = format_html_join(
            "",
            '<tr class="{}"><th scope="row">{}</th><td>{}</td><td>{}</td><td>{}</td></tr>',
            (("moved" if row["moved"] else "", row["label"], row["base"], row["proposed"], row["now"]) for row in rows),
        )
        return format_html(
            '<table class="revision-diff"><thead><tr><th>{}</th><th>{}</th><th>{}</th>'
            "<th>{}</th></tr></thead><tbody>{}</tbody></table>",
            gettext("field"),
            gettext("when proposed"),
            gettext("proposed"),
            gettext("published now"),
            body,
        )

    # -- decisions -----------------------------------------------------------------------------

    def get_urls(self):
        decide = self.admin_site.admin_view(self.decide_view)
        return [
            path("<int:object_id>/approve/", decide, {"decision": "approve"}, name="commitments_revision_approve"),
            path("<int:object_id>/return/", decide, {"decision": "return"}, name="commitments_revision_return"),
            path("<int:object_id>/withdraw/", decide, {"decision": "withdraw"}, name="commitments_revision_withdraw"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        revision = self.get_object(request, object_id)
        context = {**(extra_context or {})}
        if revision is not None and revision.state == RevisionState.PENDING:
            user = request.user
            context["may_review"] = user.has_perm(review.REVIEW_PERMISSION) and revision.author_id != user.pk
            context["own_revision"] = revision.author_id == user.pk
        return super().change_view(request, object_id, form_url, context)

    def decide_view(self, request, object_id, decision):
        page = reverse("admin:commitments_revision_change", args=[object_id])
        if request.method != "POST":
            return HttpResponseRedirect(page)
        if not self.has_view_permission(request):
            raise PermissionDenied
        revision = Revision.objects.filter(pk=object_id).first()
        if revision is None:
            raise Http404(gettext("No such revision."))
        comment = request.POST.get("decision_comment", "").strip()
        try:
            if decision == "approve":
                review.approve(revision, request.user, comment)
                done = gettext("Revision #%(pk)s approved and published.") % {"pk": revision.pk}
            elif decision == "return":
                review.send_back(revision, request.user, comment)
                done = gettext("Revision #%(pk)s sent back to %(author)s.") % {
                    "pk": revision.pk,
                    "author": revision.author,
                }
            else:
                review.withdraw(revision, request.user)
                done = gettext("Revision #%(pk)s withdrawn.") % {"pk": revision.pk}
        except PermissionDenied as exc:
            self.message_user(request, str(exc) or gettext("You may not decide on this revision."), messages.ERROR)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
        else:
            self.message_user(request, done, messages.SUCCESS)
        return HttpResponseRedirect(page)
