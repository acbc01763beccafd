"""The Quizzes page: every quiz of the vault, grouped by tag, practice templates, no answer key in sight."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from material.plugins.search.plugin import Parser

from kbgen.build import build_vault
from kbgen.config import KbgenConfig
from kbgen.study.quizzes_page import PAGE_SRC, rebase_links
from kbgen.study.model import answer_hash

ROOT = Path(__file__).resolve().parent.parent
MAKE_VAULT = ROOT.parent / "shared" / "bench" / "make_vault.py"

QUIZ = """**Q.** {question}

- A) right answer {n}
- B) wrong answer {n}

정답: A

- B) 틀린 이유 {n}
"""


def write(root: Path, path: str, text: str) -> None:
    file = root / path
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text, encoding="utf-8")


def quizzes_page(build):
    pages = [p for p in build.pages if p.src_path == PAGE_SRC]
    return pages[0] if pages else None


def all_parts_html(build) -> str:
    """The listing's pages, first to last (the first at quizzes/, then quizzes/page/n/)."""
    parts = [p for p in build.pages if p.src_path == PAGE_SRC or p.meta.get("kb_parts") == PAGE_SRC]
    return "".join(p.html for p in sorted(parts, key=lambda p: (p.src_path != PAGE_SRC, len(p.url), p.url)))


def bank(build, name: str = "quizzes") -> list:
    """Every item of a bank, read back from its chunk files (the scripts the page loads)."""
    chunks = sorted((f for f in build.files if re.fullmatch(rf"assets/kbgen/banks/{name}-\d+\.js", f.dest)),
                    key=lambda f: int(re.search(r"(\d+)\.js$", f.dest).group(1)))
    items = []
    for n, chunk in enumerate(chunks):
        text = chunk.read_bytes().decode()
        prefix = f'(window.kbgenBanks=window.kbgenBanks||{{}})["{name}-{n}"]='
        assert text.startswith(prefix) and text.endswith(";\n")
        items.extend(json.loads(text[len(prefix):-2]))
    return items


def search_text(page_html: str) -> str:
    parser = Parser()
    parser.feed(page_html)
    parser.close()
    return " ".join("".join(s.title) + " " + "".join(s.text) for s in parser.data if not s.is_excluded())


@pytest.fixture(scope="module")
def bench_build(tmp_path_factory):
    if not MAKE_VAULT.is_file():
        pytest.skip(f"{MAKE_VAULT} not available")
    vault = tmp_path_factory.mktemp("bench") / "vault"
    subprocess.run([sys.executable, str(MAKE_VAULT), str(vault), "1000"], check=True)
    return build_vault(KbgenConfig(notes_dir=vault))


def test_quizzes_page_lists_every_quiz_of_a_1000_note_bench_vault(bench_build):
    page = quizzes_page(bench_build)
    assert page is not None and page.title == "퀴즈"
    # make_vault.py gives every note i with i % 3 == 0 one quiz.
    expected = {n.url for p, n in bench_build.vault.notes.items() if int(re.search(r"(\d+)\.md$", p).group(1)) % 3 == 0}
    assert len(expected) == 334
    listing = all_parts_html(bench_build)
    links = re.findall(r'<li><a href="(?:\.\./)+([^"#]*)#quiz-([0-9a-f]{8})">A model stops converging', listing)
    assert {url for url, _ in links} == expected
    # Each link lands on the quiz's id in its note.
    by_url = {n.url: bench_build.rendered[p].html for p, n in bench_build.vault.notes.items()}
    for url, quiz_id in links:
        assert f'id="quiz-{quiz_id}"' in by_url[url]
    # Practice mode has every quiz once, in its bank (script files), and each one's id on the page.
    items = bank(bench_build)
    assert len(items) == 334 and len({item[2] for item in items}) == 334
    practice = json.loads(re.search(r'class="kb-practice__data">(.*?)</script>', page.html).group(1))
    assert sorted(q[0] for q in practice["quizzes"]) == sorted({quiz_id for _, quiz_id in links})


def test_quizzes_page_groups_by_tag_and_keeps_the_answer_key_out_of_plain_text(bench_build):
    page = quizzes_page(bench_build)
    tags = {t for n in bench_build.vault.notes.values() for t in n.tags}
    # each tag heading is a chip linking to the tag's page
    headings = list(dict.fromkeys(re.findall(r'<h2 id="[^"]+">(?:<a class="md-tag kb-tag-chip" href="[^"]+">)?(.*?)(?:</a>)?<a class="headerlink"', all_parts_html(bench_build))))
    assert headings and set(headings) <= tags | {"태그 없음"}
    assert [h.casefold() for h in headings if h != "태그 없음"] == sorted(h.casefold() for h in headings if h != "태그 없음")
    assert {e["id"] for e in page.toc} == set(re.findall(r'<h2 id="([^"]+)">', page.html))

    text = search_text(page.html)
    assert "A model stops converging after more layers were added. Why?" in text
    assert "정답" not in text and "데이터 크기는" not in text
    assert not re.search(r"data-(correct|answer)", page.html)
    # The right option (B) is known only by hash: hash(id:1:1) on B, hash(id:n:0) on the others.
    practice = json.loads(re.search(r'class="kb-practice__data">(.*?)</script>', page.html).group(1))
    for (quiz_id, _), (_, _, body) in zip(practice["quizzes"], bank(bench_build), strict=True):
        keys = re.findall(r'data-k="([0-9a-f]{8})"', body)
        assert keys == [answer_hash(quiz_id, f"{n}:{int(n == 1)}") for n in range(4)]


def test_unpublished_notes_leave_no_trace_and_links_are_rebased(tmp_path):
    notes = tmp_path / "notes"
    write(notes, "a/b/shown.md", "---\ntags: [ml/relu]\n---\n# Shown\n\n"
          + QUIZ.format(question="Visible question, see [[other]]?", n=1))
    write(notes, "c/other.md", "# Other\n\ntext\n")
    write(notes, "draft.md", "---\ndraft: true\ntags: [secret-tag]\n---\n# D\n\n" + QUIZ.format(question="DRAFTQ?", n=2))
    write(notes, "private.md", "---\npublish: false\n---\n# P\n\n" + QUIZ.format(question="PRIVATEQ?", n=3))
    build = build_vault(KbgenConfig(notes_dir=notes))
    page = quizzes_page(build)
    assert page is not None
    assert "DRAFTQ" not in page.html and "PRIVATEQ" not in page.html and "secret-tag" not in page.html
    assert "틀린 이유 2" not in page.html and "틀린 이유 3" not in page.html
    assert len(bank(build)) == 1
    assert not any(b"DRAFTQ" in f.read_bytes() or b"PRIVATEQ" in f.read_bytes() for f in build.files
                   if f.dest.startswith("assets/kbgen/banks/"))
    [quiz] = build.rendered["a/b/shown.md"].data["quizzes"]
    assert f'<li><a href="../a/b/shown/#quiz-{quiz.id}">Visible question, see other?</a>' in page.html
    assert '<h2 id="tag-mlrelu"><a class="md-tag kb-tag-chip" href="../tags/ml/relu/">ml/relu</a><a' in page.html
    # The wiki link inside the quiz pointed from a/b/shown/ to ../../../c/other/; here it starts at quizzes/.
    note_link = re.search(r'see <a class="kb-link" href="([^"]+)"', build.rendered["a/b/shown.md"].html).group(1)
    assert note_link == "../../../c/other/"
    [[href, title, component]] = bank(build)
    assert 'see <a class="kb-link" href="../c/other/"' in component
    assert href == f"../a/b/shown/#quiz-{quiz.id}" and title == "Shown"


def test_no_page_when_disabled_or_without_quizzes(tmp_path):
    notes = tmp_path / "notes"
    write(notes, "q.md", QUIZ.format(question="Q?", n=1))
    assert quizzes_page(build_vault(KbgenConfig(notes_dir=notes, quizzes_page=False))) is None
    (notes / "q.md").write_text("# no quiz here\n", encoding="utf-8")
    assert quizzes_page(build_vault(KbgenConfig(notes_dir=notes))) is None


def test_author_text_is_escaped_on_the_quizzes_page(tmp_path):
    notes = tmp_path / "notes"
    write(notes, "x.md", '---\ntitle: "<b>T</b>"\ntags: ["<i>t</i>"]\n---\n'
          + QUIZ.format(question="Is 1 &lt; 2 <script>alert(1)</script>?", n=1))
    page = quizzes_page(build_vault(KbgenConfig(notes_dir=notes)))
    listing = page.html.split("</section>", 1)[1]
    assert "<script>" not in listing and "<b>T</b>" not in page.html and "<i>t</i>" not in page.html
    assert "&lt;b&gt;T&lt;/b&gt;" in page.html and "&lt;i&gt;t&lt;/i&gt;" in listing


@pytest.mark.parametrize("href, from_url, to_url, expected", [
    ("../other/", "a/b/", "quizzes/", "../a/other/"),
    ("#frag", "a/b/", "quizzes/", "../a/b/#frag"),
    ("../../img/x.png?v=1", "a/b/", "quizzes/", "../img/x.png?v=1"),
    ("https://example.com/", "a/b/", "quizzes/", "https://example.com/"),
    ("/abs/", "a/b/", "quizzes/", "/abs/"),
    ("other.html", "a/b.html", "quizzes.html", "a/other.html"),
    ("../", "a/b/", "quizzes/", "../a/"),
])
def test_rebase_links(href, from_url, to_url, expected):
    assert rebase_links(f'<a href="{href}">x</a>', from_url, to_url) == f'<a href="{expected}">x</a>'
