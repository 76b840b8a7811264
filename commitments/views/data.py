"""The Data page: every download of the register with its size and the time of the data's last
change, the API and its documentation, and the licence; and /favicon.ico."""

from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext_lazy

from ..exports import TABLES, catalogue
from .common import public_read

# What each table holds, in a reader's words.
TABLE_WORDS = {
    "pledges": gettext_lazy("Pledges: who promised what, its quantities, condition and current status, with sources"),
    "summits": gettext_lazy("Meetings: date, place, hosts, chairs and attendance"),
    "declarations": gettext_lazy("Declarations: texts, their parties and components"),
    "states": gettext_lazy("Parties: states, groupings and coalitions"),
    "instruments": gettext_lazy("Instruments: the forces, mechanisms and bodies the pledges build"),
    "people": gettext_lazy("People named in the reports"),
    "posts": gettext_lazy("Posts: who held which office for which party"),
    "statements": gettext_lazy("Statements: what was said about the guarantees, by whom"),
}


def _file(download, measured: dict) -> dict:
    return {"format": download.format, "url": reverse(download.url_name), **measured[download.url_name]}


@public_read
def data(request):
    changed = catalogue.last_change()  # 1 query
    measured = catalogue.sizes(changed)  # cached under `changed`: no query once built
    tables = [
        {"name": table, "words": TABLE_WORDS.get(table, table), "files": [_file(d, measured) for d in files]}
        for table, files in catalogue.table_downloads().items()
    ]
    context = {
        "changed": changed.at,
        "tables": tables,
        "reports": [_file(d, measured) for d in catalogue.REPORTS],
        "package": [_file(d, measured) for d in catalogue.PACKAGE],
        "table_count": len(TABLES),
    }
    return render(request, "commitments/data.html", context)


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links: send them to the icon in static files
    (its hashed name changes with its content, so the redirect is not permanent)."""
    return redirect(static("commitments/favicon.svg"))
