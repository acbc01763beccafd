"""The peers kbgen's build time is compared with, built from the same vault in the same run.

- Plain MkDocs + Material + mkdocs-roamlinks-plugin (``[[wiki links]]``), in a
  virtual environment of its own under the bench's work folder, created once
  and reused: mkdocs-roamlinks-plugin ships a top-level ``tests`` package that
  would shadow kbgen's own, so it is no dependency of kbgen. MkDocs and
  Material are pinned to the versions kbgen runs with, so the comparison is of
  the same engine with and without kbgen.
- Quartz 4 (``npx quartz build -d VAULT -o OUT``), when the caller names a
  checkout with its ``node_modules`` installed; Quartz is not on any package
  registry, so the bench never fetches it.

Each build runs in its own process; seconds and peak RSS come from ``wait4``
(the largest process of the tree: Quartz's node under npx).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

ROAMLINKS = "mkdocs-roamlinks-plugin==0.3.2"
# Everything in the peer venv but roamlinks at the version kbgen's own environment has.
PINNED = ("mkdocs", "mkdocs-material")


@dataclass
class PeerBuild:
    name: str
    seconds: float | None  # None: failed or not available
    peak_rss_mb: int | None = None
    note: str = ""

    def cell(self, kbgen_seconds: float) -> str:
        """``name: 12.3 s, 456 MB (kbgen 0.31×)``, or why there is no figure."""
        if self.seconds is None:
            return f"{self.name}: {self.note or 'failed'}"
        rss = f", {self.peak_rss_mb} MB" if self.peak_rss_mb else ""
        return f"{self.name}: {self.seconds:.1f} s{rss} (kbgen/{self.short} {kbgen_seconds / self.seconds:.2f}×{self.target})"

    @property
    def short(self) -> str:
        return self.name.split("+")[0].split()[0]

    @property
    def target(self) -> str:
        # issue 12: a cold build within a third of Quartz's
        return ", target ≤ 0.33" if self.short == "Quartz" else ""


def timed(cmd: list[str], env: dict[str, str], cwd: Path | None = None, log: Path | None = None) -> tuple[float, int, int]:
    """(seconds, peak RSS in MB, exit status) of one command; its output goes to ``log``."""
    out = log.open("wb") if log else subprocess.DEVNULL
    try:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
    finally:
        if log:
            out.close()  # type: ignore[union-attr]
    return seconds, int(usage.ru_maxrss / 1024), os.waitstatus_to_exitcode(status)


def requirements() -> list[str]:
    return [f"{name}=={metadata.version(name)}" for name in PINNED] + [ROAMLINKS]


def peer_venv(root: Path) -> Path | None:
    """The peer environment's python under ``root`` (created or brought up to the pins), or None when pip fails."""
    venv, stamp = root / "peer-venv", root / "peer-venv" / "kbgen-requirements.txt"
    python = venv / "bin" / "python"
    wanted = "\n".join(requirements()) + "\n"
    if python.exists() and stamp.exists() and stamp.read_text(encoding="utf-8") == wanted:
        return python
    shutil.rmtree(venv, ignore_errors=True)
    root.mkdir(parents=True, exist_ok=True)
    log = root / "peer-venv-install.log"
    with log.open("wb") as out:
        made = subprocess.run([sys.executable, "-m", "venv", str(venv)], stdout=out, stderr=subprocess.STDOUT)
        if made.returncode == 0:
            made = subprocess.run([str(python), "-m", "pip", "install", "-q", *requirements()],
                                  stdout=out, stderr=subprocess.STDOUT)
    if made.returncode != 0:
        print(f"peer venv: pip failed, see {log}", file=sys.stderr)
        return None
    stamp.write_text(wanted, encoding="utf-8")
    return python


def mkdocs_build(root: Path, work: Path, vault: Path) -> PeerBuild:
    """Plain MkDocs + Material (Material's search, navigation.prune) + roamlinks on ``vault``."""
    name = "MkDocs+Material+roamlinks"
    python = peer_venv(root)
    if python is None:
        return PeerBuild(name, None, note="peer venv could not be installed")
    cfg = work / "peer-mkdocs.yml"
    cfg.write_text(
        f"site_name: bench\ndocs_dir: {vault}\nsite_dir: {work / 'site-peer-mkdocs'}\n"
        "theme:\n  name: material\n  language: ko\n  font: false\n  features: [navigation.prune]\n"
        "plugins:\n  - search\n  - roamlinks\n", encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["NO_MKDOCS_2_WARNING"] = "1"
    seconds, rss, status = timed([str(python), "-m", "mkdocs", "build", "-q", "-f", str(cfg)], env,
                                 log=work / "peer-mkdocs.log")
    if status != 0:
        return PeerBuild(name, None, note=f"exit {status}, see {work / 'peer-mkdocs.log'}")
    return PeerBuild(name, seconds, rss)


def quartz_build(checkout: Path | None, work: Path, vault: Path) -> PeerBuild:
    """``npx quartz build -d VAULT -o OUT`` in a Quartz 4 checkout (cold: a new output folder)."""
    name = "Quartz"
    if checkout is None:
        return PeerBuild(name, None, note="not available (no --quartz checkout)")
    if not (checkout / "node_modules").is_dir() or not (checkout / "quartz").is_dir():
        return PeerBuild(name, None, note=f"not available ({checkout} is no Quartz checkout with node_modules)")
    version = _quartz_version(checkout)
    out = work / "site-quartz"
    shutil.rmtree(out, ignore_errors=True)
    seconds, rss, status = timed(["npx", "quartz", "build", "-d", str(vault), "-o", str(out)], dict(os.environ),
                                 cwd=checkout, log=work / "quartz.log")
    if status != 0:
        return PeerBuild(f"{name} {version}", None, note=f"exit {status}, see {work / 'quartz.log'}")
    return PeerBuild(f"{name} {version}", seconds, rss)


def _quartz_version(checkout: Path) -> str:
    try:
        return str(json.loads((checkout / "package.json").read_text(encoding="utf-8")).get("version", "?"))
    except (OSError, ValueError):
        return "?"
