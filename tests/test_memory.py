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


def test_the_heap_stays_frozen_until_the_outermost_scope_ends():
    import gc

    from kbgen.memory import frozen_heap

    assert gc.get_freeze_count() == 0
    keep = [object() for _ in range(100)]  # noqa: F841 - alive across the scopes
    with frozen_heap():
        outer = gc.get_freeze_count()
        assert outer >= 100
        with frozen_heap():  # page templating inside the build
            pass
        assert gc.get_freeze_count() == outer  # the inner scope left the build's freeze in place
    assert gc.get_freeze_count() == 0


def test_a_cli_build_leaves_nothing_frozen(tmp_path, monkeypatch):
    # kbgen serve builds again in the same process: the last build's objects must be collectable.
    import gc

    from kbgen import memory
    from kbgen.cli import main

    frozen_during: list[int] = []
    original = memory.frozen_heap

    def watched():
        frozen_during.append(gc.get_freeze_count())
        return original()

    monkeypatch.setattr(memory, "frozen_heap", watched)
    notes = tmp_path / "notes"
    notes.mkdir()
    for i in range(3):
        (notes / f"n{i}.md").write_text(f"# 노트 {i}\n\n[[n{(i + 1) % 3}]]\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--notes", str(notes), "--site", str(tmp_path / "site"), "-q", "-j", "1"]) == 0
    assert len(frozen_during) >= 2  # the build's scope and templating's inside it
    assert frozen_during[0] == 0 and frozen_during[1] > 0
    assert gc.get_freeze_count() == 0
