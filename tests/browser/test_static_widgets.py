"""The widgets respond on the static site, from the states precomputed by ``make states``.

On every page with widgets, over http and from ``file://``: every widget is a course panel that
``_ext/widget-states.js`` recognised; every enabled control is changed once from the keyboard
and once with the mouse, and each change must show the stored image of the settings that all
controls now show (its file, read from ``data/widget-states/<panel>/index.json``, its size and
its alternative text), announced in the panel's aria-live region. No console error, no request
outside the site. The time from each change to the new image's ``load`` event is printed; its
median must be under 300 ms.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest
from PIL import Image

from _site import ROOT, SITE, OpenedPage, site_pages

STATES = ROOT / "data" / "widget-states"
MEDIAN_LIMIT_MS = 300.0
TIMES: list[tuple[str, float]] = []


def _has_widget(page_path: str) -> bool:
    return "application/vnd.jupyter.widget-view+json" in (SITE / page_path).read_text(encoding="utf-8")


WIDGET_PAGES = [p for p in site_pages() if (SITE / p).is_file() and _has_widget(p)] or ["lectures/01-hermite.html"]

# When each image loaded, and when the change began: the first key, pointer or input event
# after the test arms the clock (set just before it acts).
INIT_JS = """
window.__loads = {};
document.addEventListener('load', e => {
  if (e.target.tagName === 'IMG') window.__loads[e.target.src] = performance.now();
}, true);
for (const type of ['keydown', 'pointerdown', 'input', 'change']) {
  document.addEventListener(type, () => {
    if (window.__armed) { window.__t0 = performance.now(); window.__armed = false; }
  }, true);
}
"""
ARM_JS = "() => { window.__armed = true; window.__t0 = null; }"

# The widget `index`: its panel (from the live region), its controls in order, the figure shown.
WIDGET_JS = r"""
(index) => {
  const view = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')[index];
  const root = view.parentElement;
  const live = root.querySelector('.course-widget-live');
  const hbox = root.querySelector('.widget-vbox > .widget-hbox');
  const controls = hbox ? Array.from(hbox.children).map((el, i) => {
    el.dataset.probe = `${index}-${i}`;
    const handle = el.querySelector('[role="slider"]'), select = el.querySelector('select');
    const input = el.querySelector('input');
    return {probe: el.dataset.probe,
            kind: handle ? 'slider' : select ? 'dropdown' : 'text',
            position: handle ? Math.round(parseFloat(handle.getAttribute('aria-valuenow')))
                    : select ? select.selectedIndex : null,
            positions: handle ? Math.round(parseFloat(handle.getAttribute('aria-valuemax'))) + 1
                     : select ? select.options.length : null,
            disabled: input ? input.disabled : false};
  }) : [];
  const img = root.querySelector('.widget-output img, .jupyter-widgets-output-area img');
  return {panel: live ? live.dataset.panel : null, live: live ? live.textContent : null, controls,
          img: img ? {src: img.src, alt: img.getAttribute('alt'), complete: img.complete,
                      w: img.naturalWidth, h: img.naturalHeight} : null};
}
"""


def _index(panel: str) -> dict:
    return json.loads((STATES / panel / "index.json").read_text(encoding="utf-8"))


def _expected(index: dict, controls: list[dict]) -> dict:
    key = ".".join(str(c["position"]) for c in controls if c["kind"] != "text")
    assert key in index["keys"], f"{index['panel']}: the controls show {key}, which is not on the grid"
    return index["states"][index["keys"][key]]


def _wait_for_state(page, widget: int, state: dict, panel: str) -> dict:
    page.wait_for_function(
        """([index, file]) => {
          const root = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')[index]
            .parentElement;
          const img = root.querySelector('.widget-output img, .jupyter-widgets-output-area img');
          return img && img.src.endsWith('/' + file) && img.complete && img.naturalWidth > 0 &&
                 window.__loads[img.src] !== undefined;
        }""", arg=[widget, state["file"]], timeout=10_000)
    shown = page.evaluate(WIDGET_JS, widget)
    with Image.open(STATES / panel / state["file"]) as image:
        size = image.size
    assert (shown["img"]["w"], shown["img"]["h"]) == size, f"{panel}: the image shown is not {state['file']}"
    assert shown["img"]["alt"] == state["alt"], f"{panel}: wrong alternative text"
    assert shown["live"].endswith(state["alt"]), f"{panel}: the live region says {shown['live']!r}"
    return shown


def _act(page, widget: int, control: dict, how: str) -> None:
    """Move ``control`` to another grid position: by keyboard (one step) or by mouse (to the far end)."""
    selector = f'[data-probe="{control["probe"]}"]'
    if control["kind"] == "slider":
        handle = f'{selector} [role="slider"]'
        if how == "keyboard":
            page.focus(handle)
            page.evaluate(ARM_JS)
            page.keyboard.press("ArrowRight" if control["position"] < control["positions"] - 1 else "ArrowLeft")
        else:
            target = 0 if control["position"] > (control["positions"] - 1) / 2 else control["positions"] - 1
            box = page.locator(f"{selector} .noUi-target").bounding_box()
            x = box["x"] + 2 + (box["width"] - 4) * target / (control["positions"] - 1)
            page.evaluate(ARM_JS)
            page.mouse.click(x, box["y"] + box["height"] / 2)
    else:
        select = f"{selector} select"
        if how == "keyboard":
            page.focus(select)
            page.evaluate(ARM_JS)
            page.keyboard.press("ArrowDown" if control["position"] < control["positions"] - 1 else "ArrowUp")
        else:
            page.click(select)
            target = 0 if control["position"] != 0 else control["positions"] - 1
            page.evaluate(ARM_JS)
            page.select_option(select, index=target)


def _check_page(browser, url: str, page_path: str, label: str) -> None:
    opened = OpenedPage(browser, url, page_path, init_script=INIT_JS)
    page = opened.page
    assert opened.n_widgets > 0, f"{page_path}: no widget"
    times = []
    for widget in range(opened.n_widgets):
        shown = page.evaluate(WIDGET_JS, widget)
        panel = shown["panel"]
        assert panel, f"{page_path}: widget {widget} is not a course panel with precomputed states"
        index = _index(panel)
        texts = [c for c in shown["controls"] if c["kind"] == "text"]
        assert all(c["disabled"] for c in texts), f"{page_path}: {panel}: a free-text control is enabled"
        for number, control in enumerate(shown["controls"]):
            if control["kind"] == "text":
                continue
            for how in ("keyboard", "mouse"):
                before = page.evaluate(WIDGET_JS, widget)["controls"]
                _act(page, widget, before[number], how)
                now = page.evaluate(WIDGET_JS, widget)["controls"]
                assert now[number]["position"] != before[number]["position"], \
                    f"{page_path}: {panel}: {how} did not move control {number}"
                state = _expected(index, now)
                _wait_for_state(page, widget, state, panel)
                src = page.evaluate(WIDGET_JS, widget)["img"]["src"]
                elapsed = page.evaluate("(src) => window.__loads[src] - window.__t0", src)
                times.append(elapsed)
                TIMES.append((f"{label} {page_path} {panel} control {number} {how}", elapsed))
                print(f"{label} {page_path} {panel} control {number} by {how}: {elapsed:.0f} ms")
    assert not opened.outside, f"{page_path} asked for outside resources: {opened.outside[:5]}"
    assert not opened.failed, f"{page_path} has failed requests: {opened.failed[:5]}"
    assert not opened.errors, f"{page_path} logged console errors: {opened.errors[:5]}"
    opened.close()
    median = statistics.median(times)
    print(f"{label} {page_path}: median {median:.0f} ms over {len(times)} changes (max {max(times):.0f} ms)")
    assert median < MEDIAN_LIMIT_MS, f"{page_path}: median change-to-image time {median:.0f} ms"


@pytest.mark.browser
@pytest.mark.parametrize("page_path", WIDGET_PAGES)
def test_every_control_shows_the_stored_image_over_http(browser, site_url, page_path):
    _check_page(browser, site_url, page_path, "http")


@pytest.mark.browser
@pytest.mark.parametrize("page_path", WIDGET_PAGES)
def test_every_control_shows_the_stored_image_from_file(browser, page_path):
    _check_page(browser, Path(SITE).resolve().as_uri(), page_path, "file")
