"""The search page: one box over pledges, meetings, declarations, instruments and parties, the
results grouped by kind through each kind's FilterSet; bad input a 400 with the reason, never a
500; the header's box on every page."""

import pytest
from django.urls import reverse

from . import builders as make
from .test_pages import get, text

pytestmark = pytest.mark.django_db
URL = reverse("pages:search")


def test_one_word_finds_each_kind_grouped_with_links(client, public):
    pledge = make.pledge(title="Air policing over Rome")
    other = make.pledge(title="Naval mission")
    summit = make.summit(title="Summit in Rome")
    declaration = make.declaration(title="Rome declaration")
    instrument = make.instrument(name="Rome air mission")
    state = make.state("IT", "Italy")
    response = get(client, URL + "?q=rome")
    page = response.content.decode()
    for record_url in (
        reverse("pages:pledge", args=[pledge.pk]),
        reverse("pages:summit", args=[summit.pk]),
        reverse("pages:declaration", args=[declaration.pk]),
        reverse("pages:instrument", args=[instrument.slug]),
    ):
        assert f'href="{record_url}"' in page
    assert reverse("pages:pledge", args=[other.pk]) + '"' not in page
    assert reverse("pages:state", args=["IT"]) + '"' not in page.split("results-states")[-1]
    words = text(response)
    assert "4 records match “rome”" in words
    assert "Pledges (1)" in words and "Meetings (1)" in words and "Declarations (1)" in words
    assert "Instruments (1)" in words and "Parties (0)" in words
    # A party by its code, as the API's ?q= finds it.
    assert f'href="{reverse("pages:state", args=[state.code])}"' in get(client, URL + "?q=it").content.decode()


def test_many_matches_show_a_page_and_lead_to_the_full_list(client, public):
    for number in range(23):
        make.pledge(title=f"Funding tranche {number}")
    words = text(get(client, URL + "?q=tranche"))
    assert "20 of 23 shown. All 23 matching pledges" in words


@pytest.mark.parametrize(
    ("query", "reason"),
    [("?q=" + "x" * 201, "at most 200 characters"), ("?q=a%00b", "Null characters are not allowed")],
)
def test_bad_input_is_a_400_with_the_reason(client, public, query, reason):
    assert reason in text(get(client, URL + query, status=400))


def test_the_empty_search_is_the_form_and_every_page_has_the_box(client, public):
    page = get(client, URL).content.decode()
    assert "record" not in text(get(client, URL + "?q=")).split("Search the register")[-1].split("Who promised")[0]
    assert f'action="{URL}"' in get(client, reverse("pages:overview")).content.decode()
    assert 'role="search"' in page
