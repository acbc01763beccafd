"""The search index split so that a search fetches only what its words need.

Material's search plugin writes one ``search_index.json`` holding every page's
text; its browser code fetches it whole on every page and builds a lunr index
of it before the first answer (15 MB and seconds at 5,000 notes). kbgen keeps
Material's search box and result list but answers from a prebuilt inverted
index in pieces, served by its own worker (kbgen/web/search-worker.js, which
speaks the messages of Material's worker):

- ``search/search_index.json`` keeps Material's ``config`` (separator, fields
  and their boosts) and gains ``config.kbgen``: the shard table. Its ``docs``
  list is empty, so the page fetches almost nothing.
- ``search/pages.json``: per page its location, title, tags and how many
  documents (the page, then its sections) it has — the table a ``#tag``
  search and the result list's titles come from.
- ``search/terms/N.json``: the terms starting with one shard key (their first
  letter, or first two for a crowded letter), sorted, each with its postings
  ``[doc, field, count, …]`` (doc as a difference from the previous one).
- ``search/docs/P.json``: the documents of page P (location, title, text),
  fetched only for the pages a search shows.

Terms are exactly the words Material's worker would index: the text between
HTML tags, split by the site's separator (kbgen.search.korean), lower-cased —
lunr's pipeline is empty with kbgen's ``pipeline`` setting. The worker scores
them as lunr does (BM25 with ``b = 0``, ``k1 = 1.2``, field and document
boosts), so the ranking and the Korean recall stay Material's.
"""
from __future__ import annotations

import itertools
import json
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Iterator

from .korean import words

FORMAT = 1
# Postings above which a first letter's shard splits by the first two letters.
SHARD_POSTINGS = 12000
_TAG = re.compile(r"<[^>]*>")


def field_terms(value: Any) -> Iterator[str]:
    """The terms of one field: tags and markup skipped (as Material's tokenizer skips them), then split."""
    if isinstance(value, str):  # most fields: one string, its words without a generator per field
        return words(_TAG.sub(" ", value))
    items = value if isinstance(value, list) else [value]
    return itertools.chain.from_iterable(words(_TAG.sub(" ", item)) for item in items if isinstance(item, str))


def pages_of(docs: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Material lists each page's document first, then its sections (``page/#anchor``)."""
    pages: list[list[dict[str, Any]]] = []
    for doc in docs:
        path = str(doc.get("location", "")).split("#", 1)[0]
        if pages and str(pages[-1][0].get("location", "")).split("#", 1)[0] == path and "#" in doc.get("location", ""):
            pages[-1].append(doc)
        else:
            pages.append([doc])
    return pages


def first_letter_postings(counts: Counter[str]) -> dict[str, int]:
    """Postings per first letter of their term (``counts``: postings per term)."""
    by_first: dict[str, int] = Counter()
    for term, n in counts.items():
        by_first[term[:1]] += n
    return dict(by_first)


def shard_key(term: str, by_first: dict[str, int]) -> str:
    """A term's shard: its first letter, or its first two when that letter holds too many postings."""
    return term[:2] if by_first.get(term[:1], 0) > SHARD_POSTINGS else term[:1]


def shard_keys(counts: Counter[str]) -> dict[str, str]:
    """term → its shard key (:func:`shard_key`)."""
    by_first = first_letter_postings(counts)
    return {term: shard_key(term, by_first) for term in counts}


def doc_counts(doc: dict[str, Any], fields: list[str]) -> list[Counter[str]]:
    """How often each term occurs in each of a document's fields (``fields`` in the config's order)."""
    return [Counter(field_terms(doc.get(name))) for name in fields]


class Postings:
    """The postings of consecutive documents: term → flat ``[doc, field, count, …]``, doc as a difference
    from the term's previous document, the first one from document 0; runs of documents made apart
    (kbgen.search.doc_terms) are joined in order by :meth:`join`, with the same lists one run gives."""

    def __init__(self) -> None:
        self.terms: dict[str, list[int]] = {}
        self.last: dict[str, int] = {}  # term → its last document
        self.counts: Counter[str] = Counter()  # term → its postings

    def add(self, number: int, counted: list[Counter[str]]) -> None:
        """Document ``number``'s terms, per field (:func:`doc_counts`)."""
        # The whole site's (document, field, term) triples go through here: no list made per
        # triple, and the postings per term counted by Counter in C.
        terms, last, counts = self.terms, self.last, self.counts
        for f, field_counts in enumerate(counted):
            for term, tf in field_counts.items():
                entry = terms.get(term)
                if entry is None:  # a term's first document is written as a difference from document 0
                    terms[term] = [number, f, tf]
                else:
                    entry += (number - last[term], f, tf)
                last[term] = number
            counts.update(field_counts.keys())

    def join(self, later: "Postings") -> None:
        """Append the postings of the documents that follow these (``later`` is used up)."""
        terms, last = self.terms, self.last
        for term, flat in later.terms.items():
            entry = terms.get(term)
            if entry is None:
                terms[term] = flat
            else:
                flat[0] -= last[term]
                entry += flat
            last[term] = later.last[term]
        self.counts.update(later.counts)


def page_postings(pages: list[list[dict[str, Any]]], first: int, stop: int, first_doc: int,
                  counts_of: Callable[[dict[str, Any]], list[Counter[str]]], search_dir: Path) -> Postings:
    """Write ``docs/P.json`` of ``pages[first:stop]`` and return their documents' postings.

    ``first_doc``: the number of the first document of ``pages[first]``; ``counts_of``: a document's
    :func:`doc_counts`.
    """
    out = Postings()
    number = first_doc
    for p in range(first, stop):
        page = pages[p]
        write_json(search_dir / "docs" / f"{p}.json",
                   [[d.get("location", ""), d.get("title", ""), d.get("text", "")] for d in page])
        for doc in page:
            out.add(number, counts_of(doc))
            number += 1
    return out


def write_shards(index: dict[str, Any], search_dir: Path, layout: dict[str, Any] | None = None,
                 postings: Postings | None = None) -> dict[str, Any]:
    """Write pages, documents and term shards for ``index`` (Material's, made Korean-aware) under ``search_dir``.

    Returns the stub that replaces ``search_index.json``: Material's config with
    the shard table, and no documents. ``layout``, when given, receives the
    postings per first letter (``by_first``): what kbgen.search.shard_update needs
    to patch these pieces after an edit. ``postings``: every document's, when
    already made with their ``docs/P.json`` written (kbgen.search.doc_terms).
    """
    config = dict(index.get("config", {}))
    fields = list(config.get("fields", {}))
    docs = [d for d in index.get("docs", []) if isinstance(d, dict)]
    for sub in ("terms", "docs"):
        (search_dir / sub).mkdir(parents=True, exist_ok=True)
    pages = pages_of(docs)
    table = [[page[0].get("location", ""), page[0].get("title", ""), list(page[0].get("tags") or []), len(page)]
             for page in pages]
    boosts = {number: float(doc["boost"]) for number, doc in enumerate(docs)
              if isinstance(doc.get("boost"), (int, float)) and doc["boost"] != 1}
    if postings is None:
        postings = page_postings(pages, 0, len(pages), 0, lambda doc: doc_counts(doc, fields), search_dir)
    counts = postings.counts
    keys = shard_keys(counts)
    if layout is not None:
        layout["by_first"] = first_letter_postings(counts)
    shards: dict[str, list[str]] = {}
    for term in sorted(postings.terms):
        shards.setdefault(keys[term], []).append(term)
    numbers: dict[str, int] = {}
    for n, (key, terms) in enumerate(sorted(shards.items())):
        numbers[key] = n
        write_json(search_dir / "terms" / f"{n}.json", {"t": terms, "p": [postings.terms[t] for t in terms]})
    _remove_stale(search_dir / "docs", len(pages))
    _remove_stale(search_dir / "terms", len(numbers))
    write_json(search_dir / "pages.json", {"pages": table, "boosts": boosts})
    config["kbgen"] = {"format": FORMAT, "documents": len(docs), "shards": numbers}
    return {"config": config, "docs": []}


def read_documents(search_dir: Path) -> list[dict[str, Any]]:
    """Every document as the result list shows it (location, title, text; tags on pages), in index order."""
    pages = json.loads((search_dir / "pages.json").read_text(encoding="utf-8"))["pages"]
    out: list[dict[str, Any]] = []
    for p, (_, _, tags, _) in enumerate(pages):
        for i, (location, title, text) in enumerate(json.loads((search_dir / "docs" / f"{p}.json").read_text("utf-8"))):
            out.append({"location": location, "title": title, "text": text, **({"tags": tags} if i == 0 else {})})
    return out


def read_terms(search_dir: Path) -> dict[str, dict[str, set[str]]]:
    """location → field → the terms indexed for it (to see what a search can find)."""
    stub = json.loads((search_dir / "search_index.json").read_text(encoding="utf-8"))
    fields = list(stub["config"]["fields"])
    locations = [d["location"] for d in read_documents(search_dir)]
    out: dict[str, dict[str, set[str]]] = {}
    for n in stub["config"]["kbgen"]["shards"].values():
        shard = json.loads((search_dir / "terms" / f"{n}.json").read_text(encoding="utf-8"))
        for term, flat in zip(shard["t"], shard["p"]):
            doc = 0
            for i in range(0, len(flat), 3):
                doc += flat[i]
                out.setdefault(locations[doc], {}).setdefault(fields[flat[i + 1]], set()).add(term)
    return out


def write_json(path: Path, value: Any) -> None:
    """Compact raw UTF-8 JSON (half the size of Material's \\u escapes for Korean); a lone surrogate becomes ``?``."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    replace_file(path, text.encode("utf-8", "replace"))


def replace_file(path: Path, data: bytes) -> None:
    """Write ``path`` as a new file: the site folder may start as hard links to the previous site's files
    (kbgen.site_writer), which writing in place would change under the site being served.

    A file that already holds ``data`` is kept (:func:`keep_file`): after an edit most
    pieces are the previous build's, and reading one is cheaper than creating it again.
    """
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            keep_file(path)
            return
    except OSError:
        pass
    tmp = path.with_name(path.name + ".kbgen-tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def keep_file(path: Path | str) -> None:
    """Mark a piece left as it was as this build's output: the site writer removes files older than
    the build that it did not write itself (kbgen.site_writer.SiteWriter.remove_stale)."""
    os.utime(path)


def _remove_stale(folder: Path, count: int) -> None:
    # Only the numbered pieces a previous build wrote: a note's page may live in this folder too.
    for piece in folder.glob("*.json"):
        if piece.stem.isdigit() and int(piece.stem) >= count:
            piece.unlink()
