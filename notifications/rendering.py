"""Rendering emails from template files with `string.Template`.

Templates are files under `templates/` so that the wording can be reviewed and changed without
touching code. Each email `name` has three files: `name.subject.txt`, `name.txt` (plain text)
and `name.html` (the HTML part's content, wrapped by `layout.html`). Small reusable pieces (a
flagged document line, an optional note) are `templates/part.<name>.txt` and `.html`, kept
in the same folder so that the package data glob `templates/*` ships them all.

Values are plain strings. In the HTML part every value is escaped, and its line breaks become
`<br>`, so a reviewer's observation can never inject markup; only fragments this module
rendered itself (`Fragment.html`) are inserted as they are.
"""

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from string import Template

_TEMPLATES = resources.files("notifications") / "templates"


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Fragment:
    """A piece rendered in both parts: plain text and already escaped HTML."""

    text: str
    html: str


@lru_cache(maxsize=128)
def load_template(file_name: str) -> Template:
    """The template file `templates/<file_name>`, read as UTF-8 once per process."""
    resource = _TEMPLATES.joinpath(file_name)
    return Template(resource.read_text(encoding="utf-8"))


def escape_html(value: str) -> str:
    """Escape a value for HTML text or attributes and keep its line breaks visible."""
    return html.escape(value, quote=True).replace("\r\n", "\n").replace("\n", "<br>\n")


def _escaped(values: Mapping[str, str]) -> dict[str, str]:
    return {key: escape_html(value) for key, value in values.items()}


def _single_line(value: str) -> str:
    """A subject is one header line: collapse any whitespace run, line breaks included."""
    return " ".join(value.split())


def render_fragment(name: str, values: Mapping[str, str]) -> Fragment:
    """`templates/part.<name>.txt` and `.html` with `values` (escaped in the HTML)."""
    text = load_template(f"part.{name}.txt").substitute(values)
    markup = load_template(f"part.{name}.html").substitute(_escaped(values))
    return Fragment(text=text.rstrip("\n"), html=markup.rstrip("\n"))


def join_fragments(fragments: Iterable[Fragment], *, html_separator: str = "\n") -> Fragment:
    items = list(fragments)
    return Fragment(
        text="\n".join(item.text for item in items),
        html=html_separator.join(item.html for item in items),
    )


def render_email(
    name: str,
    values: Mapping[str, str],
    fragments: Mapping[str, Fragment] | None = None,
) -> RenderedEmail:
    """Render the subject, text and HTML of email `name`.

    `values` are plain strings (escaped in HTML); `fragments` are inserted as they are, their
    text in the text part and their HTML in the HTML part. A missing placeholder raises
    `KeyError`, so a template and its caller cannot drift apart silently.
    """
    pieces = dict(fragments or {})
    subject = _single_line(load_template(f"{name}.subject.txt").substitute(values))
    text_values = {**values, **{key: piece.text for key, piece in pieces.items()}}
    html_values = {**_escaped(values), **{key: piece.html for key, piece in pieces.items()}}
    text_body = load_template(f"{name}.txt").substitute(text_values)
    html_content = load_template(f"{name}.html").substitute(html_values)
    layout_values = {**_escaped(values), "subject": escape_html(subject), "content": html_content}
    html_body = load_template("layout.html").substitute(layout_values)
    text_footer = load_template("footer.txt").substitute(values)
    return RenderedEmail(
        subject=subject,
        text=f"{text_body.rstrip()}\n\n{text_footer.rstrip()}\n",
        html=html_body,
    )
