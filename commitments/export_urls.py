"""Routes of the file exports and summary reports; included under /api/ by tracker/urls.py."""

from django.urls import path

from . import export_views as views

urlpatterns = [
    path("pledges/export.csv", views.export_csv, {"table": "pledges"}, name="export-pledges-csv"),
    path("pledges/export.xlsx", views.export_xlsx, {"table": "pledges"}, name="export-pledges-xlsx"),
    path("summits/export.csv", views.export_csv, {"table": "summits"}, name="export-summits-csv"),
    path("declarations/export.csv", views.export_csv, {"table": "declarations"}, name="export-declarations-csv"),
    path("states/export.csv", views.export_csv, {"table": "states"}, name="export-states-csv"),
    path("reports/summary.csv", views.summary_csv, {"table": "pledges"}, name="report-summary-csv"),
    path("reports/summary.json", views.summary_json, {"table": "pledges"}, name="report-summary-json"),
]
