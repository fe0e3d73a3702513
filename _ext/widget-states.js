// The course's widgets on the static site answer from precomputed states (`make states`,
// lecturelib/widgets/_states.py). Loaded on widget pages after require.js and
// widget-states/panels.js and before the widget manager, which holds every panel's grid (see nb_ipywidgets_js in _config.yml);
// each panel's states (key -> image file and alternative text) come from its index.js, loaded
// by a <script> tag, so that the site also works from file:// (no fetch, no XHR).
//
// 1. Before the manager renders (it reads the page's widget state on window "load"), each
//    course panel is found in that state by its title and controls, and the state is rewritten:
//    every slider becomes a selection slider over its grid's positions (one arrow press = the
//    next precomputed value), a free-text control (the seed) is disabled, and the note says
//    what is true here. A panel whose stored settings are not on its grid is left as it is.
// 2. The controls' WidgetModels are observed through the manager's own base module: when a
//    control's index changes, the panel's Output model is given the stored image of the
//    settings that all controls now show (never the previous figure), and its alternative
//    text is announced in an aria-live="polite" region.
(function () {
  "use strict";
  var G = (window.courseWidgetStates = window.courseWidgetStates || {});
  var grids = G.panels || {};
  var src = document.currentScript.src;
  var root = src.slice(0, src.lastIndexOf("/") + 1); // the site's widget-states/ folder
  var indexes = {}; // panel name -> {keys, states: [[file, alt, width, height]]}, from index.js
  var panels = []; // the course panels found on this page
  var byModel = {}; // model id -> the panel it belongs to

  // Called by each panel's index.js.
  G.add = function (name, data) {
    indexes[name] = data;
    panels.forEach(function (p) { if (p.name === name && p.changed) show(p); });
  };

  function ref(id) { return String(id).replace(/^IPY_MODEL_/, ""); }
  function sameValue(a, b) {
    return a === b || (typeof a === "number" && typeof b === "number" && Math.abs(a - b) <= 1e-9 * Math.abs(b));
  }
  function escapeHtml(text) {
    return String(text).replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  // The grid position of a control's stored state, or -1 if it is not on the grid.
  function position(control, model) {
    var s = model.state;
    if (control.kind === "dropdown") {
      var same = (s._options_labels || []).join("\n") === control.labels.join("\n");
      return same ? s.index : -1;
    }
    if (model.model_name === "SelectionSliderModel") return control.labels.indexOf(s._options_labels[s.index]);
    for (var i = 0; i < control.values.length; i++) if (sameValue(s.value, control.values[i])) return i;
    return -1;
  }

  function findPanel(state, id) {
    var vbox = state[id];
    if (!vbox || vbox.model_name !== "VBoxModel") return null;
    var parts = (vbox.state.children || []).map(ref);
    if (parts.length !== 4) return null;
    var title = state[parts[0]], box = state[parts[1]], out = state[parts[2]], note = state[parts[3]];
    if (!title || !box || !out || !note || title.model_name !== "HTMLModel" || out.model_name !== "OutputModel" ||
        note.model_name !== "HTMLModel") return null;
    var name = Object.keys(grids).filter(function (n) { return "<b>" + grids[n].title + "</b>" === title.state.value; })[0];
    if (!name) return null;
    var grid = grids[name];
    var ids = (box.state.children || []).map(ref);
    if (ids.length !== grid.controls.length) return null;
    var controls = [];
    for (var i = 0; i < ids.length; i++) {
      var c = grid.controls[i], m = state[ids[i]];
      if (!m || m.state.description !== c.description) return null;
      var at = c.kind === "fixed" ? (sameValue(m.state.value, c.values[0]) ? 0 : -1) : position(c, m);
      if (at < 0) return null;
      controls.push({ id: ids[i], grid: c, at: at });
    }
    return { name: name, grid: grid, vbox: id, out: parts[2], note: parts[3], controls: controls, models: {} };
  }

  function rewrite(panel, state) {
    var fixed = [];
    panel.controls.forEach(function (c) {
      var m = state[c.id], s = m.state;
      if (c.grid.kind === "slider") {
        ["value", "min", "max", "step", "base", "readout_format"].forEach(function (k) { delete s[k]; });
        m.model_name = s._model_name = "SelectionSliderModel";
        s._view_name = "SelectionSliderView";
        s._options_labels = c.grid.labels;
        s.index = c.at;
      } else if (c.grid.kind === "fixed") {
        s.disabled = true;
        s.tooltip = "Fixed on this website: run the notebook to change it";
        fixed.push(c.grid.description + " is fixed at " + c.grid.labels[0]);
      }
    });
    state[panel.note].state.value = "<small><i>On this website the figure is precomputed at " + panel.grid.states +
      " settings of the controls (" + (fixed.length ? fixed.join(", ") + "; " : "") +
      "run the notebook for every setting).</i></small>";
  }

  // A live region after the panel's view (the manager renders the view before its script tag).
  function liveRegion(panel) {
    var views = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]');
    for (var i = 0; i < views.length; i++) {
      var view;
      try { view = JSON.parse(views[i].textContent); } catch (e) { continue; }
      if (view.model_id !== panel.vbox) continue;
      var live = document.createElement("div");
      live.className = "course-widget-live";
      live.dataset.panel = panel.name;
      live.setAttribute("aria-live", "polite");
      live.setAttribute("style", "position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;" +
        "clip:rect(0,0,0,0);white-space:nowrap;border:0");
      views[i].parentNode.insertBefore(live, views[i].nextSibling);
      return live;
    }
    return null;
  }

  function prepare() {
    var scripts = document.querySelectorAll('script[type="application/vnd.jupyter.widget-state+json"]');
    Array.prototype.forEach.call(scripts, function (script) {
      var doc;
      try { doc = JSON.parse(script.textContent); } catch (e) { return; }
      var found = Object.keys(doc.state).map(function (id) { return findPanel(doc.state, id); }).filter(Boolean);
      if (!found.length) return;
      found.forEach(function (p) {
        rewrite(p, doc.state);
        p.live = liveRegion(p);
        panels.push(p);
        byModel[p.out] = p;
        p.controls.forEach(function (c) { byModel[c.id] = p; });
        if (!document.querySelector('script[data-widget-states="' + p.name + '"]')) {
          var tag = document.createElement("script");
          tag.src = root + p.name + "/index.js";
          tag.setAttribute("data-widget-states", p.name);
          document.head.appendChild(tag);
        }
      });
      script.textContent = JSON.stringify(doc);
    });
  }

  // The key of the settings all controls show: their grid positions, joined by dots.
  function key(panel) {
    return panel.controls.filter(function (c) { return c.grid.kind !== "fixed"; })
      .map(function (c) { return panel.models[c.id].get("index"); }).join(".");
  }

  function output(panel, html, text) {
    panel.models[panel.out].set("outputs", [
      { output_type: "display_data", data: { "text/html": html, "text/plain": text }, metadata: {} },
    ]);
  }

  function show(panel) {
    var k = key(panel), data = indexes[panel.name];
    var settings = panel.controls.filter(function (c) { return c.grid.kind !== "fixed"; }).map(function (c) {
      return c.grid.description + " = " + c.grid.labels[panel.models[c.id].get("index")];
    }).join(", ");
    if (!data) { // index.js not loaded yet: show no figure rather than the previous one
      output(panel, "<p>Loading the precomputed figure…</p>", "Loading the precomputed figure");
      return;
    }
    var i = data.keys[k];
    if (i === undefined) {
      var none = "No precomputed figure for " + settings + ": run the notebook for this setting.";
      output(panel, "<p>" + escapeHtml(none) + "</p>", none);
      if (panel.live) panel.live.textContent = none;
      return;
    }
    var s = data.states[i];
    output(panel, '<img src="' + root + panel.name + "/" + s[0] + '" alt="' + escapeHtml(s[1]) + '" width="' + s[2] +
      '" height="' + s[3] + '" style="height:auto" data-state-key="' + k + '"/>', s[1]);
    if (panel.live) panel.live.textContent = "Figure for " + settings + ": " + s[1];
  }

  function watch(model) {
    var panel = byModel[model.model_id];
    if (!panel) return;
    panel.models[model.model_id] = model;
    if (model.model_id === panel.out) return;
    model.on("change:index", function () {
      if (panel.controls.some(function (c) { return !panel.models[c.id]; }) || !panel.models[panel.out]) return;
      panel.changed = true;
      show(panel);
    });
  }

  // Every WidgetModel the manager creates passes through @jupyter-widgets/base's initialize:
  // patch it as soon as require.js defines that module (models are made on window "load").
  function patch(base) {
    var WidgetModel = base.WidgetModel, initialize = WidgetModel.prototype.initialize;
    if (initialize.courseWidgetStates) return;
    WidgetModel.prototype.initialize = function () {
      initialize.apply(this, arguments);
      watch(this);
    };
    WidgetModel.prototype.initialize.courseWidgetStates = true;
  }
  var req = window.require;
  if (req && req.defined && req.defined("@jupyter-widgets/base")) patch(req("@jupyter-widgets/base"));
  else if (req) {
    var previous = req.onResourceLoad;
    req.onResourceLoad = function (context, map) {
      if (previous) previous.apply(this, arguments);
      if (map.id === "@jupyter-widgets/base") patch(context.defined[map.id]);
    };
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", prepare);
  else prepare();
})();
