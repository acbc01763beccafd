"""Embeds that multiply (notes embedding each other many times) stay bounded per page, and cycles are all found."""
from __future__ import annotations

from pathlib import Path

from kbgen.diagnostics import REPORTED_PER_CODE
from link_vaults import build, page


def test_embeds_past_max_embeds_show_as_titles_with_one_warning(tmp_path: Path) -> None:
    many = "\n\n".join("![[z]]" for _ in range(30))
    result = build(tmp_path, {"y.md": "# y\n\n" + many + "\n", "z.md": "# z\n\n" + many.replace("z", "y") + "\n"},
                   math=False, max_embeds=50)
    html = page(result, "y.md")
    assert html.count('class="kb-embed kb-embed-note kb-embed-limit"') > 0
    boxes = html.count('class="kb-embed kb-embed-note')
    assert boxes - html.count("kb-embed-limit") == 50  # 50 real boxes (content or cut), the rest titles only
    warnings = [d for d in result.diagnostics if d.code == "too-many-embeds"]
    assert {d.path for d in warnings} == {"y.md", "z.md"} and "max_embeds" in warnings[0].message


def test_every_self_embed_is_reported_as_a_cycle(tmp_path: Path) -> None:
    result = build(tmp_path, {"x.md": "# x\n\n" + "\n\n".join("![[x]]" for _ in range(300)) + "\n"}, math=False)
    cycles = [d for d in result.diagnostics if d.code == "embed-cycle"]
    # Each one is found: the first REPORTED_PER_CODE where they are, the rest counted in one summary.
    assert len(cycles) == REPORTED_PER_CODE + 1
    assert cycles[0].message == "embedding '![[x]]' leads back to itself: x.md → x.md"
    assert sorted(d.line for d in cycles)[:2] == [3, 5]
    (summary,) = [d for d in cycles if d.message.startswith("and ")]
    assert summary.message == f"and {300 - REPORTED_PER_CODE} more embeds that lead back to themselves in this note"
    assert summary.line == 3 + 2 * REPORTED_PER_CODE
