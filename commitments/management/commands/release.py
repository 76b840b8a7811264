"""Make a numbered release of the register: `manage.py release --title "Q1 2026" --notes "…"`.
Prints its number, sizes and hashes, and how long it took (docs/releases.md)."""

import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from commitments.releases import make_release


class Command(BaseCommand):
    help = "Freeze the register as it stands into the next numbered release (immutable once made)."

    def add_arguments(self, parser):
        parser.add_argument("--title", required=True, help="What the release is, in one line ('Q1 2026').")
        parser.add_argument("--notes", default="", help="Release notes: what changed and why.")
        parser.add_argument("--notes-file", help="Read the release notes from this file (UTF-8) instead.")
        parser.add_argument("-o", "--output", help="Also write the release's data package (zip) to this file.")

    def handle(self, *args, title, notes, notes_file=None, output=None, **options):
        if notes_file:
            try:
                with open(notes_file, encoding="utf-8") as f:
                    notes = f.read()
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"Cannot read the notes file {notes_file}: {exc}") from None
        started = time.monotonic()
        try:
            release = make_release(title, notes)
        except ValidationError as exc:
            raise CommandError(
                " ".join(message for messages in exc.message_dict.values() for message in messages)
            ) from None
        seconds = time.monotonic() - started
        if output:
            with open(output, "wb") as f:
                f.write(bytes(release.package))
        self.stdout.write(
            f"Release {release.number} made in {seconds:.1f} s: {release.title}\n"
            f"  package  {release.package_bytes:>12,} bytes  sha256 {release.package_sha256}\n"
            f"  snapshot {release.snapshot_bytes:>12,} bytes  sha256 {release.snapshot_sha256}\n"
            f"  rows: {sum(release.counts.values()):,} ({release.counts.get('pledges', 0):,} pledges)"
        )
