// Typesets the formulas the build left for the browser (it had no JavaScript
// engine). Pages typeset at build time have no [data-kb-math] element, so this
// does nothing there. kbgen prepends `window.kbgenKatexMacros = {...};`.
(function () {
  "use strict";
  function typeset(root) {
    if (typeof katex === "undefined") return;
    var macros = window.kbgenKatexMacros || {};
    var pending = root.querySelectorAll("[data-kb-math]");
    for (var i = 0; i < pending.length; i++) {
      var el = pending[i];
      var display = el.getAttribute("data-kb-math") === "display";
      el.removeAttribute("data-kb-math");
      try {
        katex.render(el.textContent, el, {
          displayMode: display, macros: Object.assign({}, macros), throwOnError: false
        });
      } catch (e) {
        // throwOnError:false already shows bad TeX in red; anything else leaves the source.
      }
    }
  }
  // Material's instant navigation swaps the page without a reload and announces it on document$.
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(function () { typeset(document); });
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { typeset(document); });
  } else {
    typeset(document);
  }
})();
