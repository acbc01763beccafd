"""Emitters replayed from the last build (kbgen.emit.memo) give what a cold build gives, file for file."""
from __future__ import annotations

import os

import re
import shutil
from pathlib import Path

import pytest

from kbgen.build import build_vault
from kbgen.config import KbgenConfig
from kbgen.nav.folders import ROOT_LISTING_KEY, SECTION_LISTINGS_KEY
from kbgen.nav.tree import NAV_KEY
from kbgen.vault_build import VaultBuild

from link_vaults import PROJECT_CACHE
from parallel_vault import write_parallel_vault
from test_build_cache import snapshot

PAGE_SIZE = 4  # tag pages and folder lists over several parts
UNITS = {"home", "quizzes", "review", "listings"}


def seeded_cache(cache: Path) -> Path:
    """A fresh cache with the front-end packages `kbgen setup` fetched (graph, ts-fsrs, KaTeX…), no build results."""
    if not cache.exists():
        for item in PROJECT_CACHE.glob("*"):
            if item.is_dir() and item.name not in ("jinja", "previous-site", "emit"):
                shutil.copytree(item, cache / item.name)
    return cache


def _config(notes: Path, cache: Path, cached: bool = True) -> KbgenConfig:
    return KbgenConfig(notes_dir=notes, cache_dir=seeded_cache(cache), build_cache=cached, list_page_size=PAGE_SIZE)


def _state(build: VaultBuild) -> dict:
    """What a build hands on: its pages and files, and the navigation and URLs the MkDocs adapter reads."""
    indexes = build.vault.indexes
    return {**snapshot(build), "nav": repr(indexes.get(NAV_KEY)), "root": indexes.get(ROOT_LISTING_KEY),
            "sections": indexes.get(SECTION_LISTINGS_KEY), "urls": (build.vault.urls.owners, build.vault.urls.folders)}


def _vault(root: Path) -> Path:
    notes = write_parallel_vault(root, count=36)
    # A note nested under another by `parent:`, a description, a dated note: the tree, tag lines, home.
    (notes / "alpha" / "child.md").write_text("---\nparent: 노트 0\ndescription: 설명 한 줄\ndate: 2021-03-04\n"
                                              "tags: [topic1]\n---\n# 자식\n\n첫 문장이다. 둘째 문장.\n",
                                              encoding="utf-8")
    return notes


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# (what changes, the change, the units that must be replayed after it)
EDITS = [
    ("a sentence at the end", lambda n: _append(n / "alpha" / "n3.md", "\n\n끝에 붙인 문장.\n"), UNITS),
    # The first save of a day: the note's date (its file's time) and nothing else changes; the units
    # that show no date replay.
    ("a file's date", lambda n: os.utime(n / "alpha" / "n3.md", (1704196800, 1704196800)), {"quizzes", "review"}),
    ("the opening sentence", lambda n: _replace(n / "beta/deep" / "n1.md", "기울기 소실 문장 1", "바뀐 첫 문장 1"),
     {"home", "quizzes", "review"}),
    ("a quiz's answer", lambda n: _replace(n / "alpha" / "n6.md", "정답: B", "정답: C"), {"home", "listings"}),
    ("a flashcard", lambda n: _replace(n / "flash.md", ":::0.25", ":::0.5"), {"home", "quizzes", "listings"}),
    ("a new link", lambda n: _append(n / "감마" / "n2.md", "\n\n새 링크 [[n30]] 문장.\n"), UNITS),
    ("a removed link", lambda n: _replace(n / "감마" / "n2.md", "새 링크 [[n30]] 문장.", "새 문장."), UNITS),
    ("a changed link sentence", lambda n: _replace(n / "alpha" / "n0.md", "또 다른 문장은", "고쳐 쓴 문장은"), UNITS),
    ("a front-matter tag", lambda n: _replace(n / "alpha" / "n9.md", "tags: [topic4", "tags: [newtag, topic4"),
     set()),
    ("an inline tag", lambda n: _append(n / "alpha" / "n12.md", "\n\n#fresh 태그.\n"), set()),
    ("a title", lambda n: _replace(n / "beta/deep" / "n4.md", "---\n# 노트 4", "title: 새 제목\n---\n# 노트 4"),
     set()),
    ("a description", lambda n: _replace(n / "alpha" / "child.md", "설명 한 줄", "다른 설명"), set()),
    ("a date", lambda n: _replace(n / "alpha" / "child.md", "2021-03-04", "2022-05-06"), set()),
    ("a parent", lambda n: _replace(n / "alpha" / "child.md", "parent: 노트 0", "parent: 노트 3"), set()),
    ("an alias", lambda n: _replace(n / "감마" / "n5.md", "tags:", "aliases: [새별칭]\ntags:"), set()),
    ("a new note", lambda n: (n / "beta" / "new.md").write_text("---\ntags: [topic2]\n---\n# 새 노트\n\n문장.\n",
                                                                 encoding="utf-8"), set()),
    ("a deleted note", lambda n: (n / "감마" / "n8.md").unlink(), set()),
    ("nothing", lambda n: None, UNITS),
]


def test_edit_sequence_equals_cold_builds_and_replays_what_it_can(tmp_path):
    notes = _vault(tmp_path / "notes")
    first = build_vault(_config(notes, tmp_path / "cache"))
    assert first.emit_memo is not None and first.emit_memo.hits == []
    assert any(p.meta.get("kb_kind") == "tag" and "(2/" in p.title for p in first.pages)  # lists in parts
    assert first.emit_memo.page_values.reads["aliases"] == sum(1 for p in first.rendered if first.vault.notes[p].aliases)
    for step, (what, change, replayed) in enumerate(EDITS):
        change(notes)
        got = build_vault(_config(notes, tmp_path / "cache"))
        want = build_vault(_config(notes, tmp_path / f"cold{step}", cached=False))
        assert _state(got) == _state(want), what
        assert replayed <= set(got.emit_memo.hits), (what, got.emit_memo.hits)
        if replayed == UNITS:  # asides made again: those of notes linked from a note rendered again only
            assert got.emit_memo.kept["backlinks"] >= len(got.rendered) // 2, (what, got.emit_memo.kept)
        if not replayed:  # metadata changed: every unit ran again
            assert got.emit_memo.hits == [], (what, got.emit_memo.hits)
        # Opening sentences and quiz HTML are read again only off pages that changed (kbgen.emit.page_values).
        if replayed == UNITS:
            assert got.emit_memo.page_values.read <= (0 if what == "nothing" else 6), (what, got.emit_memo.page_values.read)
        # Alias redirects and lines are worked out again only for pages that changed, or for every
        # note with aliases when the notes' metadata did (every page rendered again).
        with_aliases = sum(1 for p in got.rendered if got.vault.notes[p].aliases)
        assert with_aliases >= 9
        assert got.emit_memo.page_values.reads.get("aliases", 0) <= (
            0 if what == "nothing" else 1 if replayed == UNITS else with_aliases), (what, got.emit_memo.page_values.reads)


def test_the_comparison_catches_a_unit_that_misses_an_input(tmp_path, monkeypatch):
    """The test above can fail: a memo blind to tag pages' note lines replays stale tag pages."""
    import kbgen.tags.pages as tag_pages

    monkeypatch.setattr(tag_pages, "memo_inputs", lambda build: ())
    notes = _vault(tmp_path / "notes")
    build_vault(_config(notes, tmp_path / "cache"))
    _replace(notes / "beta/deep" / "n1.md", "기울기 소실 문장 1", "바뀐 첫 문장 1")
    got = build_vault(_config(notes, tmp_path / "cache"))
    want = build_vault(_config(notes, tmp_path / "cold", cached=False))
    assert "listings" in got.emit_memo.hits
    stale = [p.src_path for p, q in zip(got.pages, want.pages) if p.html != q.html]
    assert stale and all(src.startswith(".kbgen/tag") for src in stale)
    assert any("바뀐 첫 문장 1" in p.html for p in want.pages) and not any("바뀐 첫 문장 1" in p.html for p in got.pages)


def test_a_damaged_or_foreign_record_is_a_miss(tmp_path):
    notes = _vault(tmp_path / "notes")
    cache = tmp_path / "cache"
    build_vault(_config(notes, cache))
    records = sorted((cache / "emit").glob("*.pickle"))
    assert {p.stem for p in records} == UNITS | {"backlinks", "page-values"}
    for path in records:
        path.write_bytes(path.read_bytes()[:80])  # the key intact, the pickle cut
    got = build_vault(_config(notes, cache))
    assert got.emit_memo.hits == [] and got.emit_memo.kept == {"backlinks": 0}
    assert _state(got) == _state(build_vault(_config(notes, tmp_path / "cold", cached=False)))
    again = build_vault(_config(notes, cache)).emit_memo
    assert again.hits == ["home", "quizzes", "review", "listings"] and again.kept == {"backlinks": len(got.rendered)}


def test_a_replayed_file_from_the_cache_must_still_exist(tmp_path):
    """The review page serves ts-fsrs from the cache folder: a record naming a file that went is a miss."""
    notes = _vault(tmp_path / "notes")
    cache = tmp_path / "cache"
    build_vault(_config(notes, cache))
    served = [f for f in build_vault(_config(notes, cache)).files if f.content is None and f.source is not None
              and str(f.source).startswith(str(cache)) and "ts-fsrs" in str(f.source)]
    if not served:
        pytest.skip("ts-fsrs is not in the cache (no npm): nothing served from it")
    moved = served[0].source.with_name("moved")
    served[0].source.rename(moved)
    try:
        got = build_vault(_config(notes, cache))
        assert "review" not in got.emit_memo.hits
    finally:
        if moved.exists() and not served[0].source.exists():
            moved.rename(served[0].source)


def test_a_site_after_edits_equals_a_cold_site_file_for_file(tmp_path):
    """Through `kbgen build` and MkDocs: every file of the site, after edits touching text, tags, links, quizzes."""
    from kbgen.cli import main
    from test_site_build import tree

    notes = _vault(tmp_path / "notes")

    def configured(name: str, cache: Path) -> Path:
        config = tmp_path / f"{name}.yml"
        config.write_text(f"site_name: s\ndocs_dir: {notes}\nsite_dir: {tmp_path / name}\ntheme:\n  name: material\n"
                          f"plugins:\n  - search\n  - tags\n  - kbgen:\n      cache_dir: {seeded_cache(cache)}\n"
                          f"      list_page_size: {PAGE_SIZE}\n", encoding="utf-8")
        return config

    config = configured("site", tmp_path / "cache")
    assert main(["build", "-q", "--config", str(config)]) in (0, 1)
    for step, (what, change, _) in enumerate([EDITS[0], EDITS[1], EDITS[2], EDITS[4], EDITS[5], EDITS[0]]):
        change(notes)
        assert main(["build", "-q", "--config", str(config)]) in (0, 1)
        cold = f"cold{step}"
        assert main(["build", "-q", "--config", str(configured(cold, tmp_path / f"cache-{cold}"))]) in (0, 1)
        site, fresh = tree(tmp_path / "site"), tree(tmp_path / cold)
        assert site.keys() == fresh.keys(), what
        differ = [path for path in site if site[path] != fresh[path]]
        assert differ == [], (what, differ[:5])
        assert re.search("끝에 붙인 문장", (tmp_path / "site" / "alpha" / "n3" / "index.html").read_text("utf-8"))
