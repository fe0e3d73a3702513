"""Small fixes to the HTML that Jupyter Book 1 emits, so that every page loads without a
console error (the browser check in tests/browser asserts that).

- sphinx-thebe registers its inline configuration script twice; the second copy redeclares
  a ``const`` and throws. Scripts are deduplicated per page.
- pydata-sphinx-theme 0.17 reads the colour mode from ``<html data-mode>``, which the
  sphinx-book-theme layout does not set, and logs an error before falling back to "auto".
  A one-line inline script sets the mode the theme would have chosen anyway.

The widget manager's own fix lives in ``_ext/widgets-setup.js`` (loaded between require.js
and the manager, see ``nb_ipywidgets_js`` in ``_config.yml``).
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

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


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_js_file(None, body=MODE_SCRIPT, priority=1)
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
