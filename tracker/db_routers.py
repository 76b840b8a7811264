"""Reads from the read replica (DATABASE_REPLICA_URL), where it cannot show a client less than it
has just written; everything else on the primary.

The replica is a physical standby of the primary, behind it by its replication lag. A request may
read it only when `tracker.middleware.ReplicaPinningMiddleware` has said so (the `READS` context
variable): a GET or HEAD of the public pages or the read-only API from a client that has not
written within DATABASE_REPLICA_LAG_SECONDS. Even then a read goes to the primary

- once the request has written to the register (later reads must see the write),
- inside a transaction on the primary (what it reads must be of the same snapshot as its writes
  and locks),
- for the models outside the register (users, sessions, tokens, login attempts, the task queue):
  a revoked token or a changed password must hold at once, not a lag later.

Writes always go to the primary; migrations run only there (the standby copies them). Release
reads (`?release=N`) are decided by `commitments.releases.routing.ReleaseRouter`, listed first."""

import contextlib
import contextvars
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
# The register's own models are read from the replica; these of its app are not.
PRIMARY_ONLY_MODELS = frozenset({"commitments.ApiToken"})
REPLICA_APPS = frozenset({"commitments"})


@dataclass
class Reads:
    """This request's reading state: whether it may read the replica, whether it has written."""

    replica: bool = False
    wrote: bool = False


# None outside a request that the middleware let read the replica (commands, the worker, tests).
READS: contextvars.ContextVar[Reads | None] = contextvars.ContextVar("replica_reads", default=None)


@contextlib.contextmanager
def reading_replica(allowed: bool = True):
    """Inside the block, reads may go to the replica (the middleware's decision for a request)."""
    token = READS.set(Reads(replica=allowed))
    try:
        yield READS.get()
    finally:
        READS.reset(token)


def replicated(model) -> bool:
    """Whether reads of `model` may be served by the replica at all."""
    return model._meta.app_label in REPLICA_APPS and model._meta.label not in PRIMARY_ONLY_MODELS


def may_read_replica(model) -> bool:
    state = READS.get()
    if state is None or not state.replica or state.wrote or not replicated(model):
        return False
    # A transaction on the primary reads its own snapshot: never half from elsewhere.
    return not connections[DEFAULT_DB_ALIAS].in_atomic_block


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if may_read_replica(model):
            return REPLICA
        instance = hints.get("instance")
        if instance is not None and instance._state.db == REPLICA:
            return DEFAULT_DB_ALIAS  # a related object of a record read from the replica
        return None

    def db_for_write(self, model, **hints):
        state = READS.get()
        if state is not None and replicated(model):
            # The register changed: this request reads it back from the primary. (A token's
            # last-used time or a session is not the register, and is never read from the replica.)
            state.wrote = True
        instance = hints.get("instance")
        if instance is not None and instance._state.db == REPLICA:
            return DEFAULT_DB_ALIAS  # a record read from the replica is saved to the primary
        return None

    def allow_relation(self, obj1, obj2, **hints):
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}:
            return True  # the same database, one of them a copy
        return None

    def allow_migrate(self, db, app_label, **hints):
        return False if db == REPLICA else None
