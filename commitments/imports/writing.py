"""Writing a valid plan: one transaction, every change audited, status through Pledge.change_status."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import models, review, services
from .report import ImportReport, RowError, RowPlan


class _Abort(Exception):
    """Raised inside the write transaction to roll it back with row errors."""

    def __init__(self, errors):
        self.errors = errors


# --------------------------------------------------------------------------------------------
# Writing


def apply_import(report: ImportReport, *, user=None, reason: str = "CSV import") -> ImportReport:
    """Write a valid plan in one transaction, every change audited. If anything fails (a pledge
    changed since validation, a status change refused), nothing is written and the report says why."""
    if not report.ok:
        return report
    try:
        with transaction.atomic():
            queued = _write(report.plans, user, reason)
    except _Abort as abort:
        report.errors.extend(abort.errors)
        return report
    report.applied = True
    report.queued = queued
    return report


def _write(plans: list[RowPlan], user, reason: str) -> list:
    """Write the plans; with review required for `user`, keep each row's edit as a pending revision
    instead (returned: the revisions, in row order)."""
    to_write = [p for p in plans if p.action != "unchanged"]
    # Lock the rows to update and check no one changed them since they were validated.
    updated = {p.slug: p for p in to_write if p.action == "update"}
    locked = dict(
        models.Pledge.objects.select_for_update().filter(slug__in=list(updated)).values_list("slug", "version")
    )
    conflicts = [
        RowError(p.row, "version", _("The pledge changed while the file was being imported; import it again."))
        for slug, p in updated.items()
        if locked.get(slug) != p.expected_version
    ]
    if conflicts:
        raise _Abort(conflicts)
    reviewing = review.required(user)
    if reviewing:
        # A share and the pledge it is part of cannot be one file's rows: the share would name a
        # pledge that does not exist until a reviewer approves it.
        making = {p.slug for p in to_write if p.action == "create"}
        shares = [
            RowError(p.row, "part_of", _("With review on, import a share once the pledge it is part of is approved."))
            for p in to_write
            if p.part_of_slug in making
        ]
        if shares:
            raise _Abort(shares)
    queued = []
    created: dict[str, models.Pledge] = {}
    states = {s.code: s for s in models.State.objects.all()}
    for plan in to_write:
        pledge = plan.instance
        if plan.part_of_slug and not reviewing:
            pledge.part_of = created[plan.part_of_slug]
        pledgers_changed = plan.pledgers is not None and (plan.action == "create" or "pledger_codes" in plan.changes)
        if pledge._state.adding or set(plan.changes) - {"status"}:
            # Validated when the file was planned; one audit record for the row and its pledgers.
            result = services.save_pledge(
                pledge,
                pledgers=[states[code] for code in plan.pledgers] if pledgers_changed else None,
                user=user,
                reason=reason,
                validate=False,
            )
            if isinstance(result, models.Revision):
                queued.append(result)
                if plan.action == "create" and plan.status_change:
                    # A new pledge's first status change goes with it: approved together.
                    result.payload["status_change"] = review.plain(
                        {**plan.status_change, "source": plan.status_change["source"].pk, "attribution": ""}
                    )
                    result.save(update_fields=["payload"])
                    continue
        if plan.action == "create":
            created[plan.slug] = pledge
        change = plan.status_change
        if change:
            try:
                result = pledge.change_status(
                    change["status"],
                    effective_date=change["effective_date"],
                    precision=change["precision"],
                    source=change["source"],
                    note=change["note"],
                    quote=change["quote"],
                    user=user,
                    reason=reason,
                )
            except ValidationError as exc:
                raise _Abort([RowError(plan.row, "status", m) for m in exc.messages]) from None
            if isinstance(result, models.Revision):
                queued.append(result)
    return queued
