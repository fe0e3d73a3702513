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
})();
