"""What quizzes cost a build: time inside the quiz and flashcard core rules, the emit
stage, and the Quizzes page's size, on the shared synthetic vault.

Usage: python bench/quiz_bench.py [N]    (default 1000; writes the vault to a temp folder)

The rules are timed from inside (best of 3 parses) because whole-build times on a
shared machine vary more than the rules cost.
"""
from __future__ import annotations

import gzip
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MAKE_VAULT = ROOT.parent / "shared" / "bench" / "make_vault.py"

from kbgen.build import build_vault  # noqa: E402
from kbgen.config import KbgenConfig  # noqa: E402
from kbgen.study.quizzes_page import PAGE_SRC  # noqa: E402
from kbgen.study import flashcards  # noqa: E402
from kbgen.study import quiz_syntax as quiz  # noqa: E402


def rule_seconds(config: KbgenConfig) -> tuple[float, float]:
    """Seconds inside the quiz and the flashcard core rule over one build, best of 3."""
    best = (float("inf"), float("inf"))
    for _ in range(3):
        spent = {"quiz": 0.0, "cards": 0.0}

        def timed(name, rule):  # type: ignore[no-untyped-def]
            def run(state):  # type: ignore[no-untyped-def]
                started = time.perf_counter()
                rule(state)
                spent[name] += time.perf_counter() - started
            return run

        with mock.patch.object(quiz, "_find_quizzes", timed("quiz", quiz._find_quizzes)), \
                mock.patch.object(flashcards, "_find_cards", timed("cards", flashcards._find_cards)):
            build_vault(config)
        best = min(best, (spent["quiz"], spent["cards"]))
    return best


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory() as tmp:
        vault = Path(tmp) / "vault"
        subprocess.run([sys.executable, str(MAKE_VAULT), str(vault), str(n)], check=True)
        config = KbgenConfig(notes_dir=vault)
        quiz_s, cards_s = rule_seconds(config)
        build = build_vault(config)
        page = next(p for p in build.pages if p.src_path == PAGE_SRC)
        quizzes = sum(len(r.data.get("quizzes", [])) for r in build.rendered.values())
        raw = page.html.encode("utf-8")
    print(f"notes: {n}, quizzes: {quizzes}")
    print(f"quiz core rule: {quiz_s:.3f} s ({quiz_s / n * 1000:.3f} ms a note), "
          f"flashcard core rule: {cards_s:.3f} s — best of 3 builds")
    print(f"parse stage of the last build: {build.timings['parse']:.2f} s, emit stage: {build.timings['emit']:.3f} s")
    print(f"Quizzes page body: {len(raw) / 1024:.0f} KB, {len(gzip.compress(raw)) / 1024:.0f} KB gzipped")


if __name__ == "__main__":
    main()
