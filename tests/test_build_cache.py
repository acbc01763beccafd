"""The build cache never changes a build: cached and incremental results equal a cold build."""
from __future__ import annotations

import random
import shutil
from pathlib import Path

from kbgen.build import build_vault
from kbgen.config import KbgenConfig
from kbgen.vault_build import VaultBuild

from link_vaults import write_vault

ROOT = Path(__file__).resolve().parent.parent

VAULT = {
    "a.md": "---\ntitle: Alpha\ntags: [x]\n---\n# Alpha\n\nSee [[b]] and [[c#Part two]] and $x^2$.\n\n## One\n\ntext ^blk\n",
    "b.md": "# Beta\n\n![[c#Part two]]\n\n[[a#^blk]] and [[missing]]\n",
    "c.md": "# Gamma\n\n## Part two\n\nembedded text with [[a]]\n\n![[d]]\n",
    "d.md": "# Delta\n\n![[c]]\n",  # c ↔ d embed each other: an embed-cycle warning
    "sub/e.md": "---\naliases: [epsilon]\n---\n# Eps\n\n[[../a|up]] [t](../b.md)\n\n**Question:** q?\n\n- A) one\n- B) two\n\n**정답: B**\n",
    "draft.md": "---\ndraft: true\n---\n# Draft\n\n[[a]]\n",
    "img.png": b"\x89PNG\r\n",
}


def snapshot(build: VaultBuild) -> dict:
    """Everything a build hands to MkDocs, in order."""
    return {
        "rendered": [(p, r.html, r.title, r.toc, r.diagnostics) for p, r in build.rendered.items()],
        "pages": [(p.src_path, p.title, p.html, p.toc, p.meta, p.searchable) for p in build.pages],
        "files": [(f.dest, f.read_bytes()) for f in build.files],
        "css": build.extra_css,
        "js": build.extra_javascript,
        "diagnostics": [d.format() for d in build.diagnostics],
    }


def run(notes: Path, cache: Path, *, cached: bool) -> VaultBuild:
    return build_vault(KbgenConfig(notes_dir=notes, cache_dir=cache, build_cache=cached))


def cold(notes: Path, tmp: Path) -> dict:
    return snapshot(run(notes, tmp / "cold-cache", cached=False))


def test_a_build_from_the_cache_equals_a_cold_build(tmp_path):
    notes = write_vault(tmp_path / "notes", VAULT)
    first = run(notes, tmp_path / "cache", cached=True)
    assert first.timings and set(first.rendered) == {"a.md", "b.md", "c.md", "d.md", "sub/e.md"}
    second = run(notes, tmp_path / "cache", cached=True)
    assert snapshot(second) == snapshot(first) == cold(notes, tmp_path)
    assert any("embed-cycle" in d for d in snapshot(second)["diagnostics"])


def test_nothing_is_parsed_again_when_nothing_changed(tmp_path, monkeypatch):
    from kbgen.markdown.renderer import NoteRenderer

    notes = write_vault(tmp_path / "notes", VAULT)
    run(notes, tmp_path / "cache", cached=True)
    parsed: list[str] = []
    original = NoteRenderer.parse
    monkeypatch.setattr(NoteRenderer, "parse", lambda self, note, vault: parsed.append(note.src_path)
                        or original(self, note, vault))
    run(notes, tmp_path / "cache", cached=True)
    assert parsed == []
    (notes / "sub" / "e.md").write_text(VAULT["sub/e.md"] + "\nmore\n", encoding="utf-8")
    run(notes, tmp_path / "cache", cached=True)
    assert parsed == ["sub/e.md"]  # nothing links to e by name, so nothing else is stale
    parsed.clear()
    (notes / "c.md").write_text(VAULT["c.md"].replace("embedded text", "changed text"), encoding="utf-8")
    run(notes, tmp_path / "cache", cached=True)
    # b and d embed c; c itself. a only links to c (to its heading, which stayed): a's page is as it was
    assert sorted(set(parsed)) == ["b.md", "c.md", "d.md"]
    parsed.clear()
    (notes / "c.md").write_text(VAULT["c.md"].replace("## Part two", "## Part 2"), encoding="utf-8")
    got = snapshot(run(notes, tmp_path / "cache", cached=True))
    # The heading a links to went: a is built again (its link is now broken), as a cold build has it
    assert "a.md" in parsed and sorted(set(parsed)) == ["a.md", "b.md", "c.md", "d.md"]
    assert got == cold(notes, tmp_path) and any("no heading 'Part two'" in d for d in got["diagnostics"])


EDITS = ("body", "title", "add", "delete", "rename", "embed", "draft", "link-heading", "attachment", "inline-tag")


def _edit(notes: Path, rng: random.Random, step: int) -> str:
    files = sorted(p for p in notes.rglob("*.md"))
    kind = rng.choice(EDITS)
    target = rng.choice(files) if files else None
    if target is None or kind == "add":
        name = notes / f"new{step}.md"
        name.write_text(f"# New {step}\n\n[[{rng.choice(['a', 'b', 'c', 'missing'])}]]\n", encoding="utf-8")
    elif kind == "body":
        target.write_text(target.read_text(encoding="utf-8") + f"\nline {step} [[a]]\n", encoding="utf-8")
    elif kind == "title":
        text = target.read_text(encoding="utf-8")
        target.write_text(f"---\ntitle: Title {step}\n---\n" + text.split("---\n")[-1], encoding="utf-8")
    elif kind == "delete" and len(files) > 2:
        target.unlink()
    elif kind == "rename":
        target.rename(target.with_name(f"renamed{step}.md"))
    elif kind == "embed":
        other = rng.choice(files)
        target.write_text(target.read_text(encoding="utf-8") + f"\n![[{other.stem}]]\n", encoding="utf-8")
    elif kind == "draft":
        text = target.read_text(encoding="utf-8")
        flag = "draft: true" if "draft: true" not in text else "draft: false"
        target.write_text(f"---\n{flag}\n---\n" + text.split("---\n")[-1], encoding="utf-8")
    elif kind == "link-heading":
        target.write_text(target.read_text(encoding="utf-8") + f"\n## Heading {step}\n\n[[c#Part two]]\n",
                          encoding="utf-8")
    elif kind == "inline-tag":
        target.write_text(target.read_text(encoding="utf-8") + f"\n#topic{step % 2} #x\n", encoding="utf-8")
    else:
        (notes / f"pic{step}.png").write_bytes(b"png")
    return f"{kind} {target.name if target else ''}"


def test_random_edit_sequences_match_cold_builds(tmp_path):
    rng = random.Random(12)
    for sequence in range(3):
        notes = tmp_path / f"notes{sequence}"
        write_vault(notes, VAULT)
        cache = tmp_path / f"cache{sequence}"
        run(notes, cache, cached=True)
        for step in range(10):
            what = _edit(notes, rng, step)
            got = snapshot(run(notes, cache, cached=True))
            want = cold(notes, tmp_path / f"cold{sequence}-{step}")
            assert got == want, what


def test_the_sample_vault_from_the_cache_equals_a_cold_build(tmp_path):
    notes = tmp_path / "notes"
    shutil.copytree(ROOT / "notes", notes)
    run(notes, tmp_path / "cache", cached=True)
    assert snapshot(run(notes, tmp_path / "cache", cached=True)) == cold(notes, tmp_path)


def test_a_new_configuration_starts_afresh(tmp_path):
    notes = write_vault(tmp_path / "notes", VAULT)
    run(notes, tmp_path / "cache", cached=True)
    config = KbgenConfig(notes_dir=notes, cache_dir=tmp_path / "cache", math=False)
    assert "$x^2$" in build_vault(config).rendered["a.md"].html


def test_a_note_rendered_again_takes_its_unchanged_code_blocks_from_its_last_render(tmp_path, monkeypatch):
    """Pygments runs only for a block the note did not have before; the page equals a cold build's."""
    from kbgen.markdown import highlight

    code = "```python\ndef f(x):\n    return x * 2\n```\n"
    notes = write_vault(tmp_path / "notes", {"a.md": f"# A\n\n{code}\n```\nplain\n```\n",
                                             "b.md": f"# B\n\n[[a]]\n\n{code}"})
    run(notes, tmp_path / "cache", cached=True)
    highlighted: list[str] = []
    real = highlight._highlighted
    monkeypatch.setattr(highlight, "_highlighted", lambda c, lang: highlighted.append(c) or real(c, lang))
    (notes / "a.md").write_text(f"# A\n\n고친 문장.\n\n{code}\n```\nplain\n```\n", encoding="utf-8")
    again = run(notes, tmp_path / "cache", cached=True)
    assert highlighted == []
    assert '<span class="k">def</span>' in again.rendered["a.md"].html and "고친 문장" in again.rendered["a.md"].html
    assert snapshot(again) == cold(notes, tmp_path / "1")
    (notes / "a.md").write_text(f"# A\n\n{code.replace('x * 2', 'x * 3')}", encoding="utf-8")
    highlighted.clear()  # the cold build highlighted everything
    changed = run(notes, tmp_path / "cache", cached=True)
    assert highlighted == ["def f(x):\n    return x * 3\n"]  # the changed block only, once
    assert snapshot(changed) == cold(notes, tmp_path / "2")


def test_a_notes_digest_is_kept_with_its_text_and_follows_it():
    from pathlib import Path as P

    from kbgen import pickles
    from kbgen.cache import source_sha
    from kbgen.vault.note import Note

    def fresh(note: Note) -> str:
        return source_sha(Note(note.src_path, note.abs_path, note.source, note.body, note.body_offset))

    text = "# 가\n\n" + "본문 문장. " * 100  # long enough to be pickled apart (kbgen.pickles)
    note = Note("a.md", P("/v/a.md"), text, text, 0)
    plain = len(pickles.dumps(note))
    first = source_sha(note)
    back = pickles.loads(pickles.dumps(note))  # kept through pickling, with the text it was made of
    assert back.__dict__["_source_sha"][0] is back.source and source_sha(back) == first == fresh(back)
    assert len(pickles.dumps(note)) < plain + 100  # the text is not pickled twice
    note.source = text + "고친 본문.\n"
    assert source_sha(note) == fresh(note) != first
    note.src_path = "b.md"
    assert source_sha(note) == fresh(note)
    assert len({first, source_sha(note), fresh(back)}) == 2
