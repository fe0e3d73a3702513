"""Where the built site and the browser are, and how a page is opened, shared by the
browser check's modules."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
# The browser launch is shared with the JupyterLab check (tests/lab): tests/_chromium.py.
sys.path.insert(0, str(ROOT / "tests"))
from _chromium import CHROMIUM, CHROMIUM_ARGS, REQUIRED, chromium, unavailable  # noqa: E402,F401

SITE = ROOT / os.environ.get("COURSE_SITE", "_build/html")
SCREENSHOTS = ROOT / "_build" / "screenshots"
AXE_REPORT = ROOT / "_build" / "axe-report.json"
AXE_URL_PATH = "vendor/axe/axe.min.js"
"""axe-core, copied from node_modules into the site by `make book` (never from a CDN)."""


def site_pages() -> list[str]:
    """Every HTML page of the site, relative to its root.

    Assets are excluded, and so is the root ``index.html``, which only redirects to the
    introduction (checked on its own).
    """
    if not SITE.is_dir():
        return []
    skip = ("_static", "_sources", "_images", "vendor", "_sphinx_design_static")
    return sorted(
        str(p.relative_to(SITE))
        for p in SITE.rglob("*.html")
        if p.relative_to(SITE).parts[0] not in skip and p.name != "index.html"
    )


def toc_pages() -> list[str]:
    """The HTML page of every file that ``_toc.yml`` lists (root, chapters, sections)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files: list[str] = [toc["root"]]

    def walk(entries: list[dict[str, Any]]) -> None:
        for entry in entries:
            if "file" in entry:
                files.append(entry["file"])
            for key in ("chapters", "sections"):
                walk(entry.get(key, []))

    walk(toc.get("parts", []))
    walk(toc.get("chapters", []))
    return [f"{Path(f).with_suffix('')}.html" for f in files]


# --- opening a page and waiting for what the checks read ------------------------------

WIDGET_VIEWS = "script[type=\"application/vnd.jupyter.widget-view+json\"]"
WIDGET_STATS = r"""
Array.from(document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]'))
  .map(s => ({
    controls: s.parentElement.querySelectorAll(
      '.widget-slider, .widget-dropdown, .widget-toggle-buttons, .widget-checkbox, ' +
      '.widget-inline-hbox, .widget-text, .widget-radio').length,
    images: Array.from(s.parentElement.querySelectorAll(
      '.widget-output img, .jupyter-widgets-output-area img'))
      .filter(i => i.complete && i.naturalWidth > 0).length,
  }))
"""
WIDGETS_JS = f"() => {WIDGET_STATS}"
WIDGETS_READY_JS = f"() => {WIDGET_STATS}.every(w => w.controls > 0 && w.images > 0)"


class OpenedPage:
    """A page loaded from the local server, with what it asked for and what it logged."""

    def __init__(self, browser: Any, site_url: str, page_path: str, *, dark: bool = False,
                 init_script: str | None = None) -> None:
        self.path = page_path
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.outside: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        page = self.page

        def route(r: Any) -> None:
            if r.request.url.startswith(site_url):
                r.continue_()
            else:
                self.outside.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.on("requestfailed", lambda req: self.failed.append(f"{req.url} ({req.failure})"))
        page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        if init_script:
            page.add_init_script(init_script)
        if dark:
            # What the theme's toggle stores; the theme applies it before first paint.
            page.add_init_script("localStorage.setItem('mode', 'dark'); localStorage.setItem('theme', 'dark');")

        page.goto(f"{site_url}/{page_path}", wait_until="load")
        self.has_math = page.evaluate("() => document.querySelectorAll('.math').length") > 0
        if self.has_math:
            page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
            page.evaluate("() => MathJax.startup.promise")
        self.n_widgets = page.evaluate(f"() => document.querySelectorAll('{WIDGET_VIEWS}').length")
        if self.n_widgets:
            page.wait_for_function(WIDGETS_READY_JS, timeout=20_000)
        # Not "networkidle" (flaky on a loaded machine): wait for what the checks read.
        page.wait_for_function("() => Array.from(document.images).every(i => i.complete)")
        page.evaluate("() => document.fonts.ready.then(() => true)")

    def screenshot(self, prefix: str = "") -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / (prefix + self.path.replace("/", "__") + ".png")
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        self.page.close()
