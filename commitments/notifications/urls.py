"""/feeds/: the Atom feeds of published changes (`notifications.feeds`)."""

from django.urls import path

from . import feeds

app_name = "feeds"

urlpatterns = [
    path("changes.atom", feeds.changes_feed, name="changes"),
    path("states/<str:code>.atom", feeds.state_feed, name="state"),
    path("pledges/<int:pk>.atom", feeds.pledge_feed, name="pledge"),
    path("instruments/<slug:slug>.atom", feeds.instrument_feed, name="instrument"),
]
