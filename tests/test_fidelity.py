"""The fidelity corpus: small notes (tests/fidelity/notes) and the page body each must become.

Each note has ``tests/fidelity/expected/<name>.html`` (the rendered body, with
typeset formulas shown as ``⟦TeX⟧`` and MathJax's SVG as ``⟦mathjax⟧`` so it
reads like the note) or ``<name>.txt`` (only the visible text matters). A
regression shows as a unified diff. After an intended change, rewrite the
expectations with ``KBGEN_FIDELITY_WRITE=1`` and review the diff before
committing it.
"""
from __future__ import annotations

import difflib
import os
import re
import shutil
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from kbgen.build import build_vault
from kbgen.config import KbgenConfig

from katex_support import fresh_cache

CORPUS = Path(__file__).parent / "fidelity"
NOTES = sorted(p.name for p in (CORPUS / "notes").glob("*.md"))
WRITE = os.environ.get("KBGEN_FIDELITY_WRITE") == "1"

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from fidelity_report import visible_text  # noqa: E402  (the bench measures leaks the same way)


class _Normalizer(HTMLParser):
    """Re-serializes HTML with each typeset formula replaced by a readable marker."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.skip_depth = 0  # > 0 inside a typeset formula
        self.tex: list[str] = []
        self.in_annotation = False
        self.mathjax = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if self.skip_depth:
            self.skip_depth += tag not in _VOID
            self.in_annotation = self.in_annotation or tag == "annotation"
            self.mathjax = self.mathjax or tag == "mjx-container"
            return
        if "arithmatex" in classes and "kb-math-error" not in classes:
            self.skip_depth, self.tex, self.mathjax = 1, [], "kb-mathjax" in classes
            return
        self.out.append(self.get_starttag_text() or "")

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if not self.skip_depth:
            self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if self.skip_depth:
            if tag == "annotation":
                self.in_annotation = False
            if tag not in _VOID:
                self.skip_depth -= 1
            if self.skip_depth == 0:
                self.out.append("⟦mathjax⟧" if self.mathjax else f"⟦{''.join(self.tex).strip()}⟧")
            return
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            if self.in_annotation:
                self.tex.append(data)
        else:
            self.out.append(data)

    def handle_entityref(self, name: str) -> None:
        self.handle_data(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.handle_data(f"&#{name};")


_VOID = {"br", "img", "hr", "input", "meta", "link", "wbr", "source", "path", "rect", "use", "line"}


# Widgets other stages append to every page, not part of how the note itself reads.
_WIDGETS = re.compile(r'\n*<section class="kb-graph-local"[^>]*>.*?</section>\n*', re.S)


def normalize(page_html: str) -> str:
    parser = _Normalizer()
    parser.feed(_WIDGETS.sub("\n", page_html))
    parser.close()
    return "".join(parser.out).strip() + "\n"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fidelity")
    notes = tmp / "notes"
    shutil.copytree(CORPUS / "notes", notes)
    return build_vault(KbgenConfig(notes_dir=notes, cache_dir=fresh_cache(tmp)))


def test_the_corpus_is_large_enough():
    assert len(NOTES) >= 40


@pytest.mark.parametrize("name", NOTES)
def test_note_renders_as_expected(corpus, name):
    rendered = corpus.rendered[name]
    html_file = CORPUS / "expected" / (name[:-3] + ".html")
    text_file = CORPUS / "expected" / (name[:-3] + ".txt")
    if text_file.exists():
        expected_file, actual = text_file, " ".join(visible_text(rendered.html).split()) + "\n"
    else:
        expected_file, actual = html_file, normalize(rendered.html)
    if WRITE:
        expected_file.write_text(actual, encoding="utf-8")
    expected = expected_file.read_text(encoding="utf-8") if expected_file.exists() else ""
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                            f"expected/{expected_file.name}", "rendered"))
        pytest.fail(f"{name} renders differently:\n{diff}", pytrace=False)
