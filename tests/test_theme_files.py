"""The theme's static files come from a record only while every theme folder has the time it was recorded with."""
from __future__ import annotations

import os
from pathlib import Path

from kbgen import theme_files


def _theme(root: Path) -> Path:
    (root / "assets" / "icons").mkdir(parents=True)
    (root / "assets" / "app.js").write_text("x")
    (root / "assets" / "icons" / "a.svg").write_text("<svg/>")
    old = 1_600_000_000
    for folder in (root, root / "assets", root / "assets" / "icons"):
        os.utime(folder, (old, old))
    return root


def test_a_record_holds_until_a_name_changes_in_any_folder(tmp_path):
    theme = _theme(tmp_path / "theme")
    path = tmp_path / "cache" / theme_files.RECORD
    first = theme_files.Record(path, ("key",), [str(theme)])
    assert first.pairs() is None  # nothing recorded yet
    first.save([("assets/app.js", str(theme)), ("assets/icons/a.svg", str(theme))])
    assert theme_files.Record(path, ("key",), [str(theme)]).pairs() == [("assets/app.js", str(theme)),
                                                                        ("assets/icons/a.svg", str(theme))]
    assert theme_files.Record(path, ("other key",), [str(theme)]).pairs() is None
    (theme / "assets" / "icons" / "b.svg").write_text("<svg/>")  # a new icon, two folders down
    then = 1_600_000_100
    os.utime(theme / "assets" / "icons", (then, then))
    assert theme_files.Record(path, ("key",), [str(theme)]).pairs() is None


def test_a_folder_changed_just_now_is_never_recorded(tmp_path):
    theme = _theme(tmp_path / "theme")
    (theme / "assets" / "new.css").write_text("")  # the folder's time is now
    path = tmp_path / "cache" / theme_files.RECORD
    record = theme_files.Record(path, ("key",), [str(theme)])
    record.save([("assets/new.css", str(theme))])
    assert not path.exists() and record.pairs() is None


def test_builds_in_other_processes_take_the_record(tmp_path):
    """The record's key must be the same in every process: a set in it (MkDocs's static templates)
    printed in hash-seed order made every build walk the theme again and write a new record."""
    import subprocess
    import sys

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("# A\n", encoding="utf-8")
    cache = tmp_path / "cache"
    config = tmp_path / "mkdocs.yml"
    config.write_text(f"site_name: s\ndocs_dir: {notes}\nsite_dir: {tmp_path / 'site'}\ntheme:\n  name: material\n"
                      f"plugins:\n  - search\n  - kbgen:\n      cache_dir: {cache}\n", encoding="utf-8")
    recorded = []
    for seed in ("1", "2", "3"):
        (notes / "a.md").write_text(f"# A\n\nseed {seed}\n", encoding="utf-8")  # not a build with nothing to do
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-m", "kbgen", "build", "-q", "--config", str(config)], env=env,
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        recorded.append((cache / theme_files.RECORD).read_bytes())
    assert recorded[0] == recorded[1] == recorded[2]
