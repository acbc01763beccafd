"""Typeset a page's formulas: from the disk cache, the rest in one KaTeX call.

Formulas can also be announced while notes are parsed (:meth:`Typesetter.expect`);
the first page rendered then typesets every announced formula the cache lacks
in a few large engine calls — a vault's first build pays V8's per-call cost
once per few hundred formulas instead of once per page. The engine is loaded
only when a formula is missing from the cache, so a warm build never starts V8.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Mapping, Sequence

from .cache import CACHE_FILE, FormulaCache, formula_key, formula_key_base
from .engine import KatexEngine, RenderResult, get_engine, unavailable_reason
from .fetch import KATEX_VERSION

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
        self._expected: dict[bytes, tuple[str, bool]] = {}
        self.seconds = 0.0  # wall time spent here, for the bench

    def expect(self, tex: str, display: bool) -> None:
        """Announce a formula a page will need, so it can be typeset with many others."""
        self._expected.setdefault(formula_key(self._key_base, tex, display), (tex, display))

    def engine(self) -> KatexEngine | None:
        return get_engine(self.cache_dir)

    def unavailable_reason(self) -> str:
        return unavailable_reason(self.cache_dir)

    def typeset(self, items: Sequence[tuple[str, bool]]) -> list[RenderResult | None]:
        """One result per item; None for the formulas only a browser can typeset now."""
        started = time.perf_counter()
        try:
            return self._typeset(items)
        finally:
            self.seconds += time.perf_counter() - started

    def _typeset_expected(self) -> None:
        expected, self._expected = self._expected, {}
        missing = self.cache.missing(expected)
        engine = self.engine() if missing else None
        if engine is None:
            return
        for start in range(0, len(missing), _BATCH):
            keys = missing[start : start + _BATCH]
            results = engine.render_many([expected[k] for k in keys], self.macros)
            self.cache.put_many({k: r for k, r in zip(keys, results) if r.cacheable})

    def _typeset(self, items: Sequence[tuple[str, bool]]) -> list[RenderResult | None]:
        if self._expected:
            self._typeset_expected()
        keys = [formula_key(self._key_base, tex, display) for tex, display in items]
        found: dict[bytes, RenderResult | None] = dict(self.cache.get_many(keys))
        missing: dict[bytes, tuple[str, bool]] = {}
        for key, item in zip(keys, items):
            if key not in found:
                missing.setdefault(key, item)
        if missing:
            engine = self.engine()
            if engine is None:
                found.update(dict.fromkeys(missing))
            else:
                results = engine.render_many(list(missing.values()), self.macros)
                fresh = dict(zip(missing, results))
                self.cache.put_many({k: r for k, r in fresh.items() if r.cacheable})
                found.update(fresh)
        return [found[key] for key in keys]
