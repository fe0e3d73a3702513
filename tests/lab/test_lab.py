"""Every lecture notebook run in JupyterLab, in headless Chromium, as a student meets it.

For each notebook found in ``lectures/`` (a lecture that lands later is covered without
editing this file): open it from a throwaway server (see ``_lab.py``) with every request to
another host aborted; check that the stored widgets show (the notebook is trusted); wait for
the kernel; clear the outputs and run all cells; check that no cell shows an error or a
traceback, that every MyST directive (``prf:``, ``exercise``, ``solution``) is rendered, not
shown as raw text, and that cross-references that cannot resolve in a single notebook still
read as text; then change one control of each kind in every widget (a slider with the
keyboard, a dropdown by selection) and check that the widget's figure is redrawn. The
screenshots go to ``_build/screenshots/lab/``; the times are printed at the end.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from _lab import LECTURES, SCREENSHOTS, TIMINGS, lecture_notebooks

NOTEBOOKS = lecture_notebooks()
# Limits for liveness on a loaded 2-core machine, not performance targets (see bench/).
KERNEL_IDLE_S = 180
RUN_ALL_S = 600
REDRAW_S = 30

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
DIRECTIVE = re.compile(r"^(`{3,}|:{3,})\{(prf:[a-z]+|exercise|solution)\}", re.M)
LABEL = re.compile(r"^:label:\s*(\S+)", re.M)
# Cross-references: {prf:ref}`label`, {ref}`text <label>`, {doc}`text <lecture>`.
XREF = re.compile(r"\{(prf:ref|ref|doc|numref)\}`([^`<]*?)\s*(?:<([^`>]+)>)?`")
# Text that only shows when a directive or a role was not parsed.
RAW_MYST = re.compile(r"^\s*:(label|class):|\{(prf:[a-z]+|exercise|solution|doc|cite(:[tp])?|ref|eq)\}`?", re.M)

PANEL = "jupyterapp.shell.currentWidget"
KERNEL_IDLE_JS = f"""() => {{
  const p = window.jupyterapp && {PANEL};
  const k = p && p.sessionContext && p.sessionContext.session && p.sessionContext.session.kernel;
  return !!k && k.status === 'idle' && p.sessionContext.isReady;
}}"""
# Code cells not run yet (no execution count), and error outputs: read from the model.
RUN_STATE_JS = f"""() => {{
  const p = {PANEL};
  const state = {{pending: 0, errors: [], stderr: [], kernel: p.sessionContext.session.kernel.status}};
  for (const cell of p.content.model.cells) {{
    if (cell.type !== 'code') continue;
    if (cell.executionCount === null) state.pending += 1;
    for (let i = 0; i < cell.outputs.length; i++) {{
      const o = cell.outputs.get(i).toJSON();
      if (o.output_type === 'error') state.errors.push(o.ename + ': ' + o.evalue);
      if (o.output_type === 'stream' && o.name === 'stderr') state.stderr.push(String(o.text));
    }}
  }}
  return state;
}}"""
# Every output shown in the page, widget outputs included, that is an error or stderr.
DOM_ERRORS_JS = """() => Array.from(document.querySelectorAll(
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'))
  .map(e => e.innerText).filter(t => /Traceback|Error/.test(t))"""
RENDERED_MD_JS = """() => Array.from(document.querySelectorAll('.jp-MarkdownCell'))
  .map(c => { const r = c.querySelector('.jp-MarkdownOutput, .myst');
              return r ? {text: r.innerText, ids: Array.from(r.querySelectorAll('[id]')).map(e => e.id),
                          myst: !!c.querySelector('.myst')} : null; })"""
# Top-level widget views: output areas whose child is a widget.
WIDGETS_JS = """() => Array.from(document.querySelectorAll('.jp-OutputArea-output'))
  .filter(o => o.querySelector(':scope > .jupyter-widgets'))
  .map((o, i) => { o.setAttribute('data-course-widget', String(i)); return {
     live: !o.querySelector(':scope > .jupyter-widgets-disconnected'),
     sliders: o.querySelectorAll('.widget-slider .noUi-handle').length,
     dropdowns: o.querySelectorAll('.widget-dropdown select').length,
     images: o.querySelectorAll('.widget-output img').length}; })"""
# Count the kernel's busy states from now on (a control change is handled while busy).
HOOK_BUSY_JS = f"""() => {{
  window.__courseBusy = 0;
  const k = {PANEL}.sessionContext.session.kernel;
  if (window.__courseHooked !== k) {{
    k.statusChanged.connect((_, status) => {{ if (status === 'busy') window.__courseBusy += 1; }});
    window.__courseHooked = k;
  }}
}}"""


def _source(name: str) -> dict:
    return json.loads((LECTURES / name).read_text())


def _menu(page, menu: str, command: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{menu}$")).click()
    page.locator(f'.lm-Menu-item[data-command="{command}"]').click()


def _change(page, i: int, kind: str, j: int) -> float | None:
    """Change control ``j`` of ``kind`` in widget ``i``; seconds until its figure is redrawn.

    ``None`` when the kernel handled the change and the figure stayed the same (a control
    that does nothing in the current state, e.g. a degree slider while another link is
    chosen).
    """
    widget = page.locator(f'[data-course-widget="{i}"]')
    images = f'[data-course-widget="{i}"] .widget-output img'
    before = page.evaluate(f"() => Array.from(document.querySelectorAll('{images}')).map(im => im.src).join('|')")
    page.evaluate(HOOK_BUSY_JS)
    if kind == "slider":
        handle = widget.locator(".widget-slider .noUi-handle").nth(j)
        at_max = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
        handle.focus()
        start = time.perf_counter()
        handle.press("ArrowLeft" if at_max else "ArrowRight")
    else:
        select = widget.locator(".widget-dropdown select").nth(j)
        values = [o.get_attribute("value") for o in select.locator("option").all()]
        current = select.input_value()
        target = next((v for v in values if v != current), None)
        assert target is not None, f"widget {i}: dropdown {j} has one option, it cannot change"
        start = time.perf_counter()
        select.select_option(target)
    outcome = page.wait_for_function(
        f"""(before) => {{
          const imgs = Array.from(document.querySelectorAll('{images}'));
          const srcs = imgs.map(im => im.src).join('|');
          if (srcs !== before && imgs.length > 0 && imgs.every(im => im.complete && im.naturalWidth > 0))
            return 'redrawn';
          const k = {PANEL}.sessionContext.session.kernel;
          if (srcs === before && window.__courseBusy > 0 && k.status === 'idle') return 'unchanged';
          return false;
        }}""",
        arg=before,
        timeout=REDRAW_S * 1000,
        polling=50,
    ).json_value()
    return time.perf_counter() - start if outcome == "redrawn" else None


@pytest.mark.browser
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_in_jupyterlab_with_live_widgets(lab, browser, name):
    nb = _source(name)
    stem = name.removesuffix(".ipynb")
    n_widgets = sum(
        WIDGET_MIME in o.get("data", {}) for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]
    )
    markdown = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    labels = LABEL.findall(markdown)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    outside: list[str] = []

    def route(r):
        if r.request.url.startswith(lab.url):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    session = None
    try:
        start = time.perf_counter()
        page.goto(lab.notebook_url(name))
        page.wait_for_function(KERNEL_IDLE_JS, timeout=KERNEL_IDLE_S * 1000, polling=200)
        idle = time.perf_counter() - start
        session = page.evaluate(f"() => {PANEL}.sessionContext.session.id")

        # Trusted: the stored widgets show their controls and figure, not a text repr.
        page.wait_for_function(f"() => ({WIDGETS_JS})().length >= {n_widgets}", timeout=60_000)
        page.screenshot(path=str(SCREENSHOTS / f"{stem}-1-opened.png"))
        assert "VBox(children=" not in page.inner_text(".jp-Notebook"), f"{name}: untrusted widget output"

        # MyST: every directive rendered, every label an anchor, no raw directive or role.
        try:
            page.wait_for_function(f"() => ({RENDERED_MD_JS})().every(r => r && r.myst)", timeout=60_000)
        except PlaywrightTimeout:
            pass  # reported below, cell by cell
        rendered = page.evaluate(RENDERED_MD_JS)
        plain = [i for i, r in enumerate(rendered) if r is None or not r["myst"]]
        assert not plain, f"{name}: markdown cells {plain} (of {len(rendered)}) not rendered by MyST"
        ids = {i for r in rendered for i in r["ids"]}
        missing = [lab_ for lab_ in labels if lab_ not in ids]
        assert not missing, f"{name}: labelled blocks not rendered: {missing}"
        raw = [m.group(0) for r in rendered for m in RAW_MYST.finditer(r["text"])]
        assert not raw, f"{name}: raw MyST shown to the reader: {raw[:5]}"
        # A reference that cannot resolve in one notebook (another lecture) still reads as
        # text: its explicit text, else its label.
        text = "\n".join(r["text"] for r in rendered)
        unreadable = [
            m.group(0) for m in XREF.finditer(markdown)
            if (m.group(3) and m.group(2) and m.group(2) not in text)
            or (not m.group(3) and m.group(2) not in labels and m.group(2) not in text)
        ]
        assert not unreadable, f"{name}: cross-references that do not read as text: {unreadable[:5]}"
        if DIRECTIVE.search(markdown):
            first = page.locator(".myst aside.myst-proof:visible").first
            first.scroll_into_view_if_needed()
            first.screenshot(path=str(SCREENSHOTS / f"{stem}-2-theorem.png"))

        # Run all (after clearing the stored outputs, so that completion is unambiguous).
        _menu(page, "Edit", "editmenu:clear-all")
        page.wait_for_function(f"() => ({RUN_STATE_JS})().pending > 0")
        start = time.perf_counter()
        _menu(page, "Run", "runmenu:run-all")
        page.wait_for_function(
            f"() => {{ const s = ({RUN_STATE_JS})(); return s.errors.length > 0 || "
            f"(s.pending === 0 && s.kernel === 'idle'); }}",
            timeout=RUN_ALL_S * 1000,
            polling=250,
        )
        run_all = time.perf_counter() - start
        state = page.evaluate(RUN_STATE_JS)
        assert not state["errors"], f"{name}: error outputs after run all: {state['errors']}"
        tracebacks = [s for s in state["stderr"] if "Traceback" in s]
        assert not tracebacks, f"{name}: tracebacks on stderr: {tracebacks[:2]}"

        # Live widgets: one control of each kind in every widget redraws the figure.
        try:
            page.wait_for_function(
                f"() => {{ const w = ({WIDGETS_JS})(); return w.length === {n_widgets} && "
                "w.every(x => x.live && x.images > 0); }",
                timeout=60_000,
            )
        except PlaywrightTimeout:
            pass  # reported below
        widgets = page.evaluate(WIDGETS_JS)
        assert len(widgets) == n_widgets and all(w["live"] and w["images"] for w in widgets), (
            f"{name}: expected {n_widgets} live widgets with a figure after run all, got {widgets}"
        )
        redraws = []
        for i, w in enumerate(widgets):
            # Dropdowns first: a choice there can make a slider matter (a degree, say).
            kinds = [k for k in ("dropdown", "slider") if w[k + "s"] > 0]
            assert kinds, f"{name}: widget {i} has no slider or dropdown for the check to drive"
            target = page.locator(f'[data-course-widget="{i}"]')
            target.scroll_into_view_if_needed()
            target.screenshot(path=str(SCREENSHOTS / f"{stem}-3-widget{i}-before.png"))
            for kind in kinds:
                seconds = None
                for j in range(w[kind + "s"]):
                    seconds = _change(page, i, kind, j)
                    if seconds is not None:
                        break
                assert seconds is not None, f"{name}: no {kind} of widget {i} redraws its figure"
                redraws.append(seconds)
                target.screenshot(path=str(SCREENSHOTS / f"{stem}-4-widget{i}-after-{kind}.png"))
        dom_errors = page.evaluate(DOM_ERRORS_JS)
        assert not dom_errors, f"{name}: errors shown in the page: {dom_errors[:2]}"
        assert not outside, f"{name}: JupyterLab asked for outside resources: {outside[:5]}"
        TIMINGS.append({"notebook": name, "idle": idle, "run_all": run_all, "redraws": redraws})
    finally:
        page.screenshot(path=str(SCREENSHOTS / f"{stem}-5-last.png"))
        page.close()
        if session is not None:  # free the kernel before the next notebook
            lab.api(f"/api/sessions/{session}", method="DELETE")
