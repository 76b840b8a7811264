"""The public pages, mounted at the site root by tracker/urls.py."""

from django.urls import path

from . import views

app_name = "pages"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("pledges/", views.pledge_list, name="pledge-list"),
    path("pledges/<int:pk>/", views.pledge_detail, name="pledge"),
    path("instruments/", views.instrument_list, name="instrument-list"),
    path("instruments/<slug:slug>/", views.instrument_detail, name="instrument"),
    path("summits/", views.summit_list, name="summit-list"),
    path("summits/<int:pk>/", views.summit_detail, name="summit"),
    path("declarations/", views.declaration_list, name="declaration-list"),
    path("declarations/<int:pk>/", views.declaration_detail, name="declaration"),
    path("states/", views.state_list, name="state-list"),
    path("states/<str:code>/", views.state_detail, name="state"),
    path("people/<slug:slug>/", views.person_detail, name="person"),
    path("sources/", views.source_list, name="source-list"),
    path("sources/<slug:key>/", views.source_detail, name="source"),
    path("data/", views.data, name="data"),
    path("releases/", views.release_list, name="release-list"),
    path("releases/<int:number>/diff/<str:other>/", views.release_diff, name="release-diff"),
    path("search/", views.search, name="search"),
    path("changes/", views.recent_changes, name="changes"),
    path("favicon.ico", views.favicon, name="favicon"),
]
