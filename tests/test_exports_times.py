"""Times in the CSV files have one fixed form, so pandas, reading with the documented dtypes,
parses every row: a record saved with microseconds (an edit) and records saved without them (the
seed) sit in the same column."""

import datetime
import io

import pytest
from django.utils import timezone

from commitments import exports, models

pytestmark = pytest.mark.django_db


def streamed(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def test_pandas_parses_every_time_of_every_export(seeded, public, client):
    pd = pytest.importorskip("pandas")
    whole_second = datetime.datetime(2025, 3, 1, 12, 0, 0, tzinfo=datetime.UTC)
    for table in exports.TABLES.values():
        if any(c.name == "updated_at" for c in table.columns):
            table.model.objects.update(updated_at=whole_second)
    edited = models.Pledge.objects.order_by("pk").last()
    edited.title = "Edited after the seed"
    edited.save()
    edited.refresh_from_db()
    if edited.updated_at.microsecond == 0:  # the clock landed on a whole second: make it not
        edited.updated_at = edited.updated_at.replace(microsecond=123456)
        models.Pledge.objects.filter(pk=edited.pk).update(updated_at=edited.updated_at)

    for name, table in exports.TABLES.items():
        times = [c.name for c in table.columns if c.type == "datetime"]
        if not times:
            continue
        text = streamed(client.get(f"/api/{name}/export.csv"))
        raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        frame = pd.read_csv(io.StringIO(text), **exports.pandas_read_csv_kwargs(table.columns))
        assert len(frame) == table.model.objects.count() > 0, name
        for column in times:
            assert pd.api.types.is_datetime64_any_dtype(frame[column].dtype), (name, column, raw[column].head())
            filled = raw[column] != ""
            assert frame.loc[filled, column].notna().all(), (name, column)
            # One form: 26 characters of date and time, then the UTC offset.
            assert raw.loc[filled, column].str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00").all()

    pledges = pd.read_csv(
        io.StringIO(streamed(client.get("/api/pledges/export.csv"))), **exports.pandas_read_csv_kwargs()
    ).set_index("slug")
    assert pledges.loc[edited.slug, "updated_at"] == pd.Timestamp(edited.updated_at)
    others = pledges.drop(index=edited.slug)["updated_at"]
    assert (others == pd.Timestamp(whole_second)).all()
    assert timezone.is_aware(edited.updated_at)


def test_summary_json_time_has_the_same_form(public, client, db):
    generated = client.get("/api/reports/summary.json").json()["generated_at"]
    assert datetime.datetime.fromisoformat(generated).tzinfo is not None
    assert len(generated) == len("2025-03-01T12:00:00.000000+00:00")
