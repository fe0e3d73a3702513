"""Open every page of the built site in headless Chromium with the network cut off.

For each page: no failed request, no request to another host, no console error, every
formula typeset by MathJax (no raw TeX delimiters left outside code), every image loaded,
and every widget showing its controls and its stored figure. A full-page screenshot of each
page is saved under ``_build/screenshots/`` for people to look at.
"""

from __future__ import annotations

import pytest

from _site import SITE, WIDGETS_JS, OpenedPage, site_pages, toc_pages

PAGES = site_pages() or ["lectures/00-intro.html"]

# Text nodes outside code, scripts and typeset math that still hold a TeX delimiter.
RAW_TEX_JS = r"""
() => {
  const skip = new Set(['SCRIPT', 'STYLE', 'PRE', 'CODE', 'TEXTAREA', 'KBD', 'SAMP']);
  const bad = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    let el = node.parentElement, hidden = false;
    while (el) {
      if (skip.has(el.tagName) || el.tagName.startsWith('MJX-') ||
          el.classList.contains('highlight')) { hidden = true; break; }
      el = el.parentElement;
    }
    if (hidden) continue;
    const t = node.textContent;
    if (/\\\(|\\\)|\\\[|\\\]|\$\$|\\begin\{/.test(t)) bad.push(t.trim().slice(0, 80));
  }
  return bad;
}
"""

@pytest.mark.browser
@pytest.mark.parametrize("page_path", PAGES)
def test_page_renders_offline(browser, site_url, page_path):
    opened = OpenedPage(browser, site_url, page_path)
    page = opened.page
    opened.screenshot()

    assert not opened.outside, f"{page_path} asked for outside resources: {opened.outside[:5]}"
    assert not opened.failed, f"{page_path} has failed requests: {opened.failed[:5]}"
    assert not opened.errors, f"{page_path} logged console errors: {opened.errors[:5]}"
    assert page.evaluate(RAW_TEX_JS) == [], f"{page_path} shows raw TeX"
    if opened.has_math:
        assert page.evaluate("() => document.querySelectorAll('mjx-container').length") > 0
    broken = page.evaluate(
        "() => Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
    )
    assert not broken, f"{page_path} has images that did not load: {broken[:5]}"
    for i, w in enumerate(page.evaluate(WIDGETS_JS)):
        assert w["controls"] > 0, f"{page_path}: widget {i} shows no controls"
        assert w["images"] > 0, f"{page_path}: widget {i} shows no figure"
    opened.close()


@pytest.mark.browser
def test_site_has_every_lecture_and_the_bibliography():
    names = set(PAGES)
    expected = {f"lectures/0{i}-" for i in range(8)}
    assert all(any(p.startswith(e) for p in names) for e in expected), sorted(names)
    assert "lectures/references.html" in names


@pytest.mark.browser
def test_every_page_of_the_toc_is_built_and_checked():
    missing = [p for p in toc_pages() if p not in PAGES]
    assert not missing, f"pages listed in _toc.yml but not built: {missing}"


@pytest.mark.browser
def test_site_root_opens_the_introduction(browser, site_url):
    page = browser.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(site_url) else r.abort())
    page.goto(f"{site_url}/index.html")
    page.wait_for_url("**/lectures/00-intro.html")
    assert "Online SGD in high dimension" in page.title()
    page.close()


@pytest.mark.browser
def test_notebook_lectures_offer_their_ipynb_for_download(browser, site_url):
    notebooks = [p for p in PAGES if p.startswith("lectures/") and
                 (SITE / "_sources" / p.replace(".html", ".ipynb")).is_file()]
    assert notebooks, "no lecture page is built from a notebook"
    page = browser.new_page()
    for path in notebooks:
        page.goto(f"{site_url}/{path}")
        href = page.get_attribute(f'a[href$="_sources/{path.replace(".html", ".ipynb")}"]', "href")
        assert href, f"{path}: no download link to its .ipynb"
        response = page.request.get(f"{site_url}/_sources/{path.replace('.html', '.ipynb')}")
        assert response.ok and b'"cells"' in response.body(), f"{path}: the .ipynb download is broken"
    page.close()
