"""Record content in the reader's language: a record's Ukrainian version of a field (`title_uk`,
`summary_uk`, … — empty while nobody has translated it) on a Ukrainian page, its English otherwise.

`{{ pledge|in_language:"title" }}` writes the text; on a Ukrainian page whose record has no
Ukrainian version it writes the English inside `<span lang="en">`, so a screen reader reads it as
English. `{% content_text pledge "title" as title %}` gives the plain text (for attributes and the
page title)."""

from collections.abc import Mapping

from django import template
from django.utils import translation
from django.utils.html import format_html

register = template.Library()

# The fields with a Ukrainian version (`<field>_uk`, docs/i18n.md).
TRANSLATED_FIELDS = {
    "Pledge": ("title", "description"),
    "Instrument": ("name", "summary"),
    "Summit": ("title", "summary"),
    "Declaration": ("title", "summary"),
    "State": ("name",),
}


def reader_language() -> str:
    """The active language's base code: 'uk' or 'en'."""
    return (translation.get_language() or "en").split("-")[0]


def localised(obj, field: str) -> tuple[str, bool]:
    """(text, fell_back): the record's version of `field` in the active language, else its English
    (fell_back True when the page is not English and the English was used). `obj` is a model
    instance or a row of values (a dict)."""
    read = obj.get if isinstance(obj, Mapping) else lambda name, default: getattr(obj, name, default)
    english = read(field, "") if obj is not None else ""
    english = "" if english is None else english
    language = reader_language()
    if language == "en" or obj is None:
        return english, False
    translated = read(f"{field}_{language}", "") or ""
    if translated.strip():
        return translated, False
    return english, bool(english)


@register.filter
def in_language(obj, field: str):
    """The field in the reader's language, the English marked `lang="en"` where it stands in."""
    text, fell_back = localised(obj, field)
    if fell_back:
        return format_html('<span lang="en">{}</span>', text)
    return text


@register.simple_tag
def content_text(obj, field: str) -> str:
    """The field in the reader's language as plain text (no markup): for titles and attributes."""
    return localised(obj, field)[0]


@register.simple_tag(takes_context=True)
def path_without_lang(context) -> str:
    """This page's address without `?lang=`: where the language switcher returns to, so that the
    language chosen there is not overruled by the parameter of the page it came from."""
    request = context.get("request")
    if request is None:
        return "/"
    query = request.GET.copy()
    query.pop("lang", None)
    return f"{request.path}?{query.urlencode()}" if query else request.path
