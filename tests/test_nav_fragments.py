"""Closed sidebar items rendered once per build (kbgen.nav.fragments) leave every page byte-identical."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import jinja2
import pytest
from mkdocs import utils

from kbgen.nav import fragments
from kbgen.nav.window import MoreLink, OpenSection

from link_vaults import write_vault
from parallel_vault import write_parallel_vault
from memo_support import memoized_and_plain
from test_site_build import config_file

MATERIAL_NAV_ITEM = Path(utils.get_theme_dir("material")) / fragments.TEMPLATE


def _vault(root: Path) -> Path:
    """Folders deep and wide: lists cut to a window with an "all N" link, closed sections on every level."""
    write_parallel_vault(root, 60)
    files = {f"wide/n{i:02d}.md": f"# 넓은 {i}\n\n[[n{(i + 1) % 40:02d}]] 본문.\n\n## 절\n\n글.\n" for i in range(40)}
    files.update({f"wide/sub{k}/deeper/d{i}.md": f"---\ntitle: 깊은 {k}-{i}\n---\n본문 {i}\n"
                  for k in range(3) for i in range(4)})
    files["wide/index.md"] = "# 넓은 폴더\n\n폴더 노트.\n"
    files["top-level.md"] = "# 맨 위\n\n[[n00]]\n"
    return write_vault(root, files)


def test_pages_with_memoized_items_equal_pages_rendered_item_by_item(tmp_path, monkeypatch):
    plugin, plain = memoized_and_plain(tmp_path, _vault(tmp_path / "notes"), monkeypatch, fragments, "memoizable",
                                       lambda features: False)
    assert plugin._fragments.hits > 1000  # the memo did the work …
    assert plugin._fragments.memo is None  # … for this build only
    assert plain._fragments.hits == 0
    page = (tmp_path / "site" / "wide" / "n20" / "index.html").read_text(encoding="utf-8")
    assert "md-nav__item--pruned" in page and "n05" not in page  # closed sections, a window of the list


def test_a_custom_dir_nav_item_is_rendered_as_written(tmp_path):
    notes = write_parallel_vault(tmp_path / "notes", 20)
    custom = tmp_path / "overrides" / "partials"
    custom.mkdir(parents=True)
    source = MATERIAL_NAV_ITEM.read_text(encoding="utf-8")
    (custom / "nav-item.html").write_text(source.replace('class="md-nav__link"', 'class="md-nav__link mine"'),
                                          encoding="utf-8")
    config = config_file(tmp_path, notes, tmp_path / "site", tmp_path / "cache")
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  name: material\n", f"  name: material\n  custom_dir: {tmp_path / 'overrides'}\n"), encoding="utf-8")
    from kbgen.cli import _kbgen_plugin, _quiet_mkdocs_logging, load_mkdocs_config
    from kbgen.mkdocs_build import build_site

    _quiet_mkdocs_logging()
    loaded = load_mkdocs_config(str(config), notes=None, site=None)
    plugin = _kbgen_plugin(loaded)
    plugin.on_diagnostics = lambda diagnostics: None
    loaded.plugins.on_startup(command="build", dirty=False)
    build_site(loaded, jobs=1)
    assert plugin._fragments.hits == 0
    page = (tmp_path / "site" / "alpha" / "n0" / "index.html").read_text(encoding="utf-8")
    assert 'class="md-nav__link mine"' in page


def test_the_installed_materials_nav_item_is_known():
    # A Material upgrade that changes nav-item.html turns the memo off: this says so.
    wrapped = fragments.wrapped_source(MATERIAL_NAV_ITEM.read_text(encoding="utf-8"))
    assert wrapped is not None and wrapped.count("{% macro render(") == 1
    # each child of an open section straight through the memo, not through a second macro call
    assert '{{ kbgen_nav_item(kbgen_nav_item_uncached, item, path ~ "_" ~ loop.index, level + 1, nav_item) }}' in wrapped
    assert fragments.wrapped_source("{% macro render(nav_item, path, level, parent) %}x{% endmacro %}") is None


@pytest.mark.parametrize(("features", "memoized"), [
    (["navigation.prune"], True), (["navigation.prune", "navigation.indexes", "navigation.path"], True),
    ([], False), (["navigation.prune", "navigation.sections"], False), (["navigation.prune", "navigation.tabs"], False),
    (["navigation.prune", "navigation.expand"], False),
])
def test_memoized_only_where_closed_items_are_drawn_as_one_link(features, memoized):
    assert fragments.memoizable(features) is memoized


def _context(page_url: str) -> jinja2.runtime.Context:
    env = jinja2.Environment()
    env.filters["url"] = jinja2.pass_context(lambda context, value: f"{context['page'].url}->{value}")
    return env.from_string("").new_context({"page": SimpleNamespace(url=page_url)})


def test_keys_name_the_item_and_its_link_as_the_page_writes_it():
    leaf = SimpleNamespace(title="잎", url="a/b/leaf/", children=None, active=False)
    inner = SimpleNamespace(title="안", url=None, children=[leaf], active=False)
    section = SimpleNamespace(title="절", url=None, children=[inner, SimpleNamespace(url="x/", children=None)],
                              active=False)
    key = fragments.NavFragments._key
    here = _context("p/")
    assert key(here, section) == ("section", id(section), "p/->a/b/leaf/")
    assert key(here, OpenSection(section, [OpenSection(inner, [leaf])])) == key(here, section)  # a page's wrapper
    assert key(_context("q/"), section) != key(here, section)
    assert key(here, leaf) == ("link", id(leaf), "p/->a/b/leaf/")
    assert key(here, MoreLink("모두 40", "wide/")) == ("link", ("more", "모두 40"), "p/->wide/")
    assert key(here, SimpleNamespace(url="o/", children=None, active=True)) is None  # open: Material's macro
    assert key(here, SimpleNamespace(url="v/", children=None, active=False, pages=[leaf])) is None


def test_outside_a_build_every_item_is_rendered():
    memo = fragments.NavFragments()
    calls = []

    def uncached(*args):
        calls.append(args)
        return "<li>x</li>"

    item = SimpleNamespace(url="a/", children=None, active=False)
    for _ in range(2):
        assert memo.__call__(_context("p/"), uncached, item, "__nav_1", 1, None) == "<li>x</li>"
    assert len(calls) == 2
    memo.start()
    for _ in range(2):
        memo.__call__(_context("p/"), uncached, item, "__nav_1", 1, None)
    assert len(calls) == 3 and memo.hits == 1


def test_a_memoized_item_is_kept_squeezed_as_the_page_will_be():
    from markupsafe import Markup

    item = Markup('\n    \n    <li class="md-nav__item">\n      <a href="../x/">\n  \n    X  \n  </a>\n    </li>\n  \n')
    kept = fragments.squeezed(item)
    assert kept == '\n<li class="md-nav__item">\n<a href="../x/">\nX\n</a>\n</li>\n' and isinstance(kept, Markup)
    assert fragments.squeezed("a\n\n  b") == "a\nb"


@pytest.mark.parametrize("item", ["<li><code>a\n\n  b</code></li>\n\n", "\n  <pre>x\n\n y",
                                  "</script>\n\n  <li>", "<li>\n  <SCRIPT>\n\n</li>"])
def test_an_item_holding_an_element_the_page_squeeze_keeps_is_kept_as_rendered(item):
    assert fragments.squeezed(item) is item


def test_squeezing_an_item_first_leaves_the_squeezed_page_the_same():
    """The page squeeze of (before + squeezed item + after) equals that of the page as rendered, on random text
    where the page squeeze reaches the item outside an element it keeps as written (in a page, the sidebar
    comes after the head's scripts and styles, all closed)."""
    import random

    from kbgen.emit.page_whitespace import squeeze_whitespace

    pieces = [" ", "  ", "\t", "\n", "\n\n", "\r\n", "\f", "a", "<li>", "</li>", "<pre>", "</pre>", "<code>",
              "</code>", "<script>", "</script>", "<textarea>", "x y"]
    closed = [p for p in pieces if not p.startswith("<")] + ["<li>", "<pre>a\n\n  b</pre>", "<script>\n\n</script>",
                                                             "<code> \n x</code>"]
    rng = random.Random(12)
    for _ in range(3000):
        before, item, after = ("".join(rng.choices(pieces, k=rng.randint(0, 8))) for _ in range(3))
        # Before the item: closed elements only (what the page squeeze keeps as written ends before the item).
        before = "".join(rng.choices(closed, k=rng.randint(0, 8)))
        page = before + item + after
        assert squeeze_whitespace(before + fragments.squeezed(item) + after) == squeeze_whitespace(page), \
            (before, item, after)
