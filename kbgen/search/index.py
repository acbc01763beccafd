"""Make Material's search index (``search/search_index.json``) find Korean words.

Material's browser search reads its whole configuration from this file; after
the changes below, :mod:`kbgen.search.shards` splits it for kbgen's worker:

- ``config.separator`` becomes :data:`~kbgen.search.korean.SEPARATOR` when it is
  still Material's stock ``[\\s\\-]+`` (a separator the author chose is kept):
  punctuation splits words (역전파(Backpropagation) → 역전파, backpropagation)
  and particles are cut off words in the index and in queries alike;
- every document gets a hidden field, :data:`PARTS_FIELD`, listing the inner
  parts of its compound words, so 소실 finds 기울기소실. Material displays only
  ``title``, ``text`` and ``tags``; extra fields are searched, never shown.
"""
from __future__ import annotations

import bisect
import html
import json
import re
from pathlib import Path
from typing import Any

from .korean import SEPARATOR, compound_parts, words
from . import shard_update
from .doc_terms import document_postings
from .shards import replace_file, write_json, write_shards

# Material's default separator for every language but Chinese and Japanese.
STOCK_SEPARATOR = r"[\s\-]+"
PARTS_FIELD = "parts"
# Below the text's own boost (1): a word found whole ranks above one found inside a compound.
PARTS_BOOST = 0.5
ALIASES_FIELD = "aliases"
# As the title's (Material: 1000): an alias is another title of the note.
ALIASES_BOOST = 1000.0

_TAG = re.compile(r"<[^>]*>")
# The worker that answers Material's search box from the split index; the adapter points pages at it.
WORKER_NAME = "worker.js"
WORKER = Path(__file__).resolve().parent.parent / "web" / "search-worker.js"


def plain_text(markup: str) -> str:
    """The words of an index entry's HTML, tags dropped and entities decoded."""
    return html.unescape(_TAG.sub(" ", markup))


_JSON_SCALARS = (str, int, float, bool, type(None))
# json.loads joins an escaped high and low surrogate into one character; a str may hold them apart.
_HIGH_SURROGATE = re.compile("[\ud800-\udbff]")


def as_json_loaded(doc: Any) -> Any:
    """``json.loads(json.dumps(doc, default=str))``, as reading Material's file gave it, without the text.

    A document of strings, numbers and string lists (tags) comes back as a
    shallow copy (its strings shared); anything else takes the round trip.
    """
    if isinstance(doc, dict) and all(type(k) is str and _json_stable(v) for k, v in doc.items()):
        return dict(doc)
    return json.loads(json.dumps(doc, default=str))


class SearchDocument(dict):
    """One of Material's search entries as :func:`as_json_loaded` gives it, with its
    :func:`~kbgen.search.shard_update.content_key`: made once, where its page is templated, and
    kept with the page (kbgen.mkdocs_build's page manifest), so that writing the index after an
    edit neither copies nor hashes the site's unchanged documents again."""

    __slots__ = ("content_key",)


def search_document(entry: Any) -> Any:
    """``entry`` as a :class:`SearchDocument`; an entry that is no JSON object is given back as it is."""
    loaded = as_json_loaded(entry)
    if type(loaded) is not dict:
        return entry
    doc = SearchDocument(loaded)
    doc.content_key = shard_update.content_key(doc)
    return doc


def _json_stable(value: Any) -> bool:
    if type(value) is list:
        return all(type(item) is str and _json_stable(item) for item in value)
    if type(value) is str:
        return value.isascii() or _HIGH_SURROGATE.search(value) is None
    return type(value) in _JSON_SCALARS


def document_parts(doc: dict[str, Any]) -> str:
    """The inner parts of the compound words in a document's title and text, space-separated.

    A part that already begins one of the document's own words is left out:
    the prefix search finds the document through that word.
    """
    found: list[str] = []
    for field in ("title", "text"):
        value = doc.get(field)
        if isinstance(value, str):
            found.extend(words(plain_text(value)))
    own = sorted(set(found))
    parts: dict[str, None] = {}
    for word in found:
        for part in compound_parts(word):
            if part not in parts and not _begins_a_word(part, own):
                parts[part] = None
    return " ".join(parts)


def _begins_a_word(prefix: str, sorted_words: list[str]) -> bool:
    i = bisect.bisect_left(sorted_words, prefix)
    return i < len(sorted_words) and sorted_words[i].startswith(prefix)


def korean_search_index(index: dict[str, Any]) -> dict[str, Any]:
    """Return ``index`` (the parsed search_index.json) made Korean-aware; idempotent."""
    korean_config(index)
    for doc in index.get("docs", []):
        if isinstance(doc, dict):
            add_parts(doc)
    return index


def korean_config(index: dict[str, Any]) -> None:
    """The configuration part of :func:`korean_search_index`: separator and the parts field."""
    config = index.setdefault("config", {})
    if config.get("separator", STOCK_SEPARATOR) == STOCK_SEPARATOR:
        config["separator"] = SEPARATOR
    fields = config.setdefault("fields", {})
    fields.setdefault(PARTS_FIELD, {"boost": PARTS_BOOST})


def add_parts(doc: dict[str, Any]) -> None:
    """Give one document its parts field (:func:`document_parts`), or none when it has no compounds."""
    parts = document_parts(doc)
    if parts:
        doc[PARTS_FIELD] = parts
    else:
        doc.pop(PARTS_FIELD, None)


def add_aliases(index: dict[str, Any], aliases: dict[str, list[str]]) -> dict[str, Any]:
    """Give each note's page entry its aliases as a field that ranks like the title.

    ``aliases`` maps a page's location (its URL, as in the index) to its aliases.
    Material searches every field of ``config.fields`` and shows only title and
    text, so a note found by another of its names ranks above notes that merely
    mention that name in their text.
    """
    if not aliases:
        return index
    index.setdefault("config", {}).setdefault("fields", {}).setdefault(ALIASES_FIELD, {"boost": ALIASES_BOOST})
    for doc in index.get("docs", []):
        if isinstance(doc, dict) and doc.get("location") in aliases:
            # escaped like every other string of the index (title, text), though never displayed
            doc[ALIASES_FIELD] = html.escape(" ".join(aliases[doc["location"]]))
    return index


def rewrite_search_index(site_dir: Path, aliases: dict[str, list[str]] | None = None,
                         state: Path | None = None, docs: list[Any] | None = None, jobs: int | None = None) -> bool:
    """Make ``site_dir/search/search_index.json`` Korean-aware and split it (kbgen.search.shards); False when there is none.

    Material's search plugin writes the file in its own ``on_post_build``, so
    this must run after it. The file keeps Material's config (the page reads it)
    and kbgen's worker (:data:`WORKER`) is copied beside the pieces it reads.
    ``state``: where the record of the pieces is kept (kbgen's cache); with it,
    the previous build's pieces are patched where only some pages changed
    (kbgen.search.shard_update), with the same bytes as writing them all.
    ``docs``: Material's documents as its plugin holds them, when it wrote the
    file without them (the adapter keeps them back): read from the file, they
    were the whole site's text once more as JSON, then once more as objects.
    They are not changed here. ``jobs``: processes for the documents' terms and
    pieces when everything is written (kbgen.search.doc_terms; None: this one).
    """
    search_dir = Path(site_dir) / "search"
    path = search_dir / "search_index.json"
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(index, dict):
        return False
    content_keys: list[str | None] | None = None
    if docs is not None:  # a SearchDocument is JSON-loaded already: copied (aliases and parts go in), not checked
        index["docs"] = [dict(doc) if type(doc) is SearchDocument else as_json_loaded(doc) for doc in docs]
        content_keys = [doc.content_key if type(doc) is SearchDocument else None
                        for doc, loaded in zip(docs, index["docs"]) if isinstance(loaded, dict)]
    korean_config(index)
    add_aliases(index, aliases or {})
    stub = shard_update.update(index, search_dir, state, add_parts, content_keys) if state is not None else None
    if stub is None:
        if state is not None:
            shard_update.forget(state)  # a write that fails half-way must leave no record of old pieces
        fields = list(index.get("config", {}).get("fields", {}))
        for sub in ("terms", "docs"):
            (search_dir / sub).mkdir(parents=True, exist_ok=True)
        postings = document_postings([d for d in index.get("docs", []) if isinstance(d, dict)], fields, add_parts,
                                     PARTS_FIELD, search_dir, jobs)
        layout: dict[str, Any] = {}
        stub = write_shards(index, search_dir, layout, postings)
        if state is not None:
            shard_update.record(index, search_dir, stub, layout["by_first"], state, content_keys)
    write_json(path, stub)
    replace_file(search_dir / WORKER_NAME, WORKER.read_bytes())
    return True


# Material's page config names its worker: "search": "<path to the site root>assets/javascripts/workers/search.<hash>.min.js"
_MATERIAL_WORKER = re.compile(r'("search":\s*")((?:\.\./|\./)*|[^"]*?/)assets/javascripts/workers/search\.[0-9a-f]+\.min\.js"')


def use_search_worker(page_html: str) -> str:
    """Point a page's search box at kbgen's worker (``search/worker.js``) instead of Material's."""
    return _MATERIAL_WORKER.sub(lambda m: f'{m.group(1)}{m.group(2)}search/{WORKER_NAME}"', page_html, count=1)
