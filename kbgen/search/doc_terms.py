"""The search documents' parts, term postings and ``docs/P.json`` pieces, in forked workers when there are many.

Writing the whole index (kbgen.search.shards.write_shards) gives every
document its parts field (kbgen.search.index.add_parts), counts the terms of
each of its fields into the postings, and writes each page's documents to its
own piece; all of it depends on consecutive pages alone. On a large site that
was most of the seconds the build spent on the search index in one process
after templating, with the other cores idle. Here the pages are split into
consecutive runs for kbgen.parallel's forked workers: each gives its documents
their parts, writes its pages' pieces and returns its postings; the runs come
back in order and are joined (kbgen.search.shards.Postings.join) into the
lists one process makes. A run whose worker failed is done in this process.
"""
from __future__ import annotations

from typing import Any, Callable

from .. import parallel
from .shards import Postings, doc_counts, page_postings, pages_of

# Fewer documents than this per worker are counted in this process (fork and pickling cost more).
DOCS_PER_WORKER = 1500
CHUNK_DOCS = 400  # documents (whole pages) a worker takes at a time


def document_postings(docs: list[dict[str, Any]], fields: list[str], add_parts: Callable[[dict[str, Any]], None],
                      parts_field: str, search_dir: Any, jobs: int | None = None) -> Postings:
    """Give every document its parts field (``add_parts``), write every page's ``docs/P.json`` under
    ``search_dir``, and return the documents' postings (what write_shards takes).

    ``jobs``: processes to use (None: one; 0: one per core), as the build's ``-j``.
    """
    pages = pages_of(docs)
    starts = [0]  # each page's first document
    for page in pages:
        starts.append(starts[-1] + len(page))

    def counted(doc: dict[str, Any]) -> list:
        add_parts(doc)
        return doc_counts(doc, fields)

    def run(chunk: list[int]) -> Postings:  # consecutive page numbers
        return page_postings(pages, chunk[0], chunk[-1] + 1, starts[chunk[0]], counted, search_dir)

    workers = parallel.worker_count(jobs, len(docs), DOCS_PER_WORKER) if jobs is not None else 1
    if workers <= 1 or not pages:
        return run(list(range(len(pages)))) if pages else Postings()

    def task(chunk: list[int]) -> tuple[list[Any], Postings]:
        postings = run(chunk)
        return [doc.get(parts_field) for p in chunk for doc in pages[p]], postings

    total = Postings()
    for chunk, result in parallel.run_forked(task, _page_chunks(pages, workers, len(docs)), workers):
        if result is None:  # the worker failed: this process does the run (its pieces are written again)
            total.join(run(chunk))
            continue
        parts, postings = result
        for doc, value in zip([doc for p in chunk for doc in pages[p]], parts):
            if value is None:  # as add_parts leaves a document without compounds
                doc.pop(parts_field, None)
            else:
                doc[parts_field] = value
        total.join(postings)
    return total


def _page_chunks(pages: list[list[dict[str, Any]]], workers: int, documents: int) -> list[list[int]]:
    """Consecutive page numbers, about CHUNK_DOCS documents a run (fewer when there are few documents)."""
    size = max(1, min(CHUNK_DOCS, documents // (workers * 2)))
    chunks: list[list[int]] = [[]]
    held = 0
    for p, page in enumerate(pages):
        if held >= size:
            chunks.append([])
            held = 0
        chunks[-1].append(p)
        held += len(page)
    return chunks
