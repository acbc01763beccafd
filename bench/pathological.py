"""The pathological vault at full size: time and peak memory of `kbgen build` on each input alone and all together.

    flock /tmp/kbgen-bench.lock .venv/bin/python bench/pathological.py [--scale 1.0] [--only huge,brackets]
    flock /tmp/kbgen-bench.lock .venv/bin/python bench/pathological.py --per-note /tmp/vault-5000
    … --code DIR  (run another checkout's kbgen, e.g. `git archive` of an older commit, for before/after)
    … --set max_formulas=2000  (a kbgen option for the builds)

Inputs (tests/pathological_vault.py): binary bytes, NUL, invalid UTF-8, 20,000 ``[`` then 20,000 ``]``
and 50,000 ``*``, a list 3,000 deep, a quote 10,000 deep, unclosed fence / ``$$`` / ``%%`` / front
matter, odd file names, a symlink loop and dangling symlinks, 100,000 wiki links on a line, a 22 MB note,
a 500,000-character note of ~30,000 distinct formulas.

Each build runs in its own process with kbgen's default configuration and a cache seeded with the
front-end packages `kbgen setup` fetched (a build times the build, not an npm download, as in
bench/perf_bench.py); peak RSS comes from wait4(). The memory cap is an RSS
watchdog (default 4 GB), not `prlimit --as`: V8 (KaTeX through mini-racer) reserves a large
address space and aborts under an address-space limit.
``--per-note`` parses and renders every note of a vault one by one and prints the slowest.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from pathological_vault import INPUTS, write_pathological_vault  # noqa: E402


def build(vault: Path, cap_bytes: int, timeout: float, code: Path = ROOT, options: dict | None = None) -> dict:
    site = vault.parent / "site"
    env = {**os.environ, "PYTHONPATH": str(code)}
    cmd = [sys.executable, "-m", "kbgen", "build", "-q", "--config", str(_config(vault, site, options or {})),
           "--notes", str(vault), "--site", str(site)]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=vault.parent, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    killed: list[str] = []
    done = threading.Event()

    def watchdog() -> None:  # never reaps the child (poll() would): wait4 below must get its rusage
        while not done.wait(0.05):
            if time.perf_counter() - started > timeout:
                killed.append(f"timeout {timeout:.0f} s")
            elif _rss(proc.pid) > cap_bytes:
                killed.append(f"RSS above {cap_bytes / 1e9:.1f} GB")
            if killed:
                os.killpg(proc.pid, signal.SIGKILL)
                return

    guard = threading.Thread(target=watchdog, daemon=True)
    guard.start()
    err = proc.stderr.read() if proc.stderr else ""
    _, status, usage = os.wait4(proc.pid, 0)
    done.set()
    proc.returncode = os.waitstatus_to_exitcode(status)
    guard.join()
    summary = re.search(r"kbgen: (\d+) notes → (\d+) pages.*?(\d+) errors, (\d+) warnings", err)
    return {"exit": proc.returncode, "seconds": time.perf_counter() - started, "peak_mb": usage.ru_maxrss / 1024,
            "cpu": usage.ru_utime + usage.ru_stime,
            "killed": killed[0] if killed else "", "summary": summary.group(0) if summary else err.strip()[-300:]}


def _config(vault: Path, site: Path, options: dict) -> Path:
    """kbgen's default mkdocs.yml, its cache holding the front-end packages of this checkout's cache."""
    import yaml

    from kbgen.cli import default_config_text

    cache = vault.parent / "cache"
    for item in (ROOT / ".kbgen-cache").glob("*"):
        if item.is_dir() and not (cache / item.name).exists():
            shutil.copytree(item, cache / item.name)
    data = yaml.safe_load(default_config_text(vault, site))
    data["plugins"] = [{"kbgen": {**options, "cache_dir": str(cache)}} if p == "kbgen" else p for p in data["plugins"]]
    path = vault.parent / "mkdocs.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def per_note(vault: Path) -> None:
    """Parse and render every note of ``vault`` one by one; the slowest, with and without collector pauses.

    A full collection walks every token tree kept so far, so whichever note triggers one
    is charged for the whole vault; the second figure subtracts that (gc.callbacks).
    """
    import gc

    from kbgen.config import KbgenConfig
    from kbgen.markdown import linkpass
    from kbgen.markdown.renderer import NoteRenderer
    from kbgen.vault.load import load_vault

    paused = [0.0, 0.0]  # total collector time, start of the current collection

    def on_gc(phase: str, _info: dict) -> None:
        if phase == "start":
            paused[1] = time.perf_counter()
        else:
            paused[0] += time.perf_counter() - paused[1]

    config = KbgenConfig(notes_dir=vault, cache_dir=ROOT / ".kbgen-cache")
    loaded = load_vault(config)
    renderer = NoteRenderer(config)
    times: dict[str, float] = {}
    own: dict[str, float] = {}  # without collector pauses
    parsed = {}

    def timed(src_path: str, step) -> object:
        gc_before, started = paused[0], time.perf_counter()
        result = step()
        spent = time.perf_counter() - started
        times[src_path] = times.get(src_path, 0.0) + spent
        own[src_path] = own.get(src_path, 0.0) + spent - (paused[0] - gc_before)
        return result

    gc.callbacks.append(on_gc)
    try:
        for note in loaded.published():
            parsed[note.src_path] = timed(note.src_path, lambda: renderer.parse(note, loaded))
        linkpass.index_links(loaded, parsed)
        for src_path, item in parsed.items():
            timed(src_path, lambda: renderer.render(item))
    finally:
        gc.callbacks.remove(on_gc)
    total = sum(times.values())
    print(f"{len(times)} notes parsed + rendered in {total:.1f} s ({paused[0]:.1f} s of it collector pauses); "
          f"mean {total / len(times) * 1000:.1f} ms")
    for label, table in (("slowest", times), ("slowest without collector pauses", own)):
        slowest = sorted(table.items(), key=lambda kv: -kv[1])[:5]
        print(f"{label}: " + ", ".join(f"{p} {t * 1000:.0f} ms" for p, t in slowest))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--only", default="", help="comma-separated input names (default: all)")
    parser.add_argument("--cap-gb", type=float, default=4.0)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--per-note", metavar="VAULT", help="time every note of VAULT instead")
    parser.add_argument("--code", type=Path, default=ROOT, help="the kbgen checkout whose code builds")
    parser.add_argument("--set", action="append", default=[], metavar="OPTION=INT",
                        help="a kbgen option for the builds, e.g. --set max_formulas=2000")
    args = parser.parse_args()
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    if args.per_note:
        per_note(Path(args.per_note))
        return 0
    names = [n for n in args.only.split(",") if n] or list(INPUTS)
    runs = [[n] for n in names] + ([names] if len(names) > 1 else [])
    cap = int(args.cap_gb * 1e9)
    for only in runs:
        with tempfile.TemporaryDirectory(prefix="kbgen-patho-") as tmp:
            vault = Path(tmp) / "notes"
            written = write_pathological_vault(vault, args.scale, only)
            size = sum(f.stat().st_size for f in vault.rglob("*") if f.is_file() and not f.is_symlink())
            options = {k: int(v) for k, v in (item.split("=", 1) for item in args.set)}
            r = build(vault, cap, args.timeout, args.code.resolve(), options)
            label = "ALL TOGETHER" if len(only) > 1 else only[0]
            print(f"{label:14} {len(written):3} notes {size / 1e6:7.2f} MB  exit {r['exit']:3}  "
                  f"{r['seconds']:7.1f} s (CPU {r['cpu']:5.1f} s)  peak RSS {r['peak_mb']:7.0f} MB  {r['killed']}  | {r['summary']}",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
