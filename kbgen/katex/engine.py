"""KaTeX running in-process in V8 (mini-racer): many formulas per call.

One V8 context per process and KaTeX copy, loaded on first use (≈ 0.1–0.3 s).
A page's formulas go to V8 in one call — crossing into V8 costs more than
typesetting a short formula — and come back as one JSON string.
"""
from __future__ import annotations

import atexit
import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from .fetch import KATEX_VERSION, ensure_katex, last_error

log = logging.getLogger(__name__)

# KaTeX's defaults except: errors come back to us (they become diagnostics),
# `strict` warnings would go to a console nobody reads, and \href & co. stay
# off (`trust: false`) because note text must never become live markup.
_RENDER_JS = r"""
var console = globalThis.console || {log() {}, warn() {}, error() {}, info() {}};
function kbgenRenderMany(request) {
  var out = [];
  for (var i = 0; i < request.items.length; i++) {
    var item = request.items[i];
    try {
      out.push({html: katex.renderToString(item[0], {
        displayMode: item[1], macros: Object.assign({}, request.macros),
        throwOnError: true, strict: "ignore", trust: false, output: "htmlAndMathml"})});
    } catch (e) {
      var isParse = e instanceof katex.ParseError;
      out.push({error: isParse ? String(e.message) : String(e && e.name) + ": " + String(e && e.message),
                position: isParse && typeof e.position === "number" ? e.position : null});
    }
  }
  return JSON.stringify(out);
}
"""

# Per-call budget: generous, only there so a runaway formula cannot hang a build.
_BATCH_TIMEOUT_S = 20.0
_SINGLE_TIMEOUT_S = 5.0
# KaTeX underlines the failing span with U+0332 for browsers; terminals mangle it.
_UNDERLINE = "\u0332"


@dataclass(frozen=True)
class RenderResult:
    """KaTeX's HTML+MathML for one formula, or why KaTeX refused it."""

    html: str | None
    error: str | None = None
    position: int | None = None  # offset into the TeX (Python characters) KaTeX blamed
    cacheable: bool = True  # False for a timeout: the next build may well succeed
    # How it was typeset: "katex" as written, "rewritten" (KaTeX after kbgen.katex.rewrite), "mathjax".
    path: str = "katex"

    @property
    def ok(self) -> bool:
        return self.error is None


class KatexEngine:
    """KaTeX loaded into one mini-racer context. Not shared across forked processes."""

    def __init__(self, katex_path: Path, version: str = KATEX_VERSION):
        from py_mini_racer import MiniRacer  # optional dependency: ImportError means "fall back"

        self.version = version
        self.path = katex_path
        # Engine calls and formulas typeset since load: lets tests prove the cache works.
        self.calls = 0
        self.formulas = 0
        self._lock = threading.Lock()
        self._ctx = MiniRacer()
        # Without an explicit close, mini-racer's V8 thread keeps the interpreter from exiting.
        atexit.register(self.close)
        self._ctx.eval((katex_path / "katex.min.js").read_text(encoding="utf-8") + "\n;0")
        self._ctx.eval(_RENDER_JS + "\n;0")

    def close(self) -> None:
        ctx, self._ctx = self._ctx, None
        if ctx is not None:
            ctx.close()

    def render_many(self, items: Sequence[tuple[str, bool]], macros: Mapping[str, str]) -> list[RenderResult]:
        """Typeset ``(tex, display)`` pairs in one V8 call; results in the same order."""
        if not items:
            return []
        with self._lock:
            try:
                raw = self._call(items, macros, _BATCH_TIMEOUT_S + 0.05 * len(items))
            except Exception:  # a timeout or V8 running out of memory: find the culprit alone
                return [self._render_one(tex, display, macros) for tex, display in items]
        return [_result(tex, data) for (tex, _), data in zip(items, raw)]

    def _render_one(self, tex: str, display: bool, macros: Mapping[str, str]) -> RenderResult:
        from py_mini_racer import JSTimeoutException

        try:
            return _result(tex, self._call([(tex, display)], macros, _SINGLE_TIMEOUT_S)[0])
        except JSTimeoutException:
            message = f"KaTeX gave up: typesetting took longer than {_SINGLE_TIMEOUT_S:g} s"
        except Exception as exc:  # whatever V8 throws, the build goes on
            message = f"KaTeX failed: {type(exc).__name__}: {exc}"
        return RenderResult(None, " ".join(message.split()), cacheable=False)

    def _call(self, items: Sequence[tuple[str, bool]], macros: Mapping[str, str], timeout: float) -> list[dict]:
        if self._ctx is None:
            raise RuntimeError("KaTeX engine is closed")
        request = {"items": [[tex, bool(display)] for tex, display in items], "macros": dict(macros)}
        # JSON is a JavaScript expression; ensure_ascii keeps U+2028 & co. out of the source.
        code = f"kbgenRenderMany({json.dumps(request, ensure_ascii=True)})"
        self.calls += 1
        self.formulas += len(items)
        return json.loads(self._ctx.eval(code, timeout_sec=timeout))


def _result(tex: str, data: dict) -> RenderResult:
    if "html" in data:
        return RenderResult(data["html"])
    # One line, as a diagnostic must be: KaTeX quotes the TeX around the error, newlines and all.
    message = " ".join(str(data.get("error") or "KaTeX error").replace(_UNDERLINE, "").split())
    position = data.get("position")
    return RenderResult(None, message, _utf16_to_index(tex, position) if isinstance(position, int) else None)


def _utf16_to_index(text: str, units: int) -> int:
    """A JavaScript string offset (UTF-16 code units) as a Python index."""
    if text.isascii() or all(ord(c) < 0x10000 for c in text):
        return min(units, len(text))
    encoded = text.encode("utf-16-le")[: 2 * units]
    return len(encoded.decode("utf-16-le", errors="ignore"))


# One engine per process: it depends only on the pinned KaTeX version. What went
# wrong is remembered per cache dir, so a failed fetch is not retried for every page.
_engine: KatexEngine | None = None
_unavailable: dict[Path, str] = {}
_lock = threading.Lock()


def get_engine(cache_dir: Path | str) -> KatexEngine | None:
    """The process's KaTeX engine (fetching KaTeX into ``cache_dir`` if needed), or None.

    None means "typeset in the browser instead": mini-racer is not installed or
    KaTeX could not be fetched; :func:`unavailable_reason` says which.
    """
    global _engine
    key = Path(cache_dir).resolve()
    with _lock:
        if _engine is not None:
            return _engine
        if key in _unavailable:
            return None
        _engine, reason = _load(key)
        if _engine is None:
            _unavailable[key] = reason
        return _engine


def forget_engine() -> None:
    """In a forked child: drop the parent's engine unused (its V8 thread did not come along) and load anew.

    Not closed: closing talks to that missing thread. A child leaves with os._exit, so its
    atexit handler never runs either.
    """
    global _engine, _lock
    _engine, _lock = None, threading.Lock()


def _load(cache_dir: Path) -> tuple[KatexEngine | None, str]:
    try:
        import py_mini_racer  # noqa: F401
    except ImportError:
        return None, "the mini-racer package is not installed"
    path = ensure_katex(cache_dir)
    if path is None:
        return None, f"KaTeX could not be fetched ({last_error()})"
    try:
        return KatexEngine(path), ""
    except Exception as exc:  # a broken V8 build must not break the site build
        log.warning("the JavaScript engine failed to load KaTeX: %s", exc)
        return None, f"the JavaScript engine failed to load KaTeX: {exc}"


def unavailable_reason(cache_dir: Path | str) -> str:
    """Why :func:`get_engine` returned None for ``cache_dir`` ('' if it did not)."""
    return _unavailable.get(Path(cache_dir).resolve(), "")
