/* kbgen client core: the site's base URL, the interface messages, page hooks, lazy scripts.
 * Concatenated first into kbgen-web.js by kbgen/emit/web_assets.py; the other parts use `kb`. */
var kb = (function () {
  "use strict";
  var script = document.currentScript;
  var SELF = "assets/kbgen-web/kbgen-web.js";
  // The site root, from this script's own URL: works at any depth and under any prefix.
  var base = script && script.src.indexOf(SELF) >= 0
    ? script.src.slice(0, script.src.indexOf(SELF))
    : new URL("./", location.href).href;
  var messages = window.kbgenMessages || {};
  var scripts = {};

  function t(key) { return Object.prototype.hasOwnProperty.call(messages, key) ? messages[key] : key; }

  // Run `fn` on every page: once now, and again after each Material instant navigation.
  function onPage(fn) {
    if (window.document$ && typeof window.document$.subscribe === "function") {
      window.document$.subscribe(function () { fn(); });
    } else if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  // Load a script of the site once, however many pages ask for it.
  function loadScript(path) {
    if (!scripts[path]) {
      scripts[path] = new Promise(function (resolve, reject) {
        var el = document.createElement("script");
        el.src = base + path;
        el.async = true;
        el.onload = resolve;
        el.onerror = function () { delete scripts[path]; reject(new Error("cannot load " + path)); };
        document.head.appendChild(el);
      });
    }
    return scripts[path];
  }

  // The current page's path relative to the site root, decoded ("ml/relu/").
  function pagePath(href) {
    var path = new URL(href || location.href, location.href).pathname;
    var root = new URL(base).pathname;
    var rel = path.indexOf(root) === 0 ? path.slice(root.length) : path.replace(/^\//, "");
    try { rel = decodeURIComponent(rel); } catch (e) { /* keep as is */ }
    return rel.replace(/index\.html$/, "");
  }

  function dark() {
    var scheme = document.body && document.body.getAttribute("data-md-color-scheme");
    return scheme === "slate";
  }

  return { base: base, t: t, onPage: onPage, loadScript: loadScript, pagePath: pagePath, dark: dark };
})();
