"""The split search index patched after an edit (kbgen.search.shard_update) equals writing it whole."""
from __future__ import annotations

import json
import random
from collections import Counter
import shutil
from pathlib import Path

import pytest

from kbgen.cli import main
from kbgen.search import index as search_index
from kbgen.search import rewrite_search_index
from kbgen.search.shards import SHARD_POSTINGS, Postings, read_terms

from link_vaults import write_vault
from test_site_build import tree
from test_up_to_date import _age, _config

WORDS = ["기울기", "소실", "역전파", "신경망", "gradient", "relu", "학습률", "옵티마이저", "배치", "정규화",
         "손실함수", "과적합", "드롭아웃", "attention", "transformer", "임베딩", "벡터", "행렬", "확률", "분포"]


def _material_index(pages: list[dict]) -> dict:
    """Material's search_index.json for pages given as {location, title, tags, sections: [(title, text)], aliases?}."""
    docs = []
    for page in pages:
        for i, (title, text) in enumerate(page["sections"]):
            doc = {"location": page["location"] + ("" if i == 0 else f"#s{i}"), "title": title,
                   "text": f"<p>{text}</p>"}
            if page.get("tags") is not None:
                doc["tags"] = list(page["tags"])
            if page.get("boost") is not None:
                doc["boost"] = page["boost"]
            docs.append(doc)
    return {"config": {"lang": ["ko"], "separator": r"[\s\-]+", "pipeline": [],
                       "fields": {"title": {"boost": 1000.0}, "text": {"boost": 1.0}, "tags": {"boost": 1e6}}},
            "docs": docs}


def _sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) + rng.choice(["", "를", "의", "는"]) for _ in range(rng.randint(3, 12)))


def _pages(rng: random.Random, n: int) -> list[dict]:
    return [{"location": f"note-{k}/", "title": f"노트 {k}", "tags": rng.choice([None, [], ["a"], ["b", "c"]]),
             "sections": [(f"노트 {k}", _sentence(rng))] + [(f"절 {j}", _sentence(rng)) for j in range(rng.randint(0, 2))],
             "aliases": rng.choice([None, None, [f"별칭{k}"]])}
            for k in range(n)]


def _write(site: Path, pages: list[dict], state: Path | None) -> Path:
    search = site / "search"
    search.mkdir(parents=True, exist_ok=True)
    (search / "search_index.json").write_text(json.dumps(_material_index(pages)), encoding="ascii")
    aliases = {p["location"]: p["aliases"] for p in pages if p.get("aliases")}
    assert rewrite_search_index(site, aliases, state) is True
    return search


def _pieces(search: Path) -> dict[str, bytes]:
    return {p.relative_to(search).as_posix(): p.read_bytes() for p in sorted(search.rglob("*")) if p.is_file()}


def _edit(rng: random.Random, pages: list[dict], step: int) -> str:
    page = rng.choice(pages)
    kind = rng.choice(["text", "text", "text", "title", "tags", "aliases", "boost", "section", "add", "delete"])
    sections = page["sections"]
    if kind == "text":
        k = rng.randrange(len(sections))
        # now and then a word whose first letter has no shard yet (the shards after it are renumbered)
        sections[k] = (sections[k][0], _sentence(rng) + f" {rng.choice(['기울기', '갈', '힣', 'q', '뷁'])}{step}")
    elif kind == "title":
        sections[0] = (f"새 제목 {step}", sections[0][1])
    elif kind == "tags":
        page["tags"] = rng.choice([None, [], ["a"], [f"t{step}"]])
    elif kind == "aliases":
        page["aliases"] = rng.choice([None, [f"다른이름{step}"]])
    elif kind == "boost":
        page["boost"] = rng.choice([None, 2, 0.5])
    elif kind == "section":
        sections.append((f"새 절 {step}", _sentence(rng))) if rng.random() < 0.6 or len(sections) == 1 \
            else sections.pop()
    elif kind == "add":
        pages.insert(rng.randrange(len(pages) + 1), _pages(rng, 1)[0] | {"location": f"new-{step}/"})
    elif len(pages) > 2:
        pages.remove(page)
    return kind


def test_random_edits_patch_the_pieces_to_what_a_full_write_gives(tmp_path: Path, monkeypatch):
    rng = random.Random(12)
    pages = _pages(rng, 30)
    site, state = tmp_path / "site", tmp_path / "cache" / "state.pickle"
    _write(site, pages, state)
    writes = []
    real = search_index.write_shards
    monkeypatch.setattr(search_index, "write_shards", lambda *a: writes.append(1) or real(*a))
    patched = 0
    for step in range(60):
        kind = _edit(rng, pages, step)
        before = len(writes)
        search = _write(site, pages, state)
        whole = len(writes) > before
        fresh = _write(tmp_path / f"fresh{step}", pages, None)
        assert _pieces(search) == _pieces(fresh), (step, kind)
        if not whole:
            patched += 1
        elif kind == "text":
            pytest.fail(f"step {step}: a text edit wrote every piece again")
        shutil.rmtree(tmp_path / f"fresh{step}")
    assert patched >= 30  # most edits were patches, not full writes


def test_a_patched_shard_has_the_new_words_and_not_the_old(tmp_path: Path):
    rng = random.Random(3)
    pages = _pages(rng, 10)
    pages[4]["sections"][0] = ("노트 4", "낡은단어 그리고 공통단어")
    pages[7]["sections"][0] = ("노트 7", "공통단어")
    site, state = tmp_path / "site", tmp_path / "state.pickle"
    search = _write(site, pages, state)
    assert "낡은단어" in read_terms(search)["note-4/"]["text"]
    untouched = (search / "docs" / "0.json").stat().st_ino
    pages[4]["sections"][0] = ("노트 4", "새단어 그리고")
    _write(site, pages, state)
    terms = read_terms(search)
    assert "새단어" in terms["note-4/"]["text"] and "낡은단어" not in terms["note-4/"]["text"]
    assert "공통단어" not in terms["note-4/"]["text"] and "공통단어" in terms["note-7/"]["text"]
    assert not any("낡은단어" in fields.get("text", set()) for fields in terms.values())
    assert (search / "docs" / "0.json").stat().st_ino == untouched  # a page that did not change: not written
    assert _pieces(search) == _pieces(_write(tmp_path / "fresh", pages, None))


def test_pieces_changed_behind_its_back_are_written_whole(tmp_path: Path, monkeypatch):
    rng = random.Random(5)
    pages = _pages(rng, 8)
    site, state = tmp_path / "site", tmp_path / "state.pickle"
    search = _write(site, pages, state)
    (search / "terms" / "0.json").write_text('{"t":[],"p":[]}', encoding="utf-8")  # damaged
    pages[2]["sections"][0] = ("노트 2", "바뀐문장")
    writes = []
    real = search_index.write_shards
    monkeypatch.setattr(search_index, "write_shards", lambda *a: writes.append(1) or real(*a))
    _write(site, pages, state)
    assert writes == [1]  # the damaged piece was noticed: everything written again
    assert _pieces(search) == _pieces(_write(tmp_path / "fresh", pages, None))


def test_a_letter_crossing_the_shard_limit_is_written_whole(tmp_path: Path):
    # Enough postings of one first letter that an edit moves it across SHARD_POSTINGS.
    words = [f"zz{k}" for k in range(SHARD_POSTINGS // 2 + 5)]
    pages = [{"location": "a/", "title": "A", "sections": [("A", " ".join(words))]},
             {"location": "b/", "title": "B", "sections": [("B", "b")]}]
    site, state = tmp_path / "site", tmp_path / "state.pickle"
    _write(site, pages, state)
    pages[1]["sections"][0] = ("B", " ".join(f"zy{k}" for k in range(SHARD_POSTINGS // 2 + 5)))
    search = _write(site, pages, state)
    assert _pieces(search) == _pieces(_write(tmp_path / "fresh", pages, None))


VAULT = {
    "a.md": "---\ntitle: Alpha\ntags: [x]\naliases: [First]\n---\n# Alpha\n\n옛날문장 [[b]]\n\n## Part\n\n둘째 절\n",
    "b.md": "# Beta\n\n![[a]]\n\nbeta words\n",
    "c/d.md": "# Delta\n\n델타 문장 옛날문장 #tagged\n",  # every first letter keeps a shard
}


def _assert_equals_a_cold_build(tmp_path: Path, notes: Path, site: Path) -> None:
    cold_site = tmp_path / "cold"
    cold_config = _config(tmp_path, notes, cold_site, tmp_path / "cold-cache")
    _age(cold_config)
    assert main(["build", "-q", "--config", str(cold_config)]) == 0
    assert tree(site) == tree(cold_site)


def test_an_edited_note_builds_a_search_index_equal_to_a_cold_build(tmp_path: Path, capsys, monkeypatch):
    notes = write_vault(tmp_path / "notes", VAULT)
    site = tmp_path / "site"
    config = _config(tmp_path, notes, site, tmp_path / "cache")
    _age(config, notes)
    assert main(["build", "-q", "--config", str(config)]) == 0
    assert "옛날문장" in read_terms(site / "search")["a/"]["text"]
    (notes / "a.md").write_text(VAULT["a.md"].replace("옛날문장", "betanew"), encoding="utf-8")
    _age(config, notes)

    def no_full_write(*args):  # type: ignore[no-untyped-def]
        raise AssertionError("the search index was written whole after a text edit")

    monkeypatch.setattr(search_index, "write_shards", no_full_write)
    assert main(["build", "-q", "--config", str(config)]) == 0
    monkeypatch.undo()
    terms = read_terms(site / "search")
    assert "betanew" in terms["a/"]["text"] and "옛날문장" not in terms["a/"]["text"]
    assert "옛날문장" in terms["c/d/"]["text"]
    _assert_equals_a_cold_build(tmp_path, notes, site)
    capsys.readouterr()


def test_documents_of_pages_not_templated_again_are_neither_copied_nor_hashed_again(tmp_path: Path, capsys,
                                                                                    monkeypatch):
    """A page's search documents are JSON-loaded and hashed where it is templated, then kept with it
    (kbgen.search.index.SearchDocument): after an edit only the pages templated again cost that."""
    from kbgen import mkdocs_build
    from kbgen.search import shard_update

    notes = write_vault(tmp_path / "notes", {**VAULT, **{f"more/n{i}.md": f"# N{i}\n\n문장 {i}\n\n## Sub\n\ntext\n"
                                                         for i in range(8)}})
    site = tmp_path / "site"
    config = _config(tmp_path, notes, site, tmp_path / "cache")
    _age(config, notes)
    assert main(["build", "-q", "--config", str(config)]) == 0
    (notes / "c" / "d.md").write_text(VAULT["c/d.md"].replace("델타 문장", "바뀐 델타 문장"), encoding="utf-8")
    _age(config, notes)
    made, hashed, loaded = [], [], []
    for module, name, calls in ((mkdocs_build, "search_document", made), (shard_update, "content_key", hashed),
                                (search_index, "as_json_loaded", loaded)):
        original = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, _f=original, _c=calls: _c.append(a) or _f(*a))
    assert main(["build", "-q", "--config", str(config)]) == 0
    monkeypatch.undo()
    documents = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["config"]["kbgen"]
    locations = {doc[0]["location"] for doc in made}
    assert "c/d/" in locations and "more/n3/" not in locations
    assert 0 < len(made) < documents["documents"] - 8  # the eight unchanged notes' documents at least
    # hashed: the new documents, and the old ones of changed documents, checked against the record
    assert {doc[0]["location"] for doc in hashed} == locations and len(loaded) == len(made)
    assert "바뀐" in read_terms(site / "search")["c/d/"]["text"]
    _assert_equals_a_cold_build(tmp_path, notes, site)
    capsys.readouterr()


def test_a_shard_that_appears_or_goes_renumbers_the_others_without_a_full_write(tmp_path: Path, monkeypatch):
    rng = random.Random(9)
    pages = _pages(rng, 12)
    site, state = tmp_path / "site", tmp_path / "state.pickle"
    pages[3]["sections"][0] = ("노트 3", "가나다")
    search = _write(site, pages, state)
    before = json.loads((search / "search_index.json").read_text(encoding="utf-8"))["config"]["kbgen"]["shards"]
    writes = []
    real = search_index.write_shards
    monkeypatch.setattr(search_index, "write_shards", lambda *a: writes.append(1) or real(*a))
    for step, text in enumerate(["가나다 뷁뷁", "가나다"]):  # 뷁: a first letter no other word has
        pages[3]["sections"][0] = ("노트 3", text)
        _write(site, pages, state)
        shards = json.loads((search / "search_index.json").read_text(encoding="utf-8"))["config"]["kbgen"]["shards"]
        assert ("뷁" in shards) == (step == 0) and (shards == before) == (step == 1)
        assert _pieces(search) == _pieces(_write(tmp_path / f"fresh{step}", pages, None))
    assert writes == [1, 1]  # only the fresh writes: the site's pieces were patched both times


def test_documents_counted_in_workers_write_the_pieces_one_process_writes(tmp_path: Path, monkeypatch):
    from kbgen import parallel
    from kbgen.search import doc_terms

    if not parallel.can_fork():
        pytest.skip("workers are forked")
    pages = _pages(random.Random(11), 300)
    serial = _write(tmp_path / "serial", pages, tmp_path / "serial.pickle")
    monkeypatch.setattr(doc_terms, "DOCS_PER_WORKER", 50)
    monkeypatch.setattr(doc_terms, "CHUNK_DOCS", 37)
    forked = []
    original = parallel.run_forked

    def run_forked(task, chunks, workers, after_fork=None):
        forked.append(workers)
        yield from original(task, chunks, workers, after_fork)

    monkeypatch.setattr(parallel, "run_forked", run_forked)
    search = tmp_path / "forked" / "search"
    search.mkdir(parents=True)
    (search / "search_index.json").write_text(json.dumps(_material_index(pages)), encoding="ascii")
    aliases = {p["location"]: p["aliases"] for p in pages if p.get("aliases")}
    assert rewrite_search_index(tmp_path / "forked", aliases, tmp_path / "forked.pickle", jobs=2) is True
    assert forked == [2]
    assert _pieces(search) == _pieces(serial)
    # The record for later patches is the same too (doc keys hold the parts; by_first its order), but
    # for the pieces' file stamps.
    from kbgen.search.shard_update import _load

    records = [_load(tmp_path / f"{name}.pickle") for name in ("forked", "serial")]
    for record in records:
        record.files = {}
    assert records[0] == records[1]
    assert list(records[0].by_first.items()) == list(records[1].by_first.items())


def test_a_run_of_pages_whose_worker_failed_is_done_here_with_the_same_pieces(tmp_path: Path, monkeypatch):
    from kbgen import parallel
    from kbgen.search import doc_terms

    if not parallel.can_fork():
        pytest.skip("workers are forked")
    pages = _pages(random.Random(12), 200)
    serial = _write(tmp_path / "serial", pages, None)
    monkeypatch.setattr(doc_terms, "DOCS_PER_WORKER", 50)
    monkeypatch.setattr(doc_terms, "CHUNK_DOCS", 41)
    original = parallel.run_forked
    failed = []

    def run_forked(task, chunks, workers, after_fork=None):
        for n, (chunk, result) in enumerate(original(task, chunks, workers, after_fork)):
            if n in (0, 3):  # as parallel.run_forked yields a chunk whose worker raised or died
                failed.append(chunk)
                result = None
            yield chunk, result

    monkeypatch.setattr(parallel, "run_forked", run_forked)
    search = tmp_path / "forked" / "search"
    search.mkdir(parents=True)
    (search / "search_index.json").write_text(json.dumps(_material_index(pages)), encoding="ascii")
    aliases = {p["location"]: p["aliases"] for p in pages if p.get("aliases")}
    assert rewrite_search_index(tmp_path / "forked", aliases, None, jobs=2) is True
    assert len(failed) == 2 and failed[0][0] == 0
    assert _pieces(search) == _pieces(serial)


def test_a_document_key_tells_apart_every_field_and_where_one_ends():
    from kbgen.search.shard_update import content_key, doc_key

    base = {"location": "a/", "title": "제목", "text": "본문 \udcff", "tags": ["t"], "boost": 2}
    variants = [{**base, "title": "제목 "}, {**base, "title": "제", "text": "목본문 \udcff"},
                {**base, "location": "a/#x"}, {**base, "text": "본문"}, {**base, "tags": ["t", "u"]},
                {**base, "aliases": ["별칭"]}, {**base, "title": 1}, {**base, "title": "1"},
                {**base, "location": "a/제", "title": "목"}, {k: v for k, v in base.items() if k != "tags"}]
    keys = [doc_key(d) for d in [base, *variants]]
    assert len(set(keys)) == len(keys)
    assert doc_key({**base, "boost": 5}) == keys[0]  # a boost goes to pages.json, which is always written
    # a document's content key made where its page is templated gives the same key
    assert [doc_key(d, content_key(d)) for d in [base, *variants]] == keys


def _reference_postings(docs: list[list[Counter]]) -> tuple[dict[str, list[int]], dict[str, int]]:
    """Postings spelled out: per term its (document, field, count) in order, documents as differences."""
    triples: dict[str, list[tuple[int, int, int]]] = {}
    for number, fields in enumerate(docs):
        for f, counted in enumerate(fields):
            for term, tf in counted.items():
                triples.setdefault(term, []).append((number, f, tf))
    terms, counts = {}, {}
    for term, found in triples.items():
        flat, previous = [], 0
        for number, f, tf in found:
            flat += [number - previous, f, tf]
            previous = number
        terms[term], counts[term] = flat, len(found)
    return terms, counts


def test_postings_added_one_document_at_a_time_and_joined_are_the_spelled_out_ones():
    rng = random.Random(12)
    vocabulary = ["기울기", "소실", "relu", "함수", "a", "b", "신경망", "x"]
    docs = [[Counter({rng.choice(vocabulary): rng.randint(1, 4) for _ in range(rng.randint(0, 5))})
             for _ in range(3)] for _ in range(60)]
    terms, counts = _reference_postings(docs)
    whole = Postings()
    for number, fields in enumerate(docs):
        whole.add(number, fields)
    assert whole.terms == terms and dict(whole.counts) == counts
    assert list(whole.terms) == list(terms)  # terms in order of first appearance, as the shards list them
    joined, later = Postings(), Postings()
    for number, fields in enumerate(docs[:25]):
        joined.add(number, fields)
    for number, fields in enumerate(docs[25:], 25):
        later.add(number, fields)
    joined.join(later)
    assert joined.terms == terms and dict(joined.counts) == counts
