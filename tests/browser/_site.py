"""Where the built site and the browser are, shared by the browser check's modules."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The browser launch is shared with the JupyterLab check (tests/lab): tests/_chromium.py.
sys.path.insert(0, str(ROOT / "tests"))
from _chromium import CHROMIUM, CHROMIUM_ARGS, REQUIRED, chromium, unavailable  # noqa: E402,F401

SITE = ROOT / os.environ.get("COURSE_SITE", "_build/html")
SCREENSHOTS = ROOT / "_build" / "screenshots"


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
