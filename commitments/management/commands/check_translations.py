"""`manage.py check_translations`: fails (and names the msgids) when a translation catalogue in
locale/ is behind the code (docs/i18n.md), so CI stops on a message nobody translated:

1. every message the code marks is in the committed .po: makemessages runs on a temporary copy
   of the project and its catalogue is compared with the committed one;
2. every entry of the committed .po is translated (each plural form) and none is fuzzy; the
   placeholders match the msgid's (and msgfmt --check-format agrees);
3. the committed .mo is what compilemessages makes of the .po (the same messages).

Needs GNU gettext (xgettext, msgfmt): Debian's `gettext` package."""
# ruff: noqa: S603, S607 — the commands run are fixed here (this Python, gettext's msgfmt), never input.

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# What the temporary copy leaves out: not project sources, or big and irrelevant to messages.
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", "venv", "node_modules", "staticfiles", "test-artifacts", "__pycache__", "*.sqlite3", "locale"
)


def entry_key(entry) -> tuple:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def describe(key: tuple) -> str:
    context, msgid, _plural = key
    return f"{msgid!r}" + (f" (context {context!r})" if context else "")


def extracted_messages(base_dir: Path, language: str) -> set[tuple]:
    """The messages makemessages finds in the code now, from a copy of the project (the committed
    catalogue is left alone)."""
    if shutil.which("xgettext") is None:
        raise CommandError("xgettext is missing: install GNU gettext (Debian: apt-get install gettext).")
    with tempfile.TemporaryDirectory(prefix="check-translations-") as temporary:
        copy = Path(temporary) / "project"
        shutil.copytree(base_dir, copy, ignore=NOT_COPIED, symlinks=True)
        (copy / "locale").mkdir()
        env = {**os.environ, "DEBUG": "true"}
        command = [sys.executable, "manage.py", "makemessages", "-l", language, "--no-location", "--no-obsolete"]
        done = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise CommandError(f"makemessages failed:\n{done.stdout}{done.stderr}")
        extracted = polib.pofile(str(copy / "locale" / language / "LC_MESSAGES" / "django.po"))
        return {entry_key(entry) for entry in extracted if not entry.obsolete}


PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def placeholders_match(entry) -> bool:
    """Every translation names the msgid's placeholders (%(name)s), no more, no fewer."""
    wanted = set(PLACEHOLDER.findall(entry.msgid)) | set(PLACEHOLDER.findall(entry.msgid_plural or ""))
    translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
    return all(set(PLACEHOLDER.findall(text)) == wanted for text in translations)


def catalogue_problems(po: polib.POFile, po_path: Path) -> list[str]:
    """Untranslated, fuzzy and badly formatted entries of one catalogue."""
    problems = []
    if po.metadata_is_fuzzy:
        problems.append("the header is marked fuzzy (msgfmt would leave out its charset and plural forms)")
    plurals = po.metadata.get("Plural-Forms", "")
    forms = int(plurals.split("nplurals=")[1].split(";")[0]) if "nplurals=" in plurals else None
    for entry in po:
        if entry.obsolete:
            continue
        key = entry_key(entry)
        if entry.fuzzy:
            problems.append(f"fuzzy: {describe(key)}")
        elif not entry.translated():
            problems.append(f"untranslated: {describe(key)}")
        elif entry.msgid_plural and forms is not None and len(entry.msgstr_plural) != forms:
            problems.append(f"{len(entry.msgstr_plural)} plural forms instead of {forms}: {describe(key)}")
        elif "python-format" in entry.flags and not placeholders_match(entry):
            problems.append(f"placeholders differ from the msgid's: {describe(key)}")
    checked = subprocess.run(
        ["msgfmt", "--check-format", "-o", os.devnull, str(po_path)], capture_output=True, text=True
    )
    if checked.returncode != 0:
        problems.append(f"msgfmt --check-format: {checked.stderr.strip()}")
    return problems


def compiled_problems(po: polib.POFile, mo_path: Path) -> list[str]:
    """Where the committed .mo differs from the .po it should be compiled from."""
    if not mo_path.exists():
        return [f"{mo_path} is missing: run `make messages` (compilemessages)"]
    mo = polib.mofile(str(mo_path))

    def messages(catalogue, translated_only: bool) -> dict:
        found = {}
        for entry in catalogue:
            if entry.msgid == "" or (translated_only and (entry.fuzzy or not entry.translated())):
                continue
            found[entry_key(entry)] = (entry.msgstr, tuple(sorted(entry.msgstr_plural.items())))
        return found

    wanted, held = messages(po, True), messages(mo, False)
    stale = sorted(key for key in wanted.keys() | held.keys() if wanted.get(key) != held.get(key))
    return [f"{mo_path.name} is not compiled from the .po (run `make messages`): {describe(key)}" for key in stale]


class Command(BaseCommand):
    help = (
        "Fail when a translation catalogue misses a message of the code, has an untranslated or fuzzy entry, "
        "or its .mo is stale."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--locale-dir",
            default=None,
            help="The directory holding <language>/LC_MESSAGES/django.po and .mo (default: the first LOCALE_PATHS).",
        )
        parser.add_argument(
            "--skip-extract",
            action="store_true",
            help="Leave out the makemessages comparison (checks the catalogue and the .mo only).",
        )

    def handle(self, *args, locale_dir=None, skip_extract=False, **options):
        base_dir = Path(settings.BASE_DIR)
        locale_dir = Path(locale_dir or settings.LOCALE_PATHS[0])
        languages = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
        problems = []
        for language in languages:
            po_path = locale_dir / language / "LC_MESSAGES" / "django.po"
            if not po_path.exists():
                problems.append(f"{language}: {po_path} is missing: run `make messages`")
                continue
            po = polib.pofile(str(po_path))
            found = [] if skip_extract else self._missing(base_dir, language, po)
            found += catalogue_problems(po, po_path)
            found += compiled_problems(po, po_path.with_suffix(".mo"))
            problems += [f"{language}: {problem}" for problem in found]
            if not found:
                self.stdout.write(f"{language}: {len(po)} messages, all translated and compiled.")
        if problems:
            raise CommandError(
                f"{len(problems)} translation problem(s) (docs/i18n.md says how to fix them):\n" + "\n".join(problems)
            )

    def _missing(self, base_dir: Path, language: str, po: polib.POFile) -> list[str]:
        committed = {entry_key(entry) for entry in po if not entry.obsolete}
        used = extracted_messages(base_dir, language)
        missing = [f"not in the catalogue (run `make messages`): {describe(key)}" for key in sorted(used - committed)]
        unused = used and sorted(committed - used)
        for key in unused or ():
            self.stderr.write(f"{language}: in the catalogue but no longer in the code: {describe(key)}")
        return missing
