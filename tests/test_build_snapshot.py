"""`kbgen build` after a few edits starts from the last build kept on disk (kbgen.snapshot): same site as a cold build."""
from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from kbgen import snapshot
from kbgen.cli import main

from link_vaults import write_vault
from test_serve_quick import EDITS, VAULT, _random_edit
from test_site_build import config_file, tree

PAST = 1_700_000_000  # files written long before the build: their stamps are trusted (kbgen.up_to_date)


def _age(root: Path, when: int = PAST) -> None:
    for path in [root, *root.rglob("*")]:
        os.utime(path, (when, when), follow_symlinks=False)


@pytest.fixture
def started_from(monkeypatch) -> list[bool]:
    """Whether each build started from the kept build, in order."""
    seen: list[bool] = []
    original = snapshot.BuildSnapshot.start_from

    def start_from(self, config):
        build = original(self, config)
        seen.append(build is not None)
        return build

    monkeypatch.setattr(snapshot.BuildSnapshot, "start_from", start_from)
    return seen


def _build(config: Path) -> None:
    assert main(["build", "-q", "--config", str(config)]) == 0


def _cold(tmp: Path, notes: Path, name: str) -> dict[str, bytes]:
    _build(config_file(tmp, notes, tmp / name, tmp / f"{name}-cache"))
    return tree(tmp / name)


def _edit(notes: Path, name: str, text: str, step: int = 1) -> None:
    (notes / name).write_text(text, encoding="utf-8")
    os.utime(notes / name, (PAST + step, PAST + step))


@pytest.mark.parametrize("note, text, quick", EDITS)
def test_a_build_after_an_edit_starts_from_the_kept_build_and_equals_a_cold_build(
        tmp_path: Path, started_from: list[bool], note: str, text: str, quick: bool):
    notes = write_vault(tmp_path / "notes", VAULT)
    _age(notes)
    config = config_file(tmp_path, notes, tmp_path / "site", tmp_path / "cache")
    _build(config)
    assert (tmp_path / "cache" / snapshot.FILE).is_file()

    _edit(notes, note, text)
    _build(config)

    assert tree(tmp_path / "site") == _cold(tmp_path, notes, "cold")
    # What kbgen serve's quick path takes, but aliases changed (kbgen.quick_structure): the pipeline.
    # The first build had nothing to start from; the cold one neither (its own cache).
    structural = "[first, second]" in text
    assert started_from == [False, quick and not structural, False]


def test_several_builds_in_a_row_each_start_from_the_one_before(tmp_path: Path, started_from: list[bool]):
    """Random edits, a build after each: every site equals a cold build's, the kept build carried along."""
    rng = random.Random(5)
    notes = write_vault(tmp_path / "notes", VAULT)
    _age(notes)
    config = config_file(tmp_path, notes, tmp_path / "site", tmp_path / "cache")
    _build(config)
    for step in range(6):
        name = _random_edit(rng, notes, step)
        os.utime(notes / name, (PAST + step + 1, PAST + step + 1))
        _build(config)
        assert tree(tmp_path / "site") == _cold(tmp_path, notes, f"cold{step}"), step
    kept = started_from[1::2]  # every other build is a cold one
    assert len(kept) == 6 and sum(kept) >= 4, kept


def test_two_notes_edited_together_are_both_taken_in(tmp_path: Path, started_from: list[bool]):
    notes = write_vault(tmp_path / "notes", VAULT)
    _age(notes)
    config = config_file(tmp_path, notes, tmp_path / "site", tmp_path / "cache")
    _build(config)
    _edit(notes, "c.md", VAULT["c.md"].replace("embedded text", "새로 쓴 embedded text"))
    _edit(notes, "a.md", VAULT["a.md"].replace("See [[b]]", "Now see [[c]]"), step=2)
    _build(config)
    assert started_from[1] is True
    site = tmp_path / "site"
    assert "새로 쓴 embedded text" in (site / "d" / "index.html").read_text(encoding="utf-8")  # d embeds b embeds c
    assert tree(site) == _cold(tmp_path, notes, "cold")


@pytest.mark.parametrize("change", ["none", "note added", "note deleted", "attachment changed",
                                    "attachment too new to trust", "configuration changed", "kept build damaged"])
def test_what_the_kept_build_cannot_take_is_built_by_the_pipeline(tmp_path: Path, started_from: list[bool],
                                                                   change: str):
    """A file that came, went or is not a note, another configuration, a damaged kept build: the pipeline."""
    notes = write_vault(tmp_path / "notes", VAULT)
    _age(notes)
    config = config_file(tmp_path, notes, tmp_path / "site", tmp_path / "cache")
    _build(config)
    _edit(notes, "c.md", VAULT["c.md"].replace("embedded text", "other embedded text"))
    if change == "note added":
        _edit(notes, "f.md", "# Foxtrot\n\n[[a]]\n")
    elif change == "note deleted":
        (notes / "sub" / "e.md").unlink()
    elif change == "attachment changed":
        (notes / "img.png").write_bytes(b"\x89PNG\r\n\x1a\n")
        os.utime(notes / "img.png", (PAST + 5, PAST + 5))
    elif change == "attachment too new to trust":  # the same bytes, written just now: they may change again
        (notes / "img.png").write_bytes(VAULT["img.png"])
    elif change == "configuration changed":  # a comment: the same site, but kbgen cannot know that
        config.write_text(config.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    elif change == "kept build damaged":
        kept = tmp_path / "cache" / snapshot.FILE
        kept.write_bytes(kept.read_bytes()[:1000])
    _build(config)
    assert started_from[1] is (change == "none"), started_from
    assert tree(tmp_path / "site") == _cold(tmp_path, notes, "cold")


def test_a_note_saved_just_before_the_build_is_read_again_by_the_next(tmp_path: Path, started_from: list[bool]):
    """Its stamp is not trusted (kbgen.up_to_date.RACY_SECONDS): kept without one, it is read again next time."""
    notes = write_vault(tmp_path / "notes", VAULT)
    _age(notes)
    config = config_file(tmp_path, notes, tmp_path / "site", tmp_path / "cache")
    _build(config)
    (notes / "c.md").write_text(VAULT["c.md"].replace("embedded text", "first text"), encoding="utf-8")
    _build(config)  # c.md is seconds old: read again, and kept with no stamp
    mtime = (notes / "c.md").stat().st_mtime_ns
    (notes / "c.md").write_text(VAULT["c.md"].replace("embedded text", "second text"), encoding="utf-8")
    os.utime(notes / "c.md", ns=(mtime, mtime))  # the same file time: only its missing stamp tells
    _build(config)
    assert started_from == [False, True, True]
    assert "second text" in (tmp_path / "site" / "c" / "index.html").read_text(encoding="utf-8")
    assert tree(tmp_path / "site") == _cold(tmp_path, notes, "cold")


def test_changed_ignores_hidden_folders_and_refuses_other_files():
    before = {"a.md": "1", "img.png": "2", ".obsidian/workspace.json": "3"}
    assert snapshot._changed(before, {**before, ".obsidian/workspace.json": "4"}) == []
    assert snapshot._changed(before, {**before, "a.md": "5"}) == ["a.md"]
    assert snapshot._changed(before, {**before, "a.md": None}) == ["a.md"]
    assert snapshot._changed(before, {**before, "img.png": "6"}) is None
    assert snapshot._changed(before, {**before, "b.md": "7"}) is None
    assert snapshot._changed(before, {"a.md": "1", ".obsidian/workspace.json": "3"}) is None


def test_code_blocks_an_edit_left_alone_are_not_highlighted_again(tmp_path: Path, started_from: list[bool],
                                                                    monkeypatch):
    """A build from the kept build takes a note's unchanged code blocks from its last render (Pygments'
    first use of a language in a process compiles the lexer); a changed block is highlighted afresh."""
    from kbgen.markdown import highlight

    code = "# Code\n\n```python\ndef kept():\n    return 1\n```\n\n```python\ndef edited():\n    return 2\n```\n"
    notes = write_vault(tmp_path / "notes", {**VAULT, "code.md": code})
    _age(notes)
    config = config_file(tmp_path, notes, tmp_path / "site", tmp_path / "cache")
    _build(config)
    asked: list[str] = []
    original = highlight._highlighted

    def counted(source: str, lang: str) -> str:
        asked.append(source)
        return original(source, lang)

    monkeypatch.setattr(highlight, "_highlighted", counted)
    _edit(notes, "code.md", code.replace("return 2", "return 3") + "\nA sentence more.\n")
    _build(config)

    assert started_from == [False, True]
    assert asked == ["def edited():\n    return 3\n"]
    page = (tmp_path / "site" / "code" / "index.html").read_text(encoding="utf-8")
    assert '<span class="k">def</span><span class="w"> </span><span class="nf">kept</span>' in page
    assert '<span class="mi">3</span>' in page and "A sentence more." in page
    monkeypatch.setattr(highlight, "_highlighted", original)
    assert tree(tmp_path / "site") == _cold(tmp_path, notes, "cold")


def test_a_build_that_took_in_few_notes_leaves_the_kept_build_for_the_next_to_take_them_in_again(
        tmp_path: Path, started_from: list[bool]):
    """Keeping a build costs a fork and its copy-on-write: a build that started from the kept build with
    fewer than KEEP_AGAIN_AT notes changed leaves it; the next takes every note changed since in."""
    notes = write_vault(tmp_path / "notes", VAULT)
    _age(notes)
    config = config_file(tmp_path, notes, tmp_path / "site", tmp_path / "cache")
    _build(config)
    kept = tmp_path / "cache" / snapshot.FILE
    first = kept.read_bytes()
    steps = [("c.md", VAULT["c.md"].replace("embedded text", "one")),
             ("c.md", VAULT["c.md"].replace("embedded text", "two")),  # the same note again
             ("a.md", VAULT["a.md"].replace("See [[b]]", "Now see [[b]]")),  # two notes since the kept build
             ("b.md", VAULT["b.md"] + "\nmore words\n")]  # three: this build is kept
    for step, (name, text) in enumerate(steps, 1):
        _edit(notes, name, text, step=step)
        _build(config)
        assert tree(tmp_path / "site") == _cold(tmp_path, notes, f"cold{step}"), step
        assert (kept.read_bytes() == first) is (step < 4), step
    assert started_from[0] is False and started_from[1::2] == [True] * 4  # between: the cold builds
    assert snapshot.KEEP_AGAIN_AT == 3
    _edit(notes, "c.md", VAULT["c.md"].replace("embedded text", "three"), step=5)
    _build(config)  # from the build kept at step 4: one note changed since
    assert started_from[-1] is True and "three" in (tmp_path / "site" / "c" / "index.html").read_text("utf-8")
