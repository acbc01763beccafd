/* Mermaid diagrams: Mermaid's ESM build (served by the site) is imported only on pages
 * that have a diagram, and diagrams are redrawn when Material's light/dark toggle flips.
 * The ESM entry imports the chunks of the diagram types it meets, relative to its own
 * URL, so a flowchart page never fetches the code for Gantt charts or mind maps. */
(function () {
  "use strict";
  // Absolute (kb.base comes from this script's URL): right under any site_url prefix and
  // with use_directory_urls false alike. The server must send .mjs as JavaScript.
  var SRC = "assets/mermaid/mermaid.esm.min.mjs";
  var observing = false;
  var loading = null;
  var drawing = 0;  // which draw() is the latest: only it may mark the diagrams drawn

  function mermaid() {
    if (!loading) {
      loading = import(kb.base + SRC).then(function (module) { return module.default; },
        function (err) { loading = null; throw err; });
    }
    return loading;
  }

  function theme() { return kb.dark() ? "dark" : "default"; }

  function draw() {
    var blocks = document.querySelectorAll("pre.kb-mermaid");
    if (!blocks.length) return;
    var mine = ++drawing;
    Array.prototype.forEach.call(blocks, function (el) {
      // Mermaid replaces the text with an SVG; keep the source to redraw in the other theme.
      if (el.kbSource === undefined) el.kbSource = el.textContent;
      el.removeAttribute("data-processed");
      el.removeAttribute("data-kb-drawn");
      el.textContent = el.kbSource;
    });
    mermaid().then(function (api) {
      api.initialize({ startOnLoad: false, theme: theme(), securityLevel: "strict" });
      return api.run({ nodes: blocks });
    }).then(function () {
      // Mermaid builds the SVG inside the block in steps; this says the last step is done.
      if (mine === drawing) {
        Array.prototype.forEach.call(blocks, function (el) { el.setAttribute("data-kb-drawn", ""); });
      }
    }).catch(function (err) {
      if (window.console) console.warn("kbgen: mermaid:", err);
    });
    if (!observing && window.MutationObserver) {
      observing = true;
      new MutationObserver(function () {
        if (document.querySelector("pre.kb-mermaid")) draw();
      }).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
    }
  }

  kb.onPage(draw);
})();
