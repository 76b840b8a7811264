"""The recent-changes page: the published audit trail newest first, a link to each record that is
still there, pending edits left out until approved, bad page numbers explained, and a fixed
number of queries whatever the number of changes."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commitments import review, services
from commitments.models import Pledge

from . import builders as make
from .test_pages import get, text

pytestmark = pytest.mark.django_db
URL = reverse("pages:changes")


def rows(response) -> list[str]:
    body = response.content.decode()
    body = body[body.index("<tbody>") : body.index("</tbody>")]
    return [text_of(row) for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)]


def text_of(markup: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup)).strip()


def test_changes_are_listed_newest_first_with_a_link_to_each_record(client, public):
    first = make.pledge(title="First pledge")
    make.summit(title="A meeting in Rome")
    last = make.pledge(title="Last pledge")
    gone = make.pledge(title="Removed pledge")
    gone_address = reverse("pages:pledge", args=[gone.pk])
    services.delete_pledge(gone)

    response = get(client, URL)
    listed = rows(response)
    page = response.content.decode()
    # A deleted record is named as it was, without a link.
    assert listed[0].endswith("Pledge Removed pledge (no longer in the register) deleted")
    assert f'href="{gone_address}"' not in page
    titles = [row for row in listed if "First pledge" in row or "Last pledge" in row or "Rome" in row]
    assert "Last pledge" in titles[0] and "First pledge" in titles[-1]
    assert any("Meeting A meeting in Rome created" in row for row in listed)
    assert f'href="{reverse("pages:pledge", args=[last.pk])}"' in page
    assert f'href="{reverse("pages:pledge", args=[first.pk])}"' in page
    # The navigation leads here.
    assert f'href="{URL}" aria-current="page"' in page


def test_a_pending_edit_is_not_a_change_until_it_is_approved(client, public, review_on, analyst, reviewer):
    pledge = make.pledge(title="Published title")
    pledge.title = "Proposed title"
    revision = services.save_pledge(pledge, user=analyst)
    assert "Proposed title" not in text(get(client, URL))
    review.approve(revision, reviewer)
    assert Pledge.objects.get(pk=pledge.pk).title == "Proposed title"
    latest = rows(get(client, URL))[0]
    assert "Proposed title updated" in latest


def test_bad_page_numbers_are_explained_never_a_500(client, public):
    make.pledge()
    assert "whole number" in text(get(client, URL + "?page=x", status=400))
    get(client, URL + "?page=999", status=404)


def test_the_page_reads_in_a_fixed_number_of_queries(client, public, settings):
    settings.DEBUG = False

    def queries_for_page() -> int:
        with CaptureQueriesContext(connection) as queries:
            get(client, URL)
        return len(queries)

    make.pledge()
    make.summit()
    few = queries_for_page()
    for _ in range(30):
        make.pledge(citations=1)
        make.summit()
        make.declaration()
        make.statement()
        make.post()
    for code in ("DE", "IT", "ES", "PL", "NL", "BE", "SE", "DK", "FI", "NO"):
        make.state(code)
    many = queries_for_page()
    assert many <= few + 6, (few, many)  # at most one more query per kind of record on the page
    assert many <= 14
