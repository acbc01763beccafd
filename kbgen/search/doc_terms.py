"""Each search document's parts field and term counts, in forked workers when there are many.

Writing the whole index (kbgen.search.shards.write_shards) first gives every
document its parts field (kbgen.search.index.add_parts) and counts the terms of
each of its fields; both depend on that document alone. On a large site that
was most of the seconds the build spent on the search index in one process
after templating, with the other cores idle. Here the documents are split
into consecutive chunks for kbgen.parallel's forked workers; results come back
in order, and a chunk whose worker failed is done in this process. The parts
and counts are exactly those of the serial loop (same functions, same order).
"""
from __future__ import annotations

from typing import Any, Callable

from .. import parallel
from .shards import doc_counts

# Fewer documents than this per worker are counted in this process (fork and pickling cost more).
DOCS_PER_WORKER = 1500
CHUNK_DOCS = 400

Counts = list  # per field (in the config's order), term → occurrences, in first-occurrence order


def document_terms(docs: list[dict[str, Any]], fields: list[str], add_parts: Callable[[dict[str, Any]], None],
                   parts_field: str, jobs: int | None = None) -> list[Counts]:
    """Give every document its parts field (``add_parts``) and return its term counts per field.

    ``jobs``: processes to use (None: one; 0: one per core), as the build's ``-j``.
    """
    workers = parallel.worker_count(jobs, len(docs), DOCS_PER_WORKER) if jobs is not None else 1
    if workers <= 1:
        return [_terms(doc, fields, add_parts) for doc in docs]

    def task(chunk: list[int]) -> list[tuple[Any, Counts]]:
        out = []
        for n in chunk:
            counts = _terms(docs[n], fields, add_parts)
            out.append((docs[n].get(parts_field), counts))
        return out

    counts: list[Counts] = []
    chunks = parallel.chunked(len(docs), workers, CHUNK_DOCS)
    for chunk, result in parallel.run_forked(task, chunks, workers):
        if result is None:  # the worker failed: this process does the chunk
            counts.extend(_terms(docs[n], fields, add_parts) for n in chunk)
            continue
        for n, (parts, doc_counted) in zip(chunk, result):
            if parts is None:  # as add_parts leaves a document without compounds
                docs[n].pop(parts_field, None)
            else:
                docs[n][parts_field] = parts
            counts.append(doc_counted)
    return counts


def _terms(doc: dict[str, Any], fields: list[str], add_parts: Callable[[dict[str, Any]], None]) -> Counts:
    add_parts(doc)
    return doc_counts(doc, fields)
