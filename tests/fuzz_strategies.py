"""Hypothesis strategies for hostile notes, built from the syntax kbgen knows.

Shared by tests/test_fuzz.py (a small set in CI) and bench/fuzz.py (≥ 10,000 examples).
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import strategies as st

from kbgen.config import KbgenConfig
from kbgen.markdown.renderer import NoteRenderer, RenderedNote
from kbgen.vault.load import load_note
from kbgen.vault.vault import Vault

NAMES = ["a", "b", "노트", "c d"]
PIECES = [
    # links, embeds, block ids, shortcodes
    "[[", "]]", "[", "]", "(", ")", "![[", "|", "\\|", "#", "#^", "^id", "[[a]]", "[[b#H|t]]", "![[노트]]", "![[c d#^id]]",
    "[t](a.md)", "[t](<c d.md>)", "![i](x.png)", "{{< ref \"a\" >}}", "[^1]", "[^1]: ", "http://x.y/z",
    # math, comments, highlight, emphasis
    "$", "$$", "\\(", "\\)", "\\[", "\\]", "\\begin{align}", "\\end{align}", "%%", "==", "**", "*", "_", "__", "~~", "`", "``",
    # blocks
    "```", "```quiz", "~~~", "> ", ">", "> [!note] ", "> [!tip]- ", "- ", "1. ", "* ", "+ ", "- [x] ", "- [ ] ", "    ", "\t",
    "---", "***", "# ", "## ", "| a | b |", "|---|---|", "::", ":::", "?", "??", "{: .cls }", "{#id}", "```toc",
    # quizzes and flashcards
    "문제: ", "Question: ", "A) ", "B) ", "정답: A", "Answer: B", "answer: true", "#flashcards",
    # HTML
    "<div>", "</div>", "<details markdown=\"1\">", "</details>", "<!--", "-->", "<script>", "&amp;", "<", ">", "&",
    # text and odd characters
    "a", "가나다", "기울기가", " ", "\n", "\n\n", "\r\n", "\x00", "\ufffd", "\u200b", "😀", "\\",
]
SIZES = st.integers(min_value=0, max_value=80)

markdown = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=4)), max_size=80).map("".join)
yaml_scalar = st.one_of(st.text(max_size=12), st.integers(), st.booleans(), st.none(),
                        st.sampled_from(["[", "{", ": x", "- a", "'", '"', "&a", "*a", "!!python/object", "2024-13-45"]))
yaml_text = st.lists(st.tuples(st.sampled_from(["title", "tags", "aliases", "id", "draft", "publish", "date",
                                                "created", "description", "parent", "nav_order", "x"]),
                               st.one_of(yaml_scalar, st.lists(yaml_scalar, max_size=3))),
                     max_size=6).map(lambda items: "".join(f"{k}: {v}\n" for k, v in items))
note_text = st.one_of(
    markdown,
    st.tuples(yaml_text, markdown).map(lambda p: f"---\n{p[0]}---\n{p[1]}"),
    st.tuples(yaml_text, markdown).map(lambda p: f"---\n{p[0]}{p[1]}"),  # unclosed front matter
)
note_bytes = st.one_of(st.binary(max_size=300), note_text.map(lambda t: t.encode("utf-8")),
                       note_text.map(lambda t: t.encode("utf-16")),
                       note_text.map(lambda t: t.encode("cp949", errors="replace")))


class Renderer:
    """One note at a time through load → parse → render, in a scratch vault with a few link targets."""

    def __init__(self, math: bool = True) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="kbgen-fuzz-"))
        self.config = KbgenConfig(notes_dir=self.tmp, cache_dir=self.tmp / "cache", math=math)
        self.renderer = NoteRenderer(self.config)

    def render_bytes(self, data: bytes, name: str = "fuzz.md") -> RenderedNote:
        path = self.tmp / name
        path.write_bytes(data)
        vault = Vault(root=self.tmp)
        for other in NAMES:
            vault.notes[f"{other}.md"] = load_note(self._write(f"{other}.md", f"# {other}\n\n## H\n\npara ^id\n"),
                                                   self.tmp, self.config)
        note = load_note(path, self.tmp, self.config)
        vault.notes[note.src_path] = note
        return self.renderer.render_note(note, vault)

    def _write(self, name: str, text: str) -> Path:
        path = self.tmp / name
        if not path.exists():
            path.write_text(text, encoding="utf-8")
        return path
