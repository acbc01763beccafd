"""Graph view: one graph data file per build, the global graph page, a local graph slot per note.

Built from the link index the link pass filled (wiki links, Markdown note links
and embeds all count; only published, rendered notes are nodes, so an
unpublished note leaves no trace). A node is ``{"t": title, "u": site URL,
"g": group, "n": link count}``; ``links`` are index pairs, one per connected
pair of notes. The browser part (:file:`kbgen/web/graph.js`) draws it with
force-graph from npm, fetched only when a graph scrolls into view.
"""
from __future__ import annotations

import html
from collections import Counter
from typing import TYPE_CHECKING, Any

from ..messages import table
from ..npm_assets import NpmPackage, ensure_package, last_error, register
from ..diagnostics import Diagnostic
from ..vault.note import relative_url
from . import SiteFile, SitePage
from .web_assets import safe_json

if TYPE_CHECKING:
    from ..vault_build import VaultBuild

DATA_PATH = "assets/kbgen-web/graph.json"
LIB_DIR = "assets/force-graph"
GRAPH_SRC = "graph.md"

# `npm view force-graph@1.52.0 dist.integrity`. Its UMD build bundles d3-force and friends.
FORCE_GRAPH = register(NpmPackage(
    "force-graph", "1.52.0",
    "sha512-0fpxrZzW6qwm9zM7wgh54d7GbxQfQSDV71I0apo+75PVYQPpPHGVPQFLsE9WAu+hOS4VdLd53g0Hua/bxDJKSg==",
    keep={"dist/force-graph.min.js": ""},
    required=("force-graph.min.js", "LICENSE"),
))


def graph_data(build: "VaultBuild", group_by: str = "folder") -> dict[str, Any]:
    """Nodes, links and group names of the published notes; deterministic for a given vault."""
    notes = build.vault.notes
    paths = graph_paths(build)
    number = {path: i for i, path in enumerate(paths)}
    pairs: set[tuple[int, int]] = set()
    index = build.vault.indexes.get("links")
    if index is not None:
        for target, sources in index.backlinks.items():
            if target not in number:
                continue
            for source in sources:
                if source in number and source != target:
                    a, b = number[source], number[target]
                    pairs.add((min(a, b), max(a, b)))
    degree = Counter(i for pair in pairs for i in pair)
    messages = table(build.config.language)
    names = [_group(notes[path], group_by, messages) for path in paths]
    # Largest groups first: they get the palette's distinct colours, the tail shares "other".
    counts = Counter(names)
    groups = sorted(counts, key=lambda g: (-counts[g], g))
    group_number = {g: i for i, g in enumerate(groups)}
    nodes = [{"t": notes[p].title, "u": notes[p].url, "g": group_number[names[i]], "n": degree[i]}
             for i, p in enumerate(paths)]
    return {"nodes": nodes, "links": [list(pair) for pair in sorted(pairs)], "groups": groups}


def graph_paths(build: "VaultBuild") -> list[str]:
    """The notes that are graph nodes, in node order."""
    notes = build.vault.notes
    return sorted(p for p in build.rendered if p in notes and notes[p].published)


def _group(note: Any, group_by: str, messages: dict[str, str]) -> str:
    if group_by == "tag":
        return note.tags[0] if note.tags else messages["graph.untagged"]
    top = note.src_path.split("/", 1)[0] if "/" in note.src_path else ""
    return top or messages["graph.root"]


def emit(build: "VaultBuild") -> None:
    if not build.config.links or not build.config.graph or not build.rendered:
        return
    data = graph_data(build, build.config.graph_groups)
    build.files.append(SiteFile(DATA_PATH, content=graph_json(data)))
    library = ensure_package(build.config.cache_dir, FORCE_GRAPH)
    if library is None:
        first = next(iter(sorted(build.rendered)))
        build.emit_diagnostics.append(Diagnostic(first, 1, 1, "warning", "graph",
                                                 f"graph: force-graph could not be fetched ({last_error(FORCE_GRAPH)}); "
                                                 "the graph view is left out"))
        return
    build.files.append(SiteFile(f"{LIB_DIR}/force-graph.min.js", source=library / "force-graph.min.js"))
    build.files.append(SiteFile(f"{LIB_DIR}/LICENSE", source=library / "LICENSE"))
    graph_url = build.page_url(GRAPH_SRC)  # a note at graph/ keeps its URL; this page moves aside
    messages = table(build.config.language)
    build.pages.append(SitePage(GRAPH_SRC, messages["graph.title"], global_graph_html(messages), url=graph_url))
    for path in linked_notes(build, data):  # a note without links gets no graph
        build.rendered[path].append(note_slot(build, path, graph_url))


def graph_json(data: dict[str, Any]) -> str:
    return safe_json(data, ascii_only=False)


def linked_notes(build: "VaultBuild", data: dict[str, Any]) -> list[str]:
    """The notes with at least one link in ``data``, in node order: they get a local graph."""
    linked = {i for pair in data["links"] for i in pair}
    return [path for i, path in enumerate(graph_paths(build)) if i in linked]


def graph_page_url(build: "VaultBuild") -> str | None:
    """The global graph page's URL once emitted; None when this build has no graph."""
    return next((page.url for page in build.pages if page.src_path == GRAPH_SRC), None)


def note_slot(build: "VaultBuild", src_path: str, graph_url: str) -> str:
    href = html.escape(relative_url(build.vault.notes[src_path].url, graph_url), quote=True)
    return local_graph_slot(href)


def global_graph_html(messages: dict[str, str]) -> str:
    return (f'<div class="kb-graph kb-graph-global" data-kb-graph="global"></div>\n'
            f'<noscript><p>{html.escape(messages["graph.no_script"])}</p></noscript>\n')


def local_graph_slot(graph_href: str) -> str:
    """The slot the script fills. No text in it: Material's search would index "Connected
    notes" on every page; the script writes the heading from the message table."""
    return (f'\n<section class="kb-graph-local" data-kb-graph-page="{graph_href}">'
            f'<div class="kb-graph" data-kb-graph="local"></div></section>\n')
