"""What an import found and plans: row errors, one plan per row, the report shown to the analyst."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .. import models


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self):
        if self.column:
            return _("row %(row)s, column %(column)s: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        return _("row %(row)s: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class RowPlan:
    """What one row will do: create, update or nothing; the fields it changes (old, new); the
    status change it asks for."""

    row: int
    slug: str
    action: str  # "create", "update" or "unchanged"
    changes: dict = field(default_factory=dict)
    instance: models.Pledge | None = None
    pledgers: list | None = None
    part_of_slug: str = ""
    status_change: dict | None = None
    expected_version: int | None = None

    @property
    def action_label(self) -> str:
        """The action in the reader's language ("create" and "update" are machine values)."""
        labels = {"create": _("create"), "update": _("update"), "unchanged": _("unchanged")}
        return labels.get(self.action, self.action)


@dataclass
class ImportReport:
    errors: list[RowError] = field(default_factory=list)
    plans: list[RowPlan] = field(default_factory=list)
    applied: bool = False
    # With review on: the pending revisions the rows became (nothing published until approved).
    queued: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, action: str) -> int:
        return sum(1 for p in self.plans if p.action == action)

    @property
    def status_changes(self) -> int:
        return sum(1 for p in self.plans if p.status_change)

    def summary(self) -> str:
        if self.errors:
            return _("%(count)d error(s); nothing was written.") % {"count": len(self.errors)}
        if self.queued:
            template = _(
                "Saved for review %(rows)d row(s): %(new)d new, %(changed)d changed, %(unchanged)d unchanged; "
                "%(status)d status change(s)."
            )
        elif self.applied:
            template = _(
                "Imported %(rows)d row(s): %(new)d new, %(changed)d changed, %(unchanged)d unchanged; "
                "%(status)d status change(s)."
            )
        else:
            template = _(
                "Would import %(rows)d row(s): %(new)d new, %(changed)d changed, %(unchanged)d unchanged; "
                "%(status)d status change(s)."
            )
        text = template % {
            "rows": len(self.plans),
            "new": self.count("create"),
            "changed": self.count("update"),
            "unchanged": self.count("unchanged"),
            "status": self.status_changes,
        }
        if self.queued:
            numbers = ", ".join(f"#{revision.pk}" for revision in self.queued)
            text += " " + _(
                "Rows queued for review as revision(s) %(numbers)s: nothing is published until a reviewer "
                "approves them."
            ) % {"numbers": numbers}
        return text

    def lines(self) -> list[str]:
        """The report as text: errors, or one line per new or changed pledge."""
        if self.errors:
            return [str(e) for e in self.errors]
        out = []
        for plan in self.plans:
            if plan.action == "unchanged":
                continue
            parts = [f"{name}: {_show(old)} → {_show(new)}" for name, (old, new) in plan.changes.items()]
            out.append(f"row {plan.row} {plan.action} {plan.slug}" + (f" ({'; '.join(parts)})" if parts else ""))
        return out


def _show(value) -> str:
    if value is None or value == "":
        return "(blank)"
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"
