"""What every public page shares: the read rule, the analyst's link to the admin, and how
statements and the force requirement against contributions are loaded and worded."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.db.models import F, Prefetch
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..access import may_read
from ..formatting import grouped
from ..models import Pledge, PledgeQuerySet, Post, State
from ..models.instruments import requirement_gap
from ..templatetags.content import in_language, localised, reader_language
from ..templatetags.dashboard import troops

# A pledge whose status never changed has no date; it goes last on SQLite and PostgreSQL alike.
NEWEST_STATUS_FIRST = (F("status_changed_on").desc(nulls_last=True), "-id")
# Statements by date said, the undated last (SQLite and PostgreSQL order NULLs differently).
STATEMENT_ORDER = (F("made_on").asc(nulls_last=True), "slug")


def public_read(view):
    """The register's read rule (`access.may_read`); a visitor who may not read is sent to the
    login (which returns them here afterwards)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if may_read(request.user):
            return view(request, *args, **kwargs)
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))

    return wrapper


def admin_link(request, obj) -> str:
    """The admin change page of `obj` for a staff user allowed to change it, else ''."""
    user = request.user
    opts = obj._meta
    if not (user.is_active and user.is_staff and user.has_perm(f"{opts.app_label}.change_{opts.model_name}")):
        return ""
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    except NoReverseMatch:  # model not in the admin
        return ""


def pledge_list_url(**filters) -> str:
    return f"{reverse('pages:pledge-list')}?{urlencode(filters, doseq=True)}"


def localised_state_names(rows: list[dict]) -> list[dict]:
    """Rows with a party's `code` and `name` (the totals by pledger), the names in the reader's
    language where the party has one, `name_in_english` where it has none (the page marks that
    name lang="en"); one query, none on an English page."""
    if reader_language() == "en" or not rows:
        return rows
    states = State.objects.filter(code__in=[row["code"] for row in rows])
    names = {state.code: localised(state, "name") for state in states}
    return [
        {**row, "name": names[row["code"]][0], "name_in_english": names[row["code"]][1]}
        if row["code"] in names
        else row
        for row in rows
    ]


# ---------------------------------------------------------------------------------------------
# Statements


def statements(queryset, *, about: bool = False) -> list:
    """Statements as the pages show them: speaker, party, meeting and source, and the speaker's
    posts with their parties (2 queries; with `about`, 4 more for what each is about, as
    `about_links`: (name, page) pairs). Each gets `speaker_posts`: the posts its speaker held for
    the party it was said for, at the time where both dates are known (the reports name the post,
    the statement names the person)."""
    queryset = (
        queryset.select_related("speaker", "state", "summit", "source")
        .prefetch_related(Prefetch("speaker__posts", queryset=Post.objects.select_related("state")))
        .order_by(*STATEMENT_ORDER)
    )
    if about:
        queryset = queryset.prefetch_related(
            Prefetch("pledges", queryset=Pledge.objects.order_by("title")), "instruments", "declarations", "summits"
        )
    rows = list(queryset)
    for statement in rows:
        posts = statement.speaker.posts.all() if statement.speaker_id else []
        statement.speaker_posts = [post for post in posts if _held_for(post, statement)]
        if about:
            statement.about_links = [
                *((in_language(p, "title"), reverse("pages:pledge", args=[p.pk])) for p in statement.pledges.all()),
                *(
                    (in_language(i, "name"), reverse("pages:instrument", args=[i.slug]))
                    for i in statement.instruments.all()
                ),
                *(
                    (in_language(d, "title"), reverse("pages:declaration", args=[d.pk]))
                    for d in statement.declarations.all()
                ),
                *((in_language(m, "title"), reverse("pages:summit", args=[m.pk])) for m in statement.summits.all()),
            ]
    return rows


def _held_for(post, statement) -> bool:
    if statement.state_id is not None and post.state_id != statement.state_id:
        return False
    said = statement.made_on
    if said is None:
        return True
    return (post.start_date is None or post.start_date <= said) and (post.end_date is None or said <= post.end_date)


# ---------------------------------------------------------------------------------------------
# A force requirement against the contributions to its instrument


def no_contributions() -> dict:
    """The figures of no pledge (counts 0, sums unknown), for an instrument nothing contributes to."""
    return PledgeQuerySet.no_figures()


def gap_words(gap) -> str:
    """One end of a requirement's gap: unknown is not zero."""
    if gap is None:
        return _("unknown")
    if gap > 0:
        return ngettext("%(number)s troop short", "%(number)s troops short", gap) % {"number": grouped(gap)}
    if gap < 0:
        return ngettext("%(number)s troop beyond it", "%(number)s troops beyond it", -gap) % {"number": grouped(-gap)}
    return _("met exactly")


def requirement_rows(requirement, figures: dict) -> dict:
    """`requirement_gap` (the one rule) with the words the pages show beside its figures."""
    gap = requirement_gap(requirement, figures)
    quantified = figures["troop_pledges"]
    unquantified = figures["troop_pledges_unquantified"]
    return {
        **gap,
        "required_text": troops(requirement.troops_min, requirement.troops_max) or _("no figure given"),
        "pledged_text": troops(gap["troops_low"], gap["troops_high"]) if quantified else _("none in numbers"),
        "quantified_text": ngettext(
            "%(count)s contribution giving a troop figure", "%(count)s contributions giving a troop figure", quantified
        )
        % {"count": quantified},
        "unquantified_text": ngettext(
            "%(count)s troop contribution without a number",
            "%(count)s troop contributions without a number",
            unquantified,
        )
        % {"count": unquantified}
        if unquantified
        else "",
        "gap_min_text": gap_words(gap["gap_min"]),
        "gap_max_text": gap_words(gap["gap_max"]),
    }
