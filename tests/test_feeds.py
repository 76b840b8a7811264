"""The Atom feeds of published changes (docs/notifications.md): valid Atom (RFC 4287), status moves
in words, per state, pledge and instrument, 404 for an unknown record, pending revisions left out,
and the register's read rule."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from commitments import review
from commitments.choices import InstrumentRole, Status

from . import builders as make

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
ON = datetime.date(2025, 5, 5)


def feed(client, url) -> ET.Element:
    answer = client.get(url)
    assert answer.status_code == 200, answer.status_code
    assert answer["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(answer.content)  # noqa: S314 (our own server's answer)
    assert root.tag == f"{ATOM}feed"
    # RFC 4287 4.1.1: a feed has exactly one id, title and updated, and a link rel="self".
    for name in ("id", "title", "updated"):
        assert len(root.findall(f"{ATOM}{name}")) == 1, name
        assert root.find(f"{ATOM}{name}").text
    assert root.find(f"{ATOM}id").text.startswith("tag:")
    assert any(link.get("rel") == "self" for link in root.findall(f"{ATOM}link"))
    for entry in root.findall(f"{ATOM}entry"):
        # 4.1.2: an entry has exactly one id, title and updated, a link (no content here) and a summary.
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, name
            assert entry.find(f"{ATOM}{name}").text
        assert entry.find(f"{ATOM}link").get("href").startswith("http")
        datetime.datetime.fromisoformat(entry.find(f"{ATOM}updated").text)
    return root


def titles(root) -> list[str]:
    return [entry.find(f"{ATOM}title").text for entry in root.findall(f"{ATOM}entry")]


def test_the_feed_of_all_changes_tells_a_status_move_in_words(client, public, analyst):
    pledge = make.pledge(title="Air policing")
    source = make.source(title="Le Monde, 5 May")
    make.move(pledge, Status.IN_IMPLEMENTATION, ON, source=source, user=analyst)
    make.summit(title="A meeting in Rome")
    root = feed(client, reverse("feeds:changes"))
    entries = titles(root)
    assert (
        "Status of “Air policing”: Not yet assessable → In implementation (effective 5 May 2025), "
        f"per {source}" in entries
    )
    assert "Summit “A meeting in Rome” added" in entries[0]
    assert "Pledge “Air policing” added" in entries
    ids = [entry.find(f"{ATOM}id").text for entry in root.findall(f"{ATOM}entry")]
    assert len(set(ids)) == len(ids) and all(entry_id.startswith("tag:testserver,2025:change/") for entry_id in ids)
    status_entry = next(e for e in root.findall(f"{ATOM}entry") if e.find(f"{ATOM}title").text.startswith("Status"))
    assert status_entry.find(f"{ATOM}author/{ATOM}name").text == "ana"
    assert status_entry.find(f"{ATOM}link").get("href") == f"http://testserver/pledges/{pledge.pk}/"
    assert root.find(f"{ATOM}id").text == feed(client, reverse("feeds:changes")).find(f"{ATOM}id").text


def test_a_feed_keeps_at_most_fifty_entries(client, public):
    for number in range(51):
        make.summit(title=f"Meeting {number}")
    entries = titles(feed(client, reverse("feeds:changes")))
    assert len(entries) == 50 and entries[0] == "Summit “Meeting 50” added"


def test_the_feeds_of_a_pledge_an_instrument_and_a_state(client, public):
    france, germany = make.state("FR", "France"), make.state("DE", "Germany")
    french = make.pledge(title="French pledge", pledgers=[france])
    make.pledge(title="German pledge", pledgers=[germany])
    make.move(french, Status.ANNOUNCED, ON)
    coalition = make.instrument("mnf-u", name="Multinational Force Ukraine")
    make.instrument_party(coalition, "FR", InstrumentRole.LEAD)
    other = make.instrument("other", name="Another instrument")

    of_pledge = titles(feed(client, reverse("feeds:pledge", args=[french.pk])))
    assert of_pledge[0].startswith("Status of “French pledge”: Not yet assessable → Announced")
    assert all("German" not in title for title in of_pledge)

    of_instrument = titles(feed(client, reverse("feeds:instrument", args=[coalition.slug])))
    assert of_instrument and all("Multinational Force Ukraine" in title for title in of_instrument)
    assert all(str(other) not in title for title in of_instrument)

    of_france = titles(feed(client, reverse("feeds:state", args=["FR"])))
    assert "Party “France” added" in of_france
    assert any("French pledge" in title for title in of_france)
    assert any("Multinational Force Ukraine" in title for title in of_france)
    assert not any("German pledge" in title or "Another instrument" in title for title in of_france)


@pytest.mark.parametrize(
    "url", ["/feeds/states/XX.atom", "/feeds/pledges/999999.atom", "/feeds/instruments/no-such-thing.atom"]
)
def test_an_unknown_record_has_no_feed(client, public, url):
    assert client.get(url).status_code == 404


def test_a_pending_revision_is_in_no_feed_until_approved(client, public, review_on, analyst, reviewer):
    pledge = make.pledge(title="Pending pledge")
    revision = make.move(pledge, Status.ANNOUNCED, ON, user=analyst)
    url = reverse("feeds:pledge", args=[pledge.pk])
    assert not any(title.startswith("Status") for title in titles(feed(client, url)))
    review.approve(revision, reviewer)
    assert titles(feed(client, url))[0].startswith("Status of “Pending pledge”")


def test_the_feeds_follow_the_read_rule(client, settings):
    settings.PUBLIC_READ = False
    answer = client.get(reverse("feeds:changes"))
    assert answer.status_code == 302 and "/admin/login/" in answer["Location"]
    client.force_login(make.user("reader", "Viewer"))
    feed(client, reverse("feeds:changes"))


def test_pages_link_their_feeds(client, public):
    pledge = make.pledge(title="Linked")
    page = client.get(reverse("pages:pledge", args=[pledge.pk])).content.decode()
    assert f'type="application/atom+xml" title="All changes (Atom)" href="{reverse("feeds:changes")}"' in page
    assert f'href="{reverse("feeds:pledge", args=[pledge.pk])}"' in page
    overview = client.get(reverse("pages:overview")).content.decode()
    assert reverse("feeds:changes") in overview and "/feeds/pledges/" not in overview
