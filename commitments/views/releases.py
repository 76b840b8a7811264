"""The releases as public pages: the list (number, title, date, notes, package and its hash) and
what changed between two releases, or between a release and now (status moves first), from the
same diff as `/api/releases/{a}/diff/{b}/`."""

from itertools import groupby

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from ..models import Release
from ..releases import diff as diffs
from .common import public_read


@public_read
def release_list(request):
    releases = list(Release.objects.metadata().order_by("-number"))
    return render(request, "commitments/release_list.html", {"releases": releases})


def _release(number) -> Release:
    if not (str(number).isascii() and str(number).isdigit() and len(str(number)) <= 9):
        raise Http404(_("There is no such release."))
    release = Release.objects.metadata().filter(number=int(number)).first()
    if release is None:
        raise Http404(_("There is no release %(number)s.") % {"number": number})
    return release


@public_read
def release_diff(request, number: int, other: str):
    old = _release(number)
    if other == "now":
        with diffs.live_side() as new:
            found = diffs.compare(diffs.release_side(old), new)
    else:
        found = diffs.compare(diffs.release_side(old), diffs.release_side(_release(other)))
    tables = [
        {"name": table, "changes": list(changes)} for table, changes in groupby(found.changes, key=lambda c: c.table)
    ]
    context = {
        "diff": found,
        "old": old,
        "other": other,
        "counts": found.counts(),
        "tables": tables,
        "releases": list(Release.objects.metadata().order_by("-number").values_list("number", "title")),
    }
    return render(request, "commitments/release_diff.html", context)
