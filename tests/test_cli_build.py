"""End to end: `kbgen build` / `kbgen check` on real vaults, through MkDocs and Material."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kbgen.cli import main

ROOT = Path(__file__).resolve().parent.parent
NOTES = ROOT / "notes"

SAMPLE_TITLES = {
    "What is Vanishing Gradient": "Q. What is Vanishing Gradient?",
    "기울기 소실 문제": "기울기 소실 문제",
    "깊은 인공신경망의 문제1": "15. 깊은 인공신경망의 문제1(feat. vanishing gradient)",
    "Gradient Vanishing 정리": "Gradient Vanishing 정리",
}


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "kbgen", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def _nav_titles(page: Path) -> list[str]:
    html = page.read_text(encoding="utf-8")
    return [t.strip() for t in re.findall(r'<span class="md-ellipsis">\s*(.*?)\s*</span>', html, re.S)]


def test_build_sample_vault_writes_five_pages_with_titles_in_navigation(tmp_path, sample_vault, capsys):
    site = tmp_path / "site"
    status = main(["build", "--config", str(ROOT / "mkdocs.yml"), "--notes", str(sample_vault), "--site", str(site)])
    assert status == 0
    err = capsys.readouterr().err
    assert re.search(r"kbgen: 5 notes → \d+ pages in .*: 0 errors, \d+ warnings, [\d.]+ s", err), err
    for folder, title in SAMPLE_TITLES.items():
        page = site / folder.replace(" ", "-") / "index.html"
        assert page.is_file(), folder
        assert f"<title>{title} - " in page.read_text(encoding="utf-8")
    nav = _nav_titles(site / "index.html")
    for title in SAMPLE_TITLES.values():
        assert title in nav
    # generated pages: the home page first, the Quizzes page after the notes
    assert nav[1] == "노트 목록" and nav[-4:] == ["퀴즈", "복습", "그래프", "태그"]
    # notes/ itself is never touched by a build
    assert sorted(p.name for p in NOTES.iterdir()) == sorted(p.name for p in sample_vault.iterdir())


def test_build_without_mkdocs_yml_uses_defaults(tmp_path, sample_vault):
    result = _run(["build", "--notes", str(sample_vault), "--site", str(tmp_path / "out")], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert re.search(r"5 notes → \d+ pages", result.stderr)
    assert "MkDocs 2.0" not in result.stderr and "Zensical" not in result.stderr  # no third-party banners
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert 'lang="ko"' in index
    assert "fonts.googleapis.com" not in index
    assert (tmp_path / "out" / "What-is-Vanishing-Gradient" / "index.html").is_file()


def test_errors_give_exit_1_and_the_site_is_still_written(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "good.md").write_text("# Good\n\ntext\n", encoding="utf-8")
    (notes / "bad.md").write_text("---\ntitle: x\ntags: [a, b\nfoo: 1\n---\n# Bad but built\n", encoding="utf-8")
    result = _run(["build", "--notes", str(notes), "--site", str(tmp_path / "site")], cwd=tmp_path)
    assert result.returncode == 1
    assert re.search(r"^bad\.md:\d+:\d+: error: invalid YAML front matter: .* \[front-matter\]$", result.stderr, re.M)
    assert "1 errors" in result.stderr
    assert (tmp_path / "site" / "good" / "index.html").is_file()
    assert "Bad but built" in (tmp_path / "site" / "bad" / "index.html").read_text(encoding="utf-8")


def test_exit_2_when_nothing_can_be_built(tmp_path):
    result = _run(["build", "--config", str(tmp_path / "missing.yml")], cwd=tmp_path)
    assert result.returncode == 2
    assert "kbgen: error:" in result.stderr


def test_check_text_and_json(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("---\ntitle: [unclosed\n---\nbody\n", encoding="utf-8")
    text = _run(["check", "--notes", str(notes)], cwd=tmp_path)
    assert text.returncode == 1
    assert re.search(r"^a\.md:2:\d+: error: invalid YAML front matter", text.stdout, re.M)
    as_json = _run(["check", "--notes", str(notes), "--format", "json"], cwd=tmp_path)
    assert as_json.returncode == 1
    items = json.loads(as_json.stdout)
    assert items and items[0]["path"] == "a.md" and items[0]["severity"] == "error"
    assert set(items[0]) == {"path", "line", "col", "severity", "code", "message"}
    assert not (tmp_path / "site").exists()  # check writes no site


def test_drafts_leave_no_trace(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "public.md").write_text("# Public note\n\nhello\n", encoding="utf-8")
    (notes / "secret.md").write_text("---\ntitle: Secret Plans\ndraft: true\ntags: [hidden-tag]\n---\nsecret body\n",
                                     encoding="utf-8")
    (notes / "private.md").write_text("---\npublish: false\n---\n# Private Diary\n", encoding="utf-8")
    site = tmp_path / "site"
    assert _run(["build", "--notes", str(notes), "--site", str(site)], cwd=tmp_path).returncode == 0
    assert not (site / "secret").exists() and not (site / "private").exists()
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".xml"):
            text = path.read_text(encoding="utf-8", errors="replace")
            for leaked in ("Secret Plans", "secret body", "hidden-tag", "Private Diary", "secret/", "private/"):
                assert leaked not in text, (path, leaked)


def test_author_text_is_escaped_in_titles_and_tags(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "x.md").write_text('---\ntitle: "<img src=x onerror=alert(1)>"\ntags: ["<b>t</b>"]\n---\nbody\n',
                                encoding="utf-8")
    site = tmp_path / "site"
    assert _run(["build", "--notes", str(notes), "--site", str(site)], cwd=tmp_path).returncode == 0
    for path in site.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "<img src=x" not in text, path
        assert "<b>t</b>" not in text, path
    assert "&lt;img src=x onerror=alert(1)&gt;" in (site / "x" / "index.html").read_text(encoding="utf-8")


def test_setup_fetches_katex_into_the_cache_next_to_the_config(tmp_path):
    (tmp_path / "notes").mkdir()
    result = _run(["setup"], cwd=tmp_path)  # no mkdocs.yml: the cache is ./.kbgen-cache
    assert result.returncode == 0, result.stderr
    assert "katex@0.19.1 ready in" in result.stderr, result.stderr
    katex = next((tmp_path / ".kbgen-cache" / "katex").glob("*/katex.min.css"))
    assert katex.stat().st_size > 10_000
    assert sorted(p.name for p in tmp_path.iterdir()) == [".kbgen-cache", "notes"]  # nothing else written


def test_without_mkdocs_yml_the_cache_is_dot_kbgen_cache_and_nothing_else_is_written(tmp_path):
    from kbgen.katex.cache import CACHE_FILE
    from tests.katex_support import PROJECT_CACHE, require_katex

    require_katex()
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("# A\n\n$x^2$ and [[b]]\n", encoding="utf-8")
    (notes / "b.md").write_text("# B\n", encoding="utf-8")
    before_notes = {p: p.read_bytes() for p in notes.rglob("*")}
    cache = tmp_path / ".kbgen-cache"
    for package in ("katex", "mathjax"):  # as `kbgen setup` leaves them, without the network
        shutil.copytree(PROJECT_CACHE / package, cache / package)
    result = _run(["build", "--notes", "notes", "--site", "out"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "could not be fetched" not in result.stderr  # it found the packages where setup puts them
    assert (cache / CACHE_FILE).is_file() and (cache / "build-cache.sqlite3").is_file()
    assert not (cache / ".kbgen-cache").exists()
    assert "katex" in (tmp_path / "out" / "a" / "index.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".kbgen-cache", "notes", "out"]
    assert {p: p.read_bytes() for p in notes.rglob("*")} == before_notes
