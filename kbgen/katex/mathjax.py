"""MathJax, for the formulas KaTeX rejects but Obsidian (which renders with MathJax) shows.

MathJax 3 from npm (pinned, integrity-checked, fetched by ``kbgen setup`` like
KaTeX) runs at build time in its own mini-racer context with MathJax's
DOM-free ``liteDOM`` adaptor, and writes SVG: a page holding such a formula
needs no script, no font and no network. Only formulas that KaTeX rejects even
after :mod:`.rewrite` come here, so the engine loads only for vaults that
have them.

MathJax's ``noundefined`` package is off (an unknown command is an error, not
red text), and so are ``html`` (``\\href``, ``\\style``, ``\\class``: note text
must never become live markup or styles) and ``require`` (nothing is loaded
while typesetting).
"""
from __future__ import annotations

import atexit
import json
import logging
import re
import threading
from pathlib import Path
from typing import Sequence

from ..npm_assets import NpmPackage, ensure_package, last_error, register
from .engine import RenderResult

log = logging.getLogger(__name__)

MATHJAX_VERSION = "3.2.2"
# `npm view mathjax@3.2.2 dist.integrity`; a tarball that does not match is refused.
MATHJAX_INTEGRITY = "sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw=="
# The components a DOM-free TeX → SVG run needs (≈ 0.8 MB); the rest of the 16 MB package stays out.
_COMPONENTS = ("core.js", "input/tex-full.js", "output/svg.js", "adaptors/liteDOM.js")

MATHJAX = register(NpmPackage(
    "mathjax", MATHJAX_VERSION, MATHJAX_INTEGRITY,
    keep={"es5/startup.js": "", "es5/core.js": "", "es5/input/tex-full.js": "input",
          "es5/output/svg.js": "output", "es5/adaptors/liteDOM.js": "adaptors"},
    required=("startup.js", *_COMPONENTS, "LICENSE"),
))

# MathJax's loader asks for each component by path; they are handed over from
# memory, so nothing is fetched while typesetting.
_SETUP_JS = r"""
var console = globalThis.console || {log() {}, warn() {}, error() {}, info() {}};
globalThis.MathJax = {
  loader: {load: ['input/tex-full', 'output/svg', 'adaptors/liteDOM'], paths: {mathjax: 'mathjax'},
           require: function (path) { (0, eval)(KBGEN_SOURCES[path.replace(/^mathjax\//, '')] || ''); return {}; }},
  startup: {typeset: false},
  tex: {packages: {'[-]': ['noundefined', 'html', 'require']}},
  svg: {fontCache: 'local'}
};
"""

_RENDER_JS = r"""
function kbgenMathJaxMany(request) {
  var out = [];
  for (var i = 0; i < request.items.length; i++) {
    var item = request.items[i];
    try {
      var node = MathJax.tex2svg(request.prefix + item[0], {display: item[1]});
      var html = MathJax.startup.adaptor.outerHTML(node);
      var error = /data-mjx-error="([^"]*)"/.exec(html);
      out.push(error ? {error: error[1]} : {html: html});
    } catch (e) {
      out.push({error: String(e && e.message || e)});
    }
  }
  return JSON.stringify(out);
}
"""
_TIMEOUT_S = 20.0
_ENTITY = re.compile(r"&(amp|lt|gt|quot|#39);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "#39": "'"}


class MathJaxEngine:
    """MathJax's TeX input and SVG output in one mini-racer context."""

    def __init__(self, path: Path):
        from py_mini_racer import MiniRacer  # optional dependency: ImportError means "not available"

        self._lock = threading.Lock()
        self._ctx = MiniRacer()
        atexit.register(self.close)
        sources = {name: (path / name).read_text(encoding="utf-8") for name in _COMPONENTS}
        self._ctx.eval(f"var KBGEN_SOURCES = {json.dumps(sources)};\n0")
        self._ctx.eval(_SETUP_JS + (path / "startup.js").read_text(encoding="utf-8") + "\n;0")
        self._ctx.eval(_RENDER_JS + "\n;0")
        # Startup finishes in promise callbacks; they have run once tex2svg exists.
        if self._ctx.eval("typeof MathJax.tex2svg") != "function":
            raise RuntimeError("MathJax did not start")

    def close(self) -> None:
        ctx, self._ctx = self._ctx, None
        if ctx is not None:
            ctx.close()

    def render_many(self, items: Sequence[tuple[str, bool]], macros: dict[str, str]) -> list[RenderResult]:
        """SVG for each ``(tex, display)``, or MathJax's error; results in the same order."""
        if not items or self._ctx is None:
            return [RenderResult(None, "MathJax is not available") for _ in items]
        # The site's macros, defined before each formula (MathJax has no per-call macro option).
        prefix = "".join(f"\\def{name}{{{body}}}" for name, body in macros.items())
        request = {"items": [[tex, bool(display)] for tex, display in items], "prefix": prefix}
        with self._lock:
            try:
                raw = json.loads(self._ctx.eval(f"kbgenMathJaxMany({json.dumps(request, ensure_ascii=True)})",
                                                timeout_sec=_TIMEOUT_S + 0.05 * len(items)))
            except Exception as exc:  # a timeout or V8 running out of memory: the build goes on
                return [RenderResult(None, f"MathJax failed: {type(exc).__name__}", cacheable=False) for _ in items]
        return [RenderResult(data["html"], path="mathjax") if "html" in data
                else RenderResult(None, "MathJax: " + _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], data["error"]))
                for data in raw]


_engine: MathJaxEngine | None = None
_unavailable: dict[Path, str] = {}
_lock = threading.Lock()


def forget_mathjax() -> None:
    """In a forked child: drop the parent's engine unused, as kbgen.katex.engine.forget_engine."""
    global _engine, _lock
    _engine, _lock = None, threading.Lock()


def get_mathjax(cache_dir: Path | str) -> MathJaxEngine | None:
    """The process's MathJax engine (fetching MathJax into ``cache_dir`` if needed), or None."""
    global _engine
    key = Path(cache_dir).resolve()
    with _lock:
        if _engine is not None or key in _unavailable:
            return _engine
        try:
            import py_mini_racer  # noqa: F401
        except ImportError:
            _unavailable[key] = "the mini-racer package is not installed"
            return None
        path = ensure_package(key, MATHJAX)
        if path is None:
            _unavailable[key] = f"MathJax could not be fetched ({last_error(MATHJAX)})"
            return None
        try:
            _engine = MathJaxEngine(path)
        except Exception as exc:  # a broken V8 build must not break the site build
            log.warning("the JavaScript engine failed to load MathJax: %s", exc)
            _unavailable[key] = f"the JavaScript engine failed to load MathJax: {exc}"
        return _engine
