"""The analysts' admin. Importing the modules registers every commitments model."""

from . import pledges, records  # noqa: F401
