"""A generated vault that exercises everything that crosses notes: what a parallel build must get right.

Links to headings, blocks, aliases and drafts; whole-note, heading and block
embeds, forward and backward in vault order, nested and cyclic; footnotes and
formulas inside embedded parts; inline tags; quizzes and flashcards; broken
links, bad formulas and other diagnostics; drafts and unpublished notes.
"""
from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _note(i: int, n: int) -> str:
    nxt, prev, far = (i + 1) % n, (i - 1) % n, (i * 7 + 3) % n
    tags = f"[topic{i % 5}, 'area/sub{i % 3}']"
    aliases = f"aliases: [별칭{i}]\n" if i % 4 == 0 else ""
    draft = "draft: true\n" if i % 23 == 5 else ("publish: false\n" if i % 29 == 7 else "")
    lines = [f"---\ntags: {tags}\n{aliases}{draft}---", f"# 노트 {i}", ""]
    lines.append(f"기울기 소실 문장 {i}: [[n{nxt}]]과 [[n{far}#절 {far}|그 절]]을 본다. 값 $x_{{{i}}}^2 + \\alpha$ 이다.")
    lines.append("")
    lines.append(f"별칭으로 [[별칭{(i // 4) * 4}]], 블록으로 [[n{prev}#^blk{prev}]]. #inline{i % 6}")
    lines.append("")
    lines.append(f"## 절 {i}")
    lines.append("")
    lines.append(f"여기는 절 {i}의 본문이다.[^f{i}] 짧은 문장. 또 다른 문장은 [[n{far}]]로 간다.")
    lines.append("")
    lines.append(f"$$\n\\sum_{{k=0}}^{{{i}}} k = \\frac{{{i}({i}+1)}}{{2}}\n$$")
    lines.append("")
    lines.append(f"단락에 블록 아이디가 있다. ^blk{i}")
    lines.append("")
    lines.append(f"[^f{i}]: 각주 {i}, [[n{nxt}]] 참고.")
    lines.append("")
    if i % 3 == 0:
        lines.append(f"![[n{(i + 5) % n}]]")  # a note later in vault order, whole
        lines.append("")
    if i % 3 == 1:
        lines.append(f"![[n{(i + 11) % n}#절 {(i + 11) % n}]]")  # a heading embed
        lines.append("")
    if i % 5 == 2:
        lines.append(f"![[n{(i + 2) % n}#^blk{(i + 2) % n}]]")  # a block embed
        lines.append("")
    if i % 17 == 0:
        lines.append(f"![[n{(i + 17) % n}]] ![[n{i}#절 {i}]]")  # chains, and a note showing its own section
        lines.append("")
    if i % 11 == 4:
        lines.append(f"깨진 링크 [[없는노트{i}]], 없는 절 [[n{nxt}#없는 절]], 나쁜 수식 $\\frac{{1}}{{$ 그리고 $\\badmacro{{{i}}}$.")
        lines.append("")
    if i % 13 == 6:
        lines.append(f"Q{i}. 어느 것이 ReLU의 기울기인가? $f'(x)$\n\nA) 0\nB) 1\nC) 0.25\n\n정답: B\n\n해설: [[n{nxt}]] 참고.")
        lines.append("")
    if i % 19 == 3:
        lines.append(f"```quiz\nσ'(x)의 최댓값은?\nanswer: 0.25\n---\n[[n{prev}]]에서 본 대로.\n```")
        lines.append("")
    return "\n".join(lines) + "\n"


def write_parallel_vault(root: Path, count: int = 300) -> Path:
    """The sample notes plus ``count`` generated notes in a few folders, and a pair of notes embedding each other."""
    shutil.copytree(ROOT / "notes", root)
    for i in range(count):
        folder = ("alpha", "beta/deep", "감마")[i % 3]
        path = root / folder / f"n{i}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_note(i, count), encoding="utf-8")
    (root / "cycle-a.md").write_text("# A\n\n![[cycle-b]]\n\n## Part\n\nA의 절.\n", encoding="utf-8")
    (root / "cycle-b.md").write_text("# B\n\n![[cycle-a#Part]]\n\n![[cycle-a]]\n", encoding="utf-8")
    (root / "flash.md").write_text("---\ntags: [flashcards]\n---\n# 카드\n\nReLU'(x) for x > 0::1\n\n"
                                   "Sigmoid max slope:::0.25\n\n==기울기 소실==은 깊은 망의 문제다.\n", encoding="utf-8")
    return root
