"""Search support: Korean-aware tokens for Material's lunr index (no MkDocs imports)."""
from __future__ import annotations

from .index import PARTS_FIELD, document_parts, korean_search_index, rewrite_search_index, use_search_worker
from .korean import SEPARATOR, compound_parts, separator_pattern, stem, words
from .page_text import searchable_html

__all__ = [
    "PARTS_FIELD",
    "SEPARATOR",
    "compound_parts",
    "document_parts",
    "korean_search_index",
    "rewrite_search_index",
    "searchable_html",
    "separator_pattern",
    "stem",
    "use_search_worker",
    "words",
]
