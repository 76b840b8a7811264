"""Check constraints evaluated on an instance in memory.

Django's `CheckConstraint.validate` asks the database (`SELECT 1 WHERE <condition>`), one query
per constraint, even when every value is already on the instance. For the simple conditions our
constraints use (comparisons of a row's own fields with constants or with each other, `isnull`,
`&`, `|`, `~`), Python gives the same answer, with SQL's three-valued logic: a comparison with
NULL is unknown, and a constraint passes unless its condition is false (as in `Q.check`, which
wraps it in `COALESCE(…, true)`). Anything else (a transform, a related field, an expression, a
value Python cannot compare) is left to `CheckConstraint.validate`, so the answer and the message
are the same either way."""

import operator

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import router
from django.db.models import CheckConstraint, F, Q, Value

COMPARISONS = {"exact": operator.eq, "gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}


class Unsupported(Exception):
    """A condition this module does not evaluate: the database does."""


class Excluded(Exception):
    """The condition reads a field left out of validation: the constraint is not checked (as
    Django does, by the FieldError its `validate` ignores)."""


def validate_constraints(instance, exclude=None) -> None:
    """`Model.validate_constraints`, with check constraints evaluated in memory where they can be."""
    exclude = set(exclude or ())
    using = router.db_for_write(type(instance), instance=instance)
    errors: dict = {}
    for model_class, constraints in instance.get_constraints():
        for constraint in constraints:
            try:
                if isinstance(constraint, CheckConstraint) and isinstance(constraint.condition, Q):
                    try:
                        holds = evaluate(constraint.condition, instance, exclude) is not False
                    except Excluded:
                        continue
                    except Unsupported:
                        constraint.validate(model_class, instance, exclude=exclude, using=using)
                        continue
                    if not holds:
                        raise ValidationError(
                            constraint.get_violation_error_message(), code=constraint.violation_error_code
                        )
                else:
                    constraint.validate(model_class, instance, exclude=exclude, using=using)
            except ValidationError as exc:
                # As Model.validate_constraints files them.
                if getattr(exc, "code", None) == "unique" and len(getattr(constraint, "fields", ())) == 1:
                    errors.setdefault(constraint.fields[0], []).append(exc)
                else:
                    errors = exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def evaluate(condition: Q, instance, exclude=frozenset()) -> bool | None:
    """True, False or None (unknown, as SQL's NULL) for `condition` on `instance`'s values."""
    results = []
    for child in condition.children:
        if isinstance(child, Q):
            results.append(evaluate(child, instance, exclude))
        elif not isinstance(child, tuple):
            raise Unsupported(child)  # an expression (Exists, a lookup object…)
        else:
            key, right = child
            name, _, lookup = key.partition("__")
            results.append(_compare(_field_value(instance, name, exclude), lookup or "exact", right, instance, exclude))
    if condition.connector == Q.AND:
        result = False if False in results else (None if None in results else True)
    else:
        result = True if True in results else (None if None in results else False)
    if condition.negated and result is not None:
        result = not result
    return result


def _compare(left, lookup: str, right, instance, exclude) -> bool | None:
    if lookup == "isnull":
        if not isinstance(right, bool):
            raise Unsupported(lookup)
        return (left is None) == right
    if lookup not in COMPARISONS:
        raise Unsupported(lookup)  # a transform or another lookup
    if isinstance(right, F):
        right = _field_value(instance, right.name, exclude)
    elif isinstance(right, Value):
        right = right.value
    elif hasattr(right, "resolve_expression"):
        raise Unsupported(right)
    if right is None and lookup == "exact":
        return left is None  # Django turns `= None` into IS NULL
    if left is None or right is None:
        return None
    try:
        return bool(COMPARISONS[lookup](left, right))
    except TypeError:
        raise Unsupported(lookup) from None  # e.g. a raw value not cleaned: the database compares


def _field_value(instance, name: str, exclude):
    opts = instance._meta
    try:
        field = opts.pk if name == "pk" else opts.get_field(name)
    except FieldDoesNotExist:
        raise Unsupported(name) from None
    if field.is_relation or not field.concrete:
        raise Unsupported(name)
    if field.name in exclude or field.attname in exclude:
        raise Excluded(name)
    return getattr(instance, field.attname)
