// Loaded after require.js and before the widget manager (see nb_ipywidgets_js in _config.yml).
(function () {
  // 1. The manager is an AMD module named "@jupyter-widgets/html-manager/dist/libembed-amd"
  //    and loads its icon fonts from the folder of that module's URL: map the name to the
  //    site's own copy in vendor/html-manager/, so that nothing is fetched from elsewhere.
  var src = document.currentScript.src;
  var vendor = src.slice(0, src.lastIndexOf("/") + 1);
  window.require.config({ paths: { "@jupyter-widgets/html-manager/dist": vendor + "html-manager" } });

  // 2. The manager typesets widget labels with the MathJax 2 call
  //    MathJax.Hub.Queue(["Typeset", MathJax.Hub, element]); the site runs MathJax 3.
  //    MathJax 3 replaces window.MathJax when its (deferred) script runs, so the bridge is
  //    installed once the document is parsed, before the widgets render on "load".
  document.addEventListener("DOMContentLoaded", function () {
    var mj = window.MathJax;
    if (!mj || mj.Hub || !mj.startup) return;
    mj.Hub = {
      Queue: function () {
        Array.prototype.forEach.call(arguments, function (job) {
          if (Array.isArray(job) && job[0] === "Typeset") {
            mj.startup.promise = mj.startup.promise.then(function () {
              return mj.typesetPromise(job[2] ? [job[2]] : undefined);
            });
          }
        });
      },
    };
  });

  // 3. A slider's handle (role="slider", drawn by noUiSlider) gets no accessible name from the
  //    manager: the widget's description is a <label> that is not tied to it. Name each handle
  //    by its widget's label (aria-labelledby), as each widget is rendered.
  var counter = 0;
  function nameSliders(root) {
    var handles = root.querySelectorAll('.jupyter-widgets [role="slider"]');
    Array.prototype.forEach.call(handles, function (handle) {
      if (handle.hasAttribute("aria-labelledby") || handle.hasAttribute("aria-label")) return;
      var view = handle.closest(".widget-slider, .widget-hslider, .widget-vslider, .jupyter-widgets");
      var label = view && view.querySelector(":scope > label.widget-label");
      if (!label || !label.textContent.trim()) return;
      if (!label.id) label.id = "widget-label-" + ++counter;
      handle.setAttribute("aria-labelledby", label.id);
      var readout = view.querySelector(":scope > .widget-readout");
      if (readout && !readout.hasAttribute("aria-labelledby")) readout.setAttribute("aria-labelledby", label.id);
    });
  }
  var pending = false;
  new MutationObserver(function () {
    // One pass per burst of DOM changes (MathJax adds many nodes at once).
    if (pending) return;
    pending = true;
    setTimeout(function () { pending = false; nameSliders(document); }, 0);
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
