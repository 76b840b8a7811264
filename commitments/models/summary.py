"""The overview's figures kept up to date as pledges are written (issue 12: `/` at a million pledges).

`PledgeSummary` holds, per (party, status), the sums and counts `PledgeQuerySet._figures()` computes
over the top-level pledges: party 0 for every pledge, a State's id for the pledges it made alone or
jointly; and party −1, per status and category, the rows (shares too), so that counting the pledges
of a list filtered by status or category reads a few cells, not a million rows.

On PostgreSQL, triggers on the pledge table and its pledgers table keep it in step with every
write, whatever path it comes by (the write path, the admin, a test builder, a COPY load): see
`commitments/summary_sql.py`. Unfiltered totals are read from it (`PledgeQuerySet.totals()` and
friends over `Pledge.objects.all()`, `count()` as above); any other queryset is counted from the
pledges.

On SQLite (the embedded, small register) there are no triggers: the table stays empty and every
figure is computed, as before."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PledgeSummary(models.Model):
    """One (party, status) cell of the maintained totals. Written only by the database triggers
    and by `commitments.summary.rebuild()`; never edited in the admin."""

    EVERY_PLEDGE = 0  # the top-level pledges, the ones totals count
    EVERY_ROW = -1  # every pledge, shares too, by status and category: counts of rows (`PledgeQuerySet.count`)

    # 0 is no State: every top-level pledge. No foreign-key constraint (0 could not meet one, and a
    # State's deletion must not wait on its cells); the readers join States by it.
    party = models.ForeignKey(
        "State",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # the unique (party, status) index serves it
        db_column="party",
        related_name="+",
        help_text=_("0: every top-level pledge; else the id of a pledger (State)."),
    )
    status = models.CharField(max_length=20)
    category = models.CharField(max_length=30, blank=True, help_text=_("Party −1 only; '' in the other cells."))
    pledges = models.BigIntegerField(default=0)
    troop_pledges = models.BigIntegerField(default=0)
    troops_low = models.BigIntegerField(default=0, help_text=_("Sum of the lower troop figures (0 for 'up to N')."))
    troops_max_sum = models.BigIntegerField(
        default=0, help_text=_("Sum of the upper troop figures; the high end only while no pledge is open-ended.")
    )
    troop_pledges_open_ended = models.BigIntegerField(default=0)
    troop_pledges_unquantified = models.BigIntegerField(default=0)
    money_pledges = models.BigIntegerField(default=0)
    eur_pledges = models.BigIntegerField(default=0)
    eur = models.DecimalField(max_digits=30, decimal_places=2, default=0)
    money_pledges_without_eur = models.BigIntegerField(default=0)
    pending_on_ceasefire = models.BigIntegerField(default=0)
    troop_pledges_joint = models.BigIntegerField(default=0, help_text=_("Party rows only: joint troop pledges."))
    eur_pledges_joint = models.BigIntegerField(default=0, help_text=_("Party rows only: joint euro pledges."))

    class Meta:
        verbose_name = _("pledge summary")
        verbose_name_plural = _("pledge summaries")
        constraints = [
            # the triggers' upsert target: INSERT … ON CONFLICT (party, status, category) DO UPDATE
            models.UniqueConstraint(fields=["party", "status", "category"], name="pledge_summary_cell"),
        ]

    def __str__(self):
        return f"{self.party}/{self.status}: {self.pledges}"


# The stored columns, in order (the triggers' SQL and the readers name them alike).
SUMMARY_COLUMNS = [
    f.name for f in PledgeSummary._meta.concrete_fields if f.name not in ("id", "party", "status", "category")
]
