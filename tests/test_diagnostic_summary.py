"""A note with thousands of broken links gets the first few reported where they are, then one summary line."""
from __future__ import annotations

import re
from pathlib import Path

from kbgen.cli import main
from kbgen.diagnostics import REPORTED_PER_CODE, Reporter
from link_vaults import write_vault

LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning): (?P<msg>.*) \[(?P<code>[\w-]+)\]$")


def test_ten_thousand_broken_links_print_a_few_lines_and_a_summary(tmp_path: Path, capsys) -> None:
    broken = " ".join(f"[[missing{i}]]" for i in range(10_000))
    notes = write_vault(tmp_path / "notes", {
        "a.md": "# a\n",
        "flood.md": "# flood\n\n" + broken + "\n",
        "few.md": "# few\n\n[[gone1]] [[gone2]]\n",
    })
    status = main(["check", "--notes", str(notes)])
    out = capsys.readouterr().out.splitlines()
    assert status == 0  # warnings only: the exit status is unchanged by the summary
    parsed = [LINE.match(line) for line in out]
    assert all(parsed), [line for line, m in zip(out, parsed) if not m]
    flood = [m for m in parsed if m["path"] == "flood.md" and m["code"] == "broken-link"]
    assert len(flood) == REPORTED_PER_CODE + 1
    shown = [m for m in flood if not m["msg"].startswith("and ")]
    assert [m["msg"] for m in shown] == [f"link target 'missing{i}' matches no note or file"
                                         for i in range(REPORTED_PER_CODE)]  # the first ones, in order
    assert [int(m["col"]) for m in shown] == [broken.index(f"[[missing{i}]]") + 1 for i in range(REPORTED_PER_CODE)]
    (summary,) = [m for m in flood if m["msg"].startswith("and ")]
    assert summary["msg"] == f"and {10_000 - REPORTED_PER_CODE} more unresolved links in this note"
    assert summary["sev"] == "warning"
    # It sits where the first link left out is: line 3, the column of [[missing20]].
    assert (int(summary["line"]), int(summary["col"])) == (3, broken.index(f"[[missing{REPORTED_PER_CODE}]]") + 1)
    # Another note's problems are its own: both of few.md's broken links are listed.
    assert len([m for m in parsed if m["path"] == "few.md"]) == 2
    assert len(out) < 40


def test_errors_left_out_keep_the_summary_an_error() -> None:
    report = Reporter("n.md", body_offset=2)
    for i in range(REPORTED_PER_CODE):
        report.warning("math", f"bad formula {i}", body_line=i)
    report.error("math", "worse formula", body_line=50, col=7)
    report.warning("math", "bad formula again", body_line=60)
    report.warning("math", "bad formula 0", body_line=0)  # the same problem twice counts once
    assert len(report.items) == REPORTED_PER_CODE + 1
    summary = report.items[-1]
    assert (summary.line, summary.col, summary.severity, summary.code) == (53, 7, "error", "math")
    assert summary.message == "and 2 more problems of this kind (math) in this note"
    # The exit status still sees an error.
    assert any(d.severity == "error" for d in report.items)
