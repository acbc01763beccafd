"""Patch the split search index after an edit instead of writing it all again.

A cold build's pieces (kbgen.search.shards) are a function of Material's
document list. After an edit, most documents are unchanged; with the same pages
in the same order and the same number of documents each, every document keeps
its number, so only

- the ``docs/P.json`` of the changed pages,
- the term shards that hold a word the changed documents had or have, and
- ``pages.json`` when a title, tag or boost changed

can differ. :func:`update` reads the previous build's pieces (the site folder
starts as the previous site: kbgen.site_writer), takes the changed documents'
old postings out of the shards their old words were in and puts their new
ones in, in document order, so each piece holds exactly the bytes a cold
build writes. A shard that appears (a word with a new first letter) or goes
renumbers the shards after it by renaming their files. It gives up (``None``:
write everything) when it cannot be sure: another layout of pages or
documents, another configuration or kbgen, a piece not as the last build left
it (compared by size, time and inode), a letter whose words would split into
two-letter shards or join again, many changes.

The record of the last build (:class:`ShardState`) lives in kbgen's cache.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..cache import code_fingerprint
from .shards import FORMAT, SHARD_POSTINGS, doc_counts, keep_file, pages_of, shard_key, write_json

STATE_VERSION = 4  # 2: doc_key over repr; 3: over UTF-8 with lengths; 4: content_key apart
# Above this share of changed documents (and this many), patching reads most shards anyway: write all.
MAX_CHANGED_SHARE = 0.2
MAX_CHANGED_ALWAYS = 50
ALIASES = "aliases"


@dataclass
class ShardState:
    """What :func:`update` needs of the build that wrote the pieces now in the site."""

    fingerprint: str  # kbgen's code and the index configuration
    doc_keys: list[str]  # per document: its searchable content (:func:`doc_key`)
    layout: list[tuple[str, int]]  # per page: its location, how many documents
    by_first: dict[str, int]  # postings per first letter (which letters split by two)
    numbers: dict[str, int]  # shard key → piece number, as in the stub
    aliases: dict[int, Any]  # document number → its aliases field (not kept in any piece)
    files: dict[str, tuple[int, int, int]]  # piece (relative to search/) → size, mtime_ns, inode


def content_key(doc: dict[str, Any]) -> str:
    """A digest of what a document's page gives it: location, title, text and tags (:func:`doc_key` adds the rest).

    Made once where its page is templated and kept with the page (kbgen.search.index.SearchDocument):
    hashing every document of the site after each edit was a fiftieth of a second at 1,000 notes.
    """
    # Its strings are hashed as UTF-8 behind their length (repr of the text copied and escaped the
    # whole site's text once more, twice the time); anything but a string (a JSON number) by its repr,
    # marked apart.
    digest = hashlib.sha1()
    for part in (doc.get("location", ""), doc.get("title", ""), doc.get("text", "")):
        data = part.encode("utf-8", "surrogatepass") if type(part) is str else b"\x01" + repr(part).encode(
            "utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    digest.update(repr(list(doc.get("tags") or [])).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def doc_key(doc: dict[str, Any], content: str | None = None) -> str:
    """A digest of what a document contributes to the pieces, besides its boost and its derived parts;
    ``content``: its :func:`content_key`, when known."""
    key = content_key(doc) if content is None else content
    aliases = doc.get(ALIASES)
    return key if aliases is None else f"{key}\0{aliases!r}"


def _doc_keys(docs: list[dict[str, Any]], content_keys: list[str | None] | None) -> list[str]:
    if content_keys is None or len(content_keys) != len(docs):
        return [doc_key(d) for d in docs]
    return [doc_key(d, c) for d, c in zip(docs, content_keys)]


def fingerprint(config: dict[str, Any]) -> str:
    shown = {k: v for k, v in config.items() if k != "kbgen"}
    return f"{STATE_VERSION}\0{FORMAT}\0{code_fingerprint()}\0{json.dumps(shown, sort_keys=True, default=str)}"


def layout_of(docs: list[dict[str, Any]]) -> list[tuple[str, int]]:
    return [(str(page[0].get("location", "")), len(page)) for page in pages_of(docs)]


def record(index: dict[str, Any], search_dir: Path, stub: dict[str, Any], by_first: dict[str, int],
           state_path: Path, content_keys: list[str | None] | None = None) -> None:
    """Remember the pieces a full write just left in ``search_dir`` (see :func:`update`; ``content_keys`` too)."""
    docs = [d for d in index.get("docs", []) if isinstance(d, dict)]
    layout = layout_of(docs)
    numbers = dict(stub["config"]["kbgen"]["shards"])
    state = ShardState(fingerprint(index.get("config", {})), _doc_keys(docs, content_keys), layout, dict(by_first),
                       numbers, _aliases(docs), {})
    state.files = _stamps(search_dir, _pieces(len(layout), numbers))
    _save(state_path, state)


def update(index: dict[str, Any], search_dir: Path, state_path: Path,
           add_parts: Callable[[dict[str, Any]], None],
           content_keys: list[str | None] | None = None) -> dict[str, Any] | None:
    """Patch the pieces in ``search_dir`` to those of ``index``; the stub, or None when everything must be written.

    ``index`` is Material's, made Korean-aware except for its documents' parts:
    ``add_parts`` gives one document its parts field (only changed ones need it). ``content_keys``:
    each document's :func:`content_key` where known (None: made here), in the order of its documents.
    """
    state = _load(state_path)
    config = index.get("config", {})
    docs = [d for d in index.get("docs", []) if isinstance(d, dict)]
    if state is None or state.fingerprint != fingerprint(config):
        return None
    layout = layout_of(docs)
    if layout != state.layout:
        return None
    keys = _doc_keys(docs, content_keys)
    changed = [n for n, (key, old) in enumerate(zip(keys, state.doc_keys)) if key != old]
    if len(changed) > max(MAX_CHANGED_ALWAYS, MAX_CHANGED_SHARE * len(docs)) or not _intact(search_dir, state.files):
        return None
    patch = _patch(docs, changed, layout, state, search_dir, list(config.get("fields", {})), add_parts)
    if patch is None:
        return None
    shards, by_first = patch
    first_doc = _first_docs(layout)
    numbers = {key: n for n, key in enumerate(sorted(
        {k for k in state.numbers if k not in shards or shards[k]["t"]} | {k for k, v in shards.items() if v["t"]}))}
    if not numbers:
        return None
    written: set[str] = set()
    if numbers != state.numbers:
        try:
            _renumber(search_dir / "terms", state.numbers, numbers, shards)
        except OSError:
            return None  # pieces half renamed: writing everything puts them right
    for key, shard in shards.items():
        if key in numbers:
            write_json(search_dir / "terms" / f"{numbers[key]}.json", shard)
            written.add(f"terms/{numbers[key]}.json")
    state.numbers = numbers
    for p in sorted({_page_of(n, first_doc) for n in changed}):
        page = docs[first_doc[p]:first_doc[p] + layout[p][1]]
        write_json(search_dir / "docs" / f"{p}.json",
                   [[d.get("location", ""), d.get("title", ""), d.get("text", "")] for d in page])
        written.add(f"docs/{p}.json")
    write_json(search_dir / "pages.json", _pages_json(docs, layout))
    written.add("pages.json")
    pieces = _pieces(len(layout), numbers)
    folder = str(search_dir)
    try:
        for piece in pieces:
            if piece not in written:
                keep_file(os.path.join(folder, piece))
    except OSError:
        return None  # gone since _intact looked: write everything
    state.files = _stamps(search_dir, pieces)
    state.doc_keys, state.by_first, state.aliases = keys, by_first, _aliases(docs)
    _save(state_path, state)
    stub_config = dict(config)
    stub_config["kbgen"] = {"format": FORMAT, "documents": len(docs), "shards": state.numbers}
    return {"config": stub_config, "docs": []}


def _patch(docs: list[dict[str, Any]], changed: list[int], layout: list[tuple[str, int]], state: ShardState,
           search_dir: Path, fields: list[str], add_parts: Callable[[dict[str, Any]], None]
           ) -> tuple[dict[str, dict[str, Any]], dict[str, int]] | None:
    """The shards to write (key → content, empty when it goes) and the new postings per first letter; None to give up."""
    old_docs = _old_documents(changed, layout, state, search_dir)
    if old_docs is None:
        return None
    delta: Counter[str] = Counter()
    before: dict[str, list[tuple[int, int, int]]] = {}
    fresh: dict[str, list[tuple[int, int, int]]] = {}
    for n in changed:
        old = old_docs[n]
        add_parts(old)
        for f, counted in enumerate(doc_counts(old, fields)):
            delta.subtract(counted.keys())
            for term, tf in counted.items():
                before.setdefault(term, []).append((n, f, tf))
        add_parts(docs[n])
        for f, counted in enumerate(doc_counts(docs[n], fields)):
            delta.update(counted.keys())
            for term, tf in counted.items():
                fresh.setdefault(term, []).append((n, f, tf))
    # Only words whose postings changed: a sentence added to a note leaves its other words' counts
    # as they were, and their shards (most of the note's) need no rewrite.
    affected = {term for term in set(before) | set(fresh) if before.get(term) != fresh.get(term)}
    if any(_unsafe(term) for term in affected):
        return None
    by_first = dict(state.by_first)
    for term, d in delta.items():
        by_first[term[:1]] = by_first.get(term[:1], 0) + d
    for letter in {term[:1] for term in affected}:
        if (state.by_first.get(letter, 0) > SHARD_POSTINGS) != (by_first.get(letter, 0) > SHARD_POSTINGS):
            return None  # the letter's words move to other shards
        if by_first.get(letter, 0) == 0:
            by_first.pop(letter, None)  # as a cold build counts: only letters that occur
    groups: dict[str, list[str]] = {}
    for term in affected:
        groups.setdefault(shard_key(term, by_first), []).append(term)
    gone = set(changed)
    shards: dict[str, dict[str, Any]] = {}  # shard key → content; empty: the shard is gone
    for key, terms in groups.items():
        number = state.numbers.get(key)
        try:
            shard = json.loads((search_dir / "terms" / f"{number}.json").read_text(encoding="utf-8")) \
                if number is not None else {"t": [], "p": []}  # a shard this edit creates
        except (OSError, ValueError):
            return None
        postings = dict(zip(shard["t"], shard["p"]))
        if any(_unsafe(term) for term in postings):
            return None
        for term in terms:
            triples = [t for t in _decode(postings.get(term, [])) if t[0] not in gone]
            triples.extend(fresh.get(term, []))
            triples.sort()
            if triples:
                postings[term] = _encode(triples)
            else:
                postings.pop(term, None)
        ordered = sorted(postings)
        shards[key] = {"t": ordered, "p": [postings[t] for t in ordered]}
    return shards, by_first


def _renumber(terms: Path, old: dict[str, int], new: dict[str, int], rewritten: dict[str, Any]) -> None:
    """Give the kept shards their new numbers (a shard appeared or went before them): renamed, not rewritten.

    Every piece moves aside first, so no rename lands on a piece not yet moved.
    """
    aside = {key: terms / f"{n}.json.kbgen-renumber" for key, n in old.items()}
    for key, n in old.items():
        os.replace(terms / f"{n}.json", aside[key])
    for key, n in new.items():
        if key in old and key not in rewritten:
            os.replace(aside.pop(key), terms / f"{n}.json")
    for path in aside.values():  # shards that went, and those written afresh below
        path.unlink()


def _old_documents(changed: list[int], layout: list[tuple[str, int]], state: ShardState,
                   search_dir: Path) -> dict[int, dict[str, Any]] | None:
    """The changed documents as the last build indexed them, from its pieces; None if they do not match its record."""
    first_doc = _first_docs(layout)
    try:
        table = json.loads((search_dir / "pages.json").read_text(encoding="utf-8"))["pages"]
        old: dict[int, dict[str, Any]] = {}
        for p in sorted({_page_of(n, first_doc) for n in changed}):
            rows = json.loads((search_dir / "docs" / f"{p}.json").read_text(encoding="utf-8"))
            for i, (location, title, text) in enumerate(rows):
                n = first_doc[p] + i
                doc: dict[str, Any] = {"location": location, "title": title, "text": text}
                if table[p][2]:
                    doc["tags"] = list(table[p][2])  # Material gives a page's tags to each of its documents
                if n in state.aliases:
                    doc[ALIASES] = state.aliases[n]
                old[n] = doc
    except (OSError, ValueError, LookupError, TypeError):
        return None
    if any(n not in old or doc_key(old[n]) != state.doc_keys[n] for n in changed):
        return None  # a piece does not give back what was indexed (a character JSON could not hold)
    return old


def _pages_json(docs: list[dict[str, Any]], layout: list[tuple[str, int]]) -> dict[str, Any]:
    """``pages.json`` as kbgen.search.shards.write_shards writes it."""
    table: list[list[Any]] = []
    boosts: dict[int, float] = {}
    for n, doc in enumerate(docs):
        if isinstance(doc.get("boost"), (int, float)) and doc["boost"] != 1:
            boosts[n] = float(doc["boost"])
    for first, (_, count) in zip(_first_docs(layout), layout):
        head = docs[first]
        table.append([head.get("location", ""), head.get("title", ""), list(head.get("tags") or []), count])
    return {"pages": table, "boosts": boosts}


def _decode(flat: list[int]) -> list[tuple[int, int, int]]:
    out, doc = [], 0
    for i in range(0, len(flat), 3):
        doc += flat[i]
        out.append((doc, flat[i + 1], flat[i + 2]))
    return out


def _encode(triples: list[tuple[int, int, int]]) -> list[int]:
    flat: list[int] = []
    last = 0
    for doc, f, tf in triples:
        flat += [doc - last, f, tf]
        last = doc
    return flat


def _unsafe(term: str) -> bool:
    """A word a piece cannot give back as it was: JSON wrote its lone surrogate as ``?``."""
    return "?" in term or any("\ud800" <= ch <= "\udfff" for ch in term)


def _first_docs(layout: list[tuple[str, int]]) -> list[int]:
    firsts, n = [], 0
    for _, count in layout:
        firsts.append(n)
        n += count
    return firsts


def _page_of(n: int, first_doc: list[int]) -> int:
    import bisect

    return bisect.bisect_right(first_doc, n) - 1


def _aliases(docs: list[dict[str, Any]]) -> dict[int, Any]:
    return {n: d[ALIASES] for n, d in enumerate(docs) if ALIASES in d}


def _pieces(pages: int, numbers: dict[str, int]) -> list[str]:
    return ["pages.json", *(f"docs/{p}.json" for p in range(pages)), *(f"terms/{n}.json" for n in numbers.values())]


# Pieces are named by strings joined to the folder's (a Path per piece, three times per build for
# every piece of the site's index, was a hundredth of a second at 1,000 notes).


def _stamps(search_dir: Path, pieces: Any) -> dict[str, tuple[int, int, int]]:
    out: dict[str, tuple[int, int, int]] = {}
    folder = str(search_dir)
    for piece in pieces:
        try:
            st = os.stat(os.path.join(folder, piece))
        except OSError:
            continue  # missing: _intact fails next time and everything is written
        out[piece] = (st.st_size, st.st_mtime_ns, st.st_ino)
    return out


def _intact(search_dir: Path, files: dict[str, tuple[int, int, int]]) -> bool:
    """Every piece is still the file the last build left (a copied or restored site is not)."""
    folder = str(search_dir)
    for piece, stamp in files.items():
        try:
            st = os.stat(os.path.join(folder, piece))
        except OSError:
            return False
        if (st.st_size, st.st_mtime_ns, st.st_ino) != stamp:
            return False
    return True


def _load(path: Path) -> ShardState | None:
    try:
        state = pickle.loads(path.read_bytes())
    except Exception:  # noqa: BLE001 - no record or a damaged one: write everything
        return None
    return state if isinstance(state, ShardState) else None


def _save(path: Path, state: ShardState) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(pickle.dumps(state, protocol=5))
        os.replace(tmp, path)
    except OSError:
        pass  # the next build writes everything


def forget(path: Path) -> None:
    """Drop the record (a full write is under way: a failure half-way must not leave it describing old pieces)."""
    try:
        path.unlink()
    except OSError:
        pass
