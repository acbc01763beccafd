"""The vault pipeline stays free of MkDocs: only the adapter (and the CLI) may import it."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "kbgen"
# The adapter: the plugin, and the drivers the CLI runs MkDocs's build and server with.
ALLOWED = {"mkdocs_plugin.py", "mkdocs_build.py", "mkdocs_serve.py", "mkdocs_quick.py", "mkdocs_search.py", "mkdocs_structure.py", "mkdocs_pages.py", "mkdocs_theme.py", "mkdocs_page_keys.py", "cli.py"}


def test_only_the_adapter_and_cli_import_mkdocs():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.name in ALLOWED and path.parent == PACKAGE:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n == "mkdocs" or n.startswith(("mkdocs.", "material")) for n in names):
                offenders.append(str(path.relative_to(PACKAGE)))
    assert offenders == []


def test_running_the_pipeline_loads_no_mkdocs_module(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("# A\n\n[[b]] $x^2$\n", encoding="utf-8")
    code = (
        "import sys\n"
        "from kbgen.build import build_vault\n"
        "from kbgen.config import KbgenConfig\n"
        f"b = build_vault(KbgenConfig(notes_dir={str(notes)!r}, cache_dir={str(tmp_path / 'c')!r}))\n"
        "assert 'a.md' in b.rendered\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('mkdocs', 'material')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_progress_bar_draws_only_for_long_builds(capsys):
    from kbgen.cli import ProgressBar

    bar = ProgressBar(enabled=True)
    bar.update("render", 5, 10)  # a small vault: no bar
    assert capsys.readouterr().err == ""
    bar.update("render", 500, 1000)
    assert "render [###############...............] 500/1000" in capsys.readouterr().err
    bar.clear()
    assert capsys.readouterr().err == "\r\x1b[K"
