"""At the browser check's width (1280 px) no code cell and no printed output scrolls sideways.

The theme's code column holds 77 characters of its monospace at 1280 px; the notebooks of the
pages below keep every code line and every printed line within that (checked without a browser
by ``tests/test_page_width.py``, over the same list), and this check confirms it on the built
pages: every ``pre`` block of a code cell or of its output has no horizontal overflow.
"""

from __future__ import annotations

import pytest

from _site import OpenedPage

NO_SCROLL_PAGES = [
    "lectures/00-intro.html",
    "lectures/01-hermite.html",
    "lectures/02-landscape.html",
    "lectures/03-gradient-flow.html",
    "lectures/04-online-sgd.html",
    "lectures/05-proof.html",
    "lectures/06-concentration.html",
    "lectures/07-lower-bounds.html",
]
"""The pages whose code and outputs must fit."""

# Every code or output block that scrolls sideways: its first line and by how many pixels.
SCROLLING_JS = r"""
() => Array.from(document.querySelectorAll(
    'div.cell pre, div.highlight pre, div.cell_output pre, div.output pre'))
  .filter(el => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
  .map(el => ({
    kind: el.closest('.cell_output, .output') ? 'output' : 'code',
    overflow: el.scrollWidth - el.clientWidth,
    line: el.textContent.split('\n').reduce((a, b) => (b.length > a.length ? b : a), '').slice(0, 100),
  }))
"""


@pytest.mark.browser
@pytest.mark.parametrize("page_path", NO_SCROLL_PAGES)
def test_no_code_or_output_scrolls_sideways(browser, site_url, page_path):
    opened = OpenedPage(browser, site_url, page_path)
    try:
        scrolling = opened.page.evaluate(SCROLLING_JS)
        blocks = opened.page.evaluate("() => document.querySelectorAll('div.highlight pre').length")
    finally:
        opened.close()
    assert not scrolling, (f"{page_path}: {len(scrolling)} code or output blocks scroll sideways at 1280 px, "
                           f"the first: {scrolling[:3]}")
    if page_path != "lectures/00-intro.html":  # the introduction has no code
        assert blocks > 0, f"{page_path}: no code block found (has the theme's markup changed?)"
