"""What keeps a build's memory down: no UTF-8 copies left by pickling, no token trees after rendering."""
from __future__ import annotations

import sys

from kbgen import pickles
from kbgen.build import build_vault
from kbgen.config import KbgenConfig


def test_pickling_leaves_no_utf8_copy_in_long_korean_strings():
    page = "<p>사라지는 기울기는 깊은 신경망에서 나타난다.</p>\n" * 100
    before = sys.getsizeof(page)
    data = pickles.dumps({"html": page, "list": [page, "ascii " * 100, "짧은"]})
    assert sys.getsizeof(page) == before
    assert pickles.loads(data) == {"html": page, "list": [page, "ascii " * 100, "짧은"]}


def test_lone_surrogates_survive_the_round_trip():
    text = "깨진 바이트 \udcff " * 100
    assert pickles.loads(pickles.dumps([text])) == [text]


def test_a_built_vault_holds_no_token_trees_yet_parses_a_note_on_demand(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("# A\n\nSee [[b#Part]].\n\n![[b#Part]]\n", encoding="utf-8")
    (notes / "b.md").write_text("# B\n\n## Part\n\n$x^2$ 본문.\n", encoding="utf-8")
    build = build_vault(KbgenConfig(notes_dir=notes, cache_dir=tmp_path / "cache"))
    parsed = build.vault.indexes["links"].parsed
    assert dict.__len__(parsed) == 0  # released before the emitters ran
    page = build.rendered["a.md"].html
    assert 'href="../b/#part"' in page and "본문" in page and "katex" in page  # the link, the embedded section
    again = parsed["b.md"]  # `kbgen serve` renders an embedder again: the note is parsed anew
    assert any(t.type == "heading_open" for t in again.tokens)
