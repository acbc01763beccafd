"""The navigation tree, built from the vault alone (the MkDocs adapter turns it into MkDocs's nav).

- Folders are sections. A folder's own page is its folder note — ``f/index.md``,
  ``f/README.md`` or ``f/f.md`` — or else a generated page listing the folder
  (:mod:`kbgen.nav.folders`).
- Jekyll ``parent:`` (with ``grand_parent:`` to choose between notes of the
  same title; ``parent: "[[Note]]"`` works too) nests a note under its parent
  note, which becomes a section whose own page is that note. A parent is found
  by title, then file name, then folder name; none found is a ``nav-parent``
  warning and the note stays in its folder. A cycle is cut the same way.
- Within a section: ``nav_order`` (numbers first, smallest first), then the title
  in :func:`kbgen.collation.sort_key` order, then the file name.
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..collation import sort_key
from ..diagnostics import Diagnostic
from ..vault.note import Note
from ..vault.urls import folder_note_paths, is_index_name

if TYPE_CHECKING:
    from ..vault_build import VaultBuild

FOLDER_PAGE_KIND = "folder"  # SitePage.meta["kb_kind"] of generated folder pages
_WIKI = re.compile(r"^\s*\[\[([^\]|#]+)(?:[#|][^\]]*)?\]\]\s*$")


@dataclass
class NavNode:
    title: str
    src_path: str | None = None  # the page (note or generated page); None: a section without a page
    children: list["NavNode"] = field(default_factory=list)
    order: tuple = ()
    generated: bool = False  # a page kbgen made (src_path is a SitePage's), not a note
    folder: str | None = None  # the vault folder this section stands for; None: a note or a parent note

    def pages(self) -> list["NavNode"]:
        """Every node with a page in the subtree, in reading order (for previous/next links)."""
        out: list[NavNode] = []
        stack = [self]
        while stack:
            node = stack.pop()
            if node.src_path is not None:
                out.append(node)
            stack.extend(reversed(node.children))
        return out


def nav_order(note: Note | None) -> float | None:
    value = note.meta.get("nav_order") if note is not None else None
    if isinstance(value, bool):
        return None
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def nav_sort_key(title: str, name: str, note: Note | None) -> tuple:
    rank = nav_order(note)
    return (rank is None, rank or 0.0, sort_key(title), sort_key(name))


def build_nav_tree(build: "VaultBuild") -> tuple[NavNode, list[Diagnostic]]:
    """(the root of the navigation, problems found) for the published notes and pages in the nav."""
    notes = {p: build.vault.notes[p] for p in build.rendered}
    folder_pages = {page.meta.get("kb_folder"): page for page in build.pages
                    if page.meta.get("kb_kind") == FOLDER_PAGE_KIND}
    section_notes = folder_note_paths(notes) | {p for p in notes if is_index_name(p)}
    root = NavNode("")
    sections: dict[str, NavNode] = {"": root}

    def section(folder: str) -> NavNode:
        if folder not in sections:
            parent = section(posixpath.dirname(folder))
            node = NavNode(posixpath.basename(folder), folder=folder)
            page = folder_pages.get(folder)
            if page is not None:
                node.src_path = page.src_path
                node.title = page.title
                node.generated = True
            sections[folder] = node
            parent.children.append(node)
        return sections[folder]

    nodes: dict[str, NavNode] = {}
    holder: dict[int, NavNode] = {}  # id(node) → the node whose children hold it
    for src_path, note in notes.items():
        folder = posixpath.dirname(src_path)
        if src_path in section_notes:
            node = section(folder)
            if folder == "":
                continue  # the vault's own index.md is the home page, listed first below
            node.src_path, node.title = src_path, note.title
            nodes[src_path] = node
        else:
            node = NavNode(note.title, src_path)
            nodes[src_path] = node
            section(folder).children.append(node)
            holder[id(node)] = section(folder)
    for folder, node in sections.items():
        if folder:
            holder[id(node)] = sections[posixpath.dirname(folder)]
    diagnostics = _nest_under_parents(notes, nodes, sections, holder)
    _sort(root, notes)
    home = notes.get("index.md") or notes.get("README.md")
    home_src = "index.md" if "index.md" in notes else ("README.md" if home is not None else None)
    generated = [NavNode(p.title, p.src_path, generated=True) for p in build.pages
                 if p.in_nav and p.meta.get("kb_kind") != FOLDER_PAGE_KIND]
    head = [NavNode(home.title, home_src)] if home is not None and home_src is not None else []
    head += [g for g in generated if g.src_path == "index.md"]
    tail = [g for g in generated if g.src_path != "index.md"]
    root.children = head + root.children + tail
    return root, diagnostics


def _nest_under_parents(notes: dict[str, Note], nodes: dict[str, NavNode],
                        sections: dict[str, NavNode], holder: dict[int, NavNode]) -> list[Diagnostic]:
    by_title: dict[str, list[str]] = {}
    by_stem: dict[str, list[str]] = {}
    for src_path, note in notes.items():
        by_title.setdefault(note.title.casefold(), []).append(src_path)
        by_stem.setdefault(note.stem.casefold(), []).append(src_path)
    by_folder_name: dict[str, list[str]] = {}
    for folder in sections:
        if folder:
            by_folder_name.setdefault(posixpath.basename(folder).casefold(), []).append(folder)
    diagnostics: list[Diagnostic] = []
    for src_path in sorted(notes):
        note = notes[src_path]
        wanted = note.meta.get("parent")
        if not isinstance(wanted, (str, int, float)) or isinstance(wanted, bool) or not str(wanted).strip():
            continue
        name = str(wanted).strip()
        match = _WIKI.match(name)
        if match:
            name = posixpath.basename(match.group(1).strip()).removesuffix(".md")
        target = _find_parent(note, name, notes, by_title, by_stem)
        node = None
        if target is not None and target != src_path:
            node = nodes.get(target)
        elif target is None and by_folder_name.get(name.casefold()):
            node = sections[sorted(by_folder_name[name.casefold()], key=lambda f: (f.count("/"), f))[0]]
        if node is None or node is nodes[src_path] or _is_below(node, nodes[src_path]):
            line = _meta_line(note, "parent")
            reason = "a cycle" if node is not None else "no note or folder has that title or name"
            diagnostics.append(Diagnostic(src_path, line, 1, "warning", "nav-parent",
                                          f"parent '{name}' not used in the navigation: {reason}"))
            continue
        child = nodes[src_path]
        old = holder.get(id(child))
        if old is not None:
            old.children.remove(child)  # a section's own list: short
        node.children.append(child)
        holder[id(child)] = node
    return diagnostics


def _find_parent(note: Note, name: str, notes: dict[str, Note], by_title: dict[str, list[str]],
                 by_stem: dict[str, list[str]]) -> str | None:
    candidates = by_title.get(name.casefold()) or by_stem.get(name.casefold()) or []
    candidates = [c for c in candidates if c != note.src_path]
    grand = note.meta.get("grand_parent")
    if grand and len(candidates) > 1:
        narrowed = [c for c in candidates if str(notes[c].meta.get("parent", "")).casefold() == str(grand).casefold()]
        candidates = narrowed or candidates
    if not candidates:
        return None
    folder = note.folder
    return sorted(candidates, key=lambda c: (posixpath.dirname(c) != folder, c.count("/"), c))[0]


def _is_below(node: NavNode, ancestor: NavNode) -> bool:
    stack = list(ancestor.children)
    while stack:
        item = stack.pop()
        if item is node:
            return True
        stack.extend(item.children)
    return False


def _sort(node: NavNode, notes: dict[str, Note]) -> None:
    for child in node.children:
        note = notes.get(child.src_path) if child.src_path else None
        name = posixpath.basename(posixpath.splitext(child.src_path or child.title)[0])
        child.order = nav_sort_key(child.title, name, note)
        _sort(child, notes)
    node.children.sort(key=lambda c: c.order)


def _meta_line(note: Note, key: str) -> int:
    for number, line in enumerate(note.source.split("\n")[: note.body_offset], 1):
        if line.startswith(f"{key}:"):
            return number
    return 1


NAV_KEY = "nav"  # vault.indexes[NAV_KEY]: the NavNode root, once every page is known


def emit(build: "VaultBuild") -> None:
    """The emit stage: lay out the navigation once all pages exist (so ``kbgen check`` reports it too)."""
    root, problems = build_nav_tree(build)
    build.vault.indexes[NAV_KEY] = root
    build.emit_diagnostics.extend(problems)
