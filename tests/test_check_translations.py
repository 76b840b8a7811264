"""`manage.py check_translations` (make check-translations, CI): the committed Ukrainian
catalogue passes, and a copy broken on purpose fails with the offending message named: an
untranslated entry, a fuzzy one, a message of the code missing, a plural form missing, a
placeholder dropped, a .mo not compiled from its .po."""

import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

GETTEXT = shutil.which("msgfmt") and shutil.which("xgettext")
pytestmark = pytest.mark.skipif(not GETTEXT, reason="GNU gettext is not installed (Debian: apt-get install gettext)")

LOCALE = Path(settings.LOCALE_PATHS[0])


@pytest.fixture
def catalogue(tmp_path) -> Path:
    """A copy of the committed locale directory; returns its uk .po."""
    shutil.copytree(LOCALE, tmp_path / "locale")
    return tmp_path / "locale" / "uk" / "LC_MESSAGES" / "django.po"


def compile_mo(po_path: Path) -> None:
    polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))


def entry(po, msgid: str, context: str | None = None):
    found = po.find(msgid, msgctxt=context) if context else po.find(msgid)
    assert found is not None, msgid
    return found


def failure(po_path: Path, *, extract: bool = False) -> str:
    with pytest.raises(CommandError) as raised:
        call_command("check_translations", locale_dir=str(po_path.parents[2]), skip_extract=not extract)
    return str(raised.value)


def test_the_committed_catalogue_passes_every_check(capsys):
    call_command("check_translations")
    out = capsys.readouterr().out
    assert out.startswith("uk: ") and "all translated and compiled" in out


def test_a_message_of_the_code_missing_from_the_catalogue_fails_with_its_msgid(catalogue):
    po = polib.pofile(str(catalogue))
    po.remove(entry(po, "Recent changes"))
    po.save()
    compile_mo(catalogue)
    message = failure(catalogue, extract=True)
    assert "not in the catalogue (run `make messages`): 'Recent changes'" in message
    assert "'Overview'" not in message  # only what is wrong is named


def test_an_untranslated_entry_fails_with_its_msgid(catalogue):
    po = polib.pofile(str(catalogue))
    entry(po, "Overview").msgstr = ""
    po.save()
    compile_mo(catalogue)
    assert "uk: untranslated: 'Overview'" in failure(catalogue)


def test_a_fuzzy_entry_fails_with_its_msgid(catalogue):
    po = polib.pofile(str(catalogue))
    entry(po, "Data package (ZIP)").flags.append("fuzzy")
    po.save()
    message = failure(catalogue)
    assert "uk: fuzzy: 'Data package (ZIP)'" in message


def test_a_fuzzy_header_fails(catalogue):
    po = polib.pofile(str(catalogue))
    po.metadata_is_fuzzy = True
    po.save()
    assert "the header is marked fuzzy" in failure(catalogue)


def test_a_missing_plural_form_fails_with_its_msgid(catalogue):
    po = polib.pofile(str(catalogue))
    plural = entry(po, "%(counter)s source")
    plural.msgstr_plural = {0: plural.msgstr_plural[0], 1: plural.msgstr_plural[1], 2: ""}
    po.save()
    compile_mo(catalogue)
    assert "untranslated: '%(counter)s source'" in failure(catalogue)


def test_a_dropped_placeholder_fails(catalogue):
    po = polib.pofile(str(catalogue))
    entry(po, "Required: %(title)s").msgstr = "Потрібно"
    po.save()
    compile_mo(catalogue)
    message = failure(catalogue)
    assert "uk: placeholders differ from the msgid's: 'Required: %(title)s'" in message
    assert "msgfmt --check-format" in message


def test_a_mo_not_compiled_from_its_po_fails_with_the_msgid(catalogue):
    po = polib.pofile(str(catalogue))
    entry(po, "Overview").msgstr = "Загальний огляд"
    po.save()  # the .mo still says "Огляд"
    message = failure(catalogue)
    assert "django.mo is not compiled from the .po (run `make messages`): 'Overview'" in message


def test_a_missing_catalogue_fails(tmp_path):
    (tmp_path / "uk" / "LC_MESSAGES").mkdir(parents=True)
    with pytest.raises(CommandError, match="django.po is missing"):
        call_command("check_translations", locale_dir=str(tmp_path), skip_extract=True)
