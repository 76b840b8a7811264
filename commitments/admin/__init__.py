"""The analysts' admin. Importing the modules registers every commitments model."""

from . import instruments, people, pledges, records, releases, review, webhooks  # noqa: F401
