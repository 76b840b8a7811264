"""`Pledge.change_status` is the only writer of a pledge's status and keeps status and history together."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from commitments.choices import Status
from commitments.models import Pledge, StatusChange

from . import builders as make

D = datetime.date


def state_of(pledge):
    pledge.refresh_from_db()
    rows = list(pledge.status_changes.values_list("sequence", "from_status", "to_status", "effective_date"))
    return pledge.status, pledge.status_changed_on, rows


@pytest.mark.django_db
def test_a_change_writes_history_and_current_status_together(django_user_model):
    analyst = django_user_model.objects.create_user("analyst")
    pledge, src = make.pledge(), make.source()
    version = pledge.version
    change = pledge.change_status(
        Status.ANNOUNCED,
        effective_date=D(2025, 3, 27),
        source=src,
        note="Announced at the summit.",
        quote="the French announcement",
        user=analyst,
    )
    pledge.change_status(Status.AGREED, effective_date=D(2026, 1, 6), source=src, note="In the declaration.")
    assert state_of(pledge) == (
        Status.AGREED,
        D(2026, 1, 6),
        [(1, "not_assessable", "announced", D(2025, 3, 27)), (2, "announced", "agreed", D(2026, 1, 6))],
    )
    assert change.recorded_by == analyst and change.recorded_at <= timezone.now()
    assert pledge.version == version + 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status, effective, note, message",
    [
        (Status.ANNOUNCED, D(2026, 1, 6), "again", "already announced"),
        (Status.AGREED, D(2025, 1, 1), "earlier", "cannot take effect before it"),
        (Status.AGREED, D(2099, 1, 1), "future", "cannot take effect in the future"),
        (Status.AGREED, D(2026, 1, 6), "", "cannot be blank"),
        ("promised", D(2026, 1, 6), "unknown", "not a valid choice"),
    ],
)
def test_a_rejected_change_leaves_status_and_history_untouched(status, effective, note, message):
    pledge, src = make.pledge(), make.source()
    pledge.change_status(Status.ANNOUNCED, effective_date=D(2025, 3, 27), source=src, note="first")
    before = state_of(pledge)
    with pytest.raises(ValidationError) as caught:
        pledge.change_status(status, effective_date=effective, source=src, note=note)
    assert message in str(caught.value.message_dict)
    assert len(caught.value.messages) == 1, caught.value.messages
    assert state_of(pledge) == before
    assert pledge.status == Status.ANNOUNCED


@pytest.mark.django_db
def test_a_change_that_fails_in_the_database_leaves_both_untouched(monkeypatch):
    pledge, src = make.pledge(), make.source()

    def broken_save(self, *args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Pledge, "save", broken_save)
    with pytest.raises(RuntimeError):
        pledge.change_status(Status.ANNOUNCED, effective_date=D(2025, 3, 27), source=src, note="n")
    monkeypatch.undo()
    assert state_of(pledge) == (Status.NOT_ASSESSABLE, None, [])
    assert not StatusChange.objects.exists()


@pytest.mark.django_db
def test_status_cannot_be_written_around_the_method():
    pledge = make.pledge()
    pledge.status = Status.FULFILLED
    with pytest.raises(ValueError, match="only through Pledge.change_status"):
        pledge.save()
    with pytest.raises(ValueError, match="only through Pledge.change_status"):
        Pledge(slug="new", title="t", category="troops", status=Status.AGREED).save()
    assert Pledge.objects.get(pk=pledge.pk).status == Status.NOT_ASSESSABLE


@pytest.mark.django_db
def test_a_stale_instance_changes_from_the_status_in_the_database():
    pledge, src = make.pledge(), make.source()
    stale = Pledge.objects.get(pk=pledge.pk)
    pledge.change_status(Status.ANNOUNCED, effective_date=D(2025, 3, 27), source=src, note="one analyst")
    stale.change_status(Status.AGREED, effective_date=D(2025, 4, 1), source=src, note="another analyst")
    assert state_of(pledge)[2][1] == (2, "announced", "agreed", D(2025, 4, 1))


@pytest.mark.django_db
def test_open_and_final_statuses():
    src = make.source()
    kept, dropped = make.pledge(), make.pledge()
    kept.change_status(Status.FULFILLED, effective_date=D(2025, 3, 27), source=src, note="delivered")
    dropped.change_status(Status.IN_IMPLEMENTATION, effective_date=D(2025, 3, 27), source=src, note="under way")
    assert list(Pledge.objects.final()) == [kept]
    assert list(Pledge.objects.open()) == [dropped]
    assert kept.is_final and not dropped.is_final
