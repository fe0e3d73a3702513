"""Accessibility of the built site, as far as automated checks can tell.

- axe-core 4 (served by the site itself from ``vendor/axe/``, copied from node_modules) runs
  on every page with the rules tagged WCAG 2.0/2.1 A and AA: no violation of impact
  "serious" or "critical" is allowed; the minor and moderate ones are listed in the
  terminal summary and in ``_build/axe-report.json``.
- Every widget control can be reached with Tab and operated from the keyboard.
- In the dark theme, formulas keep the AA contrast ratio and figures keep a light ground
  (their axes and labels are dark ink); a screenshot is saved as ``_build/screenshots/dark__*.png``.
"""

from __future__ import annotations

import re

import pytest

from _site import AXE_URL_PATH, SITE, OpenedPage, site_pages

PAGES = site_pages() or ["lectures/00-intro.html"]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
AXE_RESULTS: dict[str, list[dict]] = {}
"""page -> violations; read by conftest's terminal summary and written to the report."""


def _has_widget(page_path: str) -> bool:
    return "application/vnd.jupyter.widget-view+json" in (SITE / page_path).read_text(encoding="utf-8")


WIDGET_PAGES = [p for p in PAGES if (SITE / p).is_file() and _has_widget(p)] or ["lectures/03-gradient-flow.html"]

AXE_RUN_JS = """
async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                          resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
    targets: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
  }));
}
"""


def run_axe(opened: OpenedPage, site_url: str) -> list[dict]:
    opened.page.add_script_tag(url=f"{site_url}/{AXE_URL_PATH}")
    return opened.page.evaluate(AXE_RUN_JS, AXE_TAGS)


def _blocking(violations: list[dict]) -> list[str]:
    return [f"{v['impact']} {v['id']} x{v['count']} ({v['help']}): {v['targets']}"
            for v in violations if v["impact"] in BLOCKING]


IMAGES_JS = """
() => Array.from(document.querySelectorAll('article img'))
  .filter(i => i.getAttribute('role') !== 'presentation')
  .map(i => ({src: i.src.slice(0, 60), alt: i.getAttribute('alt')}))
"""
FILE_NAME = re.compile(r"(\.(png|jpe?g|gif|svg)$)|_images/|^data:", re.IGNORECASE)


@pytest.mark.browser
@pytest.mark.parametrize("page_path", PAGES)
def test_page_has_no_serious_or_critical_axe_violation(browser, site_url, page_path):
    opened = OpenedPage(browser, site_url, page_path)
    violations = run_axe(opened, site_url)
    images = opened.page.evaluate(IMAGES_JS)
    AXE_RESULTS[page_path] = violations
    opened.close()
    assert not _blocking(violations), f"{page_path}: " + "; ".join(_blocking(violations))
    # axe accepts any alt; a figure's must say what it shows, not name its file.
    unnamed = [i for i in images if not (i["alt"] or "").strip() or FILE_NAME.search(i["alt"])]
    assert not unnamed, f"{page_path}: figures without a description for their alt text: {unnamed[:5]}"


# --- keyboard ---------------------------------------------------------------------------

CONTROLS_JS = """
(index) => {
  const views = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]');
  const root = views[index].parentElement;
  // The controls proper; a slider's editable readout is a second way in, not a control.
  const focusable = Array.from(root.querySelectorAll(
      '[role="slider"], select, input, button, textarea'))
    .filter(e => e.offsetParent !== null && !e.disabled);
  focusable.forEach((e, i) => e.dataset.kbdProbe = `${index}-${i}`);
  return focusable.map(e => ({probe: e.dataset.kbdProbe, tag: e.tagName.toLowerCase(),
                              role: e.getAttribute('role') || '', type: e.type || '',
                              tabindex: e.tabIndex}));
}
"""
FOCUSED_JS = "() => (document.activeElement && document.activeElement.dataset.kbdProbe) || null"
STATE_JS = """
(probe) => {
  const e = document.querySelector(`[data-kbd-probe="${probe}"]`);
  return e.getAttribute('role') === 'slider' ? e.getAttribute('aria-valuenow')
       : e.type === 'checkbox' ? String(e.checked) : String(e.value);
}
"""


def _operate(page, control: dict) -> bool:
    """Change the control from the keyboard alone; True if its value changed."""
    selector = f'[data-kbd-probe="{control["probe"]}"]'
    page.focus(selector)
    before = page.evaluate(STATE_JS, control["probe"])
    keys = [" "] if control["type"] == "checkbox" else ["ArrowRight", "ArrowLeft"] \
        if control["role"] == "slider" else ["ArrowDown", "ArrowUp"]
    for key in keys:
        page.keyboard.press(key)
        if page.evaluate(STATE_JS, control["probe"]) != before:
            return True
    return False


@pytest.mark.browser
@pytest.mark.parametrize("page_path", WIDGET_PAGES)
def test_every_widget_control_is_reached_with_tab_and_operated_by_keyboard(browser, site_url, page_path):
    opened = OpenedPage(browser, site_url, page_path)
    page = opened.page
    assert opened.n_widgets > 0, f"{page_path}: no widget found"
    for index in range(opened.n_widgets):
        controls = page.evaluate(CONTROLS_JS, index)
        assert controls, f"{page_path}: widget {index} has no focusable control"
        assert all(c["tabindex"] >= 0 for c in controls), f"{page_path}: widget {index}: {controls}"
        # From the first control, Tab must visit every other one, in order of the page.
        page.focus(f'[data-kbd-probe="{controls[0]["probe"]}"]')
        reached = {page.evaluate(FOCUSED_JS)}
        for _ in range(2 * len(controls)):
            page.keyboard.press("Tab")
            reached.add(page.evaluate(FOCUSED_JS))
        missed = [c for c in controls if c["probe"] not in reached]
        assert not missed, f"{page_path}: widget {index}: Tab does not reach {missed}"
        for control in controls:
            if control["role"] == "slider" or control["tag"] == "select" or control["type"] in ("number", "checkbox"):
                assert _operate(page, control), f"{page_path}: widget {index}: keys do not move {control}"
    opened.close()


# --- dark theme -------------------------------------------------------------------------

CONTRAST_JS = r"""
() => {
  const rgba = s => { const m = s.match(/[\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
  const lum = ([r, g, b]) => {
    const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const ground = el => {
    for (; el; el = el.parentElement) {
      const c = rgba(getComputedStyle(el).backgroundColor);
      if (c[3] > 0.5) return c;
    }
    return rgba(getComputedStyle(document.body).backgroundColor);
  };
  const ratio = (a, b) => { const [x, y] = [lum(a) + 0.05, lum(b) + 0.05]; return Math.max(x, y) / Math.min(x, y); };
  const formulas = Array.from(document.querySelectorAll('mjx-container')).slice(0, 200)
    .map(m => ratio(rgba(getComputedStyle(m).color), ground(m)));
  const figures = Array.from(document.querySelectorAll('article img')).map(img => {
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
    const ctx = canvas.getContext('2d'); ctx.drawImage(img, 0, 0);
    const px = ctx.getImageData(1, 1, 1, 1).data;
    // What shows behind the figure's corner: its own pixel, or the page where it is transparent.
    const g = ground(img), a = px[3] / 255;
    const shown = [0, 1, 2].map(i => a * px[i] + (1 - a) * g[i]);
    return {src: img.src.slice(-40), ground_luminance: lum(shown)};
  });
  return {theme: document.documentElement.dataset.theme, formulas, figures};
}
"""


@pytest.mark.browser
def test_dark_theme_keeps_figures_and_formulas_readable(browser, site_url):
    page_path = WIDGET_PAGES[0]
    opened = OpenedPage(browser, site_url, page_path, dark=True)
    opened.screenshot(prefix="dark__")
    found = opened.page.evaluate(CONTRAST_JS)
    violations = run_axe(opened, site_url)
    opened.close()
    assert found["theme"] == "dark", f"{page_path}: the dark theme did not apply: {found['theme']}"
    assert found["formulas"], f"{page_path}: no typeset formula to check"
    low = [r for r in found["formulas"] if r < 4.5]
    assert not low, f"{page_path}: {len(low)} formulas below contrast 4.5 in dark mode (min {min(low):.2f})"
    assert found["figures"], f"{page_path}: no figure to check"
    dark_ground = [f for f in found["figures"] if f["ground_luminance"] < 0.7]
    assert not dark_ground, f"{page_path}: figures drawn on a dark ground in dark mode: {dark_ground}"
    assert not _blocking(violations), f"{page_path} (dark): " + "; ".join(_blocking(violations))
