"""`kbgen serve` shows notes added, deleted or renamed, and aliases or ids changed, without a rebuild,
and the site it leaves is the cold build's, files removed included (kbgen.quick_structure)."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from kbgen.mkdocs_plugin import KbgenPlugin
from kbgen.mkdocs_quick import finish_quickly, show_at_once as _show_at_once

from link_vaults import write_vault
from test_serve_quick import (LATER, VAULT, assert_next_build_parses_nothing_and_equals_cold, stamps,
                              with_front_matter_line)
from test_site_build import config_file, kbgen_build, tree

STRUCTURE = {**VAULT, "sub/f.md": "# Foxtrot\n\n[[a]] and [[Lost note]] and [[alias-of-new]]\n",
             "g.md": "---\ntags: [x]\naliases: [golf]\n---\n# Golf\n\n[[sub/f]]\n"}


def _write(notes: Path, name: str, text: str) -> None:
    (notes / name).parent.mkdir(parents=True, exist_ok=True)
    (notes / name).write_text(text, encoding="utf-8")


# (what is done to the vault, the paths the watcher reports, whether the quick path takes it)
def _delete(name):
    return lambda notes: (notes / name).unlink(), {name}


def _add(name, text):
    return lambda notes: _write(notes, name, text), {name}


def _rename(old, new):
    return lambda notes: (notes / old).rename(notes / new), {old, new}


def _edit(name, old, new):
    return lambda notes: _write(notes, name, (notes / name).read_text(encoding="utf-8").replace(old, new)), {name}


KINDS = {
    # b links [[c#Part two]] as an embed, a links it, q links it: their links break; c's backlinks go
    "delete a linked note": (*_delete("c.md"), True),
    "delete a note with an alias": (*_delete("g.md"), True),  # golf/ redirect removed, tag x page lists one less
    "delete an unlinked note": (*_delete("sub/f.md"), True),
    # b's and f's broken [[missing]] / [[Lost note]] resolve now
    "add a note that resolves broken links": (*_add("missing.md", "# Lost note\n\nfound [[b]]\n"), True),
    "add a note with tags and aliases": (*_add("sub/h.md", "---\ntags: [x/y]\naliases: [alias-of-new]\n---\n"
                                                            "# Hotel\n\n[[g]] ![[c]]\n"), True),
    "rename a linked note": (*_rename("b.md", "bravo.md"), True),  # [[b]], [t](../b.md) break
    "move a note into a folder": (*_rename("g.md", "sub/g.md"), True),
    "alias added": (*_edit("a.md", "[first]", "[first, second]"), True),
    "alias removed": (*_edit("g.md", "aliases: [golf]\n", ""), True),
    "alias that a link names": (*_edit("g.md", "[golf]", "[golf, Lost note]"), True),  # f's link resolves to g
    "id given": (*_edit("c.md", "# Gamma", "---\nid: lost note\n---\n# Gamma"), True),
    # Left to the full rebuild (nothing written by the quick path)
    "add an index note": (*_add("sub/index.md", "# Sub\n"), False),
    "add a note in a new folder": (*_add("new/n.md", "# New\n"), False),
    "delete the only note of a tag": (*_delete("d.md"), False),  # tag x/y's page goes
    "add a draft": (*_add("draft.md", "---\ndraft: true\n---\n# Draft\n"), False),
    "alias taken by another note's page": (*_edit("g.md", "[golf]", "[golf, b]"), False),
}


def _site_is_cold(tmp_path: Path, notes: Path, served: Path, name: str) -> dict[str, bytes]:
    cold_dir = tmp_path / f"cold-{name}"
    kbgen_build(config_file(tmp_path, notes, cold_dir, tmp_path / f"cold-cache-{name}"))
    now, cold = tree(served), tree(cold_dir)
    different = sorted(p for p in set(now) | set(cold) if now.get(p) != cold.get(p) and not p.startswith(LATER))
    assert different == [], name
    return cold


@pytest.mark.parametrize("kind", list(KINDS))
def test_structure_edits_leave_the_cold_build_site(tmp_path: Path, kind: str):
    act, changed, quick = KINDS[kind]
    notes = write_vault(tmp_path / "notes", STRUCTURE)
    served = tmp_path / "served"
    config = config_file(tmp_path, notes, served, tmp_path / "cache")
    stats = kbgen_build(config)
    assert stats.state is not None
    before, written_at = tree(served), stamps(served)
    act(notes)
    refreshed = _show_at_once(stats.state, changed)
    assert (refreshed is not None) is quick
    if not quick:
        assert tree(served) == before
        return
    cold = _site_is_cold(tmp_path, notes, served, "after")
    # only files whose bytes changed were written
    now = tree(served)
    rewritten = sorted(p for p, t in stamps(served).items() if p in written_at and t != written_at[p])
    assert rewritten == sorted(p for p in now if p in before and now[p] != before[p])
    if refreshed.complete:
        assert finish_quickly(stats.state)
        assert tree(served) == cold  # the search index too
    kbgen_build(config)  # the rebuild kbgen serve runs otherwise
    assert tree(served) == cold


def _quick(tmp_path: Path, act, changed) -> tuple:
    notes = write_vault(tmp_path / "notes", STRUCTURE)
    served = tmp_path / "served"
    stats = kbgen_build(config_file(tmp_path, notes, served, tmp_path / "cache"))
    assert stats.state is not None
    act(notes)
    assert _show_at_once(stats.state, changed) is not None
    plugin = next(p for p in stats.state.config.plugins.values() if isinstance(p, KbgenPlugin))
    _site_is_cold(tmp_path, notes, served, "after")
    return served, plugin.build


def test_deleting_a_linked_note_breaks_the_links_to_it(tmp_path: Path):
    served, build = _quick(tmp_path, *_delete("c.md"))
    assert not (served / "c" / "index.html").exists()
    page = (served / "a" / "index.html").read_text(encoding="utf-8")
    assert 'href="../c/' not in page
    assert '<span class="kb-unresolved">c &gt; Part two</span>' in page
    broken = [d for d in build.diagnostics if d.code == "broken-link" and d.path == "a.md"]
    assert [(d.line, d.col, d.message) for d in broken] == [(8, 15, "link target 'c' matches no note or file")]


def test_adding_a_note_resolves_broken_links_to_it(tmp_path: Path):
    served, build = _quick(tmp_path, *_add("missing.md", "# Lost note\n\nfound [[b]]\n"))
    page = (served / "b" / "index.html").read_text(encoding="utf-8")
    assert 'href="../missing/"' in page
    assert 'href="../../missing/"' in (served / "sub" / "f" / "index.html").read_text(encoding="utf-8")
    assert not [d for d in build.diagnostics if d.code == "broken-link" and "missing" in d.message]
    assert "Lost note" in (served / "b" / "index.html").read_text(encoding="utf-8")  # its backlinks aside


def test_renaming_a_note_moves_its_page_and_aliases(tmp_path: Path):
    served, _ = _quick(tmp_path, *_rename("g.md", "sub/g.md"))
    assert not (served / "g").exists()
    assert (served / "sub" / "g" / "index.html").is_file()
    assert 'url=../sub/g/' in (served / "golf" / "index.html").read_text(encoding="utf-8")


STRUCTURE_NAMES = ["a.md", "b.md", "c.md", "q.md", "sub/e.md", "sub/f.md", "g.md", "n1.md", "sub/n2.md", "n3.md"]


def _random_step(rng: random.Random, notes: Path, step: int) -> set[str]:
    """One edit of any kind: add, delete, rename, aliases, id; or a text, link, title or tag edit."""
    present = sorted(p.relative_to(notes).as_posix() for p in notes.rglob("*.md"))
    absent = [n for n in STRUCTURE_NAMES if n not in present]
    kind = rng.choice(["add", "delete", "rename", "alias", "id", "sentence", "link", "title", "tag"])
    other = rng.choice([p[:-3] for p in present] + ["n1", "Lost note"])
    if kind == "add" and absent:
        name = rng.choice(absent)
        _write(notes, name, f"---\ntags: [{rng.choice(['x', 'quiz'])}]\naliases: [alias {step}]\n---\n"
                            f"# New {step}\n\nlinks [[{other}]] and ![[{rng.choice(present)[:-3]}]]\n")
        return {name}
    name = rng.choice(present)
    if kind == "delete" and len(present) > 4:
        (notes / name).unlink()
        return {name}
    if kind == "rename" and absent:
        target = rng.choice(absent)
        (notes / name).rename(notes / target)
        return {name, target}
    text = (notes / name).read_text(encoding="utf-8")
    if kind in ("alias", "id", "title", "tag"):
        line = {"alias": f"aliases: [{rng.choice(['Lost note', f'al {step}', 'n1'])}]", "id": f"id: id-{step}",
                "title": f"title: {rng.choice(['Lost note', f'Title {step}'])}",
                "tag": f"tags: [{rng.choice(['x', 'quiz', 'x/y'])}]"}[kind]
        text = with_front_matter_line(text, line)
    elif kind == "link":
        text += f"\nSee [[{other}]] at step {step}.\n"
    else:
        text += f"\n문장 {step} 바뀜.\n"
    _write(notes, name, text)
    return {name}


@pytest.mark.parametrize("seed", [2, 11, 30])
def test_random_structure_edits_keep_the_site_a_cold_build(tmp_path: Path, seed: int):
    """Random edits of every kind in a row, as kbgen serve takes them: a complete quick refresh is followed by
    the search index only, anything else by the rebuild; after each step the whole site equals a cold build."""
    rng = random.Random(seed)
    notes = write_vault(tmp_path / "notes", STRUCTURE)
    served = tmp_path / "served"
    config = config_file(tmp_path, notes, served, tmp_path / "cache")
    stats = kbgen_build(config)
    quick = 0
    for step in range(8):
        assert stats.state is not None
        changed = _random_step(rng, notes, step)
        refreshed = _show_at_once(stats.state, changed)
        if refreshed is not None:
            quick += 1
            _site_is_cold(tmp_path, notes, served, f"{step}")
        else:
            kbgen_build(config_file(tmp_path, notes, tmp_path / f"cold-{step}", tmp_path / f"cold-cache-{step}"))
        if refreshed is not None and refreshed.complete:
            assert finish_quickly(stats.state)
        else:
            stats = kbgen_build(config)
        cold_dir = tmp_path / f"cold-{step}"
        assert tree(served) == tree(cold_dir), (step, changed)
    assert quick >= 3


def test_a_build_after_structural_quick_edits_parses_nothing_again(tmp_path: Path, monkeypatch):
    """Notes added, deleted, renamed and aliases changed in kbgen serve go to the build cache when the author
    pauses (kbgen.quick_cache): a later build (another site folder, the same cache) parses no note, and its
    site is the cold build's."""
    from kbgen.mkdocs_quick import remember_views

    notes = write_vault(tmp_path / "notes", {  # no embeds: each refresh is complete (no rebuild follows)
        "a.md": "---\ntags: [x]\naliases: [first]\n---\n# Alpha\n\n[[b]] and [[Lost note]] $x$\n",
        "b.md": "# Beta\n\n[[a]] [[golf]]\n", "g.md": "---\ntags: [x]\naliases: [golf]\n---\n# Golf\n\n[[a]]\n",
        "sub/f.md": "# Foxtrot\n\n[[g]]\n", "sub/h.md": "# Hotel\n"})
    stats = kbgen_build(config_file(tmp_path, notes, tmp_path / "served", tmp_path / "cache"), jobs=1)
    assert stats.state is not None
    remember_views(stats.state)  # as kbgen serve does after each full build
    steps = [_add("missing.md", "# Lost note\n\nfound [[b]]\n"), _rename("g.md", "sub/g.md"),
             _edit("a.md", "[first]", "[first, second]"), _delete("sub/f.md"), _add("n3.md", "# N3\n\n[[a]]\n")]
    for n, (act, changed) in enumerate(steps):
        act(notes)
        quick = _show_at_once(stats.state, changed)
        assert quick is not None and quick.complete, n
        if n == 1:
            assert finish_quickly(stats.state)  # the author paused: the cache is written, and again below
    assert finish_quickly(stats.state)
    assert_next_build_parses_nothing_and_equals_cold(tmp_path, notes, monkeypatch)


@pytest.mark.parametrize("name, link", [
    ("Fresh-note.md", "[enc](Fresh%2Dnote.md)"),  # percent-encoded beyond what quote() gives
    ("R&D.md", "[ent](R&amp;D.md)"),  # an entity in a Markdown link's destination
    ("R_D.md", "[esc](R\\_D.md)"),  # a backslash escape
    ("Ünïcode.md", "[nfd](%55%CC%88n%C3%AFcode.md)"),  # NFD, percent-encoded
])
def test_a_note_added_is_found_by_links_that_spell_its_name_otherwise(tmp_path: Path, name: str, link: str):
    """The notes whose links may now resolve to an added note are found by their text: a name written
    percent-encoded, with an entity or an escape resolves once decoded, and is found so too."""
    notes = write_vault(tmp_path / "notes", {**STRUCTURE, "b.md": STRUCTURE["b.md"] + f"\n{link}\n"})
    served = tmp_path / "served"
    stats = kbgen_build(config_file(tmp_path, notes, served, tmp_path / "cache"))
    assert stats.state is not None
    before = (served / "b" / "index.html").read_bytes()
    _write(notes, name, "# Added\n\ntext\n")
    assert _show_at_once(stats.state, {name}) is not None
    cold = _site_is_cold(tmp_path, notes, served, "after")
    assert cold["b/index.html"] != before  # the link resolves now
