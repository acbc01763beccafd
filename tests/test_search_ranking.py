"""Search ranking: aliases rank like titles, tags (inline ones too) are in the index, listing pages are not."""
from __future__ import annotations

import json
from urllib.parse import unquote

from link_vaults import write_vault

from kbgen.cli import main
from kbgen.search.index import ALIASES_FIELD, add_aliases
from kbgen.search.shards import read_documents, read_terms


def test_add_aliases_puts_them_on_the_page_entry_only():
    index = {"config": {"fields": {"title": {"boost": 1000.0}}},
             "docs": [{"location": "a/", "title": "A"}, {"location": "a/#part", "title": "Part"},
                      {"location": "b/", "title": "B"}]}
    add_aliases(index, {"a/": ["Other Name", "별칭"]})
    assert index["config"]["fields"][ALIASES_FIELD] == {"boost": 1000.0}
    assert [d.get(ALIASES_FIELD) for d in index["docs"]] == ["Other Name 별칭", None, None]


def test_site_index_has_aliases_and_tags_and_no_listing_pages(tmp_path):
    notes = write_vault(tmp_path / "notes", {
        "ml/relu.md": "---\naliases: [렐루]\ntags: [활성화]\n---\n# ReLU\n\n본문 #인라인\n",
        "ml/other.md": "# Other\n\n렐루를 언급만 한다.\n",
    })
    site = tmp_path / "site"
    assert main(["build", "--notes", str(notes), "--site", str(site), "-q"]) == 0
    docs = {unquote(d["location"]): d for d in read_documents(site / "search")}
    terms = {unquote(location): fields for location, fields in read_terms(site / "search").items()}
    assert terms["ml/relu/"][ALIASES_FIELD] == {"렐루"}
    assert docs["ml/relu/"]["tags"] == ["활성화", "인라인"]
    assert terms["ml/relu/"]["tags"] == {"활성화", "인라인"}
    assert ALIASES_FIELD not in terms["ml/other/"]
    # generated pages (home, folders, tags) never compete with notes
    assert all(loc.startswith("ml/relu/") or loc.startswith("ml/other/") for loc in docs), sorted(docs)
