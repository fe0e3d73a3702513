"""Small fixes to the HTML that Jupyter Book 1 emits, so that every page loads without a
console error (the browser check in tests/browser asserts that).

- sphinx-thebe registers its inline configuration script twice; the second copy redeclares
  a ``const`` and throws. Scripts are deduplicated per page.
- pydata-sphinx-theme 0.17 reads the colour mode from ``<html data-mode>``, which the
  sphinx-book-theme layout does not set, and logs an error before falling back to "auto".
  A one-line inline script sets the mode the theme would have chosen anyway.

Accessibility (WCAG 2.1 AA as checked by axe-core in tests/browser):

- docutils writes a bibliography as ``<div role="list">`` holding ``<div
  role="doc-biblioentry">`` entries: a list without list items (axe's critical
  ``aria-required-children``) and a role that DPUB-ARIA 1.1 deprecates. The HTML translator
  writes each entry as ``role="listitem"`` instead.
- A figure in a notebook's output gets the ``alt`` that its output metadata carries (what the
  figure shows, written by ``lecturelib.plotting``'s PNG formatter) as its alternative text;
  myst-nb reads only ``width`` and ``height`` there, so docutils would use the file name.
- Two theme components get the course's copies from ``_ext/templates`` (their names must
  match what they show, see the templates), and ``_ext/static/course.css`` fixes the contrast
  of links on the tinted theorem and exercise boxes.

The widget manager's own fixes live in ``_ext/widgets-setup.js`` (loaded between require.js
and the manager, see ``nb_ipywidgets_js`` in ``_config.yml``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import types
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config

HERE = Path(__file__).resolve().parent

MODE_SCRIPT = (
    "document.documentElement.dataset.mode = "
    "localStorage.getItem('mode') || document.documentElement.dataset.mode || 'auto';"
)


def _dedupe_scripts(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
    unique = []
    for script in scripts:
        # The same inline script is registered once with filename None and once with "".
        attributes = getattr(script, "attributes", {}) or {}
        filename = str(getattr(script, "filename", script) or "")
        key = (filename, tuple(sorted((k, str(v)) for k, v in attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


class CitationListItems:
    """Translator mixin: a citation is an item of the ``role="list"`` that docutils opens."""

    def visit_citation(self, node: nodes.citation) -> None:
        if not isinstance(node.previous_sibling(), type(node)):
            self.body.append('<div role="list" class="citation-list">\n')
        self.body.append(self.starttag(node, "div", classes=[node.tagname], role="listitem"))


def _use_citation_list_items(app: Sphinx) -> None:
    # Runs before pydata-sphinx-theme's own builder-inited hook (priority 500), which then
    # mixes its Bootstrap translator over this one.
    if app.builder.format != "html":
        return
    base = app.registry.translators.get(app.builder.name) or getattr(app.builder, "default_translator_class", None)
    if base is None:
        return
    translator = types.new_class("CourseHTMLTranslator", (CitationListItems, base), {})
    app.set_translator(app.builder.name, translator, override=True)


IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif")


def _output_alt_texts(notebook: Path) -> dict[str, str]:
    """sha256 of each image output's bytes (the file name myst-nb gives it) -> its ``alt`` metadata."""
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return {}
    found: dict[str, str] = {}
    for cell in cells:
        for output in cell.get("outputs", []):
            for mime in IMAGE_TYPES:
                alt = output.get("metadata", {}).get(mime, {}).get("alt")
                data = output.get("data", {}).get(mime)
                if not alt or not data:
                    continue
                try:
                    raw = base64.b64decode("".join(data) if isinstance(data, list) else data)
                except (binascii.Error, ValueError):
                    continue
                found[hashlib.sha256(raw).hexdigest()] = str(alt)
    return found


def _alt_from_output_metadata(app: Sphinx, doctree: nodes.document) -> None:
    source = Path(app.env.doc2path(app.env.docname))
    if source.suffix != ".ipynb":
        return
    alts = _output_alt_texts(source)
    if not alts:
        return
    for image in doctree.findall(nodes.image):
        alt = alts.get(Path(str(image.get("uri", ""))).stem)
        if alt and not image.get("alt"):
            image["alt"] = alt


def _add_course_paths(app: Sphinx, config: Config) -> None:
    # First in templates_path, so the course's components win over the theme's.
    config.templates_path.insert(0, str(HERE / "templates"))
    config.html_static_path.append(str(HERE / "static"))


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_js_file(None, body=MODE_SCRIPT, priority=1)
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    app.connect("config-inited", _add_course_paths)
    app.connect("builder-inited", _use_citation_list_items, priority=100)
    app.connect("doctree-read", _alt_from_output_metadata)
    app.add_css_file("course.css", priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
