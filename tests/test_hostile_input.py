"""Bad input never crashes a build, never drops a note, and author text is always escaped."""
from __future__ import annotations

import json
import random
import re
from pathlib import Path

from link_vaults import write_vault

from kbgen.build import build_vault
from kbgen.cli import main
from kbgen.config import KbgenConfig

XSS = '<img src=x onerror="alert(1)">'

NASTY = {
    "unclosed-fm.md": "---\ntitle: never closed\n# body\n",
    "bad-yaml.md": "---\ntags: [a, b\naliases: {x\n---\n# Still here\n",
    "list-title.md": "---\ntitle: [1, 2]\ndate: 2023-02-30\ntags: {a: b}\n---\ntext\n",
    "deep.md": "".join("  " * i + "- item\n" for i in range(200)) + ">" * 300 + " quote\n",
    "brackets.md": "[[" * 500 + "]]" * 3 + "![[" * 50 + "$" * 101 + "\\(" * 40 + "{:" * 30 + "\n",
    "math-garbage.md": "$$\n\\begin{x}\\frac{\n$$\n\n$\\unknowncommand{$ and $$ $$\n",
    "quiz-garbage.md": "**Question:**\n\n**정답: Z**\n\n```quiz\n- [x]\n```\n",
    "html.md": "<div markdown=\"1\">\n<details markdown=1>\n**x**\n",
    "nul.md": "a\x00b\x01c\n# \x00\n",
    "binary.md": bytes(range(256)) * 4,
    "cp949.md": "# 한글 제목\n\n본문\n".encode("cp949"),
    "empty.md": "",
}


def test_nasty_notes_all_build_and_problems_are_reported(tmp_path):
    notes = tmp_path / "notes"
    write_vault(notes, NASTY)
    rng = random.Random(1234)
    for i in range(30):  # random Markdown-ish soup
        alphabet = "#*_`$[]()!|\\<>{}:-^~ \n가나다abc123=&\"'"
        (notes / f"fuzz-{i}.md").write_text("".join(rng.choice(alphabet) for _ in range(600)), encoding="utf-8")
    build = build_vault(KbgenConfig(notes_dir=notes, cache_dir=tmp_path / "cache"))
    assert set(build.rendered) == set(build.vault.notes)  # nothing dropped
    assert len(build.rendered) == len(NASTY) + 30
    lines = [d.format() for d in build.diagnostics]
    assert any(re.match(r"bad-yaml\.md:\d+:\d+: error: invalid YAML front matter", line) for line in lines)
    assert any(line.startswith("math-garbage.md:") and line.endswith("[math]") for line in lines)
    assert "한글 제목" in build.rendered["cp949.md"].html


def test_author_text_is_escaped_everywhere_it_lands(tmp_path):
    notes = tmp_path / "notes"
    write_vault(notes, {
        "evil.md": (f"---\ntitle: '{XSS}'\naliases: ['{XSS}']\ntags: ['{XSS}']\ndescription: '{XSS}'\n---\n"
                    f"**Question:** Pick {XSS.replace('<', '&lt;')} [[target]]\n\n- A) yes\n- B) no\n\n**정답: A**\n"),
        "target.md": "# Target\n\nlinked from evil\n",
        f"folder/{'x'}.md": "[[evil]] and ![[evil]]\n",
    })
    site = tmp_path / "site"
    assert main(["build", "--notes", str(notes), "--site", str(site), "-q"]) == 0
    checked = 0
    for path in site.rglob("*"):
        if path.suffix in (".html", ".json", ".xml") and path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            assert "<img src=x" not in text, path
            if path.suffix == ".json":
                json.loads(text)  # still valid JSON
            checked += 1
    assert checked > 5
    # and the text is there, escaped, where a reader sees it
    target = (site / "target" / "index.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=" in target  # the backlink's title


def test_a_bug_in_one_note_costs_that_note_its_formatting_not_the_build(tmp_path, monkeypatch):
    from kbgen.markdown import highlight

    def broken(code: str, lang: str, env: dict | None = None) -> str:
        if "boom" in code:
            raise RuntimeError("simulated renderer bug")
        return f"<pre><code>{code}</code></pre>"

    monkeypatch.setattr(highlight, "highlight_code", broken)
    notes = tmp_path / "notes"
    write_vault(notes, {"ok.md": "# Fine\n\n```\nfine\n```\n", "bad.md": "---\ntitle: Bad\n---\n# Bad\n\n```\nboom <b>\n```\n"})
    build = build_vault(KbgenConfig(notes_dir=notes, cache_dir=tmp_path / "cache"))
    assert "<pre><code>fine" in build.rendered["ok.md"].html
    bad = build.rendered["bad.md"]
    assert bad.html.startswith('<pre class="kb-source">') and "boom &lt;b&gt;" in bad.html
    assert [d.format() for d in build.diagnostics if d.code == "internal"] == [
        "bad.md:4:1: error: kbgen failed to render this note (RuntimeError: simulated renderer bug); "
        "it is shown as plain text [internal]"]
