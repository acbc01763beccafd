"""Dates: front matter, else one git log for the vault, else file times; shown, in the sitemap and the feed."""
from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import xml.etree.ElementTree as ET

import pytest
from link_vaults import write_vault

from kbgen.cli import main
from kbgen.config import KbgenConfig
from kbgen.vault.load import load_vault

D = dt.date
ATOM = "{http://www.w3.org/2005/Atom}"


def git(root, *args, date=None):
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org"}
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{date}T12:00:00+00:00"
    subprocess.run(["git", "-C", str(root), *args], check=True, env=env, capture_output=True)


@pytest.fixture
def repo(tmp_path):
    """A git work tree whose vault is a subfolder: two commits, then an untracked note."""
    git(tmp_path, "init", "-q")
    notes = write_vault(tmp_path / "vault", {
        "a note.md": "# A\n",
        "폴더/나.md": "# 나\n",
        "front.md": "---\ncreated: 2020-05-06\nmodified: 2021-07-08\n---\n# F\n",
        "blog.md": "---\ndate: '2019-01-02 10:00:00'\n---\n# Blog\n",
    })
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "first", date="2024-01-02")
    (notes / "a note.md").write_text("# A\n\nmore\n", encoding="utf-8")
    git(tmp_path, "commit", "-qam", "second", date="2024-03-04")
    (notes / "new.md").write_text("# New\n", encoding="utf-8")
    stamp = dt.datetime(2025, 6, 7, 12, tzinfo=dt.timezone.utc).timestamp()
    os.utime(notes / "new.md", (stamp, stamp))
    return notes


def test_dates_from_front_matter_git_and_file_times(repo):
    notes = load_vault(KbgenConfig(notes_dir=repo)).notes
    assert (notes["a note.md"].created, notes["a note.md"].modified) == (D(2024, 1, 2), D(2024, 3, 4))
    assert (notes["폴더/나.md"].created, notes["폴더/나.md"].modified) == (D(2024, 1, 2), D(2024, 1, 2))
    assert (notes["front.md"].created, notes["front.md"].modified) == (D(2020, 5, 6), D(2021, 7, 8))
    assert (notes["blog.md"].created, notes["blog.md"].modified) == (D(2019, 1, 2), D(2024, 1, 2))
    assert (notes["new.md"].created, notes["new.md"].modified) == (D(2025, 6, 7), D(2025, 6, 7))


def test_one_git_log_for_the_whole_vault(repo, monkeypatch):
    calls = []
    real = subprocess.run

    def counting(args, *a, **k):
        calls.append(args)
        return real(args, *a, **k)

    monkeypatch.setattr(subprocess, "run", counting)
    load_vault(KbgenConfig(notes_dir=repo))
    assert [c[c.index("log")] for c in calls if "git" in c[0]] == ["log"]


def test_dates_shown_in_sitemap_and_feed(repo, tmp_path):
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: 노트\nsite_url: https://example.org/kb/\ndocs_dir: vault\n"
                      "theme: {name: material, language: ko}\nplugins: [search, kbgen]\n", encoding="utf-8")
    site = tmp_path / "site"
    assert main(["build", "--config", str(config), "--notes", str(repo), "--site", str(site), "-q"]) == 0
    page = (site / "a-note" / "index.html").read_text(encoding="utf-8")
    assert '<p class="kb-dates">작성 <time datetime="2024-01-02">2024-01-02</time> · ' \
           '수정 <time datetime="2024-03-04">2024-03-04</time></p>' in page
    assert '<link rel="alternate" type="application/atom+xml" title="Atom" href="../feed.xml">' in page
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert re.search(r"<loc>https://example.org/kb/a-note/</loc>\s*<lastmod>2024-03-04</lastmod>", sitemap)
    feed = ET.parse(site / "feed.xml").getroot()
    entries = [(e.find(f"{ATOM}title").text, e.find(f"{ATOM}updated").text, e.find(f"{ATOM}link").get("href"))
               for e in feed.findall(f"{ATOM}entry")]
    assert entries[:3] == [("New", "2025-06-07T00:00:00Z", "https://example.org/kb/new/"),
                           ("A", "2024-03-04T00:00:00Z", "https://example.org/kb/a-note/"),
                           ("Blog", "2024-01-02T00:00:00Z", "https://example.org/kb/blog/")]
    home = (site / "index.html").read_text(encoding="utf-8")
    recent = re.findall(r'<li><a href="([^"]+)">', home.split('id="recent"')[1])
    assert recent[:2] == ["new/", "a-note/"]
