"""`kbgen serve` shows an edit that changes only its own page at once, and that page is the cold build's page."""
from __future__ import annotations

from pathlib import Path

import pytest

from kbgen.mkdocs_serve import _Changes, _show_at_once

from link_vaults import write_vault
from test_site_build import config_file, kbgen_build, tree

VAULT = {
    "a.md": "---\ntitle: Alpha\ntags: [x]\naliases: [first]\n---\n# Alpha\n\nSee [[b]] and [[c#Part two]] and $x^2$.\n\n"
            "## One\n\ntext ^blk #inline\n",
    "b.md": "# Beta\n\n![[c#Part two]]\n\n[[a#^blk]] and [[a#One]] and [[missing]]\n",
    "c.md": "# Gamma\n\n## Part two\n\nembedded text with [[a]]\n",
    "sub/e.md": "---\naliases: [epsilon]\n---\n# Eps\n\n[[../a|up]] [t](../b.md)\n",
    "img.png": b"\x89PNG\r\n",
}

# (note, new text, whether only its own page changes)
EDITS = [
    ("a.md", VAULT["a.md"].replace("See [[b]]", "Now see [[b]] (**edited**) 기울기"), True),
    ("a.md", VAULT["a.md"] + "\n## Added heading\n\n[[#One]] $y$ text\n", True),  # a new heading, a self-link
    # b embeds it: c's page at once, b's with the rebuild
    ("c.md", VAULT["c.md"].replace("embedded text", "changed embedded text"), True),
    ("b.md", VAULT["b.md"] + "\nmore [[c]] words\n", True),  # a link to a note it already links to
    ("b.md", VAULT["b.md"] + "\n[[sub/e]]\n", False),  # a new link: e's backlinks change
    ("a.md", VAULT["a.md"].replace("title: Alpha", "title: Alef"), False),
    ("a.md", VAULT["a.md"].replace("#inline", "#other"), False),  # its tags change
    ("sub/e.md", VAULT["sub/e.md"].replace("Eps\n", "Eps\n\nnew line\n"), True),  # an alias line to keep
]


@pytest.mark.parametrize("note, text, quick", EDITS)
def test_a_quick_page_is_the_page_a_cold_build_writes(tmp_path: Path, note: str, text: str, quick: bool):
    notes = write_vault(tmp_path / "notes", VAULT)
    served = tmp_path / "served"
    stats = kbgen_build(config_file(tmp_path, notes, served, tmp_path / "cache"))
    assert stats.state is not None
    before = tree(served)
    (notes / note).write_text(text, encoding="utf-8")

    assert _show_at_once(stats.state, {note}) is quick

    kbgen_build(config_file(tmp_path, notes, tmp_path / "cold", tmp_path / "cold-cache"))
    now, cold = tree(served), tree(tmp_path / "cold")
    page = note[:-3] + "/index.html"
    if quick:
        assert now[page] != before[page]
        assert now[page] == cold[page]
        # nothing but that page was written
        assert [p for p in now if now[p] != before[p]] == [page]
    else:
        assert now == before
    # the rebuild that follows in kbgen serve brings every other page up to date
    kbgen_build(config_file(tmp_path, notes, served, tmp_path / "cache"))
    assert tree(served) == cold


def test_changes_name_the_edited_notes_and_give_up_on_folders(tmp_path: Path):
    from watchdog.events import DirCreatedEvent, FileClosedEvent, FileMovedEvent, FileOpenedEvent

    notes = tmp_path / "notes"
    (notes / "sub").mkdir(parents=True)
    changes = _Changes(str(notes))
    changes.on_any_event(FileOpenedEvent(str(notes / "a.md")))
    changes.on_any_event(FileClosedEvent(str(notes / "a.md")))
    changes.on_any_event(FileMovedEvent(str(notes / "sub" / ".b.md.swp"), str(notes / "sub" / "b.md")))
    assert changes.take() == {"a.md", "sub/.b.md.swp", "sub/b.md"}
    assert changes.take() == set()
    changes.on_any_event(DirCreatedEvent(str(notes / "new")))
    assert changes.take() is None
