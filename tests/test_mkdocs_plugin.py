"""kbgen as a plain MkDocs plugin: `plugins: [kbgen]` in any mkdocs.yml, built by `mkdocs build`."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_plain_mkdocs_build_renders_with_kbgen(tmp_path):
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "notes", docs)
    (docs / "링크.md").write_text("# 링크\n\n[[What is Vanishing Gradient|질문 노트]] 와 [[없는 노트]]\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: plain\nsite_dir: out\ntheme:\n  name: material\n  language: ko\n"
        "plugins:\n  - search\n  - kbgen:\n      cache_dir: cache\n", encoding="utf-8")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-f", str(tmp_path / "mkdocs.yml")],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    # kbgen's diagnostics arrive as MkDocs warnings, in kbgen's format
    assert "링크.md:3:" in result.stderr and "[broken-link]" in result.stderr
    page = (tmp_path / "out" / "링크" / "index.html").read_text(encoding="utf-8")
    assert '<a class="kb-link" href="../What-is-Vanishing-Gradient/">질문 노트</a>' in page
    assert 'class="kb-unresolved"' in page
    seed = (tmp_path / "out" / "What-is-Vanishing-Gradient" / "index.html").read_text(encoding="utf-8")
    assert 'class="katex"' in seed and "$$" not in seed.split('<article')[1].split('</article>')[0]
    assert "fonts.googleapis.com" not in seed  # kbgen turns Material's Google Fonts off
    assert (tmp_path / "cache").is_dir()  # the cache lives where the plugin option says


def test_file_at_finds_what_get_file_from_path_finds():
    """kbgen's lookup by POSIX path (a dict lookup) answers as MkDocs's normalising one, odd paths too."""
    from mkdocs.structure.files import File, Files

    from kbgen.mkdocs_pages import file_at

    files = Files([File(p, "/docs", "/site", True) for p in ("a.md", "sub/b.md", "sub/img.png", "태그/c.md")])
    for path in ("a.md", "sub/b.md", "sub//b.md", "./a.md", "sub/./img.png", "태그/c.md", "sub/b.md/",
                 "missing.md", "sub/missing.md", "/a.md", ""):
        assert file_at(files, path) is files.get_file_from_path(path), path
    assert file_at(files, "sub//b.md") is not None  # the normalised path's file, as MkDocs finds it
