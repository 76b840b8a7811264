"""Review before publication (issue 14, docs/review.md): the workflow through the write path.

With REVIEW_REQUIRED on, an edit by a user (save, delete, status change) is validated and kept as
a pending revision; the published tables do not move until another user with the Reviewer role
approves it, which writes it as its author, in one transaction, with one audit record."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from commitments import review, services
from commitments.choices import Status
from commitments.models import Citation, Pledge, Revision, RevisionState, StatusChange

from . import builders

pytestmark = pytest.mark.django_db

ON = datetime.date(2025, 4, 1)


def test_a_save_by_a_user_is_queued_not_written(review_on, analyst, reviewer):
    pledge = builders.pledge(title="Old title")
    pledge.title = "New title"
    revision = services.save_pledge(pledge, user=analyst)
    assert isinstance(revision, Revision) and revision.state == RevisionState.PENDING
    assert revision.payload == {"title": "New title"} and revision.base == {"title": "Old title"}
    assert revision.summary == "Old title"  # the record as published, in the queue
    assert Pledge.objects.get(pk=pledge.pk).title == "Old title"
    history_before = Pledge.history.filter(id=pledge.pk).count()

    review.approve(revision, reviewer)

    stored = Pledge.objects.get(pk=pledge.pk)
    assert stored.title == "New title"
    records = Pledge.history.filter(id=pledge.pk).order_by("-history_id")
    assert records.count() == history_before + 1  # one audit record for the published write
    assert records[0].history_user == analyst
    assert records[0].history_change_reason == f"Revision #{revision.pk} by ana, approved by rita"
    revision.refresh_from_db()
    assert (revision.state, revision.reviewer, revision.author) == (RevisionState.APPROVED, reviewer, analyst)
    assert revision.reviewed_at is not None


def test_an_invalid_edit_is_refused_not_queued(review_on, analyst):
    pledge = builders.pledge()
    pledge.troops_min, pledge.troops_max = 10, 5
    with pytest.raises(ValidationError):
        services.save_pledge(pledge, user=analyst)
    assert not Revision.objects.exists()


def test_the_author_cannot_approve_their_own_edit(review_on, reviewer):
    pledge = builders.pledge(title="Old")
    pledge.title = "Mine"
    revision = services.save_pledge(pledge, user=reviewer)
    with pytest.raises(PermissionDenied, match="another reviewer"):
        review.approve(revision, reviewer)
    assert Pledge.objects.get(pk=pledge.pk).title == "Old"


def test_an_analyst_cannot_approve(review_on, analyst, superuser):
    pledge = builders.pledge(title="Old")
    pledge.title = "New"
    revision = services.save_pledge(pledge, user=superuser)
    with pytest.raises(PermissionDenied, match="Reviewer role"):
        review.approve(revision, analyst)


def test_a_new_pledge_with_pledgers_is_created_on_approval(review_on, analyst, reviewer):
    france, uk = builders.state("FR"), builders.state("GB")
    revision = services.save_pledge(
        Pledge(slug="new-one", title="New one", category="funding"), pledgers=[france, uk], user=analyst
    )
    assert revision.object_id is None and not Pledge.objects.filter(slug="new-one").exists()
    review.approve(revision, reviewer)
    made = Pledge.objects.get(slug="new-one")
    assert set(made.pledgers.values_list("code", flat=True)) == {"FR", "GB"}
    assert made.history.count() == 1 and made.history.first().history_user == analyst
    revision.refresh_from_db()
    assert revision.object_id == made.pk


def test_a_status_change_waits_for_review(review_on, analyst, reviewer):
    pledge = builders.pledge()
    result = builders.move(pledge, Status.ANNOUNCED, ON, user=analyst)
    assert isinstance(result, Revision)
    assert not StatusChange.objects.filter(pledge=pledge).exists()
    assert Pledge.objects.get(pk=pledge.pk).status == Status.NOT_ASSESSABLE
    review.approve(result, reviewer)
    pledge.refresh_from_db()
    assert pledge.status == Status.ANNOUNCED
    change = StatusChange.objects.get(pledge=pledge)
    assert change.recorded_by == analyst


def test_a_refused_status_change_is_not_queued(review_on, analyst):
    pledge = builders.pledge()
    with pytest.raises(ValidationError, match="already"):
        builders.move(pledge, pledge.status, ON, user=analyst)
    assert not Revision.objects.exists()


def test_a_conflict_refuses_approval_and_writes_nothing(review_on, analyst, reviewer, superuser, settings):
    pledge = builders.pledge(title="Base")
    pledge.title = "Analyst's"
    first = services.save_pledge(pledge, user=analyst)
    other = Pledge.objects.get(pk=pledge.pk)
    other.title = "Superuser's"
    second = services.save_pledge(other, user=superuser)
    assert review.also_pending(first) == [second.pk] and review.also_pending(second) == [first.pk]
    review.approve(second, reviewer)
    history = Pledge.history.filter(id=pledge.pk).count()
    with pytest.raises(ValidationError) as refused:
        review.approve(first, reviewer)
    assert "title: now Superuser's; this revision's base: Base" in refused.value.messages
    assert Pledge.objects.get(pk=pledge.pk).title == "Superuser's"
    assert Pledge.history.filter(id=pledge.pk).count() == history
    first.refresh_from_db()
    assert first.state == RevisionState.PENDING


def test_an_approval_the_rules_now_refuse_leaves_nothing_behind(review_on, analyst, reviewer):
    pledge = builders.pledge()
    source = builders.source()
    pledge.title = "Renamed"
    revision = review.propose_save(
        pledge,
        user=analyst,
        inlines={
            "commitments.citation": {
                "fk": "pledge",
                "add": [{"source": source.pk, "field": "", "quote": "word " * 30, "attribution": ""}],
            }
        },
    )
    with pytest.raises(ValidationError):
        review.approve(revision, reviewer)  # a quote over 25 words: refused after the rename
    assert Pledge.objects.get(pk=pledge.pk).title != "Renamed"
    assert not Citation.objects.filter(pledge=pledge).exists()
    revision.refresh_from_db()
    assert revision.state == RevisionState.PENDING


def test_send_back_needs_a_comment_and_withdraw_is_the_authors(review_on, analyst, reviewer, viewer):
    pledge = builders.pledge()
    pledge.title = "Typo"
    revision = services.save_pledge(pledge, user=analyst)
    with pytest.raises(ValidationError, match="Say why"):
        review.send_back(revision, reviewer, "  ")
    review.send_back(revision, reviewer, "Spelling")
    revision.refresh_from_db()
    assert (revision.state, revision.comment) == (RevisionState.RETURNED, "Spelling")
    pledge.title = "Typo again"
    again = services.save_pledge(pledge, user=analyst)
    with pytest.raises(PermissionDenied):
        review.withdraw(again, viewer)
    review.withdraw(again, analyst)
    again.refresh_from_db()
    assert again.state == RevisionState.WITHDRAWN


def test_a_deletion_waits_for_review(review_on, analyst, reviewer):
    pledge = builders.pledge()
    revision = services.delete_pledge(pledge, user=analyst)
    assert Pledge.objects.filter(pk=pledge.pk).exists()
    review.approve(revision, reviewer)
    assert not Pledge.objects.filter(pk=pledge.pk).exists()
    assert Pledge.history.filter(id=pledge.pk).latest("history_id").history_user == analyst


def test_review_off_publishes_at_once(analyst):
    pledge = builders.pledge()
    pledge.title = "At once"
    assert services.save_pledge(pledge, user=analyst) == pledge
    assert Pledge.objects.get(pk=pledge.pk).title == "At once" and not Revision.objects.exists()


def test_no_user_publishes_at_once(review_on):
    pledge = builders.pledge()
    pledge.title = "Seeded"
    services.save_pledge(pledge)
    assert Pledge.objects.get(pk=pledge.pk).title == "Seeded"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"reviewer": "author", "state": "approved", "reviewed_at": "now"}, "someone other than its author"),
        ({"state": "approved"}, "A decided revision has its reviewer and time"),
        ({"reviewed_at": "now"}, "A decided revision has its reviewer and time"),
        ({"object_id": None, "action": "change"}, "An edit of an existing record names it"),
        ({"state": "returned", "reviewer": "other", "reviewed_at": "now"}, "Say why the revision is sent back."),
    ],
)
def test_a_revision_breaking_a_rule_is_refused_with_its_message(analyst, reviewer, fields, message):
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    people = {"author": analyst, "other": reviewer, "now": timezone.now()}
    values = {
        "content_type": ContentType.objects.get_for_model(Pledge),
        "object_id": builders.pledge().pk,
        "action": "change",
        "author": analyst,
        **{name: people.get(value, value) if isinstance(value, str) else value for name, value in fields.items()},
    }
    with pytest.raises(ValidationError, match=message):
        Revision(**values).full_clean()
