#!/usr/bin/env python3
"""The figures of issue 12, one table: build times, serve latency, memory, page and index sizes.

Usage: bench/perf_bench.py [N ...] [--jobs J] [--compare] [--quartz DIR] [--no-serve] [--serve-kind K]
       bench/perf_bench.py [N ...] --serve-only [--serve-kind K1,K2…] [--repeat R]

For each vault size N (default 1000 5000 10000) it copies the shared bench
vault (``../shared/bench/make_vault.py``) into a temporary folder and measures,
each in a fresh process:

- cold: ``kbgen build`` with an empty cache and an empty site folder (``--cold-runs K``: the median of K);
- no-change: the same build again (recognised from file stamps: kbgen.up_to_date);
- touched: after one note's modification time changed, its bytes not (the
  incremental build, which finds every note and page unchanged);
- one-edit: after appending a sentence to one note (``--edits K`` times, the median printed);
- serve edit: ``kbgen serve`` running, a note saved → the served page shows the
  new text (polled every 20 ms), → the pages that depend on it show it (a note
  added for the purpose embeds the edited one, and the edit links to it: its
  page shows the new text in the embed and in its backlinks), and → the site is
  complete (kbgen serve logs it): the search index written once no save came for
  3 s, or the full rebuild done when the edit needs one;
- with ``--serial``, a cold build with ``-j 1`` too;
- peak RSS of the cold build (the process and its workers, as ``wait4`` reports it);
- site size; note pages' size (median / 90th percentile / largest) and generated
  pages' (tag, folder, quizzes, review, home…) apart, alias redirect stubs in
  neither (bench/page_sizes.py), with the largest generated page; search index
  size (raw and gzip).

``--compare`` also builds the same vault, in the same run, with plain MkDocs +
Material + mkdocs-roamlinks-plugin (installed in a virtual environment of its
own under ``--work``, created on first use and reused: bench/peer_builds.py)
and with Quartz 4 when ``--quartz DIR`` names a checkout with its node_modules
(``npx quartz build -d VAULT -o OUT``; "not available" otherwise), and prints
each one's time, peak RSS and kbgen's cold time as a fraction of it. Run it
under ``flock /tmp/kbgen-bench.lock`` on a shared machine; the load average is
printed.

Nothing is deleted while figures are taken: a site and cache a cold build
replaces are renamed aside, and every scratch folder is deleted at the end;
the next run first waits out the two minutes after that deletion
(bench/scratch.py: on this machine's journal-less ext4, file creation right
after a mass deletion is slower, and the harness measured its own deletions).

kbgen runs from compiled bytecode (``PYTHONPYCACHEPREFIX`` under ``--work``,
compiled before the first build), as an installed kbgen does; ``--no-bytecode``
keeps a shell's ``PYTHONDONTWRITEBYTECODE``, which makes every build compile
kbgen's modules from source.
"""
from __future__ import annotations

import argparse
import gzip
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
import peer_builds  # noqa: E402  (a sibling script's module)
import page_sizes  # noqa: E402
from scratch import Scratch, settle  # noqa: E402
from peer_builds import mkdocs_build, quartz_build  # noqa: E402
MAKE_VAULT = ROOT.parent / "shared" / "bench" / "make_vault.py"
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "NO_MKDOCS_2_WARNING": "1"}
SCRATCH = Scratch()  # deleted when every figure is taken (bench/scratch.py)


def use_bytecode(work: Path) -> None:
    """Run kbgen from compiled bytecode, as an installed kbgen does (pip compiles it on install).

    With PYTHONDONTWRITEBYTECODE set (as in some shells), every kbgen process compiled its
    ~130 modules from source again: 0.15-0.3 s per build, a fixed cost that weighs on the
    incremental builds most. The bytecode goes to ``work`` (PYTHONPYCACHEPREFIX), compiled
    before the first build so the cold build pays nothing for it either.
    """
    ENV.pop("PYTHONDONTWRITEBYTECODE", None)
    ENV["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "kbgen")], env=ENV, check=True,
                   stdout=subprocess.DEVNULL)
    warm_up_bytecode(work)


WARM_UP_NOTES = 100


def warm_up_bytecode(work: Path) -> None:
    """One build of a small vault of the same kind, thrown away: the bytecode of what a build imports.

    With PYTHONPYCACHEPREFIX set, Python looks for every module's bytecode under
    the prefix — MkDocs, Material, Jinja, Pygments, the standard library — not
    beside the module, where the install put it. Compiling only kbgen left the
    first build measured (the cold one) compiling all the rest from source:
    1.2-1.4 s of a cold 1,000-note build that an installed kbgen never pays.
    Its own cache and site: the cold build measured after it starts from nothing. Deleted
    with the rest of the scratch at the end (bench/scratch.py).
    """
    scratch = work / "warm-up"
    vault = scratch / "notes"
    subprocess.run([sys.executable, str(MAKE_VAULT), str(vault), str(WARM_UP_NOTES)], check=True,
                   stdout=subprocess.DEVNULL)
    plugins = f"  - search:\n      lang: [ko, en]\n  - tags\n  - kbgen:\n      cache_dir: {scratch / 'cache'}\n"
    seed_cache(scratch)
    cfg = config(scratch, vault, "warm-up", plugins)
    subprocess.run([sys.executable, "-m", "kbgen", "build", "-q", "--config", str(cfg)], env=ENV, check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    SCRATCH.set_aside(scratch)


def machine_speed() -> str:
    """The time of a fixed pure-Python workload (median of 5, ms): how fast this machine runs Python now.

    On this shared virtual machine the same cold 1,000-note build took 6.1-6.3 s and,
    ten minutes later, 8.8 s; twice this workload took 245 ms and then 370 ms. Printed
    beside the figures, it tells whether two runs differ or the machine did.
    """
    def once() -> float:
        started = time.perf_counter()
        total = 0
        for i in range(1_500_000):  # integer arithmetic, then strings and a dict: a build's kind of work
            total += i * i % 7
        {str(i): i for i in range(150_000)}
        return time.perf_counter() - started

    return f"{1000 * statistics.median(once() for _ in range(5)):.0f} ms"


def vault_of(n: int, work: Path) -> Path:
    shared = Path(f"/tmp/vault-{n}")
    if not shared.is_dir():
        tmp = Path(tempfile.mkdtemp(dir="/tmp"))
        subprocess.run([sys.executable, str(MAKE_VAULT), str(tmp / "v"), str(n)], check=True,
                       stdout=subprocess.DEVNULL)
        try:
            (tmp / "v").rename(shared)
        except OSError:
            pass
        shutil.rmtree(tmp, ignore_errors=True)
    vault = work / "notes"
    shutil.copytree(shared, vault)
    return vault


def config(work: Path, vault: Path, name: str, plugins: str) -> Path:
    path = work / f"{name}.yml"
    path.write_text(
        f"site_name: bench\ndocs_dir: {vault}\nsite_dir: {work / ('site-' + name)}\n"
        "theme:\n  name: material\n  language: ko\n  font: false\n  features: [navigation.prune]\n"
        f"plugins:\n{plugins}", encoding="utf-8")
    return path


def seed_cache(work: Path) -> None:
    """The front-end packages ``kbgen setup`` fetched (KaTeX, …), not any build result: a cold build fetches nothing."""
    for item in (ROOT / ".kbgen-cache").glob("*"):
        if item.is_dir() and item.name not in ("jinja", "previous-site", "emit"):  # build results, not packages
            shutil.copytree(item, work / "cache" / item.name)


def bench_vault(n: int, work: Path) -> tuple[Path, Path]:
    """The shared N-note vault and kbgen's configuration for it in ``work``, with the front-end packages seeded."""
    vault = vault_of(n, work)
    cfg = config(work, vault, "kbgen", kbgen_plugins(work))
    seed_cache(work)
    # A file changed within 2 s of a build is not trusted by its stamp (kbgen.up_to_date):
    # the configuration was just written, as if the author had built an existing vault.
    time.sleep(2.1)
    return vault, cfg


def kbgen_plugins(work: Path) -> str:
    return f"  - search:\n      lang: [ko, en]\n  - tags\n  - kbgen:\n      cache_dir: {work / 'cache'}\n"


def timed(cmd: list[str]) -> tuple[float, int, int]:
    """(seconds, peak RSS in MB, exit status) of one kbgen command."""
    return peer_builds.timed(cmd, ENV)


def cold_builds(cfg: Path, work: Path, jobs: int | None, runs: int, n: int) -> tuple[float, int, int]:
    """(median seconds, peak RSS, worst exit status) of ``runs`` cold builds, each from an empty cache and site;
    the last one's site and cache are what the builds after it start from."""
    results, speeds = [], []
    for k in range(max(1, runs)):
        if k:
            start_cold(work)
        speeds.append(machine_speed())
        results.append(kbgen_build(cfg, jobs))
    print(f"{n} notes: cold builds " + ", ".join(f"{t:.2f} s (machine speed {v} before)" for (t, _, _), v
                                                 in zip(results, speeds))
          + f"; median {statistics.median(t for t, _, _ in results):.2f} s", flush=True)
    return (statistics.median(t for t, _, _ in results), max(r for _, r, _ in results),
            max((s for _, _, s in results), key=abs))


def start_cold(work: Path) -> None:
    """An empty site and cache (the front-end packages seeded) for the next cold build; the previous ones
    set aside, not deleted (bench/scratch.py)."""
    SCRATCH.set_aside(work / "site-kbgen")
    SCRATCH.set_aside(work / "cache")
    seed_cache(work)


def kbgen_build(cfg: Path, jobs: int | None) -> tuple[float, int, int]:
    cmd = [sys.executable, "-m", "kbgen", "build", "-q", "--config", str(cfg)]
    return timed(cmd + (["--jobs", str(jobs)] if jobs else []))


def edit_note(vault: Path, marker: str) -> tuple[Path, str]:
    note = sorted(vault.rglob("*.md"))[len(list(vault.rglob("*.md"))) // 2]
    with note.open("a", encoding="utf-8") as fh:
        fh.write(f"\n\n{marker} 편집한 문장.\n")
    return note, marker


EMBEDDER = "zz-bench-embed"  # a note serve_latency adds: it embeds the edited note


# What serve_latency's save changes: "sentence" (text and a link), "title" (its front-matter title),
# "tag" (an inline tag other notes have), "date" (the first save of a day: its modified date);
# the set of notes (kbgen.quick_structure): "add" (a note linking to it, in its folder), "delete" and
# "rename" (such a note, added before serve starts), "alias" (an alias added to it).
SERVE_KINDS = ("sentence", "title", "tag", "date", "add", "delete", "rename", "alias")
STRUCTURE_KINDS = ("add", "delete", "rename", "alias")
GONE = "zz-bench-gone"  # the note "delete" deletes and "rename" renames


def serve_latency(cfg: Path, vault: Path, site: Path,
                  kind: str = "sentence") -> tuple[float | None, float | None, float | None]:
    """(edit → the note's page shows it, → the pages that depend on it show it, → the full rebuild is done), s.

    The edited note is embedded by a note added for the purpose. "sentence": the edit adds a
    link to that note: the embedding page shows the new text through the embed and, in its
    backlinks, the sentence around the new link. "title": the embedding page shows the new
    title over the embed. "tag": the tag's page lists the note. "date": the home page's
    recent notes list it.
    """
    note = sorted(vault.rglob("*.md"))[1]
    # A note's modified date is shown on other pages (home, feed, folder lists): the first save on
    # a new day is a date change. Measure that on purpose ("date") or an ordinary save: dated today.
    if kind == "date":
        then = time.time() - 3 * 86400
        os.utime(note, (then, then))
    else:
        os.utime(note)
    (vault / f"{EMBEDDER}.md").write_text(f"# Bench embed\n\n![[{note.stem}]]\n", encoding="utf-8")
    for stale in [*note.parent.glob("zz-bench-*.md")]:
        stale.unlink()
    if kind in ("delete", "rename"):
        (note.parent / f"{GONE}.md").write_text(f"# Bench gone\n\n[[{note.stem}]] 사라질 문장.\n", encoding="utf-8")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "kbgen", "serve", "--config", str(cfg),
                               "--dev-addr", f"127.0.0.1:{port}"], env=ENV,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    rebuilds: list[float] = []  # when kbgen serve logged a finished rebuild (or that none was needed)

    def watch_log() -> None:
        for line in server.stderr:
            if "pages templated" in line or "no rebuild needed" in line:
                rebuilds.append(time.perf_counter())

    threading.Thread(target=watch_log, daemon=True).start()
    try:
        rel = note.relative_to(vault).with_suffix("").as_posix()
        page = next((p for p in sorted(site.rglob("index.html")) if rel.split("/")[-1] in p.parent.as_posix()), None)
        url_path = page.parent.relative_to(site).as_posix() + "/" if page else quote(rel) + "/"
        url = f"http://127.0.0.1:{port}/{quote(url_path)}"
        embedder = f"http://127.0.0.1:{port}/{EMBEDDER}/"
        if _poll(url, "</html>", 900) is None or _poll(embedder, "kb-embed", 900) is None:
            return None, None, None
        time.sleep(2)  # let the watcher settle after the first build
        marker = f"serve{int(time.time())}"
        # An earlier run's sentence goes: a page shows only the first few sentences around links to it.
        text = re.sub(rf"\n\nserve\d+ \[\[{EMBEDDER}\]\] 문장\.\n", "", note.read_text(encoding="utf-8"))
        text = re.sub(r"\n\nserve\d+ #\S+\n", "", text)
        dependent, needle, count = embedder, marker, 2  # once in the embed, once in the backlinks aside
        if kind == "title":
            text = re.sub(r"^title: .*$", f"title: Bench {marker}", text, count=1, flags=re.M)
            count = 1  # over the embed
        elif kind == "tag":
            tag = _tag_not_on(vault, text)
            text += f"\n\n{marker} #{tag}\n"
            dependent, needle, count = f"http://127.0.0.1:{port}/tags/{quote(tag)}/", quote(url_path), 1
        elif kind == "date":
            text += f"\n\n{marker} 문장.\n"
            dependent, needle, count = f"http://127.0.0.1:{port}/", quote(url_path), 1
        else:
            text += f"\n\n{marker} [[{EMBEDDER}]] 문장.\n"
        if kind in ("tag", "date") and needle in (_poll(dependent, "</html>", 60) or ""):
            return None, None, None  # listed already: nothing to measure
        act = lambda: note.write_text(text, encoding="utf-8")  # noqa: E731
        if kind in STRUCTURE_KINDS:
            act, url, marker, dependent, needle, count = _structure_edit(kind, note, marker, port, url_path)
        started = time.perf_counter()
        act()
        if (_poll_gone(url, 300) if kind == "delete" else _poll(url, marker, 300)) is None:
            return None, None, None
        visible = time.perf_counter() - started
        if count == 0:  # the dependent page must no longer show the needle
            if _poll(dependent, "</html>", 300, absent=needle) is None:
                return visible, None, None
        elif _poll(dependent, needle, 300, count=count) is None:
            return visible, None, None
        dependents = time.perf_counter() - started
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and not any(t > started for t in rebuilds):
            time.sleep(0.05)
        done = [t for t in rebuilds if t > started]
        return visible, dependents, (done[0] - started) if done else None
    finally:
        server.terminate()
        server.wait(timeout=60)


def _structure_edit(kind: str, note: Path, marker: str, port: int, url_path: str) -> tuple:
    """(the save, the page that shows it and what it shows, the dependent page, what it shows, how often).

    "add": the new note's page, and the linked note's backlinks list it. "delete": the page is gone, and
    the linked note's backlinks no longer name it. "rename": the page at its new URL, and the backlinks
    link there. "alias": the note's alias line, and the alias's redirect page.
    """
    base = f"http://127.0.0.1:{port}/"
    folder = url_path.rsplit("/", 2)[0] + "/" if url_path.count("/") > 1 else ""
    linked = base + quote(url_path)
    if kind == "add":
        new = note.parent / "zz-bench-new.md"
        act = lambda: new.write_text(f"# Bench new {marker}\n\n[[{note.stem}]] 새 문장.\n", encoding="utf-8")
        return act, base + quote(folder + "zz-bench-new/"), marker, linked, marker, 1
    if kind == "alias":  # before the wait for GONE: only delete and rename write that note
        alias = f"bench-alias-{marker}"
        text = note.read_text(encoding="utf-8")
        text = re.sub(r"^aliases: \[(.*)\]$", lambda m: f'aliases: [{m.group(1)}, "{alias}"]', text, count=1, flags=re.M)
        return (lambda: note.write_text(text, encoding="utf-8")), linked, alias, base + quote(alias + "/"), alias, 1
    gone = note.parent / f"{GONE}.md"
    if _poll(base + quote(folder + f"{GONE}/"), "Bench gone", 900) is None:
        raise RuntimeError(f"{GONE} was not served")
    if kind == "delete":
        return gone.unlink, base + quote(folder + f"{GONE}/"), marker, linked, f"{GONE}/", 0
    if kind == "rename":
        renamed = note.parent / "zz-bench-renamed.md"
        return (lambda: gone.rename(renamed)), base + quote(folder + "zz-bench-renamed/"), "Bench gone", linked, \
            "zz-bench-renamed/", 1


def _poll_gone(url: str, timeout: float, every: float = 0.02) -> bool | None:
    """True once the page at ``url`` is gone (an HTTP error); None after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                response.read()
        except OSError:
            return True
        time.sleep(every)
    return None


def _tag_not_on(vault: Path, text: str) -> str:
    """A tag other notes have (from the bench vault's front matter) that ``text`` does not."""
    for other in sorted(vault.rglob("*.md"))[2:50]:
        for tag in re.findall(r"^  - (\S+)$", other.read_text(encoding="utf-8"), flags=re.M):
            if tag not in text:
                return tag
    raise LookupError("no tag to add")


def _poll(url: str, needle: str, timeout: float, every: float = 0.02, count: int = 1,
          absent: str | None = None) -> str | None:
    """The page at ``url`` once it holds ``needle`` ``count`` times (and not ``absent``); None after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                text = response.read().decode("utf-8", "replace")
            if text.count(needle) >= count and (absent is None or absent not in text):
                return text
        except OSError:
            pass
        time.sleep(every)
    return None


def sizes(site: Path, vault: Path) -> tuple[float, str, str, float, float]:
    """(site MB, note pages KB median/p90/max, generated pages KB median/p90/max and the largest,
    search index MB, gzip MB); the index is every piece under search/. Alias redirect stubs count in
    neither page column (they are half of all index.html files and would halve a "median page")."""
    total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    notes, generated, _ = page_sizes.classify(site, vault)
    size, largest = generated.largest
    biggest = f"{generated.cell()} ({largest.parent.relative_to(site).as_posix()}/)" if largest else "-"
    raw = b"".join(p.read_bytes() for p in sorted((site / "search").rglob("*.json")))
    return total / 1e6, notes.cell(), biggest, len(raw) / 1e6, len(gzip.compress(raw, 6)) / 1e6


def touch_note(vault: Path) -> None:
    """A new modification time, same bytes: the stamp differs, the content does not."""
    note = sorted(vault.rglob("*.md"))[0]
    stat = note.stat()
    os.utime(note, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))


def serve_only(sizes: list[int], kinds: list[str], repeat: int, jobs: int | None) -> None:
    """Serve edit latency alone: per vault size one cold build (the cache serve starts from), then each
    kind ``repeat`` times, each in a fresh ``kbgen serve``."""
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at start")
    print("| N | kind | run | edit→visible s | edit→dependents s | edit→complete s | load before→after | machine speed |")
    print("|---|---|---|---|---|---|---|---|")
    for n in sizes:
        work = SCRATCH.mkdtemp()
        vault, cfg = bench_vault(n, work)
        kbgen_build(cfg, jobs)
        for kind in kinds:
            for run in range(1, repeat + 1):
                load = os.getloadavg()[0]
                figures = serve_latency(cfg, vault, work / "site-kbgen", kind)
                cells = ["-" if f is None else f"{f:.2f}" for f in figures]
                print(f"| {n} | {kind} | {run} | " + " | ".join(cells)
                      + f" | {load:.1f}→{os.getloadavg()[0]:.1f} | {machine_speed()} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 5000, 10000])
    parser.add_argument("--jobs", type=int)
    parser.add_argument("--compare", action="store_true", help="also MkDocs+Material+roamlinks (and Quartz) on the same vault")
    parser.add_argument("--quartz", type=Path, help="a Quartz 4 checkout with node_modules, for --compare")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "kbgen-perf-bench",
                        help="where the peers' virtual environment is kept between runs")
    parser.add_argument("--compare-max", type=int, default=5000, help="--compare only for vaults up to this size")
    parser.add_argument("--serial", action="store_true", help="also a cold build with -j 1 (the speed-up of workers)")
    parser.add_argument("--no-serve", action="store_true")
    parser.add_argument("--edits", type=int, default=3,
                        help="one-edit builds to run (each after another appended sentence); the median is printed")
    parser.add_argument("--no-bytecode", action="store_true",
                        help="leave PYTHONDONTWRITEBYTECODE as the shell has it (kbgen compiled from source in every process)")
    parser.add_argument("--serve-kind", default="sentence",
                        help="what the measured save changes, one of " + ", ".join(SERVE_KINDS)
                        + " (see serve_latency); with --serve-only several, comma-separated")
    parser.add_argument("--serve-only", action="store_true",
                        help="one cold build, then only the serve latency of each --serve-kind, --repeat times")
    parser.add_argument("--repeat", type=int, default=1, help="with --serve-only: runs of each kind")
    parser.add_argument("--cold-runs", type=int, default=1,
                        help="cold builds per vault size, each from nothing; their median is reported")
    args = parser.parse_args()
    kinds = args.serve_kind.split(",")
    if any(kind not in SERVE_KINDS for kind in kinds) or (len(kinds) > 1 and not args.serve_only):
        parser.error(f"--serve-kind: one of {', '.join(SERVE_KINDS)} (several only with --serve-only)")
    settle()
    try:
        measure(args, kinds)
    finally:
        SCRATCH.delete_all()


def measure(args: argparse.Namespace, kinds: list[str]) -> None:
    if not args.no_bytecode:
        use_bytecode(args.work)
    if args.serve_only:
        serve_only(args.sizes, kinds, args.repeat, args.jobs)
        return
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at start, "
          f"machine speed {machine_speed()} (bench/perf_bench.py machine_speed: lower is faster), "
          f"bytecode {'from source each time' if args.no_bytecode else 'compiled (as installed)'}")
    header = ["N", "cold s", "s/note ms", "no-change s", "touched s", "one-edit s", "serve edit→visible s",
              "serve edit→dependents s", "serve edit→complete s", "peak RSS MB", "site MB",
              "note page KB median/p90/max (no redirect stubs)", "generated page KB median/p90/max (largest)",
              "search index MB (gzip)"]
    if args.serial:
        header.append("cold -j1 s (speed-up)")
    if args.compare:
        header.append("compare")
    rows = []
    for n in args.sizes:
        work = SCRATCH.mkdtemp()
        vault, cfg = bench_vault(n, work)
        cold, rss, status = cold_builds(cfg, work, args.jobs, args.cold_runs, n)
        again, _, _ = kbgen_build(cfg, args.jobs)
        touch_note(vault)
        touched, _, _ = kbgen_build(cfg, args.jobs)
        edits, speeds = [], []
        for k in range(max(1, args.edits)):
            edit_note(vault, f"bench-edit{k or ''}")
            speeds.append(machine_speed())
            edits.append(kbgen_build(cfg, args.jobs)[0])
        edited = statistics.median(edits)
        print(f"{n} notes: one-edit builds " + ", ".join(f"{t:.2f} s ({v})" for t, v in zip(edits, speeds))
              + f"; median {edited:.2f} s", flush=True)
        site = work / "site-kbgen"
        site_mb, note_kb, generated_kb, index_mb, index_gz = sizes(site, vault)
        visible, dependents, rebuilt = (None,) * 3 if args.no_serve else serve_latency(cfg, vault, site,
                                                                                     kinds[0])
        row = [n, f"{cold:.1f}" + ("" if status == 0 else f" (exit {status})"), f"{1000 * cold / n:.1f}",
               f"{again:.1f} ({100 * again / cold:.0f}%)", f"{touched:.1f} ({100 * touched / cold:.0f}%)",
               f"{edited:.1f} ({100 * edited / cold:.0f}%)",
               "-" if visible is None else f"{visible:.2f}", "-" if dependents is None else f"{dependents:.2f}",
               "-" if rebuilt is None else f"{rebuilt:.1f}",
               rss, f"{site_mb:.0f}", note_kb, generated_kb, f"{index_mb:.1f} ({index_gz:.1f})"]
        if args.serial:
            start_cold(work)
            serial, _, _ = kbgen_build(cfg, 1)
            row.append(f"{serial:.1f} ({serial / cold:.2f}×)")
        if args.compare:
            if n <= args.compare_max:
                peers = [mkdocs_build(args.work, work, vault), quartz_build(args.quartz, work, vault)]
                row.append("; ".join(peer.cell(cold) for peer in peers))
            else:
                row.append("-")
        rows.append(row)
        print(" | ".join(str(c) for c in row), f"[load {os.getloadavg()[0]:.1f}, machine speed {machine_speed()}]",
              flush=True)
    print()
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |")
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        print(f"time per note at {last[0]} / at {first[0]}: {float(last[2]) / float(first[2]):.2f}× (target ≤ 1.2)")


if __name__ == "__main__":
    main()
