"""The pathological vault (scaled down for CI): the build finishes, every note is accounted for, memory is bounded.

bench/pathological.py builds the same inputs at full size and prints time and peak RSS.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kbgen.build import build_vault
from kbgen.config import KbgenConfig
from kbgen.vault.urls import url_dest
from pathological_vault import write_pathological_vault

ROOT = Path(__file__).resolve().parent.parent
SCALE = 0.02  # 400 brackets, 2,000 links on a line, a 440 KB note, a quote 200 deep…
PEAK_RSS_MB = 1500  # MkDocs + Material + V8 take ≈ 300–500 MB on their own


def test_pathological_vault_builds_with_every_note_accounted_for(tmp_path: Path) -> None:
    vault = tmp_path / "notes"
    written = write_pathological_vault(vault, SCALE)
    site = tmp_path / "site"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "kbgen", "build", "-q", "--notes", str(vault), "--site", str(site)],
                            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    err = proc.stderr.read() if proc.stderr else ""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode in (0, 1), err
    assert usage.ru_maxrss / 1024 < PEAK_RSS_MB

    result = build_vault(KbgenConfig(notes_dir=vault, cache_dir=tmp_path / "cache"))
    named = {d.path for d in result.diagnostics}
    for src_path in written:
        note = result.vault.notes.get(src_path)
        if note is not None and note.published:
            assert (site / url_dest(note.url)).is_file(), src_path
        else:
            assert src_path in named, src_path
            assert f"{src_path}:1:1: warning: not published" in err
    assert "loop/back" not in " ".join(result.vault.notes)  # the loop is not followed
    codes = {d.code for d in result.diagnostics}
    assert {"binary", "encoding", "too-deep", "skipped", "url-collision"} <= codes
