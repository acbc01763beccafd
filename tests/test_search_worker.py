"""kbgen's search worker (split index) answers as Material's lunr worker does on the whole index.

Both workers get the same site's index in Chromium — Material's the whole
Korean-aware index, kbgen's the pieces kbgen.search.shards writes — and the
same queries; the result lists must agree: same pages in the same order (up to
ties), same sections, same marked words.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from browser_support import launch_chromium, require_browser, serve_directory
from link_vaults import write_vault

import kbgen.search.index as search_index
from kbgen.cli import main

ROOT = Path(__file__).resolve().parent.parent
MATERIAL = Path(__import__("material").__file__).resolve().parent / "templates" / "assets" / "javascripts"
EXTRA = {
    "ml/활성화.md": "---\naliases: [Activation]\ntags: [딥러닝/활성화]\n---\n# 활성화 함수\n\n"
                   "ReLU는 기울기 소실을 줄인다. 시그모이드는 기울기가 작다.\n\n## 비교\n\n시그모이드와 ReLU의 기울기를 비교한다.\n",
    "ml/손실.md": "---\ntags: [딥러닝]\n---\n# 손실 함수\n\n교차 엔트로피와 평균 제곱 오차. 기울기를 계산한다.\n",
    "ml/메모.md": "# 메모\n\nvanishing gradient, exploding gradient. Gradient clipping helps.\n",
}
# Result pages kbgen's worker sends with their text in its first answer (search-worker.js)
FIRST_PAGES = 6
QUERIES = ["기울기", "기울기가", "역전파를", "ReLU", "relu 기울기", "vanishing gradient", "gradient", "소실",
           "활성화 함수", "activation", "시그모이드", "\"기울기 소실\"", "기울기 -relu", "+relu 시그모이드", "딥러닝",
           "없는단어"]

COMPARE = """async ([queries, materialWorker]) => {
  const stub = await (await fetch("search/search_index.json")).json()
  const full = await (await fetch("full_index.json")).json()
  async function ask(url, index) {
    const worker = new Worker(url)
    const reply = () => new Promise(resolve => worker.onmessage = ev => resolve(ev.data))
    worker.postMessage({type: 0, data: {config: index.config, docs: index.docs, options: {suggest: false}}})
    await reply()
    const out = []
    const items = data => data.items.map(group => group.map(i => ({loc: i.location, score: i.score, title: i.title, text: i.text})))
    for (const q of queries) {
      worker.postMessage({type: 2, data: q})
      let {data} = await reply()
      const first = items(data)
      while (data.partial) ({data} = await reply())  // kbgen's worker: the complete answer follows
      out.push([first, items(data)])
    }
    worker.terminate()
    return out
  }
  return [await ask(materialWorker, full), await ask("search/worker.js", stub)]
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("search-worker")
    notes = base / "notes"
    shutil.copytree(ROOT / "notes", notes)
    write_vault(notes, EXTRA)
    out = base / "site"
    saved: dict = {}
    real = search_index.write_shards

    def keep(index, search_dir, *args):  # type: ignore[no-untyped-def]
        saved["index"] = json.loads(json.dumps(index))  # what Material's worker would have been given
        return real(index, search_dir, *args)

    search_index.write_shards = keep
    try:
        assert main(["build", "--notes", str(notes), "--site", str(out), "--config", str(ROOT / "mkdocs.yml"), "-q"]) == 0
    finally:
        search_index.write_shards = real
    (out / "full_index.json").write_text(json.dumps(saved["index"], ensure_ascii=False), encoding="utf-8")
    return out


def ranked(groups: list[list[dict]]) -> list[tuple]:
    """Pages in order with their sections; scores relative to the best (lunr divides by the query's norm)."""
    if not groups:
        return []
    top = max(i["score"] for g in groups for i in g) or 1
    out = [(round(g[0]["score"] / top, 3), sorted((i["loc"], round(i["score"] / top, 3), i["title"], i["text"]) for i in g))
           for g in groups]
    return sorted(out, key=lambda entry: (-entry[0], entry[1]))


def test_kbgen_worker_ranks_like_materials_lunr_worker(site):
    require_browser()
    from playwright.sync_api import sync_playwright

    [worker] = [p.relative_to(site).as_posix() for p in (site / "assets" / "javascripts" / "workers").glob("search.*.min.js")]
    with serve_directory(site) as base, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page()
        page.goto(base)
        material, kbgen = page.evaluate(COMPARE, [QUERIES, worker])
        browser.close()
    assert any(final for _, final in material), "Material's worker found nothing: the comparison would prove nothing"
    assert any(len(final) > FIRST_PAGES for _, final in kbgen), "no query needs a second answer: that path goes untested"
    for query, (_, theirs), (first, ours) in zip(QUERIES, material, kbgen):
        assert ranked(ours) == ranked(theirs), query
        # The first answer lists the same pages; the first FIRST_PAGES come with their text at once
        assert [g[0]["loc"].split("#")[0] for g in first] == [g[0]["loc"].split("#")[0] for g in ours], query
        assert first[:FIRST_PAGES] == ours[:FIRST_PAGES], query


def test_the_page_loads_no_full_index(site):
    stub = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert stub["docs"] == [] and stub["config"]["kbgen"]["documents"] > 0
    html = (site / "index.html").read_text(encoding="utf-8")
    assert '"search": "search/worker.js"' in html and "workers/search." not in html
