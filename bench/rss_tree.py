"""Peak memory of a command and all its child processes (kbgen's forked workers), sampled from /proc.

    python bench/rss_tree.py [--interval 0.05] -- kbgen build --notes /tmp/vault-10000 --site /tmp/x/site -q

Prints, in MB:
- ``wait4 max RSS``: the largest resident size any single process of the tree reached
  (what ``/usr/bin/time -v`` shows; the kernel's own peak, not sampled);
- ``peak sum RSS``: the largest sum of resident sizes over the command and its
  descendants at one sample. Pages a forked worker shares with its parent are
  counted in both, so this overstates what the machine gave;
- ``peak sum PSS``: the same with shared pages divided among the processes sharing
  them (/proc/PID/smaps_rollup): what the tree really held at its peak.
Linux only.
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def _tree(root: int) -> list[int]:
    out, stack = [], [root]
    while stack:
        pid = stack.pop()
        out.append(pid)
        stack.extend(_children(pid))
    return out


def _kb(path: str, field: str) -> int:
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interval", type=float, default=0.05, help="seconds between samples")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command")
    started = time.perf_counter()
    proc = subprocess.Popen(command)
    peak_rss = peak_pss = peak_count = 0
    hwm: dict[int, tuple[int, float]] = {}  # pid → (its own peak VmHWM kB, seconds when last seen)
    while proc.poll() is None:
        pids = _tree(proc.pid)
        for p in pids:
            own = _kb(f"/proc/{p}/status", "VmHWM:")
            if own:
                hwm[p] = (max(own, hwm.get(p, (0, 0.0))[0]), time.perf_counter() - started)
        rss = sum(_kb(f"/proc/{p}/status", "VmRSS:") for p in pids)
        pss = sum(_kb(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids)
        if rss > peak_rss:
            peak_rss, peak_count = rss, len(pids)
        peak_pss = max(peak_pss, pss)
        time.sleep(args.interval)
    elapsed = time.perf_counter() - started
    max_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KB on Linux
    print(f"exit {proc.returncode}  wall {elapsed:.1f} s", file=sys.stderr)
    print(f"wait4 max RSS (one process): {max_rss / 1024:,.0f} MB", file=sys.stderr)
    print(f"peak sum RSS (tree, {peak_count} processes then): {peak_rss / 1024:,.0f} MB", file=sys.stderr)
    print(f"peak sum PSS (tree): {peak_pss / 1024:,.0f} MB", file=sys.stderr)
    # Each process's own peak (sampled VmHWM): which one set the wait4 figure, the parent or a worker.
    for pid, (kb, seen) in sorted(hwm.items(), key=lambda kv: -kv[1][0])[:6]:
        role = "command" if pid == proc.pid else "child"
        print(f"  pid {pid} ({role}, last seen at {seen:.1f} s): peak {kb / 1024:,.0f} MB", file=sys.stderr)
    return proc.returncode


if __name__ == "__main__":
    raise SystemExit(main())
