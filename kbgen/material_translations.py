"""Material's translated words looked up once per build, not once per use.

Every page asks Material's ``partials/language.html`` for about twenty-five
words (``lang.t("nav")``, the search box's placeholder, …). Each ask runs its
``t`` macro, which runs the language file's own ``t`` macro, which builds that
file's whole table as a dict literal (some 120 entries) to look one key up, and
the English file's when the key is missing. The answer for a key is the same on
every page of a build: the language is the configuration's.

:class:`TranslationMemo` is called in ``t``'s place (the rewrite of
:func:`memo_source`) and keeps each key's answer — the macro's own output, of
its own type — from :meth:`~TranslationMemo.start` to
:meth:`~TranslationMemo.stop`; outside a build it passes every call through.
Only the ``language.html`` versions in :data:`KNOWN_LANGUAGE` are rewritten.
Jinja only; no MkDocs import.
"""
from __future__ import annotations

import hashlib
from typing import Any

TEMPLATE = "partials/language.html"
# Material 9.x language.html files (sha256) whose ``t`` depends on its key alone (and the configured language).
KNOWN_LANGUAGE = frozenset({
    "3a44516f305006ac794f51a45ad7b532cf270916d8e92e8c42784e58b2eff0a3",  # Material 9.8.1
})
GLOBAL = "kbgen_translation"
_MACRO = "{% macro t(key) %}{{ lang.t(key) or fallback.t(key) or key }}{% endmacro %}"
_UNCACHED = "kbgen_translation_uncached"
_MEMOIZED = (_MACRO.replace("macro t(", f"macro {_UNCACHED}(", 1)
             + f"{{% macro t(key) %}}{{{{ {GLOBAL}({_UNCACHED}, key) }}}}{{% endmacro %}}")


def memo_source(source: str) -> str | None:
    """Material's language.html with ``t`` answered through :data:`GLOBAL`; None for a file not known."""
    if hashlib.sha256(source.encode("utf-8")).hexdigest() not in KNOWN_LANGUAGE or source.count(_MACRO) != 1:
        return None
    return source.replace(_MACRO, _MEMOIZED, 1)


class TranslationMemo:
    """The :data:`GLOBAL` the rewritten ``t`` calls: each key's translation, kept while a build runs."""

    def __init__(self) -> None:
        self.memo: dict[str, Any] | None = None  # None: not in a build, every call is answered afresh
        self.hits = 0

    def start(self) -> None:
        self.memo, self.hits = {}, 0

    def stop(self) -> None:
        self.memo = None

    def __call__(self, uncached: Any, key: Any) -> Any:
        if self.memo is None or type(key) is not str:
            return uncached(key)
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = uncached(key)
        else:
            self.hits += 1
        return found
