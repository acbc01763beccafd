"""Typeset a page's formulas: from the disk cache, the rest in one KaTeX call.

Formulas are also announced while notes are parsed (:meth:`Typesetter.expect`).
Every few hundred, a worker thread typesets the ones the cache lacks — V8
runs without the GIL, so on a vault's first build KaTeX works while Python
parses — and the first page rendered waits for that work. The engine is loaded
only when a formula is missing from the cache, so a warm build never starts V8.
"""
from __future__ import annotations

import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Mapping, Sequence

from .cache import CACHE_FILE, FormulaCache, formula_key, formula_key_base
from .engine import KatexEngine, RenderResult, forget_engine, get_engine, unavailable_reason
from .fetch import KATEX_VERSION
from .mathjax import forget_mathjax, get_mathjax
from .rewrite import rewrite

log = logging.getLogger(__name__)

# Formulas per engine call when typesetting ahead: large enough that V8's
# per-call cost vanishes, small enough that one call's JSON stays a few MB.
_BATCH = 500


def normalize_macros(macros: Mapping[str, object] | None) -> dict[str, str]:
    """``{"R": "\\mathbb{R}"}`` and ``{"\\R": …}`` both define ``\\R`` (YAML users drop the backslash)."""
    normalized: dict[str, str] = {}
    for name, body in (macros or {}).items():
        name = str(name).strip()
        if not name:
            continue
        normalized[name if name.startswith("\\") else "\\" + name] = str(body)
    return normalized


class Typesetter:
    """Turns ``(tex, display)`` pairs into KaTeX results for one configuration."""

    def __init__(self, cache_dir: Path | str, macros: Mapping[str, object] | None = None):
        self.cache_dir = Path(cache_dir)
        self.macros = normalize_macros(macros)
        self.cache = FormulaCache(self.cache_dir / CACHE_FILE)
        self._key_base = formula_key_base(self.macros, KATEX_VERSION)
        self._announced: set[bytes] = set()
        self._expected: dict[bytes, tuple[str, bool]] = {}
        self._worker: ThreadPoolExecutor | None = None
        self._ahead: list[Future] = []
        self.seconds = 0.0  # wall time the pages waited for math, for the bench

    def expect(self, tex: str, display: bool) -> None:
        """Announce a formula a page will need, so it is typeset ahead with many others."""
        key = formula_key(self._key_base, tex, display)
        if key in self._announced:
            return
        self._announced.add(key)
        self._expected[key] = (tex, display)
        if len(self._expected) >= _BATCH:
            self._typeset_ahead()

    def engine(self) -> KatexEngine | None:
        return get_engine(self.cache_dir)

    def unavailable_reason(self) -> str:
        return unavailable_reason(self.cache_dir)

    def typeset(self, items: Sequence[tuple[str, bool]]) -> list[RenderResult | None]:
        """One result per item; None for the formulas only a browser can typeset now."""
        started = time.perf_counter()
        try:
            self._finish_ahead()
            keys = [formula_key(self._key_base, tex, display) for tex, display in items]
            found: dict[bytes, RenderResult | None] = dict(self.cache.get_many(keys))
            missing = {key: item for key, item in zip(keys, items) if key not in found}
            if missing:
                found.update(self._render(missing))
            return [found[key] for key in keys]
        finally:
            self.seconds += time.perf_counter() - started

    def _render(self, items: Mapping[bytes, tuple[str, bool]]) -> dict[bytes, RenderResult | None]:
        """Typeset with the engine and store in the cache; None for each when there is no engine."""
        engine = self.engine()
        if engine is None:
            return dict.fromkeys(items)
        results = dict(zip(items, engine.render_many(list(items.values()), self.macros)))
        self._second_chance(engine, items, results)
        self.cache.put_many({key: r for key, r in results.items() if r.cacheable})
        return results

    def _second_chance(self, engine: KatexEngine, items: Mapping[bytes, tuple[str, bool]],
                       results: dict[bytes, RenderResult]) -> None:
        """What KaTeX rejects: KaTeX again after meaning-keeping rewrites, then MathJax.

        A formula neither accepts keeps KaTeX's error (its position gives the
        diagnostic's column), with MathJax's opinion added.
        """
        failed = [key for key, r in results.items() if not r.ok and r.cacheable]
        if not failed:
            return
        rewritten = {}
        for key in failed:
            tex, display = items[key]
            new = rewrite(tex, display, results[key].error or "")
            if new != tex:
                rewritten[key] = (new, display)
        if rewritten:
            for key, result in zip(rewritten, engine.render_many(list(rewritten.values()), self.macros)):
                if result.ok:
                    results[key] = RenderResult(result.html, path="rewritten")
        still = [key for key in failed if not results[key].ok]
        mathjax = get_mathjax(self.cache_dir) if still else None
        if mathjax is None:
            return
        for key, result in zip(still, mathjax.render_many([items[key] for key in still], self.macros)):
            katex = results[key]
            if result.ok:
                results[key] = result
            elif result.cacheable:
                results[key] = RenderResult(None, f"{katex.error} ({result.error})", katex.position)

    def flush(self) -> None:
        """Typeset every announced formula the cache lacks now, and wait for it (a worker's chunk is done)."""
        self._finish_ahead()

    def before_fork(self) -> None:
        """No thread and no open database may cross a fork: finish typesetting ahead, close the cache."""
        self._finish_ahead()
        self.cache.close()  # reopened on next use

    def after_fork(self) -> None:
        """In a forked worker: a connection and JavaScript engines of its own (the parent's do not work here)."""
        self.cache = FormulaCache(self.cache_dir / CACHE_FILE)
        self._worker, self._ahead = None, []
        forget_engine()
        forget_mathjax()

    def _typeset_ahead(self) -> None:
        batch, self._expected = self._expected, {}
        if self._worker is None:
            self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kbgen-katex")
        self._ahead.append(self._worker.submit(self._fill_cache, batch))

    def _fill_cache(self, batch: dict[bytes, tuple[str, bool]]) -> None:
        missing = self.cache.missing(batch)
        if missing:
            self._render({key: batch[key] for key in missing})

    def _finish_ahead(self) -> None:
        if self._expected:
            self._typeset_ahead()
        if self._worker is None:
            return
        for future in self._ahead:
            try:
                future.result()
            except Exception as exc:  # the page's own call below typesets whatever is still missing
                log.warning("typesetting ahead failed: %s", exc)
        self._ahead.clear()
        self._worker.shutdown(wait=True)
        self._worker = None
