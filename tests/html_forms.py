"""What a browser would submit from a page's form, for the admin tests: `form_data(response,
form_id, **changes)` reads the form as rendered and applies the test's changes."""

from html.parser import HTMLParser


class _FormParser(HTMLParser):
    """Collects what a browser would submit from the first form with the given id."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.fields = form_id, False, []
        self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (self.form_id is None or attrs.get("id") == self.form_id):
            self.inside = True
        if not self.inside or ("name" not in attrs and tag in ("input", "select", "textarea")):
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "image", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append((attrs["name"], attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select":
            self.select = attrs["name"]
        elif tag == "option" and self.select and "selected" in attrs:
            self.fields.append((self.select, attrs.get("value", "")))
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.fields.append((self.textarea, ""))

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, text):
        if self.textarea:
            name, value = self.fields[-1]
            # Browsers drop the newline that follows <textarea>.
            self.fields[-1] = (name, value + (text[1:] if not value and text.startswith("\n") else text))


def form_data(response, form_id=None, **changes) -> dict:
    """The POST data of the page's form as shown, with `changes` applied (lists for multiple values)."""
    parser = _FormParser(form_id)
    parser.feed(response.content.decode())
    data = {}
    for name, value in parser.fields:
        data.setdefault(name, []).append(value)
    data.update({name: value if isinstance(value, list) else [value] for name, value in changes.items()})
    return data
