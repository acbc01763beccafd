"""`kbgen serve` shows an edit at once on every page it changes, and those pages are the cold build's pages."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from kbgen.mkdocs_quick import finish_quickly, show_at_once as _show_at_once
from kbgen.serve_watch import Changes as _Changes

from link_vaults import write_vault
from test_site_build import config_file, kbgen_build, tree

QUIZ = "**Q.** {question}\n\n- A) right answer\n- B) wrong answer\n\n정답: A\n\n- B) 틀린 이유\n"

VAULT = {
    "a.md": "---\ntitle: Alpha\ntags: [x]\naliases: [first]\n---\n# Alpha\n\nSee [[b]] and [[c#Part two]] and $x^2$.\n\n"
            "## One\n\ntext ^blk #inline\n",
    "b.md": "# Beta\n\n![[c#Part two]]\n\n[[a#^blk]] and [[a#One]] and [[missing]]\n",
    "c.md": "# Gamma\n\n## Part two\n\nembedded text with [[a]]\n",
    "d.md": "---\ntags: [x/y]\n---\n# Delta\n\n![[b]]\n\nQuote: ![[a#^blk]]\n",  # b embeds c: d shows c too
    "sub/e.md": "---\naliases: [epsilon]\n---\n# Eps\n\n[[../a|up]] [t](../b.md)\n",
    "q.md": "---\ntags: [quiz]\n---\n# Quiz note\n\nAbout [[c]].\n\n" + QUIZ.format(question="How?") + "\n",
    "img.png": b"\x89PNG\r\n",
}

# (note, new text, whether the quick path takes it)
EDITS = [
    # its link targets' backlinks show the new sentence; the opening sentence: tag pages, feed
    ("a.md", VAULT["a.md"].replace("See [[b]]", "Now see [[b]] (**edited**) 기울기"), True),
    ("a.md", VAULT["a.md"] + "\n## Added heading\n\n[[#One]] $y$ text\n", True),  # a new heading, a self-link
    ("a.md", VAULT["a.md"].replace("## One", "## Uno"), True),  # b links to a#One: b renders again
    ("a.md", VAULT["a.md"].replace("text ^blk", "new block text ^blk"), True),  # d quotes the block
    # b embeds it, d embeds b: both pages change
    ("c.md", VAULT["c.md"].replace("embedded text", "changed embedded text"), True),
    ("b.md", VAULT["b.md"] + "\nmore [[c]] words\n", True),  # a link to a note it already links to
    ("b.md", VAULT["b.md"] + "\n[[sub/e]]\n", True),  # a new link: e's backlinks, the graph
    ("b.md", VAULT["b.md"].replace("[[a#^blk]] and [[a#One]] and ", ""), True),  # links to a removed
    ("q.md", VAULT["q.md"].replace("How?", "Why?"), True),  # the Quizzes and review pages
    ("q.md", VAULT["q.md"].replace(QUIZ.format(question="How?"), ""), False),  # the last quiz goes
    # Titles, tags, dates, front matter (kbgen.quick_meta): navigation, folder, tag and home pages, feed, graph
    ("a.md", VAULT["a.md"].replace("title: Alpha", "title: Alef"), True),  # backlinks, prev/next, redirects
    ("c.md", VAULT["c.md"].replace("# Gamma", "# Missing"), True),  # b's broken [[missing]] resolves now
    ("c.md", VAULT["c.md"].replace("# Gamma", "# Gamma ray"), True),  # b and d embed it
    ("a.md", VAULT["a.md"].replace("#inline", "#inline #quiz"), True),  # an inline tag another note has
    ("sub/e.md", VAULT["sub/e.md"].replace("aliases:", "tags: [x/y]\naliases:"), True),  # a tag added
    ("d.md", VAULT["d.md"].replace("tags: [x/y]", "tags: [x/y, quiz]\nmodified: 2020-01-02"), True),
    ("q.md", VAULT["q.md"].replace("---\n#", "created: 2021-03-04\ndescription: 설명\n---\n#"), True),
    ("b.md", "---\nnav_order: 1\n---\n" + VAULT["b.md"], True),  # first in the sidebar: previous/next links
    ("a.md", VAULT["a.md"].replace("#inline", "#other"), False),  # a tag page appears
    ("d.md", VAULT["d.md"].replace("tags: [x/y]", "tags: [x]"), False),  # a tag page goes
    ("a.md", VAULT["a.md"].replace("[first]", "[first, second]"), True),  # aliases (kbgen.quick_structure)
    ("q.md", VAULT["q.md"].replace("# Quiz note", "# Beta"), False),  # a title another note has
    ("sub/e.md", VAULT["sub/e.md"].replace("Eps\n", "Eps\n\nnew line\n"), True),  # an alias line to keep
]
# Left to the full rebuild that follows: the search index.
LATER = ("search/",)


def stamps(site: Path) -> dict[str, int]:
    return {p.relative_to(site).as_posix(): p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}


# A folder longer than the sidebar shows (kbgen.nav.window.LIMIT): each page shows a window of it.
WIDE = {f"many/n{i:02d}.md": f"# Note {i:02d}\n\ntext {i} [[n{(i + 1) % 20:02d}]]\n" for i in range(20)}
WIDE.update({"top.md": "# Top\n\n[[n05]] #x\n", "many/deep/z.md": "# Zed\n\n#x [[top]]\n", "other.md": "# Other\n"})
WIDE_EDITS = [
    ("many/n19.md", WIDE["many/n19.md"].replace("Note 19", "Note 19b"), True),  # the pages whose window shows it
    ("many/n10.md", WIDE["many/n10.md"].replace("Note 10", "Aardvark"), True),  # first now: every window moves
    ("many/n03.md", "---\nnav_order: 1\n---\n" + WIDE["many/n03.md"], True),
    ("many/deep/z.md", WIDE["many/deep/z.md"].replace("# Zed", "# Zebra"), True),  # a subfolder's only note
    ("top.md", WIDE["top.md"].replace("# Top", "# Summit"), True),  # the top list every page shows
]

# A Markdown link to a title, its space written %20: broken until a note takes that title.
SPACED = {"a.md": "# A\n\n[x](Gamma%20Ray) and [[b]]\n", "b.md": "# B\n\ntext\n",
          "c.md": "# Gamma\n\ntext\n"}
SPACED_EDITS = [("c.md", SPACED["c.md"].replace("# Gamma", "# gamma ray"), True)]


@pytest.mark.parametrize("vault, note, text, quick", [(VAULT, *edit) for edit in EDITS]
                         + [(WIDE, *edit) for edit in WIDE_EDITS] + [(SPACED, *edit) for edit in SPACED_EDITS])
def test_the_quick_path_writes_every_changed_page_as_a_cold_build_does(tmp_path: Path, vault: dict, note: str,
                                                                      text: str, quick: bool):
    notes = write_vault(tmp_path / "notes", vault)
    served = tmp_path / "served"
    stats = kbgen_build(config_file(tmp_path, notes, served, tmp_path / "cache"))
    assert stats.state is not None
    before, written_at = tree(served), stamps(served)
    (notes / note).write_text(text, encoding="utf-8")

    assert (_show_at_once(stats.state, {note}) is not None) is quick

    kbgen_build(config_file(tmp_path, notes, tmp_path / "cold", tmp_path / "cold-cache"))
    now, cold = tree(served), tree(tmp_path / "cold")
    changed = sorted(p for p in now if now[p] != before.get(p))  # a new alias adds its redirect
    if quick:
        assert note[:-3] + "/index.html" in changed
        # every file a cold build has different, exactly as the cold build has it, the search index aside
        assert changed == sorted(p for p in cold if cold[p] != before.get(p) and not p.startswith(LATER))
        assert all(now[p] == cold[p] for p in changed)
        # and no other file was even rewritten
        assert sorted(p for p, t in stamps(served).items() if t != written_at.get(p)) == changed
    else:
        assert changed == []
    # the rebuild that follows in kbgen serve brings the search index up to date
    kbgen_build(config_file(tmp_path, notes, served, tmp_path / "cache"))
    assert tree(served) == cold


def test_a_quick_edit_shows_on_the_pages_that_depend_on_it(tmp_path: Path):
    """The cases above change the pages the issue names: embedders, backlinks' targets, tag pages, quizzes."""
    notes = write_vault(tmp_path / "notes", VAULT)
    served = tmp_path / "served"
    stats = kbgen_build(config_file(tmp_path, notes, served, tmp_path / "cache"))
    assert stats.state is not None
    before = tree(served)
    (notes / "c.md").write_text(VAULT["c.md"].replace("embedded text", "유일한 문장 text"), encoding="utf-8")
    (notes / "q.md").write_text(VAULT["q.md"].replace("How?", "어떻게?"), encoding="utf-8")
    assert _show_at_once(stats.state, {"c.md", "q.md"}) is not None
    now = tree(served)
    changed = {p for p in now if now[p] != before[p]}
    for page in ("c/index.html", "b/index.html", "d/index.html", "a/index.html", "q/index.html",
                 "quizzes/index.html", "assets/kbgen/banks/quizzes-0.js", "assets/kbgen/banks/review-0.js",
                 "feed.xml"):  # the review page's cards are in its bank (kbgen.study.bank)
        assert page in changed, page
    assert "유일한 문장" in now["d/index.html"].decode()  # through b's embed of c
    assert "유일한 문장" in now["a/index.html"].decode()  # c's sentence in a's backlinks
    assert "어떻게?" in now["quizzes/index.html"].decode()
    assert "어떻게?" in now["assets/kbgen/banks/review-0.js"].decode()
    # d's opening sentence is c's, through two embeds: the pages of its tag and its parent tag list it
    assert {p for p in changed if p.startswith("tags/")} == {"tags/x/index.html", "tags/x/y/index.html"}
    assert "유일한 문장" in now["tags/x/y/index.html"].decode()


# Two notes saved together, the first (in path order, as the refresh takes them) showing what the second
# now says: the first is rendered before the second is parsed again, so it must be rendered once more.
TOGETHER = {
    "embed of a new heading": ("![[q#Fresh part]]", "\n## Fresh part\n\nfresh words\n"),
    "link to a new heading": ("[[q#Fresh part]]", "\n## Fresh part\n\nfresh words\n"),
    "embed of new text": ("![[q]]", "\nfresh words\n"),
    "embed of a new block": ("![[q#^fresh]]", "\n## Tail\n\nfresh words ^fresh\n"),
}


@pytest.mark.parametrize("case", list(TOGETHER))
def test_two_notes_saved_together_show_each_other(tmp_path: Path, case: str):
    shows, said = TOGETHER[case]
    notes = write_vault(tmp_path / "notes", VAULT)
    served = tmp_path / "served"
    stats = kbgen_build(config_file(tmp_path, notes, served, tmp_path / "cache"))
    assert stats.state is not None
    (notes / "a.md").write_text(VAULT["a.md"] + f"\n\n{shows}\n", encoding="utf-8")
    (notes / "q.md").write_text(VAULT["q.md"] + said, encoding="utf-8")
    quick = _show_at_once(stats.state, {"a.md", "q.md"})
    assert quick is not None
    kbgen_build(config_file(tmp_path, notes, tmp_path / "cold", tmp_path / "cold-cache"))
    now, cold = tree(served), tree(tmp_path / "cold")
    different = sorted(p for p in set(now) | set(cold) if now.get(p) != cold.get(p) and not p.startswith(LATER))
    assert different == []
    if shows.startswith("!"):
        assert "fresh words" in now["a/index.html"].decode()
    else:
        assert 'href="../q/#fresh-part"' in now["a/index.html"].decode()


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


def _random_edit(rng: random.Random, notes: Path, step: int) -> str:
    """One edit: text, links, embeds, headings, block ids, quizzes; titles, tags, dates, order."""
    name = rng.choice(["a.md", "b.md", "c.md", "d.md", "sub/e.md", "q.md"])
    path = notes / name
    text = path.read_text(encoding="utf-8")
    other = rng.choice(["a", "b", "c", "d", "q", "sub/e"])
    kind = rng.choice(["sentence", "link", "embed", "unlink", "heading", "block", "quiz",
                       "title", "tag", "inline tag", "date", "order"])
    if kind in ("title", "tag", "date", "order"):  # front matter: what other pages list about the note
        line = {"title": f"title: Title {step}", "tag": f"tags: [{rng.choice(['x', 'quiz', 'x/y'])}]",
                "date": f"modified: 2020-01-{step + 1:02d}", "order": f"nav_order: {rng.randint(1, 5)}"}[kind]
        text = with_front_matter_line(text, line)
    elif kind == "inline tag":
        text += f"\n#{rng.choice(['x', 'quiz', 'inline'])} at step {step}\n"
    elif kind == "sentence":
        text += f"\n문장 {step} 바뀜.\n"
    elif kind == "link":
        text += f"\nSee [[{other}]] at step {step}.\n"
    elif kind == "embed":
        text += f"\n![[{other}]]\n"
    elif kind == "unlink":
        lines = [line for line in text.split("\n") if "[[" in line and not line.startswith("#")]
        text = text.replace(rng.choice(lines), f"plain {step}", 1) if lines else text + f"\nplain {step}\n"
    elif kind == "heading":
        text += f"\n## Heading {step}\n\ntext {step} ^b{step}\n"
    elif kind == "block":
        text = text.replace(" ^blk", f" {step} ^blk") if "^blk" in text else text + "\nquote me ^blk\n"
    else:
        text += "\n" + QUIZ.format(question=f"Step {step}?") + "\n"
    path.write_text(text, encoding="utf-8")
    return name


@pytest.mark.parametrize("seed", [1, 7])
def test_random_quick_edits_write_what_cold_builds_have(tmp_path: Path, seed: int):
    """Random edits in a row: after each, the quick path's files are the cold build's, and the rebuild
    that follows leaves the cold build's site."""
    rng = random.Random(seed)
    notes = write_vault(tmp_path / "notes", VAULT)
    served = tmp_path / "served"
    config = config_file(tmp_path, notes, served, tmp_path / "cache")
    stats = kbgen_build(config)
    taken = []
    for step in range(5):
        assert stats.state is not None
        before = tree(served)
        name = _random_edit(rng, notes, step)
        quick = _show_at_once(stats.state, {name}) is not None
        taken.append(quick)
        cold_dir = tmp_path / f"cold{step}"
        kbgen_build(config_file(tmp_path, notes, cold_dir, tmp_path / f"cold-cache{step}"))
        now, cold = tree(served), tree(cold_dir)
        changed = sorted(p for p in now if now[p] != before[p])
        if quick:
            assert changed == sorted(p for p in cold if cold[p] != before.get(p) and not p.startswith(LATER)), step
            assert all(now[p] == cold[p] for p in changed), step
        else:
            assert changed == [], step
        stats = kbgen_build(config)
        assert tree(served) == cold, step
    assert any(taken)


@pytest.mark.parametrize("seed", [3, 8])
def test_quick_edits_without_rebuilds_keep_the_site_a_cold_build(tmp_path: Path, seed: int):
    """kbgen serve skips the rebuild after a complete quick refresh: the kept build must serve the next
    edit, and the site, search index included, must be the cold build's after each step."""
    from kbgen.mkdocs_quick import remember_views

    rng = random.Random(seed)
    notes = write_vault(tmp_path / "notes", VAULT)
    served = tmp_path / "served"
    config = config_file(tmp_path, notes, served, tmp_path / "cache")
    stats = kbgen_build(config)
    remember_views(stats.state)
    skipped = 0
    for step in range(6):
        assert stats.state is not None
        name = _random_edit(rng, notes, step)
        quick = _show_at_once(stats.state, {name})
        if quick is not None and quick.complete:
            assert finish_quickly(stats.state)  # the build cache too (kbgen.quick_cache)
            skipped += 1
        else:
            stats = kbgen_build(config)  # as kbgen serve does: from the cache quick refreshes wrote
            remember_views(stats.state)
        cold_dir = tmp_path / f"cold{step}"
        kbgen_build(config_file(tmp_path, notes, cold_dir, tmp_path / f"cold-cache{step}"))
        assert tree(served) == tree(cold_dir), (step, name)
    assert skipped >= 3
    # a build after the session, from the cache the quick refreshes kept, into another folder
    kbgen_build(config_file(tmp_path, notes, tmp_path / "after", tmp_path / "cache"))
    assert tree(tmp_path / "after") == tree(cold_dir)


def test_the_note_pages_are_written_and_shown_before_the_listings(tmp_path: Path):
    """A retitle: the note's page (and the page embedding it) is on disk, final, when ``shown`` is called;
    home, tag and folder pages and the other pages' sidebars come after, and are the cold build's too."""
    notes = write_vault(tmp_path / "notes", VAULT)
    served = tmp_path / "served"
    stats = kbgen_build(config_file(tmp_path, notes, served, tmp_path / "cache"))
    assert stats.state is not None
    before = tree(served)
    (notes / "c.md").write_text(VAULT["c.md"].replace("# Gamma", "# Gamma ray"), encoding="utf-8")
    at_shown: list[tuple[list[str], dict[str, bytes]]] = []
    quick = _show_at_once(stats.state, {"c.md"}, lambda written: at_shown.append((written, tree(served))))
    # the note pages, then the listings (home, tag pages); the other pages' sidebars are the refresh's own
    assert quick is not None and len(at_shown) == 2
    first, then = at_shown[0]
    listed, _ = at_shown[1]
    assert "index.html" in listed and not set(listed) & set(first)
    kbgen_build(config_file(tmp_path, notes, tmp_path / "cold", tmp_path / "cold-cache"))
    now, cold = tree(served), tree(tmp_path / "cold")
    # c's own page, b and d, which embed it (the embed shows its title), and a, whose backlinks list c by
    # its title: shown first and final
    assert sorted(first) == ["a/index.html", "b/index.html", "c/index.html", "d/index.html"]
    assert all(then[p] == cold[p] for p in first)
    # the rest came after: the home page lists the title, the others' sidebars show it
    later = sorted(p for p in now if now[p] != then[p])
    assert "index.html" in later and "q/index.html" in later and "sub/e/index.html" in later
    assert not set(later) & set(first)
    assert sorted(quick.pages + listed) == sorted(p for p in later if p.endswith(".html") and p not in ("404.html",))
    changed = sorted(p for p in now if now[p] != before[p])
    assert changed == sorted(p for p in cold if cold[p] != before.get(p) and not p.startswith(LATER))
    assert all(now[p] == cold[p] for p in changed)


def test_a_build_after_quick_edits_parses_nothing_again_and_equals_a_cold_build(tmp_path: Path, monkeypatch):
    """Quick refreshes write what they rendered to the build cache (kbgen.quick_cache): a build after the
    serve session (another site folder, the same cache) restores every note, and its site is the cold one."""
    from kbgen.mkdocs_quick import remember_views

    notes = write_vault(tmp_path / "notes", VAULT)
    stats = kbgen_build(config_file(tmp_path, notes, tmp_path / "served", tmp_path / "cache"), jobs=1)
    assert stats.state is not None
    remember_views(stats.state)  # as kbgen serve does after each full build
    edits = [("a.md", VAULT["a.md"].replace("title: Alpha", "title: Alef")),  # the vault signature changes
             ("c.md", VAULT["c.md"].replace("embedded text", "changed embedded text")),  # b and d embed it
             ("a.md", VAULT["a.md"].replace("title: Alpha", "title: Alef").replace("#inline", "#inline #quiz")),
             ("q.md", VAULT["q.md"].replace("How?", "Why?"))]
    for step, (name, text) in enumerate(edits):
        (notes / name).write_text(text, encoding="utf-8")
        quick = _show_at_once(stats.state, {name})
        assert quick is not None and quick.complete, step
        if step == 1:
            assert finish_quickly(stats.state)  # the author paused: the cache is written, and again below
    assert finish_quickly(stats.state)
    assert_next_build_parses_nothing_and_equals_cold(tmp_path, notes, monkeypatch)


def assert_next_build_parses_nothing_and_equals_cold(tmp_path: Path, notes: Path, monkeypatch) -> None:
    """``kbgen build`` on serve's cache (tmp_path/cache) parses no note again and gives the cold build's site."""
    from kbgen.markdown.renderer import NoteRenderer

    parsed: list[str] = []
    original = NoteRenderer.parse
    monkeypatch.setattr(NoteRenderer, "parse", lambda self, note, vault: parsed.append(note.src_path)
                        or original(self, note, vault))
    kbgen_build(config_file(tmp_path, notes, tmp_path / "after", tmp_path / "cache"), jobs=1)
    assert parsed == []
    monkeypatch.undo()
    kbgen_build(config_file(tmp_path, notes, tmp_path / "cold", tmp_path / "cold-cache"), jobs=1)
    assert tree(tmp_path / "after") == tree(tmp_path / "cold")


def with_front_matter_line(text: str, line: str) -> str:
    """``text`` with the front-matter line ``key: value`` set (replacing that key's line, or a new front matter)."""
    key = line.split(":")[0] + ":"
    if not text.startswith("---\n"):
        return f"---\n{line}\n---\n{text}"
    head, _, body = text[4:].partition("---\n")
    kept = [item for item in head.split("\n") if item and not item.startswith(key)]
    return "---\n" + "\n".join(kept + [line]) + "\n---\n" + body


def test_the_build_cache_is_not_signed_for_a_vault_saved_since(tmp_path: Path):
    """kbgen serve reads the vault for the build cache's signature without its lock (kbgen.quick_cache): a
    note saved after the last refresh makes that read another vault than the one in memory, and nothing is
    written (the next refresh writes it)."""
    from kbgen.mkdocs_quick import quick_cache, remember_views

    notes = write_vault(tmp_path / "notes", VAULT)
    stats = kbgen_build(config_file(tmp_path, notes, tmp_path / "served", tmp_path / "cache"))
    assert stats.state is not None
    remember_views(stats.state)
    (notes / "c.md").write_text(VAULT["c.md"].replace("embedded text", "first"), encoding="utf-8")
    assert _show_at_once(stats.state, {"c.md"}) is not None
    cache = quick_cache(stats.state)
    assert cache is not None
    on_disk = cache.vault_on_disk()
    (notes / "c.md").write_text(VAULT["c.md"].replace("embedded text", "second"), encoding="utf-8")
    assert cache.save() == 0
    assert cache.save(on_disk) > 0  # the vault as it was at that refresh
