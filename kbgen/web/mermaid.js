/* Mermaid diagrams: Mermaid's script (served by the site) is fetched only on pages
 * that have a diagram, and diagrams are redrawn when Material's light/dark toggle flips. */
(function () {
  "use strict";
  var SRC = "assets/mermaid/mermaid.min.js";
  var observing = false;

  function theme() { return kb.dark() ? "dark" : "default"; }

  function draw() {
    var blocks = document.querySelectorAll("pre.kb-mermaid");
    if (!blocks.length) return;
    Array.prototype.forEach.call(blocks, function (el) {
      // Mermaid replaces the text with an SVG; keep the source to redraw in the other theme.
      if (el.kbSource === undefined) el.kbSource = el.textContent;
      el.removeAttribute("data-processed");
      el.textContent = el.kbSource;
    });
    kb.loadScript(SRC).then(function () {
      window.mermaid.initialize({ startOnLoad: false, theme: theme(), securityLevel: "strict" });
      return window.mermaid.run({ nodes: blocks });
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
