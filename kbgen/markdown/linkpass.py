"""The link pass: an indexer stage that resolves every link of the vault once.

It runs after every published note is parsed and before any is rendered:

1. builds the :class:`~kbgen.vault.index.LinkIndex` from all notes (published
   or not) and attachments, and adds each parsed note's heading and block ids;
2. resolves every :class:`~.link_targets.LinkRef` the syntax modules recorded,
   reporting ``broken-link`` and ``ambiguous-link`` at the link's line and column;
3. records backlinks (with the sentence around each link) for the backlinks emitter;
4. finds embeds that transclude themselves and reports them as ``embed-cycle``.

Work is one dictionary lookup per link, plus a sentence cut for links that
reach another published note.
"""
from __future__ import annotations

from collections import deque
from typing import Any, Callable, Iterator, Mapping

from markdown_it.token import Token

from ..vault.index import LinkIndex
from ..vault.vault import Vault
from .blockrefs import ENV_KEY as BLOCKS_KEY
from .embeds import is_transclusion, slice_bounds
from .excerpt import cut
from .link_targets import INDEX_KEY, LinkRef, resolve_ref



def index_links(vault: Vault, parsed: Mapping[str, Any]) -> None:
    """The :data:`~kbgen.build.Indexer` for links; stores the index in ``vault.indexes["links"]``."""
    config = next(iter(parsed.values())).env.get("config") if parsed else None
    if config is not None and not getattr(config, "links", True):
        return
    index = LinkIndex(vault.notes.values(), vault.attachments.keys())
    index.parsed = parsed
    vault.indexes[INDEX_KEY] = index
    for item in parsed.values():
        index.add_anchors(item.note.src_path, item.headings, item.env.get(BLOCKS_KEY, {}))
    restore = getattr(parsed, "restore_into", None)
    if restore is not None:  # notes the build cache vouches for: their anchors and backlinks, unparsed
        restore(index)
    if getattr(parsed, "linked_in_workers", False):
        return  # each note's links are resolved in the worker that renders it (kbgen.note_stages)
    link_notes(index, list(parsed.items()), parsed)


def link_notes(index: LinkIndex, items: list[tuple[str, Any]], parsed: Mapping[str, Any]) -> None:
    """Steps 2-4 for these parsed notes, in order: resolve, record backlinks and embeds, report cycles.

    The cycles reported are those of these notes' own embeds; ``parsed`` gives every other
    note's tokens (a worker that renders part of the vault parses them on demand).
    """
    embeds: dict[str, list[tuple[int, LinkRef]]] = {}
    for src_path, item in items:
        found = link_note(index, item)
        if found:
            embeds[src_path] = found
    _report_embed_cycles(embeds, index, parsed)


def link_note(index: LinkIndex, item: Any) -> list[tuple[int, LinkRef]]:
    """Resolve one parsed note's references and record its backlinks and embeds in ``index``.

    Returns its transclusions of published notes (position, ref), for the embed-cycle check.
    ``kbgen serve`` calls it alone for a note edited in place (kbgen.quick_note).
    """
    note, report = item.note, item.env["report"]
    src_path = note.src_path
    transclusions: list[tuple[int, LinkRef]] = []
    for position, ref, inline, child in iter_refs(item.tokens):
        resolve_ref(ref, note, index, report)
        target = ref.resolution.note if ref.resolution is not None else None
        if _is_transclusion_of_published(ref):
            transclusions.append((position, ref))
        if ref.kind == "embed" and target is not None:
            index.add_embed(target.src_path, src_path)  # as the build cache's NoteEntry.embeds
        if (target is not None and target.published and target.src_path != src_path
                and ref.kind != "image"):
            wanted = inline is not None and index.wants_context(target.src_path, src_path)
            excerpt = cut(inline, child) if wanted else None
            index.add_backlink(target.src_path, src_path, excerpt.text if excerpt else "", excerpt)
    return transclusions


def iter_refs(tokens: list[Token]) -> Iterator[tuple[int, LinkRef, Token | None, int]]:
    """(block token position, ref, inline token or None, child position) for every reference."""
    for position, token in enumerate(tokens):
        for ref, inline, child in _refs_in(token):
            yield position, ref, inline, child


def _refs_in(token: Token) -> Iterator[tuple[LinkRef, Token | None, int]]:
    if token.meta and "kb_link" in token.meta:  # a block-level embed
        yield token.meta["kb_link"], None, -1
    if not token.children:
        return
    if token.type != "inline":
        # A block that holds blocks (a recognized quiz keeps its question, options
        # and explanations as children): their links count as the note's links.
        for inner in token.children:
            yield from _refs_in(inner)
        return
    for n, child in enumerate(token.children):
        if child.meta and "kb_link" in child.meta and child.type != "link_close":
            yield child.meta["kb_link"], token, n


# -- embed cycles --------------------------------------------------------------------------

def _report_embed_cycles(embeds: dict[str, list[tuple[int, LinkRef]]], index: LinkIndex,
                         parsed: Mapping[str, Any]) -> None:
    """Report every embed whose transclusion leads back to itself.

    The search runs over *slices* — (note, part of the target it shows) —
    not over single embeds: a note embedding itself 10,000 times is one slice
    with one edge, where 10,000 embeds each leading to all 10,000 made 10⁸ edges.
    Every embed of a slice on a cycle is reported, with that slice's chain.
    """
    nodes = [(src, n) for src, items in embeds.items() for n in range(len(items))]
    if not nodes:
        return
    # Slices and edges are found as the search reaches them: notes the build cache
    # restored are parsed only when a cycle search walks through them.
    slice_of: dict[tuple[str, int], tuple | None] = {}
    node_of: dict[tuple, tuple[str, int]] = {}
    edges: dict[tuple, list[tuple]] = {}

    def slice_key(node: tuple[str, int]) -> tuple | None:
        if node not in slice_of:
            slice_of[node] = key = _slice(node, embeds, index, parsed)
            if key is not None:
                node_of.setdefault(key, node)
        return slice_of[node]

    def edges_of(key: tuple) -> list[tuple]:  # a slice leads to the slices of the embeds inside it
        if key not in edges:
            inside = _embeds_inside(node_of[key], embeds, index, parsed)
            edges[key] = list(dict.fromkeys(k for k in map(slice_key, inside) if k is not None))
        return edges[key]

    for node in nodes:
        slice_key(node)
    chains: dict[tuple, list | None] = {}
    for node in nodes:
        key = slice_of[node]
        if key is None:
            continue
        if key not in chains:
            chains[key] = _path_back(key, edges_of)
        path = chains[key]
        if path is None:
            continue
        src, n = node
        ref = embeds[src][n][1]
        chain = " → ".join([src] + [step[1] for step in [key, *path[:-1]]])
        parsed[src].env["report"].warning("embed-cycle", f"embedding '{ref.raw}' leads back to itself: {chain}",
                                          body_line=ref.line, col=ref.col)


def _slice(node: tuple[str, int], embeds: dict[str, list[tuple[int, LinkRef]]], index: LinkIndex,
           parsed: Mapping[str, Any]) -> tuple | None:
    """(embedding note, target note, token range shown) of an embed; None when it renders a title only."""
    ref = embeds[node[0]][node[1]][1]
    target = _target_of(node, embeds)
    if target not in parsed or (ref.fragment and ref.anchor is None):
        return None
    return (node[0], target, *slice_bounds(parsed[target].tokens, ref, index, target))


def _target_of(node: tuple[str, int], embeds: dict[str, list[tuple[int, LinkRef]]]) -> str:
    resolution = embeds[node[0]][node[1]][1].resolution
    return resolution.note.src_path if resolution is not None and resolution.note is not None else "?"


def _embeds_inside(node: tuple[str, int], embeds: dict[str, list[tuple[int, LinkRef]]], index: LinkIndex,
                   parsed: Mapping[str, Any]) -> list[tuple[str, int]]:
    """The embeds that rendering this embed would render in turn."""
    ref = embeds[node[0]][node[1]][1]
    target = _target_of(node, embeds)
    if target not in parsed or (ref.fragment and ref.anchor is None):
        return []  # renders as a title only
    if target not in embeds:  # a note the build cache restored: its embeds, from its tokens now
        embeds[target] = [(position, r) for position, r, _, _ in iter_refs(parsed[target].tokens)
                          if _is_transclusion_of_published(r)]
    lo, hi = slice_bounds(parsed[target].tokens, ref, index, target)
    return [(target, k) for k, (position, _) in enumerate(embeds.get(target, [])) if lo <= position < hi]


def _is_transclusion_of_published(ref: LinkRef) -> bool:
    target = ref.resolution.note if ref.resolution is not None else None
    return ref.kind == "embed" and target is not None and target.published and is_transclusion(ref)


def _path_back(start: tuple, edges: Callable[[tuple], list[tuple]]) -> list | None:
    """The embeds from ``start`` back to ``start``, or None when there is no cycle."""
    parent: dict[tuple[str, int], tuple[str, int]] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt in edges(node):
            if nxt == start:
                path = [nxt]
                step: tuple[str, int] | None = node
                while step is not None and step != start:
                    path.append(step)
                    step = parent.get(step)
                return list(reversed(path))
            if nxt not in parent:
                parent[nxt] = node
                queue.append(nxt)
    return None
