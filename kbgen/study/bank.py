"""Banks: the quiz and card HTML the Quizzes and review pages run, in script files fetched on demand.

Every quiz of the vault, typeset and with its answer hashes, is a few KB; a
page that carried them all grew with the vault (9 MB at 10,000 notes). A bank
is cut into chunks of :func:`chunk_size` items, each a small script file
(``assets/kbgen/banks/<name>-<n>.js``) that stores its items in
``window.kbgenBanks["<name>-<n>"]``; the page's script adds a ``<script>`` for a
chunk when it first needs one of its items (study/assets/quiz.js ``loadBank``).
Plain scripts, not fetch(): they load from ``file://`` as from any static host.
"""
from __future__ import annotations

import json
from typing import Any, Sequence

from ..emit import SiteFile
from ..emit.paging import chunks
from ..vault.urls import relative_url

BANK_DIR = "assets/kbgen/banks"
CHUNK = 50  # items per file: a quiz is ~2 KB of typeset HTML, so a chunk is ~100 KB


def chunk_size(list_page_size: int) -> int:
    """Items per chunk: a quarter of a listing's page (``list_page_size``), so 50 by default."""
    return max(1, list_page_size // 4) if list_page_size > 0 else CHUNK


def bank_files(name: str, items: Sequence[Any], size: int) -> list[SiteFile]:
    """The chunk files of bank ``name``: item i is in ``<name>-<i // size>.js`` at ``i % size``."""
    return [SiteFile(f"{BANK_DIR}/{name}-{n}.js", script_assign(f"{name}-{n}", list(run)))
            for n, run in enumerate(chunks(list(items), size)) if run]


def script_assign(key: str, value: Any) -> str:
    """A script storing ``value`` (JSON, valid JavaScript) under ``window.kbgenBanks[key]``."""
    return (f"(window.kbgenBanks=window.kbgenBanks||{{}})[{json.dumps(key)}]="
            f"{json.dumps(value, ensure_ascii=False, separators=(',', ':'))};\n")


def bank_prefix(page_url: str, name: str) -> str:
    """The href prefix from the page at ``page_url`` to bank ``name``'s chunks (``…/name-``)."""
    return relative_url(page_url, f"{BANK_DIR}/{name}-")


def script_json(value: Any) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``<`` can end it or open a comment."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
