"""Property tests: random Markdown, YAML and bytes never make loading or rendering raise.

A small set runs in CI; bench/fuzz.py runs the same strategies ≥ 10,000 times.
"""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzz_strategies import NAMES, Renderer, markdown, note_bytes, note_text
from kbgen.build import build_vault
from link_vaults import write_vault

FUZZ = settings(max_examples=120, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
RENDERER = Renderer(math=True)


@FUZZ
@given(note_text)
def test_any_note_text_renders(text: str) -> None:
    rendered = RENDERER.render_bytes(text.encode("utf-8"))
    assert isinstance(rendered.html, str)
    assert all(d.line >= 1 and d.col >= 1 for d in rendered.diagnostics)

@FUZZ
@given(note_bytes)
def test_any_bytes_load_and_render(data: bytes) -> None:
    rendered = RENDERER.render_bytes(data)
    assert isinstance(rendered.html, str)


@settings(max_examples=25, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(NAMES), markdown, min_size=1, max_size=4))
def test_any_small_vault_builds_with_every_note_accounted_for(tmp_path_factory, bodies: dict[str, str]) -> None:
    root = tmp_path_factory.mktemp("vault")
    write_vault(root / "notes", {f"{name}.md": body for name, body in bodies.items()})
    from kbgen.config import KbgenConfig

    result = build_vault(KbgenConfig(notes_dir=root / "notes", cache_dir=root / "cache", math=False))
    assert set(result.rendered) == {f"{name}.md" for name in bodies}
    assert not [d for d in result.diagnostics if d.code == "internal"]
