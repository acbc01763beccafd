"""The tag model: every tag of the published vault, as a tree, with its notes.

Tags come from front matter (every shape the loader normalizes) and from the
body (``#tag``, :mod:`kbgen.markdown.tags`). They group case-insensitively
(NFC, case-folded) and are shown in the spelling the vault uses most (ties:
the first in sort order). ``a/b`` is a child of ``a``: every level gets a tag,
so ``problem`` exists once any note carries ``problem/vanishing-gradient``.
Only published notes are counted — the indexer only sees those.
"""
from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

from ..collation import sort_key
from ..vault.urls import UrlMap, note_url

if TYPE_CHECKING:
    from ..markdown.renderer import ParsedNote
    from ..vault.vault import Vault

TAGS_FOLDER = "tags"  # tag pages live under /tags/…; the index is /tags/


def tag_key(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


@dataclass
class Tag:
    key: str  # case-folded path, e.g. "problem/vanishing-gradient"
    name: str = ""  # the spelling shown, e.g. "problem/Vanishing-Gradient"
    url: str = ""
    notes: list[str] = field(default_factory=list)  # src_paths tagged exactly this, in note order
    children: list["Tag"] = field(default_factory=list)
    parent: "Tag | None" = None

    @property
    def leaf(self) -> str:
        """The last level's name (``vanishing-gradient`` of ``problem/vanishing-gradient``)."""
        return self.name.rsplit("/", 1)[-1]

    @property
    def depth(self) -> int:
        return self.key.count("/")

    def all_notes(self) -> list[str]:
        """This tag's notes and its descendants', each once (a parent lists its children's notes)."""
        seen: dict[str, None] = {}
        stack = [self]
        while stack:
            tag = stack.pop()
            for path in tag.notes:
                seen.setdefault(path, None)
            stack.extend(tag.children)
        return list(seen)

    def ancestors(self) -> list["Tag"]:
        out: list[Tag] = []
        tag = self.parent
        while tag is not None:
            out.append(tag)
            tag = tag.parent
        return out[::-1]


@dataclass
class TagIndex:
    tags: dict[str, Tag] = field(default_factory=dict)  # by key
    index_url: str = ""
    # Each note's tags as written (front matter, then inline): kbgen serve makes the index again
    # from these when one note's tags change (a tag's shown spelling is the most written one).
    written: dict[str, list[str]] = field(default_factory=dict)

    def find(self, name: str) -> Tag | None:
        return self.tags.get(tag_key(name.strip().lstrip("#").strip("/")))

    def roots(self) -> list[Tag]:
        return sorted((t for t in self.tags.values() if t.parent is None), key=lambda t: sort_key(t.name))

    def ordered(self) -> list[Tag]:
        """Every tag, depth first, siblings in collation order (the order of the tags index)."""
        out: list[Tag] = []
        stack = list(reversed(self.roots()))
        while stack:
            tag = stack.pop()
            out.append(tag)
            stack.extend(reversed(tag.children))
        return out

    def of_note(self, names: Iterable[str]) -> list[Tag]:
        """The tags for these names, each once, in the order given."""
        seen: dict[str, Tag] = {}
        for name in names:
            tag = self.find(name)
            if tag is not None:
                seen.setdefault(tag.key, tag)
        return list(seen.values())


def build_tag_index(note_tags: dict[str, list[str]], urls: UrlMap) -> TagIndex:
    """The tag tree of ``{src_path: [tag as written, …]}``; claims each tag page's URL in ``urls``.

    Notes are taken in the order given; URLs are claimed in tag order, so the
    same vault gets the same URLs.
    """
    spellings: dict[str, Counter[str]] = {}
    tagged: dict[str, list[str]] = {}
    for src_path, names in note_tags.items():
        for name in names:
            name = name.strip().lstrip("#").strip("/")
            if not name:
                continue
            parts = name.split("/")
            for depth in range(1, len(parts) + 1):
                spelled = "/".join(parts[:depth])
                spellings.setdefault(tag_key(spelled), Counter())[unicodedata.normalize("NFC", spelled)] += 1
            bucket = tagged.setdefault(tag_key(name), [])
            if not bucket or bucket[-1] != src_path:
                if src_path not in bucket:
                    bucket.append(src_path)
    index = TagIndex()
    for key, counts in spellings.items():
        best = max(counts.values())
        name = min((s for s, c in counts.items() if c == best), key=sort_key)
        index.tags[key] = Tag(key=key, name=name, notes=tagged.get(key, []))
    for key, tag in index.tags.items():
        if "/" in key:
            parent = index.tags[key.rsplit("/", 1)[0]]
            tag.parent = parent
            parent.children.append(tag)
    for tag in index.tags.values():
        tag.children.sort(key=lambda t: sort_key(t.leaf))
    index.index_url, _ = urls.claim("the tags index", note_url(f"{TAGS_FOLDER}/index.md", urls.use_directory_urls))
    for tag in index.ordered():
        tag.url, _ = urls.claim(f"the tag {tag.name}", note_url(f"{TAGS_FOLDER}/{tag.name}.md", urls.use_directory_urls))
    return index


def index_tags(vault: "Vault", parsed: dict[str, "ParsedNote"]) -> None:
    """The indexer: gather front-matter and inline tags of every parsed (published) note.

    Afterwards each note's ``tags`` holds its tags once each, in the shown
    spelling, front matter first — so chips, search and the Quizzes page agree.
    """
    from ..markdown.tags import ENV_KEY, INDEX_KEY

    items = getattr(parsed, "all_items", parsed.items)()  # with the build cache: restored notes too
    note_tags = {src_path: list(item.note.tags) + list(item.env.get(ENV_KEY, [])) for src_path, item in items}
    index = build_tag_index(note_tags, vault.urls)
    index.written = note_tags
    vault.indexes[INDEX_KEY] = index
    for src_path, names in note_tags.items():
        vault.notes[src_path].tags = [tag.name for tag in index.of_note(names)]


def tag_links(vault: "Vault", names: Iterable[str]) -> list[tuple[str, str]]:
    """(shown name, site URL of its tag page) for each of a note's tags that has a page."""
    from ..markdown.tags import INDEX_KEY

    index: TagIndex | None = vault.indexes.get(INDEX_KEY)
    if index is None:
        return []
    return [(tag.name, tag.url) for tag in index.of_note(names)]
